//! The detail job: loads one table's schema, row count and Delta summary for the detail pane.

use std::sync::Arc;

use crate::action::Action;
use crate::lake::{LakeStore, TableEntry, load_detail};

use super::JobContext;

pub async fn run(ctx: JobContext, store: Arc<LakeStore>, table: TableEntry, ticket: u64) {
    let result = load_detail(&store, &table).await.map(Arc::new).map_err(|e| e.to_string());
    ctx.send(Action::DetailLoaded { ticket, location: table.location.clone(), result });
}
