//! The Delta log read directly, for what delta-rs has no API for: a history whose versions come
//! from the commit file names (delta-rs' `history()` yields commit infos in stream order, without
//! versions, and skips commits that carry no commitInfo), loaded lazily newest first; which
//! versions can still be read (log cleaned up, data files vacuumed); and the file-level change
//! between two versions, read from the commits between them only.
//!
//! Everything here reads `_delta_log/` (one listing, then the commit files it needs) and, for the
//! readability marks, one listing of the table's data files. Snapshots, schemas and time travel
//! go through deltalake (see `delta_diff` and `detail`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use serde::Serialize;
use serde_json::Value;

use crate::lake::discover::names;
use crate::lake::error::LakeError;

/// Commit files larger than this are not parsed (a commit of millions of actions).
const MAX_COMMIT: u64 = 512 << 20;
/// Commits read (or probed) at once: a first screen of a 40-line terminal in one round trip.
const CONCURRENCY: usize = 48;

/// One commit file of the log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogFile {
    pub version: u64,
    pub size: u64,
    pub last_modified_ms: i64,
}

/// What a listing of `_delta_log/` says, before any file is read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogListing {
    /// Where the table is (a URL without credentials), for messages.
    pub location: String,
    #[serde(skip)]
    pub table_key: Path,
    /// Commit files, by ascending version.
    pub commits: Vec<LogFile>,
    /// Versions that have a checkpoint (classic, multi-part or V2), ascending.
    pub checkpoints: Vec<u64>,
    /// Every object under `_delta_log/` (commits, checkpoints, sidecars, checksums…).
    pub log_files: u64,
    pub log_bytes: u64,
    /// Versions from which the table can be rebuilt (a checkpoint at or below, and every commit
    /// after it), as ranges.
    #[serde(skip)]
    reachable: Vec<(u64, u64)>,
    /// Set when only the end of the log was listed (see `list_log_tail`): versions from this one
    /// up are listed; nothing is known yet below it.
    #[serde(skip)]
    pub partial_from: Option<u64>,
    /// With a partial listing: the oldest version that may be read by its name before the full
    /// listing arrives (0 when v0 exists; none when the log was cleaned up).
    #[serde(skip)]
    pub guess_floor: Option<u64>,
}

impl LogListing {
    pub fn latest(&self) -> Option<u64> {
        let c = self.commits.last().map(|c| c.version);
        let k = self.checkpoints.last().copied();
        c.max(k)
    }

    pub fn last_checkpoint(&self) -> Option<u64> {
        self.checkpoints.last().copied()
    }

    pub fn has_commit(&self, version: u64) -> bool {
        self.commits.binary_search_by_key(&version, |c| c.version).is_ok()
    }

    /// Can `version` be rebuilt from what is left of the log?
    pub fn reconstructable(&self, version: u64) -> bool {
        self.reachable.iter().any(|(a, b)| (*a..=*b).contains(&version))
    }

    /// Why a version cannot be rebuilt from the log, if it cannot (never said from a partial
    /// listing: it does not see enough of the log to know).
    pub fn log_gap(&self, version: u64) -> Option<String> {
        if self.partial_from.is_some() || self.reconstructable(version) {
            return None;
        }
        let first = self.commits.first().map(|c| c.version).unwrap_or(0);
        Some(if version < first {
            format!("the commit of v{version} was cleaned up from the log (log retention)")
        } else if first > 0 {
            format!(
                "the log before v{first} was cleaned up (log retention) and no checkpoint from v{} to v{version} lets it be rebuilt",
                first - 1
            )
        } else {
            format!("a commit between v0 and v{version} is missing from the log and no checkpoint covers v{version}")
        })
    }

    /// Count one listed object of `_delta_log/` and file it as a commit or a checkpoint.
    fn add_object(&mut self, prefix: &Path, meta: &object_store::ObjectMeta, checkpoints: &mut BTreeSet<u64>) {
        self.log_files += 1;
        self.log_bytes += meta.size;
        let rest = meta.location.as_ref().strip_prefix(prefix.as_ref()).unwrap_or("").trim_start_matches('/');
        if rest.contains('/') {
            return; // _sidecars/, _staged_commits/: not versions of their own
        }
        if let Some(v) = names::delta_commit_version(rest) {
            self.commits.push(LogFile {
                version: v,
                size: meta.size,
                last_modified_ms: meta.last_modified.timestamp_millis(),
            });
        } else if names::is_delta_checkpoint(rest)
            && let Ok(v) = rest[..20].parse::<u64>()
        {
            checkpoints.insert(v);
        }
    }

    fn compute_reachable(&mut self) {
        let commits: HashSet<u64> = self.commits.iter().map(|c| c.version).collect();
        let checkpoints: HashSet<u64> = self.checkpoints.iter().copied().collect();
        let Some(latest) = self.latest() else { return };
        let first = self
            .commits
            .first()
            .map(|c| c.version)
            .unwrap_or(0)
            .min(self.checkpoints.first().copied().unwrap_or(u64::MAX));
        let mut ranges: Vec<(u64, u64)> = Vec::new();
        let mut ok = false;
        for v in first..=latest {
            ok = checkpoints.contains(&v) || (commits.contains(&v) && (v == 0 || ok));
            if ok {
                match ranges.last_mut() {
                    Some((_, end)) if *end + 1 == v => *end = v,
                    _ => ranges.push((v, v)),
                }
            }
        }
        self.reachable = ranges;
    }
}

fn log_prefix(table: &Path) -> Path {
    log_key(table, "")
}

/// Key of `name` in the log of the table at `table` (`_delta_log` itself for an empty name).
fn log_key(table: &Path, name: &str) -> Path {
    let root = table.as_ref().trim_end_matches('/');
    let mut k = if root.is_empty() { "_delta_log".to_string() } else { format!("{root}/_delta_log") };
    if !name.is_empty() {
        k.push('/');
        k.push_str(name);
    }
    Path::from(k)
}

