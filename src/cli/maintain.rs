//! `lakescope compact | convert | vacuum | recover | checksum`: the write actions, headless. Each
//! prints its plan first, then asks (`y` to go on) when stdin is a terminal; `--yes` runs without
//! asking, `--dry-run` stops after the plan. With `--json` the plan and the outcome are one JSON
//! document on stdout. Same core as the TUI (`lake::maintain::run`).

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::{ExitCode, Target, discover_for_cli};
use crate::config::Config;
use crate::lake::maintain::dataset::{self, Recovery};
use crate::lake::maintain::delta::{self, ConvertResult, VacuumPlan, VacuumResult};
use crate::lake::maintain::run::{self, Compacted, Planned, Settings};
use crate::lake::maintain::{Checksum, CompactOptions, Progress, check_writable, checksum};
use crate::lake::{Catalog, LakeStore, NodeKind, TableEntry, TableFormat};
use crate::units;

/// How the user confirmed (or not).
#[derive(Debug, Clone, Copy, Default)]
pub struct Confirm {
    pub dry_run: bool,
    pub yes: bool,
    pub json: bool,
}

/// The table `ROOT [PATH]` names: PATH below ROOT, or ROOT itself when it is one table.
pub(crate) async fn resolve_table(
    target: &Target,
    path: Option<&str>,
    config: &Config,
) -> anyhow::Result<(Arc<LakeStore>, Arc<Catalog>, String, TableEntry)> {
    let (store, catalog) = discover_for_cli(target, config).await?;
    let names: Vec<String> = path.unwrap_or("").split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    let id = if names.is_empty() {
        let tables: Vec<_> = catalog.tables().collect();
        match tables.as_slice() {
            [(n, _)] => Some(n.id),
            _ => None,
        }
    } else {
        catalog.resolve(&names)
    };
    let Some(id) = id.filter(|id| catalog.node(*id).kind == NodeKind::Table) else {
        anyhow::bail!(
            "{} is not one table: name it with PATH (bucket/zone/table; `lakescope tables {}` lists them)",
            if names.is_empty() { target.root.clone() } else { format!("{:?} in {}", names.join("/"), target.root) },
            target.root
        );
    };
    let n = catalog.node(id);
    let Some(t) = n.table.clone() else { anyhow::bail!("{} is not a table", n.name) };
    let name = catalog.names_to(id).join(".");
    Ok((store, catalog, name, *t))
}

fn settings(config: &Config, store: &LakeStore, target: &Target, read_only: bool) -> Settings {
    Settings::from_config(config, store, read_only || target.read_only, target.name.clone())
}

/// Print a failure (explained for the store, secrets masked); the exit code.
fn fail(store: &LakeStore, text: &str) -> ExitCode {
    eprintln!("error: {}", store.explain(text));
    1
}

/// Ask on the terminal; `false` unless the user types y.
fn ask(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim(), "y" | "Y" | "yes")
}

/// Go on after the plan? Prints why not when not.
fn confirmed(c: Confirm, question: &str) -> Result<bool, ExitCode> {
    if c.dry_run {
        return Ok(false);
    }
    if c.yes {
        return Ok(true);
    }
    if std::io::stdin().is_terminal() && !c.json {
        if ask(question) {
            return Ok(true);
        }
        eprintln!("not run: nothing was changed");
        return Ok(false);
    }
    eprintln!(
        "not run: stdin is not a terminal, so nobody confirmed; pass --yes to run without a prompt (or --dry-run)"
    );
    Err(1)
}

fn progress_printer() -> impl FnMut(Progress) + Send {
    let interactive = std::io::stderr().is_terminal();
    move |p: Progress| {
        if interactive {
            eprint!("\r\x1b[K{}", p.line());
        }
    }
}

fn end_progress() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[K");
    }
}

#[derive(Serialize)]
struct CompactReport<'a> {
    action: &'static str,
    dry_run: bool,
    #[serde(flatten)]
    planned: Option<&'a Planned>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'a Compacted>,
}

