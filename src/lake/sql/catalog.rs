//! The lake as DataFusion sees it: one catalog per bucket, one schema per zone, one table per
//! discovered table, all lazy — a table is opened (its Delta snapshot loaded, its schema read
//! from one sample file) the first time a query names it, then kept for the session.
//!
//! Time travel is a naming scheme the schema resolves: `silver."orders@v12"` is the table as of
//! version 12, `silver."orders@2026-01-01T00:00:00Z"` as of a timestamp. The table functions
//! `delta_version('silver.orders', 12)` / `delta_as_of('silver.orders', '…')` are rewritten to
//! those names before planning (see `rewrite`), so both go through the same async opening.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::catalog::{CatalogProvider, SchemaProvider, TableProvider};
use datafusion::datasource::TableType;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::csv::CsvFormat;
use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::error::DataFusionError;
use datafusion::execution::SessionState;

use crate::lake::delta::diff::AsOf;
use crate::lake::discover::partition::PartitionType;
use crate::lake::{Catalog, LakeStore, TableEntry, TableFormat};

/// The schema of tables that sit directly in a bucket, outside any zone.
pub const NO_ZONE: &str = "public";

/// Separates a table's name from the version or timestamp it is read as of.
pub const AS_OF_MARK: char = '@';

/// What every schema shares: the store, a session state to infer schemas with, opened tables.
#[derive(Debug)]
pub struct Opener {
    store: Arc<LakeStore>,
    state: Mutex<Option<SessionState>>,
    opened: Mutex<HashMap<String, Arc<dyn TableProvider>>>,
}

impl Opener {
    pub fn new(store: Arc<LakeStore>) -> Arc<Self> {
        Arc::new(Opener { store, state: Mutex::new(None), opened: Mutex::new(HashMap::new()) })
    }

    pub fn set_state(&self, state: SessionState) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = Some(state);
    }

    fn state(&self) -> Result<SessionState, DataFusionError> {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| DataFusionError::Internal("the SQL session is not ready".into()))
    }

    async fn open(&self, t: &TableEntry, as_of: Option<AsOf>) -> Result<Arc<dyn TableProvider>, DataFusionError> {
        let key = match &as_of {
            None => t.location.clone(),
            Some(AsOf::Version(v)) => format!("{}@v{v}", t.location),
            Some(AsOf::Timestamp(ts)) => format!("{}@{ts}", t.location),
        };
        if let Some(p) = self.opened.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(Arc::clone(p));
        }
        let provider = match t.format {
            TableFormat::Delta => {
                let table = crate::lake::delta::diff::open_as_of(&self.store, &t.location, as_of.as_ref())
                    .await
                    .map_err(|e| plan(format!("{}: {e}", t.name)))?;
                table.table_provider().await?
            }
            other => {
                if as_of.is_some() {
                    return Err(plan(format!(
                        "{} is a {} table: versions and timestamps (@…) are for Delta tables",
                        t.name,
                        other.as_str()
                    )));
                }
                self.listing(t).await?
            }
        };
        self.opened.lock().unwrap_or_else(|p| p.into_inner()).insert(key, Arc::clone(&provider));
        Ok(provider)
    }

    /// A listing table over a Parquet / CSV / JSON dataset, its schema read from one sample
    /// file (not every file's footer), hive partition columns declared so filters prune.
    async fn listing(&self, t: &TableEntry) -> Result<Arc<dyn TableProvider>, DataFusionError> {
        let (format, ext): (Arc<dyn FileFormat>, &str) = match t.format {
            TableFormat::Parquet => (Arc::new(ParquetFormat::default()), ".parquet"),
            TableFormat::Csv => (Arc::new(CsvFormat::default().with_has_header(true)), ".csv"),
            TableFormat::NdJson => (Arc::new(JsonFormat::default()), ""),
            // DataFusion's JSON-array reader splits objects at newlines, which pretty-printed
            // documents (the usual kind) break: such tables are read whole, in memory.
            TableFormat::Json => return self.json_documents(t).await,
            other => {
                return Err(plan(format!(
                    "{} is a {} table: SQL reads Delta, Parquet, CSV and JSON tables",
                    t.name,
                    other.as_str()
                )));
            }
        };
        let state = self.state()?;
        // A file's own extension when it has another one (`part-0000.c000`, `x.csv.gz`).
        let sample = t.sample_file.as_deref().unwrap_or_default();
        let ext = if ext.is_empty() || sample.ends_with(ext) { ext } else { "" };
        let mut location = t.location.clone();
        if let Some(glob) = &t.file_glob {
            location = format!("{}/{glob}", location.trim_end_matches('/'));
        } else if !location.ends_with('/') && !is_single_file(t) {
            location.push('/');
        }
        let url = ListingTableUrl::parse(&location)?;
        let partitions: Vec<(String, DataType)> =
            t.partitions.iter().map(|p| (p.name.clone(), partition_type(p.data_type))).collect();
        let options = ListingOptions::new(format).with_file_extension(ext).with_table_partition_cols(partitions);
        // The schema from the sample file alone: one footer or a few CSV lines.
        let schema_url = match &t.sample_file {
            Some(rel) => ListingTableUrl::parse(self.store.url_of(rel, false).as_str())?,
            None => url.clone(),
        };
        let file_schema = options.infer_schema(&state, &schema_url).await?;
        // Spark leaves partition columns out of the files; a writer that kept them would clash.
        let names: Vec<&str> = t.partitions.iter().map(|p| p.name.as_str()).collect();
        let fields: Vec<_> =
            file_schema.fields().iter().filter(|f| !names.contains(&f.name().as_str())).cloned().collect();
        let config =
            ListingTableConfig::new(url).with_listing_options(options).with_schema(Arc::new(Schema::new(fields)));
        Ok(Arc::new(ListingTable::try_new(config)?))
    }
}

