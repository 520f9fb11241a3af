//! The vocabulary of the app, as three kinds of message so the compiler decides who takes what:
//!
//! - `Input`: what the user did — an `Intent` (bindable in the keymap, serde-named), a key typed
//!   into a one-line input (`InputKey`) or the SQL editor (`EditKey`), a `:` command;
//! - `Report`: what a job reported (each view's reports are its own type, in its job module);
//! - the terminal's `Resize` and the spinner's `Tick`.
//!
//! `Msg` wraps them for `state::update`. Job reports carry a `Seq` of the view they were asked
//! for: one sequence type per view (`Seq<Inspector>` cannot be compared with `Seq<History>`),
//! and a result whose sequence is not the view's current one is dropped.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::jobs::{JobId, JobKind, Owner};
use crate::lake::store::requests::RequestSummary;

/// What the user asked for: everything a key can be bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Quit,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    /// Enter the selected bucket / zone / folder, or focus the detail of a table.
    Enter,
    /// Back one step inside a view (the parent column, the file list, the ranking).
    Back,
    /// Start typing a filter for the current column.
    Filter,
    /// Open the `:` command line.
    CommandLine,
    /// Help for the current layer first, then the rest.
    Help,
    /// Go back one layer: cancel what it runs, else close it.
    Cancel,
    /// List the lake again.
    Refresh,
    /// Switch to the next built-in theme.
    CycleTheme,
    /// The requests panel: what was sent to the store.
    Requests,
    /// Open the Parquet inspector on the selected table (files, footers, row groups, preview).
    Inspect,
    /// Next / previous tab.
    NextTab,
    PrevTab,
    /// Scroll one column left / right (the preview reads the columns brought on screen).
    ColumnLeft,
    ColumnRight,
    /// Open the history of the selected Delta table (versions, detail, diffs, time travel).
    History,
    /// History: mark the version under the cursor as one side of a diff.
    Mark,
    /// History: diff the marked version and the one under the cursor (or it and its parent).
    Diff,
    /// Open the SQL pane on `SELECT * FROM <selected table> LIMIT 100`.
    QueryTable,
    /// Open (or close) the SQL pane, keeping its text and result.
    Sql,
    /// SQL: run the editor's statement.
    RunQuery,
    /// SQL: estimate what the statement would read (files, bytes, requests, cost).
    Estimate,
    /// SQL: complete the word before the cursor (keywords, functions, tables, columns).
    Complete,
    /// SQL: search the query history.
    SearchHistory,
    /// SQL: previous / next query of the history.
    HistoryPrev,
    HistoryNext,
    /// SQL: move between the editor and the results.
    SwitchPane,
    /// Results: sort by the cursor's column; diagnostics: re-rank the tables.
    SortColumn,
    /// Results: keep rows containing a text.
    FilterRows,
    /// Results: the first / last column.
    FirstColumn,
    LastColumn,
    /// Results: copy the cell / the row / every fetched row as TSV (OSC 52, works over SSH).
    CopyCell,
    CopyRow,
    CopyAll,
    /// Results: export the whole result (the query runs again) to a CSV, JSON or Parquet file.
    Export,
    /// Diagnostics of the selected table, or of every table below the selected entry.
    Diagnostics,
    /// Compaction plan of the selected table (in the diagnostics: the partition under the
    /// cursor); confirmed with `confirm`.
    Compact,
    /// Vacuum dry run of the selected Delta table.
    Vacuum,
    /// Convert the selected Parquet dataset to Delta (plan first).
    Convert,
    /// Run the plan on screen (`y`).
    Confirm,
}

impl Intent {
    /// The snake_case name used in keymap files.
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

/// Editing keys of the multi-line SQL editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKey {
    Char(char),
    Newline,
    Backspace,
    Delete,
    DeleteWord,
    ClearLine,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
}

/// Editing keys of a one-line text input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKey {
    Char(char),
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    /// Ctrl-U: clear the line.
    Clear,
    /// Ctrl-W: delete the word before the cursor.
    DeleteWord,
    Submit,
    Cancel,
}

/// Something the user did.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Intent(Intent),
    /// A key typed into a one-line input (filter, command line, search, a retention).
    Line(InputKey),
    /// A key typed into the SQL editor.
    Edit(EditKey),
    /// A `:` command, run as if typed (also used by tests).
    Command(String),
}

