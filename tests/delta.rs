//! Delta history, detail, time travel and diffs: on the demo's silver.orders (delete, merge,
//! schema change), on tables written here with deltalake (vacuum, a long synthetic log), on every
//! Delta table of the shared test data, over S3 (moto), and through the real binary.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use assert_cmd::Command;
use common::{demo_lake, shared_testdata};
use datafusion::prelude::SessionContext;
use deltalake::protocol::SaveMode;
use lakescope::lake::LakeStore;
use lakescope::lake::delta::diff::{AsOf, DeltaRef, DiffOptions};
use lakescope::lake::delta::log::{History, Readable};
use lakescope::lake::store::requests::RequestKind;
use serde_json::Value;

fn table_at(path: &Path) -> (LakeStore, DeltaRef) {
    let store = LakeStore::open_local(path.to_str().unwrap()).unwrap();
    let location = store.url_of("", true).to_string();
    (store, DeltaRef { location, rel: String::new() })
}

fn orders() -> (LakeStore, DeltaRef) {
    table_at(&demo_lake().join("acme-lake/silver/orders"))
}

fn opts(rows: usize, keys: &[&str]) -> DiffOptions {
    DiffOptions { rows, keys: keys.iter().map(|s| s.to_string()).collect(), ..DiffOptions::default() }
}

/// Order ids from a SQL query over the table as of `version` (DataFusion over deltalake's
/// provider: a separate reading path from the diff's).
async fn ids_at(store: &LakeStore, t: &DeltaRef, version: u64, filter: &str) -> BTreeSet<i64> {
    let table = lakescope::lake::delta::diff::open_version(store, &t.location, Some(version)).await.unwrap();
    let ctx = SessionContext::new();
    table.update_datafusion_session(&ctx.state()).unwrap();
    ctx.register_table("t", table.table_provider().await.unwrap()).unwrap();
    let batches = ctx.sql(&format!("SELECT order_id FROM t WHERE {filter}")).await.unwrap().collect().await.unwrap();
    batches.iter().flat_map(|b| b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().to_vec()).collect()
}

#[tokio::test]
async fn the_demo_history_has_every_version_from_the_log_names_newest_first() {
    let (store, t) = orders();
    let mut h = History::open(store.object_store(), &store.key(""), &t.location).await.unwrap();
    assert_eq!(h.listing.commits.len(), 13);
    assert_eq!(h.listing.last_checkpoint(), Some(10));
    // Lazy: three commits read, three GETs.
    let gets = store.stats.count(RequestKind::Get);
    h.load_more(3).await.unwrap();
    assert_eq!(store.stats.count(RequestKind::Get) - gets, 3);
    assert_eq!(h.entries.iter().map(|e| e.version).collect::<Vec<_>>(), vec![12, 11, 10]);
    h.load_more(100).await.unwrap();
    let ops: Vec<(u64, &str)> = h.entries.iter().map(|e| (e.version, e.operation.as_deref().unwrap_or("-"))).collect();
    assert_eq!(ops[6], (6, "DELETE"));
    assert_eq!(ops[5], (7, "MERGE"));
    assert_eq!(ops[4], (8, "UPDATE"));
    assert_eq!(h.entries.len(), 13);
    let v10 = h.entry(10).unwrap();
    assert!(v10.checkpoint && v10.covered_by_checkpoint);
    assert!(!h.entry(11).unwrap().covered_by_checkpoint);
    // delta-rs writes metrics as JSON strings: decoded to numbers.
    let v6 = h.entry(6).unwrap();
    assert!(v6.metrics.get("num_deleted_rows").is_some_and(Value::is_number), "{:?}", v6.metrics);
    assert_eq!(v6.read_version, Some(5));
    assert!(h.entry(9).unwrap().schema_changed);
    h.check_data_files().await.unwrap();
    assert!(h.entries.iter().all(|e| e.readable == Readable::Yes), "nothing vacuumed in the demo");
}

