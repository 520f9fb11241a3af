//! The detail job: loads one table's schema, row count and Delta summary for the detail pane;
//! and the time-travel check, which opens a Delta table as of a version or a timestamp before
//! the views go there (so an impossible choice is refused where it is made).

use std::sync::Arc;

use crate::event::{Seq, view};
use crate::lake::delta::diff::AsOf;
use crate::lake::discover::detail::load_detail_as_of;
use crate::lake::{LakeStore, TableDetail, TableEntry};

use super::JobContext;

#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// A table detail arrived (or why it could not be read).
    Loaded { listing: Seq<view::Listing>, location: String, result: Result<Arc<TableDetail>, String> },
    /// Time travel checked: the version `as_of` resolves to, or why the table cannot be read
    /// there.
    Travel { location: String, name: String, as_of: AsOf, result: Result<u64, String> },
}

pub async fn run(
    ctx: JobContext,
    store: Arc<LakeStore>,
    table: TableEntry,
    listing: Seq<view::Listing>,
    as_of: Option<AsOf>,
) {
    let result = load_detail_as_of(&store, &table, as_of.as_ref()).await.map(Arc::new).map_err(|e| store.explain(&e));
    ctx.send(Report::Loaded { listing, location: table.location.clone(), result });
}

pub async fn travel(ctx: JobContext, store: Arc<LakeStore>, table: TableEntry, as_of: AsOf) {
    let result =
        crate::lake::delta::diff::resolve_as_of(&store, &table.location, &as_of).await.map_err(|e| store.explain(&e));
    ctx.send(Report::Travel { location: table.location.clone(), name: table.name.clone(), as_of, result });
}
