//! Compaction of a plain Parquet dataset, which has no transaction log, made recoverable by a
//! journal. Per partition:
//!
//! 1. each bin of the plan is streamed into a new file under a temporary name that readers ignore
//!    (`_lakescope-tmp-<run>-<n>.parquet.tmp`: a leading `_` and no `.parquet` suffix);
//! 2. the new files are read back and their row count and content checksum compared with the
//!    inputs' (a mismatch deletes them and stops, nothing else touched);
//! 3. a journal (`_lakescope-journal-<run>.json`) records the inputs, the outputs and the
//!    checksum — one PUT, atomic on every store;
//! 4. the outputs are published (renamed to `part-<run>-<n>.parquet`), the inputs deleted, then
//!    the journal.
//!
//! `recover` finishes or undoes an interrupted run: with a journal, every output exists (under
//! one name or the other), so it rolls forward; without one, the temporary files are deleted and
//! the inputs were never touched. Either way every row exists exactly once afterwards. Between
//! steps 4a and 4b other readers can see both the outputs and the inputs; the plan says so.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use futures::TryStreamExt;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use parquet::arrow::AsyncArrowWriter;
use parquet::arrow::ParquetRecordBatchStreamBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::checksum::Checksum;
use super::plan::CompactPlan;
use super::{Progress, WatchStore, pause_point};
use crate::lake::error::store_reason;
use crate::lake::parquet::dataset::list_objects;
use crate::lake::parquet::io::StoreFileReader;
use crate::lake::{LakeError, LakeStore, TableEntry};

pub const JOURNAL_PREFIX: &str = "_lakescope-journal-";
pub const TEMP_PREFIX: &str = "_lakescope-tmp-";

/// One input file as the journal records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalInput {
    /// Path relative to the table root.
    pub path: String,
    pub size: u64,
}

/// One output: its temporary and final paths (relative to the table root).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalOutput {
    pub temp: String,
    pub path: String,
    pub size: u64,
    pub rows: u64,
}

/// What a partition's rewrite is about to swap, written before anything is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub lakescope_journal: u32,
    pub run: String,
    pub created_ms: i64,
    pub partition: String,
    pub inputs: Vec<JournalInput>,
    pub outputs: Vec<JournalOutput>,
    pub checksum: Checksum,
}

/// Is this object (path relative to the table root) left by an unfinished rewrite?
pub fn is_leftover(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.starts_with(JOURNAL_PREFIX) || name.starts_with(TEMP_PREFIX)
}

/// How a partition rewrite went.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DatasetResult {
    pub partitions: u64,
    pub files_removed: u64,
    pub files_added: u64,
    pub bytes_removed: u64,
    pub bytes_added: u64,
    pub rows: u64,
    /// Files left as they were, and why (a schema unlike the others of the bin).
    pub skipped: Vec<String>,
}

/// What `recover` did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Recovery {
    /// Journals whose run was finished (outputs published, inputs deleted).
    pub rolled_forward: Vec<String>,
    /// Journals whose run was undone (outputs deleted; every input was still there).
    pub rolled_back: Vec<String>,
    /// Temporary files of runs that never wrote a journal, deleted.
    pub temp_removed: Vec<String>,
}

impl Recovery {
    pub fn is_empty(&self) -> bool {
        self.rolled_forward.is_empty() && self.rolled_back.is_empty() && self.temp_removed.is_empty()
    }

    pub fn summary(&self) -> String {
        format!(
            "recovered an interrupted compaction: {} finished, {} undone, {} temporary files removed",
            self.rolled_forward.len(),
            self.rolled_back.len(),
            self.temp_removed.len()
        )
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{}/{}", a.trim_end_matches('/'), b),
    }
}

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn write_err(table: &TableEntry, reason: impl Into<String>) -> LakeError {
    LakeError::Write { location: table.location.clone(), reason: reason.into() }
}

/// A run id: time and process, unique enough to never collide with another run's files.
fn run_id() -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let now = chrono::Utc::now();
    format!(
        "{}-{:x}{:x}",
        now.format("%Y%m%dT%H%M%S"),
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed) + (now.timestamp_subsec_nanos() as u64 & 0xffff) * 16
    )
}

