//! Rollups: the diagnostics of every table of a zone, a bucket or a lake on one page — totals,
//! each zone's size and cost, and the tables ranked so the worst offenders come first (by their
//! worst finding, then small-file severity, skew and monthly cost).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Finding, Severity, TableDiag};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollupRow {
    pub table: String,
    pub path: String,
    pub format: &'static str,
    pub bucket: String,
    pub zone: Option<String>,
    pub files: u64,
    pub bytes: u64,
    pub rows: Option<u64>,
    pub partitions: u64,
    pub small_files: u64,
    pub after_compaction: u64,
    pub small_severity: Option<Severity>,
    pub skew: Option<f64>,
    pub skew_severity: Option<Severity>,
    pub stale_bytes: u64,
    pub monthly_usd: f64,
    pub worst: Option<Severity>,
    pub findings: usize,
    /// The first (most severe) finding's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top: Option<String>,
}

/// A table that could not be diagnosed, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub table: String,
    pub path: String,
    pub format: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneTotal {
    pub bucket: String,
    pub zone: String,
    pub tables: u64,
    pub files: u64,
    pub bytes: u64,
    pub monthly_usd: f64,
    pub findings: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RollupTotals {
    pub tables: u64,
    pub failed: u64,
    pub files: u64,
    pub bytes: u64,
    /// Rows of the tables whose row count is known.
    pub rows: u64,
    /// Tables whose rows are not known (not in `rows`).
    pub rows_unknown_tables: u64,
    pub partitions: u64,
    pub small_files: u64,
    pub after_compaction: u64,
    pub stale_bytes: u64,
    pub monthly_usd: f64,
    pub critical: usize,
    pub warn: usize,
    pub info: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedFinding {
    pub table: String,
    #[serde(flatten)]
    pub finding: Finding,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rollup {
    /// What was diagnosed: `lake`, a bucket, `bucket/zone`.
    pub scope: String,
    pub totals: RollupTotals,
    pub zones: Vec<ZoneTotal>,
    /// Worst first.
    pub tables: Vec<RollupRow>,
    /// Every finding of every table, most severe first.
    pub findings: Vec<RankedFinding>,
    pub failed: Vec<Failure>,
}

fn row(d: &TableDiag) -> RollupRow {
    RollupRow {
        table: d.table.clone(),
        path: d.path.clone(),
        format: d.format,
        bucket: d.bucket.clone(),
        zone: d.zone.clone(),
        files: d.totals.files,
        bytes: d.totals.bytes,
        rows: d.totals.rows,
        partitions: d.totals.partitions,
        small_files: d.small_files.small,
        after_compaction: d.small_files.after_compaction,
        small_severity: d.severity_of("small_files"),
        skew: d.partitions.skew,
        skew_severity: d.severity_of("skew"),
        stale_bytes: d.totals.stale_bytes,
        monthly_usd: d.cost.monthly_usd,
        worst: d.worst(),
        findings: d.findings.len(),
        top: d.findings.first().map(|f| f.title.clone()),
    }
}

/// The order tables are ranked in: worst finding, small files, skew, then cost.
pub fn rank(a: &RollupRow, b: &RollupRow) -> std::cmp::Ordering {
    b.worst
        .cmp(&a.worst)
        .then(b.small_severity.cmp(&a.small_severity))
        .then(b.skew_severity.cmp(&a.skew_severity))
        .then(b.monthly_usd.total_cmp(&a.monthly_usd))
        .then(b.bytes.cmp(&a.bytes))
        .then(a.table.cmp(&b.table))
}

/// Roll the diagnostics of some tables up.
pub fn rollup(scope: &str, diags: &[TableDiag], failed: Vec<Failure>) -> Rollup {
    let mut totals = RollupTotals { tables: diags.len() as u64, failed: failed.len() as u64, ..Default::default() };
    let mut zones: BTreeMap<(String, String), ZoneTotal> = BTreeMap::new();
    let mut findings = Vec::new();
    for d in diags {
        totals.files += d.totals.files;
        totals.bytes += d.totals.bytes;
        match d.totals.rows {
            Some(r) => totals.rows += r,
            None => totals.rows_unknown_tables += 1,
        }
        totals.partitions += d.totals.partitions;
        totals.small_files += d.small_files.small;
        totals.after_compaction += d.small_files.after_compaction;
        totals.stale_bytes += d.totals.stale_bytes;
        totals.monthly_usd += d.cost.monthly_usd;
        for f in &d.findings {
            match f.severity {
                Severity::Critical => totals.critical += 1,
                Severity::Warn => totals.warn += 1,
                Severity::Info => totals.info += 1,
            }
            findings.push(RankedFinding { table: d.table.clone(), finding: f.clone() });
        }
        let zone = d.zone.clone().unwrap_or_else(|| "(no zone)".into());
        let z = zones.entry((d.bucket.clone(), zone.clone())).or_insert_with(|| ZoneTotal {
            bucket: d.bucket.clone(),
            zone,
            tables: 0,
            files: 0,
            bytes: 0,
            monthly_usd: 0.0,
            findings: 0,
        });
        z.tables += 1;
        z.files += d.totals.files;
        z.bytes += d.totals.bytes;
        z.monthly_usd += d.cost.monthly_usd;
        z.findings += d.findings.len();
    }
    let mut tables: Vec<RollupRow> = diags.iter().map(row).collect();
    tables.sort_by(rank);
    // Stable: within a severity, tables keep the ranking order.
    let order: Vec<String> = tables.iter().map(|t| t.table.clone()).collect();
    findings.sort_by(|a, b| {
        b.finding.severity.cmp(&a.finding.severity).then_with(|| {
            let pos = |t: &str| order.iter().position(|o| o == t).unwrap_or(usize::MAX);
            pos(&a.table).cmp(&pos(&b.table))
        })
    });
    Rollup { scope: scope.to_string(), totals, zones: zones.into_values().collect(), tables, findings, failed }
}