#[tokio::test]
async fn the_delete_diff_shows_exactly_the_deleted_rows() {
    let (store, t) = orders();
    let d = lakescope::lake::delta::diff::diff_table(&store, &t, 5, 6, &opts(100_000, &["order_id"])).await.unwrap();
    let cancelled = ids_at(&store, &t, 5, "status = 'cancelled'").await;
    let rows = d.rows.expect("rows compared");
    assert_eq!(rows.only_in_b, 0);
    assert_eq!(rows.only_in_a, cancelled.len() as u64);
    let id = rows.columns.iter().position(|c| c == "order_id").unwrap();
    let deleted: BTreeSet<i64> = rows.rows_a.iter().map(|r| r[id].parse().unwrap()).collect();
    assert_eq!(deleted, cancelled);
    let k = rows.keyed.unwrap();
    assert_eq!((k.deleted, k.inserted, k.updated), (cancelled.len() as u64, 0, 0));
    // Files: every partition rewritten, rows from the log's statistics on both sides.
    assert_eq!(d.files.added.len(), d.files.removed.len());
    assert_eq!(d.files.rows_removed.unwrap() - d.files.rows_added.unwrap(), cancelled.len() as u64);
    assert_eq!(d.files.commits_read, 1);
}

#[tokio::test]
async fn the_schema_change_diff_shows_the_added_column() {
    let (store, t) = orders();
    let d = lakescope::lake::delta::diff::diff_table(&store, &t, 8, 9, &opts(0, &[])).await.unwrap();
    assert_eq!(d.schema.len(), 1, "{:?}", d.schema);
    assert_eq!((d.schema[0].column.as_str(), d.schema[0].change), ("discount", "added"));
    assert_eq!(d.schema[0].after.as_deref(), Some("double"));
    assert_eq!((d.files.added.len(), d.files.removed.len()), (1, 0));
    // And backwards: the column is dropped.
    let back = lakescope::lake::delta::diff::diff_table(&store, &t, 9, 8, &opts(0, &[])).await.unwrap();
    assert_eq!(back.schema[0].change, "dropped");
    assert_eq!((back.files.added.len(), back.files.removed.len()), (0, 1));
}

#[tokio::test]
async fn the_merge_diff_pairs_updated_rows_by_key_and_names_the_changed_columns() {
    let (store, t) = orders();
    let d = lakescope::lake::delta::diff::diff_table(&store, &t, 6, 7, &opts(50, &["order_id"])).await.unwrap();
    let k = d.rows.as_ref().unwrap().keyed.clone().unwrap();
    assert_eq!((k.updated, k.inserted, k.deleted), (5, 2, 0));
    let keys: BTreeSet<String> = k.updated_rows.iter().map(|u| u.key[0].clone()).collect();
    let expected: BTreeSet<String> =
        ["10005", "10017", "10130", "10244", "10390"].iter().map(|s| s.to_string()).collect();
    assert_eq!(keys, expected);
    let cols = &d.rows.as_ref().unwrap().columns;
    for u in &k.updated_rows {
        let changed: Vec<&str> = u.changed.iter().map(|i| cols[*i].as_str()).collect();
        assert!(changed.contains(&"amount"), "{changed:?}");
        assert!(!changed.contains(&"order_id") && !changed.contains(&"customer_id"));
        let amount = cols.iter().position(|c| c == "amount").unwrap();
        assert_eq!(u.after[amount], "0.0", "refunds set the amount to 0");
    }
    // Without keys: the same change as rows only on each side.
    let plain = lakescope::lake::delta::diff::diff_table(&store, &t, 6, 7, &opts(50, &[])).await.unwrap();
    let r = plain.rows.unwrap();
    assert_eq!((r.only_in_a, r.only_in_b), (5, 7));
}

