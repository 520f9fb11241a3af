//! `update(state, msg)` on plain data: navigation, filtering, the screen stack, stale-result
//! dropping, job bookkeeping and detail scheduling. Catalogs are built in memory from path specs
//! (`testing`).

use std::sync::Arc;

use super::testing::{catalog, loaded, press};
use super::*;
use crate::event::{InputKey, Intent};
use crate::jobs::discovery::Report as Listing;

fn demo_specs() -> Vec<&'static str> {
    vec![
        "acme/raw/customers:csv",
        "acme/bronze/events:parquet",
        "acme/silver/customers:delta",
        "acme/silver/orders:delta",
        "acme/silver/payments:delta",
        "acme/gold/daily_revenue:delta",
        "ml/features/customer_features:parquet",
    ]
}

fn selected_name(s: &AppState) -> Option<String> {
    s.selected().map(|id| s.catalog.node(id).name.clone())
}

fn type_text(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(s, Msg::User(Input::Line(InputKey::Char(c))));
    }
}

fn line(s: &mut AppState, key: InputKey) -> Vec<Effect> {
    update(s, Msg::User(Input::Line(key)))
}

fn command(s: &mut AppState, cmd: &str) -> Vec<Effect> {
    update(s, Msg::User(Input::Command(cmd.into())))
}

fn started(s: &mut AppState, id: u64, kind: JobKind, owner: Owner) {
    update(s, Msg::Job(JobEvent::Started { id: JobId(id), kind, label: "job".into(), owner }));
}

fn finished(s: &mut AppState, id: u64, cancelled: bool) {
    update(s, Msg::Job(JobEvent::Finished { id: JobId(id), cancelled }));
}

fn detail_loads(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Spawn(Job::Detail { table, .. }) => Some(table.name.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn navigation() {
    use Intent::{Back, Bottom, Down, Enter, Top};
    for (case, keys, expected) in [
        ("first bucket", vec![], "acme"),
        ("down", vec![Down], "ml"),
        ("down clamps", vec![Down, Down, Down], "ml"),
        ("into bucket", vec![Enter], "raw"),
        ("zones in order", vec![Enter, Bottom], "gold"),
        ("into zone", vec![Enter, Down, Down, Enter], "customers"),
        ("table in zone", vec![Enter, Down, Down, Enter, Down], "orders"),
        ("back keeps selection", vec![Enter, Down, Down, Enter, Back], "silver"),
        ("back at top is a no-op", vec![Back, Down], "ml"),
        ("top", vec![Enter, Bottom, Top], "raw"),
    ] {
        let mut s = loaded(&demo_specs(), false);
        press(&mut s, &keys);
        assert_eq!(selected_name(&s).as_deref(), Some(expected), "{case}");
    }
}

#[test]
fn remembered_selection_survives_back_and_forth() {
    let mut s = loaded(&demo_specs(), false);
    press(
        &mut s,
        &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter, Intent::Down, Intent::Back, Intent::Enter],
    );
    assert_eq!(selected_name(&s).as_deref(), Some("orders"));
}

#[test]
fn enter_on_a_table_focuses_the_detail_and_back_returns() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter, Intent::Down, Intent::Enter]);
    assert_eq!(s.focus, Focus::Detail);
    press(&mut s, &[Intent::Down, Intent::Down]);
    assert_eq!(s.detail_scroll, 2);
    assert_eq!(selected_name(&s).as_deref(), Some("orders"), "scrolling the detail must not move the cursor");
    press(&mut s, &[Intent::Back]);
    assert_eq!(s.focus, Focus::List);
    assert_eq!(selected_name(&s).as_deref(), Some("orders"));
}

#[test]
fn paging_moves_by_a_screen() {
    let specs: Vec<String> = (0..100).map(|i| format!("b/z/t{i:03}:parquet")).collect();
    let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
    let mut s = loaded(&specs, false);
    update(&mut s, Msg::Resize { width: 80, height: 24 });
    press(&mut s, &[Intent::Enter, Intent::Enter, Intent::PageDown]);
    assert_eq!(selected_name(&s).as_deref(), Some("t020"));
    assert_eq!(s.nav.current().offset, 1, "the cursor row stays visible");
    press(&mut s, &[Intent::Bottom]);
    assert_eq!(selected_name(&s).as_deref(), Some("t099"));
    assert_eq!(s.nav.current().offset, 80);
    press(&mut s, &[Intent::PageUp]);
    assert_eq!(selected_name(&s).as_deref(), Some("t079"));
}

