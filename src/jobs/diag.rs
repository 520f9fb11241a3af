//! The diagnostics job: gather and analyse each table of the view's scope (a few at a time),
//! reporting progress as tables finish and every result at the end. Cancelled through its
//! token; each table's reads stop there too.

use std::sync::Arc;

use super::JobContext;
use crate::event::{Seq, view};
use crate::lake::diag::rollup::Failure;
use crate::lake::diag::{self, DiagOptions, GatherOptions, TableDiag};
use crate::lake::pricing::Prices;
use crate::lake::{LakeError, LakeStore, TableEntry};

/// Tables diagnosed at once.
const CONCURRENCY: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// `done` of `total` tables diagnosed, `last` the latest.
    Progress { seq: Seq<view::Diag>, done: usize, total: usize, last: String },
    /// Every table's result (or why the job stopped).
    Loaded { seq: Seq<view::Diag>, result: Result<(Vec<TableDiag>, Vec<Failure>), String> },
}

pub async fn run(
    ctx: JobContext,
    store: Arc<LakeStore>,
    seq: Seq<view::Diag>,
    tables: Vec<(String, TableEntry)>,
    gather: GatherOptions,
    opts: DiagOptions,
    prices: Prices,
) {
    let progress_ctx = ctx.clone();
    let mut progress = move |done: usize, total: usize, last: String| {
        progress_ctx.send(Report::Progress { seq, done, total, last });
    };
    // "Now" is when the diagnosis runs, not when the app started.
    let opts = DiagOptions { now_ms: chrono::Utc::now().timestamp_millis(), ..opts };
    let result =
        diag::diagnose_tables(&store, tables, &gather, &opts, &prices, CONCURRENCY, &ctx.cancel, &mut progress).await;
    match result {
        Ok(r) => ctx.send(Report::Loaded { seq, result: Ok(r) }),
        // The job's end reports a cancel.
        Err(LakeError::Cancelled) => {}
        Err(e) => ctx.send(Report::Loaded { seq, result: Err(store.explain(&e)) }),
    }
}
