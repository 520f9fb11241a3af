//! Delta writes through delta-rs: `optimize` (bin-packing compaction or Z-order) as one
//! transaction (or one per `min_commit_interval` on long runs), convert-to-Delta of a Parquet
//! dataset in place, and vacuum with a dry-run plan that says which versions stop being readable.
//! Tables delta-rs cannot write (column mapping, writer features it does not know) are refused
//! with the reason, before anything is read.

use std::num::NonZeroU64;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use deltalake::kernel::{DataType as DeltaType, StructField};
use deltalake::operations::convert_to_delta::ConvertToDeltaBuilder;
use deltalake::operations::optimize::OptimizeType;
use deltalake::table::config::TablePropertiesExt as _;
use deltalake::{DeltaTable, FilterOp, FilterValue};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::plan::{CompactKind, CompactPlan};
use super::{Progress, WatchStore};
use crate::lake::delta::log::list_log;
use crate::lake::discover::partition::PartitionType;
use crate::lake::error::describe;
use crate::lake::units;
use crate::lake::{LakeError, LakeStore, TableEntry};

fn write_err(table: &TableEntry, reason: impl Into<String>) -> LakeError {
    LakeError::Write { location: table.location.clone(), reason: reason.into() }
}

/// The table through a `WatchStore`, loaded at its latest version (or not loaded: `load` false).
async fn open(store: &LakeStore, table: &TableEntry, load: bool) -> Result<(DeltaTable, Arc<WatchStore>), LakeError> {
    let url = Url::parse(&table.location).map_err(|e| write_err(table, e.to_string()))?;
    let watch = WatchStore::new(store.delta_store_for(&url)?);
    let e = |e: deltalake::DeltaTableError| LakeError::Read { location: table.location.clone(), reason: describe(&e) };
    let b = crate::lake::delta::builder(Arc::clone(&watch) as _, &url).map_err(e)?;
    let t = if load { b.load().await.map_err(e)? } else { b.build().map_err(e)? };
    Ok((t, watch))
}

/// Why delta-rs cannot rewrite this table's files, if it cannot.
pub fn unsupported_reason(table: &DeltaTable) -> Option<String> {
    let state = table.snapshot().ok()?;
    let config = state.metadata().configuration();
    if let Some(mode) = config.get("delta.columnMapping.mode").filter(|m| m.as_str() != "none") {
        return Some(format!(
            "the table uses column mapping (delta.columnMapping.mode = {mode}), which delta-rs cannot rewrite files for; \
             compact it with Spark or Databricks (OPTIMIZE)"
        ));
    }
    if let Err(e) = deltalake::kernel::transaction::PROTOCOL.can_write_to(state) {
        return Some(format!("delta-rs cannot write this table: {}", describe(&e)));
    }
    None
}

/// Check a Delta table can be compacted; `Err` carries the reason to show.
pub async fn check_compactable(store: &LakeStore, table: &TableEntry) -> Result<Option<String>, LakeError> {
    let (t, _) = open(store, table, true).await?;
    Ok(unsupported_reason(&t))
}

/// How a Delta rewrite runs.
#[derive(Debug, Clone, Copy)]
pub struct DeltaRunOptions {
    pub memory_limit_bytes: usize,
    pub concurrency: usize,
    /// Commit every this long on long runs (`None`: one commit).
    pub min_commit_interval: Option<Duration>,
}

/// What `optimize` did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeltaCompactResult {
    pub version_before: u64,
    pub version_after: u64,
    pub commits: u64,
    pub files_removed: u64,
    pub files_added: u64,
    pub bytes_removed: u64,
    pub bytes_added: u64,
    pub partitions_optimized: u64,
}

