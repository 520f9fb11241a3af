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

/// A row group's page index; `None`: the file was written without one.
pub type PageIndex = Option<Arc<Vec<PageIndexInfo>>>;

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
    pub pages: Option<(usize, Slot<PageIndex>)>,
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

/// Top-level columns read for one preview window: as many as fit on screen.
pub fn preview_columns(state: &AppState) -> usize {
    preview_columns_at(state.width)
}

/// Top-level columns a preview window of a screen `width` columns wide reads.
pub fn preview_columns_at(width: u16) -> usize {
    (width.saturating_sub(8) / PREVIEW_MIN_COL).clamp(1, 32) as usize
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
        && (super::is_view_navigation(action)
            || matches!(action, Action::Cancel | Action::ColumnLeft | Action::ColumnRight))
}

pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let rows = content_rows(state);
    let window = preview_columns(state);
    let fresh_seq = state.inspector_seq + 1;
    let mut effects = Vec::new();
    let running: Vec<crate::jobs::JobId> =
        state.jobs.iter().filter(|j| j.kind == JobKind::Inspect).map(|j| j.id).collect();
    let Some(ins) = state.inspector.as_mut() else { return effects };
    if action == Action::Cancel && !running.is_empty() {
        // What they leave unfinished is marked when their `JobFinished` arrives.
        effects.extend(running.into_iter().map(Effect::CancelJob));
        return effects;
    }
    // A file is open: its tabs.
    if let Some(f) = ins.file.as_mut() {
        let Some(summary) = f.summary().cloned() else {
            // Keys typed ahead of a slow footer still count: the tab is chosen now, and what it
            // needs starts when the footer arrives (`footer_arrived`).
            match action {
                Action::Back | Action::Cancel => close_file(state),
                Action::NextTab | Action::PrevTab => {
                    f.tab = cycle_tab(f.tab, action == Action::NextTab);
                    f.cursor = 0;
                    f.scroll = 0;
                }
                _ => {}
            }
            return effects;
        };
        let (len, visible, is_list) = file_tab_extent(f, &summary, rows);
        match action {
            Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
                let step = step_of(&action, visible);
                if is_list {
                    move_cursor(&mut f.cursor, &mut f.scroll, len, step, visible);
                } else {
                    // Text tabs scroll, never past their last screenful.
                    let max = len.saturating_sub(visible) as isize;
                    f.scroll = (f.scroll as isize).saturating_add(step).clamp(0, max) as usize;
                }
                if f.tab == FileTab::Preview {
                    effects.extend(more_rows(f, visible));
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
                f.tab = cycle_tab(f.tab, action == Action::NextTab);
                f.cursor = if f.tab == FileTab::RowGroups { f.row_group } else { 0 };
                f.scroll = 0;
                effects.extend(enter_tab(f, &summary, window, visible, fresh_seq));
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
                    effects.extend(enter_tab(f, &summary, window, visible, fresh_seq));
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
            // Under the summary line and the header.
            let visible = rows.saturating_sub(2).max(1);
            move_cursor(&mut d.cursor, &mut d.scroll, len, step_of(&action, visible), visible);
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

fn cycle_tab(tab: FileTab, forward: bool) -> FileTab {
    let n = FileTab::ALL.len();
    let i = FileTab::ALL.iter().position(|t| *t == tab).unwrap_or(0);
    FileTab::ALL[if forward { (i + 1) % n } else { (i + n - 1) % n }]
}

/// The footer of the open file arrived: start what its current tab needs (the user may have
/// tabbed to the preview while it loaded).
pub fn footer_arrived(state: &mut AppState) -> Vec<Effect> {
    let rows = content_rows(state);
    let window = preview_columns(state);
    let seq = state.inspector_seq + 1;
    let Some(f) = state.inspector.as_mut().and_then(|i| i.file.as_mut()) else { return Vec::new() };
    let Some(summary) = f.summary().cloned() else { return Vec::new() };
    let effects = enter_tab(f, &summary, window, rows, seq);
    if !effects.is_empty() {
        state.inspector_seq = seq;
    }
    effects
}

/// How far a movement key moves in a list showing `page` rows.
pub fn step_of(action: &Action, page: usize) -> isize {
    match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -(page as isize),
        Action::PageDown => page as isize,
        Action::Top => isize::MIN / 2,
        _ => isize::MAX / 2,
    }
}

/// Move a cursor by `step` within `len` entries, scrolling to keep it among `visible` rows.
pub fn move_cursor(cursor: &mut usize, scroll: &mut usize, len: usize, step: isize, visible: usize) {
    if len == 0 {
        return;
    }
    *cursor = (*cursor as isize).saturating_add(step).clamp(0, len as isize - 1) as usize;
    if *cursor < *scroll {
        *scroll = *cursor;
    } else if *cursor >= *scroll + visible {
        *scroll = *cursor + 1 - visible;
    }
}

/// A file tab's length, the rows it shows at once (as the view lays it out), and whether it is a
/// list with a cursor (else text that scrolls).
fn file_tab_extent(f: &FileView, s: &ParquetSummary, content: usize) -> (usize, usize, bool) {
    let (len, chrome, list) = match f.tab {
        FileTab::File => {
            let kv = if s.key_value.is_empty() { 0 } else { 1 + s.key_value.len() };
            (6 + kv + s.notes.len(), 0, false)
        }
        FileTab::Schema => (s.schema.len(), 0, false),
        // Header.
        FileTab::RowGroups => (s.row_groups.len(), 1, true),
        // Row-group line and header.
        FileTab::Columns => (s.row_groups.get(f.row_group).map_or(0, |r| r.columns.len()), 2, true),
        FileTab::Pages => {
            let n = match &f.pages {
                Some((_, Slot::Ready(Some(p)))) => 1 + p.iter().map(|c| 1 + c.pages.len()).sum::<usize>(),
                _ => 0,
            };
            (n, 0, false)
        }
        // Status line, skipped-column and error lines, header.
        FileTab::Preview => {
            let p = &f.preview;
            (p.rows.len(), 2 + p.skipped.len() + usize::from(p.error.is_some()), true)
        }
    };
    (len, content.saturating_sub(chrome).max(1), list)
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
            // Moving the column window keeps the row position; another row group starts at the top.
            let same_group = f.preview_row_group == Some(f.row_group);
            let col_offset = if same_group { f.preview.col_offset } else { 0 };
            if !same_group {
                f.cursor = 0;
                f.scroll = 0;
            }
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
            vec![Effect::OpenPreview {
                seq,
                rel: f.rel.clone(),
                size: f.size,
                footer: footer.clone(),
                row_group: f.row_group,
                columns,
                want: (f.cursor + 2 * rows).clamp(PREVIEW_STEP, PREVIEW_MAX_ROWS),
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

/// An inspector job for `seq` ended without delivering (cancelled, or it failed): whatever still
/// waits for it says so instead of "reading…" forever.
pub fn job_ended(state: &mut AppState, seq: u64, why: &str) {
    let Some(ins) = state.inspector.as_mut() else { return };
    if let Some(d) = ins.dataset.as_mut().filter(|d| d.seq == seq && d.summary == Slot::Loading) {
        d.summary = Slot::Failed(why.to_string());
    }
    if let Some(f) = ins.file.as_mut() {
        if f.seq == seq && f.footer == Slot::Loading {
            f.footer = Slot::Failed(why.to_string());
        }
        if f.pages_seq == seq
            && let Some((_, slot)) = f.pages.as_mut()
            && *slot == Slot::Loading
        {
            *slot = Slot::Failed(why.to_string());
        }
        // A preview step that was cut short is asked for again by the next scroll.
        if f.preview.seq == seq {
            f.preview.loading = false;
        }
    }
}

fn close_file(state: &mut AppState) {
    if let Some(ins) = state.inspector.as_mut() {
        ins.file = None;
        if ins.dataset.is_none() {
            state.inspector = None;
        }
    }
}
