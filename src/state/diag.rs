//! The diagnostics view's state: what is being diagnosed (a table, or every table below a
//! bucket / zone / folder / the lake), the job's progress, the rollup ranking the tables (sortable
//! by severity, small files, skew, cost, size), and the table opened from it with its tabs
//! (findings, partitions, file sizes, cost, growth, the full report). Enter on a finding jumps to
//! the tab with its numbers. Plain data; results carry the sequence number they were asked for.

use std::sync::Arc;

use super::inspector::{move_cursor, step_of};
use super::{AppState, Effect, Mode};
use crate::action::Action;
use crate::lake::NodeKind;
use crate::lake::diag::rollup::{Failure, RollupRow, rank};
use crate::lake::diag::{Rollup, Suggest, TableDiag};

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
    pub seq: u64,
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
}

/// Rows of a list in the view (title, status, borders, tab bar, header).
pub fn list_rows(state: &AppState) -> usize {
    state.height.saturating_sub(7).max(1) as usize
}

fn next_seq(state: &mut AppState) -> u64 {
    state.inspector_seq += 1;
    state.inspector_seq
}

/// Open the diagnostics of the selected entry: a table, or every table below a bucket, zone or
/// folder (nothing selected: the whole lake).
pub fn open(state: &mut AppState) -> Vec<Effect> {
    let catalog = state.catalog.clone();
    // The table of the open history or inspector, else the selection.
    let from_view = state
        .history
        .as_ref()
        .map(|h| h.table.location.clone())
        .or_else(|| state.inspector.as_ref().map(|i| i.table.location.clone()));
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
    let seq = next_seq(state);
    let total = tables.len();
    state.diag = Some(DiagView {
        seq,
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
    });
    vec![Effect::LoadDiag { seq, scope, tables }]
}

/// Does the diagnostics view take this action?
pub fn takes(state: &AppState, action: &Action) -> bool {
    state.diag.is_some()
        && state.mode == Mode::Browse
        && (super::is_view_navigation(action) || matches!(action, Action::Diagnostics | Action::SortColumn))
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

pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let rows = list_rows(state);
    let Some(v) = state.diag.as_mut() else { return Vec::new() };
    match (&mut v.open, action) {
        // In a table.
        (Some(_), Action::Back | Action::Diagnostics) if !v.single => v.open = None,
        (Some(_), Action::Back | Action::Diagnostics) => state.diag = None,
        (Some(o), tab @ (Action::NextTab | Action::PrevTab)) => {
            let i = DiagTab::ALL.iter().position(|t| *t == o.tab).unwrap_or(0);
            let n = DiagTab::ALL.len();
            o.tab = DiagTab::ALL[if tab == Action::NextTab { (i + 1) % n } else { (i + n - 1) % n }];
            o.cursor = 0;
            o.scroll = 0;
        }
        (Some(o), Action::Enter) => {
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
        }
        (
            Some(o),
            nav @ (Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom),
        ) => {
            let len = match o.tab {
                DiagTab::Findings => o.diag.findings.len(),
                DiagTab::Partitions => o.diag.partitions.list.len(),
                // Text tabs scroll; the view clamps.
                _ => usize::MAX / 2,
            };
            let step = step_of(&nav, rows);
            if matches!(o.tab, DiagTab::Findings | DiagTab::Partitions) {
                move_cursor(&mut o.cursor, &mut o.scroll, len, step, rows);
            } else {
                o.scroll = (o.scroll as isize).saturating_add(step).max(0) as usize;
            }
        }
        (Some(_), _) => {}
        // The rollup.
        (None, Action::Back | Action::Diagnostics) => state.diag = None,
        (None, Action::SortColumn) => {
            v.sort = v.sort.next();
            sort_rows(v);
            v.cursor = 0;
            v.scroll = 0;
            let t = v.sort.title();
            state.info(format!("tables sorted by {t}"));
        }
        (None, Action::Enter) => {
            let Some(row) = v.rows.get(v.cursor) else { return Vec::new() };
            if let Some(d) = v.diags.iter().find(|d| d.table == row.table) {
                v.open = Some(OpenTable { diag: d.clone(), tab: DiagTab::Findings, cursor: 0, scroll: 0 });
            }
        }
        (
            None,
            nav @ (Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom),
        ) => {
            let len = v.rows.len() + v.failed.len();
            move_cursor(&mut v.cursor, &mut v.scroll, len, step_of(&nav, rows), rows);
        }
        (None, _) => {}
    }
    Vec::new()
}

pub fn progress(state: &mut AppState, seq: u64, done: usize, total: usize, last: String) {
    if let Some(v) = state.diag.as_mut().filter(|v| v.seq == seq) {
        v.progress = (done, total);
        v.last = last;
    }
}