/// Run delta-rs's optimize for a plan: the plan's partition filter, target size and kind. A
/// cancel drops the operation: files it wrote are never committed (a later vacuum removes them).
pub async fn compact(
    store: &LakeStore,
    table: &TableEntry,
    plan: &CompactPlan,
    opts: DeltaRunOptions,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<DeltaCompactResult, LakeError> {
    let started = Instant::now();
    let (t, watch) = open(store, table, true).await?;
    if let Some(reason) = unsupported_reason(&t) {
        return Err(LakeError::Unsupported { location: table.location.clone(), reason });
    }
    let version_before = t.version().unwrap_or(0);
    let filters: Vec<(String, String)> = plan
        .partition_filter
        .iter()
        .filter_map(|f| f.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    let literals: Vec<deltalake::FilterLiteral> =
        filters.iter().map(|(k, v)| (k.as_str(), FilterOp::Eq, FilterValue::Scalar(v.as_str()))).collect();
    let session =
        deltalake::delta_datafusion::create_session_state_with_spill_config(Some(opts.memory_limit_bytes), None);
    let mut builder = t
        .optimize()
        .with_filters(&literals)
        .with_target_size(NonZeroU64::new(plan.target_size.max(1)).unwrap_or(NonZeroU64::MIN))
        .with_max_concurrent_tasks(opts.concurrency.max(1))
        .with_session_state(Arc::new(session));
    if plan.kind == CompactKind::ZOrder {
        builder = builder.with_type(OptimizeType::ZOrder(plan.zorder.clone()));
    }
    if let Some(i) = opts.min_commit_interval {
        builder = builder.with_min_commit_interval(i);
    }
    let moved = Arc::clone(&watch.moved);
    let tick = |phase: &str| Progress {
        phase: phase.to_string(),
        files_done: moved.files_written.load(Ordering::Relaxed).min(plan.outputs) * plan.files_to_rewrite
            / plan.outputs.max(1),
        files_total: plan.files_to_rewrite,
        // Unclamped: footers are read more than once, and the outcome reports what was read.
        bytes_read: moved.read.load(Ordering::Relaxed),
        bytes_total: plan.bytes_to_read,
        bytes_written: moved.written.load(Ordering::Relaxed),
        elapsed_ms: started.elapsed().as_millis() as u64,
    };
    let fut = builder.into_future();
    tokio::pin!(fut);
    let mut every = tokio::time::interval(Duration::from_millis(200));
    let (table_after, metrics) = loop {
        tokio::select! {
            _ = cancel.cancelled() => return Err(LakeError::Cancelled),
            _ = every.tick() => progress(tick("rewriting")),
            r = &mut fut => break r.map_err(|e| explain(table, &e))?,
        }
    };
    progress(tick("done"));
    let version_after = table_after.version().unwrap_or(0);
    Ok(DeltaCompactResult {
        version_before,
        version_after,
        commits: version_after.saturating_sub(version_before),
        files_removed: metrics.num_files_removed,
        files_added: metrics.num_files_added,
        bytes_removed: metrics.files_removed.total_size.max(0) as u64,
        bytes_added: metrics.files_added.total_size.max(0) as u64,
        partitions_optimized: metrics.partitions_optimized,
    })
}

/// A delta-rs error for a person: conflicts named as such.
fn explain(table: &TableEntry, e: &deltalake::DeltaTableError) -> LakeError {
    use deltalake::DeltaTableError as D;
    use deltalake::kernel::transaction::TransactionError as T;
    let text = describe(e);
    let conflict = match e {
        D::VersionAlreadyExists(_) => true,
        D::Transaction { source } => {
            matches!(source, T::VersionAlreadyExists(_) | T::CommitConflict(_) | T::MaxCommitAttempts(_))
        }
        _ => crate::lake::error::Failure::of(e) == crate::lake::error::Failure::Conflict,
    };
    if conflict {
        return write_err(
            table,
            format!(
                "another writer committed to the table while it was being compacted and the two changes conflict; \
                 nothing was committed by lakescope and the other writer's data is intact (run the compaction again): {text}"
            ),
        );
    }
    write_err(table, text)
}

/// What convert-to-Delta did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConvertResult {
    pub version: u64,
    pub files: u64,
    pub partition_columns: Vec<String>,
}

/// Why a dataset cannot be converted in place, judged from its listing: files delta-rs would take
/// as data but that are not (hidden or temporary folders), or folders that are not `key=value`.
pub fn convert_refusal(table: &TableEntry, listing: &[crate::lake::discover::catalog::ListedObject]) -> Option<String> {
    if table.format != crate::lake::TableFormat::Parquet {
        return Some(format!(
            "convert-to-Delta turns a Parquet dataset into a Delta table; this is a {} table",
            table.format.as_str()
        ));
    }
    if table.file_glob.is_some() || table.path.is_empty() && listing.is_empty() {
        return Some("the table is not a folder of its own (a file glob or a single file)".into());
    }
    if let Some(o) = listing.iter().find(|o| super::dataset::is_leftover(&o.rel)) {
        return Some(format!(
            "an interrupted compaction left {}: recover it first (lakescope compact recovers)",
            o.rel
        ));
    }
    for o in listing {
        if !o.rel.ends_with(".parquet") {
            continue;
        }
        let dirs: Vec<&str> = o.rel.split('/').collect();
        let dirs = &dirs[..dirs.len() - 1];
        if let Some(d) = dirs.iter().find(|d| d.starts_with('_') || d.starts_with('.')) {
            return Some(format!(
                "{} lies in {d}/, a folder readers skip but delta-rs would add to the table; remove it first",
                o.rel
            ));
        }
        if let Some(d) = dirs.iter().find(|d| !d.contains('=')) {
            return Some(format!(
                "{} lies in {d}/, a folder that is not key=value; delta-rs converts hive-partitioned datasets only",
                o.rel
            ));
        }
    }
    None
}

fn delta_type(t: PartitionType) -> DeltaType {
    // The same types lakescope's SQL gives the partition columns, so a query reads the same
    // values before and after.
    match t {
        PartitionType::Int => DeltaType::LONG,
        PartitionType::Date => DeltaType::DATE,
        _ => DeltaType::STRING,
    }
}

/// Convert a Parquet dataset into a Delta table in place (nothing is rewritten: the log lists the
/// files as they are).
pub async fn convert(
    store: &LakeStore,
    table: &TableEntry,
    cancel: &CancellationToken,
) -> Result<ConvertResult, LakeError> {
    let (t, _) = open(store, table, false).await?;
    let fields: Vec<StructField> =
        table.partitions.iter().map(|p| StructField::new(p.name.clone(), delta_type(p.data_type), true)).collect();
    let op = ConvertToDeltaBuilder::new()
        .with_log_store(t.log_store())
        .with_partition_schema(fields)
        .with_table_name(table.name.clone())
        .with_comment("converted by lakescope");
    let converted = tokio::select! {
        _ = cancel.cancelled() => return Err(LakeError::Cancelled),
        r = op.into_future() => r.map_err(|e| write_err(table, describe(&e)))?,
    };
    let files = converted.snapshot().map(|s| s.log_data().num_files() as u64).unwrap_or(0);
    Ok(ConvertResult {
        version: converted.version().unwrap_or(0),
        files,
        partition_columns: table.partitions.iter().map(|p| p.name.clone()).collect(),
    })
}

/// Parse a retention as people type it: `168h`, `7d`, `90m`, `0h`, `1h 30m` (humantime's
/// units; `m` is minutes).
pub fn parse_retention(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|e| format!("a retention is a number and a unit (168h, 7d, 30m), not {text:?} ({e})"))
}

