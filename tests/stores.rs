//! The same lake on a real S3-compatible server (moto, on 127.0.0.1, started by the tests) as on
//! local disk: discovery, Delta and Parquet details, the app driven by keys, shared test-data
//! tables uploaded, and the requests each step issues (a guard against accidental full reads).

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::s3::{bucket, moto, upload_dir};
use common::*;
use lakescope::config::Config;
use lakescope::lake::store::requests::RequestKind;
use lakescope::lake::{Catalog, LakeStore, TableEntry, TableFormat, discover, load_detail};
use lakescope::state::DetailSlot;
use tokio_util::sync::CancellationToken;

async fn catalog_of(store: &LakeStore) -> Arc<Catalog> {
    discover(Arc::new(store.clone()), Config::defaults().discovery, CancellationToken::new(), &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("discovery of {} failed: {e}", store.display()))
}

/// What must agree between two copies of a lake: path, format, files, bytes, partitions.
fn shape(c: &Catalog) -> Vec<(String, TableFormat, u64, u64, Vec<String>)> {
    let mut v: Vec<_> = c
        .tables()
        .map(|(_, t)| {
            (
                t.path.clone(),
                t.format,
                t.files,
                t.bytes,
                t.partitions.iter().map(|p| format!("{}:{:?}", p.name, p.data_type)).collect(),
            )
        })
        .collect();
    v.sort();
    v
}

fn table<'a>(c: &'a Catalog, path: &str) -> &'a TableEntry {
    c.tables().map(|(_, t)| t).find(|t| t.path == path).unwrap_or_else(|| panic!("no table {path}"))
}

/// The demo lake uploaded to a fresh bucket; returns the bucket's store.
async fn demo_on_s3() -> Option<(LakeStore, String)> {
    let moto = moto()?;
    let b = bucket("demo");
    moto.create_bucket(&b);
    let store = moto.store(&format!("s3://{b}"));
    upload_dir(&store, demo_lake(), "").await;
    Some((moto.store(&format!("s3://{b}")), b))
}

