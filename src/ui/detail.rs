//! The table detail pane: what the listing says (format, location, files, bytes, partitions,
//! Delta log), then what the loaded detail says (version, rows, protocol, schema), then problems.
//! Scrolls when focused.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use unicode_width::UnicodeWidthStr;

use super::{View, node_role, truncate, truncate_left};
use crate::config::theme::Role;
use crate::lake::{NodeId, TableDetail};
use crate::state::{DetailSlot, Focus};
use crate::units;

pub fn table(frame: &mut Frame, area: Rect, view: &View, id: NodeId) {
    let state = view.state;
    let node = state.catalog.node(id);
    let Some(t) = node.table.as_deref() else { return };
    let focused = state.focus == Focus::Detail;
    let block = view.block(&node.name, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;

    let label = |k: &str| Span::styled(format!("{k:<10} "), view.style(Role::Dim));
    let value = |v: String| Span::styled(v, view.style(Role::Normal));
    let mut lines: Vec<Line> = Vec::new();

    lines.push(Line::from(vec![
        Span::styled(t.format.as_str().to_string(), view.style(node_role(node))),
        Span::styled(
            if t.format.is_readable() { String::new() } else { "  (detected; not readable yet)".to_string() },
            view.style(Role::Dim),
        ),
    ]));
    let mut place = t.bucket.clone();
    if let Some(z) = &t.zone {
        place.push_str(view.glyphs().separator);
        place.push_str(z);
    }
    lines.push(Line::from(vec![label("in"), value(place)]));
    // One line: the end of a location is what tells tables apart.
    let loc_room = width.saturating_sub(11);
    lines
        .push(Line::from(vec![label("location"), value(truncate_left(&t.location, loc_room, view.glyphs().ellipsis))]));
    if let Some(g) = &t.file_glob {
        lines.push(Line::from(vec![label("files like"), value(g.clone())]));
    }
    let mut files = format!("{} data · {}", units::count(t.files), units::bytes(t.bytes));
    if t.meta_files > 0 {
        files.push_str(&format!("  (+{} other · {})", units::count(t.meta_files), units::bytes(t.meta_bytes)));
    }
    if !t.listing_complete {
        files.push_str(&format!("  listing{}", view.glyphs().ellipsis));
    }
    lines.push(Line::from(vec![label("listed"), value(files)]));
    if !t.partitions.is_empty() {
        let parts: Vec<String> = t
            .partitions
            .iter()
            .map(|p| {
                format!(
                    "{}: {} ({}{})",
                    p.name,
                    p.data_type.as_str(),
                    units::count(p.distinct),
                    if p.distinct_capped { "+" } else { "" }
                )
            })
            .collect();
        lines.push(Line::from(vec![label("partitions"), value(parts.join(", "))]));
    } else if t.unnamed_partition_levels > 0 {
        lines.push(Line::from(vec![
            label("partitions"),
            value(format!("{} levels of date folders (not key=value)", t.unnamed_partition_levels)),
        ]));
    }
    if let Some(ms) = t.last_modified_ms {
        lines.push(Line::from(vec![label("modified"), value(units::timestamp_ms(ms))]));
    }
    if let Some(log) = &t.delta_log {
        let mut s = format!("{} commits", units::count(log.commits));
        if let Some(v) = log.latest_version {
            s.push_str(&format!(" · latest v{v}"));
        }
        if log.checkpoints > 0 {
            s.push_str(&format!(" · {} checkpoint(s)", log.checkpoints));
        }
        s.push_str(&format!(" · {}", units::bytes(log.log_bytes)));
        lines.push(Line::from(vec![label("delta log"), value(s)]));
    }

    lines.push(Line::default());
    match state.details.get(&t.location) {
        None if !t.format.is_readable() => {}
        None | Some(DetailSlot::Loading(_)) => {
            let spin = view.glyphs().spinner[state.spinner % view.glyphs().spinner.len()];
            lines.push(Line::from(Span::styled(
                format!("{spin} reading schema{}", view.glyphs().ellipsis),
                view.style(Role::Job),
            )));
        }
        Some(DetailSlot::Cancelled) => {
            lines.push(Line::from(Span::styled("schema load cancelled (enter to retry)", view.style(Role::Dim))));
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
    let label = |k: &str| Span::styled(format!("{k:<10} "), view.style(Role::Dim));
    let value = |v: String| Span::styled(v, view.style(Role::Normal));
    if let Some(delta) = &d.delta {
        let mut s =
            format!("v{} · {} live files · {}", delta.version, units::count(delta.files), units::bytes(delta.bytes));
        if let Some(r) = delta.rows {
            s.push_str(&format!(" · {} rows", units::count(r)));
        }
        lines.push(Line::from(vec![label("current"), value(s)]));
        let mut p = format!("reader {} · writer {}", delta.min_reader_version, delta.min_writer_version);
        let features: Vec<&String> = delta.reader_features.iter().chain(delta.writer_features.iter()).collect();
        if !features.is_empty() {
            let mut uniq: Vec<&String> = Vec::new();
            for f in features {
                if !uniq.contains(&f) {
                    uniq.push(f);
                }
            }
            p.push_str(&format!(" · {}", uniq.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")));
        }
        lines.push(Line::from(vec![label("protocol"), value(p)]));
        if let Some(desc) = &delta.description {
            lines.push(Line::from(vec![label("about"), value(desc.clone())]));
        }
    } else if let Some(r) = d.rows {
        lines.push(Line::from(vec![label("rows"), value(units::count(r))]));
    }
    if let Some(note) = &d.rows_note {
        lines.push(Line::from(vec![label("rows"), Span::styled(note.clone(), view.style(Role::Dim))]));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled(format!("schema · {} columns", d.columns.len()), view.style(Role::Header)),
        Span::styled(format!("  ({})", d.source), view.style(Role::Dim)),
    ]));
    let name_w = d.columns.iter().map(|c| c.name.width()).max().unwrap_or(0).min(width / 2).max(4);
    let type_room = width.saturating_sub(name_w + 4).max(4);
    let type_w = d.columns.iter().map(|c| c.data_type.width()).max().unwrap_or(0).min(type_room);
    for c in &d.columns {
        let name = truncate(&c.name, name_w, view.glyphs().ellipsis);
        let ty = truncate(&c.data_type, type_room, view.glyphs().ellipsis);
        let name_pad = name_w.saturating_sub(name.width());
        let type_pad = type_w.saturating_sub(ty.width());
        let mut spans = vec![
            Span::styled(format!("  {name}{}  ", " ".repeat(name_pad)), view.style(Role::Normal)),
            Span::styled(format!("{ty}{}", " ".repeat(type_pad)), view.style(Role::Parquet)),
        ];
        if c.partition {
            spans.push(Span::styled("  partition", view.style(Role::Zone)));
        }
        if !c.nullable {
            spans.push(Span::styled("  not null", view.style(Role::Dim)));
        }
        lines.push(Line::from(spans));
    }
    for n in &d.notes {
        lines.push(Line::from(Span::styled(format!("note: {n}"), view.style(Role::Dim))));
    }
}
