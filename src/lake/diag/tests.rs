//! The rules of `analyze` on made-up inventories.

use super::*;
use crate::lake::store::location::Scheme;

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_800_000_000_000;

fn id() -> TableId {
    TableId {
        table: "bronze.events".into(),
        path: "lake/bronze/events".into(),
        location: "file:///x".into(),
        format: "parquet",
        bucket: "lake".into(),
        zone: Some("bronze".into()),
    }
}

fn opts() -> DiagOptions {
    DiagOptions { target_file_size: 128 * MIB, small_file_size: 32 * MIB, now_ms: NOW }
}

fn file(partition: &str, n: usize, size: u64) -> FileFact {
    FileFact {
        path: format!("{partition}/part-{n}.parquet"),
        partition: partition.into(),
        size,
        rows: Some(size / 10),
        modified_ms: Some(NOW - DAY),
        class: None,
    }
}

fn inventory(files: Vec<FileFact>) -> Inventory {
    Inventory { files, rows_known: true, columnar: true, ..Inventory::default() }
}

#[test]
fn small_files_are_counted_and_compaction_bins_them_per_partition() {
    // 14 partitions of 10 small files (1 MiB), one of 36, and one big file that stays.
    let mut files = Vec::new();
    for d in 1..=14 {
        let n = if d == 11 { 36 } else { 10 };
        for i in 0..n {
            files.push(file(&format!("date=2026-11-{d:02}"), i, MIB));
        }
    }
    files.push(file("date=2026-11-01", 99, 200 * MIB));
    let s3 = Prices::for_scheme(Scheme::S3);
    let d = analyze(id(), &inventory(files), &s3, &opts());
    assert_eq!(d.totals.files, 13 * 10 + 36 + 1);
    assert_eq!(d.totals.partitions, 14);
    assert_eq!(d.small_files.small, 166);
    // Each partition's small files fit one 128 MiB file; the big file stays.
    assert_eq!(d.small_files.after_compaction, 15);
    assert_eq!(d.small_files.requests_saved_per_scan, (167 - 15) * 2);
    let f = d.findings.iter().find(|f| f.kind == "small_files").expect("small files flagged");
    assert_eq!(f.severity, Severity::Warn);
    assert_eq!(f.action, Suggest::Compact);
    assert!(f.title.contains("most in date=2026-11-11 (36)"), "{}", f.title);
    assert_eq!(d.small_files.partitions[0], ("date=2026-11-11".to_string(), 36));
    // The histogram holds every file once.
    assert_eq!(d.small_files.histogram.iter().map(|b| b.files).sum::<u64>(), d.totals.files);
    assert_eq!(d.small_files.histogram[2].files, 166, "1 MiB files land in 1–8 MiB");
    // Every system sees them as small, except the 128 KiB minimum object.
    assert!(d.small_files.by_system.iter().filter(|s| s.threshold >= 100 * MIB).all(|s| s.files >= 166));
    assert_eq!(d.small_files.by_system.last().unwrap().files, 0);
    // A full scan costs fewer GETs after compaction.
    assert!(d.cost.scan_after_compaction.usd < d.cost.scan_now.usd);
    assert_eq!(d.cost.scan_now.gets, 167 * 2);
}

#[test]
fn the_skewed_partition_is_named() {
    let mut files = Vec::new();
    for d in 1..=10 {
        files.push(file(&format!("day={d}"), 0, 10 * MIB));
    }
    files.push(file("day=11", 0, 200 * MIB));
    let d = analyze(id(), &inventory(files), &Prices::for_scheme(Scheme::S3), &opts());
    assert_eq!(d.partitions.list[0].name, "day=11");
    assert!((d.partitions.skew.unwrap() - 20.0).abs() < 1e-9);
    let f = d.findings.iter().find(|f| f.kind == "skew").unwrap();
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.partition.as_deref(), Some("day=11"));
    assert_eq!(f.action, Suggest::Repartition);
    // One file per partition: nothing to compact.
    assert!(!d.findings.iter().any(|f| f.kind == "small_files"));
}

