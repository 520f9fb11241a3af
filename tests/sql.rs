//! SQL over the lake: the demo lake queried across zones and buckets, partition pruning seen in
//! the instrumented store, Delta time travel by version and by timestamp, statements that would
//! write refused with nothing written, the memory limit, cancelling, the headless command, and a
//! query over S3 (moto).

use crate::common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use arrow::array::{AsArray, RecordBatch};
use arrow::datatypes::Int64Type;
use assert_cmd::Command;
use common::demo_lake;
use lakescope::config::Config;
use lakescope::lake::delta::log::History;
use lakescope::lake::sql::{SqlEngine, SqlError};
use lakescope::lake::{LakeStore, discover};
use tokio_util::sync::CancellationToken;

async fn engine_over(store: LakeStore) -> (Arc<LakeStore>, Arc<SqlEngine>) {
    let store = Arc::new(store);
    let catalog =
        discover(store.clone(), Config::defaults().discovery, CancellationToken::new(), &mut |_| {}).await.unwrap();
    let engine = Arc::new(SqlEngine::new(store.clone(), &catalog, &Config::defaults().sql).unwrap());
    (store, engine)
}

async fn demo() -> (Arc<LakeStore>, Arc<SqlEngine>) {
    engine_over(LakeStore::open_local(demo_lake().to_str().unwrap()).unwrap()).await
}

/// A query run as the app and the CLI run it: on the engine's threads.
async fn collect(engine: &Arc<SqlEngine>, sql: &str) -> Result<Vec<RecordBatch>, SqlError> {
    let mut run = engine.run(sql).await?;
    let mut out = Vec::new();
    while let Some(b) = run.next().await {
        out.push(b?);
    }
    Ok(out)
}

