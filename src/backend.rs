//! What reaches the terminal: a ratatui backend that wraps another and sends fewer bytes.
//!
//! ratatui already diffs each frame against the last and writes only changed cells. That is not
//! enough over a slow SSH link when a list or a result grid scrolls by a row: every visible row
//! changes, so the whole table is written again (about 10 KB a key press in a 120x40 grid).
//! Terminals have been able to move a band of lines themselves since the VT100 (a scrolling
//! region, DECSTBM, and SU/SD). [`Shifting`] keeps a mirror of what the terminal shows; when the
//! next frame is mostly the shown one moved up or down inside a band of rows, it asks the
//! terminal to scroll that band and then writes only what still differs: the row that came into
//! view, the cursor line, the status bar.
//!
//! Correctness does not depend on the guess: after the scroll the mirror is shifted the same
//! way (the lines that scrolled in are marked unknown) and the frame is diffed against it, so
//! the terminal ends up showing exactly the frame whatever band was chosen. The tests replay
//! frames through a `TestBackend` and compare the screen with each frame.

use std::ops::Range;

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};

/// Cells and shifts sent so far (for the tests).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// Cells written (after the scroll, when there was one).
    pub cells: u64,
    /// Bands scrolled by the terminal instead of rewritten.
    pub scrolls: u64,
}

/// A backend that scrolls bands of lines on the terminal when a frame is a shifted copy of the
/// shown one; see the module doc.
pub struct Shifting<B: Backend> {
    inner: B,
    /// The last frame as ratatui knows it: ratatui sends changes against this one.
    frame: Buffer,
    /// What the terminal shows now: the frame, or lines marked unknown after a scroll or clear
    /// this backend did not draw over yet.
    shown: Buffer,
    /// Off: plain diffs, for terminals that mishandle scrolling regions.
    enabled: bool,
    pub sent: Sent,
}

/// A row hash: equal rows hash equal; the choice of band only needs "probably equal".
fn row_hashes(b: &Buffer) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    let w = b.area.width as usize;
    b.content
        .chunks(w.max(1))
        .map(|row| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            row.hash(&mut h);
            h.finish()
        })
        .collect()
}

/// The best band to scroll from `shown` to `next`: `(rows, lines)`, where `lines > 0` moves the
/// content up (what `j` at the bottom of a list does) and `lines < 0` moves it down. Chosen to
/// maximise rows saved: a row counts for the band when the shifted line equals the next one and
/// the unshifted does not, against it when it was already right and the shift breaks it (and for
/// each line scrolled in that was already right). `None` when no band saves at least 3 rows.
pub fn best_shift(shown: &[u64], next: &[u64]) -> Option<(Range<usize>, isize)> {
    let h = shown.len().min(next.len());
    if h < 4 {
        return None;
    }
    // blanked[r]: -1 when row r is already right (scrolling a new line over it costs a rewrite).
    let mut blanked = vec![0i64; h + 1];
    for r in 0..h {
        blanked[r + 1] = blanked[r] - i64::from(shown[r] == next[r]);
    }
    let scrolled_in = |rows: Range<usize>| blanked[rows.end] - blanked[rows.start];
    let mut best: Option<(i64, Range<usize>, isize)> = None;
    // A list moves by a row (j), a wheel notch (3) or a few; a page move brings all-new rows.
    let max_k = (h / 2).min(MAX_SHIFT);
    for k in 1..=max_k {
        for up in [true, false] {
            // Row r inside the band receives the line k rows below it (up) or above it (down):
            // +1 when that makes it right, -1 when it was right and no longer is.
            let moved = |r: usize| -> i64 {
                let from = if up { r + k } else { r - k };
                match (shown[from] == next[r], shown[r] == next[r]) {
                    (true, false) => 1,
                    (false, true) => -1,
                    _ => 0,
                }
            };
            for top in 0..h {
                let mut kept = 0i64;
                for bottom in (top + k + 1)..=h {
                    let score = if up {
                        // Rows top..bottom-k receive; rows bottom-k..bottom scroll in.
                        kept += moved(bottom - k - 1);
                        kept + scrolled_in(bottom - k..bottom)
                    } else {
                        // Rows top+k..bottom receive; rows top..top+k scroll in.
                        kept += moved(bottom - 1);
                        kept + scrolled_in(top..top + k)
                    };
                    if score >= 3 && best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                        best = Some((score, top..bottom, if up { k as isize } else { -(k as isize) }));
                    }
                }
            }
        }
    }
    best.map(|(_, band, k)| (band, k))
}

/// The largest shift tried, in lines.
const MAX_SHIFT: usize = 8;

