//! lakescope: a terminal lake explorer. The library holds everything (the binary is a thin CLI
//! over it) so tests and benchmarks drive the same code the terminal does.
//!
//! Layers, in the direction data flows: `lake` (UI-free domain: stores, discovery, tables),
//! `event` (what the user asks and what jobs report), `jobs` (slow work as cancellable tasks
//! reporting messages), `state` (plain data, the screen stack and `update`), `ui` (views that
//! borrow state), `app` (the loop tying them together), `backend` (what reaches the terminal),
//! `report` (text shared by the CLI and the views) and `cli`.

pub mod app;
pub mod backend;
pub mod cli;
pub mod config;
pub mod event;
pub mod jobs;
pub mod lake;
pub mod report;
pub mod state;
pub mod tui;
pub mod ui;

pub use app::App;