#[tokio::test]
async fn time_travel_opens_any_version_by_number_or_timestamp() {
    let (store, t) = orders();
    let at8 = lakescope::lake::delta::info::delta_info(&store, &t.location, "", Some(&AsOf::Version(8))).await.unwrap();
    assert_eq!((at8.version, at8.latest), (8, 12));
    assert!(!at8.columns.iter().any(|c| c.name == "discount"), "v8 is before the schema change");
    let latest = lakescope::lake::delta::info::delta_info(&store, &t.location, "", None).await.unwrap();
    assert!(latest.columns.iter().any(|c| c.name == "discount"));
    assert_eq!(latest.last_checkpoint, Some(10));
    assert!(latest.properties.iter().any(|p| p.key == "delta.logRetentionDuration" && !p.set));
    // A timestamp after the last commit is the latest version; one before the first fails clearly.
    let later =
        lakescope::lake::delta::info::delta_info(&store, &t.location, "", Some(&AsOf::Timestamp("2999-01-01".into())))
            .await
            .unwrap();
    assert_eq!(later.version, 12);
    let early =
        lakescope::lake::delta::info::delta_info(&store, &t.location, "", Some(&AsOf::Timestamp("2000-01-01".into())))
            .await;
    assert!(early.unwrap_err().to_string().contains("no version at or before 2000-01-01"));
    let bad = lakescope::lake::delta::info::delta_info(
        &store,
        &t.location,
        "",
        Some(&AsOf::Timestamp("last tuesday".into())),
    )
    .await;
    assert!(bad.unwrap_err().to_string().contains("neither a version nor a timestamp"));
}

fn batch(ids: std::ops::Range<i64>, tag: &str) -> RecordBatch {
    let schema =
        Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false), Field::new("tag", DataType::Utf8, true)]));
    let n = ids.end - ids.start;
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from_iter_values(ids)) as ArrayRef,
            Arc::new(StringArray::from(vec![tag; n as usize])),
        ],
    )
    .unwrap()
}

#[tokio::test]
async fn a_vacuumed_version_is_marked_unreadable_and_the_others_still_diff() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t");
    std::fs::create_dir_all(&path).unwrap();
    let (store, t) = table_at(&path);
    let url = url::Url::parse(&t.location).unwrap();
    let table = deltalake::DeltaTableBuilder::from_url(url.clone())
        .unwrap()
        .with_storage_backend(store.object_store(), url)
        .build()
        .unwrap();
    // v0: 10 rows; v1: overwrite with 5 others (v0's file removed); v2: append 3.
    let table = table.write(vec![batch(0..10, "first")]).await.unwrap();
    let table = table.write(vec![batch(100..105, "second")]).with_save_mode(SaveMode::Overwrite).await.unwrap();
    let table = table.write(vec![batch(200..203, "third")]).with_save_mode(SaveMode::Append).await.unwrap();
    let (_, metrics) = table
        .vacuum()
        .with_retention_period(chrono::Duration::zero())
        .with_enforce_retention_duration(false)
        .await
        .unwrap();
    assert_eq!(metrics.files_deleted.len(), 1, "v0's file");

    let mut h = History::open(store.object_store(), &store.key(""), &t.location).await.unwrap();
    h.load_more(100).await.unwrap();
    h.check_data_files().await.unwrap();
    let v0 = h.entry(0).unwrap();
    assert!(matches!(&v0.readable, Readable::No(r) if r.contains("vacuumed")), "{:?}", v0.readable);
    for v in 1..=2 {
        assert_eq!(h.entry(v).unwrap().readable, Readable::Yes, "v{v}");
    }
    // The later versions diff, files and rows.
    let d = lakescope::lake::delta::diff::diff_table(&store, &t, 1, 2, &opts(10, &["id"])).await.unwrap();
    assert_eq!((d.files.added.len(), d.files.removed.len()), (1, 0));
    assert_eq!(d.rows.unwrap().keyed.unwrap().inserted, 3);
    // The vacuumed side: files still come from the log; rows say why they cannot be read.
    let files_only = lakescope::lake::delta::diff::diff_table(&store, &t, 0, 1, &opts(0, &[])).await.unwrap();
    assert_eq!((files_only.files.added.len(), files_only.files.removed.len()), (1, 1));
    // With rows asked for, the log-level diff stands and says why rows cannot be compared.
    let d = lakescope::lake::delta::diff::diff_table(&store, &t, 0, 1, &opts(10, &[])).await.unwrap();
    assert_eq!((d.files.added.len(), d.files.removed.len()), (1, 1));
    assert!(d.rows.is_none());
    let note = d.rows_note.as_deref().unwrap();
    assert!(note.starts_with("rows not compared") && note.contains("gone"), "{note}");
}

