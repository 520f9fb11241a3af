//! The diagnostics view: while it runs, its progress; then the ranking of a scope's tables (only
//! the visible rows formatted), or one table's tabs — findings, partitions as bars beside their
//! numbers, the file-size histogram as a bar chart, cost, growth as a sparkline, the full report.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph, Sparkline};

use super::View;
use super::inspector::table_window;
use crate::config::theme::Role;
use crate::lake::diag::{Severity, TableDiag};
use crate::lake::pricing::usd;
use crate::lake::units;
use crate::report::diag::{ROLLUP_HEADER, ROLLUP_RIGHT, bar, headline, rollup_cells, severity_label, table_lines};
use crate::state::diag::{DiagTab, DiagView, OpenTable};

fn severity_role(s: Option<Severity>) -> Role {
    match s {
        Some(Severity::Critical) => Role::Error,
        Some(Severity::Warn) => Role::Warning,
        Some(Severity::Info) => Role::Normal,
        None => Role::Ok,
    }
}

pub fn draw(frame: &mut Frame, area: Rect, view: &View, v: &DiagView) {
    let sep = view.glyphs().separator;
    let title = match &v.open {
        Some(o) => format!("{}{sep}diagnostics", o.diag.table.replace('/', sep)),
        None => format!("{}{sep}diagnostics", v.scope.replace('/', sep)),
    };
    let block = view.block(&title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    let width = inner.width as usize;
    let ell = view.glyphs().ellipsis;
    if v.loading {
        let (done, total) = v.progress;
        let mut lines = vec![Line::styled(
            format!(
                "diagnosing {done} of {} · reading logs, listings and footers (esc cancels)…",
                units::plural(total as u64, "table")
            ),
            view.style(Role::Job),
        )];
        if total > 0 {
            let w = width.saturating_sub(2).min(60);
            let b = bar(done as u64, total as u64, w, view.state.ascii);
            lines.push(Line::styled(format!("{b:<w$}|"), view.style(Role::Job)));
        }
        if !v.last.is_empty() {
            lines.push(Line::styled(super::truncate(&format!("done: {}", v.last), width, ell), view.style(Role::Dim)));
        }
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    if let Some(e) = &v.error {
        let text = super::truncate(&format!("diagnostics: {e}"), width, ell);
        frame.render_widget(Paragraph::new(Line::styled(text, view.style(Role::Error))), inner);
        return;
    }
    match &v.open {
        Some(o) => table(frame, inner, view, o),
        None => rollup(frame, inner, view, v),
    }
}

fn rollup(frame: &mut Frame, area: Rect, view: &View, v: &DiagView) {
    let Some(r) = &v.rollup else { return };
    let width = area.width as usize;
    let height = area.height as usize;
    let ell = view.glyphs().ellipsis;
    let dot = view.glyphs().dot;
    let t = &r.totals;
    let mut lines = vec![
        Line::styled(
            super::truncate(
                &format!(
                    "{}{dot}{}{dot}{}{dot}{} rows{}{dot}{}/month",
                    units::plural(t.tables, "table"),
                    units::plural(t.files, "file"),
                    units::bytes(t.bytes),
                    units::count(t.rows),
                    if t.rows_unknown_tables > 0 {
                        format!(" (+{} unknown)", t.rows_unknown_tables)
                    } else {
                        String::new()
                    },
                    usd(t.monthly_usd)
                ),
                width,
                ell,
            ),
            view.style(Role::Title),
        ),
        Line::from(vec![
            Span::styled(format!("{} critical ", t.critical), view.style(Role::Error)),
            Span::styled(format!("{} warn ", t.warn), view.style(Role::Warning)),
            Span::styled(format!("{} info", t.info), view.style(Role::Normal)),
            Span::styled(
                format!(
                    "{dot}{} small files → {} after compaction{dot}{} stale",
                    units::count(t.small_files),
                    units::count(t.after_compaction),
                    units::bytes(t.stale_bytes)
                ),
                view.style(Role::Dim),
            ),
        ]),
    ];
    let list_height = height.saturating_sub(3);
    let total = v.rows.len() + v.failed.len();
    // Names below the scope are shown from it down.
    let prefix = format!("{}/", v.scope);
    let relative = |name: &str| -> String { name.strip_prefix(&prefix).unwrap_or(name).to_string() };
    let mut list =
        table_window(view, &ROLLUP_HEADER, &ROLLUP_RIGHT, total, Some(v.cursor), v.scroll, list_height, width, |i| {
            match v.rows.get(i) {
                Some(x) => rollup_cells(x, relative(&x.table)).to_vec(),
                None => {
                    let f = &v.failed[i - v.rows.len()];
                    let mut cells = vec!["fail".to_string(), relative(&f.table).to_string(), f.format.to_string()];
                    cells.extend(std::iter::repeat_n(String::new(), 6));
                    cells.push(f.reason.clone());
                    cells
                }
            }
        });
    // Severity colours on the rows not under the cursor.
    for (i, line) in list.iter_mut().enumerate().skip(1) {
        let idx = v.scroll + i - 1;
        if idx == v.cursor {
            continue;
        }
        let role = match v.rows.get(idx) {
            Some(x) => severity_role(x.worst),
            None => Role::Error,
        };
        if role != Role::Normal {
            *line = line.clone().style(view.style(role));
        }
    }
    while list.len() < list_height {
        list.push(Line::raw(""));
    }
    lines.extend(list);
    lines.push(Line::styled(
        super::truncate(
            &format!(
                "ranked by {} (s: rank by another){dot}enter: the table's diagnostics{dot}h: close",
                v.sort.title()
            ),
            width,
            ell,
        ),
        view.style(Role::Dim),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

fn tab_bar<'a>(view: &View, o: &OpenTable) -> Line<'a> {
    let mut spans: Vec<Span> = DiagTab::ALL
        .iter()
        .map(|t| {
            Span::styled(format!(" {} ", t.title()), view.style(if *t == o.tab { Role::Selection } else { Role::Dim }))
        })
        .collect();
    spans.push(Span::styled("  tab: next", view.style(Role::Dim)));
    Line::from(spans)
}

fn table(frame: &mut Frame, area: Rect, view: &View, o: &OpenTable) {
    let d = &o.diag;
    let width = area.width as usize;
    let ell = view.glyphs().ellipsis;
    let [head, bar_area, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let role = severity_role(d.worst());
    frame
        .render_widget(Paragraph::new(Line::styled(super::truncate(&headline(d), width, ell), view.style(role))), head);
    frame.render_widget(Paragraph::new(tab_bar(view, o)), bar_area);
    match o.tab {
        DiagTab::Findings => findings(frame, body, view, o),
        DiagTab::Partitions => partitions(frame, body, view, o),
        DiagTab::Files => files(frame, body, view, d, o.scroll),
        DiagTab::Cost => {
            // Sentences with prices and sources: wrapped, not cut.
            let lines: Vec<Line> =
                section(&table_lines(d, view.state.ascii), "COST").into_iter().map(Line::raw).collect();
            let p = Paragraph::new(lines)
                .style(view.style(Role::Normal))
                .wrap(ratatui::widgets::Wrap { trim: false })
                .scroll((o.scroll.min(u16::MAX as usize) as u16, 0));
            frame.render_widget(p, body);
        }
        DiagTab::Growth => growth(frame, body, view, d),
        DiagTab::Report => text(frame, body, view, table_lines(d, view.state.ascii), o.scroll),
    }
}

/// The lines of one section of the text report (from its heading to the next blank line).
fn section(lines: &[String], heading: &str) -> Vec<String> {
    lines.iter().skip_while(|l| !l.starts_with(heading)).take_while(|l| !l.is_empty()).cloned().collect()
}

fn text(frame: &mut Frame, area: Rect, view: &View, lines: Vec<String>, scroll: usize) {
    let ell = view.glyphs().ellipsis;
    let width = area.width as usize;
    let scroll = scroll.min(lines.len().saturating_sub(area.height as usize));
    let out: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(area.height as usize)
        .map(|l| {
            let role = if l.starts_with("  CRIT") {
                Role::Error
            } else if l.starts_with("  WARN") {
                Role::Warning
            } else if l.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                Role::Header
            } else {
                Role::Normal
            };
            Line::styled(super::truncate(&l, width, ell), view.style(role))
        })
        .collect();
    frame.render_widget(Paragraph::new(out), area);
}

fn findings(frame: &mut Frame, area: Rect, view: &View, o: &OpenTable) {
    let d = &o.diag;
    let width = area.width as usize;
    let height = area.height as usize;
    let ell = view.glyphs().ellipsis;
    if d.findings.is_empty() {
        let mut lines =
            vec![Line::styled("no findings: nothing to compact, repartition or vacuum", view.style(Role::Ok))];
        lines.extend(
            d.notes
                .iter()
                .map(|n| Line::styled(super::truncate(&format!("note: {n}"), width, ell), view.style(Role::Dim))),
        );
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let list_height = height.saturating_sub(2);
    // Findings are sentences: each row gets the whole width, not a column's.
    let mut lines: Vec<Line> = d
        .findings
        .iter()
        .enumerate()
        .skip(o.scroll)
        .take(list_height)
        .map(|(i, f)| {
            let text = format!("{:<4}  {:<16} {}", severity_label(f.severity), f.kind, f.title);
            let role = if i == o.cursor { Role::Selection } else { severity_role(Some(f.severity)) };
            Line::styled(format!("{:<width$}", super::truncate(&text, width, ell)), view.style(role))
        })
        .collect();
    while lines.len() < list_height {
        lines.push(Line::raw(""));
    }
    if let Some(f) = d.findings.get(o.cursor) {
        lines.push(Line::styled(super::truncate(&format!("→ {}", f.suggestion), width, ell), view.style(Role::Key)));
        lines.push(Line::styled(
            super::truncate(&format!("enter: the numbers behind it ({})", f.action.as_str()), width, ell),
            view.style(Role::Dim),
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn partitions(frame: &mut Frame, area: Rect, view: &View, o: &OpenTable) {
    let d = &o.diag;
    let p = &d.partitions;
    let width = area.width as usize;
    let ell = view.glyphs().ellipsis;
    let dot = view.glyphs().dot;
    if p.list.len() <= 1 && d.totals.partitions == 0 {
        let lines = vec![Line::styled("not partitioned", view.style(Role::Dim))];
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let cols: Vec<String> =
        p.columns.iter().map(|c| format!("{} ({} values)", c.column, units::count(c.distinct))).collect();
    let mut lines = vec![Line::styled(
        super::truncate(
            &format!(
                "{}{dot}median {}{}{dot}{} tiny{}",
                cols.join(", "),
                units::bytes(p.median_bytes),
                p.skew.map(|s| format!("{dot}largest {s:.1}x the median")).unwrap_or_default(),
                units::count(p.tiny),
                if p.empty.is_empty() { String::new() } else { format!("{dot}{} empty", p.empty.len()) }
            ),
            width,
            ell,
        ),
        view.style(Role::Dim),
    )];
    let max = p.list.first().map(|x| x.bytes).unwrap_or(0);
    let bar_w = width.saturating_sub(60).clamp(4, 40);
    let ascii = view.state.ascii;
    lines.extend(table_window(
        view,
        &["PARTITION", "FILES", "SIZE", "ROWS", "SMALL", "SIZE (bar)"],
        &[1, 2, 3, 4],
        p.list.len(),
        Some(o.cursor),
        o.scroll,
        area.height.saturating_sub(1) as usize,
        width,
        |i| {
            let x = &p.list[i];
            vec![
                x.name.clone(),
                units::count(x.files),
                units::bytes(x.bytes),
                x.rows.map(units::count).unwrap_or_else(|| "?".into()),
                units::count(x.small_files),
                bar(x.bytes, max, bar_w, ascii),
            ]
        },
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

/// Short labels of the histogram's buckets, for the bar chart.
const SHORT: [&str; 8] = ["<128K", "-1M", "-8M", "-32M", "-128M", "-512M", "-1G", ">=1G"];

fn files(frame: &mut Frame, area: Rect, view: &View, d: &TableDiag, scroll: usize) {
    let sf = &d.small_files;
    let chart_h = (area.height / 2).clamp(4, 12).min(area.height);
    let [chart, rest] = Layout::vertical([Constraint::Length(chart_h), Constraint::Min(0)]).areas(area);
    let bar_width = ((chart.width.saturating_sub(8)) / 8).clamp(1, 9);
    let bars: Vec<Bar> = sf
        .histogram
        .iter()
        .zip(SHORT)
        .map(|(b, label)| {
            let role = if b.below.is_some_and(|x| x <= sf.threshold) { Role::Warning } else { Role::Ok };
            Bar::default()
                .value(b.files)
                .text_value(units::count(b.files))
                .label(Line::from(label))
                .style(view.style(role))
        })
        .collect();
    let widget = BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(bar_width)
        .bar_gap(1)
        .label_style(view.style(Role::Dim))
        .value_style(view.style(Role::Selection));
    frame.render_widget(widget, chart);
    let mut lines = vec![
        format!(
            "{} of {} files under {} ({}) · {} after compaction to {} ({}) · {} fewer GETs per scan",
            units::count(sf.small),
            units::count(d.totals.files),
            units::bytes(sf.threshold),
            crate::lake::diag::percent(sf.share),
            units::count(sf.after_compaction),
            units::bytes(sf.target),
            sf.target_source,
            units::count(sf.requests_saved_per_scan)
        ),
        "files other systems would call small:".to_string(),
    ];
    for s in &sf.by_system {
        lines.push(format!("  {:>9}  {}", units::count(s.files), s.system));
    }
    if !sf.partitions.is_empty() {
        let parts: Vec<String> = sf.partitions.iter().take(5).map(|(p, n)| format!("{p} ({n})")).collect();
        lines.push(format!("most small files in: {}", parts.join(", ")));
    }
    text(frame, rest, view, lines, scroll);
}

fn growth(frame: &mut Frame, area: Rect, view: &View, d: &TableDiag) {
    let width = area.width as usize;
    let ell = view.glyphs().ellipsis;
    if d.growth.len() < 2 {
        let line = Line::styled("one point in time: nothing to chart yet", view.style(Role::Dim));
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let [head, chart, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(area.height.saturating_sub(3).clamp(1, 10)),
        Constraint::Min(0),
    ])
    .areas(area);
    let first = &d.growth[0];
    let last = &d.growth[d.growth.len() - 1];
    let what = if last.version.is_some() { "size by version" } else { "size by day of last write (cumulative)" };
    let text_head = format!(
        "{what}: {} {} → {} {} ({} → {} files)",
        first.label,
        units::bytes(first.bytes),
        last.label,
        units::bytes(last.bytes),
        units::count(first.files),
        units::count(last.files)
    );
    frame.render_widget(
        Paragraph::new(Line::styled(super::truncate(&text_head, width, ell), view.style(Role::Title))),
        head,
    );
    // The newest points that fit, each as wide as the space allows (up to 4 columns).
    let skip = d.growth.len().saturating_sub(width);
    let points = &d.growth[skip..];
    let each = (width / points.len().max(1)).clamp(1, 4);
    let data: Vec<u64> = points.iter().flat_map(|g| std::iter::repeat_n(g.bytes, each)).collect();
    frame.render_widget(Sparkline::default().data(&data).style(view.style(Role::Delta)), chart);
    let rows: Vec<String> = d
        .growth
        .iter()
        .rev()
        .take(foot.height as usize)
        .map(|g| format!("{:>12}  {:>10}  {:>9} files", g.label, units::bytes(g.bytes), units::count(g.files)))
        .collect();
    text(frame, foot, view, rows, 0);
}
