//! The lake picker's view: the configured lakes with their URL and notes, the cursor row
//! highlighted, key hints at the bottom.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{View, truncate};
use crate::config::theme::{Role, Theme};
use crate::state::picker::Picker;

pub fn draw(frame: &mut Frame, picker: &Picker, theme: &Theme, ascii: bool) {
    let area = frame.area();
    let [title, body, hint] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(area);
    let style = |r: Role| theme.style(r);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" lakescope ", style(Role::Title)),
            Span::styled(" choose a lake", style(Role::Normal)),
        ]))
        .style(style(Role::StatusBar)),
        title,
    );
    let block = View::bordered(theme, ascii, "lakes", true);
    let inner = block.inner(body);
    frame.render_widget(block, body);
    let width = inner.width as usize;
    let name_w = picker.entries.iter().map(|e| e.name.width()).max().unwrap_or(4).min(width / 3);
    let rows = inner.height as usize;
    let offset = picker.cursor.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = picker
        .entries
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, e)| {
            let ellipsis = if ascii { "~" } else { "…" };
            let name = truncate(&e.name, name_w, ellipsis);
            let rest = truncate(&format!("  {}  {}", e.url, e.note), width.saturating_sub(name_w), ellipsis);
            let line = Line::from(vec![
                Span::styled(format!("{name}{}", " ".repeat(name_w.saturating_sub(name.width()))), style(Role::Bucket)),
                Span::styled(rest, style(Role::Dim)),
            ]);
            // The cursor row is drawn in the selection style across the whole width.
            if i == picker.cursor { line.style(style(Role::Selection)) } else { line }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
    frame.render_widget(
        Paragraph::new(Span::styled(" enter opens · j/k move · q quits", style(Role::Dim)))
            .style(style(Role::StatusBar)),
        hint,
    );
}