#[test]
fn filter_narrows_the_current_column_live() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter, Intent::Filter]);
    assert_eq!(s.layer(), Layer::Prompt);
    type_text(&mut s, "pay");
    let entries = browser::Nav::entries(&s.catalog, s.nav.current());
    assert_eq!(entries.len(), 1);
    assert_eq!(selected_name(&s).as_deref(), Some("payments"));
    line(&mut s, InputKey::Submit);
    assert_eq!(s.layer(), Layer::Browser);
    assert_eq!(s.nav.current().filter, "pay", "enter keeps the filter");
    // Esc with no job running clears it.
    finished(&mut s, 1, false);
    press(&mut s, &[Intent::Cancel]);
    assert_eq!(s.nav.current().filter, "");
    assert_eq!(browser::Nav::entries(&s.catalog, s.nav.current()).len(), 3);
    assert_eq!(selected_name(&s).as_deref(), Some("payments"), "the selection stays on the filtered entry");
}

#[test]
fn esc_on_a_filter_that_matches_nothing_puts_everything_back_as_it_was() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Filter]);
    assert_eq!(selected_name(&s).as_deref(), Some("silver"));
    type_text(&mut s, "zzz");
    assert!(browser::Nav::entries(&s.catalog, s.nav.current()).is_empty());
    assert_eq!(s.selected(), None);
    line(&mut s, InputKey::Cancel);
    assert_eq!(s.layer(), Layer::Browser);
    assert_eq!(browser::Nav::entries(&s.catalog, s.nav.current()).len(), 4);
    assert_eq!(selected_name(&s).as_deref(), Some("silver"), "the cursor is where it was before the filter");
}

#[test]
fn slash_again_edits_the_kept_filter_or_starts_a_new_one() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Filter]);
    type_text(&mut s, "sil");
    line(&mut s, InputKey::Submit);
    // `/` again shows the kept filter; typing starts a new one instead of appending to it.
    press(&mut s, &[Intent::Filter]);
    assert_eq!(s.prompt().unwrap().input.text, "sil");
    type_text(&mut s, "go");
    assert_eq!(s.nav.current().filter, "go");
    assert_eq!(selected_name(&s).as_deref(), Some("gold"));
    line(&mut s, InputKey::Submit);
    // An editing key edits it instead.
    press(&mut s, &[Intent::Filter]);
    line(&mut s, InputKey::Backspace);
    assert_eq!(s.nav.current().filter, "g");
    // Esc puts back the filter that was kept before this edit.
    line(&mut s, InputKey::Cancel);
    assert_eq!(s.nav.current().filter, "go");
}

#[test]
fn the_readmes_fuzzy_example_finds_silver_orders() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter, Intent::Filter]);
    type_text(&mut s, "slvord");
    assert_eq!(column(&s), vec!["orders"]);
}

fn column(s: &AppState) -> Vec<String> {
    browser::Nav::entries(&s.catalog, s.nav.current()).into_iter().map(|id| s.catalog.node(id).name.clone()).collect()
}

#[test]
fn filter_is_per_column() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Filter]);
    type_text(&mut s, "sil");
    line(&mut s, InputKey::Submit);
    press(&mut s, &[Intent::Enter]);
    assert_eq!(s.nav.current().filter, "");
    assert_eq!(browser::Nav::entries(&s.catalog, s.nav.current()).len(), 3);
}