#[tokio::test]
async fn a_long_log_loads_its_newest_page_without_reading_every_commit() {
    // 10,000 commits written as files (the shape of a streaming table's log).
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("t/_delta_log");
    std::fs::create_dir_all(&log).unwrap();
    let first = r#"{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}
{"metaData":{"id":"x","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],"configuration":{},"createdTime":1}}
"#;
    for v in 0..10_000u64 {
        let mut text = if v == 0 { first.to_string() } else { String::new() };
        if v % 7 != 3 {
            text.push_str(&format!(
                "{{\"commitInfo\":{{\"timestamp\":{},\"operation\":\"STREAMING UPDATE\"}}}}\n",
                1_700_000_000_000u64 + v
            ));
        }
        text.push_str(&format!("{{\"add\":{{\"path\":\"part-{v:05}.parquet\",\"partitionValues\":{{}},\"size\":100,\"modificationTime\":1,\"dataChange\":true}}}}\n"));
        std::fs::write(log.join(format!("{v:020}.json")), text).unwrap();
    }
    let (store, t) = table_at(&dir.path().join("t"));
    let mut h = History::open(store.object_store(), &store.key(""), &t.location).await.unwrap();
    // Only the end of the log is listed: a few HEADs find it, one listing page reads it.
    assert!(!h.is_complete());
    assert!(h.listing.commits.len() <= 300, "{}", h.listing.commits.len());
    assert_eq!(h.total(), 10_000);
    assert!(store.stats.count(RequestKind::Head) <= 40, "{}", store.stats.count(RequestKind::Head));
    assert_eq!(store.stats.count(RequestKind::List), 1);
    h.load_more(50).await.unwrap();
    // 50 commits and the `_last_checkpoint` this log does not have.
    assert_eq!(store.stats.count(RequestKind::Get), 51, "one page of commits read, not 10,000");
    assert_eq!(h.entries[0].version, 9_999);
    h.complete().await.unwrap();
    assert_eq!((h.listing.commits.len(), h.total(), h.entries.len()), (10_000, 10_000, 50));
    // Versions come from the file names even where a commit has no commitInfo.
    let bare = h.entries.iter().find(|e| e.version % 7 == 3).unwrap();
    assert_eq!((bare.operation.as_deref(), bare.timestamp_source), (None, "file modification time"));
    assert_eq!(h.entries.iter().map(|e| e.version).collect::<Vec<_>>(), (9_950..10_000).rev().collect::<Vec<_>>());
}

/// Every Delta table of the shared test data: history and detail, or a clear reason.
#[tokio::test]
async fn every_shared_delta_table_shows_history_and_detail_or_names_what_stops_it() {
    let Some(data) = shared_testdata() else { return };
    let mut tables = Vec::new();
    for group in ["delta-golden", "delta-rs"] {
        for e in std::fs::read_dir(data.join("delta").join(group)).unwrap().flatten() {
            let p = e.path();
            let root = if p.join("delta/_delta_log").exists() { p.join("delta") } else { p.clone() };
            if root.join("_delta_log").exists() {
                tables.push(root);
            }
        }
    }
    tables.sort();
    assert!(tables.len() >= 15, "{tables:?}");
    let mut opened = 0;
    for root in &tables {
        let name = root.strip_prefix(&data).unwrap().display().to_string();
        let (store, t) = table_at(root);
        let mut h = History::open(store.object_store(), &store.key(""), &t.location)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        h.load_more(usize::MAX).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        h.complete().await.unwrap_or_else(|e| panic!("{name}: {e}"));
        h.load_more(usize::MAX).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        h.check_data_files().await.unwrap();
        assert_eq!(h.entries.len(), h.listing.commits.len(), "{name}");
        assert!(h.entries.windows(2).all(|w| w[0].version > w[1].version), "{name}: newest first");
        match lakescope::lake::delta::info::delta_info(&store, &t.location, "", None).await {
            Ok(info) => {
                opened += 1;
                assert_eq!(Some(info.version), h.listing.latest(), "{name}");
                if info.reader_features.iter().any(|f| f == "columnMapping")
                    || info.properties.iter().any(|p| p.key == "delta.columnMapping.mode" && p.set && p.value != "none")
                {
                    assert!(info.warnings.iter().any(|w| w.contains("column mapping")), "{name}: {:?}", info.warnings);
                }
                eprintln!(
                    "{name}: v{}, {} files, {} commits, warnings {:?}",
                    info.version,
                    info.files,
                    h.entries.len(),
                    info.warnings
                );
            }
            Err(e) => {
                let text = e.to_string();
                assert!(
                    name.contains("simple_table_features") || name.contains("deltalog-invalid-protocol-version"),
                    "{name} should open: {text}"
                );
                assert!(text.contains("Reader features") || text.contains("protocol"), "{name}: {text}");
                eprintln!("{name}: refused: {text}");
            }
        }
    }
    assert!(opened >= tables.len() - 2);
}

#[tokio::test]
async fn the_cdf_table_diff_uses_the_recorded_changes() {
    let Some(data) = shared_testdata() else { return };
    let (store, t) = table_at(&data.join("delta/delta-rs/cdf-table"));
    let d = lakescope::lake::delta::diff::diff_table(&store, &t, 0, 1, &opts(20, &["id"])).await.unwrap();
    let r = d.rows.expect("rows");
    assert_eq!(r.source, "change data feed");
    let k = r.keyed.unwrap();
    // v1 is `UPDATE … WHERE id IN (2,3,4)`.
    assert_eq!((k.updated, k.inserted, k.deleted), (3, 0, 0), "{k:?}");
    assert!(!r.columns.iter().any(|c| c.starts_with("_change")), "{:?}", r.columns);
    // And its DELETE (v3 … per its log): deleted rows only.
    let h = {
        let mut h = History::open(store.object_store(), &store.key(""), &t.location).await.unwrap();
        h.load_more(10).await.unwrap();
        h
    };
    if let Some(del) = h.entries.iter().find(|e| e.operation.as_deref() == Some("DELETE")) {
        let d = lakescope::lake::delta::diff::diff_table(&store, &t, del.version - 1, del.version, &opts(20, &["id"]))
            .await
            .unwrap();
        let k = d.rows.unwrap().keyed.unwrap();
        assert!(k.deleted > 0 && k.inserted == 0 && k.updated == 0, "{k:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_and_diff_work_the_same_over_s3() {
    let Some(moto) = common::s3::moto() else { return };
    let b = common::s3::bucket("history");
    moto.create_bucket(&b);
    let store = moto.store(&format!("s3://{b}"));
    common::s3::upload_dir(&store, &demo_lake().join("acme-lake/silver/orders"), "silver/orders").await;
    let store = moto.store(&format!("s3://{b}"));
    let t = DeltaRef { location: store.url_of("silver/orders", true).to_string(), rel: "silver/orders".into() };
    let mut h = History::open(store.object_store(), &store.key(&t.rel), &t.location).await.unwrap();
    let lists = store.stats.count(RequestKind::List);
    let gets = store.stats.count(RequestKind::Get);
    h.load_more(5).await.unwrap();
    assert_eq!(h.entries[0].version, 12);
    assert_eq!(store.stats.count(RequestKind::Get) - gets, 5);
    assert_eq!(lists, 1, "one listing of _delta_log");
    let d = lakescope::lake::delta::diff::diff_table(&store, &t, 5, 6, &opts(5, &["order_id"])).await.unwrap();
    assert!(d.rows.unwrap().keyed.unwrap().deleted > 0);
}

/// Delta writes on S3 go through lakescope's own store (deltalake is built without its cloud
/// features): commits are create-only puts, so writers racing for one version never overwrite
/// each other's commit (the losers retry on the next version), and the store's request
/// accounting sees deltalake's data writes and reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_delta_writers_on_s3_each_commit_once_through_lakescopes_store() {
    use object_store::{ObjectStore, PutMode};
    let Some(moto) = common::s3::moto() else { return };
    let b = common::s3::bucket("writers");
    moto.create_bucket(&b);
    let store = moto.store(&format!("s3://{b}"));
    let url = store.url_of("gold/t", true);
    let root = store.delta_store_for(&url).unwrap();
    let open = || lakescope::lake::delta::builder(root.clone(), &url).unwrap();
    open().build().unwrap().write(vec![batch(0..10, "v0")]).await.unwrap();
    let puts = store.stats.count(RequestKind::Put);
    assert!(puts >= 2, "the data file and the commit were written through lakescope's store: {puts} PUTs");

    // Four writers load version 0 and append at the same time.
    let writers = (1..=4i64).map(|i| {
        let table = open();
        async move {
            let t = table.load().await?;
            t.write(vec![batch(i * 100..i * 100 + 10, "w")]).with_save_mode(SaveMode::Append).await
        }
    });
    for r in futures::future::join_all(writers).await {
        assert!(r.is_ok(), "every append commits, on the next free version: {:?}", r.err());
    }
    let t = open().load().await.unwrap();
    assert_eq!(t.version(), Some(4), "five commits, versions 0-4");
    let mut ids = latest_ids(&store, url.as_ref()).await;
    ids.sort_unstable();
    let expected: Vec<i64> = (0..10).chain((1..=4).flat_map(|i| i * 100..i * 100 + 10)).collect();
    assert_eq!(ids, expected, "every row of every writer, once");
    let gets = store.stats.summary(0).of(RequestKind::Get);
    assert!(gets.count > 0 && gets.bytes > 0, "deltalake's reads are counted: {gets:?}");

    // The commit safety itself: a second create of an existing commit is refused by the store.
    let commit = store.key("gold/t/_delta_log/00000000000000000001.json");
    let err = store.object_store().put_opts(&commit, "{}".into(), PutMode::Create.into()).await.unwrap_err();
    assert!(matches!(err, object_store::Error::AlreadyExists { .. }), "{err}");
}

/// Every `id` of the latest version, duplicates kept.
async fn latest_ids(store: &LakeStore, location: &str) -> Vec<i64> {
    let table = lakescope::lake::delta::diff::open_version(store, location, None).await.unwrap();
    let ctx = SessionContext::new();
    table.update_datafusion_session(&ctx.state()).unwrap();
    ctx.register_table("t", table.table_provider().await.unwrap()).unwrap();
    let batches = ctx.sql("SELECT id FROM t").await.unwrap().collect().await.unwrap();
    batches.iter().flat_map(|b| b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().to_vec()).collect()
}

fn lakescope() -> Command {
    let mut cmd = Command::cargo_bin("lakescope").unwrap();
    cmd.env("LAKESCOPE_CONFIG", "").env("XDG_CONFIG_HOME", "/nonexistent");
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&out)))
}

