//! `lakescope diag ROOT [PATH]`: diagnostics of a table, a zone, a bucket or the whole lake —
//! one table's full report, or a rollup ranking the tables below PATH — as text or `--json`.
//! Same core as the TUI's diagnostics view (`lake::diag`).

use std::io::{IsTerminal, Write};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::{ExitCode, Target, discover_for_cli};
use crate::config::Config;
use crate::lake::NodeKind;
use crate::lake::diag::{self, DiagOptions, Rollup, TableDiag, rollup::Failure};
use crate::lake::units;
use crate::report::diag::{rollup_lines, table_lines};

/// What `diag` was asked for, beyond the target.
#[derive(Debug, Clone, Default)]
pub struct DiagArgs {
    pub json: bool,
    /// Delta: the log alone, no listing.
    pub log_only: bool,
    /// Price a local lake as this provider.
    pub price_as: Option<String>,
    pub target_file_mib: Option<u64>,
    pub small_file_mib: Option<u64>,
}

#[derive(Serialize)]
struct TableReport<'a> {
    scope: &'a str,
    kind: &'static str,
    #[serde(flatten)]
    diag: &'a TableDiag,
    requests: u64,
    bytes_read: u64,
    elapsed_ms: u64,
}

#[derive(Serialize)]
struct ScopeReport<'a> {
    kind: &'static str,
    #[serde(flatten)]
    rollup: &'a Rollup,
    diagnostics: &'a [TableDiag],
    requests: u64,
    bytes_read: u64,
    elapsed_ms: u64,
}

pub async fn run(target: &Target, path: Option<&str>, args: &DiagArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let root = target.root.as_str();
    // Discovery keeps each table's listing, so no table is listed twice.
    let mut config = config.clone();
    config.discovery.keep_files = true;
    let config = &config;
    let (store, catalog) = discover_for_cli(target, config).await?;
    let names: Vec<String> = path.unwrap_or("").split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    let node = if names.is_empty() {
        // A root that is itself one table: diagnose that table.
        let tables: Vec<_> = catalog.tables().collect();
        match (tables.as_slice(), catalog.buckets.as_slice()) {
            ([(n, _)], [b]) if catalog.node(*b).children.as_slice() == [n.id] => Some(n.id),
            _ => None,
        }
    } else {
        match super::entry(&catalog, &names, root) {
            Ok(id) => Some(id),
            Err(code) => return Ok(code),
        }
    };
    let scope = match node {
        Some(id) => catalog.names_to(id).join("/"),
        None => "lake".to_string(),
    };
    let mut tables = catalog.tables_below(node);
    tables.sort_by(|a, b| a.0.cmp(&b.0));
    let single = node.is_some_and(|id| catalog.node(id).kind == NodeKind::Table);
    if tables.is_empty() {
        eprintln!("error: no tables under {scope}");
        return Ok(1);
    }

    let mut opts = DiagOptions::new(&config.diagnostics);
    if let Some(m) = args.target_file_mib {
        opts.target_file_size = m.max(1) * 1024 * 1024;
    }
    if let Some(m) = args.small_file_mib {
        opts.small_file_size = m.max(1) * 1024 * 1024;
    }
    let mut gather = config.gather_options();
    gather.list_delta = !args.log_only;
    let book = match &args.price_as {
        Some(p) => config.pricing.with_local_as(p).map_err(anyhow::Error::msg)?,
        None => config.pricing.clone(),
    };
    let prices = book.for_scheme(store.url.scheme);
    let (before_n, before_b) = (store.stats.total_count(), store.stats.total_bytes());
    let interactive = std::io::stderr().is_terminal();
    let mut progress = |done: usize, total: usize, name: String| {
        if interactive {
            eprint!("\r\x1b[Kdiagnosing {done}/{total}: {name}");
        }
    };
    let cancel = CancellationToken::new();
    let (diags, failed): (Vec<TableDiag>, Vec<Failure>) =
        diag::diagnose_tables(&store, tables, &gather, &opts, &prices, 4, &cancel, &mut progress).await?;
    if interactive {
        eprint!("\r\x1b[K");
    }
    let requests = store.stats.total_count() - before_n;
    let bytes_read = store.stats.total_bytes() - before_b;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let mut out = std::io::stdout().lock();

    if single {
        if let Some(f) = failed.first() {
            eprintln!("error: {} cannot be diagnosed: {}", f.table, f.reason);
            return Ok(1);
        }
        let d = &diags[0];
        if args.json {
            let r = TableReport { scope: &scope, kind: "table", diag: d, requests, bytes_read, elapsed_ms };
            serde_json::to_writer_pretty(&mut out, &r)?;
            writeln!(out)?;
        } else {
            for line in table_lines(d, config.ascii) {
                writeln!(out, "{line}")?;
            }
            writeln!(
                out,
                "\n{}, {} read, {}",
                units::plural(requests, "request"),
                units::bytes(bytes_read),
                units::duration_ms(elapsed_ms)
            )?;
        }
        return Ok(0);
    }
    let kind = match node.map(|id| catalog.node(id).kind) {
        None => "lake",
        Some(NodeKind::Bucket) => "bucket",
        Some(NodeKind::Zone) => "zone",
        Some(_) => "folder",
    };
    let r = diag::rollup(&scope, &diags, failed);
    if args.json {
        let rep = ScopeReport { kind, rollup: &r, diagnostics: &diags, requests, bytes_read, elapsed_ms };
        serde_json::to_writer_pretty(&mut out, &rep)?;
        writeln!(out)?;
    } else {
        for line in rollup_lines(&r) {
            writeln!(out, "{line}")?;
        }
        writeln!(
            out,
            "\n{} requests, {} read, {} (lakescope diag {root} TABLE for one table's report)",
            units::count(requests),
            units::bytes(bytes_read),
            units::duration_ms(elapsed_ms)
        )?;
    }
    Ok(0)
}
