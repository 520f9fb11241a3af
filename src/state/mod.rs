//! Application state as plain data, and `update(state, action) -> effects`: the only place the
//! state changes. No terminal, no I/O, no clock: effects ask the app to start or cancel jobs,
//! and job results come back as actions. Results of a superseded listing carry an old ticket
//! and are dropped here.

pub mod browser;
pub mod diag;
pub mod editor;
pub mod grid;
pub mod history;
pub mod input;
pub mod inspector;
pub mod maintain;
pub mod picker;
pub mod sql;

use std::collections::HashMap;
use std::sync::Arc;

use crate::action::{Action, InputKey};
use crate::jobs::{JobId, JobKind};
use crate::lake::requests::RequestSummary;
use crate::lake::{Catalog, NodeId, TableDetail, TableEntry};
use browser::Nav;
use input::{Edit, LineInput};

/// Detail jobs in flight at once (the selected table always gets a slot first).
pub const MAX_DETAIL_JOBS: usize = 2;
/// Rows of chrome around a list: title bar, status bar and the list's two borders.
pub const CHROME_ROWS: u16 = 4;

/// Work the app must start or stop for the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    StartDiscovery {
        ticket: u64,
    },
    LoadDetail {
        ticket: u64,
        table: Box<TableEntry>,
        /// Time travel: read this version of a Delta table.
        as_of: Option<crate::lake::delta_diff::AsOf>,
    },
    /// List a dataset's files (or read a Delta table's) and read their footers.
    LoadDataset {
        seq: u64,
        table: Box<TableEntry>,
    },
    LoadFooter {
        seq: u64,
        rel: String,
        size: Option<u64>,
    },
    /// Start decoding a row group (only `columns`) until `want` rows are there.
    OpenPreview {
        seq: u64,
        rel: String,
        size: Option<u64>,
        footer: inspector::SharedFooter,
        row_group: usize,
        columns: Vec<usize>,
        want: usize,
    },
    /// Decode more rows of the open preview.
    MorePreview {
        seq: u64,
        want: usize,
    },
    LoadPages {
        seq: u64,
        rel: String,
        size: Option<u64>,
        footer: inspector::SharedFooter,
        row_group: usize,
    },
    /// Open a Delta table's history and read its newest `want` commits.
    LoadHistory {
        seq: u64,
        table: Box<TableEntry>,
        want: usize,
    },
    /// Read more commits of the open history, up to `want` loaded.
    MoreHistory {
        seq: u64,
        want: usize,
    },
    LoadDeltaInfo {
        seq: u64,
        table: Box<TableEntry>,
        as_of: Option<crate::lake::delta_diff::AsOf>,
    },
    LoadDiff {
        seq: u64,
        table: Box<TableEntry>,
        a: u64,
        b: u64,
    },
    /// Diagnose tables (`(display name, table)`), for the view `seq`.
    LoadDiag {
        seq: u64,
        scope: String,
        tables: Vec<(String, TableEntry)>,
    },
    /// Plan a write action (reads only).
    PlanMaintain {
        seq: u64,
        kind: maintain::MaintainKind,
        name: String,
        table: Box<TableEntry>,
        partition: Option<(String, String)>,
        /// Vacuum: a retention the user typed (an explicit override).
        retain: Option<std::time::Duration>,
    },
    /// Run a confirmed plan.
    RunMaintain {
        seq: u64,
        kind: maintain::MaintainKind,
        name: String,
        table: Box<TableEntry>,
        partition: Option<(String, String)>,
        plan: maintain::MaintainPlan,
    },
    /// Build the SQL engine for the current catalog (and report its function names).
    PrepareSql,
    /// Estimate, then run a query, keeping `max_rows` rows.
    RunSql {
        seq: u64,
        sql: String,
        max_rows: usize,
    },
    EstimateSql {
        seq: u64,
        sql: String,
    },
    /// Run a query again and write its whole result to a file.
    ExportSql {
        sql: String,
        path: std::path::PathBuf,
        format: crate::lake::sql::export::Format,
    },
    /// Put text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Append a query to the history file.
    SaveQuery(String),
    CancelJob(JobId),
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Browse,
    Filter,
    Command,
    Help,
    Requests,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DetailSlot {
    /// Requested; the job id arrives with `JobStarted`.
    Loading(Option<JobId>),
    Ready(Arc<TableDetail>),
    Failed(String),
    /// Cancelled by the user: not retried until asked (Enter or refresh).
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    pub id: JobId,
    pub kind: JobKind,
    pub label: String,
    /// The listing generation the job works for (for inspector jobs: the inspector's sequence
    /// number of the view it reads for).
    pub ticket: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageLevel {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub level: MessageLevel,
}

#[derive(Debug, Clone)]
pub struct AppState {
    /// How the lake root is shown (never with credentials).
    pub root: String,
    pub catalog: Arc<Catalog>,
    /// Generation of the current listing; results with another ticket are stale.
    pub ticket: u64,
    pub discovering: bool,
    pub nav: Nav,
    /// Table details by table location.
    pub details: HashMap<String, DetailSlot>,
    pub mode: Mode,
    pub focus: Focus,
    pub detail_scroll: u16,
    pub help_scroll: u16,
    pub input: LineInput,
    pub jobs: Vec<JobStatus>,
    /// The last error (kept until replaced) or a passing notice.
    pub message: Option<Message>,
    pub theme: String,
    pub themes: Vec<String>,
    /// Requests sent to the lake's store so far (refreshed while jobs run and on demand).
    pub requests: RequestSummary,
    /// How the store is reached: endpoint, credential source, retries (for the requests panel).
    pub store_info: Vec<(String, String)>,
    pub requests_scroll: u16,
    /// The Parquet inspector, when open (it replaces the browser's columns).
    pub inspector: Option<inspector::Inspector>,
    pub inspector_seq: u64,
    /// The Delta history view, when open (over the browser or the inspector).
    pub history: Option<history::HistoryView>,
    /// Time travel: one table read as of a version or timestamp by every view.
    pub as_of: Option<history::TimeTravel>,
    /// The diagnostics view, when open (over every other view but the SQL pane).
    pub diag: Option<diag::DiagView>,
    /// A write action's plan / job / outcome, over everything else.
    pub maintain: Option<maintain::MaintainView>,
    pub maintain_seq: u64,
    /// The SQL pane (kept when closed, with its text and result).
    pub sql: sql::SqlPane,
    /// Prices of the lake's provider (query estimates).
    pub prices: crate::lake::pricing::Prices,
    pub prefetch_details: bool,
    pub ascii: bool,
    pub width: u16,
    pub height: u16,
    pub spinner: usize,
    pub quit: bool,
}

impl AppState {
    pub fn new(root: String, theme: String, themes: Vec<String>, prefetch_details: bool, ascii: bool) -> Self {
        AppState {
            root,
            catalog: Arc::new(Catalog::default()),
            ticket: 0,
            discovering: false,
            nav: Nav::default(),
            details: HashMap::new(),
            mode: Mode::Browse,
            focus: Focus::List,
            detail_scroll: 0,
            help_scroll: 0,
            input: LineInput::default(),
            jobs: Vec::new(),
            message: None,
            theme,
            themes,
            requests: RequestSummary::default(),
            store_info: Vec::new(),
            requests_scroll: 0,
            inspector: None,
            inspector_seq: 0,
            history: None,
            as_of: None,
            diag: None,
            maintain: None,
            maintain_seq: 0,
            sql: sql::SqlPane::new(Vec::new(), 100_000),
            prices: crate::lake::pricing::Prices::for_scheme(crate::lake::location::Scheme::File),
            prefetch_details,
            ascii,
            width: 80,
            height: 24,
            spinner: 0,
            quit: false,
        }
    }

    /// Rows a list shows at the current terminal size.
    pub fn list_rows(&self) -> usize {
        self.height.saturating_sub(CHROME_ROWS).max(1) as usize
    }

    pub fn selected(&self) -> Option<NodeId> {
        self.nav.selected(&self.catalog)
    }

    pub fn selected_table(&self) -> Option<&TableEntry> {
        self.selected().and_then(|id| self.catalog.node(id).table.as_deref())
    }

    pub fn detail_of(&self, location: &str) -> Option<&DetailSlot> {
        self.details.get(location)
    }

    pub fn has_running(&self, kind: JobKind) -> bool {
        self.jobs.iter().any(|j| j.kind == kind)
    }

    fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), level: MessageLevel::Error });
    }

    fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), level: MessageLevel::Info });
    }
}

