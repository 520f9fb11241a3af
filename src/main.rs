//! The lakescope binary: parse the command line, load the config, then run a headless command or
//! the TUI. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use lakescope::cli::{self, Cli, Command, Target};
use lakescope::config::{self, Config};
use lakescope::tui;

fn main() -> ExitCode {
    let args = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {}", lakescope::lake::error::describe(e.as_ref()));
            ExitCode::from(1)
        }
    }
}

async fn run(args: Cli) -> anyhow::Result<i32> {
    // Completions and man pages need neither the config nor a lake (a broken config must not
    // stop a package build from generating them).
    match &args.command {
        Some(Command::Completions { shell }) => {
            cli::install::print(&cli::install::completions(*shell))?;
            return Ok(0);
        }
        Some(Command::Man { dir: None }) => {
            cli::install::print(&cli::install::man_page()?)?;
            return Ok(0);
        }
        Some(Command::Man { dir: Some(dir) }) => {
            for file in cli::install::man_pages(dir)? {
                println!("{}", file.display());
            }
            return Ok(0);
        }
        _ => {}
    }
    // Secrets in the environment are masked in every message from here on.
    lakescope::lake::store::redact::register_env();
    let mut config = Config::load(args.global.config.as_deref())?;
    if let Some(t) = &args.global.theme {
        config.theme = t.clone();
    }
    config.ascii |= args.global.ascii;
    config.mouse &= !args.global.no_mouse;
    let g = &args.global;
    match args.command {
        Some(Command::Tables { root, json }) => cli::tables(&Target::resolve(&root, &config, g), json, &config).await,
        Some(Command::Ls { root, path, json }) => {
            cli::ls(&Target::resolve(&root, &config, g), path.as_deref(), json, &config).await
        }
        Some(Command::Lakes { json }) => cli::lakes(&config, json),
        Some(Command::Compact { root, path, partition, target_size, zorder, dry_run, yes, json }) => {
            let mut opts = lakescope::lake::maintain::CompactOptions { zorder, ..Default::default() };
            for p in &partition {
                match lakescope::lake::maintain::CompactOptions::parse_partition(p) {
                    Ok(kv) => opts.partitions.push(kv),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return Ok(2);
                    }
                }
            }
            if let Some(t) = &target_size {
                match lakescope::lake::units::parse_bytes(t) {
                    Ok(v) => opts.target_size = Some(v),
                    Err(e) => {
                        eprintln!("error: --target-size: {e}");
                        return Ok(2);
                    }
                }
            }
            let confirm = cli::maintain::Confirm { dry_run, yes, json };
            let target = Target::resolve(&root, &config, g);
            cli::maintain::compact(&target, path.as_deref(), &opts, confirm, g.read_only, &config).await
        }
        Some(Command::Convert { root, path, dry_run, yes, json }) => {
            let confirm = cli::maintain::Confirm { dry_run, yes, json };
            cli::maintain::convert(&Target::resolve(&root, &config, g), path.as_deref(), confirm, g.read_only, &config)
                .await
        }
        Some(Command::Vacuum { root, path, retain, override_retention, dry_run, yes, json }) => {
            let confirm = cli::maintain::Confirm { dry_run, yes, json };
            let target = Target::resolve(&root, &config, g);
            cli::maintain::vacuum(
                &target,
                path.as_deref(),
                retain.as_deref(),
                override_retention,
                confirm,
                g.read_only,
                &config,
            )
            .await
        }
        Some(Command::Recover { root, path, json }) => {
            cli::maintain::recover(&Target::resolve(&root, &config, g), path.as_deref(), json, g.read_only, &config)
                .await
        }
        Some(Command::Checksum { root, path, version, json }) => {
            cli::maintain::checksum(&Target::resolve(&root, &config, g), path.as_deref(), version, json, &config).await
        }
        Some(Command::Diag { root, path, json, log_only, price_as, target_file_mib, small_file_mib }) => {
            let args = cli::diag::DiagArgs { json, log_only, price_as, target_file_mib, small_file_mib };
            cli::diag::run(&Target::resolve(&root, &config, g), path.as_deref(), &args, &config).await
        }
        Some(Command::Parquet { file, row_group, pages, json }) => {
            let concurrency = config.inspector.footer_concurrency;
            cli::parquet::parquet(&Target::resolve(&file, &config, g), row_group, pages, json, concurrency).await
        }
        Some(Command::Head { file, row_group, limit, columns, json }) => {
            let limit_bytes = config.inspector.preview_memory_bytes() as u64;
            cli::parquet::head(&Target::resolve(&file, &config, g), row_group, limit, &columns, json, limit_bytes).await
        }
        Some(Command::History { table, limit, json }) => {
            cli::delta::history(&Target::resolve(&table, &config, g), limit, json).await
        }
        Some(Command::Detail { table, as_of, json }) => {
            cli::delta::detail(&Target::resolve(&table, &config, g), as_of.as_deref(), json).await
        }
        Some(Command::Diff { table, v1, v2, rows, key, json }) => {
            cli::delta::diff(&Target::resolve(&table, &config, g), &v1, &v2, rows, key, json).await
        }
        Some(Command::Sql { root, query, format, output, json, memory_limit_mib, max_rows }) => {
            let mut opts = config.sql.clone();
            if let Some(m) = memory_limit_mib {
                opts.memory_limit_mib = m.max(1);
            }
            if let Some(r) = max_rows {
                opts.max_rows = r;
            }
            let format = if json { cli::sql::OutputFormat::Json } else { format };
            let target = Target::resolve(&root, &config, g);
            cli::sql::run(&target, &query, format, output.as_deref(), &opts, &config).await
        }
        Some(Command::Demo { dir, generate_only }) => {
            let root = cli::demo(dir.as_deref()).await?;
            if generate_only {
                return Ok(0);
            }
            let target = Target::resolve(&root, &config, g);
            open(&target, config, g.read_only).await
        }
        // Answered above, before the config was read.
        Some(Command::Completions { .. } | Command::Man { .. }) => Ok(0),
        None => match &args.root {
            Some(root) => {
                let target = Target::resolve(root, &config, g);
                open(&target, config, g.read_only).await
            }
            None if !config.lakes.is_empty() => {
                let Some(name) = tui::pick_lake(&config, config::no_color())? else { return Ok(0) };
                let target = Target::resolve(&name, &config, g);
                open(&target, config, g.read_only).await
            }
            None => {
                eprintln!(
                    "usage: lakescope ROOT   (a path, file://, s3://, gs:// or az:// URL, or a lake named in the config)"
                );
                eprintln!("       lakescope demo   (generate a demo lake and open it)");
                eprintln!("       lakescope --help");
                Ok(2)
            }
        },
    }
}

async fn open(target: &Target, mut config: Config, read_only: bool) -> anyhow::Result<i32> {
    let store = target.open()?;
    // A lake marked read-only in the config, or --read-only: the TUI refuses every write too.
    if target.read_only {
        config.maintenance.read_only = true;
        config.lake = target.name.clone();
    }
    config.maintenance.read_only |= read_only;
    tui::run(store, config, config::no_color()).await?;
    Ok(0)
}
