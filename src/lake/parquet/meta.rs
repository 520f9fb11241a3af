//! The Parquet inspector's model: reading a footer with the fewest bytes (one suffix GET for a
//! typical file), validating its length field before anything is allocated from it, and turning
//! the metadata into plain, serialisable summaries — file, schema tree, row groups, column chunks
//! with statistics decoded by logical type, and page indexes on demand.
//!
//! Nothing here trusts the file: a footer length is checked against the file size and a hard
//! limit, the decoder runs under `catch_unwind`, and every failure becomes a one-line reason.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::{Bytes, BytesMut};
use futures::FutureExt;
use futures::future::BoxFuture;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};
use parquet::arrow::arrow_reader::ArrowReaderOptions;
use parquet::arrow::async_reader::AsyncFileReader;
use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit, Type as PhysicalType};
use parquet::errors::ParquetError;
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData, ParquetMetaDataReader, RowGroupMetaData};
use parquet::file::page_index::column_index::ColumnIndexMetaData;
use parquet::file::statistics::Statistics;
use parquet::schema::types::{ColumnDescriptor, Type as SchemaType};
use serde::Serialize;

use crate::lake::error::{LakeError, describe, store_reason};
use crate::lake::parquet::io::FOOTER_HINT;

/// The largest footer lakescope will read (a footer this size describes millions of chunks).
pub const MAX_FOOTER: u64 = 256 * 1024 * 1024;
/// Why a footer read failed when the object does not exist.
pub const GONE: &str = "the file is gone (deleted since it was listed?)";
/// Statistics and key-value values longer than this are cut for display.
const VALUE_CHARS: usize = 64;

/// One Parquet object in a store.
#[derive(Debug, Clone)]
pub struct ParquetFile {
    pub store: Arc<dyn ObjectStore>,
    pub key: Path,
    /// How the file is shown (a URL without credentials).
    pub location: String,
    /// Size from a listing, when known (saves nothing: the suffix GET reports it anyway).
    pub size: Option<u64>,
}

/// Requests and bytes one view has read, counted where it reads them.
#[derive(Debug, Default)]
pub struct ReadTally {
    pub requests: AtomicU64,
    pub bytes: AtomicU64,
}

