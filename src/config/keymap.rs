//! Keymap as data: layers of `{ on = ["j", "down"], run = "down", desc = "…" }` entries, parsed
//! from the embedded defaults and the user's config. Lookups turn a crossterm key event into an
//! `Intent`; the help overlay and the status-bar hints are generated from the same entries.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use crate::event::Intent;

/// Where a binding applies. `Global` bindings apply everywhere unless a layer overrides the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Global,
    Browser,
    Inspector,
    History,
    Diagnostics,
    /// Typing in the SQL editor: only these bindings apply (no global keys: `q` is a letter).
    SqlEditor,
    SqlResults,
    Help,
    /// The requests panel.
    Requests,
    /// A write's plan, progress and outcome (compaction, vacuum, convert).
    Write,
}

impl Layer {
    /// Every layer, in the order defaults are listed.
    pub const ALL: [Layer; 10] = [
        Layer::Global,
        Layer::Browser,
        Layer::Inspector,
        Layer::History,
        Layer::Diagnostics,
        Layer::SqlEditor,
        Layer::SqlResults,
        Layer::Help,
        Layer::Requests,
        Layer::Write,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Layer::Global => "everywhere",
            Layer::Browser => "browser",
            Layer::Inspector => "Parquet inspector",
            Layer::History => "Delta history",
            Layer::Diagnostics => "diagnostics",
            Layer::SqlEditor => "SQL editor",
            Layer::SqlResults => "SQL results",
            Layer::Help => "help",
            Layer::Requests => "requests panel",
            Layer::Write => "compaction, vacuum, convert",
        }
    }
}

