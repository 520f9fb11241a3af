//! A one-line text input (the `/` filter and the `:` command line): a string and a cursor,
//! edited by `InputKey`s. Cursor positions are in chars, so multi-byte input is safe.

use crate::event::InputKey;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub text: String,
    /// Cursor position, in chars.
    pub cursor: usize,
}

/// What an edit did to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Moved,
    Submit,
    Cancel,
}

impl LineInput {
    pub fn with_text(text: &str) -> Self {
        LineInput { text: text.to_string(), cursor: text.chars().count() }
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.text.char_indices().nth(char_idx).map(|(b, _)| b).unwrap_or(self.text.len())
    }

    pub fn apply(&mut self, key: InputKey) -> Edit {
        let len = self.text.chars().count();
        match key {
            InputKey::Char(c) => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
                Edit::Changed
            }
            InputKey::Backspace => {
                if self.cursor == 0 {
                    return Edit::Moved;
                }
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
                Edit::Changed
            }
            InputKey::Delete => {
                if self.cursor >= len {
                    return Edit::Moved;
                }
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                Edit::Changed
            }
            InputKey::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                Edit::Moved
            }
            InputKey::Right => {
                self.cursor = (self.cursor + 1).min(len);
                Edit::Moved
            }
            InputKey::Home => {
                self.cursor = 0;
                Edit::Moved
            }
            InputKey::End => {
                self.cursor = len;
                Edit::Moved
            }
            InputKey::Clear => {
                self.text.clear();
                self.cursor = 0;
                Edit::Changed
            }
            InputKey::DeleteWord => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = start;
                Edit::Changed
            }
            InputKey::Submit => Edit::Submit,
            InputKey::Cancel => Edit::Cancel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> LineInput {
        let mut l = LineInput::default();
        for c in s.chars() {
            l.apply(InputKey::Char(c));
        }
        l
    }

    #[test]
    fn edits_in_the_middle_of_multibyte_text() {
        let mut l = typed("zoné");
        l.apply(InputKey::Left);
        l.apply(InputKey::Backspace);
        assert_eq!(l.text, "zoé");
        l.apply(InputKey::End);
        l.apply(InputKey::Char('s'));
        assert_eq!(l.text, "zoés");
        assert_eq!(l.cursor, 4);
    }

    #[test]
    fn delete_word_and_clear() {
        let mut l = typed("theme high-contrast");
        l.apply(InputKey::DeleteWord);
        assert_eq!(l.text, "theme ");
        l.apply(InputKey::Clear);
        assert_eq!(l, LineInput::default());
    }
}
