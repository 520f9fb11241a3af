//! Reliability of the write actions, through the real binary: compaction, convert-to-Delta and
//! vacuum keep every row exactly once (row count and an order-independent checksum of all rows,
//! before and after, and Delta time travel to the version before); a compaction killed with
//! SIGKILL at each of its steps (Parquet dataset and Delta table, local disk and the S3 test
//! server) leaves the table, after recovery, with the original checksum; an append committed
//! while a Delta compaction runs keeps its rows; and every refusal says why.
//!
//! Every test works on its own copy of a demo table (the shared demo lake is never written).

use crate::common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Proc, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::demo_lake;
use serde_json::Value;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("lakescope")
}

fn lakescope() -> Command {
    let mut cmd = Command::new(bin());
    cmd.env("LAKESCOPE_CONFIG", "").env("XDG_CONFIG_HOME", "/nonexistent").env_remove("LAKESCOPE_PAUSE_AT");
    cmd
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(out)))
}

fn run_json(args: &[&str]) -> Value {
    let out = lakescope().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "lakescope {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out.stdout)
}

/// `(rows, checksum)` of a table as lakescope's SQL reads it.
fn checksum(root: &str, table: &str, version: Option<u64>, extra: &[&str]) -> (u64, String) {
    let mut args = vec!["checksum", root, table, "--json"];
    let v = version.map(|v| v.to_string());
    if let Some(v) = &v {
        args.extend(["--version", v]);
    }
    args.extend(extra);
    let j = run_json(&args);
    (j["rows"].as_u64().unwrap(), j["sum"].as_str().unwrap().to_string())
}

/// A fresh copy of one demo table under `<tmp>/lake/<bucket>/<zone>/<table>`; returns the lake
/// root and the table's path below it.
fn copy_table(zone: &str, table: &str) -> (tempfile::TempDir, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let rel = format!("acme-lake/{zone}/{table}");
    copy_dir(&demo_lake().join(&rel), &tmp.path().join("lake").join(&rel));
    let root = tmp.path().join("lake").display().to_string();
    (tmp, root, rel)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() { copy_dir(&p, &dest) } else { std::fs::copy(&p, &dest).map(|_| ()).unwrap() }
    }
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

fn leftovers(dir: &Path) -> Vec<String> {
    files_under(dir).into_iter().filter(|f| f.contains("_lakescope-")).collect()
}

