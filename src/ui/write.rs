//! The write actions' overlay: the plan with what `y` will do, the job's progress as a gauge with
//! files, bytes and rate, and the outcome with the diagnostics before / after. Fits 80x24: long
//! lines wrap, the text scrolls with j/k (arrows, pages), and only the visible lines are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Gauge, Paragraph};

use super::View;
use crate::config::theme::Role;
use crate::lake::maintain::run::WriteKind;
use crate::report::maintain::write_plan_lines;
use crate::state::write::{Stage, WriteView};

pub fn draw(frame: &mut Frame, area: Rect, view: &View, m: &WriteView) {
    frame.render_widget(Clear, area);
    let dot = view.glyphs().dot;
    let (verb, name) = (m.kind().verb(), m.request.name.as_str());
    let (title, footer, role): (String, String, Role) = match &m.stage {
        Stage::Planning => (format!("{verb} {name}{dot}planning"), "reading the table… esc cancels".into(), Role::Dim),
        Stage::Confirm(p) if p.refusal().is_some() => {
            (format!("{verb} {name}{dot}refused"), "esc closes · j/k scroll".into(), Role::Error)
        }
        Stage::Confirm(_) if m.kind() == WriteKind::Vacuum => (
            format!("{verb} {name}{dot}dry run"),
            if m.typed.is_empty() {
                "y deletes · j/k scroll · type a retention (24h) + enter to re-plan · esc or n cancels".into()
            } else {
                format!("retention: {}_ · enter re-plans with this override · esc clears it", m.typed)
            },
            Role::Warning,
        ),
        Stage::Confirm(p) if p.is_empty() => {
            (format!("{verb} {name}{dot}nothing to do"), "esc closes".into(), Role::Dim)
        }
        Stage::Confirm(_) => {
            (format!("{verb} {name}{dot}plan"), "y runs it · j/k scroll · esc or n cancels".into(), Role::Warning)
        }
        Stage::Running(..) => (format!("{verb} {name}{dot}running"), "esc cancels safely".into(), Role::Job),
        Stage::Done(_) => (format!("{verb} {name}{dot}done"), "esc closes · j/k scroll".into(), Role::Ok),
        Stage::Failed(_) => (format!("{verb} {name}{dot}stopped"), "esc closes".into(), Role::Error),
    };
    let block = view.block(&title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [body, gauge, foot] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(if matches!(m.stage, Stage::Running(..)) { 2 } else { 0 }),
        Constraint::Length(1),
    ])
    .areas(inner);
    let lines: Vec<String> = match &m.stage {
        Stage::Planning => {
            vec!["making the plan: reading the table's log or listing and footers (nothing is written)".into()]
        }
        Stage::Confirm(p) | Stage::Running(p, _) => write_plan_lines(p, None),
        Stage::Done(lines) => lines.clone(),
        Stage::Failed(e) => vec![e.clone()],
    };
    let width = body.width as usize;
    let lines: Vec<String> = lines.iter().flat_map(|l| wrap(l, width)).collect();
    let height = body.height as usize;
    let scroll = m.scroll.min(lines.len().saturating_sub(height));
    let shown: Vec<Line> = lines
        .iter()
        .skip(scroll)
        .take(height)
        .map(|l| {
            let style = if l.trim_start().starts_with("refused") || l.contains("BELOW") {
                view.style(Role::Error)
            } else if l.trim_start().starts_with("note:") {
                view.style(Role::Warning)
            } else {
                view.style(Role::Normal)
            };
            Line::from(Span::styled(crate::lake::units::truncate(l, width, view.glyphs().ellipsis), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
    if let Stage::Running(_, p) = &m.stage {
        let ratio = if p.bytes_total == 0 { 0.0 } else { (p.bytes_read as f64 / p.bytes_total as f64).min(1.0) };
        let [text, bar] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(gauge);
        frame.render_widget(
            Paragraph::new(Span::styled(
                crate::lake::units::truncate(&p.line(), width, view.glyphs().ellipsis),
                view.style(Role::Job),
            )),
            text,
        );
        frame.render_widget(
            Gauge::default().gauge_style(view.style(Role::Job)).ratio(ratio).use_unicode(!view.state.ascii),
            bar,
        );
    }
    frame.render_widget(
        Paragraph::new(Span::styled(
            crate::lake::units::truncate(&footer, width, view.glyphs().ellipsis),
            view.style(role),
        )),
        foot,
    );
}

/// Word-wrap one line to `width`, continuing under its own indentation.
fn wrap(line: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    if line.width() <= width || width < 20 {
        return vec![line.to_string()];
    }
    let indent = line.len() - line.trim_start().len();
    let pad = " ".repeat(indent + 2);
    let mut out = Vec::new();
    let mut cur = line[..indent].to_string();
    for word in line.trim_start().split(' ') {
        let prefix_only = cur.trim().is_empty();
        if !prefix_only && cur.width() + 1 + word.width() > width {
            out.push(std::mem::replace(&mut cur, pad.clone()));
        }
        if !cur.trim().is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_lines_wrap_under_their_indent() {
        let w = super::wrap("  note: one two three four five six seven eight nine ten", 24);
        assert!(w.len() > 1, "{w:?}");
        assert!(w.iter().all(|l| l.chars().count() <= 24), "{w:?}");
        assert!(w[1].starts_with("    "), "{w:?}");
        assert_eq!(w.join(" ").split_whitespace().count(), 11);
        assert_eq!(super::wrap("short", 24), vec!["short"]);
    }
}
