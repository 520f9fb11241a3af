//! `update(state, action)` on plain data: navigation, filtering, stale-result dropping, job
//! bookkeeping and detail scheduling. Catalogs are built in memory from path specs.

use std::sync::Arc;

use rstest::rstest;

use super::*;
use crate::lake::catalog::{Catalog, Node, NodeKind, TableEntry, TableFormat};

/// Build a catalog from `bucket/zone/…/table:format` specs (`:format` marks a table).
fn catalog(specs: &[&str]) -> Arc<Catalog> {
    let mut c = Catalog { root_url: "/lake".into(), root_name: "lake".into(), ..Catalog::default() };
    for spec in specs {
        let (path, format) = match spec.split_once(':') {
            Some((p, f)) => (p, Some(f)),
            None => (*spec, None),
        };
        let names: Vec<&str> = path.split('/').collect();
        let mut parent: Option<NodeId> = None;
        for (depth, name) in names.iter().enumerate() {
            let existing = c.children(parent).iter().copied().find(|id| c.node(*id).name == *name);
            let id = match existing {
                Some(id) => id,
                None => {
                    let last = depth == names.len() - 1;
                    let kind = match (depth, last && format.is_some()) {
                        (_, true) => NodeKind::Table,
                        (0, _) => NodeKind::Bucket,
                        (1, _) => NodeKind::Zone,
                        _ => NodeKind::Folder,
                    };
                    let id = NodeId(c.nodes.len() as u32);
                    let rel = names[..=depth].join("/");
                    let table = (kind == NodeKind::Table).then(|| {
                        let fmt = match format.unwrap_or("parquet") {
                            "delta" => TableFormat::Delta,
                            "csv" => TableFormat::Csv,
                            "iceberg" => TableFormat::Iceberg,
                            _ => TableFormat::Parquet,
                        };
                        Box::new(TableEntry {
                            name: name.to_string(),
                            format: fmt,
                            bucket: names[0].to_string(),
                            zone: names.get(1).filter(|_| depth > 1).map(|s| s.to_string()),
                            location: format!("file:///lake/{rel}/"),
                            path: rel.clone(),
                            file_glob: None,
                            files: 1,
                            bytes: 100,
                            meta_files: 0,
                            meta_bytes: 0,
                            partitions: Vec::new(),
                            partition_dirs: 0,
                            unnamed_partition_levels: 0,
                            last_modified_ms: None,
                            sample_file: Some(format!("{rel}/part-0.parquet")),
                            sample_file_bytes: Some(100),
                            delta_log: None,
                            listing_complete: true,
                            listing: None,
                            issues: Vec::new(),
                        })
                    });
                    c.nodes.push(Node {
                        id,
                        parent,
                        name: name.to_string(),
                        kind,
                        path: rel,
                        children: Vec::new(),
                        table,
                        tables_below: 0,
                        files_below: 0,
                        bytes_below: 0,
                        other_files: 0,
                        error: None,
                        pending: false,
                        depth_limited: false,
                    });
                    match parent {
                        Some(p) => c.nodes[p.0 as usize].children.push(id),
                        None => c.buckets.push(id),
                    }
                    id
                }
            };
            parent = Some(id);
        }
    }
    Arc::new(c)
}

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

/// A state that has received the first snapshot of its first listing.
fn loaded(specs: &[&str], prefetch: bool) -> AppState {
    let mut s = AppState::new("/lake".into(), "dark".into(), vec!["dark".into(), "light".into()], prefetch, false);
    let effects = start(&mut s);
    assert_eq!(effects, vec![Effect::StartDiscovery { ticket: 1 }]);
    update(&mut s, Action::JobStarted { id: JobId(1), kind: JobKind::Discovery, label: "listing".into(), ticket: 1 });
    update(&mut s, Action::CatalogUpdated { ticket: 1, catalog: catalog(specs) });
    s
}

fn selected_name(s: &AppState) -> Option<String> {
    s.selected().map(|id| s.catalog.node(id).name.clone())
}

