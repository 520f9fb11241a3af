//! The Parquet inspector: a dataset's files (with storage by column and schema drift), and one
//! file's footer in tabs — file, schema, row groups, column chunks, page index, and a row-group
//! preview whose rows are decoded as the user scrolls. Its keys, its job reports and the end of
//! its jobs are handled here; results carry the sequence they were asked under, and older ones
//! are dropped.

use std::sync::Arc;

use super::{AppState, Effect, Flow, Screen, Slot, ended, is_movement, move_cursor, scroll_text, step_of};
use crate::event::{Input, Intent, Seq, Shared, view};
use crate::jobs::inspect::{FooterRead, Report};
use crate::jobs::{Job, Owner, PreviewHandle, PreviewOpen};
use crate::lake::parquet::dataset::DatasetSummary;
use crate::lake::parquet::meta::{PageIndexInfo, ParquetSummary};
use crate::lake::{TableEntry, TableFormat};

/// Rows decoded per step as the preview scrolls.
pub const PREVIEW_STEP: usize = 1024;
/// Rows of a row group kept for display at most.
pub const PREVIEW_MAX_ROWS: usize = 100_000;
/// Narrowest preview column, used to decide how many columns fit on screen.
pub const PREVIEW_MIN_COL: u16 = 12;

type InspectorSeq = Seq<view::Inspector>;

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