#[test]
fn over_partitioning_and_high_cardinality() {
    let files: Vec<FileFact> = (0..2_000).map(|i| file(&format!("user_id={i}"), 0, 100 * 1024)).collect();
    let d = analyze(id(), &inventory(files), &Prices::for_scheme(Scheme::S3), &opts());
    let kinds: Vec<&str> = d.findings.iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&"over_partitioned"), "{kinds:?}");
    assert!(kinds.contains(&"high_cardinality"), "{kinds:?}");
    assert_eq!(d.partitions.columns, vec![ColumnCardinality { column: "user_id".into(), distinct: 2_000 }]);
    let oc = d.findings.iter().find(|f| f.kind == "over_partitioned").unwrap();
    assert_eq!(oc.severity, Severity::Critical);
    // One file per partition: compaction within partitions saves nothing.
    assert_eq!(d.small_files.after_compaction, 2_000);
    assert!(!kinds.contains(&"small_files"));
}

#[test]
fn stale_bytes_split_by_retention_and_are_priced() {
    let mut inv = inventory(vec![file("", 0, 10 * MIB)]);
    inv.version = Some(12);
    inv.retention_ms = Some(7 * DAY);
    inv.stale_listed = true;
    inv.stale = vec![
        StaleFile { path: "old.parquet".into(), size: 3 * MIB, removed_ms: Some(NOW - 10 * DAY) },
        StaleFile { path: "new.parquet".into(), size: 2 * MIB, removed_ms: Some(NOW - DAY) },
        StaleFile { path: "orphan.parquet".into(), size: MIB, removed_ms: None },
    ];
    let s3 = Prices::for_scheme(Scheme::S3);
    let d = analyze(id(), &inv, &s3, &opts());
    let s = d.cost.stale.as_ref().unwrap();
    assert_eq!((s.files, s.bytes), (3, 6 * MIB));
    assert_eq!((s.vacuumable_files, s.vacuumable_bytes), (2, 4 * MIB));
    assert_eq!(s.retention_hours, Some(168));
    assert!((s.monthly_usd - 6.0 * MIB as f64 / 1e9 * 0.023).abs() < 1e-12);
    let f = d.findings.iter().find(|f| f.kind == "stale_data").unwrap();
    assert_eq!(f.action, Suggest::Vacuum);
    assert!(f.suggestion.contains("4.0 MiB are past 168h"), "{}", f.suggestion);
    assert_eq!(d.totals.stale_bytes, 6 * MIB);
    // Monthly cost: live + stale (+ no metadata here).
    assert!((d.cost.monthly_usd - 16.0 * MIB as f64 / 1e9 * 0.023).abs() < 1e-12);
}

#[test]
fn lifecycle_counts_old_data_and_small_objects_minimum_size() {
    let old = |size, days| FileFact {
        path: format!("f{size}-{days}"),
        partition: String::new(),
        size,
        rows: None,
        modified_ms: Some(NOW - days * DAY),
        class: None,
    };
    let files = vec![old(10_000_000_000, 400), old(1_000, 100), old(5_000_000_000, 10)];
    let s3 = Prices::for_scheme(Scheme::S3);
    let d = analyze(id(), &inventory(files), &s3, &opts());
    let steps = &d.cost.lifecycle;
    assert_eq!(steps.iter().map(|s| (s.after_days, s.files)).collect::<Vec<_>>(), [(30, 2), (90, 2), (365, 1)]);
    // 30 days -> IA: 10 GB + a 1 kB object billed as 128 KiB.
    let ia = &steps[0];
    let now = (10_000_000_000.0 + 1_000.0) / 1e9 * 0.023;
    let then = (10_000_000_000.0 + 131_072.0) / 1e9 * 0.0125;
    assert!((ia.monthly_saving_usd - (now - then)).abs() < 1e-9);
    assert!(ia.note.contains("billed as 128 KiB each"), "{}", ia.note);
    assert!((ia.retrieval_usd - 10.000001 * 0.01).abs() < 1e-9);
    assert!(steps[2].note.contains("12 to 48 hours"));
    let f = d.findings.iter().find(|f| f.kind == "lifecycle").unwrap();
    assert_eq!(f.action, Suggest::Lifecycle);
    // The biggest saving is Deep Archive for the 400-day-old 10 GB.
    assert!(f.title.contains("DEEP_ARCHIVE"), "{}", f.title);
}