/// List `_delta_log/` of the table at `table` (a key).
pub async fn list_log(os: &Arc<dyn ObjectStore>, table: &Path, location: &str) -> Result<LogListing, LakeError> {
    let prefix = log_prefix(table);
    let mut out = LogListing { location: location.to_string(), table_key: table.clone(), ..Default::default() };
    let mut checkpoints = BTreeSet::new();
    let mut stream = os.list(Some(&prefix));
    while let Some(item) = stream.next().await {
        let meta =
            item.map_err(|e| LakeError::store("list", format!("{}/_delta_log", location.trim_end_matches('/')), &e))?;
        out.add_object(&prefix, &meta, &mut checkpoints);
    }
    if out.commits.is_empty() && checkpoints.is_empty() {
        return Err(LakeError::Read {
            location: location.to_string(),
            reason: if out.log_files == 0 {
                "no _delta_log: not a Delta table (or it was deleted)".to_string()
            } else {
                "_delta_log holds no commit or checkpoint file".to_string()
            },
        });
    }
    out.commits.sort_by_key(|c| c.version);
    out.checkpoints = checkpoints.into_iter().collect();
    out.compute_reachable();
    Ok(out)
}

/// First-round probes of the log's end: versions 4^k - 1 up to 4^12 - 1 (16M versions); beyond
/// it, a full listing.
const PROBE_POWERS: u32 = 12;
/// Probes per narrowing round, and the span of versions left to one listing page.
const PROBES: u64 = 7;
const TAIL_SPAN: u64 = 300;

/// List only the end of `_delta_log/`: where a full listing of a long log takes one request per
/// 1,000 keys (seconds for 10,000 versions on S3), this finds the latest commit in a few rounds of
/// concurrent HEADs on the predictable commit names, then lists from just below it (one page).
///
/// Round 1 reads `_last_checkpoint` and probes versions 0, 3, 15, 63, … 4^12-1 at once; each
/// later round probes 7 versions evenly spread between the highest found and the lowest
/// missing, until fewer than 300 versions separate them (10,000 versions: 13 + 14 HEADs, one
/// GET, one listing page). Probes assume the versions present are one
/// contiguous run (log cleanup removes the oldest), which the full listing that follows checks.
/// A log of fewer than 300 versions is listed whole (complete). `None` when this cannot tell
/// (no probe found, a store error): the caller lists everything.
pub async fn list_log_tail(os: &Arc<dyn ObjectStore>, table: &Path, location: &str) -> Option<LogListing> {
    let last_checkpoint = async {
        let bytes = os.get(&log_key(table, "_last_checkpoint")).await.ok()?.bytes().await.ok()?;
        serde_json::from_slice::<Value>(&bytes).ok()?.get("version")?.as_u64()
    };
    let first: Vec<u64> = (0..=PROBE_POWERS).map(|k| (1u64 << (2 * k)) - 1).collect();
    let probes = commits_exist(os, table, first.clone());
    let (found, checkpoint) = futures::join!(probes, last_checkpoint);
    let found = found.ok()?;
    let v0 = found[0];
    // Highest version known to exist, lowest above it known not to.
    let mut lo = first.iter().zip(&found).filter(|(_, f)| **f).map(|(v, _)| *v).max();
    if let Some(cp) = checkpoint {
        lo = Some(lo.map_or(cp, |l| l.max(cp)));
    }
    let mut lo = lo?;
    let mut hi = first.iter().zip(&found).filter(|(v, f)| !**f && **v > lo).map(|(v, _)| *v).min()?;
    if v0 && hi <= TAIL_SPAN {
        // A short log: one listing page holds all of it.
        return list_log(os, table, location).await.ok();
    }
    while hi - lo > TAIL_SPAN {
        let step = (hi - lo) / (PROBES + 1);
        let points: Vec<u64> = (1..=PROBES).map(|i| lo + i * step).filter(|v| *v < hi).collect();
        let found = commits_exist(os, table, points.clone()).await.ok()?;
        for (v, f) in points.iter().zip(found) {
            if f {
                lo = lo.max(*v);
            } else if *v > lo {
                hi = hi.min(*v);
            }
        }
    }
    // Keys after `<lo padded>`: commit `lo` and everything newer (plus `_last_checkpoint` and
    // the `_` folders, which sort after the digits).
    let offset = log_key(table, &format!("{lo:020}"));
    let mut out = LogListing { location: location.to_string(), table_key: table.clone(), ..Default::default() };
    let mut stream = os.list_with_offset(Some(&log_prefix(table)), &offset);
    let mut checkpoints: BTreeSet<u64> = checkpoint.into_iter().collect();
    while let Some(item) = stream.next().await {
        let meta = item.ok()?;
        out.add_object(&log_prefix(table), &meta, &mut checkpoints);
    }
    if out.commits.is_empty() {
        return None;
    }
    out.commits.sort_by_key(|c| c.version);
    out.checkpoints = checkpoints.into_iter().collect();
    let from = out.commits[0].version;
    // Below the listed run, commits are guessed by name only when v0 exists (no cleanup).
    out.partial_from = Some(from);
    out.guess_floor = if v0 { Some(0) } else { None };
    Some(out)
}

/// Whether the commits of `versions` are in the log (HEADs, a few at a time).
async fn commits_exist(
    os: &Arc<dyn ObjectStore>,
    table: &Path,
    versions: Vec<u64>,
) -> Result<Vec<bool>, object_store::Error> {
    let jobs: Vec<_> = versions
        .into_iter()
        .map(|v| {
            let os = Arc::clone(os);
            let key = log_key(table, &format!("{v:020}.json"));
            async move {
                match os.head(&key).await {
                    Ok(_) => Ok(true),
                    Err(object_store::Error::NotFound { .. }) => Ok(false),
                    Err(e) => Err(e),
                }
            }
        })
        .collect();
    futures::stream::iter(jobs).buffered(CONCURRENCY).try_collect().await
}

/// One data file in an `add`, `remove` or `cdc` action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileAction {
    /// Relative to the table root, percent-decoded (or a full URL for files elsewhere).
    pub path: String,
    pub size: Option<u64>,
    /// `numRecords` from the action's statistics.
    pub rows: Option<u64>,
    /// Partition values as `k=v/k2=v2` (empty when unpartitioned).
    pub partition: String,
    #[serde(skip)]
    pub partition_values: Vec<(String, Option<String>)>,
    pub data_change: bool,
    pub deletion_vector: bool,
    /// The version whose commit holds the action.
    pub version: u64,
}

