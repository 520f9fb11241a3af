//! Acceptance over the real tables and files in `../shared/testdata` (written by Spark,
//! Databricks, parquet-mr, pyarrow, delta-rs…): discovery finds every Delta table and Parquet
//! file its MANIFEST lists, with the right format, and the detail of every table loads or fails
//! with a readable message. Skipped with a printed reason when the data is absent.

use crate::common;

use std::sync::Arc;

use lakescope::config::Config;
use lakescope::lake::{Catalog, LakeStore, TableEntry, TableFormat, discover, load_detail};
use tokio_util::sync::CancellationToken;

/// Paths in the first column of the MANIFEST's tables, by top-level folder.
fn manifest_paths(manifest: &str, top: &str) -> Vec<String> {
    manifest
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(p, _)| p.to_string()))
        .filter(|p| p.starts_with(&format!("{top}/")))
        .collect()
}

async fn discover_testdata(root: &std::path::Path) -> (Arc<LakeStore>, Arc<Catalog>) {
    let store = Arc::new(LakeStore::open_local(root.to_str().unwrap()).unwrap());
    let catalog = discover(store.clone(), Config::defaults().discovery, CancellationToken::new(), &mut |_| {})
        .await
        .expect("the test data lists");
    (store, catalog)
}

fn glob_matches(glob: &str, name: &str) -> bool {
    // `*` matches any run of characters; everything else literally.
    let parts: Vec<&str> = glob.split('*').collect();
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty() || parts.len() > 1
}

