//! Compaction plans: which files of which partitions would be rewritten into how many files of
//! what size, the bytes read and written, the requests and their price, and roughly how long it
//! takes — computed from a table's inventory (`diag::gather`) before anything is written.
//!
//! Bins follow delta-rs's compaction planner, so the plan for a Delta table is what `optimize`
//! then does: per partition, files in order (Delta: newest first; datasets: by name), a file
//! larger than the target is left alone and ends a bin, a bin closes before it would pass the
//! target, and a bin of one file is dropped (rewriting it changes nothing). Z-order rewrites every
//! file of each chosen partition.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::lake::TableFormat;
use crate::lake::diag::Inventory;
use crate::lake::pricing::Prices;
use crate::lake::units;

/// Bin-packing compaction, or a Z-order rewrite on some columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompactKind {
    Compact,
    ZOrder,
}

/// What the user asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompactOptions {
    /// Target output size; `None`: the table's `delta.targetFileSize`, then the config's.
    pub target_size: Option<u64>,
    /// `(column, value)` pairs a partition must match, all of them (`--partition k=v`).
    pub partitions: Vec<(String, String)>,
    /// Z-order on these columns instead of bin-packing (Delta only).
    pub zorder: Vec<String>,
}

impl CompactOptions {
    pub fn kind(&self) -> CompactKind {
        if self.zorder.is_empty() { CompactKind::Compact } else { CompactKind::ZOrder }
    }

    /// Parse `k=v` into a partition filter.
    pub fn parse_partition(text: &str) -> Result<(String, String), String> {
        match text.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
            _ => Err(format!("--partition wants column=value, not {text:?}")),
        }
    }

    /// Does a partition path (`k=v/k2=v2`) match every filter?
    pub fn matches(&self, partition: &str) -> bool {
        self.partitions
            .iter()
            .all(|(k, v)| partition.split('/').any(|seg| seg.split_once('=').is_some_and(|(a, b)| a == k && b == v)))
    }
}

/// One output file: the inputs it is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    /// Paths relative to the table root.
    pub files: Vec<String>,
    pub bytes: u64,
}

/// A partition's part of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionPlan {
    /// `k=v/k2=v2` ("" for an unpartitioned table).
    pub partition: String,
    /// Files and bytes of the partition now.
    pub files: u64,
    pub bytes: u64,
    /// Files rewritten and what they become.
    pub rewrite_files: u64,
    pub rewrite_bytes: u64,
    pub outputs: u64,
    pub bins: Vec<Bin>,
}

/// Requests a plan will make, as a provider bills them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RequestEstimate {
    pub get: u64,
    pub put: u64,
    pub delete: u64,
    pub list: u64,
}

/// A compaction plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompactPlan {
    pub table: String,
    pub location: String,
    pub format: &'static str,
    pub kind: CompactKind,
    pub zorder: Vec<String>,
    pub partition_filter: Vec<String>,
    pub target_size: u64,
    /// Where the target size comes from.
    pub target_source: String,
    /// Delta: the version the plan was made from.
    pub version: Option<u64>,
    /// Files and bytes in scope (the partitions the filter selects) now.
    pub files_before: u64,
    pub bytes_before: u64,
    pub files_to_rewrite: u64,
    pub bytes_to_read: u64,
    /// About the bytes read: the rewrite keeps every row; compression may differ.
    pub bytes_to_write: u64,
    pub outputs: u64,
    pub files_after: u64,
    pub partitions_in_scope: u64,
    pub partitions: Vec<PartitionPlan>,
    pub requests: RequestEstimate,
    pub cost_usd: f64,
    pub prices: String,
    /// Rough duration at `rate_mib_s`.
    pub seconds: f64,
    pub rate_mib_s: f64,
    /// Delta: one transaction (readers see the old files or the new ones). Datasets: not.
    pub transactional: bool,
    pub notes: Vec<String>,
    /// Why it cannot run (read-only lake, unsupported table); the plan is still shown.
    pub refusal: Option<String>,
}

impl CompactPlan {
    pub fn is_empty(&self) -> bool {
        self.files_to_rewrite == 0
    }

    /// One line: what would happen.
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return format!(
                "nothing to compact: {} in {} ({}), no two neighbouring files under the {} target",
                units::plural(self.files_before, "file"),
                units::plural(self.partitions_in_scope, "partition"),
                units::bytes(self.bytes_before),
                units::bytes(self.target_size)
            );
        }
        format!(
            "{} {} in {} → {} of about {} each; read {}, write about {}; files {} → {}",
            match self.kind {
                CompactKind::Compact => "rewrite",
                CompactKind::ZOrder => "z-order",
            },
            units::plural(self.files_to_rewrite, "file"),
            units::plural(self.partitions.len() as u64, "partition"),
            units::plural(self.outputs, "file"),
            units::bytes(self.bytes_to_write / self.outputs.max(1)),
            units::bytes(self.bytes_to_read),
            units::bytes(self.bytes_to_write),
            units::count(self.files_before),
            units::count(self.files_after),
        )
    }
}