/// Effects to run when the app starts: the first listing.
pub fn start(state: &mut AppState) -> Vec<Effect> {
    refresh(state)
}

fn refresh(state: &mut AppState) -> Vec<Effect> {
    let mut effects: Vec<Effect> = state
        .jobs
        .iter()
        .filter(|j| matches!(j.kind, JobKind::Discovery | JobKind::Detail))
        .map(|j| Effect::CancelJob(j.id))
        .collect();
    state.ticket += 1;
    state.details.clear();
    state.discovering = true;
    effects.push(Effect::StartDiscovery { ticket: state.ticket });
    effects
}

/// Keys every full-screen view (inspector, history) moves and switches tabs with.
pub fn is_view_navigation(action: &Action) -> bool {
    matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Enter
            | Action::Back
            | Action::NextTab
            | Action::PrevTab
    )
}

/// Apply one action. Returns the effects the app must carry out.
pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let rows = state.list_rows();
    let mut effects = Vec::new();
    // A passing notice lasts until the next key; errors stay until replaced.
    if is_user_action(&action) && state.message.as_ref().is_some_and(|m| m.level == MessageLevel::Info) {
        state.message = None;
    }
    if maintain::takes(state, &action) {
        return maintain::update(state, action);
    }
    if sql::takes(state, &action) {
        let mut effects = sql::update(state, action);
        // Tables the query names load their details (their columns complete).
        effects.extend(reconcile_details(state));
        return effects;
    }
    if diag::takes(state, &action) {
        return diag::update(state, action);
    }
    if history::takes(state, &action) {
        let mut effects = history::update(state, action);
        // Time travel drops the table's detail: load it again at the chosen version.
        effects.extend(reconcile_details(state));
        return effects;
    }
    if inspector::takes(state, &action) {
        return inspector::update(state, action);
    }
    match action {
        Action::Help | Action::Cancel | Action::Requests if state.mode == Mode::Requests => state.mode = Mode::Browse,
        Action::Up | Action::Down if state.mode == Mode::Requests => {
            state.requests_scroll =
                if action == Action::Up { state.requests_scroll.saturating_sub(1) } else { state.requests_scroll + 1 };
        }
        Action::Requests => {
            state.mode = Mode::Requests;
            state.requests_scroll = 0;
        }
        Action::RequestsCounted(summary) => state.requests = *summary,
        Action::Quit => {
            state.quit = true;
            return vec![Effect::Quit];
        }
        Action::Help => {
            state.mode = if state.mode == Mode::Help { Mode::Browse } else { Mode::Help };
            state.help_scroll = 0;
        }
        Action::Up | Action::Down if state.mode == Mode::Help => {
            state.help_scroll =
                if action == Action::Up { state.help_scroll.saturating_sub(1) } else { state.help_scroll + 1 };
        }
        Action::Up | Action::Down | Action::PageUp | Action::PageDown if state.focus == Focus::Detail => {
            let step: i32 = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -(rows as i32),
                _ => rows as i32,
            };
            state.detail_scroll = (state.detail_scroll as i32 + step).max(0) as u16;
        }
        Action::Top if state.focus == Focus::Detail => state.detail_scroll = 0,
        Action::Up => state.nav.move_by(&state.catalog, -1, rows),
        Action::Down => state.nav.move_by(&state.catalog, 1, rows),
        Action::PageUp => state.nav.move_by(&state.catalog, -(rows as isize), rows),
        Action::PageDown => state.nav.move_by(&state.catalog, rows as isize, rows),
        Action::Top => state.nav.move_to(&state.catalog, 0, rows),
        Action::Bottom => state.nav.move_to(&state.catalog, isize::MAX, rows),
        Action::Inspect => {
            if let Some(t) = state.selected_table().cloned() {
                effects.extend(inspector::open(state, t));
            }
        }
        Action::History => {
            let table = state.inspector.as_ref().map(|i| i.table.clone()).or_else(|| state.selected_table().cloned());
            if let Some(t) = table {
                effects.extend(history::open(state, t));
            }
        }
        Action::Mark | Action::Diff => {}
        Action::Diagnostics => effects.extend(diag::open(state)),
        Action::DiagProgress { seq, done, total, last } => diag::progress(state, seq, done, total, last),
        Action::DiagLoaded { seq, result } => diag::loaded(state, seq, result),
        Action::Compact => effects.extend(maintain::open(state, maintain::MaintainKind::Compact)),
        Action::Vacuum => effects.extend(maintain::open(state, maintain::MaintainKind::Vacuum)),
        Action::Convert => effects.extend(maintain::open(state, maintain::MaintainKind::Convert)),
        Action::MaintainPlanned { seq, result } => maintain::planned(state, seq, result),
        Action::MaintainProgress { seq, progress } => maintain::progress(state, seq, progress),
        Action::MaintainDone { seq, result } => {
            if maintain::done(state, seq, result) {
                effects.extend(refresh(state));
            }
        }
        Action::MaintainKey(_) => {}
        // The SQL pane's keys, when it is closed (`sql::takes` has them while it is open).
        Action::QueryTable
        | Action::Sql
        | Action::RunQuery
        | Action::Estimate
        | Action::Complete
        | Action::SearchHistory
        | Action::HistoryPrev
        | Action::HistoryNext
        | Action::SwitchPane
        | Action::SortColumn
        | Action::FilterRows
        | Action::FirstColumn
        | Action::LastColumn
        | Action::CopyCell
        | Action::CopyRow
        | Action::CopyAll
        | Action::Export
        | Action::SqlEdit(_)
        | Action::SqlReady(_)
        | Action::SqlEstimated { .. }
        | Action::SqlStarted { .. }
        | Action::SqlRows { .. }
        | Action::SqlDone { .. }
        | Action::SqlExport { .. } => {}
        Action::HistoryPage { seq, entries, total, error } => {
            effects.extend(history::page(state, seq, entries, total, error))
        }
        Action::DeltaInfoLoaded { seq, result } => {
            if let Some(h) = state.history.as_mut().filter(|h| h.info_seq == seq) {
                h.info = Some(match result {
                    Ok(i) => inspector::Slot::Ready(i),
                    Err(e) => inspector::Slot::Failed(e),
                });
            }
        }
        Action::DiffLoaded { seq, result } => {
            if let Some(h) = state.history.as_mut().filter(|h| h.diff_seq == seq)
                && let Some((_, _, slot)) = h.diff.as_mut()
            {
                *slot = match result {
                    Ok(d) => inspector::Slot::Ready(d),
                    Err(e) => inspector::Slot::Failed(e),
                };
            }
        }
        Action::Enter if state.focus == Focus::Detail => {
            if let Some(t) = state.selected_table().cloned() {
                effects.extend(inspector::open(state, t));
            }
        }
        Action::NextTab | Action::PrevTab | Action::ColumnLeft | Action::ColumnRight => {}
        Action::DatasetProgress { seq, done, total } => {
            if let Some(d) = state.inspector.as_mut().and_then(|i| i.dataset.as_mut()).filter(|d| d.seq == seq) {
                d.progress = (done, total);
            }
        }
        Action::DatasetLoaded { seq, result } => {
            if let Some(d) = state.inspector.as_mut().and_then(|i| i.dataset.as_mut()).filter(|d| d.seq == seq) {
                d.summary = match result {
                    Ok(s) => inspector::Slot::Ready(s),
                    Err(e) => inspector::Slot::Failed(e),
                };
            }
        }
        Action::FooterLoaded { seq, result } => {
            if let Some(f) = state.inspector.as_mut().and_then(|i| i.file.as_mut()).filter(|f| f.seq == seq) {
                f.footer = match result {
                    Ok(r) => inspector::Slot::Ready(r),
                    Err(e) => inspector::Slot::Failed(e),
                };
                effects.extend(inspector::footer_arrived(state));
            }
        }
        Action::PreviewRows { seq, columns, skipped, rows, done, error, bytes_read, requests } => {
            if let Some(f) = state.inspector.as_mut().and_then(|i| i.file.as_mut()).filter(|f| f.preview.seq == seq) {
                let p = &mut f.preview;
                p.columns = columns;
                p.skipped = skipped;
                p.rows.extend(rows);
                p.done = done;
                p.loading = false;
                p.bytes_read = bytes_read;
                p.requests = requests;
                if error.is_some() {
                    p.error = error;
                    p.done = true;
                }
            }
        }
        Action::PagesLoaded { seq, result } => {
            if let Some(f) = state.inspector.as_mut().and_then(|i| i.file.as_mut()).filter(|f| f.pages_seq == seq)
                && let Some((_, slot)) = f.pages.as_mut()
            {
                *slot = match result {
                    Ok(p) => inspector::Slot::Ready(p),
                    Err(e) => inspector::Slot::Failed(e),
                };
            }
        }
        Action::Enter => {
            if state.focus == Focus::List
                && !state.nav.descend(&state.catalog, rows)
                && let Some(t) = state.selected_table()
            {
                let loc = t.location.clone();
                // Enter on a table whose load failed or was cancelled tries again.
                if matches!(state.details.get(&loc), Some(DetailSlot::Failed(_) | DetailSlot::Cancelled)) {
                    state.details.remove(&loc);
                }
                state.focus = Focus::Detail;
                state.detail_scroll = 0;
            }
        }
        Action::Back => {
            if state.focus == Focus::Detail {
                state.focus = Focus::List;
            } else {
                state.nav.ascend();
            }
        }
        Action::Filter => {
            state.focus = Focus::List;
            state.mode = Mode::Filter;
            state.input = LineInput::with_text(&state.nav.current().filter);
        }
        Action::CommandLine => {
            state.mode = Mode::Command;
            state.input = LineInput::default();
        }
        Action::Cancel => cancel(state, &mut effects),
        Action::Refresh => effects.extend(refresh(state)),
        Action::CycleTheme => {
            if !state.themes.is_empty() {
                let i = state.themes.iter().position(|t| *t == state.theme).map_or(0, |i| (i + 1) % state.themes.len());
                state.theme = state.themes[i].clone();
                state.info(format!("theme: {}", state.theme));
            }
        }
        Action::Input(key) => input(state, key, &mut effects),
        Action::RunCommand(cmd) => effects.extend(run_command(state, &cmd)),
        Action::Resize { width, height } => {
            state.width = width;
            state.height = height;
            let rows = state.list_rows();
            state.nav.sync(&state.catalog, rows);
        }
        Action::Tick => {
            if !state.jobs.is_empty() {
                state.spinner = state.spinner.wrapping_add(1);
            }
        }
        Action::JobStarted { id, kind, label, ticket } => {
            if kind == JobKind::Detail
                && let Some(slot) = state.details.get_mut(&label)
                && *slot == DetailSlot::Loading(None)
            {
                *slot = DetailSlot::Loading(Some(id));
            }
            state.jobs.push(JobStatus { id, kind, label, ticket });
        }
        Action::JobFailed { id, error } => {
            let job = state.jobs.iter().find(|j| j.id == id).cloned();
            let what = job.as_ref().map(|j| j.kind.describe()).unwrap_or("running a job");
            let text = format!("internal error while {what}: {error} (please report it)");
            if let Some(j) = job.filter(|j| j.kind == JobKind::Detail)
                && let Some(slot) = state.details.get_mut(&j.label)
            {
                *slot = DetailSlot::Failed(text.clone());
            }
            state.error(text);
        }
        Action::JobFinished { id, cancelled } => {
            let Some(pos) = state.jobs.iter().position(|j| j.id == id) else { return effects };
            let job = state.jobs.remove(pos);
            match job.kind {
                // The current listing is over when its job is, whatever it reported before; the
                // job of a listing superseded by a refresh ends nothing.
                JobKind::Discovery if job.ticket == state.ticket => {
                    let was_running = std::mem::replace(&mut state.discovering, false);
                    if cancelled && was_running {
                        state.info("listing cancelled: showing what was found so far (r lists again)");
                    }
                }
                JobKind::Discovery => {}
                JobKind::Sql => sql::job_ended(state, job.ticket, cancelled),
                JobKind::Maintain => maintain::job_ended(state, job.ticket),
                JobKind::Diag => diag::job_ended(
                    state,
                    job.ticket,
                    if cancelled {
                        "cancelled (Esc); D on the entry runs it again"
                    } else {
                        "the diagnostics stopped without a result"
                    },
                ),
                JobKind::Export => {
                    if cancelled && state.sql.export.take().is_some() {
                        state.info("export cancelled; nothing was written");
                    }
                }
                // For inspector jobs the ticket is the inspector's sequence number.
                JobKind::History => history::job_ended(
                    state,
                    job.ticket,
                    if cancelled { "cancelled (Esc)" } else { "the read ended without a result" },
                ),
                JobKind::Inspect => inspector::job_ended(
                    state,
                    job.ticket,
                    if cancelled {
                        "cancelled (Esc); leave and reopen to read again"
                    } else {
                        "the read ended without a result"
                    },
                ),
                JobKind::Detail => {
                    if let Some(slot) = state.details.get_mut(&job.label)
                        && *slot == DetailSlot::Loading(Some(id))
                    {
                        *slot = if cancelled {
                            DetailSlot::Cancelled
                        } else {
                            DetailSlot::Failed("the load ended without a result".into())
                        };
                    }
                }
            }
        }
        Action::CatalogUpdated { ticket, catalog } => {
            if ticket != state.ticket {
                return effects;
            }
            state.catalog = catalog;
            state.nav.sync(&state.catalog, rows);
        }
        Action::DiscoveryFinished { ticket, result } => {
            if ticket != state.ticket {
                return effects;
            }
            state.discovering = false;
            if let Err(e) = result {
                state.error(e);
            }
        }
        Action::DetailLoaded { ticket, location, result } => {
            if ticket != state.ticket {
                return effects;
            }
            let slot = match result {
                Ok(d) => DetailSlot::Ready(d),
                Err(e) => {
                    let name = state
                        .catalog
                        .tables()
                        .find(|(_, t)| t.location == location)
                        .map(|(n, _)| n.name.clone())
                        .unwrap_or_else(|| location.clone());
                    state.error(format!("{name}: {e}"));
                    DetailSlot::Failed(e)
                }
            };
            state.details.insert(location, slot);
        }
    }
    effects.extend(reconcile_details(state));
    effects
}