impl ReadTally {
    pub fn add(&self, bytes: u64) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// A footer as read: the decoded metadata and what it cost.
#[derive(Debug, Clone)]
pub struct Footer {
    pub metadata: Arc<ParquetMetaData>,
    pub file_size: u64,
    /// Length of the Thrift-encoded metadata (the footer is this + 8 bytes).
    pub footer_len: u64,
    pub requests: u64,
    pub bytes_read: u64,
    /// The bytes the first request brought back (the file's tail; all of a small file), kept so
    /// a preview of data inside them costs no further request.
    pub tail: Bytes,
    pub tail_start: u64,
}

impl Footer {
    /// `range` from the bytes already read, if they cover it.
    pub fn cached(&self, range: &Range<u64>) -> Option<Bytes> {
        let end = self.tail_start + self.tail.len() as u64;
        (range.start >= self.tail_start && range.end <= end && range.start <= range.end)
            .then(|| self.tail.slice((range.start - self.tail_start) as usize..(range.end - self.tail_start) as usize))
    }
}

fn read_err(file: &ParquetFile, reason: impl Into<String>) -> LakeError {
    LakeError::Read { location: file.location.clone(), reason: reason.into() }
}

/// Read and decode the footer of `file`: one suffix GET of `FOOTER_HINT` bytes, and a second
/// ranged GET only when the footer is larger than that.
pub async fn read_footer(file: &ParquetFile) -> Result<Footer, LakeError> {
    read_footer_with_hint(file, FOOTER_HINT as u64).await
}

pub async fn read_footer_with_hint(file: &ParquetFile, hint: u64) -> Result<Footer, LakeError> {
    if file.size == Some(0) {
        return Err(read_err(file, "empty file (0 bytes): not Parquet"));
    }
    let first = match file.size {
        Some(size) => GetRange::Bounded(size.saturating_sub(hint)..size),
        None => GetRange::Suffix(hint),
    };
    let mut requests = 1u64;
    let (tail, file_size) = match get_tail(file, first).await {
        Ok(t) => t,
        Err(e) => {
            if matches!(e, object_store::Error::NotFound { .. }) {
                return Err(LakeError::Store {
                    action: "read",
                    location: file.location.clone(),
                    failure: crate::lake::error::Failure::NotFound,
                    reason: GONE.into(),
                });
            }
            // The size from the listing may be stale, an empty object refuses a suffix range,
            // and some stores (Azure) have no suffix ranges: ask for the size, then read again.
            let meta = file.store.head(&file.key).await.map_err(|_| read_err(file, store_reason(&e)))?;
            requests += 1;
            if meta.size < 12 {
                return Err(too_small(file, meta.size));
            }
            requests += 1;
            get_tail(file, GetRange::Bounded(meta.size.saturating_sub(hint)..meta.size))
                .await
                .map_err(|e| read_err(file, store_reason(&e)))?
        }
    };
    let mut bytes_read = tail.len() as u64;
    if file_size < 12 {
        return Err(too_small(file, file_size));
    }
    if tail.len() < 8 {
        return Err(read_err(file, format!("the store returned {} bytes for the file's last 8", tail.len())));
    }
    let end = &tail[tail.len() - 8..];
    let magic = &end[4..8];
    if magic == b"PARE" {
        return Err(read_err(
            file,
            "encrypted footer (Parquet Modular Encryption): lakescope has no keys to decrypt it",
        ));
    }
    if magic != b"PAR1" {
        return Err(read_err(
            file,
            format!("not a Parquet file: it ends with {} instead of the PAR1 magic", show_magic(magic)),
        ));
    }
    let footer_len = u32::from_le_bytes([end[0], end[1], end[2], end[3]]) as u64;
    if footer_len + 8 > file_size.saturating_sub(4) {
        return Err(read_err(
            file,
            format!(
                "corrupt footer: its length field says {} but the file has only {} before it (truncated or damaged file)",
                crate::lake::units::bytes(footer_len),
                crate::lake::units::bytes(file_size.saturating_sub(12)),
            ),
        ));
    }
    if footer_len > MAX_FOOTER {
        return Err(read_err(
            file,
            format!(
                "footer of {} is above lakescope's limit of {}: not read",
                crate::lake::units::bytes(footer_len),
                crate::lake::units::bytes(MAX_FOOTER)
            ),
        ));
    }
    let have = tail.len() as u64 - 8;
    let footer: Bytes = if footer_len <= have {
        tail.slice((have - footer_len) as usize..have as usize)
    } else {
        // The footer is larger than the first read: fetch exactly the missing head of it.
        let start = file_size - 8 - footer_len;
        let missing = start..file_size - tail.len() as u64;
        let head = file.store.get_range(&file.key, missing).await.map_err(|e| read_err(file, store_reason(&e)))?;
        requests += 1;
        bytes_read += head.len() as u64;
        let mut buf = BytesMut::with_capacity(footer_len as usize);
        buf.extend_from_slice(&head);
        buf.extend_from_slice(&tail[..have as usize]);
        buf.freeze()
    };
    let metadata = decode_guarded(&footer).map_err(|reason| read_err(file, reason))?;
    let tail_start = file_size - tail.len() as u64;
    Ok(Footer { metadata: Arc::new(metadata), file_size, footer_len, requests, bytes_read, tail, tail_start })
}

async fn get_tail(file: &ParquetFile, range: GetRange) -> Result<(Bytes, u64), object_store::Error> {
    let options = GetOptions { range: Some(range), ..Default::default() };
    let resp = file.store.get_opts(&file.key, options).await?;
    let size = resp.meta.size;
    Ok((resp.bytes().await?, size))
}

fn too_small(file: &ParquetFile, size: u64) -> LakeError {
    if size == 0 {
        read_err(file, "empty file (0 bytes): not Parquet")
    } else {
        read_err(file, format!("{size} bytes is too small for a Parquet file (at least 12): truncated?"))
    }
}

fn show_magic(m: &[u8]) -> String {
    if m.iter().all(|b| b.is_ascii_graphic()) {
        format!("{:?}", String::from_utf8_lossy(m))
    } else {
        format!("bytes {:02x} {:02x} {:02x} {:02x}", m[0], m[1], m[2], m[3])
    }
}

/// Decode footer bytes; a panic in the decoder (a bug on hostile input) becomes an error.
fn decode_guarded(footer: &[u8]) -> Result<ParquetMetaData, String> {
    match std::panic::catch_unwind(|| ParquetMetaDataReader::decode_metadata(footer)) {
        Ok(Ok(m)) => Ok(m),
        Ok(Err(e)) => Err(format!("corrupt footer: {}", parquet_text(&e))),
        Err(p) => Err(format!("corrupt footer: the decoder failed ({})", crate::lake::discover::panic_message(&p))),
    }
}

/// A Parquet error on one line, without the "Parquet error:" prefixes the crate repeats.
pub fn parquet_text(e: &ParquetError) -> String {
    let t = describe(e);
    let mut t = t.as_str();
    loop {
        let before = t.len();
        for p in ["Arrow: ", "Parquet error: ", "Parquet argument error: ", "External: "] {
            if let Some(rest) = t.strip_prefix(p) {
                t = rest;
            }
        }
        if t.len() == before {
            break;
        }
    }
    t.to_string()
}

// ---------------------------------------------------------------------------------------------
// Summaries

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyValueInfo {
    pub key: String,
    /// The value, or a one-line description of a known blob (Arrow / Spark schemas).
    pub value: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaNode {
    pub depth: usize,
    pub name: String,
    pub repetition: String,
    /// Physical type of a leaf (`None` for groups).
    pub physical: Option<String>,
    /// Logical / converted annotation, if any.
    pub logical: Option<String>,
    /// Index among the leaf columns, for leaves.
    pub leaf: Option<usize>,
    pub children: usize,
}

impl SchemaNode {
    /// `INT64 TIMESTAMP(us, utc=true)`, `BYTE_ARRAY`, `group LIST`, `group`.
    pub fn type_text(&self) -> String {
        match (&self.physical, &self.logical) {
            (Some(p), Some(l)) => format!("{p} {l}"),
            (Some(p), None) => p.clone(),
            (None, Some(l)) => format!("group {l}"),
            (None, None) => "group".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsInfo {
    pub min: Option<String>,
    pub max: Option<String>,
    pub null_count: Option<u64>,
    pub distinct_count: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnChunkInfo {
    pub path: String,
    pub physical: String,
    pub codec: String,
    pub encodings: Vec<String>,
    pub dictionary_page: bool,
    pub values: i64,
    pub compressed: u64,
    pub uncompressed: u64,
    /// First byte and length of the chunk in the file.
    pub offset: u64,
    pub length: u64,
    pub stats: Option<StatsInfo>,
    pub column_index: bool,
    pub offset_index: bool,
    pub bloom_filter: bool,
}

impl ColumnChunkInfo {
    /// What the chunk carries besides data: `D` dictionary page, `C` column index, `O` offset
    /// index, `B` bloom filter (`-` where absent), e.g. `DCO-`.
    pub fn flags(&self) -> String {
        [(self.dictionary_page, 'D'), (self.column_index, 'C'), (self.offset_index, 'O'), (self.bloom_filter, 'B')]
            .iter()
            .map(|(on, c)| if *on { *c } else { '-' })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowGroupInfo {
    pub index: usize,
    pub rows: i64,
    pub compressed: u64,
    pub uncompressed: u64,
    pub file_offset: Option<i64>,
    pub sorting: Vec<String>,
    pub columns: Vec<ColumnChunkInfo>,
}

impl RowGroupInfo {
    pub fn ratio(&self) -> f64 {
        if self.compressed == 0 { 0.0 } else { self.uncompressed as f64 / self.compressed as f64 }
    }
}

/// Everything the inspector shows about one file, from its footer alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParquetSummary {
    pub location: String,
    pub file_size: u64,
    pub footer_len: u64,
    pub rows: i64,
    pub row_group_count: usize,
    pub created_by: Option<String>,
    pub format_version: i32,
    pub leaf_columns: usize,
    pub compressed: u64,
    pub uncompressed: u64,
    pub key_value: Vec<KeyValueInfo>,
    pub schema: Vec<SchemaNode>,
    pub row_groups: Vec<RowGroupInfo>,
    /// What reading the footer cost.
    pub requests: u64,
    pub bytes_read: u64,
    pub notes: Vec<String>,
}

pub fn summarize(location: &str, footer: &Footer) -> ParquetSummary {
    let md = &footer.metadata;
    let fm = md.file_metadata();
    let key_value = fm
        .key_value_metadata()
        .map(|kvs| {
            kvs.iter()
                .map(|kv| {
                    let raw = kv.value.as_deref().unwrap_or("");
                    KeyValueInfo { key: kv.key.clone(), value: kv_value(&kv.key, raw), bytes: raw.len() as u64 }
                })
                .collect()
        })
        .unwrap_or_default();
    let mut schema = Vec::new();
    let mut leaf = 0;
    schema_nodes(fm.schema(), 0, &mut leaf, &mut schema);
    let row_groups: Vec<RowGroupInfo> =
        md.row_groups().iter().enumerate().map(|(i, rg)| row_group_info(i, rg)).collect();
    let compressed = row_groups.iter().map(|r| r.compressed).sum();
    let uncompressed = row_groups.iter().map(|r| r.uncompressed).sum();
    let mut notes = Vec::new();
    let rg_rows: i64 = row_groups.iter().map(|r| r.rows).sum();
    if rg_rows != fm.num_rows() {
        notes.push(format!("the footer says {} rows but its row groups hold {rg_rows}", fm.num_rows()));
    }
    ParquetSummary {
        location: location.to_string(),
        file_size: footer.file_size,
        footer_len: footer.footer_len,
        rows: fm.num_rows(),
        row_group_count: md.num_row_groups(),
        created_by: fm.created_by().map(str::to_string),
        format_version: fm.version(),
        leaf_columns: fm.schema_descr().num_columns(),
        compressed,
        uncompressed,
        key_value,
        schema,
        row_groups,
        requests: footer.requests,
        bytes_read: footer.bytes_read,
        notes,
    }
}

fn kv_value(key: &str, raw: &str) -> String {
    let size = crate::lake::units::bytes(raw.len() as u64);
    match key {
        "ARROW:schema" => format!("<Arrow schema, {size}>"),
        "org.apache.spark.sql.parquet.row.metadata" => format!("<Spark schema JSON, {size}>"),
        "pandas" => format!("<pandas metadata, {size}>"),
        "avro.schema" | "parquet.avro.schema" => format!("<Avro schema, {size}>"),
        _ if raw.len() > 200 => format!("{}… ({size})", cut(raw, VALUE_CHARS)),
        _ => raw.to_string(),
    }
}

fn cut(s: &str, chars: usize) -> String {
    let mut out: String = s.chars().take(chars).collect();
    out = out.replace(['\n', '\r', '\t'], " ");
    out
}

fn schema_nodes(t: &SchemaType, depth: usize, leaf: &mut usize, out: &mut Vec<SchemaNode>) {
    let info = t.get_basic_info();
    let repetition = if info.has_repetition() { repetition_name(info.repetition()) } else { "root" };
    let logical = logical_name(info.logical_type_ref(), info.converted_type(), t);
    match t {
        SchemaType::PrimitiveType { physical_type, type_length, .. } => {
            let physical = match physical_type {
                PhysicalType::FIXED_LEN_BYTE_ARRAY => format!("FIXED_LEN_BYTE_ARRAY({type_length})"),
                p => p.to_string(),
            };
            out.push(SchemaNode {
                depth,
                name: info.name().to_string(),
                repetition: repetition.to_string(),
                physical: Some(physical),
                logical,
                leaf: Some(*leaf),
                children: 0,
            });
            *leaf += 1;
        }
        SchemaType::GroupType { fields, .. } => {
            out.push(SchemaNode {
                depth,
                name: info.name().to_string(),
                repetition: repetition.to_string(),
                physical: None,
                logical,
                leaf: None,
                children: fields.len(),
            });
            for f in fields {
                schema_nodes(f, depth + 1, leaf, out);
            }
        }
    }
}

fn repetition_name(r: Repetition) -> &'static str {
    match r {
        Repetition::REQUIRED => "required",
        Repetition::OPTIONAL => "optional",
        Repetition::REPEATED => "repeated",
    }
}

fn logical_name(lt: Option<&LogicalType>, ct: ConvertedType, t: &SchemaType) -> Option<String> {
    let unit = |u: &TimeUnit| match u {
        TimeUnit::MILLIS => "ms",
        TimeUnit::MICROS => "us",
        TimeUnit::NANOS => "ns",
    };
    if let Some(lt) = lt {
        return Some(match lt {
            LogicalType::String => "STRING".into(),
            LogicalType::Map => "MAP".into(),
            LogicalType::List => "LIST".into(),
            LogicalType::Enum => "ENUM".into(),
            LogicalType::Decimal(d) => format!("DECIMAL({},{})", d.precision, d.scale),
            LogicalType::Date => "DATE".into(),
            LogicalType::Time(tt) => format!("TIME({}, utc={})", unit(&tt.unit), tt.is_adjusted_to_u_t_c),
            LogicalType::Timestamp(tt) => {
                format!("TIMESTAMP({}, utc={})", unit(&tt.unit), tt.is_adjusted_to_u_t_c)
            }
            LogicalType::Integer(i) => format!("{}INT{}", if i.is_signed { "" } else { "U" }, i.bit_width),
            LogicalType::Unknown => "UNKNOWN (null)".into(),
            LogicalType::Json => "JSON".into(),
            LogicalType::Bson => "BSON".into(),
            LogicalType::Uuid => "UUID".into(),
            LogicalType::Float16 => "FLOAT16".into(),
            LogicalType::Variant(_) => "VARIANT".into(),
            LogicalType::Geometry(_) => "GEOMETRY".into(),
            LogicalType::Geography(_) => "GEOGRAPHY".into(),
            LogicalType::_Unknown { field_id } => format!("unknown logical type #{field_id}"),
        });
    }
    match ct {
        ConvertedType::NONE => None,
        ConvertedType::DECIMAL => {
            let (p, s) = match t {
                SchemaType::PrimitiveType { precision, scale, .. } => (*precision, *scale),
                _ => (0, 0),
            };
            Some(format!("DECIMAL({p},{s})"))
        }
        other => Some(other.to_string()),
    }
}

fn row_group_info(index: usize, rg: &RowGroupMetaData) -> RowGroupInfo {
    let columns: Vec<ColumnChunkInfo> = rg.columns().iter().map(chunk_info).collect();
    let sorting = rg
        .sorting_columns()
        .map(|cols| {
            cols.iter()
                .map(|s| {
                    let name = rg
                        .schema_descr()
                        .columns()
                        .get(s.column_idx.max(0) as usize)
                        .map(|c| c.path().string())
                        .unwrap_or_else(|| format!("#{}", s.column_idx));
                    format!(
                        "{name} {}{}",
                        if s.descending { "desc" } else { "asc" },
                        if s.nulls_first { " nulls first" } else { " nulls last" }
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    RowGroupInfo {
        index,
        rows: rg.num_rows(),
        // Some writers leave the row group's totals at 0: add the chunks up instead.
        compressed: columns.iter().map(|c| c.compressed).sum(),
        uncompressed: columns.iter().map(|c| c.uncompressed).sum(),
        file_offset: rg.file_offset(),
        sorting,
        columns,
    }
}

fn chunk_info(c: &ColumnChunkMetaData) -> ColumnChunkInfo {
    let (offset, length) = c.byte_range();
    ColumnChunkInfo {
        path: c.column_path().string(),
        physical: c.column_type().to_string(),
        codec: codec_name(&c.compression().to_string()),
        encodings: c.encodings().map(|e| e.to_string()).collect(),
        dictionary_page: c.dictionary_page_offset().is_some(),
        values: c.num_values(),
        compressed: c.compressed_size().max(0) as u64,
        uncompressed: c.uncompressed_size().max(0) as u64,
        offset,
        length,
        stats: c.statistics().map(|s| stats_info(s, c.column_descr())),
        column_index: c.column_index_offset().is_some(),
        offset_index: c.offset_index_offset().is_some(),
        bloom_filter: c.bloom_filter_offset().is_some(),
    }
}

/// `ZSTD(ZstdLevel(1))` -> `ZSTD`: the level is the reader's default, not what the writer used.
fn codec_name(s: &str) -> String {
    s.split('(').next().unwrap_or(s).to_string()
}

fn stats_info(s: &Statistics, descr: &ColumnDescriptor) -> StatsInfo {
    StatsInfo {
        min: s.min_bytes_opt().map(|b| decode_value(b, descr)),
        max: s.max_bytes_opt().map(|b| decode_value(b, descr)),
        null_count: s.null_count_opt(),
        distinct_count: s.distinct_count_opt(),
    }
}

// ---------------------------------------------------------------------------------------------
// Values: plain-encoded statistics bytes to readable text, by logical type

/// A plain-encoded value (as in statistics and column indexes) as readable text: dates and
/// timestamps in ISO form, decimals scaled, unsigned integers unsigned, strings quoted, other
/// bytes in hex. Never panics on short or odd input.
pub fn decode_value(b: &[u8], descr: &ColumnDescriptor) -> String {
    let lt = descr.logical_type_ref();
    let ct = descr.converted_type();
    let scale = match lt {
        Some(LogicalType::Decimal(d)) => Some(d.scale),
        _ if ct == ConvertedType::DECIMAL => Some(descr.type_scale()),
        _ => None,
    };
    match descr.physical_type() {
        PhysicalType::BOOLEAN => b.first().map(|v| (*v != 0).to_string()).unwrap_or_else(|| hex(b)),
        PhysicalType::INT32 => {
            let Ok(a) = <[u8; 4]>::try_from(b) else { return hex(b) };
            let v = i32::from_le_bytes(a);
            if let Some(s) = scale {
                return decimal(v as i128, s);
            }
            match (lt, ct) {
                (Some(LogicalType::Date), _) | (None, ConvertedType::DATE) => date(v as i64),
                (Some(LogicalType::Integer(i)), _) if !i.is_signed => (v as u32).to_string(),
                (None, ConvertedType::UINT_8 | ConvertedType::UINT_16 | ConvertedType::UINT_32) => {
                    (v as u32).to_string()
                }
                (Some(LogicalType::Time(_)), _) | (None, ConvertedType::TIME_MILLIS) => {
                    time_of_day(v as i64 * 1_000_000)
                }
                _ => v.to_string(),
            }
        }
        PhysicalType::INT64 => {
            let Ok(a) = <[u8; 8]>::try_from(b) else { return hex(b) };
            let v = i64::from_le_bytes(a);
            if let Some(s) = scale {
                return decimal(v as i128, s);
            }
            let per_sec = |u: &TimeUnit| match u {
                TimeUnit::MILLIS => 1_000,
                TimeUnit::MICROS => 1_000_000,
                TimeUnit::NANOS => 1_000_000_000,
            };
            match (lt, ct) {
                (Some(LogicalType::Timestamp(t)), _) => timestamp(v, per_sec(&t.unit), t.is_adjusted_to_u_t_c),
                (None, ConvertedType::TIMESTAMP_MILLIS) => timestamp(v, 1_000, true),
                (None, ConvertedType::TIMESTAMP_MICROS) => timestamp(v, 1_000_000, true),
                (Some(LogicalType::Time(t)), _) => time_of_day(v.saturating_mul(1_000_000_000 / per_sec(&t.unit))),
                (None, ConvertedType::TIME_MICROS) => time_of_day(v.saturating_mul(1_000)),
                (Some(LogicalType::Integer(i)), _) if !i.is_signed => (v as u64).to_string(),
                (None, ConvertedType::UINT_64) => (v as u64).to_string(),
                _ => v.to_string(),
            }
        }
        PhysicalType::INT96 => {
            let Ok(a) = <[u8; 12]>::try_from(b) else { return hex(b) };
            let nanos = i64::from_le_bytes(a[0..8].try_into().unwrap_or([0; 8]));
            let day = i32::from_le_bytes(a[8..12].try_into().unwrap_or([0; 4])) as i64;
            // Julian day 2440588 is 1970-01-01.
            let secs = (day - 2_440_588).saturating_mul(86_400).saturating_add(nanos.div_euclid(1_000_000_000));
            match chrono::DateTime::from_timestamp(secs, nanos.rem_euclid(1_000_000_000) as u32) {
                Some(t) => t.format("%Y-%m-%d %H:%M:%S%.f").to_string(),
                None => format!("INT96(day {day}, {nanos} ns)"),
            }
        }
        PhysicalType::FLOAT => match <[u8; 4]>::try_from(b) {
            Ok(a) => f32::from_le_bytes(a).to_string(),
            Err(_) => hex(b),
        },
        PhysicalType::DOUBLE => match <[u8; 8]>::try_from(b) {
            Ok(a) => f64::from_le_bytes(a).to_string(),
            Err(_) => hex(b),
        },
        PhysicalType::BYTE_ARRAY | PhysicalType::FIXED_LEN_BYTE_ARRAY => {
            if let Some(s) = scale {
                return if b.len() <= 16 { decimal(be_signed(b), s) } else { hex(b) };
            }
            match (lt, ct) {
                (Some(LogicalType::Uuid), _) if b.len() == 16 => uuid(b),
                (Some(LogicalType::Float16), _) if b.len() == 2 => half(u16::from_le_bytes([b[0], b[1]])),
                (Some(LogicalType::String | LogicalType::Enum | LogicalType::Json), _)
                | (None, ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON) => {
                    quoted(&String::from_utf8_lossy(b))
                }
                // Unannotated bytes: text when they are printable text (old Impala / Hive
                // writers store strings this way), hex otherwise.
                _ => match std::str::from_utf8(b) {
                    Ok(s) if !s.chars().any(char::is_control) => quoted(s),
                    _ => hex(b),
                },
            }
        }
    }
}

fn quoted(s: &str) -> String {
    let n = s.chars().count();
    if n > VALUE_CHARS { format!("{:?}…", cut(s, VALUE_CHARS)) } else { format!("{s:?}") }
}

fn hex(b: &[u8]) -> String {
    let shown: String = b.iter().take(24).map(|x| format!("{x:02x}")).collect();
    if b.len() > 24 { format!("0x{shown}… ({} bytes)", b.len()) } else { format!("0x{shown}") }
}

fn be_signed(b: &[u8]) -> i128 {
    let mut v: i128 = if b.first().is_some_and(|x| x & 0x80 != 0) { -1 } else { 0 };
    for x in b {
        v = (v << 8) | *x as i128;
    }
    v
}

fn decimal(v: i128, scale: i32) -> String {
    if scale <= 0 {
        return v.to_string();
    }
    let neg = v < 0;
    let digits = v.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded =
        if digits.len() <= scale { format!("{}{digits}", "0".repeat(scale + 1 - digits.len())) } else { digits };
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{}{int}.{frac}", if neg { "-" } else { "" })
}

fn date(days: i64) -> String {
    match chrono::DateTime::from_timestamp(days.saturating_mul(86_400), 0) {
        Some(t) => t.format("%Y-%m-%d").to_string(),
        None => format!("day {days}"),
    }
}

fn timestamp(v: i64, per_sec: i64, utc: bool) -> String {
    let secs = v.div_euclid(per_sec);
    let nanos = (v.rem_euclid(per_sec) * (1_000_000_000 / per_sec)) as u32;
    match chrono::DateTime::from_timestamp(secs, nanos) {
        Some(t) => {
            let s = t.format("%Y-%m-%d %H:%M:%S%.f").to_string();
            if utc { format!("{s}Z") } else { s }
        }
        None => v.to_string(),
    }
}

fn time_of_day(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if frac == 0 {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}.{:09}", frac).trim_end_matches('0').to_string()
    }
}

fn uuid(b: &[u8]) -> String {
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn half(bits: u16) -> String {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((bits >> 10) & 0x1f) as i32;
    let frac = (bits & 0x3ff) as f64;
    let v = match exp {
        0 => frac * 2f64.powi(-24),
        31 => {
            if frac == 0.0 {
                f64::INFINITY
            } else {
                f64::NAN
            }
        }
        e => (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    };
    (sign * v).to_string()
}

// ---------------------------------------------------------------------------------------------
// Page index, on demand

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageInfo {
    pub offset: i64,
    pub compressed: i32,
    pub first_row: i64,
    pub min: Option<String>,
    pub max: Option<String>,
    pub null_count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageIndexInfo {
    pub row_group: usize,
    pub column: String,
    pub boundary_order: Option<String>,
    pub pages: Vec<PageInfo>,
}

/// Read the page indexes (column + offset index) of one row group's columns. Costs one ranged
/// GET covering the index area; returns `None` for a file written without them.
pub async fn read_page_index(
    file: &ParquetFile,
    footer: &Footer,
    row_group: usize,
    tally: Arc<ReadTally>,
) -> Result<Option<Vec<PageIndexInfo>>, LakeError> {
    let md = &footer.metadata;
    let Some(rg) = md.row_groups().get(row_group) else {
        return Err(read_err(file, format!("no row group {row_group} (the file has {})", md.num_row_groups())));
    };
    if !rg.columns().iter().any(|c| c.offset_index_offset().is_some() || c.column_index_offset().is_some()) {
        return Ok(None);
    }
    let mut reader = ParquetMetaDataReader::new_with_metadata((**md).clone())
        .with_page_index_policy(parquet::file::metadata::PageIndexPolicy::Optional);
    let fetch = TallyFetch { file: file.clone(), tally };
    reader.load_page_index(fetch).await.map_err(|e| read_err(file, format!("page index: {}", parquet_text(&e))))?;
    let full = reader.finish().map_err(|e| read_err(file, format!("page index: {}", parquet_text(&e))))?;
    // The index decoder has panicked on odd input before: a panic is an error for this view.
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| page_infos(&full, row_group)));
    match built {
        Ok(out) => Ok(Some(out)),
        Err(p) => Err(read_err(
            file,
            format!("page index: the decoder failed ({})", crate::lake::discover::panic_message(&p)),
        )),
    }
}

fn page_infos(full: &ParquetMetaData, row_group: usize) -> Vec<PageIndexInfo> {
    let rg = full.row_group(row_group);
    let mut out = Vec::new();
    for (ci, chunk) in rg.columns().iter().enumerate() {
        let offsets = full.offset_index().and_then(|o| o.get(row_group)).and_then(|r| r.get(ci));
        // `NONE` (no min/max for this column) panics on most accessors: treat it as absent.
        let index = full
            .column_index()
            .and_then(|c| c.get(row_group))
            .and_then(|r| r.get(ci))
            .filter(|ix| !matches!(ix, ColumnIndexMetaData::NONE));
        let Some(offsets) = offsets else { continue };
        let descr = chunk.column_descr();
        let pages = offsets
            .page_locations()
            .iter()
            .enumerate()
            .map(|(pi, loc)| {
                let (min, max) = index.map(|ix| page_min_max(ix, pi, descr)).unwrap_or((None, None));
                PageInfo {
                    offset: loc.offset,
                    compressed: loc.compressed_page_size,
                    first_row: loc.first_row_index,
                    min,
                    max,
                    null_count: index.and_then(|ix| ix.null_count(pi)),
                }
            })
            .collect();
        out.push(PageIndexInfo {
            row_group,
            column: chunk.column_path().string(),
            boundary_order: index.and_then(|ix| ix.get_boundary_order()).map(|b| format!("{b:?}")),
            pages,
        });
    }
    out
}

fn page_min_max(ix: &ColumnIndexMetaData, i: usize, descr: &ColumnDescriptor) -> (Option<String>, Option<String>) {
    use ColumnIndexMetaData as C;
    let plain = |v: Option<Vec<u8>>| v.map(|b| decode_value(&b, descr));
    if ix.is_null_page(i) {
        return (None, None);
    }
    let (min, max): (Option<Vec<u8>>, Option<Vec<u8>>) = match ix {
        C::NONE => (None, None),
        C::BOOLEAN(c) => (c.min_value(i).map(|v| vec![*v as u8]), c.max_value(i).map(|v| vec![*v as u8])),
        C::INT32(c) => {
            (c.min_value(i).map(|v| v.to_le_bytes().to_vec()), c.max_value(i).map(|v| v.to_le_bytes().to_vec()))
        }
        C::INT64(c) => {
            (c.min_value(i).map(|v| v.to_le_bytes().to_vec()), c.max_value(i).map(|v| v.to_le_bytes().to_vec()))
        }
        C::INT96(c) => (c.min_value(i).map(int96_bytes), c.max_value(i).map(int96_bytes)),
        C::FLOAT(c) => {
            (c.min_value(i).map(|v| v.to_le_bytes().to_vec()), c.max_value(i).map(|v| v.to_le_bytes().to_vec()))
        }
        C::DOUBLE(c) => {
            (c.min_value(i).map(|v| v.to_le_bytes().to_vec()), c.max_value(i).map(|v| v.to_le_bytes().to_vec()))
        }
        C::BYTE_ARRAY(c) | C::FIXED_LEN_BYTE_ARRAY(c) => {
            (c.min_value(i).map(<[u8]>::to_vec), c.max_value(i).map(<[u8]>::to_vec))
        }
    };
    (plain(min), plain(max))
}

fn int96_bytes(v: &parquet::data_type::Int96) -> Vec<u8> {
    v.data().iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// Range reads for the parquet crate's index and row-group readers, counted in a tally.
#[derive(Clone)]
pub struct TallyFetch {
    pub file: ParquetFile,
    pub tally: Arc<ReadTally>,
}

fn to_parquet_err(e: object_store::Error) -> ParquetError {
    ParquetError::External(Box::new(e))
}

impl parquet::arrow::async_reader::MetadataFetch for TallyFetch {
    fn fetch(&mut self, range: Range<u64>) -> BoxFuture<'_, parquet::errors::Result<Bytes>> {
        let store = Arc::clone(&self.file.store);
        let key = self.file.key.clone();
        let tally = Arc::clone(&self.tally);
        async move {
            let b = store.get_range(&key, range).await.map_err(to_parquet_err)?;
            tally.add(b.len() as u64);
            Ok(b)
        }
        .boxed()
    }
}

/// The row-group reader's byte source: ranged GETs, coalesced by object_store, tallied, with
/// the footer already decoded (never fetched again).
pub struct TallyReader {
    pub fetch: TallyFetch,
    pub footer: Footer,
}

impl AsyncFileReader for TallyReader {
    fn get_bytes(&mut self, range: Range<u64>) -> BoxFuture<'_, parquet::errors::Result<Bytes>> {
        use parquet::arrow::async_reader::MetadataFetch;
        if let Some(b) = self.footer.cached(&range) {
            return async move { Ok(b) }.boxed();
        }
        self.fetch.fetch(range)
    }

    fn get_byte_ranges(&mut self, ranges: Vec<Range<u64>>) -> BoxFuture<'_, parquet::errors::Result<Vec<Bytes>>> {
        // Ranges inside the bytes the footer read brought back cost nothing; the rest are
        // fetched together (object_store coalesces neighbours into fewer requests).
        let cached: Vec<Option<Bytes>> = ranges.iter().map(|r| self.footer.cached(r)).collect();
        let missing: Vec<Range<u64>> =
            ranges.iter().zip(&cached).filter(|(_, c)| c.is_none()).map(|(r, _)| r.clone()).collect();
        let store = Arc::clone(&self.fetch.file.store);
        let key = self.fetch.file.key.clone();
        let tally = Arc::clone(&self.fetch.tally);
        async move {
            let mut fetched = if missing.is_empty() {
                Vec::new()
            } else {
                let parts = store.get_ranges(&key, &missing).await.map_err(to_parquet_err)?;
                tally.requests.fetch_add(1, Ordering::Relaxed);
                tally.bytes.fetch_add(parts.iter().map(|b| b.len() as u64).sum(), Ordering::Relaxed);
                parts
            }
            .into_iter();
            Ok(cached.into_iter().map(|c| c.unwrap_or_else(|| fetched.next().unwrap_or_default())).collect())
        }
        .boxed()
    }

    fn get_metadata<'a>(
        &'a mut self,
        _options: Option<&'a ArrowReaderOptions>,
    ) -> BoxFuture<'a, parquet::errors::Result<Arc<ParquetMetaData>>> {
        let md = Arc::clone(&self.footer.metadata);
        async move { Ok(md) }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(decimal(12345, 2), "123.45");
        assert_eq!(decimal(-5, 3), "-0.005");
        assert_eq!(decimal(7, 0), "7");
        assert_eq!(be_signed(&[0xff, 0xfe]), -2);
        assert_eq!(be_signed(&[0x01, 0x00]), 256);
    }

    #[test]
    fn times_and_dates_are_readable() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(timestamp(1_500, 1_000, true), "1970-01-01 00:00:01.500Z");
        assert_eq!(time_of_day(3_723_000_000_000), "01:02:03");
        assert_eq!(half(0x3c00), "1");
        assert_eq!(hex(&[1, 2]), "0x0102");
    }
}
