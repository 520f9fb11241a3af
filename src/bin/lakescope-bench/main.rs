//! lakescope-bench: speed and memory measurements, each next to a peer measured in the same run
//! on the same data. `lakescope-bench all` runs every one and writes BENCHMARKS.md (report.rs);
//! one alone: `cargo run --release --bin lakescope-bench -- discovery` (the release profile is
//! the binary `cargo install` builds, the one users run).
//!
//! s3-listing: a prefix of N objects (default 100,000) on a moto S3 server started on
//! 127.0.0.1 (moto_server on PATH, or in target/tmp/moto-venv). Peer: a plain paginated
//! delimited listing of the same prefix with the same client (object_store's S3 store with the
//! same HTTP client and accounting). Reported: LIST requests issued against the minimum number of
//! pages (ceil(N / 1000) for the prefix, plus one per parent level), time to the first entries
//! (first page of the peer; first snapshot holding objects for lakescope), and wall time.
//!
//! discovery: a generated local lake of N files (default 100,000) in a realistic layout (2
//! buckets x 4 zones x 25 tables: CSV drops, hive-partitioned Parquet, Delta tables with logs).
//! Peers: `find ROOT -type f` (names only) and `find ROOT -type f -printf '%s %T@'` (names, size
//! and mtime: what lakescope needs, so the fair comparison). Reported: the median of R runs after
//! one warm-up of each (page cache warm), time to the first snapshot holding a table and to the
//! first frame drawn with tables, total time, and peak heap growth per object during discovery,
//! from a counting global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lakescope::App;
use lakescope::config::Config;
use lakescope::event::{Intent, Msg};
use lakescope::lake::{Catalog, LakeStore, discover};
use tokio_util::sync::CancellationToken;

struct Counting;

pub(crate) static CURRENT: AtomicUsize = AtomicUsize::new(0);
pub(crate) static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

mod builds;
mod compact;
mod delta;
mod diag;
mod footers;
mod latency;
mod log;
mod report;
mod sql;
mod ui;

fn usage() -> ! {
    eprintln!("usage: lakescope-bench all [--only NAME,NAME] [--output BENCHMARKS.md]");
    eprintln!("       lakescope-bench discovery [--files N] [--runs R] [--dir DIR]");
    eprintln!("       lakescope-bench s3-listing [--files N] [--runs R]");
    eprintln!("       lakescope-bench footers [--big-mib M] [--runs R] [--dir DIR]");
    eprintln!("       lakescope-bench delta [--big-mib M] [--runs R] [--dir DIR]");
    eprintln!("       lakescope-bench sql [--rows N] [--runs R] [--dir DIR] [--duckdb PATH]");
    eprintln!("       lakescope-bench ui [--rows N] [--width W] [--height H] [--runs R] [--dir DIR]");
    eprintln!("       lakescope-bench compact [--files N] [--file-kib K] [--runs R] [--dir DIR] [--python PATH]");
    eprintln!("       lakescope-bench diag [--files N] [--s3-files N] [--runs R] [--dir DIR]");
    eprintln!("       lakescope-bench delta-log [--adds N] [--runs R] [--dir DIR]");
    eprintln!("       lakescope-bench build-times [--release] [--dir DIR]");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else { usage() };
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    match cmd.as_str() {
        "all" => {
            let output = flag("--output")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md"));
            let only = flag("--only").map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
            report::run_all(output, only);
        }
        "discovery" => {
            let files: usize = flag("--files").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(100_000);
            let runs: usize = flag("--runs").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(5);
            let dir = flag("--dir").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("lakescope-bench"));
            bench_discovery(&dir, files, runs.max(1));
        }
        "s3-listing" => {
            let files: usize = flag("--files").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(100_000);
            let runs: usize = flag("--runs").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(3);
            bench_s3_listing(files, runs.max(1));
        }
        "footers" => {
            let big: u64 = flag("--big-mib").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(1024);
            let runs: usize = flag("--runs").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(3);
            let dir = flag("--dir")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("lakescope-bench-footers"));
            footers::bench_footers(&dir, big, runs.max(1));
        }
        "delta" => {
            let big: u64 = flag("--big-mib").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(1024);
            let runs: usize = flag("--runs").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(5);
            let dir =
                flag("--dir").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("lakescope-bench-delta"));
            delta::bench_delta(&dir, big, runs.max(1));
        }
        "diag" => {
            let files: usize = flag("--files").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(100_000);
            let s3: usize = flag("--s3-files").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(100_000);
            let runs: usize = flag("--runs").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(3);
            let dir =
                flag("--dir").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("lakescope-bench-diag"));
            diag::bench_diag(&dir, files.max(6_000), s3, runs.max(1));
        }
        "delta-log" => {
            let adds: usize = flag("--adds").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(300_000);
            let runs: usize = flag("--runs").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(3);
            let dir =
                flag("--dir").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("lakescope-bench-log"));
            log::bench_log(&dir, adds.max(1_000), runs.max(1));
        }
        "build-times" => {
            let dir =
                flag("--dir").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("lakescope-bench-builds"));
            builds::bench_builds(&dir, args.iter().any(|a| a == "--release"));
        }
        "compact" => {
            let files: usize = flag("--files").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(2_000);
            let kib: usize = flag("--file-kib").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(512);
            let runs: usize = flag("--runs").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(3);
            let dir = flag("--dir")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("lakescope-bench-compact"));
            compact::bench_compact(&dir, files.max(2), kib.max(1), runs.max(1), flag("--python"));
        }
        "ui" => {
            let rows: usize = flag("--rows").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(1_000_000);
            let w: u16 = flag("--width").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(200);
            let h: u16 = flag("--height").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(60);
            let runs: usize = flag("--runs").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(5);
            let dir =
                flag("--dir").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("lakescope-bench-ui"));
            ui::bench_ui(rows, w, h, &dir, runs.max(1));
        }
        "sql" => {
            let rows: usize = flag("--rows").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(10_000_000);
            let runs: usize = flag("--runs").map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(3);
            let dir =
                flag("--dir").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("lakescope-bench-sql"));
            sql::bench_sql(&dir, rows, runs.max(1), flag("--duckdb"));
        }
        _ => usage(),
    }
}

