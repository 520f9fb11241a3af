//! The Delta history view's state: versions newest first (loaded a page at a time as the cursor
//! nears the end), the table's detail as of the version under the cursor's time travel, and the
//! diff of two versions. Also the lake-wide time travel: `as_of` makes every view of that table
//! (detail pane, inspector files) read the chosen version. Plain data; results carry the
//! sequence number they were asked for, and older ones are dropped.

use std::sync::Arc;

use super::inspector::{Slot, move_cursor, step_of};
use super::{AppState, Effect, Mode};
use crate::action::Action;
use crate::lake::delta_diff::{AsOf, TableDiff};
use crate::lake::delta_info::DeltaInfo;
use crate::lake::delta_log::{HistoryEntry, Readable};
use crate::lake::{TableEntry, TableFormat};

/// What a diff says while its rows are being compared (files and schema are already shown).
pub const ROWS_PENDING: &str = "comparing rows (reading only the files that differ; esc cancels)…";

/// Versions read ahead of the cursor.
pub const PAGE_AHEAD: usize = 50;

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

/// A time-travel choice: this table, read as of this point.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeTravel {
    pub location: String,
    pub name: String,
    pub as_of: AsOf,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryView {
    pub table: TableEntry,
    pub seq: u64,
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
    pub info: Option<Slot<Arc<DeltaInfo>>>,
    pub info_seq: u64,
    pub diff: Option<(u64, u64, Slot<Arc<TableDiff>>)>,
    pub diff_seq: u64,
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

fn next_seq(state: &mut AppState) -> u64 {
    state.inspector_seq += 1;
    state.inspector_seq
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
    let seq = next_seq(state);
    // The visible rows first; the page read ahead follows once they are drawn (`load_ahead`).
    let want = list_rows(state);
    state.history = Some(HistoryView {
        table: table.clone(),
        seq,
        entries: Vec::new(),
        total: 0,
        loading: true,
        error: None,
        cursor: 0,
        scroll: 0,
        mark: None,
        tab: HistoryTab::Versions,
        info: None,
        info_seq: 0,
        diff: None,
        diff_seq: 0,
        text_scroll: 0,
    });
    vec![Effect::LoadHistory { seq, table: Box::new(table), want }]
}

/// Does the history view take this action?
pub fn takes(state: &AppState, action: &Action) -> bool {
    state.history.is_some()
        && state.mode == Mode::Browse
        && (super::is_view_navigation(action) || matches!(action, Action::Mark | Action::Diff | Action::History))
}

pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let rows = list_rows(state);
    let mut effects = Vec::new();
    let Some(h) = state.history.as_mut() else { return effects };
    match action {
        Action::Back | Action::History => {
            state.history = None;
            return effects;
        }
        Action::NextTab | Action::PrevTab => {
            let i = HistoryTab::ALL.iter().position(|t| *t == h.tab).unwrap_or(0);
            let n = HistoryTab::ALL.len();
            h.tab = HistoryTab::ALL[if action == Action::NextTab { (i + 1) % n } else { (i + n - 1) % n }];
            h.text_scroll = 0;
            if h.tab == HistoryTab::Detail {
                effects.extend(want_info(state));
            }
            if let Some(h) = state.history.as_ref()
                && h.tab == HistoryTab::Diff
                && h.diff.is_none()
            {
                effects.extend(start_diff(state));
            }
            return effects;
        }
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
            if h.tab != HistoryTab::Versions {
                let step = step_of(&action, rows);
                h.text_scroll = (h.text_scroll as isize).saturating_add(step).max(0) as usize;
                return effects;
            }
            if action == Action::Bottom && h.entries.len() < h.total {
                // The oldest version: every commit has to be read first.
                h.cursor = h.entries.len().saturating_sub(1);
                if !h.loading {
                    h.loading = true;
                    effects.push(Effect::MoreHistory { seq: h.seq, want: h.total });
                }
                return effects;
            }
            move_cursor(&mut h.cursor, &mut h.scroll, h.entries.len(), step_of(&action, rows), rows);
            effects.extend(load_ahead(state));
        }
        Action::Mark => {
            let Some(v) = h.selected().map(|e| e.version) else { return effects };
            h.mark = if h.mark == Some(v) { None } else { Some(v) };
            let text = match h.mark {
                Some(v) => format!("v{v} marked: move to another version and press d to diff them"),
                None => "mark cleared".to_string(),
            };
            state.info(text);
        }
        Action::Diff => {
            h.tab = HistoryTab::Diff;
            h.text_scroll = 0;
            effects.extend(start_diff(state));
        }
        Action::Enter => {
            if h.tab != HistoryTab::Versions {
                return effects;
            }
            let Some(e) = h.selected().cloned() else { return effects };
            if let Readable::No(why) = &e.readable {
                state.error(format!("v{} cannot be opened: {why}", e.version));
                return effects;
            }
            let table = h.table.clone();
            effects.extend(travel(state, &table, AsOf::Version(e.version)));
        }
        _ => {}
    }
    effects
}