/// Start the binary paused at `point`; returns once it says it is paused there.
fn spawn_paused(args: &[&str], point: &str, env: &[(&str, String)]) -> (Child, PathBuf) {
    let log = tempfile::NamedTempFile::new().unwrap().into_temp_path().keep().unwrap();
    let mut cmd = Proc::new(bin());
    cmd.args(args)
        .env("LAKESCOPE_CONFIG", "")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("LAKESCOPE_PAUSE_AT", point)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains(&format!("paused at {point}")) {
            return (child, log);
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("lakescope {args:?} ended ({status}) before reaching {point}:\n{text}");
        }
        assert!(started.elapsed() < Duration::from_secs(120), "never reached {point}:\n{text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill9(mut child: Child) {
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
}

#[test]
fn dataset_compaction_keeps_every_row_once() {
    let (tmp, root, rel) = copy_table("bronze", "events");
    let files = files_under(&tmp.path().join("lake").join(&rel));
    let before = checksum(&root, &rel, None, &[]);
    let plan = run_json(&["compact", &root, &rel, "--dry-run", "--json"]);
    assert_eq!(plan["plan"]["files_to_rewrite"], 183, "{plan:#}");
    assert_eq!(plan["plan"]["outputs"], 14);
    assert_eq!(plan["plan"]["transactional"], false);
    assert!(plan["plan"]["notes"][0].as_str().unwrap().contains("count rows twice"), "the plan warns of duplicates");
    assert_eq!(files_under(&tmp.path().join("lake").join(&rel)), files, "a dry run writes nothing");

    let done = run_json(&["compact", &root, &rel, "--yes", "--json"]);
    let d = &done["outcome"]["dataset"];
    assert_eq!(d["files_removed"], 183, "{done:#}");
    assert_eq!(d["files_added"], 14);
    assert_eq!(d["rows"].as_u64(), Some(before.0));
    assert_eq!(done["outcome"]["after"]["totals"]["files"], 14);
    assert_eq!(done["outcome"]["before"]["totals"]["files"], 183);
    assert_eq!(checksum(&root, &rel, None, &[]), before, "the same rows, once each");
    let dir = tmp.path().join("lake").join(&rel);
    assert!(leftovers(&dir).is_empty(), "no journal or temporary file is left: {:?}", leftovers(&dir));
    assert_eq!(files_under(&dir).iter().filter(|f| f.ends_with(".parquet")).count(), 14);
    // Again: nothing left to do.
    let again = run_json(&["compact", &root, &rel, "--yes", "--json"]);
    assert_eq!(again["plan"]["files_to_rewrite"], 0);
}

#[test]
fn delta_compaction_keeps_rows_and_the_version_before() {
    let (_tmp, root, rel) = copy_table("silver", "orders");
    let before = checksum(&root, &rel, None, &[]);
    let plan = run_json(&["compact", &root, &rel, "--dry-run", "--json"]);
    let v = plan["plan"]["version"].as_u64().unwrap();
    let predicted = plan["plan"]["files_to_rewrite"].as_u64().unwrap();
    assert!(predicted >= 2, "{plan:#}");
    let done = run_json(&["compact", &root, &rel, "--yes", "--json"]);
    let d = &done["outcome"]["delta"];
    assert_eq!(d["version_before"].as_u64(), Some(v));
    assert_eq!(d["version_after"].as_u64(), Some(v + 1), "one transaction");
    assert_eq!(d["files_removed"].as_u64(), Some(predicted), "delta-rs did what the plan said: {done:#}");
    assert_eq!(d["files_added"].as_u64(), plan["plan"]["outputs"].as_u64());
    // delta-rs reads the data through lakescope's store, so the accounting sees it: at least
    // the bytes of the files it rewrote (the Parquet readers may read a footer twice).
    let (read, to_read) =
        (done["outcome"]["bytes_read"].as_u64().unwrap(), plan["plan"]["bytes_to_read"].as_u64().unwrap());
    assert!(read * 10 >= to_read * 9, "read {read} of the {to_read} bytes rewritten: {done:#}");
    assert_eq!(checksum(&root, &rel, None, &[]), before);
    assert_eq!(
        checksum(&root, &rel, Some(v), &[]),
        before,
        "time travel to the version before still reads the old data"
    );
    let history = run_json(&["history", &format!("{root}/{rel}"), "--limit", "1", "--json"]);
    assert_eq!(history[0]["operation"], "OPTIMIZE", "{history:#}");
}

#[test]
fn partition_and_zorder_compaction() {
    let (_tmp, root, rel) = copy_table("bronze", "events");
    let before = checksum(&root, &rel, None, &[]);
    let one = run_json(&["compact", &root, &rel, "--partition", "date=2026-11-11", "--yes", "--json"]);
    assert_eq!(one["plan"]["partitions"].as_array().unwrap().len(), 1, "{one:#}");
    assert_eq!(one["plan"]["partitions"][0]["partition"], "date=2026-11-11");
    assert_eq!(one["outcome"]["dataset"]["files_removed"], 36);
    // A partition that does not exist is said so, not silently "nothing to compact".
    let none = run_json(&["compact", &root, &rel, "--partition", "day=2026-11-11", "--dry-run", "--json"]);
    assert_eq!(none["plan"]["files_to_rewrite"], 0);
    let note = none["plan"]["notes"][0].as_str().unwrap();
    assert!(note.contains("no partition matches day=2026-11-11") && note.contains("date="), "{note}");
    assert_eq!(checksum(&root, &rel, None, &[]), before);
    // Z-order is a Delta rewrite: refused on a dataset, then done after convert-to-Delta.
    let out = lakescope().args(["compact", &root, &rel, "--zorder", "user_id", "--yes"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("convert the dataset to Delta first"));
    let conv = run_json(&["convert", &root, &rel, "--yes", "--json"]);
    assert_eq!(conv["outcome"]["version"], 0, "{conv:#}");
    assert_eq!(conv["partition_columns"][0], "date: date");
    assert_eq!(checksum(&root, &rel, None, &[]), before, "convert keeps every row and the partition values");
    let z = run_json(&["compact", &root, &rel, "--zorder", "user_id", "--yes", "--json"]);
    assert_eq!(z["plan"]["kind"], "z_order");
    assert_eq!(z["outcome"]["delta"]["version_after"], 1, "{z:#}");
    assert_eq!(checksum(&root, &rel, None, &[]), before);
    assert_eq!(checksum(&root, &rel, Some(0), &[]), before, "the converted version is still readable");
}

#[test]
fn vacuum_lists_first_and_needs_an_override_below_the_retention() {
    let (tmp, root, rel) = copy_table("silver", "orders");
    let dir = tmp.path().join("lake").join(&rel);
    let before = checksum(&root, &rel, None, &[]);
    run_json(&["compact", &root, &rel, "--yes", "--json"]);
    let v = run_json(&["vacuum", &root, &rel, "--dry-run", "--json"]);
    assert_eq!(v["plan"]["retention_hours"], 168.0, "the table's 7 days by default");
    assert_eq!(v["plan"]["files"].as_array().unwrap().len(), 0, "nothing removed a week ago: {v:#}");
    // Below the retention without the override: refused, with the reason, nothing deleted.
    let files = files_under(&dir);
    let out = lakescope().args(["vacuum", &root, &rel, "--retain", "0h", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("shorter than the table's 168 h"), "{err}");
    assert_eq!(files_under(&dir), files);
    let dry = run_json(&["vacuum", &root, &rel, "--retain", "0h", "--override-retention", "--dry-run", "--json"]);
    let listed: Vec<String> =
        dry["plan"]["files"].as_array().unwrap().iter().map(|f| f[0].as_str().unwrap().to_string()).collect();
    assert!(!listed.is_empty());
    for f in &listed {
        assert!(dir.join(f).exists(), "the dry run lists files that exist: {f}");
    }
    let oldest = dry["plan"]["oldest_readable_version"].as_u64().unwrap();
    assert!(oldest > 0, "{dry:#}");
    assert_eq!(files_under(&dir), files, "a dry run deletes nothing");
    let done = run_json(&["vacuum", &root, &rel, "--retain", "0h", "--override-retention", "--yes", "--json"]);
    assert_eq!(done["outcome"]["files_deleted"].as_u64(), Some(listed.len() as u64), "{done:#}");
    for f in &listed {
        assert!(!dir.join(f).exists(), "deleted: {f}");
    }
    assert_eq!(checksum(&root, &rel, None, &[]), before, "the current version keeps every row");
    assert_eq!(checksum(&root, &rel, Some(oldest), &[]), before, "v{oldest} stays readable as the plan said");
    let old = lakescope().args(["checksum", &root, &rel, "--version", "1"]).output().unwrap();
    assert!(!old.status.success(), "versions before v{oldest} are no longer readable, as the plan said");
}

#[test]
fn refusals_say_why_and_change_nothing() {
    let (tmp, root, rel) = copy_table("bronze", "events");
    let dir = tmp.path().join("lake").join(&rel);
    copy_dir(&demo_lake().join("acme-lake/silver/orders"), &tmp.path().join("lake/acme-lake/silver/orders"));
    let files = files_under(&dir);
    // --read-only
    let out = lakescope().args(["--read-only", "compact", &root, &rel, "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"), "{}", String::from_utf8_lossy(&out.stderr));
    // A lake marked read-only in the config.
    let cfg = tmp.path().join("config.toml");
    std::fs::write(&cfg, format!("[lakes.prod]\nurl = \"{root}\"\nread_only = true\n")).unwrap();
    for args in [
        vec!["compact", "prod", &rel, "--yes"],
        vec!["convert", "prod", &rel, "--yes"],
        vec!["vacuum", "prod", "acme-lake/silver/orders", "--yes"],
    ] {
        let out = Command::new(bin()).env("LAKESCOPE_CONFIG", &cfg).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains("\"prod\" is read-only"), "{args:?}: {err}");
    }
    // Nobody to confirm: not run.
    let out = lakescope().args(["compact", &root, &rel]).write_stdin("").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --yes"));
    // A CSV table is not compacted.
    let (_t2, root2, csv) = copy_table("raw", "customers");
    let out = lakescope().args(["compact", &root2, &csv, "--yes"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("compacts Delta tables and Parquet datasets"), "{err}");
    assert_eq!(files_under(&dir), files, "nothing was written by any refusal");
}

#[test]
fn unsupported_delta_tables_are_refused_with_the_reason() {
    let Some(shared) = common::shared_testdata() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("lake/cm");
    copy_dir(&shared.join("delta/delta-rs/table_with_column_mapping"), &t);
    let root = tmp.path().join("lake").display().to_string();
    let files = files_under(&t);
    let out = lakescope().args(["compact", &root, "cm", "--yes"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("column mapping"), "{err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
    assert_eq!(files_under(&t), files);
}

/// Tables written by other engines: compacted (small target so files merge) with the same rows
/// and the version before still readable, or refused with a reason.
#[test]
fn shared_testdata_tables_keep_their_rows() {
    let Some(shared) = common::shared_testdata() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let lake = tmp.path().join("lake");
    let tables = [
        "delta-rs/delta-0.8.0-partitioned",
        "delta-rs/simple_table",
        "delta-rs/simple_table_with_checkpoint",
        "delta-rs/table_with_deletion_logs",
        "delta-golden/data-reader-partition-values/delta",
    ];
    let root = lake.display().to_string();
    let mut compacted = 0;
    for (i, t) in tables.iter().enumerate() {
        let name = format!("t{i}");
        copy_dir(&shared.join("delta").join(t), &lake.join(&name));
        let out = lakescope().args(["checksum", &root, &name, "--json"]).output().unwrap();
        if !out.status.success() {
            eprintln!("{t}: not readable by lakescope's SQL, skipped: {}", String::from_utf8_lossy(&out.stderr));
            continue;
        }
        let before = json_of(&out.stdout);
        let out =
            lakescope().args(["compact", &root, &name, "--target-size", "64MiB", "--yes", "--json"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!err.contains("panicked"), "{t}: {err}");
        if !out.status.success() {
            assert!(!err.trim().is_empty(), "{t}: a refusal has a reason");
            eprintln!("{t}: refused: {err}");
            continue;
        }
        let done = json_of(&out.stdout);
        let after = run_json(&["checksum", &root, &name, "--json"]);
        assert_eq!((&after["rows"], &after["sum"]), (&before["rows"], &before["sum"]), "{t}: {done:#}");
        if let Some(d) = done["outcome"]["delta"].as_object() {
            compacted += 1;
            let v = d["version_before"].as_u64().unwrap();
            let old = run_json(&["checksum", &root, &name, "--version", &v.to_string(), "--json"]);
            assert_eq!(old["sum"], before["sum"], "{t}: v{v} still reads the old data");
        }
    }
    assert!(compacted >= 2, "at least two engine-written tables were compacted");
    // A dataset of files written by parquet-mr / Impala: three copies of one file merge into one.
    let ds = lake.join("ds");
    std::fs::create_dir_all(&ds).unwrap();
    for i in 0..3 {
        std::fs::copy(
            shared.join("parquet/parquet-testing/data/alltypes_plain.parquet"),
            ds.join(format!("part-{i}.parquet")),
        )
        .unwrap();
    }
    let before = checksum(&root, "ds", None, &[]);
    assert_eq!(before.0, 24);
    let done = run_json(&["compact", &root, "ds", "--yes", "--json"]);
    assert_eq!(done["outcome"]["dataset"]["files_added"], 1, "{done:#}");
    assert_eq!(checksum(&root, "ds", None, &[]), before, "INT96 timestamps and all: the same rows");
}

/// Kill -9 a dataset compaction at each step; recovery restores exactly the original rows.
#[test]
fn a_killed_dataset_compaction_recovers_to_the_same_rows() {
    for point in ["outputs-written", "journal-written", "published-one", "inputs-deleting"] {
        let (tmp, root, rel) = copy_table("bronze", "events");
        let dir = tmp.path().join("lake").join(&rel);
        let before = checksum(&root, &rel, None, &[]);
        let (child, _) = spawn_paused(&["compact", &root, &rel, "--yes"], point, &[]);
        kill9(child);
        // The next open says so, when a journal is there.
        let tables = run_json(&["tables", &root, "--json"]);
        let issues = tables[0]["issues"].to_string();
        let journaled = ["journal-written", "published-one", "inputs-deleting"].contains(&point);
        assert_eq!(issues.contains("interrupted compaction"), journaled, "{point}: {issues}");
        // Recover: through `recover` for some points, through the next compaction for the others.
        if point == "published-one" || point == "outputs-written" {
            let done = run_json(&["compact", &root, &rel, "--yes", "--json"]);
            assert!(done["outcome"]["recovery"].is_object(), "{point}: {done:#}");
        } else {
            let r = run_json(&["recover", &root, &rel, "--json"]);
            let forward = r["rolled_forward"].as_array().unwrap().len();
            assert_eq!(forward > 0, journaled, "{point}: {r:#}");
        }
        assert_eq!(checksum(&root, &rel, None, &[]), before, "{point}: every row exactly once");
        assert!(leftovers(&dir).is_empty(), "{point}: {:?}", leftovers(&dir));
    }
}

/// Kill -9 a Delta compaction after it wrote files and just before it commits: the table is
/// unchanged (the files are not in the log), and the next compaction works.
#[test]
fn a_killed_delta_compaction_leaves_the_table_as_it_was() {
    for point in ["output-written", "delta-commit"] {
        let (_tmp, root, rel) = copy_table("silver", "orders");
        let before = checksum(&root, &rel, None, &[]);
        let v = run_json(&["detail", &format!("{root}/{rel}"), "--json"])["version"].as_u64().unwrap();
        let (child, _) = spawn_paused(&["compact", &root, &rel, "--yes"], point, &[]);
        kill9(child);
        let after = run_json(&["detail", &format!("{root}/{rel}"), "--json"]);
        assert_eq!(after["version"].as_u64(), Some(v), "{point}: nothing committed");
        assert_eq!(checksum(&root, &rel, None, &[]), before, "{point}");
        let done = run_json(&["compact", &root, &rel, "--yes", "--json"]);
        assert_eq!(done["outcome"]["delta"]["version_after"].as_u64(), Some(v + 1), "{point}");
        assert_eq!(checksum(&root, &rel, None, &[]), before, "{point}");
    }
}

/// An append committed while a compaction waits to commit: both succeed (delta-rs's conflict
/// check lets a compaction pass an append), or the compaction fails saying there was a conflict;
/// either way the appended rows are there and none is lost or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_append_during_a_delta_compaction_keeps_its_rows() {
    use deltalake::datafusion::prelude::{SessionConfig, SessionContext};
    let (tmp, root, rel) = copy_table("silver", "orders");
    let before = checksum(&root, &rel, None, &[]);
    let release = tmp.path().join("release");
    let (mut child, log) = spawn_paused(
        &["compact", &root, &rel, "--yes", "--json"],
        "delta-commit",
        &[("LAKESCOPE_PAUSE_RELEASE", release.display().to_string())],
    );
    // Append five existing rows again, as a new commit, with deltalake.
    let url = url::Url::from_directory_path(tmp.path().join("lake").join(&rel)).unwrap();
    let table = deltalake::open_table(url).await.unwrap();
    let config = SessionConfig::new().set_bool("datafusion.execution.parquet.schema_force_view_types", false);
    let ctx = SessionContext::new_with_config(config);
    table.update_datafusion_session(&ctx.state()).unwrap();
    let provider = table.table_provider().await.unwrap();
    let batches = ctx.read_table(provider).unwrap().limit(0, Some(5)).unwrap().collect().await.unwrap();
    let mut appended = lakescope::lake::maintain::Checksum::default();
    for b in &batches {
        appended.add_batch(b, None).unwrap();
    }
    assert_eq!(appended.rows, 5);
    table.write(batches).with_save_mode(deltalake::protocol::SaveMode::Append).await.unwrap();
    std::fs::write(&release, b"go").unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::fs::File::open(&log).unwrap().read_to_string(&mut err).unwrap();
    let (rows, sum) = checksum(&root, &rel, None, &[]);
    let expected = u128::from_str_radix(&before.1, 16).unwrap().wrapping_add(appended.sum);
    assert_eq!(rows, before.0 + 5, "the appended rows are there, once: {err}");
    assert_eq!(sum, format!("{expected:032x}"), "and every other row once: {err}");
    if !status.success() {
        assert!(err.contains("conflict"), "a failed compaction names the conflict: {err}");
    }
    eprintln!("compaction during an append: {}", if status.success() { "both committed" } else { "conflict reported" });
}

/// The same kills on the S3 test server: a dataset at its journal and mid-publish, a Delta table
/// before its commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_compactions_on_s3_recover_to_the_same_rows() {
    let Some(moto) = common::s3::moto() else { return };
    for (zone, table, point) in [
        ("bronze", "events", "journal-written"),
        ("bronze", "events", "inputs-deleting"),
        ("silver", "orders", "delta-commit"),
    ] {
        let b = common::s3::bucket("compact");
        moto.create_bucket(&b);
        let store = moto.store(&format!("s3://{b}"));
        let rel = format!("{zone}/{table}");
        common::s3::upload_dir(&store, &demo_lake().join("acme-lake").join(&rel), &rel).await;
        let root = format!("s3://{b}");
        let flags = ["--endpoint", moto.endpoint.as_str(), "--allow-http"];
        let env = moto.env();
        let sum = |version: Option<u64>| {
            let mut cmd = lakescope();
            for (k, v) in &env {
                cmd.env(k, v);
            }
            let mut args = vec!["checksum", root.as_str(), rel.as_str(), "--json"];
            args.extend(flags);
            let v = version.map(|v| v.to_string());
            if let Some(v) = &v {
                args.extend(["--version", v]);
            }
            let out = cmd.args(&args).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let j = json_of(&out.stdout);
            (j["rows"].as_u64().unwrap(), j["sum"].as_str().unwrap().to_string())
        };
        let before = sum(None);
        let mut args = vec!["compact", root.as_str(), rel.as_str(), "--yes"];
        args.extend(flags);
        let (child, _) = spawn_paused(&args, point, &env);
        kill9(child);
        let mut cmd = lakescope();
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let mut rec = vec!["compact", root.as_str(), rel.as_str(), "--yes", "--json"];
        rec.extend(flags);
        let out = cmd.args(&rec).output().unwrap();
        assert!(out.status.success(), "{point}: {}", String::from_utf8_lossy(&out.stderr));
        let done = json_of(&out.stdout);
        if zone == "bronze" {
            assert!(
                done["outcome"]["recovery"]["rolled_forward"].as_array().is_some_and(|a| !a.is_empty()),
                "{done:#}"
            );
        }
        assert_eq!(sum(None), before, "{point} on S3: every row exactly once");
        if let Some(v) = done["outcome"]["delta"]["version_before"].as_u64() {
            assert_eq!(sum(Some(v)), before, "time travel on S3");
        }
    }
}