/// A moto server on a free loopback port, killed when dropped.
struct Moto {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// A counting store on `s3://bucket` of this server, as the app opens one.
    fn store(&self, bucket: &str) -> LakeStore {
        use lakescope::lake::LakeUrl;
        LakeStore::open(LakeUrl::parse(&format!("s3://{bucket}")).unwrap(), &self.options()).unwrap()
    }

    /// How to reach this server: its endpoint over HTTP, moto's test keys.
    fn options(&self) -> lakescope::lake::StoreOptions {
        use lakescope::lake::store::cloud::StaticKeys;
        lakescope::lake::StoreOptions {
            endpoint: Some(self.endpoint.clone()),
            allow_http: true,
            region: Some("us-east-1".into()),
            static_keys: Some(StaticKeys { key_id: "testing".into(), secret: "testing".into() }),
            ..lakescope::config::Config::defaults().store
        }
    }

    fn create_bucket(&self, bucket: &str) {
        use std::io::{Read, Write};
        let port = self.endpoint.rsplit(':').next().unwrap();
        let mut s = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        s.write_all(
            format!("PUT /{bucket} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n").as_bytes(),
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"), "create bucket: {answer}");
    }
}

fn start_moto() -> Moto {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp/moto-venv/bin/moto_server");
    let bin = if venv.exists() { venv } else { PathBuf::from("moto_server") };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {} (install moto: see .ci/run): {e}", bin.display()));
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    Moto { child, endpoint: format!("http://127.0.0.1:{port}") }
}

fn bench_s3_listing(files: usize, runs: usize) {
    use futures::StreamExt;
    use lakescope::lake::store::requests::RequestKind;
    use object_store::list::PaginatedListOptions;
    use object_store::{ObjectStoreExt, PutPayload};

    let moto = start_moto();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let open = || moto.store("bench");
    moto.create_bucket("bench");
    let started = Instant::now();
    rt.block_on(async {
        let store = open();
        let os = store.object_store();
        futures::stream::iter(0..files)
            .map(|i| {
                let os = os.clone();
                let key = store.key(&format!("raw/clicks/clicks_{i:06}.json"));
                async move { os.put(&key, PutPayload::from_static(b"{\"a\":1}\n")).await.unwrap() }
            })
            .buffer_unordered(64)
            .count()
            .await;
    });
    eprintln!("uploaded {files} objects to moto in {:.1} s", started.elapsed().as_secs_f64());

    let min_pages = files.div_ceil(1000) as u64 + 2; // the prefix, plus the root and raw/
    let (mut peer_first, mut peer_total, mut ls_first, mut ls_total) = (vec![], vec![], vec![], vec![]);
    let (mut peer_requests, mut ls_requests) = (0, 0);
    for _ in 0..runs {
        // Peer: the same client, delimited pages of the root, raw/ and raw/clicks/.
        let store = open();
        let paged = store.paged().unwrap().clone();
        let t = Instant::now();
        let mut first = None;
        rt.block_on(async {
            for prefix in [None, Some("raw/"), Some("raw/clicks/")] {
                let mut token = None;
                loop {
                    let o = PaginatedListOptions {
                        delimiter: Some("/".into()),
                        page_token: token.take(),
                        ..Default::default()
                    };
                    let page = paged.list_paginated(prefix, o).await.unwrap();
                    if prefix == Some("raw/clicks/") && first.is_none() {
                        first = Some(t.elapsed());
                    }
                    match page.page_token {
                        Some(p) => token = Some(p),
                        None => break,
                    }
                }
            }
        });
        peer_total.push(t.elapsed());
        peer_first.push(first.unwrap());
        peer_requests = store.stats.count(RequestKind::List);

        // lakescope: discovery of the bucket, snapshots as it goes.
        let store = Arc::new(open());
        let t = Instant::now();
        let mut first = None;
        let mut on_snapshot = |c: Arc<Catalog>| {
            if first.is_none() && c.progress.objects > 0 {
                first = Some(t.elapsed());
            }
        };
        let mut o = Config::defaults().discovery;
        o.snapshot_interval = Duration::from_millis(20);
        let c = rt.block_on(discover(store.clone(), o, CancellationToken::new(), &mut on_snapshot)).unwrap();
        ls_total.push(t.elapsed());
        ls_first.push(first.unwrap_or(t.elapsed()));
        ls_requests = store.stats.count(RequestKind::List);
        assert_eq!(c.progress.objects, files as u64);
    }
    let (pt, lt) = (median(peer_total), median(ls_total));
    println!("listing a prefix of {files} objects on the test S3 server (moto), {runs} runs, medians");
    println!("  minimum LIST pages (prefix + 2 parents)  {min_pages:>8}");
    println!(
        "  plain paginated listing: LIST requests   {peer_requests:>8}   first page {}   total {}",
        ms(median(peer_first)),
        ms(pt)
    );
    println!(
        "  lakescope discovery: LIST requests       {ls_requests:>8}   first entries {}   total {}",
        ms(median(ls_first)),
        ms(lt)
    );
    println!("  lakescope / plain listing, wall time     {:>8.2}x", lt.as_secs_f64() / pt.as_secs_f64());
}

/// Tables of the generated lake: (bucket, zone, name, kind).
fn layout() -> Vec<(String, &'static str, String, &'static str)> {
    let mut out = Vec::new();
    for bucket in ["acme-prod", "acme-dev"] {
        for (zone, kind) in [("raw", "csv"), ("bronze", "hive"), ("silver", "delta"), ("gold", "parquet")] {
            for t in 0..25 {
                out.push((bucket.to_string(), zone, format!("{zone}_table_{t:02}"), kind));
            }
        }
    }
    out
}

/// Write the lake once (kept between runs; a marker records the file count).
fn generate(dir: &Path, files: usize) -> PathBuf {
    let root = dir.join(format!("lake-{files}"));
    let marker = root.join(".lakescope-bench");
    if std::fs::read_to_string(&marker).is_ok_and(|s| s.trim() == files.to_string()) {
        return root;
    }
    let _ = std::fs::remove_dir_all(&root);
    let tables = layout();
    let per_table = files / tables.len();
    let started = Instant::now();
    let body = b"PAR1\0\0\0\0\0\0\0\0PAR1";
    for (bucket, zone, name, kind) in &tables {
        let t = root.join(bucket).join(zone).join(name);
        let mut paths: Vec<PathBuf> = Vec::with_capacity(per_table);
        match *kind {
            "csv" => {
                (0..per_table).for_each(|i| paths.push(t.join(format!("drop_2026-11-{:02}_{i:05}.csv", i % 28 + 1))))
            }
            "hive" => (0..per_table).for_each(|i| {
                paths.push(t.join(format!("date=2026-{:02}-{:02}/part-{i:05}.snappy.parquet", i % 12 + 1, i % 28 + 1)))
            }),
            "delta" => {
                let commits = 20.min(per_table);
                (0..commits).for_each(|v| paths.push(t.join(format!("_delta_log/{v:020}.json"))));
                (commits..per_table).for_each(|i| {
                    paths.push(t.join(format!("order_date=2026-11-{:02}/part-{i:05}-c000.snappy.parquet", i % 28 + 1)))
                });
            }
            _ => (0..per_table).for_each(|i| paths.push(t.join(format!("part-{i:05}.parquet")))),
        }
        for p in paths {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, body).unwrap();
        }
    }
    std::fs::write(&marker, files.to_string()).unwrap();
    eprintln!(
        "generated {} files in {:.1} s under {}",
        per_table * tables.len(),
        started.elapsed().as_secs_f64(),
        root.display()
    );
    root
}

