//! The app: owns the state, the job manager, the theme and the lake store, and runs the loop
//! `key -> Action -> update -> Effect -> job -> Action -> update -> draw`.
//!
//! The loop `select!`s over terminal events, job reports, a spinner tick (only while jobs run)
//! and termination signals, and redraws only when something changed, at most ~60 times a
//! second. `App` also runs headless (no terminal) so tests drive it with real key events.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use futures::StreamExt;
use ratatui::Frame;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use crate::action::{Action, InputKey};
use crate::config::keymap::Layer;
use crate::config::theme::{BUILTIN_THEMES, Theme};
use crate::config::{self, Config, ConfigError};
use crate::jobs::{self, JobKind, JobManager};
use crate::lake::LakeStore;
use crate::lake::sql::SqlEngine;
use crate::state::{self, AppState, Effect, Mode};
use crate::ui::{self, View};

/// Shortest time between two frames.
const FRAME: Duration = Duration::from_millis(16);
/// Spinner speed while jobs run.
const TICK: Duration = Duration::from_millis(120);

pub struct App {
    pub state: AppState,
    store: Arc<LakeStore>,
    config: Config,
    theme: Theme,
    no_color: bool,
    jobs: JobManager,
    rx: UnboundedReceiver<Action>,
    /// Something changed since the last frame.
    dirty: bool,
    /// The inspector's open row-group reader (generation, reader, rows decoded, footer bytes).
    preview: Option<(u64, PreviewHandle)>,
    /// The history view's open log (its sequence number, the history).
    history: Option<(u64, jobs::history::HistoryHandle)>,
    /// The SQL engine, for the catalog it was built from.
    sql: Option<(Arc<crate::lake::Catalog>, Arc<SqlEngine>)>,
    /// Whether a real terminal is attached (OSC 52 copies are written to it).
    terminal: bool,
    /// Texts copied to the clipboard, newest last (what tests check; the terminal gets OSC 52).
    pub copied: Vec<String>,
}

type PreviewHandle = Arc<tokio::sync::Mutex<(crate::lake::parquet_preview::Preview, usize, u64)>>;

impl App {
    pub fn new(store: LakeStore, config: Config, no_color: bool) -> Result<App, ConfigError> {
        let theme = config::load_theme(&config.theme, no_color)?;
        let (tx, rx): (UnboundedSender<Action>, _) = mpsc::unbounded_channel();
        let mut themes: Vec<String> = BUILTIN_THEMES.iter().map(|(n, _)| n.to_string()).collect();
        if !themes.contains(&config.theme) {
            themes.push(config.theme.clone());
        }
        let mut state =
            AppState::new(store.display(), config.theme.clone(), themes, config.prefetch_details, config.ascii);
        state.store_info = store_info(&store);
        let history = config.sql.history_file.as_deref().map(load_history).unwrap_or_default();
        state.sql = state::sql::SqlPane::new(history, config.sql.max_rows);
        state.prices = config.pricing.for_scheme(store.url.scheme);
        Ok(App {
            state,
            store: Arc::new(store),
            config,
            theme,
            no_color,
            jobs: JobManager::new(tx),
            rx,
            dirty: true,
            preview: None,
            history: None,
            sql: None,
            terminal: false,
            copied: Vec::new(),
        })
    }

    /// Start the first listing. Must run inside a tokio runtime.
    pub fn start(&mut self) {
        let effects = state::start(&mut self.state);
        self.run_effects(effects);
    }

    /// Apply an action and carry out its effects.
    pub fn dispatch(&mut self, action: Action) {
        if let Action::JobFinished { id, .. } = &action {
            self.jobs.finished(*id);
        }
        let counts_may_change = matches!(
            action,
            Action::Tick
                | Action::Requests
                | Action::JobFinished { .. }
                | Action::CatalogUpdated { .. }
                | Action::DetailLoaded { .. }
                | Action::DiscoveryFinished { .. }
        );
        let effects = state::update(&mut self.state, action);
        self.dirty = true;
        self.run_effects(effects);
        // The row-group reader holds its chunks in memory: let it go with the view it served.
        let shown = self.state.inspector.as_ref().and_then(|i| i.file.as_ref()).map(|f| f.preview.seq);
        if self.preview.as_ref().is_some_and(|(seq, _)| Some(*seq) != shown) {
            self.preview = None;
        }
        let shown = self.state.history.as_ref().map(|h| h.seq);
        if self.history.as_ref().is_some_and(|(seq, _)| Some(*seq) != shown) {
            self.history = None;
        }
        self.sync_theme();
        if counts_may_change {
            self.count_requests();
        }
    }

