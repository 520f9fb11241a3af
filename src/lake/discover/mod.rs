//! Catalog discovery: walks a lake root through object_store and streams snapshots of what it
//! finds (buckets, zones, folders, tables) while it is still listing.
//!
//! Strategy, chosen for object stores where every LIST is a billed round trip:
//! - namespaces (the root, buckets, zones, plain folders) are listed one level at a time with a
//!   delimiter, so an unreadable folder is pinned to that folder and the rest goes on;
//! - as soon as a folder shows table signals (`_delta_log/`, `.hoodie/`, Iceberg `metadata/`,
//!   hive `key=value/` folders, or data files with only partition-like folders beside them) its
//!   whole subtree is listed flat: one request per 1,000 keys on S3, one directory walk locally;
//! - a table keeps aggregates only (counts, bytes, partition values, one sample file), never an
//!   entry per object, so memory follows the number of folders and partitions, not of files.
//!
//! The engine knows nothing of the UI: it hands `Arc<Catalog>` snapshots to a callback.
//!
//! Sub-modules: `catalog` (what was found), `names` (what a file or folder is, from its name),
//! `partition` (hive partition columns and their types), `detail` (a table's schema, rows and
//! Delta state for the detail pane).

pub mod catalog;
pub mod detail;
pub mod names;
pub mod partition;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use object_store::list::PaginatedListOptions;
use object_store::{ObjectMeta, ObjectStoreExt};
use serde::Deserialize;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::lake::discover::catalog::{
    Catalog, DeltaLogListing, DiscoveryProgress, ListedObject, Node, NodeId, NodeKind, TableEntry, TableFormat,
};
use crate::lake::discover::names::FileKind;
use crate::lake::discover::partition::PartitionStats;
use crate::lake::error::LakeError;
use crate::lake::store::LakeStore;
use crate::lake::store::location::Scheme;

/// Knobs of a discovery run: the `[discovery]` settings (deserialised from the config, which
/// holds their defaults) and internal timings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryOptions {
    /// Folder names recognised as zones, in display order.
    pub zones: Vec<String>,
    /// How many folder levels below the root are explored for tables.
    pub max_depth: usize,
    /// Listings in flight at once.
    pub concurrency: usize,
    /// Minimum time between two snapshots sent to the caller.
    #[serde(skip, default = "snapshot_interval")]
    pub snapshot_interval: Duration,
    /// How long the first snapshot may wait for the root's children to be classified.
    #[serde(skip, default = "first_snapshot_wait")]
    pub first_snapshot_wait: Duration,
    /// Extension-less files whose last 4 bytes are read to recognise Parquet, in total.
    #[serde(skip, default = "sniff_budget")]
    pub sniff_budget: usize,
    /// Keep every object of each table's flat listing (for `lakescope diag`, which would
    /// otherwise list each table again); memory then grows with the number of objects.
    #[serde(skip)]
    pub keep_files: bool,
}

fn snapshot_interval() -> Duration {
    Duration::from_millis(100)
}

fn first_snapshot_wait() -> Duration {
    Duration::from_millis(60)
}

fn sniff_budget() -> usize {
    2_000
}

impl DiscoveryOptions {
    /// Options with these settings and the internal timings.
    pub fn new(zones: Vec<String>, max_depth: usize, concurrency: usize) -> Self {
        DiscoveryOptions {
            zones,
            max_depth,
            concurrency,
            snapshot_interval: snapshot_interval(),
            first_snapshot_wait: first_snapshot_wait(),
            sniff_budget: sniff_budget(),
            keep_files: false,
        }
    }
}

/// Sniffs per folder, so one folder of 50,000 extension-less files cannot eat the budget.
const SNIFF_PER_FOLDER: usize = 64;
/// Objects per batch sent from a flat table listing.
const BATCH: usize = 1_000;
/// Smallest possible Parquet file: magic, footer length, magic.
const MIN_PARQUET_BYTES: u64 = 12;

/// Run a discovery to completion, calling `on_snapshot` with partial catalogs as it goes.
///
/// Fails only when the root itself cannot be listed; every other failure is attached to the
/// folder or table it happened in.
pub async fn discover(
    store: Arc<LakeStore>,
    opts: DiscoveryOptions,
    cancel: CancellationToken,
    on_snapshot: &mut (dyn FnMut(Arc<Catalog>) + Send),
) -> Result<Arc<Catalog>, LakeError> {
    let started = Instant::now();
    let mut engine = Engine::new(store.clone(), opts.clone());
    let (tx, mut rx) = mpsc::channel::<Event>(64);
    let permits = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let sniff_budget = Arc::new(AtomicUsize::new(opts.sniff_budget));
    let mut tasks = JoinSet::new();
    let mut outstanding = 0usize;

    let spawn = |job: Job, tasks: &mut JoinSet<()>, outstanding: &mut usize| {
        *outstanding += 1;
        let tx = tx.clone();
        let store = store.clone();
        let permits = permits.clone();
        let sniff_budget = sniff_budget.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            // Every job must send its final event, or `outstanding` never reaches zero and the
            // discovery would wait forever: a panic becomes an error on that folder.
            let fallback = job.failed();
            let run = std::panic::AssertUnwindSafe(run_job(job, &store, &tx, &sniff_budget));
            if let Err(panic) = futures::FutureExt::catch_unwind(run).await {
                let _ = tx.send(fallback(format!("internal error: {}", panic_message(&panic)))).await;
            }
        });
    };

    spawn(Job::ListDir { dir: 0, rel: String::new() }, &mut tasks, &mut outstanding);
    let mut last_emit: Option<Instant> = None;
    let mut interval = opts.snapshot_interval;
    let mut shown_table = false;
    let mut dirty = false;

    while outstanding > 0 {
        let deadline = match last_emit {
            Some(t) => t + interval,
            None => started + opts.first_snapshot_wait,
        };
        tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                tasks.abort_all();
                return Err(LakeError::Cancelled);
            }
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                if ev.is_final() {
                    outstanding -= 1;
                }
                if let Event::Listed { dir: 0, result: Err(reason), .. } = &ev {
                    tasks.abort_all();
                    return Err(LakeError::Listing { location: store.display(), reason: reason.clone() });
                }
                for job in engine.apply(ev) {
                    spawn(job, &mut tasks, &mut outstanding);
                }
                dirty = true;
            }
            _ = tokio::time::sleep_until(deadline.into()), if dirty && engine.root_listed() => {}
        }
        let now = Instant::now();
        // The first table found is shown at once, whatever the interval.
        let first_table = !shown_table && engine.tables_found > 0;
        let ready = first_table && engine.root_listed()
            || match last_emit {
                Some(t) => now >= t + interval,
                None => {
                    engine.root_listed() && (engine.top_level_settled() || now >= started + opts.first_snapshot_wait)
                }
            };
        if dirty && ready && outstanding > 0 {
            let build = Instant::now();
            on_snapshot(Arc::new(engine.snapshot(started.elapsed(), outstanding as u64, false)));
            // A snapshot costs O(folders + tables): on a huge lake, space them out so building
            // them never takes more than a fifth of the time.
            interval = opts.snapshot_interval.max(build.elapsed() * 4);
            shown_table |= engine.tables_found > 0;
            last_emit = Some(Instant::now());
            dirty = false;
        }
    }
    let done = Arc::new(engine.snapshot(started.elapsed(), 0, true));
    on_snapshot(done.clone());
    Ok(done)
}