/// Is this a key the user pressed (not a job's report, a tick or a resize)?
pub(crate) fn is_user_action(a: &Action) -> bool {
    !matches!(
        a,
        Action::Tick
            | Action::JobStarted { .. }
            | Action::JobFinished { .. }
            | Action::JobFailed { .. }
            | Action::CatalogUpdated { .. }
            | Action::DiscoveryFinished { .. }
            | Action::DetailLoaded { .. }
            | Action::Resize { .. }
            | Action::RequestsCounted(_)
            | Action::DatasetProgress { .. }
            | Action::DatasetLoaded { .. }
            | Action::FooterLoaded { .. }
            | Action::PreviewRows { .. }
            | Action::PagesLoaded { .. }
            | Action::HistoryPage { .. }
            | Action::DeltaInfoLoaded { .. }
            | Action::DiffLoaded { .. }
            | Action::SqlReady(_)
            | Action::SqlEstimated { .. }
            | Action::SqlStarted { .. }
            | Action::SqlRows { .. }
            | Action::SqlDone { .. }
            | Action::SqlExport { .. }
            | Action::DiagProgress { .. }
            | Action::DiagLoaded { .. }
            | Action::MaintainPlanned { .. }
            | Action::MaintainProgress { .. }
            | Action::MaintainDone { .. }
    )
}

