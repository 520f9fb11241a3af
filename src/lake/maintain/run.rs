//! The one path every front end (headless commands, the TUI's jobs) takes for a write action:
//! refuse what cannot run from the table alone (`refusal`, before anything is read), plan it
//! (reading only), then run the confirmed plan. Refusals that need a read (a read-only lake, a
//! table delta-rs cannot write, a dataset that is not hive-partitioned) are decided while
//! planning and carried in the plan. Front ends only present plans, refusals and outcomes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::dataset::{self, DatasetResult, Recovery, RewriteOptions};
use super::delta::{self, ConvertResult, DeltaCompactResult, DeltaRunOptions, VacuumPlan, VacuumResult};
use super::plan::{CompactKind, CompactOptions, CompactPlan, plan_compaction};
use super::{Progress, check_writable};
use crate::lake::diag::gather::GatherOptions;
use crate::lake::diag::{self, DiagOptions, DiagSettings, Inventory, TableDiag, TableId};
use crate::lake::pricing::Prices;
use crate::lake::{LakeError, LakeStore, TableEntry, TableFormat};

/// The `[maintenance]` settings (deserialised from the config, which holds their defaults).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintainOptions {
    /// Refuse every write to every lake (per lake: `[lakes.NAME] read_only = true`).
    pub read_only: bool,
    /// Memory a rewrite may hold before it spills (MiB).
    pub memory_limit_mib: u64,
    /// Files rewritten at once (Delta optimize tasks); `None`: one per core.
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// Delta: commit every this many seconds on long compactions (0: one commit at the end).
    pub min_commit_interval_secs: u64,
}

/// Everything a write action needs: the settings, whether the lake is read-only, and prices.
#[derive(Debug, Clone)]
pub struct Settings {
    pub read_only: bool,
    /// The configured lake's name, for the refusal message.
    pub lake: Option<String>,
    pub memory_limit_bytes: usize,
    pub concurrency: usize,
    pub min_commit_interval: Option<Duration>,
    pub diag: DiagOptions,
    pub gather: GatherOptions,
    pub prices: Prices,
}

impl Settings {
    /// `read_only` adds to the settings' own (a read-only lake, `--read-only`).
    pub fn new(
        m: &MaintainOptions,
        d: &DiagSettings,
        footer_concurrency: usize,
        prices: Prices,
        read_only: bool,
        lake: Option<String>,
    ) -> Settings {
        let mut gather = GatherOptions::new(d, footer_concurrency);
        gather.history_versions = 0;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Settings {
            read_only: read_only || m.read_only,
            lake,
            memory_limit_bytes: (m.memory_limit_mib as usize) << 20,
            concurrency: m.concurrency.unwrap_or(cores).max(1),
            min_commit_interval: (m.min_commit_interval_secs > 0)
                .then(|| Duration::from_secs(m.min_commit_interval_secs)),
            diag: DiagOptions::new(d),
            gather,
            prices,
        }
    }
}

/// The three writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteKind {
    Compact,
    Vacuum,
    Convert,
}

impl WriteKind {
    pub fn verb(self) -> &'static str {
        match self {
            WriteKind::Compact => "compact",
            WriteKind::Vacuum => "vacuum",
            WriteKind::Convert => "convert to Delta",
        }
    }
}

/// What the user asked to write: which action, on which table (by its `bucket.zone.table` name),
/// with which options.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteRequest {
    pub kind: WriteKind,
    pub name: String,
    pub table: TableEntry,
    /// Compaction: partitions, target size, Z-order.
    pub compact: CompactOptions,
    /// Vacuum: a retention other than the table's.
    pub retain: Option<Duration>,
    /// Vacuum: the user explicitly allows a retention below the table's own.
    pub override_retention: bool,
}

impl WriteRequest {
    pub fn new(kind: WriteKind, name: String, table: TableEntry) -> Self {
        WriteRequest { kind, name, table, compact: CompactOptions::default(), retain: None, override_retention: false }
    }
}