fn press(s: &mut AppState, actions: &[Action]) -> Vec<Effect> {
    actions.iter().flat_map(|a| update(s, a.clone())).collect()
}

fn type_text(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(s, Action::Input(InputKey::Char(c)));
    }
}

#[rstest]
#[case::first_bucket(vec![], "acme")]
#[case::down(vec![Action::Down], "ml")]
#[case::down_clamps(vec![Action::Down, Action::Down, Action::Down], "ml")]
#[case::into_bucket(vec![Action::Enter], "raw")]
#[case::zones_in_order(vec![Action::Enter, Action::Bottom], "gold")]
#[case::into_zone(vec![Action::Enter, Action::Down, Action::Down, Action::Enter], "customers")]
#[case::table_in_zone(vec![Action::Enter, Action::Down, Action::Down, Action::Enter, Action::Down], "orders")]
#[case::back_keeps_selection(vec![Action::Enter, Action::Down, Action::Down, Action::Enter, Action::Back], "silver")]
#[case::back_at_top_is_noop(vec![Action::Back, Action::Down], "ml")]
#[case::top(vec![Action::Enter, Action::Bottom, Action::Top], "raw")]
fn navigation(#[case] keys: Vec<Action>, #[case] expected: &str) {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &keys);
    assert_eq!(selected_name(&s).as_deref(), Some(expected));
}

#[test]
fn remembered_selection_survives_back_and_forth() {
    let mut s = loaded(&demo_specs(), false);
    press(
        &mut s,
        &[Action::Enter, Action::Down, Action::Down, Action::Enter, Action::Down, Action::Back, Action::Enter],
    );
    assert_eq!(selected_name(&s).as_deref(), Some("orders"));
}

#[test]
fn enter_on_a_table_focuses_the_detail_and_back_returns() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Action::Enter, Action::Down, Action::Down, Action::Enter, Action::Down, Action::Enter]);
    assert_eq!(s.focus, Focus::Detail);
    press(&mut s, &[Action::Down, Action::Down]);
    assert_eq!(s.detail_scroll, 2);
    assert_eq!(selected_name(&s).as_deref(), Some("orders"), "scrolling the detail must not move the cursor");
    press(&mut s, &[Action::Back]);
    assert_eq!(s.focus, Focus::List);
    assert_eq!(selected_name(&s).as_deref(), Some("orders"));
}

#[test]
fn paging_moves_by_a_screen() {
    let specs: Vec<String> = (0..100).map(|i| format!("b/z/t{i:03}:parquet")).collect();
    let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
    let mut s = loaded(&specs, false);
    update(&mut s, Action::Resize { width: 80, height: 24 });
    press(&mut s, &[Action::Enter, Action::Enter, Action::PageDown]);
    assert_eq!(selected_name(&s).as_deref(), Some("t020"));
    assert_eq!(s.nav.current().offset, 1, "the cursor row stays visible");
    press(&mut s, &[Action::Bottom]);
    assert_eq!(selected_name(&s).as_deref(), Some("t099"));
    assert_eq!(s.nav.current().offset, 80);
    press(&mut s, &[Action::PageUp]);
    assert_eq!(selected_name(&s).as_deref(), Some("t079"));
}

#[test]
fn filter_narrows_the_current_column_live() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Action::Enter, Action::Down, Action::Down, Action::Enter, Action::Filter]);
    assert_eq!(s.mode, Mode::Filter);
    type_text(&mut s, "pay");
    let entries = browser::Nav::entries(&s.catalog, s.nav.current());
    assert_eq!(entries.len(), 1);
    assert_eq!(selected_name(&s).as_deref(), Some("payments"));
    update(&mut s, Action::Input(InputKey::Submit));
    assert_eq!(s.mode, Mode::Browse);
    assert_eq!(s.nav.current().filter, "pay", "enter keeps the filter");
    // Esc with no job running clears it.
    update(&mut s, Action::JobFinished { id: JobId(1), cancelled: false });
    update(&mut s, Action::Cancel);
    assert_eq!(s.nav.current().filter, "");
    assert_eq!(browser::Nav::entries(&s.catalog, s.nav.current()).len(), 3);
    assert_eq!(selected_name(&s).as_deref(), Some("payments"), "the selection stays on the filtered entry");
}

