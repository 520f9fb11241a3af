//! Everything slow runs here, as tokio tasks that report only by sending messages.
//!
//! A job is described by a `Job` (plain data: which kind, for which view, with which inputs);
//! `JobManager::spawn` is the one path that starts any of them: it gives the job an id and a
//! cancel token, checks the token in `select!` so a cancelled job stops at its next await point,
//! and always sends `Finished` exactly once so the state's job list cannot leak entries. Each
//! kind's work and its `Report` type live in its own file: `discovery`, `detail`, `inspect`,
//! `history`, `diag`, `maintain`, `sql`.

pub mod detail;
pub mod diag;
pub mod discovery;
pub mod history;
pub mod inspect;
pub mod maintain;
pub mod sql;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::event::{JobEvent, Msg, Report, Seq, Shared, view};
use crate::lake::delta::diff::AsOf;
use crate::lake::diag::DiagOptions;
use crate::lake::diag::gather::GatherOptions;
use crate::lake::maintain::run::{Settings as WriteSettings, WritePlan, WriteRequest};
use crate::lake::parquet::InspectorOptions;
use crate::lake::parquet::meta::Footer;
use crate::lake::pricing::Prices;
use crate::lake::sql::SqlOptions;
use crate::lake::sql::export::Format;
use crate::lake::{Catalog, DiscoveryOptions, LakeStore, TableEntry};

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
    Write,
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
            JobKind::Write => "rewriting a table",
        }
    }
}

/// Who a job works for: where its end is reported and who may cancel it.
#[derive(Debug, Clone, PartialEq)]
pub enum Owner {
    Listing(Seq<view::Listing>),
    /// A table's detail, for the listing it was asked in.
    Detail {
        listing: Seq<view::Listing>,
        location: String,
    },
    /// Time travel being checked before it is taken.
    Travel,
    Inspector(Seq<view::Inspector>),
    History(Seq<view::History>),
    Diag(Seq<view::Diag>),
    Write(Seq<view::Write>),
    Sql(Seq<view::Sql>),
    Export,
}

/// The open row-group reader of a preview: the reader, rows decoded so far, footer bytes.
pub type PreviewHandle = Shared<tokio::sync::Mutex<Option<inspect::PreviewReader>>>;
/// The open history of a history view, shared between its jobs.
pub type HistoryHandle = Shared<tokio::sync::Mutex<Option<crate::lake::delta::log::History>>>;

/// What a preview reads when it opens: the columns of one row group of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewOpen {
    pub rel: String,
    pub size: Option<u64>,
    pub footer: Shared<Footer>,
    pub row_group: usize,
    pub columns: Vec<usize>,
}

/// A job to run: plain data, so the state's `update` can ask for it and tests can read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// List the lake.
    Discover {
        seq: Seq<view::Listing>,
    },
    /// A table's schema, rows and Delta summary for the detail pane.
    Detail {
        listing: Seq<view::Listing>,
        table: Box<TableEntry>,
        as_of: Option<AsOf>,
    },
    /// Check that a Delta table can be read as of a point before travelling there.
    Travel {
        table: Box<TableEntry>,
        as_of: AsOf,
    },
    /// A dataset's (or a Delta table's) files and their footers.
    Dataset {
        seq: Seq<view::Inspector>,
        table: Box<TableEntry>,
        as_of: Option<AsOf>,
    },
    Footer {
        seq: Seq<view::Inspector>,
        rel: String,
        size: Option<u64>,
    },
    Pages {
        seq: Seq<view::Inspector>,
        rel: String,
        size: Option<u64>,
        footer: Shared<Footer>,
        row_group: usize,
    },
    /// Decode preview rows until `want` are there (opening the reader first when `open` says
    /// what to read).
    Preview {
        seq: Seq<view::Inspector>,
        handle: PreviewHandle,
        open: Option<PreviewOpen>,
        want: usize,
    },
    /// Open a Delta table's history and read its newest `want` commits.
    History {
        seq: Seq<view::History>,
        table: Box<TableEntry>,
        want: usize,
        handle: HistoryHandle,
    },
    /// Read more commits of the open history, up to `want` loaded.
    MoreHistory {
        seq: Seq<view::History>,
        want: usize,
        handle: HistoryHandle,
    },
    /// The full detail of a Delta table as of a version.
    DeltaInfo {
        seq: Seq<view::History>,
        table: Box<TableEntry>,
        as_of: Option<AsOf>,
    },
    /// The diff of two versions.
    Diff {
        seq: Seq<view::History>,
        table: Box<TableEntry>,
        a: u64,
        b: u64,
    },
    /// Diagnose tables (`(display name, table)`).
    Diag {
        seq: Seq<view::Diag>,
        scope: String,
        tables: Vec<(String, TableEntry)>,
    },
    /// Plan a write (reads only).
    PlanWrite {
        seq: Seq<view::Write>,
        request: Box<WriteRequest>,
    },
    /// Run a confirmed plan.
    RunWrite {
        seq: Seq<view::Write>,
        request: Box<WriteRequest>,
        plan: WritePlan,
    },
    /// Build the SQL engine for a catalog (and report its function names).
    PrepareSql {
        catalog: Shared<Catalog>,
    },
    /// Estimate, then run a query, keeping `max_rows` rows.
    Query {
        seq: Seq<view::Sql>,
        sql: String,
        max_rows: usize,
        catalog: Shared<Catalog>,
    },
    Estimate {
        seq: Seq<view::Sql>,
        sql: String,
        catalog: Shared<Catalog>,
    },
    /// Run a query again and write its whole result to a file.
    Export {
        sql: String,
        path: std::path::PathBuf,
        format: Format,
        catalog: Shared<Catalog>,
    },
}