    /// Copy the store's request counters into the state (the latest requests only when the
    /// panel shows them).
    fn count_requests(&mut self) {
        let recent = if self.state.mode == Mode::Requests { crate::lake::requests::RECENT } else { 0 };
        let summary = self.store.stats.summary(recent);
        if summary != self.state.requests {
            state::update(&mut self.state, Action::RequestsCounted(Box::new(summary)));
        }
    }

    fn run_effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::StartDiscovery { ticket } => {
                    let store = self.store.clone();
                    let opts = self.config.discovery.clone();
                    let id = self.jobs.spawn(move |ctx| jobs::discovery::run(ctx, store, opts, ticket));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Discovery, label: "listing".into(), ticket });
                }
                Effect::LoadDetail { ticket, table, as_of } => {
                    let store = self.store.clone();
                    let label = table.location.clone();
                    let id = self.jobs.spawn(move |ctx| jobs::detail::run(ctx, store, *table, ticket, as_of));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Detail, label, ticket });
                }
                Effect::LoadDataset { seq, table } => {
                    let store = self.store.clone();
                    let label = table.name.clone();
                    let conc = self.config.inspector.footer_concurrency;
                    // Time travel: a Delta table's files as of the chosen version.
                    let as_of =
                        self.state.as_of.as_ref().filter(|a| a.location == table.location).map(|a| a.as_of.clone());
                    let id = self.jobs.spawn(move |ctx| jobs::inspect::dataset(ctx, store, *table, seq, conc, as_of));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Inspect, label, ticket: seq });
                }
                Effect::LoadFooter { seq, rel, size } => {
                    let store = self.store.clone();
                    let label = rel.clone();
                    let id = self.jobs.spawn(move |ctx| jobs::inspect::footer(ctx, store, rel, size, seq));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Inspect, label, ticket: seq });
                }
                Effect::LoadPages { seq, rel, size, footer, row_group } => {
                    let store = self.store.clone();
                    let label = format!("page index of {rel}");
                    let id = self
                        .jobs
                        .spawn(move |ctx| jobs::inspect::pages(ctx, store, rel, size, footer.0, row_group, seq));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Inspect, label, ticket: seq });
                }
                Effect::OpenPreview { seq, rel, size, footer, row_group, columns, want } => {
                    let limit = self.config.inspector.preview_memory_mib.saturating_mul(1024 * 1024);
                    match jobs::inspect::open_preview(&self.store, &rel, size, &footer.0, row_group, columns, limit) {
                        Ok(p) => {
                            let handle: PreviewHandle = Arc::new(tokio::sync::Mutex::new((p, 0, footer.0.bytes_read)));
                            self.preview = Some((seq, handle));
                            self.run_effects(vec![Effect::MorePreview { seq, want }]);
                        }
                        Err(error) => self.dispatch(Action::PreviewRows {
                            seq,
                            columns: vec![],
                            skipped: vec![],
                            rows: vec![],
                            done: true,
                            error: Some(error),
                            bytes_read: 0,
                            requests: 0,
                        }),
                    }
                }
                Effect::MorePreview { seq, want } => {
                    let Some((g, handle)) = self.preview.as_ref().filter(|(g, _)| *g == seq).cloned() else { continue };
                    let label = format!("row group preview {g}");
                    let id = self.jobs.spawn(move |ctx| jobs::inspect::preview_step(ctx, handle, seq, want));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Inspect, label, ticket: seq });
                }
                Effect::LoadDiag { seq, scope, tables } => {
                    let store = self.store.clone();
                    let gather = crate::lake::diag::GatherOptions::from_config(&self.config);
                    let opts = crate::lake::diag::DiagOptions::from_config(&self.config.diagnostics);
                    let prices = self.state.prices.clone();
                    let label = format!("diagnostics of {scope}");
                    let id = self.jobs.spawn(move |ctx| jobs::diag::run(ctx, store, seq, tables, gather, opts, prices));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Diag, label, ticket: seq });
                }
                Effect::PlanMaintain { seq, kind, name, table, partition, retain } => {
                    let store = self.store.clone();
                    let settings = self.maintain_settings();
                    let label = format!("{} plan for {name}", kind.verb());
                    let id = self.jobs.spawn(move |ctx| {
                        jobs::maintain::plan(ctx, store, settings, seq, kind, name, *table, partition, retain)
                    });
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Maintain, label, ticket: seq });
                }
                Effect::RunMaintain { seq, kind, name, table, partition, plan } => {
                    let store = self.store.clone();
                    let settings = self.maintain_settings();
                    let label = format!("{} {name}", kind.verb());
                    let id = self.jobs.spawn(move |ctx| {
                        jobs::maintain::execute(ctx, store, settings, seq, name, *table, partition, plan)
                    });
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Maintain, label, ticket: seq });
                }
                Effect::LoadHistory { seq, table, want } => {
                    let store = self.store.clone();
                    let label = format!("history of {}", table.name);
                    let handle: jobs::history::HistoryHandle = Arc::new(tokio::sync::Mutex::new(None));
                    self.history = Some((seq, handle.clone()));
                    let id = self.jobs.spawn(move |ctx| jobs::history::open(ctx, store, *table, seq, want, handle));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::History, label, ticket: seq });
                }
                Effect::MoreHistory { seq, want } => {
                    let Some((_, handle)) = self.history.as_ref().filter(|(s, _)| *s == seq).cloned() else { continue };
                    let id = self.jobs.spawn(move |ctx| jobs::history::more(ctx, seq, want, handle));
                    self.dispatch(Action::JobStarted {
                        id,
                        kind: JobKind::History,
                        label: "older versions".into(),
                        ticket: seq,
                    });
                }
                Effect::LoadDeltaInfo { seq, table, as_of } => {
                    let store = self.store.clone();
                    let label = format!("detail of {}", table.name);
                    let id = self.jobs.spawn(move |ctx| jobs::history::info(ctx, store, *table, seq, as_of));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::History, label, ticket: seq });
                }
                Effect::LoadDiff { seq, table, a, b } => {
                    let store = self.store.clone();
                    let label = format!("diff v{a}..v{b}");
                    let id = self.jobs.spawn(move |ctx| jobs::history::diff(ctx, store, *table, seq, a, b));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::History, label, ticket: seq });
                }
                Effect::PrepareSql => {
                    if let Some(engine) = self.engine() {
                        let functions = engine.function_names();
                        self.dispatch(Action::SqlReady(functions));
                    }
                }
                Effect::RunSql { seq, sql, max_rows } => {
                    let Some(engine) = self.engine() else { continue };
                    let store = self.store.clone();
                    let label = format!("query {seq}");
                    let id = self.jobs.spawn(move |ctx| jobs::sql::run(ctx, engine, store, seq, sql, max_rows));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Sql, label, ticket: seq });
                }
                Effect::EstimateSql { seq, sql } => {
                    let Some(engine) = self.engine() else { continue };
                    let label = format!("estimate {seq}");
                    let id = self.jobs.spawn(move |ctx| jobs::sql::estimate(ctx, engine, seq, sql));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Sql, label, ticket: seq });
                }
                Effect::ExportSql { sql, path, format } => {
                    let Some(engine) = self.engine() else { continue };
                    let label = format!("export to {}", path.display());
                    let id = self.jobs.spawn(move |ctx| jobs::sql::export(ctx, engine, sql, path, format));
                    self.dispatch(Action::JobStarted { id, kind: JobKind::Export, label, ticket: 0 });
                }
                Effect::Copy(text) => {
                    if self.terminal {
                        osc52(&text);
                    }
                    self.copied.push(text);
                }
                Effect::SaveQuery(sql) => {
                    if let Some(path) = &self.config.sql.history_file
                        && let Err(e) = append_history(path, &sql)
                    {
                        let text = format!("cannot save the query history to {}: {e}", path.display());
                        self.state.message = Some(state::Message { text, level: state::MessageLevel::Error });
                    }
                }
                Effect::CancelJob(id) => self.jobs.cancel(id),
                Effect::Quit => self.jobs.cancel_all(),
            }
        }
    }

    /// The SQL engine over the current catalog (built again when discovery changed it).
    fn engine(&mut self) -> Option<Arc<SqlEngine>> {
        let catalog = Arc::clone(&self.state.catalog);
        if let Some((c, e)) = &self.sql
            && Arc::ptr_eq(c, &catalog)
        {
            return Some(Arc::clone(e));
        }
        match SqlEngine::new(Arc::clone(&self.store), &catalog, &self.config.sql) {
            Ok(e) => {
                let e = Arc::new(e);
                self.sql = Some((catalog, Arc::clone(&e)));
                Some(e)
            }
            Err(e) => {
                let text = format!("cannot start the SQL engine: {e}");
                self.state.message = Some(state::Message { text, level: state::MessageLevel::Error });
                None
            }
        }
    }

    fn sync_theme(&mut self) {
        if self.no_color || self.theme.name == self.state.theme {
            return;
        }
        match config::load_theme(&self.state.theme, false) {
            Ok(t) => self.theme = t,
            Err(e) => {
                self.state.theme = self.theme.name.clone();
                self.state.message = Some(state::Message { text: e.to_string(), level: state::MessageLevel::Error });
            }
        }
    }

    /// Turn a key press into an action for the current mode.
    pub fn action_for_key(&self, key: KeyEvent) -> Option<Action> {
        let km = &self.config.keymap;
        match self.state.mode {
            Mode::Filter | Mode::Command => input_key(key).map(Action::Input),
            Mode::Help | Mode::Requests => km.lookup(Layer::Help, &key),
            Mode::Browse if self.state.sql.open => {
                let sql = &self.state.sql;
                if sql.line.is_some() {
                    // Ctrl-R again while searching: the next older match.
                    return match km.lookup_only(Layer::SqlEditor, &key) {
                        Some(Action::SearchHistory) => Some(Action::SearchHistory),
                        _ => input_key(key).map(Action::Input),
                    };
                }
                match sql.focus {
                    state::sql::SqlFocus::Editor => {
                        km.lookup_only(Layer::SqlEditor, &key).or_else(|| edit_key(key).map(Action::SqlEdit))
                    }
                    state::sql::SqlFocus::Results => km.lookup(Layer::SqlResults, &key),
                }
            }
            _ if self.state.maintain.is_some() => match key.code {
                KeyCode::Up => Some(Action::Up),
                KeyCode::Down => Some(Action::Down),
                _ => input_key(key).map(Action::MaintainKey),
            },
            Mode::Browse if self.state.diag.is_some() => self.config.keymap.lookup(Layer::Diagnostics, &key),
            Mode::Browse if self.state.history.is_some() => self.config.keymap.lookup(Layer::History, &key),
            Mode::Browse if self.state.inspector.is_some() => self.config.keymap.lookup(Layer::Inspector, &key),
            Mode::Browse => self.config.keymap.lookup(Layer::Browser, &key),
        }
    }

    /// What the write actions need from the config (read-only, limits, prices).
    fn maintain_settings(&self) -> crate::lake::maintain::run::Settings {
        let lake = self.config.maintenance.lake.clone();
        crate::lake::maintain::run::Settings::from_config(&self.config, &self.store, false, lake)
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind != KeyEventKind::Press {
            return;
        }
        if let Some(action) = self.action_for_key(key) {
            self.dispatch(action);
        }
    }

    /// The mouse, when captured: the wheel moves like the arrow keys in whatever has the focus
    /// (list, grid, history, editor). Other mouse events are ignored.
    pub fn handle_mouse(&mut self, m: MouseEvent) {
        let code = match m.kind {
            MouseEventKind::ScrollDown => KeyCode::Down,
            MouseEventKind::ScrollUp => KeyCode::Up,
            _ => return,
        };
        self.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    pub fn draw(&self, frame: &mut Frame) {
        let view = View { state: &self.state, theme: &self.theme, keymap: &self.config.keymap };
        ui::draw(frame, &view);
    }

    /// Headless: apply job reports until no job runs (or the timeout passes). Returns whether
    /// the app went idle. For tests and scripted runs; never a fixed sleep.
    pub async fn settle(&mut self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            while let Ok(a) = self.rx.try_recv() {
                self.dispatch(a);
            }
            if self.state.jobs.is_empty() && self.jobs.running() == 0 {
                return true;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(a)) => self.dispatch(a),
                Ok(None) | Err(_) => return false,
            }
        }
    }

    /// Headless: apply the next job report, waiting at most `timeout`.
    pub async fn step(&mut self, timeout: Duration) -> bool {
        match tokio::time::timeout(timeout, self.rx.recv()).await {
            Ok(Some(a)) => {
                self.dispatch(a);
                true
            }
            _ => false,
        }
    }

    /// Run in a real terminal until the user quits or a termination signal arrives.
    pub async fn run(mut self, terminal: &mut crate::tui::Term) -> std::io::Result<()> {
        self.terminal = true;
        let mut events = EventStream::new();
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut signals = Signals::new()?;
        let size = terminal.size()?;
        self.dispatch(Action::Resize { width: size.width, height: size.height });
        self.start();
        let mut last_draw: Option<Instant> = None;
        loop {
            if self.dirty && last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
                terminal.draw(|f| self.draw(f))?;
                self.dirty = false;
                last_draw = Some(Instant::now());
            }
            let redraw_in = if self.dirty {
                FRAME.saturating_sub(last_draw.map(|t| t.elapsed()).unwrap_or_default())
            } else {
                Duration::from_secs(3600)
            };
            tokio::select! {
                ev = events.next() => match ev {
                    Some(Ok(Event::Key(key))) => self.handle_key(key),
                    Some(Ok(Event::Mouse(m))) => self.handle_mouse(m),
                    Some(Ok(Event::Resize(width, height))) => {
                        self.dispatch(Action::Resize { width, height });
                        terminal.autoresize()?;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e),
                    None => break,
                },
                Some(action) = self.rx.recv() => {
                    self.dispatch(action);
                    // Apply everything already queued before drawing once.
                    while let Ok(a) = self.rx.try_recv() {
                        self.dispatch(a);
                    }
                }
                _ = tick.tick(), if !self.state.jobs.is_empty() => self.dispatch(Action::Tick),
                _ = tokio::time::sleep(redraw_in), if self.dirty => {}
                _ = signals.next() => self.dispatch(Action::Quit),
            }
            if self.state.quit {
                break;
            }
        }
        self.jobs.cancel_all();
        Ok(())
    }
}

