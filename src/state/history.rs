//! The Delta history view: versions newest first (loaded a page at a time as the cursor nears
//! the end), the table's detail and the commit's full parameters and metrics as of the version
//! under the cursor, and the diff of two versions. Also the lake-wide time travel: `as_of`
//! makes every view of that table (detail pane, inspector files, SQL) read the chosen version,
//! once the version is checked to exist. Keys, job reports and the end of jobs are handled here.

use std::sync::Arc;

use super::{AppState, Effect, Flow, Screen, Slot, TimeTravel, is_movement, move_cursor, scroll_text, step_of};
use crate::event::{Input, Intent, Seq, Shared, view};
use crate::jobs::history::Report;
use crate::jobs::{HistoryHandle, Job, Owner};
use crate::lake::delta::diff::{AsOf, TableDiff};
use crate::lake::delta::info::DeltaInfo;
use crate::lake::delta::log::{HistoryEntry, Readable};
use crate::lake::{TableEntry, TableFormat};

/// Versions read ahead of the cursor.
pub const PAGE_AHEAD: usize = 50;

type HistorySeq = Seq<view::History>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryTab {
    Versions,
    Detail,
    Diff,
}

impl HistoryTab {
    pub const ALL: [HistoryTab; 3] = [HistoryTab::Versions, HistoryTab::Detail, HistoryTab::Diff];
    pub fn title(self) -> &'static str {
        match self {
            HistoryTab::Versions => "versions",
            HistoryTab::Detail => "detail",
            HistoryTab::Diff => "diff",
        }
    }
}