#[test]
fn the_s3_server_is_the_pinned_moto_whatever_is_on_path() {
    if moto().is_none() {
        return;
    }
    assert_eq!(common::s3::installed_version().as_deref(), Some(common::s3::MOTO_VERSION));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_lake_reads_the_same_on_s3_as_on_disk() {
    let Some((s3, _)) = demo_on_s3().await else { return };
    let local = LakeStore::open_local(demo_lake().to_str().unwrap()).unwrap();
    let (on_s3, on_disk) = (catalog_of(&s3).await, catalog_of(&local).await);
    assert_eq!(shape(&on_s3), shape(&on_disk));
    assert_eq!(on_s3.table_count(), 9);
    let orders = table(&on_s3, "acme-lake/silver/orders");
    assert!(
        orders.location.starts_with("s3://demo-") && orders.location.ends_with("/acme-lake/silver/orders/"),
        "{}",
        orders.location
    );
    assert_eq!(orders.delta_log.as_ref().unwrap().latest_version, Some(12));

    // Details agree too: Delta through delta-rs on the S3 store, Parquet footers, CSV sniffing.
    for path in [
        "acme-lake/silver/orders",
        "acme-lake/bronze/events",
        "acme-lake/raw/customers",
        "acme-lake/gold/daily_revenue",
    ] {
        let a = load_detail(&s3, table(&on_s3, path)).await.unwrap_or_else(|e| panic!("{path} on S3: {e}"));
        let b = load_detail(&local, table(&on_disk, path)).await.unwrap();
        assert_eq!(a.columns, b.columns, "{path}");
        assert_eq!(a.rows, b.rows, "{path}");
        assert_eq!(
            a.delta.as_ref().map(|d| (d.version, d.files, d.rows)),
            b.delta.as_ref().map(|d| (d.version, d.files, d.rows)),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_test_tables_uploaded_to_s3_open_like_on_disk() {
    let Some(testdata) = shared_testdata() else { return };
    let Some(moto) = moto() else { return };
    let b = bucket("testdata");
    moto.create_bucket(&b);
    let store = moto.store(&format!("s3://{b}"));
    let tables = [
        "delta/delta-rs/simple_table",
        "delta/delta-rs/cdf-table",
        "delta/delta-rs/table_with_deletion_logs",
        "delta/delta-rs/checkpoint-v2-table",
        "delta/delta-rs/delta-0.8.0-partitioned",
        "delta/delta-rs/simple_table_features",
        "parquet/parquet-testing/data",
    ];
    for t in tables {
        upload_dir(&store, &testdata.join(t), &format!("lake/{t}")).await;
    }
    let s3 = moto.store(&format!("s3://{b}/lake"));
    let c = catalog_of(&s3).await;
    for t in &tables[..6] {
        assert_eq!(table(&c, t).format, TableFormat::Delta, "{t}");
    }
    let pq: Vec<&TableEntry> = c.tables().map(|(_, t)| t).filter(|t| t.path.starts_with("parquet/")).collect();
    assert!(pq.len() >= 25 && pq.iter().all(|t| t.format == TableFormat::Parquet), "{} parquet tables", pq.len());
    // Same outcome as on disk for each Delta table: opens with the same rows, or the same refusal.
    let local = LakeStore::open_local(testdata.to_str().unwrap()).unwrap();
    let local_c = catalog_of(&local).await;
    for t in &tables[..6] {
        let on_s3 = load_detail(&s3, table(&c, t)).await;
        let on_disk = load_detail(&local, table(&local_c, t)).await;
        match (on_s3, on_disk) {
            (Ok(a), Ok(b)) => assert_eq!(a.rows, b.rows, "{t}"),
            (Err(a), Err(b)) => {
                assert!(a.to_string().contains("Reader features must not be present"), "{t}: {a}");
                assert!(b.to_string().contains("Reader features must not be present"), "{t}: {b}");
            }
            (a, b) => panic!("{t}: S3 {a:?} vs disk {b:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsing_an_s3_lake_with_keys() {
    let Some((s3, b)) = demo_on_s3().await else { return };
    let mut app = lakescope::App::new(s3, Config::defaults(), false).unwrap();
    app.dispatch(lakescope::event::Msg::Resize { width: 120, height: 40 });
    app.start();
    settle(&mut app).await;
    assert_eq!(column(&app), vec![b.clone()], "an S3 root is one bucket");
    keys(&mut app, "l");
    assert_eq!(column(&app), vec!["acme-lake", "acme-ml"]);
    keys(&mut app, "l j j l j");
    settle(&mut app).await;
    assert_eq!(selected(&app).as_deref(), Some("orders"));
    let text = screen(&app, 120, 40);
    assert!(text.contains("live       v12 · 10 files") && text.contains("rows       963"), "{text}");
    assert!(text.contains(&format!("s3://{b}")), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_a_detail_costs_the_expected_requests() {
    let Some((s3, _)) = demo_on_s3().await else { return };
    let c = catalog_of(&s3).await;
    let stats = s3.stats.clone();

    // A Parquet dataset: one ranged GET of the last 64 KiB of one file (its size is known from
    // the listing), never a full read.
    let before = stats.summary(0);
    load_detail(&s3, table(&c, "acme-lake/bronze/events")).await.unwrap();
    let after = stats.summary(0);
    let delta = |k: RequestKind| after.of(k).count - before.of(k).count;
    assert_eq!(delta(RequestKind::RangedGet), 1, "one footer read");
    assert_eq!(after.total.count - before.total.count, 1, "nothing else: {after:?}");
    let sample = table(&c, "acme-lake/bronze/events").sample_file_bytes.unwrap();
    assert!(
        after.of(RequestKind::RangedGet).bytes - before.of(RequestKind::RangedGet).bytes <= sample,
        "no more than the file"
    );

    // A CSV drop: one ranged GET of its beginning.
    let before = stats.summary(0);
    load_detail(&s3, table(&c, "acme-lake/raw/customers")).await.unwrap();
    let after = stats.summary(0);
    assert_eq!(after.total.count - before.total.count, 1);
    assert_eq!(after.of(RequestKind::RangedGet).count - before.of(RequestKind::RangedGet).count, 1);

    // A Delta table with a checkpoint at v10 and commits 11-12: only its log is read. delta-rs
    // reads the checkpoint many times; the lake's log cache turns that into one ranged read (which
    // reveals its size) and one whole read. Expected: LIST _delta_log, GET _last_checkpoint, the
    // checkpoint's footer + whole file, GET 11.json, GET 12.json.
    let before = stats.summary(usize::MAX);
    load_detail(&s3, table(&c, "acme-lake/silver/orders")).await.unwrap();
    let after = stats.summary(usize::MAX);
    let new: Vec<_> = after.recent.iter().take((after.total.count - before.total.count) as usize).collect();
    assert!(
        new.iter().all(|r| r.path.contains("/_delta_log") || r.kind == RequestKind::List),
        "only the log is read: {new:#?}"
    );
    let count = |k: RequestKind| new.iter().filter(|r| r.kind == k).count();
    assert_eq!(
        (count(RequestKind::List), count(RequestKind::Get), count(RequestKind::RangedGet)),
        (1, 4, 1),
        "{new:#?}"
    );

    // Opening it again re-reads only what can change: the listing and _last_checkpoint.
    let before = stats.summary(0).total.count;
    load_detail(&s3, table(&c, "acme-lake/silver/orders")).await.unwrap();
    assert_eq!(stats.summary(0).total.count - before, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_lists_each_folder_once_and_each_table_flat() {
    let Some((s3, _)) = demo_on_s3().await else { return };
    let before = s3.stats.count(RequestKind::List);
    let c = catalog_of(&s3).await;
    let lists = s3.stats.count(RequestKind::List) - before;
    // Folders listed with a delimiter (one page each here): the root, 2 buckets, 5 zones, and
    // the folders holding tables; tables with subfolders are then listed flat (one page each).
    let folders = c.progress.folders_listed;
    let flat_tables =
        c.tables().filter(|(_, t)| matches!(t.format, TableFormat::Delta) || !t.partitions.is_empty()).count() as u64;
    assert_eq!(lists, folders + flat_tables, "LIST requests: {lists}, folders {folders}, flat tables {flat_tables}");
    assert_eq!(
        s3.stats.count(RequestKind::Get) + s3.stats.count(RequestKind::RangedGet),
        0,
        "discovery reads no object"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_prefix_streams_page_by_page() {
    let Some(moto) = moto() else { return };
    let b = bucket("wide");
    moto.create_bucket(&b);
    let store = moto.store(&format!("s3://{b}"));
    // 2,500 drops in one folder: 3 pages of at most 1,000 keys.
    let os = store.object_store();
    let puts = (0..2500).map(|i| {
        let os = os.clone();
        let key = store.key(&format!("raw/clicks/clicks_{i:05}.json"));
        async move {
            object_store::ObjectStoreExt::put(&os, &key, object_store::PutPayload::from_static(b"{\"a\":1}\n"))
                .await
                .unwrap()
        }
    });
    futures::stream::iter(puts).buffer_unordered(32).collect::<Vec<_>>().await;
    let s3 = moto.store(&format!("s3://{b}"));
    let mut snapshots = Vec::new();
    let mut opts = Config::defaults().discovery;
    opts.snapshot_interval = Duration::from_millis(1);
    let c = discover(Arc::new(s3.clone()), opts, CancellationToken::new(), &mut |c: Arc<Catalog>| {
        snapshots.push(c.progress.objects)
    })
    .await
    .unwrap();
    assert_eq!(c.progress.objects, 2500);
    let clicks = c.tables().map(|(_, t)| t).find(|t| t.path == "raw/clicks").expect("one table of drops");
    assert_eq!(clicks.files, 2500);
    assert!(snapshots.iter().any(|n| *n > 0 && *n < 2500), "partial results while listing: {snapshots:?}");
    // root + raw + raw/clicks (3 pages) = 5 LIST requests, the minimum.
    assert_eq!(s3.stats.count(RequestKind::List), 5);
}

use futures::StreamExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_deleted_between_list_and_read_is_explained() {
    let Some((s3, _)) = demo_on_s3().await else { return };
    let c = catalog_of(&s3).await;
    let t = table(&c, "acme-lake/raw/products.csv").clone();
    let key = s3.key(t.sample_file.as_deref().unwrap());
    // In the app: listed, then deleted, then opened: the entry says why, the rest goes on.
    let mut app = lakescope::App::new(s3.clone(), Config::defaults(), false).unwrap();
    app.dispatch(lakescope::event::Msg::Resize { width: 120, height: 40 });
    app.start();
    settle(&mut app).await;
    object_store::ObjectStoreExt::delete(&s3.object_store(), &key).await.unwrap();
    let err = load_detail(&s3, &t).await.unwrap_err().to_string();
    assert!(err.contains("products.csv") && err.contains("not found"), "{err}");
    keys(&mut app, "l l l");
    settle(&mut app).await;
    let slot = app.state.detail_of(&t.location);
    assert!(matches!(slot, Some(DetailSlot::Failed(e)) if e.contains("not found")), "{slot:?}");
    let customers =
        app.state.catalog.tables().map(|(_, t)| t).find(|t| t.path.ends_with("raw/customers")).unwrap().clone();
    assert!(matches!(app.state.detail_of(&customers.location), Some(DetailSlot::Ready(_))));
}
