//! The write actions in the TUI, driven with real key events on a copy of the demo lake at 80x24:
//! `c` shows the compaction plan and `y` runs it as a background job, ending with the
//! diagnostics before / after and the same rows; any other key cancels and changes nothing; a
//! read-only lake is refused on screen; `V` shows a vacuum dry run and a typed retention re-plans
//! it with that override.

use crate::common;

use std::path::Path;
use std::sync::Arc;

use common::*;
use lakescope::config::Config;
use lakescope::lake::LakeStore;
use lakescope::lake::maintain::checksum::table_checksum;
use lakescope::state::write::Stage;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() { copy_dir(&p, &dest) } else { std::fs::copy(&p, &dest).map(|_| ()).unwrap() }
    }
}

fn lake_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(demo_lake(), tmp.path());
    tmp
}

async fn sum(app: &lakescope::app::App, root: &Path, location: &str) -> lakescope::lake::maintain::Checksum {
    let store = Arc::new(LakeStore::open_local(root.to_str().unwrap()).unwrap());
    table_checksum(store, &app.state.catalog, location, None).await.unwrap()
}

fn count_files(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            n += count_files(&e.path());
        } else {
            n += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_shows_the_plan_and_y_compacts_with_before_and_after() {
    let (w, h) = (80, 24);
    let tmp = lake_copy();
    let mut app = app(tmp.path(), w, h);
    settle(&mut app).await;
    keys(&mut app, "l j l");
    assert_eq!(selected(&app).as_deref(), Some("events"));
    let location = app.state.selected_table().unwrap().location.clone();
    let before = sum(&app, tmp.path(), &location).await;
    let events = tmp.path().join("acme-lake/bronze/events");
    let files = count_files(&events);

    // Any key but y: nothing happens.
    keys(&mut app, "c");
    settle(&mut app).await;
    assert!(matches!(app.state.write().unwrap().stage, Stage::Confirm(_)));
    keys(&mut app, "n");
    assert!(app.state.write().is_none());
    assert_eq!(count_files(&events), files, "cancelled: nothing written");

    keys(&mut app, "c");
    assert!(matches!(app.state.write().unwrap().stage, Stage::Planning), "planning is a background job");
    settle(&mut app).await;
    let s = screen(&app, w, h);
    assert!(s.contains("compact acme-lake.bronze.events") && s.contains("183 files"), "{s}");
    assert!(s.contains("y runs it"), "{s}");
    assert!(s.contains("count rows"), "the duplicate warning wraps onto the screen:\n{s}");
    keys(&mut app, "y");
    assert!(matches!(app.state.write().unwrap().stage, Stage::Running(..)));
    let s = screen(&app, w, h);
    assert!(s.contains("esc cancels"), "{s}");
    settle(&mut app).await;
    let s = screen(&app, w, h);
    assert!(matches!(app.state.write().unwrap().stage, Stage::Done(_)), "{s}");
    assert!(s.contains("BEFORE") && s.contains("AFTER") && s.contains("183 → 14 files"), "{s}");
    // The listing is made again after a rewrite: the browser shows the new files.
    assert_eq!(app.state.selected_table().map(|t| t.files), Some(14), "the lake was listed again");
    assert_eq!(sum(&app, tmp.path(), &location).await, before, "the same rows, once each");
    keys(&mut app, "x");
    assert!(app.state.write().is_none(), "any key closes the outcome");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_lake_is_refused_on_screen() {
    let (w, h) = (80, 24);
    let tmp = lake_copy();
    let mut config = Config::defaults();
    config.maintenance.read_only = true;
    let mut app = app_with(tmp.path(), w, h, config);
    settle(&mut app).await;
    keys(&mut app, "l j l c");
    settle(&mut app).await;
    let s = screen(&app, w, h);
    assert!(s.contains("refused") && s.contains("read-only"), "{s}");
    let files = count_files(&tmp.path().join("acme-lake/bronze/events"));
    keys(&mut app, "y");
    assert!(app.state.write().is_some(), "y on a refused plan runs nothing");
    keys(&mut app, "<esc>");
    assert!(app.state.write().is_none(), "esc closes it");
    settle(&mut app).await;
    assert_eq!(count_files(&tmp.path().join("acme-lake/bronze/events")), files);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v_dry_runs_and_a_typed_retention_replans_the_vacuum() {
    let (w, h) = (80, 24);
    let tmp = lake_copy();
    let mut app = app(tmp.path(), w, h);
    settle(&mut app).await;
    keys(&mut app, "l j j l");
    if selected(&app).as_deref() != Some("orders") {
        keys(&mut app, "j");
    }
    assert_eq!(selected(&app).as_deref(), Some("orders"));
    let location = app.state.selected_table().unwrap().location.clone();
    let before = sum(&app, tmp.path(), &location).await;
    keys(&mut app, "V");
    settle(&mut app).await;
    let s = screen(&app, w, h);
    assert!(
        s.contains("nothing to delete"),
        "7 days: nothing yet\n{s}\n{:?}\n{:?}",
        app.state.write(),
        app.state.message
    );
    // A retention typed on the dry run re-plans with it (the typed value is the override).
    keys(&mut app, "0 h");
    let s = screen(&app, w, h);
    assert!(s.contains("retention: 0h_"), "{s}");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    let s = screen(&app, w, h);
    assert!(s.contains("BELOW the table's 168 h") && s.contains("delete 13 files"), "{s}");
    keys(&mut app, "y");
    settle(&mut app).await;
    let s = screen(&app, w, h);
    assert!(s.contains("vacuumed") && s.contains("deleted 13 files"), "{s}");
    assert_eq!(sum(&app, tmp.path(), &location).await, before, "the current version keeps every row");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compaction_from_the_diagnostics_refreshes_them_and_keeps_the_selection() {
    let (w, h) = (80, 24);
    let tmp = lake_copy();
    let mut app = app(tmp.path(), w, h);
    settle(&mut app).await;
    keys(&mut app, "l j l D");
    settle(&mut app).await;
    let s = screen(&app, w, h);
    assert!(s.contains("183 files"), "{s}");
    // The file sizes tab: c compacts the whole table (on a partition, only that partition).
    keys(&mut app, "<tab> <tab> c");
    settle(&mut app).await;
    keys(&mut app, "y");
    settle(&mut app).await;
    assert!(matches!(app.state.write().unwrap().stage, Stage::Done(_)));
    keys(&mut app, "<esc>");
    settle(&mut app).await;
    // The diagnostics read the table again: its new numbers, not the ones from before.
    let v = app.state.diag().expect("the diagnostics stay open");
    let o = v.open.as_ref().expect("on the same table");
    assert_eq!(o.diag.totals.files, 14, "{:?}", o.diag.totals);
    let s = screen(&app, w, h);
    assert!(!s.contains("183 files") && s.contains("14 files"), "{s}");
    // No detail was read from the catalog listed before the rewrite (its files are gone).
    assert!(app.state.message.as_ref().is_none_or(|m| !m.text.contains("gone")), "{:?}", app.state.message);
    assert!(
        !matches!(app.state.detail_of(&o.diag.location), Some(lakescope::state::DetailSlot::Failed(_))),
        "{:?}",
        app.state.detail_of(&o.diag.location)
    );
    // And the browser is still on the table that was compacted.
    assert_eq!(selected(&app).as_deref(), Some("events"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_on_a_csv_table_and_big_c_on_a_delta_table_are_refused_before_any_plan() {
    let (w, h) = (80, 24);
    let tmp = lake_copy();
    let mut app = app(tmp.path(), w, h);
    settle(&mut app).await;
    keys(&mut app, "l l");
    assert_eq!(selected(&app).as_deref(), Some("customers"));
    keys(&mut app, "c");
    assert!(app.state.write().is_none(), "no plan for a table that cannot be compacted");
    let m = app.state.message.as_ref().unwrap();
    assert!(m.text.contains("refused") && m.text.contains("csv"), "{m:?}");
    keys(&mut app, "h j j l j C");
    assert_eq!(selected(&app).as_deref(), Some("orders"));
    assert!(app.state.write().is_none());
    assert!(app.state.message.as_ref().unwrap().text.contains("already a Delta table"));
}