/// Where a diff's row comparison is.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    /// Files and schema are shown; rows are being compared.
    Pending,
    /// The diff holds the rows (or its own note on why they were not compared).
    Compared,
    /// The comparison did not finish: why.
    NotCompared(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiffView {
    pub a: u64,
    pub b: u64,
    pub seq: HistorySeq,
    pub diff: Slot<Arc<TableDiff>>,
    pub rows: Rows,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryView {
    pub table: TableEntry,
    /// The view's page requests (and its identity for its jobs).
    pub seq: HistorySeq,
    /// The open log, shared with the jobs that read more of it.
    pub handle: HistoryHandle,
    pub entries: Vec<HistoryEntry>,
    /// Commits in the log (all of them, loaded or not).
    pub total: usize,
    pub loading: bool,
    pub error: Option<String>,
    pub cursor: usize,
    pub scroll: usize,
    /// First version picked for a diff (`m`).
    pub mark: Option<u64>,
    pub tab: HistoryTab,
    /// The detail of one version, and the request it came from.
    pub info: Option<(u64, HistorySeq, Slot<Arc<DeltaInfo>>)>,
    pub diff: Option<DiffView>,
    /// First line shown in the text tabs.
    pub text_scroll: usize,
}

impl HistoryView {
    pub fn selected(&self) -> Option<&HistoryEntry> {
        self.entries.get(self.cursor)
    }
}

/// Rows of the versions list at the current size (title, status, borders, tab bar, header).
pub fn list_rows(state: &AppState) -> usize {
    state.height.saturating_sub(6).max(1) as usize
}

fn new_handle() -> HistoryHandle {
    Shared::new(Arc::new(tokio::sync::Mutex::new(None)))
}

/// Open the history of a Delta table.
pub fn open(state: &mut AppState, table: TableEntry) -> Vec<Effect> {
    if table.format != TableFormat::Delta {
        state.error(format!(
            "history, time travel and diffs are for Delta tables; {} is {}",
            table.name,
            table.format.as_str()
        ));
        return Vec::new();
    }
    let seq = state.seqs.take();
    // The visible rows first; the page read ahead follows once they are drawn (`load_ahead`).
    let want = list_rows(state);
    let handle = new_handle();
    let h = HistoryView {
        table: table.clone(),
        seq,
        handle: handle.clone(),
        entries: Vec::new(),
        total: 0,
        loading: true,
        error: None,
        cursor: 0,
        scroll: 0,
        mark: None,
        tab: HistoryTab::Versions,
        info: None,
        diff: None,
        text_scroll: 0,
    };
    state.push(Screen::History(Box::new(h)));
    vec![Effect::Spawn(Job::History { seq, table: Box::new(table), want, handle })]
}

/// Read the log again (a write added a version).
pub fn reload(h: &mut HistoryView, state: &mut AppState) -> Vec<Effect> {
    let seq = state.seqs.take();
    h.seq = seq;
    h.handle = new_handle();
    h.loading = true;
    h.error = None;
    h.info = None;
    h.diff = None;
    let want = (h.cursor + list_rows(state)).max(list_rows(state));
    vec![Effect::Spawn(Job::History { seq, table: Box::new(h.table.clone()), want, handle: h.handle.clone() })]
}

pub fn on_input(h: &mut HistoryView, state: &mut AppState, input: &Input) -> Flow {
    let Input::Intent(intent) = input else { return Flow::done() };
    let rows = list_rows(state);
    match *intent {
        Intent::Cancel => {
            let running: Vec<Effect> = state
                .jobs
                .iter()
                .filter(|j| matches!(j.owner, Owner::History(_)))
                .map(|j| Effect::Cancel(j.id))
                .collect();
            if running.is_empty() { Flow::Close(Vec::new()) } else { Flow::Done(running) }
        }
        Intent::Back | Intent::History => Flow::Close(Vec::new()),
        i @ (Intent::NextTab | Intent::PrevTab) => {
            h.tab = super::inspector::cycle(&HistoryTab::ALL, h.tab, i == Intent::NextTab);
            h.text_scroll = 0;
            let mut effects = Vec::new();
            if h.tab == HistoryTab::Detail {
                effects.extend(want_info(h, state));
            }
            if h.tab == HistoryTab::Diff && h.diff.is_none() {
                effects.extend(start_diff(h, state));
            }
            Flow::Done(effects)
        }
        i if is_movement(i) => {
            if h.tab != HistoryTab::Versions {
                let len = text_len(h);
                scroll_text(&mut h.text_scroll, len, rows, step_of(i, rows));
                return Flow::done();
            }
            if i == Intent::Bottom && h.entries.len() < h.total {
                // The oldest version: every commit has to be read first.
                h.cursor = h.entries.len().saturating_sub(1);
                if !h.loading {
                    h.loading = true;
                    return Flow::Done(vec![Effect::Spawn(Job::MoreHistory {
                        seq: h.seq,
                        want: h.total,
                        handle: h.handle.clone(),
                    })]);
                }
                return Flow::done();
            }
            move_cursor(&mut h.cursor, &mut h.scroll, h.entries.len(), step_of(i, rows), rows);
            Flow::Done(load_ahead(h, rows))
        }
        Intent::Mark => {
            let Some(v) = h.selected().map(|e| e.version) else { return Flow::done() };
            h.mark = if h.mark == Some(v) { None } else { Some(v) };
            let text = match h.mark {
                Some(v) => format!("v{v} marked: move to another version and press d to diff them"),
                None => "mark cleared".to_string(),
            };
            state.info(text);
            Flow::done()
        }
        Intent::Diff => {
            h.tab = HistoryTab::Diff;
            h.text_scroll = 0;
            Flow::Done(start_diff(h, state))
        }
        Intent::Enter => {
            if h.tab != HistoryTab::Versions {
                return Flow::done();
            }
            let Some(e) = h.selected().cloned() else { return Flow::done() };
            if let Readable::No(why) = &e.readable {
                state.error(format!("v{} cannot be opened: {why}", e.version));
                return Flow::done();
            }
            // A version read from the log exists: travel there at once.
            let travel = TimeTravel {
                location: h.table.location.clone(),
                name: h.table.name.clone(),
                as_of: AsOf::Version(e.version),
                version: e.version,
            };
            Flow::Close(travel_to(state, travel))
        }
        _ => Flow::Pass,
    }
}

/// Lines of the detail or diff text (as `report` writes them), so scrolling stops at its end.
fn text_len(h: &HistoryView) -> usize {
    match h.tab {
        HistoryTab::Versions => h.entries.len(),
        HistoryTab::Detail => {
            let Some((version, _, slot)) = &h.info else { return 0 };
            let commit =
                h.entries.iter().find(|e| e.version == *version).map_or(0, |e| crate::report::commit_lines(e).len());
            commit + slot.ready().map_or(1, |i| crate::report::info_lines(i).len())
        }
        HistoryTab::Diff => {
            h.diff.as_ref().and_then(|d| d.diff.ready()).map_or(0, |d| crate::report::diff_lines(d).len() + 1)
        }
    }
}

/// Read more commits when the cursor comes near the end of what is loaded.
fn load_ahead(h: &mut HistoryView, rows: usize) -> Vec<Effect> {
    if !h.loading && h.entries.len() < h.total && h.cursor + rows + PAGE_AHEAD / 2 >= h.entries.len() {
        h.loading = true;
        return vec![Effect::Spawn(Job::MoreHistory {
            seq: h.seq,
            want: h.cursor + rows + PAGE_AHEAD,
            handle: h.handle.clone(),
        })];
    }
    Vec::new()
}

/// The detail of the version under the cursor.
fn want_info(h: &mut HistoryView, state: &mut AppState) -> Vec<Effect> {
    let Some(version) = h.selected().map(|e| e.version) else { return Vec::new() };
    if h.info.as_ref().is_some_and(|(v, _, slot)| *v == version && !matches!(slot, Slot::Failed(_))) {
        return Vec::new();
    }
    let seq = state.seqs.take();
    h.info = Some((version, seq, Slot::Loading));
    vec![Effect::Spawn(Job::DeltaInfo { seq, table: Box::new(h.table.clone()), as_of: Some(AsOf::Version(version)) })]
}

/// Diff the marked version against the one under the cursor, or that one against its parent.
fn start_diff(h: &mut HistoryView, state: &mut AppState) -> Vec<Effect> {
    let Some(cur) = h.selected().map(|e| e.version) else { return Vec::new() };
    let seq = state.seqs.take();
    let (a, b) = match h.mark {
        Some(m) if m != cur => (m.min(cur), m.max(cur)),
        _ if cur == 0 => {
            let diff = Slot::Failed("v0 has no parent: mark another version (m) to diff against".into());
            h.diff = Some(DiffView { a: 0, b: 0, seq, diff, rows: Rows::Compared });
            return Vec::new();
        }
        _ => (cur - 1, cur),
    };
    h.diff = Some(DiffView { a, b, seq, diff: Slot::Loading, rows: Rows::Pending });
    vec![Effect::Spawn(Job::Diff { seq, table: Box::new(h.table.clone()), a, b })]
}

pub fn on_report(h: &mut HistoryView, _state: &mut AppState, r: Report) -> Vec<Effect> {
    match r {
        Report::Page { seq, entries, total, error } => {
            if seq != h.seq {
                return Vec::new();
            }
            h.loading = false;
            if let Some(e) = error {
                h.error = Some(e);
                return Vec::new();
            }
            h.total = total;
            // Entries come as the full loaded list (newest first), so readability marks refresh too.
            h.entries = entries;
            if h.cursor >= h.entries.len() {
                h.cursor = h.entries.len().saturating_sub(1);
            }
            let rows = list_rows(_state);
            if h.cursor >= h.scroll + rows {
                h.scroll = h.cursor + 1 - rows;
            }
            load_ahead(h, rows)
        }
        Report::Info { seq, result } => {
            if let Some((_, s, slot)) = h.info.as_mut()
                && *s == seq
            {
                *slot = Slot::from_result(result);
            }
            Vec::new()
        }
        Report::DiffFiles { seq, result } => {
            if let Some(d) = h.diff.as_mut().filter(|d| d.seq == seq) {
                if result.is_err() {
                    d.rows = Rows::Compared;
                }
                d.diff = Slot::from_result(result);
            }
            Vec::new()
        }
        Report::DiffRows { seq, result } => {
            if let Some(d) = h.diff.as_mut().filter(|d| d.seq == seq) {
                match result {
                    Ok(full) => {
                        d.diff = Slot::Ready(full);
                        d.rows = Rows::Compared;
                    }
                    // The files already shown stay; the rows say why they are missing.
                    Err(e) => d.rows = Rows::NotCompared(e),
                }
            }
            Vec::new()
        }
    }
}

pub fn job_ended(h: &mut HistoryView, seq: HistorySeq, cancelled: bool) {
    let why = super::ended(cancelled);
    if h.seq == seq && h.loading {
        h.loading = false;
        if h.entries.is_empty() {
            h.error = Some(why.to_string());
        }
    }
    if let Some((_, s, slot)) = h.info.as_mut()
        && *s == seq
    {
        slot.end(cancelled);
    }
    if let Some(d) = h.diff.as_mut().filter(|d| d.seq == seq) {
        d.diff.end(cancelled);
        // Files arrived, the rows never did: say so instead of "comparing…" forever.
        if d.rows == Rows::Pending {
            d.rows = Rows::NotCompared(why.to_string());
        }
    }
}

/// `:asof V|TS`: check the table can be read there, then travel (a job: a version past the
/// latest or a timestamp before the first commit is refused, and nothing moves).
pub fn asof_command(state: &mut AppState, arg: &str) -> Vec<Effect> {
    let Some(t) = state.current_table() else {
        state.error("select a Delta table first (:asof 12 or :asof 2026-11-02T10:00:00Z)");
        return Vec::new();
    };
    if t.format != TableFormat::Delta {
        state.error(format!("time travel is for Delta tables; {} is {}", t.name, t.format.as_str()));
        return Vec::new();
    }
    if arg.is_empty() {
        state.error("usage: :asof VERSION or :asof TIMESTAMP (2026-11-02, 2026-11-02T10:00:00Z)");
        return Vec::new();
    }
    let as_of = AsOf::parse(arg);
    match &as_of {
        AsOf::Timestamp(ts) => {
            if let Err(e) = crate::lake::delta::diff::parse_timestamp(ts) {
                state.error(e);
                return Vec::new();
            }
        }
        // The listing already knows the latest version: no read needed to refuse one past it.
        AsOf::Version(v) => {
            if let Some(latest) = t.delta_log.as_ref().and_then(|l| l.latest_version)
                && *v > latest
            {
                state.error(format!("{} has no v{v}: its latest version is v{latest} (nothing changed)", t.name));
                return Vec::new();
            }
        }
    }
    state.info(format!("checking {} as of {}…", t.name, as_of.text()));
    vec![Effect::Spawn(Job::Travel { table: Box::new(t), as_of })]
}

/// Read a table as of a checked version everywhere: reload its detail pane.
pub fn travel_to(state: &mut AppState, travel: TimeTravel) -> Vec<Effect> {
    let location = travel.location.clone();
    let exact = matches!(travel.as_of, AsOf::Version(_));
    state.info(format!(
        "{} as of {}{}: the detail, the inspector and SQL read that version (:latest to return)",
        travel.name,
        travel.as_of.text(),
        if exact { String::new() } else { format!(" (v{})", travel.version) }
    ));
    state.as_of = Some(travel);
    forget_detail(state, &location)
}

/// Back to the latest version.
pub fn latest(state: &mut AppState) -> Vec<Effect> {
    match state.as_of.take() {
        Some(t) => {
            state.info(format!("{}: back to the latest version", t.name));
            forget_detail(state, &t.location)
        }
        None => {
            state.info("no time travel to leave: every table shows its latest version");
            Vec::new()
        }
    }
}

/// Drop a table's loaded detail (cancelling a load in flight) so it is read again.
fn forget_detail(state: &mut AppState, location: &str) -> Vec<Effect> {
    match state.details.remove(location) {
        Some(super::DetailSlot::Loading(Some(id))) => vec![Effect::Cancel(id)],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::delta::log::FileDiff;
    use crate::state::testing::{loaded, press};
    use crate::state::update;

    fn entry(version: u64) -> HistoryEntry {
        let text = "{\"commitInfo\":{\"timestamp\":1,\"operation\":\"WRITE\"}}\n";
        let c = crate::lake::delta::log::parse_commit(version, text.as_bytes(), 0).unwrap();
        let mut e = HistoryEntry::from_commit(c, &Default::default());
        e.readable = Readable::Yes;
        e
    }

    fn opened() -> (AppState, HistorySeq) {
        let mut s = loaded(&["acme/silver/orders:delta"], false);
        press(&mut s, &[Intent::Enter, Intent::Enter]);
        let effects = press(&mut s, &[Intent::History]);
        let Some(Effect::Spawn(Job::History { seq, .. })) = effects.first().cloned() else { panic!("{effects:?}") };
        let entries: Vec<HistoryEntry> = (0..=12).rev().map(entry).collect();
        update(&mut s, Report::Page { seq, entries, total: 13, error: None }.into());
        (s, seq)
    }

    #[test]
    fn the_detail_tab_reads_the_version_under_the_cursor() {
        let (mut s, _) = opened();
        press(&mut s, &[Intent::Down, Intent::Down]);
        let effects = press(&mut s, &[Intent::NextTab]);
        let Some(Effect::Spawn(Job::DeltaInfo { as_of, .. })) = effects.first() else { panic!("{effects:?}") };
        assert_eq!(as_of, &Some(AsOf::Version(10)), "v12 is at the top; two down is v10");
    }

    #[test]
    fn a_diff_shows_its_files_first_then_says_why_rows_are_missing() {
        let (mut s, _) = opened();
        let effects = press(&mut s, &[Intent::Diff]);
        let Some(Effect::Spawn(Job::Diff { seq, a, b, .. })) = effects.first().cloned() else { panic!("{effects:?}") };
        assert_eq!((a, b), (11, 12));
        let files = TableDiff {
            location: "x".into(),
            a,
            b,
            files: FileDiff::empty(a, b),
            schema: vec![],
            properties: vec![],
            protocol: None,
            rows: None,
            rows_note: None,
            schema_note: None,
        };
        update(&mut s, Report::DiffFiles { seq, result: Ok(Arc::new(files)) }.into());
        let d = s.history().unwrap().diff.clone().unwrap();
        assert!(matches!(d.diff, Slot::Ready(_)));
        assert_eq!(d.rows, Rows::Pending);
        // The data files were vacuumed: the file-level diff stays, the rows say why.
        update(&mut s, Report::DiffRows { seq, result: Err("the data file is gone (vacuumed?)".into()) }.into());
        let d = s.history().unwrap().diff.clone().unwrap();
        assert!(matches!(d.diff, Slot::Ready(_)), "the log-level diff is kept");
        assert_eq!(d.rows, Rows::NotCompared("the data file is gone (vacuumed?)".into()));
    }

    #[test]
    fn enter_travels_and_closes_and_esc_closes() {
        let (mut s, _) = opened();
        press(&mut s, &[Intent::Down]);
        let effects = press(&mut s, &[Intent::Enter]);
        assert!(s.history().is_none());
        assert_eq!(s.as_of.as_ref().map(|t| t.version), Some(11));
        assert!(
            effects.iter().any(|e| matches!(e, Effect::Spawn(Job::Detail { as_of: Some(AsOf::Version(11)), .. }))),
            "{effects:?}"
        );
        let (mut s, _) = opened();
        press(&mut s, &[Intent::Cancel]);
        assert!(s.history().is_none(), "esc closes the history");
    }

    #[test]
    fn asof_past_the_latest_version_is_refused_on_the_spot() {
        let mut s = loaded(&["acme/silver/orders:delta@12"], false);
        press(&mut s, &[Intent::Enter, Intent::Enter]);
        let effects = update(&mut s, crate::event::Msg::User(Input::Command("asof 99".into())));
        assert!(!effects.iter().any(|e| matches!(e, Effect::Spawn(Job::Travel { .. }))), "{effects:?}");
        assert!(s.as_of.is_none());
        let m = s.message.clone().unwrap();
        assert!(m.text.contains("latest version is v12"), "{m:?}");
        // A version that exists is checked by a job, then taken.
        let effects = update(&mut s, crate::event::Msg::User(Input::Command("asof 3".into())));
        assert!(effects.iter().any(|e| matches!(e, Effect::Spawn(Job::Travel { .. }))), "{effects:?}");
        assert!(s.as_of.is_none(), "not before the check");
    }

    #[test]
    fn a_travel_that_cannot_be_read_changes_nothing() {
        let mut s = loaded(&["acme/silver/orders:delta@12"], false);
        press(&mut s, &[Intent::Enter, Intent::Enter]);
        let r = crate::jobs::detail::Report::Travel {
            location: "file:///lake/acme/silver/orders/".into(),
            name: "orders".into(),
            as_of: AsOf::Timestamp("2000-01-01".into()),
            result: Err("before the first commit".into()),
        };
        update(&mut s, crate::event::Report::Detail(r).into());
        assert!(s.as_of.is_none());
        assert!(s.message.as_ref().unwrap().text.contains("nothing changed"));
    }
}
