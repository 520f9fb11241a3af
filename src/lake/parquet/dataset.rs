//! A Parquet dataset seen through its footers: every data file with its size, rows, row groups
//! and writer; which columns hold the bytes across the dataset; and schema drift — files whose
//! columns or types differ from the majority, with the difference spelled out.
//!
//! One footer read per file (a single suffix GET each), a bounded number in flight, cancellable.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::ObjectStore;
use object_store::path::Path;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::lake::discover::catalog::ListedObject;
use crate::lake::discover::detail::type_name;
use crate::lake::error::LakeError;
use crate::lake::parquet::meta::ParquetFile;
use crate::lake::store::LakeStore;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DatasetFile {
    /// Path relative to the dataset.
    pub path: String,
    pub size: u64,
    pub rows: Option<u64>,
    pub row_groups: Option<usize>,
    pub created_by: Option<String>,
    pub error: Option<String>,
    /// How this file's schema differs from the majority (empty: it does not).
    pub drift: Vec<String>,
    #[serde(skip)]
    pub schema: Vec<(String, String)>,
    #[serde(skip)]
    pub column_bytes: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnShare {
    pub column: String,
    pub bytes: u64,
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DatasetSummary {
    pub files: Vec<DatasetFile>,
    pub bytes: u64,
    /// Rows in the files whose footer was read.
    pub rows: u64,
    pub column_share: Vec<ColumnShare>,
    /// The schema most files share: (column, type).
    pub majority_schema: Vec<(String, String)>,
    pub drift_files: usize,
    pub requests: u64,
    pub bytes_read: u64,
}

/// Is this listed object a data file of a dataset (not a marker, checksum or log)?
pub fn is_data_file(rel: &str) -> bool {
    if rel.split('/').any(|seg| seg.starts_with('_') || seg.starts_with('.')) {
        return false;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.ends_with(".parquet")
        || name.ends_with(".parq")
        || name.ends_with(".pq")
        || (name.starts_with("part-") && !name.contains(".crc"))
}

/// List the data files under `prefix` (relative to the store's root), sorted by path.
pub async fn list_files(
    store: &LakeStore,
    prefix: &str,
    cancel: &CancellationToken,
) -> Result<Vec<(String, u64)>, LakeError> {
    let location = store.url_of(prefix, true).to_string();
    let mut out = list_under(&store.object_store(), &store.key(prefix), &location, cancel).await?;
    out.retain(|(rel, _)| is_data_file(rel));
    Ok(out)
}

/// Every object under the key `prefix` (a folder; empty for the store's root), as paths relative
/// to it with their sizes, sorted by path.
pub async fn list_under(
    os: &Arc<dyn ObjectStore>,
    prefix: &Path,
    location: &str,
    cancel: &CancellationToken,
) -> Result<Vec<(String, u64)>, LakeError> {
    let all = list_objects(os, prefix, location, cancel, &mut |_| {}).await?;
    Ok(all.into_iter().map(|o| (o.rel, o.size)).collect())
}

/// Every object under the key `prefix`, relative to it, with size and modification time, sorted
/// by path; `progress` hears every 10,000 objects.
pub async fn list_objects(
    os: &Arc<dyn ObjectStore>,
    prefix: &Path,
    location: &str,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<Vec<ListedObject>, LakeError> {
    let root = prefix.as_ref().trim_end_matches('/');
    let mut out = Vec::new();
    let mut stream = os.list(if root.is_empty() { None } else { Some(prefix) });
    loop {
        let next = tokio::select! {
            _ = cancel.cancelled() => return Err(LakeError::Cancelled),
            n = stream.try_next() => n,
        };
        match next {
            Ok(Some(meta)) => {
                let key = meta.location.as_ref();
                let rel = if root.is_empty() {
                    key
                } else {
                    match key.strip_prefix(root).and_then(|r| r.strip_prefix('/')) {
                        Some(r) => r,
                        None => continue,
                    }
                };
                out.push(ListedObject {
                    rel: rel.to_string(),
                    size: meta.size,
                    modified_ms: meta.last_modified.timestamp_millis(),
                });
                if out.len() % 10_000 == 0 {
                    progress(format!("listing… {} objects", crate::lake::units::count(out.len() as u64)));
                }
            }
            Ok(None) => break,
            Err(e) => return Err(LakeError::store("list", location, &e)),
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

/// Read the footer of every file (`concurrency` at a time) and build the summary.
/// `progress(done, total)` is called as footers arrive.
pub async fn summarize_files(
    store: &LakeStore,
    prefix: &str,
    files: Vec<(String, u64)>,
    concurrency: usize,
    cancel: &CancellationToken,
    mut progress: impl FnMut(usize, usize),
) -> Result<DatasetSummary, LakeError> {
    let total = files.len();
    let os = store.object_store();
    let base = prefix.trim_end_matches('/').to_string();
    let reads = futures::stream::iter(files.into_iter().map(|(rel, size)| {
        let full = if base.is_empty() { rel.clone() } else { format!("{base}/{rel}") };
        let file = ParquetFile {
            store: Arc::clone(&os),
            key: store.key(&full),
            location: store.url_of(&full, false).to_string(),
            size: Some(size),
        };
        async move { (rel, size, crate::lake::parquet::meta::read_footer(&file).await) }
    }))
    .buffered(concurrency.max(1));
    futures::pin_mut!(reads);
    let mut summary = DatasetSummary::default();
    loop {
        let next = tokio::select! {
            _ = cancel.cancelled() => return Err(LakeError::Cancelled),
            n = reads.next() => n,
        };
        let Some((path, size, result)) = next else { break };
        summary.bytes += size;
        let mut f = DatasetFile {
            path,
            size,
            rows: None,
            row_groups: None,
            created_by: None,
            error: None,
            drift: Vec::new(),
            schema: Vec::new(),
            column_bytes: Vec::new(),
        };
        match result {
            Ok(footer) => {
                summary.requests += footer.requests;
                summary.bytes_read += footer.bytes_read;
                let md = &footer.metadata;
                let fm = md.file_metadata();
                f.rows = Some(fm.num_rows().max(0) as u64);
                f.row_groups = Some(md.num_row_groups());
                f.created_by = fm.created_by().map(str::to_string);
                f.schema = match parquet::arrow::parquet_to_arrow_schema(fm.schema_descr(), fm.key_value_metadata()) {
                    Ok(s) => s.fields().iter().map(|fl| (fl.name().clone(), type_name(fl.data_type()))).collect(),
                    Err(_) => fm
                        .schema_descr()
                        .columns()
                        .iter()
                        .map(|c| (c.path().string(), c.physical_type().to_string()))
                        .collect(),
                };
                let mut per_col: BTreeMap<String, u64> = BTreeMap::new();
                for rg in md.row_groups() {
                    for c in rg.columns() {
                        *per_col.entry(c.column_path().string()).or_default() += c.compressed_size().max(0) as u64;
                    }
                }
                f.column_bytes = per_col.into_iter().collect();
            }
            Err(e) => {
                f.error = Some(match e {
                    LakeError::Read { reason, .. } | LakeError::Store { reason, .. } => reason,
                    other => other.to_string(),
                })
            }
        }
        summary.files.push(f);
        progress(summary.files.len(), total);
    }
    finish(&mut summary);
    Ok(summary)
}

/// List and summarise a dataset under `prefix`.
pub async fn summarize_prefix(
    store: &LakeStore,
    prefix: &str,
    concurrency: usize,
    cancel: &CancellationToken,
    progress: impl FnMut(usize, usize),
) -> Result<DatasetSummary, LakeError> {
    let files = list_files(store, prefix, cancel).await?;
    if files.is_empty() {
        return Err(LakeError::Read {
            location: store.url_of(prefix, true).to_string(),
            reason: "no Parquet files here".into(),
        });
    }
    summarize_files(store, prefix, files, concurrency, cancel, progress).await
}

/// Totals, column shares and drift against the majority schema.
fn finish(s: &mut DatasetSummary) {
    s.rows = s.files.iter().filter_map(|f| f.rows).sum();
    let mut per_col: HashMap<&str, u64> = HashMap::new();
    for f in &s.files {
        for (c, b) in &f.column_bytes {
            *per_col.entry(c.as_str()).or_default() += b;
        }
    }
    let total: u64 = per_col.values().sum();
    let mut shares: Vec<ColumnShare> = per_col
        .into_iter()
        .map(|(c, b)| ColumnShare {
            column: c.to_string(),
            bytes: b,
            share: if total > 0 { b as f64 / total as f64 } else { 0.0 },
        })
        .collect();
    shares.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.column.cmp(&b.column)));
    s.column_share = shares;

    let mut counts: HashMap<&Vec<(String, String)>, usize> = HashMap::new();
    for f in s.files.iter().filter(|f| f.error.is_none()) {
        *counts.entry(&f.schema).or_default() += 1;
    }
    // The most common schema; ties go to the one seen first (files are sorted by path).
    let majority = s
        .files
        .iter()
        .filter(|f| f.error.is_none())
        .map(|f| &f.schema)
        .max_by_key(|sch| counts.get(sch).copied().unwrap_or(0))
        .cloned()
        .unwrap_or_default();
    let mut drift = 0;
    for f in s.files.iter_mut().filter(|f| f.error.is_none()) {
        f.drift = schema_diff(&majority, &f.schema);
        if !f.drift.is_empty() {
            drift += 1;
        }
    }
    s.drift_files = drift;
    s.majority_schema = majority;
}

/// How `other` differs from `base`: missing and extra columns, changed types.
pub fn schema_diff(base: &[(String, String)], other: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, ty) in base {
        match other.iter().find(|(n, _)| n == name) {
            None => out.push(format!("missing {name}")),
            Some((_, t)) if t != ty => out.push(format!("{name}: {ty} -> {t}")),
            _ => {}
        }
    }
    for (name, ty) in other {
        if !base.iter().any(|(n, _)| n == name) {
            out.push(format!("extra {name} ({ty})"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_names_missing_extra_and_changed_columns() {
        let base = vec![("id".to_string(), "int64".to_string()), ("name".into(), "string".into())];
        let other = vec![("id".to_string(), "int32".to_string()), ("note".into(), "string".into())];
        assert_eq!(schema_diff(&base, &other), vec!["id: int64 -> int32", "missing name", "extra note (string)"]);
        assert!(schema_diff(&base, &base).is_empty());
    }

    #[test]
    fn markers_and_logs_are_not_data_files() {
        assert!(is_data_file("date=2024-01-01/part-0.parquet"));
        assert!(!is_data_file("_SUCCESS"));
        assert!(!is_data_file("_delta_log/00000.json"));
        assert!(!is_data_file(".part-0.parquet.crc"));
        assert!(!is_data_file("notes.txt"));
    }
}
