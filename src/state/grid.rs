//! A query result as the grid holds it: Arrow batches as they streamed in (never turned into
//! strings wholesale: a cell is formatted when it is drawn), the rows kept (capped) and the rows
//! the query produced, column widths fitted to a sample of the content, the cursor, the
//! horizontal scroll (the first column stays frozen), and a local sort and filter over the
//! fetched rows (Arrow kernels, so 1M rows sort in well under a second).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch, StringArray};
use arrow::compute::SortOptions;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use unicode_width::UnicodeWidthStr;

/// Widest a column is drawn (longer values: record view).
pub const MAX_WIDTH: usize = 40;
/// Rows sampled to fit column widths.
const WIDTH_SAMPLE: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDir {
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub schema: SchemaRef,
    batches: Vec<RecordBatch>,
    /// Row index where each batch starts.
    starts: Vec<usize>,
    /// Rows kept (≤ the cap).
    pub kept: usize,
    /// Rows the query produced so far (kept or not).
    pub total: u64,
    pub widths: Vec<usize>,
    sampled: usize,
    /// Rows in view order, when sorted or filtered (indices into the kept rows).
    order: Option<Vec<u32>>,
    pub sort: Option<(usize, SortDir)>,
    pub filter: String,
    /// Cursor: row in view order, column index.
    pub row: usize,
    pub col: usize,
    /// First row shown.
    pub offset: usize,
    /// First scrolled column shown right of the frozen first column.
    pub first_col: usize,
}

/// A cell's text (`None` for null). Lists, structs and maps print as Arrow displays them.
pub fn cell_text(array: &dyn Array, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    let opts = FormatOptions::default();
    ArrayFormatter::try_new(array, &opts).ok().map(|f| f.value(row).to_string())
}

impl Grid {
    pub fn new(schema: SchemaRef) -> Grid {
        let widths = schema.fields().iter().map(|f| f.name().width().clamp(4, MAX_WIDTH)).collect();
        Grid {
            schema,
            batches: Vec::new(),
            starts: Vec::new(),
            kept: 0,
            total: 0,
            widths,
            sampled: 0,
            order: None,
            sort: None,
            filter: String::new(),
            row: 0,
            col: 0,
            offset: 0,
            first_col: 1,
        }
    }

    pub fn columns(&self) -> usize {
        self.schema.fields().len()
    }

