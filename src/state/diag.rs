//! The diagnostics view: what is being diagnosed (a table, or every table below a bucket / zone /
//! folder / the lake), the job's progress, the rollup ranking the tables (sortable by severity,
//! small files, skew, cost, size), and the table opened from it with its tabs (findings,
//! partitions, file sizes, cost, growth, the full report). Enter on a finding jumps to the tab
//! with its numbers. Keys, job reports and the end of jobs are handled here; when a write
//! changes a table it shows, the view diagnoses again.

use std::sync::Arc;

use super::{AppState, Effect, Flow, Screen, is_movement, move_cursor, step_of};
use crate::event::{Input, Intent, Seq, view};
use crate::jobs::diag::Report;
use crate::jobs::{Job, Owner};
use crate::lake::diag::rollup::{Failure, RollupRow, rank};
use crate::lake::diag::{Rollup, Suggest, TableDiag};
use crate::lake::{NodeKind, TableEntry};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagTab {
    Findings,
    Partitions,
    Files,
    Cost,
    Growth,
    Report,
}

impl DiagTab {
    pub const ALL: [DiagTab; 6] =
        [DiagTab::Findings, DiagTab::Partitions, DiagTab::Files, DiagTab::Cost, DiagTab::Growth, DiagTab::Report];
    pub fn title(self) -> &'static str {
        match self {
            DiagTab::Findings => "findings",
            DiagTab::Partitions => "partitions",
            DiagTab::Files => "file sizes",
            DiagTab::Cost => "cost",
            DiagTab::Growth => "growth",
            DiagTab::Report => "numbers",
        }
    }
}

/// How the rollup's tables are ordered (`s` cycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollupSort {
    Rank,
    SmallFiles,
    Skew,
    Cost,
    Size,
}

impl RollupSort {
    pub fn title(self) -> &'static str {
        match self {
            RollupSort::Rank => "worst first",
            RollupSort::SmallFiles => "small files",
            RollupSort::Skew => "skew",
            RollupSort::Cost => "$/month",
            RollupSort::Size => "size",
        }
    }
    fn next(self) -> RollupSort {
        match self {
            RollupSort::Rank => RollupSort::SmallFiles,
            RollupSort::SmallFiles => RollupSort::Skew,
            RollupSort::Skew => RollupSort::Cost,
            RollupSort::Cost => RollupSort::Size,
            RollupSort::Size => RollupSort::Rank,
        }
    }
}

/// A table's diagnostics on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenTable {
    pub diag: Arc<TableDiag>,
    pub tab: DiagTab,
    pub cursor: usize,
    pub scroll: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiagView {
    pub seq: Seq<view::Diag>,
    /// The tables diagnosed (`(display name, table)`), to diagnose them again.
    pub tables: Vec<(String, TableEntry)>,
    /// What is diagnosed: `acme-lake/bronze`, `lake`, or a table's names.
    pub scope: String,
    /// The target was one table (no rollup to go back to).
    pub single: bool,
    pub loading: bool,
    pub progress: (usize, usize),
    /// The table finished last (while loading).
    pub last: String,
    pub error: Option<String>,
    pub diags: Vec<Arc<TableDiag>>,
    pub failed: Vec<Failure>,
    pub rollup: Option<Arc<Rollup>>,
    pub sort: RollupSort,
    /// Rows of the rollup in display order.
    pub rows: Vec<RollupRow>,
    pub cursor: usize,
    pub scroll: usize,
    pub open: Option<OpenTable>,
    /// After a reload: the table (and tab) to open again when the results arrive.
    pub reopen: Option<(String, DiagTab)>,
}

/// Rows of a list in the view (title, status, borders, tab bar, header).
pub fn list_rows(state: &AppState) -> usize {
    state.height.saturating_sub(7).max(1) as usize
}

/// Open the diagnostics of the selected entry: a table, or every table below a bucket, zone or
/// folder (nothing selected: the whole lake).
pub fn open(state: &mut AppState) -> Vec<Effect> {
    let catalog = state.catalog.clone();
    // The table of the open history or inspector, else the selection.
    let from_view = state.screens.iter().rev().find_map(|s| match s {
        Screen::History(h) => Some(h.table.location.clone()),
        Screen::Inspector(i) => Some(i.table.location.clone()),
        _ => None,
    });
    let node = match from_view {
        Some(loc) => catalog.tables().find(|(_, t)| t.location == loc).map(|(n, _)| n.id),
        None => state.selected(),
    };
    open_node(state, node)
}

