//! The SQL pane: the editor (syntect's SQL grammar, its scopes drawn in the theme's roles so
//! highlighting follows the theme), the completion list, the estimate / run lines, and the
//! results: a grid drawing only its visible rows and columns (the first column frozen), the
//! record view of one row, or an EXPLAIN plan as text.

use std::sync::OnceLock;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};
use unicode_width::UnicodeWidthStr;

use super::{View, truncate};
use crate::config::theme::Role;
use crate::lake::pricing::usd;
use crate::lake::units;
use crate::state::grid::{Grid, SortDir};
use crate::state::sql::{CandidateKind, LineKind, RunInfo, SqlFocus, SqlPane, SqlResult, editor_rows};

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The theme role of the innermost scope that has one.
fn role_of(stack: &ScopeStack) -> Role {
    for scope in stack.as_slice().iter().rev() {
        let name = scope.build_string();
        let role = if name.starts_with("comment") {
            Role::SqlComment
        } else if name.starts_with("string") {
            Role::SqlString
        } else if name.starts_with("constant.numeric") {
            Role::SqlNumber
        } else if name.starts_with("support.function") || name.starts_with("entity.name.function") {
            Role::SqlFunction
        } else if name.starts_with("keyword") || name.starts_with("storage") || name.starts_with("constant.language") {
            Role::SqlKeyword
        } else {
            continue;
        };
        return role;
    }
    Role::Normal
}

/// One highlighted line and the parser's state before it, so an edit re-parses from the first
/// changed line only (typing at the end of a long query parses one line per key).
#[derive(Clone)]
struct CachedLine {
    text: String,
    /// The parser after this line (the next line starts from it).
    after: (ParseState, ScopeStack),
    spans: Vec<(Role, String)>,
}

thread_local! {
    static HIGHLIGHT_CACHE: std::cell::RefCell<Vec<CachedLine>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Highlighted lines `first..first + count` of the editor text (parsed from the top: comments and
/// strings may span lines; unchanged lines come from a cache).
pub fn highlight(lines: &[String], first: usize, count: usize) -> Vec<Vec<(Role, String)>> {
    let ss = syntaxes();
    let Some(syntax) = ss.find_syntax_by_extension("sql") else {
        return lines.iter().skip(first).take(count).map(|l| vec![(Role::Normal, l.clone())]).collect();
    };
    let end = (first + count).min(lines.len());
    HIGHLIGHT_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        // Keep the cached lines up to the first one that changed.
        let same = cache.iter().zip(lines).take_while(|(c, l)| c.text == **l).count();
        cache.truncate(same);
        while cache.len() < end {
            let i = cache.len();
            let (mut parse, mut stack) = match cache.last() {
                Some(prev) => prev.after.clone(),
                None => (ParseState::new(syntax), ScopeStack::new()),
            };
            let line = &lines[i];
            let text = format!("{line}\n");
            let ops = parse.parse_line(&text, ss).unwrap_or_default();
            let mut spans: Vec<(Role, String)> = Vec::new();
            let mut at = 0;
            for (pos, op) in ops {
                let pos = pos.min(line.len());
                if pos > at {
                    spans.push((role_of(&stack), line[at..pos].to_string()));
                }
                at = at.max(pos);
                let _ = stack.apply(&op);
            }
            if at < line.len() {
                spans.push((role_of(&stack), line[at..].to_string()));
            }
            cache.push(CachedLine { text: line.clone(), after: (parse, stack), spans });
        }
        cache[first.min(end)..end].iter().map(|c| c.spans.clone()).collect()
    })
}

pub fn draw(frame: &mut Frame, area: Rect, view: &View, p: &SqlPane) {
    frame.render_widget(Clear, area);
    let ed_rows = editor_rows(view.state) as u16;
    let [editor, info, results] =
        Layout::vertical([Constraint::Length(ed_rows + 2), Constraint::Length(2), Constraint::Min(3)]).areas(area);
    draw_editor(frame, editor, view, p);
    draw_info(frame, info, view, p);
    draw_results(frame, results, view, p);
    if p.focus == SqlFocus::Editor && p.line.is_none() {
        draw_completion(frame, editor, area, view, p);
    }
}