/// A parsed commit file.
#[derive(Debug, Clone, Default)]
pub struct Commit {
    pub version: u64,
    pub info: Option<serde_json::Map<String, Value>>,
    pub adds: Vec<FileAction>,
    pub removes: Vec<FileAction>,
    pub cdc: Vec<FileAction>,
    pub metadata: Option<Value>,
    pub protocol: Option<Value>,
    pub bytes: u64,
    pub last_modified_ms: i64,
}

/// Undo `%XX` escapes (Delta stores data file paths URI-encoded).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = ((b[i + 1] as char).to_digit(16), (b[i + 2] as char).to_digit(16))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// One line of a commit, typed: only what the history and the diffs use is kept; everything
/// else — above all the files' statistics, but their row count — is skipped without being
/// built (a commit of 30,000 files with statistics over 100 columns is 230 MB of JSON).
#[derive(serde::Deserialize)]
struct Line<'a> {
    #[serde(rename = "commitInfo")]
    commit_info: Option<serde_json::Map<String, Value>>,
    #[serde(borrow)]
    add: Option<RawFile<'a>>,
    #[serde(borrow)]
    remove: Option<RawFile<'a>>,
    #[serde(borrow)]
    cdc: Option<RawFile<'a>>,
    #[serde(rename = "metaData")]
    metadata: Option<Value>,
    protocol: Option<Value>,
}

#[derive(serde::Deserialize)]
struct RawFile<'a> {
    #[serde(borrow)]
    path: Option<std::borrow::Cow<'a, str>>,
    size: Option<u64>,
    #[serde(default)]
    stats: Option<RowCount>,
    #[serde(rename = "partitionValues", default)]
    partition_values: Option<BTreeMap<String, Value>>,
    #[serde(rename = "dataChange")]
    data_change: Option<bool>,
    #[serde(rename = "deletionVector", default)]
    deletion_vector: Option<serde::de::IgnoredAny>,
}

/// `numRecords` of a file's statistics, which the log writes as a JSON string (or, from some
/// writers, an object); the rest of the statistics is skipped. Statistics that do not parse
/// count as absent, as before.
struct RowCount(Option<u64>);

