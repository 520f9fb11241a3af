//! A Delta table's state at one version, read through the Delta kernel with no more than the
//! detail and diagnostics views show: each live file's path, size, row count, partition values
//! and modification time, and the tombstones' path, size and deletion time.
//!
//! Why not `DeltaTable::load`: delta-rs materialises every file's statistics (min, max and null
//! count of every indexed column) when it loads a table, which on a log of 300,000 files with 100
//! indexed columns is most of the time and memory of `detail` and `diag` (BENCHMARKS.md,
//! "delta-log"). Here the kernel replays the log with the statistics parsed for `numRecords`
//! only, and the tombstones are read from the `remove` column alone. SQL, time travel diffs and
//! writes still load tables through delta-rs, which needs the statistics for pruning and
//! conflict checks.
//!
//! The kernel is the one deltalake is built on (same crate and version, through `delta_kernel`);
//! its engine is delta-rs's, over lakescope's own store (`super::builder`), so every read is
//! counted like any other. The kernel's calls block: they run on tokio's blocking pool.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Int64Type, SchemaRef};
use delta_kernel::actions::{Metadata, Protocol, Remove, Sidecar};
use delta_kernel::engine::arrow_conversion::TryIntoArrow as _;
use delta_kernel::engine::arrow_data::ArrowEngineData;
use delta_kernel::scan::state::ScanFile;
use delta_kernel::schema::derive_macro_utils::ToDataType as _;
use delta_kernel::schema::{StructField, StructType};
use delta_kernel::snapshot::Snapshot as KernelSnapshot;
use delta_kernel::table_features::ColumnMappingMode;
use delta_kernel::table_properties::TableProperties;
use delta_kernel::{Engine, Version};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::lake::error::describe;
use crate::lake::{LakeError, LakeStore};

/// One live data file of a version.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveFile {
    /// Relative to the table root, decoded (the log writes paths URL-escaped), as delta-rs and
    /// the store's listing name them.
    pub path: String,
    pub size: u64,
    /// From the file's statistics (`numRecords`), when the writer recorded them.
    pub rows: Option<u64>,
    pub modified_ms: i64,
    /// Partition values by logical column name; a null value is absent.
    pub partition_values: HashMap<String, String>,
}

/// A file removed from the table (a `remove` action the log still carries).
#[derive(Debug, Clone, PartialEq)]
pub struct Tombstone {
    /// Decoded, like `LiveFile::path`.
    pub path: String,
    pub size: Option<i64>,
    pub deletion_timestamp: Option<i64>,
}

/// The table at one version: protocol, metadata and properties at hand, files and tombstones
/// read on demand.
pub struct TableState {
    location: String,
    snapshot: Arc<KernelSnapshot>,
    engine: Arc<dyn Engine>,
}

impl std::fmt::Debug for TableState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TableState({} v{})", self.location, self.version())
    }
}

fn read_err(location: &str, reason: impl Into<String>) -> LakeError {
    LakeError::Read { location: location.to_string(), reason: reason.into() }
}

/// Run a blocking kernel call on tokio's blocking pool; dropping the future abandons it.
async fn blocking<T: Send + 'static>(
    location: &str,
    f: impl FnOnce() -> Result<T, LakeError> + Send + 'static,
) -> Result<T, LakeError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| read_err(location, format!("the log reader stopped: {e}")))?
}

impl TableState {
    /// The table at `location` as of `version` (the latest when `None`). Reads the log's listing,
    /// the newest checkpoint's protocol and metadata and the commits after it: not the files.
    pub async fn open(store: &LakeStore, location: &str, version: Option<u64>) -> Result<Self, LakeError> {
        let mut url = Url::parse(location).map_err(|e| read_err(location, e.to_string()))?;
        if !url.path().ends_with('/') {
            url.set_path(&format!("{}/", url.path()));
        }
        let table = super::builder(store.delta_store_for(&url)?, &url)
            .and_then(|b| b.build())
            .map_err(|e| read_err(location, describe(&e)))?;
        let engine = table.log_store().engine(None);
        let (loc, eng) = (location.to_string(), Arc::clone(&engine));
        let snapshot = blocking(location, move || {
            let mut b = KernelSnapshot::builder_for(url.as_str());
            if let Some(v) = version {
                b = b.at_version(v as Version);
            }
            b.build(eng.as_ref()).map_err(|e| read_err(&loc, kernel_reason(&e)))
        })
        .await?;
        Ok(TableState { location: location.to_string(), snapshot, engine })
    }

    pub fn version(&self) -> u64 {
        self.snapshot.version()
    }

    pub fn metadata(&self) -> &Metadata {
        self.snapshot.table_configuration().metadata()
    }

    pub fn protocol(&self) -> &Protocol {
        self.snapshot.table_configuration().protocol()
    }

    pub fn properties(&self) -> &TableProperties {
        self.snapshot.table_properties()
    }

    /// The table's logical schema as Arrow sees it.
    pub fn arrow_schema(&self) -> Result<SchemaRef, LakeError> {
        let schema: arrow::datatypes::Schema =
            self.snapshot.schema().as_ref().try_into_arrow().map_err(|e| read_err(&self.location, e.to_string()))?;
        Ok(Arc::new(schema))
    }