/// Finish or undo every interrupted rewrite under the table. Reads the table's listing once.
pub async fn recover(store: &LakeStore, table: &TableEntry, cancel: &CancellationToken) -> Result<Recovery, LakeError> {
    let os = store.object_store();
    let listed = list_objects(&os, &store.key(&table.path), &table.location, cancel, &mut |_| {}).await?;
    let present: BTreeSet<&str> = listed.iter().map(|o| o.rel.as_str()).collect();
    let key = |rel: &str| store.key(&join(&table.path, rel));
    let mut out = Recovery::default();
    let mut journaled_runs = BTreeSet::new();
    for o in listed.iter().filter(|o| o.rel.rsplit('/').next().is_some_and(|n| n.starts_with(JOURNAL_PREFIX))) {
        let bytes = os
            .get(&key(&o.rel))
            .await
            .map_err(|e| LakeError::Read { location: o.rel.clone(), reason: store_reason(&e) })?
            .bytes()
            .await
            .map_err(|e| LakeError::Read { location: o.rel.clone(), reason: store_reason(&e) })?;
        let journal: Journal = serde_json::from_slice(&bytes)
            .map_err(|e| write_err(table, format!("journal {} is unreadable ({e}); nothing was touched", o.rel)))?;
        journaled_runs.insert(journal.run.clone());
        let complete =
            journal.outputs.iter().all(|x| present.contains(x.path.as_str()) || present.contains(x.temp.as_str()));
        if complete {
            // Roll forward: publish what is still temporary, delete the inputs, then the journal.
            for x in &journal.outputs {
                match (present.contains(x.path.as_str()), present.contains(x.temp.as_str())) {
                    (false, true) => rename(&os, &key(&x.temp), &key(&x.path), table).await?,
                    (true, true) => delete(&os, &key(&x.temp), table).await?,
                    _ => {}
                }
            }
            for i in &journal.inputs {
                if present.contains(i.path.as_str()) {
                    delete(&os, &key(&i.path), table).await?;
                }
            }
            delete(&os, &key(&o.rel), table).await?;
            out.rolled_forward.push(o.rel.clone());
        } else if journal.inputs.iter().all(|i| present.contains(i.path.as_str())) {
            // Roll back: an output is gone but every input is there.
            for x in &journal.outputs {
                for p in [&x.path, &x.temp] {
                    if present.contains(p.as_str()) {
                        delete(&os, &key(p), table).await?;
                    }
                }
            }
            delete(&os, &key(&o.rel), table).await?;
            out.rolled_back.push(o.rel.clone());
        } else {
            return Err(write_err(
                table,
                format!(
                    "journal {} cannot be completed: some outputs and some inputs are both missing (removed by something else?); nothing was touched",
                    o.rel
                ),
            ));
        }
    }
    for o in listed.iter().filter(|o| o.rel.rsplit('/').next().is_some_and(|n| n.starts_with(TEMP_PREFIX))) {
        let run = o.rel.rsplit('/').next().unwrap_or("").trim_start_matches(TEMP_PREFIX);
        if journaled_runs.iter().any(|r| run.starts_with(&format!("{r}-"))) {
            continue;
        }
        delete(&os, &key(&o.rel), table).await?;
        out.temp_removed.push(o.rel.clone());
    }
    Ok(out)
}

async fn rename(os: &Arc<dyn ObjectStore>, from: &Path, to: &Path, table: &TableEntry) -> Result<(), LakeError> {
    os.rename(from, to)
        .await
        .map_err(|e| write_err(table, format!("cannot rename {from} to {to}: {}", store_reason(&e))))
}

async fn delete(os: &Arc<dyn ObjectStore>, p: &Path, table: &TableEntry) -> Result<(), LakeError> {
    match os.delete(p).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(write_err(table, format!("cannot delete {p}: {}", store_reason(&e)))),
    }
}

/// How much memory a rewrite may buffer before flushing a row group.
#[derive(Debug, Clone, Copy)]
pub struct RewriteOptions {
    pub memory_limit_bytes: usize,
}

