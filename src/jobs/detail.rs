//! The detail job: loads one table's schema, row count and Delta summary for the detail pane.

use std::sync::Arc;

use crate::action::Action;
use crate::lake::delta_diff::AsOf;
use crate::lake::detail::load_detail_as_of;
use crate::lake::{LakeStore, TableEntry};

use super::JobContext;

pub async fn run(ctx: JobContext, store: Arc<LakeStore>, table: TableEntry, ticket: u64, as_of: Option<AsOf>) {
    let result = load_detail_as_of(&store, &table, as_of.as_ref()).await.map(Arc::new).map_err(|e| e.to_string());
    ctx.send(Action::DetailLoaded { ticket, location: table.location.clone(), result });
}
