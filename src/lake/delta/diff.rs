//! The diff of two versions of a Delta table: files (from the log between them, see
//! `delta_log::diff_files`), schema, properties and protocol (from deltalake snapshots, loaded
//! only when a commit in between changed them), and rows.
//!
//! The row diff reads only the files that differ between the two versions (or the change data
//! files when every commit in between recorded them), so its cost follows the size of the
//! change. Rows are compared as whole values, as a multiset: a row rewritten unchanged into a new
//! file cancels out. With key columns, rows only in A and only in B pair up by key into
//! inserted / deleted / updated rows, with the changed columns named.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow::array::{Array, RecordBatch};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use futures::StreamExt;
use object_store::ObjectStore;
use object_store::path::Path;
use parquet::arrow::async_reader::ParquetRecordBatchStreamBuilder;
use serde::Serialize;
use url::Url;

use crate::lake::delta::log::{FileAction, FileDiff, LogListing};
use crate::lake::discover::catalog::TableEntry;
use crate::lake::error::{LakeError, describe};
use crate::lake::parquet::io::StoreFileReader;
use crate::lake::store::LakeStore;

/// The change data feed's own columns, dropped from the rows shown.
const CDF_COLUMNS: [&str; 3] = ["_change_type", "_commit_version", "_commit_timestamp"];

