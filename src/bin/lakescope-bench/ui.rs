//! ui: what a person at a terminal waits for and what their SSH link carries.
//!
//! - first frame: the real `lakescope` binary started in a pseudo-terminal (`script`) on the
//!   demo lake and on the discovery benchmark's 100,000-object lake, timed from spawn to the
//!   first frame on the terminal (the alternate screen entered and the header drawn); next to
//!   the floor, the same PTY running `printf` (process start and PTY round trip only).
//!   Discovery runs behind the first frame, so a bigger lake must not delay it.
//! - frame times, with the real state, views and theme drawn into a ratatui test backend (the
//!   work of a frame short of the terminal's own I/O), median, p99 and max:
//!   - the browser on both lakes, j/k/l/h through buckets, zones and tables (each key's
//!     background loads settled before its frame is timed);
//!   - typing a 40-line query in the SQL editor (syntect highlighting of the visible lines
//!     every frame), one `update` and one full draw per key;
//!   - a grid of 1,000,000 fetched rows (Arrow batches of 8,192 rows, 8 columns): page down,
//!     column right, end, home, one full draw each.
//! - bytes on the wire per key press: the same frames through crossterm's backend into a
//!   counting writer, exactly what the terminal (and the SSH link) would receive: with scrolling
//!   regions (lakescope's default), with ratatui's cell diff only, and a full repaint (what a
//!   renderer without diffing sends every frame).
//!
//! Target: under 16 ms per frame (60 frames a second); a key press while scrolling a grid sends
//! a few hundred bytes, not a screenful.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lakescope::App;
use lakescope::backend::Shifting;
use lakescope::config::Config;
use lakescope::config::theme::Theme;
use lakescope::event::{EditKey, Input, Intent, Msg};
use lakescope::lake::LakeStore;
use lakescope::state::grid::Grid;
use lakescope::state::sql::{SqlFocus, SqlResult};
use lakescope::state::{self, AppState};
use lakescope::ui::{self, View};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p99 = v[(v.len() * 99 / 100).min(v.len() - 1)];
    format!(
        "median {:.2} ms · p99 {:.2} ms · max {:.2} ms ({} frames)",
        ms(v[v.len() / 2]),
        ms(p99),
        ms(v[v.len() - 1]),
        v.len()
    )
}

fn grid_of(rows: usize) -> Grid {
    let schema = Arc::new(Schema::new(vec![
        Field::new("order_id", DataType::Int64, false),
        Field::new("customer", DataType::Utf8, false),
        Field::new("email", DataType::Utf8, false),
        Field::new("country", DataType::Utf8, false),
        Field::new("amount", DataType::Float64, false),
        Field::new("status", DataType::Utf8, false),
        Field::new("note", DataType::Utf8, true),
        Field::new("quantity", DataType::Int64, false),
    ]));
    let mut g = Grid::new(schema.clone());
    let mut batches = Vec::new();
    let mut start = 0usize;
    while start < rows {
        let n = (rows - start).min(8192);
        let ids: Vec<i64> = (start..start + n).map(|i| i as i64).collect();
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(ids.clone())),
            Arc::new(StringArray::from_iter_values(ids.iter().map(|i| format!("Customer {}", i % 9973)))),
            Arc::new(StringArray::from_iter_values(ids.iter().map(|i| format!("c{i}@example.com")))),
            Arc::new(StringArray::from_iter_values(ids.iter().map(|i| ["DE", "FR", "US"][(*i % 3) as usize]))),
            Arc::new(Float64Array::from_iter_values(ids.iter().map(|i| (*i % 100_000) as f64 / 100.0))),
            Arc::new(StringArray::from_iter_values(
                ids.iter().map(|i| ["NEW", "SHIPPED", "RETURNED"][(*i % 3) as usize]),
            )),
            Arc::new(StringArray::from_iter(
                ids.iter().map(|i| (i % 5 == 0).then(|| format!("{{\"gift\": {}}}", i % 2 == 0))),
            )),
            Arc::new(Int64Array::from_iter_values(ids.iter().map(|i| i % 9 + 1))),
        ];
        batches.push(RecordBatch::try_new(schema.clone(), cols).unwrap());
        start += n;
    }
    g.append(batches, rows as u64);
    g
}