/// The single integer of a one-row, one-column result.
async fn scalar(engine: &Arc<SqlEngine>, sql: &str) -> i64 {
    let batches = collect(engine, sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    let b = batches.iter().find(|b| b.num_rows() > 0).unwrap();
    b.column(0).as_primitive::<Int64Type>().value(0)
}

/// Wait until the pool holds nothing (tasks of a dropped query end asynchronously, at their next
/// batch boundary, which on a loaded 2-core CI machine took more than 5 s once): a guard against
/// a leak, bounded at 60 s so a leak fails instead of hanging.
async fn wait_freed(engine: &SqlEngine) {
    let started = std::time::Instant::now();
    for _ in 0..3_000 {
        if engine.memory_reserved() == 0 {
            eprintln!("memory back in the pool after {:?}", started.elapsed());
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{} bytes still reserved", engine.memory_reserved());
}

fn i64s(batches: &[RecordBatch], col: usize) -> Vec<i64> {
    batches.iter().flat_map(|b| b.column(col).as_primitive::<Int64Type>().values().to_vec()).collect()
}

/// Every file under `root` with its size and modification time.
fn snapshot(root: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else {
                out.insert(e.path().display().to_string(), (m.len(), m.modified().unwrap()));
            }
        }
    }
    out
}

#[tokio::test]
async fn a_join_across_zones_and_buckets_matches_the_tables_read_apart() {
    let (_, engine) = demo().await;
    // Orders whose customer exists, computed apart from the join.
    let customers: HashSet<i64> =
        i64s(&collect(&engine, "SELECT customer_id FROM silver.customers").await.unwrap(), 0).into_iter().collect();
    let orders = i64s(&collect(&engine, "SELECT customer_id FROM silver.orders").await.unwrap(), 0);
    let expected = orders.iter().filter(|c| customers.contains(c)).count() as i64;
    assert!(expected > 0);
    let joined = scalar(
        &engine,
        "SELECT count(*) FROM silver.orders o JOIN silver.customers c ON o.customer_id = c.customer_id",
    )
    .await;
    assert_eq!(joined, expected);
    // Raw CSV against the gold Delta table, and the other bucket's feature table by its full name.
    let features = scalar(&engine, r#"SELECT count(*) FROM "acme-ml".features.customer_features"#).await;
    let short = scalar(&engine, "SELECT count(*) FROM features.customer_features").await;
    assert_eq!(features, short);
    let n = scalar(
        &engine,
        "SELECT count(*) FROM raw.customers r JOIN features.customer_features f ON r.customer_id = f.customer_id",
    )
    .await;
    assert!(n > 0 && n <= features, "{n} of {features}");
    // JSON documents and NDJSON read too.
    assert!(scalar(&engine, "SELECT count(*) FROM raw.exchange_rates").await > 0);
    assert!(scalar(&engine, "SELECT count(*) FROM raw.web_events").await > 0);
}

#[tokio::test]
async fn a_filter_on_a_partition_column_prunes_files() {
    let (_, engine) = demo().await;
    let per_day = collect(&engine, "SELECT date, count(*) FROM bronze.events GROUP BY 1 ORDER BY 1").await.unwrap();
    let days = arrow::compute::cast(per_day[0].column(0), &arrow::datatypes::DataType::Utf8).unwrap();
    let day = days.as_string::<i32>().value(0).to_string();
    let day_rows = per_day[0].column(1).as_primitive::<Int64Type>().value(0);

    // Fresh sessions each: DataFusion caches listings and footers within one.
    let (store, engine) = demo().await;
    let all = scalar(&engine, "SELECT count(*) FROM bronze.events").await;
    let full_requests = store.stats.total_count();

    let (store, engine) = demo().await;
    let before = store.stats.total_count();
    let pruned = scalar(&engine, &format!("SELECT count(*) FROM bronze.events WHERE date = '{day}'")).await;
    let pruned_requests = store.stats.total_count() - before;
    assert_eq!(pruned, day_rows);
    assert!(pruned < all);
    assert!(pruned_requests * 5 < full_requests, "{pruned_requests} requests with the filter, {full_requests} without");
}

#[tokio::test]
async fn delta_time_travel_by_version_and_by_timestamp() {
    let (_, engine) = demo().await;
    let t = &demo_lake().join("acme-lake/silver/orders");
    let table_store = LakeStore::open_local(t.to_str().unwrap()).unwrap();
    let location = table_store.url_of("", true).to_string();
    let mut h = History::open_complete(table_store.object_store(), &table_store.key(""), &location).await.unwrap();
    h.load_more(100).await.unwrap();
    let rows_at = |v: u64| {
        let (table_store, location) = (&table_store, &location);
        async move {
            // The expected count from deltalake's own snapshot statistics.
            let snap = lakescope::lake::delta::diff::open_version(table_store, location, Some(v)).await.unwrap();
            snap.snapshot().unwrap().log_data().iter().map(|f| f.num_records().unwrap_or(0) as i64).sum::<i64>()
        }
    };
    for v in [1u64, 5, 6] {
        let rows = rows_at(v).await;
        assert_eq!(scalar(&engine, &format!("SELECT count(*) FROM delta_version('silver.orders', {v})")).await, rows);
        assert_eq!(scalar(&engine, &format!(r#"SELECT count(*) FROM silver."orders@v{v}""#)).await, rows);
        // As of the version's commit time (as the history shows it): the newest version
        // committed at or before it — this one, or a later one committed in the same millisecond.
        let ts = h.entry(v).unwrap().timestamp_ms;
        let at = chrono::DateTime::from_timestamp_millis(ts).unwrap().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let expected = h.entries.iter().filter(|e| e.timestamp_ms <= ts).map(|e| e.version).max().unwrap();
        assert_eq!(
            scalar(&engine, &format!("SELECT count(*) FROM delta_as_of('silver.orders', '{at}')")).await,
            rows_at(expected).await,
            "as of {at} (v{expected})"
        );
    }
    // Two versions in one query.
    let grown = scalar(
        &engine,
        "SELECT (SELECT count(*) FROM delta_version('silver.orders', 6)) - (SELECT count(*) FROM delta_version('silver.orders', 1))",
    )
    .await;
    assert_ne!(grown, 0);
    let err = collect(&engine, "SELECT * FROM delta_as_of('silver.orders', '2001-01-01')").await.unwrap_err();
    assert!(err.to_string().contains("no version at or before 2001-01-01"), "{err}");
    let err = collect(&engine, "SELECT * FROM delta_version('bronze.events', 1)").await.unwrap_err();
    assert!(err.to_string().contains("for Delta tables"), "{err}");
}

#[tokio::test]
async fn statements_that_write_are_refused_and_nothing_is_written() {
    let (_, engine) = demo().await;
    let before = snapshot(demo_lake());
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("copy.csv");
    for sql in [
        format!("COPY (SELECT 1) TO '{}'", target.display()),
        "CREATE TABLE t AS SELECT 1".to_string(),
        "CREATE EXTERNAL TABLE x STORED AS CSV LOCATION '/tmp/lakescope-never'".to_string(),
        "INSERT INTO silver.orders SELECT * FROM silver.orders".to_string(),
        "DELETE FROM silver.orders".to_string(),
        "DROP TABLE silver.orders".to_string(),
        "EXPLAIN ANALYZE INSERT INTO silver.orders SELECT * FROM silver.orders".to_string(),
        "SET datafusion.execution.batch_size = 1".to_string(),
    ] {
        match collect(&engine, &sql).await {
            Err(SqlError::ReadOnly(m)) => assert!(m.contains("read-only"), "{sql}: {m}"),
            other => panic!("{sql}: not refused: {other:?}"),
        }
    }
    assert!(!target.exists());
    assert!(!Path::new("/tmp/lakescope-never").exists());
    assert_eq!(snapshot(demo_lake()), before, "the lake is unchanged");
    // And reading still works after the refusals.
    assert!(scalar(&engine, "SELECT count(*) FROM silver.orders").await > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_over_the_memory_limit_fails_naming_it_and_the_session_goes_on() {
    let store = Arc::new(LakeStore::open_local(demo_lake().to_str().unwrap()).unwrap());
    let catalog =
        discover(store.clone(), Config::defaults().discovery, CancellationToken::new(), &mut |_| {}).await.unwrap();
    let mut opts = Config::defaults().sql;
    opts.memory_limit_mib = 16;
    let engine = Arc::new(SqlEngine::new(store, &catalog, &opts).unwrap());
    // A hash join's build side cannot spill: 3M rows do not fit in 16 MiB.
    let err = collect(
        &engine,
        "SELECT count(*) FROM generate_series(1, 3000000) a JOIN generate_series(1, 3000000) b ON a.value = b.value",
    )
    .await
    .unwrap_err();
    match &err {
        SqlError::Memory(m) => assert!(m.contains("limit of 16 MiB"), "{m}"),
        other => panic!("{other:?}"),
    }
    wait_freed(&engine).await;
    // A sort over the limit spills instead of failing.
    let sorted = collect(&engine, "SELECT value FROM generate_series(1, 2000000) ORDER BY value DESC LIMIT 1 OFFSET 5")
        .await
        .unwrap();
    assert_eq!(i64s(&sorted, 0), vec![1_999_995]);
    assert!(scalar(&engine, "SELECT count(*) FROM silver.orders").await > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_long_query_gives_control_back_and_frees_it() {
    let (_, engine) = demo().await;
    // Minutes of work on the engine's threads: a self cross join of 21,000 rows aggregated.
    let mut run = engine
        .run("SELECT sum(a.duration_ms * b.duration_ms) FROM bronze.events a, bronze.events b WHERE a.page <> b.page")
        .await
        .unwrap();
    let waiting = {
        let cancel = CancellationToken::new();
        let c = cancel.clone();
        let waiter = tokio::spawn(async move {
            tokio::select! {
                _ = c.cancelled() => { drop(run); "cancelled" }
                _ = run.next() => "finished",
            }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
        waiter
    };
    // A guard against a hang, not a timing: the caller's side ends as soon as it is cancelled,
    // since the query runs on other threads.
    let outcome = tokio::time::timeout(Duration::from_secs(30), waiting).await.expect("control came back").unwrap();
    assert_eq!(outcome, "cancelled");
    // The query's tasks were aborted with the handle: their memory goes back to the pool.
    wait_freed(&engine).await;
    assert!(scalar(&engine, "SELECT count(*) FROM silver.orders").await > 0);
}

#[test]
fn the_headless_command_writes_every_format_and_refuses_writes() {
    let root = demo_lake().to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        Command::cargo_bin("lakescope")
            .unwrap()
            .env("LAKESCOPE_CONFIG", "")
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .arg("sql")
            .arg(&root)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["SELECT order_id, amount FROM silver.orders ORDER BY order_id LIMIT 3", "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().next(), Some("order_id,amount"));
    assert_eq!(text.lines().count(), 4);
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 rows"));

    let out = run(&["SELECT order_id FROM silver.orders ORDER BY order_id LIMIT 2", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.parquet");
    let out = run(&["SELECT * FROM silver.orders", "--format", "parquet", "--output", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reader = parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&file).unwrap()).unwrap();
    let rows = parquet::file::reader::FileReader::metadata(&reader).file_metadata().num_rows();
    let counted = run(&["SELECT count(*) AS n FROM silver.orders", "--format", "csv"]);
    let n: i64 = String::from_utf8(counted.stdout).unwrap().lines().nth(1).unwrap().parse().unwrap();
    assert_eq!(rows, n);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no partial file left");

    let out = run(&["SELECT order_id FROM silver.orders", "--max-rows", "2"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("first 2 of") && err.contains(" rows in "), "{err}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.starts_with("| ")).count(),
        3,
        "header + 2 rows"
    );
    let out = run(&["SELECT 1", "--format", "parquet"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --output"));

    let out = run(&["DROP TABLE silver.orders"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"), "{}", String::from_utf8_lossy(&out.stderr));

    // A failing query leaves no output file behind.
    let bad = dir.path().join("bad.csv");
    let out = run(&["SELECT * FROM silver.nope", "--format", "csv", "--output", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(!bad.exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_run_the_same_over_s3() {
    let Some(moto) = common::s3::moto() else { return };
    let b = common::s3::bucket("sql");
    moto.create_bucket(&b);
    let up = moto.store(&format!("s3://{b}"));
    common::s3::upload_dir(&up, &demo_lake().join("acme-lake"), "").await;
    let (store, engine) = engine_over(moto.store(&format!("s3://{b}"))).await;
    let (_, local) = demo().await;
    for sql in [
        "SELECT count(*) FROM silver.orders",
        "SELECT count(*) FROM delta_version('silver.orders', 3)",
        "SELECT count(*) FROM bronze.events WHERE date = '2026-11-03'",
        "SELECT count(*) FROM raw.customers",
    ] {
        assert_eq!(scalar(&engine, sql).await, scalar(&local, sql).await, "{sql}");
    }
    assert!(store.stats.total_count() > 0, "reads went through the counting store");
}
