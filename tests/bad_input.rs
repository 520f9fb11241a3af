//! Bad input loses nothing: an unreadable folder, a `_delta_log` with a corrupt JSON line and a
//! zero-byte `.parquet` file each get an error badge on their own entry, and the rest of the lake
//! stays browsable — in the TUI (driven by keys) and in the headless commands.

use crate::common;

use std::path::Path;
use std::sync::Arc;

use arrow::array::{Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use assert_cmd::Command;
use common::*;
use lakescope::state::DetailSlot;

/// A Delta table with two commits, written by deltalake.
async fn delta_table(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let schema =
        Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false), Field::new("name", DataType::Utf8, true)]));
    let batch = |ids: Vec<i64>| {
        let names: Vec<String> = ids.iter().map(|i| format!("n{i}")).collect();
        RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(ids)), Arc::new(StringArray::from(names))])
            .unwrap()
    };
    let url = url::Url::from_directory_path(dir).unwrap();
    let t = deltalake::DeltaTableBuilder::from_url(url).unwrap().build().unwrap();
    let t = t.write(vec![batch(vec![1, 2, 3])]).await.unwrap();
    t.write(vec![batch(vec![4, 5])]).with_save_mode(deltalake::protocol::SaveMode::Append).await.unwrap();
}

/// A lake with one healthy and one broken entry of each kind.
async fn broken_lake() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // silver: a good Delta table and one whose latest commit has a corrupt JSON line.
    delta_table(&root.join("silver/good")).await;
    delta_table(&root.join("silver/broken")).await;
    let commit = root.join("silver/broken/_delta_log/00000000000000000001.json");
    let mut text = std::fs::read_to_string(&commit).unwrap();
    text.push_str("{\"add\": {\"path\": \"part-0.parquet\", \"size\": 12, \"modificationTime\n");
    std::fs::write(&commit, text).unwrap();
    // bronze: a zero-byte Parquet file next to a healthy dataset.
    std::fs::create_dir_all(root.join("bronze/clicks")).unwrap();
    std::fs::copy(
        root.join("silver/good").join(first_parquet(&root.join("silver/good"))),
        root.join("bronze/clicks/part-0.parquet"),
    )
    .unwrap();
    std::fs::write(root.join("bronze/empty.parquet"), b"").unwrap();
    // raw: a folder object_store cannot list (a file name that is not UTF-8), and a good one.
    std::fs::create_dir_all(root.join("raw/orders")).unwrap();
    std::fs::write(root.join("raw/orders/orders_2026-11-01.csv"), "id,amount\n1,9.5\n").unwrap();
    std::fs::create_dir_all(root.join("raw/legacy")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"export_\xff.csv");
        std::fs::write(root.join("raw/legacy").join(name), "a\n1\n").unwrap();
    }
    dir
}

fn first_parquet(dir: &Path) -> String {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".parquet"))
        .unwrap()
}

