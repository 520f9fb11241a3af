//! Overlays drawn on top of the columns. Today: the help overlay, generated from the keymap and
//! the command list so it can never disagree with what the keys do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::View;
use crate::config::keymap::Layer;
use crate::config::theme::Role;
use crate::state::COMMANDS;

pub fn help(frame: &mut Frame, area: Rect, view: &View) {
    frame.render_widget(Clear, area);
    let dot = view.glyphs().dot;
    let block = view.block(&format!("help{dot}esc closes{dot}j/k scroll"), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let mut lines: Vec<Line> = Vec::new();
    for layer in [Layer::Browser, Layer::Global, Layer::Help] {
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
