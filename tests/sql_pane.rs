//! The SQL pane driven with real key events over the demo lake: `s` on a table, typing with
//! completion, running (F5), the streamed grid and its cap, the estimate against a separate count
//! of the files, time travel from the history view, refusals, cancel, sort / filter / copy /
//! record view, export of the whole result, EXPLAIN, the history file, and 80x24.

use crate::common;

use common::*;
use lakescope::config::Config;
use lakescope::state::sql::{SqlFocus, SqlResult};

fn sql_text(app: &lakescope::app::App) -> String {
    app.state.sql.editor.text()
}

/// Replace the editor's text by typing it (newlines as Enter), as a person would.
fn type_query(app: &mut lakescope::app::App, q: &str) {
    // Back to the editor after a run (results take the focus), then Ctrl-U on every line.
    if app.state.sql.focus == SqlFocus::Results {
        keys(app, "e");
    }
    let lines = app.state.sql.editor.lines.len();
    for _ in 0..lines {
        keys(app, "<c-u> <bs>");
    }
    for line in q.split('\n').enumerate() {
        if line.0 > 0 {
            keys(app, "<enter>");
        }
        type_text(app, line.1);
    }
}

fn files_under(dir: &std::path::Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            n += files_under(&p);
        } else if p.extension().is_some_and(|x| x == "parquet") {
            n += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s_on_a_table_opens_a_query_that_runs_with_an_estimate_and_actuals() {
    let mut app = app(demo_lake(), 120, 40);
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake/silver/orders");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    keys(&mut app, "s");
    assert!(app.state.sql_open());
    assert_eq!(sql_text(&app), "SELECT *\nFROM silver.orders\nLIMIT 100");
    keys(&mut app, "<f5>");
    settle(&mut app).await;
    let run = app.state.sql.run.clone().expect("a run");
    assert_eq!(run.error, None);
    let grid = app.state.sql.grid().expect("a grid");
    assert_eq!((grid.kept, grid.total), (100, 100));
    assert_eq!(grid.columns(), 7);
    // The result went to the grid, which now has focus.
    assert_eq!(app.state.sql.focus, SqlFocus::Results);
    // The estimate counts the table's live files (10, from the detail read by deltalake).
    let (_, _, est) = app.state.sql.estimate.clone().expect("an estimate");
    let est = est.expect("estimate ok");
    assert_eq!(est.files, 10, "{est:?}");
    assert!(est.bytes > 0 && est.gets >= est.files);
    assert!(run.progress.requests > 0 && run.progress.bytes > 0, "{run:?}");
    let text = screen(&app, 120, 40);
    for s in ["estimate: 10 files", "100 rows in", "actual: read", "results · 100 rows", "order_id", "SQL ›"] {
        assert!(text.contains(s), "{s:?} missing:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_filters_show_in_the_estimate_and_the_requests() {
    let mut app = app(demo_lake(), 120, 40);
    settle(&mut app).await;
    let events = demo_lake().join("acme-lake/bronze/events");
    let all_files = files_under(&events);
    let day_files = files_under(&events.join("date=2026-11-11"));
    assert!(day_files < all_files);

    type_text(&mut app, ":sql");
    keys(&mut app, "<enter>");
    // (A bare count(*) is answered from file statistics, with no scan: ask for a column.)
    type_query(&mut app, "SELECT count(DISTINCT user_id) FROM bronze.events");
    keys(&mut app, "<f4>");
    settle(&mut app).await;
    let all = app.state.sql.estimate.clone().unwrap().2.unwrap();
    type_query(&mut app, "SELECT count(DISTINCT user_id) FROM bronze.events WHERE date = '2026-11-11'");
    keys(&mut app, "<f4>");
    settle(&mut app).await;
    let day = app.state.sql.estimate.clone().unwrap().2.unwrap();
    assert_eq!((all.files as usize, day.files as usize), (all_files, day_files));
    assert_eq!((all.partitions, day.partitions), (14, 1));
    // And the run reads accordingly: fewer requests than the whole-table count needs.
    keys(&mut app, "<f5>");
    settle(&mut app).await;
    let day_requests = app.state.sql.run.as_ref().unwrap().progress.requests;
    assert!(day_requests > 0 && (day_requests as usize) < all_files, "{day_requests} requests for {day_files} files");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_completes_tables_and_columns_and_the_history_persists() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("state/sql_history");
    let mut config = Config::defaults();
    config.sql.history_file = Some(hist.clone());
    let mut app = app_with(demo_lake(), 120, 40, config.clone());
    settle(&mut app).await;
    type_text(&mut app, ":sql");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    assert!(app.state.sql.functions.iter().any(|f| f == "date_trunc"), "functions arrive for completion");
    // One table matches: Tab completes it in place.
    type_text(&mut app, "SELECT count(*) AS n FROM gold.daily_r");
    keys(&mut app, "<tab>");
    assert_eq!(sql_text(&app), "SELECT count(*) AS n FROM gold.daily_revenue");
    // Columns of the named table complete once its detail is loaded.
    settle(&mut app).await;
    keys(&mut app, "<enter>");
    type_text(&mut app, "WHERE reve");
    keys(&mut app, "<tab>");
    // The column comes first, then the function `reverse`.
    let items: Vec<String> = app.state.sql.completion.as_ref().unwrap().items.iter().map(|c| c.text.clone()).collect();
    assert_eq!(items[0], "revenue", "{items:?}");
    assert!(items.contains(&"reverse".to_string()), "{items:?}");
    keys(&mut app, "<enter>");
    assert!(sql_text(&app).ends_with("WHERE revenue"), "{}", sql_text(&app));
    type_text(&mut app, " > 0");
    keys(&mut app, "<f5>");
    settle(&mut app).await;
    assert_eq!(app.state.sql.run.as_ref().unwrap().error, None);
    // Several candidates: a list, moved with the arrows, taken with Enter.
    keys(&mut app, "<esc>");
    type_query(&mut app, "SELECT * FROM silver.");
    keys(&mut app, "<tab>");
    let items: Vec<String> = app.state.sql.completion.as_ref().unwrap().items.iter().map(|c| c.text.clone()).collect();
    assert_eq!(items, vec!["silver.customers", "silver.orders"]);
    keys(&mut app, "<down> <enter>");
    assert_eq!(sql_text(&app), "SELECT * FROM silver.orders");
    keys(&mut app, "<f5>");
    settle(&mut app).await;

    // History: Ctrl-P recalls, Ctrl-R searches; the file has both queries.
    keys(&mut app, "<esc>");
    type_query(&mut app, "draft");
    keys(&mut app, "<c-p>");
    assert_eq!(sql_text(&app), "SELECT * FROM silver.orders");
    keys(&mut app, "<c-p>");
    assert!(sql_text(&app).contains("gold.daily_revenue"));
    keys(&mut app, "<c-n> <c-n>");
    assert_eq!(sql_text(&app), "draft", "past the newest: the draft comes back");
    keys(&mut app, "<c-r>");
    type_text(&mut app, "daily");
    keys(&mut app, "<enter>");
    assert!(sql_text(&app).contains("gold.daily_revenue\nWHERE revenue > 0"), "{}", sql_text(&app));
    let saved = std::fs::read_to_string(&hist).unwrap();
    assert_eq!(saved.lines().count(), 2, "{saved}");

    // A new session reads it back.
    let app2 = app_with(demo_lake(), 120, 40, config);
    assert_eq!(app2.state.sql.history.len(), 2);
    assert!(app2.state.sql.history[0].contains("WHERE revenue > 0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_travel_from_the_history_view_goes_into_sql() {
    let mut app = app(demo_lake(), 100, 30);
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake/silver/orders");
    keys(&mut app, "<enter> v");
    settle(&mut app).await;
    // Six down is v6 (a DELETE).
    keys(&mut app, "j j j j j j s");
    assert_eq!(sql_text(&app), "SELECT *\nFROM delta_version('silver.orders', 6)\nLIMIT 100");
    type_query(&mut app, "SELECT count(*) AS n FROM delta_version('silver.orders', 6)");
    keys(&mut app, "<f5>");
    settle(&mut app).await;
    assert_eq!(app.state.sql.run.as_ref().unwrap().error, None);
    let v6 = app.state.sql.grid().unwrap().cell(0, 0).unwrap();
    type_query(&mut app, "SELECT count(*) AS n FROM delta_version('silver.orders', 5)");
    keys(&mut app, "<f5>");
    settle(&mut app).await;
    let v5 = app.state.sql.grid().unwrap().cell(0, 0).unwrap();
    // The diff view says v6 deleted 131 rows of v5 (history_diff_and_time_travel_with_keys).
    assert_eq!(v5.parse::<i64>().unwrap() - v6.parse::<i64>().unwrap(), 131, "v5 {v5}, v6 {v6}");
    // Esc closes the pane: the history is still there underneath.
    keys(&mut app, "<esc> <esc>");
    assert!(!app.state.sql_open() && app.state.history().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_refused_in_the_pane_and_it_keeps_working() {
    let mut app = app(demo_lake(), 100, 30);
    settle(&mut app).await;
    type_text(&mut app, ":sql DROP TABLE silver.orders");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    let err = app.state.sql.run.as_ref().unwrap().error.clone().expect("refused");
    assert!(err.contains("read-only") && err.contains("DROP"), "{err}");
    assert!(screen(&app, 100, 30).contains("read-only"));
    assert!(demo_lake().join("acme-lake/silver/orders/_delta_log").exists());
    type_query(&mut app, "SELECT 1 + 1 AS two");
    keys(&mut app, "<f5>");
    settle(&mut app).await;
    assert_eq!(app.state.sql.grid().unwrap().cell(0, 0).as_deref(), Some("2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_cancels_a_running_query_and_the_pane_stays_usable() {
    let mut app = app(demo_lake(), 100, 30);
    settle(&mut app).await;
    type_text(&mut app, ":sql");
    keys(&mut app, "<enter>");
    // Billions of rows: never finishes on its own.
    type_query(
        &mut app,
        "SELECT sum(a.duration_ms * b.duration_ms) FROM bronze.events a, bronze.events b, bronze.events c",
    );
    keys(&mut app, "<f5>");
    // Wait until it runs (the result's schema arrived), then cancel.
    while !matches!(app.state.sql.result, Some(SqlResult::Grid(_))) {
        assert!(app.step(std::time::Duration::from_secs(30)).await, "the query never started");
    }
    assert!(app.state.sql.running());
    keys(&mut app, "<esc>");
    assert!(app.settle(std::time::Duration::from_secs(10)).await, "cancel did not end the job");
    let run = app.state.sql.run.clone().unwrap();
    assert!(run.cancelled && !run.running, "{run:?}");
    assert!(app.state.sql_open(), "Esc cancelled the query; the pane stays");
    assert!(screen(&app, 100, 30).contains("cancelled after"));
    type_query(&mut app, "SELECT 42 AS answer");
    keys(&mut app, "<f5>");
    settle(&mut app).await;
    assert_eq!(app.state.sql.grid().unwrap().cell(0, 0).as_deref(), Some("42"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grid_caps_sorts_filters_copies_and_exports_the_whole_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::defaults();
    config.sql.max_rows = 50;
    let mut app = app_with(demo_lake(), 100, 30, config);
    settle(&mut app).await;
    type_text(&mut app, ":sql SELECT order_id, status, amount FROM silver.orders ORDER BY order_id");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    let g = app.state.sql.grid().unwrap();
    assert_eq!((g.kept, g.total), (50, 963));
    assert!(screen(&app, 100, 30).contains("first 50 of 963 rows"));

    // Sort by status (descending on the second press), filter, copy.
    keys(&mut app, "l s s");
    let g = app.state.sql.grid().unwrap();
    let statuses: Vec<String> = (0..g.len()).map(|r| g.cell(r, 1).unwrap()).collect();
    let mut sorted = statuses.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(statuses, sorted);
    keys(&mut app, "/");
    type_text(&mut app, "SHIPPED");
    keys(&mut app, "<enter>");
    let g = app.state.sql.grid().unwrap().clone();
    assert!(!g.is_empty() && g.len() < 50);
    assert!((0..g.len()).all(|r| g.cell(r, 1).unwrap().eq_ignore_ascii_case("shipped")));
    keys(&mut app, "y");
    assert_eq!(app.copied.last().map(String::as_str), g.cell(0, 1).as_deref());
    keys(&mut app, "A");
    let all = app.copied.last().unwrap().clone();
    assert_eq!(all.lines().count(), g.len() + 1);
    assert!(all.starts_with("order_id\tstatus\tamount\n"));
    // Record view of the row.
    keys(&mut app, "<enter>");
    let text = screen(&app, 100, 30);
    assert!(text.contains("row 1 of") && text.contains("amount"), "{text}");
    keys(&mut app, "<esc>");

    // Export writes every row, not the 50 fetched.
    let out = dir.path().join("orders.parquet");
    type_text(&mut app, &format!(":export {}", out.display()));
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    let f = std::fs::File::open(&out).expect("exported");
    let reader = parquet::file::reader::SerializedFileReader::new(f).unwrap();
    use parquet::file::reader::FileReader;
    assert_eq!(reader.metadata().file_metadata().num_rows(), 963);
    assert!(app.state.message.as_ref().unwrap().text.contains("exported 963 rows"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_shows_a_plan_and_the_pane_fits_80x24() {
    let mut app = app(demo_lake(), 80, 24);
    settle(&mut app).await;
    type_text(&mut app, ":sql EXPLAIN SELECT count(*) FROM bronze.events WHERE date = '2026-11-11'");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    let Some(SqlResult::Plan(plans)) = &app.state.sql.result else { panic!("{:?}", app.state.sql.result) };
    assert!(plans.iter().any(|(kind, _)| kind == "physical_plan"));
    let text = screen(&app, 80, 24);
    assert!(text.contains("logical_plan") && text.contains("Aggregate"), "{text}");
    for line in text.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{line}");
    }
    type_query(&mut app, "SELECT * FROM silver.orders");
    keys(&mut app, "<f5>");
    settle(&mut app).await;
    let text = screen(&app, 80, 24);
    assert!(text.contains("order_id") && text.contains("963 rows"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_still_loading_under_the_pane_gets_its_versions() {
    let mut app = app(demo_lake(), 100, 30);
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake/silver/orders");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    // Open the history and, before its first page arrives, the SQL pane over it.
    keys(&mut app, "v s");
    assert!(app.state.sql_open());
    settle(&mut app).await;
    keys(&mut app, "<esc>");
    let h = app.state.history().expect("the history is still open");
    assert!(!h.loading && h.entries.len() == 13, "{} versions, loading {}", h.entries.len(), h.loading);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explain_plan_takes_the_keys_scrolls_sideways_and_copies_whole() {
    let mut app = app(demo_lake(), 80, 24);
    settle(&mut app).await;
    type_text(&mut app, ":sql EXPLAIN SELECT count(*) FROM bronze.events WHERE date = '2026-11-11'");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    // The plan has the focus: l and $ move it, they are not typed into the query.
    assert_eq!(app.state.sql.focus, SqlFocus::Results);
    let query = sql_text(&app);
    keys(&mut app, "l l $ j");
    assert_eq!(sql_text(&app), query, "keys went to the plan, not the editor");
    assert!(app.state.sql.plan_col > 0, "h / l scroll the plan sideways");
    let text = screen(&app, 80, 24);
    assert!(text.contains("y copies it"), "{text}");
    keys(&mut app, "y");
    let copied = app.copied.last().cloned().unwrap();
    assert!(copied.contains("physical_plan") && copied.contains("logical_plan"), "{copied}");
    // A plan line longer than the screen is whole in the copy.
    assert!(copied.lines().any(|l| l.chars().count() > 80), "{copied}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s_keeps_an_unrun_draft_and_a_stale_estimate_is_not_shown_as_current() {
    let mut app = app(demo_lake(), 120, 40);
    settle(&mut app).await;
    keys(&mut app, "S");
    type_query(&mut app, "SELECT customer_id FROM silver.customers WHERE 1 = 1");
    keys(&mut app, "<f4>");
    settle(&mut app).await;
    assert!(screen(&app, 120, 40).contains("estimate: "));
    // The text changes: the estimate line says it is of the old text.
    type_text(&mut app, " AND 2 = 2");
    let text = screen(&app, 120, 40);
    assert!(!text.contains("\nestimate: ") && text.contains("changed since its estimate"), "{text}");
    // s on a table replaces the draft, which goes to the history first.
    keys(&mut app, "<esc>");
    assert!(!app.state.sql_open());
    keys(&mut app, "l j j l j s");
    assert!(sql_text(&app).contains("FROM silver.orders"), "{}", sql_text(&app));
    assert!(app.state.sql.history.iter().any(|q| q.contains("AND 2 = 2")), "{:?}", app.state.sql.history);
    keys(&mut app, "<c-p>");
    assert!(sql_text(&app).contains("AND 2 = 2"), "ctrl-p brings the draft back: {}", sql_text(&app));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_or_cancelled_query_never_says_zero_rows() {
    let mut app = app(demo_lake(), 100, 30);
    settle(&mut app).await;
    type_text(&mut app, ":sql");
    keys(&mut app, "<enter>");
    type_query(
        &mut app,
        "SELECT sum(a.duration_ms * b.duration_ms) FROM bronze.events a, bronze.events b, bronze.events c",
    );
    keys(&mut app, "<f5>");
    while !matches!(app.state.sql.result, Some(SqlResult::Grid(_))) {
        assert!(app.step(std::time::Duration::from_secs(30)).await, "the query never started");
    }
    let text = screen(&app, 100, 30);
    assert!(!text.contains("0 rows") && !text.contains("no rows\n"), "{text}");
    assert!(text.contains("waiting for the first rows"), "{text}");
    keys(&mut app, "<esc>");
    assert!(app.settle(std::time::Duration::from_secs(10)).await);
    let text = screen(&app, 100, 30);
    assert!(!text.contains("0 rows"), "{text}");
    assert!(text.contains("cancelled before the first row"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_names_the_full_path_and_refuses_a_missing_folder() {
    let mut app = app(demo_lake(), 100, 30);
    settle(&mut app).await;
    type_text(&mut app, ":sql SELECT 1 AS one");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    type_text(&mut app, ":export /nonexistent-lakescope-dir/out.csv");
    keys(&mut app, "<enter>");
    let m = app.state.message.clone().unwrap();
    assert!(m.text.contains("/nonexistent-lakescope-dir") && m.text.contains("does not exist"), "{m:?}");
    assert!(app.state.jobs.is_empty(), "nothing started");
    // A relative name is written in the working directory, and the message says where.
    let name = format!("lakescope-export-test-{}.csv", std::process::id());
    type_text(&mut app, &format!(":export {name}"));
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    let full = std::env::current_dir().unwrap().join(&name);
    let m = app.state.message.clone().unwrap();
    assert!(m.text.contains(&full.display().to_string()), "{m:?}");
    assert!(full.exists());
    std::fs::remove_file(full).unwrap();
}
