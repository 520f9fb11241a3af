//! Diagnostics acceptance: `lakescope diag` on the demo lake through the real binary, with every
//! figure checked against a separate count made here (files and bytes from walking the disk,
//! rows from the Parquet footers read with the parquet crate, live files from deltalake); the
//! same dataset on the S3 test server gives the same figures with one LIST page; and every table
//! of ../shared/testdata gets a diagnostic or a readable reason.

use crate::common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use common::demo_lake;
use lakescope::config::Config;
use lakescope::lake::diag::{self, DiagOptions};
use lakescope::lake::store::requests::RequestKind;
use lakescope::lake::{LakeStore, discover};
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

fn lakescope() -> Command {
    let mut cmd = Command::cargo_bin("lakescope").unwrap();
    cmd.env("LAKESCOPE_CONFIG", "").env("XDG_CONFIG_HOME", "/nonexistent").env_remove("NO_COLOR");
    cmd
}

fn json(args: &[&str]) -> Value {
    let out = lakescope().args(args).assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&out)))
}

/// Data files under `dir` (`.parquet`, outside `_delta_log`), with their sizes.
fn parquet_files(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if p.is_dir() {
                if !name.starts_with('_') {
                    stack.push(p);
                }
            } else if name.ends_with(".parquet") {
                out.push((p.clone(), e.metadata().unwrap().len()));
            }
        }
    }
    out
}

fn footer_rows(path: &Path) -> u64 {
    let r = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    r.metadata().file_metadata().num_rows() as u64
}

fn finding<'a>(diag: &'a Value, kind: &str) -> &'a Value {
    diag["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} finding in {:#}", diag["findings"]))
}