/// Open the diagnostics of a catalog entry (`None`: the whole lake).
pub fn open_node(state: &mut AppState, node: Option<crate::lake::NodeId>) -> Vec<Effect> {
    let catalog = state.catalog.clone();
    let tables = catalog.tables_below(node);
    let single = node.is_some_and(|id| catalog.node(id).kind == NodeKind::Table);
    let scope = node.map(|id| catalog.names_to(id).join("/")).unwrap_or_else(|| "lake".to_string());
    if tables.is_empty() {
        state.error(format!("no tables under {scope} to diagnose{}", if state.discovering { " yet" } else { "" }));
        return Vec::new();
    }
    let seq = state.seqs.take();
    let total = tables.len();
    let v = DiagView {
        seq,
        tables: tables.clone(),
        scope: scope.clone(),
        single,
        loading: true,
        progress: (0, total),
        last: String::new(),
        error: None,
        diags: Vec::new(),
        failed: Vec::new(),
        rollup: None,
        sort: RollupSort::Rank,
        rows: Vec::new(),
        cursor: 0,
        scroll: 0,
        open: None,
        reopen: None,
    };
    state.push(Screen::Diag(Box::new(v)));
    vec![Effect::Spawn(Job::Diag { seq, scope, tables })]
}

impl DiagView {
    /// Does the view show the table at `location`?
    pub fn shows(&self, location: &str) -> bool {
        self.tables.iter().any(|(_, t)| t.location == location)
    }
}

/// Diagnose the same tables again (a write changed one of them), listing each afresh.
pub fn reload(v: &mut DiagView, state: &mut AppState) -> Vec<Effect> {
    let seq = state.seqs.take();
    let opened = v.open.as_ref().map(|o| (o.diag.location.clone(), o.tab));
    v.seq = seq;
    v.loading = true;
    v.error = None;
    v.progress = (0, v.tables.len());
    v.diags.clear();
    v.failed.clear();
    v.rollup = None;
    v.rows.clear();
    v.reopen = opened;
    v.open = None;
    for (_, t) in v.tables.iter_mut() {
        // Discovery's listing is from before the write.
        t.listing = None;
    }
    state.info(format!("diagnosing {} again: a write changed it", v.scope));
    vec![Effect::Spawn(Job::Diag { seq, scope: v.scope.clone(), tables: v.tables.clone() })]
}

fn sort_rows(v: &mut DiagView) {
    let Some(r) = v.rollup.as_ref() else { return };
    let mut rows = r.tables.clone();
    match v.sort {
        RollupSort::Rank => rows.sort_by(rank),
        RollupSort::SmallFiles => rows.sort_by(|a, b| {
            (b.small_files - b.after_compaction.min(b.small_files))
                .cmp(&(a.small_files - a.after_compaction.min(a.small_files)))
                .then_with(|| rank(a, b))
        }),
        RollupSort::Skew => {
            rows.sort_by(|a, b| b.skew.unwrap_or(0.0).total_cmp(&a.skew.unwrap_or(0.0)).then_with(|| rank(a, b)))
        }
        RollupSort::Cost => rows.sort_by(|a, b| b.monthly_usd.total_cmp(&a.monthly_usd).then_with(|| rank(a, b))),
        RollupSort::Size => rows.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| rank(a, b))),
    }
    v.rows = rows;
}

/// The tab a finding's numbers are on.
fn tab_of(kind: &str) -> DiagTab {
    match kind {
        "skew" | "over_partitioned" | "high_cardinality" | "tiny_partitions" | "empty_partitions"
        | "unnamed_folders" => DiagTab::Partitions,
        "small_files" => DiagTab::Files,
        "stale_data" | "lifecycle" => DiagTab::Cost,
        _ => DiagTab::Report,
    }
}

