//! The real binary in a real pseudo-terminal (`script` from util-linux/bsdutils): it draws the
//! lake, quits on `q` and on SIGTERM, and leaves the terminal as it found it — the alternate
//! screen left, the cursor shown, canonical mode and echo back on (checked with `stty -a` run in
//! the same terminal afterwards).

use crate::common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Pty {
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    /// Run lakescope on `root` in an 80x24 pseudo-terminal, then `stty -a` in the same terminal.
    fn start(root: &Path) -> Pty {
        Self::start_args(&root.display().to_string())
    }

    /// Run `lakescope --ascii ARGS` the same way.
    fn start_args(args: &str) -> Pty {
        let bin = assert_cmd::cargo::cargo_bin("lakescope");
        let script = format!("stty rows 24 cols 80; {} --ascii {args}; echo LAKESCOPE_EXIT=$?; stty -a", bin.display());
        let mut child = Command::new("script")
            .args(["-qfec", &script, "/dev/null"])
            .env("TERM", "xterm-256color")
            .env("LAKESCOPE_CONFIG", "")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("`script` runs (util-linux / bsdutils)");
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty { child, output }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.text().contains(needle) {
            assert!(Instant::now() < deadline, "{needle:?} never appeared; output so far:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn finish(mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success() || self.text().contains("LAKESCOPE_EXIT"), "script failed: {status}");
                break;
            }
            assert!(Instant::now() < deadline, "lakescope did not exit; output:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(100));
        self.text()
    }
}

/// The terminal is back to normal after lakescope exits.
fn assert_restored(out: &str) {
    let exit_at = out.find("LAKESCOPE_EXIT=").expect("lakescope exited");
    let tui = &out[..exit_at];
    assert!(tui.contains("\x1b[?1049h"), "the alternate screen was entered");
    assert!(tui.rfind("\x1b[?1049l") > tui.rfind("\x1b[?1049h"), "the alternate screen was left");
    assert!(tui.rfind("\x1b[?25h") > tui.rfind("\x1b[?25l"), "the cursor is shown again");
    let stty = &out[exit_at..];
    let words: Vec<&str> = stty.split_whitespace().collect();
    for flag in ["icanon", "echo", "isig"] {
        assert!(words.contains(&flag), "{flag} not restored:\n{stty}");
        assert!(!words.contains(&format!("-{flag}").as_str()), "{flag} still off:\n{stty}");
    }
}

#[test]
fn quitting_with_q_restores_the_terminal() {
    let lake = common::demo_lake();
    let mut pty = Pty::start(lake);
    pty.wait_for("acme-lake");
    pty.send(b"l");
    pty.wait_for("silver");
    pty.send(b"q");
    let out = pty.finish();
    assert!(out.contains("LAKESCOPE_EXIT=0"), "{out}");
    assert_restored(&out);
}

#[test]
fn sigterm_and_hangup_restore_the_terminal() {
    for signal in ["TERM", "HUP"] {
        let lake = common::demo_lake();
        let pty = Pty::start(lake);
        pty.wait_for("acme-lake");
        let pid = lakescope_pid(&pty).expect("the lakescope process");
        let status = Command::new("kill").args([&format!("-{signal}"), &pid.to_string()]).status().unwrap();
        assert!(status.success());
        let out = pty.finish();
        assert!(out.contains("LAKESCOPE_EXIT=0"), "SIG{signal}: lakescope should exit cleanly:\n{out}");
        assert_restored(&out);
    }
}

/// The pid of the lakescope process running under this PTY's `script` (a descendant of it:
/// other tests may be running lakescope on the same lake at the same time).
fn lakescope_pid(pty: &Pty) -> Option<u32> {
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // pid (comm) state ppid …; comm may hold spaces, so split after the last ')'.
        stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
    };
    let root = pty.child.id();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
            let exe =
                cmdline.split(|b| *b == 0).next().map(|a| String::from_utf8_lossy(a).into_owned()).unwrap_or_default();
            if !exe.ends_with("/lakescope") {
                continue;
            }
            let mut p = pid;
            for _ in 0..8 {
                match parent_of(p) {
                    Some(pp) if pp == root => return Some(pid),
                    Some(pp) if pp > 1 => p = pp,
                    _ => break,
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn without_a_root_a_picker_offers_the_configured_lakes() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[lakes.alpha]\nurl = \"/nonexistent/alpha\"\n\n[lakes.demo]\nurl = \"{}\"\n",
            common::demo_lake().display()
        ),
    )
    .unwrap();
    let mut pty = Pty::start_args(&format!("--config {}", cfg.display()));
    pty.wait_for("choose a lake");
    pty.wait_for("alpha");
    pty.send(b"j\r");
    pty.wait_for("acme-lake");
    pty.send(b"q");
    let out = pty.finish();
    assert!(out.contains("LAKESCOPE_EXIT=0"), "{out}");
    assert_restored(&out);
}
