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
use crate::lake::maintain::delta;
use crate::lake::maintain::run::{self, Settings, WriteKind, WriteOutcome, WritePlan, WriteRequest};
use crate::lake::maintain::{Checksum, CompactOptions, Progress, check_writable, checksum};
use crate::lake::{Catalog, LakeError, LakeStore, NodeKind, TableEntry};

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
    config.maintain_settings(store.url.scheme, read_only || target.read_only, target.name.clone())
}

/// Print a failure (explained for the store, secrets masked); the exit code.
fn fail(store: &LakeStore, err: &LakeError) -> ExitCode {
    eprintln!("error: {}", store.explain(err));
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

fn print_json<T: Serialize>(v: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)
}

/// Partitions / files a plan lists on the terminal (`--json` lists every one).
const SHOWN: usize = 50;

/// The `--json` document of a write: the action, the plan's fields and the outcome when it ran.
fn report(req: &WriteRequest, plan: &WritePlan, dry_run: bool, outcome: Option<&WriteOutcome>) -> serde_json::Value {
    let mut doc = serde_json::Map::new();
    doc.insert("action".into(), serde_json::json!(req.kind));
    doc.insert("dry_run".into(), serde_json::json!(dry_run));
    let fields = match plan {
        WritePlan::Compact(p) => serde_json::to_value(p.as_ref()),
        WritePlan::Vacuum(p) => serde_json::to_value(serde_json::json!({ "plan": p.as_ref() })),
        WritePlan::Convert(p) => serde_json::to_value(p.as_ref()),
    };
    if let Ok(serde_json::Value::Object(m)) = fields {
        doc.extend(m);
    }
    if let Some(o) = outcome {
        doc.insert("outcome".into(), serde_json::to_value(o).unwrap_or_default());
    }
    serde_json::Value::Object(doc)
}

/// Plan a write, show the plan, ask, run it, show what it did: the one flow of `compact`,
/// `convert` and `vacuum`. Refusals come first, before anything is read when the table alone
/// decides them.
async fn write(
    store: &LakeStore,
    req: WriteRequest,
    s: &Settings,
    confirm: Confirm,
    question: &str,
) -> anyhow::Result<ExitCode> {
    if let Some(r) = run::refusal(req.kind, &req.table) {
        eprintln!("error: refused: {r}");
        return Ok(1);
    }
    let cancel = CancellationToken::new();
    let plan = match run::plan(store, &req, s, &cancel).await {
        Ok(p) => p,
        Err(e) => return Ok(fail(store, &e)),
    };
    if !confirm.json {
        for line in crate::report::maintain::write_plan_lines(&plan, Some(SHOWN)) {
            println!("{line}");
        }
    }
    let done_without_running = |dry_run: bool| -> std::io::Result<()> {
        if confirm.json { print_json(&report(&req, &plan, dry_run, None)) } else { Ok(()) }
    };
    if let Some(r) = plan.refusal() {
        done_without_running(confirm.dry_run)?;
        eprintln!("{r}");
        return Ok(1);
    }
    if plan.is_empty() {
        done_without_running(confirm.dry_run)?;
        return Ok(0);
    }
    let go = match confirmed(confirm, question) {
        Ok(g) => g,
        Err(code) => return Ok(code),
    };
    if !go {
        done_without_running(true)?;
        return Ok(0);
    }
    let mut printer = progress_printer();
    let outcome = run::run(store, &req, &plan, s, &cancel, &mut printer).await;
    end_progress();
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return Ok(fail(store, &e)),
    };
    if confirm.json {
        print_json(&report(&req, &plan, false, Some(&outcome)))?;
    } else {
        for line in crate::report::maintain::write_outcome_lines(&req, &outcome) {
            println!("{line}");
        }
    }
    Ok(0)
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
    let mut req = WriteRequest::new(WriteKind::Compact, name, t);
    req.compact = opts.clone();
    write(&store, req, &s, confirm, "Compact?").await
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
    write(&store, WriteRequest::new(WriteKind::Convert, name, t), &s, confirm, "Convert?").await
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
    let retain = match retain.map(delta::parse_retention).transpose() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: --retain: {e}");
            return Ok(2);
        }
    };
    let (store, _, name, t) = resolve_table(target, path, config).await?;
    let s = settings(config, &store, target, read_only);
    let mut req = WriteRequest::new(WriteKind::Vacuum, name, t);
    req.retain = retain;
    req.override_retention = override_retention;
    write(&store, req, &s, confirm, "Delete these files?").await
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
        Err(e) => return Ok(fail(&store, &e)),
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
        Err(e) => {
            eprintln!("error: {}", crate::lake::store::redact::redact(&e));
            return Ok(1);
        }
    };
    if json {
        print_json(&ChecksumReport { table: &name, location: &t.location, version, checksum: sum })?;
    } else {
        println!("{name}: {}", sum.text());
    }
    Ok(0)
}