    /// Every live file of this version, in no particular order.
    pub async fn files(&self, cancel: &CancellationToken) -> Result<Vec<LiveFile>, LakeError> {
        let snapshot = Arc::clone(&self.snapshot);
        let engine = Arc::clone(&self.engine);
        let location = self.location.clone();
        let cancel = cancel.clone();
        // Partition values are keyed by physical name in the log (column mapping renames them).
        let mode = snapshot.table_configuration().column_mapping_mode();
        let schema = snapshot.schema();
        let logical: HashMap<String, String> = self
            .metadata()
            .partition_columns()
            .iter()
            .filter_map(|c| schema.field(c).map(|f| (physical(f, mode), c.clone())))
            .collect();
        blocking(&self.location.clone(), move || {
            let e = |e: delta_kernel::Error| read_err(&location, kernel_reason(&e));
            let scan = Arc::clone(&snapshot).scan_builder().build().map_err(e)?;
            let mut acc = Acc { files: Vec::new(), logical };
            for meta in scan.scan_metadata(engine.as_ref()).map_err(e)? {
                if cancel.is_cancelled() {
                    return Err(LakeError::Cancelled);
                }
                acc = meta.map_err(e)?.visit_scan_files(acc, collect).map_err(e)?;
            }
            Ok(acc.files)
        })
        .await
    }

    /// Every `remove` action the log still carries at this version (the newest checkpoint keeps
    /// the tombstones within the retention; commits after it add theirs). A path removed and
    /// added back is among them: callers drop the live ones.
    pub async fn tombstones(&self, cancel: &CancellationToken) -> Result<Vec<Tombstone>, LakeError> {
        let snapshot = Arc::clone(&self.snapshot);
        let engine = Arc::clone(&self.engine);
        let location = self.location.clone();
        let cancel = cancel.clone();
        blocking(&self.location.clone(), move || {
            let e = |e: delta_kernel::Error| read_err(&location, kernel_reason(&e));
            // The sidecar column lets the kernel follow a V2 checkpoint's sidecar files.
            let schema = Arc::new(
                StructType::try_new(vec![
                    StructField::nullable("remove", Remove::to_data_type()),
                    StructField::nullable("sidecar", Sidecar::to_data_type()),
                ])
                .map_err(e)?,
            );
            let mut out = Vec::new();
            for batch in snapshot.log_segment().read_actions(engine.as_ref(), schema).map_err(e)? {
                if cancel.is_cancelled() {
                    return Err(LakeError::Cancelled);
                }
                let data = ArrowEngineData::try_from_engine_data(batch.map_err(e)?.actions).map_err(e)?;
                let batch = data.record_batch();
                let Some(remove) = batch.column_by_name("remove").and_then(|c| c.as_struct_opt()) else { continue };
                let (Some(path), size, deleted) = (
                    remove.column_by_name("path").and_then(|c| c.as_string_opt::<i32>()),
                    remove.column_by_name("size").and_then(|c| c.as_primitive_opt::<Int64Type>()),
                    remove.column_by_name("deletionTimestamp").and_then(|c| c.as_primitive_opt::<Int64Type>()),
                ) else {
                    continue;
                };
                for i in 0..remove.len() {
                    if remove.is_null(i) || path.is_null(i) {
                        continue;
                    }
                    let value = |a: Option<&arrow::array::Int64Array>| a.filter(|a| a.is_valid(i)).map(|a| a.value(i));
                    out.push(Tombstone {
                        path: decode(path.value(i)),
                        size: value(size),
                        deletion_timestamp: value(deleted),
                    });
                }
            }
            Ok(out)
        })
        .await
    }
}

/// A field's name in the files and the log: its physical name under column mapping.
fn physical(field: &StructField, mode: ColumnMappingMode) -> String {
    match mode {
        ColumnMappingMode::None => field.name().to_string(),
        _ => field.physical_name(mode).to_string(),
    }
}

struct Acc {
    files: Vec<LiveFile>,
    /// Physical partition column name → logical name.
    logical: HashMap<String, String>,
}

fn collect(acc: &mut Acc, f: ScanFile) {
    let partition_values =
        f.partition_values.into_iter().map(|(k, v)| (acc.logical.get(&k).cloned().unwrap_or(k), v)).collect();
    acc.files.push(LiveFile {
        path: decode(&f.path),
        size: f.size.max(0) as u64,
        rows: f.stats.map(|s| s.num_records),
        modified_ms: f.modification_time,
        partition_values,
    });
}

/// A path as the log writes it (URL-escaped), decoded.
fn decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// A kernel error as one line, without the kernel's type names.
fn kernel_reason(e: &delta_kernel::Error) -> String {
    describe(e)
}

/// The table as of a version or a timestamp (the latest when `None`). A version past the latest
/// is refused with the latest named. A timestamp is resolved by delta-rs, as everywhere else in
/// lakescope (`diff::open_as_of`: the newest version committed at or before it; one before the
/// first commit is refused), then that version is read here.
pub async fn open_as_of(
    store: &LakeStore,
    location: &str,
    as_of: Option<&super::diff::AsOf>,
) -> Result<TableState, LakeError> {
    use super::diff::AsOf;
    match as_of {
        None => TableState::open(store, location, None).await,
        Some(AsOf::Version(v)) => match TableState::open(store, location, Some(*v)).await {
            Ok(s) => Ok(s),
            Err(e) => match TableState::open(store, location, None).await {
                Ok(latest) if latest.version() < *v => {
                    Err(read_err(location, format!("v{v} does not exist: the latest version is v{}", latest.version())))
                }
                _ => Err(e),
            },
        },
        Some(AsOf::Timestamp(_)) => {
            let table = super::diff::open_as_of(store, location, as_of).await?;
            let version = table.version().map(|v| v as u64);
            TableState::open(store, location, version).await
        }
    }
}