#[test]
fn esc_while_filtering_restores_the_full_list() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Action::Enter, Action::Filter]);
    type_text(&mut s, "zzz");
    assert!(browser::Nav::entries(&s.catalog, s.nav.current()).is_empty());
    assert_eq!(s.selected(), None);
    update(&mut s, Action::Input(InputKey::Cancel));
    assert_eq!(s.mode, Mode::Browse);
    assert_eq!(browser::Nav::entries(&s.catalog, s.nav.current()).len(), 4);
}

#[test]
fn filter_is_per_column() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Action::Enter, Action::Filter]);
    type_text(&mut s, "sil");
    update(&mut s, Action::Input(InputKey::Submit));
    press(&mut s, &[Action::Enter]);
    assert_eq!(s.nav.current().filter, "");
    assert_eq!(browser::Nav::entries(&s.catalog, s.nav.current()).len(), 3);
}

#[test]
fn stale_catalogs_and_details_are_dropped() {
    let mut s = loaded(&demo_specs(), false);
    let before = s.catalog.clone();
    // A refresh starts listing #2; the old listing's late snapshot must not win.
    let effects = update(&mut s, Action::Refresh);
    assert!(effects.contains(&Effect::StartDiscovery { ticket: 2 }));
    assert!(effects.contains(&Effect::CancelJob(JobId(1))));
    update(&mut s, Action::CatalogUpdated { ticket: 1, catalog: catalog(&["old/zone/t:csv"]) });
    assert!(Arc::ptr_eq(&s.catalog, &before), "a snapshot from listing #1 was applied after refresh");
    update(&mut s, Action::DiscoveryFinished { ticket: 1, result: Err("late failure".into()) });
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
    update(
        &mut s,
        Action::DetailLoaded { ticket: 1, location: "file:///lake/acme/silver/orders/".into(), result: Ok(stale) },
    );
    assert!(!s.details.contains_key("file:///lake/acme/silver/orders/"));
    // The current listing's snapshot applies.
    update(&mut s, Action::CatalogUpdated { ticket: 2, catalog: catalog(&["new/zone/t:csv"]) });
    assert_eq!(selected_name(&s).as_deref(), Some("new"));
}

#[test]
fn selection_survives_new_snapshots_and_disappearing_entries() {
    let mut s = loaded(&["b/z/a:csv", "b/z/c:csv"], false);
    press(&mut s, &[Action::Enter, Action::Enter, Action::Down]);
    assert_eq!(selected_name(&s).as_deref(), Some("c"));
    // A later snapshot inserts an entry before the selection: the cursor follows the name.
    update(&mut s, Action::CatalogUpdated { ticket: 1, catalog: catalog(&["b/z/a:csv", "b/z/b:csv", "b/z/c:csv"]) });
    assert_eq!(selected_name(&s).as_deref(), Some("c"));
    assert_eq!(s.nav.current().cursor, 2);
    // The zone vanishes: navigation falls back to where it still exists.
    update(&mut s, Action::CatalogUpdated { ticket: 1, catalog: catalog(&["b/y/t:csv"]) });
    assert_eq!(s.nav.depth(), 2);
    assert_eq!(selected_name(&s).as_deref(), Some("y"));
}

#[test]
fn detail_of_the_selection_is_requested_once_and_cancelled_when_left() {
    let mut s = loaded(&demo_specs(), false);
    let effects = press(&mut s, &[Action::Enter, Action::Down, Action::Down, Action::Enter]);
    let loads: Vec<_> = effects.iter().filter(|e| matches!(e, Effect::LoadDetail { .. })).collect();
    assert_eq!(loads.len(), 1, "{effects:?}");
    let Effect::LoadDetail { table, ticket, .. } = loads[0] else { unreachable!() };
    assert_eq!(table.name, "customers");
    assert_eq!(*ticket, 1);
    update(
        &mut s,
        Action::JobStarted { id: JobId(7), kind: JobKind::Detail, label: table.location.clone(), ticket: 1 },
    );
    // Moving on cancels the load nobody looks at any more and asks for the new selection.
    let effects = update(&mut s, Action::Down);
    assert!(effects.contains(&Effect::CancelJob(JobId(7))), "{effects:?}");
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadDetail { table, .. } if table.name == "orders")));
    // Nothing new while it loads.
    let again = update(&mut s, Action::Tick);
    assert!(!again.iter().any(|e| matches!(e, Effect::LoadDetail { .. })));
}

