//! Headless Delta commands: `lakescope history TABLE` (one row per version, newest first),
//! `lakescope detail TABLE [--as-of V|TS]` (protocol, properties, files, log) and
//! `lakescope diff TABLE V1 V2` (files, schema, properties, protocol and rows). Same core as the
//! TUI's history view.

use std::io::Write;

use serde::Serialize;

use super::{ExitCode, Target, print_table};
use crate::lake::delta::diff::{AsOf, DeltaRef, DiffOptions, TableDiff};
use crate::lake::delta::info::DeltaInfo;
use crate::lake::delta::log::{History, Readable};
use crate::lake::units;
use crate::lake::{LakeStore, LakeUrl};
use crate::report::{diff_lines, info_lines, marks, when};

/// The table's own folder as a store, and how to name it.
fn open_table(target: &Target) -> anyhow::Result<(LakeStore, DeltaRef)> {
    let store = LakeStore::open(LakeUrl::parse(&target.root)?, &target.options)?;
    let location = store.url_of("", true).to_string();
    Ok((store, DeltaRef { location, rel: String::new() }))
}

pub async fn history(target: &Target, limit: Option<usize>, json: bool) -> anyhow::Result<ExitCode> {
    let (store, table) = open_table(target)?;
    // The listing's figures (commit count, oldest, last checkpoint) are printed: list it all.
    let mut h = History::open_complete(store.object_store(), &store.key(&table.rel), &table.location).await?;
    let want = limit.unwrap_or(usize::MAX).min(h.listing.commits.len());
    while h.entries.len() < want {
        let n = (want - h.entries.len()).min(256);
        h.load_more(n).await?;
    }
    h.check_data_files().await?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &h.entries)?;
        writeln!(out)?;
        return Ok(0);
    }
    let rows: Vec<[String; 9]> = h
        .entries
        .iter()
        .map(|e| {
            [
                e.version.to_string(),
                when(e.timestamp_ms),
                e.operation.clone().unwrap_or_else(|| "-".into()),
                format!("+{} -{}", e.files_added, e.files_removed),
                e.rows_added.map(units::count).unwrap_or_else(|| "-".into()),
                e.read_version.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
                marks(e),
                units::truncate(e.engine.as_deref().unwrap_or("-"), 28, "…"),
                units::truncate(&e.parameters_text(), 60, "…"),
            ]
        })
        .collect();
    print_table(
        &mut out,
        &["VERSION", "TIMESTAMP (UTC)", "OPERATION", "FILES", "ROWS+", "READ", "MARKS", "ENGINE", "PARAMETERS"],
        &rows,
        &[0, 4, 5],
    )?;
    for e in &h.entries {
        if let Readable::No(reason) = &e.readable {
            writeln!(out, "! v{}: not readable: {reason}", e.version)?;
        }
    }
    writeln!(
        out,
        "{} of {} in the log (oldest v{}); last checkpoint {}",
        h.entries.len(),
        units::plural(h.listing.commits.len() as u64, "commit"),
        h.listing.commits.first().map(|c| c.version).unwrap_or(0),
        h.listing.last_checkpoint().map(|v| format!("v{v}")).unwrap_or_else(|| "none".into())
    )?;
    Ok(0)
}

pub async fn detail(target: &Target, as_of: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let (store, table) = open_table(target)?;
    let as_of = as_of.map(AsOf::parse);
    let info = crate::lake::delta::info::delta_info(&store, &table.location, &table.rel, as_of.as_ref()).await?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &info)?;
        writeln!(out)?;
        return Ok(0);
    }
    print_info(&mut out, &info)?;
    Ok(0)
}

fn print_info(out: &mut impl Write, i: &DeltaInfo) -> std::io::Result<()> {
    for line in info_lines(i) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

pub async fn diff(
    target: &Target,
    a: &str,
    b: &str,
    rows: usize,
    keys: Vec<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let (store, table) = open_table(target)?;
    let version = |s: &str| -> anyhow::Result<u64> {
        match AsOf::parse(s) {
            AsOf::Version(v) => Ok(v),
            AsOf::Timestamp(_) => anyhow::bail!("{s:?} is not a version number (diff takes two versions, e.g. 6 7)"),
        }
    };
    let (a, b) = (version(a)?, version(b)?);
    let opts = DiffOptions { rows, keys, ..DiffOptions::default() };
    let d = crate::lake::delta::diff::diff_table(&store, &table, a, b, &opts).await?;
    let mut out = std::io::stdout().lock();
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            files_added: usize,
            files_removed: usize,
            #[serde(flatten)]
            diff: &'a TableDiff,
        }
        serde_json::to_writer_pretty(
            &mut out,
            &Out { files_added: d.files.added.len(), files_removed: d.files.removed.len(), diff: &d },
        )?;
        writeln!(out)?;
        return Ok(0);
    }
    for line in diff_lines(&d) {
        writeln!(out, "{line}")?;
    }
    Ok(0)
}
