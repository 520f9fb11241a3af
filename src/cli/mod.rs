//! Command-line interface: clap definitions and the headless commands. Every headless command
//! uses the same lake core as the TUI and prints text, or JSON with `--json`. Errors go to
//! stderr with a non-zero exit code; usage errors exit with 2.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::lake::units;
use crate::lake::{Catalog, LakeStore, LakeUrl, NodeKind, StoreOptions, demo, discover};

pub mod delta;
pub mod diag;
pub mod install;
pub mod maintain;
pub mod parquet;
pub mod sql;

#[derive(Debug, Parser)]
#[command(
    name = "lakescope",
    version,
    about = "A terminal explorer for data lakes: buckets, zones, Delta / Parquet / CSV / JSON tables",
    long_about = None
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// Lake root to open in the TUI: a path, file://, s3://, gs:// or az:// URL.
    pub root: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Config file (default: $LAKESCOPE_CONFIG or ~/.config/lakescope/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Theme: dark, light, high-contrast, or a theme file name in the config dir.
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// ASCII borders and markers, for terminals without Unicode.
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Leave the mouse to the terminal (its own selection and paste); keys do everything.
    #[arg(long, global = true)]
    pub no_mouse: bool,
    /// AWS profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, then `default`).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// S3-compatible endpoint (MinIO, Ceph, R2, SeaweedFS, moto…); requests are path-style.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Region of the bucket (default: the profile's, then AWS_REGION).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Allow a plain-HTTP endpoint; only ever to a loopback address.
    #[arg(long, global = true)]
    pub allow_http: bool,
    /// Send unsigned requests (public buckets).
    #[arg(long, global = true)]
    pub no_sign_request: bool,
    /// Refuse every write (compaction, convert, vacuum, recovery), whatever the config says.
    #[arg(long, global = true)]
    pub read_only: bool,
}

/// A lake to open: its URL, how to reach it, and its name when it is a configured lake.
#[derive(Debug, Clone)]
pub struct Target {
    pub root: String,
    pub options: StoreOptions,
    pub name: Option<String>,
    pub read_only: bool,
}

impl Target {
    /// `ROOT` as typed: a configured lake's name (unless a folder of that name exists here), or a
    /// path / URL. Command-line flags override the configuration.
    pub fn resolve(arg: &str, config: &Config, flags: &GlobalArgs) -> Target {
        let named = config.lakes.get(arg).filter(|_| !std::path::Path::new(arg).exists());
        let mut t = match named {
            Some(lake) => Target {
                root: lake.url.clone(),
                options: config.lake_options(lake),
                name: Some(arg.to_string()),
                read_only: lake.read_only,
            },
            None => Target { root: arg.to_string(), options: config.store.clone(), name: None, read_only: false },
        };
        if let Some(p) = &flags.profile {
            t.options.profile = Some(p.clone());
        }
        if let Some(e) = &flags.endpoint {
            t.options.endpoint = Some(e.clone());
        }
        if let Some(r) = &flags.region {
            t.options.region = Some(r.clone());
        }
        t.options.allow_http |= flags.allow_http;
        t.options.anonymous |= flags.no_sign_request;
        t
    }

