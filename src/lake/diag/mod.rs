//! Diagnostics of a table from its metadata: partitions (sizes, skew, empty and tiny ones,
//! over-partitioning, high-cardinality columns, folders that are not `key=value`, schema drift),
//! small files (a size histogram, the files left after compaction, which engines call them small)
//! and storage cost (per class, stale bytes not vacuumed, one full scan now and after
//! compaction, a lifecycle estimate), each problem as a finding with a severity and a one-line
//! suggestion.
//!
//! `gather` reads what a table is made of (the Delta log, a listing, footers where row counts are
//! needed); `analyze` turns that inventory into a `TableDiag` and is pure, so every rule is
//! tested on made-up inventories; `rollup` ranks the tables of a zone, a bucket or a lake.

pub mod gather;
pub mod rollup;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::pricing::{Prices, usd};
use crate::lake::units;

pub use gather::{GatherOptions, gather};
pub use rollup::{Rollup, rollup};

const MIB: u64 = 1024 * 1024;

/// Thresholds of the diagnostics (from `[diagnostics]` in the config).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiagOptions {
    /// Target file size when the table sets none.
    pub target_file_size: u64,
    /// Files under this size are small.
    pub small_file_size: u64,
    /// "Now", in ms since the epoch (ages and retention are measured from it).
    pub now_ms: i64,
}

/// The `[diagnostics]` settings (deserialised from the config, which holds their defaults).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagSettings {
    /// File size compaction aims for when a table does not set `delta.targetFileSize` (MiB).
    pub target_file_mib: u64,
    /// Files under this size are small (MiB).
    pub small_file_mib: u64,
    /// Footers read per Parquet dataset for row counts and schema drift; past it they are not.
    pub max_footers: usize,
    /// Newest Delta versions read for the growth chart.
    pub history_versions: usize,
}

impl DiagOptions {
    /// Thresholds from the settings, with "now" taken from the clock.
    pub fn new(c: &DiagSettings) -> DiagOptions {
        DiagOptions {
            target_file_size: c.target_file_mib * MIB,
            small_file_size: c.small_file_mib * MIB,
            now_ms: chrono::Utc::now().timestamp_millis(),
        }
    }
}

/// One live data file of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFact {
    /// Path relative to the table root.
    pub path: String,
    /// `k=v/k2=v2` (Delta: from the log's partition values; otherwise the file's folders).
    pub partition: String,
    pub size: u64,
    pub rows: Option<u64>,
    pub modified_ms: Option<i64>,
    /// Storage class when the store reported one.
    pub class: Option<String>,
}

/// A file removed from a Delta table's current version and not vacuumed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaleFile {
    pub path: String,
    pub size: u64,
    /// When it was removed (`None`: no tombstone: a file the log never added or whose tombstone
    /// expired, found by the listing).
    pub removed_ms: Option<i64>,
}

/// A file whose schema differs from the table's majority.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftFile {
    pub path: String,
    pub drift: Vec<String>,
}

/// The table's size at one version (Delta) or the bytes written on one day (other formats).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrowthPoint {
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    pub files: u64,
    pub bytes: u64,
}

/// What a table is made of, as read by `gather`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub files: Vec<FileFact>,
    pub stale: Vec<StaleFile>,
    /// Whether stale files were checked against a listing (false: the log's tombstones alone).
    pub stale_listed: bool,
    /// Logs, checkpoints, markers: objects that are not data.
    pub meta_files: u64,
    pub meta_bytes: u64,
    pub partition_columns: Vec<String>,
    /// `delta.targetFileSize` when the table sets it.
    pub table_target: Option<u64>,
    /// `delta.deletedFileRetentionDuration` (default 7 days) for Delta tables.
    pub retention_ms: Option<i64>,
    pub version: Option<u64>,
    /// Rows of every file are known (Delta stats, or every footer read).
    pub rows_known: bool,
    /// Schema drift was checked (footers read).
    pub drift_checked: bool,
    pub drift: Vec<DriftFile>,
    /// Files whose footer cannot be read: (path, reason).
    pub unreadable: Vec<(String, String)>,
    /// Partition folders that are not `key=value` (`2024/11/21`).
    pub unnamed_dirs: Vec<String>,
    /// Partition folders holding no data file (markers only, or zero-byte files).
    pub empty_dirs: Vec<String>,
    pub growth: Vec<GrowthPoint>,
    /// How each part was read, and what was left out and why.
    pub sources: Vec<String>,
    pub notes: Vec<String>,
    /// Parquet files counted as data: they get a footer read and a data read per scan.
    pub columnar: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warn,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Critical => "critical",
        }
    }
}

