//! Parquet read with as few bytes as the format allows: one-GET footers and their summaries
//! (`meta`), a dataset seen through its footers (`dataset`), the row-group preview (`preview`),
//! and byte-range access to objects for the parquet crate's async reader (`io`).

pub mod dataset;
pub mod io;
pub mod meta;
pub mod preview;

/// The `[inspector]` settings (deserialised from the config, which holds their defaults).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectorOptions {
    /// Decompressed bytes one row-group preview may hold, in MiB.
    pub preview_memory_mib: u64,
    /// Footers read at once for a dataset's file list.
    pub footer_concurrency: usize,
}

impl InspectorOptions {
    /// The preview's memory limit in bytes.
    pub fn preview_memory_bytes(&self) -> usize {
        (self.preview_memory_mib as usize).saturating_mul(1 << 20)
    }
}
