//! Themes: named roles (`selection`, `zone`, `error`…) mapped to styles. Views ask for a role,
//! never for a colour. Built-in themes live in `themes/*.toml` and are compiled in; a file of the
//! same name in the user's config dir replaces one. `NO_COLOR` gives a monochrome theme that
//! keeps only bold / reverse / underline.

use std::collections::HashMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// What a piece of screen means; themes give each role a style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Normal,
    Dim,
    Title,
    Border,
    BorderFocus,
    Selection,
    SelectionInactive,
    Bucket,
    Zone,
    Folder,
    Delta,
    Parquet,
    Text,
    Unreadable,
    Error,
    Warning,
    Ok,
    StatusBar,
    Job,
    Key,
    Filter,
    Header,
    SqlKeyword,
    SqlString,
    SqlNumber,
    SqlComment,
    SqlFunction,
}

impl Role {
    pub const ALL: [Role; 27] = [
        Role::Normal,
        Role::Dim,
        Role::Title,
        Role::Border,
        Role::BorderFocus,
        Role::Selection,
        Role::SelectionInactive,
        Role::Bucket,
        Role::Zone,
        Role::Folder,
        Role::Delta,
        Role::Parquet,
        Role::Text,
        Role::Unreadable,
        Role::Error,
        Role::Warning,
        Role::Ok,
        Role::StatusBar,
        Role::Job,
        Role::Key,
        Role::Filter,
        Role::Header,
        Role::SqlKeyword,
        Role::SqlString,
        Role::SqlNumber,
        Role::SqlComment,
        Role::SqlFunction,
    ];
}

pub const BUILTIN_THEMES: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
];

#[derive(Debug, Clone, Deserialize)]
struct RawTheme {
    #[serde(default)]
    roles: HashMap<Role, RawStyle>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reverse: bool,
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    styles: HashMap<Role, Style>,
}

impl Theme {
    /// Parse a theme file. Roles it leaves out get an unstyled default.
    pub fn parse(name: &str, text: &str) -> Result<Theme, String> {
        let raw: RawTheme = toml::from_str(text).map_err(|e| format!("theme {name:?}: {}", e.message()))?;
        let mut styles = HashMap::new();
        for (role, rs) in raw.roles {
            let mut style = Style::default();
            if let Some(fg) = &rs.fg {
                style = style.fg(parse_color(fg).map_err(|e| format!("theme {name:?}, role {role:?}: {e}"))?);
            }
            if let Some(bg) = &rs.bg {
                style = style.bg(parse_color(bg).map_err(|e| format!("theme {name:?}, role {role:?}: {e}"))?);
            }
            style = style.add_modifier(modifiers(&rs));
            styles.insert(role, style);
        }
        Ok(Theme { name: name.to_string(), styles })
    }

    /// The built-in theme of that name.
    pub fn builtin(name: &str) -> Option<Theme> {
        BUILTIN_THEMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| Theme::parse(n, text).expect("built-in themes are valid"))
    }

    /// No colours at all (NO_COLOR): structure is carried by bold, reverse and underline.
    pub fn monochrome() -> Theme {
        let mut styles = HashMap::new();
        let m = |m: Modifier| Style::default().add_modifier(m);
        styles.insert(Role::Title, m(Modifier::BOLD));
        styles.insert(Role::BorderFocus, m(Modifier::BOLD));
        styles.insert(Role::Selection, m(Modifier::REVERSED));
        styles.insert(Role::SelectionInactive, m(Modifier::UNDERLINED));
        styles.insert(Role::Bucket, m(Modifier::BOLD));
        styles.insert(Role::Zone, m(Modifier::BOLD));
        styles.insert(Role::Error, m(Modifier::BOLD));
        styles.insert(Role::Warning, m(Modifier::BOLD));
        styles.insert(Role::StatusBar, m(Modifier::REVERSED));
        styles.insert(Role::Key, m(Modifier::BOLD));
        styles.insert(Role::Header, m(Modifier::UNDERLINED));
        styles.insert(Role::Filter, m(Modifier::UNDERLINED));
        styles.insert(Role::SqlKeyword, m(Modifier::BOLD));
        styles.insert(Role::SqlComment, m(Modifier::ITALIC));
        Theme { name: "no-color".to_string(), styles }
    }

    pub fn style(&self, role: Role) -> Style {
        self.styles.get(&role).copied().unwrap_or_default()
    }
}

fn modifiers(rs: &RawStyle) -> Modifier {
    let mut m = Modifier::empty();
    if rs.bold {
        m |= Modifier::BOLD;
    }
    if rs.dim {
        m |= Modifier::DIM;
    }
    if rs.italic {
        m |= Modifier::ITALIC;
    }
    if rs.underline {
        m |= Modifier::UNDERLINED;
    }
    if rs.reverse {
        m |= Modifier::REVERSED;
    }
    m
}

/// `red`, `lightcyan`, `#1e90ff`, `244` (256-colour index).
fn parse_color(text: &str) -> Result<Color, String> {
    Color::from_str(text).map_err(|_| format!("unknown colour {text:?} (use a name, #rrggbb or 0-255)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse_and_cover_every_role() {
        for (name, text) in BUILTIN_THEMES {
            let t = Theme::parse(name, text).unwrap();
            for role in Role::ALL {
                assert!(t.styles.contains_key(&role), "theme {name} misses {role:?}");
            }
        }
    }

    #[test]
    fn bad_colours_are_named() {
        let err = Theme::parse("x", "[roles]\nnormal = { fg = \"blurple\" }").unwrap_err();
        assert!(err.contains("blurple"), "{err}");
    }

    #[test]
    fn monochrome_has_no_colours() {
        let t = Theme::monochrome();
        for role in Role::ALL {
            let s = t.style(role);
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
    }
}