/// Esc: close what is open, else stop the listing, else stop detail loads, else clear the filter.
fn cancel(state: &mut AppState, effects: &mut Vec<Effect>) {
    if state.mode == Mode::Help {
        state.mode = Mode::Browse;
        return;
    }
    if let Some(v) = state.diag.as_ref().filter(|v| v.loading)
        && let Some(job) = state.jobs.iter().find(|j| j.kind == JobKind::Diag && j.ticket == v.seq)
    {
        effects.push(Effect::CancelJob(job.id));
        return;
    }
    if state.focus == Focus::Detail {
        state.focus = Focus::List;
        return;
    }
    if let Some(job) = state.jobs.iter().rev().find(|j| j.kind == JobKind::Discovery) {
        effects.push(Effect::CancelJob(job.id));
        return;
    }
    let details: Vec<JobId> = state.jobs.iter().filter(|j| j.kind == JobKind::Detail).map(|j| j.id).collect();
    if !details.is_empty() {
        for (_, slot) in state.details.iter_mut() {
            if matches!(slot, DetailSlot::Loading(_)) {
                *slot = DetailSlot::Cancelled;
            }
        }
        effects.extend(details.into_iter().map(Effect::CancelJob));
        return;
    }
    if !state.nav.current().filter.is_empty() {
        let rows = state.list_rows();
        state.nav.set_filter(&state.catalog, "", rows);
    }
}

