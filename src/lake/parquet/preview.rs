//! Row-group preview: decode the rows of one row group, batch by batch as they are asked for,
//! reading only that row group's column chunks (and only the chosen top-level columns) with
//! byte-range requests.
//!
//! Memory is bounded before anything is read: a column whose chunk in this row group would
//! decompress past the preview's limit (a decompression bomb, or just a huge blob column) is left
//! out, and the preview says so. Decoding runs under `catch_unwind`: a decoder panic on hostile
//! data ends the preview with a message.

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use futures::StreamExt;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use parquet::arrow::async_reader::{ParquetRecordBatchStream, ParquetRecordBatchStreamBuilder};
use serde::Serialize;

use crate::lake::error::LakeError;
use crate::lake::parquet::meta::{Footer, ParquetFile, ReadTally, TallyFetch, TallyReader, parquet_text};

/// Default bound on the decompressed bytes one preview may hold (config: `[inspector]`).
pub const DEFAULT_MEMORY_LIMIT: u64 = 256 * 1024 * 1024;
/// Characters kept of one cell.
const CELL_CHARS: usize = 200;

#[derive(Debug, Clone)]
pub struct PreviewRequest {
    pub row_group: usize,
    /// Top-level columns to read, by index; `None` reads all.
    pub columns: Option<Vec<usize>>,
    pub batch_rows: usize,
    pub memory_limit: u64,
}

/// Which columns a preview reads and what it leaves out, decided from the footer alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewPlan {
    pub row_group: usize,
    pub rows: i64,
    /// Top-level column names read, in order.
    pub columns: Vec<String>,
    /// Why columns were left out.
    pub skipped: Vec<String>,
    /// Bytes of the chunks to read (compressed, as stored).
    pub chunk_bytes: u64,
    /// What those chunks decompress to, per the footer.
    pub uncompressed: u64,
}

pub struct Preview {
    pub plan: PreviewPlan,
    stream: Option<ParquetRecordBatchStream<TallyReader>>,
    pub tally: Arc<ReadTally>,
}

/// Top-level column names of a file, in schema order.
pub fn root_columns(footer: &Footer) -> Vec<String> {
    footer.metadata.file_metadata().schema().get_fields().iter().map(|f| f.name().to_string()).collect()
}

/// Plan and open a preview of one row group.
pub fn open_preview(
    file: &ParquetFile,
    footer: &Footer,
    req: &PreviewRequest,
    tally: Arc<ReadTally>,
) -> Result<Preview, LakeError> {
    let err = |reason: String| LakeError::Read { location: file.location.clone(), reason };
    let md = &footer.metadata;
    let n = md.num_row_groups();
    let Some(rg) = md.row_groups().get(req.row_group) else {
        return Err(err(if n == 0 {
            "the file has no row groups".to_string()
        } else {
            format!("no row group {} (the file has {n}: 0..{})", req.row_group, n - 1)
        }));
    };
    let descr = md.file_metadata().schema_descr();
    let roots = root_columns(footer);
    let wanted: Vec<usize> = match &req.columns {
        Some(c) => c.iter().copied().filter(|i| *i < roots.len()).collect(),
        None => (0..roots.len()).collect(),
    };
    let mut plan = PreviewPlan {
        row_group: req.row_group,
        rows: rg.num_rows(),
        columns: Vec::new(),
        skipped: Vec::new(),
        chunk_bytes: 0,
        uncompressed: 0,
    };
    let mut chosen = Vec::new();
    for root in wanted {
        let (mut compressed, mut uncompressed) = (0u64, 0u64);
        for (leaf, chunk) in rg.columns().iter().enumerate() {
            if descr.get_column_root_idx(leaf) == root {
                compressed += chunk.compressed_size().max(0) as u64;
                uncompressed += chunk.uncompressed_size().max(0) as u64;
            }
        }
        if uncompressed > req.memory_limit {
            plan.skipped.push(format!(
                "{}: not decoded, its chunk expands to {} ({} stored), above the preview's memory bound of {}",
                roots[root],
                crate::lake::units::bytes(uncompressed),
                crate::lake::units::bytes(compressed),
                crate::lake::units::bytes(req.memory_limit)
            ));
            continue;
        }
        if plan.uncompressed + uncompressed > req.memory_limit {
            plan.skipped.push(format!(
                "{}: not decoded, the columns before it already use the preview's memory bound of {}",
                roots[root],
                crate::lake::units::bytes(req.memory_limit)
            ));
            continue;
        }
        plan.uncompressed += uncompressed;
        plan.chunk_bytes += compressed;
        plan.columns.push(roots[root].clone());
        chosen.push(root);
    }
    if chosen.is_empty() {
        return Ok(Preview { plan, stream: None, tally });
    }
    let options = ArrowReaderOptions::new();
    let arrow_md = ArrowReaderMetadata::try_new(Arc::clone(md), options)
        .map_err(|e| err(format!("cannot map the schema to Arrow: {}", parquet_text(&e))))?;
    let reader =
        TallyReader { fetch: TallyFetch { file: file.clone(), tally: Arc::clone(&tally) }, footer: footer.clone() };
    let mask = ProjectionMask::roots(descr, chosen);
    let stream = ParquetRecordBatchStreamBuilder::new_with_metadata(reader, arrow_md)
        .with_projection(mask)
        .with_row_groups(vec![req.row_group])
        .with_batch_size(req.batch_rows.max(1))
        .build()
        .map_err(|e| err(parquet_text(&e)))?;
    Ok(Preview { plan, stream: Some(stream), tally })
}

impl Preview {
    /// The next batch of rows, `None` at the end of the row group.
    pub async fn next_batch(&mut self) -> Result<Option<RecordBatch>, String> {
        let Some(stream) = self.stream.as_mut() else { return Ok(None) };
        let next = std::panic::AssertUnwindSafe(stream.next());
        match futures::FutureExt::catch_unwind(next).await {
            Ok(Some(Ok(b))) => Ok(Some(b)),
            Ok(Some(Err(e))) => {
                self.stream = None;
                Err(format!("cannot decode the row group: {}", parquet_text(&e)))
            }
            Ok(None) => {
                self.stream = None;
                Ok(None)
            }
            Err(p) => {
                self.stream = None;
                Err(format!(
                    "cannot decode the row group: the decoder failed ({})",
                    crate::lake::discover::panic_message(&p)
                ))
            }
        }
    }
}

/// Cells of a batch as display strings (rows of columns), each cut to a readable length.
pub fn format_rows(batch: &RecordBatch) -> Result<Vec<Vec<String>>, String> {
    let options = FormatOptions::default().with_null(crate::lake::units::NULL);
    let formatters: Vec<ArrayFormatter> = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let mut rows = Vec::with_capacity(batch.num_rows());
    for r in 0..batch.num_rows() {
        let row = formatters
            .iter()
            .map(|f| {
                let mut s = String::new();
                use std::fmt::Write;
                let _ = write!(s, "{}", f.value(r));
                clip_cell(s)
            })
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

fn clip_cell(s: String) -> String {
    let needs_cut = s.len() > CELL_CHARS;
    let mut out: String = if needs_cut { s.chars().take(CELL_CHARS).collect() } else { s };
    if out.contains(['\n', '\r', '\t']) {
        out = out.replace(['\n', '\r', '\t'], " ");
    }
    if needs_cut {
        out.push('…');
    }
    out
}
