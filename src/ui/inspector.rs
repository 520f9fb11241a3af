//! The Parquet inspector view: a tab bar and one tab's content — a dataset's files, storage by
//! column and schema drift; a file's summary, schema tree, row groups, column chunks, page index
//! and row-group preview grid. Every list draws only its visible rows; the grid only its visible
//! rows and the columns that fit.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{View, truncate};
use crate::config::theme::Role;
use crate::state::inspector::{DatasetTab, FileTab, FileView, Inspector, Slot};
use crate::units;

pub fn draw(frame: &mut Frame, area: Rect, view: &View, ins: &Inspector) {
    let sep = view.glyphs().separator;
    let title = match &ins.file {
        Some(f) => format!("{}{sep}{}", ins.table.name, f.name()),
        None => format!("{}{sep}files", ins.table.name),
    };
    let block = view.block(&title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 {
        return;
    }
    let bar = Rect { height: 1, ..inner };
    let body = Rect { y: inner.y + 1, height: inner.height - 1, ..inner };
    let (titles, active): (Vec<&str>, usize) = match &ins.file {
        Some(f) => (
            FileTab::ALL.iter().map(|t| t.title()).collect(),
            FileTab::ALL.iter().position(|t| *t == f.tab).unwrap_or(0),
        ),
        None => {
            let tab = ins.dataset.as_ref().map(|d| d.tab).unwrap_or(DatasetTab::Files);
            (
                DatasetTab::ALL.iter().map(|t| t.title()).collect(),
                DatasetTab::ALL.iter().position(|t| *t == tab).unwrap_or(0),
            )
        }
    };
    let spans: Vec<Span> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let role = if i == active { Role::Selection } else { Role::Dim };
            Span::styled(format!(" {t} "), view.style(role))
        })
        .collect();
    frame.render_widget(Paragraph::new(Line::from(spans)), bar);
    let lines = match &ins.file {
        Some(f) => file_lines(view, f, body),
        None => dataset_lines(view, ins, body),
    };
    frame.render_widget(Paragraph::new(lines), body);
}

fn slot_line<'a, T>(view: &View, slot: &Slot<T>, what: &str) -> Option<Vec<Line<'a>>> {
    match slot {
        Slot::Loading => Some(vec![Line::styled(format!("reading {what}…"), view.style(Role::Job))]),
        Slot::Failed(e) => Some(vec![Line::styled(format!("cannot read {what}: {e}"), view.style(Role::Error))]),
        Slot::Ready(_) => None,
    }
}

/// Lines `scroll..scroll+height` of a list, the cursor row highlighted.
fn window<'a>(
    view: &View,
    rows: Vec<String>,
    cursor: Option<usize>,
    scroll: usize,
    height: usize,
    width: usize,
) -> Vec<Line<'a>> {
    let ell = view.glyphs().ellipsis;
    rows.into_iter()
        .enumerate()
        .skip(scroll)
        .take(height)
        .map(|(i, r)| {
            let role = if Some(i) == cursor { Role::Selection } else { Role::Normal };
            Line::styled(format!("{:<width$}", truncate(&r, width, ell)), view.style(role))
        })
        .collect()
}

fn pad(s: &str, w: usize, right: bool) -> String {
    let n = w.saturating_sub(s.width());
    if right { format!("{}{s}", " ".repeat(n)) } else { format!("{s}{}", " ".repeat(n)) }
}

/// Rows of cells as aligned text lines (header first).
fn aligned(header: &[&str], rows: &[Vec<String>], right: &[usize]) -> Vec<String> {
    let mut w: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < w.len() {
                w[i] = w[i].max(c.width().min(40));
            }
        }
    }
    let line = |cells: Vec<&str>| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(&truncate(c, w[i], "~"), w[i], right.contains(&i)))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut out = vec![line(header.to_vec())];
    out.extend(rows.iter().map(|r| line(r.iter().map(String::as_str).collect())));
    out
}

