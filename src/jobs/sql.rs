//! SQL jobs: estimate and run a query on the lake's engine, streaming rows to the grid (up to
//! the cap; the rest are counted) with the elapsed time, bytes and requests so far; estimate
//! only; export a whole result to a file. Cancelling the job drops the query handle, which
//! aborts the query on the engine's threads and frees its memory.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::action::{Action, SqlProgress};
use crate::lake::LakeStore;
use crate::lake::sql::SqlEngine;
use crate::lake::sql::export::{self, Format};

use super::JobContext;

/// How often progress reaches the screen while rows stream in.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Counts since a start point, from the store's counters (every read of the lake goes there).
struct Meter {
    start: Instant,
    requests: u64,
    bytes: u64,
}

impl Meter {
    fn new(store: &LakeStore) -> Meter {
        Meter { start: Instant::now(), requests: store.stats.total_count(), bytes: store.stats.total_bytes() }
    }

    fn progress(&self, store: &LakeStore, rows: u64) -> SqlProgress {
        SqlProgress {
            elapsed_ms: self.start.elapsed().as_millis() as u64,
            rows,
            bytes: store.stats.total_bytes().saturating_sub(self.bytes),
            requests: store.stats.total_count().saturating_sub(self.requests),
        }
    }
}

/// Estimate what the query reads, then run it.
pub async fn run(
    ctx: JobContext,
    engine: Arc<SqlEngine>,
    store: Arc<LakeStore>,
    seq: u64,
    sql: String,
    max_rows: usize,
) {
    let meter = Meter::new(&store);
    let done =
        |rows: u64, error: Option<String>| Action::SqlDone { seq, progress: meter.progress(&store, rows), error };
    match engine.estimate(&sql).await {
        Ok(e) => ctx.send(Action::SqlEstimated { seq, result: Ok(e) }),
        Err(e) => return ctx.send(done(0, Some(e.to_string()))),
    }
    // What planning read (opening tables) is part of the query's cost: the meter keeps running.
    let mut query = match engine.run(&sql).await {
        Ok(q) => q,
        Err(e) => return ctx.send(done(0, Some(e.to_string()))),
    };
    ctx.send(Action::SqlStarted { seq, schema: query.schema.clone() });
    let mut rows = 0u64;
    let mut kept = 0usize;
    let mut pending = Vec::new();
    let mut last_sent = Instant::now();
    let mut tick = tokio::time::interval(PROGRESS_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled() => return,
            _ = tick.tick() => {
                if last_sent.elapsed() >= PROGRESS_EVERY {
                    let batches = std::mem::take(&mut pending);
                    ctx.send(Action::SqlRows { seq, batches, progress: meter.progress(&store, rows) });
                    last_sent = Instant::now();
                }
            }
            batch = query.next() => match batch {
                Some(Ok(b)) => {
                    rows += b.num_rows() as u64;
                    if kept < max_rows {
                        let n = (max_rows - kept).min(b.num_rows());
                        pending.push(if n == b.num_rows() { b } else { b.slice(0, n) });
                        kept += n;
                    }
                }
                Some(Err(e)) => {
                    ctx.send(Action::SqlRows { seq, batches: pending, progress: meter.progress(&store, rows) });
                    return ctx.send(done(rows, Some(e.to_string())));
                }
                None => break,
            }
        }
    }
    ctx.send(Action::SqlRows { seq, batches: pending, progress: meter.progress(&store, rows) });
    ctx.send(done(rows, None));
}

/// Estimate only.
pub async fn estimate(ctx: JobContext, engine: Arc<SqlEngine>, seq: u64, sql: String) {
    let result = engine.estimate(&sql).await.map_err(|e| e.to_string());
    ctx.send(Action::SqlEstimated { seq, result });
}

/// Run the query again and write every row to `path`.
pub async fn export(ctx: JobContext, engine: Arc<SqlEngine>, sql: String, path: std::path::PathBuf, format: Format) {
    let shown = path.display().to_string();
    let mut last = Instant::now();
    let result = export::export(&engine, &sql, format, &path, |rows| {
        if last.elapsed() >= PROGRESS_EVERY {
            last = Instant::now();
            ctx.send(Action::SqlExport { path: shown.clone(), rows, result: None });
        }
    })
    .await;
    match result {
        Ok(rows) => ctx.send(Action::SqlExport { path: shown, rows, result: Some(Ok(())) }),
        Err(e) => ctx.send(Action::SqlExport { path: shown, rows: 0, result: Some(Err(e)) }),
    }
}
