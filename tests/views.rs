//! Every view at 80x24 and 120x40 on the demo lake, checked with insta snapshots: the browser
//! and a table's detail, the inspector's tabs, the history's tabs, the SQL pane with results,
//! the diagnostics' tabs, a compaction's plan / progress / outcome, the requests panel and help.
//! What varies between runs is filtered out (times, durations, the demo's folder, request
//! counts, log sizes); what the user reads is kept.

use crate::common;

use common::*;
use lakescope::App;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn check(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"sdemo-[A-Za-z0-9]{6}", "sdemo-XXXXXX");
    settings.add_filter(r"/tmp/\.tmp[A-Za-z0-9]{6}", "/tmp/.tmpXXXXXX");
    settings.add_filter(r"(· |- )[\d,]+ req", "${1}N req");
    // File times (`2026-11-21 20:08`) and dates of today (the growth chart); the demo's data and
    // partition dates (`date=2026-11-01`, `2026-11-01T10:00:00Z`) are the same on every run.
    settings.add_filter(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?", "YYYY-MM-DD hh:mm");
    settings.add_filter(r"(^|[^=\d])\d{4}-\d{2}-\d{2}([^T\d]|$)", "${1}YYYY-MM-DD${2}");
    // delta-rs names its files with fresh UUIDs.
    settings.add_filter(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[uuid]");
    // Durations: `137 ms`, `2.4 s`, `3m 12s`, `in 62.3ms`, and metrics written in milliseconds.
    settings.add_filter(r"\b\d+(\.\d+)? ?(ms|µs|s)\b", "[time]");
    settings.add_filter(r"\b\d+m \d{2}s\b", "[time]");
    settings.add_filter(r"(_time_ms|_duration_ms|_ms) = \d+", "$1 = [time]");
    // The latest requests come in whatever order the listings finished; latencies vary.
    settings.add_filter(r"\[time\]  (LIST|GET range|GET|HEAD|PUT|DELETE|POST|AUTH) .*", "[a request]");
    settings.add_filter(
        r"(LIST|GET range|GET|HEAD|PUT|DELETE|POST|AUTH|total)( +[\d,]+ +[\d.]+ \w+ +[\d,]+ +[\d,]+) +\d+",
        "$1$2 [ms]",
    );
    settings.add_filter(r"(log/meta +\d+ files(?: ·| -) )\d+(\.\d)? (B|KiB|MiB)", "$1[log]");
    settings.add_filter(r"((?:objects|obj)(?: ·| -) )\d+(\.\d)? (KiB|MiB)", "$1[size]");
    // A duration's text has no fixed width: the padding after it neither.
    settings.add_filter(r"(\[time\][^│\n]*?) {2,}│", "$1  │");
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// The screen at `w` x `h`, checked as `name_WxH`.
fn snap(app: &App, name: &str, w: u16, h: u16) {
    check(&format!("{name}_{w}x{h}"), &screen(app, w, h));
}

async fn at(w: u16, h: u16, path: &str) -> App {
    let mut app = app(demo_lake(), w, h);
    settle(&mut app).await;
    type_text(&mut app, &format!(":cd {path}"));
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_detail_requests_and_help() {
    for (w, h) in SIZES {
        let mut app = app(demo_lake(), w, h);
        settle(&mut app).await;
        snap(&app, "view_browser_root", w, h);
        type_text(&mut app, ":cd acme-lake/bronze/events");
        keys(&mut app, "<enter>");
        settle(&mut app).await;
        snap(&app, "view_detail_events", w, h);
        keys(&mut app, "i");
        snap(&app, "view_requests", w, h);
        keys(&mut app, "i ?");
        snap(&app, "view_help", w, h);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspector_tabs() {
    for (w, h) in SIZES {
        let mut app = at(w, h, "acme-lake/bronze/events").await;
        keys(&mut app, "p");
        settle(&mut app).await;
        snap(&app, "view_inspector_files", w, h);
        keys(&mut app, "<tab>");
        snap(&app, "view_inspector_storage_by_column", w, h);
        keys(&mut app, "<tab>");
        snap(&app, "view_inspector_drift", w, h);
        keys(&mut app, "<tab> <enter>");
        settle(&mut app).await;
        for tab in ["file", "schema", "row_groups", "chunks", "pages", "preview"] {
            snap(&app, &format!("view_inspector_{tab}"), w, h);
            keys(&mut app, "<tab>");
            settle(&mut app).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_tabs() {
    for (w, h) in SIZES {
        let mut app = at(w, h, "acme-lake/silver/orders").await;
        keys(&mut app, "v");
        settle(&mut app).await;
        snap(&app, "view_history_versions", w, h);
        keys(&mut app, "j j j j j j <tab>");
        settle(&mut app).await;
        snap(&app, "view_history_detail", w, h);
        keys(&mut app, "<tab>");
        settle(&mut app).await;
        snap(&app, "view_history_diff", w, h);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_pane_with_results() {
    for (w, h) in SIZES {
        let mut app = at(w, h, "acme-lake/silver/orders").await;
        type_text(&mut app, ":sql SELECT order_id, status, amount FROM silver.orders ORDER BY order_id LIMIT 30");
        keys(&mut app, "<enter>");
        settle(&mut app).await;
        snap(&app, "view_sql_results", w, h);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_tabs() {
    for (w, h) in SIZES {
        let mut app = at(w, h, "acme-lake").await;
        keys(&mut app, "D");
        settle(&mut app).await;
        snap(&app, "view_diag_rollup", w, h);
        keys(&mut app, "<enter>");
        for tab in ["findings", "partitions", "file_sizes", "cost", "growth", "numbers"] {
            snap(&app, &format!("view_diag_{tab}"), w, h);
            keys(&mut app, "<tab>");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_plan_progress_and_outcome() {
    for (w, h) in SIZES {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(demo_lake(), tmp.path());
        let mut app = app(tmp.path(), w, h);
        settle(&mut app).await;
        keys(&mut app, "l j l c");
        settle(&mut app).await;
        let overlay =
            |app: &App, name: &str| check(&format!("{name}_{w}x{h}"), &left_of_overlay(&screen(app, w, h), w));
        overlay(&app, "view_compaction_plan");
        // Right after y: the job has started, no progress has been reported yet.
        keys(&mut app, "y");
        overlay(&app, "view_compaction_running");
        settle(&mut app).await;
        overlay(&app, "view_compaction_outcome");
    }
}

/// The screen without the columns right of a write's overlay: the browser under it shows the
/// compacted files, whose names delta-rs and the dataset rewrite draw at random.
fn left_of_overlay(text: &str, w: u16) -> String {
    let width = (w as usize * 96) / 100;
    let keep = (w as usize - width) / 2 + width;
    // The title bar is above the overlay: whole.
    let mut lines = text.lines();
    let title = lines.next().unwrap_or_default().to_string() + "\n";
    title + &lines.map(|l| l.chars().take(keep).collect::<String>() + "\n").collect::<String>()
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() { copy_dir(&p, &dest) } else { std::fs::copy(&p, &dest).map(|_| ()).unwrap() }
    }
}

/// Every view at 60x15 (smaller than the 80x24 lakescope is made for): drawn without a panic,
/// within the screen, the status line on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_draws_at_60x15() {
    let (w, h) = (60, 15);
    let fits = |app: &App, what: &str| {
        let text = screen(app, w, h);
        assert!(text.lines().all(|l| l.chars().count() <= w as usize), "{what}:\n{text}");
        assert_eq!(text.lines().count(), h as usize, "{what}:\n{text}");
    };
    let mut app = at(w, h, "acme-lake/bronze/events").await;
    fits(&app, "browser");
    for k in ["?", "<esc> i", "<esc> p"] {
        keys(&mut app, k);
        settle(&mut app).await;
        fits(&app, k);
    }
    for _ in 0..3 {
        keys(&mut app, "<tab>");
        fits(&app, "inspector tab");
    }
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    for _ in 0..6 {
        keys(&mut app, "<tab> L j");
        settle(&mut app).await;
        fits(&app, "file tab");
    }
    keys(&mut app, "<esc> <esc> <esc> D");
    settle(&mut app).await;
    for _ in 0..6 {
        keys(&mut app, "<tab> j");
        fits(&app, "diagnostics tab");
    }
    keys(&mut app, "c");
    settle(&mut app).await;
    fits(&app, "compaction plan");
    keys(&mut app, "<esc> <esc>");
    type_text(&mut app, ":cd acme-lake/silver/orders");
    keys(&mut app, "<enter> v");
    settle(&mut app).await;
    for _ in 0..3 {
        keys(&mut app, "j d <tab>");
        settle(&mut app).await;
        fits(&app, "history tab");
    }
    keys(&mut app, "<esc> s <f5>");
    settle(&mut app).await;
    fits(&app, "SQL results");
}
