//! The app: owns the state, the job manager, the theme and the lake store, and runs the loop
//! `key -> Input -> update -> Effect -> job -> Report -> update -> draw`.
//!
//! A key is turned into an `Input` for the layer on top of the screen stack (`state.layer()`):
//! through the keymap for that layer, or as text where the layer takes text. The loop `select!`s
//! over terminal events, job messages, a spinner tick (only while jobs run) and termination
//! signals, and redraws only when something changed, at most ~60 times a second. `App` also runs
//! headless (no terminal) so tests drive it with real key events.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use futures::StreamExt;
use ratatui::Frame;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use crate::config::keymap::Layer as KeyLayer;
use crate::config::theme::{BUILTIN_THEMES, Theme};
use crate::config::{self, Config, ConfigError};
use crate::event::{EditKey, Input, InputKey, Intent, JobEvent, Msg};
use crate::jobs::{self, JobEnv, JobManager, JobSettings};
use crate::lake::LakeStore;
use crate::state::{self, AppState, Effect, Layer};
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
    env: JobEnv,
    rx: UnboundedReceiver<Msg>,
    /// Something changed since the last frame.
    dirty: bool,
    /// Whether a real terminal is attached (OSC 52 copies are written to it).
    terminal: bool,
    /// Texts copied to the clipboard, newest last (what tests check; the terminal gets OSC 52).
    pub copied: Vec<String>,
}

impl App {
    pub fn new(store: LakeStore, config: Config, no_color: bool) -> Result<App, ConfigError> {
        let theme = config::load_theme(&config.theme, no_color)?;
        let (tx, rx): (UnboundedSender<Msg>, _) = mpsc::unbounded_channel();
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
        let store = Arc::new(store);
        let env = JobEnv {
            store: Arc::clone(&store),
            settings: Arc::new(JobSettings::new(&config, &store)),
            sql: Arc::new(jobs::sql::EngineCache::default()),
        };
        Ok(App {
            state,
            store,
            config,
            theme,
            no_color,
            jobs: JobManager::new(tx),
            env,
            rx,
            dirty: true,
            terminal: false,
            copied: Vec::new(),
        })
    }

    /// Start the first listing. Must run inside a tokio runtime.
    pub fn start(&mut self) {
        let effects = state::start(&mut self.state);
        self.run_effects(effects);
    }

    /// Apply a message and carry out its effects.
    pub fn dispatch(&mut self, msg: Msg) {
        if let Msg::Job(JobEvent::Finished { id, .. }) = &msg {
            self.jobs.finished(*id);
        }
        let counts_may_change = matches!(
            msg,
            Msg::Tick | Msg::Job(JobEvent::Finished { .. }) | Msg::Job(JobEvent::Report(_)) | Msg::User(_)
        );
        let effects = state::update(&mut self.state, msg);
        self.dirty = true;
        self.run_effects(effects);
        self.sync_theme();
        if counts_may_change {
            self.count_requests();
        }
    }

    /// Copy the store's request counters into the state (the latest requests only when the
    /// panel shows them).
    fn count_requests(&mut self) {
        let panel = self.state.layer() == Layer::Requests;
        let recent = if panel { crate::lake::store::requests::RECENT } else { 0 };
        let summary = self.store.stats.summary(recent);
        if summary != self.state.requests {
            state::update(&mut self.state, Msg::Requests(Box::new(summary)));
        }
    }

    fn run_effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Spawn(job) => {
                    let (kind, label, owner) = (job.kind(), job.label(), job.owner());
                    let env = self.env.clone();
                    let id = self.jobs.spawn(move |ctx| job.run(ctx, env));
                    self.dispatch(Msg::Job(JobEvent::Started { id, kind, label, owner }));
                }
                Effect::Cancel(id) => self.jobs.cancel(id),
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
                        self.state.error(format!("cannot save the query history to {}: {e}", path.display()));
                    }
                }
                Effect::Quit => self.jobs.cancel_all(),
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
                self.state.error(e.to_string());
            }
        }
    }

    /// Turn a key press into an input for the layer on top.
    pub fn input_for_key(&self, key: KeyEvent) -> Option<Input> {
        let km = &self.config.keymap;
        let intent = |layer: KeyLayer| km.lookup(layer, &key).map(Input::Intent);
        match self.state.layer() {
            Layer::Prompt => input_key(key).map(Input::Line),
            Layer::SqlLine => match km.lookup_only(KeyLayer::SqlEditor, &key) {
                // Ctrl-R again while searching: the next older match.
                Some(Intent::SearchHistory) => Some(Input::Intent(Intent::SearchHistory)),
                _ => input_key(key).map(Input::Line),
            },
            Layer::SqlEditor => {
                km.lookup_only(KeyLayer::SqlEditor, &key).map(Input::Intent).or_else(|| edit_key(key).map(Input::Edit))
            }
            Layer::SqlResults => intent(KeyLayer::SqlResults),
            // A write's keys; other keys may type a retention (digits and a unit).
            Layer::Write => intent(KeyLayer::Write).or_else(|| input_key(key).map(Input::Line)),
            Layer::Browser => intent(KeyLayer::Browser),
            Layer::Inspector => intent(KeyLayer::Inspector),
            Layer::History => intent(KeyLayer::History),
            Layer::Diagnostics => intent(KeyLayer::Diagnostics),
            Layer::Help => intent(KeyLayer::Help),
            Layer::Requests => intent(KeyLayer::Requests),
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind != KeyEventKind::Press {
            return;
        }
        if let Some(input) = self.input_for_key(key) {
            self.dispatch(Msg::User(input));
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

    /// Headless: apply job messages until no job runs (or the timeout passes). Returns whether
    /// the app went idle. For tests and scripted runs; never a fixed sleep.
    pub async fn settle(&mut self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            while let Ok(m) = self.rx.try_recv() {
                self.dispatch(m);
            }
            if self.state.jobs.is_empty() && self.jobs.running() == 0 {
                return true;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(m)) => self.dispatch(m),
                Ok(None) | Err(_) => return false,
            }
        }
    }

    /// Headless: apply the next job message, waiting at most `timeout`.
    pub async fn step(&mut self, timeout: Duration) -> bool {
        match tokio::time::timeout(timeout, self.rx.recv()).await {
            Ok(Some(m)) => {
                self.dispatch(m);
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
        self.dispatch(Msg::Resize { width: size.width, height: size.height });
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
                        self.dispatch(Msg::Resize { width, height });
                        terminal.autoresize()?;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e),
                    None => break,
                },
                Some(msg) = self.rx.recv() => {
                    self.dispatch(msg);
                    // Apply everything already queued before drawing once.
                    while let Ok(m) = self.rx.try_recv() {
                        self.dispatch(m);
                    }
                }
                _ = tick.tick(), if !self.state.jobs.is_empty() => self.dispatch(Msg::Tick),
                _ = tokio::time::sleep(redraw_in), if self.dirty => {}
                _ = signals.next() => self.dispatch(Msg::from(Intent::Quit)),
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
fn edit_key(key: KeyEvent) -> Option<EditKey> {
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