fn dataset_lines<'a>(view: &View, ins: &Inspector, area: Rect) -> Vec<Line<'a>> {
    let Some(d) = &ins.dataset else { return vec![] };
    let width = area.width as usize;
    let height = area.height as usize;
    if let Slot::Loading = d.summary {
        let (done, total) = d.progress;
        let text = if total == 0 {
            "listing the table's files…".to_string()
        } else {
            format!("reading footers: {} of {} (Esc cancels)", units::count(done as u64), units::count(total as u64))
        };
        return vec![Line::styled(text, view.style(Role::Job))];
    }
    if let Some(l) = slot_line(view, &d.summary, "the files") {
        return l;
    }
    let Slot::Ready(s) = &d.summary else { return vec![] };
    let dot = view.glyphs().dot;
    let mut head = format!(
        "{} files{dot}{}{dot}{} rows{dot}footers: {} in {}",
        units::count(s.files.len() as u64),
        units::bytes(s.bytes),
        units::count(s.rows),
        units::plural(s.requests, "request"),
        units::bytes(s.bytes_read)
    );
    if s.drift_files > 0 {
        head.push_str(&format!("{dot}{} drift", s.drift_files));
    }
    let mut lines = vec![Line::styled(truncate(&head, width, "~"), view.style(Role::Dim))];
    let table: Vec<String> = match d.tab {
        DatasetTab::Files => {
            let rows: Vec<Vec<String>> = s
                .files
                .iter()
                .map(|f| {
                    vec![
                        f.path.clone(),
                        units::bytes(f.size),
                        f.rows.map(units::count).unwrap_or("-".into()),
                        f.row_groups.map(|n| n.to_string()).unwrap_or("-".into()),
                        match (&f.error, f.drift.is_empty()) {
                            (Some(e), _) => format!("! {e}"),
                            (None, false) => format!("drift: {}", f.drift.join("; ")),
                            _ => f.created_by.clone().unwrap_or_default(),
                        },
                    ]
                })
                .collect();
            aligned(&["FILE", "SIZE", "ROWS", "RGS", "CREATED BY"], &rows, &[1, 2, 3])
        }
        DatasetTab::Columns => {
            let bar_w = 20;
            let rows: Vec<Vec<String>> = s
                .column_share
                .iter()
                .map(|c| {
                    let n = (c.share * bar_w as f64).round() as usize;
                    let bar = if view.state.ascii { "#".repeat(n) } else { "█".repeat(n) };
                    vec![c.column.clone(), units::bytes(c.bytes), format!("{:.1}%", c.share * 100.0), bar]
                })
                .collect();
            aligned(&["COLUMN", "STORED", "SHARE", ""], &rows, &[1, 2])
        }
        DatasetTab::Drift => {
            let rows: Vec<Vec<String>> = s
                .files
                .iter()
                .filter(|f| !f.drift.is_empty())
                .map(|f| vec![f.path.clone(), f.drift.join("; ")])
                .collect();
            if rows.is_empty() {
                vec!["every file has the majority schema".to_string()]
            } else {
                aligned(&["FILE", "DIFFERENCE FROM THE MAJORITY SCHEMA"], &rows, &[])
            }
        }
    };
    let mut table = table.into_iter();
    if let Some(h) = table.next() {
        lines.push(Line::styled(truncate(&h, width, "~"), view.style(Role::Header)));
    }
    let cursor = Some(d.cursor);
    lines.extend(window(view, table.collect(), cursor, d.scroll, height.saturating_sub(2), width));
    lines
}

