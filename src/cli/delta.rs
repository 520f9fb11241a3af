//! Headless Delta commands: `lakescope history TABLE` (one row per version, newest first),
//! `lakescope detail TABLE [--as-of V|TS]` (protocol, properties, files, log) and
//! `lakescope diff TABLE V1 V2` (files, schema, properties, protocol and rows). Same core as the
//! TUI's history view.

use std::io::Write;

use serde::Serialize;

use super::{ExitCode, Target, print_table};
use crate::lake::delta_diff::{self, AsOf, DeltaRef, DiffOptions, TableDiff};
use crate::lake::delta_info::{self, DeltaInfo};
use crate::lake::delta_log::{History, HistoryEntry, Readable};
use crate::lake::{LakeStore, LakeUrl};
use crate::units;

/// The table's own folder as a store, and how to name it.
fn open_table(target: &Target) -> anyhow::Result<(LakeStore, DeltaRef)> {
    let store = LakeStore::open(LakeUrl::parse(&target.root)?, &target.options)?;
    let location = store.url_of("", true).to_string();
    Ok((store, DeltaRef { location, rel: String::new() }))
}

pub fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// A short mark for a history row: checkpoint, readability.
pub fn marks(e: &HistoryEntry) -> String {
    let mut m = String::new();
    if e.checkpoint {
        m.push_str("cp ");
    }
    match &e.readable {
        Readable::No(_) => m.push_str("unreadable"),
        Readable::Unknown => m.push('?'),
        Readable::Yes => {}
    }
    m.trim().to_string()
}

pub async fn history(target: &Target, limit: Option<usize>, json: bool) -> anyhow::Result<ExitCode> {
    let (store, table) = open_table(target)?;
    let mut h = History::open(store.object_store(), &store.key(&table.rel), &table.location).await?;
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
    let info = delta_info::delta_info(&store, &table.location, &table.rel, as_of.as_ref()).await?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &info)?;
        writeln!(out)?;
        return Ok(0);
    }
    print_info(&mut out, &info)?;
    Ok(0)
}