/// A vacuum's dry run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VacuumPlan {
    pub table: String,
    pub location: String,
    pub version: u64,
    pub retention_hours: f64,
    /// The table's own (`delta.deletedFileRetentionDuration`, 7 days by default).
    pub table_retention_hours: f64,
    /// A retention shorter than the table's, which needs an explicit override.
    pub below_table_retention: bool,
    /// Files removed from the table before this (ms since the epoch) are deleted.
    pub cutoff_ms: i64,
    pub files: Vec<(String, u64)>,
    pub bytes: u64,
    /// Time travel to versions before this one may fail afterwards (`None`: every version stays
    /// readable).
    pub oldest_readable_version: Option<u64>,
    pub refusal: Option<String>,
}

impl VacuumPlan {
    pub fn summary(&self) -> String {
        if self.files.is_empty() {
            return format!(
                "nothing to vacuum: no file was removed from the table more than {} ago",
                units::hours(self.retention_hours)
            );
        }
        let readable = match self.oldest_readable_version {
            Some(0) | None => "every version stays readable".to_string(),
            Some(v) => format!("versions before v{v} will no longer be readable (time travel to them fails)"),
        };
        format!(
            "delete {} ({}) removed more than {} ago; {readable}",
            units::plural(self.files.len() as u64, "file"),
            units::bytes(self.bytes),
            units::hours(self.retention_hours)
        )
    }
}

