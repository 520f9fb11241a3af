//! Inspector jobs: a dataset's file list with its footers, one file's footer, page indexes, and
//! preview steps that decode more rows of an open row-group reader (the reader itself is kept by
//! the app between steps, so scrolling decodes without reading again).

use std::sync::Arc;

use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::action::Action;
use crate::lake::delta_diff::AsOf;
use crate::lake::error::describe;
use crate::lake::parquet_dataset;
use crate::lake::parquet_meta::{self, Footer, ParquetFile, ReadTally};
use crate::lake::parquet_preview::{self, Preview};
use crate::lake::{LakeError, LakeStore, TableEntry, TableFormat};
use crate::state::inspector::SharedFooter;

use super::JobContext;

fn reason(e: LakeError) -> String {
    match e {
        LakeError::Read { reason, .. } => reason,
        other => other.to_string(),
    }
}

pub fn file_of(store: &LakeStore, rel: &str, size: Option<u64>) -> ParquetFile {
    ParquetFile {
        store: store.object_store(),
        key: store.key(rel),
        location: store.url_of(rel, false).to_string(),
        size,
    }
}

/// The data files of a table: the current version's files for Delta (from its log), the listing
/// for a Parquet dataset. Paths are relative to the table.
async fn table_files(
    store: &LakeStore,
    table: &TableEntry,
    cancel: &CancellationToken,
    as_of: Option<&AsOf>,
) -> Result<Vec<(String, u64)>, String> {
    if table.format != TableFormat::Delta {
        return parquet_dataset::list_files(store, &table.path, cancel).await.map_err(reason);
    }
    let dt = crate::lake::delta_diff::open_as_of(store, &table.location, as_of).await.map_err(reason)?;
    let snapshot = dt.snapshot().map_err(|e| describe(&e))?;
    let mut files: Vec<(String, u64)> =
        snapshot.log_data().iter().map(|f| (f.path().to_string(), f.size().max(0) as u64)).collect();
    files.sort();
    Ok(files)
}

pub async fn dataset(
    ctx: JobContext,
    store: Arc<LakeStore>,
    table: TableEntry,
    seq: u64,
    concurrency: usize,
    as_of: Option<AsOf>,
) {
    let files = match table_files(&store, &table, &ctx.cancel, as_of.as_ref()).await {
        Ok(f) if f.is_empty() => {
            ctx.send(Action::DatasetLoaded { seq, result: Err("no data files in this table".into()) });
            return;
        }
        Ok(f) => f,
        Err(e) => {
            ctx.send(Action::DatasetLoaded { seq, result: Err(e) });
            return;
        }
    };
    let tx = ctx.clone();
    let progress = move |done: usize, total: usize| {
        if done.is_multiple_of(16) || done == total {
            tx.send(Action::DatasetProgress { seq, done, total });
        }
    };
    let result = parquet_dataset::summarize_files(&store, &table.path, files, concurrency, &ctx.cancel, progress)
        .await
        .map(Arc::new)
        .map_err(reason);
    ctx.send(Action::DatasetLoaded { seq, result });
}

pub async fn footer(ctx: JobContext, store: Arc<LakeStore>, rel: String, size: Option<u64>, seq: u64) {
    let file = file_of(&store, &rel, size);
    let result = match parquet_meta::read_footer(&file).await {
        Ok(f) => {
            let summary = Arc::new(parquet_meta::summarize(&file.location, &f));
            Ok((summary, SharedFooter(Arc::new(f))))
        }
        Err(e) => Err(reason(e)),
    };
    ctx.send(Action::FooterLoaded { seq, result });
}

pub async fn pages(
    ctx: JobContext,
    store: Arc<LakeStore>,
    rel: String,
    size: Option<u64>,
    footer: Arc<Footer>,
    row_group: usize,
    seq: u64,
) {
    let file = file_of(&store, &rel, size);
    let result = parquet_meta::read_page_index(&file, &footer, row_group, Arc::new(ReadTally::default()))
        .await
        .map(|p| p.map(Arc::new))
        .map_err(reason);
    ctx.send(Action::PagesLoaded { seq, result });
}

/// Decode rows of an open preview until it holds `want` (or the row group ends), and report them.
pub async fn preview_step(ctx: JobContext, preview: Arc<Mutex<(Preview, usize, u64)>>, seq: u64, want: usize) {
    let mut guard = preview.lock().await;
    let (p, have, footer_bytes) = &mut *guard;
    let mut rows = Vec::new();
    let mut error = None;
    let mut done = false;
    while *have + rows.len() < want {
        match p.next_batch().await {
            Ok(Some(b)) => match parquet_preview::format_rows(&b) {
                Ok(r) => rows.extend(r),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            },
            Ok(None) => {
                done = true;
                break;
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    if p.plan.columns.is_empty() {
        done = true;
    }
    *have += rows.len();
    ctx.send(Action::PreviewRows {
        seq,
        columns: p.plan.columns.clone(),
        skipped: p.plan.skipped.clone(),
        rows,
        done,
        error,
        bytes_read: *footer_bytes + p.tally.bytes(),
        requests: p.tally.requests(),
    });
}

pub fn open_preview(
    store: &LakeStore,
    rel: &str,
    size: Option<u64>,
    footer: &Footer,
    row_group: usize,
    columns: Vec<usize>,
    memory_limit: u64,
) -> Result<Preview, String> {
    let file = file_of(store, rel, size);
    let req = parquet_preview::PreviewRequest { row_group, columns: Some(columns), batch_rows: 1024, memory_limit };
    parquet_preview::open_preview(&file, footer, &req, Arc::new(ReadTally::default())).map_err(reason)
}