pub async fn compact(
    target: &Target,
    path: Option<&str>,
    opts: &CompactOptions,
    confirm: Confirm,
    read_only: bool,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    let (store, _, name, t) = resolve_table(target, path, config).await?;
    let s = settings(config, &store, target, read_only);
    let cancel = CancellationToken::new();
    let planned = match run::plan_compact(&store, &name, &t, opts, &s, &cancel, &mut |_| {}).await {
        Ok(p) => p,
        Err(e) => return Ok(fail(&store, &e.to_string())),
    };
    if !confirm.json {
        print_plan(&planned)?;
    }
    if let Some(r) = &planned.plan.refusal {
        if confirm.json {
            print_json(&CompactReport {
                action: "compact",
                dry_run: confirm.dry_run,
                planned: Some(&planned),
                outcome: None,
            })?;
        }
        eprintln!("{r}");
        return Ok(1);
    }
    if planned.plan.is_empty() && planned.leftovers.is_empty() {
        if confirm.json {
            print_json(&CompactReport {
                action: "compact",
                dry_run: confirm.dry_run,
                planned: Some(&planned),
                outcome: None,
            })?;
        }
        return Ok(0);
    }
    let go = match confirmed(confirm, "Compact?") {
        Ok(g) => g,
        Err(code) => return Ok(code),
    };
    if !go {
        if confirm.json {
            print_json(&CompactReport { action: "compact", dry_run: true, planned: Some(&planned), outcome: None })?;
        }
        return Ok(0);
    }
    let mut printer = progress_printer();
    let outcome = run::run_compact(&store, &name, &t, planned.clone(), opts, &s, &cancel, &mut printer).await;
    end_progress();
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return Ok(fail(&store, &e.to_string())),
    };
    if confirm.json {
        print_json(&CompactReport {
            action: "compact",
            dry_run: false,
            planned: Some(&planned),
            outcome: Some(&outcome),
        })?;
    } else {
        print_outcome(&outcome)?;
    }
    Ok(0)
}

fn print_json<T: Serialize>(v: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)
}

fn print_plan(p: &Planned) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for line in crate::report::maintain::plan_lines(&p.plan) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn print_outcome(c: &Compacted) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for line in crate::report::maintain::outcome_lines(c) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[derive(Serialize)]
struct ConvertReport<'a> {
    action: &'static str,
    table: &'a str,
    location: &'a str,
    files: u64,
    bytes: u64,
    partition_columns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refusal: Option<String>,
    dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'a ConvertResult>,
}

pub async fn convert(
    target: &Target,
    path: Option<&str>,
    confirm: Confirm,
    read_only: bool,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    let (store, _, name, t) = resolve_table(target, path, config).await?;
    let s = settings(config, &store, target, read_only);
    let cancel = CancellationToken::new();
    let listing = crate::lake::parquet_dataset::list_objects(
        &store.object_store(),
        &store.key(&t.path),
        &t.location,
        &cancel,
        &mut |_| {},
    )
    .await?;
    let mut refusal = delta::convert_refusal(&t, &listing);
    if let Err(r) = check_writable(s.read_only, s.lake.as_deref(), "convert") {
        refusal = Some(r);
    }
    let data: Vec<_> = listing.iter().filter(|o| o.rel.ends_with(".parquet")).collect();
    let mut report = ConvertReport {
        action: "convert",
        table: &name,
        location: &t.location,
        files: data.len() as u64,
        bytes: data.iter().map(|o| o.size).sum(),
        partition_columns: t.partitions.iter().map(|p| format!("{}: {}", p.name, p.data_type.as_str())).collect(),
        refusal: refusal.clone(),
        dry_run: confirm.dry_run,
        outcome: None,
    };
    if !confirm.json {
        println!("convert {name} ({}) to a Delta table in place", t.location);
        println!(
            "  {} ({}) listed in a new _delta_log as version 0; nothing is rewritten or moved",
            units::plural(report.files, "Parquet file"),
            units::bytes(report.bytes)
        );
        if !report.partition_columns.is_empty() {
            println!("  partition columns: {}", report.partition_columns.join(", "));
        }
        println!("  afterwards: compaction is one transaction, and time travel and vacuum work");
    }
    if let Some(r) = refusal {
        if confirm.json {
            print_json(&report)?;
        }
        eprintln!("{r}");
        return Ok(1);
    }
    let go = match confirmed(confirm, "Convert?") {
        Ok(g) => g,
        Err(code) => return Ok(code),
    };
    if !go {
        if confirm.json {
            report.dry_run = true;
            print_json(&report)?;
        }
        return Ok(0);
    }
    let result = match delta::convert(&store, &t, &cancel).await {
        Ok(r) => r,
        Err(e) => return Ok(fail(&store, &e.to_string())),
    };
    if confirm.json {
        report.outcome = Some(&result);
        print_json(&report)?;
    } else {
        println!(
            "converted: {} is a Delta table at version {} with {}",
            name,
            result.version,
            units::plural(result.files, "file")
        );
    }
    Ok(0)
}

