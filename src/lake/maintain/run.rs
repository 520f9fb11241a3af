//! The one path every front end (headless commands, the TUI's job) takes for a write action:
//! plan it (reading only), then run the confirmed plan with the diagnostics before and after.
//! Refusals (read-only lake, unsupported table or format) are decided here, once.

use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::dataset::{self, DatasetResult, Recovery, RewriteOptions};
use super::delta::{self, DeltaCompactResult, DeltaRunOptions};
use super::plan::{CompactKind, CompactOptions, CompactPlan, plan_compaction};
use super::{Progress, check_writable};
use crate::config::Config;
use crate::lake::diag::{self, DiagOptions, GatherOptions, Inventory, TableDiag, TableId};
use crate::lake::pricing::Prices;
use crate::lake::{LakeError, LakeStore, TableEntry, TableFormat};

/// Everything a write action needs from the configuration and the command line.
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
    pub fn from_config(config: &Config, store: &LakeStore, read_only: bool, lake: Option<String>) -> Settings {
        let m = &config.maintenance;
        let mut gather = GatherOptions::from_config(config);
        gather.history_versions = 0;
        Settings {
            read_only: read_only || m.read_only,
            lake,
            memory_limit_bytes: (m.memory_limit_mib as usize) << 20,
            concurrency: m.concurrency,
            min_commit_interval: (m.min_commit_interval_secs > 0)
                .then(|| Duration::from_secs(m.min_commit_interval_secs)),
            diag: DiagOptions::from_config(&config.diagnostics),
            gather,
            prices: config.pricing.for_scheme(store.url.scheme),
        }
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

/// A plan, the table's diagnostics now, and what was read to make them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Planned {
    pub plan: CompactPlan,
    pub before: TableDiag,
    /// Files an interrupted run left (journals, temporary files): recovered before compacting.
    pub leftovers: Vec<String>,
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
    let local = store.url.scheme == crate::lake::location::Scheme::File;
    let mut plan = plan_compaction(t, &inv, opts, s.diag.target_file_size, &s.prices, local);
    plan.table = name.to_string();
    let mut leftovers = Vec::new();
    if t.format == TableFormat::Delta {
        if let Some(reason) = delta::check_compactable(store, t).await? {
            plan.refusal = Some(reason);
        }
    } else {
        let listing = crate::lake::parquet_dataset::list_objects(
            &store.object_store(),
            &store.key(&t.path),
            &t.location,
            cancel,
            &mut |_| {},
        )
        .await?;
        leftovers = listing.iter().filter(|o| dataset::is_leftover(&o.rel)).map(|o| o.rel.clone()).collect();
        if !leftovers.is_empty() {
            plan.notes.insert(
                0,
                format!(
                    "an interrupted compaction left {} (journal or temporary files): it is finished or undone first, then the plan is made again",
                    crate::units::plural(leftovers.len() as u64, "file")
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

/// Run a confirmed plan. Dataset leftovers are recovered first (and the plan made again on what
/// is there then).
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