fn input(state: &mut AppState, key: InputKey, effects: &mut Vec<Effect>) {
    let rows = state.list_rows();
    let edit = state.input.apply(key);
    match state.mode {
        Mode::Filter => match edit {
            Edit::Changed => {
                let text = state.input.text.clone();
                state.nav.set_filter(&state.catalog, &text, rows);
            }
            Edit::Submit => state.mode = Mode::Browse,
            Edit::Cancel => {
                state.nav.set_filter(&state.catalog, "", rows);
                state.mode = Mode::Browse;
            }
            Edit::Moved => {}
        },
        Mode::Command => match edit {
            Edit::Submit => {
                state.mode = Mode::Browse;
                let cmd = std::mem::take(&mut state.input.text);
                effects.extend(run_command(state, &cmd));
            }
            Edit::Cancel => state.mode = Mode::Browse,
            Edit::Changed | Edit::Moved => {}
        },
        Mode::Browse | Mode::Help | Mode::Requests => {}
    }
}

/// The `:` commands. `:help` lists them.
pub const COMMANDS: &[(&str, &str)] = &[
    ("q, quit", "leave lakescope"),
    ("r, refresh", "list the lake again"),
    ("cd BUCKET/ZONE/…", "jump to an entry by its names"),
    ("theme NAME", "switch theme (dark, light, high-contrast…)"),
    ("sql [QUERY]", "open the SQL pane (with a query: run it)"),
    ("export FILE", "write the last query's whole result to FILE (.csv, .json, .parquet)"),
    ("asof V|TS, latest", "time travel: read a Delta table as of a version or timestamp"),
    ("diag [BUCKET/ZONE/…]", "diagnostics of an entry (default: the selection; `diag /`: the whole lake)"),
    ("help", "show keys and commands"),
];

