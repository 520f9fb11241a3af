//! `lakescope sql ROOT "SELECT …"`: one read-only statement over the discovered lake, its whole
//! result written as a table, CSV, JSON or Parquet, to stdout or to a file written aside and
//! renamed into place. What the query read (requests, bytes) goes to stderr.

use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, bail};

use super::{ExitCode, Target, discover_for_cli};
use crate::config::Config;
use crate::lake::sql::export::Format;
use crate::lake::sql::{SqlEngine, SqlOptions};

/// `--format`: how the result is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
    Parquet,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Table => Format::Table,
            OutputFormat::Csv => Format::Csv,
            OutputFormat::Json => Format::Json,
            OutputFormat::Parquet => Format::Parquet,
        }
    }
}
use crate::lake::sql::export::{Sink, Writer};
use crate::lake::units;

pub async fn run(
    target: &Target,
    query: &str,
    format: OutputFormat,
    output: Option<&Path>,
    opts: &SqlOptions,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    let format = Format::from(format);
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
    let mut writer = Writer::new(format, &schema, out, opts.max_rows).map_err(|e| anyhow!(e))?;
    let mut rows = 0u64;
    let result: anyhow::Result<()> = async {
        while let Some(batch) = run.next().await {
            let batch = batch?;
            rows += batch.num_rows() as u64;
            writer.write(&batch).map_err(|e| anyhow!(e))?;
        }
        Ok(())
    }
    .await;
    let result = result.and_then(|_| writer.finish(&schema).map_err(|e| anyhow!(e)));
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