/// A writer that counts what a terminal would receive.
#[derive(Clone, Default)]
struct Wire(Arc<AtomicU64>);

impl Write for Wire {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(b.len() as u64, Ordering::Relaxed);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Wire {
    fn bytes(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

type WireTerminal = Terminal<Shifting<CrosstermBackend<Wire>>>;

/// A terminal of `width`x`height` whose output is counted; `scroll`: lakescope's default
/// backend, otherwise ratatui's cell diff only.
fn wire_terminal(width: u16, height: u16, scroll: bool) -> (WireTerminal, Wire) {
    let wire = Wire::default();
    let area = Rect::new(0, 0, width, height);
    let backend = Shifting::with_area(CrosstermBackend::new(wire.clone()), area);
    let backend = if scroll { backend } else { backend.without_scrolling() };
    (Terminal::with_options(backend, TerminalOptions { viewport: Viewport::Fixed(area) }).unwrap(), wire)
}

/// Bytes a key for `steps` applications of `action` from `state`, after `prepare` (not counted),
/// for: scrolling regions, cell diff, full repaint. The state is replayed for each.
fn bytes_per_key(
    make: &dyn Fn() -> AppState,
    theme: &Theme,
    config: &Config,
    (width, height): (u16, u16),
    prepare: &[Intent],
    action: &Intent,
    steps: usize,
) -> (f64, f64, f64) {
    let mut out = [0f64; 2];
    let mut full = 0f64;
    for (i, scroll) in [true, false].into_iter().enumerate() {
        let mut state = make();
        let (mut t, wire) = wire_terminal(width, height, scroll);
        let view = |state: &AppState, t: &mut WireTerminal| {
            t.draw(|f| ui::draw(f, &View { state, theme, keymap: &config.keymap })).unwrap();
        };
        view(&state, &mut t);
        full = wire.bytes() as f64;
        for a in prepare {
            state::update(&mut state, (*a).into());
            view(&state, &mut t);
        }
        let before = wire.bytes();
        for _ in 0..steps {
            state::update(&mut state, (*action).into());
            view(&state, &mut t);
        }
        out[i] = (wire.bytes() - before) as f64 / steps as f64;
    }
    (out[0], out[1], full)
}

fn kb(b: f64) -> String {
    if b >= 10_000.0 { format!("{:.1} KB", b / 1000.0) } else { format!("{b:.0} B") }
}

/// Spawn `cmd` (a shell command line) in an 80x24 PTY with `env` set; the times until each
/// needle appears in its output, each searched after the previous one. Given up after
/// `timeout`: the child is killed and fewer times come back. With `quit`, `q` is typed once
/// every needle was seen, and the child is waited for.
pub(crate) fn pty_times(
    cmd: &str,
    needles: &[&str],
    quit: bool,
    timeout: Duration,
    env: &[(&str, &str)],
) -> Vec<Duration> {
    let started = Instant::now();
    let mut child = std::process::Command::new("script")
        .args(["-qfec", &format!("stty rows 24 cols 80; exec {cmd}"), "/dev/null"])
        .env("TERM", "xterm-256color")
        .env("LAKESCOPE_CONFIG", "")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("script runs");
    let mut out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = started + timeout;
    let mut seen = Vec::new();
    let (mut times, mut from) = (Vec::new(), 0usize);
    while times.len() < needles.len() {
        let Ok(chunk) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) else { break };
        seen.extend_from_slice(&chunk);
        let find = |from: usize, needle: &[u8]| seen[from..].windows(needle.len()).position(|w| w == needle);
        while times.len() < needles.len()
            && let Some(at) = find(from, needles[times.len()].as_bytes())
        {
            from += at + needles[times.len()].len();
            times.push(started.elapsed());
        }
    }
    if times.len() < needles.len() {
        let _ = child.kill();
    } else if quit {
        let _ = child.stdin.as_mut().unwrap().write_all(b"q");
    }
    let _ = child.wait();
    times
}

/// Time from spawning the real binary in a PTY to its first frame, against the PTY floor;
/// medians of `runs`.
fn first_frame(lake: &Path, name: &str, runs: usize) {
    let bin = std::env::current_exe().unwrap().with_file_name("lakescope");
    if !bin.exists() {
        println!("first frame: skipped ({} is not built: cargo build --release --bin lakescope)", bin.display());
        return;
    }
    if std::process::Command::new("script").arg("--version").output().is_err() {
        println!("first frame: skipped (`script` from util-linux is not installed)");
        return;
    }
    let run = |cmd: &str, needles: &[&str], quit: bool| pty_times(cmd, needles, quit, Duration::from_secs(30), &[]);
    let lake = format!("{} --no-mouse {}", bin.display(), lake.display());
    // The first frame is a full paint (the screen's content is unknown to the backend), so its
    // text arrives whole; later frames are diffs, where a name on screen need not appear in the
    // byte stream as one piece, so "listed" is not timed here (the discovery benchmark times the
    // first frame with tables, headless).
    let (mut floor, mut frame) = (Vec::new(), Vec::new());
    for _ in 0..runs + 1 {
        let f = run("printf lakescope-ready", &["lakescope-ready"], false);
        let t = run(&lake, &["\x1b[?1049h", " lakescope "], true);
        if f.len() == 1 && t.len() == 2 {
            floor.push(f[0]);
            frame.push(t[1]);
        }
    }
    if frame.len() < 2 {
        println!("first frame, {name}: the binary did not draw in the PTY");
        return;
    }
    // The first run warmed the page cache: drop it.
    let (floor, frame) = (floor[1..].to_vec(), frame[1..].to_vec());
    println!(
        "first frame, {name} (real binary in an 80x24 PTY, median of {}): {} · PTY floor (printf) {}",
        frame.len(),
        crate::ms(crate::median(frame)),
        crate::ms(crate::median(floor)),
    );
}

/// The browser on a lake: frame times and bytes a key for j/k through its lists.
fn browser(lake: &Path, name: &str, width: u16, height: u16) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let _inside = rt.enter();
    let config = Config::defaults();
    let mut app = App::new(LakeStore::open_local(lake.to_str().unwrap()).unwrap(), config.clone(), false).unwrap();
    rt.block_on(async {
        app.dispatch(Msg::Resize { width, height });
        app.start();
        app.settle(Duration::from_secs(60)).await;
    });
    let mut test = Terminal::new(TestBackend::new(width, height)).unwrap();
    let (mut wire_t, wire) = wire_terminal(width, height, true);
    test.draw(|f| app.draw(f)).unwrap();
    wire_t.draw(|f| app.draw(f)).unwrap();
    let full = wire.bytes();
    // Into acme-lake, then down and up its zones, into raw and through its tables, and back.
    let path = "l j j j k k k l j j j k k k h j j j k k k h";
    let mut frames = Vec::new();
    let mut sent = Vec::new();
    for _ in 0..10 {
        for k in path.split(' ') {
            let code = match k {
                "l" => KeyCode::Char('l'),
                "h" => KeyCode::Char('h'),
                "j" => KeyCode::Char('j'),
                _ => KeyCode::Char('k'),
            };
            app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
            rt.block_on(app.settle(Duration::from_secs(60)));
            let t = Instant::now();
            test.draw(|f| app.draw(f)).unwrap();
            frames.push(t.elapsed());
            let before = wire.bytes();
            wire_t.draw(|f| app.draw(f)).unwrap();
            sent.push(wire.bytes() - before);
        }
    }
    let mean = sent.iter().sum::<u64>() as f64 / sent.len() as f64;
    println!("browser frame, {name} (j/k/l/h through its lists, {width}x{height}): {}", stats(frames));
    println!("browser bytes a key, {name}: {} (full repaint {})", kb(mean), kb(full as f64));
}

pub fn bench_ui(rows: usize, width: u16, height: u16, dir: &Path, runs: usize) {
    let demo = demo_lake(dir);
    // The discovery benchmark's lake: 100,000 objects, 200 tables of 25 per zone.
    let big = crate::generate(dir, 100_000);
    first_frame(&demo, "demo lake", runs);
    first_frame(&big, "100,000-object lake", runs);
    browser(&demo, "demo lake", width, height);
    browser(&big, "100,000-object lake", width, height);
    let config = Config::defaults();
    let theme = Theme::builtin("dark").unwrap();
    let mut state = AppState::new("bench".into(), "dark".into(), vec!["dark".into()], false, false);
    state::update(&mut state, Msg::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut draw = |state: &AppState| {
        let t = Instant::now();
        terminal.draw(|f| ui::draw(f, &View { state, theme: &theme, keymap: &config.keymap })).unwrap();
        t.elapsed()
    };
    println!("terminal {width}x{height}, dark theme, views drawn into ratatui's test backend\n");

    // Typing into a 40-line query.
    state.push(lakescope::state::Screen::Sql);
    let query: String =
        (0..40).map(|i| format!("SELECT order_id, sum(amount) AS total_{i}, 'text {i}' -- note {i}\n")).collect();
    state.sql.editor.set_text(&query);
    draw(&state);
    let mut typing = Vec::new();
    for (i, c) in
        "WHERE country = 'DE' AND amount > 10.5 ORDER BY total DESC LIMIT 100 ".chars().cycle().take(400).enumerate()
    {
        let t = Instant::now();
        let key = if i % 50 == 49 { EditKey::Newline } else { EditKey::Char(c) };
        state::update(&mut state, Msg::User(Input::Edit(key)));
        draw(&state);
        typing.push(t.elapsed());
    }
    println!("typing (update + frame per key): {}", stats(typing));

    // Scrolling a grid of `rows` fetched rows.
    let t = Instant::now();
    let grid = grid_of(rows);
    println!("grid: {rows} rows built in {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    // On the pane as typing left it: the 40-line query stays in the editor above the grid.
    state.sql.result = Some(SqlResult::Grid(Box::new(grid.clone())));
    state.sql.focus = SqlFocus::Results;
    draw(&state);
    let mut scroll = Vec::new();
    for i in 0..600 {
        let t = Instant::now();
        let action = match i % 20 {
            19 => Intent::ColumnRight,
            18 => Intent::Bottom,
            17 => Intent::Top,
            _ => Intent::PageDown,
        };
        state::update(&mut state, action.into());
        draw(&state);
        scroll.push(t.elapsed());
    }
    println!("grid scroll (page / column / end, update + frame): {}", stats(scroll));
    drop(state);

    // Bytes a key over the wire, at the bench size and at 80x24.
    for (w, h) in [(width, height), (80, 24)] {
        let make = || grid_state(&grid, w, h);
        let to_bottom: Vec<Intent> = (0..h as usize).map(|_| Intent::Down).collect();
        println!("bytes a key, {rows}-row grid at {w}x{h} (scrolling regions · cell diff only · full repaint):");
        for (name, prepare, action) in [
            ("j at the bottom (scrolls a row)", to_bottom.clone(), Intent::Down),
            ("k inside the page", to_bottom.clone(), Intent::Up),
            ("page down", vec![], Intent::PageDown),
        ] {
            let steps = if matches!(action, Intent::Up) { (h as usize / 3).max(1) } else { 100 };
            let (scroll, diff, full) = bytes_per_key(&make, &theme, &config, (w, h), &prepare, &action, steps);
            println!("  {name:<34} {:>9} · {:>9} · {:>9}", kb(scroll), kb(diff), kb(full));
        }
    }
    let mut state = grid_state(&grid, width, height);
    let t = Instant::now();
    state::update(&mut state, Intent::SortColumn.into());
    println!("sort of {rows} fetched rows by one column (local): {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    let t = Instant::now();
    draw(&state);
    println!("first frame after the sort: {:.2} ms", t.elapsed().as_secs_f64() * 1000.0);
}

/// The SQL pane open on `grid` with the focus in the results, at `width`x`height`.
fn grid_state(grid: &Grid, width: u16, height: u16) -> AppState {
    let mut s = AppState::new("bench".into(), "dark".into(), vec!["dark".into()], false, false);
    state::update(&mut s, Msg::Resize { width, height });
    s.push(lakescope::state::Screen::Sql);
    s.sql.result = Some(SqlResult::Grid(Box::new(grid.clone())));
    s.sql.focus = SqlFocus::Results;
    s
}

/// The demo lake, generated once under `dir` (reused by later runs).
fn demo_lake(dir: &Path) -> PathBuf {
    let root = dir.join("demo-lake");
    if !root.join("acme-lake").exists() {
        std::fs::create_dir_all(&root).unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(lakescope::lake::demo::generate(&LakeStore::open_local(root.to_str().unwrap()).unwrap()))
            .expect("demo lake");
    }
    root
}