#[test]
fn layout_problems_are_findings() {
    let mut inv = inventory(vec![file("2024/11/21", 0, MIB), file("2024/11/22", 0, MIB)]);
    inv.unnamed_dirs = vec!["2024/11/21".into(), "2024/11/22".into()];
    inv.empty_dirs = vec!["2024/11/23".into()];
    inv.drift =
        vec![DriftFile { path: "2024/11/22/part-0.parquet".into(), drift: vec!["amount: int64 → double".into()] }];
    let d = analyze(id(), &inv, &Prices::for_scheme(Scheme::File), &opts());
    let kinds: Vec<&str> = d.findings.iter().map(|f| f.kind).collect();
    for k in ["unnamed_folders", "empty_partitions", "schema_drift"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert_eq!(
        d.partitions.columns.iter().map(|c| c.column.as_str()).collect::<Vec<_>>(),
        ["(level 1)", "(level 2)", "(level 3)"]
    );
    // Local disk: nothing costs anything, and no lifecycle step saves anything.
    assert_eq!(d.cost.monthly_usd, 0.0);
    assert!(d.cost.lifecycle.is_empty());
}

#[test]
fn a_healthy_table_has_no_findings_and_rollups_rank_the_worst_first() {
    let healthy = analyze(
        id(),
        &inventory(vec![file("", 0, 130 * MIB), file("", 1, 120 * MIB)]),
        &Prices::for_scheme(Scheme::S3),
        &opts(),
    );
    assert!(healthy.findings.is_empty(), "{:?}", healthy.findings);
    assert_eq!(healthy.totals.rows, Some(25 * MIB));
    let mut id2 = id();
    id2.table = "bronze.clicks".into();
    let files: Vec<FileFact> = (0..200).map(|i| file("", i, 1024)).collect();
    let bad = analyze(id2, &inventory(files), &Prices::for_scheme(Scheme::S3), &opts());
    let r = rollup("lake", &[healthy, bad], vec![]);
    assert_eq!(r.tables[0].table, "bronze.clicks");
    assert_eq!(r.tables[0].small_severity, Some(Severity::Warn));
    assert_eq!(r.totals.tables, 2);
    assert_eq!(r.totals.files, 202);
    assert_eq!(r.zones.len(), 1);
    assert_eq!(r.findings[0].table, "bronze.clicks");
}

#[test]
fn unknown_rows_stay_unknown() {
    let mut inv = inventory(vec![file("", 0, MIB)]);
    inv.files[0].rows = None;
    inv.rows_known = false;
    inv.version = Some(3);
    let d = analyze(id(), &inv, &Prices::for_scheme(Scheme::S3), &opts());
    assert_eq!(d.totals.rows, None);
    assert!(d.findings.iter().any(|f| f.kind == "no_stats"));
}

#[test]
fn compaction_is_suggested_only_for_tables_lakescope_can_compact() {
    let files: Vec<FileFact> = (0..40).map(|i| file("", i, MIB)).collect();
    let s3 = Prices::for_scheme(Scheme::S3);
    let csv = TableId { format: "csv", ..id() };
    let d = analyze(csv, &inventory(files.clone()), &s3, &opts());
    let f = d.findings.iter().find(|f| f.kind == "small_files").expect("small files flagged");
    assert_ne!(f.action, Suggest::Compact, "c refuses CSV tables, so it is not suggested");
    assert!(f.suggestion.contains("Parquet or Delta"), "{}", f.suggestion);
    let d = analyze(id(), &inventory(files), &s3, &opts());
    assert_eq!(d.findings.iter().find(|f| f.kind == "small_files").unwrap().action, Suggest::Compact);
}