/// Plan a vacuum (delta-rs's own dry run, lite mode: files the log removed, past the retention).
pub async fn vacuum_plan(
    store: &LakeStore,
    table: &TableEntry,
    retain: Option<Duration>,
    override_retention: bool,
) -> Result<VacuumPlan, LakeError> {
    let (t, _) = open(store, table, true).await?;
    let state = t.snapshot().map_err(|e| write_err(table, describe(&e)))?;
    let version = state.version();
    let table_retention = state.table_config().deleted_file_retention_duration();
    let retention = retain.unwrap_or(table_retention);
    let below = retention < table_retention;
    let now = chrono::Utc::now().timestamp_millis();
    let cutoff_ms = now - retention.as_millis() as i64;
    let mut plan = VacuumPlan {
        table: table.name.clone(),
        location: table.location.clone(),
        version,
        retention_hours: retention.as_secs_f64() / 3600.0,
        table_retention_hours: table_retention.as_secs_f64() / 3600.0,
        below_table_retention: below,
        cutoff_ms,
        ..Default::default()
    };
    if below && !override_retention {
        plan.refusal = Some(format!(
            "a retention of {} is shorter than the table's {} (delta.deletedFileRetentionDuration): readers and writers \
             still using older versions could fail; type the override to go ahead",
            units::hours(retention.as_secs_f64() / 3600.0),
            units::hours(table_retention.as_secs_f64() / 3600.0)
        ));
    }
    // Sizes and removal times of the tombstones (the dry run names files only).
    let mut removed: std::collections::HashMap<String, (u64, i64)> = std::collections::HashMap::new();
    {
        use futures::StreamExt;
        let log_store = t.log_store();
        let mut stream = state.all_tombstones(log_store.as_ref());
        while let Some(tomb) = stream.next().await {
            let tomb = tomb.map_err(|e| write_err(table, describe(&e)))?;
            removed.insert(
                tomb.path().to_string(),
                (tomb.size().unwrap_or(0).max(0) as u64, tomb.deletion_timestamp().unwrap_or(0)),
            );
        }
    }
    let (_, metrics) = t
        .clone()
        .vacuum()
        .with_retention_period(chrono::Duration::milliseconds(retention.as_millis() as i64))
        .with_enforce_retention_duration(false)
        .with_dry_run(true)
        .await
        .map_err(|e| write_err(table, describe(&e)))?;
    let mut latest_removal = i64::MIN;
    for f in metrics.files_deleted {
        let decoded = crate::lake::delta::log::percent_decode(&f);
        let (size, at) = removed.get(&f).or_else(|| removed.get(&decoded)).copied().unwrap_or((0, 0));
        latest_removal = latest_removal.max(at);
        plan.bytes += size;
        plan.files.push((decoded, size));
    }
    plan.files.sort();
    if !plan.files.is_empty() {
        // The first version committed at or after the last removal no longer needs any deleted
        // file; every earlier one might.
        let os = store.object_store();
        let log = list_log(&os, &store.key(&table.path), &table.location).await?;
        plan.oldest_readable_version =
            log.commits.iter().find(|c| c.last_modified_ms >= latest_removal).map(|c| c.version).or(Some(version));
    }
    Ok(plan)
}

/// What a vacuum deleted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VacuumResult {
    pub files_deleted: u64,
    pub bytes_deleted: u64,
    pub version_after: u64,
}

/// Run a planned vacuum (refused plans do not run).
pub async fn vacuum(
    store: &LakeStore,
    table: &TableEntry,
    plan: &VacuumPlan,
    cancel: &CancellationToken,
) -> Result<VacuumResult, LakeError> {
    if let Some(r) = &plan.refusal {
        return Err(write_err(table, r.clone()));
    }
    let (t, _) = open(store, table, true).await?;
    let op = t
        .vacuum()
        .with_retention_period(chrono::Duration::milliseconds((plan.retention_hours * 3_600_000.0) as i64))
        .with_enforce_retention_duration(!plan.below_table_retention);
    let (after, metrics) = tokio::select! {
        _ = cancel.cancelled() => return Err(LakeError::Cancelled),
        r = op.into_future() => r.map_err(|e| write_err(table, describe(&e)))?,
    };
    let deleted: std::collections::HashSet<String> =
        metrics.files_deleted.iter().map(|f| crate::lake::delta::log::percent_decode(f)).collect();
    Ok(VacuumResult {
        files_deleted: deleted.len() as u64,
        bytes_deleted: plan.files.iter().filter(|(p, _)| deleted.contains(p)).map(|(_, s)| s).sum(),
        version_after: after.version().unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retentions_parse_with_units() {
        assert_eq!(parse_retention("168h").unwrap(), Duration::from_secs(168 * 3600));
        assert_eq!(parse_retention("7d").unwrap(), Duration::from_secs(7 * 86400));
        assert_eq!(parse_retention("0h").unwrap(), Duration::ZERO);
        assert_eq!(parse_retention("30m").unwrap(), Duration::from_secs(1800));
        assert!(parse_retention("7").unwrap_err().contains("168h"));
        assert!(parse_retention("h").is_err());
        assert!(parse_retention("-1h").is_err());
    }
}
