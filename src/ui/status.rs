//! The title bar (lake root and totals) and the status bar (breadcrumb or the line being typed,
//! running jobs, the last error, key hints generated from the keymap).

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{View, truncate, truncate_left};
use crate::config::theme::Role;
use crate::event::Intent;
use crate::jobs::JobKind;
use crate::lake::units;
use crate::state::MessageLevel;
use crate::state::screen::PromptKind;

pub fn title_bar(frame: &mut Frame, area: Rect, view: &View) {
    let state = view.state;
    let c = &state.catalog;
    let width = area.width as usize;
    let dot = view.glyphs().dot;
    let r = &state.requests.total;
    let totals = |short: bool| {
        let n = |count: u64, long: &str, brief: &str| {
            if short { format!("{} {brief}", units::count(count)) } else { units::plural(count, long) }
        };
        let mut parts = vec![
            n(c.buckets.len() as u64, "bucket", "bkt"),
            n(c.table_count(), "table", "tbl"),
            n(c.progress.objects, "object", "obj"),
            units::bytes(c.progress.bytes),
        ];
        if c.progress.errors > 0 {
            parts.push(n(c.progress.errors, "error", "err"));
        }
        if r.count > 0 {
            parts.push(format!("{} req", units::count(r.count)));
        }
        parts.join(dot)
    };
    // Narrow terminals get the short words, so the lake's path keeps some room.
    let long = totals(false);
    let totals = if long.width() + 40 > width { totals(true) } else { long };
    let app = " lakescope ";
    let room = width.saturating_sub(app.width() + totals.width() + 3);
    let root = truncate_left(&state.root, room, view.glyphs().ellipsis);
    let pad = width.saturating_sub(app.width() + 1 + root.width() + totals.width() + 1);
    let line = Line::from(vec![
        Span::styled(app, view.style(Role::Title)),
        Span::styled(format!(" {root}"), view.style(Role::Normal)),
        Span::styled(" ".repeat(pad), view.style(Role::Normal)),
        Span::styled(format!("{totals} "), view.style(Role::Dim)),
    ]);
    frame.render_widget(Paragraph::new(line).style(view.style(Role::StatusBar)), area);
}

pub fn status_bar(frame: &mut Frame, area: Rect, view: &View) {
    let state = view.state;
    let width = area.width as usize;
    let bar = view.style(Role::StatusBar);

    if let Some(p) = state.prompt() {
        let prompt = match p.kind {
            PromptKind::Filter { .. } => "/",
            PromptKind::Command => ":",
        };
        let text = format!("{prompt}{}", p.input.text);
        let shown = truncate_left(&text, width.saturating_sub(1), view.glyphs().ellipsis);
        // A kept filter shown selected: typing replaces it.
        let role = if p.selected { Role::Selection } else { Role::Filter };
        frame.render_widget(Paragraph::new(Span::styled(shown.clone(), view.style(role))).style(bar), area);
        let before: String = p.input.text.chars().take(p.input.cursor).collect();
        let x = (prompt.width() + before.width()).min(width.saturating_sub(1));
        frame.set_cursor_position(Position { x: area.x + x as u16, y: area.y });
        return;
    }

    // Right side: jobs, then the message, then a hint; the left side: where we are.
    let jobs = if state.jobs.is_empty() {
        String::new()
    } else {
        let spin = view.glyphs().spinner[state.spinner % view.glyphs().spinner.len()];
        format!("{spin} {} ", job_summary(view))
    };
    let help = match state.layer() {
        crate::state::Layer::Help => " esc closes help ".to_string(),
        layer => {
            let km = super::keymap_layer(layer);
            view.keymap.key_for(km, Intent::Help).map(|k| format!(" {k} help ")).unwrap_or_default()
        }
    };
    let mut crumbs =
        if state.sql_open() { format!("SQL{}{}", view.glyphs().separator, breadcrumb(view)) } else { breadcrumb(view) };
    // Time travel is on: say so wherever the user is.
    if let Some(t) = &state.as_of {
        crumbs = format!("[{} as of v{}] {crumbs}", t.name, t.version);
    }
    // The breadcrumb keeps a third of the line (or all it needs, when less); a long message is
    // cut, never run into it.
    let fixed = jobs.width() + help.width();
    let msg_w = state.message.as_ref().map_or(0, |m| m.text.width() + 1);
    let crumb_w = crumbs.width().min((width / 3).max(width.saturating_sub(fixed + msg_w + 2)));
    let left = truncate_left(&crumbs, crumb_w.min(width.saturating_sub(1)), view.glyphs().ellipsis);
    let used = 1 + left.width();
    let room = width.saturating_sub(used + 1 + fixed);
    let mut right: Vec<Span> = Vec::new();
    if !jobs.is_empty() {
        right.push(Span::styled(jobs, view.style(Role::Job)));
    }
    if let Some(m) = &state.message
        && room > 1
    {
        let role = if m.level == MessageLevel::Error { Role::Error } else { Role::Normal };
        right.push(Span::styled(format!("{} ", truncate(&m.text, room - 1, view.glyphs().ellipsis)), view.style(role)));
    }
    right.push(Span::styled(help, view.style(Role::Key)));
    let right_w: usize = right.iter().map(|s| s.content.width()).sum();
    let mut spans = vec![Span::styled(format!(" {left}"), view.style(Role::Normal))];
    if used + right_w <= width {
        spans.push(Span::raw(" ".repeat(width - used - right_w)));
        spans.extend(right);
    } else {
        // A very narrow terminal: what is left, cut.
        let avail = width.saturating_sub(used + 1);
        let text: String = right.iter().map(|s| s.content.as_ref()).collect();
        spans.push(Span::raw(" "));
        spans.push(Span::styled(truncate(&text, avail, view.glyphs().ellipsis), view.style(Role::Dim)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(bar), area);
}

fn breadcrumb(view: &View) -> String {
    let state = view.state;
    let mut names: Vec<String> = state.nav.current().path.clone();
    if let Some(sel) = &state.nav.current().selected {
        names.push(sel.clone());
    }
    if names.is_empty() {
        return state.root.clone();
    }
    names.join(view.glyphs().separator)
}

fn job_summary(view: &View) -> String {
    let state = view.state;
    let mut parts = Vec::new();
    if state.jobs.iter().any(|j| j.kind == JobKind::Discovery) {
        let p = &state.catalog.progress;
        parts.push(format!("listing {} objects", units::count(p.objects)));
    }
    if state.jobs.iter().any(|j| j.kind == JobKind::History) {
        parts.push("reading the Delta log".to_string());
    }
    if state.jobs.iter().any(|j| j.kind == JobKind::Sql) {
        parts.push("running a query".to_string());
    }
    if state.jobs.iter().any(|j| j.kind == JobKind::Export) {
        parts.push("exporting".to_string());
    }
    let details = state.jobs.iter().filter(|j| j.kind == JobKind::Detail).count();
    if details > 0 {
        parts.push(format!("reading {details} table{}", if details == 1 { "" } else { "s" }));
    }
    parts.push("(esc cancels)".to_string());
    parts.join(view.glyphs().dot)
}
