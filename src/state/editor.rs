//! The SQL editor's text: lines and a cursor (in chars, so multi-byte text is safe), edited by
//! `EditKey`s. Knows words, not SQL: the pane asks it for the word before the cursor (to
//! complete) and replaces that word with the chosen candidate.

use crate::event::EditKey;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    pub lines: Vec<String>,
    pub row: usize,
    /// Cursor column in chars.
    pub col: usize,
    /// First line shown.
    pub scroll: usize,
}

impl Default for Editor {
    fn default() -> Self {
        Editor { lines: vec![String::new()], row: 0, col: 0, scroll: 0 }
    }
}

/// Characters completion treats as one word: identifiers and dotted names (`silver.orders`).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.' || c == '"'
}

fn byte_at(s: &str, char_idx: usize) -> usize {
    s.char_indices().nth(char_idx).map(|(b, _)| b).unwrap_or(s.len())
}

impl Editor {
    pub fn with_text(text: &str) -> Self {
        let mut e = Editor::default();
        e.set_text(text);
        e
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.trim().is_empty())
    }

    /// Replace the text; the cursor goes to its end.
    pub fn set_text(&mut self, text: &str) {
        self.lines = text.split('\n').map(|l| l.trim_end_matches('\r').to_string()).collect();
        if self.lines.is_empty() {
            self.lines.push(String::new());
        }
        self.row = self.lines.len() - 1;
        self.col = self.lines[self.row].chars().count();
        self.scroll = 0;
    }

    fn line_len(&self, row: usize) -> usize {
        self.lines[row].chars().count()
    }

    /// Apply a key; returns whether the text changed.
    pub fn apply(&mut self, key: EditKey) -> bool {
        let len = self.line_len(self.row);
        self.col = self.col.min(len);
        match key {
            EditKey::Char(c) => {
                let at = byte_at(&self.lines[self.row], self.col);
                self.lines[self.row].insert(at, c);
                self.col += 1;
                true
            }
            EditKey::Newline => {
                let at = byte_at(&self.lines[self.row], self.col);
                let rest = self.lines[self.row].split_off(at);
                // Keep the indentation of the line being split.
                let indent: String = self.lines[self.row].chars().take_while(|c| *c == ' ').collect();
                self.col = indent.chars().count();
                self.lines.insert(self.row + 1, indent + rest.trim_start());
                self.row += 1;
                true
            }
            EditKey::Backspace => {
                if self.col > 0 {
                    let at = byte_at(&self.lines[self.row], self.col - 1);
                    self.lines[self.row].remove(at);
                    self.col -= 1;
                    true
                } else if self.row > 0 {
                    let line = self.lines.remove(self.row);
                    self.row -= 1;
                    self.col = self.line_len(self.row);
                    self.lines[self.row].push_str(&line);
                    true
                } else {
                    false
                }
            }
            EditKey::Delete => {
                if self.col < len {
                    let at = byte_at(&self.lines[self.row], self.col);
                    self.lines[self.row].remove(at);
                    true
                } else if self.row + 1 < self.lines.len() {
                    let next = self.lines.remove(self.row + 1);
                    self.lines[self.row].push_str(&next);
                    true
                } else {
                    false
                }
            }
            EditKey::DeleteWord => {
                let chars: Vec<char> = self.lines[self.row].chars().collect();
                let mut start = self.col;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                if start == self.col {
                    return self.apply(EditKey::Backspace);
                }
                let (a, b) = (byte_at(&self.lines[self.row], start), byte_at(&self.lines[self.row], self.col));
                self.lines[self.row].replace_range(a..b, "");
                self.col = start;
                true
            }
            EditKey::ClearLine => {
                let changed = !self.lines[self.row].is_empty();
                self.lines[self.row].clear();
                self.col = 0;
                changed
            }
            EditKey::Left => {
                if self.col > 0 {
                    self.col -= 1;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = self.line_len(self.row);
                }
                false
            }
            EditKey::Right => {
                if self.col < len {
                    self.col += 1;
                } else if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = 0;
                }
                false
            }
            EditKey::Up => {
                self.row = self.row.saturating_sub(1);
                false
            }
            EditKey::Down => {
                self.row = (self.row + 1).min(self.lines.len() - 1);
                false
            }
            EditKey::Home => {
                self.col = 0;
                false
            }
            EditKey::End => {
                self.col = len;
                false
            }
        }
    }

    /// Keep the cursor's line inside a window of `height` lines.
    pub fn scroll_to_cursor(&mut self, height: usize) {
        let height = height.max(1);
        if self.row < self.scroll {
            self.scroll = self.row;
        } else if self.row >= self.scroll + height {
            self.scroll = self.row + 1 - height;
        }
    }

    /// The word ending at the cursor (possibly empty) and its start column.
    pub fn word_before_cursor(&self) -> (String, usize) {
        let chars: Vec<char> = self.lines[self.row].chars().collect();
        let end = self.col.min(chars.len());
        let mut start = end;
        while start > 0 && is_word_char(chars[start - 1]) {
            start -= 1;
        }
        (chars[start..end].iter().collect(), start)
    }

    /// Replace the word before the cursor with `text`.
    pub fn replace_word(&mut self, text: &str) {
        let (_, start) = self.word_before_cursor();
        let line = &mut self.lines[self.row];
        let (a, b) = (byte_at(line, start), byte_at(line, self.col));
        line.replace_range(a..b, text);
        self.col = start + text.chars().count();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Editor {
        let mut e = Editor::default();
        for c in text.chars() {
            e.apply(if c == '\n' { EditKey::Newline } else { EditKey::Char(c) });
        }
        e
    }

    #[test]
    fn lines_split_and_join() {
        let mut e = typed("SELECT *\n  FROM t");
        assert_eq!(e.lines, vec!["SELECT *", "  FROM t"]);
        // The new line keeps the indentation of the one split.
        e.apply(EditKey::Newline);
        assert_eq!(e.lines[2], "  ");
        e.apply(EditKey::Backspace);
        e.apply(EditKey::Backspace);
        e.apply(EditKey::Backspace);
        assert_eq!(e.text(), "SELECT *\n  FROM t");
        e.apply(EditKey::Home);
        e.apply(EditKey::Backspace);
        assert_eq!(e.text(), "SELECT *  FROM t");
        assert_eq!((e.row, e.col), (0, 8));
    }

    #[test]
    fn cursor_is_in_chars() {
        let mut e = typed("é日");
        e.apply(EditKey::Left);
        e.apply(EditKey::Char('x'));
        assert_eq!(e.text(), "éx日");
        e.apply(EditKey::Delete);
        assert_eq!(e.text(), "éx");
    }

    #[test]
    fn words_are_completed_in_place() {
        let mut e = typed("SELECT * FROM silver.or WHERE");
        for _ in 0.." WHERE".len() {
            e.apply(EditKey::Left);
        }
        assert_eq!(e.word_before_cursor(), ("silver.or".to_string(), 14));
        e.replace_word("silver.orders");
        assert_eq!(e.text(), "SELECT * FROM silver.orders WHERE");
        e.apply(EditKey::DeleteWord);
        assert_eq!(e.text(), "SELECT * FROM  WHERE");
    }

    #[test]
    fn scrolling_follows_the_cursor() {
        let mut e = Editor::with_text("a\nb\nc\nd\ne");
        e.scroll_to_cursor(2);
        assert_eq!(e.scroll, 3);
        e.row = 0;
        e.scroll_to_cursor(2);
        assert_eq!(e.scroll, 0);
    }
}
