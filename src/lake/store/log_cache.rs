//! A read cache for the immutable files of Delta logs, in front of the store delta-rs reads.
//!
//! delta-kernel reads a checkpoint's footer and column chunks again for each pass it makes
//! (11 ranged GETs of one 4 KiB checkpoint to open the demo's silver.orders over S3). Commit
//! files (`NNNNNNNNNNNNNNNNNNNN.json`), checkpoints and their sidecars are never rewritten under
//! the Delta protocol, so a read of the same bytes can be answered from memory: once per lake,
//! bounded in size. `_last_checkpoint`, which changes, is never cached, nor is anything outside
//! `_delta_log`, nor any read with preconditions.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    Attributes, CopyOptions, GetOptions, GetRange, GetResult, GetResultPayload, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result,
};

use crate::lake::discover::names;

/// Bytes kept in memory at most, and the largest file kept whole.
const BUDGET: usize = 64 << 20;
const MAX_FILE: u64 = 8 << 20;

/// Whole immutable files by key, evicted oldest first.
#[derive(Default)]
struct Files {
    entries: HashMap<String, (Bytes, ObjectMeta)>,
    order: VecDeque<String>,
    bytes: usize,
}

impl Files {
    fn get(&self, k: &str) -> Option<(Bytes, ObjectMeta)> {
        self.entries.get(k).cloned()
    }

    fn put(&mut self, k: String, bytes: Bytes, meta: ObjectMeta) {
        if self.entries.contains_key(&k) {
            return;
        }
        self.bytes += bytes.len();
        self.entries.insert(k.clone(), (bytes, meta));
        self.order.push_back(k);
        while self.bytes > BUDGET {
            let Some(old) = self.order.pop_front() else { break };
            if let Some((b, _)) = self.entries.remove(&old) {
                self.bytes -= b.len();
            }
        }
    }
}

/// Is this object an immutable part of a Delta log?
pub fn is_immutable_log_file(location: &Path) -> bool {
    let key = location.as_ref();
    if !key.contains("_delta_log/") {
        return false;
    }
    let Some(name) = location.filename() else { return false };
    names::delta_commit_version(name).is_some()
        || names::is_delta_checkpoint(name)
        || (key.contains("_delta_log/_sidecars/") && name.ends_with(".parquet"))
}

pub struct LogCache {
    inner: Arc<dyn ObjectStore>,
    files: Mutex<Files>,
}

impl LogCache {
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        LogCache { inner, files: Mutex::new(Files::default()) }
    }

    /// A read that may be answered from the cache: an immutable log file, no preconditions.
    fn cacheable(location: &Path, options: &GetOptions) -> bool {
        options.if_match.is_none()
            && options.if_none_match.is_none()
            && options.if_modified_since.is_none()
            && options.if_unmodified_since.is_none()
            && options.version.is_none()
            && !options.head
            && is_immutable_log_file(location)
    }

    fn cached(&self, location: &Path) -> Option<(Bytes, ObjectMeta)> {
        self.files.lock().unwrap_or_else(|p| p.into_inner()).get(location.as_ref())
    }

    /// Keep a whole small file, fetching it when the read that revealed its size was partial.
    async fn keep(&self, location: &Path, meta: &ObjectMeta, range: &Range<u64>, first: &Bytes) -> Result<()> {
        if meta.size > MAX_FILE {
            return Ok(());
        }
        let whole = if *range == (0..meta.size) {
            first.clone()
        } else {
            self.inner.get_opts(location, GetOptions::default()).await?.bytes().await?
        };
        self.files.lock().unwrap_or_else(|p| p.into_inner()).put(location.as_ref().to_string(), whole, meta.clone());
        Ok(())
    }
}

