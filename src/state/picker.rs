//! The lake picker shown by `lakescope` without a root: the lakes named in the config, a cursor,
//! and what the user chose. Plain data; the keys arrive as `Intent`s from the keymap.

use crate::event::Intent;

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
    pub fn update(&mut self, intent: Intent) -> Picked {
        let last = self.entries.len().saturating_sub(1);
        match intent {
            Intent::Down => self.cursor = (self.cursor + 1).min(last),
            Intent::Up => self.cursor = self.cursor.saturating_sub(1),
            Intent::Top => self.cursor = 0,
            Intent::Bottom => self.cursor = last,
            Intent::Enter => {
                if let Some(e) = self.entries.get(self.cursor) {
                    return Picked::Lake(e.name.clone());
                }
            }
            Intent::Quit | Intent::Cancel | Intent::Back => return Picked::Quit,
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
        assert_eq!(p.update(Intent::Down), Picked::Open);
        assert_eq!(p.update(Intent::Enter), Picked::Lake("prod".into()));
        p.update(Intent::Bottom);
        p.update(Intent::Down);
        assert_eq!(p.cursor, 2, "clamped");
        assert_eq!(p.update(Intent::Cancel), Picked::Quit);
    }
}