#[test]
fn prefetch_loads_visible_tables_two_at_a_time() {
    let mut s = loaded(&demo_specs(), true);
    let effects = press(&mut s, &[Action::Enter, Action::Down, Action::Down, Action::Enter]);
    let names: Vec<String> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadDetail { table, .. } => Some(table.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names, vec!["customers".to_string(), "orders".to_string()], "selected first, at most {MAX_DETAIL_JOBS}");
}

#[test]
fn failed_details_are_kept_and_reported() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Action::Enter, Action::Down, Action::Down, Action::Enter]);
    let loc = "file:///lake/acme/silver/customers/".to_string();
    update(&mut s, Action::JobStarted { id: JobId(3), kind: JobKind::Detail, label: loc.clone(), ticket: 1 });
    update(&mut s, Action::DetailLoaded { ticket: 1, location: loc.clone(), result: Err("corrupt _delta_log".into()) });
    update(&mut s, Action::JobFinished { id: JobId(3), cancelled: false });
    assert_eq!(s.details.get(&loc), Some(&DetailSlot::Failed("corrupt _delta_log".into())));
    assert_eq!(s.message.as_ref().map(|m| m.level), Some(MessageLevel::Error));
    assert!(s.message.as_ref().unwrap().text.contains("customers"));
    // Not retried on every keypress…
    let effects = update(&mut s, Action::Tick);
    assert!(!effects.iter().any(|e| matches!(e, Effect::LoadDetail { .. })));
    // …but Enter asks again.
    let effects = update(&mut s, Action::Enter);
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadDetail { .. })));
}

#[test]
fn esc_cancels_the_listing_first_then_detail_loads() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Action::Enter, Action::Down, Action::Down, Action::Enter]);
    update(
        &mut s,
        Action::JobStarted {
            id: JobId(5),
            kind: JobKind::Detail,
            label: "file:///lake/acme/silver/customers/".into(),
            ticket: 1,
        },
    );
    assert_eq!(update(&mut s, Action::Cancel), vec![Effect::CancelJob(JobId(1))]);
    update(&mut s, Action::JobFinished { id: JobId(1), cancelled: true });
    assert!(!s.discovering);
    assert!(s.message.as_ref().unwrap().text.contains("cancelled"));
    assert_eq!(update(&mut s, Action::Cancel), vec![Effect::CancelJob(JobId(5))]);
    update(&mut s, Action::JobFinished { id: JobId(5), cancelled: true });
    assert_eq!(s.details.get("file:///lake/acme/silver/customers/"), Some(&DetailSlot::Cancelled));
    assert!(s.jobs.is_empty());
}

#[test]
fn unreadable_formats_are_not_loaded() {
    let mut s = loaded(&["b/z/ice:iceberg"], true);
    let effects = press(&mut s, &[Action::Enter, Action::Enter]);
    assert!(!effects.iter().any(|e| matches!(e, Effect::LoadDetail { .. })));
}

#[rstest]
#[case("q", true)]
#[case("quit", true)]
#[case("theme light", false)]
fn commands(#[case] cmd: &str, #[case] quits: bool) {
    let mut s = loaded(&demo_specs(), false);
    let effects = update(&mut s, Action::RunCommand(cmd.into()));
    assert_eq!(effects.contains(&Effect::Quit), quits);
    assert_eq!(s.quit, quits);
}

