//! Plain-text renderings of Delta history, detail and diffs (here) and of diagnostics (`diag`),
//! shared by the headless commands
//! (`lakescope history / detail / diff`) and the TUI's history view. No terminal code: lines of
//! text that each caller prints or styles.

pub mod diag;
pub mod maintain;

use crate::lake::delta::diff::TableDiff;
use crate::lake::delta::info::DeltaInfo;
use crate::lake::delta::log::{HistoryEntry, Readable};
use crate::lake::units;

/// A commit time in UTC, to the second.
pub fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// A short mark for a history row: checkpoint, readability.
pub fn marks(e: &HistoryEntry) -> String {
    let mut m = String::new();
    if e.checkpoint {
        m.push_str("cp ");
    }
    match &e.readable {
        Readable::No(_) => m.push_str("unreadable"),
        Readable::Unknown => m.push('?'),
        Readable::Yes => {}
    }
    m.trim().to_string()
}

pub fn info_lines(i: &DeltaInfo) -> Vec<String> {
    let mut l = Vec::new();
    let as_of = if i.version == i.latest {
        "latest".to_string()
    } else {
        format!("as of v{}, latest v{}", i.version, i.latest)
    };
    l.push(format!("table        {}", i.location));
    l.push(format!("version      {} ({as_of})", i.version));
    if let Some(n) = &i.name {
        l.push(format!("name         {n}"));
    }
    if let Some(d) = &i.description {
        l.push(format!("description  {d}"));
    }
    l.push(format!("protocol     reader {} / writer {}{}", i.min_reader_version, i.min_writer_version, {
        let mut f: Vec<&String> = i.reader_features.iter().chain(i.writer_features.iter()).collect();
        f.sort();
        f.dedup();
        if f.is_empty() {
            String::new()
        } else {
            format!("; features: {}", f.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
        }
    }));
    l.push(format!(
        "data         {}, {}, {}",
        units::plural(i.files, "file"),
        units::bytes(i.bytes),
        i.rows.map(|r| units::plural(r, "row")).unwrap_or_else(|| "? rows".into())
    ));
    l.push(format!(
        "partitions   {}",
        if i.partition_columns.is_empty() { "none".to_string() } else { i.partition_columns.join(", ") }
    ));
    l.push(format!(
        "log          {}, {}; {} from v{}; last checkpoint {} ({} checkpoint{})",
        units::plural(i.log_files, "file"),
        units::bytes(i.log_bytes),
        units::plural(i.commits_in_log as u64, "commit"),
        i.oldest_commit.unwrap_or(0),
        i.last_checkpoint.map(|v| format!("v{v}")).unwrap_or_else(|| "none".into()),
        i.checkpoints,
        if i.checkpoints == 1 { "" } else { "s" }
    ));
    l.push("properties".into());
    for p in &i.properties {
        l.push(format!(
            "  {:<36} {:<20} {}",
            p.key,
            if p.set { p.value.clone() } else { format!("{} (default)", p.value) },
            p.meaning.unwrap_or("")
        ));
    }
    l.push("columns".into());
    for c in &i.columns {
        l.push(format!(
            "  {:<30} {}{}{}",
            c.name,
            c.data_type,
            if c.nullable { "" } else { " not null" },
            if c.partition { " (partition)" } else { "" }
        ));
    }
    for w in &i.warnings {
        l.push(format!("! {w}"));
    }
    l
}

/// The diff as text lines (shared with the TUI's diff view).
/// One commit in full: when, what, by whom, and every parameter and metric it recorded.
pub fn commit_lines(e: &HistoryEntry) -> Vec<String> {
    let mut l = vec![format!(
        "commit v{} · {} ({}) · {}",
        e.version,
        when(e.timestamp_ms),
        e.timestamp_source,
        e.operation.as_deref().unwrap_or("(no operation recorded)")
    )];
    if let Some(engine) = &e.engine {
        l.push(format!("  engine     {engine}"));
    }
    if let Some(user) = &e.user {
        l.push(format!("  user       {user}"));
    }
    l.push(format!(
        "  files      +{} ({})  -{} ({}){}",
        units::count(e.files_added),
        units::bytes(e.bytes_added),
        units::count(e.files_removed),
        units::bytes(e.bytes_removed),
        e.rows_added.map(|r| format!(" · {} added", units::plural(r, "row"))).unwrap_or_default()
    ));
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if !e.parameters.is_empty() {
        l.push("  parameters".into());
        l.extend(e.parameters.iter().map(|(k, v)| format!("    {k} = {}", value(v))));
    }
    if !e.metrics.is_empty() {
        l.push("  metrics".into());
        l.extend(e.metrics.iter().map(|(k, v)| format!("    {k} = {}", value(v))));
    }
    l.push(String::new());
    l
}

pub fn diff_lines(d: &TableDiff) -> Vec<String> {
    let f = &d.files;
    let mut l = Vec::new();
    l.push(format!("diff v{} → v{} of {}", d.a, d.b, d.location));
    if !f.operations.is_empty() {
        let ops: Vec<String> = f.operations.iter().map(|(v, o)| format!("v{v} {o}")).collect();
        l.push(format!("commits      {}", units::truncate(&ops.join(", "), 200, "…")));
    }
    let rows = |r: Option<u64>| r.map(units::count).unwrap_or_else(|| "?".into());
    l.push(format!(
        "files        +{} ({}, {} rows)   -{} ({}, {} rows)",
        units::count(f.added.len() as u64),
        units::bytes(f.bytes_added),
        rows(f.rows_added),
        units::count(f.removed.len() as u64),
        units::bytes(f.bytes_removed),
        rows(f.rows_removed)
    ));
    if !f.partitions.is_empty() {
        l.push(format!(
            "partitions   {} touched: {}",
            f.partitions.len(),
            units::truncate(&f.partitions.join(", "), 160, "…")
        ));
    }
    l.push(format!("log read     {}, {}", units::plural(f.commits_read, "commit"), units::bytes(f.log_bytes_read)));
    if let Some(note) = &d.schema_note {
        l.push(format!("schema       {note}"));
    } else if d.schema.is_empty() {
        l.push(format!(
            "schema       {}",
            if f.metadata_changed { "unchanged" } else { "unchanged (no metadata commit in between)" }
        ));
    } else {
        l.push("schema".into());
        for c in &d.schema {
            l.push(format!(
                "  {:<8} {:<24} {} → {}",
                c.change,
                c.column,
                c.before.as_deref().unwrap_or("-"),
                c.after.as_deref().unwrap_or("-")
            ));
        }
    }
    for p in &d.properties {
        l.push(format!(
            "property     {}: {} → {}",
            p.key,
            p.before.as_deref().unwrap_or("(unset)"),
            p.after.as_deref().unwrap_or("(unset)")
        ));
    }
    if let Some((a, b)) = &d.protocol {
        l.push(format!("protocol     {a} → {b}"));
    }
    for (sign, list) in [("+", &f.added), ("-", &f.removed)] {
        for x in list.iter().take(20) {
            l.push(format!(
                "  {sign} {}  {}  {} rows  (v{})",
                x.path,
                x.size.map(units::bytes).unwrap_or_else(|| "?".into()),
                rows(x.rows),
                x.version
            ));
        }
        if list.len() > 20 {
            l.push(format!("  {sign} … {} more", list.len() - 20));
        }
    }
    if let Some(note) = &d.rows_note {
        l.push(format!("rows         {note}"));
    }
    if let Some(r) = &d.rows {
        l.push(format!(
            "rows         {} only in v{}, {} only in v{} (from the {}: {} files, {})",
            units::count(r.only_in_a),
            d.a,
            units::count(r.only_in_b),
            d.b,
            r.source,
            r.files_read,
            units::bytes(r.bytes_to_read)
        ));
        let header = r.columns.join(" | ");
        if let Some(k) = &r.keyed {
            l.push(format!(
                "by key ({}): {} inserted, {} deleted, {} updated",
                k.keys.join(", "),
                units::count(k.inserted),
                units::count(k.deleted),
                units::count(k.updated)
            ));
            l.push(format!("    {header}"));
            for u in &k.updated_rows {
                let changed: Vec<&str> = u.changed.iter().map(|i| r.columns[*i].as_str()).collect();
                l.push(format!("  ~ {}  [{}]", u.key.join(","), changed.join(", ")));
                l.push(format!("    - {}", u.before.join(" | ")));
                l.push(format!("    + {}", u.after.join(" | ")));
            }
            for x in &k.deleted_rows {
                l.push(format!("  - {}", x.join(" | ")));
            }
            for x in &k.inserted_rows {
                l.push(format!("  + {}", x.join(" | ")));
            }
        } else {
            l.push(format!("    {header}"));
            for x in &r.rows_a {
                l.push(format!("  - {}", x.join(" | ")));
            }
            for x in &r.rows_b {
                l.push(format!("  + {}", x.join(" | ")));
            }
        }
    }
    l
}
