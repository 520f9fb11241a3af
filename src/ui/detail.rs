//! The table detail pane: what the listing says (format, place, files on disk, partitions,
//! Delta log), then what the loaded detail says (live version, rows, protocol, schema), then
//! problems. Written to stay readable in the 32 columns it gets at 80x24; scrolls when focused.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::{View, node_role, truncate, truncate_left};
use crate::config::theme::Role;
use crate::lake::units;
use crate::lake::{NodeId, TableDetail, TableFormat};
use crate::state::{DetailSlot, Focus};

pub fn table(frame: &mut Frame, area: Rect, view: &View, id: NodeId) {
    let state = view.state;
    let node = state.catalog.node(id);
    let Some(t) = node.table.as_deref() else { return };
    let focused = state.focus == Focus::Detail;
    let block = view.block(&node.name, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let dot = view.glyphs().dot;

    let label = |k: &str| Span::styled(format!("{k:<10} "), view.style(Role::Dim));
    let value = |v: String| Span::styled(v, view.style(Role::Normal));
    let mut lines: Vec<Line> = Vec::new();

    // Format and the facts that define it.
    let mut headline = vec![Span::styled(t.format.as_str().to_string(), view.style(node_role(node)).bold())];
    let mut facts: Vec<String> = Vec::new();
    if let Some(log) = &t.delta_log {
        if let Some(v) = log.latest_version {
            facts.push(format!("v{v}"));
        }
        facts.push(units::plural(log.commits, "commit"));
        if log.checkpoints > 0 {
            facts.push(units::plural(log.checkpoints, "checkpoint"));
        }
    }
    if !t.format.is_readable() {
        facts.push("detected, not readable yet".into());
    }
    if !facts.is_empty() {
        headline.push(Span::styled(format!("{dot}{}", facts.join(dot)), view.style(Role::Dim)));
    }
    lines.push(Line::from(headline));

    let mut place = t.bucket.clone();
    if let Some(z) = &t.zone {
        place.push_str(view.glyphs().separator);
        place.push_str(z);
    }
    lines.push(Line::from(vec![label("in"), value(place)]));
    // One line: the end of a location is what tells tables apart.
    let room = width.saturating_sub(11);
    lines.push(Line::from(vec![label("location"), value(truncate_left(&t.location, room, view.glyphs().ellipsis))]));
    if let Some(g) = &t.file_glob {
        lines.push(Line::from(vec![label("files"), value(truncate(g, room, view.glyphs().ellipsis))]));
    }
    let mut disk = format!("{}{dot}{}", units::plural(t.files, "file"), units::bytes(t.bytes));
    if !t.listing_complete {
        disk.push_str(&format!("{dot}listing{}", view.glyphs().ellipsis));
    }
    lines.push(Line::from(vec![label("on disk"), value(disk)]));
    if t.meta_files > 0 {
        let what = if t.format == TableFormat::Delta { "log/meta" } else { "other" };
        lines.push(Line::from(vec![
            label(what),
            value(format!("{}{dot}{}", units::plural(t.meta_files, "file"), units::bytes(t.meta_bytes))),
        ]));
    }
    if !t.partitions.is_empty() {
        let parts: Vec<String> = t
            .partitions
            .iter()
            .map(|p| {
                let plus = if p.distinct_capped { "+" } else { "" };
                format!("{}: {} ({}{plus})", p.name, p.data_type.as_str(), units::count(p.distinct))
            })
            .collect();
        lines.push(Line::from(vec![label("partitions"), value(parts.join(", "))]));
    } else if t.unnamed_partition_levels > 0 {
        let levels = t.unnamed_partition_levels;
        lines.push(Line::from(vec![label("partitions"), value(format!("{levels} date folder levels, not key=value"))]));
    }
    if let Some(ms) = t.last_modified_ms {
        lines.push(Line::from(vec![label("modified"), value(units::timestamp_ms(ms))]));
    }

    lines.push(Line::default());
    match state.details.get(&t.location) {
        None if !t.format.is_readable() => {}
        None | Some(DetailSlot::Loading(_)) => {
            let spin = view.glyphs().spinner[state.spinner % view.glyphs().spinner.len()];
            let text = format!("{spin} reading schema{}", view.glyphs().ellipsis);
            lines.push(Line::from(Span::styled(text, view.style(Role::Job))));
        }
        Some(DetailSlot::Cancelled) => {
            lines.push(Line::from(Span::styled("schema load cancelled (enter retries)", view.style(Role::Dim))));
        }
        Some(DetailSlot::Failed(e)) => {
            lines.push(Line::from(Span::styled("! cannot read this table", view.style(Role::Error))));
            lines.push(Line::from(Span::styled(e.clone(), view.style(Role::Error))));
        }
        Some(DetailSlot::Ready(d)) => loaded(&mut lines, view, d, width),
    }

    let mut problems: Vec<String> = t.issues.clone();
    if let Some(e) = &node.error {
        problems.insert(0, e.clone());
    }
    if !problems.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("problems", view.style(Role::Header))));
        for p in problems {
            lines.push(Line::from(Span::styled(format!("! {p}"), view.style(Role::Warning))));
        }
    }

    let scroll = if focused { state.detail_scroll } else { 0 };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll, 0)), inner);
}

