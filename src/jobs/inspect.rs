//! Inspector jobs: a dataset's file list with its footers, one file's footer, page indexes, and
//! preview steps that decode more rows of an open row-group reader (the reader is kept in the
//! inspector's state between steps, so scrolling decodes without reading again, and it is
//! freed with the view).

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::{JobContext, PreviewHandle, PreviewOpen};
use crate::event::{Seq, Shared, view};
use crate::lake::delta::diff::AsOf;
use crate::lake::error::describe;
use crate::lake::parquet::dataset::{self, DatasetSummary};
use crate::lake::parquet::meta::{self, Footer, PageIndexInfo, ParquetFile, ParquetSummary, ReadTally};
use crate::lake::parquet::preview::{self, Preview};
use crate::lake::{LakeError, LakeStore, TableEntry, TableFormat};

/// An open row-group reader: the reader, the rows decoded so far, the footer's bytes.
pub struct PreviewReader {
    pub preview: Preview,
    pub decoded: usize,
    pub footer_bytes: u64,
}

/// Decoded preview rows (appended), with what reading them cost so far.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewRows {
    pub columns: Vec<String>,
    pub skipped: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub done: bool,
    pub error: Option<String>,
    pub bytes_read: u64,
    pub requests: u64,
}

/// A decoded footer and its summary.
pub type FooterRead = (Arc<ParquetSummary>, Shared<Footer>);

#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// Footers of a dataset read so far.
    DatasetProgress {
        seq: Seq<view::Inspector>,
        done: usize,
        total: usize,
    },
    Dataset {
        seq: Seq<view::Inspector>,
        result: Result<Arc<DatasetSummary>, String>,
    },
    Footer {
        seq: Seq<view::Inspector>,
        result: Result<FooterRead, String>,
    },
    Preview {
        seq: Seq<view::Inspector>,
        rows: PreviewRows,
    },
    /// A row group's page index (`None`: the file has none).
    Pages {
        seq: Seq<view::Inspector>,
        result: Result<Option<Arc<Vec<PageIndexInfo>>>, String>,
    },
}

fn reason(store: &LakeStore, e: LakeError) -> String {
    use crate::lake::error::Failure;
    match e {
        LakeError::Read { reason, .. } | LakeError::Store { failure: Failure::NotFound, reason, .. } => reason,
        other => store.explain(&other),
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
        return dataset::list_files(store, &table.path, cancel).await.map_err(|e| reason(store, e));
    }
    let dt = crate::lake::delta::diff::open_as_of(store, &table.location, as_of).await.map_err(|e| reason(store, e))?;
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
    seq: Seq<view::Inspector>,
    concurrency: usize,
    as_of: Option<AsOf>,
) {
    let files = match table_files(&store, &table, &ctx.cancel, as_of.as_ref()).await {
        Ok(f) if f.is_empty() => {
            return ctx.send(Report::Dataset { seq, result: Err("no data files in this table".into()) });
        }
        Ok(f) => f,
        Err(e) => return ctx.send(Report::Dataset { seq, result: Err(e) }),
    };
    let tx = ctx.clone();
    let progress = move |done: usize, total: usize| {
        if done.is_multiple_of(16) || done == total {
            tx.send(Report::DatasetProgress { seq, done, total });
        }
    };
    let result = dataset::summarize_files(&store, &table.path, files, concurrency, &ctx.cancel, progress)
        .await
        .map(Arc::new)
        .map_err(|e| reason(&store, e));
    ctx.send(Report::Dataset { seq, result });
}

pub async fn footer(ctx: JobContext, store: Arc<LakeStore>, rel: String, size: Option<u64>, seq: Seq<view::Inspector>) {
    let file = file_of(&store, &rel, size);
    let result = match meta::read_footer(&file).await {
        Ok(f) => {
            let summary = Arc::new(meta::summarize(&file.location, &f));
            Ok((summary, Shared::new(Arc::new(f))))
        }
        Err(e) => Err(reason(&store, e)),
    };
    ctx.send(Report::Footer { seq, result });
}

pub async fn pages(
    ctx: JobContext,
    store: Arc<LakeStore>,
    rel: String,
    size: Option<u64>,
    footer: Shared<Footer>,
    row_group: usize,
    seq: Seq<view::Inspector>,
) {
    let file = file_of(&store, &rel, size);
    let result = meta::read_page_index(&file, &footer, row_group, Arc::new(ReadTally::default()))
        .await
        .map(|p| p.map(Arc::new))
        .map_err(|e| reason(&store, e));
    ctx.send(Report::Pages { seq, result });
}

/// Decode rows of the preview until it holds `want` (or the row group ends), opening the reader
/// first when `open` says what to read, and report them.
pub async fn preview(
    ctx: JobContext,
    store: Arc<LakeStore>,
    seq: Seq<view::Inspector>,
    handle: PreviewHandle,
    open: Option<PreviewOpen>,
    want: usize,
    memory_limit: u64,
) {
    let mut guard = handle.lock().await;
    if let Some(o) = open {
        let file = file_of(&store, &o.rel, o.size);
        let req = preview::PreviewRequest {
            row_group: o.row_group,
            columns: Some(o.columns),
            batch_rows: 1024,
            memory_limit,
        };
        match preview::open_preview(&file, &o.footer, &req, Arc::new(ReadTally::default())) {
            Ok(p) => *guard = Some(PreviewReader { preview: p, decoded: 0, footer_bytes: o.footer.bytes_read }),
            Err(e) => {
                let rows = PreviewRows {
                    columns: vec![],
                    skipped: vec![],
                    rows: vec![],
                    done: true,
                    error: Some(reason(&store, e)),
                    bytes_read: 0,
                    requests: 0,
                };
                return ctx.send(Report::Preview { seq, rows });
            }
        }
    }
    let Some(r) = guard.as_mut() else { return };
    let mut rows = Vec::new();
    let mut error = None;
    let mut done = false;
    while r.decoded + rows.len() < want {
        match r.preview.next_batch().await {
            Ok(Some(b)) => match preview::format_rows(&b) {
                Ok(x) => rows.extend(x),
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
    if r.preview.plan.columns.is_empty() {
        done = true;
    }
    r.decoded += rows.len();
    let rows = PreviewRows {
        columns: r.preview.plan.columns.clone(),
        skipped: r.preview.plan.skipped.clone(),
        rows,
        done,
        error,
        bytes_read: r.footer_bytes + r.preview.tally.bytes(),
        requests: r.preview.tally.requests(),
    };
    ctx.send(Report::Preview { seq, rows });
}