/// The table holding a file: the file itself, or a folder table whose glob (if any) matches.
fn table_of<'a>(tables: &'a [&'a TableEntry], file: &str) -> Option<&'a TableEntry> {
    let (dir, name) = file.rsplit_once('/').unwrap_or(("", file));
    tables.iter().copied().find(|t| {
        t.path == file
            || (t.path == dir && t.file_glob.as_deref().is_none_or(|g| glob_matches(g, name)))
            || (file.starts_with(&format!("{}/", t.path)) && t.file_glob.is_none() && !t.path.is_empty())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_manifest_delta_table_and_parquet_file_is_found_with_its_format() {
    let Some(root) = common::shared_testdata() else { return };
    let manifest = std::fs::read_to_string(root.join("MANIFEST.md")).unwrap();
    let deltas = manifest_paths(&manifest, "delta");
    let parquets = manifest_paths(&manifest, "parquet");
    assert!(
        deltas.len() >= 19 && parquets.len() >= 35,
        "MANIFEST parsing: {} delta, {} parquet",
        deltas.len(),
        parquets.len()
    );

    let (_, catalog) = discover_testdata(&root).await;
    let tables: Vec<&TableEntry> = catalog.tables().map(|(_, t)| t).collect();

    let mut missing = Vec::new();
    for path in &deltas {
        match tables.iter().find(|t| &t.path == path) {
            Some(t) if t.format == TableFormat::Delta => {}
            Some(t) => missing.push(format!("{path}: found as {}", t.format.as_str())),
            None => missing.push(format!("{path}: no table")),
        }
    }
    for file in &parquets {
        match table_of(&tables, file) {
            Some(t) if t.format == TableFormat::Parquet => {}
            Some(t) => missing.push(format!("{file}: inside {} table {}", t.format.as_str(), t.path)),
            None => missing.push(format!("{file}: in no table")),
        }
    }
    assert!(missing.is_empty(), "not found as listed in the MANIFEST:\n{}", missing.join("\n"));
    println!("found {} Delta tables and {} Parquet files of the MANIFEST", deltas.len(), parquets.len());

    // A table's own folders are never more tables: nothing is found inside a Delta table.
    for d in &deltas {
        let inner: Vec<&str> =
            tables.iter().filter(|t| t.path.starts_with(&format!("{d}/"))).map(|t| t.path.as_str()).collect();
        assert!(inner.is_empty(), "tables found inside {d}: {inner:?}");
    }
    // Hive partitions of a Delta table are read from its folders.
    let partitioned = tables.iter().find(|t| t.path == "delta/delta-rs/delta-0.8.0-partitioned").unwrap();
    let names: Vec<&str> = partitioned.partitions.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["year", "month", "day"]);
    // The extension-less fuzzer file was recognised by its magic bytes.
    let fuzz = tables.iter().find(|t| t.path.ends_with("fuzzing")).unwrap();
    assert_eq!((fuzz.format, fuzz.files), (TableFormat::Parquet, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_detail_loads_or_fails_with_a_readable_reason() {
    let Some(root) = common::shared_testdata() else { return };
    let (store, catalog) = discover_testdata(&root).await;
    let mut report = Vec::new();
    for (_, t) in catalog.tables() {
        match load_detail(&store, t).await {
            Ok(d) => {
                assert!(!d.columns.is_empty() || t.format == TableFormat::Delta, "{}: no columns", t.path);
                report.push(format!("ok    {} ({} columns)", t.path, d.columns.len()));
            }
            Err(e) => {
                let text = e.to_string();
                assert!(text.len() > 20 && !text.contains("panicked"), "{}: unclear error {text:?}", t.path);
                report.push(format!("error {}: {text}", t.path));
            }
        }
    }
    let text = report.join("\n");
    println!("{text}");
    let line = |p: &str| report.iter().find(|l| l.contains(p)).cloned().unwrap_or_default();
    // Tables that must open (DVs, column mapping, V2 checkpoints, CDF, checkpoints).
    for ok in [
        "delta/delta-rs/simple_table ",
        "delta/delta-rs/table_with_deletion_logs",
        "delta/delta-rs/checkpoint-v2-table",
        "delta/delta-rs/cdf-table",
        "delta/delta-golden/dv-with-columnmapping/delta",
        "delta/delta-golden/v2-checkpoint-parquet/delta",
        "parquet/parquet-testing/data/alltypes_plain.parquet",
        "parquet/parquet-testing/data/large_string_map.brotli.parquet",
    ] {
        assert!(line(ok).starts_with("ok"), "{ok} should load:\n{text}");
    }
    // Tables that must be refused, with the reason named.
    let bad_protocol = line("simple_table_features");
    assert!(bad_protocol.starts_with("error") && bad_protocol.contains("eader features"), "{bad_protocol}");
    let invalid = line("deltalog-invalid-protocol-version");
    assert!(invalid.starts_with("error"), "{invalid}");
    let encrypted = line("encrypt_columns_and_footer");
    assert!(encrypted.starts_with("error") && encrypted.to_lowercase().contains("encrypt"), "{encrypted}");
    let corrupt = line("PARQUET-1481");
    assert!(corrupt.starts_with("error"), "{corrupt}");
}

/// The kernel-based state `detail` and `diag` read (files, rows, partition values, tombstones)
/// agrees with delta-rs loading the same version, on every testdata Delta table delta-rs opens:
/// checkpoints, V2 checkpoints with sidecars, column mapping (partition values by logical
/// name), deletion vectors, null partition values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kernel_state_agrees_with_delta_rs_on_every_testdata_table() {
    use futures::StreamExt as _;
    use lakescope::lake::delta::{diff, state::TableState};
    use std::collections::{BTreeMap, BTreeSet};

    // Size, rows, modification time and partition values of a live file.
    type FileFacts = (u64, Option<u64>, i64, BTreeMap<String, String>);
    let Some(root) = common::shared_testdata() else { return };
    let (store, catalog) = discover_testdata(&root).await;
    let mut compared = 0;
    for (_, t) in catalog.tables().filter(|(_, t)| t.format == TableFormat::Delta) {
        let Ok(dt) = diff::open_as_of(&store, &t.location, None).await else {
            // delta-rs refuses it (the negative tables): the kernel must refuse it too.
            assert!(TableState::open(&store, &t.location, None).await.is_err(), "{} opened", t.path);
            continue;
        };
        let snapshot = dt.snapshot().unwrap();
        let ours = TableState::open(&store, &t.location, None).await.unwrap();
        assert_eq!(ours.version(), snapshot.version(), "{}", t.path);

        // delta-rs keys partition values by physical name under column mapping; ours are by
        // logical name (what diagnostics show): look theirs up by the physical name.
        let schema = snapshot.schema();
        let partition_columns: Vec<(String, String)> = snapshot
            .metadata()
            .partition_columns()
            .iter()
            .map(|c| {
                let physical = schema
                    .field(c)
                    .and_then(|f| f.metadata().get("delta.columnMapping.physicalName"))
                    .and_then(|v| match v {
                        deltalake::kernel::MetadataValue::String(s) => Some(s.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(|| c.clone());
                (c.clone(), physical)
            })
            .collect();
        let theirs: BTreeMap<String, FileFacts> = snapshot
            .log_data()
            .iter()
            .map(|f| {
                let values = f.partition_values_map();
                let parts = partition_columns
                    .iter()
                    .filter_map(|(c, physical)| {
                        values.get(c).or(values.get(physical)).cloned().flatten().map(|v| (c.clone(), v))
                    })
                    .collect();
                (
                    f.path().into_owned(),
                    (f.size() as u64, f.num_records().map(|n| n as u64), f.modification_time(), parts),
                )
            })
            .collect();
        let files = ours.files(&CancellationToken::new()).await.unwrap();
        assert_eq!(files.len(), theirs.len(), "{}: duplicate or missing files", t.path);
        let ours_map: BTreeMap<String, FileFacts> = files
            .into_iter()
            .map(|f| (f.path, (f.size, f.rows, f.modified_ms, f.partition_values.into_iter().collect())))
            .collect();
        assert_eq!(ours_map, theirs, "{}", t.path);

        let theirs_removed: BTreeSet<String> =
            snapshot.all_tombstones(dt.log_store().as_ref()).map(|r| r.unwrap().path().into_owned()).collect().await;
        let ours_removed: BTreeSet<String> =
            ours.tombstones(&CancellationToken::new()).await.unwrap().into_iter().map(|r| r.path).collect();
        assert_eq!(ours_removed, theirs_removed, "{}: tombstones", t.path);
        compared += 1;
    }
    println!("compared {compared} Delta tables");
    assert!(compared >= 15, "only {compared} Delta tables compared");
}
