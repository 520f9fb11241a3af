//! SQL over the whole lake through an embedded DataFusion session: every discovered table is
//! named `zone.table` (and `bucket.zone.table`), opened only when a query names it (`catalog`);
//! Delta tables can be read as of a version or a timestamp (`rewrite`, `catalog`).
//!
//! The session is read-only: DDL, DML (INSERT, UPDATE, DELETE), COPY TO and SET-like statements
//! are refused before anything runs, by DataFusion's SQL options and a check on the parsed
//! statement. Memory is bounded by a pool (`[sql] memory_limit_mib`); sorts, aggregations and
//! joins spill to a temporary folder past it, and a query that still does not fit fails with an
//! error naming the limit. Reads go through the lake's counting store, so each query's requests
//! and bytes are known.

pub mod catalog;
pub mod estimate;
pub mod export;
pub mod rewrite;
pub mod topk;

use std::collections::BTreeSet;
use std::sync::Arc;

use datafusion::dataframe::DataFrame;
use datafusion::error::DataFusionError;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::{SQLOptions, SessionConfig, SessionContext};
use datafusion::sql::parser::{DFParser, Statement as DFStatement};
use url::Url;

use self::catalog::{NO_ZONE, Opener, lake_catalogs};
use super::store::redact;
use super::{Catalog, LakeError, LakeStore};

/// The `[sql]` settings (deserialised from the config, which holds their defaults).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlOptions {
    /// Memory one query may use (MiB) before sorts and joins spill to disk or it fails.
    pub memory_limit_mib: u64,
    /// Result rows kept in memory for a grid (the rest are counted, and exported on demand).
    pub max_rows: usize,
    /// Threads queries run on (their own, apart from the caller's); `None`: one per core.
    #[serde(default)]
    pub threads: Option<usize>,
    /// Where a front end keeps its query history (`None`: its own default).
    #[serde(default)]
    pub history_file: Option<std::path::PathBuf>,
    /// DataFusion settings (`execution.parquet.pushdown_filters = true`), with or without their
    /// `datafusion.` prefix, applied to every session.
    #[serde(default)]
    pub datafusion: std::collections::BTreeMap<String, Setting>,
}

/// One DataFusion setting's value as TOML writes it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub enum Setting {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Setting::Bool(b) => write!(f, "{b}"),
            Setting::Int(i) => write!(f, "{i}"),
            Setting::Float(x) => write!(f, "{x}"),
            Setting::Text(s) => f.write_str(s),
        }
    }
}

impl SqlOptions {
    /// DataFusion's configuration with `[sql.datafusion]` applied; an unknown key or a value of
    /// the wrong type is named.
    pub fn datafusion_config(&self) -> Result<datafusion::config::ConfigOptions, String> {
        let mut config = datafusion::config::ConfigOptions::new();
        for (key, value) in &self.datafusion {
            let full = if key.starts_with("datafusion.") { key.clone() } else { format!("datafusion.{key}") };
            config.set(&full, &value.to_string()).map_err(|e| {
                let reason = e.strip_backtrace();
                let reason = reason.strip_prefix("Invalid or Unsupported Configuration: ").unwrap_or(&reason);
                format!("{key} = {value}: {reason}")
            })?;
        }
        Ok(config)
    }

    /// Threads queries run on.
    pub fn threads(&self) -> usize {
        self.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())).max(1)
    }
}

/// Why a statement did not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SqlError {
    /// A statement that would write or change the session.
    #[error("refused: {0}")]
    ReadOnly(String),
    /// Over the memory limit, even after spilling.
    #[error("{0}")]
    Memory(String),
    #[error("{0}")]
    Query(String),
}

/// A query running on the engine's own threads. Batches arrive through `next`; dropping the
/// handle (or `cancel`) aborts the query there, so whoever waits on it gets control back at
/// once, even while an operator is busy (its memory is freed when it next yields).
pub struct QueryRun {
    pub schema: datafusion::arrow::datatypes::SchemaRef,
    rx: tokio::sync::mpsc::Receiver<Result<datafusion::arrow::array::RecordBatch, SqlError>>,
    task: tokio::task::AbortHandle,
}

impl QueryRun {
    /// The next batch; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<datafusion::arrow::array::RecordBatch, SqlError>> {
        self.rx.recv().await
    }

    pub fn cancel(&self) {
        self.task.abort();
    }
}

