//! delta-log: `lakescope detail` and `lakescope diag --json` on a big Delta log, against Python
//! deltalake loading the same table and its add actions, in the same run.
//!
//! Data: a generated Delta table of N add actions (default 300,000) in 100 partitions, with
//! statistics (numRecords, minValues, maxValues, nullCount) over all of its 100 data columns, as
//! a writer that indexes every column leaves them: v0-v9 add N/10 files each, deltalake writes
//! a checkpoint at v9, v10 adds 100 more files after it. No data files: everything here is read
//! from the log.
//!
//! Method: each tool runs as a fresh process under GNU `time` (wall time and peak resident set
//! size of the whole process), one warm-up run of each (page cache warm), then the median of R
//! runs. lakescope: the installed binary, `lakescope detail TABLE --json` and `lakescope diag
//! ROOT TABLE --json`, output drained. Peer: Python deltalake (the pinned version, from PyPI into
//! target/tmp/bench-venv), `DeltaTable(path)` then `get_add_actions(flatten=True)` (the file
//! list with sizes, partition values and row counts: what either lakescope command reports on).
//! Targets: each lakescope command at or below the peer's time, with a lower peak RSS.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::median;

const COLUMNS: usize = 100;
const PARTITIONS: usize = 100;
const COMMITS: usize = 10;
const AFTER_CHECKPOINT: usize = 100;