/// The next or previous of a cycle of tabs.
pub fn cycle<T: Copy + PartialEq>(all: &[T], tab: T, forward: bool) -> T {
    let n = all.len();
    let i = all.iter().position(|t| *t == tab).unwrap_or(0);
    all[if forward { (i + 1) % n } else { (i + n - 1) % n }]
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreviewView {
    /// The request the rows belong to (`None`: nothing asked yet).
    pub seq: Option<InspectorSeq>,
    /// The open reader (dropped with the view, which frees its memory).
    pub handle: Option<PreviewHandle>,
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
    pub seq: InspectorSeq,
    /// Key relative to the lake root.
    pub rel: String,
    pub size: Option<u64>,
    pub footer: Slot<FooterRead>,
    pub tab: FileTab,
    pub row_group: usize,
    /// Cursor in list tabs (row groups, chunks), first line in text tabs.
    pub cursor: usize,
    pub scroll: usize,
    /// Chunks tab: the first of its columns shown (narrow terminals scroll them sideways).
    pub h_scroll: usize,
    /// Page index of one row group (`None` inside: the file has none).
    pub pages: Option<(usize, Slot<PageIndex>)>,
    pub pages_seq: InspectorSeq,
    pub preview: PreviewView,
    /// The row group the preview shows.
    pub preview_row_group: Option<usize>,
}

impl FileView {
    pub fn new(seq: InspectorSeq, rel: String, size: Option<u64>) -> Self {
        FileView {
            seq,
            rel,
            size,
            footer: Slot::Loading,
            tab: FileTab::File,
            row_group: 0,
            cursor: 0,
            scroll: 0,
            h_scroll: 0,
            pages: None,
            pages_seq: InspectorSeq::default(),
            preview: PreviewView::default(),
            preview_row_group: None,
        }
    }

    pub fn summary(&self) -> Option<&Arc<ParquetSummary>> {
        self.footer.ready().map(|(s, _)| s)
    }

    pub fn name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or(&self.rel)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DatasetView {
    pub seq: InspectorSeq,
    pub summary: Slot<Arc<DatasetSummary>>,
    pub progress: (usize, usize),
    pub tab: DatasetTab,
    pub cursor: usize,
    pub scroll: usize,
    /// Enter was pressed before the file list arrived: open the file under the cursor then.
    pub open_when_ready: bool,
}

/// The inspector over one table: its dataset view (several files) and / or one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspector {
    /// The view's first request (every later one has its own).
    pub seq: InspectorSeq,
    pub table: TableEntry,
    pub dataset: Option<DatasetView>,
    pub file: Option<FileView>,
}

/// Lines of a tab's content at the current size: screen minus title, status, borders, tab bar.
pub fn content_rows(state: &AppState) -> usize {
    state.height.saturating_sub(5).max(1) as usize
}

/// Top-level columns a preview window of a screen `width` columns wide reads.
pub fn preview_columns_at(width: u16) -> usize {
    (width.saturating_sub(8) / PREVIEW_MIN_COL).clamp(1, 32) as usize
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
    let seq = state.seqs.take();
    let mut ins = Inspector { seq, table, dataset: None, file: None };
    let effects = load(&mut ins, state, seq);
    state.push(Screen::Inspector(Box::new(ins)));
    effects
}

/// Read the table again (a write changed it): back to its file list.
pub fn reload(v: &mut Inspector, state: &mut AppState) -> Vec<Effect> {
    let seq = state.seqs.take();
    v.seq = seq;
    v.file = None;
    v.dataset = None;
    state.info(format!("{} changed: the inspector reads it again", v.table.name));
    load(v, state, seq)
}

fn load(v: &mut Inspector, state: &AppState, seq: InspectorSeq) -> Vec<Effect> {
    let table = &v.table;
    let single = table.format == TableFormat::Parquet
        && table.files <= 1
        && table.sample_file.as_deref().is_some_and(|s| s == table.path || table.path.is_empty());
    if single && let Some(rel) = table.sample_file.clone() {
        let size = table.sample_file_bytes;
        v.file = Some(FileView::new(seq, rel.clone(), size));
        return vec![Effect::Spawn(Job::Footer { seq, rel, size })];
    }
    v.dataset = Some(DatasetView {
        seq,
        summary: Slot::Loading,
        progress: (0, 0),
        tab: DatasetTab::Files,
        cursor: 0,
        scroll: 0,
        open_when_ready: false,
    });
    // Time travel: a Delta table's files as of the chosen version.
    let as_of = state.as_of_for(&table.location);
    vec![Effect::Spawn(Job::Dataset { seq, table: Box::new(table.clone()), as_of })]
}

pub fn on_input(v: &mut Inspector, state: &mut AppState, input: &Input) -> Flow {
    let Input::Intent(intent) = input else { return Flow::done() };
    let intent = *intent;
    // Esc stops what is being read first; what it leaves unfinished says so when the job ends.
    if intent == Intent::Cancel {
        let running: Vec<Effect> = state
            .jobs
            .iter()
            .filter(|j| matches!(j.owner, Owner::Inspector(_)))
            .map(|j| Effect::Cancel(j.id))
            .collect();
        if !running.is_empty() {
            return Flow::Done(running);
        }
    }
    let rows = content_rows(state);
    let window = preview_columns_at(state.width);
    if v.file.is_some() {
        return file_input(v, state, intent, rows, window);
    }
    dataset_input(v, state, intent, rows)
}

fn file_input(v: &mut Inspector, state: &mut AppState, intent: Intent, rows: usize, window: usize) -> Flow {
    let Some(f) = v.file.as_mut() else { return Flow::Pass };
    let Some(summary) = f.summary().cloned() else {
        // Keys typed ahead of a slow footer still count: the tab is chosen now, and what it needs
        // starts when the footer arrives (`footer_arrived`).
        return match intent {
            Intent::Back | Intent::Cancel => close_file(v),
            Intent::NextTab | Intent::PrevTab => {
                f.tab = cycle(&FileTab::ALL, f.tab, intent == Intent::NextTab);
                f.cursor = 0;
                f.scroll = 0;
                Flow::done()
            }
            _ if is_movement(intent) => Flow::done(),
            _ => Flow::Pass,
        };
    };
    let (len, visible, is_list) = file_tab_extent(f, &summary, rows);
    let mut effects = Vec::new();
    match intent {
        i if is_movement(i) => {
            let step = step_of(i, visible);
            if is_list {
                move_cursor(&mut f.cursor, &mut f.scroll, len, step, visible);
            } else {
                scroll_text(&mut f.scroll, len, visible, step);
            }
            if f.tab == FileTab::Preview {
                effects.extend(more_rows(f, visible));
            }
        }
        Intent::Enter if f.tab == FileTab::RowGroups && !summary.row_groups.is_empty() => {
            f.row_group = f.cursor.min(summary.row_groups.len() - 1);
            f.tab = FileTab::Columns;
            f.cursor = 0;
            f.scroll = 0;
        }
        Intent::Enter => {}
        Intent::NextTab | Intent::PrevTab => {
            f.tab = cycle(&FileTab::ALL, f.tab, intent == Intent::NextTab);
            f.cursor = if f.tab == FileTab::RowGroups { f.row_group } else { 0 };
            f.scroll = 0;
            effects.extend(enter_tab(f, state, &summary, window, visible));
        }
        Intent::ColumnLeft | Intent::ColumnRight if f.tab == FileTab::Preview => {
            let total = f.preview.total_columns;
            let off = f.preview.col_offset;
            let new = if intent == Intent::ColumnLeft {
                off.saturating_sub(1)
            } else {
                (off + 1).min(total.saturating_sub(1))
            };
            if new != off {
                f.preview.col_offset = new;
                f.preview.seq = None;
                effects.extend(enter_tab(f, state, &summary, window, visible));
            }
        }
        Intent::ColumnLeft => f.h_scroll = f.h_scroll.saturating_sub(1),
        Intent::ColumnRight => f.h_scroll = (f.h_scroll + 1).min(CHUNK_COLUMNS - 1),
        Intent::Back | Intent::Cancel => return close_file(v),
        _ => return Flow::Pass,
    }
    Flow::Done(effects)
}

/// Columns of the chunks tab after its first (the column name), which scroll sideways.
pub const CHUNK_COLUMNS: usize = 8;

fn dataset_input(v: &mut Inspector, state: &mut AppState, intent: Intent, rows: usize) -> Flow {
    let Some(d) = v.dataset.as_mut() else { return Flow::Close(Vec::new()) };
    let len = match (&d.summary, d.tab) {
        (Slot::Ready(s), DatasetTab::Files) => s.files.len(),
        (Slot::Ready(s), DatasetTab::Columns) => s.column_share.len(),
        (Slot::Ready(s), DatasetTab::Drift) => s.files.iter().filter(|f| !f.drift.is_empty()).count(),
        _ => 0,
    };
    match intent {
        i if is_movement(i) => {
            // Under the summary line and the header.
            let visible = rows.saturating_sub(2).max(1);
            move_cursor(&mut d.cursor, &mut d.scroll, len, step_of(i, visible), visible);
        }
        Intent::NextTab | Intent::PrevTab => {
            d.tab = cycle(&DatasetTab::ALL, d.tab, intent == Intent::NextTab);
            d.cursor = 0;
            d.scroll = 0;
        }
        Intent::Enter => {
            if d.summary == Slot::Loading {
                // Typed ahead of the file list: the file opens when the list arrives.
                d.open_when_ready = true;
                return Flow::done();
            }
            return Flow::Done(open_file(v, state));
        }
        Intent::Back | Intent::Cancel => return Flow::Close(Vec::new()),
        _ => return Flow::Pass,
    }
    Flow::done()
}

/// Open the file under the dataset list's cursor.
fn open_file(v: &mut Inspector, state: &mut AppState) -> Vec<Effect> {
    let Some(d) = v.dataset.as_mut() else { return Vec::new() };
    d.open_when_ready = false;
    let Slot::Ready(s) = &d.summary else { return Vec::new() };
    let file = match d.tab {
        DatasetTab::Files => s.files.get(d.cursor),
        DatasetTab::Drift => s.files.iter().filter(|f| !f.drift.is_empty()).nth(d.cursor),
        DatasetTab::Columns => None,
    };
    let Some(file) = file else { return Vec::new() };
    let base = v.table.path.trim_end_matches('/');
    let rel = if base.is_empty() { file.path.clone() } else { format!("{base}/{}", file.path) };
    let size = Some(file.size);
    let seq = state.seqs.take();
    v.file = Some(FileView::new(seq, rel.clone(), size));
    vec![Effect::Spawn(Job::Footer { seq, rel, size })]
}

fn close_file(v: &mut Inspector) -> Flow {
    v.file = None;
    if v.dataset.is_none() { Flow::Close(Vec::new()) } else { Flow::done() }
}

pub fn on_report(v: &mut Inspector, state: &mut AppState, r: Report) -> Vec<Effect> {
    match r {
        Report::DatasetProgress { seq, done, total } => {
            if let Some(d) = v.dataset.as_mut().filter(|d| d.seq == seq) {
                d.progress = (done, total);
            }
        }
        Report::Dataset { seq, result } => {
            if let Some(d) = v.dataset.as_mut().filter(|d| d.seq == seq) {
                d.summary = Slot::from_result(result);
                if d.open_when_ready {
                    return open_file(v, state);
                }
            }
        }
        Report::Footer { seq, result } => {
            if let Some(f) = v.file.as_mut().filter(|f| f.seq == seq) {
                f.footer = Slot::from_result(result);
                return footer_arrived(v, state);
            }
        }
        Report::Preview { seq, rows: r } => {
            if let Some(f) = v.file.as_mut().filter(|f| f.preview.seq == Some(seq)) {
                let p = &mut f.preview;
                p.columns = r.columns;
                p.skipped = r.skipped;
                p.rows.extend(r.rows);
                p.done = r.done;
                p.loading = false;
                p.bytes_read = r.bytes_read;
                p.requests = r.requests;
                if r.error.is_some() {
                    p.error = r.error;
                    p.done = true;
                }
            }
        }
        Report::Pages { seq, result } => {
            if let Some(f) = v.file.as_mut().filter(|f| f.pages_seq == seq)
                && let Some((_, slot)) = f.pages.as_mut()
            {
                *slot = Slot::from_result(result);
            }
        }
    }
    Vec::new()
}

/// The footer of the open file arrived: start what its current tab needs (the user may have
/// tabbed to the preview while it loaded).
fn footer_arrived(v: &mut Inspector, state: &mut AppState) -> Vec<Effect> {
    let rows = content_rows(state);
    let window = preview_columns_at(state.width);
    let Some(f) = v.file.as_mut() else { return Vec::new() };
    let Some(summary) = f.summary().cloned() else { return Vec::new() };
    enter_tab(f, state, &summary, window, rows)
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
fn enter_tab(
    f: &mut FileView,
    state: &mut AppState,
    summary: &ParquetSummary,
    window: usize,
    rows: usize,
) -> Vec<Effect> {
    let Slot::Ready((_, footer)) = &f.footer else { return Vec::new() };
    let footer = footer.clone();
    match f.tab {
        FileTab::Preview => {
            let fresh = f.preview.seq.is_none() || f.preview_row_group != Some(f.row_group);
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
            let seq = state.seqs.take();
            let handle = Shared::new(Arc::new(tokio::sync::Mutex::new(None)));
            f.preview = PreviewView {
                seq: Some(seq),
                handle: Some(handle.clone()),
                col_offset,
                total_columns,
                total: summary.row_groups.get(f.row_group).map_or(0, |r| r.rows),
                loading: true,
                ..PreviewView::default()
            };
            f.preview_row_group = Some(f.row_group);
            let open = PreviewOpen { rel: f.rel.clone(), size: f.size, footer, row_group: f.row_group, columns };
            let want = (f.cursor + 2 * rows).clamp(PREVIEW_STEP, PREVIEW_MAX_ROWS);
            vec![Effect::Spawn(Job::Preview { seq, handle, open: Some(open), want })]
        }
        FileTab::Pages if f.pages.as_ref().is_none_or(|(rg, _)| *rg != f.row_group) => {
            let seq = state.seqs.take();
            f.pages = Some((f.row_group, Slot::Loading));
            f.pages_seq = seq;
            vec![Effect::Spawn(Job::Pages { seq, rel: f.rel.clone(), size: f.size, footer, row_group: f.row_group })]
        }
        _ => Vec::new(),
    }
}

/// Ask for more preview rows when the cursor nears the end of what is decoded.
fn more_rows(f: &mut FileView, visible: usize) -> Vec<Effect> {
    let p = &mut f.preview;
    let (Some(seq), Some(handle)) = (p.seq, p.handle.clone()) else { return Vec::new() };
    if p.done || p.loading || p.rows.len() >= PREVIEW_MAX_ROWS {
        return Vec::new();
    }
    if f.cursor + 2 * visible < p.rows.len() {
        return Vec::new();
    }
    p.loading = true;
    let want = (p.rows.len() + PREVIEW_STEP).min(PREVIEW_MAX_ROWS);
    vec![Effect::Spawn(Job::Preview { seq, handle, open: None, want })]
}

/// An inspector job for `seq` ended without delivering (cancelled, or it failed): whatever still
/// waits for it says so instead of "reading…" forever.
pub fn job_ended(v: &mut Inspector, seq: InspectorSeq, cancelled: bool) {
    if let Some(d) = v.dataset.as_mut().filter(|d| d.seq == seq) {
        d.summary.end(cancelled);
    }
    if let Some(f) = v.file.as_mut() {
        if f.seq == seq {
            f.footer.end(cancelled);
        }
        if f.pages_seq == seq
            && let Some((_, slot)) = f.pages.as_mut()
        {
            slot.end(cancelled);
        }
        // A preview step that was cut short is asked for again by the next scroll.
        if f.preview.seq == Some(seq) {
            f.preview.loading = false;
            if cancelled && f.preview.rows.is_empty() {
                f.preview.error = Some(ended(true).to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::JobEvent;
    use crate::event::Msg;
    use crate::jobs::{JobId, JobKind};
    use crate::state::testing::{loaded, press};
    use crate::state::update;

    fn inspected() -> (AppState, InspectorSeq) {
        let mut s = loaded(&["acme/bronze/events:parquet"], false);
        press(&mut s, &[Intent::Enter, Intent::Enter]);
        let effects = press(&mut s, &[Intent::Inspect]);
        let Some(Effect::Spawn(Job::Dataset { seq, .. })) = effects.first().cloned() else { panic!("{effects:?}") };
        (s, seq)
    }

    fn summary() -> Arc<DatasetSummary> {
        Arc::new(DatasetSummary::default())
    }

    #[test]
    fn a_dataset_opens_its_file_list_and_drops_stale_results() {
        let (mut s, seq) = inspected();
        assert_eq!(s.layer(), super::super::Layer::Inspector);
        // A result for an older request is dropped.
        let stale = Seq::new(seq.get() + 100);
        update(&mut s, Report::Dataset { seq: stale, result: Ok(summary()) }.into());
        assert_eq!(s.inspector().unwrap().dataset.as_ref().unwrap().summary, Slot::Loading);
        update(&mut s, Report::Dataset { seq, result: Ok(summary()) }.into());
        assert!(matches!(s.inspector().unwrap().dataset.as_ref().unwrap().summary, Slot::Ready(_)));
    }

    #[test]
    fn esc_cancels_the_read_then_closes_and_a_cancelled_read_says_so() {
        let (mut s, seq) = inspected();
        update(
            &mut s,
            Msg::Job(JobEvent::Started {
                id: JobId(5),
                kind: JobKind::Inspect,
                label: "x".into(),
                owner: Owner::Inspector(seq),
            }),
        );
        let effects = press(&mut s, &[Intent::Cancel]);
        assert_eq!(effects, vec![Effect::Cancel(JobId(5))]);
        assert!(s.inspector().is_some(), "esc stops the read first");
        update(&mut s, Msg::Job(JobEvent::Finished { id: JobId(5), cancelled: true }));
        let Slot::Failed(why) = &s.inspector().unwrap().dataset.as_ref().unwrap().summary else { panic!() };
        assert!(why.contains("cancelled"), "{why}");
        press(&mut s, &[Intent::Cancel]);
        assert!(s.inspector().is_none(), "then esc closes the inspector");
        assert_eq!(s.layer(), super::super::Layer::Browser);
    }

    #[test]
    fn tabs_chosen_before_the_footer_arrives_still_count() {
        let (mut s, _) = inspected();
        let mut ds = DatasetSummary::default();
        ds.files.push(crate::lake::parquet::dataset::DatasetFile {
            path: "part-0.parquet".into(),
            size: 10,
            ..Default::default()
        });
        let seq = s.inspector().unwrap().dataset.as_ref().unwrap().seq;
        update(&mut s, Report::Dataset { seq, result: Ok(Arc::new(ds)) }.into());
        let effects = press(&mut s, &[Intent::Enter]);
        let Some(Effect::Spawn(Job::Footer { rel, .. })) = effects.first() else { panic!("{effects:?}") };
        assert_eq!(rel, "acme/bronze/events/part-0.parquet");
        press(&mut s, &[Intent::NextTab, Intent::NextTab]);
        assert_eq!(s.inspector().unwrap().file.as_ref().unwrap().tab, FileTab::RowGroups);
        // Back from the file returns to the list, not the browser.
        press(&mut s, &[Intent::Back]);
        assert!(s.inspector().unwrap().file.is_none());
    }
}
