//! The miller columns: the parent level, the current level (with the cursor), and a preview of
//! the selection — its children, or the table detail pane. Each list renders only the rows that
//! fit on screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{View, detail, node_role, truncate};
use crate::config::theme::Role;
use crate::lake::units;
use crate::lake::{Catalog, NodeId, NodeKind};
use crate::state::browser::{Level, Nav};
use crate::state::{DetailSlot, Focus};

pub fn columns(frame: &mut Frame, area: Rect, view: &View) {
    // The current column gets at least 30 cells so names stay readable at 80x24; the preview
    // (table detail) takes what is left.
    let w = area.width;
    let left_w = (w / 5).max(12).min(w / 4);
    let mid_w = (w * 3 / 10).max(30).min(w.saturating_sub(left_w) / 2);
    let [left, mid, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Length(mid_w), Constraint::Min(10)]).areas(area);
    let state = view.state;
    let catalog = &state.catalog;
    let nav = &state.nav;
    let depth = nav.depth();

    // Parent column: the level above the current one, or the lake root itself.
    if depth >= 2 {
        let level = &nav.levels[depth - 2];
        let entries = Nav::entries(catalog, level);
        list(frame, left, view, &level_title(catalog, level, &state.root), &entries, Some(level), false);
    } else {
        let block = view.block("lake", false);
        let inner = block.inner(left);
        frame.render_widget(block, left);
        let name = truncate(&catalog.root_name, inner.width as usize, view.glyphs().ellipsis);
        let lines = vec![
            Line::from(Span::styled(name, view.style(Role::SelectionInactive))),
            Line::from(Span::styled(
                format!("{} buckets", units::count(catalog.buckets.len() as u64)),
                view.style(Role::Dim),
            )),
        ];
        frame.render_widget(Paragraph::new(lines), inner);
    }

    // Current column.
    let level = nav.current();
    let entries = Nav::entries(catalog, level);
    let title = level_title(catalog, level, &state.root);
    list(frame, mid, view, &title, &entries, Some(level), state.focus == Focus::List);

    // Preview column.
    match entries.get(level.cursor).copied() {
        Some(id) if catalog.node(id).kind == NodeKind::Table => detail::table(frame, right, view, id),
        Some(id) => {
            let children: Vec<NodeId> = catalog.node(id).children.clone();
            list(frame, right, view, &catalog.node(id).name, &children, None, false);
        }
        None => {
            let block = view.block("", false);
            let inner = block.inner(right);
            frame.render_widget(block, right);
            let text = if state.discovering && catalog.nodes.is_empty() { "listing the lake…" } else { "" };
            frame.render_widget(Paragraph::new(Span::styled(text, view.style(Role::Dim))), inner);
        }
    }
}

fn level_title(catalog: &Catalog, level: &Level, root: &str) -> String {
    let base = match level.path.last() {
        Some(name) => name.clone(),
        None if catalog.buckets.len() == 1 => "bucket".to_string(),
        None if root.is_empty() => "buckets".to_string(),
        None => "buckets".to_string(),
    };
    if level.filter.is_empty() { base } else { format!("{base} /{}", level.filter) }
}

/// Draw one column. `level` gives the cursor and scroll offset; `None` is a plain preview.
fn list(
    frame: &mut Frame,
    area: Rect,
    view: &View,
    title: &str,
    entries: &[NodeId],
    level: Option<&Level>,
    focused: bool,
) {
    let block = view.block(title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let state = view.state;
    let catalog = &state.catalog;
    let rows = inner.height as usize;
    if entries.is_empty() {
        frame.render_widget(Paragraph::new(Span::styled(empty_note(view, level), view.style(Role::Dim))), inner);
        return;
    }
    let (cursor, mut offset) = level.map(|l| (Some(l.cursor), l.offset)).unwrap_or((None, 0));
    // The state scrolls with the terminal's list height; a narrower pane (the parent column has
    // the same height) still must show the cursor.
    if let Some(c) = cursor {
        if c < offset {
            offset = c;
        } else if c >= offset + rows {
            offset = c + 1 - rows;
        }
    }
    let width = inner.width as usize;
    let mut lines = Vec::with_capacity(rows);
    for (i, id) in entries.iter().enumerate().skip(offset).take(rows) {
        let selected = cursor == Some(i);
        lines.push(entry_line(view, catalog, *id, width, selected, focused));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn empty_note(view: &View, level: Option<&Level>) -> String {
    let state = view.state;
    if let Some(l) = level
        && !l.filter.is_empty()
    {
        return format!("no match for {:?}", l.filter);
    }
    if state.discovering { "listing…".to_string() } else { "(empty)".to_string() }
}

/// One row: `!` badge, name, and right-aligned facts (format and size, or table count).
fn entry_line(
    view: &View,
    catalog: &Catalog,
    id: NodeId,
    width: usize,
    selected: bool,
    focused: bool,
) -> Line<'static> {
    let state = view.state;
    let node = catalog.node(id);
    let failed =
        node.table.as_ref().is_some_and(|t| matches!(state.details.get(&t.location), Some(DetailSlot::Failed(_))));
    let problem = node.has_problem() || failed;
    let meta = match node.kind {
        NodeKind::Table => {
            let t = node.table.as_ref().expect("table nodes carry a table");
            let size = if t.listing_complete || t.bytes > 0 { units::bytes(t.bytes) } else { "…".to_string() };
            format!("{} {size}", t.format.as_str())
        }
        _ => {
            let mut s = if node.tables_below > 0 || !node.pending {
                format!("{} tbl", units::count(node.tables_below))
            } else {
                String::new()
            };
            if node.pending {
                s.push_str(view.glyphs().ellipsis);
            }
            if node.depth_limited {
                s = "depth limit".into();
            }
            s
        }
    };
    let suffix = if node.kind == NodeKind::Table { "" } else { "/" };
    let badge = if problem { "! " } else { "" };
    // In a narrow column a long name matters more than the format tag (its colour says it).
    let meta = match (&node.table, meta.split_once(' ')) {
        (Some(_), Some((_, size))) if badge.width() + node.name.width() + meta.width() + 1 > width => size.to_string(),
        _ => meta,
    };
    let meta_w = meta.width();
    let name_budget = width.saturating_sub(badge.width() + meta_w + 1 + suffix.len());
    let name = truncate(&node.name, name_budget, view.glyphs().ellipsis);
    let used = badge.width() + name.width() + suffix.len() + meta_w;
    let pad = width.saturating_sub(used);

    let row_style = if selected {
        Some(view.style(if focused { crate::config::theme::Role::Selection } else { Role::SelectionInactive }))
    } else {
        None
    };
    let style = |role: Role| match row_style {
        Some(s) => s,
        None => view.style(role),
    };
    let mut spans = Vec::with_capacity(5);
    if problem {
        spans
            .push(Span::styled(badge.to_string(), if selected { style(Role::Error) } else { view.style(Role::Error) }));
    }
    spans.push(Span::styled(name, style(node_role(node))));
    spans.push(Span::styled(suffix.to_string(), style(Role::Dim)));
    spans.push(Span::styled(" ".repeat(pad), style(Role::Normal)));
    spans.push(Span::styled(meta, style(Role::Dim)));
    Line::from(spans)
}
