//! build-times: how long a new user waits for lakescope to build, from empty target directories
//! on this machine, one build at a time with nothing else running. `cargo` is the one on PATH and
//! the crates' sources are already in `~/.cargo/registry` (downloading them is not counted).
//! Each step gets a fresh `CARGO_TARGET_DIR` under DIR unless it says otherwise:
//!
//! 1. The README's first command, `cargo run --locked -- demo`, in an 80x24 PTY (`script`): from
//!    starting the command to lakescope's first frame — the build (the `dev` profile), the demo
//!    lake generated into an empty `XDG_DATA_HOME`, and the start. Then `q`.
//! 2. The README's second command's build, `cargo test --locked --no-run`, right after step 1 in
//!    the same target directory: what a new user waits for next.
//! 3. `cargo test --locked --no-run` alone, from an empty target directory.
//! 4. With `--release`: the installed binary, `cargo build --release --locked --bin lakescope`
//!    (what `cargo install --path .` compiles), from an empty target directory.
//!
//! Reported: wall time and the CPU time (user + system) of cargo and everything it ran, from
//! `/usr/bin/time`. Builds are not repeated: one run each, so ±5% is noise.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Wall and CPU seconds of `cmd`, run under `/usr/bin/time` in the manifest's folder.
fn timed(cmd: &[&str], target: &Path) -> Result<(f64, f64), String> {
    let out = target.with_extension("time");
    let started = Instant::now();
    let status = Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&out)
        .args(["-f", "%U %S"])
        .args(cmd)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        .status()
        .map_err(|e| format!("{}: {e}", cmd.join(" ")))?;
    let wall = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("{} failed: {status}", cmd.join(" ")));
    }
    Ok((wall, cpu_of(&out)))
}

/// User + system seconds from a `/usr/bin/time -f "%U %S"` file (its last line).
fn cpu_of(file: &Path) -> f64 {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .last()
        .map(|l| l.split_whitespace().filter_map(|v| v.parse::<f64>().ok()).sum())
        .unwrap_or(f64::NAN)
}

fn mins(s: f64) -> String {
    if !s.is_finite() {
        return "?".into();
    }
    let s = s.round() as u64;
    format!("{}m{:02}s", s / 60, s % 60)
}

pub fn bench_builds(dir: &Path, release: bool) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("bench dir");
    let cargo_version =
        Command::new("cargo").arg("--version").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    println!(
        "{} · 2 jobs (the machine's cores) · sources: {}",
        cargo_version.unwrap_or_default(),
        env!("CARGO_MANIFEST_DIR")
    );
    println!();
    println!("| step | wall | CPU (user + sys) |");
    println!("|---|---|---|");

    // 1. cargo run -- demo, to the first frame.
    let first = dir.join("target-first");
    let data = dir.join("data");
    let time_file = first.with_extension("time");
    let cmd = format!("/usr/bin/time -o {} -f '%U %S' cargo run --locked --quiet -- demo", time_file.display());
    let env = [
        ("CARGO_TARGET_DIR", first.to_str().unwrap()),
        ("XDG_DATA_HOME", data.to_str().unwrap()),
        ("CARGO_TERM_COLOR", "never"),
    ];
    let manifest = env!("CARGO_MANIFEST_DIR");
    let times = super::ui::pty_times(
        &format!("sh -c \"cd {manifest} && {}\"", cmd.replace('"', "\\\"")),
        &["\x1b[?1049h", " lakescope "],
        true,
        Duration::from_secs(3 * 3600),
        &env,
    );
    match times.get(1) {
        Some(t) => println!(
            "| 1. `cargo run --locked -- demo` to the first frame | {} | {} |",
            mins(t.as_secs_f64()),
            mins(cpu_of(&time_file))
        ),
        None => println!("| 1. `cargo run --locked -- demo` to the first frame | no frame within 3 hours | |"),
    }

    // 2. cargo test's build next, in the same target directory.
    let step = |label: &str, cmd: &[&str], target: &Path| match timed(cmd, target) {
        Ok((wall, cpu)) => println!("| {label} | {} | {} |", mins(wall), mins(cpu)),
        Err(e) => println!("| {label} | FAILED: {e} | |"),
    };
    step("2. then `cargo test --locked --no-run` (same target/)", &["cargo", "test", "--locked", "--no-run"], &first);
    let _ = std::fs::remove_dir_all(&first);

    // 3. cargo test's build alone.
    let alone = dir.join("target-test");
    step("3. `cargo test --locked --no-run` from an empty target/", &["cargo", "test", "--locked", "--no-run"], &alone);
    let _ = std::fs::remove_dir_all(&alone);

    // 4. The installed binary.
    if release {
        let rel = dir.join("target-release");
        step(
            "4. `cargo build --release --locked --bin lakescope` (what `cargo install` builds)",
            &["cargo", "build", "--release", "--locked", "--bin", "lakescope"],
            &rel,
        );
        let _ = std::fs::remove_dir_all(&rel);
    } else {
        println!("| 4. the release build | not run (--release) | |");
    }
}