/// The bytes of `range` in a whole cached file, and the range they cover.
fn slice(bytes: &Bytes, meta: &ObjectMeta, range: &Option<GetRange>) -> Result<(Bytes, Range<u64>)> {
    let r = match range {
        None => 0..meta.size,
        Some(g) => g
            .as_range(meta.size)
            .map_err(|e| object_store::Error::Generic { store: "LogCache", source: Box::new(e) })?,
    };
    Ok((bytes.slice(r.start as usize..r.end as usize), r))
}

impl fmt::Debug for LogCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LogCache({:?})", self.inner)
    }
}

impl fmt::Display for LogCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LogCache({})", self.inner)
    }
}

fn result(bytes: Bytes, meta: ObjectMeta, range: Range<u64>) -> GetResult {
    GetResult {
        payload: GetResultPayload::Stream(futures::stream::once(async move { Ok(bytes) }).boxed()),
        meta,
        range,
        attributes: Attributes::default(),
    }
}

#[async_trait]
impl ObjectStore for LogCache {
    async fn put_opts(&self, location: &Path, payload: PutPayload, opts: PutOptions) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(&self, location: &Path, opts: PutMultipartOptions) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        if !Self::cacheable(location, &options) {
            return self.inner.get_opts(location, options).await;
        }
        if let Some((bytes, meta)) = self.cached(location) {
            let (part, r) = slice(&bytes, &meta, &options.range)?;
            return Ok(result(part, meta, r));
        }
        let got = self.inner.get_opts(location, options).await?;
        let (meta, range) = (got.meta.clone(), got.range.clone());
        let bytes = got.bytes().await?;
        // Caching is an optimisation: a failed whole read leaves the answer as it was.
        let _ = self.keep(location, &meta, &range, &bytes).await;
        Ok(result(bytes, meta, range))
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        if is_immutable_log_file(location)
            && let Some((bytes, meta)) = self.cached(location)
        {
            return ranges.iter().map(|r| Ok(slice(&bytes, &meta, &Some(GetRange::Bounded(r.clone())))?.0)).collect();
        }
        self.inner.get_ranges(location, ranges).await
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
    use crate::lake::store::requests::{CountingStore, RequestKind, RequestStats};
    use object_store::ObjectStoreExt;
    use object_store::memory::InMemory;

    #[test]
    fn only_immutable_log_files_are_cached() {
        let p = |s: &str| Path::parse(s).unwrap();
        assert!(is_immutable_log_file(&p("t/_delta_log/00000000000000000012.json")));
        assert!(is_immutable_log_file(&p("t/_delta_log/00000000000000000010.checkpoint.parquet")));
        assert!(is_immutable_log_file(&p("t/_delta_log/_sidecars/3a0d65cd-4056-49b8-937b-95f9e3ee90e5.parquet")));
        assert!(!is_immutable_log_file(&p("t/_delta_log/_last_checkpoint")));
        assert!(!is_immutable_log_file(&p("t/part-0.parquet")));
    }

    #[tokio::test]
    async fn repeated_reads_of_a_log_file_are_served_from_memory() {
        let stats = RequestStats::new();
        let mem: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let commit = Path::parse("t/_delta_log/00000000000000000001.json").unwrap();
        let last = Path::parse("t/_delta_log/_last_checkpoint").unwrap();
        mem.put(&commit, PutPayload::from_static(b"{\"commitInfo\":{}}\n")).await.unwrap();
        mem.put(&last, PutPayload::from_static(b"{\"version\":0}")).await.unwrap();
        let cache = LogCache::new(Arc::new(CountingStore::new(mem, stats.clone())));
        for _ in 0..3 {
            assert_eq!(cache.get(&commit).await.unwrap().bytes().await.unwrap().as_ref(), b"{\"commitInfo\":{}}\n");
            assert_eq!(cache.get_range(&commit, 2..12).await.unwrap().as_ref(), b"commitInfo");
            cache.get(&last).await.unwrap();
        }
        assert_eq!(stats.count(RequestKind::Get), 1 + 3, "the commit once, _last_checkpoint every time");
        assert_eq!(stats.count(RequestKind::RangedGet), 0, "ranges of a cached file come from memory");
    }
}