#[test]
fn stale_catalogs_and_details_are_dropped() {
    let mut s = loaded(&demo_specs(), false);
    let first = s.listing;
    let before = s.catalog.clone();
    // A refresh starts a new listing; the old listing's late snapshot must not win.
    let effects = press(&mut s, &[Intent::Refresh]);
    let second = s.listing;
    assert_ne!(first, second);
    assert!(effects.contains(&Effect::Spawn(Job::Discover { seq: second })));
    assert!(effects.contains(&Effect::Cancel(JobId(1))));
    update(&mut s, Listing::Catalog { seq: first, catalog: catalog(&["old/zone/t:csv"]) }.into());
    assert!(Arc::ptr_eq(&s.catalog, &before), "a snapshot from the first listing was applied after refresh");
    update(&mut s, Listing::Finished { seq: first, result: Err("late failure".into()) }.into());
    assert_eq!(s.message, None, "a stale listing's error must not be shown");
    assert!(s.discovering);
    let stale = Arc::new(crate::lake::TableDetail {
        columns: Vec::new(),
        rows: Some(1),
        rows_note: None,
        delta: None,
        source: "x".into(),
        notes: Vec::new(),
    });
    let loaded_old = crate::jobs::detail::Report::Loaded {
        listing: first,
        location: "file:///lake/acme/silver/orders/".into(),
        result: Ok(stale),
    };
    update(&mut s, loaded_old.into());
    assert!(!s.details.contains_key("file:///lake/acme/silver/orders/"));
    // The current listing's snapshot applies.
    update(&mut s, Listing::Catalog { seq: second, catalog: catalog(&["new/zone/t:csv"]) }.into());
    update(&mut s, Listing::Finished { seq: second, result: Ok(()) }.into());
    assert_eq!(selected_name(&s).as_deref(), Some("new"));
}

#[test]
fn a_refresh_keeps_the_selection_on_the_same_table_and_reads_no_stale_detail() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter, Intent::Down]);
    assert_eq!(selected_name(&s).as_deref(), Some("orders"));
    let effects = press(&mut s, &[Intent::Refresh]);
    assert!(detail_loads(&effects).is_empty(), "the old catalog's files may be gone: {effects:?}");
    let seq = s.listing;
    // The new listing's first snapshot has only the buckets: the cursor waits for its table.
    update(&mut s, Listing::Catalog { seq, catalog: catalog(&["acme", "ml"]) }.into());
    assert_eq!(s.nav.depth(), 3, "levels wait while the listing runs");
    let effects = update(&mut s, Listing::Catalog { seq, catalog: catalog(&demo_specs()) }.into());
    assert_eq!(selected_name(&s).as_deref(), Some("orders"));
    assert_eq!(detail_loads(&effects), vec!["orders"], "read again from the new listing");
}

#[test]
fn selection_survives_new_snapshots_and_disappearing_entries() {
    let mut s = loaded(&["b/z/a:csv", "b/z/c:csv"], false);
    press(&mut s, &[Intent::Enter, Intent::Enter, Intent::Down]);
    assert_eq!(selected_name(&s).as_deref(), Some("c"));
    let seq = s.listing;
    // A later snapshot inserts an entry before the selection: the cursor follows the name.
    update(&mut s, Listing::Catalog { seq, catalog: catalog(&["b/z/a:csv", "b/z/b:csv", "b/z/c:csv"]) }.into());
    assert_eq!(selected_name(&s).as_deref(), Some("c"));
    assert_eq!(s.nav.current().cursor, 2);
    // The zone vanishes: once the listing is over, navigation falls back to where it exists.
    update(&mut s, Listing::Catalog { seq, catalog: catalog(&["b/y/t:csv"]) }.into());
    update(&mut s, Listing::Finished { seq, result: Ok(()) }.into());
    assert_eq!(s.nav.depth(), 2);
    assert_eq!(selected_name(&s).as_deref(), Some("y"));
}

#[test]
fn detail_of_the_selection_is_requested_once_and_cancelled_when_left() {
    let mut s = loaded(&demo_specs(), false);
    let effects = press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter]);
    assert_eq!(detail_loads(&effects), vec!["customers"], "{effects:?}");
    let location = "file:///lake/acme/silver/customers/".to_string();
    let listing = s.listing;
    started(&mut s, 7, JobKind::Detail, Owner::Detail { listing, location });
    // Moving on cancels the load nobody looks at any more and asks for the new selection.
    let effects = press(&mut s, &[Intent::Down]);
    assert!(effects.contains(&Effect::Cancel(JobId(7))), "{effects:?}");
    assert_eq!(detail_loads(&effects), vec!["orders"]);
    // Nothing new while it loads.
    assert!(detail_loads(&update(&mut s, Msg::Tick)).is_empty());
}

#[test]
fn prefetch_loads_visible_tables_two_at_a_time() {
    let mut s = loaded(&demo_specs(), true);
    let effects = press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter]);
    assert_eq!(detail_loads(&effects), vec!["customers", "orders"], "selected first, at most {MAX_DETAIL_JOBS}");
}

