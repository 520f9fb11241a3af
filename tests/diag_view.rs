//! The diagnostics view driven with real key events over the demo lake: `D` on a bucket ranks
//! its tables (the bronze dataset first, flagged), Enter opens one, Enter on a finding jumps to
//! its numbers (the skewed partition under the cursor), the tabs draw their charts, `s` re-ranks,
//! `:diag /` takes the whole lake, and everything fits 80x24.

use crate::common;

use common::*;
use lakescope::state::diag::{DiagTab, RollupSort};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d_ranks_a_buckets_tables_and_opens_the_worst_one() {
    let (w, h) = (80, 24);
    let mut app = app(demo_lake(), w, h);
    settle(&mut app).await;
    type_text(&mut app, ":cd acme-lake");
    keys(&mut app, "<enter>");
    keys(&mut app, "D");
    assert!(app.state.diag().is_some_and(|v| v.loading), "a background job");
    settle(&mut app).await;
    let v = app.state.diag().expect("the view is open");
    assert!(!v.loading && v.error.is_none(), "{:?}", v.error);
    assert_eq!(v.scope, "acme-lake");
    assert_eq!(v.rows.len(), 8, "acme-lake's 8 tables");
    assert_eq!(v.rows[0].table, "acme-lake/bronze/events");
    let screen_text = screen(&app, w, h);
    assert!(screen_text.contains("WARN  bronze/events"), "{screen_text}");

    // Enter: the table's findings, worst first.
    keys(&mut app, "<enter>");
    let o = app.state.diag().unwrap().open.clone().expect("a table is open");
    assert_eq!(o.diag.table, "acme-lake/bronze/events");
    let kinds: Vec<&str> = o.diag.findings.iter().map(|f| f.kind).collect();
    assert_eq!(&kinds[..2], ["small_files", "skew"]);
    let screen_text = screen(&app, w, h);
    assert!(screen_text.contains("small_files") && screen_text.contains("skew"), "{screen_text}");

    // Enter on the skew finding: the partitions tab, the skewed partition under the cursor.
    keys(&mut app, "j <enter>");
    let o = app.state.diag().unwrap().open.clone().unwrap();
    assert_eq!(o.tab, DiagTab::Partitions);
    assert_eq!(o.diag.partitions.list[o.cursor].name, "date=2026-11-11");
    let screen_text = screen(&app, w, h);
    assert!(screen_text.contains("date=2026-11-11     36"), "{screen_text}");

    // Every tab draws at 80x24 without a panic; the file sizes tab holds the histogram.
    keys(&mut app, "<tab>");
    assert_eq!(app.state.diag().unwrap().open.as_ref().unwrap().tab, DiagTab::Files);
    let screen_text = screen(&app, w, h);
    assert!(screen_text.contains("<128K") && screen_text.contains("183"), "{screen_text}");
    for _ in 0..4 {
        keys(&mut app, "<tab>");
        let _ = screen(&app, w, h);
    }
    assert_eq!(app.state.diag().unwrap().open.as_ref().unwrap().tab, DiagTab::Findings);

    // Back to the ranking, re-rank by size, then close.
    keys(&mut app, "h");
    assert!(app.state.diag().unwrap().open.is_none());
    keys(&mut app, "s s s s");
    let v = app.state.diag().unwrap();
    assert_eq!(v.sort, RollupSort::Size);
    assert!(v.rows.windows(2).all(|p| p[0].bytes >= p[1].bytes));
    keys(&mut app, "h");
    assert!(app.state.diag().is_none());
    assert!(screen(&app, w, h).contains("acme-lake"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diag_on_a_delta_table_and_on_the_whole_lake() {
    let (w, h) = (100, 30);
    let mut app = app(demo_lake(), w, h);
    settle(&mut app).await;
    // A table: its view opens on it directly (no ranking to go back to).
    type_text(&mut app, ":diag acme-lake/silver/orders");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    let o = app.state.diag().unwrap().open.clone().expect("the table's diagnostics");
    assert_eq!(o.diag.version, Some(12));
    assert!(o.diag.totals.stale_bytes > 0);
    assert!(o.diag.findings.iter().any(|f| f.kind == "stale_data"));
    keys(&mut app, "<tab> <tab> <tab>");
    let screen_text = screen(&app, w, h);
    assert!(screen_text.contains("stale (removed, not vacuumed)"), "{screen_text}");
    keys(&mut app, "<tab>");
    let screen_text = screen(&app, w, h);
    assert!(screen_text.contains("size by version: v0"), "{screen_text}");
    keys(&mut app, "h");
    assert!(app.state.diag().is_none(), "h closes a single table's view");

    type_text(&mut app, ":diag /");
    keys(&mut app, "<enter>");
    settle(&mut app).await;
    let v = app.state.diag().unwrap();
    assert_eq!(v.scope, "lake");
    assert_eq!(v.rows.len() + v.failed.len(), 9);
    assert!(screen(&app, w, h).contains("9 tables"));
}
