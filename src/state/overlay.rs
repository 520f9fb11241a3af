//! The small layers over any view: the help overlay (scrolls, closes with esc / q / ?), the
//! requests panel (scrolls, closes with esc / q / i), and the one-line prompts on the status
//! line — the `/` filter of the browser's column and the `:` command line.

use super::input::{Edit, LineInput};
use super::screen::{HelpView, Prompt, PromptKind, Screen};
use super::{AppState, Flow, run_command, step_of};
use crate::event::{Input, Intent};

/// Lines a page of help or requests moves.
const PAGE: isize = 10;

fn scroll_u16(scroll: &mut u16, intent: Intent) {
    let step = match intent {
        Intent::PageUp => -PAGE,
        Intent::PageDown => PAGE,
        other => step_of(other, PAGE as usize).clamp(-10_000, 10_000),
    };
    *scroll = (*scroll as isize + step).clamp(0, u16::MAX as isize) as u16;
}

pub fn help_input(v: &mut HelpView, input: &Input) -> Flow {
    match input {
        Input::Intent(Intent::Cancel | Intent::Help | Intent::Back) => Flow::Close(Vec::new()),
        Input::Intent(i) if super::is_movement(*i) => {
            scroll_u16(&mut v.scroll, *i);
            Flow::done()
        }
        _ => Flow::Pass,
    }
}

pub fn requests_input(scroll: &mut u16, input: &Input) -> Flow {
    match input {
        Input::Intent(Intent::Cancel | Intent::Requests | Intent::Back) => Flow::Close(Vec::new()),
        Input::Intent(i) if super::is_movement(*i) => {
            scroll_u16(scroll, *i);
            Flow::done()
        }
        _ => Flow::Pass,
    }
}

/// `/`: edit the current column's filter (the kept one, to change it; `esc` puts it back).
pub fn open_filter(state: &mut AppState) {
    let before = state.nav.current().filter.clone();
    let selected = !before.is_empty();
    let input = LineInput::with_text(&before);
    state.push(Screen::Prompt(Prompt { kind: PromptKind::Filter { before }, input, selected }));
}

/// `:` with `text` typed already.
pub fn open_command(state: &mut AppState, text: &str) {
    state.push(Screen::Prompt(Prompt {
        kind: PromptKind::Command,
        input: LineInput::with_text(text),
        selected: false,
    }));
}

pub fn prompt_input(p: &mut Prompt, state: &mut AppState, input: &Input) -> Flow {
    let key = match input {
        Input::Line(k) => *k,
        // Keys that are not text (a resize, a bound key while typing) change nothing.
        _ => return Flow::done(),
    };
    // A kept filter shown selected: the first character typed starts a new one.
    if std::mem::take(&mut p.selected) && matches!(key, crate::event::InputKey::Char(_)) {
        p.input = LineInput::default();
    }
    let edit = p.input.apply(key);
    let rows = state.list_rows();
    let complete = !state.discovering;
    match (&p.kind, edit) {
        (PromptKind::Filter { .. }, Edit::Changed) => {
            state.nav.set_filter(&state.catalog, &p.input.text, rows, complete);
            Flow::done()
        }
        (PromptKind::Filter { .. }, Edit::Submit) => Flow::Close(Vec::new()),
        (PromptKind::Filter { before }, Edit::Cancel) => {
            state.nav.set_filter(&state.catalog, before, rows, complete);
            Flow::Close(Vec::new())
        }
        (PromptKind::Command, Edit::Submit) => {
            let cmd = std::mem::take(&mut p.input.text);
            Flow::Close(run_command(state, &cmd))
        }
        (PromptKind::Command, Edit::Cancel) => Flow::Close(Vec::new()),
        (_, Edit::Changed | Edit::Moved) => Flow::done(),
    }
}