/// Read more commits when the cursor comes near the end of what is loaded.
fn load_ahead(state: &mut AppState) -> Vec<Effect> {
    let rows = list_rows(state);
    let Some(h) = state.history.as_mut() else { return Vec::new() };
    if !h.loading && h.entries.len() < h.total && h.cursor + rows + PAGE_AHEAD / 2 >= h.entries.len() {
        h.loading = true;
        return vec![Effect::MoreHistory { seq: h.seq, want: h.cursor + rows + PAGE_AHEAD }];
    }
    Vec::new()
}

fn want_info(state: &mut AppState) -> Vec<Effect> {
    let as_of = current_as_of(state);
    let seq = next_seq(state);
    let Some(h) = state.history.as_mut() else { return Vec::new() };
    h.info = Some(Slot::Loading);
    h.info_seq = seq;
    vec![Effect::LoadDeltaInfo { seq, table: Box::new(h.table.clone()), as_of }]
}

/// The version the views of the history's table follow, if time travel is on for it.
fn current_as_of(state: &AppState) -> Option<AsOf> {
    let h = state.history.as_ref()?;
    state.as_of.as_ref().filter(|t| t.location == h.table.location).map(|t| t.as_of.clone())
}

/// Diff the marked version against the one under the cursor, or that one against its parent.
fn start_diff(state: &mut AppState) -> Vec<Effect> {
    let seq = next_seq(state);
    let Some(h) = state.history.as_mut() else { return Vec::new() };
    let Some(cur) = h.selected().map(|e| e.version) else { return Vec::new() };
    let (a, b) = match h.mark {
        Some(m) if m != cur => (m.min(cur), m.max(cur)),
        _ if cur == 0 => {
            h.diff = Some((0, 0, Slot::Failed("v0 has no parent: mark another version (m) to diff against".into())));
            return Vec::new();
        }
        _ => (cur - 1, cur),
    };
    h.diff = Some((a, b, Slot::Loading));
    h.diff_seq = seq;
    vec![Effect::LoadDiff { seq, table: Box::new(h.table.clone()), a, b }]
}

/// Read `table` as of `as_of` everywhere: close the history, reload the detail pane.
pub fn travel(state: &mut AppState, table: &TableEntry, as_of: AsOf) -> Vec<Effect> {
    let mut effects = Vec::new();
    state.history = None;
    state.as_of = Some(TimeTravel { location: table.location.clone(), name: table.name.clone(), as_of: as_of.clone() });
    effects.extend(forget_detail(state, &table.location));
    state.info(format!(
        "{} as of {}: the detail and the inspector read that version (:latest to return)",
        table.name,
        as_of.text()
    ));
    effects
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
        Some(super::DetailSlot::Loading(Some(id))) => vec![Effect::CancelJob(id)],
        _ => Vec::new(),
    }
}

/// A page of history arrived (entries appended in order), or the whole list re-marked.
pub fn page(
    state: &mut AppState,
    seq: u64,
    entries: Vec<HistoryEntry>,
    total: usize,
    error: Option<String>,
) -> Vec<Effect> {
    let Some(h) = state.history.as_mut().filter(|h| h.seq == seq) else { return Vec::new() };
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
    let rows = list_rows(state);
    if let Some(h) = state.history.as_mut()
        && h.cursor >= h.scroll + rows
    {
        h.scroll = h.cursor + 1 - rows;
    }
    load_ahead(state)
}

pub fn job_ended(state: &mut AppState, seq: u64, why: &str) {
    let Some(h) = state.history.as_mut() else { return };
    if h.seq == seq && h.loading {
        h.loading = false;
        if h.entries.is_empty() {
            h.error = Some(why.to_string());
        }
    }
    if h.info_seq == seq && h.info == Some(Slot::Loading) {
        h.info = Some(Slot::Failed(why.to_string()));
    }
    if h.diff_seq == seq
        && let Some((_, _, slot)) = h.diff.as_mut()
    {
        match slot {
            Slot::Loading => *slot = Slot::Failed(why.to_string()),
            // Files arrived, the rows never did: say so instead of "comparing…" forever.
            Slot::Ready(d) if d.rows_note.as_deref() == Some(ROWS_PENDING) => {
                let mut d = (**d).clone();
                d.rows_note = Some(format!("rows not compared: {why}"));
                *slot = Slot::Ready(Arc::new(d));
            }
            _ => {}
        }
    }
}