pub fn info_lines(i: &DeltaInfo) -> Vec<String> {
    let mut l = Vec::new();
    let as_of = if i.version == i.latest {
        "latest".to_string()
    } else {
        format!("as of v{}, latest v{}", i.version, i.latest)
    };
    l.push(format!("table        {}", i.location));
    l.push(format!("version      {} ({as_of})", i.version));
    if let Some(n) = &i.name {
        l.push(format!("name         {n}"));
    }
    if let Some(d) = &i.description {
        l.push(format!("description  {d}"));
    }
    l.push(format!("protocol     reader {} / writer {}{}", i.min_reader_version, i.min_writer_version, {
        let mut f: Vec<&String> = i.reader_features.iter().chain(i.writer_features.iter()).collect();
        f.sort();
        f.dedup();
        if f.is_empty() {
            String::new()
        } else {
            format!("; features: {}", f.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
        }
    }));
    l.push(format!(
        "data         {} files, {}, {} rows",
        units::count(i.files),
        units::bytes(i.bytes),
        i.rows.map(units::count).unwrap_or_else(|| "?".into())
    ));
    l.push(format!(
        "partitions   {}",
        if i.partition_columns.is_empty() { "none".to_string() } else { i.partition_columns.join(", ") }
    ));
    l.push(format!(
        "log          {} files, {}; {} commits from v{}; last checkpoint {} ({} checkpoint{})",
        units::count(i.log_files),
        units::bytes(i.log_bytes),
        units::count(i.commits_in_log as u64),
        i.oldest_commit.unwrap_or(0),
        i.last_checkpoint.map(|v| format!("v{v}")).unwrap_or_else(|| "none".into()),
        i.checkpoints,
        if i.checkpoints == 1 { "" } else { "s" }
    ));
    l.push("properties".into());
    for p in &i.properties {
        l.push(format!(
            "  {:<36} {:<20} {}",
            p.key,
            if p.set { p.value.clone() } else { format!("{} (default)", p.value) },
            p.meaning.unwrap_or("")
        ));
    }
    l.push("columns".into());
    for c in &i.columns {
        l.push(format!(
            "  {:<30} {}{}{}",
            c.name,
            c.data_type,
            if c.nullable { "" } else { " not null" },
            if c.partition { " (partition)" } else { "" }
        ));
    }
    for w in &i.warnings {
        l.push(format!("! {w}"));
    }
    l
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
    let d = delta_diff::diff_table(&store, &table, a, b, &opts).await?;
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

/// The diff as text lines (shared with the TUI's diff view).
pub fn diff_lines(d: &TableDiff) -> Vec<String> {
    let f = &d.files;
    let mut l = Vec::new();
    l.push(format!("diff v{} → v{} of {}", d.a, d.b, d.location));
    if !f.operations.is_empty() {
        let ops: Vec<String> = f.operations.iter().map(|(v, o)| format!("v{v} {o}")).collect();
        l.push(format!("commits      {}", units::truncate(&ops.join(", "), 200, "…")));
    }
    let rows = |r: Option<u64>| r.map(units::count).unwrap_or_else(|| "?".into());
    l.push(format!(
        "files        +{} ({}, {} rows)   -{} ({}, {} rows)",
        units::count(f.added.len() as u64),
        units::bytes(f.bytes_added),
        rows(f.rows_added),
        units::count(f.removed.len() as u64),
        units::bytes(f.bytes_removed),
        rows(f.rows_removed)
    ));
    if !f.partitions.is_empty() {
        l.push(format!(
            "partitions   {} touched: {}",
            f.partitions.len(),
            units::truncate(&f.partitions.join(", "), 160, "…")
        ));
    }
    l.push(format!("log read     {} commits, {}", f.commits_read, units::bytes(f.log_bytes_read)));
    if d.schema.is_empty() {
        l.push(format!(
            "schema       {}",
            if f.metadata_changed { "unchanged" } else { "unchanged (no metadata commit in between)" }
        ));
    } else {
        l.push("schema".into());
        for c in &d.schema {
            l.push(format!(
                "  {:<8} {:<24} {} → {}",
                c.change,
                c.column,
                c.before.as_deref().unwrap_or("-"),
                c.after.as_deref().unwrap_or("-")
            ));
        }
    }
    for p in &d.properties {
        l.push(format!(
            "property     {}: {} → {}",
            p.key,
            p.before.as_deref().unwrap_or("(unset)"),
            p.after.as_deref().unwrap_or("(unset)")
        ));
    }
    if let Some((a, b)) = &d.protocol {
        l.push(format!("protocol     {a} → {b}"));
    }
    for (sign, list) in [("+", &f.added), ("-", &f.removed)] {
        for x in list.iter().take(20) {
            l.push(format!(
                "  {sign} {}  {}  {} rows  (v{})",
                x.path,
                x.size.map(units::bytes).unwrap_or_else(|| "?".into()),
                rows(x.rows),
                x.version
            ));
        }
        if list.len() > 20 {
            l.push(format!("  {sign} … {} more", list.len() - 20));
        }
    }
    if let Some(note) = &d.rows_note {
        l.push(format!("rows         {note}"));
    }
    if let Some(r) = &d.rows {
        l.push(format!(
            "rows         {} only in v{}, {} only in v{} (from the {}: {} files, {})",
            units::count(r.only_in_a),
            d.a,
            units::count(r.only_in_b),
            d.b,
            r.source,
            r.files_read,
            units::bytes(r.bytes_to_read)
        ));
        let header = r.columns.join(" | ");
        if let Some(k) = &r.keyed {
            l.push(format!(
                "by key ({}): {} inserted, {} deleted, {} updated",
                k.keys.join(", "),
                units::count(k.inserted),
                units::count(k.deleted),
                units::count(k.updated)
            ));
            l.push(format!("    {header}"));
            for u in &k.updated_rows {
                let changed: Vec<&str> = u.changed.iter().map(|i| r.columns[*i].as_str()).collect();
                l.push(format!("  ~ {}  [{}]", u.key.join(","), changed.join(", ")));
                l.push(format!("    - {}", u.before.join(" | ")));
                l.push(format!("    + {}", u.after.join(" | ")));
            }
            for x in &k.deleted_rows {
                l.push(format!("  - {}", x.join(" | ")));
            }
            for x in &k.inserted_rows {
                l.push(format!("  + {}", x.join(" | ")));
            }
        } else {
            l.push(format!("    {header}"));
            for x in &r.rows_a {
                l.push(format!("  - {}", x.join(" | ")));
            }
            for x in &r.rows_b {
                l.push(format!("  + {}", x.join(" | ")));
            }
        }
    }
    l
}