pub fn on_input(v: &mut DiagView, state: &mut AppState, input: &Input) -> Flow {
    let Input::Intent(intent) = input else { return Flow::done() };
    let rows = list_rows(state);
    match (&mut v.open, *intent) {
        // Esc stops a running diagnosis first (the view says so), else goes back one layer.
        (_, Intent::Cancel) if v.loading => {
            let running: Vec<Effect> = state.jobs_of(&Owner::Diag(v.seq)).into_iter().map(Effect::Cancel).collect();
            if running.is_empty() { Flow::Close(Vec::new()) } else { Flow::Done(running) }
        }
        // In a table.
        (Some(_), Intent::Back | Intent::Diagnostics | Intent::Cancel) if !v.single => {
            v.open = None;
            Flow::done()
        }
        (Some(_), Intent::Back | Intent::Diagnostics | Intent::Cancel) => Flow::Close(Vec::new()),
        (Some(o), tab @ (Intent::NextTab | Intent::PrevTab)) => {
            o.tab = super::inspector::cycle(&DiagTab::ALL, o.tab, tab == Intent::NextTab);
            o.cursor = 0;
            o.scroll = 0;
            Flow::done()
        }
        (Some(o), Intent::Enter) => {
            if o.tab == DiagTab::Findings
                && let Some(f) = o.diag.findings.get(o.cursor).cloned()
            {
                o.tab = tab_of(f.kind);
                o.cursor = 0;
                o.scroll = 0;
                // The partition a finding names is put under the cursor.
                if let Some(p) = &f.partition
                    && let Some(i) = o.diag.partitions.list.iter().position(|x| &x.name == p)
                {
                    o.cursor = i;
                    o.scroll = i.saturating_sub(rows / 2);
                }
                let what = match f.action {
                    Suggest::Compact => format!(
                        "{}: c plans a compaction{}",
                        f.kind,
                        if f.partition.is_some() { " of this partition" } else { "" }
                    ),
                    Suggest::Vacuum => format!("{}: V plans a vacuum (a dry run first)", f.kind),
                    _ => format!("{}: {}", f.kind, f.suggestion),
                };
                state.info(what);
            }
            Flow::done()
        }
        (Some(o), nav) if is_movement(nav) => {
            let len = match o.tab {
                DiagTab::Findings => o.diag.findings.len(),
                DiagTab::Partitions => o.diag.partitions.list.len(),
                // Text tabs scroll; the view clamps.
                _ => usize::MAX / 2,
            };
            let step = step_of(nav, rows);
            if matches!(o.tab, DiagTab::Findings | DiagTab::Partitions) {
                move_cursor(&mut o.cursor, &mut o.scroll, len, step, rows);
            } else {
                o.scroll = (o.scroll as isize).saturating_add(step).max(0) as usize;
            }
            Flow::done()
        }
        (Some(_), _) => Flow::Pass,
        // The rollup.
        (None, Intent::Back | Intent::Diagnostics | Intent::Cancel) => Flow::Close(Vec::new()),
        (None, Intent::SortColumn) => {
            v.sort = v.sort.next();
            sort_rows(v);
            v.cursor = 0;
            v.scroll = 0;
            let t = v.sort.title();
            state.info(format!("tables sorted by {t}"));
            Flow::done()
        }
        (None, Intent::Enter) => {
            let Some(row) = v.rows.get(v.cursor) else { return Flow::done() };
            if let Some(d) = v.diags.iter().find(|d| d.table == row.table) {
                v.open = Some(OpenTable { diag: d.clone(), tab: DiagTab::Findings, cursor: 0, scroll: 0 });
            }
            Flow::done()
        }
        (None, nav) if is_movement(nav) => {
            let len = v.rows.len() + v.failed.len();
            move_cursor(&mut v.cursor, &mut v.scroll, len, step_of(nav, rows), rows);
            Flow::done()
        }
        (None, _) => Flow::Pass,
    }
}

pub fn on_report(v: &mut DiagView, _state: &mut AppState, r: Report) -> Vec<Effect> {
    match r {
        Report::Progress { seq, done, total, last } => {
            if v.seq == seq {
                v.progress = (done, total);
                v.last = last;
            }
        }
        Report::Loaded { seq, result } => {
            if v.seq == seq {
                loaded(v, result);
            }
        }
    }
    Vec::new()
}