impl Drop for QueryRun {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One DataFusion session over one lake.
pub struct SqlEngine {
    /// Queries run here, not on the app's runtime: a CPU-bound plan cannot starve the jobs
    /// that draw the screen and list the lake.
    runtime: Option<tokio::runtime::Runtime>,
    ctx: SessionContext,
    memory_limit_mib: u64,
    tables: usize,
}

impl Drop for SqlEngine {
    fn drop(&mut self) {
        // Dropped from async code too: do not block on the query threads.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl std::fmt::Debug for SqlEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqlEngine({} tables)", self.tables)
    }
}

/// The statement kinds refused, by what DataFusion calls them.
fn refusal(what: &str) -> SqlError {
    SqlError::ReadOnly(format!(
        "lakescope's SQL is read-only, {what} is not allowed (compaction and vacuum are separate, confirmed actions)"
    ))
}

impl SqlEngine {
    /// A session over `catalog`'s tables, reading through `store`.
    pub fn new(store: Arc<LakeStore>, catalog: &Catalog, opts: &SqlOptions) -> Result<Self, LakeError> {
        let limit = (opts.memory_limit_mib as usize) << 20;
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_limit(limit, 1.0)
            .build_arc()
            .map_err(|e| LakeError::Read { location: store.display(), reason: e.to_string() })?;
        let mut buckets: BTreeSet<String> = BTreeSet::new();
        for (_, t) in catalog.tables() {
            if let Ok(u) = Url::parse(&t.location) {
                buckets.insert(format!("{}://{}", u.scheme(), u.host_str().unwrap_or_default()));
            }
        }
        for b in &buckets {
            let url = Url::parse(&format!("{b}/"))
                .map_err(|e| LakeError::Read { location: b.clone(), reason: e.to_string() })?;
            runtime.register_object_store(&url, store.data_store_for(&url)?);
        }
        let opener = Opener::new(Arc::clone(&store));
        let (per_bucket, default) = lake_catalogs(catalog, &opener);
        let default_name = "lake";
        let options = opts
            .datafusion_config()
            .map_err(|reason| LakeError::Read { location: "[sql.datafusion]".into(), reason })?;
        let config = SessionConfig::from(options)
            .with_information_schema(true)
            .with_default_catalog_and_schema(default_name, NO_ZONE)
            .with_create_default_catalog_and_schema(false);
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(runtime)
            .with_default_features()
            .with_physical_optimizer_rule(Arc::new(topk::TopKScansKeepPruning))
            .build();
        let ctx = SessionContext::new_with_state(state);
        ctx.register_catalog(default_name, default);
        for (bucket, cat) in &per_bucket {
            ctx.register_catalog(bucket, Arc::clone(cat) as _);
        }
        opener.set_state(ctx.state());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(opts.threads())
            .thread_name("lakescope-sql")
            .enable_all()
            .build()
            .map_err(|e| LakeError::Read {
                location: store.display(),
                reason: format!("cannot start the query threads: {e}"),
            })?;
        Ok(SqlEngine {
            runtime: Some(runtime),
            ctx,
            memory_limit_mib: opts.memory_limit_mib,
            tables: catalog.tables().count(),
        })
    }

    /// Bytes the running queries hold in the memory pool (0 once every stream is dropped).
    pub fn memory_reserved(&self) -> usize {
        self.ctx.runtime_env().memory_pool.reserved()
    }

    /// Names of the session's functions (scalar, aggregate, window), sorted, for completion.
    pub fn function_names(&self) -> Vec<String> {
        let state = self.ctx.state();
        let mut names: BTreeSet<String> = state.scalar_functions().keys().cloned().collect();
        names.extend(state.aggregate_functions().keys().cloned());
        names.extend(state.window_functions().keys().cloned());
        names.extend(["delta_version".to_string(), "delta_as_of".to_string()]);
        names.into_iter().collect()
    }

    /// Parse, check and plan one statement (tables it names are opened here).
    pub async fn plan(&self, sql: &str) -> Result<DataFrame, SqlError> {
        let mut statements = DFParser::parse_sql(sql).map_err(|e| SqlError::Query(clean(&e.to_string())))?;
        if statements.len() != 1 {
            return Err(SqlError::Query(if statements.is_empty() {
                "nothing to run".to_string()
            } else {
                format!("one statement at a time ({} given)", statements.len())
            }));
        }
        let mut statement = statements.pop_front().unwrap_or_else(|| unreachable!("one statement"));
        check_statement(&statement)?;
        rewrite::rewrite(&mut statement).map_err(SqlError::Query)?;
        let state = self.ctx.state();
        let plan = state.statement_to_plan(statement).await.map_err(|e| self.explain(e))?;
        check_plan(&plan)?;
        // DataFusion's own check, behind lakescope's: anything it still refuses is refused.
        let options = SQLOptions::new().with_allow_ddl(false).with_allow_dml(false).with_allow_statements(false);
        options.verify_plan(&plan).map_err(|e| SqlError::ReadOnly(clean(&e.to_string())))?;
        self.ctx.execute_logical_plan(plan).await.map_err(|e| self.explain(e))
    }

