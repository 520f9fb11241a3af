//! Rendered frames of the browser, checked with insta snapshots at 80x24 and 120x40. What
//! varies between runs is filtered out: the demo lake's random folder suffix, file times, and
//! the Delta log's size (commit JSON carries timings).

use crate::common;

use common::*;

fn check(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"sdemo-[A-Za-z0-9]{6}", "sdemo-XXXXXX");
    // Request counts are checked exactly by their own tests.
    settings.add_filter(r"(· |- )\d+ req", "${1}N req");
    settings.add_filter(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "YYYY-MM-DD hh:mm");
    // Log bytes follow commit timings: `+15 other · 45.6 KiB`, `checkpoint(s) · 45.6 KiB`.
    // The Delta log's size follows commit timings (`log/meta 15 files · 45.6 KiB`), and so does
    // the lake total in the title bar.
    settings.add_filter(r"(log/meta +\d+ files(?: ·| -) )\d+(\.\d)? (B|KiB|MiB)", "$1[log]");
    settings.add_filter(r"((?:objects|obj)(?: ·| -) )\d+(\.\d)? (KiB|MiB)", "$1[size]");
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_at_80x24() {
    let mut app = app(demo_lake(), 80, 24);
    settle(&mut app).await;
    check("root_80x24", &screen(&app, 80, 24));
    keys(&mut app, "l j j l j");
    settle(&mut app).await;
    check("silver_orders_80x24", &screen(&app, 80, 24));
    keys(&mut app, "h k k l");
    settle(&mut app).await;
    check("raw_customers_80x24", &screen(&app, 80, 24));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_at_120x40() {
    let mut app = app(demo_lake(), 120, 40);
    settle(&mut app).await;
    keys(&mut app, "l j j l j");
    settle(&mut app).await;
    check("silver_orders_120x40", &screen(&app, 120, 40));
    keys(&mut app, "h k l");
    settle(&mut app).await;
    check("bronze_events_120x40", &screen(&app, 120, 40));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlays_and_modes() {
    let mut app = app(demo_lake(), 80, 24);
    settle(&mut app).await;
    keys(&mut app, "?");
    check("help_80x24", &screen(&app, 80, 24));
    keys(&mut app, "<esc> l /");
    type_text(&mut app, "il");
    settle(&mut app).await;
    check("filter_80x24", &screen(&app, 80, 24));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ascii_mode_draws_no_box_characters() {
    let mut config = lakescope::config::Config::defaults();
    config.ascii = true;
    let mut app = app_with(demo_lake(), 80, 24, config);
    settle(&mut app).await;
    keys(&mut app, "l j j l j");
    settle(&mut app).await;
    let text = screen(&app, 80, 24);
    assert!(text.is_ascii(), "non-ASCII drawing in --ascii mode:\n{text}");
    check("silver_orders_ascii_80x24", &text);
}
