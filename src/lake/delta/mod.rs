//! Delta Lake tables beyond what the detail pane shows: the log read directly for a lazily
//! loaded history (`log`), a version's state with no more than the views show (`state`: files,
//! rows, tombstones, through the Delta kernel), the full detail of a table at a version (`info`),
//! and the diff of two versions with time travel (`diff`). Reads go through delta-rs where it
//! has an API.
//!
//! delta-rs always reads and writes through lakescope's own stores (`builder`): the same HTTP
//! client, credentials, retries and request accounting as every other read. That is why
//! deltalake is built without its `s3` / `gcs` / `azure` features (they bring the AWS SDK and a
//! C crypto build, and their own object stores lakescope would never use). The log store for the
//! cloud schemes is delta-rs's default one, registered here: it commits version N by writing
//! `_delta_log/N.json` with a create-only put (`PutMode::Create`: `If-None-Match: *` on S3 and
//! Azure, `x-goog-if-generation-match: 0` on GCS), so of two writers racing for one version
//! exactly one wins and the other sees a conflict and retries on the next version. That is what
//! deltalake-aws 1.0 does itself on S3 (it dropped the DynamoDB lock); lakescope's S3 stores
//! keep object_store's default of conditional puts on (`S3ConditionalPut::ETagMatch`).

pub mod diff;
pub mod info;
pub mod log;
pub mod state;

use std::sync::{Arc, Once};

use deltalake::logstore::{
    LogStore, LogStoreFactory, ObjectStoreRef, StorageConfig, default_logstore, logstore_factories,
};
use deltalake::{DeltaResult, DeltaTableBuilder};
use object_store::ObjectStore;
use url::Url;

/// The URL schemes of lakescope's cloud stores (and the spellings people type for them).
const CLOUD_SCHEMES: [&str; 8] = ["s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "azure"];

/// delta-rs's default log store (create-only commits), for the cloud schemes.
#[derive(Debug, Default)]
struct ConditionalPutLogStores;

impl LogStoreFactory for ConditionalPutLogStores {
    fn with_options(
        &self,
        prefixed_store: ObjectStoreRef,
        root_store: ObjectStoreRef,
        location: &Url,
        options: &StorageConfig,
    ) -> DeltaResult<Arc<dyn LogStore>> {
        Ok(default_logstore(prefixed_store, root_store, location, options))
    }
}

/// Register the log store of the cloud schemes with delta-rs, once per process.
fn register_log_stores() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let factory: Arc<dyn LogStoreFactory> = Arc::new(ConditionalPutLogStores);
        for scheme in CLOUD_SCHEMES {
            let url = Url::parse(&format!("{scheme}://")).expect("static url");
            logstore_factories().insert(url, Arc::clone(&factory));
        }
    });
}

/// delta-rs's table builder for the table at `url`, reading and writing through `root` (the
/// store rooted at the table's filesystem root or bucket, as delta-rs wants it).
pub fn builder(root: Arc<dyn ObjectStore>, url: &Url) -> DeltaResult<DeltaTableBuilder> {
    register_log_stores();
    Ok(DeltaTableBuilder::from_url(url.clone())?.with_storage_backend(root, url.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloud_scheme_has_a_log_store() {
        let url = Url::parse("s3://bucket/table/").unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(object_store::memory::InMemory::new());
        let table = builder(store, &url).unwrap().build();
        assert!(table.is_ok(), "{:?}", table.err());
        for scheme in CLOUD_SCHEMES {
            let key = Url::parse(&format!("{scheme}://")).unwrap();
            assert!(logstore_factories().get(&key).is_some(), "{scheme}");
        }
    }
}
