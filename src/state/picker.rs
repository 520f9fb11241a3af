//! The lake picker shown by `lakescope` without a root: the lakes named in the config, a cursor,
//! and what the user chose. Plain data; the keys arrive as `Action`s from the keymap.

use crate::action::Action;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerEntry {
    pub name: String,
    pub url: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Picker {
    pub entries: Vec<PickerEntry>,
    pub cursor: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked {
    /// Still choosing.
    Open,
    Lake(String),
    Quit,
}

impl Picker {
    pub fn update(&mut self, action: Action) -> Picked {
        let last = self.entries.len().saturating_sub(1);
        match action {
            Action::Down => self.cursor = (self.cursor + 1).min(last),
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Top => self.cursor = 0,
            Action::Bottom => self.cursor = last,
            Action::Enter => {
                if let Some(e) = self.entries.get(self.cursor) {
                    return Picked::Lake(e.name.clone());
                }
            }
            Action::Quit | Action::Cancel | Action::Back => return Picked::Quit,
            _ => {}
        }
        Picked::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picker() -> Picker {
        let e = |n: &str| PickerEntry { name: n.into(), url: format!("s3://{n}"), note: String::new() };
        Picker { entries: vec![e("dev"), e("prod"), e("sandbox")], cursor: 0 }
    }

    #[test]
    fn moves_and_chooses() {
        let mut p = picker();
        assert_eq!(p.update(Action::Down), Picked::Open);
        assert_eq!(p.update(Action::Enter), Picked::Lake("prod".into()));
        p.update(Action::Bottom);
        p.update(Action::Down);
        assert_eq!(p.cursor, 2, "clamped");
        assert_eq!(p.update(Action::Cancel), Picked::Quit);
    }
}