/// What a finding suggests doing; `Compact` and `Vacuum` are lakescope actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Suggest {
    Compact,
    Repartition,
    Vacuum,
    Lifecycle,
    Inspect,
}

impl Suggest {
    pub fn as_str(self) -> &'static str {
        match self {
            Suggest::Compact => "compact",
            Suggest::Repartition => "repartition",
            Suggest::Vacuum => "vacuum",
            Suggest::Lifecycle => "lifecycle",
            Suggest::Inspect => "inspect",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// small_files, skew, over_partitioned, high_cardinality, tiny_partitions, empty_partitions,
    /// unnamed_folders, schema_drift, unreadable_files, stale_data, lifecycle, no_stats.
    pub kind: &'static str,
    pub title: String,
    pub suggestion: String,
    pub action: Suggest,
    /// The partition it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub files: u64,
    pub bytes: u64,
    /// `None` unless every file's row count is known.
    pub rows: Option<u64>,
    /// Distinct partitions holding data (0: not partitioned).
    pub partitions: u64,
    pub meta_files: u64,
    pub meta_bytes: u64,
    pub stale_files: u64,
    pub stale_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionFact {
    pub name: String,
    pub files: u64,
    pub bytes: u64,
    pub rows: Option<u64>,
    pub small_files: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnCardinality {
    pub column: String,
    pub distinct: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Partitions {
    pub columns: Vec<ColumnCardinality>,
    /// Every partition, largest first.
    pub list: Vec<PartitionFact>,
    pub median_bytes: u64,
    /// Largest / median partition by bytes.
    pub skew: Option<f64>,
    pub empty: Vec<String>,
    /// Partitions under 1/128 of the target file size.
    pub tiny: u64,
    pub unnamed_folders: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeBucket {
    pub label: &'static str,
    /// Upper bound (exclusive) in bytes; `None` for the last bucket.
    pub below: Option<u64>,
    pub files: u64,
    pub bytes: u64,
}

/// How many files one engine's compaction would consider small.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmallFor {
    pub system: &'static str,
    pub threshold: u64,
    pub files: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmallFiles {
    pub threshold: u64,
    pub target: u64,
    /// `delta.targetFileSize` or `config`.
    pub target_source: &'static str,
    pub histogram: Vec<SizeBucket>,
    pub small: u64,
    pub small_bytes: u64,
    pub share: f64,
    /// Files left after compacting each partition's files below the target into target-size
    /// files.
    pub after_compaction: u64,
    /// GET requests one full scan saves after compaction.
    pub requests_saved_per_scan: u64,
    pub by_system: Vec<SmallFor>,
    /// Partitions holding the most small files: (partition, small files).
    pub partitions: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassCost {
    pub class: String,
    /// Whether the store reported this class (false: the provider's default class is assumed).
    pub reported: bool,
    pub files: u64,
    pub bytes: u64,
    pub monthly_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanCost {
    pub gets: u64,
    pub bytes: u64,
    pub usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaleCost {
    pub files: u64,
    pub bytes: u64,
    pub monthly_usd: f64,
    /// Removed longer ago than the retention: the next vacuum deletes these.
    pub vacuumable_files: u64,
    pub vacuumable_bytes: u64,
    pub retention_hours: Option<u64>,
    /// Checked against a listing (false: the log's tombstones, some may be gone already).
    pub listed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifecycleStep {
    /// Data not modified for at least this many days…
    pub after_days: u32,
    pub files: u64,
    pub bytes: u64,
    /// …could move to this class…
    pub class: String,
    /// …saving this much a month (minimum object sizes applied).
    pub monthly_saving_usd: f64,
    /// Reading it all back once would cost this.
    pub retrieval_usd: f64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cost {
    pub provider: String,
    pub prices: String,
    pub source: String,
    pub checked: String,
    pub by_class: Vec<ClassCost>,
    /// Data, metadata and stale files.
    pub monthly_usd: f64,
    pub stale: Option<StaleCost>,
    pub scan_now: ScanCost,
    pub scan_after_compaction: ScanCost,
    pub lifecycle: Vec<LifecycleStep>,
}

/// The diagnostics of one table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableDiag {
    /// `zone.table` (or the table's path).
    pub table: String,
    pub path: String,
    pub location: String,
    pub format: &'static str,
    pub bucket: String,
    pub zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    pub totals: Totals,
    pub findings: Vec<Finding>,
    pub partitions: Partitions,
    pub small_files: SmallFiles,
    pub cost: Cost,
    pub schema_drift: Vec<DriftFile>,
    /// Files whose footer cannot be read: (path, reason).
    pub unreadable_files: Vec<(String, String)>,
    pub growth: Vec<GrowthPoint>,
    pub sources: Vec<String>,
    pub notes: Vec<String>,
}

impl TableDiag {
    /// The most severe finding's severity.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// The severity of the first finding of a kind.
    pub fn severity_of(&self, kind: &str) -> Option<Severity> {
        self.findings.iter().filter(|f| f.kind == kind).map(|f| f.severity).max()
    }
}

/// Who the table is, for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct TableId {
    pub table: String,
    pub path: String,
    pub location: String,
    pub format: &'static str,
    pub bucket: String,
    pub zone: Option<String>,
}

/// Size buckets of the histogram: the boundaries people talk about.
const BUCKETS: [(&str, Option<u64>); 8] = [
    ("< 128 KiB", Some(128 * 1024)),
    ("128 KiB–1 MiB", Some(MIB)),
    ("1–8 MiB", Some(8 * MIB)),
    ("8–32 MiB", Some(32 * MIB)),
    ("32–128 MiB", Some(128 * MIB)),
    ("128–512 MiB", Some(512 * MIB)),
    ("512 MiB–1 GiB", Some(1024 * MIB)),
    ("≥ 1 GiB", None),
];

/// What other systems would call small: (system, files under this size get compacted / billed).
const SYSTEMS: [(&str, u64); 5] = [
    ("delta-rs optimize (target 100 MiB)", 100 * MIB),
    ("Delta/Spark OPTIMIZE (1 GiB)", 1024 * MIB),
    ("Delta auto-compaction (128 MiB)", 128 * MIB),
    ("Iceberg rewrite_data_files (512 MiB)", 512 * MIB),
    ("S3 IA / Glacier IR minimum billable object (128 KiB)", 128 * 1024),
];

/// `37%`, `0.4%`, `< 0.1%`.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p == 0.0 {
        "0%".into()
    } else if p < 0.1 {
        "< 0.1%".into()
    } else if p < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

fn median(sorted: &[u64]) -> u64 {
    match sorted.len() {
        0 => 0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// GETs of one full scan of `files` files: a footer and a data read for columnar files, one
/// read for text.
fn scan_gets(files: u64, columnar: bool) -> u64 {
    if columnar { files * 2 } else { files }
}

/// Turn an inventory into the table's diagnostics.
pub fn analyze(id: TableId, inv: &Inventory, prices: &Prices, opts: &DiagOptions) -> TableDiag {
    let target = inv.table_target.unwrap_or(opts.target_file_size).max(1);
    let target_source = if inv.table_target.is_some() { "delta.targetFileSize" } else { "config" };
    let small_t = opts.small_file_size;
    let files = &inv.files;
    let bytes: u64 = files.iter().map(|f| f.size).sum();
    let rows: Option<u64> = if inv.rows_known { files.iter().map(|f| f.rows).sum() } else { None };

    // Partitions.
    let mut by_part: BTreeMap<&str, PartitionFact> = BTreeMap::new();
    for f in files {
        let p = by_part.entry(f.partition.as_str()).or_insert_with(|| PartitionFact {
            name: f.partition.clone(),
            files: 0,
            bytes: 0,
            rows: Some(0),
            small_files: 0,
        });
        p.files += 1;
        p.bytes += f.size;
        p.rows = match (p.rows, f.rows) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        if f.size < small_t {
            p.small_files += 1;
        }
    }
    let partitioned = by_part.keys().any(|k| !k.is_empty());
    let mut plist: Vec<PartitionFact> = by_part.into_values().collect();
    plist.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    let mut sizes: Vec<u64> = plist.iter().map(|p| p.bytes).collect();
    sizes.sort_unstable();
    let median_bytes = median(&sizes);
    let skew =
        (partitioned && plist.len() >= 3 && median_bytes > 0).then(|| plist[0].bytes as f64 / median_bytes as f64);
    let tiny_limit = target / 128;
    let tiny = if partitioned { plist.iter().filter(|p| p.bytes < tiny_limit).count() as u64 } else { 0 };
    let mut columns: Vec<ColumnCardinality> = Vec::new();
    if partitioned {
        let mut distinct: Vec<(String, std::collections::HashSet<&str>)> = Vec::new();
        for p in &plist {
            for (i, seg) in p.name.split('/').enumerate() {
                let (k, v) = seg.split_once('=').unwrap_or(("(unnamed level)", seg));
                let key = if inv.partition_columns.get(i).is_some() || seg.contains('=') {
                    k.to_string()
                } else {
                    format!("(level {})", i + 1)
                };
                match distinct.iter_mut().find(|(c, _)| *c == key) {
                    Some((_, set)) => {
                        set.insert(v);
                    }
                    None => distinct.push((key, [v].into_iter().collect())),
                }
            }
        }
        columns = distinct
            .into_iter()
            .map(|(column, set)| ColumnCardinality { column, distinct: set.len() as u64 })
            .collect();
    }

    // Small files.
    let mut histogram: Vec<SizeBucket> =
        BUCKETS.iter().map(|(label, below)| SizeBucket { label, below: *below, files: 0, bytes: 0 }).collect();
    for f in files {
        let i = BUCKETS.iter().position(|(_, b)| b.is_none_or(|b| f.size < b)).unwrap_or(BUCKETS.len() - 1);
        histogram[i].files += 1;
        histogram[i].bytes += f.size;
    }
    let small: Vec<&FileFact> = files.iter().filter(|f| f.size < small_t).collect();
    let small_bytes: u64 = small.iter().map(|f| f.size).sum();
    // Compaction bin-packs each partition's files below the target.
    let mut per_part: HashMap<&str, (u64, u64, u64)> = HashMap::new(); // (big files, candidates, candidate bytes)
    for f in files {
        let e = per_part.entry(f.partition.as_str()).or_default();
        if f.size >= target {
            e.0 += 1;
        } else {
            e.1 += 1;
            e.2 += f.size;
        }
    }
    let after: u64 =
        per_part.values().map(|(big, n, b)| big + if *n >= 2 { b.div_ceil(target).max(1).min(*n) } else { *n }).sum();
    let saved_files = files.len() as u64 - after;
    let mut small_parts: Vec<(String, u64)> =
        plist.iter().filter(|p| p.small_files > 0 && partitioned).map(|p| (p.name.clone(), p.small_files)).collect();
    small_parts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    small_parts.truncate(10);
    let small_files = SmallFiles {
        threshold: small_t,
        target,
        target_source,
        histogram,
        small: small.len() as u64,
        small_bytes,
        share: if files.is_empty() { 0.0 } else { small.len() as f64 / files.len() as f64 },
        after_compaction: after,
        requests_saved_per_scan: scan_gets(saved_files, inv.columnar),
        by_system: SYSTEMS
            .iter()
            .map(|(system, threshold)| SmallFor {
                system,
                threshold: *threshold,
                files: files.iter().filter(|f| f.size < *threshold).count() as u64,
            })
            .collect(),
        partitions: small_parts,
    };

    // Cost.
    let mut classes: BTreeMap<String, ClassCost> = BTreeMap::new();
    for f in files {
        let (name, class) = prices.class(f.class.as_deref());
        let c = classes.entry(name.to_string()).or_insert_with(|| ClassCost {
            class: name.to_string(),
            reported: f.class.is_some(),
            files: 0,
            bytes: 0,
            monthly_usd: 0.0,
        });
        c.files += 1;
        c.bytes += f.size;
        c.monthly_usd += prices.monthly(class, Prices::billable(class, f.size));
    }
    let (_, default_class) = prices.class(None);
    let stale_bytes: u64 = inv.stale.iter().map(|s| s.size).sum();
    let stale = (!inv.stale.is_empty() || inv.retention_ms.is_some()).then(|| {
        let vacuumable: Vec<&StaleFile> = inv
            .stale
            .iter()
            .filter(|s| match (s.removed_ms, inv.retention_ms) {
                (Some(t), Some(r)) => opts.now_ms - t > r,
                // No tombstone: vacuum deletes files the log does not know.
                (None, _) => true,
                (Some(_), None) => false,
            })
            .collect();
        StaleCost {
            files: inv.stale.len() as u64,
            bytes: stale_bytes,
            monthly_usd: prices.monthly(default_class, stale_bytes),
            vacuumable_files: vacuumable.len() as u64,
            vacuumable_bytes: vacuumable.iter().map(|s| s.size).sum(),
            retention_hours: inv.retention_ms.map(|r| (r / 3_600_000) as u64),
            listed: inv.stale_listed,
        }
    });
    let meta_usd = prices.monthly(default_class, inv.meta_bytes);
    let monthly_usd =
        classes.values().map(|c| c.monthly_usd).sum::<f64>() + meta_usd + stale.as_ref().map_or(0.0, |s| s.monthly_usd);
    let gets_now = scan_gets(files.len() as u64, inv.columnar);
    let gets_after = scan_gets(after, inv.columnar);
    let scan_now = ScanCost { gets: gets_now, bytes, usd: prices.query_cost(gets_now, bytes) };
    let scan_after_compaction = ScanCost { gets: gets_after, bytes, usd: prices.query_cost(gets_after, bytes) };
    let day = 86_400_000i64;
    let lifecycle: Vec<LifecycleStep> = prices
        .lifecycle
        .iter()
        .map(|rule| {
            let colder = &prices.classes[&rule.class];
            let old: Vec<&FileFact> = files
                .iter()
                .filter(|f| f.modified_ms.is_some_and(|m| opts.now_ms - m >= rule.after_days as i64 * day))
                .collect();
            let old_bytes: u64 = old.iter().map(|f| f.size).sum();
            let now_cost: f64 = old
                .iter()
                .map(|f| {
                    let (_, c) = prices.class(f.class.as_deref());
                    prices.monthly(c, Prices::billable(c, f.size))
                })
                .sum();
            let billable: u64 = old.iter().map(|f| Prices::billable(colder, f.size)).sum();
            let then_cost = prices.monthly(colder, billable);
            let padded = billable - old_bytes;
            let mut note = format!("min {} days in {}", colder.min_days, rule.class);
            if padded > 0 {
                note.push_str(&format!(
                    "; {} of small files billed as {} each",
                    units::bytes(padded),
                    units::bytes(colder.min_object_bytes)
                ));
            }
            if let Some(r) = &colder.restore {
                note.push_str(&format!("; {r}"));
            }
            LifecycleStep {
                after_days: rule.after_days,
                files: old.len() as u64,
                bytes: old_bytes,
                class: rule.class.clone(),
                monthly_saving_usd: now_cost - then_cost,
                retrieval_usd: old_bytes as f64 / 1e9 * colder.retrieval_per_gb,
                note,
            }
        })
        .collect();
    let cost = Cost {
        provider: prices.provider.clone(),
        prices: prices.name.clone(),
        source: prices.source.clone(),
        checked: prices.checked.clone(),
        by_class: classes.into_values().collect(),
        monthly_usd,
        stale,
        scan_now,
        scan_after_compaction,
        lifecycle,
    };

    let partitions = Partitions {
        columns,
        list: plist,
        median_bytes,
        skew,
        empty: inv.empty_dirs.clone(),
        tiny,
        unnamed_folders: inv.unnamed_dirs.clone(),
    };
    let totals = Totals {
        files: files.len() as u64,
        bytes,
        rows,
        partitions: if partitioned { partitions.list.len() as u64 } else { 0 },
        meta_files: inv.meta_files,
        meta_bytes: inv.meta_bytes,
        stale_files: inv.stale.len() as u64,
        stale_bytes,
    };
    let mut diag = TableDiag {
        table: id.table,
        path: id.path,
        location: id.location,
        format: id.format,
        bucket: id.bucket,
        zone: id.zone,
        version: inv.version,
        totals,
        findings: Vec::new(),
        partitions,
        small_files,
        cost,
        schema_drift: inv.drift.clone(),
        unreadable_files: inv.unreadable.clone(),
        growth: inv.growth.clone(),
        sources: inv.sources.clone(),
        notes: inv.notes.clone(),
    };
    diag.findings = findings(&diag, inv);
    // Suggest only what can run: lakescope compacts Delta tables and Parquet datasets.
    if !matches!(diag.format, "delta" | "parquet") {
        for f in diag.findings.iter_mut().filter(|f| f.action == Suggest::Compact) {
            f.action = Suggest::Inspect;
            f.suggestion = format!(
                "rewrite the {} files as Parquet or Delta with the engine that writes them (lakescope compacts only those)",
                diag.format
            );
        }
    }
    diag
}

/// The rules. Thresholds are written next to each rule and in the README.
fn findings(d: &TableDiag, inv: &Inventory) -> Vec<Finding> {
    let mut out = Vec::new();
    let sf = &d.small_files;
    let files = d.totals.files;
    let target = units::bytes(sf.target);

    // Small files: compaction would remove at least 5 files and halve the count.
    let saved = files - sf.after_compaction;
    if saved >= 5 && sf.after_compaction * 2 <= files {
        let ratio = files as f64 / sf.after_compaction.max(1) as f64;
        let severity = if saved >= 10_000 || (saved >= 1_000 && ratio >= 10.0) {
            Severity::Critical
        } else if saved >= 50 && ratio >= 4.0 {
            Severity::Warn
        } else {
            Severity::Info
        };
        let where_ = match sf.partitions.first() {
            Some((p, n)) if d.totals.partitions > 1 => format!("; most in {p} ({n})"),
            _ => String::new(),
        };
        out.push(Finding {
            severity,
            kind: "small_files",
            title: format!(
                "{} of {} files under {} ({}){where_}; {} after compaction to {target}",
                units::count(sf.small),
                units::count(files),
                units::bytes(sf.threshold),
                percent(sf.share),
                units::plural(sf.after_compaction, "file"),
            ),
            suggestion: format!(
                "compact: {} fewer GETs per full scan ({} → {})",
                units::count(sf.requests_saved_per_scan),
                usd(d.cost.scan_now.usd),
                usd(d.cost.scan_after_compaction.usd)
            ),
            action: Suggest::Compact,
            partition: None,
        });
    }

    // Skew: the largest partition against the median one.
    if let Some(skew) = d.partitions.skew
        && skew >= 2.0
    {
        let p = &d.partitions.list[0];
        let severity = if skew >= 10.0 && p.bytes >= sf.target {
            Severity::Critical
        } else if skew >= 3.0 {
            Severity::Warn
        } else {
            Severity::Info
        };
        out.push(Finding {
            severity,
            kind: "skew",
            title: format!(
                "partition {} holds {} in {} files, {skew:.1}x the median partition ({})",
                p.name,
                units::bytes(p.bytes),
                units::count(p.files),
                units::bytes(d.partitions.median_bytes)
            ),
            suggestion: if p.files > 1 && p.bytes / p.files < sf.target {
                format!("compact {} first; if it keeps growing, add a second partition column or bucket it", p.name)
            } else {
                "add a second partition column or bucket the hot values, so one task does not read it all".into()
            },
            action: if p.files > 1 && p.bytes / p.files < sf.target { Suggest::Compact } else { Suggest::Repartition },
            partition: Some(p.name.clone()),
        });
    }

    // Over-partitioning: many partitions whose median is far below one target file.
    let parts = d.totals.partitions;
    if parts >= 10 && d.partitions.median_bytes < sf.target / 8 {
        let severity = if parts >= 1_000 && d.partitions.median_bytes < sf.target / 100 {
            Severity::Critical
        } else if parts >= 100 {
            Severity::Warn
        } else {
            Severity::Info
        };
        out.push(Finding {
            severity,
            kind: "over_partitioned",
            title: format!(
                "{} partitions with a median of {}, {} of the {target} target file",
                units::count(parts),
                units::bytes(d.partitions.median_bytes),
                percent(d.partitions.median_bytes as f64 / sf.target as f64)
            ),
            suggestion: "partition by a coarser column (month instead of day) so each partition fills files".into(),
            action: Suggest::Repartition,
            partition: None,
        });
    }

    // High-cardinality partition columns.
    for c in &d.partitions.columns {
        let one_file_each = c.distinct >= 50 && files as f64 <= c.distinct as f64 * 1.5;
        if c.distinct >= 1_000 || one_file_each && d.partitions.median_bytes < sf.target / 8 {
            let severity = if c.distinct >= 10_000 {
                Severity::Critical
            } else if c.distinct >= 1_000 {
                Severity::Warn
            } else {
                Severity::Info
            };
            out.push(Finding {
                severity,
                kind: "high_cardinality",
                title: format!("partition column {} has {} values", c.column, units::count(c.distinct)),
                suggestion: format!("do not partition by {}; cluster or Z-order by it instead", c.column),
                action: Suggest::Repartition,
                partition: None,
            });
        }
    }

    // Tiny partitions (when not already over-partitioned as a whole).
    if d.partitions.tiny > 0 && parts >= 2 && !out.iter().any(|f| f.kind == "over_partitioned") {
        out.push(Finding {
            severity: Severity::Info,
            kind: "tiny_partitions",
            title: format!(
                "{} of {} partitions under {}",
                units::count(d.partitions.tiny),
                units::count(parts),
                units::bytes(sf.target / 128)
            ),
            suggestion: "merge them into a coarser partition, or leave them if they are the newest".into(),
            action: Suggest::Repartition,
            partition: None,
        });
    }

    if !d.partitions.empty.is_empty() {
        out.push(Finding {
            severity: Severity::Info,
            kind: "empty_partitions",
            title: format!(
                "{} partition folders hold no data (e.g. {})",
                d.partitions.empty.len(),
                d.partitions.empty[0]
            ),
            suggestion: "delete the empty folders: every reader still lists them".into(),
            action: Suggest::Inspect,
            partition: Some(d.partitions.empty[0].clone()),
        });
    }

    if !d.partitions.unnamed_folders.is_empty() {
        out.push(Finding {
            severity: Severity::Warn,
            kind: "unnamed_folders",
            title: format!(
                "{} partition folders are not key=value (e.g. {}): engines cannot prune by them",
                d.partitions.unnamed_folders.len(),
                d.partitions.unnamed_folders[0]
            ),
            suggestion: "rewrite the layout as year=/month=/day= (or convert to Delta with those columns)".into(),
            action: Suggest::Repartition,
            partition: None,
        });
    }

    if let Some((path, reason)) = d.unreadable_files.first() {
        out.push(Finding {
            severity: Severity::Warn,
            kind: "unreadable_files",
            title: format!(
                "{} cannot be read (e.g. {path}: {})",
                units::plural(d.unreadable_files.len() as u64, "file"),
                units::truncate(reason, 120, "…")
            ),
            suggestion: "every query over the table fails on them: rewrite them from the source, or move them out"
                .into(),
            action: Suggest::Inspect,
            partition: None,
        });
    }

    if !d.schema_drift.is_empty() {
        let f = &d.schema_drift[0];
        out.push(Finding {
            severity: Severity::Warn,
            kind: "schema_drift",
            title: format!(
                "{} from the table's schema (e.g. {}: {})",
                if d.schema_drift.len() == 1 {
                    "1 file differs".to_string()
                } else {
                    format!("{} files differ", units::count(d.schema_drift.len() as u64))
                },
                f.path,
                f.drift.join(", ")
            ),
            suggestion: "rewrite the drifting files to the table schema, or read with schema merging".into(),
            action: Suggest::Inspect,
            partition: None,
        });
    }

    if let Some(s) = &d.cost.stale
        && s.bytes > 0
    {
        let share = s.bytes as f64 / d.totals.bytes.max(1) as f64;
        let severity = if share >= 1.0 && s.bytes >= 100 * (1 << 30) {
            Severity::Critical
        } else if share >= 0.1 && s.bytes >= 1 << 30 {
            Severity::Warn
        } else {
            Severity::Info
        };
        let retention = s.retention_hours.map(|h| format!("{h}h")).unwrap_or_else(|| "the retention".into());
        out.push(Finding {
            severity,
            kind: "stale_data",
            title: format!(
                "{} in {} removed from the current version but not vacuumed ({} of live data, {}/month)",
                units::bytes(s.bytes),
                units::plural(s.files, "file"),
                percent(share),
                usd(s.monthly_usd)
            ),
            suggestion: if s.vacuumable_bytes > 0 {
                format!("vacuum: {} are past {retention} and can go now", units::bytes(s.vacuumable_bytes))
            } else {
                format!("vacuum after {retention}: every removed file is still within the retention")
            },
            action: Suggest::Vacuum,
            partition: None,
        });
    }

    // Lifecycle: the largest saving of a colder class, when it is worth a line.
    if let Some(step) = d
        .cost
        .lifecycle
        .iter()
        .filter(|s| s.monthly_saving_usd > 0.0)
        .max_by(|a, b| a.monthly_saving_usd.total_cmp(&b.monthly_saving_usd))
    {
        let severity = if step.monthly_saving_usd >= 100.0 { Severity::Warn } else { Severity::Info };
        if step.monthly_saving_usd >= 0.01 {
            out.push(Finding {
                severity,
                kind: "lifecycle",
                title: format!(
                    "{} not modified for {}+ days: {}/month less in {}",
                    units::bytes(step.bytes),
                    step.after_days,
                    usd(step.monthly_saving_usd),
                    step.class
                ),
                suggestion: format!(
                    "add a lifecycle rule to {} after {} days (reading it all back: {}; {})",
                    step.class,
                    step.after_days,
                    usd(step.retrieval_usd),
                    step.note
                ),
                action: Suggest::Lifecycle,
                partition: None,
            });
        }
    }

    if inv.version.is_some() && !inv.rows_known && files > 0 {
        out.push(Finding {
            severity: Severity::Info,
            kind: "no_stats",
            title: "some files carry no statistics in the log: row counts and data skipping are unavailable".into(),
            suggestion: "rewrite (compact) with a writer that records stats".into(),
            action: Suggest::Compact,
            partition: None,
        });
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

#[cfg(test)]
mod tests;

/// Diagnose `tables` (`(display name, entry)`), `concurrency` at a time: each table's inventory
/// is gathered and analysed; a table that cannot be read becomes a `Failure` with the reason.
/// `progress(done, total, line)` reports as tables finish.
#[allow(clippy::too_many_arguments)]
pub async fn diagnose_tables(
    store: &super::store::LakeStore,
    tables: Vec<(String, super::TableEntry)>,
    gather_opts: &GatherOptions,
    opts: &DiagOptions,
    prices: &Prices,
    concurrency: usize,
    cancel: &tokio_util::sync::CancellationToken,
    progress: &mut (dyn FnMut(usize, usize, String) + Send),
) -> Result<(Vec<TableDiag>, Vec<rollup::Failure>), super::error::LakeError> {
    use futures::StreamExt;
    let total = tables.len();
    let runs = futures::stream::iter(tables.into_iter().map(|(name, t)| async move {
        let mut quiet = |_: String| {};
        let inv = gather(store, &t, gather_opts, cancel, &mut quiet).await;
        (name, t, inv)
    }))
    .buffer_unordered(concurrency.max(1));
    futures::pin_mut!(runs);
    let (mut diags, mut failed) = (Vec::new(), Vec::new());
    while let Some((name, t, inv)) = runs.next().await {
        match inv {
            Ok(inv) => {
                let id = TableId {
                    table: name.clone(),
                    path: t.path.clone(),
                    location: t.location.clone(),
                    format: t.format.as_str(),
                    bucket: t.bucket.clone(),
                    zone: t.zone.clone(),
                };
                diags.push(analyze(id, &inv, prices, opts));
            }
            Err(super::error::LakeError::Cancelled) => return Err(super::error::LakeError::Cancelled),
            Err(e) => failed.push(rollup::Failure {
                table: name.clone(),
                path: t.path.clone(),
                format: t.format.as_str(),
                reason: e.to_string(),
            }),
        }
        progress(diags.len() + failed.len(), total, name);
    }
    diags.sort_by(|a, b| a.table.cmp(&b.table));
    failed.sort_by(|a, b| a.table.cmp(&b.table));
    Ok((diags, failed))
}