#[test]
fn bronze_events_is_flagged_for_small_files_and_its_skewed_partition_is_named() {
    let lake = demo_lake();
    let d = json(&["diag", lake.to_str().unwrap(), "acme-lake/bronze/events", "--json"]);
    assert_eq!(d["kind"], "table");
    let dir = lake.join("acme-lake/bronze/events");
    let files = parquet_files(&dir);
    let bytes: u64 = files.iter().map(|f| f.1).sum();
    let rows: u64 = files.iter().map(|f| footer_rows(&f.0)).sum();
    let partitions = std::fs::read_dir(&dir).unwrap().flatten().filter(|e| e.path().is_dir()).count();
    assert_eq!(d["totals"]["files"], files.len() as u64);
    assert_eq!(d["totals"]["bytes"], bytes);
    assert_eq!(d["totals"]["rows"], rows);
    assert_eq!(d["totals"]["partitions"], partitions as u64);

    let small = finding(&d, "small_files");
    assert!(small["severity"] == "warn" || small["severity"] == "critical", "{small:#}");
    assert_eq!(small["action"], "compact");
    // Every file is small; compaction leaves one file per partition.
    assert_eq!(d["small_files"]["small"], files.len() as u64);
    assert_eq!(d["small_files"]["after_compaction"], partitions as u64);

    // The skewed partition, by a separate count: the folder with the most bytes.
    let biggest = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .max_by_key(|e| parquet_files(&e.path()).iter().map(|f| f.1).sum::<u64>())
        .unwrap()
        .file_name()
        .to_string_lossy()
        .to_string();
    assert_eq!(biggest, "date=2026-11-11");
    let skew = finding(&d, "skew");
    assert_eq!(skew["partition"], biggest.as_str());
    assert!(skew["title"].as_str().unwrap().contains(&biggest), "{skew:#}");
    assert!(d["partitions"]["skew"].as_f64().unwrap() > 3.0);
    assert_eq!(d["partitions"]["list"][0]["name"], biggest.as_str());
    assert_eq!(d["partitions"]["list"][0]["files"], parquet_files(&dir.join(&biggest)).len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silver_orders_shows_its_stale_bytes_and_live_figures() {
    let lake = demo_lake();
    let dir = lake.join("acme-lake/silver/orders");
    let d = json(&["diag", lake.to_str().unwrap(), "acme-lake/silver/orders", "--json"]);

    // Live files according to deltalake itself; everything else on disk is stale.
    let url = url::Url::from_directory_path(&dir).unwrap();
    let table = deltalake::open_table(url).await.unwrap();
    let live: HashSet<String> = table.snapshot().unwrap().log_data().iter().map(|f| f.path().to_string()).collect();
    let on_disk = parquet_files(&dir);
    let rel = |p: &Path| p.strip_prefix(&dir).unwrap().to_string_lossy().to_string();
    let (live_files, stale_files): (Vec<_>, Vec<_>) = on_disk.iter().partition(|(p, _)| live.contains(&rel(p)));
    assert_eq!(live_files.len(), live.len(), "every live file is on disk");
    let stale_bytes: u64 = stale_files.iter().map(|f| f.1).sum();
    assert!(stale_bytes > 0, "the demo's updates and deletes leave removed files behind");

    assert_eq!(d["version"], 12);
    assert_eq!(d["totals"]["files"], live.len() as u64);
    assert_eq!(d["totals"]["bytes"], live_files.iter().map(|f| f.1).sum::<u64>());
    assert_eq!(d["totals"]["rows"], live_files.iter().map(|f| footer_rows(&f.0)).sum::<u64>());
    assert_eq!(d["totals"]["stale_files"], stale_files.len() as u64);
    assert_eq!(d["totals"]["stale_bytes"], stale_bytes);
    let stale = finding(&d, "stale_data");
    assert_eq!(stale["action"], "vacuum");
    assert_eq!(d["cost"]["stale"]["bytes"], stale_bytes);
    assert_eq!(d["cost"]["stale"]["listed"], true);
    assert_eq!(d["cost"]["stale"]["retention_hours"], 168);
    // Written minutes ago: nothing is past the 7-day retention yet.
    assert_eq!(d["cost"]["stale"]["vacuumable_bytes"], 0);
    // Growth over its 13 versions ends at today's size.
    let growth = d["growth"].as_array().unwrap();
    assert_eq!(growth.len(), 13);
    assert_eq!(growth.last().unwrap()["bytes"], d["totals"]["bytes"]);

    // From the log alone (no listing): the tombstones give the same stale bytes here.
    let log_only = json(&["diag", lake.to_str().unwrap(), "acme-lake/silver/orders", "--json", "--log-only"]);
    assert_eq!(log_only["totals"]["stale_bytes"], stale_bytes);
    assert_eq!(log_only["cost"]["stale"]["listed"], false);
}

#[test]
fn the_whole_lake_rolls_up_with_the_worst_table_first() {
    let lake = demo_lake();
    let r = json(&["diag", lake.to_str().unwrap(), "--json", "--price-as", "s3"]);
    assert_eq!(r["kind"], "lake");
    let tables = r["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 9);
    assert!(r["failed"].as_array().unwrap().is_empty(), "{:#}", r["failed"]);
    assert_eq!(tables[0]["table"], "acme-lake/bronze/events");
    let sum = |k: &str| tables.iter().map(|t| t[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(r["totals"]["files"], sum("files"));
    assert_eq!(r["totals"]["bytes"], sum("bytes"));
    // Priced as S3: storage costs something, and the price's source is carried.
    assert!(r["totals"]["monthly_usd"].as_f64().unwrap() > 0.0);
    let d = &r["diagnostics"][0];
    assert!(d["cost"]["source"].as_str().unwrap().contains("aws.amazon.com"), "{:#}", d["cost"]);
    assert_eq!(d["cost"]["checked"], "2025-06");
    // A zone rollup holds only that zone's tables.
    let silver = json(&["diag", lake.to_str().unwrap(), "acme-lake/silver", "--json"]);
    assert_eq!(silver["kind"], "zone");
    let names: Vec<&str> = silver["tables"].as_array().unwrap().iter().map(|t| t["table"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("acme-lake/silver/")), "{names:?}");

    // Text: the ranking and the table report name the same things.
    let out = lakescope().args(["diag", lake.to_str().unwrap()]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("WARN  acme-lake/bronze/events"), "{text}");
    let out = lakescope()
        .args(["diag", lake.to_str().unwrap(), "acme-lake/bronze/events", "--ascii"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("skew") && text.contains("date=2026-11-11") && text.contains("FILE SIZES"), "{text}");
    assert!(text.is_ascii() || !text.contains('█'), "--ascii draws bars with #");
}

#[test]
fn wrong_paths_and_prices_are_clear_errors() {
    let lake = demo_lake();
    let out = lakescope()
        .args(["diag", lake.to_str().unwrap(), "acme-lake/nope"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("no entry \"acme-lake/nope\""));
    let out = lakescope()
        .args(["diag", lake.to_str().unwrap(), "--price-as", "moon"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("no prices for \"moon\""), "{}", String::from_utf8_lossy(&out));
}

async fn diagnose_all(store: Arc<LakeStore>) -> (Vec<diag::TableDiag>, Vec<diag::rollup::Failure>) {
    let config = Config::defaults();
    let catalog =
        discover(store.clone(), config.discovery.clone(), CancellationToken::new(), &mut |_| {}).await.unwrap();
    let tables: Vec<_> = catalog.tables().map(|(n, t)| (catalog.names_to(n.id).join("/"), t.clone())).collect();
    let opts = DiagOptions::new(&config.diagnostics);
    let prices = config.pricing.for_scheme(store.url.scheme);
    diag::diagnose_tables(
        &store,
        tables,
        &config.gather_options(),
        &opts,
        &prices,
        4,
        &CancellationToken::new(),
        &mut |_, _, _| {},
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dataset_on_s3_gives_the_same_figures_from_one_list_page() {
    let Some(moto) = common::s3::moto() else { return };
    let b = common::s3::bucket("diag");
    moto.create_bucket(&b);
    let store = moto.store(&format!("s3://{b}"));
    let local = demo_lake().join("acme-lake/bronze/events");
    let objects = common::s3::upload_dir(&store, &local, "bronze/events").await;
    let store = Arc::new(moto.store(&format!("s3://{b}")));
    let config = Config::defaults();
    let run = |keep: bool| {
        let store = store.clone();
        let config = config.clone();
        async move {
            let mut discovery = config.discovery.clone();
            discovery.keep_files = keep;
            let catalog = discover(store.clone(), discovery, CancellationToken::new(), &mut |_| {}).await.unwrap();
            let (node, table) = catalog.tables().next().unwrap();
            let name = catalog.names_to(node.id).join("/");
            let lists = store.stats.count(RequestKind::List);
            let gets = store.stats.count(RequestKind::Get) + store.stats.count(RequestKind::RangedGet);
            let out = diag::diagnose_tables(
                &store,
                vec![(name, table.clone())],
                &config.gather_options(),
                &DiagOptions::new(&config.diagnostics),
                &config.pricing.for_scheme(store.url.scheme),
                1,
                &CancellationToken::new(),
                &mut |_, _, _| {},
            )
            .await
            .unwrap();
            let lists = store.stats.count(RequestKind::List) - lists;
            let gets = store.stats.count(RequestKind::Get) + store.stats.count(RequestKind::RangedGet) - gets;
            (out, lists, gets)
        }
    };
    // With discovery's listing kept (what `lakescope diag` does), the diagnostics list nothing.
    let ((kept, _), kept_lists, _) = run(true).await;
    assert_eq!(kept_lists, 0, "the table is not listed a second time");
    let ((diags, failed), lists, reads) = run(false).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].totals, diags[0].totals, "the same diagnostics either way");
    assert!(failed.is_empty(), "{failed:?}");
    let d = &diags[0];
    // Without it: one LIST page holds the dataset's objects (fewer than 1,000); one footer read
    // per file.
    assert!(objects < 1_000);
    assert_eq!(lists, 1);
    assert_eq!(reads, d.totals.files);
    // The same figures as on disk.
    let files = parquet_files(&local);
    assert_eq!(d.totals.files, files.len() as u64);
    assert_eq!(d.totals.bytes, files.iter().map(|f| f.1).sum::<u64>());
    assert_eq!(d.totals.rows, Some(files.iter().map(|f| footer_rows(&f.0)).sum::<u64>()));
    assert_eq!(d.partitions.list[0].name, "date=2026-11-11");
    // Priced as S3 for real: storage and a full scan cost something.
    assert!(d.cost.monthly_usd > 0.0 && d.cost.scan_now.usd > d.cost.scan_after_compaction.usd);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_test_table_gets_a_diagnostic_or_a_reason() {
    let Some(root) = common::shared_testdata() else { return };
    let store = Arc::new(LakeStore::open_local(root.to_str().unwrap()).unwrap());
    let catalog =
        discover(store.clone(), Config::defaults().discovery, CancellationToken::new(), &mut |_| {}).await.unwrap();
    let expected = catalog.tables().count();
    let (diags, failed) = diagnose_all(store).await;
    assert_eq!(diags.len() + failed.len(), expected, "every table is accounted for");
    let mut report = Vec::new();
    for d in &diags {
        report.push(format!("ok    {} ({} files, {} findings)", d.table, d.totals.files, d.findings.len()));
        // Every figure holds together.
        assert_eq!(d.small_files.histogram.iter().map(|b| b.files).sum::<u64>(), d.totals.files, "{}", d.table);
        assert_eq!(d.partitions.list.iter().map(|p| p.bytes).sum::<u64>(), d.totals.bytes, "{}", d.table);
        assert!(d.small_files.after_compaction <= d.totals.files, "{}", d.table);
    }
    for f in &failed {
        assert!(f.reason.len() > 20 && !f.reason.contains("panicked"), "{}: unclear reason {:?}", f.table, f.reason);
        report.push(format!("error {}: {}", f.table, f.reason));
    }
    report.sort();
    println!("{}", report.join("\n"));
    assert!(diags.len() > failed.len(), "most shared tables are diagnosed");
    // A corrupt footer is a finding of its table, not a failure of the diagnostics.
    let corrupt = diags.iter().find(|d| d.table.ends_with("PARQUET-1481")).expect("PARQUET-1481 diagnosed");
    assert!(corrupt.findings.iter().any(|f| f.kind == "unreadable_files"), "{:?}", corrupt.findings);
    assert_eq!(corrupt.totals.rows, None);
    // Stale files of Delta tables are checked against a listing: they are on disk, so they never
    // add up to more than the table's data files there.
    let stale: Vec<_> = diags.iter().filter(|d| d.format == "delta" && d.totals.stale_files > 0).collect();
    assert!(!stale.is_empty(), "some shared Delta tables were written over");
    for d in stale {
        let on_disk: u64 = parquet_files(&root.join(&d.path)).iter().map(|f| f.1).sum();
        assert!(d.totals.stale_bytes <= on_disk, "{}: {} stale > {on_disk} on disk", d.table, d.totals.stale_bytes);
    }
}
