//! The only actions lakescope takes that write to a lake: compaction (`plan` → `delta` optimize or
//! the journaled `dataset` rewrite), convert-to-Delta and vacuum (`delta`). Every one is planned
//! first (nothing written), refused on a read-only lake (`check_writable`), runs with a
//! cancellation token and a progress callback, and is proven by an order-independent row
//! `checksum`.
//!
//! `WatchStore` wraps the store a rewrite writes through: it counts bytes read and written for the
//! progress line, and hosts the pause points the crash tests kill the process at
//! (`LAKESCOPE_PAUSE_AT`, see `pause_point`).

pub mod checksum;
pub mod dataset;
pub mod delta;
pub mod plan;
pub mod run;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore, PutMultipartOptions,
    PutOptions, PutPayload, PutResult, RenameOptions, Result, UploadPart,
};
use serde::Serialize;

pub use checksum::Checksum;
pub use plan::{CompactKind, CompactOptions, CompactPlan};

/// What a write action is refused for, before anything is read.
pub fn check_writable(read_only: bool, lake: Option<&str>, action: &str) -> std::result::Result<(), String> {
    if !read_only {
        return Ok(());
    }
    Err(match lake {
        Some(name) => format!(
            "refused: lake {name:?} is read-only (read_only = true under [lakes.{name}] in the config), so lakescope will not {action} it"
        ),
        None => format!(
            "refused: this lake is opened read-only (--read-only, or [maintenance] read_only = true in the config), so lakescope will not {action} it"
        ),
    })
}

/// Where a rewrite is, for the progress line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Progress {
    pub phase: String,
    /// Input files done and planned.
    pub files_done: u64,
    pub files_total: u64,
    /// Bytes read from storage and planned to read.
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub bytes_written: u64,
    pub elapsed_ms: u64,
}

impl Progress {
    /// MiB/s read so far.
    pub fn rate_mib_s(&self) -> f64 {
        if self.elapsed_ms == 0 { 0.0 } else { self.bytes_read as f64 / 1048576.0 / (self.elapsed_ms as f64 / 1000.0) }
    }

    pub fn line(&self) -> String {
        let pct = if self.bytes_total == 0 {
            0.0
        } else {
            (self.bytes_read as f64 / self.bytes_total as f64 * 100.0).min(100.0)
        };
        format!(
            "{}: {}/{} files, read {} of {} ({pct:.0}%), wrote {}, {:.1} MiB/s",
            self.phase,
            crate::lake::units::count(self.files_done),
            crate::lake::units::count(self.files_total),
            crate::lake::units::bytes(self.bytes_read),
            crate::lake::units::bytes(self.bytes_total),
            crate::lake::units::bytes(self.bytes_written),
            self.rate_mib_s()
        )
    }
}

