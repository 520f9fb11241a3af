//! Application state as plain data, and `update(state, msg) -> effects`: the only place the
//! state changes. No terminal, no I/O, no clock: effects ask the app to start or cancel jobs,
//! and job reports come back as messages.
//!
//! The browser is the base; views open above it on a stack (`screen`). A user's input goes to
//! the top screen's module; what it passes on goes to the keys that work everywhere (`global`),
//! and in the browser to the browser. A job's report goes to the view it was asked for, found by
//! type in the stack, and is dropped when its sequence number is not that view's current one.
//!
//! Modules: `browser` (miller columns), `inspector`, `history`, `diag`, `write` (compaction,
//! vacuum, convert), `sql` (with `editor` and `grid`), `overlay` (help, requests, prompts),
//! `input` (one-line text), `picker` (the lake picker before the app starts).

pub mod browser;
pub mod diag;
pub mod editor;
pub mod grid;
pub mod history;
pub mod input;
pub mod inspector;
pub mod overlay;
pub mod picker;
pub mod screen;
pub mod sql;
pub mod write;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use crate::event::{Input, Intent, JobEvent, Msg, Report, Seq, Seqs, view};
use crate::jobs::{Job, JobId, JobKind, Owner};
use crate::lake::store::requests::RequestSummary;
use crate::lake::{Catalog, NodeId, TableDetail, TableEntry, TableFormat};
use browser::Nav;
pub use screen::{Layer, Screen};

/// Detail jobs in flight at once (the selected table always gets a slot first).
pub const MAX_DETAIL_JOBS: usize = 2;
/// Rows of chrome around a list: title bar, status bar and the list's two borders.
pub const CHROME_ROWS: u16 = 4;

/// Work the app must start or stop for the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Start a job.
    Spawn(Job),
    Cancel(JobId),
    /// Put text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Append a query to the history file.
    SaveQuery(String),
    Quit,
}

/// What a screen did with an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    /// Not its key: the keys that work everywhere get it.
    Pass,
    /// Handled; the screen stays.
    Done(Vec<Effect>),
    /// Handled; the screen closes (back one layer).
    Close(Vec<Effect>),
}

