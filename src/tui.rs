//! Running the app in a real terminal: raw mode, the alternate screen and (unless `--no-mouse`)
//! mouse capture on the way in, and the terminal restored on every way out — normal quit,
//! error, or panic (the panic hook restores before the message prints). Frames go through
//! [`Shifting`], which lets the terminal scroll moved lines.

use std::io::Stdout;

use crossterm::event::{self, Event, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::backend::Shifting;

use crate::app::App;
use crate::config::keymap::Layer;
use crate::config::{self, Config};
use crate::lake::LakeStore;
use crate::state::picker::{Picked, Picker, PickerEntry};

/// The terminal the app draws on.
pub type Term = Terminal<Shifting<CrosstermBackend<Stdout>>>;

/// Restores the terminal when dropped, so an early return or `?` cannot leave it raw.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Mouse capture off (harmless when it was never on), the cursor shown, then raw mode off and
/// the alternate screen left.
pub fn restore() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture, crossterm::cursor::Show);
    ratatui::restore();
}

/// Raw mode, the alternate screen, mouse capture if asked, and a panic hook that restores the
/// terminal before the message prints.
fn init(mouse: bool, scroll_regions: bool) -> std::io::Result<Term> {
    // Once per process: the picker and then the browser both start a terminal.
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
    crossterm::terminal::enable_raw_mode()?;
    let mut out = std::io::stdout();
    crossterm::execute!(out, crossterm::terminal::EnterAlternateScreen)?;
    if mouse {
        crossterm::execute!(out, crossterm::event::EnableMouseCapture)?;
    }
    let backend = Shifting::new(CrosstermBackend::new(out));
    let backend = if scroll_regions { backend } else { backend.without_scrolling() };
    Terminal::new(backend)
}

pub async fn run(store: LakeStore, config: Config, no_color: bool) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the lake browser needs a terminal (stdin and stdout must be a TTY); for scripts use `lakescope tables ROOT --json` or `lakescope ls ROOT --json`"
        );
    }
    let (mouse, scroll_regions) = (config.mouse, config.scroll_regions);
    let app = App::new(store, config, no_color)?;
    // The guard exists before raw mode is switched on, so a half-done setup is undone too.
    let _guard = TerminalGuard;
    let mut terminal = init(mouse, scroll_regions).map_err(|e| anyhow::anyhow!("cannot set up the terminal: {e}"))?;
    keep_terminal_for_job_panics();
    app.run(&mut terminal).await?;
    Ok(())
}

/// ratatui's panic hook restores the terminal on any panic. A panic in a job (a worker thread)
/// is caught and shown as an error while the app goes on, so it must neither tear the terminal
/// down nor print over the screen; a panic on the UI thread still restores before printing.
fn keep_terminal_for_job_panics() {
    let restore_and_report = std::panic::take_hook();
    let ui_thread = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui_thread {
            restore_and_report(info);
        }
    }));
}

/// Let the user choose one of the configured lakes; `None` when they quit.
pub fn pick_lake(config: &Config, no_color: bool) -> anyhow::Result<Option<String>> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!("choosing a lake needs a terminal; name one: `lakescope NAME` (see `lakescope lakes`)");
    }
    let theme = config::load_theme(&config.theme, no_color)?;
    let mut picker = Picker {
        entries: config
            .lakes
            .iter()
            .map(|(name, l)| PickerEntry {
                name: name.clone(),
                url: l.url.clone(),
                note: format!(
                    "{}{}",
                    if l.read_only { "read-only  " } else { "" },
                    l.description.clone().unwrap_or_default()
                ),
            })
            .collect(),
        cursor: 0,
    };
    let _guard = TerminalGuard;
    let mut terminal =
        init(false, config.scroll_regions).map_err(|e| anyhow::anyhow!("cannot set up the terminal: {e}"))?;
    loop {
        terminal.draw(|f| crate::ui::picker::draw(f, &picker, &theme, config.ascii))?;
        let Event::Key(key) = event::read()? else { continue };
        if key.kind != KeyEventKind::Press {
            continue;
        }
        let Some(action) = config.keymap.lookup(Layer::Browser, &key) else { continue };
        match picker.update(action) {
            Picked::Open => {}
            Picked::Lake(name) => return Ok(Some(name)),
            Picked::Quit => return Ok(None),
        }
    }
}