/// Why this write cannot run on this table at all, judged from the table alone, before anything
/// is read (so no plan is shown for it).
pub fn refusal(kind: WriteKind, t: &TableEntry) -> Option<String> {
    match kind {
        WriteKind::Compact => format_refusal(t),
        WriteKind::Vacuum if t.format != TableFormat::Delta => {
            Some(format!("vacuum deletes files a Delta table removed; this is a {} table", t.format.as_str()))
        }
        WriteKind::Convert if t.format == TableFormat::Delta => {
            Some("this is already a Delta table: nothing to convert".into())
        }
        WriteKind::Convert if t.format != TableFormat::Parquet => Some(format!(
            "convert-to-Delta turns a Parquet dataset into a Delta table; this is a {} table",
            t.format.as_str()
        )),
        _ => None,
    }
}

fn table_id(name: &str, t: &TableEntry) -> TableId {
    TableId {
        table: name.to_string(),
        path: t.path.clone(),
        location: t.location.clone(),
        format: t.format.as_str(),
        bucket: t.bucket.clone(),
        zone: t.zone.clone(),
    }
}

/// Why lakescope will not compact a table of this format.
pub fn format_refusal(t: &TableEntry) -> Option<String> {
    match t.format {
        TableFormat::Delta | TableFormat::Parquet => None,
        TableFormat::Iceberg | TableFormat::Hudi => Some(format!(
            "{} tables keep their own metadata of which files are live; rewriting files behind it would corrupt the table \
             (use the engine's own rewrite: Iceberg rewrite_data_files, Hudi clustering)",
            t.format.as_str()
        )),
        other => {
            Some(format!("lakescope compacts Delta tables and Parquet datasets; this is a {} table", other.as_str()))
        }
    }
}

/// A compaction plan, the table's diagnostics now, and what was read to make them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Planned {
    pub plan: CompactPlan,
    pub before: TableDiag,
    /// Files an interrupted run left (journals, temporary files): recovered before compacting.
    pub leftovers: Vec<String>,
}

/// A convert-to-Delta plan: the Parquet files that become version 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvertPlan {
    pub table: String,
    pub location: String,
    pub files: u64,
    pub bytes: u64,
    pub partition_columns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
}

/// A plan of any of the three writes.
#[derive(Debug, Clone, PartialEq)]
pub enum WritePlan {
    Compact(Arc<Planned>),
    Vacuum(Arc<VacuumPlan>),
    Convert(Arc<ConvertPlan>),
}

impl WritePlan {
    /// Why it cannot run, if it cannot.
    pub fn refusal(&self) -> Option<&str> {
        match self {
            WritePlan::Compact(p) => p.plan.refusal.as_deref(),
            WritePlan::Vacuum(p) => p.refusal.as_deref(),
            WritePlan::Convert(p) => p.refusal.as_deref(),
        }
    }

    /// Nothing to do.
    pub fn is_empty(&self) -> bool {
        match self {
            WritePlan::Compact(p) => p.plan.is_empty() && p.leftovers.is_empty(),
            WritePlan::Vacuum(p) => p.files.is_empty(),
            WritePlan::Convert(p) => p.files == 0,
        }
    }
}

/// What a write did.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum WriteOutcome {
    Compacted(Box<Compacted>),
    Vacuumed(VacuumResult),
    Converted(ConvertResult),
}

