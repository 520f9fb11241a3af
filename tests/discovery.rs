//! Catalog discovery on small hand-built lakes, one rule at a time: buckets, zones, every table
//! format, tables at depth and the depth bound, a table's own folders, grouped drops, partition
//! inference, roots that are themselves a table, and streaming partial snapshots.

use std::path::Path;
use std::sync::Arc;

use lakescope::config::Config;
use lakescope::lake::discover::DiscoveryOptions;
use lakescope::lake::discover::partition::PartitionType;
use lakescope::lake::{Catalog, LakeStore, NodeKind, TableEntry, TableFormat, discover};
use tokio_util::sync::CancellationToken;

const PARQUET_BYTES: &[u8] = b"PAR1\0\0\0\0\0\0\0\0PAR1";

fn touch(root: &Path, rel: &str, body: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

fn lake(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        let body: &[u8] = if f.ends_with(".parquet") { PARQUET_BYTES } else { b"x\n" };
        touch(dir.path(), f, body);
    }
    dir
}

async fn run(root: &Path, opts: DiscoveryOptions) -> Arc<Catalog> {
    let store = Arc::new(LakeStore::open_local(root.to_str().unwrap()).unwrap());
    discover(store, opts, CancellationToken::new(), &mut |_| {}).await.unwrap()
}

async fn catalog(root: &Path) -> Arc<Catalog> {
    run(root, Config::defaults().discovery).await
}

fn table<'a>(c: &'a Catalog, path: &str) -> &'a TableEntry {
    c.tables().map(|(_, t)| t).find(|t| t.path == path).unwrap_or_else(|| {
        let all: Vec<&str> = c.tables().map(|(_, t)| t.path.as_str()).collect();
        panic!("no table at {path}; tables: {all:?}")
    })
}

