//! Shared helpers for integration tests: the demo lake (generated once per test binary), the
//! shared test data (skipped with a printed reason when absent), and driving the app headless
//! with real key events and a ratatui `TestBackend`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lakescope::App;
use lakescope::config::Config;
use lakescope::event::Msg;
use lakescope::lake::LakeStore;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// Generous: a debug build on a loaded 2-core CI machine. Tests wait for "idle", never sleep.
pub mod s3;

pub const SETTLE: Duration = Duration::from_secs(60);

/// The demo lake, written once per test process. Its path always has the same length
/// (`/tmp/lsdemo-XXXXXX`) so rendered frames lay out identically on every machine; snapshot
/// filters replace the six random characters.
pub fn demo_lake() -> &'static Path {
    static DEMO: OnceLock<tempfile::TempDir> = OnceLock::new();
    DEMO.get_or_init(|| {
        let base = PathBuf::from("/tmp");
        clean_old_demos(&base);
        let dir = tempfile::Builder::new().prefix("lsdemo-").rand_bytes(6).tempdir_in(&base).expect("temp dir");
        let root = dir.path().to_path_buf();
        // Generate on a runtime of its own: callers may already be inside one.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async {
                let store = LakeStore::open_local(root.to_str().unwrap()).unwrap();
                lakescope::lake::demo::generate(&store).await.expect("demo lake generates");
            });
        })
        .join()
        .expect("demo generation thread");
        dir
    })
    .path()
}

/// Demo lakes left behind by earlier test processes (statics are never dropped).
fn clean_old_demos(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else { return };
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .map(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(3600));
        if e.file_name().to_string_lossy().starts_with("lsdemo-") && old.unwrap_or(false) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// `../shared/testdata`, or `None` with a printed reason (a plain clone still passes). In CI
/// (`CI=true`) its absence fails the test: the acceptance tests must run there.
pub fn shared_testdata() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata");
    if p.join("MANIFEST.md").exists() {
        return Some(p.canonicalize().unwrap());
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!ci, "{} is absent, and CI=true: the shared test data must sit beside the repository in CI", p.display());
    eprintln!("SKIP: {} is absent (the shared test data sits beside the repository in CI)", p.display());
    None
}

/// An app on a local root with the built-in config, sized like a terminal of `w` x `h`.
pub fn app(root: &Path, w: u16, h: u16) -> App {
    app_with(root, w, h, Config::defaults())
}

pub fn app_with(root: &Path, w: u16, h: u16, config: Config) -> App {
    let store = LakeStore::open_local(root.to_str().unwrap()).expect("root opens");
    let mut app = App::new(store, config, false).expect("app builds");
    app.dispatch(Msg::Resize { width: w, height: h });
    app.start();
    app
}

/// Press keys written like `"l j j l"`: single characters, or names in angle brackets
/// (`<esc>`, `<enter>`, `<down>`, `<c-c>`).
pub fn keys(app: &mut App, spec: &str) {
    for token in spec.split_whitespace() {
        app.handle_key(key(token));
    }
}

/// Type text character by character (into a filter or the command line).
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

pub fn key(token: &str) -> KeyEvent {
    let (code, mods) = match token {
        "<esc>" => (KeyCode::Esc, KeyModifiers::NONE),
        "<enter>" => (KeyCode::Enter, KeyModifiers::NONE),
        "<down>" => (KeyCode::Down, KeyModifiers::NONE),
        "<up>" => (KeyCode::Up, KeyModifiers::NONE),
        "<left>" => (KeyCode::Left, KeyModifiers::NONE),
        "<right>" => (KeyCode::Right, KeyModifiers::NONE),
        "<bs>" => (KeyCode::Backspace, KeyModifiers::NONE),
        "<pgdn>" => (KeyCode::PageDown, KeyModifiers::NONE),
        "<tab>" => (KeyCode::Tab, KeyModifiers::NONE),
        "<backtab>" => (KeyCode::BackTab, KeyModifiers::SHIFT),
        "<c-c>" => (KeyCode::Char('c'), KeyModifiers::CONTROL),
        t if t.starts_with("<c-") && t.len() == 5 => (KeyCode::Char(t.chars().nth(3).unwrap()), KeyModifiers::CONTROL),
        t if t.starts_with("<f") && t.ends_with('>') && t[2..t.len() - 1].parse::<u8>().is_ok() => {
            (KeyCode::F(t[2..t.len() - 1].parse().unwrap()), KeyModifiers::NONE)
        }
        t if t.chars().count() == 1 => {
            let c = t.chars().next().unwrap();
            let m = if c.is_ascii_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
            (KeyCode::Char(c), m)
        }
        other => panic!("unknown key {other:?}"),
    };
    KeyEvent::new(code, mods)
}

/// Render the app into a test terminal and return the screen as lines of text.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| app.draw(f)).unwrap();
    buffer_text(terminal.backend().buffer())
}

pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Wait until no job runs; fail the test with the screen if that never happens.
pub async fn settle(app: &mut App) {
    assert!(app.settle(SETTLE).await, "the app did not go idle within {SETTLE:?}; jobs: {:?}", app.state.jobs);
}

/// Names of the entries in the current column.
pub fn column(app: &App) -> Vec<String> {
    let s = &app.state;
    lakescope::state::browser::Nav::entries(&s.catalog, s.nav.current())
        .into_iter()
        .map(|id| s.catalog.node(id).name.clone())
        .collect()
}

pub fn selected(app: &App) -> Option<String> {
    app.state.selected().map(|id| app.state.catalog.node(id).name.clone())
}