impl<'de> serde::Deserialize<'de> for RowCount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Counts {
            #[serde(rename = "numRecords")]
            num_records: Option<Value>,
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RowCount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("file statistics")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<RowCount, E> {
                // Writers put numRecords first: read it without parsing the rest.
                if let Some(rest) = s.strip_prefix("{\"numRecords\":") {
                    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                    if digits > 0 && matches!(rest.as_bytes().get(digits), Some(b',' | b'}')) {
                        return Ok(RowCount(rest[..digits].parse().ok()));
                    }
                }
                Ok(RowCount(serde_json::from_str::<Counts>(s).ok().and_then(|c| c.num_records?.as_u64())))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut m: M) -> Result<RowCount, M::Error> {
                let mut rows = None;
                while let Some(k) = m.next_key::<std::borrow::Cow<'de, str>>()? {
                    if k == "numRecords" {
                        rows = m.next_value::<Value>()?.as_u64();
                    } else {
                        m.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(RowCount(rows))
            }
            fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut s: S) -> Result<RowCount, S::Error> {
                while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(RowCount(None))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<RowCount, E> {
                Ok(RowCount(None))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<RowCount, E> {
                Ok(RowCount(None))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<RowCount, E> {
                Ok(RowCount(None))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<RowCount, E> {
                Ok(RowCount(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<RowCount, E> {
                Ok(RowCount(None))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<RowCount, E> {
                Ok(RowCount(None))
            }
        }
        d.deserialize_any(V)
    }
}

fn file_action(f: RawFile<'_>, version: u64) -> Option<FileAction> {
    let path = percent_decode(&f.path?);
    let mut partition_values: Vec<(String, Option<String>)> = f
        .partition_values
        .map(|m| m.into_iter().map(|(k, v)| (k, v.as_str().map(str::to_string))).collect())
        .unwrap_or_default();
    partition_values.sort();
    let partition = partition_values
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("__HIVE_DEFAULT_PARTITION__")))
        .collect::<Vec<_>>()
        .join("/");
    Some(FileAction {
        path,
        size: f.size,
        rows: f.stats.and_then(|s| s.0),
        partition,
        partition_values,
        data_change: f.data_change.unwrap_or(true),
        deletion_vector: f.deletion_vector.is_some(),
        version,
    })
}

/// Parse the newline-delimited actions of one commit.
pub fn parse_commit(version: u64, text: &[u8], last_modified_ms: i64) -> Result<Commit, String> {
    let mut c = Commit { version, bytes: text.len() as u64, last_modified_ms, ..Default::default() };
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if line.trim_ascii_start().first() != Some(&b'{') {
            return Err(match serde_json::from_slice::<serde::de::IgnoredAny>(line) {
                Err(e) => format!("line {}: not JSON ({e})", i + 1),
                Ok(_) => format!("line {}: not a JSON object", i + 1),
            });
        }
        let l: Line = serde_json::from_slice(line).map_err(|e| format!("line {}: not JSON ({e})", i + 1))?;
        let file = |f: RawFile, what: &str| {
            file_action(f, version).ok_or_else(|| format!("line {}: {what} without a path", i + 1))
        };
        if let Some(info) = l.commit_info {
            c.info = Some(info);
        } else if let Some(a) = l.add {
            c.adds.push(file(a, "an add")?);
        } else if let Some(r) = l.remove {
            c.removes.push(file(r, "a remove")?);
        } else if let Some(r) = l.cdc {
            c.cdc.push(file(r, "a cdc")?);
        } else if let Some(md) = l.metadata {
            c.metadata = Some(md);
        } else if let Some(p) = l.protocol {
            c.protocol = Some(p);
        }
    }
    Ok(c)
}

/// Read the commits of `versions` (in their order), a few at a time. A commit the log no longer
/// holds is an error (it was listed a moment ago: log cleanup ran in between).
async fn read_commits(
    os: &Arc<dyn ObjectStore>,
    listing: &LogListing,
    versions: Vec<u64>,
) -> Result<Vec<Commit>, LakeError> {
    let found = read_commits_if_present(os, listing, versions.clone()).await?;
    found
        .into_iter()
        .zip(versions)
        .map(|(c, v)| {
            c.ok_or_else(|| LakeError::Read {
                location: format!("{}/_delta_log/{v:020}.json", listing.location.trim_end_matches('/')),
                reason: "the commit left the log while it was read (log cleanup?)".to_string(),
            })
        })
        .collect()
}

/// Read the commits of `versions`, `None` for those not in storage.
async fn read_commits_if_present(
    os: &Arc<dyn ObjectStore>,
    listing: &LogListing,
    versions: Vec<u64>,
) -> Result<Vec<Option<Commit>>, LakeError> {
    let jobs: Vec<_> = versions
        .into_iter()
        .map(|v| fetch_commit(Arc::clone(os), listing.table_key.clone(), listing.location.clone(), v))
        .collect();
    futures::stream::iter(jobs).buffered(CONCURRENCY).try_collect().await
}

async fn fetch_commit(
    os: Arc<dyn ObjectStore>,
    table: Path,
    location: String,
    version: u64,
) -> Result<Option<Commit>, LakeError> {
    let name = format!("{version:020}.json");
    let key = log_key(&table, &name);
    let err = |reason: String| LakeError::Read {
        location: format!("{}/_delta_log/{name}", location.trim_end_matches('/')),
        reason,
    };
    let got = match os.get(&key).await {
        Ok(got) => got,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(e) => {
            return Err(LakeError::store("read", format!("{}/_delta_log/{name}", location.trim_end_matches('/')), &e));
        }
    };
    if got.meta.size > MAX_COMMIT {
        return Err(err(format!(
            "the commit is {} (more than {} lakescope parses)",
            crate::lake::units::bytes(got.meta.size),
            crate::lake::units::bytes(MAX_COMMIT)
        )));
    }
    let modified = got.meta.last_modified.timestamp_millis();
    let bytes = got
        .bytes()
        .await
        .map_err(|e| LakeError::store("read", format!("{}/_delta_log/{name}", location.trim_end_matches('/')), &e))?;
    parse_commit(version, &bytes, modified).map(Some).map_err(err)
}

/// A display value of a commitInfo field: JSON strings that hold JSON (delta-rs writes
/// parameters and metrics that way) decoded, numbers in strings as numbers.
pub fn decoded(v: &Value) -> Value {
    match v {
        Value::String(s) => {
            let t = s.trim();
            if (t.starts_with('[') || t.starts_with('{'))
                && let Ok(inner) = serde_json::from_str::<Value>(t)
            {
                return inner;
            }
            if let Ok(n) = t.parse::<i64>() {
                return Value::from(n);
            }
            if let Ok(f) = t.parse::<f64>()
                && f.is_finite()
                && t.contains('.')
            {
                return Value::from(f);
            }
            v.clone()
        }
        _ => v.clone(),
    }
}

/// Compact text of a value for a table cell.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// Can a version still be read?
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "reason")]
pub enum Readable {
    /// Not checked yet (the data listing is running).
    Unknown,
    Yes,
    No(String),
}

/// One row of the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// From the commit file name.
    pub version: u64,
    pub timestamp_ms: i64,
    /// `commitInfo.inCommitTimestamp` where the table has in-commit timestamps, else the commit
    /// file's modification time: what time travel by timestamp compares with.
    pub timestamp_source: &'static str,
    /// `commitInfo.timestamp`: when the writer says it committed (not used for time travel).
    pub writer_timestamp_ms: Option<i64>,
    pub operation: Option<String>,
    pub parameters: BTreeMap<String, Value>,
    pub metrics: BTreeMap<String, Value>,
    pub engine: Option<String>,
    pub user: Option<String>,
    pub read_version: Option<i64>,
    pub blind_append: Option<bool>,
    pub files_added: u64,
    pub files_removed: u64,
    pub bytes_added: u64,
    pub bytes_removed: u64,
    /// Sum of the added files' `numRecords`, when every added file has it.
    pub rows_added: Option<u64>,
    pub cdc_files: u64,
    pub schema_changed: bool,
    pub protocol_changed: bool,
    /// A checkpoint was written at this version.
    pub checkpoint: bool,
    /// At or below the last checkpoint: later versions do not need this commit to be read.
    pub covered_by_checkpoint: bool,
    pub readable: Readable,
    pub commit_bytes: u64,
    #[serde(skip)]
    added_paths: Vec<String>,
    #[serde(skip)]
    removed_paths: Vec<String>,
}