#[derive(Serialize)]
struct VacuumReport<'a> {
    action: &'static str,
    dry_run: bool,
    plan: &'a VacuumPlan,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'a VacuumResult>,
}

#[allow(clippy::too_many_arguments)]
pub async fn vacuum(
    target: &Target,
    path: Option<&str>,
    retain: Option<&str>,
    override_retention: bool,
    confirm: Confirm,
    read_only: bool,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    let (store, _, name, t) = resolve_table(target, path, config).await?;
    if t.format != TableFormat::Delta {
        eprintln!("error: vacuum deletes files a Delta table removed; {name} is a {} table", t.format.as_str());
        return Ok(1);
    }
    let s = settings(config, &store, target, read_only);
    let retain = match retain.map(delta::parse_retention).transpose() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(2);
        }
    };
    let mut plan = match delta::vacuum_plan(&store, &t, retain, override_retention).await {
        Ok(p) => p,
        Err(e) => return Ok(fail(&store, &e.to_string())),
    };
    plan.table = name.clone();
    if let Err(r) = check_writable(s.read_only, s.lake.as_deref(), "vacuum") {
        plan.refusal = Some(r);
    }
    if !confirm.json {
        for line in crate::report::maintain::vacuum_lines(&plan) {
            println!("{line}");
        }
    }
    if let Some(r) = &plan.refusal {
        if confirm.json {
            print_json(&VacuumReport { action: "vacuum", dry_run: confirm.dry_run, plan: &plan, outcome: None })?;
        }
        eprintln!("{r}");
        return Ok(1);
    }
    if plan.files.is_empty() {
        if confirm.json {
            print_json(&VacuumReport { action: "vacuum", dry_run: confirm.dry_run, plan: &plan, outcome: None })?;
        }
        return Ok(0);
    }
    let go = match confirmed(confirm, "Delete these files?") {
        Ok(g) => g,
        Err(code) => return Ok(code),
    };
    if !go {
        if confirm.json {
            print_json(&VacuumReport { action: "vacuum", dry_run: true, plan: &plan, outcome: None })?;
        }
        return Ok(0);
    }
    let result = match delta::vacuum(&store, &t, &plan, &CancellationToken::new()).await {
        Ok(r) => r,
        Err(e) => return Ok(fail(&store, &e.to_string())),
    };
    if confirm.json {
        print_json(&VacuumReport { action: "vacuum", dry_run: false, plan: &plan, outcome: Some(&result) })?;
    } else {
        println!(
            "vacuumed: deleted {} ({}); the table is at version {}",
            units::plural(result.files_deleted, "file"),
            units::bytes(result.bytes_deleted),
            result.version_after
        );
    }
    Ok(0)
}

#[derive(Serialize)]
struct RecoverReport<'a> {
    action: &'static str,
    table: &'a str,
    #[serde(flatten)]
    recovery: &'a Recovery,
}

pub async fn recover(
    target: &Target,
    path: Option<&str>,
    json: bool,
    read_only: bool,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    let (store, _, name, t) = resolve_table(target, path, config).await?;
    let s = settings(config, &store, target, read_only);
    if let Err(r) = check_writable(s.read_only, s.lake.as_deref(), "recover a compaction in") {
        eprintln!("{r}");
        return Ok(1);
    }
    let r = match dataset::recover(&store, &t, &CancellationToken::new()).await {
        Ok(r) => r,
        Err(e) => return Ok(fail(&store, &e.to_string())),
    };
    if json {
        print_json(&RecoverReport { action: "recover", table: &name, recovery: &r })?;
    } else if r.is_empty() {
        println!("{name}: no interrupted compaction");
    } else {
        println!("{name}: {}", r.summary());
    }
    Ok(0)
}

#[derive(Serialize)]
struct ChecksumReport<'a> {
    table: &'a str,
    location: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u64>,
    #[serde(flatten)]
    checksum: Checksum,
}

pub async fn checksum(
    target: &Target,
    path: Option<&str>,
    version: Option<u64>,
    json: bool,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    let (store, catalog, name, t) = resolve_table(target, path, config).await?;
    let sum = match checksum::table_checksum(Arc::clone(&store), &catalog, &t.location, version).await {
        Ok(s) => s,
        Err(e) => return Ok(fail(&store, &e)),
    };
    if json {
        print_json(&ChecksumReport { table: &name, location: &t.location, version, checksum: sum })?;
    } else {
        println!("{name}: {}", sum.text());
    }
    Ok(0)
}