#[test]
fn command_line_runs_what_was_typed() {
    let mut s = loaded(&demo_specs(), false);
    update(&mut s, Action::CommandLine);
    type_text(&mut s, "cd acme/silver/orders");
    update(&mut s, Action::Input(InputKey::Submit));
    assert_eq!(s.mode, Mode::Browse);
    assert_eq!(selected_name(&s).as_deref(), Some("orders"));
    assert_eq!(s.nav.depth(), 3);
    update(&mut s, Action::RunCommand("cd nowhere".into()));
    assert!(s.message.as_ref().unwrap().text.contains("nowhere"));
    update(&mut s, Action::RunCommand("frobnicate".into()));
    assert!(s.message.as_ref().unwrap().text.contains("unknown command"));
    update(&mut s, Action::RunCommand("theme light".into()));
    assert_eq!(s.theme, "light");
    update(&mut s, Action::RunCommand("theme neon".into()));
    assert_eq!(s.theme, "light");
}

#[test]
fn help_toggles_and_scrolls_without_moving_the_cursor() {
    let mut s = loaded(&demo_specs(), false);
    update(&mut s, Action::Help);
    assert_eq!(s.mode, Mode::Help);
    press(&mut s, &[Action::Down, Action::Down]);
    assert_eq!(s.help_scroll, 2);
    assert_eq!(selected_name(&s).as_deref(), Some("acme"));
    update(&mut s, Action::Cancel);
    assert_eq!(s.mode, Mode::Browse);
}

#[test]
fn job_list_follows_started_and_finished() {
    let mut s = loaded(&demo_specs(), false);
    assert!(s.has_running(JobKind::Discovery));
    update(&mut s, Action::JobFinished { id: JobId(1), cancelled: false });
    update(&mut s, Action::DiscoveryFinished { ticket: 1, result: Ok(()) });
    assert!(s.jobs.is_empty());
    assert!(!s.discovering);
    // A finish for an unknown job is harmless.
    update(&mut s, Action::JobFinished { id: JobId(99), cancelled: true });
    assert!(s.jobs.is_empty());
}

#[test]
fn a_listing_job_that_ends_without_a_result_is_not_still_running() {
    let mut s = loaded(&demo_specs(), false);
    // The job ended (e.g. cancelled while it was being polled) and never sent DiscoveryFinished.
    update(&mut s, Action::JobFinished { id: JobId(1), cancelled: false });
    assert!(!s.discovering);
    assert!(s.jobs.is_empty());
}

#[test]
fn a_superseded_listing_ending_does_not_end_the_new_one() {
    let mut s = loaded(&demo_specs(), false);
    update(&mut s, Action::Refresh);
    update(&mut s, Action::JobStarted { id: JobId(2), kind: JobKind::Discovery, label: "listing".into(), ticket: 2 });
    update(&mut s, Action::JobFinished { id: JobId(1), cancelled: true });
    assert!(s.discovering, "listing #2 still runs");
    assert_eq!(s.message, None, "no 'cancelled' notice for a listing the user replaced");
    update(&mut s, Action::JobFinished { id: JobId(2), cancelled: false });
    assert!(!s.discovering);
}

#[test]
fn a_job_that_panicked_is_reported_on_its_entry() {
    let mut s = loaded(&demo_specs(), false);
    press(&mut s, &[Action::Enter, Action::Down, Action::Down, Action::Enter]);
    let loc = "file:///lake/acme/silver/customers/".to_string();
    update(&mut s, Action::JobStarted { id: JobId(4), kind: JobKind::Detail, label: loc.clone(), ticket: 1 });
    update(&mut s, Action::JobFailed { id: JobId(4), error: "index out of bounds".into() });
    update(&mut s, Action::JobFinished { id: JobId(4), cancelled: false });
    let Some(DetailSlot::Failed(text)) = s.details.get(&loc) else { panic!("{:?}", s.details.get(&loc)) };
    assert!(text.contains("internal error while reading a table: index out of bounds"), "{text}");
    assert!(s.message.as_ref().unwrap().text.contains("please report"));
    assert!(!s.jobs.iter().any(|j| j.id == JobId(4)));
}

