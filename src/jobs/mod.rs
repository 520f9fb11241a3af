//! Everything slow runs here, as tokio tasks that report only by sending `Action`s.
//!
//! The `JobManager` gives each job an id and a cancel token, checks the token in `select!` so a
//! cancelled job stops at its next await point, and always sends `JobFinished` exactly once so
//! the state's job list cannot leak entries. Job kinds live in their own files: `discovery`
//! (listing a lake) and `detail` (loading one table's schema and stats).

pub mod detail;
pub mod diag;
pub mod discovery;
pub mod history;
pub mod inspect;
pub mod maintain;
pub mod sql;

use std::collections::HashMap;
use std::future::Future;

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::action::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Discovery,
    Detail,
    Inspect,
    History,
    Sql,
    Export,
    Diag,
    /// Compaction, convert, vacuum: plans and runs.
    Maintain,
}

impl JobKind {
    pub fn describe(self) -> &'static str {
        match self {
            JobKind::Discovery => "listing the lake",
            JobKind::Detail => "reading a table",
            JobKind::Inspect => "reading Parquet",
            JobKind::History => "reading a Delta log",
            JobKind::Sql => "running a query",
            JobKind::Export => "exporting a query result",
            JobKind::Diag => "diagnosing tables",
            JobKind::Maintain => "rewriting a table",
        }
    }
}

/// What a running job can use: its id, its cancel token, and the way back to the app.
#[derive(Clone)]
pub struct JobContext {
    pub id: JobId,
    pub cancel: CancellationToken,
    tx: UnboundedSender<Action>,
}

impl JobContext {
    /// Report to the app. A closed channel means the app is gone: nothing to do.
    pub fn send(&self, action: Action) {
        let _ = self.tx.send(action);
    }
}

pub struct JobManager {
    tx: UnboundedSender<Action>,
    running: HashMap<JobId, CancellationToken>,
    next: u64,
}

impl JobManager {
    pub fn new(tx: UnboundedSender<Action>) -> Self {
        JobManager { tx, running: HashMap::new(), next: 1 }
    }

    /// Start a job. `work` receives its context; when it returns (or the token is cancelled
    /// first) the manager sends `JobFinished`.
    pub fn spawn<F, Fut>(&mut self, work: F) -> JobId
    where
        F: FnOnce(JobContext) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let id = JobId(self.next);
        self.next += 1;
        let cancel = CancellationToken::new();
        let ctx = JobContext { id, cancel: cancel.clone(), tx: self.tx.clone() };
        let fut = work(ctx);
        let tx = self.tx.clone();
        let token = cancel.clone();
        tokio::spawn(async move {
            // A job that panics is reported as failed, never left "running" forever.
            let guarded = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(fut));
            tokio::select! {
                biased;
                _ = token.cancelled() => {}
                result = guarded => {
                    if let Err(panic) = result {
                        let error = crate::lake::discover::panic_message(&panic);
                        let _ = tx.send(Action::JobFailed { id, error });
                    }
                }
            };
            // Not "which branch won": a cancel can land while the job's own future is being
            // polled, and the job then returns early through its own check of the token.
            let cancelled = token.is_cancelled();
            let _ = tx.send(Action::JobFinished { id, cancelled });
        });
        self.running.insert(id, cancel);
        id
    }

    pub fn cancel(&mut self, id: JobId) {
        if let Some(token) = self.running.get(&id) {
            token.cancel();
        }
    }

    /// Forget a job that reported `JobFinished`.
    pub fn finished(&mut self, id: JobId) {
        self.running.remove(&id);
    }

    pub fn running(&self) -> usize {
        self.running.len()
    }

    pub fn cancel_all(&mut self) {
        for token in self.running.values() {
            token.cancel();
        }
    }
}

impl Drop for JobManager {
    fn drop(&mut self) {
        self.cancel_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_is_reported_and_finished() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut jobs = JobManager::new(tx);
        let id = jobs.spawn(|_ctx| async move {
            let v: Vec<u8> = Vec::new();
            let _ = v[3];
        });
        let first = rx.recv().await.unwrap();
        assert!(
            matches!(&first, Action::JobFailed { id: i, error } if *i == id && error.contains("index out of bounds")),
            "{first:?}"
        );
        assert_eq!(rx.recv().await.unwrap(), Action::JobFinished { id, cancelled: false });
    }

    #[tokio::test]
    async fn a_cancelled_job_says_so() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut jobs = JobManager::new(tx);
        let id = jobs.spawn(|ctx| async move { ctx.cancel.cancelled().await });
        jobs.cancel(id);
        assert_eq!(rx.recv().await.unwrap(), Action::JobFinished { id, cancelled: true });
    }
}
