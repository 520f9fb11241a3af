//! Byte-range access to Parquet files in any object store, for the parquet crate's async reader.
//!
//! The footer is fetched with one suffix request (`FOOTER_HINT` bytes from the end) when the
//! file size is known or not; a second request is made only when the footer is larger.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures::FutureExt;
use futures::future::BoxFuture;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};
use parquet::arrow::arrow_reader::ArrowReaderOptions;
use parquet::arrow::async_reader::{AsyncFileReader, MetadataSuffixFetch};
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};

/// Bytes fetched from the end of a Parquet file in the first request: enough for most footers.
pub const FOOTER_HINT: usize = 64 * 1024;

/// One Parquet object, read by ranges.
#[derive(Clone)]
pub struct StoreFileReader {
    store: Arc<dyn ObjectStore>,
    path: Path,
    file_size: Option<u64>,
    footer_hint: usize,
}

impl StoreFileReader {
    pub fn new(store: Arc<dyn ObjectStore>, path: Path, file_size: Option<u64>) -> Self {
        StoreFileReader { store, path, file_size, footer_hint: FOOTER_HINT }
    }
}

fn to_parquet_err(e: object_store::Error) -> ParquetError {
    ParquetError::External(Box::new(e))
}

impl AsyncFileReader for StoreFileReader {
    fn get_bytes(&mut self, range: Range<u64>) -> BoxFuture<'_, Result<Bytes>> {
        let store = Arc::clone(&self.store);
        let path = self.path.clone();
        async move { store.get_range(&path, range).await.map_err(to_parquet_err) }.boxed()
    }

    fn get_byte_ranges(&mut self, ranges: Vec<Range<u64>>) -> BoxFuture<'_, Result<Vec<Bytes>>> {
        let store = Arc::clone(&self.store);
        let path = self.path.clone();
        async move { store.get_ranges(&path, &ranges).await.map_err(to_parquet_err) }.boxed()
    }

    fn get_metadata<'a>(
        &'a mut self,
        options: Option<&'a ArrowReaderOptions>,
    ) -> BoxFuture<'a, Result<Arc<ParquetMetaData>>> {
        async move {
            let reader = ParquetMetaDataReader::new()
                .with_metadata_options(options.map(|o| o.metadata_options().clone()))
                .with_prefetch_hint(Some(self.footer_hint));
            let metadata = match self.file_size {
                Some(size) => reader.load_and_finish(self, size).await?,
                None => reader.load_via_suffix_and_finish(self).await?,
            };
            Ok(Arc::new(metadata))
        }
        .boxed()
    }
}

impl MetadataSuffixFetch for &mut StoreFileReader {
    fn fetch_suffix(&mut self, suffix: usize) -> BoxFuture<'_, Result<Bytes>> {
        let options = GetOptions { range: Some(GetRange::Suffix(suffix as u64)), ..Default::default() };
        let store = Arc::clone(&self.store);
        let path = self.path.clone();
        async move {
            let resp = store.get_opts(&path, options).await.map_err(to_parquet_err)?;
            resp.bytes().await.map_err(to_parquet_err)
        }
        .boxed()
    }
}