fn loaded(v: &mut DiagView, result: Result<(Vec<TableDiag>, Vec<Failure>), String>) {
    v.loading = false;
    match result {
        Err(e) => v.error = Some(e),
        Ok((diags, failed)) => {
            let rollup = crate::lake::diag::rollup(&v.scope, &diags, failed.clone());
            v.diags = diags.into_iter().map(Arc::new).collect();
            v.failed = failed;
            v.rollup = Some(Arc::new(rollup));
            sort_rows(v);
            let reopen = v.reopen.take();
            if v.single {
                match (v.diags.first(), v.failed.first()) {
                    (Some(d), _) => {
                        let tab = reopen.map_or(DiagTab::Findings, |(_, t)| t);
                        v.open = Some(OpenTable { diag: d.clone(), tab, cursor: 0, scroll: 0 })
                    }
                    (None, Some(f)) => v.error = Some(format!("{} cannot be diagnosed: {}", f.table, f.reason)),
                    (None, None) => v.error = Some("nothing was diagnosed".into()),
                }
            } else if let Some((location, tab)) = reopen
                && let Some(d) = v.diags.iter().find(|d| d.location == location)
            {
                v.open = Some(OpenTable { diag: d.clone(), tab, cursor: 0, scroll: 0 });
            }
        }
    }
}

/// The diagnostics job ended without a result (cancelled, or it stopped).
pub fn job_ended(v: &mut DiagView, seq: Seq<view::Diag>, cancelled: bool) {
    if v.seq == seq && v.loading {
        v.loading = false;
        v.error = Some(
            if cancelled {
                "cancelled (esc); D on the entry runs it again"
            } else {
                "the diagnostics stopped without a result"
            }
            .to_string(),
        );
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::JobEvent;
    use crate::event::Msg;
    use crate::jobs::{JobId, JobKind};
    use crate::state::testing::{loaded, press};
    use crate::state::update;

    fn diagnosing() -> (AppState, Seq<view::Diag>) {
        let mut s = loaded(&["lake/bronze/events:parquet", "lake/silver/orders:delta"], false);
        let effects = press(&mut s, &[Intent::Diagnostics]);
        let Some(Effect::Spawn(Job::Diag { seq, tables, scope })) = effects.first().cloned() else {
            panic!("{effects:?}")
        };
        assert_eq!((scope.as_str(), tables.len()), ("lake", 2));
        (s, seq)
    }

    #[test]
    fn esc_cancels_a_running_diagnosis_and_the_view_says_so() {
        let (mut s, seq) = diagnosing();
        let started =
            JobEvent::Started { id: JobId(7), kind: JobKind::Diag, label: "d".into(), owner: Owner::Diag(seq) };
        update(&mut s, Msg::Job(started));
        let effects = press(&mut s, &[Intent::Cancel]);
        assert_eq!(effects, vec![Effect::Cancel(JobId(7))]);
        update(&mut s, Msg::Job(JobEvent::Finished { id: JobId(7), cancelled: true }));
        let v = s.diag().unwrap();
        assert!(!v.loading);
        assert!(v.error.as_deref().unwrap().contains("cancelled"), "{:?}", v.error);
        // A late result of the cancelled run is dropped.
        update(&mut s, Report::Loaded { seq: Seq::new(seq.get() + 50), result: Err("late".into()) }.into());
        assert!(s.diag().unwrap().error.as_deref().unwrap().contains("cancelled"));
    }

    #[test]
    fn esc_closes_the_diagnostics_when_nothing_runs() {
        let (mut s, seq) = diagnosing();
        update(&mut s, Report::Loaded { seq, result: Ok((Vec::new(), Vec::new())) }.into());
        assert_eq!(s.layer(), super::super::Layer::Diagnostics);
        press(&mut s, &[Intent::Cancel]);
        assert!(s.diag().is_none(), "esc goes back one layer");
        assert_eq!(s.layer(), super::super::Layer::Browser);
    }

    #[test]
    fn a_reload_lists_the_tables_again_and_drops_the_old_run() {
        let (mut s, seq) = diagnosing();
        update(&mut s, Report::Loaded { seq, result: Ok((Vec::new(), Vec::new())) }.into());
        let mut v = s.diag().cloned().unwrap();
        let effects = reload(&mut v, &mut s);
        let Some(Effect::Spawn(Job::Diag { seq: again, tables, .. })) = effects.first().cloned() else { panic!() };
        assert_ne!(again, seq);
        assert!(v.loading);
        assert!(tables.iter().all(|(_, t)| t.listing.is_none()), "each table is listed afresh");
    }
}
