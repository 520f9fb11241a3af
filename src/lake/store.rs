//! The object store behind a lake: one `Arc<dyn ObjectStore>` rooted at the filesystem root or
//! the bucket, plus the lake's key prefix. Local disks go through an `ObjectStore` too
//! (`LocalStore`), so no code path above this one is special for local lakes.
//!
//! Credentials for cloud stores come from the environment here; profiles, endpoints and request
//! accounting are layered on this type by the object-store work.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::path::Path;
use url::Url;

use super::error::LakeError;
use super::local::LocalStore;
use super::location::{LakeUrl, Scheme};

/// An opened lake root.
#[derive(Debug, Clone)]
pub struct LakeStore {
    pub url: LakeUrl,
    store: Arc<dyn ObjectStore>,
}

impl LakeStore {
    /// Open the store for a parsed root. Cheap: nothing is listed yet.
    pub fn open(url: LakeUrl) -> Result<Self, LakeError> {
        let store: Arc<dyn ObjectStore> = match url.scheme {
            Scheme::File => Arc::new(LocalStore::new()),
            Scheme::S3 => Arc::new(
                object_store::aws::AmazonS3Builder::from_env()
                    .with_url(url.store_url.as_str())
                    .build()
                    .map_err(|e| bad_store(&url, &e))?,
            ),
            Scheme::Gcs => Arc::new(
                object_store::gcp::GoogleCloudStorageBuilder::from_env()
                    .with_url(url.store_url.as_str())
                    .build()
                    .map_err(|e| bad_store(&url, &e))?,
            ),
            Scheme::Azure => Arc::new(
                object_store::azure::MicrosoftAzureBuilder::from_env()
                    .with_url(url.store_url.as_str())
                    .build()
                    .map_err(|e| bad_store(&url, &e))?,
            ),
        };
        Ok(LakeStore { url, store })
    }

    /// A lake over a store built elsewhere (a wrapped or instrumented store, a test double).
    pub fn from_parts(url: LakeUrl, store: Arc<dyn ObjectStore>) -> Self {
        LakeStore { url, store }
    }

    /// Parse and open in one step.
    pub fn open_str(root: &str) -> Result<Self, LakeError> {
        Self::open(LakeUrl::parse(root)?)
    }

    /// The store rooted at "/" (filesystem root or bucket root), as delta-rs wants it.
    pub fn object_store(&self) -> Arc<dyn ObjectStore> {
        Arc::clone(&self.store)
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
}

fn bad_store(url: &LakeUrl, err: &object_store::Error) -> LakeError {
    LakeError::BadRoot { input: url.display(), reason: super::error::store_reason(err) }
}
