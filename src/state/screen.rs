//! The screen stack: which views are open above the browser, in the order they were opened. One
//! place decides which layer is on top (`layer`); key routing, `update`, drawing and the status
//! bar all ask it. A view is one `Screen` variant with its own state, and its module handles its
//! input, its job reports and the end of its jobs.
//!
//! The rules, the same in every view: `esc` goes back one layer (cancelling what the layer runs
//! first); `:` opens the command line; `?` shows help for the current layer first; `q` quits.

use super::diag::DiagView;
use super::history::HistoryView;
use super::input::LineInput;
use super::inspector::Inspector;
use super::sql::SqlFocus;
use super::write::WriteView;

/// What has the keyboard: the top of the stack, or the browser under everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Browser,
    Inspector,
    History,
    Diagnostics,
    SqlEditor,
    SqlResults,
    /// The SQL pane's history search or result filter line.
    SqlLine,
    /// A write's plan, progress or outcome.
    Write,
    Help,
    Requests,
    /// The `/` filter or the `:` command line.
    Prompt,
}

impl Layer {
    /// Layers the user types text into: their letters are text, not keys.
    pub fn takes_text(self) -> bool {
        matches!(self, Layer::SqlEditor | Layer::SqlLine | Layer::Prompt)
    }
}

/// The help overlay: where it was opened from (listed first) and how far it is scrolled.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpView {
    pub under: Layer,
    pub scroll: u16,
}

/// A one-line prompt on the status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: LineInput,
    /// The text shown is the kept filter, selected: typing replaces it, editing keys edit it.
    pub selected: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PromptKind {
    /// `/`: filter the current column as you type; `before` is the filter to go back to on esc.
    Filter { before: String },
    /// `:`: a command, run on enter.
    Command,
}

/// An open view.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Inspector(Box<Inspector>),
    History(Box<HistoryView>),
    Diag(Box<DiagView>),
    /// The SQL pane (its text and result live in `AppState::sql`, kept when it closes).
    Sql,
    Write(Box<WriteView>),
    Help(HelpView),
    Requests {
        scroll: u16,
    },
    Prompt(Prompt),
}

impl Screen {
    /// The layer this screen gives the keyboard to.
    pub fn layer(&self, sql_focus: SqlFocus, sql_line: bool) -> Layer {
        match self {
            Screen::Inspector(_) => Layer::Inspector,
            Screen::History(_) => Layer::History,
            Screen::Diag(_) => Layer::Diagnostics,
            Screen::Sql if sql_line => Layer::SqlLine,
            Screen::Sql => match sql_focus {
                SqlFocus::Editor => Layer::SqlEditor,
                SqlFocus::Results => Layer::SqlResults,
            },
            Screen::Write(_) => Layer::Write,
            Screen::Help(_) => Layer::Help,
            Screen::Requests { .. } => Layer::Requests,
            Screen::Prompt(_) => Layer::Prompt,
        }
    }

    /// Drawn over the view below it rather than in its place.
    pub fn is_overlay(&self) -> bool {
        matches!(self, Screen::Write(_) | Screen::Help(_) | Screen::Requests { .. } | Screen::Prompt(_))
    }

    /// Two screens of one kind are never open at once: opening one again replaces it.
    pub fn same_kind(&self, other: &Screen) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}