/// A cell that does not occur in lakescope's frames: the mirror's mark for "unknown" (a line
/// scrolled in). A private-use character in a style no view uses (hidden, blinking, two
/// palette colours); ratatui measures its width, so it cannot be a control character.
fn unknown() -> Cell {
    use ratatui::style::{Color, Modifier, Style};
    let mut c = Cell::default();
    c.set_symbol("\u{f8ff}");
    c.set_style(
        Style::default()
            .fg(Color::Indexed(17))
            .bg(Color::Indexed(18))
            .add_modifier(Modifier::HIDDEN | Modifier::SLOW_BLINK),
    );
    c
}

/// Shift `rows` of `buf` by `lines` (positive: up), marking the lines scrolled in unknown.
fn shift(buf: &mut Buffer, rows: Range<usize>, lines: isize) {
    let w = buf.area.width as usize;
    let k = lines.unsigned_abs();
    let band = &mut buf.content[rows.start * w..rows.end * w];
    let scrolled_in = if lines > 0 {
        band.rotate_left(k * w);
        band.len() - k * w..band.len()
    } else {
        band.rotate_right(k * w);
        0..k * w
    };
    band[scrolled_in].fill(unknown());
}

impl<B: Backend> Shifting<B> {
    pub fn new(inner: B) -> Self {
        let area = inner.size().map(|s| Rect::new(0, 0, s.width, s.height)).unwrap_or_default();
        Self::with_area(inner, area)
    }

    /// For a backend that cannot say its size (a writer that is not a terminal): `area` is the
    /// screen. ratatui starts from a blank frame; the screen is unknown until the first frame is
    /// written in full.
    pub fn with_area(inner: B, area: Rect) -> Self {
        Shifting {
            inner,
            frame: Buffer::empty(area),
            shown: Buffer::filled(area, unknown()),
            enabled: true,
            sent: Sent::default(),
        }
    }

    /// Plain diffs only (`[ui] scroll_regions = false`, and the benchmark's comparison).
    pub fn without_scrolling(mut self) -> Self {
        self.enabled = false;
        self
    }

    pub fn inner(&self) -> &B {
        &self.inner
    }

    pub fn inner_mut(&mut self) -> &mut B {
        &mut self.inner
    }

    /// After a clear: ratatui starts again from a blank frame; the screen is blank when the
    /// whole of it was cleared, unknown otherwise.
    fn cleared(&mut self, all: bool) {
        let area = self.inner.size().map(|s| Rect::new(0, 0, s.width, s.height)).unwrap_or(self.shown.area);
        self.frame = Buffer::empty(area);
        self.shown = if all { Buffer::empty(area) } else { Buffer::filled(area, unknown()) };
    }

    /// The terminal moved lines this backend did not ask for: its lines are unknown.
    fn forget(&mut self) {
        let area = self.shown.area;
        self.shown = Buffer::filled(area, unknown());
    }
}