impl Job {
    pub fn kind(&self) -> JobKind {
        match self {
            Job::Discover { .. } => JobKind::Discovery,
            Job::Detail { .. } | Job::Travel { .. } => JobKind::Detail,
            Job::Dataset { .. } | Job::Footer { .. } | Job::Pages { .. } | Job::Preview { .. } => JobKind::Inspect,
            Job::History { .. } | Job::MoreHistory { .. } | Job::DeltaInfo { .. } | Job::Diff { .. } => {
                JobKind::History
            }
            Job::Diag { .. } => JobKind::Diag,
            Job::PlanWrite { .. } | Job::RunWrite { .. } => JobKind::Write,
            Job::PrepareSql { .. } | Job::Query { .. } | Job::Estimate { .. } => JobKind::Sql,
            Job::Export { .. } => JobKind::Export,
        }
    }

    pub fn owner(&self) -> Owner {
        match self {
            Job::Discover { seq } => Owner::Listing(*seq),
            Job::Detail { listing, table, .. } => Owner::Detail { listing: *listing, location: table.location.clone() },
            Job::Travel { .. } => Owner::Travel,
            Job::Dataset { seq, .. } | Job::Footer { seq, .. } | Job::Pages { seq, .. } | Job::Preview { seq, .. } => {
                Owner::Inspector(*seq)
            }
            Job::History { seq, .. }
            | Job::MoreHistory { seq, .. }
            | Job::DeltaInfo { seq, .. }
            | Job::Diff { seq, .. } => Owner::History(*seq),
            Job::Diag { seq, .. } => Owner::Diag(*seq),
            Job::PlanWrite { seq, .. } | Job::RunWrite { seq, .. } => Owner::Write(*seq),
            Job::PrepareSql { .. } => Owner::Sql(Seq::default()),
            Job::Query { seq, .. } | Job::Estimate { seq, .. } => Owner::Sql(*seq),
            Job::Export { .. } => Owner::Export,
        }
    }

    /// What the status bar and the error messages call it.
    pub fn label(&self) -> String {
        match self {
            Job::Discover { .. } => "listing".into(),
            Job::Detail { table, .. } => table.location.clone(),
            Job::Travel { table, as_of } => format!("{} as of {}", table.name, as_of.text()),
            Job::Dataset { table, .. } => table.name.clone(),
            Job::Footer { rel, .. } => rel.clone(),
            Job::Pages { rel, .. } => format!("page index of {rel}"),
            Job::Preview { .. } => rel_label(self),
            Job::History { table, .. } => format!("history of {}", table.name),
            Job::MoreHistory { .. } => "older versions".into(),
            Job::DeltaInfo { table, .. } => format!("detail of {}", table.name),
            Job::Diff { a, b, .. } => format!("diff v{a}..v{b}"),
            Job::Diag { scope, .. } => format!("diagnostics of {scope}"),
            Job::PlanWrite { request, .. } => format!("{} plan for {}", request.kind.verb(), request.name),
            Job::RunWrite { request, .. } => format!("{} {}", request.kind.verb(), request.name),
            Job::PrepareSql { .. } => "SQL engine".into(),
            Job::Query { seq, .. } => format!("query {}", seq.get()),
            Job::Estimate { seq, .. } => format!("estimate {}", seq.get()),
            Job::Export { path, .. } => format!("export to {}", path.display()),
        }
    }

