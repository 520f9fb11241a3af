//! The one vocabulary shared by the keymap, the state and the jobs: every key press becomes an
//! `Action`, every job reports through an `Action`, and `state::update` is the only place that
//! turns actions into state changes and effects.
//!
//! Variants a user can bind carry serde names (`down`, `filter`, …) and appear in the keymap
//! file; internal ones are `#[serde(skip)]`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::jobs::{JobId, JobKind};
use crate::lake::parquet_dataset::DatasetSummary;
use crate::lake::parquet_meta::{PageIndexInfo, ParquetSummary};
use crate::lake::requests::RequestSummary;
use crate::lake::{Catalog, TableDetail};
use crate::state::inspector::SharedFooter;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // --- bindable -------------------------------------------------------------------------
    Quit,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    /// Enter the selected bucket / zone / folder, or focus the detail of a table.
    Enter,
    /// Back to the parent column (or out of the detail pane).
    Back,
    /// Start typing a filter for the current column.
    Filter,
    /// Open the `:` command line.
    CommandLine,
    /// Toggle the help overlay.
    Help,
    /// Cancel the newest running job; with none running, clear the filter.
    Cancel,
    /// List the lake again.
    Refresh,
    /// Switch to the next built-in theme.
    CycleTheme,
    /// Toggle the requests panel: what was sent to the store.
    Requests,
    /// Open the Parquet inspector on the selected table (files, footers, row groups, preview).
    Inspect,
    /// Next / previous tab of the inspector.
    NextTab,
    PrevTab,
    /// Scroll the preview grid one column left / right (reads the columns brought on screen).
    ColumnLeft,
    ColumnRight,
    /// Open the history of the selected Delta table (versions, detail, diffs, time travel).
    History,
    /// History: mark the version under the cursor as one side of a diff.
    Mark,
    /// History: diff the marked version and the one under the cursor (or it and its parent).
    Diff,
    /// Open the SQL pane on `SELECT * FROM <selected table> LIMIT 100` (as of the time-travel
    /// version when one is chosen).
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
    /// Results: sort by the cursor's column (ascending, descending, off).
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
    /// Diagnostics of the selected table, or of every table below the selected bucket / zone /
    /// folder: partitions, small files, cost, findings (again: close them).
    Diagnostics,
    /// Compaction plan of the selected table (in the diagnostics: of the partition or finding
    /// under the cursor); `y` runs it.
    Compact,
    /// Vacuum dry run of the selected Delta table; `y` deletes, a typed retention re-plans.
    Vacuum,
    /// Convert the selected Parquet dataset to Delta (plan first, `y` runs).
    Convert,

    // --- internal ---------------------------------------------------------------------------
    /// Diagnostics: `done` of `total` tables diagnosed, `last` the latest.
    #[serde(skip)]
    DiagProgress {
        seq: u64,
        done: usize,
        total: usize,
        last: String,
    },
    /// Diagnostics: every table's result (or why the job stopped).
    #[serde(skip)]
    DiagLoaded {
        seq: u64,
        result: Result<(Vec<crate::lake::diag::TableDiag>, Vec<crate::lake::diag::rollup::Failure>), String>,
    },
    /// A key while a write action's plan or job is on screen.
    #[serde(skip)]
    MaintainKey(InputKey),
    /// A write action's plan (or why there is none).
    #[serde(skip)]
    MaintainPlanned {
        seq: u64,
        result: Result<crate::state::maintain::MaintainPlan, String>,
    },
    #[serde(skip)]
    MaintainProgress {
        seq: u64,
        progress: crate::lake::maintain::Progress,
    },
    /// A write action finished: what it did, as lines (or why it stopped).
    #[serde(skip)]
    MaintainDone {
        seq: u64,
        result: Result<Vec<String>, String>,
    },
    /// A key typed while a text line (filter or command) has focus.
    #[serde(skip)]
    Input(InputKey),
    /// The terminal was resized; `rows` is the height of the list area.
    #[serde(skip)]
    Resize {
        width: u16,
        height: u16,
    },
    /// A job was spawned for an effect, for the listing generation `ticket`.
    #[serde(skip)]
    JobStarted {
        id: JobId,
        kind: JobKind,
        label: String,
        ticket: u64,
    },
    /// A job panicked (a bug): reported, then finished like any other.
    #[serde(skip)]
    JobFailed {
        id: JobId,
        error: String,
    },
    /// A job ended (finished, failed or cancelled).
    #[serde(skip)]
    JobFinished {
        id: JobId,
        cancelled: bool,
    },
    /// Discovery reports a (partial or final) catalog.
    #[serde(skip)]
    CatalogUpdated {
        ticket: u64,
        catalog: Arc<Catalog>,
    },
    /// Discovery ended; `Err` holds a readable reason.
    #[serde(skip)]
    DiscoveryFinished {
        ticket: u64,
        result: Result<(), String>,
    },
    /// A table detail arrived.
    #[serde(skip)]
    DetailLoaded {
        ticket: u64,
        location: String,
        result: Result<Arc<TableDetail>, String>,
    },
    /// Progress of a dataset's footer reads.
    #[serde(skip)]
    DatasetProgress {
        seq: u64,
        done: usize,
        total: usize,
    },
    #[serde(skip)]
    DatasetLoaded {
        seq: u64,
        result: Result<Arc<DatasetSummary>, String>,
    },
    #[serde(skip)]
    FooterLoaded {
        seq: u64,
        result: Result<(Arc<ParquetSummary>, SharedFooter), String>,
    },
    /// Decoded preview rows (appended), with what reading them cost so far.
    #[serde(skip)]
    PreviewRows {
        seq: u64,
        columns: Vec<String>,
        skipped: Vec<String>,
        rows: Vec<Vec<String>>,
        done: bool,
        error: Option<String>,
        bytes_read: u64,
        requests: u64,
    },
    /// The history loaded so far (newest first), the log's commit count, or why it failed.
    #[serde(skip)]
    HistoryPage {
        seq: u64,
        entries: Vec<crate::lake::delta_log::HistoryEntry>,
        total: usize,
        error: Option<String>,
    },
    #[serde(skip)]
    DeltaInfoLoaded {
        seq: u64,
        result: Result<Arc<crate::lake::delta_info::DeltaInfo>, String>,
    },
    #[serde(skip)]
    DiffLoaded {
        seq: u64,
        result: Result<Arc<crate::lake::delta_diff::TableDiff>, String>,
    },
    #[serde(skip)]
    PagesLoaded {
        seq: u64,
        result: Result<Option<Arc<Vec<PageIndexInfo>>>, String>,
    },
    /// A key typed in the SQL editor.
    #[serde(skip)]
    SqlEdit(EditKey),
    /// The SQL engine is ready: its function names (for completion).
    #[serde(skip)]
    SqlReady(Vec<String>),
    #[serde(skip)]
    SqlEstimated {
        seq: u64,
        result: Result<crate::lake::sql::estimate::Estimate, String>,
    },
    /// The result's schema: the query has started.
    #[serde(skip)]
    SqlStarted {
        seq: u64,
        schema: arrow::datatypes::SchemaRef,
    },
    /// Streamed rows (already cut to the cap) and the counts so far.
    #[serde(skip)]
    SqlRows {
        seq: u64,
        batches: Vec<arrow::array::RecordBatch>,
        progress: SqlProgress,
    },
    /// The query ended: its final counts, or why it failed.
    #[serde(skip)]
    SqlDone {
        seq: u64,
        progress: SqlProgress,
        error: Option<String>,
    },
    /// An export wrote `rows` so far (done when `result` is set).
    #[serde(skip)]
    SqlExport {
        path: String,
        rows: u64,
        result: Option<Result<(), String>>,
    },
    /// Run a command typed on the command line (also used by tests).
    #[serde(skip)]
    RunCommand(String),
    /// Spinner tick while jobs run.
    #[serde(skip)]
    Tick,
    /// Fresh request counters from the lake's store.
    #[serde(skip)]
    RequestsCounted(Box<RequestSummary>),
}

/// What a running query has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SqlProgress {
    pub elapsed_ms: u64,
    /// Rows the query produced (kept or not).
    pub rows: u64,
    pub bytes: u64,
    pub requests: u64,
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

impl Action {
    /// The snake_case name used in keymap files (`None` for internal actions).
    pub fn name(&self) -> Option<String> {
        let v = serde_json::to_value(self).ok()?;
        v.as_str().map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindable_actions_have_names() {
        assert_eq!(Action::PageDown.name().as_deref(), Some("page_down"));
        let parsed: Action = serde_json::from_str("\"cycle_theme\"").unwrap();
        assert_eq!(parsed, Action::CycleTheme);
    }

    #[test]
    fn internal_actions_cannot_be_bound() {
        assert!(serde_json::from_str::<Action>("\"tick\"").is_err());
        assert_eq!(Action::Tick.name(), None);
    }
}