impl Opener {
    /// A table of JSON documents (an array of objects, or one object per file): every file
    /// read, each element made one row, schema inferred over all of them; capped in size.
    async fn json_documents(&self, t: &TableEntry) -> Result<Arc<dyn TableProvider>, DataFusionError> {
        use object_store::ObjectStoreExt;
        const MAX: u64 = 256 << 20;
        if t.bytes > MAX {
            return Err(plan(format!(
                "{} is {} of JSON documents: more than the {} lakescope reads into memory (convert it to NDJSON or Parquet)",
                t.name,
                crate::lake::units::bytes(t.bytes),
                crate::lake::units::bytes(MAX)
            )));
        }
        let os = self.store.object_store();
        let files: Vec<String> = if is_single_file(t) {
            vec![t.path.clone()]
        } else {
            let cancel = tokio_util::sync::CancellationToken::new();
            let all = crate::lake::parquet::dataset::list_under(&os, &self.store.key(&t.path), &t.location, &cancel)
                .await
                .map_err(|e| plan(e.to_string()))?;
            all.into_iter()
                .filter(|(rel, _)| rel.ends_with(".json"))
                .map(|(rel, _)| if t.path.is_empty() { rel } else { format!("{}/{rel}", t.path) })
                .collect()
        };
        let mut lines: Vec<u8> = Vec::new();
        for rel in files {
            let bytes = os
                .get(&self.store.key(&rel))
                .await
                .map_err(|e| plan(format!("{rel}: {}", crate::lake::error::store_reason(&e))))?
                .bytes()
                .await
                .map_err(|e| plan(format!("{rel}: {}", crate::lake::error::store_reason(&e))))?;
            let doc: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| plan(format!("{rel}: not JSON ({e})")))?;
            let rows = match doc {
                serde_json::Value::Array(items) => items,
                other => vec![other],
            };
            for r in rows {
                if !r.is_object() {
                    return Err(plan(format!("{rel}: an element is not a JSON object; rows must be objects")));
                }
                serde_json::to_writer(&mut lines, &r).map_err(|e| plan(e.to_string()))?;
                lines.push(b'\n');
            }
        }
        let (schema, _) =
            datafusion::arrow::json::reader::infer_json_schema_from_seekable(std::io::Cursor::new(&lines), None)?;
        let schema = Arc::new(schema);
        let reader = datafusion::arrow::json::ReaderBuilder::new(schema.clone()).build(std::io::Cursor::new(&lines))?;
        let batches = reader.collect::<Result<Vec<_>, _>>()?;
        Ok(Arc::new(datafusion::datasource::MemTable::try_new(schema, vec![batches])?))
    }
}

/// A table that is one file (`raw/products.csv`): its location is the file's.
fn is_single_file(t: &TableEntry) -> bool {
    t.sample_file.as_deref() == Some(t.path.as_str())
}

fn partition_type(t: PartitionType) -> DataType {
    match t {
        PartitionType::Int => DataType::Int64,
        PartitionType::Date => DataType::Date32,
        // Doubles, booleans and timestamps written in paths come in too many spellings.
        _ => DataType::Utf8,
    }
}

fn plan(msg: String) -> DataFusionError {
    DataFusionError::Plan(msg)
}

/// Split `orders@v12` / `orders@2026-01-01` into the table name and what it is read as of.
pub fn split_as_of(name: &str) -> Result<(&str, Option<AsOf>), String> {
    let Some((base, spec)) = name.rsplit_once(AS_OF_MARK) else { return Ok((name, None)) };
    let spec = spec.trim();
    if let Some(v) = spec.strip_prefix('v').or_else(|| spec.strip_prefix('V')).and_then(|v| v.parse::<u64>().ok()) {
        return Ok((base, Some(AsOf::Version(v))));
    }
    if let Ok(v) = spec.parse::<u64>() {
        return Ok((base, Some(AsOf::Version(v))));
    }
    crate::lake::delta::diff::parse_timestamp(spec).map_err(|e| format!("{name}: {e}"))?;
    Ok((base, Some(AsOf::Timestamp(spec.to_string()))))
}

/// One zone of one bucket.
#[derive(Debug)]
pub struct ZoneSchema {
    tables: BTreeMap<String, TableEntry>,
    opener: Arc<Opener>,
}

