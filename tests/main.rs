//! The integration tests, linked as one test binary (`autotests = false` in Cargo.toml): each
//! file in `tests/` is a module here. One binary instead of one per file keeps `target/` about
//! 5 GiB smaller (each links the whole DataFusion / delta-rs stack, ~350 MB in debug), links the
//! stack once instead of seventeen times, and shares one demo lake and one S3 test server.
//!
//! Run one area with a filter: `cargo test --test integration sql_pane::`.

mod common;

mod acceptance;
mod app_flows;
mod bad_input;
mod cli;
mod delta;
mod diag;
mod diag_view;
mod discovery;
mod e2e;
mod inspector;
mod maintain;
mod maintain_view;
mod render;
mod sql;
mod sql_pane;
mod store_faults;
mod stores;
mod terminal;
mod views;