#[test]
fn failed_details_are_kept_and_reported() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter]);
    let loc = "file:///lake/acme/silver/customers/".to_string();
    let listing = s.listing;
    started(&mut s, 3, JobKind::Detail, Owner::Detail { listing, location: loc.clone() });
    let r = crate::jobs::detail::Report::Loaded {
        listing: s.listing,
        location: loc.clone(),
        result: Err("corrupt _delta_log".into()),
    };
    update(&mut s, r.into());
    finished(&mut s, 3, false);
    assert_eq!(s.details.get(&loc), Some(&DetailSlot::Failed("corrupt _delta_log".into())));
    assert_eq!(s.message.as_ref().map(|m| m.level), Some(MessageLevel::Error));
    assert!(s.message.as_ref().unwrap().text.contains("customers"));
    // Not retried on every tick…
    assert!(detail_loads(&update(&mut s, Msg::Tick)).is_empty());
    // …but Enter asks again.
    assert_eq!(detail_loads(&press(&mut s, &[Intent::Enter])), vec!["customers"]);
}

#[test]
fn esc_cancels_the_listing_first_then_detail_loads() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter]);
    let location = "file:///lake/acme/silver/customers/".to_string();
    let listing = s.listing;
    started(&mut s, 5, JobKind::Detail, Owner::Detail { listing, location: location.clone() });
    assert_eq!(press(&mut s, &[Intent::Cancel]), vec![Effect::Cancel(JobId(1))]);
    finished(&mut s, 1, true);
    assert!(!s.discovering);
    assert!(s.message.as_ref().unwrap().text.contains("cancelled"));
    assert_eq!(press(&mut s, &[Intent::Cancel]), vec![Effect::Cancel(JobId(5))]);
    finished(&mut s, 5, true);
    assert_eq!(s.details.get(&location), Some(&DetailSlot::Cancelled));
    assert!(s.jobs.is_empty());
}

#[test]
fn unreadable_formats_are_not_loaded() {
    let mut s = loaded(&["b/z/ice:iceberg"], true);
    let effects = press(&mut s, &[Intent::Enter, Intent::Enter]);
    assert!(detail_loads(&effects).is_empty());
}

#[test]
fn commands() {
    for (cmd, quits) in [("q", true), ("quit", true), ("theme light", false)] {
        let mut s = loaded(&demo_specs(), false);
        let effects = command(&mut s, cmd);
        assert_eq!(effects.contains(&Effect::Quit), quits, "{cmd}");
        assert_eq!(s.quit, quits, "{cmd}");
    }
}

#[test]
fn command_line_runs_what_was_typed() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::CommandLine]);
    assert_eq!(s.layer(), Layer::Prompt);
    type_text(&mut s, "cd acme/silver/orders");
    line(&mut s, InputKey::Submit);
    assert_eq!(s.layer(), Layer::Browser);
    assert_eq!(selected_name(&s).as_deref(), Some("orders"));
    assert_eq!(s.nav.depth(), 3);
    command(&mut s, "cd nowhere");
    assert!(s.message.as_ref().unwrap().text.contains("nowhere"));
    command(&mut s, "frobnicate");
    assert!(s.message.as_ref().unwrap().text.contains("unknown command"));
    command(&mut s, "theme light");
    assert_eq!(s.theme, "light");
    command(&mut s, "theme neon");
    assert_eq!(s.theme, "light");
}

#[test]
fn an_old_error_goes_with_the_next_key() {
    let mut s = loaded(&demo_specs(), false);
    command(&mut s, "theme neon");
    assert_eq!(s.message.as_ref().map(|m| m.level), Some(MessageLevel::Error));
    press(&mut s, &[Intent::Down]);
    assert_eq!(s.message, None, "a later key clears it");
}

#[test]
fn help_opens_over_any_layer_scrolls_and_closes_with_esc() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Help]);
    assert_eq!(s.layer(), Layer::Help);
    press(&mut s, &[Intent::Down, Intent::Down, Intent::PageDown]);
    let Some(Screen::Help(h)) = s.screens.last() else { panic!() };
    assert_eq!(h.scroll, 12);
    assert_eq!(h.under, Layer::Browser);
    assert_eq!(selected_name(&s).as_deref(), Some("acme"));
    press(&mut s, &[Intent::Cancel]);
    assert_eq!(s.layer(), Layer::Browser);
    // Help over the SQL pane says it was opened there.
    press(&mut s, &[Intent::Sql, Intent::Help]);
    let Some(Screen::Help(h)) = s.screens.last() else { panic!() };
    assert_eq!(h.under, Layer::SqlEditor);
    press(&mut s, &[Intent::Cancel]);
    assert_eq!(s.layer(), Layer::SqlEditor, "esc goes back one layer");
}