#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// Rows kept of each side (0: no row diff).
    pub rows: usize,
    /// Key columns to pair rows into inserts / deletes / updates.
    pub keys: Vec<String>,
    /// Largest total size of the files a row diff may read.
    pub max_bytes: u64,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { rows: 10, keys: Vec::new(), max_bytes: 1 << 30 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaChange {
    pub column: String,
    /// added, dropped, type, nullability
    pub change: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyChange {
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdatedRow {
    pub key: Vec<String>,
    pub before: Vec<String>,
    pub after: Vec<String>,
    /// Indices (into `columns`) of the values that differ.
    pub changed: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyedRows {
    pub keys: Vec<String>,
    pub inserted: u64,
    pub deleted: u64,
    pub updated: u64,
    pub inserted_rows: Vec<Vec<String>>,
    pub deleted_rows: Vec<Vec<String>>,
    pub updated_rows: Vec<UpdatedRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowDiff {
    /// "data files" or "change data feed"
    pub source: &'static str,
    pub columns: Vec<String>,
    pub only_in_a: u64,
    pub only_in_b: u64,
    /// The first rows of each side.
    pub rows_a: Vec<Vec<String>>,
    pub rows_b: Vec<Vec<String>>,
    pub keyed: Option<KeyedRows>,
    pub files_read: u64,
    pub bytes_to_read: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableDiff {
    pub location: String,
    pub a: u64,
    pub b: u64,
    pub files: FileDiff,
    /// `None` when no commit in between touched the metadata (so nothing changed).
    pub schema: Vec<SchemaChange>,
    pub properties: Vec<PropertyChange>,
    pub protocol: Option<(String, String)>,
    pub rows: Option<RowDiff>,
    /// Why rows were not compared, when they were asked for and could not be.
    pub rows_note: Option<String>,
    /// Why the schema, properties and protocol were not compared (a version's log is gone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_note: Option<String>,
}

fn read_err(location: &str, reason: impl Into<String>) -> LakeError {
    LakeError::Read { location: location.to_string(), reason: reason.into() }
}

/// A point in a table's history: a version, or a timestamp (the last version committed at or
/// before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AsOf {
    Version(u64),
    Timestamp(String),
}

impl AsOf {
    /// `12` or `v12` is a version; anything else a timestamp (RFC 3339, or a bare date).
    pub fn parse(text: &str) -> AsOf {
        let t = text.trim();
        match t.trim_start_matches('v').parse::<u64>() {
            Ok(v) => AsOf::Version(v),
            Err(_) => AsOf::Timestamp(t.to_string()),
        }
    }

    pub fn text(&self) -> String {
        match self {
            AsOf::Version(v) => format!("v{v}"),
            AsOf::Timestamp(t) => t.clone(),
        }
    }
}

/// An RFC 3339 timestamp from what a person types: a full timestamp, a date, or a date and time
/// without a zone (UTC).
pub fn parse_timestamp(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let t = text.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&chrono::Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(n.and_utc());
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    Err(format!("{t:?} is neither a version nor a timestamp (use 12, or 2026-11-02T10:00:00Z, or 2026-11-02)"))
}

/// The version `as_of` reads, or why the table cannot be read there: a version past the latest
/// one, a timestamp before the first commit, a version whose log is gone.
pub async fn resolve_as_of(store: &LakeStore, location: &str, as_of: &AsOf) -> Result<u64, LakeError> {
    match open_as_of(store, location, Some(as_of)).await {
        Ok(t) => t.snapshot().map(|s| s.version()).map_err(|e| read_err(location, describe(&e))),
        Err(e) => {
            if let AsOf::Version(v) = as_of
                && let Ok(latest) = open_as_of(store, location, None).await
                && let Ok(s) = latest.snapshot()
                && *v > s.version()
            {
                return Err(read_err(location, format!("v{v} does not exist: the latest version is v{}", s.version())));
            }
            Err(e)
        }
    }
}

/// Open the table as of a version or timestamp (the latest when `None`) through deltalake.
pub async fn open_as_of(
    store: &LakeStore,
    location: &str,
    as_of: Option<&AsOf>,
) -> Result<deltalake::DeltaTable, LakeError> {
    let url = Url::parse(location).map_err(|e| read_err(location, e.to_string()))?;
    let e = |e: deltalake::DeltaTableError| read_err(location, describe(&e));
    let mut b = super::builder(store.delta_store_for(&url)?, &url).map_err(e)?;
    let mut wanted = None;
    match as_of {
        None => {}
        Some(AsOf::Version(v)) => b = b.with_version(*v as _),
        Some(AsOf::Timestamp(t)) => {
            let ts = parse_timestamp(t).map_err(|r| read_err(location, r))?;
            wanted = Some(ts);
            b = b.with_timestamp(ts);
        }
    }
    let table = b.load().await.map_err(e)?;
    // deltalake answers a timestamp older than the table with its first version: say so instead.
    if let Some(ts) = wanted
        && let Ok(state) = table.snapshot()
    {
        let v = state.version();
        if let Some(at) = state.snapshot().version_timestamp(v)
            && at > ts.timestamp_millis()
        {
            return Err(read_err(
                location,
                format!(
                    "no version at or before {}: the oldest, v{v}, was committed at {}",
                    ts.format("%Y-%m-%d %H:%M:%S UTC"),
                    chrono::DateTime::from_timestamp_millis(at)
                        .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                        .unwrap_or_default()
                ),
            ));
        }
    }
    Ok(table)
}

/// Open the table at `version` (the latest when `None`).
pub async fn open_version(
    store: &LakeStore,
    location: &str,
    version: Option<u64>,
) -> Result<deltalake::DeltaTable, LakeError> {
    open_as_of(store, location, version.map(AsOf::Version).as_ref()).await
}

struct Meta {
    fields: Vec<(String, String, bool)>,
    /// Rows of each live file (from its statistics), to fill in removes that carry none.
    file_rows: HashMap<String, u64>,
    properties: BTreeMap<String, String>,
    protocol: String,
    column_mapping: bool,
}

async fn meta_at(store: &LakeStore, location: &str, version: u64) -> Result<Meta, LakeError> {
    let t = open_version(store, location, Some(version)).await?;
    let state = t.snapshot().map_err(|e| read_err(location, describe(&e)))?;
    let snap = state.snapshot();
    let schema = snap.arrow_schema();
    let fields = schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), crate::lake::discover::detail::type_name(f.data_type()), f.is_nullable()))
        .collect();
    let properties: BTreeMap<String, String> =
        snap.metadata().configuration().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let p = snap.protocol();
    let mut protocol = format!("reader {} / writer {}", p.min_reader_version(), p.min_writer_version());
    let feats: Vec<String> = p
        .reader_features()
        .into_iter()
        .flatten()
        .chain(p.writer_features().into_iter().flatten())
        .map(|f| f.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !feats.is_empty() {
        protocol.push_str(&format!(" ({})", feats.join(", ")));
    }
    let column_mapping = properties.get("delta.columnMapping.mode").is_some_and(|m| m != "none");
    let file_rows = state
        .log_data()
        .iter()
        .filter_map(|f| f.num_records().map(|n| (crate::lake::delta::log::percent_decode(&f.path()), n as u64)))
        .collect();
    Ok(Meta { fields, file_rows, properties, protocol, column_mapping })
}

fn schema_changes(a: &Meta, b: &Meta) -> Vec<SchemaChange> {
    let mut out = Vec::new();
    for (name, ty, nullable) in &a.fields {
        match b.fields.iter().find(|f| &f.0 == name) {
            None => out.push(SchemaChange {
                column: name.clone(),
                change: "dropped",
                before: Some(ty.clone()),
                after: None,
            }),
            Some((_, ty2, n2)) => {
                if ty != ty2 {
                    out.push(SchemaChange {
                        column: name.clone(),
                        change: "type",
                        before: Some(ty.clone()),
                        after: Some(ty2.clone()),
                    });
                }
                if nullable != n2 {
                    let t = |n: bool| if n { "nullable" } else { "not null" }.to_string();
                    out.push(SchemaChange {
                        column: name.clone(),
                        change: "nullability",
                        before: Some(t(*nullable)),
                        after: Some(t(*n2)),
                    });
                }
            }
        }
    }
    for (name, ty, _) in &b.fields {
        if !a.fields.iter().any(|f| &f.0 == name) {
            out.push(SchemaChange { column: name.clone(), change: "added", before: None, after: Some(ty.clone()) });
        }
    }
    out
}

fn property_changes(a: &Meta, b: &Meta) -> Vec<PropertyChange> {
    let mut keys: Vec<&String> = a.properties.keys().chain(b.properties.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.properties.get(*k) != b.properties.get(*k))
        .map(|k| PropertyChange {
            key: k.clone(),
            before: a.properties.get(k).cloned(),
            after: b.properties.get(k).cloned(),
        })
        .collect()
}

/// Where a Delta table is: its URL (for deltalake and messages) and its key relative to the
/// store's root.
#[derive(Debug, Clone)]
pub struct DeltaRef {
    pub location: String,
    pub rel: String,
}

impl From<&TableEntry> for DeltaRef {
    fn from(t: &TableEntry) -> Self {
        DeltaRef { location: t.location.clone(), rel: t.path.clone() }
    }
}

/// Diff versions `a` and `b` of the Delta table `table`.
pub async fn diff_table(
    store: &LakeStore,
    table: &DeltaRef,
    a: u64,
    b: u64,
    opts: &DiffOptions,
) -> Result<TableDiff, LakeError> {
    let os = store.object_store();
    let key = store.key(&table.rel);
    let listing = crate::lake::delta::log::list_log(&os, &key, &table.location).await?;
    diff_with_listing(store, table, &listing, a, b, opts).await
}

pub async fn diff_with_listing(
    store: &LakeStore,
    table: &DeltaRef,
    listing: &LogListing,
    a: u64,
    b: u64,
    opts: &DiffOptions,
) -> Result<TableDiff, LakeError> {
    let os = store.object_store();
    let files = crate::lake::delta::log::diff_files(&os, listing, a, b).await?;
    let mut out = TableDiff {
        location: table.location.clone(),
        a,
        b,
        files,
        schema: Vec::new(),
        properties: Vec::new(),
        protocol: None,
        rows: None,
        rows_note: None,
        schema_note: None,
    };
    let need_meta = out.files.metadata_changed || out.files.protocol_changed || opts.rows > 0;
    // The log-level diff (commits, files, partitions) stands even when a version can no longer
    // be loaded (its log cleaned up) or its data files were vacuumed: what cannot be compared
    // says why.
    let metas = if need_meta && a != b {
        let (ma, mb) = futures::join!(meta_at(store, &table.location, a), meta_at(store, &table.location, b));
        match (ma, mb) {
            (Ok(ma), Ok(mb)) => Some((ma, mb)),
            (Err(e), _) | (_, Err(e)) => {
                out.schema_note = Some(format!("schema and properties not compared: {}", store.explain(&e)));
                None
            }
        }
    } else {
        None
    };
    if let Some((ma, mb)) = &metas {
        // Removes seldom carry statistics: their rows are those of the file in the older version.
        let (older, newer) = if a < b { (ma, mb) } else { (mb, ma) };
        let fill = |list: &mut Vec<FileAction>, m: &Meta| {
            for f in list.iter_mut().filter(|f| f.rows.is_none()) {
                f.rows = m.file_rows.get(&f.path).copied();
            }
        };
        if a < b {
            fill(&mut out.files.removed, older);
        } else {
            fill(&mut out.files.added, older);
        }
        let _ = newer;
        out.files.rows_added = out.files.added.iter().map(|f| f.rows).sum();
        out.files.rows_removed = out.files.removed.iter().map(|f| f.rows).sum();
        out.schema = schema_changes(ma, mb);
        out.properties = property_changes(ma, mb);
        if ma.protocol != mb.protocol {
            out.protocol = Some((ma.protocol.clone(), mb.protocol.clone()));
        }
    }
    if opts.rows > 0 && a != b {
        let mapping = metas.as_ref().is_some_and(|(ma, mb)| ma.column_mapping || mb.column_mapping);
        let dv = out.files.added.iter().chain(out.files.removed.iter()).any(|f| f.deletion_vector);
        if mapping {
            out.rows_note = Some("rows not compared: the table uses column mapping (its files store physical column names lakescope does not map back yet)".into());
        } else if dv {
            out.rows_note = Some(
                "rows not compared: the files that differ carry deletion vectors, which lakescope does not apply yet"
                    .into(),
            );
        } else {
            let order: Vec<String> = metas
                .as_ref()
                .map(|(ma, mb)| mb.fields.iter().chain(ma.fields.iter()).map(|f| f.0.clone()).collect())
                .unwrap_or_default();
            match row_diff(&os, &store.key(&table.rel), &table.location, &out.files, &order, opts).await {
                Ok(r) => out.rows = Some(r),
                Err(RowDiffError::TooBig(bytes)) => {
                    out.rows_note = Some(format!(
                        "rows not compared: the files that differ hold {}, above the row diff's limit of {} (diff closer versions)",
                        crate::lake::units::bytes(bytes),
                        crate::lake::units::bytes(opts.max_bytes)
                    ))
                }
                Err(RowDiffError::Read(e)) => {
                    out.rows_note = Some(format!("rows not compared: {}", store.explain(&e)));
                }
            }
        }
    }
    Ok(out)
}

enum RowDiffError {
    TooBig(u64),
    Read(LakeError),
}

/// A row: its values as text (nulls as `null`), keyed by column name.
type Row = HashMap<String, String>;

async fn read_rows(
    os: &Arc<dyn ObjectStore>,
    table: &Path,
    location: &str,
    f: &FileAction,
) -> Result<Vec<Row>, LakeError> {
    let rel = &f.path;
    let key = if rel.contains("://") {
        return Err(read_err(location, format!("{rel}: files outside the table folder are not read by the row diff")));
    } else {
        let root = table.as_ref().trim_end_matches('/');
        Path::from(if root.is_empty() { rel.clone() } else { format!("{root}/{rel}") })
    };
    let file_loc = format!("{location}/{rel}");
    let reader = StoreFileReader::new(Arc::clone(os), key, f.size);
    let gone = |e: &parquet::errors::ParquetError| {
        let t = describe(e);
        if crate::lake::error::Failure::of(e) == crate::lake::error::Failure::NotFound {
            format!("the data file is gone (vacuumed?): {t}")
        } else {
            t
        }
    };
    let mut stream = ParquetRecordBatchStreamBuilder::new(reader)
        .await
        .map_err(|e| read_err(&file_loc, gone(&e)))?
        .with_batch_size(8192)
        .build()
        .map_err(|e| read_err(&file_loc, gone(&e)))?;
    let mut rows = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|e| read_err(&file_loc, gone(&e)))?;
        append_rows(&batch, &f.partition_values, &mut rows).map_err(|e| read_err(&file_loc, e))?;
    }
    Ok(rows)
}

fn append_rows(batch: &RecordBatch, partition: &[(String, Option<String>)], out: &mut Vec<Row>) -> Result<(), String> {
    let options = FormatOptions::default().with_null(crate::lake::units::NULL);
    let schema = batch.schema();
    let formatters: Vec<ArrayFormatter> = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref() as &dyn Array, &options))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    for r in 0..batch.num_rows() {
        let mut row: Row = HashMap::with_capacity(formatters.len() + partition.len());
        for (i, f) in formatters.iter().enumerate() {
            row.insert(schema.field(i).name().clone(), f.value(r).to_string());
        }
        for (k, v) in partition {
            row.entry(k.clone()).or_insert_with(|| v.clone().unwrap_or_else(|| crate::lake::units::NULL.into()));
        }
        out.push(row);
    }
    Ok(())
}