async fn inventory(
    store: &LakeStore,
    t: &TableEntry,
    s: &Settings,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<Inventory, LakeError> {
    // A fresh listing: discovery's may be old, and the plan must see what is there now.
    let mut fresh = t.clone();
    fresh.listing = None;
    diag::gather::gather(store, &fresh, &s.gather, cancel, progress).await
}

/// Plan a write (reads only). The request's table must pass `refusal` first; a plan that needs
/// a read to be refused carries its refusal.
pub async fn plan(
    store: &LakeStore,
    req: &WriteRequest,
    s: &Settings,
    cancel: &CancellationToken,
) -> Result<WritePlan, LakeError> {
    if let Some(reason) = refusal(req.kind, &req.table) {
        return Err(LakeError::Unsupported { location: req.table.location.clone(), reason });
    }
    match req.kind {
        WriteKind::Compact => {
            let p = plan_compact(store, &req.name, &req.table, &req.compact, s, cancel, &mut |_| {}).await?;
            Ok(WritePlan::Compact(Arc::new(p)))
        }
        WriteKind::Vacuum => {
            let mut p = delta::vacuum_plan(store, &req.table, req.retain, req.override_retention).await?;
            p.table = req.name.clone();
            if let Err(r) = check_writable(s.read_only, s.lake.as_deref(), "vacuum") {
                p.refusal = Some(r);
            }
            Ok(WritePlan::Vacuum(Arc::new(p)))
        }
        WriteKind::Convert => Ok(WritePlan::Convert(Arc::new(plan_convert(store, req, s, cancel).await?))),
    }
}

/// The table's objects as they are now.
async fn listing(
    store: &LakeStore,
    t: &TableEntry,
    cancel: &CancellationToken,
) -> Result<Vec<crate::lake::discover::catalog::ListedObject>, LakeError> {
    crate::lake::parquet::dataset::list_objects(
        &store.object_store(),
        &store.key(&t.path),
        &t.location,
        cancel,
        &mut |_| {},
    )
    .await
}

async fn plan_convert(
    store: &LakeStore,
    req: &WriteRequest,
    s: &Settings,
    cancel: &CancellationToken,
) -> Result<ConvertPlan, LakeError> {
    let t = &req.table;
    let listing = listing(store, t, cancel).await?;
    let mut refusal = delta::convert_refusal(t, &listing);
    if let Err(r) = check_writable(s.read_only, s.lake.as_deref(), "convert") {
        refusal = Some(r);
    }
    let data: Vec<_> = listing.iter().filter(|o| o.rel.ends_with(".parquet")).collect();
    Ok(ConvertPlan {
        table: req.name.clone(),
        location: t.location.clone(),
        files: data.len() as u64,
        bytes: data.iter().map(|o| o.size).sum(),
        partition_columns: t.partitions.iter().map(|p| format!("{}: {}", p.name, p.data_type.as_str())).collect(),
        refusal,
    })
}

/// Plan a compaction (reads the table's log or listing and footers; writes nothing).
pub async fn plan_compact(
    store: &LakeStore,
    name: &str,
    t: &TableEntry,
    opts: &CompactOptions,
    s: &Settings,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<Planned, LakeError> {
    if let Some(reason) = format_refusal(t) {
        return Err(LakeError::Unsupported { location: t.location.clone(), reason });
    }
    if t.format != TableFormat::Delta && opts.kind() == CompactKind::ZOrder {
        return Err(LakeError::Unsupported {
            location: t.location.clone(),
            reason: "Z-order is a Delta rewrite; convert the dataset to Delta first (lakescope convert)".into(),
        });
    }
    let inv = inventory(store, t, s, cancel, progress).await?;
    let before = diag::analyze(table_id(name, t), &inv, &s.prices, &s.diag);
    let local = store.url.scheme == crate::lake::store::location::Scheme::File;
    let mut plan = plan_compaction(t, &inv, opts, s.diag.target_file_size, &s.prices, local);
    plan.table = name.to_string();
    let mut leftovers = Vec::new();
    if t.format == TableFormat::Delta {
        if let Some(reason) = delta::check_compactable(store, t).await? {
            plan.refusal = Some(reason);
        }
    } else {
        let listing = listing(store, t, cancel).await?;
        leftovers = listing.iter().filter(|o| dataset::is_leftover(&o.rel)).map(|o| o.rel.clone()).collect();
        if !leftovers.is_empty() {
            plan.notes.insert(
                0,
                format!(
                    "an interrupted compaction left {} (journal or temporary files): it is finished or undone first, then the plan is made again",
                    crate::lake::units::plural(leftovers.len() as u64, "file")
                ),
            );
        }
    }
    if let Err(r) = check_writable(s.read_only, s.lake.as_deref(), "compact") {
        plan.refusal = Some(r);
    }
    Ok(Planned { plan, before, leftovers })
}

/// What a compaction did.
#[derive(Debug, Clone, Serialize)]
pub struct Compacted {
    pub plan: CompactPlan,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery: Option<Recovery>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<DeltaCompactResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<DatasetResult>,
    pub before: TableDiag,
    pub after: TableDiag,
    pub elapsed_ms: u64,
    pub bytes_read: u64,
    pub bytes_written: u64,
}

/// Run a confirmed plan of `req`. A refused plan never runs.
pub async fn run(
    store: &LakeStore,
    req: &WriteRequest,
    plan: &WritePlan,
    s: &Settings,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<WriteOutcome, LakeError> {
    if let Some(r) = plan.refusal() {
        return Err(LakeError::Write { location: req.table.location.clone(), reason: r.to_string() });
    }
    match plan {
        WritePlan::Compact(p) => {
            let done =
                run_compact(store, &req.name, &req.table, (**p).clone(), &req.compact, s, cancel, progress).await?;
            Ok(WriteOutcome::Compacted(Box::new(done)))
        }
        WritePlan::Vacuum(p) => Ok(WriteOutcome::Vacuumed(delta::vacuum(store, &req.table, p, cancel).await?)),
        WritePlan::Convert(_) => Ok(WriteOutcome::Converted(delta::convert(store, &req.table, cancel).await?)),
    }
}

/// Run a confirmed compaction plan. Dataset leftovers are recovered first (and the plan made
/// again on what is there then).
#[allow(clippy::too_many_arguments)]
pub async fn run_compact(
    store: &LakeStore,
    name: &str,
    t: &TableEntry,
    planned: Planned,
    opts: &CompactOptions,
    s: &Settings,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Compacted, LakeError> {
    let started = Instant::now();
    if let Some(r) = &planned.plan.refusal {
        return Err(LakeError::Write { location: t.location.clone(), reason: r.clone() });
    }
    let Planned { mut plan, before, leftovers } = planned;
    let mut recovery = None;
    if !leftovers.is_empty() {
        progress(Progress { phase: "recovering an interrupted run".into(), ..Default::default() });
        let r = dataset::recover(store, t, cancel).await?;
        recovery = Some(r);
        let again = plan_compact(store, name, t, opts, s, cancel, &mut |_| {}).await?;
        plan = again.plan;
    }
    let mut last = Progress::default();
    let mut track = |p: Progress| {
        last = p.clone();
        progress(p)
    };
    let (mut delta_r, mut dataset_r) = (None, None);
    if !plan.is_empty() {
        if t.format == TableFormat::Delta {
            let o = DeltaRunOptions {
                memory_limit_bytes: s.memory_limit_bytes,
                concurrency: s.concurrency,
                min_commit_interval: s.min_commit_interval,
            };
            delta_r = Some(delta::compact(store, t, &plan, o, cancel, &mut track).await?);
        } else {
            let o = RewriteOptions { memory_limit_bytes: s.memory_limit_bytes };
            dataset_r = Some(dataset::compact_dataset(store, t, &plan, o, cancel, &mut track).await?);
        }
    }
    let inv = inventory(store, t, s, &CancellationToken::new(), &mut |_| {}).await?;
    let after = diag::analyze(table_id(name, t), &inv, &s.prices, &s.diag);
    Ok(Compacted {
        plan,
        recovery,
        delta: delta_r,
        dataset: dataset_r,
        before,
        after,
        elapsed_ms: started.elapsed().as_millis() as u64,
        bytes_read: last.bytes_read,
        bytes_written: last.bytes_written,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, format: TableFormat) -> TableEntry {
        TableEntry::new(name, format, "lake", &format!("file:///lake/{name}/"), name)
    }

    #[test]
    fn refusals_come_before_any_plan() {
        let csv = table("raw", TableFormat::Csv);
        assert!(refusal(WriteKind::Compact, &csv).unwrap().contains("this is a csv table"));
        assert!(refusal(WriteKind::Vacuum, &csv).unwrap().contains("vacuum deletes files a Delta table removed"));
        assert!(refusal(WriteKind::Convert, &csv).unwrap().contains("Parquet dataset"));
        let delta = table("orders", TableFormat::Delta);
        assert!(refusal(WriteKind::Compact, &delta).is_none());
        assert!(refusal(WriteKind::Vacuum, &delta).is_none());
        assert!(refusal(WriteKind::Convert, &delta).unwrap().contains("already a Delta table"));
        let pq = table("events", TableFormat::Parquet);
        assert!(refusal(WriteKind::Compact, &pq).is_none());
        assert!(refusal(WriteKind::Convert, &pq).is_none());
        assert!(refusal(WriteKind::Vacuum, &pq).is_some());
    }
}