/// Work the engine asks for.
#[derive(Debug)]
enum Job {
    /// One level of a namespace folder, with a delimiter.
    ListDir { dir: usize, rel: String },
    /// Is `rel/metadata/` an Iceberg metadata folder?
    ProbeIceberg { dir: usize, rel: String },
    /// The whole subtree of a table, flat.
    ListTable { dir: usize, rel: String },
}

impl Job {
    /// The final event reporting this job as failed.
    fn failed(&self) -> impl FnOnce(String) -> Event + Send + 'static {
        let job = match self {
            Job::ListDir { dir, .. } => (0, *dir),
            Job::ProbeIceberg { dir, .. } => (1, *dir),
            Job::ListTable { dir, .. } => (2, *dir),
        };
        move |reason| match job {
            (0, dir) => Event::Listed { dir, result: Err(reason), last: true },
            (1, dir) => Event::IcebergProbed { dir, is_iceberg: false },
            (_, dir) => Event::TableDone { dir, error: Some(reason) },
        }
    }
}

/// The text of a caught panic.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// What jobs report back.
#[derive(Debug)]
enum Event {
    /// One page of a folder's delimited listing; `last` ends the job.
    Listed {
        dir: usize,
        result: Result<DirPage, String>,
        last: bool,
    },
    IcebergProbed {
        dir: usize,
        is_iceberg: bool,
    },
    TableBatch {
        dir: usize,
        objects: Vec<ObjectMeta>,
    },
    TableDone {
        dir: usize,
        error: Option<String>,
    },
}

impl Event {
    /// The last event of a job: the job no longer counts as outstanding.
    fn is_final(&self) -> bool {
        match self {
            Event::Listed { result, last, .. } => *last || result.is_err(),
            Event::TableBatch { .. } => false,
            _ => true,
        }
    }
}

/// One page of a folder listing, as a job sends it.
#[derive(Debug, Clone, Default)]
struct DirPage {
    subdirs: Vec<String>,
    files: Vec<ListedFile>,
    /// For local stores, the real path of the listed folder (symlinks resolved), so a folder is
    /// never walked twice: a symlink to an ancestor would otherwise re-list the tree at every
    /// level down to the depth limit.
    real_path: Option<String>,
}

/// A folder's listing as its pages arrive: subfolder names and file groups, never one entry per
/// file, so a prefix of 100,000 objects costs its groups, not its objects.
#[derive(Debug, Clone, Default)]
struct DirAccum {
    subdirs: Vec<String>,
    groups: Vec<FileGroup>,
    group_index: HashMap<String, usize>,
    /// Files that are not table data (README, _SUCCESS…).
    other_files: u64,
    other_bytes: u64,
    objects: u64,
    bytes: u64,
}

impl DirAccum {
    fn add(&mut self, page: DirPage) {
        self.subdirs.extend(page.subdirs);
        for f in &page.files {
            self.objects += 1;
            self.bytes += f.size;
            if f.kind.is_data() {
                self.add_data_file(f);
            } else {
                self.other_files += 1;
                self.other_bytes += f.size;
            }
        }
    }