    /// Rows in view (after the filter).
    pub fn len(&self) -> usize {
        self.order.as_ref().map_or(self.kept, Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Add streamed batches (already cut to the cap by the job) and the query's row count.
    pub fn append(&mut self, batches: Vec<RecordBatch>, total: u64) {
        for b in batches {
            if b.num_rows() == 0 {
                continue;
            }
            self.fit_widths(&b);
            self.starts.push(self.kept);
            self.kept += b.num_rows();
            self.batches.push(b);
        }
        self.total = total.max(self.kept as u64);
        // A sort or filter covers what was fetched when it was asked; new rows join on re-apply.
        if self.order.is_some() {
            // The sort succeeded on these columns before; new rows of the same types sort too.
            let _ = self.reapply();
        }
    }

    fn fit_widths(&mut self, b: &RecordBatch) {
        if self.sampled >= WIDTH_SAMPLE {
            return;
        }
        let n = b.num_rows().min(WIDTH_SAMPLE - self.sampled);
        for (c, w) in self.widths.iter_mut().enumerate() {
            let array = b.column(c);
            let Ok(f) = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default()) else { continue };
            for r in 0..n {
                let cw = if array.is_null(r) { 4 } else { f.value(r).to_string().width() };
                *w = (*w).max(cw.min(MAX_WIDTH));
            }
        }
        self.sampled += n;
    }

    /// The kept row behind a view row.
    fn kept_row(&self, view_row: usize) -> Option<usize> {
        match &self.order {
            Some(o) => o.get(view_row).map(|r| *r as usize),
            None => (view_row < self.kept).then_some(view_row),
        }
    }

    fn locate(&self, kept_row: usize) -> Option<(&RecordBatch, usize)> {
        let i = self.starts.partition_point(|s| *s <= kept_row).checked_sub(1)?;
        let b = self.batches.get(i)?;
        let r = kept_row - self.starts[i];
        (r < b.num_rows()).then_some((b, r))
    }

    /// A cell in view order: `None` for null or out of range.
    pub fn cell(&self, view_row: usize, col: usize) -> Option<String> {
        let (b, r) = self.locate(self.kept_row(view_row)?)?;
        cell_text(b.column(col).as_ref(), r)
    }

    /// One row as (column, value) pairs.
    pub fn record(&self, view_row: usize) -> Vec<(String, Option<String>)> {
        self.schema.fields().iter().enumerate().map(|(c, f)| (f.name().clone(), self.cell(view_row, c))).collect()
    }

    /// Rows as TSV (a header line first); nulls are empty, tabs and newlines in values escaped.
    pub fn tsv(&self, rows: impl Iterator<Item = usize>, header: bool) -> String {
        let esc = |s: &str| s.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n");
        let mut out = String::new();
        if header {
            let names: Vec<String> = self.schema.fields().iter().map(|f| esc(f.name())).collect();
            out.push_str(&names.join("\t"));
            out.push('\n');
        }
        for r in rows {
            let cells: Vec<String> =
                (0..self.columns()).map(|c| self.cell(r, c).map(|v| esc(&v)).unwrap_or_default()).collect();
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
        out
    }

    /// All kept rows as one batch (sorting and filtering work on it).
    fn concat(&mut self) -> Option<RecordBatch> {
        if self.batches.len() > 1 {
            let one = arrow::compute::concat_batches(&self.schema, &self.batches).ok()?;
            self.batches = vec![one];
            self.starts = vec![0];
        }
        self.batches.first().cloned()
    }

    /// Cycle the sort of the cursor's column: ascending, descending, none.
    pub fn toggle_sort(&mut self) -> Result<(), String> {
        let col = self.col;
        self.sort = match self.sort {
            Some((c, SortDir::Asc)) if c == col => Some((col, SortDir::Desc)),
            Some((c, SortDir::Desc)) if c == col => None,
            _ => Some((col, SortDir::Asc)),
        };
        self.reapply()
    }

    /// Keep the rows where some cell contains `text` (case-insensitive); empty shows all.
    pub fn set_filter(&mut self, text: &str) -> Result<(), String> {
        self.filter = text.to_string();
        self.reapply()
    }

    fn reapply(&mut self) -> Result<(), String> {
        if self.sort.is_none() && self.filter.is_empty() {
            self.order = None;
            self.clamp();
            return Ok(());
        }
        let Some(batch) = self.concat() else {
            self.order = Some(Vec::new());
            return Ok(());
        };
        let mut order: Vec<u32> = match self.sort {
            Some((c, dir)) => {
                let opts = SortOptions { descending: dir == SortDir::Desc, nulls_first: false };
                let idx = arrow::compute::sort_to_indices(batch.column(c), Some(opts), None)
                    .map_err(|e| format!("cannot sort {}: {e}", self.schema.field(c).name()))?;
                idx.values().to_vec()
            }
            None => (0..batch.num_rows() as u32).collect(),
        };
        if !self.filter.is_empty() {
            let keep = matches(&batch, &self.filter);
            order.retain(|r| keep.value(*r as usize));
        }
        self.order = Some(order);
        self.clamp();
        Ok(())
    }

    fn clamp(&mut self) {
        self.row = self.row.min(self.len().saturating_sub(1));
        self.offset = self.offset.min(self.row);
    }

    /// Move the cursor by rows, keeping it inside a window of `height` rows.
    pub fn move_rows(&mut self, delta: isize, height: usize) {
        let last = self.len().saturating_sub(1) as isize;
        self.row = (self.row as isize + delta).clamp(0, last.max(0)) as usize;
        let height = height.max(1);
        if self.row < self.offset {
            self.offset = self.row;
        } else if self.row >= self.offset + height {
            self.offset = self.row + 1 - height;
        }
    }

    /// Move the cursor by columns; the scrolled columns follow it in a grid `width` cells wide
    /// (column 0 is frozen).
    pub fn move_cols(&mut self, delta: isize, width: usize) {
        let last = self.columns().saturating_sub(1) as isize;
        self.col = (self.col as isize + delta).clamp(0, last.max(0)) as usize;
        if self.col >= 1 && self.col < self.first_col {
            self.first_col = self.col;
        }
        while self.col > self.first_col && !self.visible_cols(width).0.contains(&self.col) {
            self.first_col += 1;
        }
    }

    /// Scrolled columns that fit in `width` cells from `first_col`, after the frozen one.
    pub fn visible_cols(&self, width: usize) -> (Vec<usize>, usize) {
        let frozen = self.widths.first().copied().unwrap_or(0) + 1;
        let mut used = frozen;
        let mut cols = Vec::new();
        for c in self.first_col..self.columns() {
            let w = self.widths[c] + 1;
            if used + w > width && !cols.is_empty() {
                break;
            }
            used += w;
            cols.push(c);
        }
        (cols, frozen)
    }
}

/// Which rows of `batch` contain `text` in some cell, case-insensitively (columns cast to text;
/// nested columns that do not cast are skipped).
fn matches(batch: &RecordBatch, text: &str) -> BooleanArray {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let pattern = StringArray::new_scalar(format!("%{escaped}%"));
    let mut keep = BooleanArray::from(vec![false; batch.num_rows()]);
    for col in batch.columns() {
        let Ok(strings): Result<ArrayRef, _> = arrow::compute::cast(col, &DataType::Utf8) else { continue };
        let Ok(hit) = arrow::compute::kernels::comparison::ilike(&strings, &pattern) else { continue };
        // Nulls never match.
        let hit = match hit.nulls() {
            Some(n) => BooleanArray::new(hit.values() & n.inner(), None),
            None => hit,
        };
        if let Ok(k) = arrow::compute::or(&keep, &hit) {
            keep = k;
        }
    }
    keep
}

/// Convenience for tests and the app: an `Arc`'d schema from a batch.
pub fn schema_of(b: &RecordBatch) -> SchemaRef {
    Arc::clone(&b.schema())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int64Array;
    use arrow::datatypes::{Field, Schema};

    fn batch(ids: &[i64], names: &[Option<&str>]) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("name", DataType::Utf8, true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![Arc::new(Int64Array::from(ids.to_vec())), Arc::new(StringArray::from(names.to_vec()))],
        )
        .unwrap()
    }

    fn grid() -> Grid {
        let a = batch(&[3, 1], &[Some("Ada"), None]);
        let b = batch(&[2, 5], &[Some("bob\tby"), Some("Zed long name")]);
        let mut g = Grid::new(schema_of(&a));
        g.append(vec![a, b], 9);
        g
    }

    #[test]
    fn cells_cross_batches_and_nulls_stay_null() {
        let g = grid();
        assert_eq!((g.kept, g.total, g.len()), (4, 9, 4));
        assert_eq!(g.cell(2, 0).as_deref(), Some("2"));
        assert_eq!(g.cell(1, 1), None);
        assert_eq!(g.cell(4, 0), None);
        // Widths fit the content ("Zed long name").
        assert_eq!(g.widths, vec![4, 13]);
    }

    #[test]
    fn sort_cycles_and_filter_combines() {
        let mut g = grid();
        g.toggle_sort().unwrap();
        let ids: Vec<String> = (0..g.len()).map(|r| g.cell(r, 0).unwrap()).collect();
        assert_eq!(ids, ["1", "2", "3", "5"]);
        g.toggle_sort().unwrap();
        assert_eq!(g.cell(0, 0).as_deref(), Some("5"));
        g.set_filter("B").unwrap();
        // "bob" matches, case-insensitively; the null name does not.
        assert_eq!(g.len(), 1);
        assert_eq!(g.cell(0, 0).as_deref(), Some("2"));
        g.set_filter("%").unwrap();
        assert_eq!(g.len(), 0, "% is a literal, not a wildcard");
        g.set_filter("").unwrap();
        g.toggle_sort().unwrap();
        assert_eq!(g.cell(0, 0).as_deref(), Some("3"), "third press: back to the query's order");
    }

    #[test]
    fn tsv_escapes_tabs_and_leaves_nulls_empty() {
        let g = grid();
        assert_eq!(g.tsv(0..3, true), "id\tname\n3\tAda\n1\t\n2\tbob\\tby\n");
    }

    #[test]
    fn the_cursor_scrolls_rows_and_columns() {
        let mut g = grid();
        g.move_rows(3, 2);
        assert_eq!((g.row, g.offset), (3, 2));
        g.move_rows(-10, 2);
        assert_eq!((g.row, g.offset), (0, 0));
        g.move_cols(5, 10);
        assert_eq!(g.col, 1);
        let (cols, frozen) = g.visible_cols(10);
        assert_eq!((cols, frozen), (vec![1], 5));
    }
}
