//! Delta history jobs: open a table's history and read its newest commits, read more of them as
//! the view scrolls (the `History` is kept in the view's state between steps, like the preview
//! reader), check which versions can still be read, load the detail as of a version, and diff
//! two versions.

use std::sync::Arc;

use super::{HistoryHandle, JobContext};
use crate::event::{Seq, view};
use crate::lake::delta::diff::{self, AsOf, DeltaRef, DiffOptions, TableDiff};
use crate::lake::delta::info::{self, DeltaInfo};
use crate::lake::delta::log::{self, History, HistoryEntry};
use crate::lake::{LakeError, LakeStore, TableEntry};

#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// The history loaded so far (newest first), the log's commit count, or why it failed.
    Page {
        seq: Seq<view::History>,
        entries: Vec<HistoryEntry>,
        total: usize,
        error: Option<String>,
    },
    Info {
        seq: Seq<view::History>,
        result: Result<Arc<DeltaInfo>, String>,
    },
    /// The diff's files, schema and properties (from the log, fast); its rows follow.
    DiffFiles {
        seq: Seq<view::History>,
        result: Result<Arc<TableDiff>, String>,
    },
    /// The diff with its rows compared (or a note saying why they were not).
    DiffRows {
        seq: Seq<view::History>,
        result: Result<Arc<TableDiff>, String>,
    },
}

fn reason(store: &LakeStore, e: LakeError) -> String {
    match e {
        LakeError::Read { reason, .. } | LakeError::Listing { reason, .. } => reason,
        other => store.explain(&other),
    }
}

fn send_page(ctx: &JobContext, seq: Seq<view::History>, h: &History) {
    ctx.send(Report::Page { seq, entries: h.entries.clone(), total: h.total(), error: None });
}

fn send_error(ctx: &JobContext, seq: Seq<view::History>, e: String) {
    ctx.send(Report::Page { seq, entries: Vec::new(), total: 0, error: Some(e) });
}

/// Open the history from the end of the log and show the newest `want` versions; then list the
/// whole log (checkpoint marks, log gaps, exact count) and the data files (which versions can
/// still be read). The history is in `handle` from the first screen on, so scrolling reads more
/// while the listings run; each listing takes the lock only to hand its result over.
pub async fn open(
    ctx: JobContext,
    store: Arc<LakeStore>,
    table: TableEntry,
    seq: Seq<view::History>,
    want: usize,
    handle: HistoryHandle,
) {
    let key = store.key(&table.path);
    let os = store.object_store();
    let mut h = match History::open(Arc::clone(&os), &key, &table.location).await {
        Ok(h) => h,
        Err(e) => return send_error(&ctx, seq, reason(&store, e)),
    };
    if let Err(e) = h.load_more(want).await {
        return send_error(&ctx, seq, reason(&store, e));
    }
    let complete = h.is_complete();
    {
        // In the handle before the view hears of it: its next `more` finds it there.
        let mut guard = handle.lock().await;
        send_page(&ctx, seq, guard.insert(h));
    }
    if !complete {
        match log::list_log(&os, &key, &table.location).await {
            Ok(full) => {
                let mut guard = handle.lock().await;
                let Some(h) = guard.as_mut() else { return };
                h.set_listing(full);
                // Versions dropped by the check (none, unless the log changed) are read again.
                if h.entries.len() < want {
                    let n = want - h.entries.len();
                    if let Err(e) = h.load_more(n).await {
                        return send_error(&ctx, seq, reason(&store, e));
                    }
                }
                send_page(&ctx, seq, h);
            }
            Err(e) => return send_error(&ctx, seq, format!("cannot list the whole log: {}", reason(&store, e))),
        }
    }
    match log::list_data_files(&os, &key, &table.location).await {
        Ok(files) => {
            let mut guard = handle.lock().await;
            let Some(h) = guard.as_mut() else { return };
            h.set_data_files(files);
            send_page(&ctx, seq, h);
        }
        Err(e) => send_error(&ctx, seq, format!("cannot check which versions are readable: {}", reason(&store, e))),
    }
}

/// Read commits until `want` versions are loaded.
pub async fn more(ctx: JobContext, seq: Seq<view::History>, want: usize, handle: HistoryHandle) {
    let mut guard = handle.lock().await;
    let Some(h) = guard.as_mut() else { return };
    let missing = want.saturating_sub(h.entries.len());
    // Large jumps (G: the oldest version) go in pages, each shown as it lands.
    let mut left = missing;
    while left > 0 && h.remaining() > 0 {
        let n = left.min(500);
        if let Err(e) = h.load_more(n).await {
            return send_error(&ctx, seq, e.to_string());
        }
        left -= n;
        send_page(&ctx, seq, h);
    }
    if missing == 0 {
        send_page(&ctx, seq, h);
    }
}

pub async fn info(
    ctx: JobContext,
    store: Arc<LakeStore>,
    table: TableEntry,
    seq: Seq<view::History>,
    as_of: Option<AsOf>,
) {
    let result = info::delta_info(&store, &table.location, &table.path, as_of.as_ref())
        .await
        .map(Arc::new)
        .map_err(|e| reason(&store, e));
    ctx.send(Report::Info { seq, result });
}

/// Files, schema and properties first (they come from the log, in milliseconds); then the
/// rows, which read data files and can take a while on a large change.
pub async fn diff(ctx: JobContext, store: Arc<LakeStore>, table: TableEntry, seq: Seq<view::History>, a: u64, b: u64) {
    let t = DeltaRef::from(&table);
    let files_only = DiffOptions { rows: 0, ..DiffOptions::default() };
    match diff::diff_table(&store, &t, a, b, &files_only).await {
        Ok(d) => ctx.send(Report::DiffFiles { seq, result: Ok(Arc::new(d)) }),
        Err(e) => return ctx.send(Report::DiffFiles { seq, result: Err(reason(&store, e)) }),
    }
    let opts = DiffOptions { rows: 50, ..DiffOptions::default() };
    let result = diff::diff_table(&store, &t, a, b, &opts).await.map(Arc::new).map_err(|e| reason(&store, e));
    ctx.send(Report::DiffRows { seq, result });
}