fn draw_editor(frame: &mut Frame, area: Rect, view: &View, p: &SqlPane) {
    let focused = p.focus == SqlFocus::Editor;
    let title = "SQL · F5 run · F4 estimate · Tab complete · Ctrl-R history · Esc close";
    let block = view.block(&truncate(title, area.width.saturating_sub(4) as usize, view.glyphs().ellipsis), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let e = &p.editor;
    let height = inner.height as usize;
    let scroll = e.scroll.min(e.row).max((e.row + 1).saturating_sub(height));
    let gutter = 4usize;
    let text_w = (inner.width as usize).saturating_sub(gutter);
    // Horizontal scroll: keep the cursor in view on long lines.
    let cursor_x: usize = e.lines[e.row].chars().take(e.col).collect::<String>().width();
    let hscroll = cursor_x.saturating_sub(text_w.saturating_sub(1));
    let lines: Vec<Line> = highlight(&e.lines, scroll, height)
        .into_iter()
        .enumerate()
        .map(|(i, spans)| {
            let mut out = vec![Span::styled(format!("{:>3} ", scroll + i + 1), view.style(Role::Dim))];
            let mut skip = hscroll;
            let mut room = text_w;
            for (role, text) in spans {
                let mut t = String::new();
                for c in text.chars() {
                    let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    if skip >= w && skip > 0 {
                        skip -= w;
                        continue;
                    }
                    if w > room {
                        break;
                    }
                    room -= w;
                    t.push(c);
                }
                if !t.is_empty() {
                    out.push(Span::styled(t, view.style(role)));
                }
            }
            Line::from(out)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
    if focused && p.line.is_none() {
        let x = inner.x + (gutter + cursor_x - hscroll).min(inner.width.saturating_sub(1) as usize) as u16;
        let y = inner.y + (e.row - scroll).min(height.saturating_sub(1)) as u16;
        frame.set_cursor_position(Position { x, y });
    }
}

fn draw_completion(frame: &mut Frame, editor: Rect, area: Rect, view: &View, p: &SqlPane) {
    let Some(c) = &p.completion else { return };
    let e = &p.editor;
    let height = editor_rows(view.state);
    let scroll = e.scroll.min(e.row).max((e.row + 1).saturating_sub(height));
    let rows = c.items.len().min(8);
    let width = c.items.iter().map(|i| i.text.width() + 4).max().unwrap_or(10).clamp(12, 48) as u16;
    let (_, start) = e.word_before_cursor();
    let x_text: usize = e.lines[e.row].chars().take(start).collect::<String>().width();
    let x = (editor.x + 1 + 4 + x_text as u16).min(area.right().saturating_sub(width));
    let y = editor.y + 2 + (e.row - scroll) as u16;
    let y = if y + rows as u16 > area.bottom() { y.saturating_sub(rows as u16 + 1) } else { y };
    let popup = Rect { x, y, width: width.min(area.width), height: rows as u16 };
    let first = c.selected.saturating_sub(rows - 1);
    let lines: Vec<Line> = c
        .items
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, item)| {
            let tag = match item.kind {
                CandidateKind::Column => "c",
                CandidateKind::Table => "t",
                CandidateKind::Keyword => "k",
                CandidateKind::Function => "f",
            };
            let style = if i == c.selected { view.style(Role::Selection) } else { view.style(Role::SelectionInactive) };
            let text = truncate(&item.text, width as usize - 3, view.glyphs().ellipsis);
            Line::from(Span::styled(format!("{tag} {text:<w$}", w = width as usize - 2), style))
        })
        .collect();
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines), popup);
}

