//! Overlays drawn on top of the columns: the help overlay, generated from the keymap and the
//! command list so it can never disagree with what the keys do, and the requests panel.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::View;
use unicode_width::UnicodeWidthStr;

use crate::config::keymap::Layer;
use crate::config::theme::Role;
use crate::lake::store::requests::RequestKind;
use crate::lake::units;
use crate::state::COMMANDS;
use crate::state::screen::HelpView;

/// Help: the keys of the layer it was opened from first, then the keys that work everywhere,
/// then every other layer and the commands.
pub fn help(frame: &mut Frame, area: Rect, view: &View, h: &HelpView) {
    frame.render_widget(Clear, area);
    let dot = view.glyphs().dot;
    let block = view.block(&format!("help{dot}esc closes{dot}j/k, pgdn/pgup scroll"), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let first = super::keymap_layer(h.under);
    let mut order = vec![first, Layer::Global];
    order.extend(Layer::ALL.iter().copied().filter(|l| *l != first && *l != Layer::Global));
    // One key column for all: as wide as the widest key list, within a third of the overlay; a
    // longer list gets its own line.
    let keys_of =
        |b: &crate::config::keymap::Binding| b.keys.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(" ");
    let widest = order.iter().flat_map(|l| view.keymap.bindings(*l)).map(|b| keys_of(b).width()).max().unwrap_or(0);
    let widest = widest.max(COMMANDS.iter().map(|(c, _)| c.width()).max().unwrap_or(0));
    let col = widest.min((inner.width as usize / 3).max(12));
    // Descriptions wrap under themselves, never under the keys.
    let desc_w = (inner.width as usize).saturating_sub(col + 4).max(10);
    let mut lines: Vec<Line> = Vec::new();
    let row = |lines: &mut Vec<Line>, keys: String, desc: String| {
        let mut parts = wrap_words(&desc, desc_w).into_iter();
        let first = parts.next().unwrap_or_default();
        if keys.width() > col {
            lines.push(Line::from(Span::styled(format!("  {keys}"), view.style(Role::Key))));
            lines.push(Line::from(vec![
                Span::raw(format!("  {:col$}  ", "")),
                Span::styled(first, view.style(Role::Normal)),
            ]));
        } else {
            let pad = " ".repeat(col - keys.width());
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys}{pad}  "), view.style(Role::Key)),
                Span::styled(first, view.style(Role::Normal)),
            ]));
        }
        for more in parts {
            lines.push(Line::from(vec![
                Span::raw(format!("  {:col$}  ", "")),
                Span::styled(more, view.style(Role::Normal)),
            ]));
        }
    };
    for (n, layer) in order.iter().enumerate() {
        let bindings = view.keymap.bindings(*layer);
        if bindings.is_empty() {
            continue;
        }
        let title = if n == 0 { format!("{} (here)", layer.title()) } else { layer.title().to_string() };
        lines.push(Line::from(Span::styled(title, view.style(Role::Header))));
        for b in bindings {
            row(&mut lines, keys_of(b), b.desc.clone());
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled("commands (:)", view.style(Role::Header))));
    for (cmd, desc) in COMMANDS {
        row(&mut lines, cmd.to_string(), desc.to_string());
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "esc goes back one layer · : opens the command line · ? shows this help · q quits — in every view",
        view.style(Role::Dim),
    )));
    lines.push(Line::from(Span::styled(
        "Keys are configurable: see the [keymap] section of ~/.config/lakescope/config.toml",
        view.style(Role::Dim),
    )));
    let max_scroll = (lines.len() as u16).saturating_sub(inner.height);
    let scroll = h.scroll.min(max_scroll);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}

/// Words of `text` in lines at most `width` cells wide (a longer word gets a line of its own).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        if !cur.is_empty() && cur.width() + 1 + word.width() > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// What was sent to the lake's store: how it is reached, totals per request kind, and the
/// latest requests (newest first, only the rows that fit are built).
pub fn requests(frame: &mut Frame, area: Rect, view: &View, scroll: u16) {
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
        format!("{:<12}{:>8}{:>12}{:>8}{:>11}{:>9}", "kind", "count", "bytes", "errors", "not found", "avg ms"),
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
                    "{:>8}{:>12}{:>8}{:>11}{:>9}",
                    units::count(t.count),
                    units::bytes(t.bytes),
                    units::count(t.errors),
                    units::count(t.not_found),
                    avg
                ),
                view.style(if t.errors > 0 { Role::Warning } else { Role::Normal }),
            ),
        ]));
    }
    let t = r.total;
    lines.push(Line::from(Span::styled(
        format!(
            "{:<12}{:>8}{:>12}{:>8}{:>11}",
            "total",
            units::count(t.count),
            units::bytes(t.bytes),
            units::count(t.errors),
            units::count(t.not_found)
        ),
        view.style(Role::Title),
    )));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("latest requests", view.style(Role::Header))));
    let head = lines.len() as u16;
    let room = inner.height.saturating_sub(head) as usize;
    let skip = scroll as usize;
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
