//! What a table is made of, for its diagnostics, read with as little as the format allows:
//! - Delta: the live files with sizes, rows (stats), partition values and modification times from
//!   the log through the Delta kernel (a checkpoint and the commits after it), the tombstones of removed
//!   files, and — unless asked to stay on the log — one listing of the table to tell which of
//!   them are still in storage; the newest commits give the growth over versions.
//! - Everything else: one listing of the table (the caller's, when discovery kept it), and the
//!   Parquet footers for rows and schema drift when the dataset has few enough files.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

use tokio_util::sync::CancellationToken;

use super::{DriftFile, FileFact, GrowthPoint, Inventory, StaleFile};
use crate::lake::delta::log::History;
use crate::lake::discover::catalog::{ListedObject as Listed, TableEntry, TableFormat};
use crate::lake::discover::names::{self, FileKind};
use crate::lake::error::LakeError;
use crate::lake::parquet::dataset::list_objects;
use crate::lake::store::LakeStore;
use crate::lake::units;

/// How much `gather` may read.
#[derive(Debug, Clone)]
pub struct GatherOptions {
    /// Footers read for a Parquet dataset's rows and drift; more files than this: none.
    pub max_footers: usize,
    pub footer_concurrency: usize,
    /// Newest Delta commits read for the growth chart (0: none).
    pub history_versions: usize,
    /// Delta: list the table to check which removed files are still in storage (false: the log
    /// alone).
    pub list_delta: bool,
}

impl GatherOptions {
    /// What the diagnostics settings ask for, reading `footer_concurrency` footers at once.
    pub fn new(c: &super::DiagSettings, footer_concurrency: usize) -> GatherOptions {
        GatherOptions {
            max_footers: c.max_footers,
            footer_concurrency,
            history_versions: c.history_versions,
            list_delta: true,
        }
    }
}

/// Gather a table's inventory. `progress` gets a line of what is being read.
pub async fn gather(
    store: &LakeStore,
    table: &TableEntry,
    opts: &GatherOptions,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<Inventory, LakeError> {
    match table.format {
        TableFormat::Delta => delta_inventory(store, table, opts, cancel, progress).await,
        _ => listed_inventory(store, table, opts, cancel, progress).await,
    }
}

/// The table's listing: discovery's when it kept one, else one listing of `folder` now.
async fn listing<'a>(
    store: &LakeStore,
    table: &'a TableEntry,
    folder: &str,
    kept_ok: bool,
    sources: &mut Vec<String>,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<Cow<'a, [Listed]>, LakeError> {
    if kept_ok && let Some(kept) = &table.listing {
        sources.push(format!("discovery's listing of the table: {} objects", units::count(kept.len() as u64)));
        return Ok(Cow::Borrowed(kept.as_slice()));
    }
    progress("listing the table…".into());
    let location = store.url_of(folder, true).to_string();
    let l = list_objects(&store.object_store(), &store.key(folder), &location, cancel, progress).await?;
    sources.push(format!("one listing of the table: {} objects", units::count(l.len() as u64)));
    Ok(Cow::Owned(l))
}

/// `a/b/c.parquet` -> (`a/b`, `c.parquet`).
fn split_dir(rel: &str) -> (&str, &str) {
    rel.rsplit_once('/').unwrap_or(("", rel))
}

fn hidden(dirs: &str) -> bool {
    !dirs.is_empty() && dirs.split('/').any(names::is_hidden_dir)
}