/// One key with its modifiers, as written in the keymap (`ctrl-c`, `G`, `pgdn`, `?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeyCombo {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 1 && (lower.starts_with("ctrl-") || lower.starts_with("c-")) {
                ctrl = true;
                rest = &rest[rest.find('-').map(|i| i + 1).unwrap_or(0)..];
            } else if rest.len() > 1 && (lower.starts_with("alt-") || lower.starts_with("a-")) {
                alt = true;
                rest = &rest[rest.find('-').map(|i| i + 1).unwrap_or(0)..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" | "cr" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "backspace" | "bs" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().map_err(|_| format!("bad function key {text:?}"))?)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
                    _ => return Err(format!("unknown key {text:?}")),
                }
            }
        };
        Ok(KeyCombo { code, ctrl, alt })
    }

    /// Does this combo match a key event? Shift is implied by the character itself (`G`, `?`).
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        if ctrl != self.ctrl || alt != self.alt {
            return false;
        }
        match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                if self.ctrl {
                    a.eq_ignore_ascii_case(&b)
                } else {
                    a == b
                }
            }
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for KeyCombo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            write!(f, "C-")?;
        }
        if self.alt {
            write!(f, "A-")?;
        }
        match self.code {
            KeyCode::Char(' ') => write!(f, "space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => write!(f, "enter"),
            KeyCode::Esc => write!(f, "esc"),
            KeyCode::Tab => write!(f, "tab"),
            KeyCode::BackTab => write!(f, "S-tab"),
            KeyCode::Backspace => write!(f, "bksp"),
            KeyCode::Delete => write!(f, "del"),
            KeyCode::Up => write!(f, "up"),
            KeyCode::Down => write!(f, "down"),
            KeyCode::Left => write!(f, "left"),
            KeyCode::Right => write!(f, "right"),
            KeyCode::Home => write!(f, "home"),
            KeyCode::End => write!(f, "end"),
            KeyCode::PageUp => write!(f, "pgup"),
            KeyCode::PageDown => write!(f, "pgdn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A keymap entry as written in TOML.
#[derive(Debug, Clone, Deserialize)]
pub struct RawBinding {
    pub on: OneOrMany,
    pub run: Intent,
    #[serde(default)]
    pub desc: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn keys(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// A parsed binding.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub keys: Vec<KeyCombo>,
    pub action: Intent,
    pub desc: String,
}

/// All bindings, per layer, in the order they are listed (user entries first).
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    pub layers: Vec<(Layer, Vec<Binding>)>,
}

impl Keymap {
    /// Build a keymap from default entries and user entries; a user entry takes over every key
    /// it names from the defaults of the same layer.
    pub fn build(defaults: &[(Layer, Vec<RawBinding>)], user: &[(Layer, Vec<RawBinding>)]) -> Result<Keymap, String> {
        let mut layers: Vec<(Layer, Vec<Binding>)> = Vec::new();
        for (layer, raws) in defaults {
            let parsed = parse_all(raws)?;
            layers.push((*layer, parsed));
        }
        for (layer, raws) in user {
            let parsed = parse_all(raws)?;
            let slot = match layers.iter().position(|(l, _)| l == layer) {
                Some(i) => i,
                None => {
                    layers.push((*layer, Vec::new()));
                    layers.len() - 1
                }
            };
            let taken: Vec<KeyCombo> = parsed.iter().flat_map(|b| b.keys.clone()).collect();
            let existing = &mut layers[slot].1;
            for b in existing.iter_mut() {
                b.keys.retain(|k| !taken.contains(k));
            }
            existing.retain(|b| !b.keys.is_empty());
            let mut merged = parsed;
            merged.append(existing);
            layers[slot].1 = merged;
        }
        Ok(Keymap { layers })
    }

    pub fn bindings(&self, layer: Layer) -> &[Binding] {
        self.layers.iter().find(|(l, _)| *l == layer).map(|(_, b)| b.as_slice()).unwrap_or(&[])
    }

    /// The action for a key in a layer only (the SQL editor: other keys are text).
    pub fn lookup_only(&self, layer: Layer, ev: &KeyEvent) -> Option<Intent> {
        self.bindings(layer).iter().find(|b| b.keys.iter().any(|k| k.matches(ev))).map(|b| b.action)
    }

    /// The action for a key in a layer, falling back to the global layer.
    pub fn lookup(&self, layer: Layer, ev: &KeyEvent) -> Option<Intent> {
        let find = |l: Layer| self.bindings(l).iter().find(|b| b.keys.iter().any(|k| k.matches(ev))).map(|b| b.action);
        find(layer).or_else(|| if layer == Layer::Global { None } else { find(Layer::Global) })
    }

    /// The first key bound to `action` in `layer` (or globally), for hints: `?`, `/`.
    pub fn key_for(&self, layer: Layer, action: Intent) -> Option<KeyCombo> {
        [layer, Layer::Global]
            .iter()
            .flat_map(|l| self.bindings(*l).iter())
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first().copied())
    }
}

fn parse_all(raws: &[RawBinding]) -> Result<Vec<Binding>, String> {
    raws.iter()
        .map(|r| {
            let keys = r.on.keys().into_iter().map(KeyCombo::parse).collect::<Result<Vec<_>, _>>()?;
            Ok(Binding { keys, action: r.run, desc: r.desc.clone() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn combos_match() {
        for (text, code, mods, expect) in [
            ("j", KeyCode::Char('j'), KeyModifiers::NONE, true),
            ("G", KeyCode::Char('G'), KeyModifiers::SHIFT, true),
            ("?", KeyCode::Char('?'), KeyModifiers::SHIFT, true),
            ("ctrl-c", KeyCode::Char('c'), KeyModifiers::CONTROL, true),
            ("ctrl-c", KeyCode::Char('c'), KeyModifiers::NONE, false),
            ("c", KeyCode::Char('c'), KeyModifiers::CONTROL, false),
            ("pgdn", KeyCode::PageDown, KeyModifiers::NONE, true),
            ("f5", KeyCode::F(5), KeyModifiers::NONE, true),
        ] {
            assert_eq!(KeyCombo::parse(text).unwrap().matches(&key(code, mods)), expect, "{text} {mods:?}");
        }
    }

    #[test]
    fn unknown_keys_are_reported() {
        assert!(KeyCombo::parse("hyper-x").unwrap_err().contains("unknown key"));
    }

    #[test]
    fn user_entries_take_keys_from_defaults() {
        let raw = |on: &str, run: Intent| RawBinding { on: OneOrMany::One(on.into()), run, desc: String::new() };
        let defaults = vec![(Layer::Browser, vec![raw("j", Intent::Down), raw("k", Intent::Up)])];
        let user = vec![(Layer::Browser, vec![raw("j", Intent::Up)])];
        let km = Keymap::build(&defaults, &user).unwrap();
        let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(km.lookup(Layer::Browser, &j), Some(Intent::Up));
        assert_eq!(km.bindings(Layer::Browser).len(), 2);
    }
}
