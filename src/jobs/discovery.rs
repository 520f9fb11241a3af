//! The discovery job: runs `lake::discover` and forwards each catalog snapshot to the app,
//! tagged with the ticket of the listing that produced it so a stale listing's results are
//! dropped by `update`.

use std::sync::Arc;

use crate::action::Action;
use crate::lake::{DiscoveryOptions, LakeError, LakeStore, discover};

use super::JobContext;

pub async fn run(ctx: JobContext, store: Arc<LakeStore>, opts: DiscoveryOptions, ticket: u64) {
    let sender = ctx.clone();
    let mut on_snapshot = move |catalog| sender.send(Action::CatalogUpdated { ticket, catalog });
    let result = discover(store, opts, ctx.cancel.clone(), &mut on_snapshot).await;
    let result = match result {
        Ok(_) => Ok(()),
        Err(LakeError::Cancelled) => return,
        Err(e) => Err(e.to_string()),
    };
    ctx.send(Action::DiscoveryFinished { ticket, result });
}