/// The list row showing `name` (not a border title that happens to contain it).
fn line_of<'a>(screen: &'a str, name: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(&format!("│{name}")) || l.contains(&format!("│! {name}")))
        .unwrap_or_else(|| panic!("{name} not on screen:\n{screen}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_broken_entry_gets_a_badge_and_the_rest_stays_browsable() {
    let lake = broken_lake().await;
    let mut app = app(lake.path(), 120, 40);
    settle(&mut app).await;
    assert_eq!(column(&app), vec![lake.path().file_name().unwrap().to_string_lossy().to_string()]);
    keys(&mut app, "l");
    assert_eq!(column(&app), vec!["raw", "bronze", "silver"]);

    // raw: the unlistable folder is flagged on its own line; its sibling lists fine.
    keys(&mut app, "l");
    settle(&mut app).await;
    let text = screen(&app, 120, 40);
    assert!(line_of(&text, "legacy/").contains("! legacy/"), "{text}");
    assert!(!line_of(&text, "orders").contains('!'), "{text}");
    keys(&mut app, "j");
    settle(&mut app).await;
    assert_eq!(selected(&app).as_deref(), Some("orders"));
    let text = screen(&app, 120, 40);
    assert!(text.contains("schema · 2 columns"), "the healthy sibling still reads:\n{text}");

    // bronze: the zero-byte file is its own table, with a badge and the reason.
    keys(&mut app, "h j l");
    settle(&mut app).await;
    let text = screen(&app, 120, 40);
    assert!(line_of(&text, "empty").contains("! empty"), "{text}");
    assert!(!line_of(&text, "clicks").contains('!'), "{text}");
    keys(&mut app, "j");
    settle(&mut app).await;
    assert_eq!(selected(&app).as_deref(), Some("empty"));
    let text = screen(&app, 120, 40);
    assert!(text.contains("too small to be valid"), "{text}");

    // silver: the corrupt log fails to load (prefetched, so the badge shows without opening it).
    keys(&mut app, "h j l");
    settle(&mut app).await;
    let text = screen(&app, 120, 40);
    assert!(line_of(&text, "broken").contains("! broken"), "{text}");
    assert!(!line_of(&text, "good").contains('!'), "{text}");
    let broken = app.state.selected_table().unwrap().clone();
    assert_eq!(broken.name, "broken");
    let Some(DetailSlot::Failed(reason)) = app.state.detail_of(&broken.location) else {
        panic!("broken table: {:?}", app.state.detail_of(&broken.location))
    };
    assert!(reason.contains("cannot read") && reason.contains("broken"), "{reason}");
    assert!(!reason.contains("buoyant_kernel::") && !reason.contains('\n'), "no backtrace in messages: {reason}");
    let text = screen(&app, 120, 40);
    assert!(text.contains("! cannot read this table"), "{text}");
    // The status bar says what went wrong until the next key.
    let msg = app.state.message.as_ref().unwrap();
    assert!(msg.text.starts_with("broken:"), "{}", msg.text);
    // The good table next to it reads normally, and the app still answers keys.
    keys(&mut app, "j");
    settle(&mut app).await;
    let text = screen(&app, 120, 40);
    assert!(text.contains("live       v1 · 2 files") && text.contains("rows       5"), "{text}");
    assert!(app.state.message.is_none(), "an old error does not stay after later keys");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_commands_report_problems_and_keep_going() {
    let lake = broken_lake().await;
    let out = Command::cargo_bin("lakescope")
        .unwrap()
        .env("LAKESCOPE_CONFIG", "")
        .args(["tables", lake.path().to_str().unwrap()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for table in ["raw/orders", "bronze/clicks", "silver/good", "silver/broken"] {
        assert!(text.contains(table), "{table} missing:\n{text}");
    }
    assert!(text.contains("! raw/legacy: cannot list this folder"), "{text}");
    assert!(text.contains("! bronze/empty.parquet: 1 Parquet file(s) too small to be valid"), "{text}");
}

/// Run a command as an unprivileged user when the tests run as root (root reads any folder).
fn unprivileged(cmd: &mut std::process::Command) -> Option<std::process::Command> {
    let uid = std::process::Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some(std::mem::replace(cmd, std::process::Command::new("true")));
    }
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].into_iter().find(|p| Path::new(p).exists())?;
    let mut wrapped = std::process::Command::new(setpriv);
    wrapped
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => wrapped.env(k, v),
            None => wrapped.env_remove(k),
        };
    }
    Some(wrapped)
}

#[test]
fn a_folder_without_read_permission_is_flagged_and_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for d in ["raw/public", "raw/private"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(root.join("raw/public/events_2026-11-01.csv"), "a,b\n1,2\n").unwrap();
    std::fs::write(root.join("raw/private/salaries.csv"), "a,b\n1,2\n").unwrap();
    for d in ["", "raw", "raw/public"] {
        std::fs::set_permissions(root.join(d), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(root.join("raw/public/events_2026-11-01.csv"), std::fs::Permissions::from_mode(0o644))
        .unwrap();
    std::fs::set_permissions(root.join("raw/private"), std::fs::Permissions::from_mode(0o000)).unwrap();

    let bin = assert_cmd::cargo::cargo_bin("lakescope");
    let mut cmd = std::process::Command::new(&bin);
    cmd.env("LAKESCOPE_CONFIG", "").args(["tables", root.to_str().unwrap()]);
    let Some(mut cmd) = unprivileged(&mut cmd) else {
        panic!("running as root without setpriv: cannot make a folder unreadable");
    };
    let out = cmd.output().unwrap();
    std::fs::set_permissions(root.join("raw/private"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("raw/public"), "the readable sibling is listed:\n{text}");
    assert!(!text.contains("salaries"), "{text}");
    assert!(text.contains("! raw/private: cannot list this folder: permission denied"), "{text}");
}
