//! The lake domain, free of any UI: where a lake is (`location`), how it is read (`store`), what
//! it holds (`discover` into a `catalog`), what a table looks like inside (`detail`), and a demo
//! lake to try it all on (`demo`). Could become its own crate; nothing here imports ratatui.

pub mod account;
pub mod aws_profile;
pub mod catalog;
pub mod cloud;
pub mod delta_diff;
pub mod delta_info;
pub mod delta_log;
pub mod demo;
pub mod detail;
pub mod diag;
pub mod discover;
pub mod error;
pub mod list_buckets;
pub mod local;
pub mod location;
pub mod log_cache;
pub mod maintain;
pub mod names;
pub mod parquet_dataset;
pub mod parquet_io;
pub mod parquet_meta;
pub mod parquet_preview;
pub mod partition;
pub mod pricing;
pub mod redact;
pub mod requests;
pub mod sql;
pub mod store;

pub use catalog::{Catalog, Node, NodeId, NodeKind, TableEntry, TableFormat};
pub use cloud::StoreOptions;
pub use detail::{TableDetail, load_detail};
pub use discover::{DiscoveryOptions, discover};
pub use error::LakeError;
pub use location::LakeUrl;
pub use store::LakeStore;
