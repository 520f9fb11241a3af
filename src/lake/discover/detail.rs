//! What the detail pane shows for a table beyond its listing: its schema, row count and, for
//! Delta tables, the current version, protocol and live files — read with as few bytes as the
//! format allows (the Delta log through delta-rs, one footer read for Parquet, the first KiBs of a
//! CSV / JSON file).

use std::io::Read;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use object_store::{ObjectStore, ObjectStoreExt};
use parquet::arrow::async_reader::AsyncFileReader;
use serde::Serialize;

use crate::lake::discover::catalog::{TableEntry, TableFormat};
use crate::lake::error::{LakeError, describe};
use crate::lake::parquet::io::StoreFileReader;
use crate::lake::store::LakeStore;

/// Bytes read from the start of a CSV / NDJSON file to infer its schema.
const TEXT_SAMPLE: u64 = 256 * 1024;
/// Largest JSON document (a top-level array) parsed whole to infer a schema.
const JSON_DOC_LIMIT: u64 = 8 * 1024 * 1024;
/// Records looked at when inferring a text schema.
const INFER_RECORDS: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
    pub nullable: bool,
    pub partition: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeltaSummary {
    pub version: u64,
    pub files: u64,
    pub bytes: u64,
    /// Sum of `numRecords` from the log's stats; `None` when some file has no stats.
    pub rows: Option<u64>,
    pub partition_columns: Vec<String>,
    pub min_reader_version: i32,
    pub min_writer_version: i32,
    pub reader_features: Vec<String>,
    pub writer_features: Vec<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub created_time_ms: Option<i64>,
}

/// The loaded detail of one table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableDetail {
    pub columns: Vec<ColumnInfo>,
    pub rows: Option<u64>,
    /// Where the row count comes from, when it is not exact for the whole table.
    pub rows_note: Option<String>,
    pub delta: Option<DeltaSummary>,
    /// What was read to build this detail.
    pub source: String,
    pub notes: Vec<String>,
}

/// Load the detail of a table.
pub async fn load_detail(store: &LakeStore, table: &TableEntry) -> Result<TableDetail, LakeError> {
    load_detail_as_of(store, table, None).await
}

/// Load the detail of a table; a Delta table as of a version or timestamp when asked.
pub async fn load_detail_as_of(
    store: &LakeStore,
    table: &TableEntry,
    as_of: Option<&crate::lake::delta::diff::AsOf>,
) -> Result<TableDetail, LakeError> {
    match table.format {
        TableFormat::Delta => delta_detail(store, table, as_of).await,
        TableFormat::Parquet => parquet_detail(store, table).await,
        TableFormat::Csv | TableFormat::Json | TableFormat::NdJson => text_detail(store, table).await,
        other => Err(LakeError::Unsupported {
            location: table.location.clone(),
            reason: format!("{} tables are detected and listed, but lakescope cannot read them yet", other.as_str()),
        }),
    }
}

async fn delta_detail(
    store: &LakeStore,
    table: &TableEntry,
    as_of: Option<&crate::lake::delta::diff::AsOf>,
) -> Result<TableDetail, LakeError> {
    let state = crate::lake::delta::state::open_as_of(store, &table.location, as_of).await?;
    let metadata = state.metadata();
    let protocol = state.protocol();
    let partition_columns: Vec<String> = metadata.partition_columns().to_vec();
    let schema = state.arrow_schema()?;
    let columns = columns_of(&schema, &partition_columns);

    let (mut files, mut bytes, mut rows, mut all_stats) = (0u64, 0u64, 0u64, true);
    for f in state.files(&tokio_util::sync::CancellationToken::new()).await? {
        files += 1;
        bytes += f.size;
        match f.rows {
            Some(n) => rows += n,
            None => all_stats = false,
        }
    }
    let summary = DeltaSummary {
        version: state.version(),
        files,
        bytes,
        rows: all_stats.then_some(rows),
        partition_columns,
        min_reader_version: protocol.min_reader_version(),
        min_writer_version: protocol.min_writer_version(),
        reader_features: feature_names(protocol.reader_features()),
        writer_features: feature_names(protocol.writer_features()),
        name: metadata.name().map(str::to_string),
        description: metadata.description().map(str::to_string),
        created_time_ms: metadata.created_time(),
    };
    let mut notes = Vec::new();
    if !all_stats {
        notes.push("some files carry no row statistics: row count unknown".to_string());
    }
    Ok(TableDetail {
        columns,
        rows: summary.rows,
        rows_note: None,
        source: match as_of {
            Some(a) => format!("_delta_log v{} (as of {})", summary.version, a.text()),
            None => format!("_delta_log v{}", summary.version),
        },
        delta: Some(summary),
        notes,
    })
}

fn feature_names<T: std::fmt::Display>(features: Option<&[T]>) -> Vec<String> {
    features.map(|v| v.iter().map(|f| f.to_string()).collect()).unwrap_or_default()
}