fn table_paths(c: &Catalog) -> Vec<String> {
    let mut v: Vec<String> = c.tables().map(|(_, t)| t.path.clone()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn every_table_format_is_recognised() {
    let dir = lake(&[
        "lake/silver/orders/_delta_log/00000000000000000000.json",
        "lake/silver/orders/_delta_log/00000000000000000001.json",
        "lake/silver/orders/_delta_log/00000000000000000002.checkpoint.parquet",
        "lake/silver/orders/day=2026-11-01/part-0.parquet",
        "lake/silver/orders/_change_data/cdc-0.parquet",
        "lake/gold/kpis/metadata/v1.metadata.json",
        "lake/gold/kpis/metadata/snap-1.avro",
        "lake/gold/kpis/data/region=eu/00000-0-a.parquet",
        "lake/gold/trips/.hoodie/hoodie.properties",
        "lake/gold/trips/city=paris/abc_1-0-1_2026.parquet",
        "lake/bronze/clicks/date=2026-11-01/part-0.parquet",
        "lake/bronze/clicks/date=2026-11-02/part-1.parquet",
        "lake/raw/crm/customers_2026-11-01.csv",
        "lake/raw/crm/customers_2026-11-02.csv",
        "lake/raw/events.ndjson",
        "lake/raw/rates.json",
        "lake/raw/legacy.avro",
        "lake/raw/old.orc",
    ]);
    let c = catalog(dir.path()).await;
    let fmt = |p: &str| table(&c, p).format;
    assert_eq!(fmt("lake/silver/orders"), TableFormat::Delta);
    assert_eq!(fmt("lake/gold/kpis"), TableFormat::Iceberg);
    assert_eq!(fmt("lake/gold/trips"), TableFormat::Hudi);
    assert_eq!(fmt("lake/bronze/clicks"), TableFormat::Parquet);
    assert_eq!(fmt("lake/raw/crm"), TableFormat::Csv);
    assert_eq!(fmt("lake/raw/events.ndjson"), TableFormat::NdJson);
    assert_eq!(fmt("lake/raw/rates.json"), TableFormat::Json);
    assert_eq!(fmt("lake/raw/legacy.avro"), TableFormat::Avro);
    assert_eq!(fmt("lake/raw/old.orc"), TableFormat::Orc);
    assert_eq!(c.table_count(), 9, "no table found inside another: {:?}", table_paths(&c));
    assert_eq!(c.progress.objects, 18, "every object counted once");
    assert_eq!(c.progress.bytes, 7 * PARQUET_BYTES.len() as u64 + 11 * 2);

    let orders = table(&c, "lake/silver/orders");
    let log = orders.delta_log.as_ref().unwrap();
    assert_eq!((log.commits, log.latest_version, log.checkpoints, log.cdc_files), (2, Some(1), 1, 1));
    assert_eq!(orders.files, 1, "the CDC file is not a data file");
    assert_eq!(orders.partitions[0].name, "day");
    let kpis = table(&c, "lake/gold/kpis");
    assert_eq!(kpis.partitions[0].name, "region", "Iceberg partitions are read below data/");
    assert_eq!(kpis.files, 1);
    // Iceberg and Hudi are labelled but not (yet) readable.
    assert!(!kpis.format.is_readable());
}

#[tokio::test]
async fn buckets_and_zones() {
    // Top-level folders that are neither zones nor tables are buckets.
    let dir = lake(&["prod/silver/t/_delta_log/00000000000000000000.json", "dev/01_Bronze/x/part-0.parquet"]);
    let c = catalog(dir.path()).await;
    let buckets: Vec<&str> = c.buckets.iter().map(|b| c.node(*b).name.as_str()).collect();
    assert_eq!(buckets, vec!["dev", "prod"]);
    let dev = c.find_by_names(&["dev", "01_Bronze"]).unwrap();
    assert_eq!(c.node(dev).kind, NodeKind::Zone, "a numbered zone is still a zone");
    assert_eq!(table(&c, "dev/01_Bronze/x").zone.as_deref(), Some("01_Bronze"));
    assert_eq!(table(&c, "prod/silver/t").bucket, "prod");

    // A root that directly holds zones is itself the one bucket.
    let dir = lake(&["silver/t/_delta_log/00000000000000000000.json", "gold/u/part-0.parquet", "misc/readme.md"]);
    let c = catalog(dir.path()).await;
    assert_eq!(c.buckets.len(), 1);
    let root_name = dir.path().file_name().unwrap().to_string_lossy().to_string();
    assert_eq!(c.node(c.buckets[0]).name, root_name);
    let kinds: Vec<(String, NodeKind)> =
        c.node(c.buckets[0]).children.iter().map(|id| (c.node(*id).name.clone(), c.node(*id).kind)).collect();
    assert_eq!(
        kinds,
        vec![("silver".into(), NodeKind::Zone), ("gold".into(), NodeKind::Zone), ("misc".into(), NodeKind::Folder)],
        "zones first in medallion order, then folders"
    );
}

#[tokio::test]
async fn configured_zone_names() {
    let dir = lake(&["b/published/t/part-0.parquet", "b/silver/u/part-0.parquet"]);
    let mut opts = Config::defaults().discovery;
    opts.zones = vec!["published".into()];
    let c = run(dir.path(), opts).await;
    assert_eq!(table(&c, "b/published/t").zone.as_deref(), Some("published"));
    assert_eq!(table(&c, "b/silver/u").zone, None, "silver is not a zone in this config");
}

#[tokio::test]
async fn tables_at_depth_and_the_depth_bound() {
    let dir = lake(&[
        "b/silver/sales/emea/france/orders/_delta_log/00000000000000000000.json",
        "b/silver/sales/emea/france/orders/part-0.parquet",
        "b/raw/a/b/c/d/e/f/deep.csv",
    ]);
    let c = catalog(dir.path()).await;
    let orders = table(&c, "b/silver/sales/emea/france/orders");
    assert_eq!(orders.zone.as_deref(), Some("silver"));
    assert!(table_paths(&c).contains(&"b/raw/a/b/c/d/e/f".to_string()));

    let mut opts = Config::defaults().discovery;
    opts.max_depth = 4;
    let c = run(dir.path(), opts).await;
    assert!(table_paths(&c).is_empty(), "nothing below depth 4: {:?}", table_paths(&c));
    let limited = c.find_by_names(&["b", "raw", "a", "b", "c"]).expect("the folder at the bound is shown");
    assert!(c.node(limited).depth_limited);
}

#[tokio::test]
async fn partition_columns_and_types_are_inferred() {
    let dir = lake(&[
        "b/bronze/ev/year=2026/month=11/day=21/region=eu/flag=true/part-0.parquet",
        "b/bronze/ev/year=2026/month=11/day=22/region=us/flag=false/part-0.parquet",
        "b/bronze/ev/year=2025/month=1/day=3/region=__HIVE_DEFAULT_PARTITION__/flag=true/part-0.parquet",
        "b/bronze/ev/_temporary/0/part-9.parquet",
        "b/bronze/ev/_SUCCESS",
    ]);
    let c = catalog(dir.path()).await;
    let ev = table(&c, "b/bronze/ev");
    let cols: Vec<(&str, PartitionType, u64)> =
        ev.partitions.iter().map(|p| (p.name.as_str(), p.data_type, p.distinct)).collect();
    assert_eq!(
        cols,
        vec![
            ("year", PartitionType::Int, 2),
            ("month", PartitionType::Int, 2),
            ("day", PartitionType::Int, 3),
            ("region", PartitionType::String, 2),
            ("flag", PartitionType::Boolean, 2),
        ]
    );
    assert!(ev.partitions[3].has_nulls);
    assert_eq!(ev.files, 3, "files under _temporary/ are not data");
    assert_eq!(ev.meta_files, 2);
    assert_eq!(ev.partition_dirs, 3);

    // Bare date folders: a dataset partitioned without key=value names.
    let dir = lake(&["b/landing/vendor/2026/11/21/dump.json", "b/landing/vendor/2026/11/22/dump.json"]);
    let c = catalog(dir.path()).await;
    let vendor = table(&c, "b/landing/vendor");
    assert_eq!((vendor.format, vendor.files, vendor.unnamed_partition_levels), (TableFormat::Json, 2, 3));
}

#[tokio::test]
async fn file_drops_are_grouped_by_name() {
    let dir = lake(&[
        "b/raw/orders_2026-11-01.csv",
        "b/raw/orders_2026-11-02.csv",
        "b/raw/orders_2026-11-03.csv",
        "b/raw/products.csv",
        "b/raw/README.md",
        "b/raw/export/part-00000-8a7f8f3e-2c2b-4f4e-bcfd-0e6c1d2a3b4c-c000.snappy.parquet",
        "b/raw/export/part-00001-1b2c3d4e-5f60-4a1b-8c9d-aabbccddeeff-c000.snappy.parquet",
    ]);
    let c = catalog(dir.path()).await;
    let orders = c.tables().find(|(n, _)| n.name == "orders").map(|(_, t)| t).expect("a grouped orders table");
    assert_eq!((orders.files, orders.file_glob.as_deref()), (3, Some("orders_*-*-*.csv")));
    assert_eq!(table(&c, "b/raw/products.csv").files, 1);
    let export = table(&c, "b/raw/export");
    assert_eq!((export.format, export.files), (TableFormat::Parquet, 2), "part files of one dataset");
    assert_eq!(c.table_count(), 3);
}

#[tokio::test]
async fn a_root_that_is_a_table_is_one_bucket_with_that_table() {
    let dir = lake(&["_delta_log/00000000000000000000.json", "part-0.parquet"]);
    let c = catalog(dir.path()).await;
    assert_eq!(c.buckets.len(), 1);
    let only: Vec<&TableEntry> = c.tables().map(|(_, t)| t).collect();
    assert_eq!(only.len(), 1);
    assert_eq!((only[0].format, only[0].path.as_str()), (TableFormat::Delta, ""));

    let dir = lake(&["date=2026-11-01/part-0.parquet", "date=2026-11-02/part-0.parquet"]);
    let c = catalog(dir.path()).await;
    let only: Vec<&TableEntry> = c.tables().map(|(_, t)| t).collect();
    assert_eq!((only.len(), only[0].format, only[0].files), (1, TableFormat::Parquet, 2));
}

#[tokio::test]
async fn an_empty_or_tableless_lake_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let c = catalog(dir.path()).await;
    assert_eq!(c.table_count(), 0);
    assert!(c.progress.complete);
    let dir = lake(&["docs/README.md", "docs/img/logo.png"]);
    let c = catalog(dir.path()).await;
    assert_eq!(c.table_count(), 0);
}

#[tokio::test]
async fn snapshots_stream_while_listing_and_the_last_one_is_complete() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..400 {
        touch(dir.path(), &format!("b/bronze/t{i:03}/date=2026-11-01/part-0.parquet"), PARQUET_BYTES);
    }
    let store = Arc::new(LakeStore::open_local(dir.path().to_str().unwrap()).unwrap());
    let mut opts = Config::defaults().discovery;
    opts.snapshot_interval = std::time::Duration::from_millis(1);
    opts.first_snapshot_wait = std::time::Duration::from_millis(1);
    opts.concurrency = 1;
    let mut seen: Vec<(u64, bool)> = Vec::new();
    let final_catalog =
        discover(store, opts, CancellationToken::new(), &mut |c| seen.push((c.table_count(), c.progress.complete)))
            .await
            .unwrap();
    assert!(seen.len() >= 2, "expected partial snapshots before the final one: {seen:?}");
    assert!(seen[..seen.len() - 1].iter().all(|(_, complete)| !complete));
    assert!(seen.first().unwrap().0 < 400, "the first snapshot came before everything was listed");
    assert_eq!(*seen.last().unwrap(), (400, true));
    assert_eq!(final_catalog.table_count(), 400);
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "counts only grow: {seen:?}");
}

