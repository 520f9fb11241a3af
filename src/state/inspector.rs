//! The Parquet inspector's state: a dataset's files (with storage by column and schema drift),
//! and one file's footer in tabs — file, schema, row groups, column chunks, page index, and a
//! row-group preview whose rows are decoded as the user scrolls. Plain data; results carry the
//! generation they were asked for, and older ones are dropped.

use std::sync::Arc;

use crate::lake::TableEntry;
use crate::lake::parquet_dataset::DatasetSummary;
use crate::lake::parquet_meta::{Footer, PageIndexInfo, ParquetSummary};

/// Rows decoded per step as the preview scrolls.
pub const PREVIEW_STEP: usize = 1024;
/// Rows of a row group kept for display at most.
pub const PREVIEW_MAX_ROWS: usize = 100_000;
/// Narrowest preview column, used to decide how many columns fit on screen.
pub const PREVIEW_MIN_COL: u16 = 12;

/// A decoded footer, shared with jobs; compared by identity.
#[derive(Debug, Clone)]
pub struct SharedFooter(pub Arc<Footer>);

impl PartialEq for SharedFooter {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Slot<T> {
    Loading,
    Ready(T),
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileTab {
    File,
    Schema,
    RowGroups,
    Columns,
    Pages,
    Preview,
}

impl FileTab {
    pub const ALL: [FileTab; 6] =
        [FileTab::File, FileTab::Schema, FileTab::RowGroups, FileTab::Columns, FileTab::Pages, FileTab::Preview];
    pub fn title(self) -> &'static str {
        match self {
            FileTab::File => "file",
            FileTab::Schema => "schema",
            FileTab::RowGroups => "row groups",
            FileTab::Columns => "chunks",
            FileTab::Pages => "pages",
            FileTab::Preview => "preview",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetTab {
    Files,
    Columns,
    Drift,
}

impl DatasetTab {
    pub const ALL: [DatasetTab; 3] = [DatasetTab::Files, DatasetTab::Columns, DatasetTab::Drift];
    pub fn title(self) -> &'static str {
        match self {
            DatasetTab::Files => "files",
            DatasetTab::Columns => "storage by column",
            DatasetTab::Drift => "schema drift",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreviewView {
    pub seq: u64,
    pub columns: Vec<String>,
    /// First top-level column of the window read (only the columns on screen are read).
    pub col_offset: usize,
    pub total_columns: usize,
    pub rows: Vec<Vec<String>>,
    /// Rows in the row group.
    pub total: i64,
    pub done: bool,
    pub loading: bool,
    pub error: Option<String>,
    pub skipped: Vec<String>,
    pub bytes_read: u64,
    pub requests: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileView {
    pub seq: u64,
    /// Key relative to the lake root.
    pub rel: String,
    pub size: Option<u64>,
    pub footer: Slot<(Arc<ParquetSummary>, SharedFooter)>,
    pub tab: FileTab,
    pub row_group: usize,
    /// Cursor in list tabs (row groups, chunks), first line in text tabs.
    pub cursor: usize,
    pub scroll: usize,
    /// Page index of one row group (`None` inside: the file has none).
    pub pages: Option<(usize, Slot<Option<Arc<Vec<PageIndexInfo>>>>)>,
    pub pages_seq: u64,
    pub preview: PreviewView,
    /// The row group the preview shows.
    pub preview_row_group: Option<usize>,
}

impl FileView {
    pub fn new(seq: u64, rel: String, size: Option<u64>) -> Self {
        FileView {
            seq,
            rel,
            size,
            footer: Slot::Loading,
            tab: FileTab::File,
            row_group: 0,
            cursor: 0,
            scroll: 0,
            pages: None,
            pages_seq: 0,
            preview: PreviewView::default(),
            preview_row_group: None,
        }
    }

    pub fn summary(&self) -> Option<&Arc<ParquetSummary>> {
        match &self.footer {
            Slot::Ready((s, _)) => Some(s),
            _ => None,
        }
    }

    pub fn name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or(&self.rel)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DatasetView {
    pub seq: u64,
    pub summary: Slot<Arc<DatasetSummary>>,
    pub progress: (usize, usize),
    pub tab: DatasetTab,
    pub cursor: usize,
    pub scroll: usize,
}

/// The inspector over one table: its dataset view (several files) and / or one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspector {
    pub table: TableEntry,
    pub dataset: Option<DatasetView>,
    pub file: Option<FileView>,
}

// ---------------------------------------------------------------------------------------------
// Update

use super::{AppState, Effect, Mode};
use crate::action::Action;
use crate::jobs::JobKind;
use crate::lake::TableFormat;

/// Lines of a tab's content at the current size: screen minus title, status, borders, tab bar.
pub fn content_rows(state: &AppState) -> usize {
    state.height.saturating_sub(5).max(1) as usize
}

/// Preview rows on screen: the content minus the header and the summary line.
pub fn preview_rows(state: &AppState) -> usize {
    content_rows(state).saturating_sub(2).max(1)
}

/// Top-level columns read for one preview window: as many as fit on screen.
pub fn preview_columns(state: &AppState) -> usize {
    (state.width.saturating_sub(8) / PREVIEW_MIN_COL).clamp(1, 32) as usize
}

fn next_seq(state: &mut AppState) -> u64 {
    state.inspector_seq += 1;
    state.inspector_seq
}

/// Open the inspector on a table: a single Parquet file opens directly, a dataset (or a Delta
/// table) opens its file list.
pub fn open(state: &mut AppState, table: TableEntry) -> Vec<Effect> {
    if !matches!(table.format, TableFormat::Parquet | TableFormat::Delta) {
        state.error(format!(
            "the Parquet inspector reads Parquet files and Delta tables; {} is {}",
            table.name,
            table.format.as_str()
        ));
        return Vec::new();
    }
    let seq = next_seq(state);
    let single = table.format == TableFormat::Parquet
        && table.files <= 1
        && table.sample_file.as_deref().is_some_and(|s| s == table.path || table.path.is_empty());
    if single && let Some(rel) = table.sample_file.clone() {
        let size = table.sample_file_bytes;
        state.inspector = Some(Inspector { table, dataset: None, file: Some(FileView::new(seq, rel.clone(), size)) });
        return vec![Effect::LoadFooter { seq, rel, size }];
    }
    let dataset =
        DatasetView { seq, summary: Slot::Loading, progress: (0, 0), tab: DatasetTab::Files, cursor: 0, scroll: 0 };
    state.inspector = Some(Inspector { table: table.clone(), dataset: Some(dataset), file: None });
    vec![Effect::LoadDataset { seq, table: Box::new(table) }]
}

/// Does the inspector take this action (when it is open and no overlay is)?
pub fn takes(state: &AppState, action: &Action) -> bool {
    state.inspector.is_some()
        && state.mode == Mode::Browse
        && matches!(
            action,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
                | Action::Enter
                | Action::Back
                | Action::Cancel
                | Action::NextTab
                | Action::PrevTab
                | Action::ColumnLeft
                | Action::ColumnRight
        )
}

pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let rows = content_rows(state);
    let preview_rows = preview_rows(state);
    let window = preview_columns(state);
    let fresh_seq = state.inspector_seq + 1;
    let mut effects = Vec::new();
    let running: Vec<crate::jobs::JobId> =
        state.jobs.iter().filter(|j| j.kind == JobKind::Inspect).map(|j| j.id).collect();
    let Some(ins) = state.inspector.as_mut() else { return effects };
    if action == Action::Cancel && !running.is_empty() {
        effects.extend(running.into_iter().map(Effect::CancelJob));
        if let Some(f) = ins.file.as_mut() {
            f.preview.loading = false;
        }
        return effects;
    }
    // A file is open: its tabs.
    if let Some(f) = ins.file.as_mut() {
        let Some(summary) = f.summary().cloned() else {
            if matches!(action, Action::Back | Action::Cancel) {
                close_file(state);
            }
            return effects;
        };
        let list_len = match f.tab {
            FileTab::RowGroups => summary.row_groups.len(),
            FileTab::Columns => summary.row_groups.get(f.row_group).map_or(0, |r| r.columns.len()),
            FileTab::Preview => f.preview.rows.len(),
            _ => usize::MAX,
        };
        let list_rows = if f.tab == FileTab::Preview { preview_rows } else { rows };
        match action {
            Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
                let step: isize = match action {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -(list_rows as isize),
                    Action::PageDown => list_rows as isize,
                    Action::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                if list_len == usize::MAX {
                    // Text tabs scroll.
                    f.scroll = (f.scroll as isize).saturating_add(step).max(0) as usize;
                } else if list_len > 0 {
                    f.cursor = ((f.cursor as isize).saturating_add(step)).clamp(0, list_len as isize - 1) as usize;
                    if f.cursor < f.scroll {
                        f.scroll = f.cursor;
                    } else if f.cursor >= f.scroll + list_rows {
                        f.scroll = f.cursor + 1 - list_rows;
                    }
                }
                if f.tab == FileTab::Preview {
                    effects.extend(more_rows(f, preview_rows));
                }
            }
            Action::Enter if f.tab == FileTab::RowGroups && !summary.row_groups.is_empty() => {
                f.row_group = f.cursor.min(summary.row_groups.len() - 1);
                f.tab = FileTab::Columns;
                f.cursor = 0;
                f.scroll = 0;
            }
            Action::Enter => {}
            Action::NextTab | Action::PrevTab => {
                let i = FileTab::ALL.iter().position(|t| *t == f.tab).unwrap_or(0);
                let n = FileTab::ALL.len();
                f.tab = FileTab::ALL[if action == Action::NextTab { (i + 1) % n } else { (i + n - 1) % n }];
                f.cursor = if f.tab == FileTab::RowGroups { f.row_group } else { 0 };
                f.scroll = 0;
                effects.extend(enter_tab(f, &summary, window, preview_rows, fresh_seq));
            }
            Action::ColumnLeft | Action::ColumnRight if f.tab == FileTab::Preview => {
                let total = f.preview.total_columns;
                let off = f.preview.col_offset;
                let new = if action == Action::ColumnLeft {
                    off.saturating_sub(1)
                } else {
                    (off + 1).min(total.saturating_sub(1))
                };
                if new != off {
                    f.preview.col_offset = new;
                    f.preview.seq = 0;
                    effects.extend(enter_tab(f, &summary, window, preview_rows, fresh_seq));
                }
            }
            Action::ColumnLeft | Action::ColumnRight => {}
            Action::Back | Action::Cancel => close_file(state),
            _ => {}
        }
        if effects.iter().any(|e| matches!(e, Effect::OpenPreview { .. } | Effect::LoadPages { .. })) {
            state.inspector_seq = fresh_seq;
        }
        return effects;
    }
    // The dataset's file list.
    let Some(d) = ins.dataset.as_mut() else { return effects };
    let len = match (&d.summary, d.tab) {
        (Slot::Ready(s), DatasetTab::Files) => s.files.len(),
        (Slot::Ready(s), DatasetTab::Columns) => s.column_share.len(),
        (Slot::Ready(s), DatasetTab::Drift) => s.files.iter().filter(|f| !f.drift.is_empty()).count(),
        _ => 0,
    };
    match action {
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
            let step: isize = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -(rows as isize),
                Action::PageDown => rows as isize,
                Action::Top => isize::MIN / 2,
                _ => isize::MAX / 2,
            };
            let list_rows = rows.saturating_sub(2).max(1);
            if len > 0 {
                d.cursor = ((d.cursor as isize).saturating_add(step)).clamp(0, len as isize - 1) as usize;
                if d.cursor < d.scroll {
                    d.scroll = d.cursor;
                } else if d.cursor >= d.scroll + list_rows {
                    d.scroll = d.cursor + 1 - list_rows;
                }
            }
        }
        Action::NextTab | Action::PrevTab => {
            let i = DatasetTab::ALL.iter().position(|t| *t == d.tab).unwrap_or(0);
            let n = DatasetTab::ALL.len();
            d.tab = DatasetTab::ALL[if action == Action::NextTab { (i + 1) % n } else { (i + n - 1) % n }];
            d.cursor = 0;
            d.scroll = 0;
        }
        Action::Enter => {
            let Slot::Ready(s) = &d.summary else { return effects };
            let file = match d.tab {
                DatasetTab::Files => s.files.get(d.cursor),
                DatasetTab::Drift => s.files.iter().filter(|f| !f.drift.is_empty()).nth(d.cursor),
                DatasetTab::Columns => None,
            };
            let Some(file) = file else { return effects };
            let base = ins.table.path.trim_end_matches('/');
            let rel = if base.is_empty() { file.path.clone() } else { format!("{base}/{}", file.path) };
            let size = Some(file.size);
            let seq = next_seq(state);
            if let Some(ins) = state.inspector.as_mut() {
                ins.file = Some(FileView::new(seq, rel.clone(), size));
            }
            effects.push(Effect::LoadFooter { seq, rel, size });
        }
        Action::Back | Action::Cancel => state.inspector = None,
        _ => {}
    }
    effects
}

/// Entering a tab starts what it needs: the preview of the selected row group, its page index.
fn enter_tab(f: &mut FileView, summary: &ParquetSummary, window: usize, rows: usize, seq: u64) -> Vec<Effect> {
    let Slot::Ready((_, footer)) = &f.footer else { return Vec::new() };
    match f.tab {
        FileTab::Preview => {
            let fresh = f.preview.seq == 0 || f.preview_row_group != Some(f.row_group);
            if !fresh {
                return Vec::new();
            }
            let total_columns = summary.schema.iter().filter(|n| n.depth == 1).count();
            let col_offset = if f.preview_row_group == Some(f.row_group) { f.preview.col_offset } else { 0 };
            let columns: Vec<usize> = (col_offset..(col_offset + window).min(total_columns)).collect();
            f.preview = PreviewView {
                seq,
                col_offset,
                total_columns,
                total: summary.row_groups.get(f.row_group).map_or(0, |r| r.rows),
                loading: true,
                ..PreviewView::default()
            };
            f.preview_row_group = Some(f.row_group);
            f.cursor = 0;
            f.scroll = 0;
            vec![Effect::OpenPreview {
                seq,
                rel: f.rel.clone(),
                size: f.size,
                footer: footer.clone(),
                row_group: f.row_group,
                columns,
                want: rows.max(PREVIEW_STEP),
            }]
        }
        FileTab::Pages if f.pages.as_ref().is_none_or(|(rg, _)| *rg != f.row_group) => {
            f.pages = Some((f.row_group, Slot::Loading));
            f.pages_seq = seq;
            vec![Effect::LoadPages {
                seq,
                rel: f.rel.clone(),
                size: f.size,
                footer: footer.clone(),
                row_group: f.row_group,
            }]
        }
        _ => Vec::new(),
    }
}

/// Ask for more preview rows when the cursor nears the end of what is decoded.
fn more_rows(f: &mut FileView, visible: usize) -> Vec<Effect> {
    let p = &mut f.preview;
    if p.done || p.loading || p.seq == 0 || p.rows.len() >= PREVIEW_MAX_ROWS {
        return Vec::new();
    }
    if f.cursor + 2 * visible < p.rows.len() {
        return Vec::new();
    }
    p.loading = true;
    vec![Effect::MorePreview { seq: p.seq, want: (p.rows.len() + PREVIEW_STEP).min(PREVIEW_MAX_ROWS) }]
}

fn close_file(state: &mut AppState) {
    if let Some(ins) = state.inspector.as_mut() {
        ins.file = None;
        if ins.dataset.is_none() {
            state.inspector = None;
        }
    }
}