impl Flow {
    pub fn done() -> Flow {
        Flow::Done(Vec::new())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DetailSlot {
    /// Requested; the job id arrives with `Started`.
    Loading(Option<JobId>),
    Ready(Arc<TableDetail>),
    Failed(String),
    /// Cancelled by the user: not retried until asked (Enter or refresh).
    Cancelled,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    pub id: JobId,
    pub kind: JobKind,
    pub label: String,
    pub owner: Owner,
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

/// A time-travel choice: this table, read as of this point (checked: `version` is where it
/// resolved).
#[derive(Debug, Clone, PartialEq)]
pub struct TimeTravel {
    pub location: String,
    pub name: String,
    pub as_of: crate::lake::delta::diff::AsOf,
    pub version: u64,
}

#[derive(Debug, Clone)]
pub struct AppState {
    /// How the lake root is shown (never with credentials).
    pub root: String,
    pub catalog: Arc<Catalog>,
    /// The current listing; results of another one are stale.
    pub listing: Seq<view::Listing>,
    /// The listing the catalog on screen came from (the previous one until a refresh's first
    /// snapshot arrives).
    pub catalog_listing: Seq<view::Listing>,
    pub discovering: bool,
    pub nav: Nav,
    /// Table details by table location.
    pub details: HashMap<String, DetailSlot>,
    pub focus: Focus,
    pub detail_scroll: u16,
    /// The views open above the browser, the top last.
    pub screens: Vec<Screen>,
    pub jobs: Vec<JobStatus>,
    /// The latest notice or error, until the next key.
    pub message: Option<Message>,
    pub theme: String,
    pub themes: Vec<String>,
    /// Requests sent to the lake's store so far (refreshed while jobs run and on demand).
    pub requests: RequestSummary,
    /// How the store is reached: endpoint, credential source, retries (for the requests panel).
    pub store_info: Vec<(String, String)>,
    /// Time travel: one table read as of a version by every view.
    pub as_of: Option<TimeTravel>,
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
    pub seqs: Seqs,
}

impl AppState {
    pub fn new(root: String, theme: String, themes: Vec<String>, prefetch_details: bool, ascii: bool) -> Self {
        AppState {
            root,
            catalog: Arc::new(Catalog::default()),
            listing: Seq::default(),
            catalog_listing: Seq::default(),
            discovering: false,
            nav: Nav::default(),
            details: HashMap::new(),
            focus: Focus::List,
            detail_scroll: 0,
            screens: Vec::new(),
            jobs: Vec::new(),
            message: None,
            theme,
            themes,
            requests: RequestSummary::default(),
            store_info: Vec::new(),
            as_of: None,
            // The app gives the pane the configured row cap and the saved history.
            sql: sql::SqlPane::new(Vec::new(), usize::MAX),
            prices: crate::lake::pricing::Prices::for_scheme(crate::lake::store::location::Scheme::File),
            prefetch_details,
            ascii,
            width: 80,
            height: 24,
            spinner: 0,
            quit: false,
            seqs: Seqs::default(),
        }
    }

    /// The layer that has the keyboard.
    pub fn layer(&self) -> Layer {
        match self.screens.last() {
            Some(s) => s.layer(self.sql.focus, self.sql.line.is_some()),
            None => Layer::Browser,
        }
    }

    /// The full-screen view shown in the body: the topmost screen that is not an overlay.
    pub fn body(&self) -> Option<&Screen> {
        self.screens.iter().rev().find(|s| !s.is_overlay())
    }

    /// Open a screen on top (one of its kind already open is replaced).
    pub fn push(&mut self, screen: Screen) {
        self.screens.retain(|s| !s.same_kind(&screen));
        self.screens.push(screen);
    }

    pub fn inspector(&self) -> Option<&inspector::Inspector> {
        self.screens.iter().find_map(|s| match s {
            Screen::Inspector(v) => Some(v.as_ref()),
            _ => None,
        })
    }

    pub fn history(&self) -> Option<&history::HistoryView> {
        self.screens.iter().find_map(|s| match s {
            Screen::History(v) => Some(v.as_ref()),
            _ => None,
        })
    }

    pub fn diag(&self) -> Option<&diag::DiagView> {
        self.screens.iter().find_map(|s| match s {
            Screen::Diag(v) => Some(v.as_ref()),
            _ => None,
        })
    }

    pub fn write(&self) -> Option<&write::WriteView> {
        self.screens.iter().find_map(|s| match s {
            Screen::Write(v) => Some(v.as_ref()),
            _ => None,
        })
    }

    pub fn sql_open(&self) -> bool {
        self.screens.iter().any(|s| matches!(s, Screen::Sql))
    }

    /// The prompt on the status line, if one is open.
    pub fn prompt(&self) -> Option<&screen::Prompt> {
        match self.screens.last() {
            Some(Screen::Prompt(p)) => Some(p),
            _ => None,
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

    /// The table the views on screen are about: the topmost view's table (the diagnostics'
    /// open table, the history's, the inspector's), else the browser's selection.
    pub fn current_table(&self) -> Option<TableEntry> {
        for s in self.screens.iter().rev() {
            let location = match s {
                Screen::Diag(d) => d.open.as_ref().map(|o| o.diag.location.clone()),
                Screen::History(h) => Some(h.table.location.clone()),
                Screen::Inspector(i) => Some(i.table.location.clone()),
                _ => None,
            };
            if let Some(loc) = location {
                return self.table_at(&loc).cloned();
            }
        }
        self.selected_table().cloned()
    }

    /// The catalog's table at `location`.
    pub fn table_at(&self, location: &str) -> Option<&TableEntry> {
        self.catalog.tables().find(|(_, t)| t.location == location).map(|(_, t)| t)
    }

    pub fn detail_of(&self, location: &str) -> Option<&DetailSlot> {
        self.details.get(location)
    }

    pub fn has_running(&self, kind: JobKind) -> bool {
        self.jobs.iter().any(|j| j.kind == kind)
    }

    /// Ids of the running jobs that work for `owner`.
    pub fn jobs_of(&self, owner: &Owner) -> Vec<JobId> {
        self.jobs.iter().filter(|j| &j.owner == owner).map(|j| j.id).collect()
    }

    /// The version time travel reads `location` at, if it is on for that table.
    pub fn as_of_for(&self, location: &str) -> Option<crate::lake::delta::diff::AsOf> {
        self.as_of
            .as_ref()
            .filter(|a| a.location == location)
            .map(|a| crate::lake::delta::diff::AsOf::Version(a.version))
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), level: MessageLevel::Error });
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), level: MessageLevel::Info });
    }
}

