//! diag: the diagnostics targets, each next to a peer doing the least the same answer needs, in
//! the same run.
//!
//! - A Delta table of 100,000 files in 1,000 partitions, from its log alone (a generated log: v0
//!   adds every file with stats, v1 removes 5,000 and adds 500 — a compaction — and is
//!   checkpointed by deltalake, v2 appends 10 files after the checkpoint; no data files, as the
//!   log alone is read). lakescope: `gather` with the listing off (the snapshot through delta-rs,
//!   the tombstones, the newest 100 commits for the growth chart) and `analyze`. Peer: deltalake
//!   loading the same table and walking its file list (path, size, partition values) — what any
//!   reader of that log must do before it can say anything. Wall time and peak heap growth (a
//!   counting global allocator), medians of R runs on a fresh store each. Target: < 2 s and
//!   < 500 MiB.
//! - A hive-partitioned Parquet dataset of N objects (default 100,000, 1,000 partitions) on the
//!   test S3 server (moto on 127.0.0.1): `lakescope diag`'s path — discovery keeping the table's
//!   listing, then `gather` + `analyze` (footers are not read past `max_footers`) — against a
//!   plain paginated listing of the same prefix with the same client. Reported: LIST requests
//!   issued against the minimum number of pages, and wall times.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures::StreamExt;
use lakescope::config::Config;
use lakescope::lake::diag::{self, DiagOptions, TableId};
use lakescope::lake::store::requests::RequestKind;
use lakescope::lake::{LakeStore, TableEntry, discover};
use tokio_util::sync::CancellationToken;

use super::{CURRENT, PEAK, median, ms, start_moto};

const PARTITIONS: usize = 1_000;

fn mib(b: usize) -> String {
    format!("{:.0} MiB", b as f64 / (1 << 20) as f64)
}

/// Deterministic sizes from 4 KiB to 64 MiB, most of them small (a lake that needs compacting).
fn size_of(i: usize) -> u64 {
    let x = (i as u64).wrapping_mul(2_654_435_761) % 1000;
    if x < 700 { 4_096 + x * 1_000 } else { (x - 690) * 200_000 }
}

fn add(i: usize, now_ms: i64) -> String {
    let part = i % PARTITIONS;
    // Modified over the last 500 days, so the lifecycle estimate has something to count.
    let modified = now_ms - ((i % 500) as i64) * 86_400_000;
    format!(
        "{{\"add\":{{\"path\":\"part={part:04}/f-{i:07}.parquet\",\"partitionValues\":{{\"part\":\"{part:04}\"}},\"size\":{},\"modificationTime\":{modified},\"dataChange\":true,\"stats\":\"{{\\\"numRecords\\\":{}}}\"}}}}\n",
        size_of(i),
        100 + i % 900
    )
}

fn commit_info(v: u64, op: &str, now_ms: i64) -> String {
    format!(
        "{{\"commitInfo\":{{\"timestamp\":{},\"operation\":\"{op}\",\"operationParameters\":{{}},\"engineInfo\":\"lakescope-bench\"}}}}\n",
        now_ms - 3_600_000 + v as i64 * 1000
    )
}

/// The 100,000-file table's log, checkpointed at v1 by deltalake.
async fn big_log(dir: &Path, files: usize) -> PathBuf {
    let table = dir.join(format!("delta-{files}"));
    let log = table.join("_delta_log");
    if log.join("00000000000000000002.json").exists() {
        return table;
    }
    let _ = std::fs::remove_dir_all(&table);
    std::fs::create_dir_all(&log).unwrap();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let mut v0 = std::io::BufWriter::new(std::fs::File::create(log.join("00000000000000000000.json")).unwrap());
    v0.write_all(commit_info(0, "WRITE", now_ms).as_bytes()).unwrap();
    v0.write_all(b"{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n").unwrap();
    v0.write_all(
        format!(
            "{{\"metaData\":{{\"id\":\"bench\",\"format\":{{\"provider\":\"parquet\",\"options\":{{}}}},\"schemaString\":\"{{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{{}}}},{{\\\"name\\\":\\\"part\\\",\\\"type\\\":\\\"string\\\",\\\"nullable\\\":true,\\\"metadata\\\":{{}}}}]}}\",\"partitionColumns\":[\"part\"],\"configuration\":{{}},\"createdTime\":{now_ms}}}}}\n"
        )
        .as_bytes(),
    )
    .unwrap();
    for i in 0..files {
        v0.write_all(add(i, now_ms).as_bytes()).unwrap();
    }
    v0.flush().unwrap();
    drop(v0);
    // v1: 5,000 files rewritten into 500 (a compaction) a day ago: within the 7-day retention, so
    // the checkpoint keeps their tombstones (older ones are dropped at checkpoints).
    let mut v1 = String::new();
    v1.push_str(&commit_info(1, "OPTIMIZE", now_ms));
    for i in 0..5_000 {
        v1.push_str(&format!(
            "{{\"remove\":{{\"path\":\"part={:04}/f-{i:07}.parquet\",\"deletionTimestamp\":{},\"dataChange\":false,\"size\":{}}}}}\n",
            i % PARTITIONS,
            now_ms - 86_400_000,
            size_of(i)
        ));
    }
    for i in files..files + 500 {
        v1.push_str(&add(i, now_ms));
    }
    std::fs::write(log.join("00000000000000000001.json"), v1).unwrap();
    let url = url::Url::from_directory_path(&table).unwrap();
    let dt = deltalake::open_table(url).await.expect("the generated log opens");
    deltalake::checkpoints::create_checkpoint(&dt, None).await.expect("checkpoint");
    let mut v2 = commit_info(2, "WRITE", now_ms);
    for i in files + 500..files + 510 {
        v2.push_str(&add(i, now_ms));
    }
    std::fs::write(log.join("00000000000000000002.json"), v2).unwrap();
    table
}