    pub fn open(&self) -> Result<LakeStore, crate::lake::LakeError> {
        LakeStore::open(LakeUrl::parse(&self.root)?, &self.options)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate the demo lake and open it (or only write it with --generate-only).
    Demo {
        /// Where to write the demo lake (default: ~/.local/share/lakescope/demo-lake).
        dir: Option<String>,
        /// Write the lake and exit without opening the TUI.
        #[arg(long)]
        generate_only: bool,
    },
    /// List the buckets of a lake, or the entries under PATH (bucket/zone/…).
    Ls {
        root: String,
        /// Names from a bucket down, separated by '/'.
        path: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List every table of a lake with its format, bucket, zone and size.
    Tables {
        root: String,
        #[arg(long)]
        json: bool,
    },
    /// Inspect a Parquet file (footer, schema, row groups, column chunks) or a folder of them
    /// (files, storage by column, schema drift). Reads the footer with one ranged GET.
    Parquet {
        file: String,
        /// Row group whose column chunks (and page index) are shown (default 0).
        #[arg(long)]
        row_group: Option<usize>,
        /// Also read and show the page index of that row group.
        #[arg(long)]
        pages: bool,
        #[arg(long)]
        json: bool,
    },
    /// Print rows of one row group of a Parquet file, reading only that row group's chunks.
    Head {
        file: String,
        #[arg(long, default_value_t = 0)]
        row_group: usize,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Top-level columns to read, comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        columns: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// History of a Delta table, newest first: one row per version (from the commit file names)
    /// with its operation, files and rows, checkpoint and readability marks.
    History {
        table: String,
        /// Newest versions to show (default: all).
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// Detail of a Delta table: protocol and features, properties with their defaults, files,
    /// rows, checkpoints and log size, as of the latest version or --as-of a version / timestamp.
    Detail {
        table: String,
        /// A version (12) or a timestamp (2026-11-02T10:00:00Z, 2026-11-02).
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Diff two versions of a Delta table: files added / removed (from the log between them),
    /// schema, properties, protocol and rows (reading only the files that differ).
    Diff {
        table: String,
        v1: String,
        v2: String,
        /// Rows of each side to show; 0 compares files, schema and properties only.
        #[arg(long, default_value_t = 10)]
        rows: usize,
        /// Key columns pairing rows into inserted / deleted / updated, comma-separated.
        #[arg(long, value_delimiter = ',')]
        key: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Run one read-only SQL statement over every table of a lake (`zone.table`; Delta time
    /// travel with `delta_version('zone.table', 12)` or `zone."table@v12"`). Writes the whole
    /// result; the request and byte counts go to stderr.
    Sql {
        root: String,
        query: String,
        #[arg(long, value_enum, default_value_t = sql::OutputFormat::Table)]
        format: sql::OutputFormat,
        /// Write the result to FILE (written aside, then renamed: never half a file).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// Same as --format json.
        #[arg(long)]
        json: bool,
        /// Memory the query may use before it spills, then fails (default: [sql] in the config).
        #[arg(long)]
        memory_limit_mib: Option<u64>,
        /// Rows printed by --format table (the rest are counted).
        #[arg(long)]
        max_rows: Option<usize>,
    },
    /// Diagnostics of a table, a zone, a bucket or the whole lake (PATH: bucket/zone/table, or
    /// nothing): partitions and skew, small files, storage cost, stale bytes, lifecycle — one
    /// table's full report, or the tables below PATH ranked worst first. Reads metadata only.
    Diag {
        root: String,
        /// Names from a bucket down, separated by '/' (default: the whole lake, or the table when
        /// ROOT is one).
        path: Option<String>,
        #[arg(long)]
        json: bool,
        /// Delta tables: read the log only (no listing: stale files from the tombstones alone).
        #[arg(long)]
        log_only: bool,
        /// Price a local lake as a cloud one: s3, gcs or azure.
        #[arg(long, value_name = "PROVIDER")]
        price_as: Option<String>,
        /// Target file size for compaction in MiB (default: the table's, then [diagnostics]).
        #[arg(long, value_name = "MIB")]
        target_file_mib: Option<u64>,
        /// Files under this size (MiB) are small (default: [diagnostics] small_file_mib).
        #[arg(long, value_name = "MIB")]
        small_file_mib: Option<u64>,
    },
    /// Compact a table's small files: a Delta table with delta-rs's optimize (one transaction),
    /// a Parquet dataset with a journaled rewrite verified by checksum. Shows the plan, then asks.
    Compact {
        /// The table, or a lake with PATH naming the table.
        root: String,
        /// bucket/zone/table below ROOT.
        path: Option<String>,
        /// Only partitions matching column=value (repeat to AND them).
        #[arg(long, value_name = "K=V")]
        partition: Vec<String>,
        /// Output file size (default: the table's delta.targetFileSize, then [diagnostics]).
        #[arg(long, value_name = "SIZE")]
        target_size: Option<String>,
        /// Z-order on these columns instead of bin-packing (Delta), comma-separated.
        #[arg(long, value_delimiter = ',')]
        zorder: Vec<String>,
        /// Show the plan and stop.
        #[arg(long)]
        dry_run: bool,
        /// Run without asking.
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Turn a Parquet dataset into a Delta table in place (the files stay; a log is written).
    Convert {
        root: String,
        path: Option<String>,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Delete files a Delta table removed more than the retention ago. Lists them (and the
    /// versions that stop being readable) first.
    Vacuum {
        root: String,
        path: Option<String>,
        /// Retention, e.g. 168h or 7d (default: the table's, 7 days unless it sets one).
        #[arg(long, value_name = "DURATION")]
        retain: Option<String>,
        /// Allow a retention shorter than the table's.
        #[arg(long)]
        override_retention: bool,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Finish or undo a Parquet dataset compaction that was interrupted (from its journal).
    Recover {
        root: String,
        path: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Row count and order-independent checksum of every row of a table (Delta: as of --version),
    /// to prove a rewrite kept the data.
    Checksum {
        root: String,
        path: Option<String>,
        #[arg(long)]
        version: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    /// List the lakes named in the config file.
    Lakes {
        #[arg(long)]
        json: bool,
    },
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page lakescope(1), or write it and one page per command into DIR.
    Man {
        /// Write lakescope.1 and lakescope-COMMAND.1 pages here instead of printing one page.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// The outcome of a headless command: its exit code.
pub type ExitCode = i32;

/// Discover a lake, reporting progress on stderr when it is a terminal.
pub(crate) async fn discover_for_cli(
    target: &Target,
    config: &Config,
) -> anyhow::Result<(Arc<LakeStore>, Arc<Catalog>)> {
    let store = Arc::new(target.open()?);
    let interactive = std::io::stderr().is_terminal();
    let mut on_snapshot = move |c: Arc<Catalog>| {
        if interactive && !c.progress.complete {
            eprint!(
                "\rlisting… {} objects, {} tables ",
                units::count(c.progress.objects),
                units::count(c.table_count())
            );
        }
    };
    let catalog = discover(store.clone(), config.discovery.clone(), CancellationToken::new(), &mut on_snapshot).await;
    if interactive {
        eprint!("\r\x1b[K");
    }
    Ok((store, catalog?))
}

#[derive(Serialize)]
struct TableRow<'a> {
    #[serde(flatten)]
    table: &'a crate::lake::TableEntry,
}

pub async fn tables(target: &Target, json: bool, config: &Config) -> anyhow::Result<ExitCode> {
    let (_, catalog) = discover_for_cli(target, config).await?;
    let mut out = std::io::stdout().lock();
    if json {
        let rows: Vec<TableRow> = catalog.tables().map(|(_, t)| TableRow { table: t }).collect();
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(0);
    }
    let rows: Vec<[String; 8]> = catalog
        .tables()
        .map(|(n, t)| {
            let parts: Vec<String> =
                t.partitions.iter().map(|p| format!("{}:{}", p.name, p.data_type.as_str())).collect();
            [
                format!("{}{}", t.format.as_str(), if n.has_problem() { " !" } else { "" }),
                t.bucket.clone(),
                t.zone.clone().unwrap_or_else(|| "-".into()),
                n.name.clone(),
                units::count(t.files),
                units::bytes(t.bytes),
                if parts.is_empty() { "-".into() } else { crate::ui::truncate(&parts.join(","), 40, "…") },
                if t.path.is_empty() { ".".into() } else { t.path.clone() },
            ]
        })
        .collect();
    print_table(
        &mut out,
        &["FORMAT", "BUCKET", "ZONE", "TABLE", "FILES", "SIZE", "PARTITIONS", "PATH"],
        &rows,
        &[4, 5],
    )?;
    let problems: Vec<(String, Vec<String>)> = catalog
        .tables()
        .filter(|(n, _)| n.has_problem())
        .map(|(n, t)| {
            let mut issues = t.issues.clone();
            if let Some(e) = &n.error {
                issues.insert(0, e.clone());
            }
            (if t.path.is_empty() { n.name.clone() } else { t.path.clone() }, issues)
        })
        .collect();
    for (path, issues) in &problems {
        for i in issues {
            writeln!(out, "! {path}: {i}")?;
        }
    }
    let folder_errors: Vec<String> = catalog
        .nodes
        .iter()
        .filter(|n| n.kind != NodeKind::Table)
        .filter_map(|n| {
            n.error.as_ref().map(|e| format!("! {}: {e}", if n.path.is_empty() { &n.name } else { &n.path }))
        })
        .collect();
    for e in folder_errors {
        writeln!(out, "{e}")?;
    }
    writeln!(
        out,
        "{}, {}, {} listed in {}",
        units::plural(catalog.table_count(), "table"),
        units::plural(catalog.progress.objects, "object"),
        units::bytes(catalog.progress.bytes),
        units::duration_ms(catalog.progress.elapsed_ms)
    )?;
    Ok(0)
}

#[derive(Serialize)]
struct LsRow {
    name: String,
    kind: &'static str,
    path: String,
    tables: u64,
    files: u64,
    bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    issues: Vec<String>,
}

/// The entry `names` lead to in `catalog`; else the error is printed, naming the root.
pub(crate) fn entry(catalog: &Catalog, names: &[String], root: &str) -> Result<crate::lake::NodeId, ExitCode> {
    catalog.resolve(names).ok_or_else(|| {
        eprintln!("error: no entry {:?} in {root} (run `lakescope ls {root}` to see its buckets)", names.join("/"));
        1
    })
}

pub async fn ls(target: &Target, path: Option<&str>, json: bool, config: &Config) -> anyhow::Result<ExitCode> {
    let root = target.root.as_str();
    let (_, catalog) = discover_for_cli(target, config).await?;
    let names: Vec<String> = path.unwrap_or("").split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    let parent = if names.is_empty() {
        None
    } else {
        match entry(&catalog, &names, root) {
            Ok(id) => Some(id),
            Err(code) => return Ok(code),
        }
    };
    let ids: Vec<_> = match parent {
        Some(id) if catalog.node(id).kind == NodeKind::Table => vec![id],
        other => catalog.children(other).to_vec(),
    };
    let rows: Vec<LsRow> = ids
        .iter()
        .map(|id| {
            let n = catalog.node(*id);
            LsRow {
                name: n.name.clone(),
                kind: n.kind.as_str(),
                path: n.path.clone(),
                tables: n.tables_below,
                files: n.files_below,
                bytes: n.bytes_below,
                format: n.table.as_ref().map(|t| t.format.as_str()),
                location: n.table.as_ref().map(|t| t.location.clone()),
                error: n.error.clone(),
                issues: n.table.as_ref().map(|t| t.issues.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(0);
    }
    let text: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                format!("{}{}", r.kind, if r.error.is_some() || !r.issues.is_empty() { " !" } else { "" }),
                if r.kind == "table" { r.name.clone() } else { format!("{}/", r.name) },
                r.format.unwrap_or("-").to_string(),
                units::count(r.tables),
                units::count(r.files),
                units::bytes(r.bytes),
            ]
        })
        .collect();
    print_table(&mut out, &["KIND", "NAME", "FORMAT", "TABLES", "FILES", "SIZE"], &text, &[3, 4, 5])?;
    for r in &rows {
        if let Some(e) = &r.error {
            writeln!(out, "! {}: {e}", r.name)?;
        }
        for i in &r.issues {
            writeln!(out, "! {}: {i}", r.name)?;
        }
    }
    Ok(0)
}

/// The configured lakes, without anything secret (there is nothing secret in them).
pub fn lakes(config: &Config, json: bool) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if json {
        let rows: Vec<serde_json::Value> = config
            .lakes
            .iter()
            .map(|(name, l)| {
                let mut v = serde_json::to_value(l).unwrap_or_default();
                v["name"] = serde_json::Value::String(name.clone());
                v
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(0);
    }
    if config.lakes.is_empty() {
        let path = crate::config::default_config_path().map(|p| p.display().to_string()).unwrap_or_default();
        writeln!(out, "no lakes configured; add [lakes.NAME] sections with a url to {path}")?;
        return Ok(0);
    }
    let rows: Vec<[String; 4]> = config
        .lakes
        .iter()
        .map(|(name, l)| {
            [
                name.clone(),
                l.url.clone(),
                l.profile.clone().unwrap_or_else(|| "-".into()),
                format!("{}{}", if l.read_only { "read-only " } else { "" }, l.description.clone().unwrap_or_default()),
            ]
        })
        .collect();
    print_table(&mut out, &["NAME", "URL", "PROFILE", "NOTES"], &rows, &[])?;
    Ok(0)
}

/// Where `lakescope demo` writes when no DIR is given.
pub fn default_demo_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("lakescope").join("demo-lake")
}

/// Generate the demo lake; returns the root to open.
pub async fn demo(dir: Option<&str>) -> anyhow::Result<String> {
    let root = match dir {
        Some(d) => d.to_string(),
        None => default_demo_dir().display().to_string(),
    };
    if !root.contains("://") {
        std::fs::create_dir_all(&root).map_err(|e| anyhow::anyhow!("cannot create {root}: {e}"))?;
    }
    let store = LakeStore::open_local(&root)?;
    eprintln!("writing the demo lake to {} …", store.display());
    let report = demo::generate(&store).await?;
    eprintln!(
        "demo lake ready: {} tables, {} objects, {} in {}",
        report.tables,
        units::count(report.objects),
        units::bytes(report.bytes),
        units::duration_ms(report.elapsed.as_millis() as u64)
    );
    Ok(root)
}

/// Print aligned columns; `right` lists the columns aligned to the right.
pub(crate) fn print_table<const N: usize>(
    out: &mut impl Write,
    header: &[&str; N],
    rows: &[[String; N]],
    right: &[usize],
) -> std::io::Result<()> {
    for line in units::align_columns(header, rows, right, usize::MAX, "~") {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