#[async_trait]
impl SchemaProvider for ZoneSchema {
    fn table_names(&self) -> Vec<String> {
        self.tables.keys().cloned().collect()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>, DataFusionError> {
        let (base, as_of) = split_as_of(name).map_err(plan)?;
        let Some(t) = self.tables.get(base) else { return Ok(None) };
        self.opener.open(t, as_of).await.map(Some)
    }

    /// Without opening the table (`SHOW TABLES` would otherwise open every one).
    async fn table_type(&self, name: &str) -> Result<Option<TableType>, DataFusionError> {
        Ok(self.table_exist(name).then_some(TableType::Base))
    }

    fn table_exist(&self, name: &str) -> bool {
        split_as_of(name).is_ok_and(|(base, _)| self.tables.contains_key(base))
    }
}

/// One bucket (or, for the default catalog, every zone of the lake, the first bucket winning
/// where two share a zone name).
#[derive(Debug)]
pub struct BucketCatalog {
    schemas: BTreeMap<String, Arc<ZoneSchema>>,
}

impl CatalogProvider for BucketCatalog {
    fn schema_names(&self) -> Vec<String> {
        self.schemas.keys().cloned().collect()
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        self.schemas.get(name).map(|s| Arc::clone(s) as Arc<dyn SchemaProvider>)
    }
}

/// The catalogs of a discovered lake: (bucket, catalog) in bucket order, and the default one.
pub fn lake_catalogs(
    catalog: &Catalog,
    opener: &Arc<Opener>,
) -> (Vec<(String, Arc<BucketCatalog>)>, Arc<BucketCatalog>) {
    let mut by_bucket: BTreeMap<String, BTreeMap<String, BTreeMap<String, TableEntry>>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (_, t) in catalog.tables() {
        if !order.contains(&t.bucket) {
            order.push(t.bucket.clone());
        }
        let zone = t.zone.clone().unwrap_or_else(|| NO_ZONE.to_string());
        by_bucket.entry(t.bucket.clone()).or_default().entry(zone).or_default().insert(t.name.clone(), t.clone());
    }
    let mut buckets = Vec::new();
    let mut default: BTreeMap<String, Arc<ZoneSchema>> = BTreeMap::new();
    for bucket in order {
        let zones = by_bucket.remove(&bucket).unwrap_or_default();
        let schemas: BTreeMap<String, Arc<ZoneSchema>> = zones
            .into_iter()
            .map(|(zone, tables)| (zone, Arc::new(ZoneSchema { tables, opener: Arc::clone(opener) })))
            .collect();
        for (zone, s) in &schemas {
            default.entry(zone.clone()).or_insert_with(|| Arc::clone(s));
        }
        buckets.push((bucket, Arc::new(BucketCatalog { schemas })));
    }
    (buckets, Arc::new(BucketCatalog { schemas: default }))
}

/// An identifier as SQL must write it: bare when it is lower-case ASCII, quoted otherwise.
pub fn quote_ident(name: &str) -> String {
    let simple = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if simple { name.to_string() } else { format!("\"{}\"", name.replace('"', "\"\"")) }
}

/// The shortest name each table has in SQL, by table location: `zone.table` when its bucket is
/// the first with that zone (the default catalog), else `bucket.zone.table`; tables directly in
/// a bucket are `table` (schema `public`). The same rule `lake_catalogs` resolves names with.
pub fn sql_names(catalog: &Catalog) -> Vec<(String, TableEntry)> {
    let mut first_bucket: BTreeMap<String, String> = BTreeMap::new();
    for (_, t) in catalog.tables() {
        let zone = t.zone.clone().unwrap_or_else(|| NO_ZONE.to_string());
        first_bucket.entry(zone).or_insert_with(|| t.bucket.clone());
    }
    catalog
        .tables()
        .map(|(_, t)| {
            let zone = t.zone.clone().unwrap_or_else(|| NO_ZONE.to_string());
            let short = first_bucket.get(&zone) == Some(&t.bucket);
            let name = match (short, t.zone.is_some()) {
                (true, true) => format!("{}.{}", quote_ident(&zone), quote_ident(&t.name)),
                (true, false) => quote_ident(&t.name),
                (false, _) => format!("{}.{}.{}", quote_ident(&t.bucket), quote_ident(&zone), quote_ident(&t.name)),
            };
            (name, t.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_versions_and_timestamps() {
        assert!(matches!(split_as_of("orders"), Ok(("orders", None))));
        assert!(matches!(split_as_of("orders@v12"), Ok(("orders", Some(AsOf::Version(12))))));
        assert!(matches!(split_as_of("orders@3"), Ok(("orders", Some(AsOf::Version(3))))));
        assert!(matches!(split_as_of("orders@2026-01-01T00:00:00Z"), Ok(("orders", Some(AsOf::Timestamp(_))))));
        assert!(split_as_of("orders@yesterday").unwrap_err().contains("orders@yesterday"));
    }

    #[test]
    fn identifiers_are_quoted_when_sql_needs_it() {
        assert_eq!(quote_ident("orders"), "orders");
        assert_eq!(quote_ident("acme-lake"), "\"acme-lake\"");
        assert_eq!(quote_ident("Orders"), "\"Orders\"");
        assert_eq!(quote_ident("2024"), "\"2024\"");
    }
}
