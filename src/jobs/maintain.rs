//! The write actions' jobs: make a plan (reads only) and run a confirmed one, reporting progress
//! about five times a second. Both go through `lake::maintain::run`, as the headless commands
//! do. Cancelled through the job's token: a Delta rewrite commits nothing, a dataset rewrite
//! deletes the partition's unpublished files (see `lake::maintain`).

use std::sync::Arc;
use std::time::Instant;

use super::JobContext;
use crate::event::{Seq, view};
use crate::lake::maintain::Progress;
use crate::lake::maintain::run::{self, Settings, WritePlan, WriteRequest};
use crate::lake::{LakeError, LakeStore};

#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// A write's plan (or why there is none).
    Planned {
        seq: Seq<view::Write>,
        result: Result<WritePlan, String>,
    },
    Progress {
        seq: Seq<view::Write>,
        progress: Progress,
    },
    /// A write finished: what it did, as lines (or why it stopped).
    Done {
        seq: Seq<view::Write>,
        result: Result<Vec<String>, String>,
    },
}

pub async fn plan(
    ctx: JobContext,
    store: Arc<LakeStore>,
    settings: Settings,
    seq: Seq<view::Write>,
    req: WriteRequest,
) {
    match run::plan(&store, &req, &settings, &ctx.cancel).await {
        Ok(p) => ctx.send(Report::Planned { seq, result: Ok(p) }),
        Err(LakeError::Cancelled) => {}
        Err(e) => ctx.send(Report::Planned { seq, result: Err(store.explain(&e)) }),
    }
}

pub async fn execute(
    ctx: JobContext,
    store: Arc<LakeStore>,
    settings: Settings,
    seq: Seq<view::Write>,
    req: WriteRequest,
    plan: WritePlan,
) {
    let progress_ctx = ctx.clone();
    let mut last = Instant::now();
    let mut progress = move |p: Progress| {
        // About five reports a second: the screen redraws on change only.
        if last.elapsed().as_millis() >= 200 || p.phase == "done" {
            last = Instant::now();
            progress_ctx.send(Report::Progress { seq, progress: p });
        }
    };
    match run::run(&store, &req, &plan, &settings, &ctx.cancel, &mut progress).await {
        Ok(outcome) => {
            let lines = crate::report::maintain::write_outcome_lines(&req, &outcome);
            ctx.send(Report::Done { seq, result: Ok(lines) })
        }
        Err(LakeError::Cancelled) => {}
        Err(e) => ctx.send(Report::Done { seq, result: Err(store.explain(&e)) }),
    }
}
