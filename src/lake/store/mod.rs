//! The object store behind a lake: one `Arc<dyn ObjectStore>` rooted at the filesystem root or
//! the bucket, plus the lake's key prefix, its request accounting, and what is needed to explain
//! a failure (bucket, endpoint, credential source). Local disks go through an `ObjectStore` too
//! (`LocalStore`, counted by `CountingStore`), so nothing above this is special for local lakes.
//!
//! Sub-modules: `location` (lake URLs as typed), `local` and `cloud` (the stores), `account`
//! and `list_buckets` (account roots), `aws_profile` (shared AWS files), `requests` (request
//! accounting), `log_cache` (immutable Delta log files), `redact` (secrets never shown).

pub mod account;
pub mod aws_profile;
pub mod cloud;
pub mod list_buckets;
pub mod local;
pub mod location;
pub mod log_cache;
pub mod redact;
pub mod requests;

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3;
use object_store::list::PaginatedListStore;
use object_store::path::Path;
use url::Url;

use crate::lake::error::LakeError;
use crate::lake::store::account::AccountStore;
use crate::lake::store::cloud::{CredentialReport, StoreOptions};
use crate::lake::store::local::LocalStore;
use crate::lake::store::location::{LakeUrl, Scheme};
use crate::lake::store::log_cache::LogCache;
use crate::lake::store::requests::{CountingStore, RequestStats};

/// How a lake's store is reached, for the requests panel and for error messages.
#[derive(Debug, Clone, Default)]
pub struct StoreInfo {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub credentials: CredentialReport,
    pub retries: String,
}

/// An opened lake root.
#[derive(Clone)]
pub struct LakeStore {
    pub url: LakeUrl,
    store: Arc<dyn ObjectStore>,
    /// The same store behind a cache of immutable Delta log files, for delta-rs.
    delta: Arc<dyn ObjectStore>,
    paged: Option<Arc<dyn PaginatedListStore>>,
    s3: Option<Arc<AmazonS3>>,
    /// For account roots (`s3://`): the per-bucket stores.
    account: Option<Arc<AccountStore>>,
    pub stats: Arc<RequestStats>,
    pub info: StoreInfo,
}

impl std::fmt::Debug for LakeStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LakeStore({})", self.display())
    }
}

impl LakeStore {
    /// Open the store for a parsed root. Cheap: nothing is listed yet.
    pub fn open(url: LakeUrl, opts: &StoreOptions) -> Result<Self, LakeError> {
        let stats = RequestStats::new();
        match url.scheme {
            Scheme::File => Ok(Self::local(url)),
            _ if url.is_account() => {
                let account = Arc::new(AccountStore::new(&url, opts, stats.clone()));
                let info = StoreInfo {
                    credentials: CredentialReport { source: "per bucket, as configured".into(), tried: vec![] },
                    endpoint: opts.endpoint.clone(),
                    region: opts.region.clone(),
                    retries: opts.describe_retries(),
                };
                let mut s = LakeStore::assemble(url, account.clone(), Some(account.clone()), None, stats, info);
                s.account = Some(account);
                Ok(s)
            }
            _ => {
                let bucket = url.bucket.clone().ok_or_else(|| LakeError::BadRoot {
                    input: url.display(),
                    reason: "no bucket in the URL".into(),
                })?;
                let c = cloud::open(&url, &bucket, opts, &stats)?;
                let info = StoreInfo {
                    endpoint: c.endpoint,
                    region: c.region,
                    credentials: c.credentials,
                    retries: opts.describe_retries(),
                };
                Ok(LakeStore::assemble(url, c.store, Some(c.paged), c.s3, stats, info))
            }
        }
    }

    fn assemble(
        url: LakeUrl,
        store: Arc<dyn ObjectStore>,
        paged: Option<Arc<dyn PaginatedListStore>>,
        s3: Option<Arc<AmazonS3>>,
        stats: Arc<RequestStats>,
        info: StoreInfo,
    ) -> Self {
        let delta: Arc<dyn ObjectStore> = Arc::new(LogCache::new(store.clone()));
        LakeStore { url, store, delta, paged, s3, account: None, stats, info }
    }

    /// Open a lake on the local disk (a path or a `file://` URL): no network settings apply.
    pub fn open_local(root: &str) -> Result<Self, LakeError> {
        let url = LakeUrl::parse(root)?;
        if url.scheme != Scheme::File {
            return Err(LakeError::BadRoot {
                input: url.display(),
                reason: "not a local path (object stores are opened with their settings)".into(),
            });
        }
        Ok(Self::local(url))
    }

