//! Running the app in a real terminal: raw mode and the alternate screen on the way in, and the
//! terminal restored on every way out — normal quit, error, or panic (ratatui's panic hook
//! restores before the message prints).

use crate::app::App;
use crate::config::Config;
use crate::lake::LakeStore;

/// Restores the terminal when dropped, so an early return or `?` cannot leave it raw.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

pub async fn run(store: LakeStore, config: Config, no_color: bool) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the lake browser needs a terminal (stdin and stdout must be a TTY); for scripts use `lakescope tables ROOT --json` or `lakescope ls ROOT --json`"
        );
    }
    let app = App::new(store, config, no_color)?;
    // The guard exists before raw mode is switched on, so a half-done setup is undone too.
    let _guard = TerminalGuard;
    let mut terminal = ratatui::try_init().map_err(|e| anyhow::anyhow!("cannot set up the terminal: {e}"))?;
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