/// Diagnostics inputs from a listing (Parquet datasets, CSV / JSON drops, Iceberg and Hudi data).
async fn listed_inventory(
    store: &LakeStore,
    table: &TableEntry,
    opts: &GatherOptions,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<Inventory, LakeError> {
    let mut inv = Inventory { columnar: table.format == TableFormat::Parquet, ..Inventory::default() };
    // A table made of some files of a folder (`customers_*.csv`) or of one file: list the folder,
    // keep its files of the same name pattern.
    let single_file = table.sample_file.as_deref() == Some(table.path.as_str()) && table.file_glob.is_none();
    let (folder, only): (String, Option<(String, FileKind)>) = if table.file_glob.is_some() || single_file {
        let sample = table.sample_file.clone().unwrap_or_else(|| table.path.clone());
        let (dir, name) = split_dir(&sample);
        let kind = names::classify_file(name);
        let key = if single_file { format!("={name}") } else { names::signature_key(name, kind) };
        (dir.to_string(), Some((key, kind)))
    } else {
        (table.path.clone(), None)
    };
    // Discovery keeps the flat listing of folder tables only, not of name-pattern groups.
    let listed = listing(store, table, &folder, only.is_none(), &mut inv.sources, cancel, progress).await?;

    let iceberg = table.format == TableFormat::Iceberg;
    let mut data_dirs: HashSet<String> = HashSet::new();
    let mut other_dirs: BTreeSet<String> = BTreeSet::new();
    let mut unnamed: BTreeSet<String> = BTreeSet::new();
    for o in listed.iter() {
        let (dirs, file) = split_dir(&o.rel);
        if let Some((key, kind)) = &only {
            let same = if let Some(name) = key.strip_prefix('=') {
                file == name
            } else {
                names::signature_key(file, *kind) == *key
            };
            if !dirs.is_empty() || !same {
                continue;
            }
        }
        let kind = names::classify_file(file);
        let meta_dir = match table.format {
            TableFormat::Iceberg => dirs.split('/').next() == Some("metadata"),
            _ => false,
        };
        let is_data = kind.is_data() || (kind == FileKind::Unknown && table.format == TableFormat::Parquet);
        if meta_dir || hidden(dirs) || !is_data {
            inv.meta_files += 1;
            inv.meta_bytes += o.size;
            if !meta_dir && !hidden(dirs) && !dirs.is_empty() {
                other_dirs.insert(dirs.to_string());
            }
            continue;
        }
        let part =
            if iceberg { dirs.strip_prefix("data").map(|d| d.trim_start_matches('/')).unwrap_or(dirs) } else { dirs };
        if part.split('/').any(|s| !s.is_empty() && names::hive_pair(s).is_none()) {
            unnamed.insert(part.to_string());
        }
        data_dirs.insert(dirs.to_string());
        inv.files.push(FileFact {
            path: o.rel.clone(),
            partition: part.to_string(),
            size: o.size,
            rows: None,
            modified_ms: Some(o.modified_ms),
            class: None,
        });
    }
    inv.empty_dirs = other_dirs.into_iter().filter(|d| !data_dirs.contains(d)).take(1_000).collect();
    inv.unnamed_dirs = unnamed.into_iter().take(1_000).collect();
    inv.partition_columns = table.partitions.iter().map(|p| p.name.clone()).collect();
    match table.format {
        TableFormat::Iceberg | TableFormat::Hudi => inv.notes.push(format!(
            "{} table: its data files as listed; lakescope does not read {} metadata yet, so files of expired snapshots count as live",
            table.format.as_str(),
            table.format.as_str()
        )),
        TableFormat::Csv | TableFormat::Json | TableFormat::NdJson => {
            inv.notes.push("text files: rows are not counted (that needs a full read)".into())
        }
        _ => {}
    }
    inv.growth = growth_by_day(&inv.files);

    // Rows and drift from the footers, when there are few enough of them.
    if table.format == TableFormat::Parquet && !inv.files.is_empty() {
        if inv.files.len() <= opts.max_footers {
            progress(format!("reading {} footers…", units::count(inv.files.len() as u64)));
            let files: Vec<(String, u64)> = inv.files.iter().map(|f| (f.path.clone(), f.size)).collect();
            let summary = crate::lake::parquet::dataset::summarize_files(
                store,
                &folder,
                files,
                opts.footer_concurrency,
                cancel,
                |done, total| {
                    if done % 100 == 0 {
                        progress(format!("footers {done}/{total}"));
                    }
                },
            )
            .await?;
            let by_path: HashMap<&str, &crate::lake::parquet::dataset::DatasetFile> =
                summary.files.iter().map(|f| (f.path.as_str(), f)).collect();
            for f in &mut inv.files {
                if let Some(d) = by_path.get(f.path.as_str()) {
                    f.rows = d.rows;
                }
            }
            inv.rows_known = inv.files.iter().all(|f| f.rows.is_some());
            inv.drift_checked = true;
            inv.drift = summary
                .files
                .iter()
                .filter(|f| !f.drift.is_empty())
                .map(|f| DriftFile { path: f.path.clone(), drift: f.drift.clone() })
                .collect();
            inv.unreadable =
                summary.files.iter().filter_map(|f| f.error.as_ref().map(|e| (f.path.clone(), e.clone()))).collect();
            inv.sources.push(format!(
                "{} ({}, {})",
                units::plural(summary.files.len() as u64, "footer"),
                units::plural(summary.requests, "request"),
                units::bytes(summary.bytes_read)
            ));
        } else {
            inv.notes.push(format!(
                "{} files, more than diagnostics.max_footers ({}): rows not counted, schema drift not checked",
                units::count(inv.files.len() as u64),
                units::count(opts.max_footers as u64)
            ));
        }
    }
    Ok(inv)
}

/// The table's size by day of last modification, cumulative (the last 90 days that saw writes).
fn growth_by_day(files: &[FileFact]) -> Vec<GrowthPoint> {
    let mut days: std::collections::BTreeMap<i64, (u64, u64)> = std::collections::BTreeMap::new();
    for f in files {
        if let Some(m) = f.modified_ms {
            let e = days.entry(m.div_euclid(86_400_000)).or_default();
            e.0 += 1;
            e.1 += f.size;
        }
    }
    let mut out = Vec::new();
    let (mut files_sum, mut bytes_sum) = (0u64, 0u64);
    for (day, (n, b)) in days {
        files_sum += n;
        bytes_sum += b;
        let label = chrono::DateTime::from_timestamp_millis(day * 86_400_000)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        out.push(GrowthPoint { label, version: None, files: files_sum, bytes: bytes_sum });
    }
    let skip = out.len().saturating_sub(90);
    out.drain(..skip);
    out
}

/// Diagnostics inputs of a Delta table, from its log (and a listing unless `list_delta` is off).
async fn delta_inventory(
    store: &LakeStore,
    table: &TableEntry,
    opts: &GatherOptions,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<Inventory, LakeError> {
    progress("reading the Delta log…".into());
    let state = tokio::select! {
        _ = cancel.cancelled() => return Err(LakeError::Cancelled),
        t = crate::lake::delta::state::TableState::open(store, &table.location, None) => t?,
    };
    let version = state.version();
    let partition_columns: Vec<String> = state.metadata().partition_columns().to_vec();
    let props = state.properties();
    let config = state.metadata().configuration();
    let table_target = props
        .target_file_size
        .map(|n| n.get())
        .or_else(|| config.get("delta.targetFileSize").and_then(|v| units::parse_bytes(v).ok()));
    let retention = props.deleted_file_retention_duration.unwrap_or(std::time::Duration::from_secs(7 * 86_400));
    let mut inv = Inventory {
        version: Some(version),
        partition_columns: partition_columns.clone(),
        table_target,
        retention_ms: Some(retention.as_millis() as i64),
        columnar: true,
        ..Inventory::default()
    };
    let mut all_stats = true;
    let files = tokio::select! {
        _ = cancel.cancelled() => return Err(LakeError::Cancelled),
        f = state.files(cancel) => f?,
    };
    inv.files.reserve(files.len());
    for f in files {
        let partition = partition_columns
            .iter()
            .map(|c| format!("{c}={}", f.partition_values.get(c).map_or("__HIVE_DEFAULT_PARTITION__", String::as_str)))
            .collect::<Vec<_>>()
            .join("/");
        all_stats &= f.rows.is_some();
        inv.files.push(FileFact {
            path: f.path,
            partition,
            size: f.size,
            rows: f.rows,
            modified_ms: Some(f.modified_ms),
            class: None,
        });
    }
    inv.rows_known = all_stats;
    inv.sources.push(format!("_delta_log v{version}: {} live files", units::count(inv.files.len() as u64)));

    progress("reading tombstones…".into());
    let removed = tokio::select! {
        _ = cancel.cancelled() => return Err(LakeError::Cancelled),
        t = state.tombstones(cancel) => t?,
    };
    let unsized_tombstones = removed.iter().filter(|t| t.size.is_none()).count() as u64;
    let mut tombstones: Vec<StaleFile> = removed
        .into_iter()
        .map(|t| StaleFile { path: t.path, size: t.size.unwrap_or(0).max(0) as u64, removed_ms: t.deletion_timestamp })
        .collect();
    let live: HashSet<&str> = inv.files.iter().map(|f| f.path.as_str()).collect();
    // A path removed and added back is live.
    tombstones.retain(|t| !live.contains(t.path.as_str()));

    if opts.list_delta {
        let listed = listing(store, table, &table.path, true, &mut inv.sources, cancel, progress).await?;
        let by_path: HashMap<&str, &StaleFile> = tombstones.iter().map(|t| (t.path.as_str(), t)).collect();
        let mut stale = Vec::new();
        let mut orphans = 0u64;
        for o in listed.iter() {
            let (dirs, file) = split_dir(&o.rel);
            let first = dirs.split('/').next().unwrap_or("");
            let kind = names::classify_file(file);
            let bookkeeping = first == "_delta_log"
                || first == "_change_data"
                || file.starts_with("deletion_vector_")
                || hidden(dirs)
                || !(kind.is_data() || kind == FileKind::Unknown);
            if bookkeeping {
                inv.meta_files += 1;
                inv.meta_bytes += o.size;
                continue;
            }
            if live.contains(o.rel.as_str()) {
                continue;
            }
            match by_path.get(o.rel.as_str()) {
                // The listing's size is the truth (a tombstone may carry none).
                Some(t) => stale.push(StaleFile { path: o.rel.clone(), size: o.size, removed_ms: t.removed_ms }),
                None => {
                    orphans += 1;
                    stale.push(StaleFile { path: o.rel.clone(), size: o.size, removed_ms: None });
                }
            }
        }
        let gone = tombstones.len() as u64 - (stale.len() as u64 - orphans);
        if gone > 0 {
            inv.sources.push(format!("{} removed files already deleted from storage", units::count(gone)));
        }
        if orphans > 0 {
            inv.notes.push(format!(
                "{} data files in storage are not in the log (failed writes, or tombstones expired before a vacuum): vacuum deletes them",
                units::count(orphans)
            ));
        }
        inv.stale = stale;
        inv.stale_listed = true;
    } else {
        inv.meta_files = table.meta_files;
        inv.meta_bytes = table.meta_bytes;
        if unsized_tombstones > 0 {
            inv.notes.push(format!(
                "{} tombstones carry no size: stale bytes are a lower bound",
                units::count(unsized_tombstones)
            ));
        }
        inv.notes.push(
            "stale files from the log's tombstones alone: some may be vacuumed already, and checkpoints drop tombstones older than the retention, so files removed before it and never vacuumed only show with a listing"
                .into(),
        );
        inv.stale = tombstones;
    }

    if opts.history_versions > 0 {
        progress("reading recent commits…".into());
        let fetch = async {
            let mut h = History::open(store.object_store(), &store.key(&table.path), &table.location).await?;
            h.load_more(opts.history_versions).await?;
            Ok::<_, LakeError>(h)
        };
        let history = tokio::select! {
            _ = cancel.cancelled() => return Err(LakeError::Cancelled),
            h = fetch => h,
        };
        match history {
            Ok(h) => {
                let mut files = inv.files.len() as u64;
                let mut bytes: u64 = inv.files.iter().map(|f| f.size).sum();
                let mut points = Vec::new();
                for e in h.entries.iter().filter(|e| e.version <= version) {
                    points.push(GrowthPoint {
                        label: format!("v{}", e.version),
                        version: Some(e.version),
                        files,
                        bytes,
                    });
                    files = (files + e.files_removed).saturating_sub(e.files_added);
                    bytes = (bytes + e.bytes_removed).saturating_sub(e.bytes_added);
                }
                points.reverse();
                inv.growth = points;
            }
            Err(e) => inv.notes.push(format!("growth over versions unavailable: {e}")),
        }
    }
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_by_day_is_cumulative() {
        let f = |day: i64, size| FileFact {
            path: String::new(),
            partition: String::new(),
            size,
            rows: None,
            modified_ms: Some(day * 86_400_000 + 5),
            class: None,
        };
        let g = growth_by_day(&[f(20_000, 10), f(20_000, 5), f(20_002, 100)]);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].files, g[0].bytes), (2, 15));
        assert_eq!((g[1].files, g[1].bytes), (3, 115));
        assert_eq!(g[0].label, "2024-10-04");
    }
}
