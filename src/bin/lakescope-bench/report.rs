//! all: every benchmark in one command, written to BENCHMARKS.md with the machine, the method
//! and the date. Each benchmark runs as a child process of this binary (a fresh heap for the
//! peak-memory counters, nothing cached in-process between them); its output is what the
//! benchmark printed, unedited, and its method is the benchmark's own module doc comment (read
//! from the sources compiled into this binary, so the text cannot drift from the code).
//!
//! Rerunning rewrites the file; `--only NAME,NAME` reruns some benchmarks and keeps the other
//! sections as they were (each section carries its own date). The file is rewritten after every
//! benchmark, so a long run interrupted halfway keeps what it measured.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// One benchmark: its name, the arguments `all` runs it with, and where its method is written.
struct Bench {
    name: &'static str,
    title: &'static str,
    args: &'static [&'static str],
    method: fn() -> String,
    /// Run by `all` only when `--only` names it (it takes long, or it must run alone).
    when_named: bool,
}

/// Module doc comment of a source file (its leading `//!` lines).
fn doc(src: &str) -> String {
    src.lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!").strip_prefix(' ').unwrap_or(l.trim_start_matches("//!")))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// The paragraph of main.rs's doc that starts with `name:`.
fn main_doc(name: &str) -> String {
    let d = doc(include_str!("main.rs"));
    d.split("\n\n").find(|p| p.starts_with(&format!("{name}:"))).unwrap_or_default().to_string()
}

const BENCHES: &[Bench] = &[
    Bench {
        name: "discovery",
        title: "Discovery of a 100,000-object local lake vs find",
        args: &["discovery", "--files", "100000", "--runs", "5"],
        method: || main_doc("discovery"),
        when_named: false,
    },
    Bench {
        name: "s3-listing",
        title: "Discovery on the test S3 server vs a plain paginated listing",
        args: &["s3-listing", "--files", "100000", "--runs", "1"],
        method: || main_doc("s3-listing"),
        when_named: false,
    },
    Bench {
        name: "footers",
        title: "Parquet footers: requests and bytes per file vs footer length",
        args: &["footers", "--big-mib", "1024", "--runs", "3"],
        method: || doc(include_str!("footers.rs")),
        when_named: false,
    },
    Bench {
        name: "sql",
        title: "SQL on 10M rows: lakescope sql vs the DuckDB CLI",
        args: &["sql", "--rows", "10000000", "--runs", "3"],
        method: || doc(include_str!("sql.rs")),
        when_named: false,
    },
    Bench {
        name: "delta",
        title: "Delta: history of 10,000 versions, diff on 100,000 files",
        args: &["delta", "--big-mib", "1024", "--runs", "3"],
        method: || doc(include_str!("delta.rs")),
        when_named: false,
    },
    Bench {
        name: "diag",
        title: "Diagnostics from the Delta log and from a listing",
        args: &["diag", "--files", "100000", "--s3-files", "20000", "--runs", "3"],
        method: || doc(include_str!("diag.rs")),
        when_named: false,
    },
    Bench {
        name: "delta-log",
        title: "A 300,000-file Delta log: detail and diag vs Python deltalake",
        args: &["delta-log", "--adds", "300000", "--runs", "3"],
        method: || doc(include_str!("log.rs")),
        when_named: false,
    },
    Bench {
        name: "compact",
        title: "Compaction of 2,000 small files vs Python deltalake",
        args: &["compact", "--files", "2000", "--file-kib", "512", "--runs", "3"],
        method: || doc(include_str!("compact.rs")),
        when_named: false,
    },
    Bench {
        name: "ui",
        title: "UI: first frame, frame times, bytes per key press",
        args: &["ui", "--rows", "1000000", "--width", "200", "--height", "60", "--runs", "5"],
        method: || doc(include_str!("ui.rs")),
        when_named: false,
    },
    Bench {
        name: "build-times",
        title: "Build times from an empty target/",
        args: &["build-times"],
        method: || doc(include_str!("builds.rs")),
        when_named: true,
    },
];

fn sh(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// What the numbers were measured on.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let kernel = sh("uname", &["-sr"]).unwrap_or_default();
    let rustc = sh("rustc", &["--version"]).unwrap_or_else(|| "rustc (not on PATH)".into());
    let commit = sh("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = sh("git", &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    let disk = sh("df", &["-h", "--output=source,fstype,size", "."])
        .and_then(|s| s.lines().nth(1).map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")))
        .unwrap_or_default();
    format!(
        "- CPU: {model}, {cores} cores available to the process\n\
         - Memory: {:.1} GiB\n\
         - OS: {kernel}; temp files on {disk}\n\
         - Build: {rustc}, the `release` profile `cargo install --path .` builds (opt-level 3, 16 codegen units)\n\
         - lakescope: commit {commit}{}",
        mem_kib as f64 / 1024.0 / 1024.0,
        if dirty { " with uncommitted changes" } else { "" }
    )
}

const METHOD: &str = "\
Every benchmark generates its own data, deterministically (fixed seeds and layouts), under the \
system temp directory, and measures lakescope next to a peer doing the same work on the same \
data in the same run, or next to a physical floor (the minimum number of requests, the bytes a \
footer occupies, the time a PTY takes to start a process). Times are wall-clock medians of the \
runs shown, after a warm-up run unless the section says otherwise; peak memory is the heap \
growth counted by a global allocator (lakescope, in process) or the peak RSS of the peer's \
process. The machine is shared with nothing else while it runs, but it is a 2-core VM: \
differences under ~10% are within run-to-run noise. Each section below has its own method, \
taken from the benchmark's source, its exact command, and what it printed.";

/// Split an existing BENCHMARKS.md into its sections by marker, to keep those not rerun.
fn old_sections(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!-- bench:") {
        let after = &rest[start + 11..];
        let Some(end_name) = after.find(" -->") else { break };
        let name = after[..end_name].to_string();
        let close = format!("<!-- /bench:{name} -->");
        let Some(end) = rest.find(&close) else { break };
        out.push((name, rest[start..end + close.len()].to_string()));
        rest = &rest[end + close.len()..];
    }
    out
}

fn write(path: &Path, sections: &[(String, String)], date: &str) {
    let mut text = String::from("# lakescope benchmarks\n\n");
    text.push_str(&format!(
        "Written by `lakescope-bench all` (last run {date}). Rerun to update it:\n\n\
         ```sh\ncargo build --release --locked --bin lakescope --bin lakescope-bench   # the profile `cargo install` builds\n./target/release/lakescope-bench all            # everything, ~15 minutes on 2 cores\n./target/release/lakescope-bench all --only sql,ui   # some sections; the others are kept\n```\n\n\
         Peers are fetched on first use: moto and Python `deltalake` from PyPI into venvs under \
         `target/tmp/`, the DuckDB CLI from PyPI (`duckdb-cli`); `find` is GNU findutils.\n\n"
    ));
    text.push_str(&format!("## Machine\n\n{}\n\n## Method\n\n{METHOD}\n\n", machine()));
    for b in BENCHES {
        if let Some((_, s)) = sections.iter().find(|(n, _)| n == b.name) {
            text.push_str(s);
            text.push_str("\n\n");
        }
    }
    let tmp = path.with_extension("md.tmp");
    std::fs::write(&tmp, text).expect("write BENCHMARKS.md");
    std::fs::rename(&tmp, path).expect("replace BENCHMARKS.md");
}

/// A venv under target/tmp with `package` installed from PyPI, unless it is there already.
fn ensure_venv(name: &str, package: &str, probe: &str) {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp").join(name);
    if venv.join(probe).exists() {
        return;
    }
    eprintln!("installing {package} from PyPI into {}", venv.display());
    let ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip")).args(["install", "-q", package]).status().is_ok_and(|s| s.success());
    if !ok {
        eprintln!("could not install {package}: the benchmarks that need it will say so");
    }
}

pub fn run_all(output: PathBuf, only: Option<Vec<String>>) {
    if let Some(names) = &only
        && let Some(bad) = names.iter().find(|n| !BENCHES.iter().any(|b| b.name == n.as_str()))
    {
        eprintln!(
            "no benchmark named {bad:?}; there are: {}",
            BENCHES.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
        );
        std::process::exit(2);
    }
    // The peers that come from PyPI (the DuckDB CLI installs itself in the sql benchmark).
    ensure_venv("moto-venv", "moto[server]==5.2.5", "bin/moto_server");
    ensure_venv("bench-venv", "deltalake==1.6.6", "lib/python3.11/site-packages/deltalake");
    let exe = std::env::current_exe().expect("own path");
    let mut sections = old_sections(&std::fs::read_to_string(&output).unwrap_or_default());
    let now = || chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    for b in BENCHES {
        let named = only.as_ref().is_some_and(|o| o.iter().any(|n| n == b.name));
        if (only.is_some() || b.when_named) && !named {
            continue;
        }
        eprintln!("== {} ({})", b.name, b.args.join(" "));
        let started = Instant::now();
        let out = Command::new(&exe).args(b.args).stdout(Stdio::piped()).stderr(Stdio::inherit()).output();
        let took = started.elapsed();
        let printed = match &out {
            Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim_end().to_string(),
            Ok(o) => format!(
                "{}\n\nFAILED: {} (see the run's stderr)",
                String::from_utf8_lossy(&o.stdout).trim_end(),
                o.status
            ),
            Err(e) => format!("FAILED to start: {e}"),
        };
        print!("{printed}\n\n");
        let section = format!(
            "<!-- bench:{name} -->\n## {title}\n\nFinished {date}, took {took:.0} s: `lakescope-bench {args}`\n\n{method}\n\n```text\n{printed}\n```\n<!-- /bench:{name} -->",
            name = b.name,
            title = b.title,
            date = now(),
            took = took.as_secs_f64(),
            args = b.args.join(" "),
            method = (b.method)(),
        );
        sections.retain(|(n, _)| n != b.name);
        sections.push((b.name.to_string(), section));
        write(&output, &sections, &now());
    }
    eprintln!("wrote {}", output.display());
}