fn entry_for(store: &LakeStore, rel: &str) -> TableEntry {
    let location = store.url_of(rel, true).to_string();
    TableEntry::new("bench", lakescope::lake::TableFormat::Delta, "bench", &location, rel)
}

/// Run `f`, returning its result, its wall time and the heap's peak growth during it.
async fn measured<T>(f: impl Future<Output = T>) -> (T, Duration, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let t = Instant::now();
    let out = f.await;
    let elapsed = t.elapsed();
    (out, elapsed, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

pub fn bench_diag(dir: &Path, files: usize, s3_files: usize, runs: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    std::fs::create_dir_all(dir).unwrap();
    let t = Instant::now();
    let table = rt.block_on(big_log(dir, files));
    eprintln!("log of {files} files ready in {:.1} s ({})", t.elapsed().as_secs_f64(), table.display());
    let root = dir.to_str().unwrap().to_string();
    let rel = table.file_name().unwrap().to_string_lossy().to_string();
    let config = Config::defaults();
    let mut gather = config.gather_options();
    gather.list_delta = false;
    let opts = DiagOptions::new(&config.diagnostics);

    let (mut ls_t, mut ls_m, mut peer_t, mut peer_m) = (vec![], vec![], vec![], vec![]);
    let mut summary = String::new();
    for _ in 0..runs {
        let store = LakeStore::open_local(&root).unwrap();
        let entry = entry_for(&store, &rel);
        let prices = config.pricing.for_scheme(store.url.scheme);
        let (d, t, m) = rt.block_on(measured(async {
            let inv = diag::gather(&store, &entry, &gather, &CancellationToken::new(), &mut |_| {}).await.unwrap();
            let id = TableId {
                table: "bench".into(),
                path: rel.clone(),
                location: entry.location.clone(),
                format: "delta",
                bucket: "bench".into(),
                zone: None,
            };
            diag::analyze(id, &inv, &prices, &opts)
        }));
        assert_eq!(d.totals.files as usize, files - 5_000 + 510);
        assert_eq!(d.totals.partitions as usize, PARTITIONS);
        assert_eq!(d.totals.stale_files, 5_000);
        summary = format!(
            "{} live files, {} partitions, {} small → {} after compaction, {} stale in {} files, {} findings",
            d.totals.files,
            d.totals.partitions,
            d.small_files.small,
            d.small_files.after_compaction,
            lakescope::lake::units::bytes(d.totals.stale_bytes),
            d.totals.stale_files,
            d.findings.len()
        );
        ls_t.push(t);
        ls_m.push(Duration::from_nanos(m as u64));

        let url = url::Url::from_directory_path(&table).unwrap();
        let (n, t, m) = rt.block_on(measured(async {
            let dt = deltalake::open_table(url).await.unwrap();
            let state = dt.snapshot().unwrap();
            let mut n = 0usize;
            let mut bytes = 0i64;
            for f in state.log_data().iter() {
                let _ = f.partition_values_map();
                bytes += f.size();
                n += 1;
            }
            std::hint::black_box(bytes);
            n
        }));
        assert_eq!(n, files - 5_000 + 510);
        peer_t.push(t);
        peer_m.push(Duration::from_nanos(m as u64));
    }
    let (lt, lm, pt, pm) =
        (median(ls_t), median(ls_m).as_nanos() as usize, median(peer_t), median(peer_m).as_nanos() as usize);
    println!(
        "diagnostics of a Delta table of {files} files in {PARTITIONS} partitions from its log (checkpoint + 1 commit), {runs} runs, medians"
    );
    println!("  {summary}");
    println!("  lakescope gather + analyze (log only)   {:>9}   peak heap +{}", ms(lt), mib(lm));
    println!("  deltalake load + walk the file list     {:>9}   peak heap +{}", ms(pt), mib(pm));
    println!("  lakescope / deltalake                   {:>9.2}x", lt.as_secs_f64() / pt.as_secs_f64());
    println!(
        "  target < 2 s and < 500 MiB: {}",
        if lt < Duration::from_secs(2) && lm < 500 << 20 { "met" } else { "NOT met" }
    );

    if s3_files > 0 {
        bench_s3_dataset(&rt, s3_files, runs);
    }
}

fn bench_s3_dataset(rt: &tokio::runtime::Runtime, files: usize, runs: usize) {
    use object_store::list::PaginatedListOptions;
    use object_store::{ObjectStoreExt, PutPayload};

    let moto = start_moto();
    moto.create_bucket("diag");
    let t = Instant::now();
    rt.block_on(async {
        let store = moto.store("diag");
        let os = store.object_store();
        // A tiny valid-looking Parquet tail is not needed: footers are not read past max_footers.
        futures::stream::iter(0..files)
            .map(|i| {
                let os = os.clone();
                let key = store.key(&format!("events/date={:04}/part-{i:07}.parquet", i % PARTITIONS));
                async move { os.put(&key, PutPayload::from_static(b"PAR1-not-read-PAR1")).await.unwrap() }
            })
            .buffer_unordered(64)
            .count()
            .await;
    });
    eprintln!("uploaded {files} objects to moto in {:.1} s", t.elapsed().as_secs_f64());
    let config = Config::defaults();
    let min_pages = files.div_ceil(1000) as u64;
    let (mut ls_t, mut peer_t) = (vec![], vec![]);
    let (mut ls_lists, mut peer_lists) = (0, 0);
    let mut summary = String::new();
    for _ in 0..runs {
        let store = moto.store("diag");
        let paged = store.paged().unwrap().clone();
        let t = Instant::now();
        rt.block_on(async {
            let mut token = None;
            loop {
                let o = PaginatedListOptions { page_token: token.take(), ..Default::default() };
                let page = paged.list_paginated(Some("events/"), o).await.unwrap();
                match page.page_token {
                    Some(p) => token = Some(p),
                    None => break,
                }
            }
        });
        peer_t.push(t.elapsed());
        peer_lists = store.stats.count(RequestKind::List);

        // `lakescope diag s3://diag/events`: discovery keeping the listing, then the diagnostics.
        let store = Arc::new(
            LakeStore::open(lakescope::lake::LakeUrl::parse("s3://diag/events").unwrap(), &moto.options()).unwrap(),
        );
        let t = Instant::now();
        let (diags, failed) = rt.block_on(async {
            let mut d = config.discovery.clone();
            d.keep_files = true;
            let catalog = discover(store.clone(), d, CancellationToken::new(), &mut |_| {}).await.unwrap();
            let tables: Vec<_> = catalog.tables().map(|(n, t)| (catalog.names_to(n.id).join("/"), t.clone())).collect();
            diag::diagnose_tables(
                &store,
                tables,
                &config.gather_options(),
                &DiagOptions::new(&config.diagnostics),
                &config.pricing.for_scheme(store.url.scheme),
                4,
                &CancellationToken::new(),
                &mut |_, _, _| {},
            )
            .await
            .unwrap()
        });
        ls_t.push(t.elapsed());
        ls_lists = store.stats.count(RequestKind::List);
        assert!(failed.is_empty(), "{failed:?}");
        let d = &diags[0];
        assert_eq!(d.totals.files as usize, files);
        summary = format!(
            "{} files, {} partitions, {} small → {} after compaction; {} GETs",
            d.totals.files,
            d.totals.partitions,
            d.small_files.small,
            d.small_files.after_compaction,
            store.stats.count(RequestKind::Get) + store.stats.count(RequestKind::RangedGet)
        );
    }
    let (lt, pt) = (median(ls_t), median(peer_t));
    println!(
        "diagnostics of a hive-partitioned dataset of {files} objects on the test S3 server (moto), {runs} runs, medians"
    );
    println!("  {summary}");
    println!("  minimum LIST pages of the prefix        {min_pages:>9}");
    println!("  plain paginated listing                 {peer_lists:>9} LISTs   {}", ms(pt));
    println!("  lakescope diag (discovery + diagnostics){ls_lists:>9} LISTs   {}", ms(lt));
    println!("  lakescope / plain listing, wall time    {:>9.2}x", lt.as_secs_f64() / pt.as_secs_f64());
}
