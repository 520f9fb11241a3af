//! Overlays drawn on top of the columns: the help overlay, generated from the keymap and the
//! command list so it can never disagree with what the keys do, and the requests panel.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::View;
use crate::config::keymap::Layer;
use crate::config::theme::Role;
use crate::lake::requests::RequestKind;
use crate::state::COMMANDS;
use crate::units;

pub fn help(frame: &mut Frame, area: Rect, view: &View) {
    frame.render_widget(Clear, area);
    let dot = view.glyphs().dot;
    let block = view.block(&format!("help{dot}esc closes{dot}j/k scroll"), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let mut lines: Vec<Line> = Vec::new();
    for layer in [
        Layer::Browser,
        Layer::Inspector,
        Layer::History,
        Layer::Diagnostics,
        Layer::SqlEditor,
        Layer::SqlResults,
        Layer::Global,
        Layer::Help,
    ] {
        let bindings = view.keymap.bindings(layer);
        if bindings.is_empty() {
            continue;
        }
        lines.push(Line::from(Span::styled(layer.title().to_string(), view.style(Role::Header))));
        for b in bindings {
            let keys: Vec<String> = b.keys.iter().map(|k| k.to_string()).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<22}", keys.join(" ")), view.style(Role::Key)),
                Span::styled(b.desc.clone(), view.style(Role::Normal)),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled("commands (:)", view.style(Role::Header))));
    for (cmd, desc) in COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {cmd:<22}"), view.style(Role::Key)),
            Span::styled(desc.to_string(), view.style(Role::Normal)),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Keys are configurable: see the [keymap] section of ~/.config/lakescope/config.toml",
        view.style(Role::Dim),
    )));
    let max_scroll = (lines.len() as u16).saturating_sub(inner.height);
    let scroll = view.state.help_scroll.min(max_scroll);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}

/// What was sent to the lake's store: how it is reached, totals per request kind, and the
/// latest requests (newest first, only the rows that fit are built).
pub fn requests(frame: &mut Frame, area: Rect, view: &View) {
    frame.render_widget(Clear, area);
    let dot = view.glyphs().dot;
    let block = view.block(&format!("requests{dot}i or esc closes{dot}j/k scroll"), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let state = view.state;
    let r = &state.requests;
    let label = |k: &str| Span::styled(format!("{k:<12}"), view.style(Role::Dim));
    let mut lines: Vec<Line> = Vec::new();
    for (k, v) in &state.store_info {
        lines.push(Line::from(vec![label(k), Span::styled(v.clone(), view.style(Role::Normal))]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!("{:<12}{:>8}{:>12}{:>8}{:>9}", "kind", "count", "bytes", "errors", "avg ms"),
        view.style(Role::Header),
    )));
    for kind in RequestKind::ALL {
        let t = r.of(kind);
        if t.count == 0 {
            continue;
        }
        let avg = t.latency_ms / t.count.max(1);
        lines.push(Line::from(vec![
            Span::styled(format!("{:<12}", kind.as_str()), view.style(Role::Key)),
            Span::styled(
                format!(
                    "{:>8}{:>12}{:>8}{:>9}",
                    units::count(t.count),
                    units::bytes(t.bytes),
                    units::count(t.errors),
                    avg
                ),
                view.style(if t.errors > 0 { Role::Warning } else { Role::Normal }),
            ),
        ]));
    }
    let t = r.total;
    lines.push(Line::from(Span::styled(
        format!(
            "{:<12}{:>8}{:>12}{:>8}",
            "total",
            units::count(t.count),
            units::bytes(t.bytes),
            units::count(t.errors)
        ),
        view.style(Role::Title),
    )));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("latest requests", view.style(Role::Header))));
    let head = lines.len() as u16;
    let room = inner.height.saturating_sub(head) as usize;
    let skip = state.requests_scroll as usize;
    let width = inner.width as usize;
    for req in r.recent.iter().skip(skip).take(room) {
        let status = match (req.status, &req.error) {
            (Some(s), _) => s.to_string(),
            (None, Some(_)) => "error".to_string(),
            (None, None) => "ok".to_string(),
        };
        let role =
            if req.error.is_some() || req.status.is_some_and(|s| s >= 400) { Role::Warning } else { Role::Normal };
        let head = format!(
            "{:>8.1}s  {:<10}{:>6}{:>11}{:>7} ms  ",
            req.at_ms as f64 / 1000.0,
            req.kind.as_str(),
            status,
            units::bytes(req.bytes),
            req.latency_ms,
        );
        // The end of a key is what tells objects apart.
        let path = super::truncate_left(&req.path, width.saturating_sub(head.len()), view.glyphs().ellipsis);
        lines.push(Line::from(Span::styled(format!("{head}{path}"), view.style(role))));
        if let Some(e) = &req.error {
            lines.push(Line::from(Span::styled(
                super::truncate(&format!("            {e}"), width, view.glyphs().ellipsis),
                view.style(Role::Warning),
            )));
        }
    }
    if r.recent.is_empty() {
        lines.push(Line::from(Span::styled("(no request yet)", view.style(Role::Dim))));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
