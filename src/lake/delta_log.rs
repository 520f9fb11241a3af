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

use super::error::{LakeError, store_reason};
use super::names;

/// Commit files larger than this are not parsed (a commit of millions of actions).
const MAX_COMMIT: u64 = 512 << 20;
/// Commits read at once.
const CONCURRENCY: usize = 16;

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

    /// Why a version cannot be rebuilt from the log, if it cannot.
    pub fn log_gap(&self, version: u64) -> Option<String> {
        if self.reconstructable(version) {
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
        let meta = item.map_err(|e| LakeError::Listing {
            location: format!("{}/_delta_log", location.trim_end_matches('/')),
            reason: store_reason(&e),
        })?;
        out.log_files += 1;
        out.log_bytes += meta.size;
        let rest = meta.location.as_ref().strip_prefix(prefix.as_ref()).unwrap_or("").trim_start_matches('/');
        if rest.contains('/') {
            continue; // _sidecars/, _staged_commits/: not versions of their own
        }
        if let Some(v) = names::delta_commit_version(rest) {
            out.commits.push(LogFile {
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

fn file_action(v: &Value, version: u64) -> Option<FileAction> {
    let path = percent_decode(v.get("path")?.as_str()?);
    let size = v.get("size").and_then(Value::as_u64);
    let rows = v
        .get("stats")
        .and_then(|s| match s {
            Value::String(text) => serde_json::from_str::<Value>(text).ok(),
            Value::Object(_) => Some(s.clone()),
            _ => None,
        })
        .and_then(|s| s.get("numRecords").and_then(Value::as_u64));
    let mut partition_values: Vec<(String, Option<String>)> = v
        .get("partitionValues")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_string))).collect())
        .unwrap_or_default();
    partition_values.sort();
    let partition = partition_values
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("__HIVE_DEFAULT_PARTITION__")))
        .collect::<Vec<_>>()
        .join("/");
    Some(FileAction {
        path,
        size,
        rows,
        partition,
        partition_values,
        data_change: v.get("dataChange").and_then(Value::as_bool).unwrap_or(true),
        deletion_vector: v.get("deletionVector").is_some_and(|d| !d.is_null()),
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
        let v: Value = serde_json::from_slice(line).map_err(|e| format!("line {}: not JSON ({e})", i + 1))?;
        let Value::Object(mut m) = v else { return Err(format!("line {}: not a JSON object", i + 1)) };
        if let Some(Value::Object(info)) = m.remove("commitInfo") {
            c.info = Some(info);
        } else if let Some(a) = m.get("add") {
            c.adds.push(file_action(a, version).ok_or_else(|| format!("line {}: an add without a path", i + 1))?);
        } else if let Some(r) = m.get("remove") {
            c.removes.push(file_action(r, version).ok_or_else(|| format!("line {}: a remove without a path", i + 1))?);
        } else if let Some(r) = m.get("cdc") {
            c.cdc.push(file_action(r, version).ok_or_else(|| format!("line {}: a cdc without a path", i + 1))?);
        } else if let Some(md) = m.remove("metaData") {
            c.metadata = Some(md);
        } else if let Some(p) = m.remove("protocol") {
            c.protocol = Some(p);
        }
    }
    Ok(c)
}

/// Read and parse the commit of `file.version`.
pub async fn read_commit(os: &Arc<dyn ObjectStore>, listing: &LogListing, file: &LogFile) -> Result<Commit, LakeError> {
    fetch_commit(Arc::clone(os), listing.table_key.clone(), listing.location.clone(), file.clone()).await
}

/// Read the commits of `files` (in their order), a few at a time.
async fn read_commits(
    os: &Arc<dyn ObjectStore>,
    listing: &LogListing,
    files: Vec<LogFile>,
) -> Result<Vec<Commit>, LakeError> {
    let jobs: Vec<_> = files
        .into_iter()
        .map(|f| fetch_commit(Arc::clone(os), listing.table_key.clone(), listing.location.clone(), f))
        .collect();
    futures::stream::iter(jobs).buffered(CONCURRENCY).try_collect().await
}