async fn read_all(
    os: &Arc<dyn ObjectStore>,
    table: &Path,
    location: &str,
    list: Vec<&FileAction>,
) -> Result<Vec<Row>, LakeError> {
    let mut rows = Vec::new();
    let jobs: Vec<_> = list
        .into_iter()
        .map(|f| {
            let (os, table, location, f) = (Arc::clone(os), table.clone(), location.to_string(), f.clone());
            async move { read_rows(&os, &table, &location, &f).await }
        })
        .collect();
    let results: Vec<Result<Vec<Row>, LakeError>> = futures::stream::iter(jobs).buffered(8).collect().await;
    for r in results {
        rows.extend(r?);
    }
    Ok(rows)
}

async fn row_diff(
    os: &Arc<dyn ObjectStore>,
    table: &Path,
    location: &str,
    files: &FileDiff,
    order: &[String],
    opts: &DiffOptions,
) -> Result<RowDiff, RowDiffError> {
    let location = location.to_string();
    // With a complete change data feed (forward diffs only): the cdc files, plus the adds of
    // commits that wrote none (plain inserts).
    let use_cdf = files.cdc_complete && !files.cdc.is_empty() && files.from < files.to;
    let cdc_versions: std::collections::HashSet<u64> = files.cdc.iter().map(|f| f.version).collect();
    let (a_files, b_files): (Vec<&FileAction>, Vec<&FileAction>) = if use_cdf {
        (
            Vec::new(),
            files.cdc.iter().chain(files.added.iter().filter(|f| !cdc_versions.contains(&f.version))).collect(),
        )
    } else {
        (files.removed.iter().collect(), files.added.iter().collect())
    };
    let bytes: u64 = a_files.iter().chain(b_files.iter()).filter_map(|f| f.size).sum();
    if bytes > opts.max_bytes {
        return Err(RowDiffError::TooBig(bytes));
    }
    let files_read = (a_files.len() + b_files.len()) as u64;
    let mut rows_a = read_all(os, table, &location, a_files).await.map_err(RowDiffError::Read)?;
    let mut rows_b = read_all(os, table, &location, b_files).await.map_err(RowDiffError::Read)?;
    if use_cdf {
        // Split the change rows by their type: deletes and pre-images are A's side.
        let mut b_side = Vec::new();
        for r in rows_b.drain(..) {
            match r.get("_change_type").map(String::as_str) {
                Some("delete") | Some("update_preimage") => rows_a.push(r),
                _ => b_side.push(r),
            }
        }
        rows_b = b_side;
    }
    // Column order: the table's schema, then any other column seen; CDF bookkeeping dropped.
    let mut columns: Vec<String> = Vec::new();
    for c in order {
        if !columns.contains(c) && rows_a.iter().chain(rows_b.iter()).take(1000).any(|r| r.contains_key(c)) {
            columns.push(c.clone());
        }
    }
    for r in rows_a.iter().chain(rows_b.iter()).take(1000) {
        let mut names: Vec<&String> = r.keys().collect();
        names.sort();
        for n in names {
            if !columns.contains(n) && !CDF_COLUMNS.contains(&n.as_str()) {
                columns.push(n.clone());
            }
        }
    }
    let as_vec = |r: &Row| -> Vec<String> {
        columns.iter().map(|c| r.get(c).cloned().unwrap_or_else(|| crate::lake::units::NULL.into())).collect()
    };
    // Multiset difference.
    let mut counts: HashMap<Vec<String>, i64> = HashMap::new();
    for r in &rows_a {
        *counts.entry(as_vec(r)).or_default() -= 1;
    }
    for r in &rows_b {
        *counts.entry(as_vec(r)).or_default() += 1;
    }
    let mut only_a: Vec<Vec<String>> = Vec::new();
    let mut only_b: Vec<Vec<String>> = Vec::new();
    // Keep the order rows were read in, for a stable display.
    let mut seen: HashMap<Vec<String>, i64> = HashMap::new();
    for (side, rows) in [(-1i64, &rows_a), (1, &rows_b)] {
        for r in rows.iter() {
            let v = as_vec(r);
            let net = counts.get(&v).copied().unwrap_or(0);
            if net.signum() != side {
                continue;
            }
            let used = seen.entry(v.clone()).or_default();
            if *used < net.abs() {
                *used += 1;
                if side < 0 { only_a.push(v) } else { only_b.push(v) }
            }
        }
    }
    let keyed = if opts.keys.is_empty() {
        None
    } else {
        let idx: Vec<usize> = opts
            .keys
            .iter()
            .map(|k| columns.iter().position(|c| c == k).ok_or(k.clone()))
            .collect::<Result<_, _>>()
            .map_err(|k| {
                RowDiffError::Read(read_err(
                    &location,
                    format!("no column {k:?} to use as a key (columns: {})", columns.join(", ")),
                ))
            })?;
        let key_of = |r: &Vec<String>| -> Vec<String> { idx.iter().map(|i| r[*i].clone()).collect() };
        let mut by_key_b: HashMap<Vec<String>, Vec<String>> = HashMap::new();
        for r in &only_b {
            by_key_b.insert(key_of(r), r.clone());
        }
        let mut k = KeyedRows {
            keys: opts.keys.clone(),
            inserted: 0,
            deleted: 0,
            updated: 0,
            inserted_rows: vec![],
            deleted_rows: vec![],
            updated_rows: vec![],
        };
        let mut matched = std::collections::HashSet::new();
        for r in &only_a {
            let key = key_of(r);
            match by_key_b.get(&key) {
                Some(after) => {
                    matched.insert(key.clone());
                    k.updated += 1;
                    if k.updated_rows.len() < opts.rows {
                        let changed = (0..columns.len()).filter(|i| r[*i] != after[*i]).collect();
                        k.updated_rows.push(UpdatedRow { key, before: r.clone(), after: after.clone(), changed });
                    }
                }
                None => {
                    k.deleted += 1;
                    if k.deleted_rows.len() < opts.rows {
                        k.deleted_rows.push(r.clone());
                    }
                }
            }
        }
        for r in &only_b {
            if !matched.contains(&key_of(r)) {
                k.inserted += 1;
                if k.inserted_rows.len() < opts.rows {
                    k.inserted_rows.push(r.clone());
                }
            }
        }
        Some(k)
    };
    Ok(RowDiff {
        source: if use_cdf { "change data feed" } else { "data files" },
        only_in_a: only_a.len() as u64,
        only_in_b: only_b.len() as u64,
        rows_a: only_a.into_iter().take(opts.rows).collect(),
        rows_b: only_b.into_iter().take(opts.rows).collect(),
        columns,
        keyed,
        files_read,
        bytes_to_read: bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_timestamps_parse() {
        assert_eq!(AsOf::parse("v12"), AsOf::Version(12));
        assert_eq!(AsOf::parse("3"), AsOf::Version(3));
        assert_eq!(AsOf::parse("2026-11-02"), AsOf::Timestamp("2026-11-02".into()));
        let t = |s| parse_timestamp(s).unwrap().to_rfc3339();
        assert_eq!(t("2026-11-02"), "2026-11-02T00:00:00+00:00");
        assert_eq!(t("2026-11-02 10:30"), "2026-11-02T10:30:00+00:00");
        assert_eq!(t("2026-11-02T10:30:05+01:00"), "2026-11-02T09:30:05+00:00");
        assert!(parse_timestamp("yesterday").unwrap_err().contains("neither a version nor a timestamp"));
    }
}