    /// The job's work.
    pub fn run(self, ctx: JobContext, env: JobEnv) -> BoxFuture<'static, ()> {
        use futures::FutureExt;
        let store = Arc::clone(&env.store);
        let s = Arc::clone(&env.settings);
        match self {
            Job::Discover { seq } => discovery::run(ctx, store, s.discovery.clone(), seq).boxed(),
            Job::Detail { listing, table, as_of } => detail::run(ctx, store, *table, listing, as_of).boxed(),
            Job::Travel { table, as_of } => detail::travel(ctx, store, *table, as_of).boxed(),
            Job::Dataset { seq, table, as_of } => {
                inspect::dataset(ctx, store, *table, seq, s.inspector.footer_concurrency, as_of).boxed()
            }
            Job::Footer { seq, rel, size } => inspect::footer(ctx, store, rel, size, seq).boxed(),
            Job::Pages { seq, rel, size, footer, row_group } => {
                inspect::pages(ctx, store, rel, size, footer, row_group, seq).boxed()
            }
            Job::Preview { seq, handle, open, want } => {
                let limit = s.inspector.preview_memory_bytes() as u64;
                inspect::preview(ctx, store, seq, handle, open, want, limit).boxed()
            }
            Job::History { seq, table, want, handle } => history::open(ctx, store, *table, seq, want, handle).boxed(),
            Job::MoreHistory { seq, want, handle } => history::more(ctx, seq, want, handle).boxed(),
            Job::DeltaInfo { seq, table, as_of } => history::info(ctx, store, *table, seq, as_of).boxed(),
            Job::Diff { seq, table, a, b } => history::diff(ctx, store, *table, seq, a, b).boxed(),
            Job::Diag { seq, tables, .. } => {
                diag::run(ctx, store, seq, tables, s.gather.clone(), s.diag.clone(), s.prices.clone()).boxed()
            }
            Job::PlanWrite { seq, request } => maintain::plan(ctx, store, s.write.clone(), seq, *request).boxed(),
            Job::RunWrite { seq, request, plan } => {
                maintain::execute(ctx, store, s.write.clone(), seq, *request, plan).boxed()
            }
            Job::PrepareSql { catalog } => sql::prepare(ctx, env, catalog).boxed(),
            Job::Query { seq, sql, max_rows, catalog } => sql::run(ctx, env, catalog, seq, sql, max_rows).boxed(),
            Job::Estimate { seq, sql, catalog } => sql::estimate(ctx, env, catalog, seq, sql).boxed(),
            Job::Export { sql, path, format, catalog } => sql::export(ctx, env, catalog, sql, path, format).boxed(),
        }
    }
}

fn rel_label(job: &Job) -> String {
    match job {
        Job::Preview { open: Some(o), .. } => format!("preview of {}", o.rel),
        _ => "row group preview".into(),
    }
}

/// The settings jobs read, from the config (built once).
#[derive(Debug, Clone)]
pub struct JobSettings {
    pub discovery: DiscoveryOptions,
    pub inspector: InspectorOptions,
    pub sql: SqlOptions,
    pub gather: GatherOptions,
    pub diag: DiagOptions,
    pub write: WriteSettings,
    pub prices: Prices,
}

impl JobSettings {
    pub fn new(config: &crate::config::Config, store: &LakeStore) -> JobSettings {
        let read_only = config.maintenance.read_only;
        JobSettings {
            discovery: config.discovery.clone(),
            inspector: config.inspector.clone(),
            sql: config.sql.clone(),
            gather: config.gather_options(),
            diag: DiagOptions::new(&config.diagnostics),
            write: config.maintain_settings(store.url.scheme, read_only, config.lake.clone()),
            prices: config.pricing.for_scheme(store.url.scheme),
        }
    }
}

/// What every job may use: the lake's store, the settings and the SQL engine of the catalog.
#[derive(Clone)]
pub struct JobEnv {
    pub store: Arc<LakeStore>,
    pub settings: Arc<JobSettings>,
    pub sql: Arc<sql::EngineCache>,
}

/// What a running job can use: its id, its cancel token, and the way back to the app.
#[derive(Clone)]
pub struct JobContext {
    pub id: JobId,
    pub cancel: CancellationToken,
    tx: UnboundedSender<Msg>,
}

impl JobContext {
    /// Report to the app. A closed channel means the app is gone: nothing to do.
    pub fn send(&self, report: impl Into<Report>) {
        let _ = self.tx.send(Msg::Job(JobEvent::Report(report.into())));
    }
}

pub struct JobManager {
    tx: UnboundedSender<Msg>,
    running: HashMap<JobId, CancellationToken>,
    next: u64,
}

impl JobManager {
    pub fn new(tx: UnboundedSender<Msg>) -> Self {
        JobManager { tx, running: HashMap::new(), next: 1 }
    }

    /// Start a job. `work` receives its context; when it returns (or the token is cancelled
    /// first) the manager sends `Finished`.
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
                        let _ = tx.send(Msg::Job(JobEvent::Failed { id, error }));
                    }
                }
            };
            // Not "which branch won": a cancel can land while the job's own future is being
            // polled, and the job then returns early through its own check of the token.
            let cancelled = token.is_cancelled();
            let _ = tx.send(Msg::Job(JobEvent::Finished { id, cancelled }));
        });
        self.running.insert(id, cancel);
        id
    }

    pub fn cancel(&mut self, id: JobId) {
        if let Some(token) = self.running.get(&id) {
            token.cancel();
        }
    }

    /// Forget a job that reported `Finished`.
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
            matches!(&first, Msg::Job(JobEvent::Failed { id: i, error }) if *i == id && error.contains("index out of bounds")),
            "{first:?}"
        );
        assert_eq!(rx.recv().await.unwrap(), Msg::Job(JobEvent::Finished { id, cancelled: false }));
    }

    #[tokio::test]
    async fn a_cancelled_job_says_so() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut jobs = JobManager::new(tx);
        let id = jobs.spawn(|ctx| async move { ctx.cancel.cancelled().await });
        jobs.cancel(id);
        assert_eq!(rx.recv().await.unwrap(), Msg::Job(JobEvent::Finished { id, cancelled: true }));
    }
}