async fn fetch_commit(
    os: Arc<dyn ObjectStore>,
    table: Path,
    location: String,
    file: LogFile,
) -> Result<Commit, LakeError> {
    let name = format!("{:020}.json", file.version);
    let key = log_key(&table, &name);
    let err = |reason: String| LakeError::Read {
        location: format!("{}/_delta_log/{name}", location.trim_end_matches('/')),
        reason,
    };
    if file.size > MAX_COMMIT {
        return Err(err(format!(
            "the commit is {} (more than {} lakescope parses)",
            crate::units::bytes(file.size),
            crate::units::bytes(MAX_COMMIT)
        )));
    }
    let bytes =
        os.get(&key).await.map_err(|e| err(store_reason(&e)))?.bytes().await.map_err(|e| err(store_reason(&e)))?;
    parse_commit(file.version, &bytes, file.last_modified_ms).map_err(err)
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
    /// `commitInfo.inCommitTimestamp`, `commitInfo.timestamp`, or the file's modification time.
    pub timestamp_source: &'static str,
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
        let (timestamp_ms, timestamp_source) =
            match (get("inCommitTimestamp").and_then(Value::as_i64), get("timestamp").and_then(Value::as_i64)) {
                (Some(t), _) => (t, "inCommitTimestamp"),
                (None, Some(t)) => (t, "commitInfo"),
                _ => (c.last_modified_ms, "file modification time"),
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
pub struct History {
    os: Arc<dyn ObjectStore>,
    pub listing: LogListing,
    /// Newest first: `entries[0]` is the latest commit.
    pub entries: Vec<HistoryEntry>,
    /// Data files present in storage (relative paths), once listed.
    existing: Option<HashSet<String>>,
    /// Readability walk: entries marked so far, paths added after the next entry to mark, and
    /// removed paths no longer in storage that no later commit added back.
    marked: usize,
    added_after: HashSet<String>,
    missing: HashSet<String>,
}

impl History {
    pub async fn open(os: Arc<dyn ObjectStore>, table: &Path, location: &str) -> Result<History, LakeError> {
        let listing = list_log(&os, table, location).await?;
        Ok(History {
            os,
            listing,
            entries: Vec::new(),
            existing: None,
            marked: 0,
            added_after: HashSet::new(),
            missing: HashSet::new(),
        })
    }

    /// Commits not loaded yet.
    pub fn remaining(&self) -> usize {
        self.listing.commits.len() - self.entries.len()
    }

    /// Read the next `n` older commits (concurrently) and append them to `entries`.
    pub async fn load_more(&mut self, n: usize) -> Result<usize, LakeError> {
        let end = self.remaining();
        let start = end.saturating_sub(n);
        let files: Vec<LogFile> = self.listing.commits[start..end].iter().rev().cloned().collect();
        let commits = read_commits(&self.os, &self.listing, files).await?;
        let count = commits.len();
        for c in commits {
            let e = HistoryEntry::from_commit(c, &self.listing);
            self.entries.push(e);
        }
        self.mark();
        Ok(count)
    }

    /// Record which data files exist (one listing of the table), then mark the loaded entries.
    pub async fn check_data_files(&mut self) -> Result<(), LakeError> {
        self.existing = Some(list_data_files(&self.os, &self.listing.table_key, &self.listing.location).await?);
        self.mark();
        Ok(())
    }

    /// Continue the newest-to-oldest readability walk over loaded entries. A version is
    /// readable when every file of its snapshot exists: files removed by a later commit (and
    /// not added back by one) must still be in storage.
    fn mark(&mut self) {
        let Some(existing) = &self.existing else { return };
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
        super::parquet_dataset::list_under(os, table, location, &tokio_util::sync::CancellationToken::new()).await?;
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
    for v in [lo, hi] {
        if listing.latest().is_some_and(|l| v > l) {
            return Err(err(format!("no version {v}: the latest is v{}", listing.latest().unwrap_or(0))));
        }
    }
    let files: Vec<LogFile> = listing.commits.iter().filter(|c| c.version > lo && c.version <= hi).cloned().collect();
    if let Some(missing) = (lo + 1..=hi).find(|v| !listing.has_commit(*v)) {
        return Err(err(format!(
            "the commit of v{missing} is no longer in the log (cleaned up by log retention): versions before it cannot be diffed against later ones"
        )));
    }
    let commits = read_commits(os, listing, files).await?;
    let mut added: HashMap<String, FileAction> = HashMap::new();
    let mut removed: HashMap<String, FileAction> = HashMap::new();
    let mut out = FileDiff {
        from: a,
        to: b,
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
        commits_read: commits.len() as u64,
        log_bytes_read: commits.iter().map(|c| c.bytes).sum(),
    };
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
}
