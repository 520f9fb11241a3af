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
use crate::lake::parquet::meta::PageIndexInfo;
use crate::lake::units;
use crate::state::Slot;
use crate::state::inspector::{DatasetTab, FileTab, FileView, Inspector};

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

pub(super) fn slot_line<'a, T>(view: &View, slot: &Slot<T>, what: &str) -> Option<Vec<Line<'a>>> {
    match slot {
        Slot::Loading => Some(vec![Line::styled(format!("reading {what}…"), view.style(Role::Job))]),
        Slot::Failed(e) => Some(vec![Line::styled(format!("cannot read {what}: {e}"), view.style(Role::Error))]),
        Slot::Ready(_) => None,
    }
}

/// Width caps of a table's columns on a screen `width` wide: no column takes more than half of
/// it (so a long file name leaves room for its size), the last one takes what is left. A wide
/// terminal shows whole names and parameters; a line still too long is cut at the edge.
fn column_caps(n: usize, width: usize) -> Vec<usize> {
    let mut caps = vec![(width / 2).max(12); n];
    if let Some(last) = caps.last_mut() {
        *last = usize::MAX;
    }
    caps
}

/// A table of `total` rows: its header and the rows `scroll..scroll+height-1`, with cells built
/// only for those rows (a dataset of 80,000 files formats one screenful per frame).
#[allow(clippy::too_many_arguments)]
pub(super) fn table_window<'a>(
    view: &View,
    header: &[&str],
    right: &[usize],
    total: usize,
    cursor: Option<usize>,
    scroll: usize,
    height: usize,
    width: usize,
    cells: impl Fn(usize) -> Vec<String>,
) -> Vec<Line<'a>> {
    let end = total.min(scroll + height.saturating_sub(1));
    let rows: Vec<Vec<String>> = (scroll.min(end)..end).map(cells).collect();
    let ell = view.glyphs().ellipsis;
    let caps = column_caps(header.len(), width);
    let mut lines = units::align_columns_capped(header, &rows, right, &caps, ell).into_iter();
    let mut out = Vec::new();
    if let Some(h) = lines.next() {
        out.push(Line::styled(truncate(&h, width, ell), view.style(Role::Header)));
    }
    for (i, l) in lines.enumerate() {
        let role = if Some(scroll + i) == cursor { Role::Selection } else { Role::Normal };
        out.push(Line::styled(format!("{:<width$}", truncate(&l, width, ell)), view.style(role)));
    }
    out
}

/// Plain text lines (already cut to the visible window by the caller).
fn text_lines<'a>(view: &View, rows: impl Iterator<Item = String>, width: usize) -> Vec<Line<'a>> {
    let ell = view.glyphs().ellipsis;
    rows.map(|r| Line::styled(truncate(&r, width, ell), view.style(Role::Normal))).collect()
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
        "{}{dot}{}{dot}{}{dot}footers: {} in {}",
        units::plural(s.files.len() as u64, "file"),
        units::bytes(s.bytes),
        units::plural(s.rows, "row"),
        units::plural(s.requests, "request"),
        units::bytes(s.bytes_read)
    );
    if s.drift_files > 0 {
        head.push_str(&format!("{dot}{} drift", s.drift_files));
    }
    let mut lines = vec![Line::styled(truncate(&head, width, "~"), view.style(Role::Dim))];
    let h = height.saturating_sub(1);
    let ascii = view.state.ascii;
    lines.extend(match d.tab {
        DatasetTab::Files => table_window(
            view,
            &["FILE", "SIZE", "ROWS", "RGS", "CREATED BY"],
            &[1, 2, 3],
            s.files.len(),
            Some(d.cursor),
            d.scroll,
            h,
            width,
            |i| {
                let f = &s.files[i];
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
            },
        ),
        DatasetTab::Columns => table_window(
            view,
            &["COLUMN", "STORED", "SHARE", ""],
            &[1, 2],
            s.column_share.len(),
            Some(d.cursor),
            d.scroll,
            h,
            width,
            |i| {
                let c = &s.column_share[i];
                let n = (c.share * 20.0).round() as usize;
                let bar = if ascii { "#".repeat(n) } else { "█".repeat(n) };
                vec![c.column.clone(), units::bytes(c.bytes), format!("{:.1}%", c.share * 100.0), bar]
            },
        ),
        DatasetTab::Drift => {
            let drifting: Vec<usize> = (0..s.files.len()).filter(|i| !s.files[*i].drift.is_empty()).collect();
            if drifting.is_empty() {
                vec![Line::styled("every file has the majority schema", view.style(Role::Dim))]
            } else {
                table_window(
                    view,
                    &["FILE", "DIFFERENCE FROM THE MAJORITY SCHEMA"],
                    &[],
                    drifting.len(),
                    Some(d.cursor),
                    d.scroll,
                    h,
                    width,
                    |i| {
                        let f = &s.files[drifting[i]];
                        vec![f.path.clone(), f.drift.join("; ")]
                    },
                )
            }
        }
    });
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
    let (scroll, cursor) = (f.scroll, Some(f.cursor));
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
            text_lines(view, rows.into_iter().skip(scroll).take(height), width)
        }
        FileTab::Schema => text_lines(
            view,
            s.schema
                .iter()
                .skip(scroll)
                .take(height)
                .map(|n| format!("{}{}  {} {}", "  ".repeat(n.depth), n.name, n.repetition, n.type_text())),
            width,
        ),
        FileTab::RowGroups => table_window(
            view,
            &["#", "ROWS", "STORED", "RAW", "RATIO", "OFFSET", "SORTED BY"],
            &[1, 2, 3, 4, 5],
            s.row_groups.len(),
            cursor,
            scroll,
            height,
            width,
            |i| {
                let r = &s.row_groups[i];
                vec![
                    format!("{}{}", if r.index == f.row_group { "*" } else { " " }, r.index),
                    units::count(r.rows.max(0) as u64),
                    units::bytes(r.compressed),
                    units::bytes(r.uncompressed),
                    format!("{:.1}x", r.ratio()),
                    r.file_offset.map(|o| o.to_string()).unwrap_or("-".into()),
                    r.sorting.join(", "),
                ]
            },
        ),
        FileTab::Columns => {
            let Some(rg) = s.row_groups.get(f.row_group) else { return vec![Line::styled("no row groups", dim)] };
            // The column name stays; the others scroll sideways (H / L) when they do not fit.
            const HEADER: [&str; 9] = ["COLUMN", "CODEC", "STORED", "RAW", "NULLS", "MIN", "MAX", "DCOB", "ENCODINGS"];
            let skip = f.h_scroll.min(HEADER.len() - 2);
            let keep = |i: usize| i == 0 || i > skip;
            let header: Vec<&str> = HEADER.iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, h)| *h).collect();
            // Right-aligned: STORED, RAW, NULLS, wherever they are after the scroll.
            let right: Vec<usize> =
                [2, 3, 4].iter().filter(|i| keep(**i)).map(|i| if *i == 0 { 0 } else { *i - skip }).collect();
            let hint = if skip > 0 { format!(" · {skip} columns hidden on the left") } else { String::new() };
            let mut lines = vec![Line::styled(
                truncate(
                    &format!(
                        "row group {}{hint} · H/L scroll columns (select another in \"row groups\"; D dict, C col index, O offset index, B bloom)",
                        f.row_group
                    ),
                    width,
                    view.glyphs().ellipsis,
                ),
                dim,
            )];
            lines.extend(table_window(
                view,
                &header,
                &right,
                rg.columns.len(),
                cursor,
                scroll,
                height.saturating_sub(1),
                width,
                |i| {
                    let c = &rg.columns[i];
                    let st = c.stats.as_ref();
                    let all = [
                        c.path.clone(),
                        c.codec.clone(),
                        units::bytes(c.compressed),
                        units::bytes(c.uncompressed),
                        st.and_then(|s| s.null_count).map(units::count).unwrap_or("-".into()),
                        st.and_then(|s| s.min.clone()).unwrap_or("-".into()),
                        st.and_then(|s| s.max.clone()).unwrap_or("-".into()),
                        c.flags(),
                        c.encodings.join(","),
                    ];
                    all.into_iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, c)| c).collect()
                },
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
                text_lines(view, page_rows(p, f.row_group, scroll, height).into_iter(), width)
            }
        },
        FileTab::Preview => preview_lines(view, f, width, height),
    }
}

