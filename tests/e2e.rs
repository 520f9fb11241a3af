//! End to end: the real binary in a real terminal emulator (tmux, on a server of the test's
//! own), driven by key presses as a person types them and read back from tmux's screen.
//! `lakescope demo` generates its lake and opens it; the session browses to a table, opens the
//! Parquet inspector, the Delta history and a diff, runs a query, cancels one, is resized to
//! 80x24 and quits — then tmux's own view of the terminal says it was restored (alternate
//! screen left, cursor shown, mouse reporting off) and `stty` run in the same terminal shows
//! canonical mode and echo back. Also: `--no-mouse` never turns mouse reporting on, `--ascii`
//! draws no box characters, and the bytes sent per key press while scrolling a big result grid
//! stay small (tmux's pipe-pane records everything the program writes).
//!
//! tmux is required in CI (`.ci/run` installs it); elsewhere the tests skip with a reason.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(90);

fn tmux_available() -> bool {
    let ok = Command::new("tmux").arg("-V").output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "tmux is missing: .ci/run installs it");
        eprintln!("SKIP: tmux is not installed (CI installs it)");
    }
    ok
}

/// One tmux server (its own socket) holding one window that runs a shell command.
struct Tmux {
    socket: String,
    home: tempfile::TempDir,
}

impl Tmux {
    /// Run `lakescope ARGS` in a `width`x`height` window; afterwards the same terminal prints
    /// the exit code and `stty -a`, and stays open so tmux can still be asked about it. `None`
    /// (with the reason printed) where tmux is not installed.
    fn start(args: &str, width: u16, height: u16) -> Option<Tmux> {
        if !tmux_available() {
            return None;
        }
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let socket =
            format!("lakescope-e2e-{}-{}", std::process::id(), N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let home = tempfile::tempdir().unwrap();
        let bin = assert_cmd::cargo::cargo_bin("lakescope");
        let h = home.path().display();
        let script = format!(
            "cd {h}; export HOME={h} XDG_DATA_HOME={h}/data XDG_STATE_HOME={h}/state XDG_CONFIG_HOME={h}/config LAKESCOPE_CONFIG=; \
             {} {args}; echo LAKESCOPE_EXIT=$?; stty -a; sleep 600",
            bin.display()
        );
        let t = Tmux { socket, home };
        let out = t.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "sh",
            "-c",
            &script,
        ]);
        assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
        Some(t)
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .env("TERM", "xterm-256color")
            .output()
            .expect("tmux runs")
    }

    fn home(&self) -> &Path {
        self.home.path()
    }

    /// Key names as tmux knows them (`j`, `Enter`, `Escape`, `F5`, `C-o`).
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let out = self.tmux(&["send-keys", "-t", "e2e", k]);
            assert!(out.status.success(), "send-keys {k}: {}", String::from_utf8_lossy(&out.stderr));
            // One key at a time, as typed: the app reads each before the next arrives.
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn type_text(&self, text: &str) {
        let out = self.tmux(&["send-keys", "-t", "e2e", "-l", text]);
        assert!(out.status.success());
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// A tmux format of the pane: `alternate_on`, `cursor_flag`, `mouse_any_flag`…
    fn flag(&self, name: &str) -> String {
        let out = self.tmux(&["display-message", "-p", "-t", "e2e", &format!("#{{{name}}}")]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |s| s.contains(needle))
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "waited for {what:?}; the screen:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Record everything the program writes to the terminal from now on.
    fn record(&self) -> PathBuf {
        let file = self.home().join("pane.bytes");
        let out = self.tmux(&["pipe-pane", "-t", "e2e", "-o", &format!("cat >> {}", file.display())]);
        assert!(out.status.success());
        file
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

fn bytes(file: &Path) -> u64 {
    std::fs::metadata(file).map(|m| m.len()).unwrap_or(0)
}

/// Wait until the pipe has delivered everything (the size stops changing).
fn settled_bytes(file: &Path) -> u64 {
    let mut last = bytes(file);
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = bytes(file);
        if now == last {
            return now;
        }
        last = now;
    }
}

/// The first column of the result grid's rows on screen.
fn grid_rows(screen: &str) -> Vec<u64> {
    screen
        .lines()
        .skip_while(|l| !l.contains("results ·"))
        .filter_map(|l| l.strip_prefix('│'))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

fn assert_restored(t: &Tmux) {
    let after = t.wait_for("LAKESCOPE_EXIT=");
    assert!(after.contains("LAKESCOPE_EXIT=0"), "lakescope exited with an error:\n{after}");
    // stty -a wraps over several lines at 80 columns: look at the words.
    let stty = t.wait_until("stty -a output", |s| s.contains("icanon") && s.contains("echo"));
    let words: Vec<&str> = stty.split_whitespace().collect();
    assert!(words.contains(&"icanon") && !words.contains(&"-icanon"), "canonical mode is off:\n{stty}");
    assert!(words.contains(&"echo") && !words.contains(&"-echo"), "echo is off:\n{stty}");
    assert_eq!(t.flag("alternate_on"), "0", "still on the alternate screen");
    assert_eq!(t.flag("cursor_flag"), "1", "the cursor is hidden");
    assert_eq!(t.flag("mouse_any_flag"), "0", "mouse reporting left on");
    assert_eq!(t.flag("mouse_standard_flag"), "0", "mouse reporting left on");
}

#[test]
fn a_session_on_the_demo_lake_from_start_to_quit() {
    let Some(t) = Tmux::start("demo", 120, 40) else { return };
    let s = t.wait_for("acme-lake/");
    assert!(s.contains("2 buckets"), "{s}");
    assert_eq!(t.flag("alternate_on"), "1");
    assert_eq!(t.flag("mouse_any_flag"), "1", "the mouse is captured by default");

    // Browse: into acme-lake, down to bronze, into it: the events dataset is selected.
    t.keys(&["l"]);
    t.wait_for("bronze/");
    t.keys(&["j", "l"]);
    let s = t.wait_for("events");
    assert!(s.contains("parquet") || s.contains("183"), "{s}");

    // The Parquet inspector: its files, then one file's footer.
    t.keys(&["p"]);
    t.wait_for("183 files");
    t.keys(&["Enter"]);
    t.wait_until("the footer summary", |s| s.contains("footer") && s.contains("row group"));
    t.keys(&["h", "h"]);
    t.wait_until("back in the browser", |s| !s.contains("events › files") && s.contains("events"));

    // The Delta history of silver/orders and a diff of v5 → v6 (the demo's delete).
    t.keys(&[":"]);
    t.type_text("cd acme-lake/silver/orders");
    t.keys(&["Enter", "v"]);
    // (A frame can be captured half written: wait for all of it.)
    t.wait_until("the versions", |s| s.contains("13 of 13 versions") && s.contains("DELETE") && s.contains("MERGE"));
    t.keys(&["j", "j", "j", "j", "j", "j", "d"]);
    // The file diff shows first; the rows follow when the changed files are read.
    let s = t.wait_for("131 only in v5");
    assert!(s.contains("diff v5 → v6"), "{s}");
    t.keys(&["h", "h"]);
    t.wait_until("history closed", |s| !s.contains("13 of 13 versions"));

    // A query on the orders table, with its results in the grid.
    t.keys(&["S"]);
    t.wait_for("SQL ·");
    t.type_text("SELECT count(*) AS n FROM silver.orders");
    t.keys(&["F5"]);
    let s = t.wait_for("results · 1 row");
    assert!(s.contains("│n"), "{s}");

    // A query that never ends on its own, cancelled with Esc; the pane stays usable.
    t.keys(&["F6", "C-u"]);
    t.type_text("SELECT sum(a.duration_ms * b.duration_ms) FROM bronze.events a, bronze.events b, bronze.events c");
    t.keys(&["F5"]);
    t.wait_for("esc cancels");
    t.keys(&["Escape"]);
    t.wait_for("cancelled after");

    // Smaller: 80x24 redraws everything to fit, the SQL pane included.
    let out = t.tmux(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = t.wait_until("an 80x24 frame", |s| {
        s.lines().count() <= 24 && s.lines().next().is_some_and(|l| l.contains("lakescope")) && s.contains("cancelled")
    });
    assert!(s.lines().all(|l| l.chars().count() <= 80), "{s}");
    let status = s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or_default().to_string();
    assert!(status.contains("SQL"), "the status bar is on screen at 80x24:\n{s}");

    // Close the pane, quit.
    t.keys(&["Escape", "Escape"]);
    t.wait_until("the browser", |s| !s.contains("SQL ·"));
    t.keys(&["q"]);
    assert_restored(&t);
}

#[test]
fn no_mouse_leaves_the_mouse_to_the_terminal_and_ascii_draws_no_box_characters() {
    let demo = crate::common::demo_lake().display().to_string();
    let Some(t) = Tmux::start(&format!("--no-mouse --ascii {demo}"), 100, 30) else { return };
    let s = t.wait_for("acme-lake/");
    assert_eq!(t.flag("mouse_any_flag"), "0", "--no-mouse captured the mouse");
    assert!(s.is_ascii(), "--ascii drew non-ASCII characters:\n{s}");
    t.keys(&["q"]);
    assert_restored(&t);
}

#[test]
fn the_mouse_wheel_moves_the_selection() {
    let demo = crate::common::demo_lake().display().to_string();
    let Some(t) = Tmux::start(&demo, 100, 30) else { return };
    t.wait_for("acme-ml/");
    // An SGR mouse report of a wheel-down at column 30, row 5, as a terminal sends it.
    let out = t.tmux(&["send-keys", "-t", "e2e", "-l", "\u{1b}[<65;30;5M"]);
    assert!(out.status.success());
    // The selection moved from acme-lake to acme-ml: the right column lists acme-ml's zone.
    t.wait_for("features/");
    t.keys(&["q"]);
    assert_restored(&t);
}

#[test]
fn scrolling_a_big_result_grid_sends_a_few_hundred_bytes_a_key() {
    let demo = crate::common::demo_lake().display().to_string();
    let Some(t) = Tmux::start(&demo, 120, 40) else { return };
    t.wait_for("acme-lake/");
    t.keys(&["S"]);
    t.wait_for("SQL ·");
    t.type_text(
        "SELECT value AS n, value * 7919 % 100000 AS k, md5(CAST(value AS VARCHAR)) AS h, 'row ' || value AS label FROM generate_series(1, 200000)",
    );
    t.keys(&["F5"]);
    t.wait_for("200,000 rows");
    // The grid has the focus after a run; go to its last visible row first.
    t.keys(&["j"; 30]);
    let bottom = |s: &str| grid_rows(s).last().copied().unwrap_or(0);
    t.wait_until("the grid to scroll", |s| bottom(s) > 20);
    let file = t.record();
    let before = settled_bytes(&file);
    let start = bottom(&t.screen());
    let presses = 40;
    t.keys(&vec!["j"; presses]);
    let s = t.wait_until("40 rows further", |s| bottom(s) == start + presses as u64);
    let sent = settled_bytes(&file) - before;
    let per_key = sent / presses as u64;
    eprintln!("j at the bottom of a 120x40 grid: {per_key} bytes a key ({sent} bytes for {presses})");
    // The whole grid's rows are ~1,600 bytes a key when rewritten; a scrolled band is the new
    // row, the cursor line and the status.
    assert!(per_key < 600, "{per_key} bytes a key:\n{s}");
    // And the screen is right: consecutive rows, nothing smeared.
    let rows = grid_rows(&s);
    assert!(rows.windows(2).all(|w| w[1] == w[0] + 1), "rows out of order: {rows:?}\n{s}");
    // q in the results closes the pane (Esc there cancels a running query).
    t.keys(&["q"]);
    t.wait_until("the pane closed", |s| !s.contains("SQL ·"));
    t.keys(&["q"]);
    assert_restored(&t);
}
