//! An account root (`s3://`, `gs://`, `az://` with no bucket) as one object store whose first
//! key segment is the bucket: listing its root gives the buckets (S3 ListBuckets, or the names
//! configured for the lake where a provider cannot list them), and every other call goes to that
//! bucket's store, built on first use with the lake's options and request accounting. Discovery
//! then sees each bucket as a top-level folder, with no special case.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::list::{PaginatedListOptions, PaginatedListResult, PaginatedListStore};
use object_store::path::Path;
use object_store::{
    ClientOptions, CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    ObjectStoreExt, PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result,
};
use tokio::sync::OnceCell;

use crate::lake::store::cloud::{self, StoreOptions};
use crate::lake::store::location::{LakeUrl, Scheme};
use crate::lake::store::log_cache::LogCache;
use crate::lake::store::requests::RequestStats;

/// One bucket's stores.
#[derive(Clone)]
pub struct BucketStores {
    pub store: Arc<dyn ObjectStore>,
    pub paged: Arc<dyn PaginatedListStore>,
    /// The bucket's store behind the Delta log cache, for delta-rs.
    pub delta: Arc<dyn ObjectStore>,
}

pub struct AccountStore {
    scheme: Scheme,
    opts: StoreOptions,
    stats: Arc<RequestStats>,
    buckets: OnceCell<std::result::Result<Vec<String>, String>>,
    stores: Mutex<HashMap<String, BucketStores>>,
}

impl fmt::Debug for AccountStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountStore({}://)", self.scheme.as_str())
    }
}

impl fmt::Display for AccountStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme.as_str())
    }
}

fn error(reason: String) -> object_store::Error {
    object_store::Error::Generic { store: "account", source: reason.into() }
}

/// `bucket/rest/of/key` -> (`bucket`, `rest/of/key`).
fn split(location: &Path) -> Result<(String, Path)> {
    let raw = location.as_ref();
    let (bucket, rest) = raw.split_once('/').unwrap_or((raw, ""));
    if bucket.is_empty() {
        return Err(error("no bucket in the key".into()));
    }
    Ok((bucket.to_string(), Path::parse(rest).map_err(|e| error(e.to_string()))?))
}

fn prefixed(bucket: &str, p: &Path) -> Path {
    if p.as_ref().is_empty() {
        Path::parse(bucket).unwrap_or_default()
    } else {
        Path::parse(format!("{bucket}/{}", p.as_ref())).unwrap_or_else(|_| p.clone())
    }
}

fn rebase(bucket: &str, mut meta: ObjectMeta) -> ObjectMeta {
    meta.location = prefixed(bucket, &meta.location);
    meta
}

impl AccountStore {
    pub fn new(url: &LakeUrl, opts: &StoreOptions, stats: Arc<RequestStats>) -> Self {
        AccountStore {
            scheme: url.scheme,
            opts: opts.clone(),
            stats,
            buckets: OnceCell::new(),
            stores: Mutex::new(HashMap::new()),
        }
    }

    /// The stores of one bucket, built on first use.
    pub fn bucket(&self, name: &str) -> Result<BucketStores> {
        if let Some(b) = self.stores.lock().unwrap_or_else(|p| p.into_inner()).get(name) {
            return Ok(b.clone());
        }
        let url = LakeUrl::parse(&format!("{}://{name}", self.scheme.as_str())).map_err(|e| error(e.to_string()))?;
        let c = cloud::open(&url, name, &self.opts, &self.stats).map_err(|e| error(e.to_string()))?;
        let b = BucketStores { delta: Arc::new(LogCache::new(c.store.clone())), store: c.store, paged: c.paged };
        self.stores.lock().unwrap_or_else(|p| p.into_inner()).insert(name.to_string(), b.clone());
        Ok(b)
    }

    /// The account's buckets: configured names, else (S3) a signed ListBuckets.
    pub async fn buckets(&self) -> std::result::Result<Vec<String>, String> {
        self.buckets
            .get_or_init(|| async {
                if !self.opts.buckets.is_empty() {
                    return Ok(self.opts.buckets.clone());
                }
                match self.scheme {
                    Scheme::S3 => {
                        // Any bucket name: the client is only used for its credentials.
                        let probe =
                            cloud::s3("lakescope-list-buckets", &self.opts, &self.stats).map_err(|e| e.to_string())?;
                        let s3 = probe.s3.expect("an S3 store has an S3 client");
                        let region = probe.region.unwrap_or_else(|| "us-east-1".into());
                        let options = ClientOptions::new()
                            .with_timeout(self.opts.request_timeout)
                            .with_connect_timeout(self.opts.connect_timeout)
                            .with_allow_http(probe.endpoint.as_deref().is_some_and(|e| e.starts_with("http://")));
                        crate::lake::store::list_buckets::list_buckets(
                            &s3,
                            probe.endpoint.as_deref(),
                            &region,
                            &options,
                            &self.stats,
                        )
                        .await
                        .map_err(|e| {
                            let at = cloud::Target {
                                provider: Scheme::S3,
                                bucket: "(account)",
                                endpoint: probe.endpoint.as_deref(),
                                credentials: &probe.credentials,
                            };
                            cloud::explain(e.failure, self.stats.last_failure().as_ref(), &e.detail, at)
                        })
                    }
                    other => Err(format!(
                        "{}:// cannot list its buckets here: name them in the lake's config (buckets = [\"a\", \"b\"])",
                        other.as_str()
                    )),
                }
            })
            .await
            .clone()
    }
}