async fn parquet_detail(store: &LakeStore, table: &TableEntry) -> Result<TableDetail, LakeError> {
    let sample = table.sample_file.clone().ok_or_else(|| LakeError::Read {
        location: table.location.clone(),
        reason: "no data file found to read a schema from".into(),
    })?;
    let key = store.key(&sample);
    let size = table.sample_file_bytes;
    let location = store.url_of(&sample, false).to_string();
    let mut reader = StoreFileReader::new(store.object_store(), key, size);
    let metadata = reader
        .get_metadata(None)
        .await
        .map_err(|e| LakeError::Read { location: location.clone(), reason: parquet_reason(&e) })?;
    let fm = metadata.file_metadata();
    let schema = parquet::arrow::parquet_to_arrow_schema(fm.schema_descr(), fm.key_value_metadata())
        .map_err(|e| LakeError::Read { location: location.clone(), reason: parquet_reason(&e) })?;
    let columns = with_partitions(columns_of(&schema, &[]), table);
    let file_rows = fm.num_rows().max(0) as u64;
    let file_name = sample.rsplit('/').next().unwrap_or(&sample).to_string();
    let (rows, rows_note) = if table.files <= 1 {
        (Some(file_rows), None)
    } else {
        (None, Some(format!("{file_rows} rows in {file_name}, 1 of {} files", table.files)))
    };
    Ok(TableDetail {
        columns,
        rows,
        rows_note,
        delta: None,
        source: format!(
            "footer of {file_name} ({})",
            crate::lake::units::plural(metadata.num_row_groups() as u64, "row group")
        ),
        notes: Vec::new(),
    })
}

fn parquet_reason(e: &parquet::errors::ParquetError) -> String {
    // object_store errors arrive wrapped: say "not found" rather than a debug dump.
    if crate::lake::error::Failure::of(e) == crate::lake::error::Failure::NotFound {
        return "the file is gone (deleted since it was listed?)".to_string();
    }
    describe(e)
}

async fn text_detail(store: &LakeStore, table: &TableEntry) -> Result<TableDetail, LakeError> {
    let sample = table.sample_file.clone().ok_or_else(|| LakeError::Read {
        location: table.location.clone(),
        reason: "no data file found to read a schema from".into(),
    })?;
    let key = store.key(&sample);
    let location = store.url_of(&sample, false).to_string();
    let os: Arc<dyn ObjectStore> = store.object_store();
    let size = match table.sample_file_bytes {
        Some(s) => s,
        None => os.head(&key).await.map_err(|e| LakeError::store("read", location.clone(), &e))?.size,
    };
    let lower = sample.to_ascii_lowercase();
    let gz = lower.ends_with(".gz") || lower.ends_with(".gzip");
    let whole_json = table.format == TableFormat::Json && size <= JSON_DOC_LIMIT;
    let want = if whole_json || gz { size.min(JSON_DOC_LIMIT) } else { size.min(TEXT_SAMPLE) };
    let raw = if want == 0 {
        bytes::Bytes::new()
    } else {
        os.get_range(&key, 0..want).await.map_err(|e| LakeError::store("read", location.clone(), &e))?
    };
    let text: Vec<u8> = if gz {
        let mut out = Vec::new();
        let mut dec = flate2::read::MultiGzDecoder::new(raw.as_ref()).take(TEXT_SAMPLE);
        // A truncated gzip stream still yields its first records; only an invalid header fails.
        if let Err(e) = dec.read_to_end(&mut out)
            && out.is_empty()
        {
            return Err(LakeError::Read { location, reason: format!("not valid gzip: {e}") });
        }
        out
    } else {
        raw.to_vec()
    };
    let complete = want >= size && !gz;
    let file_name = sample.rsplit('/').next().unwrap_or(&sample).to_string();
    let read_err = |reason: String| LakeError::Read { location: location.clone(), reason };
    let schema = match table.format {
        TableFormat::Csv => {
            let body = if complete { &text[..] } else { up_to_last_newline(&text) };
            let delimiter = if lower.contains(".tsv") {
                b'\t'
            } else if lower.contains(".psv") {
                b'|'
            } else {
                b','
            };
            let format = arrow::csv::reader::Format::default().with_header(true).with_delimiter(delimiter);
            format.infer_schema(body, Some(INFER_RECORDS)).map_err(|e| read_err(describe(&e)))?.0
        }
        _ => {
            let first = text.iter().find(|b| !b.is_ascii_whitespace()).copied();
            if first == Some(b'[') {
                if !complete {
                    return Err(read_err(format!(
                        "a JSON array document larger than {} MiB: schema not inferred",
                        JSON_DOC_LIMIT >> 20
                    )));
                }
                let doc: serde_json::Value =
                    serde_json::from_slice(&text).map_err(|e| read_err(format!("invalid JSON: {e}")))?;
                let items = doc.as_array().cloned().unwrap_or_default();
                arrow::json::reader::infer_json_schema_from_iterator(items.into_iter().take(INFER_RECORDS).map(Ok))
                    .map_err(|e| read_err(describe(&e)))?
            } else {
                let body = if complete { &text[..] } else { up_to_last_newline(&text) };
                arrow::json::reader::infer_json_schema(body, Some(INFER_RECORDS)).map_err(|e| read_err(describe(&e)))?.0
            }
        }
    };
    let columns = with_partitions(columns_of(&schema, &[]), table);
    Ok(TableDetail {
        columns,
        rows: None,
        rows_note: None,
        delta: None,
        source: format!("first {} of {file_name}", crate::lake::units::bytes(text.len() as u64)),
        notes: Vec::new(),
    })
}

