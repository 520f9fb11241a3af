//! The lake domain, free of any UI, config file or command-line parser: it takes plain settings
//! structs (deserialised by the config module from the config file) and could become a crate of
//! its own. Nothing here imports ratatui, the config module or the argument parser.
//!
//! - `store`: where a lake is and how it is reached (local disk, S3, GCS, Azure), every request
//!   counted, secrets redacted;
//! - `discover`: walking a lake into a `Catalog` of buckets, zones, folders and tables, and each
//!   table's detail;
//! - `delta`: history, detail at a version, diffs and time travel of Delta tables;
//! - `parquet`: footers, datasets, row-group previews;
//! - `sql`: DataFusion over every table, read-only;
//! - `diag`: partitions, small files and cost;
//! - `maintain`: the only writes (compaction, convert-to-Delta, vacuum), planned first;
//! - `demo`, `pricing`, `units`, `error`.

pub mod delta;
pub mod demo;
pub mod diag;
pub mod discover;
pub mod error;
pub mod maintain;
pub mod parquet;
pub mod pricing;
pub mod sql;
pub mod store;
pub mod units;

pub use discover::catalog::{Catalog, Node, NodeId, NodeKind, TableEntry, TableFormat};
pub use discover::detail::{TableDetail, load_detail};
pub use discover::{DiscoveryOptions, discover};
pub use error::LakeError;
pub use store::LakeStore;
pub use store::cloud::StoreOptions;
pub use store::location::LakeUrl;