    fn add_data_file(&mut self, f: &ListedFile) {
        let key = names::signature_key(&f.name, f.kind);
        let i = match self.group_index.get(&key) {
            Some(i) => *i,
            None => {
                // The glob and the stem are needed once per group, not once per file.
                let sig = names::file_signature(&f.name, f.kind);
                self.groups.push(FileGroup {
                    glob: sig.glob,
                    signature: sig.key,
                    stem: sig.stem,
                    kind: f.kind,
                    files: 0,
                    bytes: 0,
                    first_file: f.name.clone(),
                    first_file_bytes: f.size,
                    modified_ms: f.modified_ms,
                    tiny_parquet: 0,
                    tiny_example: None,
                });
                self.group_index.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let g = &mut self.groups[i];
        g.files += 1;
        g.bytes += f.size;
        g.modified_ms = g.modified_ms.max(f.modified_ms);
        if f.name < g.first_file {
            g.first_file = f.name.clone();
            g.first_file_bytes = f.size;
        }
        if f.kind == FileKind::Parquet && f.size < MIN_PARQUET_BYTES {
            g.tiny_parquet += 1;
            if g.tiny_example.is_none() {
                g.tiny_example = Some((f.name.clone(), f.size));
            }
        }
    }

    /// Groups in a stable order (pages and local walks come in any order).
    fn sorted_groups(&self) -> Vec<FileGroup> {
        let mut g = self.groups.clone();
        g.sort_by(|a, b| a.signature.cmp(&b.signature));
        g
    }
}

#[derive(Debug, Clone)]
struct ListedFile {
    name: String,
    size: u64,
    modified_ms: i64,
    kind: FileKind,
}

async fn run_job(job: Job, store: &LakeStore, tx: &mpsc::Sender<Event>, sniff_budget: &AtomicUsize) {
    match job {
        Job::ListDir { dir, rel } => list_dir(store, dir, &rel, tx, sniff_budget).await,
        Job::ProbeIceberg { dir, rel } => {
            let meta_rel = if rel.is_empty() { "metadata".to_string() } else { format!("{rel}/metadata") };
            let key = store.key(&meta_rel);
            let is_iceberg = match store.object_store().list_with_delimiter(Some(&key)).await {
                Ok(listing) => listing.objects.iter().any(|o| {
                    o.location.filename().is_some_and(|f| f.ends_with(".metadata.json") || f == "version-hint.text")
                }),
                Err(_) => false,
            };
            let _ = tx.send(Event::IcebergProbed { dir, is_iceberg }).await;
        }
        Job::ListTable { dir, rel } => {
            let key = store.key(&rel);
            let os = store.object_store();
            let mut stream = os.list(Some(&key));
            let mut batch = Vec::with_capacity(BATCH);
            let mut error = None;
            while let Some(item) = stream.next().await {
                match item {
                    Ok(meta) => {
                        batch.push(meta);
                        if batch.len() == BATCH {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                            if tx.send(Event::TableBatch { dir, objects: full }).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        error = Some(store.explain_error(&e));
                        break;
                    }
                }
            }
            if !batch.is_empty() {
                let _ = tx.send(Event::TableBatch { dir, objects: batch }).await;
            }
            let _ = tx.send(Event::TableDone { dir, error }).await;
        }
    }
}

/// List one folder with a delimiter, sending each page as it arrives: on S3, GCS and Azure one
/// request per page of 1,000 keys; on a local disk one directory read.
async fn list_dir(store: &LakeStore, dir: usize, rel: &str, tx: &mpsc::Sender<Event>, sniff_budget: &AtomicUsize) {
    let key = store.key(rel);
    let Some(paged) = store.paged() else {
        let prefix = if key.as_ref().is_empty() { None } else { Some(&key) };
        let result = match store.object_store().list_with_delimiter(prefix).await {
            Ok(listing) => Ok(to_page(store, &key, listing, sniff_budget).await),
            Err(e) => Err(store.explain_error(&e)),
        };
        let _ = tx.send(Event::Listed { dir, result, last: true }).await;
        return;
    };
    // Paginated listings take the prefix as a string and do not add the trailing delimiter.
    let prefix = if key.as_ref().is_empty() { None } else { Some(format!("{}/", key.as_ref())) };
    let mut token: Option<String> = None;
    loop {
        let opts = PaginatedListOptions { delimiter: Some("/".into()), page_token: token.take(), ..Default::default() };
        match paged.list_paginated(prefix.as_deref(), opts).await {
            Ok(page) => {
                let last = page.page_token.is_none();
                let result = Ok(to_page(store, &key, page.result, sniff_budget).await);
                if tx.send(Event::Listed { dir, result, last }).await.is_err() || last {
                    return;
                }
                token = page.page_token;
            }
            Err(e) => {
                let _ = tx.send(Event::Listed { dir, result: Err(store.explain_error(&e)), last: true }).await;
                return;
            }
        }
    }
}

/// A page of a delimited listing, with extension-less files sniffed for Parquet magic.
async fn to_page(
    store: &LakeStore,
    key: &object_store::path::Path,
    listing: object_store::ListResult,
    sniff_budget: &AtomicUsize,
) -> DirPage {
    let os = store.object_store();
    let mut out = DirPage::default();
    if store.url.scheme == Scheme::File {
        out.real_path = real_path(key);
    }
    for p in &listing.common_prefixes {
        if let Some(name) = p.filename() {
            out.subdirs.push(name.to_string());
        }
    }
    let mut to_sniff = Vec::new();
    for o in &listing.objects {
        let Some(name) = o.location.filename() else { continue };
        let kind = names::classify_file(name);
        if kind == FileKind::Unknown && o.size >= MIN_PARQUET_BYTES && to_sniff.len() < SNIFF_PER_FOLDER {
            to_sniff.push(out.files.len());
        }
        out.files.push(ListedFile {
            name: name.to_string(),
            size: o.size,
            modified_ms: o.last_modified.timestamp_millis(),
            kind,
        });
    }
    // Files without an extension may be Parquet (Hive output, fuzzer corpora): read the magic.
    let sniffed = futures::stream::iter(
        to_sniff
            .into_iter()
            .filter(|_| sniff_budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok()),
    )
    .map(|idx| {
        let f = &out.files[idx];
        let loc = object_store::path::Path::parse(format!(
            "{}{}{}",
            key.as_ref(),
            if key.as_ref().is_empty() { "" } else { "/" },
            f.name
        ));
        let size = f.size;
        let os = os.clone();
        async move {
            let Ok(loc) = loc else { return (idx, false) };
            match os.get_range(&loc, size - 4..size).await {
                Ok(bytes) => (idx, bytes.as_ref() == b"PAR1" || bytes.as_ref() == b"PARE"),
                Err(_) => (idx, false),
            }
        }
    })
    .buffer_unordered(8)
    .collect::<Vec<_>>()
    .await;
    for (idx, is_parquet) in sniffed {
        if is_parquet {
            out.files[idx].kind = FileKind::Parquet;
        }
    }
    out
}

/// The canonical path of a local folder key (`work/lake/x` -> `/data/lake/x` through symlinks).
fn real_path(key: &object_store::path::Path) -> Option<String> {
    std::fs::canonicalize(format!("/{}", key.as_ref())).ok().map(|p| p.to_string_lossy().into_owned())
}

/// A set of files in one namespace folder that look like one dataset (`customers_*.csv`).
#[derive(Debug, Clone)]
struct FileGroup {
    signature: String,
    stem: String,
    kind: FileKind,
    files: u64,
    bytes: u64,
    first_file: String,
    first_file_bytes: u64,
    glob: String,
    modified_ms: i64,
    /// Parquet files too small to be valid: how many, and the first one's name and size.
    tiny_parquet: u64,
    tiny_example: Option<(String, u64)>,
}

/// Aggregates of one table's listing.
#[derive(Debug, Clone, Default)]
struct TableAgg {
    /// Set when a marker decided the format (Delta, Hudi, Iceberg).
    marker: Option<TableFormat>,
    data_kinds: HashMap<FileKind, u64>,
    files: u64,
    bytes: u64,
    meta_files: u64,
    meta_bytes: u64,
    unknown_files: u64,
    partitions: PartitionStats,
    modified_ms: Option<i64>,
    sample: Option<String>,
    sample_bytes: Option<u64>,
    sample_tiny: bool,
    delta: Option<DeltaLogListing>,
    tiny_parquet: u64,
    tiny_example: Option<(String, u64)>,
    /// Journals of interrupted compactions (`maintain::dataset`).
    journals: u64,
    /// Files come from the folder listing alone (no subfolders to walk).
    from_groups: bool,
    complete: bool,
    error: Option<String>,
    /// Glob restricting the table to some files of its folder.
    glob: Option<String>,
    /// The objects of the flat listing, while it runs (`keep_files`)…
    kept: Vec<ListedObject>,
    /// …and once it is complete.
    kept_done: Option<Arc<Vec<ListedObject>>>,
}

#[derive(Debug, Clone)]
enum Role {
    Unlisted,
    /// Pages of its listing are arriving.
    Listing(Box<DirAccum>),
    /// Waiting for the Iceberg probe of its `metadata/` folder.
    Probing(Box<DirAccum>),
    Namespace,
    Table(Box<TableAgg>),
}

#[derive(Debug, Clone)]
struct Dir {
    name: String,
    rel: String,
    parent: Option<usize>,
    depth: usize,
    role: Role,
    subdirs: Vec<usize>,
    groups: Vec<FileGroup>,
    other_files: u64,
    error: Option<String>,
    depth_limited: bool,
}

struct Engine {
    store: Arc<LakeStore>,
    opts: DiscoveryOptions,
    dirs: Vec<Dir>,
    objects: u64,
    bytes: u64,
    folders_listed: u64,
    errors: u64,
    /// Real paths of local folders already listed.
    visited: HashSet<String>,
    /// Real path of a local root, to tell a folder from a link to another folder of the lake.
    root_real: Option<String>,
    /// Tables known so far (a folder or a group of files classified as one).
    tables_found: u64,
}

impl Engine {
    fn new(store: Arc<LakeStore>, opts: DiscoveryOptions) -> Self {
        let root = Dir {
            // A cloud root is shown as its bucket (`s3://acme/prod` is in bucket acme).
            name: store.url.bucket.clone().unwrap_or_else(|| store.url.name.clone()),
            rel: String::new(),
            parent: None,
            depth: 0,
            role: Role::Unlisted,
            subdirs: Vec::new(),
            groups: Vec::new(),
            other_files: 0,
            error: None,
            depth_limited: false,
        };
        let mut visited = HashSet::new();
        let mut root_real = None;
        if store.url.scheme == Scheme::File
            && let Some(real) = real_path(&store.url.prefix)
        {
            visited.insert(real.clone());
            root_real = Some(real);
        }
        Engine {
            root_real,
            store,
            opts,
            dirs: vec![root],
            objects: 0,
            bytes: 0,
            folders_listed: 0,
            errors: 0,
            visited,
            tables_found: 0,
        }
    }

    fn root_listed(&self) -> bool {
        !matches!(self.dirs[0].role, Role::Unlisted | Role::Listing(_) | Role::Probing(_))
    }

    /// Every child of the root knows what it is (so the bucket layout will not flip).
    fn top_level_settled(&self) -> bool {
        self.dirs[0]
            .subdirs
            .iter()
            .all(|&d| !matches!(self.dirs[d].role, Role::Unlisted | Role::Listing(_) | Role::Probing(_)))
    }

    fn apply(&mut self, ev: Event) -> Vec<Job> {
        match ev {
            Event::Listed { dir, result, last } => {
                if last || result.is_err() {
                    self.folders_listed += 1;
                }
                match result {
                    Ok(page) => {
                        let mut accum = match std::mem::replace(&mut self.dirs[dir].role, Role::Unlisted) {
                            Role::Listing(a) => a,
                            _ => {
                                // First page: a folder reached a second time through a symlink
                                // is not walked again.
                                // A link to another folder of this lake is listed under its own
                                // name only, whichever of the two is reached first.
                                let alias = match (&page.real_path, &self.root_real) {
                                    (Some(real), Some(root)) if dir != 0 => {
                                        let own = format!("{root}/{}", self.dirs[dir].rel);
                                        *real != own && (real == root || real.starts_with(&format!("{root}/")))
                                    }
                                    _ => false,
                                };
                                if alias {
                                    self.dirs[dir].error = Some(
                                        "links to a folder that is already listed (a symlink loop?): not listed again"
                                            .into(),
                                    );
                                    self.dirs[dir].role = Role::Namespace;
                                    return Vec::new();
                                }
                                if dir != 0
                                    && let Some(real) = &page.real_path
                                    && !self.visited.insert(real.clone())
                                {
                                    self.dirs[dir].error = Some(
                                        "links to a folder that is already listed (a symlink loop?): not listed again"
                                            .into(),
                                    );
                                    self.dirs[dir].role = Role::Namespace;
                                    return Vec::new();
                                }
                                Box::default()
                            }
                        };
                        let (before_objects, before_bytes) = (accum.objects, accum.bytes);
                        accum.add(page);
                        // Counted as pages arrive (a running count), taken back if the folder
                        // turns out to be a table that is listed again flat.
                        self.objects += accum.objects - before_objects;
                        self.bytes += accum.bytes - before_bytes;
                        if !last {
                            self.dirs[dir].role = Role::Listing(accum);
                            return Vec::new();
                        }
                        let (count, bytes) = (accum.objects, accum.bytes);
                        let jobs = self.classify(dir, accum);
                        let relisted = jobs.iter().any(|j| matches!(j, Job::ListTable { dir: d, .. } if *d == dir));
                        if relisted {
                            self.objects -= count;
                            self.bytes -= bytes;
                        }
                        jobs
                    }
                    Err(reason) => {
                        self.errors += 1;
                        let partial = std::mem::replace(&mut self.dirs[dir].role, Role::Namespace);
                        self.dirs[dir].error = Some(format!("cannot list this folder: {reason}"));
                        // Pages already read stay browsable.
                        if let Role::Listing(accum) = partial {
                            let jobs = self.namespace(dir, *accum);
                            self.dirs[dir].error =
                                Some(format!("listing stopped early, showing what was read: {reason}"));
                            return jobs;
                        }
                        Vec::new()
                    }
                }
            }
            Event::IcebergProbed { dir, is_iceberg } => {
                let role = std::mem::replace(&mut self.dirs[dir].role, Role::Unlisted);
                let Role::Probing(accum) = role else { return Vec::new() };
                if is_iceberg {
                    self.objects -= accum.objects;
                    self.bytes -= accum.bytes;
                    self.become_table(dir, Some(TableFormat::Iceberg))
                } else {
                    self.namespace(dir, *accum)
                }
            }
            Event::TableBatch { dir, objects } => {
                self.objects += objects.len() as u64;
                self.bytes += objects.iter().map(|o| o.size).sum::<u64>();
                self.absorb(dir, &objects);
                Vec::new()
            }
            Event::TableDone { dir, error } => {
                if let Role::Table(agg) = &mut self.dirs[dir].role {
                    agg.complete = true;
                    if self.opts.keep_files && error.is_none() && !agg.from_groups {
                        agg.kept_done = Some(Arc::new(std::mem::take(&mut agg.kept)));
                    }
                    if let Some(e) = error {
                        self.errors += 1;
                        agg.error = Some(format!("listing stopped early: {e}"));
                    }
                }
                Vec::new()
            }
        }
    }

    /// Decide what a fully listed folder is.
    fn classify(&mut self, dir: usize, accum: Box<DirAccum>) -> Vec<Job> {
        let has = |n: &str| accum.subdirs.iter().any(|s| s == n);
        if has("_delta_log") {
            return self.become_table(dir, Some(TableFormat::Delta));
        }
        if has(".hoodie") {
            return self.become_table(dir, Some(TableFormat::Hudi));
        }
        if has("metadata") && (has("data") || accum.groups.is_empty()) {
            let rel = self.dirs[dir].rel.clone();
            self.dirs[dir].role = Role::Probing(accum);
            return vec![Job::ProbeIceberg { dir, rel }];
        }
        let visible: Vec<&String> = accum.subdirs.iter().filter(|s| !names::is_hidden_dir(s)).collect();
        if visible.iter().any(|s| names::hive_pair(s).is_some()) {
            return self.become_table(dir, None);
        }
        let container = self.is_container(dir);
        let all_partition_like = visible.iter().all(|s| names::is_partition_dir(s));
        let groups = accum.groups.len();
        if !container && all_partition_like {
            if groups == 1 && visible.is_empty() {
                return self.table_from_group(dir, &accum);
            }
            if groups <= 1 && !visible.is_empty() && self.dirs[dir].depth > 0 {
                // Data (if any) beside bare date/number folders: one dataset partitioned by date.
                return self.become_table(dir, None);
            }
        }
        self.namespace(dir, *accum)
    }

    /// Containers hold tables but are never one: the lake root and zones.
    fn is_container(&self, dir: usize) -> bool {
        let d = &self.dirs[dir];
        if d.parent.is_none() {
            return false;
        }
        names::zone_rank(&d.name, &self.opts.zones).is_some()
    }

    fn become_table(&mut self, dir: usize, marker: Option<TableFormat>) -> Vec<Job> {
        self.tables_found += 1;
        let agg = TableAgg { marker, ..TableAgg::default() };
        self.dirs[dir].role = Role::Table(Box::new(agg));
        vec![Job::ListTable { dir, rel: self.dirs[dir].rel.clone() }]
    }

    /// A folder whose files are all one group is that table (`events/part-*.parquet`).
    fn table_from_group(&mut self, dir: usize, accum: &DirAccum) -> Vec<Job> {
        self.tables_found += 1;
        let group = &accum.groups[0];
        let mut agg = TableAgg { from_groups: true, complete: true, ..TableAgg::default() };
        *agg.data_kinds.entry(group.kind).or_default() += group.files;
        agg.files = group.files;
        agg.bytes = group.bytes;
        agg.modified_ms = Some(group.modified_ms);
        agg.sample = Some(group.first_file.clone());
        agg.sample_bytes = Some(group.first_file_bytes);
        agg.tiny_parquet = group.tiny_parquet;
        agg.tiny_example = group.tiny_example.clone();
        agg.meta_files = accum.other_files;
        agg.meta_bytes = accum.other_bytes;
        self.dirs[dir].role = Role::Table(Box::new(agg));
        Vec::new()
    }

    fn namespace(&mut self, dir: usize, accum: DirAccum) -> Vec<Job> {
        let mut jobs = Vec::new();
        let depth = self.dirs[dir].depth;
        let rel = self.dirs[dir].rel.clone();
        self.dirs[dir].role = Role::Namespace;
        self.dirs[dir].groups = accum.sorted_groups();
        self.tables_found += self.dirs[dir].groups.len() as u64;
        self.dirs[dir].other_files = accum.other_files;
        let mut subdirs = accum.subdirs;
        subdirs.sort();
        subdirs.dedup();
        for name in subdirs {
            if names::is_hidden_dir(&name) {
                continue;
            }
            let child_rel = join_rel(&rel, &name);
            let idx = self.dirs.len();
            let limited = depth + 1 > self.opts.max_depth;
            self.dirs.push(Dir {
                name,
                rel: child_rel.clone(),
                parent: Some(dir),
                depth: depth + 1,
                role: if limited { Role::Namespace } else { Role::Unlisted },
                subdirs: Vec::new(),
                groups: Vec::new(),
                other_files: 0,
                error: None,
                depth_limited: limited,
            });
            self.dirs[dir].subdirs.push(idx);
            if !limited {
                jobs.push(Job::ListDir { dir: idx, rel: child_rel });
            }
        }
        jobs
    }

    /// Fold a batch of a table's flat listing into its aggregates.
    fn absorb(&mut self, dir: usize, objects: &[ObjectMeta]) {
        let table_key = self.store.key(&self.dirs[dir].rel);
        let Role::Table(agg) = &mut self.dirs[dir].role else { return };
        let marker = agg.marker;
        for o in objects {
            let key = o.location.as_ref();
            let inner = if table_key.as_ref().is_empty() {
                key
            } else {
                match key.strip_prefix(table_key.as_ref()).and_then(|r| r.strip_prefix('/')) {
                    Some(r) => r,
                    None => continue,
                }
            };
            let modified = o.last_modified.timestamp_millis();
            if self.opts.keep_files {
                agg.kept.push(ListedObject { rel: inner.to_string(), size: o.size, modified_ms: modified });
            }
            agg.modified_ms = Some(agg.modified_ms.map_or(modified, |m| m.max(modified)));
            let (dirs, file) = inner.rsplit_once('/').unwrap_or(("", inner));
            let first = dirs.split('/').next().unwrap_or("");
            let kind = names::classify_file(file);

            // Table-format bookkeeping folders.
            let meta = match marker {
                Some(TableFormat::Delta) if first == "_delta_log" => {
                    let log = agg.delta.get_or_insert_with(DeltaLogListing::default);
                    log.log_bytes += o.size;
                    if dirs == "_delta_log" {
                        if let Some(v) = names::delta_commit_version(file) {
                            log.commits += 1;
                            log.latest_version = Some(log.latest_version.map_or(v, |l| l.max(v)));
                        } else if names::is_delta_checkpoint(file) {
                            log.checkpoints += 1;
                        }
                    }
                    true
                }
                Some(TableFormat::Delta) if first == "_change_data" => {
                    agg.delta.get_or_insert_with(DeltaLogListing::default).cdc_files += 1;
                    true
                }
                Some(TableFormat::Delta) if file.starts_with("deletion_vector_") => {
                    agg.delta.get_or_insert_with(DeltaLogListing::default).deletion_vectors += 1;
                    true
                }
                Some(TableFormat::Hudi) if first == ".hoodie" => true,
                Some(TableFormat::Iceberg) if first == "metadata" => true,
                _ => false,
            };
            if file.starts_with(crate::lake::maintain::dataset::JOURNAL_PREFIX) {
                agg.journals += 1;
            }
            let hidden_dir = !dirs.is_empty() && dirs.split('/').any(names::is_hidden_dir);
            if meta || hidden_dir || !kind.is_data() {
                if kind == FileKind::Unknown && !meta && !hidden_dir {
                    agg.unknown_files += 1;
                }
                agg.meta_files += 1;
                agg.meta_bytes += o.size;
                continue;
            }
            *agg.data_kinds.entry(kind).or_default() += 1;
            agg.files += 1;
            agg.bytes += o.size;
            let tiny = o.size < MIN_PARQUET_BYTES;
            if kind == FileKind::Parquet && tiny {
                agg.tiny_parquet += 1;
                if agg.tiny_example.is_none() {
                    agg.tiny_example = Some((inner.to_string(), o.size));
                }
            }
            // The sample file must not depend on listing order (it differs between filesystems
            // and stores): take the smallest key, preferring files big enough to hold data.
            let better = match &agg.sample {
                None => true,
                Some(cur) => (tiny, inner) < (agg.sample_tiny, cur.as_str()),
            };
            if better {
                agg.sample = Some(inner.to_string());
                agg.sample_bytes = Some(o.size);
                agg.sample_tiny = tiny;
            }
            let partition_dirs = if marker == Some(TableFormat::Iceberg) && first == "data" {
                dirs.strip_prefix("data").map(|d| d.trim_start_matches('/')).unwrap_or(dirs)
            } else {
                dirs
            };
            agg.partitions.observe_dirs(partition_dirs);
        }
    }

    /// Build the catalog as it stands.
    fn snapshot(&self, elapsed: Duration, pending: u64, complete: bool) -> Catalog {
        let mut out = Catalog {
            root_url: self.store.display(),
            root_name: self.dirs[0].name.clone(),
            nodes: Vec::new(),
            buckets: Vec::new(),
            progress: DiscoveryProgress {
                objects: self.objects,
                bytes: self.bytes,
                folders_listed: self.folders_listed,
                list_requests: self.folders_listed,
                pending,
                errors: self.errors,
                complete,
                elapsed_ms: elapsed.as_millis() as u64,
            },
        };
        let root = &self.dirs[0];
        match &root.role {
            Role::Unlisted | Role::Probing(_) => {}
            // The root's first pages: show what they hold while the rest arrives.
            Role::Listing(_) => {
                let ctx = Ctx { bucket: root.name.clone(), zone: None };
                let b = self.emit_dir(&mut out, 0, None, &ctx, true);
                out.buckets.push(b);
            }
            Role::Table(_) => {
                let bucket = push_node(&mut out, None, root.name.clone(), NodeKind::Bucket, String::new());
                out.buckets.push(bucket);
                let ctx = Ctx { bucket: root.name.clone(), zone: None };
                let t = self.emit_dir(&mut out, 0, Some(bucket), &ctx, false);
                out.nodes[bucket.0 as usize].children.push(t);
            }
            Role::Namespace => {
                if self.root_is_bucket() {
                    let ctx = Ctx {
                        bucket: root.name.clone(),
                        zone: names::zone_rank(&root.name, &self.opts.zones).map(|_| root.name.clone()),
                    };
                    let b = self.emit_dir(&mut out, 0, None, &ctx, true);
                    out.buckets.push(b);
                } else {
                    let mut buckets: Vec<usize> = root.subdirs.clone();
                    buckets.sort_by(|a, b| self.dirs[*a].name.cmp(&self.dirs[*b].name));
                    for d in buckets {
                        let ctx = Ctx { bucket: self.dirs[d].name.clone(), zone: None };
                        let b = self.emit_dir(&mut out, d, None, &ctx, true);
                        out.buckets.push(b);
                    }
                }
            }
        }
        if let Some(err) = &root.error
            && let Some(first) = out.buckets.first()
        {
            out.nodes[first.0 as usize].error = Some(err.clone());
        }
        out
    }

    /// The root directly holds zones or tables (or nothing else): it is the one bucket.
    fn root_is_bucket(&self) -> bool {
        let root = &self.dirs[0];
        // A cloud root is inside one bucket: that bucket is the bucket; an account root
        // (`s3://`) lists buckets, each its own.
        if self.store.url.scheme != Scheme::File {
            return !self.store.url.is_account();
        }
        if !root.groups.is_empty() || root.subdirs.is_empty() || root.error.is_some() {
            return true;
        }
        root.subdirs.iter().any(|&d| {
            let c = &self.dirs[d];
            matches!(c.role, Role::Table(_)) || names::zone_rank(&c.name, &self.opts.zones).is_some()
        })
    }

    fn emit_dir(&self, out: &mut Catalog, dir: usize, parent: Option<NodeId>, ctx: &Ctx, as_bucket: bool) -> NodeId {
        let d = &self.dirs[dir];
        match &d.role {
            Role::Table(agg) => {
                let entry = self.table_entry(d.name.clone(), &d.rel, &d.rel, agg, ctx);
                let id = push_node(out, parent, d.name.clone(), NodeKind::Table, d.rel.clone());
                let n = &mut out.nodes[id.0 as usize];
                n.tables_below = 1;
                n.files_below = entry.files;
                n.bytes_below = entry.bytes;
                n.pending = !entry.listing_complete;
                n.error = d.error.clone();
                n.table = Some(Box::new(entry));
                id
            }
            Role::Unlisted | Role::Probing(_) | Role::Namespace | Role::Listing(_) => {
                let zone_rank = names::zone_rank(&d.name, &self.opts.zones);
                let kind = if as_bucket {
                    NodeKind::Bucket
                } else if zone_rank.is_some() {
                    NodeKind::Zone
                } else {
                    NodeKind::Folder
                };
                let id = push_node(out, parent, d.name.clone(), kind, d.rel.clone());
                let child_ctx = if kind == NodeKind::Zone {
                    Ctx { bucket: ctx.bucket.clone(), zone: Some(d.name.clone()) }
                } else {
                    ctx.clone()
                };
                let mut children: Vec<(Option<usize>, NodeId)> = Vec::new();
                for &sd in &d.subdirs {
                    let child = self.emit_dir(out, sd, Some(id), &child_ctx, false);
                    let rank = if out.node(child).kind == NodeKind::Zone {
                        names::zone_rank(&self.dirs[sd].name, &self.opts.zones)
                    } else {
                        None
                    };
                    children.push((rank, child));
                }
                // A folder still being listed shows the folders and files of its first pages.
                let partial = match &d.role {
                    Role::Listing(accum) => Some(accum),
                    _ => None,
                };
                if let Some(accum) = partial {
                    let mut names_seen: Vec<&String> =
                        accum.subdirs.iter().filter(|n| !names::is_hidden_dir(n)).collect();
                    names_seen.sort();
                    names_seen.dedup();
                    for name in names_seen {
                        let rank = names::zone_rank(name, &self.opts.zones);
                        let kind = if rank.is_some() { NodeKind::Zone } else { NodeKind::Folder };
                        let child = push_node(out, Some(id), name.clone(), kind, join_rel(&d.rel, name));
                        out.nodes[child.0 as usize].pending = true;
                        children.push((rank, child));
                    }
                }
                let sorted;
                let groups: &[FileGroup] = match partial {
                    Some(accum) => {
                        sorted = accum.sorted_groups();
                        &sorted
                    }
                    None => &d.groups,
                };
                for g in groups {
                    let agg = group_agg(g);
                    // One file: call the table by its file name; a group: by the words its names share.
                    let name =
                        if g.files == 1 || g.stem.is_empty() { strip_ext(&g.first_file) } else { g.stem.clone() };
                    let rel = if g.files == 1 { join_rel(&d.rel, &g.first_file) } else { d.rel.clone() };
                    let entry = self.table_entry(name.clone(), &rel, &d.rel, &agg, &child_ctx);
                    let child = push_node(out, Some(id), name, NodeKind::Table, rel);
                    let n = &mut out.nodes[child.0 as usize];
                    n.tables_below = 1;
                    n.files_below = entry.files;
                    n.bytes_below = entry.bytes;
                    n.table = Some(Box::new(entry));
                    children.push((None, child));
                }
                // Zones in their configured order first, then everything else by name.
                children.sort_by(|(ra, a), (rb, b)| match (ra, rb) {
                    (Some(x), Some(y)) => x.cmp(y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => out.node(*a).name.to_lowercase().cmp(&out.node(*b).name.to_lowercase()),
                });
                let ids: Vec<NodeId> = children.into_iter().map(|(_, c)| c).collect();
                dedupe_names(out, &ids);
                let (mut tables, mut files, mut bytes, mut pending) = (0, 0, 0, false);
                for c in &ids {
                    let n = out.node(*c);
                    tables += n.tables_below;
                    files += n.files_below;
                    bytes += n.bytes_below;
                    pending |= n.pending;
                }
                let n = &mut out.nodes[id.0 as usize];
                n.children = ids;
                n.tables_below = tables;
                n.files_below = files;
                n.bytes_below = bytes;
                n.other_files = d.other_files;
                n.error = d.error.clone();
                n.pending = pending || matches!(d.role, Role::Unlisted | Role::Listing(_) | Role::Probing(_));
                n.depth_limited = d.depth_limited;
                id
            }
        }
    }

    /// `rel` is the table's own path (a folder, or a file for a single-file table); `base` the
    /// folder its files are listed relative to.
    fn table_entry(&self, name: String, rel: &str, base: &str, agg: &TableAgg, ctx: &Ctx) -> TableEntry {
        let single_file = agg.from_groups && agg.files == 1 && agg.glob.is_some();
        let format = agg.marker.unwrap_or_else(|| majority_format(&agg.data_kinds));
        let mut issues = Vec::new();
        if let Some(e) = &agg.error {
            issues.push(e.clone());
        }
        if agg.tiny_parquet > 0 {
            let (example, size) = agg.tiny_example.clone().unwrap_or_default();
            issues.push(format!(
                "{} Parquet file(s) too small to be valid (e.g. {example}: {size} bytes)",
                agg.tiny_parquet
            ));
        }
        if agg.journals > 0 {
            issues.push(format!(
                "an interrupted compaction left {}: readers may count some rows twice until it is recovered \
                 (lakescope recover, or compact it again)",
                crate::lake::units::plural(agg.journals, "journal")
            ));
        }
        let kinds: Vec<(FileKind, u64)> =
            agg.data_kinds.iter().map(|(k, v)| (*k, *v)).filter(|(_, v)| *v > 0).collect();
        if kinds.len() > 1 && agg.marker.is_none() {
            let mut parts: Vec<String> = kinds.iter().map(|(k, v)| format!("{v} {}", k.as_str())).collect();
            parts.sort();
            issues.push(format!("mixed file formats: {}", parts.join(", ")));
        }
        if agg.complete && agg.files == 0 && agg.unknown_files > 0 && agg.marker.is_none() {
            issues.push(format!(
                "{} without an extension; format not recognised",
                crate::lake::units::plural(agg.unknown_files, "file")
            ));
        }
        if let Some(log) = &agg.delta
            && agg.complete
            && log.commits == 0
            && log.checkpoints == 0
        {
            issues.push("_delta_log holds no commits".to_string());
        }
        if agg.complete && format == TableFormat::Delta && agg.delta.is_none() {
            issues.push("_delta_log is empty".to_string());
        }
        let (partition_dirs, _) = agg.partitions.partition_count();
        TableEntry {
            name,
            format,
            bucket: ctx.bucket.clone(),
            zone: ctx.zone.clone(),
            location: self.store.url_of(rel, !single_file).to_string(),
            path: rel.to_string(),
            file_glob: if single_file { None } else { agg.glob.clone() },
            files: agg.files,
            bytes: agg.bytes,
            meta_files: agg.meta_files,
            meta_bytes: agg.meta_bytes,
            partitions: agg.partitions.columns(),
            partition_dirs,
            unnamed_partition_levels: agg.partitions.unnamed_levels,
            last_modified_ms: agg.modified_ms,
            sample_file: agg.sample.as_ref().map(|f| join_rel(base, f)),
            sample_file_bytes: agg.sample_bytes,
            delta_log: agg.delta.clone(),
            listing_complete: agg.complete,
            issues,
            listing: agg.kept_done.clone(),
        }
    }
}

#[derive(Debug, Clone)]
struct Ctx {
    bucket: String,
    zone: Option<String>,
}

fn push_node(out: &mut Catalog, parent: Option<NodeId>, name: String, kind: NodeKind, path: String) -> NodeId {
    let id = NodeId(out.nodes.len() as u32);
    out.nodes.push(Node {
        id,
        parent,
        name,
        kind,
        path,
        children: Vec::new(),
        table: None,
        tables_below: 0,
        files_below: 0,
        bytes_below: 0,
        other_files: 0,
        error: None,
        pending: false,
        depth_limited: false,
    });
    id
}

/// Siblings must have distinct names (selection is kept by name): suffix the format on clashes.
fn dedupe_names(out: &mut Catalog, ids: &[NodeId]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for id in ids {
        let name = out.node(*id).name.clone();
        let count = seen.entry(name.clone()).or_default();
        *count += 1;
        if *count > 1 {
            let n = &mut out.nodes[id.0 as usize];
            let tag = n.table.as_ref().map(|t| t.format.as_str()).unwrap_or(n.kind.as_str());
            let renamed = format!("{name} ({tag}{})", if *count > 2 { format!(" {count}") } else { String::new() });
            n.name = renamed.clone();
            if let Some(t) = n.table.as_mut() {
                t.name = renamed;
            }
        }
    }
}

/// A file's name without its data extension, to name a single-file table.
fn strip_ext(name: &str) -> String {
    names::split_data_extension(name).0.to_string()
}

fn group_agg(g: &FileGroup) -> TableAgg {
    let mut agg = TableAgg { from_groups: true, complete: true, glob: Some(g.glob.clone()), ..TableAgg::default() };
    agg.data_kinds.insert(g.kind, g.files);
    agg.files = g.files;
    agg.bytes = g.bytes;
    agg.modified_ms = Some(g.modified_ms);
    agg.sample = Some(g.first_file.clone());
    agg.sample_bytes = Some(g.first_file_bytes);
    agg.tiny_parquet = g.tiny_parquet;
    agg.tiny_example = g.tiny_example.clone();
    agg
}

fn majority_format(kinds: &HashMap<FileKind, u64>) -> TableFormat {
    let best = kinds.iter().filter(|(_, n)| **n > 0).max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    match best.map(|(k, _)| *k) {
        Some(FileKind::Parquet) => TableFormat::Parquet,
        Some(FileKind::Csv) => TableFormat::Csv,
        Some(FileKind::Json) => TableFormat::Json,
        Some(FileKind::NdJson) => TableFormat::NdJson,
        Some(FileKind::Avro) => TableFormat::Avro,
        Some(FileKind::Orc) => TableFormat::Orc,
        _ => TableFormat::Unknown,
    }
}

fn join_rel(a: &str, b: &str) -> String {
    if a.is_empty() { b.to_string() } else { format!("{a}/{b}") }
}

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use async_trait::async_trait;
    use bytes::Bytes;
    use futures::stream::BoxStream;
    use object_store::path::Path;
    use object_store::{
        CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectStore, PutMultipartOptions, PutOptions,
        PutPayload, PutResult, Result,
    };

    use super::*;
    use crate::lake::LakeUrl;
    use crate::lake::store::local::LocalStore;

    /// A local store whose folder listing panics for one folder (a stand-in for a bug).
    #[derive(Debug)]
    struct PanicsOn(&'static str, LocalStore);

    impl std::fmt::Display for PanicsOn {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "PanicsOn")
        }
    }

    #[async_trait]
    impl ObjectStore for PanicsOn {
        async fn put_opts(&self, l: &Path, p: PutPayload, o: PutOptions) -> Result<PutResult> {
            self.1.put_opts(l, p, o).await
        }
        async fn put_multipart_opts(&self, l: &Path, o: PutMultipartOptions) -> Result<Box<dyn MultipartUpload>> {
            self.1.put_multipart_opts(l, o).await
        }
        async fn get_opts(&self, l: &Path, o: GetOptions) -> Result<GetResult> {
            self.1.get_opts(l, o).await
        }
        async fn get_ranges(&self, l: &Path, r: &[Range<u64>]) -> Result<Vec<Bytes>> {
            self.1.get_ranges(l, r).await
        }
        fn delete_stream(&self, l: BoxStream<'static, Result<Path>>) -> BoxStream<'static, Result<Path>> {
            self.1.delete_stream(l)
        }
        fn list(&self, p: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
            self.1.list(p)
        }
        async fn list_with_delimiter(&self, p: Option<&Path>) -> Result<ListResult> {
            if p.is_some_and(|p| p.as_ref().ends_with(self.0)) {
                panic!("listing {} blew up", self.0);
            }
            self.1.list_with_delimiter(p).await
        }
        async fn copy_opts(&self, f: &Path, t: &Path, o: CopyOptions) -> Result<()> {
            self.1.copy_opts(f, t, o).await
        }
    }

    #[tokio::test]
    async fn a_panicking_listing_is_an_error_on_its_folder_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b/raw/ok/x.csv", "b/raw/boom/y.csv"] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "a\n1\n").unwrap();
        }
        let url = LakeUrl::parse(dir.path().to_str().unwrap()).unwrap();
        let store = Arc::new(LakeStore::from_parts(url, Arc::new(PanicsOn("boom", LocalStore::new()))));
        let mut ignore = |_| {};
        let run = discover(
            store,
            DiscoveryOptions::new(vec!["bronze".into(), "silver".into()], 12, 4),
            CancellationToken::new(),
            &mut ignore,
        );
        let catalog = tokio::time::timeout(Duration::from_secs(20), run).await.expect("no hang").unwrap();
        let boom = catalog.nodes.iter().find(|n| n.name == "boom").unwrap();
        assert!(boom.error.as_deref().unwrap().contains("internal error: listing boom blew up"), "{:?}", boom.error);
        assert_eq!(catalog.table_count(), 1, "the healthy sibling is still found");
    }
}
