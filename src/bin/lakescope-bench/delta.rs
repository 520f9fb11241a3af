//! delta: the Delta history and diff targets, next to delta-rs doing the same work in the same
//! run, on local disk and on the test S3 server (moto).
//!
//! - History of a 10,000-version table (a generated log: v0 creates the table, each later commit
//!   appends one file with its commitInfo, a checkpoint every 100 versions is not written, as a
//!   streaming job with checkpoints off would leave it): time to the first screen (the newest
//!   34 versions: the rows of a 40-line terminal; the page read ahead follows once they are
//!   drawn) — lakescope's `History::open` + `load_more`, against deltalake's `load()` +
//!   `history(Some(34))`, and against the floor: GETs of those 34 commits by their names, as if
//!   the latest version were already known (on moto, which serves one request at a time, the
//!   floor is the request cost times 34).
//! - File-level diff of two versions of a table with 100,000 files (v0 adds them all in one
//!   commit, v1 removes 10 and adds 10): lakescope's `diff_files` (reads commit v1 only) against
//!   loading both snapshots with deltalake and comparing their file lists.
//! - Row diff between two versions that differ by one small file in a table of `--big-mib` MiB
//!   (written with deltalake): bytes read by the row diff, next to that file's size and the
//!   table's.
//!
//! Medians of R runs, each on a fresh store (no cache carried between runs).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use futures::StreamExt;
use lakescope::lake::LakeStore;
use lakescope::lake::delta::diff::{DeltaRef, DiffOptions};
use lakescope::lake::delta::log::History;
use object_store::{ObjectStore, ObjectStoreExt};

use super::latency::Delayed;
use super::{Moto, median, ms, start_moto};

const FIRST_SCREEN: usize = 34;

const V0: &str = r#"{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}
{"metaData":{"id":"bench","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],"configuration":{},"createdTime":1700000000000}}
"#;

fn add(path: &str, size: u64) -> String {
    format!(
        "{{\"add\":{{\"path\":\"{path}\",\"partitionValues\":{{}},\"size\":{size},\"modificationTime\":1700000000000,\"dataChange\":true,\"stats\":\"{{\\\"numRecords\\\":100}}\"}}}}\n"
    )
}

fn remove(path: &str) -> String {
    format!(
        "{{\"remove\":{{\"path\":\"{path}\",\"deletionTimestamp\":1700000000000,\"dataChange\":true,\"size\":1000}}}}\n"
    )
}

fn info(v: u64, op: &str) -> String {
    format!(
        "{{\"commitInfo\":{{\"timestamp\":{},\"operation\":\"{op}\",\"operationParameters\":{{\"mode\":\"Append\"}},\"engineInfo\":\"lakescope-bench\",\"readVersion\":{},\"isBlindAppend\":true}}}}\n",
        1_700_000_000_000u64 + v * 1000,
        v.saturating_sub(1)
    )
}

/// 10,000 commits of one file each.
fn long_log(dir: &Path) -> PathBuf {
    let root = dir.join("long_history");
    let log = root.join("_delta_log");
    if log.join(format!("{:020}.json", 9_999)).exists() {
        return root;
    }
    std::fs::create_dir_all(&log).unwrap();
    for v in 0..10_000u64 {
        let mut text = if v == 0 { V0.to_string() } else { String::new() };
        text.push_str(&info(v, "STREAMING UPDATE"));
        text.push_str(&add(&format!("part-{v:05}.parquet"), 1000));
        std::fs::write(log.join(format!("{v:020}.json")), text).unwrap();
    }
    root
}

/// v0 adds 100,000 files; v1 removes 10 and adds 10.
fn wide_table(dir: &Path) -> PathBuf {
    let root = dir.join("wide_table");
    let log = root.join("_delta_log");
    if log.join(format!("{:020}.json", 1)).exists() {
        return root;
    }
    std::fs::create_dir_all(&log).unwrap();
    let mut v0 = String::from(V0);
    v0.push_str(&info(0, "WRITE"));
    for i in 0..100_000 {
        v0.push_str(&add(&format!("part-{i:06}.parquet"), 1000));
    }
    std::fs::write(log.join(format!("{:020}.json", 0)), v0).unwrap();
    let mut v1 = info(1, "OPTIMIZE");
    for i in 0..10 {
        v1.push_str(&remove(&format!("part-{i:06}.parquet")));
        v1.push_str(&add(&format!("compacted-{i:02}.parquet"), 10_000));
    }
    std::fs::write(log.join(format!("{:020}.json", 1)), v1).unwrap();
    root
}

/// A real table of about `mib` MiB written by deltalake, then one small append.
async fn big_table(dir: &Path, mib: u64) -> PathBuf {
    let root = dir.join(format!("big_table_{mib}"));
    if root.join("_delta_log").join(format!("{:020}.json", 1)).exists() {
        return root;
    }
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let store = LakeStore::open_local(root.to_str().unwrap()).unwrap();
    let url = store.url_of("", true);
    let mut table = lakescope::lake::delta::builder(store.object_store(), &url).unwrap().build().unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("payload", DataType::Utf8, true),
    ]));
    let batch = |start: i64, n: i64| {
        let ids: Vec<i64> = (start..start + n).collect();
        let payload: Vec<String> =
            ids.iter().map(|i| format!("{:032x}", (*i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))).collect();
        RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(Int64Array::from(ids)) as ArrayRef, Arc::new(StringArray::from(payload))],
        )
        .unwrap()
    };
    // ~40 bytes a row once written: a batch of 1M rows is ~40 MiB.
    let rows = (mib << 20) / 40;
    let per = 1_000_000i64;
    let batches: Vec<RecordBatch> = (0..rows.div_ceil(per as u64) as i64).map(|b| batch(b * per, per)).collect();
    table = table.write(batches).await.unwrap();
    table.write(vec![batch(i64::MAX / 2, 100)]).with_save_mode(deltalake::protocol::SaveMode::Append).await.unwrap();
    root
}