impl HistoryEntry {
    pub fn from_commit(c: Commit, listing: &LogListing) -> Self {
        let info = c.info.unwrap_or_default();
        let get = |k: &str| info.get(k);
        // The protocol's commit time, which time travel by timestamp uses too (delta-rs, Spark):
        // the in-commit timestamp where enabled, else the commit file's modification time.
        let (timestamp_ms, timestamp_source) = match get("inCommitTimestamp").and_then(Value::as_i64) {
            Some(t) => (t, "inCommitTimestamp"),
            None => (c.last_modified_ms, "file modification time"),
        };
        let map = |k: &str| -> BTreeMap<String, Value> {
            get(k)
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), decoded(v))).collect())
                .unwrap_or_default()
        };
        let engine = get("engineInfo").or_else(|| get("clientVersion")).and_then(Value::as_str).map(str::to_string);
        let rows_added = c.adds.iter().map(|a| a.rows).sum::<Option<u64>>();
        let last_cp = listing.last_checkpoint();
        HistoryEntry {
            version: c.version,
            timestamp_ms,
            timestamp_source,
            writer_timestamp_ms: get("timestamp").and_then(Value::as_i64),
            operation: get("operation").and_then(Value::as_str).map(str::to_string),
            parameters: map("operationParameters"),
            metrics: map("operationMetrics"),
            engine,
            user: get("userName").or_else(|| get("userId")).and_then(Value::as_str).map(str::to_string),
            read_version: get("readVersion").and_then(Value::as_i64),
            blind_append: get("isBlindAppend").and_then(Value::as_bool),
            files_added: c.adds.len() as u64,
            files_removed: c.removes.len() as u64,
            bytes_added: c.adds.iter().filter_map(|a| a.size).sum(),
            bytes_removed: c.removes.iter().filter_map(|a| a.size).sum(),
            rows_added,
            cdc_files: c.cdc.len() as u64,
            schema_changed: c.metadata.is_some(),
            protocol_changed: c.protocol.is_some(),
            checkpoint: listing.checkpoints.binary_search(&c.version).is_ok(),
            covered_by_checkpoint: last_cp.is_some_and(|cp| c.version <= cp),
            readable: match listing.log_gap(c.version) {
                Some(reason) => Readable::No(reason),
                None => Readable::Unknown,
            },
            commit_bytes: c.bytes,
            added_paths: c.adds.into_iter().map(|a| a.path).collect(),
            removed_paths: c.removes.into_iter().map(|a| a.path).collect(),
        }
    }

    /// The operation's key parameters on one line (`predicate=…, mode=Append`).
    pub fn parameters_text(&self) -> String {
        self.parameters.iter().map(|(k, v)| format!("{k}={}", value_text(v))).collect::<Vec<_>>().join(", ")
    }
}

/// A table's history, loaded newest first a page at a time.
///
/// `open` lists only the end of the log, so the first screen costs a few requests however long
/// the history is; `complete` then lists the whole log (checkpoint marks, log gaps, the exact
/// count) and `set_data_files` the table's data files (readability). Both are split into a
/// fetch (a free function, run without holding the history) and a cheap setter, so the view
/// can read more commits while they run.
pub struct History {
    os: Arc<dyn ObjectStore>,
    pub listing: LogListing,
    /// Newest first: `entries[0]` is the latest commit.
    pub entries: Vec<HistoryEntry>,
    /// A commit guessed by name was missing: wait for the full listing to go further.
    guess_stopped: bool,
    /// Data files present in storage (relative paths), once listed.
    existing: Option<HashSet<String>>,
    /// Readability walk: entries marked so far, paths added after the next entry to mark, and
    /// removed paths no longer in storage that no later commit added back.
    marked: usize,
    added_after: HashSet<String>,
    missing: HashSet<String>,
}

impl History {
    /// Open from the end of the log (`list_log_tail`), or from a full listing when that cannot
    /// tell where the end is.
    pub async fn open(os: Arc<dyn ObjectStore>, table: &Path, location: &str) -> Result<History, LakeError> {
        let listing = match list_log_tail(&os, table, location).await {
            Some(l) => l,
            None => list_log(&os, table, location).await?,
        };
        Ok(History::with_listing(os, listing))
    }

    /// Open from a full listing of the log.
    pub async fn open_complete(os: Arc<dyn ObjectStore>, table: &Path, location: &str) -> Result<History, LakeError> {
        let listing = list_log(&os, table, location).await?;
        Ok(History::with_listing(os, listing))
    }

    fn with_listing(os: Arc<dyn ObjectStore>, listing: LogListing) -> History {
        History {
            os,
            listing,
            entries: Vec::new(),
            guess_stopped: false,
            existing: None,
            marked: 0,
            added_after: HashSet::new(),
            missing: HashSet::new(),
        }
    }

    pub fn object_store(&self) -> Arc<dyn ObjectStore> {
        Arc::clone(&self.os)
    }

    pub fn is_complete(&self) -> bool {
        self.listing.partial_from.is_none()
    }

    /// Versions in the history: exact once the whole log is listed, before that the versions
    /// the end of the log and the names below it promise.
    pub fn total(&self) -> usize {
        self.entries.len() + self.remaining()
    }

    /// The next versions to read, newest first, at most `n`.
    fn next_versions(&self, n: usize) -> Vec<u64> {
        let Some(from) = self.listing.partial_from else {
            let end = self.listing.commits.len() - self.entries.len().min(self.listing.commits.len());
            let start = end.saturating_sub(n);
            return self.listing.commits[start..end].iter().rev().map(|c| c.version).collect();
        };
        let below = self.entries.last().map(|e| e.version);
        let mut out: Vec<u64> = self
            .listing
            .commits
            .iter()
            .rev()
            .map(|c| c.version)
            .filter(|v| below.is_none_or(|b| *v < b))
            .take(n)
            .collect();
        if let Some(floor) = self.listing.guess_floor
            && !self.guess_stopped
        {
            let top = below.unwrap_or(from).min(from);
            let mut v = top;
            while out.len() < n && v > floor {
                v -= 1;
                out.push(v);
            }
        }
        out
    }

    /// Commits not loaded yet (with a partial listing: that may be read before it completes).
    pub fn remaining(&self) -> usize {
        match self.listing.partial_from {
            None => self.listing.commits.len().saturating_sub(self.entries.len()),
            Some(from) => {
                let below = self.entries.last().map(|e| e.version);
                let listed = self.listing.commits.iter().filter(|c| below.is_none_or(|b| c.version < b)).count();
                let guessed = match self.listing.guess_floor {
                    Some(floor) if !self.guess_stopped => (below.unwrap_or(from).min(from) - floor) as usize,
                    _ => 0,
                };
                listed + guessed
            }
        }
    }

    /// Read the next `n` older commits (concurrently) and append them to `entries`.
    pub async fn load_more(&mut self, n: usize) -> Result<usize, LakeError> {
        let versions = self.next_versions(n);
        let commits = read_commits_if_present(&self.os, &self.listing, versions).await?;
        let mut count = 0;
        for c in commits {
            let Some(c) = c else {
                if self.listing.partial_from.is_some() {
                    // A guessed name is not there (a gap, or cleanup): the full listing knows.
                    self.guess_stopped = true;
                    break;
                }
                return Err(LakeError::Read {
                    location: format!("{}/_delta_log", self.listing.location.trim_end_matches('/')),
                    reason: "a commit left the log while it was read (log cleanup?)".to_string(),
                });
            };
            self.entries.push(HistoryEntry::from_commit(c, &self.listing));
            count += 1;
        }
        self.mark();
        Ok(count)
    }

