//! The diagnostics job: gather and analyse each table of the view's scope (a few at a time),
//! reporting progress as tables finish and every result at the end. Cancelled through its
//! token; each table's reads stop there too.

use std::sync::Arc;

use crate::action::Action;
use crate::lake::diag::{self, DiagOptions, GatherOptions};
use crate::lake::pricing::Prices;
use crate::lake::{LakeError, LakeStore, TableEntry};

use super::JobContext;

/// Tables diagnosed at once.
const CONCURRENCY: usize = 4;

pub async fn run(
    ctx: JobContext,
    store: Arc<LakeStore>,
    seq: u64,
    tables: Vec<(String, TableEntry)>,
    gather: GatherOptions,
    opts: DiagOptions,
    prices: Prices,
) {
    let progress_ctx = ctx.clone();
    let mut progress = move |done: usize, total: usize, last: String| {
        progress_ctx.send(Action::DiagProgress { seq, done, total, last });
    };
    let result =
        diag::diagnose_tables(&store, tables, &gather, &opts, &prices, CONCURRENCY, &ctx.cancel, &mut progress).await;
    match result {
        Ok(r) => ctx.send(Action::DiagLoaded { seq, result: Ok(r) }),
        // The job's end reports a cancel.
        Err(LakeError::Cancelled) => {}
        Err(e) => ctx.send(Action::DiagLoaded { seq, result: Err(e.to_string()) }),
    }
}