fn run_command(state: &mut AppState, cmd: &str) -> Vec<Effect> {
    let cmd = cmd.trim();
    let (head, arg) = cmd.split_once(char::is_whitespace).map(|(h, a)| (h, a.trim())).unwrap_or((cmd, ""));
    let rows = state.list_rows();
    match head {
        "" => Vec::new(),
        "q" | "quit" | "q!" | "qa" => {
            state.quit = true;
            vec![Effect::Quit]
        }
        "r" | "refresh" => refresh(state),
        "help" | "h" => {
            state.mode = Mode::Help;
            Vec::new()
        }
        "theme" => {
            if arg.is_empty() {
                state.info(format!("theme: {} (available: {})", state.theme, state.themes.join(", ")));
            } else if state.themes.iter().any(|t| t == arg) {
                state.theme = arg.to_string();
            } else {
                state.error(format!("unknown theme {arg:?} (available: {})", state.themes.join(", ")));
            }
            Vec::new()
        }
        "asof" | "as-of" => {
            let Some(t) = state.history.as_ref().map(|h| h.table.clone()).or_else(|| state.selected_table().cloned())
            else {
                state.error("select a Delta table first (:asof 12 or :asof 2026-11-02T10:00:00Z)");
                return Vec::new();
            };
            if t.format != crate::lake::TableFormat::Delta {
                state.error(format!("time travel is for Delta tables; {} is {}", t.name, t.format.as_str()));
                return Vec::new();
            }
            if arg.is_empty() {
                state.error("usage: :asof VERSION or :asof TIMESTAMP (2026-11-02, 2026-11-02T10:00:00Z)");
                return Vec::new();
            }
            let as_of = crate::lake::delta_diff::AsOf::parse(arg);
            if let crate::lake::delta_diff::AsOf::Timestamp(ts) = &as_of
                && let Err(e) = crate::lake::delta_diff::parse_timestamp(ts)
            {
                state.error(e);
                return Vec::new();
            }
            history::travel(state, &t, as_of)
        }
        "latest" => history::latest(state),
        "diag" | "diagnostics" => {
            if arg == "/" {
                state.nav = Nav::default();
                state.nav.sync(&state.catalog, rows);
                state.history = None;
                state.inspector = None;
                return diag::open_node(state, None);
            }
            if !arg.is_empty() {
                let names: Vec<String> = arg.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
                if !state.nav.jump(&state.catalog, &names, rows) {
                    state.error(format!("no entry {arg:?} in this lake"));
                    return Vec::new();
                }
                state.history = None;
                state.inspector = None;
            }
            diag::open(state)
        }
        "sql" => {
            let mut effects = sql::open(state);
            if !arg.is_empty() {
                state.sql.editor.set_text(arg);
                state.sql.focus = sql::SqlFocus::Editor;
                effects.extend(sql::update(state, Action::RunQuery));
            }
            effects
        }
        "export" => sql::export(state, arg),
        "cd" => {
            let names: Vec<String> = arg.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
            if names.is_empty() {
                state.nav = Nav::default();
                state.nav.sync(&state.catalog, rows);
                state.focus = Focus::List;
            } else if state.nav.jump(&state.catalog, &names, rows) {
                state.focus = Focus::List;
            } else {
                state.error(format!("no entry {arg:?} in this lake"));
            }
            Vec::new()
        }
        other => {
            state.error(format!("unknown command {other:?} (try :help)"));
            Vec::new()
        }
    }
}