/// Effects to run when the app starts: the first listing.
pub fn start(state: &mut AppState) -> Vec<Effect> {
    refresh(state)
}

/// List the lake again. The catalog on screen stays until the new listing's first snapshot, and
/// the selection stays on the same names.
pub fn refresh(state: &mut AppState) -> Vec<Effect> {
    let mut effects: Vec<Effect> = state
        .jobs
        .iter()
        .filter(|j| matches!(j.kind, JobKind::Discovery | JobKind::Detail))
        .map(|j| Effect::Cancel(j.id))
        .collect();
    state.listing = state.seqs.take();
    state.details.clear();
    state.discovering = true;
    effects.push(Effect::Spawn(Job::Discover { seq: state.listing }));
    effects
}

/// Apply one message. Returns the effects the app must carry out.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    let mut effects = match msg {
        Msg::User(input) => {
            // A notice or an error lasts until the next key.
            state.message = None;
            user(state, input)
        }
        Msg::Job(event) => job_event(state, event),
        Msg::Resize { width, height } => {
            state.width = width;
            state.height = height;
            let rows = state.list_rows();
            let complete = !state.discovering;
            state.nav.sync(&state.catalog, rows, complete);
            Vec::new()
        }
        Msg::Tick => {
            if !state.jobs.is_empty() {
                state.spinner = state.spinner.wrapping_add(1);
            }
            Vec::new()
        }
        Msg::Requests(summary) => {
            state.requests = *summary;
            Vec::new()
        }
    };
    effects.extend(reconcile_details(state));
    effects
}

/// A user's input: the top screen first, then the keys that work everywhere; with no screen
/// open, the browser.
fn user(state: &mut AppState, input: Input) -> Vec<Effect> {
    let Some(i) = state.screens.len().checked_sub(1) else { return browser_input(state, input) };
    let mut screen = state.screens.remove(i);
    let flow = match &mut screen {
        Screen::Inspector(v) => inspector::on_input(v, state, &input),
        Screen::History(v) => history::on_input(v, state, &input),
        Screen::Diag(v) => diag::on_input(v, state, &input),
        Screen::Sql => sql::on_input(state, &input),
        Screen::Write(v) => write::on_input(v, state, &input),
        Screen::Help(v) => overlay::help_input(v, &input),
        Screen::Requests { scroll } => overlay::requests_input(scroll, &input),
        Screen::Prompt(p) => overlay::prompt_input(p, state, &input),
    };
    match flow {
        Flow::Pass => {
            state.screens.insert(i, screen);
            global(state, input)
        }
        Flow::Done(effects) => {
            state.screens.insert(i.min(state.screens.len()), screen);
            effects
        }
        Flow::Close(mut effects) => {
            effects.extend(closed(state, screen));
            effects
        }
    }
}

/// A screen closed: stop what it had running.
fn closed(state: &mut AppState, screen: Screen) -> Vec<Effect> {
    let owner = match &screen {
        Screen::Inspector(v) => Some(Owner::Inspector(v.seq)),
        Screen::History(v) => Some(Owner::History(v.seq)),
        Screen::Diag(v) => Some(Owner::Diag(v.seq)),
        _ => None,
    };
    let mut effects = Vec::new();
    if let Some(owner) = owner {
        // Every job of the view, whatever sequence it was asked under.
        effects.extend(state.jobs.iter().filter(|j| same_view(&j.owner, &owner)).map(|j| Effect::Cancel(j.id)));
    }
    effects
}

