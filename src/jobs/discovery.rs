//! The discovery job: runs `lake::discover` and forwards each catalog snapshot to the app,
//! tagged with the listing it belongs to so a superseded listing's results are dropped.

use std::sync::Arc;

use crate::event::{Seq, view};
use crate::lake::{Catalog, DiscoveryOptions, LakeError, LakeStore, discover};

use super::JobContext;

/// What a listing reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// A (partial or final) catalog.
    Catalog { seq: Seq<view::Listing>, catalog: Arc<Catalog> },
    /// The listing ended; `Err` holds a readable reason.
    Finished { seq: Seq<view::Listing>, result: Result<(), String> },
}

pub async fn run(ctx: JobContext, store: Arc<LakeStore>, opts: DiscoveryOptions, seq: Seq<view::Listing>) {
    let sender = ctx.clone();
    let mut on_snapshot = move |catalog| sender.send(Report::Catalog { seq, catalog });
    let result = discover(Arc::clone(&store), opts, ctx.cancel.clone(), &mut on_snapshot).await;
    let result = match result {
        Ok(_) => Ok(()),
        Err(LakeError::Cancelled) => return,
        Err(e) => Err(store.explain(&e)),
    };
    ctx.send(Report::Finished { seq, result });
}