/// Everything `state::update` takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    User(Input),
    Job(JobEvent),
    /// The terminal was resized.
    Resize {
        width: u16,
        height: u16,
    },
    /// Spinner tick while jobs run.
    Tick,
    /// Fresh request counters from the lake's store.
    Requests(Box<RequestSummary>),
}

impl From<Intent> for Msg {
    fn from(i: Intent) -> Msg {
        Msg::User(Input::Intent(i))
    }
}

/// Any job's report (`discovery::Report`, `inspect::Report`…) as a message.
impl<T: Into<Report>> From<T> for Msg {
    fn from(r: T) -> Msg {
        Msg::Job(JobEvent::Report(r.into()))
    }
}

/// What the job machinery says about a job.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// A job was spawned for an effect.
    Started { id: JobId, kind: JobKind, label: String, owner: Owner },
    /// What the job produced.
    Report(Report),
    /// The job panicked (a bug): reported, then finished like any other.
    Failed { id: JobId, error: String },
    /// The job ended (finished, failed or cancelled).
    Finished { id: JobId, cancelled: bool },
}

/// What a job reported, one variant per kind of job; each view handles its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Discovery(crate::jobs::discovery::Report),
    Detail(crate::jobs::detail::Report),
    Inspector(crate::jobs::inspect::Report),
    History(crate::jobs::history::Report),
    Diag(crate::jobs::diag::Report),
    Write(crate::jobs::maintain::Report),
    Sql(crate::jobs::sql::Report),
}

/// Each job kind's report is a `Report`.
macro_rules! reports {
    ($($module:ident => $variant:ident),* $(,)?) => {
        $(impl From<crate::jobs::$module::Report> for Report {
            fn from(r: crate::jobs::$module::Report) -> Report {
                Report::$variant(r)
            }
        })*
    };
}

reports!(
    discovery => Discovery,
    detail => Detail,
    inspect => Inspector,
    history => History,
    diag => Diag,
    maintain => Write,
    sql => Sql,
);

/// The views whose jobs are numbered, as markers for `Seq`.
pub mod view {
    /// The lake listing (a refresh starts a new one).
    #[derive(Debug)]
    pub enum Listing {}
    #[derive(Debug)]
    pub enum Inspector {}
    #[derive(Debug)]
    pub enum History {}
    #[derive(Debug)]
    pub enum Diag {}
    #[derive(Debug)]
    pub enum Write {}
    #[derive(Debug)]
    pub enum Sql {}
}

/// A request's sequence number in view `V`: results carry it, the view keeps the newest.
pub struct Seq<V> {
    n: u64,
    view: PhantomData<fn() -> V>,
}

impl<V> Seq<V> {
    pub const fn new(n: u64) -> Self {
        Seq { n, view: PhantomData }
    }

    pub fn get(self) -> u64 {
        self.n
    }
}

impl<V> Clone for Seq<V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<V> Copy for Seq<V> {}
impl<V> PartialEq for Seq<V> {
    fn eq(&self, other: &Self) -> bool {
        self.n == other.n
    }
}
impl<V> Eq for Seq<V> {}
impl<V> Default for Seq<V> {
    fn default() -> Self {
        Seq::new(0)
    }
}
impl<V> fmt::Debug for Seq<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.n)
    }
}

/// Hands out sequence numbers, unique across views.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seqs(u64);

impl Seqs {
    pub fn take<V>(&mut self) -> Seq<V> {
        self.0 += 1;
        Seq::new(self.0)
    }
}

/// Something shared with jobs, compared by identity (a decoded footer, an open reader).
pub struct Shared<T: ?Sized>(pub Arc<T>);

impl<T: ?Sized> Shared<T> {
    pub fn new(v: Arc<T>) -> Self {
        Shared(v)
    }
}
impl<T: ?Sized> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}
impl<T: ?Sized> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl<T: ?Sized> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Shared({:p})", Arc::as_ptr(&self.0))
    }
}
impl<T: ?Sized> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_have_keymap_names() {
        assert_eq!(Intent::PageDown.name(), "page_down");
        let parsed: Intent = serde_json::from_str("\"cycle_theme\"").unwrap();
        assert_eq!(parsed, Intent::CycleTheme);
        assert!(serde_json::from_str::<Intent>("\"tick\"").is_err(), "job reports cannot be bound");
    }

    #[test]
    fn sequences_are_unique_across_views() {
        let mut s = Seqs::default();
        let a: Seq<view::Inspector> = s.take();
        let b: Seq<view::History> = s.take();
        assert_ne!(a.get(), b.get());
    }
}