    /// List the whole log and take it as this history's listing.
    pub async fn complete(&mut self) -> Result<(), LakeError> {
        if self.is_complete() {
            return Ok(());
        }
        let full = list_log(&self.os, &self.listing.table_key, &self.listing.location).await?;
        self.set_listing(full);
        Ok(())
    }

    /// Take a full listing of the log: versions newer than those this history opened with are
    /// left out (the history stays as of its opening); checkpoint marks and log gaps of the
    /// loaded versions are recomputed; loaded versions the listing does not hold are dropped.
    pub fn set_listing(&mut self, mut full: LogListing) {
        if let Some(latest) = self.listing.latest() {
            full.commits.retain(|c| c.version <= latest);
            full.checkpoints.retain(|v| *v <= latest);
            full.compute_reachable();
        }
        let n = full.commits.len();
        let keep = self
            .entries
            .iter()
            .enumerate()
            .take_while(|(i, e)| *i < n && full.commits[n - 1 - i].version == e.version)
            .count();
        self.entries.truncate(keep);
        let last_cp = full.last_checkpoint();
        for e in &mut self.entries {
            e.checkpoint = full.checkpoints.binary_search(&e.version).is_ok();
            e.covered_by_checkpoint = last_cp.is_some_and(|cp| e.version <= cp);
            e.readable = match full.log_gap(e.version) {
                Some(reason) => Readable::No(reason),
                None => Readable::Unknown,
            };
        }
        self.listing = full;
        self.guess_stopped = false;
        self.marked = 0;
        self.added_after.clear();
        self.missing.clear();
        self.mark();
    }

    /// Record which data files exist (one listing of the table), then mark the loaded entries.
    pub async fn check_data_files(&mut self) -> Result<(), LakeError> {
        let files = list_data_files(&self.os, &self.listing.table_key, &self.listing.location).await?;
        self.set_data_files(files);
        Ok(())
    }

    pub fn set_data_files(&mut self, files: HashSet<String>) {
        self.existing = Some(files);
        self.mark();
    }

    /// Continue the newest-to-oldest readability walk over loaded entries. A version is
    /// readable when every file of its snapshot exists: files removed by a later commit (and
    /// not added back by one) must still be in storage. Waits for the full listing, which says
    /// which versions the log itself can no longer rebuild.
    fn mark(&mut self) {
        let Some(existing) = &self.existing else { return };
        if !self.is_complete() {
            return;
        }
        while self.marked < self.entries.len() {
            let e = &mut self.entries[self.marked];
            if e.readable == Readable::Unknown {
                e.readable = match self.missing.iter().next() {
                    None => Readable::Yes,
                    Some(p) => Readable::No(format!(
                        "{} data file{} of this version {} been vacuumed (e.g. {p})",
                        self.missing.len(),
                        if self.missing.len() == 1 { "" } else { "s" },
                        if self.missing.len() == 1 { "has" } else { "have" }
                    )),
                };
            }
            for a in &e.added_paths {
                self.added_after.insert(a.clone());
                self.missing.remove(a);
            }
            for r in &e.removed_paths {
                if !existing.contains(r) && !self.added_after.contains(r) {
                    self.missing.insert(r.clone());
                }
            }
            self.marked += 1;
        }
    }

    pub fn entry(&self, version: u64) -> Option<&HistoryEntry> {
        self.entries.iter().find(|e| e.version == version)
    }
}

/// Data files under a table (relative paths), `_delta_log/` excluded.
pub async fn list_data_files(
    os: &Arc<dyn ObjectStore>,
    table: &Path,
    location: &str,
) -> Result<HashSet<String>, LakeError> {
    // Cancelled by dropping the future (the job's token does that).
    let all =
        crate::lake::parquet::dataset::list_under(os, table, location, &tokio_util::sync::CancellationToken::new())
            .await?;
    Ok(all.into_iter().map(|(rel, _)| rel).filter(|rel| !rel.starts_with("_delta_log/")).collect())
}

/// Files that differ between two versions, from the commits between them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileDiff {
    pub from: u64,
    pub to: u64,
    /// Files in `to` and not in `from`.
    pub added: Vec<FileAction>,
    /// Files in `from` and not in `to`.
    pub removed: Vec<FileAction>,
    pub bytes_added: u64,
    pub bytes_removed: u64,
    pub rows_added: Option<u64>,
    pub rows_removed: Option<u64>,
    pub partitions: Vec<String>,
    /// Change data files written by the commits in between (when going forward).
    pub cdc: Vec<FileAction>,
    /// Every commit in between that rewrote data recorded its changes (CDF usable).
    pub cdc_complete: bool,
    pub metadata_changed: bool,
    pub protocol_changed: bool,
    /// Operations of the commits in between: (version, operation).
    pub operations: Vec<(u64, String)>,
    pub commits_read: u64,
    pub log_bytes_read: u64,
}

impl FileDiff {
    /// No file changed between `from` and `to` (yet): what a diff starts from.
    pub fn empty(from: u64, to: u64) -> FileDiff {
        FileDiff {
            from,
            to,
            added: vec![],
            removed: vec![],
            bytes_added: 0,
            bytes_removed: 0,
            rows_added: None,
            rows_removed: None,
            partitions: vec![],
            cdc: vec![],
            cdc_complete: true,
            metadata_changed: false,
            protocol_changed: false,
            operations: vec![],
            commits_read: 0,
            log_bytes_read: 0,
        }
    }
}

