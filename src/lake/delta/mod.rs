//! Delta Lake tables beyond what the detail pane shows: the log read directly for a lazily
//! loaded history (`log`), the full detail of a table at a version (`info`), and the diff of two
//! versions with time travel (`diff`). Reads go through delta-rs where it has an API.

pub mod diff;
pub mod info;
pub mod log;
