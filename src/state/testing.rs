//! Test support for the state's modules: catalogs built in memory from path specs, a state that
//! has received its first listing, and pressing keys (intents) on it.

use std::sync::Arc;

use super::{AppState, Effect, start, update};
use crate::event::{Intent, JobEvent, Msg};
use crate::jobs::{Job, JobId, JobKind, Owner, discovery};
use crate::lake::discover::catalog::{Catalog, DeltaLogListing, Node, NodeId, NodeKind, TableEntry, TableFormat};

/// Build a catalog from `bucket/zone/…/table:format` specs (`:format` marks a table;
/// `:delta@12` a Delta table whose latest version is 12).
pub fn catalog(specs: &[&str]) -> Arc<Catalog> {
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
                    let table = (kind == NodeKind::Table).then(|| Box::new(table(&rel, &names, depth, format)));
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

fn table(rel: &str, names: &[&str], depth: usize, format: Option<&str>) -> TableEntry {
    let spec = format.unwrap_or("parquet");
    let (fmt, latest) = match spec.split_once('@') {
        Some((f, v)) => (f, v.parse::<u64>().ok()),
        None => (spec, None),
    };
    let format = match fmt {
        "delta" => TableFormat::Delta,
        "csv" => TableFormat::Csv,
        "iceberg" => TableFormat::Iceberg,
        _ => TableFormat::Parquet,
    };
    let mut t = TableEntry::new(names[depth], format, names[0], &format!("file:///lake/{rel}/"), rel);
    t.zone = names.get(1).filter(|_| depth > 1).map(|s| s.to_string());
    t.files = 1;
    t.bytes = 100;
    t.sample_file = Some(format!("{rel}/part-0.parquet"));
    t.sample_file_bytes = Some(100);
    if format == TableFormat::Delta {
        t.delta_log = Some(DeltaLogListing { latest_version: latest, ..DeltaLogListing::default() });
    }
    t
}

/// A state that has received the first snapshot of its first listing.
pub fn loaded(specs: &[&str], prefetch: bool) -> AppState {
    let mut s = AppState::new("/lake".into(), "dark".into(), vec!["dark".into(), "light".into()], prefetch, false);
    let effects = start(&mut s);
    let seq = s.listing;
    assert_eq!(effects, vec![Effect::Spawn(Job::Discover { seq })]);
    let started = JobEvent::Started {
        id: JobId(1),
        kind: JobKind::Discovery,
        label: "listing".into(),
        owner: Owner::Listing(seq),
    };
    update(&mut s, Msg::Job(started));
    update(&mut s, discovery::Report::Catalog { seq, catalog: catalog(specs) }.into());
    s
}

/// Press keys; the effects of all of them.
pub fn press(s: &mut AppState, intents: &[Intent]) -> Vec<Effect> {
    intents.iter().flat_map(|i| update(s, Msg::from(*i))).collect()
}