/// Read+write throughput a plan's duration is estimated at, by store (MiB/s of input). Measured
/// with `lakescope-bench compact` on 2 cores; object stores are slower by their latency.
pub fn assumed_rate_mib_s(local: bool) -> f64 {
    if local { 80.0 } else { 30.0 }
}

/// Build a plan from a table's inventory. `default_target` is the config's target size.
pub fn plan_compaction(
    table: &crate::lake::TableEntry,
    inv: &Inventory,
    opts: &CompactOptions,
    default_target: u64,
    prices: &Prices,
    local: bool,
) -> CompactPlan {
    let (target_size, target_source) = match (opts.target_size, inv.table_target) {
        (Some(t), _) => (t, "--target-size".to_string()),
        (None, Some(t)) => (t, "the table's delta.targetFileSize".to_string()),
        (None, None) => (default_target, "[diagnostics] target_file_mib".to_string()),
    };
    let target_size = target_size.max(1);
    let delta = table.format == TableFormat::Delta;
    let mut by_partition: BTreeMap<&str, Vec<&crate::lake::diag::FileFact>> = BTreeMap::new();
    for f in &inv.files {
        if opts.matches(&f.partition) {
            by_partition.entry(f.partition.as_str()).or_default().push(f);
        }
    }
    let mut partitions = Vec::new();
    let (mut files_before, mut bytes_before) = (0u64, 0u64);
    for (partition, mut files) in by_partition.clone() {
        files_before += files.len() as u64;
        bytes_before += files.iter().map(|f| f.size).sum::<u64>();
        // delta-rs walks a partition's files newest first; a dataset is taken in name order.
        if delta {
            files.sort_by(|a, b| b.modified_ms.cmp(&a.modified_ms).then_with(|| b.path.cmp(&a.path)));
        } else {
            files.sort_by(|a, b| a.path.cmp(&b.path));
        }
        let bins = match opts.kind() {
            CompactKind::Compact => compaction_bins(&files, target_size),
            CompactKind::ZOrder => vec![Bin {
                files: files.iter().map(|f| f.path.clone()).collect(),
                bytes: files.iter().map(|f| f.size).sum(),
            }],
        };
        let bins: Vec<Bin> = bins.into_iter().filter(|b| !b.files.is_empty()).collect();
        if bins.is_empty() {
            continue;
        }
        let rewrite_files = bins.iter().map(|b| b.files.len() as u64).sum();
        let rewrite_bytes: u64 = bins.iter().map(|b| b.bytes).sum();
        let outputs = match opts.kind() {
            CompactKind::Compact => bins.len() as u64,
            CompactKind::ZOrder => rewrite_bytes.div_ceil(target_size).max(1),
        };
        partitions.push(PartitionPlan {
            partition: partition.to_string(),
            files: files.len() as u64,
            bytes: files.iter().map(|f| f.size).sum(),
            rewrite_files,
            rewrite_bytes,
            outputs,
            bins,
        });
    }
    let files_to_rewrite: u64 = partitions.iter().map(|p| p.rewrite_files).sum();
    let bytes_to_read: u64 = partitions.iter().map(|p| p.rewrite_bytes).sum();
    let outputs: u64 = partitions.iter().map(|p| p.outputs).sum();
    let requests = estimate_requests(delta, &partitions, target_size);
    let cost_usd = requests.get as f64 / 1000.0 * prices.get_per_1000
        + requests.put as f64 / 1000.0 * prices.put_per_1000
        + requests.list as f64 / 1000.0 * prices.list_per_1000;
    let rate = assumed_rate_mib_s(local);
    let mut notes = Vec::new();
    if !opts.partitions.is_empty() && by_partition.is_empty() {
        let mut known: Vec<&str> = inv.files.iter().map(|f| f.partition.as_str()).collect();
        known.dedup();
        notes.push(format!(
            "no partition matches {}: the table's partitions look like {}",
            opts.partitions.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" and "),
            known.first().filter(|k| !k.is_empty()).unwrap_or(&"(none: the table is not partitioned)")
        ));
    }
    if !delta {
        notes.push(
            "not atomic: a Parquet dataset has no transaction log, so between publishing a partition's new files and \
             deleting its old ones (a moment per partition) other readers can see both and count rows twice; \
             lakescope keeps a journal in each partition so an interrupted run is finished or undone. \
             Convert the dataset to Delta (lakescope convert) for compaction readers never notice."
                .to_string(),
        );
        if inv.drift_checked && !inv.drift.is_empty() {
            notes.push(format!(
                "{} with a different schema: each output is made of files with one schema only",
                units::plural(inv.drift.len() as u64, "file")
            ));
        }
    } else {
        notes.push(
            "one Delta transaction: readers see the old files or the new ones, never both; the old files stay for time \
             travel until a vacuum past the retention"
                .to_string(),
        );
    }
    CompactPlan {
        table: table.name.clone(),
        location: table.location.clone(),
        format: table.format.as_str(),
        kind: opts.kind(),
        zorder: opts.zorder.clone(),
        partition_filter: opts.partitions.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        target_size,
        target_source,
        version: inv.version,
        files_before,
        bytes_before,
        files_to_rewrite,
        bytes_to_read,
        bytes_to_write: bytes_to_read,
        outputs,
        files_after: files_before - files_to_rewrite + outputs,
        partitions_in_scope: by_partition.len() as u64,
        partitions,
        requests,
        cost_usd,
        prices: prices.label(),
        seconds: bytes_to_read as f64 / 1048576.0 / rate,
        rate_mib_s: rate,
        transactional: delta,
        notes,
        refusal: None,
    }
}