#[test]
fn a_cancelled_inspector_read_says_so_instead_of_reading_forever() {
    let mut s = loaded(&demo_specs(), false);
    let table = s.catalog.tables().map(|(_, t)| t.clone()).find(|t| t.name == "orders").unwrap();
    let effects = inspector::open(&mut s, table);
    let Some(Effect::LoadDataset { seq, .. }) = effects.first().cloned() else { panic!("{effects:?}") };
    update(&mut s, Action::JobStarted { id: JobId(42), kind: JobKind::Inspect, label: "orders".into(), ticket: seq });
    // Esc stops the read, but leaves the view open.
    assert_eq!(update(&mut s, Action::Cancel), vec![Effect::CancelJob(JobId(42))]);
    assert!(s.inspector.is_some());
    update(&mut s, Action::JobFinished { id: JobId(42), cancelled: true });
    let d = s.inspector.as_ref().unwrap().dataset.as_ref().unwrap();
    assert!(matches!(&d.summary, inspector::Slot::Failed(e) if e.starts_with("cancelled")), "{:?}", d.summary);
    // A second Esc, with nothing running, leaves the inspector.
    update(&mut s, Action::Cancel);
    assert!(s.inspector.is_none());
}

#[test]
fn a_result_for_a_view_no_longer_open_is_dropped() {
    let mut s = loaded(&demo_specs(), false);
    let table = s.catalog.tables().map(|(_, t)| t.clone()).find(|t| t.name == "orders").unwrap();
    let Some(Effect::LoadDataset { seq, .. }) = inspector::open(&mut s, table.clone()).first().cloned() else {
        panic!()
    };
    // Reopened: the first read's result must not land in the new view.
    inspector::open(&mut s, table);
    update(&mut s, Action::DatasetLoaded { seq, result: Err("old".into()) });
    assert_eq!(s.inspector.as_ref().unwrap().dataset.as_ref().unwrap().summary, inspector::Slot::Loading);
}

#[test]
fn a_diff_shows_its_files_first_and_says_when_the_row_comparison_is_cancelled() {
    use crate::lake::delta_diff::TableDiff;
    use crate::lake::delta_log::FileDiff;
    let mut s = loaded(&demo_specs(), false);
    let table = s.catalog.tables().map(|(_, t)| t.clone()).find(|t| t.name == "orders").unwrap();
    let Some(Effect::LoadHistory { seq, .. }) = history::open(&mut s, table).first().cloned() else { panic!() };
    let entry = |v: u64| {
        let text = "{\"commitInfo\":{\"timestamp\":1,\"operation\":\"WRITE\"}}\n";
        let c = crate::lake::delta_log::parse_commit(v, text.as_bytes(), 0).unwrap();
        crate::lake::delta_log::HistoryEntry::from_commit(c, &Default::default())
    };
    update(&mut s, Action::HistoryPage { seq, entries: vec![entry(1), entry(0)], total: 2, error: None });
    let effects = update(&mut s, Action::Diff);
    let Some(Effect::LoadDiff { seq: dseq, a: 0, b: 1, .. }) = effects.first().cloned() else { panic!("{effects:?}") };
    update(&mut s, Action::JobStarted { id: JobId(7), kind: JobKind::History, label: "diff".into(), ticket: dseq });
    let files = FileDiff {
        rows_added: Some(0),
        rows_removed: Some(0),
        commits_read: 1,
        log_bytes_read: 10,
        ..FileDiff::empty(0, 1)
    };
    let first = TableDiff {
        location: "x".into(),
        a: 0,
        b: 1,
        files,
        schema: vec![],
        properties: vec![],
        protocol: None,
        rows: None,
        rows_note: Some(history::ROWS_PENDING.into()),
    };
    update(&mut s, Action::DiffLoaded { seq: dseq, result: Ok(Arc::new(first)) });
    update(&mut s, Action::JobFinished { id: JobId(7), cancelled: true });
    let Some((_, _, inspector::Slot::Ready(d))) = s.history.as_ref().unwrap().diff.clone() else { panic!() };
    assert!(d.rows_note.as_deref().unwrap().starts_with("rows not compared: cancelled"), "{:?}", d.rows_note);
}
