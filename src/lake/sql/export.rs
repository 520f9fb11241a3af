//! Writing a whole query result to a file: CSV, JSON (an array of objects) or Parquet, streamed
//! batch by batch so the result never has to fit in memory. The file is written under a
//! temporary name beside the destination and renamed into place only when complete, so a failed
//! or cancelled export leaves nothing behind. Used by `lakescope sql --output` and by the SQL
//! pane's export.

use std::io::Write;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Parquet,
}

impl Format {
    /// The format a file name asks for (`.csv`, `.json`, `.parquet`).
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" | "tsv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "parquet" | "pq" => Some(Format::Parquet),
            _ => None,
        }
    }
}

/// Where a result goes: stdout, or a temporary file renamed over the destination once complete.
/// Dropped without `finish` (a cancelled export), it removes the temporary file.
pub enum Sink {
    Stdout,
    File { tmp: PathBuf, dest: PathBuf },
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Sink::File { tmp, .. } = self {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

impl Sink {
    pub fn open(output: Option<&Path>) -> std::io::Result<(Sink, Box<dyn Write + Send>)> {
        match output {
            None => Ok((Sink::Stdout, Box::new(std::io::BufWriter::new(std::io::stdout())))),
            // A device or a pipe (`--output /dev/null`) is written directly: never renamed over.
            Some(dest) if dest.exists() && !dest.is_file() => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(dest)
                    .map_err(|e| std::io::Error::new(e.kind(), format!("cannot write {}: {e}", dest.display())))?;
                Ok((Sink::Stdout, Box::new(std::io::BufWriter::new(f))))
            }
            Some(dest) => {
                let tmp = partial_name(dest);
                let f = std::fs::File::create(&tmp)
                    .map_err(|e| std::io::Error::new(e.kind(), format!("cannot write {}: {e}", tmp.display())))?;
                Ok((Sink::File { tmp, dest: dest.to_path_buf() }, Box::new(std::io::BufWriter::new(f))))
            }
        }
    }

    /// Move the finished file into place, or remove the partial one.
    pub fn finish(self, ok: bool) -> std::io::Result<()> {
        if let Sink::File { tmp, dest } = &self
            && ok
        {
            std::fs::rename(tmp, dest).map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot move the result to {}: {e}", dest.display()))
            })?;
        }
        // Drop removes what is left under the temporary name (nothing after a rename).
        Ok(())
    }
}

/// The name a file is written under until it is complete.
pub fn partial_name(dest: &Path) -> PathBuf {
    let name = dest.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "result".into());
    dest.with_file_name(format!(".{name}.lakescope-partial"))
}

/// Writes batches in one format.
pub enum Writer {
    Table { kept: Vec<RecordBatch>, kept_rows: usize, max: usize, out: Box<dyn Write + Send> },
    Csv(arrow::csv::Writer<Box<dyn Write + Send>>),
    Json(arrow::json::ArrayWriter<Box<dyn Write + Send>>),
    Parquet(parquet::arrow::ArrowWriter<Box<dyn Write + Send>>),
}

impl Writer {
    /// A writer of `format`; a table keeps its first `max_rows` rows.
    pub fn new(
        format: Format,
        schema: &SchemaRef,
        out: Box<dyn Write + Send>,
        max_rows: usize,
    ) -> Result<Writer, String> {
        Ok(match format {
            Format::Table => Writer::Table { kept: Vec::new(), kept_rows: 0, max: max_rows, out },
            Format::Csv => Writer::Csv(arrow::csv::WriterBuilder::new().with_header(true).build(out)),
            Format::Json => Writer::Json(arrow::json::ArrayWriter::new(out)),
            Format::Parquet => Writer::Parquet(
                parquet::arrow::ArrowWriter::try_new(out, schema.clone(), None).map_err(|e| e.to_string())?,
            ),
        })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), String> {
        match self {
            Writer::Table { kept, kept_rows, max, .. } => {
                if *kept_rows < *max {
                    let n = (*max - *kept_rows).min(batch.num_rows());
                    kept.push(batch.slice(0, n));
                    *kept_rows += n;
                }
                Ok(())
            }
            Writer::Csv(w) => w.write(batch).map_err(|e| e.to_string()),
            Writer::Json(w) => w.write(batch).map_err(|e| e.to_string()),
            Writer::Parquet(w) => w.write(batch).map_err(|e| e.to_string()),
        }
    }

    pub fn finish(self, schema: &SchemaRef) -> Result<(), String> {
        let io = |e: std::io::Error| e.to_string();
        match self {
            Writer::Table { kept, mut out, .. } => {
                let batches = if kept.is_empty() { vec![RecordBatch::new_empty(schema.clone())] } else { kept };
                let text = arrow::util::pretty::pretty_format_batches(&batches).map_err(|e| e.to_string())?;
                writeln!(out, "{text}").map_err(io)?;
                out.flush().map_err(io)
            }
            Writer::Csv(w) => w.into_inner().flush().map_err(io),
            Writer::Json(mut w) => {
                w.finish().map_err(|e| e.to_string())?;
                w.into_inner().flush().map_err(io)
            }
            Writer::Parquet(w) => w.close().map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Run `sql` and write its whole result to `dest` (the format from `format` or the file name).
/// `progress` hears the rows written so far after each batch. Returns the rows written.
pub async fn export(
    engine: &std::sync::Arc<super::SqlEngine>,
    sql: &str,
    format: Format,
    dest: &Path,
    mut progress: impl FnMut(u64),
) -> Result<u64, String> {
    if format == Format::Table {
        return Err("export writes CSV, JSON or Parquet".into());
    }
    let mut run = engine.run(sql).await.map_err(|e| e.to_string())?;
    let schema = run.schema.clone();
    let (sink, out) = Sink::open(Some(dest)).map_err(|e| e.to_string())?;
    let mut rows = 0u64;
    let result: Result<(), String> = async {
        let mut writer = Writer::new(format, &schema, out, 0)?;
        while let Some(batch) = run.next().await {
            let batch = batch.map_err(|e| e.to_string())?;
            rows += batch.num_rows() as u64;
            writer.write(&batch)?;
            progress(rows);
        }
        writer.finish(&schema)
    }
    .await;
    sink.finish(result.is_ok()).map_err(|e| e.to_string())?;
    result.map(|_| rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_file_names() {
        assert_eq!(Format::from_path(Path::new("/tmp/out.CSV")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("r.parquet")), Some(Format::Parquet));
        assert_eq!(Format::from_path(Path::new("r.json")), Some(Format::Json));
        assert_eq!(Format::from_path(Path::new("r.txt")), None);
        assert_eq!(partial_name(Path::new("/a/r.csv")), PathBuf::from("/a/.r.csv.lakescope-partial"));
    }
}