fn schema_string() -> String {
    let mut fields: Vec<String> = (0..COLUMNS)
        .map(|c| format!(r#"{{"name":"c{c:03}","type":"long","nullable":true,"metadata":{{}}}}"#))
        .collect();
    fields.push(r#"{"name":"part","type":"string","nullable":true,"metadata":{}}"#.to_string());
    let schema = format!(r#"{{"type":"struct","fields":[{}]}}"#, fields.join(","));
    serde_json::to_string(&schema).unwrap()
}

/// One add action with statistics over every data column (deterministic from `i`).
fn add(i: usize, now_ms: i64) -> String {
    let part = i % PARTITIONS;
    let rows = 1_000 + (i * 7919) % 50_000;
    let mut stats = format!(r#"{{"numRecords":{rows},"minValues":{{"#);
    let base = (i as i64).wrapping_mul(2_654_435_761) % 1_000_000;
    let cols = |f: &dyn Fn(usize) -> i64| (0..COLUMNS).map(|c| format!(r#""c{c:03}":{}"#, f(c))).collect::<Vec<_>>();
    stats.push_str(&cols(&|c| base + c as i64).join(","));
    stats.push_str(r#"},"maxValues":{"#);
    stats.push_str(&cols(&|c| base + c as i64 + rows as i64).join(","));
    stats.push_str(r#"},"nullCount":{"#);
    stats.push_str(&cols(&|c| ((i + c) % 3) as i64).join(","));
    stats.push_str("}}");
    format!(
        "{{\"add\":{{\"path\":\"part={part:03}/f-{i:07}.parquet\",\"partitionValues\":{{\"part\":\"{part:03}\"}},\"size\":{},\"modificationTime\":{},\"dataChange\":true,\"stats\":{}}}}}\n",
        100_000 + (i * 104_729) % 20_000_000,
        now_ms - (i % 400) as i64 * 86_400_000,
        serde_json::to_string(&stats).unwrap()
    )
}

fn commit_info(v: usize, now_ms: i64) -> String {
    format!(
        "{{\"commitInfo\":{{\"timestamp\":{},\"operation\":\"WRITE\",\"operationParameters\":{{\"mode\":\"Append\"}},\"engineInfo\":\"lakescope-bench\"}}}}\n",
        now_ms - 3_600_000 + v as i64 * 1000
    )
}

/// The table, generated once per size (a marker file says it is complete).
fn generate(dir: &Path, adds: usize) -> PathBuf {
    let table = dir.join(format!("wide-{adds}"));
    let marker = dir.join(format!(".wide-{adds}-done"));
    if marker.exists() {
        return table;
    }
    let _ = std::fs::remove_dir_all(&table);
    let log = table.join("_delta_log");
    std::fs::create_dir_all(&log).unwrap();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let per_commit = adds / COMMITS;
    let mut next = 0;
    for v in 0..COMMITS {
        let path = log.join(format!("{v:020}.json"));
        let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
        w.write_all(commit_info(v, now_ms).as_bytes()).unwrap();
        if v == 0 {
            w.write_all(br#"{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}"#).unwrap();
            w.write_all(b"\n").unwrap();
            writeln!(
                w,
                r#"{{"metaData":{{"id":"wide","format":{{"provider":"parquet","options":{{}}}},"schemaString":{},"partitionColumns":["part"],"configuration":{{"delta.dataSkippingNumIndexedCols":"{COLUMNS}"}},"createdTime":{now_ms}}}}}"#,
                schema_string()
            )
            .unwrap();
        }
        let n = if v == COMMITS - 1 { adds - next } else { per_commit };
        for i in next..next + n {
            w.write_all(add(i, now_ms).as_bytes()).unwrap();
        }
        next += n;
        w.flush().unwrap();
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let url = url::Url::from_directory_path(&table).unwrap();
        let dt = deltalake::open_table(url).await.expect("the generated log opens");
        deltalake::checkpoints::create_checkpoint(&dt, None).await.expect("checkpoint");
    });
    let mut tail = commit_info(COMMITS, now_ms);
    for i in adds..adds + AFTER_CHECKPOINT {
        tail.push_str(&add(i, now_ms));
    }
    std::fs::write(log.join(format!("{COMMITS:020}.json")), tail).unwrap();
    std::fs::write(marker, b"").unwrap();
    table
}

/// Wall time and peak RSS (KiB) of one process run under GNU time; its stdout is drained.
fn timed(cmd: &[&str]) -> (Duration, u64, String) {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M"])
        .args(cmd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("GNU time runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{cmd:?} failed: {}", err.chars().take(2000).collect::<String>());
    let last = err.lines().last().unwrap_or_default();
    let mut parts = last.split_whitespace();
    let secs: f64 = parts.next().and_then(|s| s.parse().ok()).expect("elapsed from GNU time");
    let kib: u64 = parts.next().and_then(|s| s.parse().ok()).expect("max RSS from GNU time");
    (Duration::from_secs_f64(secs), kib, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn python() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp/bench-venv/bin/python");
    if venv.exists() { venv } else { PathBuf::from("python3") }
}

const PEER: &str = "import sys\nfrom deltalake import DeltaTable\n\
dt = DeltaTable(sys.argv[1])\nadds = dt.get_add_actions(flatten=True)\n\
print(dt.version(), adds.num_rows)\n";

struct Row {
    name: &'static str,
    time: Duration,
    rss_kib: u64,
}

fn measure(name: &'static str, cmd: &[&str], runs: usize, check: impl Fn(&str)) -> Row {
    let (_, _, out) = timed(cmd);
    check(&out);
    let mut times = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs {
        let (t, kib, _) = timed(cmd);
        times.push(t);
        rss.push(Duration::from_nanos(kib));
    }
    Row { name, time: median(times), rss_kib: median(rss).as_nanos() as u64 }
}

pub fn bench_log(dir: &Path, adds: usize, runs: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let t = std::time::Instant::now();
    let table = generate(dir, adds);
    let log_bytes: u64 = std::fs::read_dir(table.join("_delta_log"))
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "data: {} add actions with statistics over {COLUMNS} columns, {PARTITIONS} partitions, checkpoint at v{} + 1 commit; log {} ({:.0} s to generate or reuse)",
        adds + AFTER_CHECKPOINT,
        COMMITS - 1,
        lakescope::lake::units::bytes(log_bytes),
        t.elapsed().as_secs_f64()
    );
    let exe = std::env::current_exe().unwrap();
    let lakescope = exe.parent().unwrap().join("lakescope");
    assert!(lakescope.exists(), "build the lakescope binary with the same profile first ({})", lakescope.display());
    let ls = lakescope.to_str().unwrap();
    let table_s = table.to_str().unwrap();
    let root = dir.to_str().unwrap();
    let rel = table.file_name().unwrap().to_str().unwrap();
    let py = python();
    let version = Command::new(&py)
        .args(["-c", "import deltalake; print(deltalake.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if version.is_empty() {
        println!("peer: Python deltalake is not installed ({} -m pip install deltalake)", py.display());
        return;
    }
    println!("peer: Python deltalake {version}");
    println!("method: fresh process each, GNU time (wall, peak RSS); 1 warm-up, median of {runs} runs\n");
    let files = (adds + AFTER_CHECKPOINT) as u64;
    let peer =
        measure("python deltalake: load + add actions", &[py.to_str().unwrap(), "-c", PEER, table_s], runs, |o| {
            assert!(o.trim().ends_with(&files.to_string()), "the peer read every add: {o}")
        });
    let detail = measure("lakescope detail --json", &[ls, "detail", table_s, "--json"], runs, |o| {
        let v: serde_json::Value = serde_json::from_str(o).expect("detail prints JSON");
        assert_eq!(v["files"].as_u64(), Some(files), "detail counts every file");
    });
    let diag = measure("lakescope diag --json", &[ls, "diag", root, rel, "--json"], runs, |o| {
        let v: serde_json::Value = serde_json::from_str(o).expect("diag prints JSON");
        assert_eq!(v["totals"]["files"].as_u64(), Some(files), "diag counts every file");
    });
    println!("| command | wall time | peak RSS | time vs peer | RSS vs peer |");
    println!("|---|---|---|---|---|");
    for r in [&peer, &detail, &diag] {
        println!(
            "| {} | {:.0} ms | {:.0} MiB | {:.2}x | {:.2}x |",
            r.name,
            r.time.as_secs_f64() * 1000.0,
            r.rss_kib as f64 / 1024.0,
            r.time.as_secs_f64() / peer.time.as_secs_f64(),
            r.rss_kib as f64 / peer.rss_kib as f64
        );
    }
    let met = |r: &Row| r.time <= peer.time && r.rss_kib < peer.rss_kib;
    println!(
        "\ntargets (at or below the peer's time, lower peak RSS): detail {}, diag {}",
        if met(&detail) { "met" } else { "NOT met" },
        if met(&diag) { "met" } else { "NOT met" }
    );
}