/// A named point in a rewrite where a test may freeze the process to kill it there. With
/// `LAKESCOPE_PAUSE_AT=<name>` set, reaching `<name>` prints `lakescope: paused at <name>` on
/// stderr and waits: forever, or until the file named by `LAKESCOPE_PAUSE_RELEASE` exists.
/// Without the variable it costs one environment lookup.
pub async fn pause_point(name: &str) {
    let Ok(at) = std::env::var("LAKESCOPE_PAUSE_AT") else { return };
    if at.split(',').all(|a| a.trim() != name) {
        return;
    }
    eprintln!("lakescope: paused at {name}");
    let release = std::env::var("LAKESCOPE_PAUSE_RELEASE").ok();
    loop {
        if let Some(r) = &release
            && std::path::Path::new(r).exists()
        {
            eprintln!("lakescope: released at {name}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Bytes moved by a rewrite so far.
#[derive(Debug, Default)]
pub struct Moved {
    /// Data files' bytes read (the log and footers of other files are not progress).
    pub read: AtomicU64,
    pub written: AtomicU64,
    /// Data files completely written.
    pub files_written: AtomicU64,
}

/// A store that counts what a rewrite reads and writes and pauses (for the crash tests) after the
/// first data file is written (`output-written`) and before a Delta commit is written
/// (`delta-commit`).
#[derive(Debug)]
pub struct WatchStore {
    inner: Arc<dyn ObjectStore>,
    pub moved: Arc<Moved>,
}

impl WatchStore {
    pub fn new(inner: Arc<dyn ObjectStore>) -> Arc<WatchStore> {
        Arc::new(WatchStore { inner, moved: Arc::new(Moved::default()) })
    }
}

impl fmt::Display for WatchStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Watch({})", self.inner)
    }
}

fn is_commit(location: &Path) -> bool {
    let s = location.as_ref();
    s.contains("_delta_log/") && s.ends_with(".json")
}

fn is_data(location: &Path) -> bool {
    location.as_ref().ends_with(".parquet")
}

async fn after_data_written(moved: &Moved) {
    if moved.files_written.fetch_add(1, Ordering::Relaxed) == 0 {
        pause_point("output-written").await;
    }
}

#[derive(Debug)]
struct WatchUpload {
    inner: Box<dyn MultipartUpload>,
    moved: Arc<Moved>,
    data: bool,
}

#[async_trait]
impl MultipartUpload for WatchUpload {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        self.moved.written.fetch_add(data.content_length() as u64, Ordering::Relaxed);
        self.inner.put_part(data)
    }

    async fn complete(&mut self) -> Result<PutResult> {
        let r = self.inner.complete().await;
        if r.is_ok() && self.data {
            after_data_written(&self.moved).await;
        }
        r
    }

    async fn abort(&mut self) -> Result<()> {
        self.inner.abort().await
    }
}

#[async_trait]
impl ObjectStore for WatchStore {
    async fn put_opts(&self, location: &Path, payload: PutPayload, opts: PutOptions) -> Result<PutResult> {
        if is_commit(location) {
            pause_point("delta-commit").await;
        }
        let n = payload.content_length() as u64;
        let r = self.inner.put_opts(location, payload, opts).await;
        if r.is_ok() {
            self.moved.written.fetch_add(n, Ordering::Relaxed);
            if is_data(location) {
                after_data_written(&self.moved).await;
            }
        }
        r
    }

    async fn put_multipart_opts(&self, location: &Path, opts: PutMultipartOptions) -> Result<Box<dyn MultipartUpload>> {
        let inner = self.inner.put_multipart_opts(location, opts).await?;
        Ok(Box::new(WatchUpload { inner, moved: Arc::clone(&self.moved), data: is_data(location) }))
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let r = self.inner.get_opts(location, options).await;
        if let Ok(g) = &r
            && is_data(location)
        {
            self.moved.read.fetch_add(g.range.end - g.range.start, Ordering::Relaxed);
        }
        r
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        let r = self.inner.get_ranges(location, ranges).await;
        if let Ok(v) = &r
            && is_data(location)
        {
            self.moved.read.fetch_add(v.iter().map(|b| b.len() as u64).sum(), Ordering::Relaxed);
        }
        r
    }

    fn delete_stream(&self, locations: BoxStream<'static, Result<Path>>) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    fn list_with_offset(&self, prefix: Option<&Path>, offset: &Path) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        self.inner.rename_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_refusals_name_where_the_setting_is() {
        assert!(check_writable(false, None, "compact").is_ok());
        let named = check_writable(true, Some("prod"), "compact").unwrap_err();
        assert!(named.contains("\"prod\" is read-only") && named.contains("[lakes.prod]"), "{named}");
        let flag = check_writable(true, None, "vacuum").unwrap_err();
        assert!(flag.contains("--read-only") && flag.contains("vacuum"), "{flag}");
    }

    #[test]
    fn progress_line_has_rate_and_percent() {
        let p = Progress {
            phase: "rewriting".into(),
            files_done: 3,
            files_total: 10,
            bytes_read: 50 << 20,
            bytes_total: 100 << 20,
            bytes_written: 40 << 20,
            elapsed_ms: 2000,
        };
        let l = p.line();
        assert!(l.contains("3/10 files") && l.contains("(50%)") && l.contains("25.0 MiB/s"), "{l}");
    }
}