fn loaded<'a>(lines: &mut Vec<Line<'a>>, view: &View, d: &TableDetail, width: usize) {
    let start = lines.len();
    let dot = view.glyphs().dot;
    let label = |k: &str| Span::styled(format!("{k:<10} "), view.style(Role::Dim));
    let value = |v: String| Span::styled(v, view.style(Role::Normal));
    if let Some(delta) = &d.delta {
        let live =
            format!("v{}{dot}{}{dot}{}", delta.version, units::plural(delta.files, "file"), units::bytes(delta.bytes));
        lines.push(Line::from(vec![label("live"), value(live)]));
        if let Some(r) = delta.rows {
            lines.push(Line::from(vec![label("rows"), value(units::count(r))]));
        }
        let mut features: Vec<&String> = Vec::new();
        for f in delta.reader_features.iter().chain(delta.writer_features.iter()) {
            if !features.contains(&f) {
                features.push(f);
            }
        }
        let mut protocol = format!("reader {}{dot}writer {}", delta.min_reader_version, delta.min_writer_version);
        if !features.is_empty() {
            let names: Vec<&str> = features.iter().map(|s| s.as_str()).collect();
            protocol.push_str(&format!("{dot}{}", names.join(", ")));
        }
        lines.push(Line::from(vec![label("protocol"), value(protocol)]));
        if let Some(desc) = &delta.description {
            lines.push(Line::from(vec![label("about"), value(desc.clone())]));
        }
    } else if let Some(r) = d.rows {
        lines.push(Line::from(vec![label("rows"), value(units::count(r))]));
    }
    if let Some(note) = &d.rows_note {
        lines.push(Line::from(vec![label("rows"), Span::styled(note.clone(), view.style(Role::Dim))]));
    }
    if lines.len() > start {
        lines.push(Line::default());
    }
    let header = format!("schema{dot}{}", units::plural(d.columns.len() as u64, "column"));
    let source = format!("  {}", d.source);
    let mut head = vec![Span::styled(header.clone(), view.style(Role::Header))];
    if header.width() + source.width() <= width {
        head.push(Span::styled(source, view.style(Role::Dim)));
    }
    lines.push(Line::from(head));

    let name_w = d.columns.iter().map(|c| c.name.width()).max().unwrap_or(0).min(width / 2).max(4);
    let type_room = width.saturating_sub(name_w + 4).max(4);
    let type_w = d.columns.iter().map(|c| c.data_type.width()).max().unwrap_or(0).min(type_room);
    // Full flags need `  partition  not null` after the widest type; else abbreviate.
    let narrow = 2 + name_w + 2 + type_w + "  partition  not null".len() > width;
    for c in &d.columns {
        let name = truncate(&c.name, name_w, view.glyphs().ellipsis);
        let flag = if c.partition { if narrow { " P" } else { "  partition" } } else { "" };
        let ty_room = type_room.saturating_sub(flag.width()).max(4);
        let ty = truncate(&c.data_type, ty_room, view.glyphs().ellipsis);
        let name_pad = name_w.saturating_sub(name.width());
        let type_pad = type_w.min(ty_room).saturating_sub(ty.width());
        let mut spans = vec![
            Span::styled(format!("  {name}{}  ", " ".repeat(name_pad)), view.style(Role::Normal)),
            Span::styled(format!("{ty}{}", " ".repeat(type_pad)), view.style(Role::Parquet)),
        ];
        if c.partition {
            spans.push(Span::styled(flag, view.style(Role::Zone)));
        }
        if !c.nullable && !narrow {
            spans.push(Span::styled("  not null", view.style(Role::Dim)));
        }
        lines.push(Line::from(spans));
    }
    if narrow && d.columns.iter().any(|c| c.partition) {
        lines.push(Line::from(Span::styled("  P = partition column", view.style(Role::Dim))));
    }
    for n in &d.notes {
        lines.push(Line::from(Span::styled(format!("note: {n}"), view.style(Role::Dim))));
    }
}