#[test]
fn the_command_line_opens_inside_views_and_esc_goes_back_one_layer_at_a_time() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter, Intent::Down]);
    press(&mut s, &[Intent::History]);
    assert_eq!(s.layer(), Layer::History);
    press(&mut s, &[Intent::CommandLine]);
    assert_eq!(s.layer(), Layer::Prompt);
    line(&mut s, InputKey::Cancel);
    assert_eq!(s.layer(), Layer::History);
    press(&mut s, &[Intent::Requests]);
    assert_eq!(s.layer(), Layer::Requests);
    press(&mut s, &[Intent::Requests]);
    assert_eq!(s.layer(), Layer::History, "i closes the requests panel its title says i closes");
    press(&mut s, &[Intent::Diagnostics]);
    assert_eq!(s.layer(), Layer::Diagnostics);
    press(&mut s, &[Intent::Cancel]);
    // The diagnostics' job is running: esc cancels it first (none is running in this test).
    assert_eq!(s.layer(), Layer::History);
    press(&mut s, &[Intent::Cancel]);
    assert_eq!(s.layer(), Layer::Browser);
}

#[test]
fn job_list_follows_started_and_finished() {
    let mut s = loaded(&demo_specs(), false);
    assert!(s.has_running(JobKind::Discovery));
    finished(&mut s, 1, false);
    let seq = s.listing;
    update(&mut s, Listing::Finished { seq, result: Ok(()) }.into());
    assert!(s.jobs.is_empty());
    assert!(!s.discovering);
    // A finish for an unknown job is harmless.
    finished(&mut s, 99, true);
    assert!(s.jobs.is_empty());
}

#[test]
fn a_listing_job_that_ends_without_a_result_is_not_still_running() {
    let mut s = loaded(&demo_specs(), false);
    // The job ended (e.g. cancelled while it was being polled) and never sent Finished.
    finished(&mut s, 1, false);
    assert!(!s.discovering);
    assert!(s.jobs.is_empty());
}

#[test]
fn a_superseded_listing_ending_does_not_end_the_new_one() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Refresh]);
    let listing = s.listing;
    started(&mut s, 2, JobKind::Discovery, Owner::Listing(listing));
    finished(&mut s, 1, true);
    assert!(s.discovering, "the new listing still runs");
    assert_eq!(s.message, None, "no 'cancelled' notice for a listing the user replaced");
    finished(&mut s, 2, false);
    assert!(!s.discovering);
}

#[test]
fn a_job_that_panicked_is_reported_on_its_entry() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Intent::Enter, Intent::Down, Intent::Down, Intent::Enter]);
    let loc = "file:///lake/acme/silver/customers/".to_string();
    let listing = s.listing;
    started(&mut s, 4, JobKind::Detail, Owner::Detail { listing, location: loc.clone() });
    update(&mut s, Msg::Job(JobEvent::Failed { id: JobId(4), error: "index out of bounds".into() }));
    finished(&mut s, 4, false);
    let Some(DetailSlot::Failed(text)) = s.details.get(&loc) else { panic!("{:?}", s.details.get(&loc)) };
    assert!(text.contains("internal error while reading a table: index out of bounds"), "{text}");
    assert!(s.message.as_ref().unwrap().text.contains("please report"));
    assert!(!s.jobs.iter().any(|j| j.id == JobId(4)));
}

#[test]
fn a_result_for_a_view_no_longer_open_is_dropped() {
    let mut s = loaded(&demo_specs(), false);
    let table = s.catalog.tables().map(|(_, t)| t.clone()).find(|t| t.name == "orders").unwrap();
    let Some(Effect::Spawn(Job::Dataset { seq, .. })) = inspector::open(&mut s, table.clone()).first().cloned() else {
        panic!()
    };
    // Reopened: the first read's result must not land in the new view.
    inspector::open(&mut s, table);
    assert_eq!(s.screens.len(), 1, "one inspector at a time");
    update(&mut s, crate::jobs::inspect::Report::Dataset { seq, result: Err("old".into()) }.into());
    assert_eq!(s.inspector().unwrap().dataset.as_ref().unwrap().summary, Slot::Loading);
}