/// How the lake's store is reached, as label/value rows for the requests panel.
fn store_info(store: &LakeStore) -> Vec<(String, String)> {
    let i = &store.info;
    let mut rows = vec![("lake".to_string(), store.display())];
    if let Some(e) = &i.endpoint {
        rows.push(("endpoint".into(), e.clone()));
    }
    if let Some(r) = &i.region {
        rows.push(("region".into(), r.clone()));
    }
    rows.push(("credentials".into(), i.credentials.source.clone()));
    if !i.retries.is_empty() {
        rows.push(("retries".into(), i.retries.clone()));
    }
    rows
}

/// Editing keys of the SQL editor (keys the editor layer does not bind).
fn edit_key(key: KeyEvent) -> Option<crate::action::EditKey> {
    use crate::action::EditKey;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('w') if ctrl => EditKey::DeleteWord,
        KeyCode::Char('u') if ctrl => EditKey::ClearLine,
        KeyCode::Char('a') if ctrl => EditKey::Home,
        KeyCode::Char('e') if ctrl => EditKey::End,
        KeyCode::Char(c) if !ctrl => EditKey::Char(c),
        KeyCode::Enter => EditKey::Newline,
        KeyCode::Backspace => EditKey::Backspace,
        KeyCode::Delete => EditKey::Delete,
        KeyCode::Left => EditKey::Left,
        KeyCode::Right => EditKey::Right,
        KeyCode::Up => EditKey::Up,
        KeyCode::Down => EditKey::Down,
        KeyCode::Home => EditKey::Home,
        KeyCode::End => EditKey::End,
        _ => return None,
    })
}