fn same_view(a: &Owner, b: &Owner) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// The keys that work in every layer.
fn global(state: &mut AppState, input: Input) -> Vec<Effect> {
    match input {
        Input::Command(cmd) => run_command(state, &cmd),
        Input::Intent(intent) => match intent {
            Intent::Quit => {
                state.quit = true;
                vec![Effect::Quit]
            }
            Intent::Help => {
                let under = state.layer();
                state.push(Screen::Help(screen::HelpView { under, scroll: 0 }));
                Vec::new()
            }
            Intent::CommandLine => {
                overlay::open_command(state, "");
                Vec::new()
            }
            Intent::Requests => {
                state.push(Screen::Requests { scroll: 0 });
                Vec::new()
            }
            Intent::CycleTheme => {
                if !state.themes.is_empty() {
                    let i =
                        state.themes.iter().position(|t| *t == state.theme).map_or(0, |i| (i + 1) % state.themes.len());
                    state.theme = state.themes[i].clone();
                    state.info(format!("theme: {}", state.theme));
                }
                Vec::new()
            }
            Intent::Refresh => refresh(state),
            Intent::Inspect => match state.current_table() {
                Some(t) => inspector::open(state, t),
                None => Vec::new(),
            },
            Intent::History => match state.current_table() {
                Some(t) => history::open(state, t),
                None => {
                    state.error("select a Delta table to see its history");
                    Vec::new()
                }
            },
            Intent::Diagnostics => diag::open(state),
            Intent::QueryTable | Intent::Sql => sql::open_from(state, intent),
            Intent::Compact => write::open(state, crate::lake::maintain::run::WriteKind::Compact),
            Intent::Vacuum => write::open(state, crate::lake::maintain::run::WriteKind::Vacuum),
            Intent::Convert => write::open(state, crate::lake::maintain::run::WriteKind::Convert),
            _ => Vec::new(),
        },
        Input::Line(_) | Input::Edit(_) => Vec::new(),
    }
}

