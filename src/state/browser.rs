//! Miller-column navigation over a catalog: a stack of levels (buckets, then the children of
//! the selected bucket, and so on), each with its cursor, scroll offset and filter.
//!
//! Levels are addressed by the display names leading to them, not by node ids, because every
//! discovery snapshot is a fresh catalog: after a snapshot, `sync` finds each level again and
//! keeps the selection on the same name.

use std::collections::HashMap;

use crate::lake::{Catalog, NodeId};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Level {
    /// Names from the bucket down to this level's parent (empty: the bucket list).
    pub path: Vec<String>,
    /// Index into the filtered entries.
    pub cursor: usize,
    /// Name of the selected entry, to find it again after a new snapshot.
    pub selected: Option<String>,
    pub filter: String,
    /// First entry shown (the list scrolls to keep the cursor visible).
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nav {
    pub levels: Vec<Level>,
    /// The entry last selected in each visited level, so going back and forth keeps it.
    remembered: HashMap<Vec<String>, String>,
}

impl Default for Nav {
    fn default() -> Self {
        Nav { levels: vec![Level::default()], remembered: HashMap::new() }
    }
}

/// Does an entry pass a column filter? A case-insensitive substring of its name, or else the
/// filter's characters in order along its path from the bucket (`slvord` finds `orders` in
/// `acme-lake/silver`).
pub fn matches_filter(name: &str, path: &[String], filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let filter = filter.to_lowercase();
    if name.to_lowercase().contains(&filter) {
        return true;
    }
    let full: String = path.iter().map(String::as_str).chain([name]).collect::<Vec<_>>().join("/").to_lowercase();
    let mut chars = full.chars();
    filter.chars().all(|f| chars.any(|c| c == f))
}

impl Nav {
    pub fn current(&self) -> &Level {
        self.levels.last().expect("nav always has a level")
    }

    pub fn current_mut(&mut self) -> &mut Level {
        self.levels.last_mut().expect("nav always has a level")
    }

    pub fn depth(&self) -> usize {
        self.levels.len()
    }

    /// The node whose children a level lists: `Some(None)` is the lake root (buckets).
    pub fn parent_of(catalog: &Catalog, level: &Level) -> Option<Option<NodeId>> {
        if level.path.is_empty() {
            return Some(None);
        }
        catalog.find_by_names(&level.path).map(Some)
    }

    /// The entries a level shows, after its filter.
    pub fn entries(catalog: &Catalog, level: &Level) -> Vec<NodeId> {
        let Some(parent) = Self::parent_of(catalog, level) else { return Vec::new() };
        catalog
            .children(parent)
            .iter()
            .copied()
            .filter(|id| matches_filter(&catalog.node(*id).name, &level.path, &level.filter))
            .collect()
    }

    pub fn selected(&self, catalog: &Catalog) -> Option<NodeId> {
        Self::entries(catalog, self.current()).get(self.current().cursor).copied()
    }

    /// The entry selected in level `i` (the column to the left of level `i + 1`).
    pub fn selected_at(&self, catalog: &Catalog, i: usize) -> Option<NodeId> {
        let level = self.levels.get(i)?;
        Self::entries(catalog, level).get(level.cursor).copied()
    }

    /// Re-find every level in a new catalog, keeping each selection on the same name when it
    /// exists. While a listing is still running (`complete` false) an entry may just not be
    /// listed yet: levels and selections wait for it instead of jumping elsewhere. Once it is
    /// complete, levels whose parent disappeared are dropped and a vanished selection moves to
    /// its neighbour.
    pub fn sync(&mut self, catalog: &Catalog, visible_rows: usize, complete: bool) {
        if complete {
            let mut keep = self.levels.len();
            for (i, level) in self.levels.iter().enumerate() {
                if i > 0 && Self::parent_of(catalog, level).is_none() {
                    keep = i;
                    break;
                }
            }
            self.levels.truncate(keep.max(1));
        }
        for i in 0..self.levels.len() {
            let entries = Self::entries(catalog, &self.levels[i]);
            let level = &mut self.levels[i];
            let found =
                level.selected.as_ref().and_then(|name| entries.iter().position(|id| &catalog.node(*id).name == name));
            if let Some(pos) = found {
                level.cursor = pos;
            }
            level.cursor = level.cursor.min(entries.len().saturating_sub(1));
            // An empty column (a filter matching nothing, a listing not there yet) keeps the name
            // to come back to.
            if found.is_none() && !entries.is_empty() && (complete || level.selected.is_none()) {
                level.selected = entries.get(level.cursor).map(|id| catalog.node(*id).name.clone());
            }
            scroll_into_view(level, visible_rows);
        }
    }

    /// Move the cursor of the current level by `delta` (clamped) or to an absolute index.
    pub fn move_to(&mut self, catalog: &Catalog, target: isize, visible_rows: usize) {
        let entries = Self::entries(catalog, self.current());
        let level = self.current_mut();
        if entries.is_empty() {
            level.cursor = 0;
            level.selected = None;
            return;
        }
        let max = entries.len() as isize - 1;
        level.cursor = target.clamp(0, max) as usize;
        level.selected = Some(catalog.node(entries[level.cursor]).name.clone());
        scroll_into_view(level, visible_rows);
    }

    pub fn move_by(&mut self, catalog: &Catalog, delta: isize, visible_rows: usize) {
        let cur = self.current().cursor as isize;
        self.move_to(catalog, cur + delta, visible_rows);
    }

    /// Open the selected entry as a new level (it must have children to show).
    pub fn descend(&mut self, catalog: &Catalog, visible_rows: usize, complete: bool) -> bool {
        let Some(id) = self.selected(catalog) else { return false };
        let node = catalog.node(id);
        if node.is_table() {
            return false;
        }
        let path = catalog.names_to(id);
        let selected = self.remembered.get(&path).cloned();
        self.levels.push(Level { path, cursor: 0, selected, filter: String::new(), offset: 0 });
        self.sync(catalog, visible_rows, complete);
        true
    }

    /// Back to the parent level, remembering where we were.
    pub fn ascend(&mut self) -> bool {
        if self.levels.len() <= 1 {
            return false;
        }
        let level = self.levels.pop().expect("checked length");
        if let Some(sel) = level.selected {
            self.remembered.insert(level.path, sel);
        }
        true
    }

    /// Set the current level's filter.
    pub fn set_filter(&mut self, catalog: &Catalog, filter: &str, visible_rows: usize, complete: bool) {
        let level = self.current_mut();
        if level.filter == filter {
            return;
        }
        level.filter = filter.to_string();
        level.cursor = 0;
        level.offset = 0;
        // The selection stays when it still matches (and comes back when the filter is
        // cleared); otherwise the first match is selected.
        self.sync(catalog, visible_rows, complete);
    }

    /// Jump to a path of names (`:cd acme-lake/silver/orders`): opens each level on the way and
    /// selects the last name. Returns false (and leaves nav unchanged) if a name is missing.
    pub fn jump(&mut self, catalog: &Catalog, names: &[String], visible_rows: usize) -> bool {
        let Some(target) = (if names.is_empty() { None } else { catalog.resolve(names) }) else {
            return false;
        };
        let names = catalog.names_to(target);
        let mut levels = Vec::new();
        for i in 0..names.len() {
            levels.push(Level {
                path: names[..i].to_vec(),
                cursor: 0,
                selected: Some(names[i].clone()),
                filter: String::new(),
                offset: 0,
            });
        }
        self.levels = levels;
        self.sync(catalog, visible_rows, true);
        true
    }
}

/// Keep the cursor inside the visible window of a level.
pub fn scroll_into_view(level: &mut Level, visible_rows: usize) {
    let rows = visible_rows.max(1);
    if level.cursor < level.offset {
        level.offset = level.cursor;
    } else if level.cursor >= level.offset + rows {
        level.offset = level.cursor + 1 - rows;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_by_substring_then_letters_in_order_along_the_path() {
        let silver = vec!["acme-lake".to_string(), "silver".to_string()];
        assert!(matches_filter("orders", &silver, "ORD"));
        // The README's example, typed in the silver column.
        assert!(matches_filter("orders", &silver, "slvord"));
        assert!(!matches_filter("customers", &silver, "slvord"));
        assert!(!matches_filter("orders", &silver, "gold"));
        assert!(matches_filter("anything", &[], ""));
    }

    #[test]
    fn scrolling_keeps_cursor_visible() {
        let mut l = Level { cursor: 12, ..Level::default() };
        scroll_into_view(&mut l, 5);
        assert_eq!(l.offset, 8);
        l.cursor = 3;
        scroll_into_view(&mut l, 5);
        assert_eq!(l.offset, 3);
    }
}