fn find_time(root: &Path, printf: bool) -> (Duration, usize) {
    let started = Instant::now();
    let mut cmd = Command::new("find");
    cmd.arg(root).args(["-type", "f"]);
    if printf {
        cmd.args(["-printf", "%s %T@\\n"]);
    }
    let out = cmd.output().expect("find runs");
    (started.elapsed(), out.stdout.iter().filter(|b| **b == b'\n').count())
}

/// The same client with no discovery logic: one flat `list` of the whole tree.
async fn object_store_time(root: &Path) -> (Duration, u64) {
    use futures::StreamExt;
    let store = LakeStore::open_local(root.to_str().unwrap()).unwrap();
    let prefix = store.key("");
    let os = store.object_store();
    let started = Instant::now();
    let mut stream = os.list(Some(&prefix));
    let mut n = 0;
    while let Some(item) = stream.next().await {
        item.unwrap();
        n += 1;
    }
    (started.elapsed(), n)
}

struct DiscoveryRun {
    first_table: Duration,
    total: Duration,
    objects: u64,
    tables: u64,
    peak_heap: usize,
}

async fn lakescope_time(root: &Path) -> DiscoveryRun {
    let store = Arc::new(LakeStore::open_local(root.to_str().unwrap()).unwrap());
    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let started = Instant::now();
    let mut first: Option<Duration> = None;
    let mut on_snapshot = |c: Arc<Catalog>| {
        if first.is_none() && c.table_count() > 0 {
            first = Some(started.elapsed());
        }
    };
    let catalog =
        discover(store, Config::defaults().discovery, CancellationToken::new(), &mut on_snapshot).await.unwrap();
    let total = started.elapsed();
    let peak_heap = PEAK.load(Ordering::Relaxed).saturating_sub(baseline);
    DiscoveryRun {
        first_table: first.unwrap_or(total),
        total,
        objects: catalog.progress.objects,
        tables: catalog.table_count(),
        peak_heap,
    }
}