impl<B: Backend> Backend for Shifting<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut next = self.frame.clone();
        let area = next.area;
        for (x, y, cell) in content {
            if x < area.width && y < area.height {
                next[(x, y)] = cell.clone();
            }
        }
        if self.enabled
            && let Some((rows, lines)) = best_shift(&row_hashes(&self.shown), &row_hashes(&next))
        {
            let region = rows.start as u16..rows.end as u16;
            let k = lines.unsigned_abs() as u16;
            if lines > 0 {
                self.inner.scroll_region_up(region, k)?;
            } else {
                self.inner.scroll_region_down(region, k)?;
            }
            shift(&mut self.shown, rows, lines);
            self.sent.scrolls += 1;
        }
        let updates = self.shown.diff(&next);
        self.sent.cells += updates.len() as u64;
        self.inner.draw(updates.into_iter())?;
        self.shown = next.clone();
        self.frame = next;
        Ok(())
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.forget();
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()?;
        self.cleared(true);
        Ok(())
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)?;
        // Only a whole-screen clear leaves a known screen; anything partial is redrawn in full.
        self.cleared(matches!(clear_type, ClearType::All));
        Ok(())
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }

    fn scroll_region_up(&mut self, region: Range<u16>, line_count: u16) -> Result<(), Self::Error> {
        self.forget();
        self.inner.scroll_region_up(region, line_count)
    }

    fn scroll_region_down(&mut self, region: Range<u16>, line_count: u16) -> Result<(), Self::Error> {
        self.forget();
        self.inner.scroll_region_down(region, line_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::{Paragraph, Widget};

    /// A "list" frame: a title, rows `first..` of a long list with the cursor row marked, and a
    /// status line that names the cursor.
    fn list(buf: &mut Buffer, first: usize, cursor: usize) {
        let area = buf.area;
        Paragraph::new("lakescope · a list").render(Rect::new(0, 0, area.width, 1), buf);
        for y in 1..area.height - 1 {
            let i = first + y as usize - 1;
            let mark = if i == cursor { ">" } else { " " };
            // Rows that differ in most cells, as a result grid's do.
            let text: String = (0..30).map(|j| (b'a' + ((i * 7919 + j * 31) % 26) as u8) as char).collect();
            Paragraph::new(format!("{mark} {i:>6} {text}")).render(Rect::new(0, y, area.width, 1), buf);
        }
        Paragraph::new(format!("row {cursor} of 1000000")).render(Rect::new(0, area.height - 1, area.width, 1), buf);
    }

    fn replay(frames: &[(usize, usize)], enabled: bool) -> (Sent, Vec<bool>) {
        let mut backend = Shifting::new(TestBackend::new(40, 12));
        if !enabled {
            backend = backend.without_scrolling();
        }
        let mut t = Terminal::new(backend).unwrap();
        let mut same = Vec::new();
        for &(first, cursor) in frames {
            let frame = t.draw(|f| list(f.buffer_mut(), first, cursor)).unwrap().buffer.clone();
            same.push(t.backend().inner().buffer() == &frame);
        }
        (t.backend().sent, same)
    }

    #[test]
    fn scrolling_down_a_list_moves_the_band_and_writes_only_what_changed() {
        // Cursor at the bottom row (10 rows shown), then j twenty times: the list scrolls by one.
        let frames: Vec<(usize, usize)> = (0..20).map(|i| (i, i + 9)).collect();
        let (sent, same) = replay(&frames, true);
        assert!(same.iter().all(|s| *s), "the terminal showed what was drawn after every frame: {same:?}");
        assert_eq!(sent.scrolls, 19, "every step after the first scrolled a band");
        let (plain, same) = replay(&frames, false);
        assert!(same.iter().all(|s| *s));
        assert!(sent.cells * 3 < plain.cells, "scrolled {} cells vs plain {}", sent.cells, plain.cells);
    }

    #[test]
    fn any_sequence_of_frames_ends_with_the_frame_on_screen() {
        // Jumps, page moves, up and down by several lines, the same frame twice.
        let frames = [(0, 0), (0, 5), (3, 12), (2, 2), (100, 100), (90, 95), (91, 100), (91, 100), (0, 0), (5, 9)];
        let (_, same) = replay(&frames, true);
        assert!(same.iter().all(|s| *s), "{same:?}");
    }

    #[test]
    fn random_frames_always_end_on_screen_exactly() {
        // A list that moves by random amounts (small shifts, jumps, nothing), with random rows
        // edited and a random cursor, replayed through the backend: after every frame the
        // terminal shows that frame, cell for cell.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut t = Terminal::new(Shifting::new(TestBackend::new(30, 14))).unwrap();
        let (mut first, mut scrolls) = (500usize, 0);
        for step in 0..400 {
            first = match next(6) {
                0 => first + 1,
                1 => first.saturating_sub(1),
                2 => first + next(9),
                3 => first.saturating_sub(next(9)),
                4 => next(1000),
                _ => first,
            };
            let cursor = first + next(12);
            let edited = next(14) as u16;
            let frame = t
                .draw(|f| {
                    list(f.buffer_mut(), first, cursor);
                    let w = f.area().width;
                    Paragraph::new(format!("edit {step}")).render(Rect::new(0, edited, w, 1), f.buffer_mut());
                })
                .unwrap()
                .buffer
                .clone();
            assert_eq!(t.backend().inner().buffer(), &frame, "step {step}");
            scrolls = t.backend().sent.scrolls;
        }
        assert!(scrolls > 50, "the shifts were used ({scrolls} of 400 frames)");
    }

    #[test]
    fn a_clear_is_remembered_and_a_resize_redraws_everything() {
        let mut t = Terminal::new(Shifting::new(TestBackend::new(30, 8))).unwrap();
        t.draw(|f| list(f.buffer_mut(), 0, 0)).unwrap();
        t.backend_mut().inner_mut().resize(24, 10);
        t.autoresize().unwrap();
        let frame = t.draw(|f| list(f.buffer_mut(), 1, 4)).unwrap().buffer.clone();
        assert_eq!(t.backend().inner().buffer(), &frame);
    }

    #[test]
    fn the_band_choice_needs_a_real_gain() {
        let shown: Vec<u64> = (0..20).collect();
        assert_eq!(best_shift(&shown, &shown), None, "nothing changed");
        let next: Vec<u64> = (0..20).map(|i| if i == 5 { 99 } else { i }).collect();
        assert_eq!(best_shift(&shown, &next), None, "one row changed: rewrite it");
        // Rows 2..18 moved up by one, row 17 is new: scroll 2..18 up by 1.
        let next: Vec<u64> = (0..20)
            .map(|i| {
                if (2..17).contains(&i) {
                    i + 1
                } else if i == 17 {
                    77
                } else {
                    i
                }
            })
            .collect();
        assert_eq!(best_shift(&shown, &next), Some((2..18, 1)));
        // Moved down by two.
        let next: Vec<u64> = (0..20).map(|i| if (4..18).contains(&i) { i - 2 } else { i + 100 }).collect();
        let (rows, k) = best_shift(&shown, &next).unwrap();
        assert_eq!(k, -2);
        assert!(rows.start <= 2 && rows.end >= 18, "{rows:?}");
    }
}