/// Put text on the clipboard of the terminal (also through SSH and tmux) with OSC 52.
fn osc52(text: &str) {
    use base64::Engine;
    use std::io::Write;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = std::io::stdout();
    let _ = write!(out, "\x1b]52;c;{encoded}\x07");
    let _ = out.flush();
}

/// Read the query history; a file grown past twice the kept length is rewritten with the newest
/// entries (written aside and renamed, so a crash cannot lose it).
fn load_history(path: &std::path::Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let history = state::sql::parse_history(&text);
    if text.lines().count() > 2 * state::sql::HISTORY_MAX {
        let tmp = path.with_extension("compacting");
        if std::fs::write(&tmp, state::sql::history_lines(&history)).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
    history
}

/// Append one query to the history file (one JSON string per line), creating it if needed.
fn append_history(path: &std::path::Path, sql: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(state::sql::history_lines(&[sql.to_string()]).as_bytes())
}

/// Editing keys while a text line has focus.
fn input_key(key: KeyEvent) -> Option<InputKey> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('u') if ctrl => InputKey::Clear,
        KeyCode::Char('w') if ctrl => InputKey::DeleteWord,
        KeyCode::Char('c') if ctrl => InputKey::Cancel,
        KeyCode::Char('a') if ctrl => InputKey::Home,
        KeyCode::Char('e') if ctrl => InputKey::End,
        KeyCode::Char(c) if !ctrl => InputKey::Char(c),
        KeyCode::Backspace => InputKey::Backspace,
        KeyCode::Delete => InputKey::Delete,
        KeyCode::Left => InputKey::Left,
        KeyCode::Right => InputKey::Right,
        KeyCode::Home => InputKey::Home,
        KeyCode::End => InputKey::End,
        KeyCode::Enter => InputKey::Submit,
        KeyCode::Esc => InputKey::Cancel,
        _ => return None,
    })
}

/// SIGTERM and SIGHUP (the SSH connection dropped) end the app cleanly, restoring the terminal.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals { term: signal(SignalKind::terminate())?, hup: signal(SignalKind::hangup())? })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
