//! The headless commands through the real binary: `ls` and `tables` in text and `--json`,
//! `demo --generate-only`, usage and root errors with their exit codes.

use crate::common;

use assert_cmd::Command;
use common::demo_lake;
use serde_json::Value;

fn lakescope() -> Command {
    let mut cmd = Command::cargo_bin("lakescope").unwrap();
    // Never pick up the developer's own config or colours.
    cmd.env("LAKESCOPE_CONFIG", "").env("XDG_CONFIG_HOME", "/nonexistent").env_remove("NO_COLOR");
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&out)))
}

#[test]
fn tables_json_has_one_object_per_table_with_location_format_bucket_zone() {
    let lake = demo_lake();
    let v = json(lakescope().args(["tables", lake.to_str().unwrap(), "--json"]));
    let tables = v.as_array().expect("an array of tables");
    assert_eq!(tables.len(), 9);
    let find = |bucket: &str, name: &str| {
        tables
            .iter()
            .find(|t| t["bucket"] == bucket && t["name"] == name)
            .unwrap_or_else(|| panic!("{bucket}/{name} missing from {v:#}"))
    };
    let orders = find("acme-lake", "orders");
    assert_eq!(orders["format"], "delta");
    assert_eq!(orders["zone"], "silver");
    let location = orders["location"].as_str().unwrap();
    assert!(location.starts_with("file:///") && location.ends_with("/acme-lake/silver/orders/"), "{location}");
    assert_eq!(orders["delta_log"]["latest_version"], 12);
    assert_eq!(orders["partitions"][0]["name"], "order_date");
    assert_eq!(orders["partitions"][0]["type"], "date");

    let events = find("acme-lake", "events");
    assert_eq!(events["format"], "parquet");
    assert_eq!(events["zone"], "bronze");
    assert_eq!(events["partitions"][0]["distinct"], 14);

    let customers_csv = find("acme-lake", "customers");
    assert_eq!(customers_csv["format"], "csv");
    assert_eq!(customers_csv["files"], 3);
    assert!(customers_csv["location"].as_str().unwrap().ends_with("/acme-lake/raw/customers/"));
    assert_eq!(find("acme-lake", "exchange_rates")["format"], "json");
    assert_eq!(find("acme-lake", "web_events")["format"], "ndjson");
    assert_eq!(find("acme-ml", "customer_features")["zone"], "features");

    // Sizes agree with the files on disk.
    let on_disk: u64 = walk(&lake.join("acme-lake/bronze/events"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert_eq!(events["bytes"].as_u64().unwrap(), on_disk);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

#[test]
fn tables_text_is_aligned_and_summarised() {
    let lake = demo_lake();
    let out = lakescope().args(["tables", lake.to_str().unwrap()]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("FORMAT") && header.contains("BUCKET") && header.contains("ZONE") && header.contains("PATH")
    );
    let orders = text.lines().find(|l| l.contains("silver/orders")).expect("orders row");
    let cols: Vec<&str> = orders.split_whitespace().collect();
    assert_eq!(&cols[..4], &["delta", "acme-lake", "silver", "orders"]);
    assert!(text.lines().last().unwrap().starts_with("9 tables, "), "{text}");
}

#[test]
fn ls_lists_buckets_then_zones() {
    let lake = demo_lake();
    let root = lake.to_str().unwrap();
    let v = json(lakescope().args(["ls", root, "--json"]));
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["acme-lake", "acme-ml"]);
    assert!(v.as_array().unwrap().iter().all(|e| e["kind"] == "bucket"));
    assert_eq!(v[0]["tables"], 8);

    let v = json(lakescope().args(["ls", root, "acme-lake/silver", "--json"]));
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|e| e["kind"] == "table" && e["format"] == "delta"));

    let out = lakescope().args(["ls", root, "acme-lake"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    let zones: Vec<&str> = text.lines().skip(1).map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    assert_eq!(zones, vec!["raw/", "bronze/", "silver/", "gold/"]);
}

#[test]
fn ls_of_a_missing_entry_fails_clearly() {
    let lake = demo_lake();
    let out =
        lakescope().args(["ls", lake.to_str().unwrap(), "acme-lake/platinum"]).assert().code(1).get_output().clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no entry \"acme-lake/platinum\""), "{err}");
}

#[test]
fn a_nonexistent_root_is_a_clear_error() {
    for cmd in [vec!["tables", "/no/such/lake"], vec!["ls", "/no/such/lake", "--json"], vec!["/no/such/lake"]] {
        let out = lakescope().args(&cmd).assert().code(1).get_output().clone();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim(), "error: lake root /no/such/lake does not exist", "{cmd:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn bad_urls_and_files_are_explained() {
    let out = lakescope().args(["tables", "ftp://x/y"]).assert().code(1).get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scheme \"ftp\""));
    let file = demo_lake().join("acme-lake/raw/products.csv");
    let out = lakescope().args(["tables", file.to_str().unwrap()]).assert().code(1).get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a file, not a folder"));
}