/// Bring detail loading in line with what is on screen: the selected table first, then (with
/// prefetch) the other tables visible in the current column. Loads no longer wanted are
/// cancelled, so fast scrolling keeps only the newest request.
fn reconcile_details(state: &mut AppState) -> Vec<Effect> {
    // Runs after every action (spinner ticks included): work with ids, clone only what starts.
    let catalog = state.catalog.clone();
    let mut wanted: Vec<&TableEntry> = Vec::new();
    if let Some(t) = state.nav.selected(&catalog).and_then(|id| catalog.node(id).table.as_deref()) {
        wanted.push(t);
    }
    if state.sql.open {
        for loc in &state.sql.referenced {
            if let Some((_, t)) = catalog.tables().find(|(_, t)| &t.location == loc)
                && !wanted.iter().any(|w| w.location == t.location)
            {
                wanted.push(t);
            }
        }
    }
    if state.prefetch_details {
        let level = state.nav.current();
        let entries = Nav::entries(&catalog, level);
        let end = (level.offset + state.list_rows()).min(entries.len());
        for id in entries.get(level.offset..end).unwrap_or(&[]) {
            if let Some(t) = catalog.node(*id).table.as_deref()
                && !wanted.iter().any(|w| w.location == t.location)
            {
                wanted.push(t);
            }
        }
    }
    // A table still being listed may not have a file to read yet.
    wanted.retain(|t| {
        t.format.is_readable()
            && (t.listing_complete || t.sample_file.is_some() || t.format == crate::lake::TableFormat::Delta)
    });

    let mut effects = Vec::new();
    let stale: Vec<(String, JobId)> = state
        .details
        .iter()
        .filter_map(|(loc, slot)| match slot {
            DetailSlot::Loading(Some(id)) if !wanted.iter().any(|w| &w.location == loc) => Some((loc.clone(), *id)),
            _ => None,
        })
        .collect();
    for (loc, id) in stale {
        state.details.remove(&loc);
        effects.push(Effect::CancelJob(id));
    }
    let mut in_flight = state.details.values().filter(|s| matches!(s, DetailSlot::Loading(_))).count();
    for t in wanted {
        if in_flight >= MAX_DETAIL_JOBS {
            break;
        }
        if state.details.contains_key(&t.location) {
            continue;
        }
        state.details.insert(t.location.clone(), DetailSlot::Loading(None));
        let as_of = state.as_of.as_ref().filter(|a| a.location == t.location).map(|a| a.as_of.clone());
        effects.push(Effect::LoadDetail { ticket: state.ticket, table: Box::new(t.clone()), as_of });
        in_flight += 1;
    }
    effects
}

#[cfg(test)]
mod tests;
