//! The write actions' jobs: make a plan (reads only) and run a confirmed one, reporting progress
//! about five times a second. Cancelled through the job's token: a Delta rewrite commits nothing,
//! a dataset rewrite deletes the partition's unpublished files (see `lake::maintain`).

use std::sync::Arc;
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::JobContext;
use crate::action::Action;
use crate::lake::maintain::delta;
use crate::lake::maintain::run::{self, Settings};
use crate::lake::maintain::{CompactOptions, Progress, check_writable};
use crate::lake::{LakeError, LakeStore, TableEntry};
use crate::state::maintain::{MaintainKind, MaintainPlan};

fn compact_options(partition: Option<(String, String)>) -> CompactOptions {
    CompactOptions { partitions: partition.into_iter().collect(), ..Default::default() }
}

#[allow(clippy::too_many_arguments)]
pub async fn plan(
    ctx: JobContext,
    store: Arc<LakeStore>,
    settings: Settings,
    seq: u64,
    kind: MaintainKind,
    name: String,
    table: TableEntry,
    partition: Option<(String, String)>,
    retain: Option<std::time::Duration>,
) {
    let cancel = ctx.cancel.clone();
    let result: Result<MaintainPlan, LakeError> = async {
        match kind {
            MaintainKind::Compact => {
                let opts = compact_options(partition);
                let p = run::plan_compact(&store, &name, &table, &opts, &settings, &cancel, &mut |_| {}).await?;
                Ok(MaintainPlan::Compact(Arc::new(p)))
            }
            MaintainKind::Vacuum => {
                if table.format != crate::lake::TableFormat::Delta {
                    return Err(LakeError::Unsupported {
                        location: table.location.clone(),
                        reason: format!(
                            "vacuum deletes files a Delta table removed; this is a {} table",
                            table.format.as_str()
                        ),
                    });
                }
                // A typed retention is the user's explicit override.
                let mut p = delta::vacuum_plan(&store, &table, retain, retain.is_some()).await?;
                p.table = name.clone();
                if let Err(r) = check_writable(settings.read_only, settings.lake.as_deref(), "vacuum") {
                    p.refusal = Some(r);
                }
                Ok(MaintainPlan::Vacuum(Arc::new(p)))
            }
            MaintainKind::Convert => {
                let listing = crate::lake::parquet_dataset::list_objects(
                    &store.object_store(),
                    &store.key(&table.path),
                    &table.location,
                    &cancel,
                    &mut |_| {},
                )
                .await?;
                let mut refusal = delta::convert_refusal(&table, &listing);
                if let Err(r) = check_writable(settings.read_only, settings.lake.as_deref(), "convert") {
                    refusal = Some(r);
                }
                let data: Vec<_> = listing.iter().filter(|o| o.rel.ends_with(".parquet")).collect();
                let mut lines = vec![
                    format!("convert {name} to a Delta table in place"),
                    format!(
                        "  {} ({}) listed in a new _delta_log as version 0; nothing is rewritten or moved",
                        crate::units::plural(data.len() as u64, "Parquet file"),
                        crate::units::bytes(data.iter().map(|o| o.size).sum())
                    ),
                ];
                if !table.partitions.is_empty() {
                    let cols: Vec<String> =
                        table.partitions.iter().map(|p| format!("{}: {}", p.name, p.data_type.as_str())).collect();
                    lines.push(format!("  partition columns: {}", cols.join(", ")));
                }
                lines.push("  afterwards: compaction is one transaction; time travel and vacuum work".into());
                Ok(MaintainPlan::Convert { lines, refusal })
            }
        }
    }
    .await;
    match result {
        Ok(p) => ctx.send(Action::MaintainPlanned { seq, result: Ok(p) }),
        Err(LakeError::Cancelled) => {}
        Err(e) => ctx.send(Action::MaintainPlanned { seq, result: Err(store.explain(&e.to_string())) }),
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn execute(
    ctx: JobContext,
    store: Arc<LakeStore>,
    settings: Settings,
    seq: u64,
    name: String,
    table: TableEntry,
    partition: Option<(String, String)>,
    plan: MaintainPlan,
) {
    let cancel: CancellationToken = ctx.cancel.clone();
    let progress_ctx = ctx.clone();
    let mut last = Instant::now();
    let mut progress = move |p: Progress| {
        // About five reports a second: the screen redraws on change only.
        if last.elapsed().as_millis() >= 200 || p.phase == "done" {
            last = Instant::now();
            progress_ctx.send(Action::MaintainProgress { seq, progress: p });
        }
    };
    let result: Result<Vec<String>, LakeError> = async {
        match plan {
            MaintainPlan::Compact(p) => {
                let opts = compact_options(partition);
                let done =
                    run::run_compact(&store, &name, &table, (*p).clone(), &opts, &settings, &cancel, &mut progress)
                        .await?;
                Ok(crate::report::maintain::outcome_lines(&done))
            }
            MaintainPlan::Vacuum(p) => {
                let r = delta::vacuum(&store, &table, &p, &cancel).await?;
                Ok(vec![format!(
                    "vacuumed {name}: deleted {} ({}); the table is at version {}",
                    crate::units::plural(r.files_deleted, "file"),
                    crate::units::bytes(r.bytes_deleted),
                    r.version_after
                )])
            }
            MaintainPlan::Convert { refusal, .. } => {
                if let Some(r) = refusal {
                    return Err(LakeError::Write { location: table.location.clone(), reason: r });
                }
                let r = delta::convert(&store, &table, &cancel).await?;
                Ok(vec![format!(
                    "converted {name}: a Delta table at version {} with {}; c compacts it in one transaction now",
                    r.version,
                    crate::units::plural(r.files, "file")
                )])
            }
        }
    }
    .await;
    match result {
        Ok(lines) => ctx.send(Action::MaintainDone { seq, result: Ok(lines) }),
        Err(LakeError::Cancelled) => {}
        Err(e) => ctx.send(Action::MaintainDone { seq, result: Err(store.explain(&e.to_string())) }),
    }
}
