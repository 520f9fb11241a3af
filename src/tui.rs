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
    let app = App::new(store, config, no_color)?;
    let mut terminal = ratatui::init();
    let _guard = TerminalGuard;
    app.run(&mut terminal).await?;
    Ok(())
}