pub fn loaded(state: &mut AppState, seq: u64, result: Result<(Vec<TableDiag>, Vec<Failure>), String>) {
    let Some(v) = state.diag.as_mut().filter(|v| v.seq == seq) else { return };
    v.loading = false;
    match result {
        Err(e) => v.error = Some(e),
        Ok((diags, failed)) => {
            let rollup = crate::lake::diag::rollup(&v.scope, &diags, failed.clone());
            v.diags = diags.into_iter().map(Arc::new).collect();
            v.failed = failed;
            v.rollup = Some(Arc::new(rollup));
            sort_rows(v);
            if v.single {
                match (v.diags.first(), v.failed.first()) {
                    (Some(d), _) => {
                        v.open = Some(OpenTable { diag: d.clone(), tab: DiagTab::Findings, cursor: 0, scroll: 0 })
                    }
                    (None, Some(f)) => v.error = Some(format!("{} cannot be diagnosed: {}", f.table, f.reason)),
                    (None, None) => v.error = Some("nothing was diagnosed".into()),
                }
            }
        }
    }
}

/// The diagnostics job ended without a result (cancelled, or it stopped).
pub fn job_ended(state: &mut AppState, seq: u64, why: &str) {
    if let Some(v) = state.diag.as_mut().filter(|v| v.seq == seq && v.loading) {
        v.loading = false;
        v.error = Some(why.to_string());
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::jobs::{JobId, JobKind};
    use crate::lake::TableEntry;
    use crate::lake::catalog::{Catalog, Node, NodeId, TableFormat};

    pub(crate) fn state_with_tables() -> AppState {
        let mut s = AppState::new("/lake".into(), "dark".into(), vec!["dark".into()], false, false);
        let mut c = Catalog { root_url: "/lake".into(), root_name: "lake".into(), ..Catalog::default() };
        let node = |id: u32, parent: Option<u32>, name: &str, kind: NodeKind, children: Vec<u32>| Node {
            id: NodeId(id),
            parent: parent.map(NodeId),
            name: name.into(),
            kind,
            path: name.into(),
            children: children.into_iter().map(NodeId).collect(),
            table: None,
            tables_below: 0,
            files_below: 0,
            bytes_below: 0,
            other_files: 0,
            error: None,
            pending: false,
            depth_limited: false,
        };
        c.nodes.push(node(0, None, "lake", NodeKind::Bucket, vec![1]));
        let mut t = node(1, Some(0), "events", NodeKind::Table, vec![]);
        t.table = Some(Box::new(TableEntry {
            name: "events".into(),
            format: TableFormat::Parquet,
            bucket: "lake".into(),
            zone: None,
            location: "file:///lake/events/".into(),
            path: "events".into(),
            file_glob: None,
            files: 1,
            bytes: 1,
            meta_files: 0,
            meta_bytes: 0,
            partitions: vec![],
            partition_dirs: 0,
            unnamed_partition_levels: 0,
            last_modified_ms: None,
            sample_file: None,
            sample_file_bytes: None,
            delta_log: None,
            listing_complete: true,
            issues: vec![],
            listing: None,
        }));
        c.nodes.push(t);
        c.buckets = vec![NodeId(0)];
        s.catalog = Arc::new(c);
        s
    }

    #[test]
    fn esc_cancels_a_running_diagnosis_and_the_view_says_so() {
        let mut s = state_with_tables();
        let effects = open_node(&mut s, None);
        let Some(Effect::LoadDiag { seq, tables, scope }) = effects.first().cloned() else { panic!("{effects:?}") };
        assert_eq!((scope.as_str(), tables.len()), ("lake", 1));
        super::super::update(
            &mut s,
            Action::JobStarted { id: JobId(7), kind: JobKind::Diag, label: "diagnostics".into(), ticket: seq },
        );
        let effects = super::super::update(&mut s, Action::Cancel);
        assert_eq!(effects, vec![Effect::CancelJob(JobId(7))]);
        super::super::update(&mut s, Action::JobFinished { id: JobId(7), cancelled: true });
        let v = s.diag.as_ref().unwrap();
        assert!(!v.loading);
        assert!(v.error.as_deref().unwrap().contains("cancelled"), "{:?}", v.error);
        // A late result of the cancelled run is dropped by the next run's sequence number.
        let effects = open_node(&mut s, None);
        let Some(Effect::LoadDiag { seq: seq2, .. }) = effects.first().cloned() else { panic!() };
        assert_ne!(seq, seq2);
        loaded(&mut s, seq, Err("late".into()));
        assert!(s.diag.as_ref().unwrap().loading);
    }
}