#[async_trait]
impl ObjectStore for AccountStore {
    async fn put_opts(&self, location: &Path, payload: PutPayload, opts: PutOptions) -> Result<PutResult> {
        let (b, p) = split(location)?;
        self.bucket(&b)?.store.put_opts(&p, payload, opts).await
    }

    async fn put_multipart_opts(&self, location: &Path, opts: PutMultipartOptions) -> Result<Box<dyn MultipartUpload>> {
        let (b, p) = split(location)?;
        self.bucket(&b)?.store.put_multipart_opts(&p, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let (b, p) = split(location)?;
        let mut got = self.bucket(&b)?.store.get_opts(&p, options).await?;
        got.meta = rebase(&b, got.meta);
        Ok(got)
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        let (b, p) = split(location)?;
        self.bucket(&b)?.store.get_ranges(&p, ranges).await
    }

    fn delete_stream(&self, locations: BoxStream<'static, Result<Path>>) -> BoxStream<'static, Result<Path>> {
        let routes: Vec<(String, BucketStores)> =
            self.stores.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        locations
            .then(move |loc| {
                let routes = routes.clone();
                async move {
                    let loc = loc?;
                    let (b, p) = split(&loc)?;
                    let store = routes.iter().find(|(n, _)| *n == b).map(|(_, s)| s.store.clone());
                    let store = store.ok_or_else(|| error(format!("bucket {b} was never opened")))?;
                    store.delete(&p).await?;
                    Ok(loc)
                }
            })
            .boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let Some(prefix) = prefix.filter(|p| !p.as_ref().is_empty()) else {
            return futures::stream::once(async { Err(error("listing a whole account flat is not supported".into())) })
                .boxed();
        };
        match split(prefix).and_then(|(b, p)| Ok((self.bucket(&b)?, b, p))) {
            Ok((stores, b, p)) => {
                let inner = if p.as_ref().is_empty() { None } else { Some(&p) };
                stores.store.list(inner).map(move |r| r.map(|m| rebase(&b, m))).boxed()
            }
            Err(e) => futures::stream::once(async move { Err(e) }).boxed(),
        }
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        match prefix.filter(|p| !p.as_ref().is_empty()) {
            None => {
                let names = self.buckets().await.map_err(error)?;
                let common_prefixes = names.iter().filter_map(|n| Path::parse(n).ok()).collect();
                Ok(ListResult { common_prefixes, objects: Vec::new() })
            }
            Some(prefix) => {
                let (b, p) = split(prefix)?;
                let inner = if p.as_ref().is_empty() { None } else { Some(&p) };
                let r = self.bucket(&b)?.store.list_with_delimiter(inner).await?;
                Ok(ListResult {
                    common_prefixes: r.common_prefixes.iter().map(|c| prefixed(&b, c)).collect(),
                    objects: r.objects.into_iter().map(|m| rebase(&b, m)).collect(),
                })
            }
        }
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        let ((fb, fp), (tb, tp)) = (split(from)?, split(to)?);
        if fb != tb {
            return Err(error("copies across buckets are not supported".into()));
        }
        self.bucket(&fb)?.store.copy_opts(&fp, &tp, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        let ((fb, fp), (tb, tp)) = (split(from)?, split(to)?);
        if fb != tb {
            return Err(error("renames across buckets are not supported".into()));
        }
        self.bucket(&fb)?.store.rename_opts(&fp, &tp, options).await
    }
}

#[async_trait]
impl PaginatedListStore for AccountStore {
    async fn list_paginated(&self, prefix: Option<&str>, opts: PaginatedListOptions) -> Result<PaginatedListResult> {
        let prefix = prefix.unwrap_or("").trim_start_matches('/');
        if prefix.is_empty() {
            let result = self.list_with_delimiter(None).await?;
            return Ok(PaginatedListResult { result, page_token: None });
        }
        let (bucket, rest) = prefix.split_once('/').unwrap_or((prefix, ""));
        let stores = self.bucket(bucket)?;
        let inner = if rest.is_empty() { None } else { Some(rest) };
        let page = stores.paged.list_paginated(inner, opts).await?;
        Ok(PaginatedListResult {
            result: ListResult {
                common_prefixes: page.result.common_prefixes.iter().map(|c| prefixed(bucket, c)).collect(),
                objects: page.result.objects.into_iter().map(|m| rebase(bucket, m)).collect(),
            },
            page_token: page.page_token,
        })
    }
}