/// Lines `scroll..scroll+height` of the page-index listing (a heading, then per column a line
/// and one line per page), formatted only for that window.
fn page_rows(p: &[PageIndexInfo], row_group: usize, scroll: usize, height: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = 0usize;
    let want = |line: usize| line >= scroll && line < scroll + height;
    if want(line) {
        out.push(format!("page index of row group {row_group}"));
    }
    line += 1;
    for col in p {
        if line >= scroll + height {
            break;
        }
        if want(line) {
            out.push(format!(
                "{}  ({}, order {})",
                col.column,
                units::plural(col.pages.len() as u64, "page"),
                col.boundary_order.as_deref().unwrap_or("-")
            ));
        }
        line += 1;
        // Skip whole columns above the window without formatting their pages.
        if line + col.pages.len() <= scroll {
            line += col.pages.len();
            continue;
        }
        for (i, pg) in col.pages.iter().enumerate() {
            if want(line) {
                out.push(format!(
                    "  {i:>5}  row {:>9}  {:>9}  nulls {:>6}  {} .. {}",
                    pg.first_row,
                    units::bytes(pg.compressed.max(0) as u64),
                    pg.null_count.map(|n| n.to_string()).unwrap_or("-".into()),
                    pg.min.as_deref().unwrap_or("-"),
                    pg.max.as_deref().unwrap_or("-")
                ));
            }
            line += 1;
        }
    }
    out
}

fn preview_lines<'a>(view: &View, f: &FileView, width: usize, height: usize) -> Vec<Line<'a>> {
    let p = &f.preview;
    let dim = view.style(Role::Dim);
    let dot = view.glyphs().dot;
    // Most useful first: a narrow terminal cuts the end.
    let mut status = format!(
        "rg {}{dot}{}/{} rows",
        f.row_group,
        units::count(p.rows.len() as u64),
        units::count(p.total.max(0) as u64),
    );
    if p.total_columns > p.columns.len() {
        status.push_str(&format!(
            "{dot}cols {}-{}/{} (H/L)",
            p.col_offset + 1,
            p.col_offset + p.columns.len().max(1),
            p.total_columns
        ));
    }
    status.push_str(&format!(
        "{dot}read {} of {}",
        units::bytes(p.bytes_read),
        units::bytes(f.summary().map_or(0, |s| s.file_size))
    ));
    if p.loading {
        status.push_str(&format!("{dot}decoding…"));
    }
    let ell = view.glyphs().ellipsis;
    let mut lines = vec![Line::styled(truncate(&status, width, ell), dim)];
    if let Some(e) = &p.error {
        lines.push(Line::styled(truncate(&format!("stopped: {e}"), width, ell), view.style(Role::Error)));
    }
    for s in &p.skipped {
        lines.push(Line::styled(truncate(&format!("! {s}"), width, ell), view.style(Role::Warning)));
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
            let cell = truncate(c, w[i], ell);
            out.push_str(&cell);
            out.push_str(&" ".repeat(w[i].saturating_sub(cell.width())));
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