/// The browser's own keys (it is the base layer: nothing is above it).
fn browser_input(state: &mut AppState, input: Input) -> Vec<Effect> {
    let rows = state.list_rows();
    let Input::Intent(intent) = input else { return global(state, input) };
    let mut effects = Vec::new();
    match intent {
        Intent::Up | Intent::Down | Intent::PageUp | Intent::PageDown if state.focus == Focus::Detail => {
            let step: i32 = match intent {
                Intent::Up => -1,
                Intent::Down => 1,
                Intent::PageUp => -(rows as i32),
                _ => rows as i32,
            };
            state.detail_scroll = (state.detail_scroll as i32 + step).max(0) as u16;
        }
        Intent::Top if state.focus == Focus::Detail => state.detail_scroll = 0,
        Intent::Up => state.nav.move_by(&state.catalog, -1, rows),
        Intent::Down => state.nav.move_by(&state.catalog, 1, rows),
        Intent::PageUp => state.nav.move_by(&state.catalog, -(rows as isize), rows),
        Intent::PageDown => state.nav.move_by(&state.catalog, rows as isize, rows),
        Intent::Top => state.nav.move_to(&state.catalog, 0, rows),
        Intent::Bottom => state.nav.move_to(&state.catalog, isize::MAX, rows),
        Intent::Enter if state.focus == Focus::Detail => {
            if let Some(t) = state.selected_table().cloned() {
                effects.extend(inspector::open(state, t));
            }
        }
        Intent::Enter => {
            let complete = !state.discovering;
            if !state.nav.descend(&state.catalog, rows, complete)
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
        Intent::Back => {
            if state.focus == Focus::Detail {
                state.focus = Focus::List;
            } else {
                state.nav.ascend();
            }
        }
        Intent::Filter => {
            state.focus = Focus::List;
            overlay::open_filter(state);
        }
        Intent::Cancel => effects.extend(browser_cancel(state)),
        other => effects.extend(global(state, Input::Intent(other))),
    }
    effects
}

/// Esc in the browser: back from the detail, else stop the listing, else stop detail loads,
/// else clear the filter.
fn browser_cancel(state: &mut AppState) -> Vec<Effect> {
    if state.focus == Focus::Detail {
        state.focus = Focus::List;
        return Vec::new();
    }
    if let Some(job) = state.jobs.iter().rev().find(|j| j.kind == JobKind::Discovery) {
        return vec![Effect::Cancel(job.id)];
    }
    let details: Vec<JobId> = state.jobs.iter().filter(|j| j.kind == JobKind::Detail).map(|j| j.id).collect();
    if !details.is_empty() {
        for (_, slot) in state.details.iter_mut() {
            if matches!(slot, DetailSlot::Loading(_)) {
                *slot = DetailSlot::Cancelled;
            }
        }
        return details.into_iter().map(Effect::Cancel).collect();
    }
    if !state.nav.current().filter.is_empty() {
        let rows = state.list_rows();
        let complete = !state.discovering;
        state.nav.set_filter(&state.catalog, "", rows, complete);
    }
    Vec::new()
}

/// Apply `f` to the first screen `pick` finds, taking it out of the stack meanwhile (so `f` may
/// use the rest of the state) and putting it back where it was.
fn with_screen<T>(
    state: &mut AppState,
    pick: impl Fn(&Screen) -> bool,
    f: impl FnOnce(&mut Screen, &mut AppState) -> T,
) -> Option<T> {
    let i = state.screens.iter().position(pick)?;
    let mut screen = state.screens.remove(i);
    let out = f(&mut screen, state);
    state.screens.insert(i.min(state.screens.len()), screen);
    Some(out)
}

/// `$body` on the open view of kind `Screen::$variant`, taken out of the stack meanwhile
/// (`None` when no such view is open).
macro_rules! with_view {
    ($state:expr, $variant:ident, |$v:ident, $st:ident| $body:expr) => {
        with_screen(
            $state,
            |s| matches!(s, Screen::$variant(_)),
            |s, $st| match s {
                Screen::$variant($v) => Some($body),
                _ => None,
            },
        )
        .flatten()
    };
}

fn job_event(state: &mut AppState, event: JobEvent) -> Vec<Effect> {
    match event {
        JobEvent::Started { id, kind, label, owner } => {
            if let Owner::Detail { location, .. } = &owner
                && let Some(slot) = state.details.get_mut(location)
                && *slot == DetailSlot::Loading(None)
            {
                *slot = DetailSlot::Loading(Some(id));
            }
            state.jobs.push(JobStatus { id, kind, label, owner });
            Vec::new()
        }
        JobEvent::Failed { id, error } => {
            let job = state.jobs.iter().find(|j| j.id == id).cloned();
            let what = job.as_ref().map(|j| j.kind.describe()).unwrap_or("running a job");
            let text = format!("internal error while {what}: {error} (please report it)");
            if let Some(Owner::Detail { location, .. }) = job.map(|j| j.owner)
                && let Some(slot) = state.details.get_mut(&location)
            {
                *slot = DetailSlot::Failed(text.clone());
            }
            state.error(text);
            Vec::new()
        }
        JobEvent::Finished { id, cancelled } => {
            let Some(pos) = state.jobs.iter().position(|j| j.id == id) else { return Vec::new() };
            let job = state.jobs.remove(pos);
            job_ended(state, job, cancelled);
            Vec::new()
        }
        JobEvent::Report(report) => on_report(state, report),
    }
}

/// A job ended (finished, failed or cancelled): whatever still waits for it is told, so nothing
/// says "reading…" forever.
fn job_ended(state: &mut AppState, job: JobStatus, cancelled: bool) {
    match job.owner {
        // The current listing is over when its job is, whatever it reported before; the job of
        // a listing superseded by a refresh ends nothing.
        Owner::Listing(seq) if seq == state.listing => {
            let was_running = std::mem::replace(&mut state.discovering, false);
            if was_running {
                let rows = state.list_rows();
                state.nav.sync(&state.catalog, rows, true);
                if cancelled {
                    state.info("listing cancelled: showing what was found so far (r lists again)");
                }
            }
        }
        Owner::Listing(_) => {}
        Owner::Detail { location, .. } => {
            if let Some(slot) = state.details.get_mut(&location)
                && *slot == DetailSlot::Loading(Some(job.id))
            {
                *slot = if cancelled {
                    DetailSlot::Cancelled
                } else {
                    DetailSlot::Failed("the load ended without a result".into())
                };
            }
        }
        Owner::Travel => {
            if cancelled {
                state.info("time travel cancelled: the views stay where they were");
            }
        }
        Owner::Inspector(seq) => {
            with_view!(state, Inspector, |v, _st| inspector::job_ended(v, seq, cancelled));
        }
        Owner::History(seq) => {
            with_view!(state, History, |v, _st| history::job_ended(v, seq, cancelled));
        }
        Owner::Diag(seq) => {
            with_view!(state, Diag, |v, _st| diag::job_ended(v, seq, cancelled));
        }
        Owner::Write(seq) => {
            with_view!(state, Write, |v, _st| write::job_ended(v, seq, cancelled));
        }
        Owner::Sql(seq) => sql::job_ended(state, seq, cancelled),
        Owner::Export => {
            if cancelled && state.sql.export.take().is_some() {
                state.info("export cancelled; nothing was written");
            }
        }
    }
}

/// A report goes to the view it was asked for.
fn on_report(state: &mut AppState, report: Report) -> Vec<Effect> {
    match report {
        Report::Discovery(r) => listing_report(state, r),
        Report::Detail(r) => detail_report(state, r),
        Report::Inspector(r) => {
            with_view!(state, Inspector, |v, st| inspector::on_report(v, st, r)).unwrap_or_default()
        }
        Report::History(r) => with_view!(state, History, |v, st| history::on_report(v, st, r)).unwrap_or_default(),
        Report::Diag(r) => with_view!(state, Diag, |v, st| diag::on_report(v, st, r)).unwrap_or_default(),
        Report::Write(r) => {
            let changed = with_view!(state, Write, |v, st| write::on_report(v, st, r)).flatten();
            match changed {
                Some(location) => table_changed(state, &location),
                None => Vec::new(),
            }
        }
        Report::Sql(r) => sql::on_report(state, r),
    }
}

/// A write changed the table at `location`: list the lake again, and every view that shows the
/// table's numbers reads them again.
fn table_changed(state: &mut AppState, location: &str) -> Vec<Effect> {
    let mut effects = refresh(state);
    let screens = std::mem::take(&mut state.screens);
    for mut s in screens {
        match &mut s {
            Screen::Diag(v) if v.shows(location) => effects.extend(diag::reload(v, state)),
            Screen::Inspector(v) if v.table.location == location => effects.extend(inspector::reload(v, state)),
            Screen::History(v) if v.table.location == location => effects.extend(history::reload(v, state)),
            _ => {}
        }
        state.screens.push(s);
    }
    // Time travel to a version the write made unreadable is left as it was: the detail says so.
    effects
}

fn listing_report(state: &mut AppState, r: crate::jobs::discovery::Report) -> Vec<Effect> {
    use crate::jobs::discovery::Report as R;
    let rows = state.list_rows();
    match r {
        R::Catalog { seq, catalog } => {
            if seq != state.listing {
                return Vec::new();
            }
            state.catalog = catalog;
            state.catalog_listing = seq;
            state.nav.sync(&state.catalog, rows, false);
        }
        R::Finished { seq, result } => {
            if seq != state.listing {
                return Vec::new();
            }
            state.discovering = false;
            state.nav.sync(&state.catalog, rows, true);
            if let Err(e) = result {
                state.error(e);
            }
        }
    }
    Vec::new()
}

fn detail_report(state: &mut AppState, r: crate::jobs::detail::Report) -> Vec<Effect> {
    use crate::jobs::detail::Report as R;
    match r {
        R::Loaded { listing, location, result } => {
            if listing != state.listing {
                return Vec::new();
            }
            let slot = match result {
                Ok(d) => DetailSlot::Ready(d),
                Err(e) => {
                    let name = state.table_at(&location).map(|t| t.name.clone()).unwrap_or_else(|| location.clone());
                    state.error(format!("{name}: {e}"));
                    DetailSlot::Failed(e)
                }
            };
            state.details.insert(location, slot);
            Vec::new()
        }
        R::Travel { location, name, as_of, result } => match result {
            Ok(version) => history::travel_to(state, TimeTravel { location, name, as_of, version }),
            Err(e) => {
                state.error(format!("cannot read {name} as of {}: {e} (nothing changed)", as_of.text()));
                Vec::new()
            }
        },
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

pub fn run_command(state: &mut AppState, cmd: &str) -> Vec<Effect> {
    let cmd = cmd.trim();
    let (head, arg) = cmd.split_once(char::is_whitespace).map(|(h, a)| (h, a.trim())).unwrap_or((cmd, ""));
    let rows = state.list_rows();
    let complete = !state.discovering;
    match head {
        "" => Vec::new(),
        "q" | "quit" | "q!" | "qa" => {
            state.quit = true;
            vec![Effect::Quit]
        }
        "r" | "refresh" => refresh(state),
        "help" | "h" => {
            let under = state.layer();
            state.push(Screen::Help(screen::HelpView { under, scroll: 0 }));
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
        "asof" | "as-of" => history::asof_command(state, arg),
        "latest" => history::latest(state),
        "diag" | "diagnostics" => {
            if arg == "/" {
                state.nav = Nav::default();
                state.nav.sync(&state.catalog, rows, complete);
                return diag::open_node(state, None);
            }
            if !arg.is_empty() {
                let names: Vec<String> = arg.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
                if !state.nav.jump(&state.catalog, &names, rows) {
                    state.error(format!("no entry {arg:?} in this lake"));
                    return Vec::new();
                }
                let node = state.selected();
                return diag::open_node(state, node);
            }
            diag::open(state)
        }
        "sql" => sql::command(state, arg),
        "export" => sql::export(state, arg),
        "cd" => {
            let names: Vec<String> = arg.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
            if names.is_empty() {
                state.nav = Nav::default();
                state.nav.sync(&state.catalog, rows, complete);
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
/// cancelled, so fast scrolling keeps only the newest request. Only tables of the current
/// listing are read: right after a refresh (a write, `r`) the catalog on screen is the old one,
/// whose files may be gone.
fn reconcile_details(state: &mut AppState) -> Vec<Effect> {
    if state.catalog_listing != state.listing {
        return Vec::new();
    }
    // Runs after every message (spinner ticks included): work with ids, clone only what starts.
    let catalog = state.catalog.clone();
    let mut wanted: Vec<&TableEntry> = Vec::new();
    if let Some(t) = state.nav.selected(&catalog).and_then(|id| catalog.node(id).table.as_deref()) {
        wanted.push(t);
    }
    if state.sql_open() {
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
        t.format.is_readable() && (t.listing_complete || t.sample_file.is_some() || t.format == TableFormat::Delta)
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
        effects.push(Effect::Cancel(id));
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
        let as_of = state.as_of_for(&t.location);
        effects.push(Effect::Spawn(Job::Detail { listing: state.listing, table: Box::new(t.clone()), as_of }));
        in_flight += 1;
    }
    effects
}

/// How far a movement key moves in a list showing `page` rows.
pub fn step_of(intent: Intent, page: usize) -> isize {
    match intent {
        Intent::Up => -1,
        Intent::Down => 1,
        Intent::PageUp => -(page as isize),
        Intent::PageDown => page as isize,
        Intent::Top => isize::MIN / 2,
        _ => isize::MAX / 2,
    }
}

/// Is this a movement key (up, down, page, top, bottom)?
pub fn is_movement(intent: Intent) -> bool {
    matches!(intent, Intent::Up | Intent::Down | Intent::PageUp | Intent::PageDown | Intent::Top | Intent::Bottom)
}

/// Move a cursor by `step` within `len` entries, scrolling to keep it among `visible` rows.
pub fn move_cursor(cursor: &mut usize, scroll: &mut usize, len: usize, step: isize, visible: usize) {
    if len == 0 {
        return;
    }
    *cursor = (*cursor as isize).saturating_add(step).clamp(0, len as isize - 1) as usize;
    if *cursor < *scroll {
        *scroll = *cursor;
    } else if *cursor >= *scroll + visible {
        *scroll = *cursor + 1 - visible;
    }
}

/// Scroll text of `len` lines shown `visible` at a time, never past its last screenful.
pub fn scroll_text(scroll: &mut usize, len: usize, visible: usize, step: isize) {
    let max = len.saturating_sub(visible) as isize;
    *scroll = (*scroll as isize).saturating_add(step).clamp(0, max.max(0)) as usize;
}

/// A load's outcome in a view.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot<T> {
    Loading,
    Ready(T),
    Failed(String),
}

impl<T> Slot<T> {
    pub fn from_result(r: Result<T, String>) -> Slot<T> {
        match r {
            Ok(v) => Slot::Ready(v),
            Err(e) => Slot::Failed(e),
        }
    }

    pub fn ready(&self) -> Option<&T> {
        match self {
            Slot::Ready(v) => Some(v),
            _ => None,
        }
    }

    /// A load that ended without delivering says why instead of "loading…" forever.
    pub fn end(&mut self, cancelled: bool) {
        if matches!(self, Slot::Loading) {
            *self = Slot::Failed(ended(cancelled).to_string());
        }
    }
}

/// Why a read ended without a result.
pub fn ended(cancelled: bool) -> &'static str {
    if cancelled { "cancelled (esc); open it again to read again" } else { "the read ended without a result" }
}