/// The estimate (or the typed search / filter line) and the run line.
fn draw_info(frame: &mut Frame, area: Rect, view: &View, p: &SqlPane) {
    let dot = view.glyphs().dot;
    let width = area.width as usize;
    let prices = &view.state.prices;
    // An estimate of text since edited is not shown as if it were of this one.
    let stale = p.estimate.is_some() && p.current_estimate().is_none();
    let mut first: Line = match (&p.line, p.current_estimate()) {
        (Some(l), _) => {
            let (prompt, tail) = match l.kind {
                LineKind::Search => (
                    "history search: ",
                    match l.hit {
                        Some(i) => format!("  → {}", p.history[i].replace('\n', " ")),
                        None if l.input.text.is_empty() => "  (type to search, Ctrl-R older, Enter take)".into(),
                        None => "  (no match)".into(),
                    },
                ),
                LineKind::Filter => ("filter rows: ", "  (Enter keep, Esc clear)".to_string()),
            };
            let text = format!("{prompt}{}", l.input.text);
            let before: String = l.input.text.chars().take(l.input.cursor).collect();
            let x = (prompt.width() + before.width()).min(width.saturating_sub(1));
            frame.set_cursor_position(Position { x: area.x + x as u16, y: area.y });
            Line::from(vec![Span::styled(text, view.style(Role::Filter)), Span::styled(tail, view.style(Role::Dim))])
        }
        (None, Some(Ok(e))) => {
            let mut parts = vec![
                units::plural(e.files, "file"),
                format!("≤ {}", units::bytes(e.bytes)),
                format!("≈ {} GETs", units::count(e.gets)),
            ];
            if e.partitions > 0 {
                parts.push(units::plural(e.partitions, "partition"));
            }
            parts.push(format!("≈ {} on {}", usd(prices.query_cost(e.gets, e.bytes)), prices.name));
            Line::from(vec![
                Span::styled("estimate: ", view.style(Role::Dim)),
                Span::styled(parts.join(dot), view.style(Role::Normal)),
            ])
        }
        (None, Some(Err(e))) => Line::from(Span::styled(format!("estimate failed: {e}"), view.style(Role::Error))),
        (None, None) if stale => Line::from(Span::styled(
            "the query changed since its estimate: F4 estimates it again",
            view.style(Role::Dim),
        )),
        (None, None) => Line::from(Span::styled(
            "F4 estimates what a query reads (files, bytes, requests, cost) before it runs",
            view.style(Role::Dim),
        )),
    };
    if first.width() > width {
        let text: String = first.spans.iter().map(|s| s.content.as_ref()).collect();
        first = Line::from(Span::styled(truncate(&text, width, view.glyphs().ellipsis), view.style(Role::Normal)));
    }
    let second = match (&p.run, &p.export) {
        (_, Some((path, rows))) => Line::from(Span::styled(
            format!("exporting to {path}: {} written (esc cancels)", units::plural(*rows, "row")),
            view.style(Role::Job),
        )),
        (Some(r), None) => {
            let g = &r.progress;
            let read = format!("read {} in {}", units::bytes(g.bytes), units::plural(g.requests, "request"));
            if r.running {
                let spin = view.glyphs().spinner[view.state.spinner % view.glyphs().spinner.len()];
                let rows = if g.rows == 0 { "no rows yet".to_string() } else { units::plural(g.rows, "row") };
                Line::from(Span::styled(
                    format!(
                        "{spin} running {}{dot}{rows}{dot}{read}{dot}esc cancels",
                        units::duration_ms(g.elapsed_ms)
                    ),
                    view.style(Role::Job),
                ))
            } else if r.cancelled {
                let kept =
                    if g.rows == 0 { String::new() } else { format!("{dot}{} kept", units::plural(g.rows, "row")) };
                Line::from(Span::styled(
                    format!("cancelled after {}{kept}{dot}{read}", units::duration_ms(g.elapsed_ms)),
                    view.style(Role::Warning),
                ))
            } else if r.error.is_some() {
                Line::from(Span::styled(
                    format!("failed after {}{dot}{read}", units::duration_ms(g.elapsed_ms)),
                    view.style(Role::Error),
                ))
            } else {
                let cost = usd(prices.query_cost(g.requests, g.bytes));
                let rows = match p.grid() {
                    Some(gr) if (gr.kept as u64) < gr.total => {
                        format!("first {} of {} rows", units::count(gr.kept as u64), units::count(gr.total))
                    }
                    _ => units::plural(g.rows, "row"),
                };
                Line::from(Span::styled(
                    format!("{rows} in {}{dot}actual: {read}{dot}≈ {cost}", units::duration_ms(g.elapsed_ms)),
                    view.style(Role::Ok),
                ))
            }
        }
        (None, None) => Line::from(Span::styled(
            "s on a table in the browser starts a query; tables are zone.table",
            view.style(Role::Dim),
        )),
    };
    frame.render_widget(Paragraph::new(vec![first, second]), area);
}

