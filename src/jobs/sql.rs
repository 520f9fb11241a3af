//! SQL jobs: build the engine for the catalog, estimate and run a query on it, streaming rows to
//! the grid (up to the cap; the rest are counted) with the elapsed time, bytes and requests so
//! far; estimate only; export a whole result to a file. Cancelling the job drops the query
//! handle, which aborts the query on the engine's threads and frees its memory.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

use super::{JobContext, JobEnv};
use crate::event::{Seq, Shared, view};
use crate::lake::sql::estimate::Estimate;
use crate::lake::sql::export::{self, Format};
use crate::lake::sql::{SqlEngine, SqlOptions};
use crate::lake::{Catalog, LakeStore};

/// What a running query has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SqlProgress {
    pub elapsed_ms: u64,
    /// Rows the query produced (kept or not).
    pub rows: u64,
    pub bytes: u64,
    pub requests: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// The engine is ready: its function names (for completion); or why it cannot start.
    Ready(Result<Vec<String>, String>),
    Estimated {
        seq: Seq<view::Sql>,
        result: Result<Estimate, String>,
    },
    /// The result's schema: the query has started.
    Started {
        seq: Seq<view::Sql>,
        schema: SchemaRef,
    },
    /// Streamed rows (already cut to the cap) and the counts so far.
    Rows {
        seq: Seq<view::Sql>,
        batches: Vec<RecordBatch>,
        progress: SqlProgress,
    },
    /// The query ended: its final counts, or why it failed.
    Done {
        seq: Seq<view::Sql>,
        progress: SqlProgress,
        error: Option<String>,
    },
    /// An export wrote `rows` so far (done when `result` is set).
    Export {
        path: String,
        rows: u64,
        result: Option<Result<(), String>>,
    },
}

/// The SQL engine of the current catalog, built when a job first needs it and again when
/// discovery changed the catalog.
#[derive(Default)]
pub struct EngineCache(Mutex<Option<(Arc<Catalog>, Arc<SqlEngine>)>>);

impl EngineCache {
    pub fn engine(
        &self,
        store: &Arc<LakeStore>,
        catalog: &Arc<Catalog>,
        opts: &SqlOptions,
    ) -> Result<Arc<SqlEngine>, String> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((c, e)) = slot.as_ref()
            && Arc::ptr_eq(c, catalog)
        {
            return Ok(Arc::clone(e));
        }
        let engine = Arc::new(
            SqlEngine::new(Arc::clone(store), catalog, opts)
                .map_err(|e| format!("cannot start the SQL engine: {e}"))?,
        );
        *slot = Some((Arc::clone(catalog), Arc::clone(&engine)));
        Ok(engine)
    }
}

fn engine_of(env: &JobEnv, catalog: &Shared<Catalog>) -> Result<Arc<SqlEngine>, String> {
    env.sql.engine(&env.store, &catalog.0, &env.settings.sql)
}

/// Build the engine (cheap: tables open when a query names them) and say what it knows.
pub async fn prepare(ctx: JobContext, env: JobEnv, catalog: Shared<Catalog>) {
    ctx.send(Report::Ready(engine_of(&env, &catalog).map(|e| e.function_names())));
}

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
    env: JobEnv,
    catalog: Shared<Catalog>,
    seq: Seq<view::Sql>,
    sql: String,
    max_rows: usize,
) {
    let store = Arc::clone(&env.store);
    let meter = Meter::new(&store);
    let done = |rows: u64, error: Option<String>| Report::Done { seq, progress: meter.progress(&store, rows), error };
    let engine = match engine_of(&env, &catalog) {
        Ok(e) => e,
        Err(e) => return ctx.send(done(0, Some(e))),
    };
    match engine.estimate(&sql).await {
        Ok(e) => ctx.send(Report::Estimated { seq, result: Ok(e) }),
        Err(e) => return ctx.send(done(0, Some(e.to_string()))),
    }
    // What planning read (opening tables) is part of the query's cost: the meter keeps running.
    let mut query = match engine.run(&sql).await {
        Ok(q) => q,
        Err(e) => return ctx.send(done(0, Some(e.to_string()))),
    };
    ctx.send(Report::Started { seq, schema: query.schema.clone() });
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
                    ctx.send(Report::Rows { seq, batches, progress: meter.progress(&store, rows) });
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
                    ctx.send(Report::Rows { seq, batches: pending, progress: meter.progress(&store, rows) });
                    return ctx.send(done(rows, Some(e.to_string())));
                }
                None => break,
            }
        }
    }
    ctx.send(Report::Rows { seq, batches: pending, progress: meter.progress(&store, rows) });
    ctx.send(done(rows, None));
}

/// Estimate only.
pub async fn estimate(ctx: JobContext, env: JobEnv, catalog: Shared<Catalog>, seq: Seq<view::Sql>, sql: String) {
    let result = match engine_of(&env, &catalog) {
        Ok(engine) => engine.estimate(&sql).await.map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    ctx.send(Report::Estimated { seq, result });
}

/// Run the query again and write every row to `path`.
pub async fn export(
    ctx: JobContext,
    env: JobEnv,
    catalog: Shared<Catalog>,
    sql: String,
    path: std::path::PathBuf,
    format: Format,
) {
    let shown = path.display().to_string();
    let engine = match engine_of(&env, &catalog) {
        Ok(e) => e,
        Err(e) => return ctx.send(Report::Export { path: shown, rows: 0, result: Some(Err(e)) }),
    };
    let mut last = Instant::now();
    let result = export::export(&engine, &sql, format, &path, |rows| {
        if last.elapsed() >= PROGRESS_EVERY {
            last = Instant::now();
            ctx.send(Report::Export { path: shown.clone(), rows, result: None });
        }
    })
    .await;
    match result {
        Ok(rows) => ctx.send(Report::Export { path: shown, rows, result: Some(Ok(())) }),
        Err(e) => ctx.send(Report::Export { path: shown, rows: 0, result: Some(Err(e)) }),
    }
}