#[test]
fn usage_errors_exit_with_2() {
    lakescope().args(["tables"]).assert().code(2);
    lakescope().args(["frobnicate", "--json", "x"]).assert().code(2);
    let out = lakescope().assert().code(2).get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("lakescope demo"));
}

#[test]
fn help_lists_the_commands() {
    let out = lakescope().arg("--help").assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    for c in ["demo", "ls", "tables", "--ascii", "--theme"] {
        assert!(text.contains(c), "{c} missing from --help:\n{text}");
    }
}

#[test]
fn a_broken_config_file_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[discovery]\nmax_depth = \"deep\"\n").unwrap();
    let out = lakescope()
        .args(["--config", cfg.to_str().unwrap(), "tables", demo_lake().to_str().unwrap()])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(cfg.to_str().unwrap()) && err.contains("line 2"), "{err}");
}

#[test]
fn demo_generate_only_writes_a_lake_and_refuses_foreign_folders() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("lake");
    let out =
        lakescope().args(["demo", "--generate-only", target.to_str().unwrap()]).assert().success().get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("demo lake ready: 9 tables"));
    assert!(target.join("acme-lake/silver/orders/_delta_log/00000000000000000012.json").exists());
    // Running it again replaces the previous demo (it carries the marker).
    lakescope().args(["demo", "--generate-only", target.to_str().unwrap()]).assert().success();
    // A folder with someone's data in it is never overwritten.
    let foreign = dir.path().join("precious");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("data.csv"), "a\n1\n").unwrap();
    let out =
        lakescope().args(["demo", "--generate-only", foreign.to_str().unwrap()]).assert().code(1).get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to write a demo lake over it"));
    assert_eq!(std::fs::read_to_string(foreign.join("data.csv")).unwrap(), "a\n1\n");
}

#[test]
fn the_browser_without_a_terminal_says_so_instead_of_panicking() {
    let out = lakescope().arg(demo_lake().to_str().unwrap()).assert().code(1).get_output().clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("needs a terminal") && err.contains("tables ROOT --json"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn config_with_lakes(dir: &std::path::Path) -> std::path::PathBuf {
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[lakes.demo]\nurl = \"{}\"\ndescription = \"the demo lake\"\n\n[lakes.prod]\nurl = \"s3://acme-lake\"\nprofile = \"prod\"\nread_only = true\n",
            demo_lake().display()
        ),
    )
    .unwrap();
    cfg
}

#[test]
fn named_lakes_are_listed_and_opened_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_with_lakes(dir.path());
    let v = json(lakescope().args(["--config", cfg.to_str().unwrap(), "lakes", "--json"]));
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["demo", "prod"]);
    assert_eq!(v[1]["read_only"], true);
    assert_eq!(v[1]["profile"], "prod");
    // `tables demo` opens the lake named demo.
    let v = json(lakescope().args(["--config", cfg.to_str().unwrap(), "tables", "demo", "--json"]));
    assert_eq!(v.as_array().unwrap().len(), 9);
    // A name that is neither a lake nor a path is an error about the path.
    let out = lakescope()
        .args(["--config", cfg.to_str().unwrap(), "tables", "staging"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("lake root staging does not exist"));
}

#[test]
fn plain_http_endpoints_are_refused_unless_allowed_and_loopback() {
    let out = lakescope()
        .args(["tables", "s3://b", "--endpoint", "http://127.0.0.1:9"])
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("allow it with --allow-http"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = lakescope()
        .args(["tables", "s3://b", "--endpoint", "http://10.1.2.3:9000", "--allow-http"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("only allowed to a loopback address"));
}

#[test]
fn an_unknown_profile_is_named_with_the_files_looked_at() {
    let dir = tempfile::tempdir().unwrap();
    let out = lakescope()
        .args(["tables", "s3://b", "--profile", "nope"])
        .env("AWS_CONFIG_FILE", dir.path().join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("credentials"))
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no profile \"nope\"") && err.contains("credentials"), "{err}");
}

/// What an installed CLI comes with: completions and man pages from the binary itself, even with
/// a config file that does not parse (a package build must not depend on one).
#[test]
fn completions_and_man_pages_come_from_the_binary_whatever_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("config.toml");
    std::fs::write(&bad, "this is = = not toml").unwrap();
    let out = lakescope().args(["completions", "bash"]).env("LAKESCOPE_CONFIG", &bad).assert().success();
    let script = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(script.contains("complete -F _lakescope") && script.contains("compact"), "{script:.300}");
    let out = lakescope().arg("man").env("LAKESCOPE_CONFIG", &bad).assert().success();
    let page = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(page.contains(".TH lakescope 1") && page.contains(".SH SUBCOMMANDS"), "{page:.300}");
    let man1 = dir.path().join("man1");
    lakescope().args(["man", "--dir", man1.to_str().unwrap()]).assert().success();
    let sql = std::fs::read_to_string(man1.join("lakescope-sql.1")).unwrap();
    assert!(sql.contains("delta_version"), "the sql page has the command's own help");
    lakescope().args(["completions", "tcsh"]).assert().code(2);
}
