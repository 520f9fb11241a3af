//! lakescope: a terminal lake explorer. The library holds everything (the binary is a thin CLI
//! over it) so tests and benchmarks drive the same code the terminal does.
//!
//! Layers, in the direction data flows: `lake` (UI-free domain: stores, discovery, tables),
//! `jobs` (slow work as cancellable tasks reporting `Action`s), `state` (plain data and
//! `update`), `ui` (views that borrow state), `app` (the loop tying them together), `backend` (what
//! reaches the terminal) and `cli`.

pub mod action;
pub mod app;
pub mod backend;
pub mod cli;
pub mod config;
pub mod jobs;
pub mod lake;
pub mod report;
pub mod state;
pub mod tui;
pub mod ui;
pub mod units;

pub use app::App;