#[test]
fn headless_history_detail_and_diff() {
    let t = demo_lake().join("acme-lake/silver/orders");
    let t = t.to_str().unwrap();
    let v = json(lakescope().args(["history", t, "--limit", "4", "--json"]));
    let versions: Vec<u64> = v.as_array().unwrap().iter().map(|e| e["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, vec![12, 11, 10, 9]);
    assert_eq!(v[0]["operation"], "WRITE");
    assert_eq!(v[2]["checkpoint"], true);
    let d = json(lakescope().args(["detail", t, "--as-of", "8", "--json"]));
    assert_eq!((d["version"].as_u64(), d["latest"].as_u64()), (Some(8), Some(12)));
    let diff = json(lakescope().args(["diff", t, "5", "6", "--key", "order_id", "--json"]));
    assert_eq!((diff["files_added"].as_u64(), diff["files_removed"].as_u64()), (Some(6), Some(6)));
    assert_eq!(diff["files"]["added"].as_array().unwrap().len(), 6);
    assert!(diff["rows"]["keyed"]["deleted"].as_u64().unwrap() > 0);
    let text = lakescope().args(["diff", t, "8", "9", "--rows", "0"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("added") && text.contains("discount"), "{text}");
    // Not a Delta table, a version that does not exist: an error and exit 1, no panic.
    let out = lakescope().args(["history", demo_lake().to_str().unwrap()]).assert().failure().get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Delta table"), "{:?}", out);
    let out = lakescope().args(["diff", t, "5", "99"]).assert().failure().get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no version 99"), "{:?}", out);
}
