//! Views: functions that borrow the state, the theme and the keymap and draw a frame. They do
//! no I/O and change nothing; lists draw only their visible rows.
//!
//! Layout: a title bar, the body and a status bar. The body is the topmost full-screen view of
//! the screen stack (the browser's miller columns when none is open); overlays (a write's plan,
//! help, the requests panel) are drawn over it in the stack's order, and a prompt takes the
//! status line.

pub mod browser;
pub mod detail;
pub mod diag;
pub mod history;
pub mod inspector;
pub mod picker;
pub mod popups;
pub mod sql;
pub mod status;
pub mod write;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::border;
use ratatui::widgets::{Block, BorderType, Borders};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::config::keymap::Keymap;
use crate::config::theme::{Role, Theme};
use crate::lake::{Node, NodeKind, TableFormat};
use crate::state::{AppState, Screen};

/// What a view needs, borrowed.
pub struct View<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
}

impl View<'_> {
    pub fn style(&self, role: Role) -> ratatui::style::Style {
        self.theme.style(role)
    }

    pub fn glyphs(&self) -> &'static Glyphs {
        if self.state.ascii { &ASCII } else { &UNICODE }
    }

    /// A bordered block with a title, highlighted when it has focus.
    pub fn block(&self, title: &str, focused: bool) -> Block<'static> {
        Self::bordered(self.theme, self.state.ascii, title, focused)
    }

    /// The same block, for views drawn without an app state (the lake picker).
    pub fn bordered(theme: &Theme, ascii: bool, title: &str, focused: bool) -> Block<'static> {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(if focused { Role::BorderFocus } else { Role::Border }))
            .title(format!(" {title} "))
            .title_style(theme.style(if focused { Role::Title } else { Role::Normal }));
        if ascii { block.border_set(ASCII_BORDER) } else { block.border_type(BorderType::Rounded) }
    }
}

/// The few non-ASCII characters lakescope draws, with their `--ascii` stand-ins.
pub struct Glyphs {
    pub spinner: &'static [&'static str],
    /// Between levels of a path: `acme-lake › silver`.
    pub separator: &'static str,
    /// Between facts on one line: `23 files · 91.7 KiB`.
    pub dot: &'static str,
    pub ellipsis: &'static str,
}

static UNICODE: Glyphs = Glyphs {
    spinner: &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"],
    separator: " › ",
    dot: " · ",
    ellipsis: "…",
};
static ASCII: Glyphs = Glyphs { spinner: &["|", "/", "-", "\\"], separator: " > ", dot: " - ", ellipsis: "~" };

const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, view: &View) {
    let area = frame.area();
    let [title, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(area);
    status::title_bar(frame, title, view);
    match view.state.body() {
        Some(Screen::Sql) => sql::draw(frame, body, view, &view.state.sql),
        Some(Screen::Diag(d)) => diag::draw(frame, body, view, d),
        Some(Screen::History(h)) => history::draw(frame, body, view, h),
        Some(Screen::Inspector(ins)) => inspector::draw(frame, body, view, ins),
        _ => browser::columns(frame, body, view),
    }
    status::status_bar(frame, status, view);
    for screen in view.state.screens.iter().filter(|s| s.is_overlay()) {
        match screen {
            Screen::Write(m) => write::draw(frame, centered(area, 96, 90), view, m),
            Screen::Help(h) => popups::help(frame, centered(area, 90, 90), view, h),
            Screen::Requests { scroll } => popups::requests(frame, centered(area, 94, 90), view, *scroll),
            _ => {}
        }
    }
}

/// The keymap layer whose keys work in a state layer.
pub fn keymap_layer(layer: crate::state::Layer) -> crate::config::keymap::Layer {
    use crate::config::keymap::Layer as K;
    use crate::state::Layer as L;
    match layer {
        L::Browser | L::Prompt => K::Browser,
        L::Inspector => K::Inspector,
        L::History => K::History,
        L::Diagnostics => K::Diagnostics,
        L::SqlEditor | L::SqlLine => K::SqlEditor,
        L::SqlResults => K::SqlResults,
        L::Write => K::Write,
        L::Help => K::Help,
        L::Requests => K::Requests,
    }
}

/// A rectangle of `pct_w` x `pct_h` percent centred in `area`.
pub fn centered(area: Rect, pct_w: u16, pct_h: u16) -> Rect {
    let w = (area.width as u32 * pct_w as u32 / 100) as u16;
    let h = (area.height as u32 * pct_h as u32 / 100) as u16;
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

pub use crate::lake::units::truncate;

/// Cut the start of `s` (for paths: the end is what matters).
pub fn truncate_left(s: &str, width: usize, ellipsis: &str) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let budget = width.saturating_sub(ellipsis.width());
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        tail.push(c);
        used += w;
    }
    let mut out = ellipsis.to_string();
    out.extend(tail.into_iter().rev());
    out
}

/// The role a catalog entry's name is drawn in.
pub fn node_role(node: &Node) -> Role {
    match node.kind {
        NodeKind::Bucket => Role::Bucket,
        NodeKind::Zone => Role::Zone,
        NodeKind::Folder => Role::Folder,
        NodeKind::Table => match node.table.as_ref().map(|t| t.format) {
            Some(TableFormat::Delta) => Role::Delta,
            Some(TableFormat::Parquet) => Role::Parquet,
            Some(TableFormat::Csv | TableFormat::Json | TableFormat::NdJson) => Role::Text,
            _ => Role::Unreadable,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_cell_width() {
        assert_eq!(truncate("silver_orders", 8, "…"), "silver_…");
        assert_eq!(truncate("short", 8, "…"), "short");
        assert_eq!(truncate("日本語テーブル", 6, "~"), "日本~");
        assert_eq!(truncate_left("/data/lake/silver", 10, "…"), "…ke/silver");
    }
}
