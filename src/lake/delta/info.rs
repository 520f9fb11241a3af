//! The full detail of a Delta table at a version (the latest by default): protocol and table
//! features, properties with their effective defaults, partition columns, live files / bytes /
//! rows, checkpoints and the log's size, and warnings where a feature limits what lakescope (or
//! delta-rs under it) can do. Snapshot from the Delta kernel (`state`); log size from one listing of `_delta_log/`.

use serde::Serialize;

use tokio_util::sync::CancellationToken;

use crate::lake::delta::diff::AsOf;
use crate::lake::delta::log::LogListing;
use crate::lake::discover::detail::ColumnInfo;
use crate::lake::error::LakeError;
use crate::lake::store::LakeStore;

/// Properties lakescope explains, with the default that applies when they are not set.
const KNOWN: &[(&str, &str, &str)] = &[
    ("delta.targetFileSize", "104857600", "file size compaction aims for (delta-rs default: 100 MiB)"),
    ("delta.logRetentionDuration", "interval 30 days", "how long commits stay in the log (time travel horizon)"),
    ("delta.deletedFileRetentionDuration", "interval 1 week", "how long removed files survive a vacuum"),
    ("delta.checkpointInterval", "100", "commits between checkpoints (delta-rs; Spark writes one every 10)"),
    ("delta.enableChangeDataFeed", "false", "record row changes in _change_data/"),
    ("delta.appendOnly", "false", "refuse deletes and updates"),
    ("delta.columnMapping.mode", "none", "logical column names mapped to physical ones"),
    ("delta.enableDeletionVectors", "false", "mark deleted rows instead of rewriting files"),
    ("delta.dataSkippingNumIndexedCols", "32", "leading columns with min/max statistics"),
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Property {
    pub key: String,
    pub value: String,
    /// Set on the table (false: the default applies).
    pub set: bool,
    pub meaning: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeltaInfo {
    pub location: String,
    pub version: u64,
    pub latest: u64,
    pub min_reader_version: i32,
    pub min_writer_version: i32,
    pub reader_features: Vec<String>,
    pub writer_features: Vec<String>,
    pub properties: Vec<Property>,
    pub partition_columns: Vec<String>,
    pub columns: Vec<ColumnInfo>,
    pub files: u64,
    pub bytes: u64,
    pub rows: Option<u64>,
    pub last_checkpoint: Option<u64>,
    pub checkpoints: usize,
    pub commits_in_log: usize,
    pub oldest_commit: Option<u64>,
    pub log_files: u64,
    pub log_bytes: u64,
    pub name: Option<String>,
    pub description: Option<String>,
    pub created_time_ms: Option<i64>,
    pub warnings: Vec<String>,
}

/// Detail of the Delta table at `location` (key `rel` in `store`), as of `version`.
pub async fn delta_info(
    store: &LakeStore,
    location: &str,
    rel: &str,
    as_of: Option<&AsOf>,
) -> Result<DeltaInfo, LakeError> {
    let os = store.object_store();
    let listing = crate::lake::delta::log::list_log(&os, &store.key(rel), location).await?;
    info_with_listing(store, location, &listing, as_of).await
}

pub async fn info_with_listing(
    store: &LakeStore,
    location: &str,
    listing: &LogListing,
    as_of: Option<&AsOf>,
) -> Result<DeltaInfo, LakeError> {
    let state = crate::lake::delta::state::open_as_of(store, location, as_of).await?;
    let metadata = state.metadata();
    let protocol = state.protocol();
    let config = metadata.configuration();
    let mut properties: Vec<Property> = KNOWN
        .iter()
        .map(|(k, default, meaning)| match config.get(*k) {
            Some(v) => Property { key: k.to_string(), value: v.clone(), set: true, meaning: Some(meaning) },
            None => Property { key: k.to_string(), value: default.to_string(), set: false, meaning: Some(meaning) },
        })
        .collect();
    let mut others: Vec<(&String, &String)> =
        config.iter().filter(|(k, _)| !KNOWN.iter().any(|(n, _, _)| n == k)).collect();
    others.sort();
    properties.extend(others.into_iter().map(|(k, v)| Property {
        key: k.clone(),
        value: v.clone(),
        set: true,
        meaning: None,
    }));
    let partition_columns: Vec<String> = metadata.partition_columns().to_vec();
    let schema = state.arrow_schema()?;
    let columns = schema
        .fields()
        .iter()
        .map(|f| ColumnInfo {
            name: f.name().clone(),
            data_type: crate::lake::discover::detail::type_name(f.data_type()),
            nullable: f.is_nullable(),
            partition: partition_columns.contains(f.name()),
        })
        .collect();
    let (mut files, mut bytes, mut rows, mut all) = (0u64, 0u64, 0u64, true);
    for f in state.files(&CancellationToken::new()).await? {
        files += 1;
        bytes += f.size;
        match f.rows {
            Some(n) => rows += n,
            None => all = false,
        }
    }
    let reader_features: Vec<String> =
        protocol.reader_features().map(|v| v.iter().map(|f| f.to_string()).collect()).unwrap_or_default();
    let writer_features: Vec<String> =
        protocol.writer_features().map(|v| v.iter().map(|f| f.to_string()).collect()).unwrap_or_default();
    let mut warnings = Vec::new();
    let has = |f: &str| reader_features.iter().chain(writer_features.iter()).any(|x| x == f);
    if config.get("delta.columnMapping.mode").is_some_and(|m| m != "none") || has("columnMapping") {
        warnings.push("column mapping: delta-rs cannot compact (optimize) this table, and the row diff does not map physical column names".into());
    }
    if has("deletionVectors") {
        warnings.push("deletion vectors: rows are read through DataFusion only; the row diff of files carrying them is not computed".into());
    }
    if has("v2Checkpoint") {
        warnings.push("V2 checkpoints: read by delta-rs; lakescope counts their sidecars in the log size".into());
    }
    if config.get("delta.appendOnly").is_some_and(|v| v == "true") {
        warnings.push(
            "append-only: deletes and updates are refused by writers; compaction (no data change) is allowed".into(),
        );
    }
    if !all {
        warnings.push("some files carry no row statistics: the row count is unknown".into());
    }
    Ok(DeltaInfo {
        location: location.to_string(),
        version: state.version(),
        latest: listing.latest().unwrap_or(0),
        min_reader_version: protocol.min_reader_version(),
        min_writer_version: protocol.min_writer_version(),
        reader_features,
        writer_features,
        properties,
        partition_columns,
        columns,
        files,
        bytes,
        rows: all.then_some(rows),
        last_checkpoint: listing.last_checkpoint(),
        checkpoints: listing.checkpoints.len(),
        commits_in_log: listing.commits.len(),
        oldest_commit: listing.commits.first().map(|c| c.version),
        log_files: listing.log_files,
        log_bytes: listing.log_bytes,
        name: metadata.name().map(str::to_string),
        description: metadata.description().map(str::to_string),
        created_time_ms: metadata.created_time(),
        warnings,
    })
}