fn draw_results(frame: &mut Frame, area: Rect, view: &View, p: &SqlPane) {
    let focused = p.focus == SqlFocus::Results;
    if let Some(error) = p.run.as_ref().and_then(|r| r.error.as_ref()) {
        let block = view.block("error", focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let para = Paragraph::new(Span::styled(error.clone(), view.style(Role::Error))).wrap(Wrap { trim: false });
        frame.render_widget(para, inner);
        return;
    }
    match &p.result {
        None => {
            let block = view.block("results", focused);
            frame.render_widget(block, area);
        }
        Some(SqlResult::Plan(plans)) => {
            let dot = view.glyphs().dot;
            let title = format!("plan{dot}j/k h/l scroll{dot}y copies it");
            let block = view.block(&title, focused);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let width = inner.width as usize;
            let shown: Vec<Line> = SqlResult::plan_lines(plans)
                .into_iter()
                .skip(p.plan_scroll)
                .take(inner.height as usize)
                .map(|l| {
                    let role = if l.starts_with(' ') { Role::Normal } else { Role::Header };
                    // Long plan lines scroll sideways; a cut line ends with the ellipsis.
                    let rest: String = l.chars().skip(p.plan_col).collect();
                    Line::from(Span::styled(truncate(&rest, width, view.glyphs().ellipsis), view.style(role)))
                })
                .collect();
            frame.render_widget(Paragraph::new(shown), inner);
        }
        Some(SqlResult::Grid(g)) => match p.record {
            Some(scroll) => draw_record(frame, area, view, g, scroll, focused),
            None => draw_grid(frame, area, view, g, focused, p.run.as_ref()),
        },
    }
}

fn draw_grid(frame: &mut Frame, area: Rect, view: &View, g: &Grid, focused: bool, run: Option<&RunInfo>) {
    let running = run.is_some_and(|r| r.running);
    let cancelled = run.is_some_and(|r| r.cancelled);
    let mut title = if g.total == 0 && running {
        "results · waiting for the first rows…".to_string()
    } else if g.total == 0 && cancelled {
        "results · cancelled before the first row".to_string()
    } else if (g.kept as u64) < g.total {
        format!("results · first {} of {} rows", units::count(g.kept as u64), units::count(g.total))
    } else {
        format!("results · {}", units::plural(g.kept as u64, "row"))
    };
    if !g.filter.is_empty() {
        title.push_str(&format!(" · {} match {:?}", units::count(g.len() as u64), g.filter));
    }
    if let Some((c, dir)) = g.sort {
        let arrow = if dir == SortDir::Asc { "asc" } else { "desc" };
        title.push_str(&format!(" · by {} {arrow}", g.schema.field(c).name()));
    }
    let block = view.block(&truncate(&title, area.width.saturating_sub(4) as usize, view.glyphs().ellipsis), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if g.columns() == 0 || inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    let (cols, _) = g.visible_cols(width);
    let mut shown: Vec<usize> = vec![0];
    shown.extend(cols);
    let ell = view.glyphs().ellipsis;
    let header: Vec<Span> = shown
        .iter()
        .map(|&c| {
            let w = g.widths[c].min(width);
            let name = truncate(g.schema.field(c).name(), w, ell);
            Span::styled(format!("{name:<w$} "), view.style(Role::Header))
        })
        .collect();
    let mut lines = vec![Line::from(header)];
    let rows = (inner.height as usize).saturating_sub(1);
    for r in g.offset..(g.offset + rows).min(g.len()) {
        let spans: Vec<Span> = shown
            .iter()
            .map(|&c| {
                let w = g.widths[c].min(width);
                let (text, null) = match g.cell(r, c) {
                    Some(v) => (truncate(&v.replace('\n', "⏎"), w, ell), false),
                    None => (crate::lake::units::NULL.to_string(), true),
                };
                let pad = w.saturating_sub(text.width());
                let style = if r == g.row && c == g.col && focused {
                    view.style(Role::Selection)
                } else if r == g.row {
                    view.style(Role::SelectionInactive)
                } else if null {
                    view.style(Role::Dim)
                } else {
                    Style::default()
                };
                Span::styled(format!("{text}{} ", " ".repeat(pad)), style)
            })
            .collect();
        lines.push(Line::from(spans));
    }
    if g.is_empty() && !running && !cancelled {
        let note = if g.filter.is_empty() { "no rows" } else { "no fetched row matches the filter" };
        lines.push(Line::from(Span::styled(note, view.style(Role::Dim))));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_record(frame: &mut Frame, area: Rect, view: &View, g: &Grid, scroll: usize, focused: bool) {
    let title = format!("row {} of {} · esc back", units::count(g.row as u64 + 1), units::count(g.len() as u64));
    let block = view.block(&title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let name_w = g.schema.fields().iter().map(|f| f.name().width()).max().unwrap_or(4).min(24);
    let mut lines: Vec<Line> = Vec::new();
    for (name, value) in g.record(g.row) {
        let value = match value {
            // JSON documents are shown indented.
            Some(v) if v.starts_with('{') || v.starts_with('[') => serde_json::from_str::<serde_json::Value>(&v)
                .ok()
                .and_then(|j| serde_json::to_string_pretty(&j).ok())
                .unwrap_or(v),
            Some(v) => v,
            None => crate::lake::units::NULL.to_string(),
        };
        for (i, part) in value.lines().enumerate() {
            let label = if i == 0 { truncate(&name, name_w, view.glyphs().ellipsis) } else { String::new() };
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<name_w$}  "), view.style(Role::Header)),
                Span::styled(part.to_string(), view.style(Role::Normal)),
            ]));
        }
    }
    let para = Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll.min(u16::MAX as usize) as u16, 0));
    frame.render_widget(para, inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles_of(lines: &[&str]) -> Vec<Vec<(Role, String)>> {
        let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        highlight(&lines, 0, lines.len())
    }

    fn role(spans: &[(Role, String)], text: &str) -> Option<Role> {
        spans.iter().find(|(_, t)| t.contains(text)).map(|(r, _)| *r)
    }

    #[test]
    fn sql_scopes_map_to_theme_roles_and_survive_edits() {
        let h = roles_of(&["SELECT count(*), 'x' FROM t -- note", "/* a", "b */ WHERE n = 42"]);
        assert_eq!(role(&h[0], "SELECT"), Some(Role::SqlKeyword));
        assert_eq!(role(&h[0], "'x'").or(role(&h[0], "x")), Some(Role::SqlString));
        assert_eq!(role(&h[0], "note"), Some(Role::SqlComment));
        // A block comment spans lines: the second line's start is still a comment.
        assert_eq!(role(&h[2], "b"), Some(Role::SqlComment));
        assert_eq!(role(&h[2], "42"), Some(Role::SqlNumber));
        // Edit the middle line (the cache keeps the first): the comment closes earlier now.
        let h = roles_of(&["SELECT count(*), 'x' FROM t -- note", "/* a */", "b WHERE n = 42"]);
        assert_ne!(role(&h[2], "b"), Some(Role::SqlComment));
        assert_eq!(role(&h[2], "WHERE"), Some(Role::SqlKeyword));
        // The text is kept whole, whatever the roles.
        let joined: String = h[0].iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(joined, "SELECT count(*), 'x' FROM t -- note");
    }
}