/// Mark the hive partition columns of a dataset, adding those its files do not store (the
/// usual case: the value lives in the folder name), with the type inferred from the folders.
fn with_partitions(mut columns: Vec<ColumnInfo>, table: &TableEntry) -> Vec<ColumnInfo> {
    for p in &table.partitions {
        match columns.iter_mut().find(|c| c.name == p.name) {
            Some(c) => c.partition = true,
            None => columns.push(ColumnInfo {
                name: p.name.clone(),
                data_type: p.data_type.as_str().to_string(),
                nullable: true,
                partition: true,
            }),
        }
    }
    columns
}

fn up_to_last_newline(buf: &[u8]) -> &[u8] {
    match buf.iter().rposition(|b| *b == b'\n') {
        Some(i) => &buf[..=i],
        None => buf,
    }
}

fn columns_of(schema: &Schema, partition_columns: &[String]) -> Vec<ColumnInfo> {
    schema
        .fields()
        .iter()
        .map(|f| ColumnInfo {
            name: f.name().clone(),
            data_type: type_name(f.data_type()),
            nullable: f.is_nullable(),
            partition: partition_columns.contains(f.name()),
        })
        .collect()
}

/// A compact, SQL-flavoured type name: `string`, `decimal(10,2)`, `timestamp[us, UTC]`,
/// `list<int64>`, `struct<a: int32, b: string>`.
pub fn type_name(dt: &DataType) -> String {
    match dt {
        DataType::Null => "null".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "int8".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt8 => "uint8".into(),
        DataType::UInt16 => "uint16".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Float16 => "float16".into(),
        DataType::Float32 => "float".into(),
        DataType::Float64 => "double".into(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "binary".into(),
        DataType::FixedSizeBinary(n) => format!("binary({n})"),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(unit, tz) => {
            let u = unit_name(unit);
            match tz {
                Some(tz) => format!("timestamp[{u}, {tz}]"),
                None => format!("timestamp[{u}]"),
            }
        }
        DataType::Time32(u) | DataType::Time64(u) => format!("time[{}]", unit_name(u)),
        DataType::Duration(u) => format!("duration[{}]", unit_name(u)),
        DataType::Interval(_) => "interval".into(),
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => {
            format!("decimal({p},{s})")
        }
        DataType::List(f) | DataType::LargeList(f) | DataType::ListView(f) | DataType::LargeListView(f) => {
            format!("list<{}>", type_name(f.data_type()))
        }
        DataType::FixedSizeList(f, n) => format!("list<{}>[{n}]", type_name(f.data_type())),
        DataType::Struct(fields) => {
            let inner: Vec<String> = fields.iter().map(|f| field_sig(f)).collect();
            format!("struct<{}>", inner.join(", "))
        }
        DataType::Map(f, _) => match f.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                format!("map<{}, {}>", type_name(kv[0].data_type()), type_name(kv[1].data_type()))
            }
            other => format!("map<{}>", type_name(other)),
        },
        DataType::Dictionary(_, v) => type_name(v),
        DataType::RunEndEncoded(_, v) => type_name(v.data_type()),
        DataType::Union(_, _) => "union".into(),
    }
}

fn field_sig(f: &Field) -> String {
    format!("{}: {}", f.name(), type_name(f.data_type()))
}

fn unit_name(u: &TimeUnit) -> &'static str {
    match u {
        TimeUnit::Second => "s",
        TimeUnit::Millisecond => "ms",
        TimeUnit::Microsecond => "us",
        TimeUnit::Nanosecond => "ns",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc as StdArc;

    #[test]
    fn type_names_are_compact() {
        assert_eq!(type_name(&DataType::Utf8View), "string");
        assert_eq!(type_name(&DataType::Decimal128(10, 2)), "decimal(10,2)");
        assert_eq!(type_name(&DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))), "timestamp[us, UTC]");
        let list = DataType::List(StdArc::new(Field::new("item", DataType::Int64, true)));
        assert_eq!(type_name(&list), "list<int64>");
        let st = DataType::Struct(
            vec![Field::new("a", DataType::Int32, true), Field::new("b", DataType::Utf8, true)].into(),
        );
        assert_eq!(type_name(&st), "struct<a: int32, b: string>");
    }
}
