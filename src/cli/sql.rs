//! `lakescope sql ROOT "SELECT …"`: one read-only statement over the discovered lake, its whole
//! result written as a table, CSV, JSON or Parquet, to stdout or to a file written aside and
//! renamed into place. What the query read (requests, bytes) goes to stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use arrow::array::RecordBatch;

use super::{ExitCode, Target, discover_for_cli};
use crate::config::{Config, SqlOptions};
use crate::lake::sql::SqlEngine;
use crate::units;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Parquet,
}

/// Where the result goes: stdout, or a temporary file renamed over FILE once complete.
enum Sink {
    Stdout,
    File { tmp: PathBuf, dest: PathBuf },
}

impl Sink {
    fn open(output: Option<&Path>) -> anyhow::Result<(Sink, Box<dyn Write + Send>)> {
        match output {
            None => Ok((Sink::Stdout, Box::new(std::io::BufWriter::new(std::io::stdout())))),
            Some(dest) => {
                let name = dest.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "result".into());
                let tmp = dest.with_file_name(format!(".{name}.lakescope-partial"));
                let f = std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
                Ok((Sink::File { tmp, dest: dest.to_path_buf() }, Box::new(std::io::BufWriter::new(f))))
            }
        }
    }

    fn finish(self, ok: bool) -> anyhow::Result<()> {
        if let Sink::File { tmp, dest } = self {
            if ok {
                std::fs::rename(&tmp, &dest)
                    .with_context(|| format!("cannot move the result to {}", dest.display()))?;
            } else {
                let _ = std::fs::remove_file(&tmp);
            }
        }
        Ok(())
    }
}

/// Writes batches in one format.
enum Writer {
    Table { kept: Vec<RecordBatch>, kept_rows: usize, max: usize, out: Box<dyn Write + Send> },
    Csv(arrow::csv::Writer<Box<dyn Write + Send>>),
    Json(arrow::json::ArrayWriter<Box<dyn Write + Send>>),
    Parquet(parquet::arrow::ArrowWriter<Box<dyn Write + Send>>),
}

impl Writer {
    fn write(&mut self, batch: &RecordBatch) -> anyhow::Result<()> {
        match self {
            Writer::Table { kept, kept_rows, max, .. } => {
                if *kept_rows < *max {
                    let n = (*max - *kept_rows).min(batch.num_rows());
                    kept.push(batch.slice(0, n));
                    *kept_rows += n;
                }
            }
            Writer::Csv(w) => w.write(batch)?,
            Writer::Json(w) => w.write(batch)?,
            Writer::Parquet(w) => w.write(batch)?,
        }
        Ok(())
    }

    fn finish(self, schema: &arrow::datatypes::SchemaRef) -> anyhow::Result<()> {
        match self {
            Writer::Table { kept, mut out, .. } => {
                let batches = if kept.is_empty() { vec![RecordBatch::new_empty(schema.clone())] } else { kept };
                writeln!(out, "{}", arrow::util::pretty::pretty_format_batches(&batches)?)?;
                out.flush()?;
            }
            Writer::Csv(w) => w.into_inner().flush()?,
            Writer::Json(mut w) => {
                w.finish()?;
                w.into_inner().flush()?;
            }
            Writer::Parquet(w) => {
                w.close()?;
            }
        }
        Ok(())
    }
}

pub async fn run(
    target: &Target,
    query: &str,
    format: Format,
    output: Option<&Path>,
    opts: &SqlOptions,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    if format == Format::Parquet && output.is_none() {
        bail!("--format parquet needs --output FILE (Parquet is not written to a terminal)");
    }
    let (store, catalog) = discover_for_cli(target, config).await?;
    let engine = std::sync::Arc::new(SqlEngine::new(store.clone(), &catalog, opts)?);
    let (requests0, bytes0) = (store.stats.total_count(), store.stats.total_bytes());
    let start = Instant::now();
    let mut run = engine.run(query).await?;
    let schema = run.schema.clone();
    let (sink, out) = Sink::open(output)?;
    let mut writer = match format {
        Format::Table => Writer::Table { kept: Vec::new(), kept_rows: 0, max: opts.max_rows, out },
        Format::Csv => Writer::Csv(arrow::csv::WriterBuilder::new().with_header(true).build(out)),
        Format::Json => Writer::Json(arrow::json::ArrayWriter::new(out)),
        Format::Parquet => Writer::Parquet(parquet::arrow::ArrowWriter::try_new(out, schema.clone(), None)?),
    };
    let mut rows = 0u64;
    let result: anyhow::Result<()> = async {
        while let Some(batch) = run.next().await {
            let batch = batch?;
            rows += batch.num_rows() as u64;
            writer.write(&batch)?;
        }
        Ok(())
    }
    .await;
    let result = result.and_then(|_| writer.finish(&schema));
    sink.finish(result.is_ok())?;
    result?;
    let shown = if format == Format::Table && rows > opts.max_rows as u64 {
        format!("first {} of {} rows", units::count(opts.max_rows as u64), units::count(rows))
    } else {
        units::plural(rows, "row")
    };
    eprintln!(
        "{shown} in {:.0} ms; read {} in {} from the lake",
        start.elapsed().as_secs_f64() * 1000.0,
        units::bytes(store.stats.total_bytes() - bytes0),
        units::plural(store.stats.total_count() - requests0, "request"),
    );
    Ok(0)
}