fn file_lines<'a>(view: &View, f: &FileView, area: Rect) -> Vec<Line<'a>> {
    if let Some(l) = slot_line(view, &f.footer, "the footer") {
        return l;
    }
    let Some(s) = f.summary() else { return vec![] };
    let width = area.width as usize;
    let height = area.height as usize;
    let dim = view.style(Role::Dim);
    let text_window = |rows: Vec<String>| -> Vec<Line<'a>> { window(view, rows, None, f.scroll, height, width) };
    match f.tab {
        FileTab::File => {
            let ratio = if s.compressed > 0 { s.uncompressed as f64 / s.compressed as f64 } else { 0.0 };
            let mut rows = vec![
                format!("size        {}", units::bytes(s.file_size)),
                format!(
                    "footer      {} (read: {} in {})",
                    units::bytes(s.footer_len + 8),
                    units::plural(s.requests, "request"),
                    units::bytes(s.bytes_read)
                ),
                format!(
                    "rows        {} in {}",
                    units::count(s.rows.max(0) as u64),
                    units::plural(s.row_group_count as u64, "row group")
                ),
                format!("created by  {}", s.created_by.as_deref().unwrap_or("-")),
                format!("format      version {}, {} leaf columns", s.format_version, s.leaf_columns),
                format!(
                    "data        {} stored, {} raw ({ratio:.1}x)",
                    units::bytes(s.compressed),
                    units::bytes(s.uncompressed)
                ),
            ];
            if !s.key_value.is_empty() {
                rows.push("key-value metadata".into());
                rows.extend(s.key_value.iter().map(|kv| format!("  {} = {}", kv.key, kv.value)));
            }
            rows.extend(s.notes.iter().map(|n| format!("! {n}")));
            text_window(rows)
        }
        FileTab::Schema => {
            let rows = s
                .schema
                .iter()
                .map(|n| {
                    let ty = match (&n.physical, &n.logical) {
                        (Some(p), Some(l)) => format!("{p} {l}"),
                        (Some(p), None) => p.clone(),
                        (None, Some(l)) => format!("group {l}"),
                        (None, None) => "group".into(),
                    };
                    format!("{}{}  {} {}", "  ".repeat(n.depth), n.name, n.repetition, ty)
                })
                .collect();
            text_window(rows)
        }
        FileTab::RowGroups => {
            let rows: Vec<Vec<String>> = s
                .row_groups
                .iter()
                .map(|r| {
                    vec![
                        format!("{}{}", if r.index == f.row_group { "*" } else { " " }, r.index),
                        units::count(r.rows.max(0) as u64),
                        units::bytes(r.compressed),
                        units::bytes(r.uncompressed),
                        format!("{:.1}x", r.ratio()),
                        r.file_offset.map(|o| o.to_string()).unwrap_or("-".into()),
                        r.sorting.join(", "),
                    ]
                })
                .collect();
            table_view(
                view,
                aligned(&["#", "ROWS", "STORED", "RAW", "RATIO", "OFFSET", "SORTED BY"], &rows, &[1, 2, 3, 4, 5]),
                f,
                height,
                width,
            )
        }
        FileTab::Columns => {
            let Some(rg) = s.row_groups.get(f.row_group) else { return vec![Line::styled("no row groups", dim)] };
            let rows: Vec<Vec<String>> = rg
                .columns
                .iter()
                .map(|c| {
                    let st = c.stats.as_ref();
                    vec![
                        c.path.clone(),
                        c.codec.clone(),
                        units::bytes(c.compressed),
                        units::bytes(c.uncompressed),
                        st.and_then(|s| s.null_count).map(|n| units::count(n)).unwrap_or("-".into()),
                        st.and_then(|s| s.min.clone()).unwrap_or("-".into()),
                        st.and_then(|s| s.max.clone()).unwrap_or("-".into()),
                        format!(
                            "{}{}{}{}",
                            if c.dictionary_page { "D" } else { "-" },
                            if c.column_index { "C" } else { "-" },
                            if c.offset_index { "O" } else { "-" },
                            if c.bloom_filter { "B" } else { "-" }
                        ),
                        c.encodings.join(","),
                    ]
                })
                .collect();
            let mut lines = vec![Line::styled(
                format!(
                    "row group {} (select another in \"row groups\"; D dict, C col index, O offset index, B bloom)",
                    f.row_group
                ),
                dim,
            )];
            lines.extend(table_view(
                view,
                aligned(
                    &["COLUMN", "CODEC", "STORED", "RAW", "NULLS", "MIN", "MAX", "DCOB", "ENCODINGS"],
                    &rows,
                    &[2, 3, 4],
                ),
                f,
                height.saturating_sub(1),
                width,
            ));
            lines
        }
        FileTab::Pages => match &f.pages {
            None => vec![Line::styled("reading the page index…", view.style(Role::Job))],
            Some((_, slot)) => {
                if let Some(l) = slot_line(view, slot, "the page index") {
                    return l;
                }
                let Slot::Ready(p) = slot else { return vec![] };
                let Some(p) = p else {
                    return vec![Line::styled("this file has no page index (no column / offset index)", dim)];
                };
                let mut rows = vec![format!("page index of row group {}", f.row_group)];
                for col in p.iter() {
                    rows.push(format!(
                        "{}  ({} pages, order {})",
                        col.column,
                        col.pages.len(),
                        col.boundary_order.as_deref().unwrap_or("-")
                    ));
                    for (i, pg) in col.pages.iter().enumerate() {
                        rows.push(format!(
                            "  {i:>5}  row {:>9}  {:>9}  nulls {:>6}  {} .. {}",
                            pg.first_row,
                            units::bytes(pg.compressed.max(0) as u64),
                            pg.null_count.map(|n| n.to_string()).unwrap_or("-".into()),
                            pg.min.as_deref().unwrap_or("-"),
                            pg.max.as_deref().unwrap_or("-")
                        ));
                    }
                }
                text_window(rows)
            }
        },
        FileTab::Preview => preview_lines(view, f, width, height),
    }
}