/// delta-rs's bin rule over files already in walking order.
fn compaction_bins(files: &[&crate::lake::diag::FileFact], target: u64) -> Vec<Bin> {
    let mut bins = Vec::new();
    let mut current = Bin { files: vec![], bytes: 0 };
    for f in files {
        if f.size > target {
            // Too big to merge: it ends the run of neighbours.
            if !current.files.is_empty() {
                bins.push(std::mem::replace(&mut current, Bin { files: vec![], bytes: 0 }));
            }
            continue;
        }
        if !current.files.is_empty() && current.bytes + f.size > target {
            bins.push(std::mem::replace(&mut current, Bin { files: vec![], bytes: 0 }));
        }
        current.files.push(f.path.clone());
        current.bytes += f.size;
    }
    if !current.files.is_empty() {
        bins.push(current);
    }
    bins.retain(|b| b.files.len() > 1);
    bins
}

/// Requests: GET footer + data per input; PUT per output (multipart: create, parts of ~10 MiB,
/// complete); Delta adds a commit, a dataset a verify read, a rename (copy) and a delete per file
/// and its journal.
fn estimate_requests(delta: bool, partitions: &[PartitionPlan], target: u64) -> RequestEstimate {
    let inputs: u64 = partitions.iter().map(|p| p.rewrite_files).sum();
    let outputs: u64 = partitions.iter().map(|p| p.outputs).sum();
    let part = 10u64 << 20;
    let size = target.min(partitions.iter().map(|p| p.rewrite_bytes / p.outputs.max(1)).max().unwrap_or(0));
    let puts_per_output = if size > part { 2 + size.div_ceil(part) } else { 1 };
    let mut r = RequestEstimate { get: inputs * 2, put: outputs * puts_per_output, delete: 0, list: 1 };
    if delta {
        r.put += 1;
        r.get += 1;
    } else {
        let journals = partitions.len() as u64;
        r.get += outputs * 2;
        r.put += outputs + journals;
        r.delete += inputs + outputs + journals;
        r.list += journals;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::diag::FileFact;

    fn fact(path: &str, partition: &str, size: u64, modified: i64) -> FileFact {
        FileFact {
            path: path.into(),
            partition: partition.into(),
            size,
            rows: None,
            modified_ms: Some(modified),
            class: None,
        }
    }

    #[test]
    fn bins_follow_delta_rs_rules() {
        let files = [
            fact("a", "", 40, 1),
            fact("b", "", 40, 2),
            fact("c", "", 40, 3),
            fact("big", "", 500, 4),
            fact("d", "", 10, 5),
            fact("e", "", 10, 6),
            fact("f", "", 10, 7),
            fact("lonely", "", 10, 8),
        ];
        let refs: Vec<&FileFact> = files.iter().collect();
        let bins = compaction_bins(&refs, 100);
        // a+b fit (80), c would pass 100 → new bin; big ends the run (c alone is dropped);
        // d+e+f+lonely fit (40).
        assert_eq!(bins.len(), 2);
        assert_eq!(bins[0].files, vec!["a", "b"]);
        assert_eq!(bins[1].files, vec!["d", "e", "f", "lonely"]);
        assert_eq!(bins[1].bytes, 40);
    }

    #[test]
    fn partition_filter_matches_whole_segments() {
        let o = CompactOptions { partitions: vec![("date".into(), "2026-11-11".into())], ..Default::default() };
        assert!(o.matches("date=2026-11-11"));
        assert!(o.matches("country=de/date=2026-11-11"));
        assert!(!o.matches("date=2026-11-1"));
        assert!(!o.matches("xdate=2026-11-11"));
        assert!(CompactOptions::default().matches(""));
        assert_eq!(CompactOptions::parse_partition("k=v=w").unwrap(), ("k".into(), "v=w".into()));
        assert!(CompactOptions::parse_partition("kv").is_err());
    }
}