fn table_ref(store: &LakeStore) -> DeltaRef {
    DeltaRef { location: store.url_of("", true).to_string(), rel: String::new() }
}

async fn history_first_screen(store: LakeStore) -> (Duration, u64) {
    let elapsed = first_screen_on(store.object_store(), &store).await;
    (elapsed, store.stats.total_count())
}

async fn first_screen_on(os: Arc<dyn ObjectStore>, store: &LakeStore) -> Duration {
    let t = table_ref(store);
    let start = Instant::now();
    let mut h = History::open(os, &store.key(""), &t.location).await.unwrap();
    h.load_more(FIRST_SCREEN).await.unwrap();
    assert_eq!(h.entries.len(), FIRST_SCREEN);
    assert_eq!(h.entries[0].version, 9_999);
    start.elapsed()
}

/// The newest commits read by name, the latest version known beforehand: no engine can show
/// them with fewer requests.
async fn floor_first_screen(store: LakeStore) -> (Duration, u64) {
    let elapsed = floor_on(store.object_store(), &store).await;
    (elapsed, store.stats.total_count())
}

async fn floor_on(os: Arc<dyn ObjectStore>, store: &LakeStore) -> Duration {
    let start = Instant::now();
    let jobs: Vec<_> = (10_000 - FIRST_SCREEN as u64..10_000)
        .rev()
        .map(|v| {
            let os = os.clone();
            let key = store.key(&format!("_delta_log/{v:020}.json"));
            async move { os.get(&key).await.unwrap().bytes().await.unwrap().len() }
        })
        .collect();
    let n = futures::stream::iter(jobs).buffered(FIRST_SCREEN).count().await;
    assert_eq!(n, FIRST_SCREEN);
    start.elapsed()
}

async fn deltalake_history(store: LakeStore) -> (Duration, u64) {
    let t = table_ref(&store);
    let start = Instant::now();
    let table = lakescope::lake::delta::diff::open_version(&store, &t.location, None).await.unwrap();
    let infos: Vec<_> = table.history(Some(FIRST_SCREEN)).collect().await;
    assert!(infos.len() >= FIRST_SCREEN.min(10), "{}", infos.len());
    (start.elapsed(), store.stats.total_count())
}

async fn file_diff(store: LakeStore) -> (Duration, u64, usize, usize) {
    let t = table_ref(&store);
    let start = Instant::now();
    let listing =
        lakescope::lake::delta::log::list_log(&store.object_store(), &store.key(""), &t.location).await.unwrap();
    let d = lakescope::lake::delta::log::diff_files(&store.object_store(), &listing, 0, 1).await.unwrap();
    (start.elapsed(), store.stats.total_bytes(), d.added.len(), d.removed.len())
}

async fn deltalake_file_diff(store: LakeStore) -> (Duration, u64, usize, usize) {
    let t = table_ref(&store);
    let start = Instant::now();
    let files = |table: deltalake::DeltaTable| -> HashSet<String> {
        table.snapshot().unwrap().log_data().iter().map(|f| f.path().to_string()).collect()
    };
    let (a, b) = futures::join!(
        lakescope::lake::delta::diff::open_version(&store, &t.location, Some(0)),
        lakescope::lake::delta::diff::open_version(&store, &t.location, Some(1))
    );
    let (a, b) = (files(a.unwrap()), files(b.unwrap()));
    let added = b.difference(&a).count();
    let removed = a.difference(&b).count();
    (start.elapsed(), store.stats.total_bytes(), added, removed)
}

fn runs_of<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<T> {
    (0..runs).map(|_| f()).collect()
}

async fn upload(store: &LakeStore, local: &Path, prefix: &str) {
    let mut stack = vec![local.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() { stack.push(p) } else { files.push(p) }
        }
    }
    let os = store.object_store();
    futures::stream::iter(files)
        .map(|p| {
            let rel = p.strip_prefix(local).unwrap().to_string_lossy().to_string();
            let key = store.key(&format!("{prefix}/{rel}"));
            let os = os.clone();
            async move { os.put(&key, std::fs::read(&p).unwrap().into()).await.unwrap() }
        })
        .buffer_unordered(32)
        .count()
        .await;
}