    fn local(url: LakeUrl) -> Self {
        let stats = RequestStats::new();
        let info = StoreInfo {
            credentials: CredentialReport { source: "local files".into(), tried: vec![] },
            ..StoreInfo::default()
        };
        let store = Arc::new(CountingStore::new(Arc::new(LocalStore::new()), stats.clone()));
        LakeStore::assemble(url, store, None, None, stats, info)
    }

    /// A lake over a store built elsewhere (a wrapped store, a test double).
    pub fn from_parts(url: LakeUrl, store: Arc<dyn ObjectStore>) -> Self {
        Self::assemble(url, store, None, None, RequestStats::new(), StoreInfo::default())
    }

    /// The store delta-rs reads for a table at `location`: the store rooted at the table's
    /// bucket (or filesystem root), with immutable log files cached.
    pub fn delta_store_for(&self, location: &Url) -> Result<Arc<dyn ObjectStore>, LakeError> {
        match &self.account {
            None => Ok(Arc::clone(&self.delta)),
            Some(account) => {
                let bucket = location.host_str().unwrap_or_default();
                account.bucket(bucket).map(|b| b.delta).map_err(|e| LakeError::Read {
                    location: location.to_string(),
                    reason: crate::lake::error::store_reason(&e),
                })
            }
        }
    }

    /// The store rooted at the bucket (or filesystem root) of `location`, without the log cache:
    /// what a query engine reads data files through.
    pub fn data_store_for(&self, location: &Url) -> Result<Arc<dyn ObjectStore>, LakeError> {
        match &self.account {
            None => Ok(Arc::clone(&self.store)),
            Some(account) => {
                let bucket = location.host_str().unwrap_or_default();
                account.bucket(bucket).map(|b| b.store).map_err(|e| LakeError::Read {
                    location: location.to_string(),
                    reason: crate::lake::error::store_reason(&e),
                })
            }
        }
    }

    /// The store rooted at "/" (filesystem root or bucket root), as delta-rs wants it.
    pub fn object_store(&self) -> Arc<dyn ObjectStore> {
        Arc::clone(&self.store)
    }

    /// Page-by-page delimited listings, for stores that have them (S3, GCS, Azure).
    pub fn paged(&self) -> Option<&Arc<dyn PaginatedListStore>> {
        self.paged.as_ref()
    }

    /// The S3 client (to sign requests object_store has no API for).
    pub fn s3(&self) -> Option<&Arc<AmazonS3>> {
        self.s3.as_ref()
    }

    /// Key of a path relative to the lake root.
    pub fn key(&self, rel: &str) -> Path {
        self.url.key(rel)
    }

    /// Path of `key` relative to the lake root, if it lies under it.
    pub fn rel<'a>(&self, key: &'a Path) -> Option<&'a str> {
        let prefix = self.url.prefix.as_ref();
        let k = key.as_ref();
        if prefix.is_empty() {
            return Some(k);
        }
        let rest = k.strip_prefix(prefix)?;
        if rest.is_empty() { Some("") } else { rest.strip_prefix('/') }
    }

    pub fn url_of(&self, rel: &str, is_dir: bool) -> Url {
        self.url.url_of(rel, is_dir)
    }

    pub fn display(&self) -> String {
        self.url.display()
    }

    /// A lake error for a person: a store failure on a cloud store is explained with the
    /// bucket, the endpoint and where the credentials came from (from its typed failure and the
    /// latest failed response); any other error is its own text. Secrets are masked either way.
    pub fn explain(&self, err: &LakeError) -> String {
        match (err.failure(), self.cloud_target()) {
            (Some(f), Some(at)) => cloud::explain(f, self.stats.last_failure().as_ref(), &err.to_string(), at),
            _ => redact::redact(&err.to_string()),
        }
    }

    /// A store error (object_store's, or one wrapping it) explained as `explain` does; on a
    /// local disk, the kind of failure and the system's words.
    pub fn explain_error(&self, err: &(dyn std::error::Error + 'static)) -> String {
        use crate::lake::error::{Failure, describe};
        let failure = Failure::of(err);
        let detail = describe(err);
        match self.cloud_target() {
            Some(at) => cloud::explain(failure, self.stats.last_failure().as_ref(), &detail, at),
            None if failure == Failure::Other => redact::redact(&detail),
            None => redact::redact(&format!("{} ({detail})", failure.text())),
        }
    }

    /// Where the lake's cloud requests go (`None` for local lakes and account roots).
    fn cloud_target(&self) -> Option<cloud::Target<'_>> {
        match (&self.url.scheme, &self.url.bucket) {
            (Scheme::File, _) | (_, None) => None,
            (scheme, Some(bucket)) => Some(cloud::Target {
                provider: *scheme,
                bucket,
                endpoint: self.info.endpoint.as_deref(),
                credentials: &self.info.credentials,
            }),
        }
    }
}