    /// Plan and start a statement on the current runtime (`run` calls it on the engine's).
    async fn stream(&self, sql: &str) -> Result<SendableRecordBatchStream, SqlError> {
        let df = self.plan(sql).await?;
        df.execute_stream().await.map_err(|e| self.explain(e))
    }

    /// Plan and start a statement on the engine's threads.
    pub async fn run(self: &Arc<Self>, sql: &str) -> Result<QueryRun, SqlError> {
        let Some(rt) = self.runtime.as_ref() else { return Err(SqlError::Query("the SQL engine is shut down".into())) };
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let engine = Arc::clone(self);
        let sql = sql.to_string();
        let task = rt.spawn(async move {
            let mut stream = match engine.stream(&sql).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            if ready_tx.send(Ok(stream.schema())).is_err() {
                return;
            }
            use futures::StreamExt;
            while let Some(b) = stream.next().await {
                let b = b.map_err(|e| engine.explain(e));
                let stop = b.is_err();
                if tx.send(b).await.is_err() || stop {
                    return;
                }
            }
        });
        let abort = task.abort_handle();
        match ready_rx.await {
            Ok(Ok(schema)) => Ok(QueryRun { schema, rx, task: abort }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(SqlError::Query("the query stopped before it started".into())),
        }
    }

    /// A DataFusion error for a person: the memory limit named, refusals as such, secrets
    /// masked.
    pub fn explain(&self, e: DataFusionError) -> SqlError {
        let text = clean(&e.to_string());
        if matches!(e.find_root(), DataFusionError::ResourcesExhausted(_)) {
            return SqlError::Memory(format!(
                "the query needs more memory than the limit of {} MiB ([sql] memory_limit_mib in the config, or --memory-limit-mib) even after spilling to disk: {text}",
                self.memory_limit_mib
            ));
        }
        SqlError::Query(text)
    }
}

/// Refuse a plan that would write or change the session, by the kind of its nodes (subqueries
/// included).
fn check_plan(plan: &LogicalPlan) -> Result<(), SqlError> {
    use datafusion::common::tree_node::TreeNodeRecursion;
    let mut refused = None;
    let _ = plan.apply_with_subqueries(|p| {
        refused = match p {
            LogicalPlan::Ddl(_) => Some("DDL (CREATE, DROP, ALTER)"),
            LogicalPlan::Copy(_) => Some("COPY TO"),
            LogicalPlan::Dml(_) => Some("DML (INSERT, UPDATE, DELETE)"),
            LogicalPlan::Statement(_) => Some("this statement (SET, transactions, prepared statements)"),
            _ => None,
        };
        Ok(if refused.is_some() { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
    });
    refused.map_or(Ok(()), |what| Err(refusal(what)))
}

/// Refuse what writes before planning, with the statement's own name.
fn check_statement(s: &DFStatement) -> Result<(), SqlError> {
    use datafusion::sql::sqlparser::ast::Statement as S;
    match s {
        DFStatement::CreateExternalTable(_) => Err(refusal("CREATE EXTERNAL TABLE")),
        DFStatement::CopyTo(_) => Err(refusal("COPY TO")),
        DFStatement::Reset(_) => Err(refusal("RESET")),
        DFStatement::Explain(e) => check_statement(&e.statement),
        DFStatement::Statement(s) => match s.as_ref() {
            S::Query(_) | S::ShowTables { .. } | S::ShowColumns { .. } | S::ExplainTable { .. } | S::Explain { .. } => {
                Ok(())
            }
            S::Insert(_) => Err(refusal("INSERT")),
            S::Update(_) => Err(refusal("UPDATE")),
            S::Delete(_) => Err(refusal("DELETE")),
            S::Merge(_) => Err(refusal("MERGE")),
            S::Truncate(_) => Err(refusal("TRUNCATE")),
            S::Drop { .. } => Err(refusal("DROP")),
            S::CreateTable(_) | S::CreateView(_) | S::CreateSchema { .. } | S::CreateDatabase { .. } => {
                Err(refusal("CREATE"))
            }
            S::Copy { .. } => Err(refusal("COPY")),
            // Everything else is checked on the plan (verify_plan) before it runs.
            _ => Ok(()),
        },
    }
}

fn clean(text: &str) -> String {
    redact::redact(text.trim())
}
