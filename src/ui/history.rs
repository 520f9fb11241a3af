//! The Delta history view: a tab bar, then the versions (newest first, only the visible rows
//! formatted), the table's detail as of the travelled version, or the diff of two versions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::View;
use super::inspector::{slot_line, table_window};
use crate::config::theme::Role;
use crate::lake::delta::log::Readable;
use crate::lake::units;
use crate::report::{commit_lines, diff_lines, info_lines, marks, when};
use crate::state::Slot;
use crate::state::history::{HistoryTab, HistoryView, Rows};

pub fn draw(frame: &mut Frame, area: Rect, view: &View, h: &HistoryView) {
    let sep = view.glyphs().separator;
    let block = view.block(&format!("{}{sep}history", h.table.name), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 {
        return;
    }
    let bar = Rect { height: 1, ..inner };
    let body = Rect { y: inner.y + 1, height: inner.height - 1, ..inner };
    let mut spans: Vec<Span> = HistoryTab::ALL
        .iter()
        .map(|t| {
            Span::styled(format!(" {} ", t.title()), view.style(if *t == h.tab { Role::Selection } else { Role::Dim }))
        })
        .collect();
    let loaded = if h.total == 0 {
        String::new()
    } else {
        format!(
            "  {} of {} loaded{}",
            units::count(h.entries.len() as u64),
            units::plural(h.total as u64, "version"),
            if h.loading { "…" } else { "" }
        )
    };
    spans.push(Span::styled(loaded, view.style(Role::Dim)));
    if let Some(m) = h.mark {
        spans.push(Span::styled(format!("  marked v{m}"), view.style(Role::Key)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), bar);
    let width = body.width as usize;
    let height = body.height as usize;
    let lines: Vec<Line> = match h.tab {
        HistoryTab::Versions => versions(view, h, width, height),
        HistoryTab::Detail => match &h.info {
            None => vec![Line::styled("reading the detail…", view.style(Role::Job))],
            Some((version, _, slot)) => {
                // The commit in full (every parameter and metric), then the table as of it.
                let mut lines = h.entries.iter().find(|e| e.version == *version).map(commit_lines).unwrap_or_default();
                match slot {
                    Slot::Ready(info) => lines.extend(info_lines(info)),
                    Slot::Loading => lines.push(format!("reading the table as of v{version}…")),
                    Slot::Failed(e) => lines.push(format!("! cannot read the table as of v{version}: {e}")),
                }
                text(view, lines, h.text_scroll, width, height)
            }
        },
        HistoryTab::Diff => match &h.diff {
            None => vec![Line::styled(
                "d diffs the version under the cursor with its parent (or with the one marked with m)",
                view.style(Role::Dim),
            )],
            Some(d) => match slot_line(view, &d.diff, &format!("the diff of v{} and v{}", d.a, d.b)) {
                Some(l) => l,
                None => {
                    let Slot::Ready(diff) = &d.diff else { unreachable!() };
                    let mut lines = diff_lines(diff);
                    match &d.rows {
                        Rows::Pending => lines
                            .push("rows         comparing (reading only the files that differ; esc cancels)…".into()),
                        Rows::NotCompared(why) => lines.push(format!("rows         not compared: {why}")),
                        Rows::Compared => {}
                    }
                    text(view, lines, h.text_scroll, width, height)
                }
            },
        },
    };
    frame.render_widget(Paragraph::new(lines), body);
}

fn versions<'a>(view: &View, h: &HistoryView, width: usize, height: usize) -> Vec<Line<'a>> {
    if let Some(e) = &h.error
        && h.entries.is_empty()
    {
        return vec![Line::styled(format!("cannot read the history: {e}"), view.style(Role::Error))];
    }
    if h.entries.is_empty() {
        return vec![Line::styled("reading the log…", view.style(Role::Job))];
    }
    // The last line explains the version under the cursor.
    let list_height = height.saturating_sub(1);
    let mut out = table_window(
        view,
        &["VERSION", "TIMESTAMP (UTC)", "OPERATION", "FILES", "ROWS+", "MARKS", "ENGINE", "PARAMETERS"],
        &[0, 4],
        h.entries.len(),
        Some(h.cursor),
        h.scroll,
        list_height,
        width,
        |i| {
            let e = &h.entries[i];
            vec![
                format!("{}{}", if h.mark == Some(e.version) { "*" } else { "" }, e.version),
                when(e.timestamp_ms),
                e.operation.clone().unwrap_or_else(|| "-".into()),
                format!("+{} -{}", e.files_added, e.files_removed),
                e.rows_added.map(units::count).unwrap_or_else(|| "-".into()),
                marks(e),
                e.engine.clone().unwrap_or_else(|| "-".into()),
                e.parameters_text(),
            ]
        },
    );
    // Unreadable versions stand out.
    for (i, line) in out.iter_mut().enumerate().skip(1) {
        let idx = h.scroll + i - 1;
        if idx != h.cursor && h.entries.get(idx).is_some_and(|e| matches!(e.readable, Readable::No(_))) {
            *line = line.clone().style(view.style(Role::Error));
        }
    }
    while out.len() < list_height {
        out.push(Line::raw(""));
    }
    // An error after the first page (a later page, the readability check) takes the note line.
    if let Some(err) = &h.error {
        out.push(Line::styled(super::truncate(err, width, view.glyphs().ellipsis), view.style(Role::Error)));
    } else if let Some(e) = h.selected() {
        let note = match &e.readable {
            Readable::No(why) => format!("v{}: not readable: {why}", e.version),
            Readable::Unknown => format!("v{}: checking whether its files still exist…", e.version),
            Readable::Yes => format!(
                "v{} · {} · read v{} · {}{} · enter: open as of v{}",
                e.version,
                e.timestamp_source,
                e.read_version.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
                if e.covered_by_checkpoint { "covered by a checkpoint" } else { "after the last checkpoint" },
                if e.blind_append == Some(true) { " · blind append" } else { "" },
                e.version
            ),
        };
        let role = if matches!(e.readable, Readable::No(_)) { Role::Error } else { Role::Dim };
        out.push(Line::styled(super::truncate(&note, width, view.glyphs().ellipsis), view.style(role)));
    }
    out
}

fn text<'a>(view: &View, lines: Vec<String>, scroll: usize, width: usize, height: usize) -> Vec<Line<'a>> {
    let ell = view.glyphs().ellipsis;
    lines
        .into_iter()
        .skip(scroll)
        .take(height)
        .map(|l| {
            let role = if l.starts_with('!') {
                Role::Error
            } else if l.starts_with("  +") {
                Role::Delta
            } else if l.starts_with("  -") || l.starts_with("    -") {
                Role::Unreadable
            } else {
                Role::Normal
            };
            Line::styled(super::truncate(&l, width, ell), view.style(role))
        })
        .collect()
}