/// Run a dataset plan partition by partition (see the module comment). A cancel stops between
/// partitions, or inside one before its journal is written (its temporary files are deleted).
pub async fn compact_dataset(
    store: &LakeStore,
    table: &TableEntry,
    plan: &CompactPlan,
    opts: RewriteOptions,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<DatasetResult, LakeError> {
    let started = Instant::now();
    let watch = WatchStore::new(store.object_store());
    let moved = Arc::clone(&watch.moved);
    let os: Arc<dyn ObjectStore> = watch;
    let run = run_id();
    let key = |rel: &str| store.key(&join(&table.path, rel));
    let mut result = DatasetResult::default();
    let mut files_done = 0u64;
    let report = |phase: &str, files_done: u64, progress: &mut (dyn FnMut(Progress) + Send)| {
        progress(Progress {
            phase: phase.to_string(),
            files_done,
            files_total: plan.files_to_rewrite,
            bytes_read: moved.read.load(Ordering::Relaxed),
            bytes_total: plan.bytes_to_read,
            bytes_written: moved.written.load(Ordering::Relaxed),
            elapsed_ms: started.elapsed().as_millis() as u64,
        })
    };
    let mut n_out = 0usize;
    for part in &plan.partitions {
        if cancel.is_cancelled() {
            return Err(LakeError::Cancelled);
        }
        let dir = part.bins.first().and_then(|b| b.files.first()).map(|f| dir_of(f).to_string()).unwrap_or_default();
        let mut outputs: Vec<JournalOutput> = Vec::new();
        let mut inputs: Vec<JournalInput> = Vec::new();
        let mut input_sum = Checksum::default();
        let mut per_output_sums: Vec<Checksum> = Vec::new();
        let mut temps_started: Vec<String> = Vec::new();
        // 1. Write each bin (split by schema) under a temporary name.
        let written = async {
            for bin in &part.bins {
                let mut groups: Vec<(arrow::datatypes::SchemaRef, Vec<(String, u64)>)> = Vec::new();
                for f in &bin.files {
                    let meta = os
                        .head(&key(f))
                        .await
                        .map_err(|e| LakeError::Read { location: join(&table.location, f), reason: store_reason(&e) })?;
                    let b = ParquetRecordBatchStreamBuilder::new(
                        StoreFileReader::new(Arc::clone(&os), key(f), Some(meta.size)),
                    )
                    .await
                    .map_err(|e| LakeError::Read { location: join(&table.location, f), reason: e.to_string() })?;
                    let schema = Arc::new(strip_metadata(b.schema()));
                    match groups.iter_mut().find(|(s, _)| *s == schema) {
                        Some((_, files)) => files.push((f.clone(), meta.size)),
                        None => groups.push((schema, vec![(f.clone(), meta.size)])),
                    }
                }
                for (schema, files) in groups {
                    if files.len() < 2 {
                        result.skipped.extend(files.iter().map(|(f, _)| format!("{f}: its schema differs from the other files of its bin")));
                        continue;
                    }
                    let temp = join(&dir, &format!("{TEMP_PREFIX}{run}-{n_out:05}.parquet.tmp"));
                    let final_path = join(&dir, &format!("part-{run}-{n_out:05}.parquet"));
                    n_out += 1;
                    temps_started.push(temp.clone());
                    let props = WriterProperties::builder()
                        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default()))
                        .build();
                    let mut writer =
                        AsyncArrowWriter::try_new(BufWriter::new(Arc::clone(&os), key(&temp)), Arc::clone(&schema), Some(props))
                            .map_err(|e| write_err(table, e.to_string()))?;
                    let mut sum = Checksum::default();
                    for (f, size) in &files {
                        let mut stream = ParquetRecordBatchStreamBuilder::new(
                            StoreFileReader::new(Arc::clone(&os), key(f), Some(*size)),
                        )
                        .await
                        .and_then(|b| b.with_batch_size(8192).build())
                        .map_err(|e| LakeError::Read { location: join(&table.location, f), reason: e.to_string() })?;
                        loop {
                            let batch = tokio::select! {
                                _ = cancel.cancelled() => return Err(LakeError::Cancelled),
                                b = stream.try_next() => b.map_err(|e| LakeError::Read { location: join(&table.location, f), reason: e.to_string() })?,
                            };
                            let Some(batch) = batch else { break };
                            let batch = batch.with_schema(Arc::clone(&schema)).map_err(|e| write_err(table, e.to_string()))?;
                            sum.add_batch(&batch, None).map_err(|e| write_err(table, e))?;
                            writer.write(&batch).await.map_err(|e| write_err(table, e.to_string()))?;
                            if writer.in_progress_size() > opts.memory_limit_bytes / 2 {
                                writer.flush().await.map_err(|e| write_err(table, e.to_string()))?;
                            }
                        }
                        inputs.push(JournalInput { path: f.clone(), size: *size });
                        files_done += 1;
                        report("rewriting", files_done, progress);
                    }
                    writer.close().await.map_err(|e| write_err(table, e.to_string()))?;
                    let size = os.head(&key(&temp)).await.map_err(|e| write_err(table, store_reason(&e)))?.size;
                    outputs.push(JournalOutput { temp, path: final_path, size, rows: sum.rows });
                    input_sum.combine(&sum);
                    per_output_sums.push(sum);
                }
            }
            // 2. Read the outputs back: every row, once.
            report("verifying", files_done, progress);
            for (x, expected) in outputs.iter().zip(&per_output_sums) {
                let got = checksum_file(&os, &key(&x.temp), x.size, cancel).await.map_err(|e| write_err(table, e))?;
                if got != *expected {
                    return Err(write_err(
                        table,
                        format!(
                            "verification failed for {}: inputs {} but the new file {}; nothing was published",
                            x.temp,
                            expected.text(),
                            got.text()
                        ),
                    ));
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = written {
            // Nothing was published: the temporary files go (what a dead process leaves, `recover`
            // deletes next time).
            for t in &temps_started {
                let _ = delete(&os, &key(t), table).await;
            }
            return Err(e);
        }
        if outputs.is_empty() {
            continue;
        }
        pause_point("outputs-written").await;
        // 3. The journal: from here on the run is finished even if the process dies.
        let journal = Journal {
            lakescope_journal: 1,
            run: run.clone(),
            created_ms: chrono::Utc::now().timestamp_millis(),
            partition: part.partition.clone(),
            inputs: inputs.clone(),
            outputs: outputs.clone(),
            checksum: input_sum,
        };
        let journal_path = join(&dir, &format!("{JOURNAL_PREFIX}{run}.json"));
        let body = serde_json::to_vec_pretty(&journal).map_err(|e| write_err(table, e.to_string()))?;
        os.put(&key(&journal_path), PutPayload::from(body)).await.map_err(|e| write_err(table, store_reason(&e)))?;
        pause_point("journal-written").await;
        // 4. Publish, delete the inputs, drop the journal.
        report("publishing", files_done, progress);
        for (i, x) in outputs.iter().enumerate() {
            rename(&os, &key(&x.temp), &key(&x.path), table).await?;
            if i == 0 {
                pause_point("published-one").await;
            }
        }
        for (i, f) in inputs.iter().enumerate() {
            delete(&os, &key(&f.path), table).await?;
            if i == 0 {
                pause_point("inputs-deleting").await;
            }
        }
        delete(&os, &key(&journal_path), table).await?;
        result.partitions += 1;
        result.files_removed += inputs.len() as u64;
        result.files_added += outputs.len() as u64;
        result.bytes_removed += inputs.iter().map(|i| i.size).sum::<u64>();
        result.bytes_added += outputs.iter().map(|o| o.size).sum::<u64>();
        result.rows += input_sum.rows;
    }
    report("done", files_done, progress);
    Ok(result)
}

/// Arrow schema without metadata (files written by different writers carry different metadata).
fn strip_metadata(schema: &arrow::datatypes::Schema) -> arrow::datatypes::Schema {
    arrow::datatypes::Schema::new(schema.fields().clone())
}

/// Checksum of every row of one Parquet file.
pub async fn checksum_file(
    os: &Arc<dyn ObjectStore>,
    path: &Path,
    size: u64,
    cancel: &CancellationToken,
) -> Result<Checksum, String> {
    let mut stream =
        ParquetRecordBatchStreamBuilder::new(StoreFileReader::new(Arc::clone(os), path.clone(), Some(size)))
            .await
            .and_then(|b| b.with_batch_size(8192).build())
            .map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut sum = Checksum::default();
    loop {
        let next = tokio::select! {
            _ = cancel.cancelled() => return Err("cancelled".into()),
            b = stream.try_next() => b.map_err(|e| format!("cannot read {path}: {e}"))?,
        };
        let Some(batch) = next else { break };
        sum.add_batch(&batch, None)?;
    }
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_are_recognised_by_name_only() {
        assert!(is_leftover("date=1/_lakescope-journal-x.json"));
        assert!(is_leftover("_lakescope-tmp-x-00000.parquet.tmp"));
        assert!(!is_leftover("_lakescope-tmp/part-0.parquet"));
        assert!(!is_leftover("part-0.parquet"));
        assert!(!crate::lake::parquet::dataset::is_data_file("date=1/_lakescope-tmp-x-00000.parquet.tmp"));
    }

    #[test]
    fn run_ids_differ() {
        assert_ne!(run_id(), run_id());
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("t", "a"), "t/a");
        assert_eq!(dir_of("d=1/x.parquet"), "d=1");
        assert_eq!(dir_of("x.parquet"), "");
    }
}