/// The file-level diff of `a` → `b`: reads the commits of the versions in between (the larger
/// one included), not the table's snapshots.
pub async fn diff_files(
    os: &Arc<dyn ObjectStore>,
    listing: &LogListing,
    a: u64,
    b: u64,
) -> Result<FileDiff, LakeError> {
    let (lo, hi) = (a.min(b), a.max(b));
    let err = |reason: String| LakeError::Read { location: listing.location.clone(), reason };
    if listing.partial_from.is_some() {
        return Err(err("the diff needs a full listing of the log".to_string()));
    }
    for v in [lo, hi] {
        if listing.latest().is_some_and(|l| v > l) {
            return Err(err(format!("no version {v}: the latest is v{}", listing.latest().unwrap_or(0))));
        }
    }
    let versions: Vec<u64> = listing.commits.iter().map(|c| c.version).filter(|v| *v > lo && *v <= hi).collect();
    if let Some(missing) = (lo + 1..=hi).find(|v| !listing.has_commit(*v)) {
        return Err(err(format!(
            "the commit of v{missing} is no longer in the log (cleaned up by log retention): versions before it cannot be diffed against later ones"
        )));
    }
    let commits = read_commits(os, listing, versions).await?;
    let mut added: HashMap<String, FileAction> = HashMap::new();
    let mut removed: HashMap<String, FileAction> = HashMap::new();
    let mut out = FileDiff::empty(a, b);
    out.commits_read = commits.len() as u64;
    out.log_bytes_read = commits.iter().map(|c| c.bytes).sum();
    for c in commits {
        let op = c.info.as_ref().and_then(|i| i.get("operation")).and_then(Value::as_str).unwrap_or("(no commitInfo)");
        out.operations.push((c.version, op.to_string()));
        out.metadata_changed |= c.metadata.is_some();
        out.protocol_changed |= c.protocol.is_some();
        let rewrites = c.removes.iter().any(|r| r.data_change);
        if rewrites && c.cdc.is_empty() {
            out.cdc_complete = false;
        }
        for r in c.removes {
            // A file added within the range and removed again never existed in either version.
            if added.remove(&r.path).is_none() {
                removed.insert(r.path.clone(), r);
            }
        }
        for f in c.adds {
            added.insert(f.path.clone(), f);
        }
        out.cdc.extend(c.cdc);
    }
    // Re-added under the same path with the same content (a DV update keeps the path): both
    // sides keep it, since its rows may differ.
    let mut added: Vec<FileAction> = added.into_values().collect();
    let mut removed: Vec<FileAction> = removed.into_values().collect();
    if a > b {
        std::mem::swap(&mut added, &mut removed);
        out.cdc.clear();
        out.cdc_complete = false;
    }
    added.sort_by(|x, y| (x.version, &x.path).cmp(&(y.version, &y.path)));
    removed.sort_by(|x, y| (x.version, &x.path).cmp(&(y.version, &y.path)));
    out.bytes_added = added.iter().filter_map(|f| f.size).sum();
    out.bytes_removed = removed.iter().filter_map(|f| f.size).sum();
    out.rows_added = added.iter().map(|f| f.rows).sum();
    out.rows_removed = removed.iter().map(|f| f.rows).sum();
    let parts: BTreeSet<String> =
        added.iter().chain(removed.iter()).filter(|f| !f.partition.is_empty()).map(|f| f.partition.clone()).collect();
    out.partitions = parts.into_iter().collect();
    out.added = added;
    out.removed = removed;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b/c%3Ad.parquet"), "a b/c:d.parquet");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("x%zz"), "x%zz");
    }

    #[test]
    fn commits_parse_with_and_without_commit_info() {
        let text = br#"{"commitInfo":{"timestamp":1700000000000,"operation":"WRITE","operationParameters":{"mode":"Append","partitionBy":"[\"day\"]"},"operationMetrics":{"numFiles":"2"}}}
{"add":{"path":"day=1/a%20b.parquet","partitionValues":{"day":"1"},"size":10,"dataChange":true,"stats":"{\"numRecords\":5}"}}
{"remove":{"path":"day=1/old.parquet","dataChange":true,"size":7}}
"#;
        let c = parse_commit(3, text, 0).unwrap();
        assert_eq!(c.adds[0].path, "day=1/a b.parquet");
        assert_eq!(c.adds[0].rows, Some(5));
        assert_eq!(c.adds[0].partition, "day=1");
        assert_eq!(c.removes[0].size, Some(7));
        let l = LogListing::default();
        let e = HistoryEntry::from_commit(c, &l);
        assert_eq!(e.version, 3);
        assert_eq!(e.metrics["numFiles"], Value::from(2));
        assert_eq!(e.parameters["partitionBy"], serde_json::json!(["day"]));
        let bare =
            parse_commit(4, b"{\"add\":{\"path\":\"x.parquet\",\"size\":1,\"dataChange\":true}}\n", 1234).unwrap();
        let e = HistoryEntry::from_commit(bare, &l);
        assert_eq!((e.version, e.timestamp_ms, e.timestamp_source), (4, 1234, "file modification time"));
        assert!(parse_commit(5, b"{not json", 0).unwrap_err().contains("line 1"));
        assert!(parse_commit(5, b"[1]", 0).unwrap_err().contains("not a JSON object"));
        assert!(parse_commit(5, b"{\"add\":{\"size\":1}}", 0).unwrap_err().contains("an add without a path"));
    }

    #[test]
    fn statistics_are_read_for_their_row_count_only_whatever_their_shape() {
        let text = br#"{"add":{"path":"a","size":1,"stats":{"numRecords":7,"minValues":{"x":[1,{"y":2}]}},"partitionValues":{"d":null,"n":3}}}
{"add":{"path":"b","size":1,"stats":"{\"numRecords\":8,\"maxValues\":{\"s\":\"}\"}}","deletionVector":null}}
{"add":{"path":"c","size":1,"stats":null,"deletionVector":{"storageType":"u"}}}
{"add":{"path":"d","size":1,"stats":"not json"}}
{"add":{"path":"e","size":1,"stats":42}}
{"txn":{"appId":"x","version":1}}
"#;
        let c = parse_commit(1, text, 0).unwrap();
        let rows: Vec<Option<u64>> = c.adds.iter().map(|a| a.rows).collect();
        assert_eq!(rows, vec![Some(7), Some(8), None, None, None]);
        assert_eq!(c.adds[0].partition_values, vec![("d".to_string(), None), ("n".to_string(), None)]);
        assert_eq!(
            c.adds.iter().map(|a| a.deletion_vector).collect::<Vec<_>>(),
            vec![false, false, true, false, false]
        );
    }

    #[test]
    fn reachability_follows_checkpoints_and_gaps() {
        let mut l = LogListing {
            commits: (5..=12).map(|v| LogFile { version: v, size: 1, last_modified_ms: 0 }).collect(),
            checkpoints: vec![8],
            ..Default::default()
        };
        l.compute_reachable();
        assert!(!l.reconstructable(5) && !l.reconstructable(7));
        assert!(l.reconstructable(8) && l.reconstructable(12));
        assert!(l.log_gap(6).unwrap().contains("log before v5 was cleaned up"), "{:?}", l.log_gap(6));
    }

    /// A log in memory: commits `versions` (one add each), checkpoints at `checkpoints`.
    async fn memory_log(versions: impl Iterator<Item = u64>, checkpoints: &[u64]) -> Arc<dyn ObjectStore> {
        let os: Arc<dyn ObjectStore> = Arc::new(object_store::memory::InMemory::new());
        for v in versions {
            let text = format!(
                "{{\"commitInfo\":{{\"timestamp\":{v},\"operation\":\"WRITE\"}}}}\n{{\"add\":{{\"path\":\"f{v}.parquet\",\"size\":1,\"dataChange\":true}}}}\n"
            );
            os.put(&log_key(&Path::from("t"), &format!("{v:020}.json")), text.into()).await.unwrap();
            os.put(&Path::from(format!("t/f{v}.parquet")), vec![0u8].into()).await.unwrap();
        }
        for cp in checkpoints {
            let key = log_key(&Path::from("t"), &format!("{cp:020}.checkpoint.parquet"));
            os.put(&key, vec![0u8].into()).await.unwrap();
        }
        if let Some(cp) = checkpoints.last() {
            let key = log_key(&Path::from("t"), "_last_checkpoint");
            os.put(&key, format!("{{\"version\":{cp},\"size\":1}}").into()).await.unwrap();
        }
        os
    }

    fn versions(h: &History) -> Vec<u64> {
        h.entries.iter().map(|e| e.version).collect()
    }

    #[tokio::test]
    async fn a_long_log_opens_from_its_end_and_completes() {
        let os = memory_log(0..1234, &[]).await;
        let mut h = History::open(Arc::clone(&os), &Path::from("t"), "mem://t").await.unwrap();
        let from = h.listing.partial_from.expect("a partial listing");
        assert!(from > 900 && h.listing.commits.len() <= 1 + TAIL_SPAN as usize, "{from}");
        assert_eq!(h.listing.latest(), Some(1233));
        assert_eq!(h.total(), 1234);
        h.load_more(50).await.unwrap();
        assert_eq!(versions(&h), (1184..1234).rev().collect::<Vec<_>>());
        // Past the listed run, commits are read by their names.
        h.load_more(400).await.unwrap();
        assert_eq!(h.entries.last().unwrap().version, 784);
        assert_eq!(h.total(), 1234);
        assert!(h.entries.iter().all(|e| e.readable == Readable::Unknown));
        h.complete().await.unwrap();
        assert!(h.is_complete());
        assert_eq!((h.entries.len(), h.total()), (450, 1234));
        h.check_data_files().await.unwrap();
        assert!(h.entries.iter().all(|e| e.readable == Readable::Yes));
        h.load_more(10_000).await.unwrap();
        assert_eq!(versions(&h), (0..1234).rev().collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_cleaned_up_log_opens_from_its_last_checkpoint() {
        // Versions 600..=700 left after cleanup, checkpoints at 600 and 690: no power-of-two
        // probe lands in the run, `_last_checkpoint` gives the start.
        let os = memory_log(600..=700, &[600, 690]).await;
        let mut h = History::open(Arc::clone(&os), &Path::from("t"), "mem://t").await.unwrap();
        assert_eq!(h.listing.partial_from, Some(690));
        assert_eq!(h.listing.guess_floor, None);
        assert_eq!(h.total(), 11);
        h.load_more(50).await.unwrap();
        assert_eq!(versions(&h), (690..=700).rev().collect::<Vec<_>>());
        assert!(h.entries[10].checkpoint);
        h.complete().await.unwrap();
        assert_eq!(h.total(), 101);
        h.load_more(200).await.unwrap();
        assert_eq!(h.entries.len(), 101);
        assert!(h.entry(600).unwrap().checkpoint && !h.entry(700).unwrap().covered_by_checkpoint);
    }

    #[tokio::test]
    async fn a_gap_in_guessed_names_waits_for_the_full_listing() {
        let os = memory_log((0..900).filter(|v| *v != 400), &[]).await;
        let mut h = History::open(Arc::clone(&os), &Path::from("t"), "mem://t").await.unwrap();
        assert!(h.listing.partial_from.is_some());
        h.load_more(1000).await.unwrap();
        assert_eq!(h.entries.last().unwrap().version, 401, "stops at the missing name");
        assert_eq!(h.remaining(), 0);
        h.complete().await.unwrap();
        assert_eq!(h.total(), 899);
        h.load_more(1000).await.unwrap();
        assert_eq!(h.entries.len(), 899);
        assert!(matches!(&h.entry(401).unwrap().readable, Readable::No(r) if r.contains("missing from the log")));
        assert_eq!(h.entry(399).unwrap().readable, Readable::Unknown);
    }

    #[tokio::test]
    async fn a_short_log_is_listed_whole() {
        let os = memory_log(0..3, &[]).await;
        let mut h = History::open(Arc::clone(&os), &Path::from("t"), "mem://t").await.unwrap();
        h.load_more(50).await.unwrap();
        assert_eq!(versions(&h), vec![2, 1, 0]);
        assert_eq!(h.total(), 3);
        let none: Arc<dyn ObjectStore> = Arc::new(object_store::memory::InMemory::new());
        assert!(History::open(none, &Path::from("t"), "mem://t").await.is_err());
    }
}