/// Time from starting the app to the first drawn frame that shows tables.
async fn first_frame(root: &Path) -> Duration {
    let store = LakeStore::open_local(root.to_str().unwrap()).unwrap();
    let mut app = App::new(store, Config::defaults(), true).unwrap();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let started = Instant::now();
    app.dispatch(Msg::Resize { width: 120, height: 40 });
    app.start();
    loop {
        if app.state.catalog.table_count() > 0 {
            terminal.draw(|f| app.draw(f)).unwrap();
            let elapsed = started.elapsed();
            app.dispatch(Intent::Quit.into());
            app.settle(Duration::from_secs(30)).await;
            return elapsed;
        }
        if !app.step(Duration::from_secs(30)).await {
            return started.elapsed();
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn bench_discovery(dir: &Path, files: usize, runs: usize) {
    let root = generate(dir, files);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    // Warm-up: page cache and allocator.
    find_time(&root, true);
    rt.block_on(lakescope_time(&root));

    let (mut find_names, mut find_stat, mut ls_total, mut ls_first, mut frames) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut os_list = vec![];
    let mut last = None;
    let mut found = 0;
    for _ in 0..runs {
        let (t, n) = find_time(&root, false);
        find_names.push(t);
        found = n;
        find_stat.push(find_time(&root, true).0);
        os_list.push(rt.block_on(object_store_time(&root)).0);
        let run = rt.block_on(lakescope_time(&root));
        ls_total.push(run.total);
        ls_first.push(run.first_table);
        frames.push(rt.block_on(first_frame(&root)));
        last = Some(run);
    }
    let run = last.expect("at least one run");
    let (fn_, fs, lt) = (median(find_names), median(find_stat), median(ls_total));
    println!(
        "discovery of a local lake: {} files ({} listed by lakescope), {} tables, {runs} runs, medians",
        found, run.objects, run.tables
    );
    println!("  find -type f                      {:>10}", ms(fn_));
    println!("  find -type f -printf size,mtime   {:>10}", ms(fs));
    let ol = median(os_list);
    println!("  object_store flat list, same client {:>8}", ms(ol));
    println!(
        "  lakescope discovery (total)       {:>10}   {:.2}x find, {:.2}x find -printf, {:.2}x object_store list",
        ms(lt),
        lt.as_secs_f64() / fn_.as_secs_f64(),
        lt.as_secs_f64() / fs.as_secs_f64(),
        lt.as_secs_f64() / ol.as_secs_f64()
    );
    println!("  lakescope first table found       {:>10}", ms(median(ls_first)));
    println!("  lakescope first frame with tables {:>10}   (App + TestBackend 120x40)", ms(median(frames)));
    println!(
        "  peak heap growth during discovery {:>10}   {:.0} bytes per object",
        format!("{:.1} MiB", run.peak_heap as f64 / 1048576.0),
        run.peak_heap as f64 / run.objects.max(1) as f64
    );
}