/// A header line and a window of rows with the cursor.
fn table_view<'a>(view: &View, table: Vec<String>, f: &FileView, height: usize, width: usize) -> Vec<Line<'a>> {
    let mut it = table.into_iter();
    let mut lines = Vec::new();
    if let Some(h) = it.next() {
        lines.push(Line::styled(truncate(&h, width, "~"), view.style(Role::Header)));
    }
    lines.extend(window(view, it.collect(), Some(f.cursor), f.scroll, height.saturating_sub(1), width));
    lines
}

fn preview_lines<'a>(view: &View, f: &FileView, width: usize, height: usize) -> Vec<Line<'a>> {
    let p = &f.preview;
    let dim = view.style(Role::Dim);
    let dot = view.glyphs().dot;
    let mut status = format!(
        "row group {}{dot}{} of {} rows decoded{dot}read {} of {}",
        f.row_group,
        units::count(p.rows.len() as u64),
        units::count(p.total.max(0) as u64),
        units::bytes(p.bytes_read),
        units::bytes(f.summary().map_or(0, |s| s.file_size)),
    );
    if p.total_columns > p.columns.len() {
        status.push_str(&format!(
            "{dot}columns {}-{} of {} (H/L)",
            p.col_offset + 1,
            p.col_offset + p.columns.len().max(1),
            p.total_columns
        ));
    }
    if p.loading {
        status.push_str(&format!("{dot}decoding…"));
    }
    let mut lines = vec![Line::styled(truncate(&status, width, "~"), dim)];
    if let Some(e) = &p.error {
        lines.push(Line::styled(truncate(&format!("stopped: {e}"), width, "~"), view.style(Role::Error)));
    }
    for s in &p.skipped {
        lines.push(Line::styled(truncate(&format!("! {s}"), width, "~"), view.style(Role::Warning)));
    }
    if p.columns.is_empty() {
        return lines;
    }
    let body_rows = height.saturating_sub(lines.len() + 1);
    let visible: Vec<&Vec<String>> = p.rows.iter().skip(f.scroll).take(body_rows).collect();
    // Widths from the header and the visible rows only.
    let mut w: Vec<usize> = p.columns.iter().map(|c| c.width().clamp(4, 30)).collect();
    for r in &visible {
        for (i, c) in r.iter().enumerate() {
            if i < w.len() {
                w[i] = w[i].max(c.width().min(30));
            }
        }
    }
    let ell = view.glyphs().ellipsis;
    let fit = |cells: Vec<&str>| -> String {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            if out.width() >= width {
                break;
            }
            out.push_str(&pad(&truncate(c, w[i], ell), w[i], false));
            out.push_str("  ");
        }
        truncate(&out, width, ell)
    };
    lines.push(Line::styled(fit(p.columns.iter().map(String::as_str).collect()), view.style(Role::Header)));
    for (i, r) in visible.iter().enumerate() {
        let role = if f.scroll + i == f.cursor { Role::Selection } else { Role::Normal };
        lines.push(Line::styled(fit(r.iter().map(String::as_str).collect()), view.style(role)));
    }
    lines
}
