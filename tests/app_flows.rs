//! Headless app flows: the real `App` over a real local lake, driven by key events, waiting for
//! "jobs idle" (never fixed sleeps), asserting on state and on the rendered frame.

use crate::common;

use common::*;
use lakescope::config::Config;
use lakescope::lake::{LakeStore, TableFormat};
use lakescope::state::{DetailSlot, Focus, Layer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigate_to_the_silver_delta_table_and_read_its_detail() {
    let lake = demo_lake();
    let mut app = app(lake, 120, 40);
    settle(&mut app).await;
    assert_eq!(column(&app), vec!["acme-lake", "acme-ml"]);

    keys(&mut app, "l");
    assert_eq!(column(&app), vec!["raw", "bronze", "silver", "gold"], "zones in medallion order");
    keys(&mut app, "j j l");
    assert_eq!(column(&app), vec!["customers", "orders"]);
    keys(&mut app, "j");
    assert_eq!(selected(&app).as_deref(), Some("orders"));
    settle(&mut app).await;

    let t = app.state.selected_table().expect("a table is selected").clone();
    assert_eq!(t.format, TableFormat::Delta);
    assert_eq!(t.zone.as_deref(), Some("silver"));
    assert_eq!(t.bucket, "acme-lake");
    let log = t.delta_log.as_ref().expect("delta log listing");
    assert_eq!(log.latest_version, Some(12));
    assert_eq!(log.commits, 13);
    assert_eq!(log.checkpoints, 1);
    assert_eq!(t.partitions.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["order_date"]);

    let Some(DetailSlot::Ready(detail)) = app.state.detail_of(&t.location) else {
        panic!("detail not loaded: {:?}", app.state.detail_of(&t.location));
    };
    let delta = detail.delta.as_ref().expect("delta summary");
    assert_eq!(delta.version, 12);
    assert_eq!(delta.partition_columns, vec!["order_date".to_string()]);
    let cols: Vec<&str> = detail.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, vec!["order_id", "customer_id", "order_ts", "status", "amount", "order_date", "discount"]);

    let text = screen(&app, 120, 40);
    for expected in [
        "╭ orders",
        "delta",
        "acme-lake › silver",
        "delta · v12 · 13 commits · 1 checkpoint",
        "live       v12 · 10 files",
        "rows       963",
        "schema · 7 columns",
        "discount",
        "order_date",
        "partition",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the detail pane:\n{text}");
    }
    assert!(text.contains(" acme-lake › silver › orders"), "breadcrumb:\n{text}");

    // Enter focuses the detail; j scrolls it; h goes back to the list.
    keys(&mut app, "l j");
    assert_eq!(app.state.focus, Focus::Detail);
    assert_eq!(app.state.detail_scroll, 1);
    keys(&mut app, "h");
    assert_eq!(app.state.focus, Focus::List);
    assert_eq!(selected(&app).as_deref(), Some("orders"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_zone_shows_what_it_should() {
    let mut app = app(demo_lake(), 120, 40);
    settle(&mut app).await;
    keys(&mut app, "l l");
    assert_eq!(column(&app), vec!["customers", "exchange_rates", "products", "web_events"]);
    keys(&mut app, "h j l");
    settle(&mut app).await;
    let events = app.state.selected_table().unwrap().clone();
    assert_eq!(events.format, TableFormat::Parquet);
    assert_eq!(events.partitions[0].name, "date");
    assert_eq!(events.partitions[0].distinct, 14);
    assert!(events.files > 150, "bronze is made of many small files: {}", events.files);
    let text = screen(&app, 120, 40);
    assert!(text.contains("date: date (14)"), "{text}");
    assert!(text.contains("schema · 7 columns"), "6 data columns + the date partition:\n{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_and_command_line_work_in_the_app() {
    let mut app = app(demo_lake(), 80, 24);
    settle(&mut app).await;
    keys(&mut app, "l /");
    assert_eq!(app.state.layer(), Layer::Prompt);
    type_text(&mut app, "gol");
    assert_eq!(column(&app), vec!["gold"]);
    let text = screen(&app, 80, 24);
    assert!(text.lines().last().unwrap().starts_with("/gol"), "the filter is typed on the status line:\n{text}");
    keys(&mut app, "<enter>");
    assert_eq!(app.state.layer(), Layer::Browser);
    keys(&mut app, "<esc>");
    assert_eq!(column(&app).len(), 4, "esc clears the filter");

    keys(&mut app, ":");
    type_text(&mut app, "cd acme-ml/features/customer_features");
    keys(&mut app, "<enter>");
    assert_eq!(selected(&app).as_deref(), Some("customer_features"));
    settle(&mut app).await;
    let text = screen(&app, 80, 24);
    assert!(text.contains("churn_score"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_overlay_is_generated_from_the_keymap() {
    let mut app = app(demo_lake(), 120, 40);
    settle(&mut app).await;
    keys(&mut app, "?");
    assert_eq!(app.state.layer(), Layer::Help);
    let text = screen(&app, 120, 40);
    for (keys, desc) in [("j down", "next entry"), ("/", "filter the current column"), ("q", "quit")] {
        let line = text.lines().find(|l| l.contains(desc)).unwrap_or_else(|| panic!("{desc:?} not in help:\n{text}"));
        assert!(line.contains(keys), "{line}");
    }
    // A user binding shows up in the help too.
    let user = r#"
[[keymap.browser]]
on = ["J"]
run = "page_down"
desc = "jump a page"
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, user).unwrap();
    let config = Config::load(Some(&path)).unwrap();
    let mut app = app_with(demo_lake(), 120, 40, config);
    settle(&mut app).await;
    keys(&mut app, "?");
    let text = screen(&app, 120, 40);
    assert!(text.lines().any(|l| l.contains("J ") && l.contains("jump a page")), "{text}");
    keys(&mut app, "<esc>");
    assert_eq!(app.state.layer(), Layer::Browser);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_cancels_a_listing_and_r_lists_again() {
    // A lake with thousands of folders takes long enough to list that Esc lands mid-way.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3000 {
        let d = dir.path().join(format!("bucket/raw/feed_{i:04}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("data_2026-11-01.csv"), "id,value\n1,2\n").unwrap();
    }
    let mut app = app(dir.path(), 80, 24);
    keys(&mut app, "<esc>");
    settle(&mut app).await;
    assert!(
        !app.state.discovering,
        "still listing after esc: {:?} {:?}",
        app.state.message, app.state.catalog.progress
    );
    assert!(app.state.jobs.is_empty());
    let msg = app.state.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    assert!(msg.contains("cancelled"), "{msg:?}");
    let partial = app.state.catalog.table_count();
    assert!(partial < 3000, "the listing was not cut short ({partial} tables)");
    // Still responsive, and a refresh lists everything.
    keys(&mut app, "r");
    settle(&mut app).await;
    assert_eq!(app.state.catalog.table_count(), 3000);
    assert!(app.state.catalog.progress.complete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quit_stops_the_app() {
    let mut app = app(demo_lake(), 80, 24);
    keys(&mut app, "q");
    assert!(app.state.quit);
    // Jobs were cancelled: the app goes idle quickly.
    settle(&mut app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_requests_panel_counts_what_was_sent() {
    let mut app = app(demo_lake(), 120, 40);
    settle(&mut app).await;
    keys(&mut app, "l j j l j");
    settle(&mut app).await;
    keys(&mut app, "i");
    assert_eq!(app.state.layer(), Layer::Requests);
    let r = &app.state.requests;
    use lakescope::lake::store::requests::RequestKind;
    assert!(r.of(RequestKind::List).count >= 10, "{r:?}");
    assert!(r.of(RequestKind::Get).count >= 1, "the Delta log was read: {r:?}");
    assert_eq!(r.recent.len() as u64, r.total.count, "every request is listed");
    let text = screen(&app, 120, 40);
    assert!(text.contains("credentials local files"), "{text}");
    assert!(
        text.lines().any(|l| l.contains("LIST") && l.contains(&r.of(RequestKind::List).count.to_string())),
        "{text}"
    );
    assert!(text.contains("_delta_log/00000000000000000012.json"), "{text}");
    assert!(text.lines().next().unwrap().contains(&format!("{} req", r.total.count)), "title bar: {text}");
    keys(&mut app, "<esc>");
    assert_eq!(app.state.layer(), Layer::Browser);
}

#[tokio::test]
async fn the_inspector_opens_a_dataset_a_file_and_previews_a_row_group_with_keys() {
    let mut app = app(demo_lake(), 100, 30);
    app.start();
    settle(&mut app).await;
    keys(&mut app, "l j l");
    assert_eq!(selected(&app).as_deref(), Some("events"));
    keys(&mut app, "p");
    settle(&mut app).await;
    let text = screen(&app, 100, 30);
    assert!(text.contains("events › files") && text.contains("183 files"), "{text}");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    let text = screen(&app, 100, 30);
    assert!(text.contains("footer") && text.contains("(read: 1 request"), "{text}");
    keys(&mut app, "<backtab>");
    settle(&mut app).await;
    let text = screen(&app, 100, 30);
    assert!(text.contains("42/42 rows") && text.contains("event_id"), "{text}");
    // Keys typed ahead of a slow footer count: open another file and tab to its preview at once.
    keys(&mut app, "h j <enter> <backtab>");
    settle(&mut app).await;
    let text = screen(&app, 100, 30);
    assert!(text.contains("part-00001") && text.contains("48/48 rows"), "{text}");
    // Back twice: to the files, then to the browser.
    keys(&mut app, "h h");
    assert!(app.state.inspector().is_none());
}

#[tokio::test]
async fn the_inspector_lists_a_delta_tables_current_files_from_its_log() {
    let mut app = app(demo_lake(), 100, 30);
    app.start();
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake/silver/orders");
    keys(&mut app, "<enter>");
    assert_eq!(selected(&app).as_deref(), Some("orders"));
    keys(&mut app, "p");
    settle(&mut app).await;
    let ins = app.state.inspector().unwrap();
    let Some(lakescope::state::Slot::Ready(s)) = ins.dataset.as_ref().map(|d| d.summary.clone()) else {
        panic!("{:?}", ins.dataset)
    };
    // The demo's orders table: its live files only (the log's adds minus its removes).
    let detail =
        lakescope::lake::load_detail(&LakeStore::open_local(demo_lake().to_str().unwrap()).unwrap(), &ins.table)
            .await
            .unwrap();
    let delta = detail.delta.unwrap();
    assert_eq!(s.files.len() as u64, delta.files);
    assert_eq!(Some(s.rows), delta.rows);
    assert!(s.files.iter().all(|f| f.error.is_none()));
}

#[tokio::test]
async fn history_diff_and_time_travel_with_keys() {
    let mut app = app(demo_lake(), 100, 30);
    app.start();
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake/silver/orders");
    keys(&mut app, "<enter> v");
    settle(&mut app).await;
    let text = screen(&app, 100, 30);
    assert!(text.contains("orders › history") && text.contains("13 of 13 versions"), "{text}");
    assert!(text.contains("DELETE") && text.contains("MERGE") && text.contains("cp"), "{text}");
    // Six down is v6, the delete: d diffs it with its parent.
    keys(&mut app, "j j j j j j d");
    settle(&mut app).await;
    let text = screen(&app, 100, 30);
    assert!(text.contains("diff v5 → v6") && text.contains("131 only in v5"), "{text}");
    // Mark v6, go to v9 (schema change), diff the two.
    keys(&mut app, "<tab> m k k k d");
    settle(&mut app).await;
    let text = screen(&app, 100, 30);
    assert!(text.contains("diff v6 → v9") && text.contains("discount"), "{text}");
    // Back to the versions, open v8: the detail pane follows, the status bar says so.
    keys(&mut app, "<tab> j <enter>");
    settle(&mut app).await;
    assert!(app.state.history().is_none());
    let text = screen(&app, 100, 30);
    assert!(text.contains("as of v8"), "{text}");
    assert!(text.contains("_delta_log v8") && !text.contains("discount"), "{text}");
    type_text(&mut app, ":latest");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    let text = screen(&app, 100, 30);
    assert!(text.contains("_delta_log v12") && text.contains("discount"), "{text}");
    // :asof with a timestamp in the future is the latest version; garbage is refused.
    type_text(&mut app, ":asof nonsense");
    keys(&mut app, "<enter>");
    assert!(screen(&app, 100, 30).contains("neither a version nor a timestamp"));
}

#[tokio::test]
async fn history_on_a_non_delta_table_says_why() {
    let mut app = app(demo_lake(), 100, 30);
    app.start();
    settle(&mut app).await;
    keys(&mut app, "l j l");
    keys(&mut app, "v");
    assert!(app.state.history().is_none());
    let m = app.state.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    assert!(m.contains("are for Delta tables") && m.contains("events"), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impossible_time_travel_is_refused_where_it_is_typed() {
    let mut app = app(demo_lake(), 100, 30);
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake/silver/orders");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    // A version past the latest (v12): refused at once, nothing moves.
    type_text(&mut app, ":asof 99");
    keys(&mut app, "<enter>");
    assert!(app.state.as_of.is_none());
    let m = app.state.message.clone().unwrap();
    assert!(m.text.contains("v99") && m.text.contains("v12"), "{m:?}");
    settle(&mut app).await;
    assert!(!screen(&app, 100, 30).contains("as of v99"));
    // A timestamp before the first commit: checked by reading the log, then refused.
    type_text(&mut app, ":asof 2001-01-01");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    assert!(app.state.as_of.is_none(), "{:?}", app.state.as_of);
    let m = app.state.message.clone().unwrap();
    assert!(m.text.contains("nothing changed"), "{m:?}");
    let Some(lakescope::state::DetailSlot::Ready(d)) =
        app.state.detail_of(&app.state.selected_table().unwrap().location)
    else {
        panic!("the detail is still the latest one");
    };
    assert_eq!(d.delta.as_ref().map(|x| x.version), Some(12));
    // A version that exists is taken.
    type_text(&mut app, ":asof 3");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    assert_eq!(app.state.as_of.as_ref().map(|t| t.version), Some(3));
    assert!(screen(&app, 100, 30).contains("as of v3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_detail_tab_shows_the_commit_under_the_cursor_in_full() {
    let mut app = app(demo_lake(), 160, 45);
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake/silver/orders");
    keys(&mut app, "<enter> v");
    settle(&mut app).await;
    // v6 is the delete: its predicate is a parameter.
    keys(&mut app, "j j j j j j <tab>");
    settle(&mut app).await;
    let text = screen(&app, 160, 45);
    assert!(text.contains("commit v6") && text.contains("DELETE"), "{text}");
    assert!(text.contains("parameters") && text.contains("predicate = "), "{text}");
    assert!(text.contains("metrics") && text.contains("num_deleted_rows = 131"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_lake_shows_no_request_errors_after_the_history_probes() {
    let mut app = app(demo_lake(), 120, 40);
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake/silver/orders");
    keys(&mut app, "<enter> v");
    settle(&mut app).await;
    keys(&mut app, "i");
    let total = app.state.requests.total;
    assert_eq!(total.errors, 0, "{:?}", app.state.requests.by_kind);
    assert!(total.not_found > 0, "the history probes commit names ahead: {total:?}");
    let text = screen(&app, 120, 40);
    assert!(text.contains("not found"), "{text}");
    // i closes the panel its title says i closes; the history is still there.
    keys(&mut app, "i");
    assert!(app.state.history().is_some() && app.state.layer() == Layer::History);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_message_is_cut_and_never_runs_into_the_breadcrumb() {
    let mut app = app(demo_lake(), 80, 24);
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake/silver/orders");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    type_text(&mut app, &format!(":theme {}", "x".repeat(200)));
    keys(&mut app, "<enter>");
    let text = screen(&app, 80, 24);
    let status = text.lines().rfind(|l| !l.trim().is_empty()).unwrap();
    assert!(status.contains("silver › orders"), "the breadcrumb keeps its place: {status:?}");
    assert!(status.contains("unknown theme") && status.contains('…'), "the message is cut: {status:?}");
    assert!(status.chars().count() <= 80);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wide_terminal_shows_whole_names_and_a_narrow_one_scrolls_the_chunks() {
    let mut wide = app(demo_lake(), 160, 45);
    settle(&mut wide).await;
    type_text(&mut wide, ":cd acme-lake/bronze/events");
    keys(&mut wide, "<enter> p");
    settle(&mut wide).await;
    let text = screen(&wide, 160, 45);
    assert!(text.contains("date=2026-11-01/part-00000.snappy.parquet "), "{text}");
    assert!(text.contains("parquet-rs version 59"), "{text}");

    let mut app = app(demo_lake(), 80, 24);
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake/bronze/events");
    keys(&mut app, "<enter> p");
    settle(&mut app).await;
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    keys(&mut app, "<tab> <tab> <tab>");
    let text = screen(&app, 80, 24);
    assert!(text.contains("COLUMN") && !text.contains("ENCODINGS"), "80 columns cut the last ones:\n{text}");
    keys(&mut app, "L L L L L");
    let text = screen(&app, 80, 24);
    assert!(text.contains("COLUMN") && text.contains("ENCODINGS"), "L brings them on screen:\n{text}");
    assert!(text.contains("hidden on the left"), "{text}");
}