#[tokio::test]
async fn cancelling_stops_a_discovery() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..200 {
        touch(dir.path(), &format!("b/raw/f{i:03}/x.csv"), b"a\n");
    }
    let store = Arc::new(LakeStore::open_local(dir.path().to_str().unwrap()).unwrap());
    let token = CancellationToken::new();
    token.cancel();
    let err = discover(store, Config::defaults().discovery, token, &mut |_| {}).await.unwrap_err();
    assert_eq!(err.to_string(), "cancelled");
}

#[cfg(unix)]
#[tokio::test]
async fn symlinked_folders_are_listed_once_and_loops_are_flagged() {
    let dir = lake(&["b/silver/orders/_delta_log/00000000000000000000.json", "b/raw/feed/x.csv"]);
    let r = dir.path();
    std::fs::create_dir_all(r.join("b/raw/deep/er")).unwrap();
    std::os::unix::fs::symlink(r, r.join("b/raw/deep/er/back_to_root")).unwrap();
    std::os::unix::fs::symlink(r.join("b/silver"), r.join("b/raw/silver_again")).unwrap();
    let c = tokio::time::timeout(std::time::Duration::from_secs(30), catalog(r)).await.expect("no endless walk");
    assert_eq!(table_paths(&c), vec!["b/raw/feed".to_string(), "b/silver/orders".to_string()]);
    let flagged: Vec<&str> = c
        .nodes
        .iter()
        .filter(|n| n.error.as_deref().is_some_and(|e| e.contains("already listed")))
        .map(|n| n.path.as_str())
        .collect();
    assert_eq!(flagged.len(), 2, "{flagged:?}");
}