pub fn bench_delta(dir: &Path, big_mib: u64, runs: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let t = Instant::now();
    let long = long_log(dir);
    let wide = wide_table(dir);
    let big = rt.block_on(big_table(dir, big_mib));
    eprintln!("generated the tables in {:.1} s", t.elapsed().as_secs_f64());
    let local = |p: &Path| LakeStore::open_local(p.to_str().unwrap()).unwrap();

    let moto: Moto = start_moto();
    moto.create_bucket("bench");
    let t = Instant::now();
    rt.block_on(async {
        let s = moto.store("bench");
        upload(&s, &long, "long_history").await;
        upload(&s, &wide, "wide_table").await;
    });
    eprintln!("uploaded the logs to moto in {:.1} s", t.elapsed().as_secs_f64());
    let on_s3 = |prefix: &str| {
        LakeStore::open(lakescope::lake::LakeUrl::parse(&format!("s3://bench/{prefix}")).unwrap(), &moto.options())
            .unwrap()
    };

    println!("Delta history and diffs, {runs} runs, medians (fresh store each run)");
    for (label, local_store) in [("local disk", true), ("test S3 server", false)] {
        let open = |name: &str| if local_store { local(&dir.join(name)) } else { on_s3(name) };
        let ls: Vec<(Duration, u64)> = runs_of(runs, || rt.block_on(history_first_screen(open("long_history"))));
        let fl: Vec<(Duration, u64)> = runs_of(runs, || rt.block_on(floor_first_screen(open("long_history"))));
        let dl: Vec<(Duration, u64)> = runs_of(runs, || rt.block_on(deltalake_history(open("long_history"))));
        println!(
            "  history of 10,000 versions, first screen ({FIRST_SCREEN} versions), {label}: lakescope {} ({} requests), floor {} ({} GETs by name), deltalake load + history {} ({} requests)",
            ms(median(ls.iter().map(|r| r.0).collect())),
            ls[0].1,
            ms(median(fl.iter().map(|r| r.0).collect())),
            fl[0].1,
            ms(median(dl.iter().map(|r| r.0).collect())),
            dl[0].1
        );
        let ls: Vec<_> = runs_of(runs, || rt.block_on(file_diff(open("wide_table"))));
        let dl: Vec<_> = runs_of(runs, || rt.block_on(deltalake_file_diff(open("wide_table"))));
        assert_eq!((ls[0].2, ls[0].3), (dl[0].2, dl[0].3), "both find the same files");
        println!(
            "  file diff v0..v1 of a 100,000-file table, {label}: lakescope {} (read {}), deltalake two snapshots {} (read {}); +{} -{} files",
            ms(median(ls.iter().map(|r| r.0).collect())),
            lakescope::lake::units::bytes(ls[0].1),
            ms(median(dl.iter().map(|r| r.0).collect())),
            lakescope::lake::units::bytes(dl[0].1),
            ls[0].2,
            ls[0].3
        );
    }
    // A remote store's round trips without moto's one-request-at-a-time server: local disk
    // behind a fixed delay per request (deltalake is not run here: 10,000 commits at 25 ms).
    for rtt_ms in [10u64, 25] {
        let rtt = Duration::from_millis(rtt_ms);
        let delayed = || {
            let store = local(&long);
            let os: Arc<dyn ObjectStore> = Arc::new(Delayed { inner: store.object_store(), rtt });
            (store, os)
        };
        let ls: Vec<Duration> = runs_of(runs, || {
            let (store, os) = delayed();
            rt.block_on(first_screen_on(os, &store))
        });
        let fl: Vec<Duration> = runs_of(runs, || {
            let (store, os) = delayed();
            rt.block_on(floor_on(os, &store))
        });
        println!(
            "  history of 10,000 versions, first screen ({FIRST_SCREEN} versions), local disk with {rtt_ms} ms per request: lakescope {}, floor {} ({FIRST_SCREEN} GETs by name, all at once)",
            ms(median(ls)),
            ms(median(fl)),
        );
    }
    // The row diff's bytes, local (bytes read are the same on any store).
    let store = local(&big);
    let t = table_ref(&store);
    let started = Instant::now();
    let d = rt
        .block_on(lakescope::lake::delta::diff::diff_table(
            &store,
            &t,
            0,
            1,
            &DiffOptions { rows: 10, keys: vec!["id".into()], ..DiffOptions::default() },
        ))
        .unwrap();
    let took = started.elapsed();
    let table_bytes: u64 = walk_size(&big);
    let small: u64 = d.files.added.iter().filter_map(|f| f.size).sum();
    let data_get = store.stats.summary(0);
    let read = data_get.of(lakescope::lake::store::requests::RequestKind::RangedGet).bytes;
    println!(
        "  row diff of two versions differing by one {} file in a {} table: {} inserted rows found in {}; data bytes read {} (ranged GETs), the file itself {}",
        lakescope::lake::units::bytes(small),
        lakescope::lake::units::bytes(table_bytes),
        d.rows.as_ref().and_then(|r| r.keyed.as_ref()).map(|k| k.inserted).unwrap_or(0),
        ms(took),
        lakescope::lake::units::bytes(read),
        lakescope::lake::units::bytes(small)
    );
}

fn walk_size(p: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![p.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                total += e.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    total
}
