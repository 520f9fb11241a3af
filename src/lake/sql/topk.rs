//! One physical optimizer rule for top-k queries over Parquet (`ORDER BY … LIMIT n`).
//!
//! DataFusion's TopK pushes a dynamic filter into the Parquet scan (`order_id < 48557` once it
//! holds n rows), and the scan can skip whole row groups as that filter tightens. In DataFusion
//! 55 two things keep that from happening on `WHERE note LIKE 'abc%' ORDER BY order_id LIMIT 5`,
//! which read the whole `note` column (229 of 420 MiB) where the first row group answers it:
//! - the mid-scan row-group pruner is off whenever the page index gave the scan a row selection
//!   (apache/datafusion#24355, until arrow-rs can slice a selection), and page-index pruning
//!   installs a selection for every row group it looks at, even one that keeps every row;
//! - without filter pushdown a `FilterExec` sits between the scan and the TopK and gathers a full
//!   batch (8,192 rows) of matches before passing any on, so a selective `WHERE` holds the bound
//!   back until the scan is nearly done.
//!
//! So a Parquet scan under a top-k sort whose predicate carries a dynamic filter is rebuilt
//! without the page index and with its predicate evaluated in the reader (late
//! materialisation: the bound and the `WHERE` filter rows before the other columns are
//! decoded), and a `FilterExec` right above it whose every conjunct the reader evaluates is
//! dropped. Row groups are still pruned by statistics when the file opens, and then again as
//! the bound tightens. Every other scan is left as DataFusion plans it: filter pushdown for all
//! scans (`[sql.datafusion] "execution.parquet.pushdown_filters" = true`) made plain filtered
//! aggregations up to twice as slow (BENCHMARKS.md, "SQL").

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::config::ConfigOptions;
use datafusion::datasource::physical_plan::{FileScanConfigBuilder, FileSource, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::DynamicFilterPhysicalExpr;
use datafusion::physical_expr::utils::split_conjunction;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::coop::CooperativeExec;
use datafusion::physical_plan::execution_plan::{ChildrenPropertiesMode, ReplaceChildrenOptions};
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::filter_pushdown::PushedDown;
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::sorts::sort::SortExec;

/// See the module doc. Runs after DataFusion's own rules (the dynamic filters are pushed by
/// then).
#[derive(Debug, Default)]
pub struct TopKScansKeepPruning;

impl PhysicalOptimizerRule for TopKScansKeepPruning {
    fn optimize(&self, plan: Arc<dyn ExecutionPlan>, config: &ConfigOptions) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_down(|node| {
            let is_topk = node.downcast_ref::<SortExec>().is_some_and(|s| s.fetch().is_some());
            if !is_topk {
                return Ok(Transformed::no(node));
            }
            let input = Arc::clone(node.children()[0]);
            match rewrite(input, config)? {
                Some(input) => Ok(Transformed::new(with_child(node, input)?, true, TreeNodeRecursion::Jump)),
                None => Ok(Transformed::no(node)),
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "lakescope_topk_scans_keep_pruning"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// `plan` with the Parquet scan below it (through nodes that pass rows on one by one) rebuilt
/// as the module doc says, when the scan's predicate holds a dynamic filter; `None` otherwise.
fn rewrite(plan: Arc<dyn ExecutionPlan>, config: &ConfigOptions) -> Result<Option<Arc<dyn ExecutionPlan>>> {
    if let Some(scan) = plan.downcast_ref::<DataSourceExec>() {
        let Some((conf, parquet)) = scan.downcast_to_file_source::<ParquetSource>() else { return Ok(None) };
        if !parquet.filter().is_some_and(|p| holds_dynamic_filter(&p)) {
            return Ok(None);
        }
        let source = Arc::new(parquet.clone().with_enable_page_index(false).with_pushdown_filters(true));
        let conf = FileScanConfigBuilder::from(conf.clone()).with_source(source).build();
        return Ok(Some(Arc::new(scan.clone().with_data_source(Arc::new(conf)))));
    }
    if let Some(filter) = plan.downcast_ref::<FilterExec>() {
        let Some(input) = rewrite(Arc::clone(filter.input()), config)? else { return Ok(None) };
        if filter.projection().is_none()
            && filter.fetch().is_none()
            && evaluates_all(&input, filter.predicate(), config)?
        {
            return Ok(Some(input));
        }
        return Ok(Some(with_child(plan, input)?));
    }
    let passes_rows_on = plan.downcast_ref::<ProjectionExec>().is_some()
        || plan.downcast_ref::<RepartitionExec>().is_some()
        || plan.downcast_ref::<CooperativeExec>().is_some()
        || is_coalesce_batches(&plan);
    if !passes_rows_on || plan.children().len() != 1 {
        return Ok(None);
    }
    match rewrite(Arc::clone(plan.children()[0]), config)? {
        Some(child) => Ok(Some(with_child(plan, child)?)),
        None => Ok(None),
    }
}

/// Whether `scan` (a rewritten Parquet scan) evaluates every conjunct of `predicate` exactly.
/// Its predicate already holds them (DataFusion pushes a filter's supported conjuncts into the
/// scan for pruning, pushdown or not); the scan's own pushdown check says which it can run.
fn evaluates_all(
    scan: &Arc<dyn ExecutionPlan>,
    predicate: &Arc<dyn PhysicalExpr>,
    config: &ConfigOptions,
) -> Result<bool> {
    let Some((_, parquet)) =
        scan.downcast_ref::<DataSourceExec>().and_then(|s| s.downcast_to_file_source::<ParquetSource>())
    else {
        return Ok(false);
    };
    let conjuncts: Vec<Arc<dyn PhysicalExpr>> = split_conjunction(predicate).into_iter().cloned().collect();
    let mut pushdown = config.clone();
    pushdown.execution.parquet.pushdown_filters = true;
    let answer = parquet.try_pushdown_filters(conjuncts, &pushdown)?;
    Ok(answer.filters.iter().all(|f| matches!(f, PushedDown::Yes)))
}

/// `CoalesceBatchesExec` is deprecated in DataFusion 55 but still planned by some paths.
#[allow(deprecated)]
fn is_coalesce_batches(plan: &Arc<dyn ExecutionPlan>) -> bool {
    plan.downcast_ref::<datafusion::physical_plan::coalesce_batches::CoalesceBatchesExec>().is_some()
}

/// `plan` over a new only child, its properties recomputed.
fn with_child(plan: Arc<dyn ExecutionPlan>, child: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
    plan.replace_children(vec![child], ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute))
}

fn holds_dynamic_filter(predicate: &Arc<dyn PhysicalExpr>) -> bool {
    let mut found = false;
    let _ = predicate.apply(|e| {
        found = e.downcast_ref::<DynamicFilterPhysicalExpr>().is_some();
        Ok(if found { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, RecordBatch, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::execution::session_state::SessionStateBuilder;
    use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::WriterProperties;

    /// 20 row groups of 1,000 rows, ids ascending, a pseudo-random hex note; page index written.
    fn write_file(path: &std::path::Path) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("note", DataType::Utf8, false),
        ]));
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(1000))
            .set_data_page_row_count_limit(100)
            .build();
        let mut w =
            ArrowWriter::try_new(std::fs::File::create(path).unwrap(), Arc::clone(&schema), Some(props)).unwrap();
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for chunk in 0..20i64 {
            let ids: Vec<i64> = (chunk * 1000..(chunk + 1) * 1000).collect();
            let notes: Vec<String> = ids
                .iter()
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    format!("{x:016x}")
                })
                .collect();
            let batch = RecordBatch::try_new(
                Arc::clone(&schema),
                vec![Arc::new(Int64Array::from(ids)), Arc::new(StringArray::from(notes))],
            )
            .unwrap();
            w.write(&batch).unwrap();
        }
        w.close().unwrap();
    }

    async fn context(with_rule: bool, dir: &std::path::Path) -> SessionContext {
        let config = SessionConfig::new().with_target_partitions(1);
        let mut state = SessionStateBuilder::new().with_config(config).with_default_features();
        if with_rule {
            state = state.with_physical_optimizer_rule(Arc::new(TopKScansKeepPruning));
        }
        let ctx = SessionContext::new_with_state(state.build());
        let file = dir.join("t.parquet");
        if !file.exists() {
            write_file(&file);
        }
        ctx.register_parquet("t", file.to_str().unwrap(), ParquetReadOptions::default()).await.unwrap();
        ctx
    }

    /// How the plan reads: (the scan uses the page index, the scan evaluates its filters, a
    /// FilterExec remains).
    async fn scan_of(ctx: &SessionContext, sql: &str) -> (bool, bool, bool) {
        let plan = ctx.sql(sql).await.unwrap().create_physical_plan().await.unwrap();
        let (mut scan, mut filter_exec) = (None, false);
        plan.apply(|p| {
            filter_exec |= p.downcast_ref::<FilterExec>().is_some();
            if let Some(s) = p.downcast_ref::<DataSourceExec>()
                && let Some((_, parquet)) = s.downcast_to_file_source::<ParquetSource>()
            {
                let global = &parquet.table_parquet_options().global;
                scan = Some((global.enable_page_index, global.pushdown_filters));
            }
            Ok(TreeNodeRecursion::Continue)
        })
        .unwrap();
        let (page_index, pushdown) = scan.expect("a Parquet scan in the plan");
        (page_index, pushdown, filter_exec)
    }

    /// `row_groups_pruned_dynamic_filter` summed over the plan's scans, from EXPLAIN ANALYZE.
    async fn pruned_while_scanning(ctx: &SessionContext, sql: &str) -> u64 {
        let batches = ctx.sql(&format!("EXPLAIN ANALYZE {sql}")).await.unwrap().collect().await.unwrap();
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches).unwrap().to_string();
        text.match_indices("row_groups_pruned_dynamic_filter=")
            .filter_map(|(at, m)| {
                let rest = &text[at + m.len()..];
                rest[..rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len())].parse::<u64>().ok()
            })
            .sum()
    }

    const TOPK_LIKE: &str = "SELECT id, note FROM t WHERE note LIKE 'a%' ORDER BY id LIMIT 5";

    #[tokio::test]
    async fn a_topk_scan_prunes_row_groups_as_its_filter_tightens() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(true, dir.path()).await;
        // No page index, the filter and the bound evaluated in the reader, no FilterExec left.
        assert_eq!(scan_of(&ctx, TOPK_LIKE).await, (false, true, false));
        // The first row group holds the five smallest ids with a note starting with 'a': the
        // other nineteen are skipped while the scan runs.
        let pruned = pruned_while_scanning(&ctx, TOPK_LIKE).await;
        assert!(pruned >= 15, "{pruned} row groups pruned");
        let rows = ctx.sql(TOPK_LIKE).await.unwrap().collect().await.unwrap();
        let ids: Vec<i64> = rows
            .iter()
            .flat_map(|b| b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().to_vec())
            .collect();
        // The same rows as without the rule.
        let plain = context(false, dir.path()).await;
        let expected: Vec<i64> = plain
            .sql(TOPK_LIKE)
            .await
            .unwrap()
            .collect()
            .await
            .unwrap()
            .iter()
            .flat_map(|b| b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().to_vec())
            .collect();
        assert_eq!(ids, expected);
        assert_eq!(ids.len(), 5);
    }

    #[tokio::test]
    async fn without_the_rule_datafusion_does_not_prune_under_a_page_selection() {
        // Why the rule exists: a page selection and a FilterExec's batching keep the bound from
        // pruning (see the module doc). When this fails, DataFusion prunes by itself: check
        // whether the rule still pays.
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(false, dir.path()).await;
        assert_eq!(scan_of(&ctx, TOPK_LIKE).await, (true, false, true));
        assert_eq!(pruned_while_scanning(&ctx, TOPK_LIKE).await, 0);
    }

    #[tokio::test]
    async fn a_topk_over_an_unsorted_column_returns_the_same_rows() {
        // The bound prunes little here (notes are random): the answer must not change.
        let dir = tempfile::tempdir().unwrap();
        let sql = "SELECT note, id FROM t WHERE id % 7 = 3 ORDER BY note DESC, id LIMIT 20";
        let text = |batches: Vec<RecordBatch>| {
            datafusion::arrow::util::pretty::pretty_format_batches(&batches).unwrap().to_string()
        };
        let with = text(context(true, dir.path()).await.sql(sql).await.unwrap().collect().await.unwrap());
        let without = text(context(false, dir.path()).await.sql(sql).await.unwrap().collect().await.unwrap());
        assert_eq!(with, without);
        assert_eq!(with.lines().count(), 20 + 4, "{with}");
    }

    #[tokio::test]
    async fn other_scans_keep_the_page_index() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(true, dir.path()).await;
        for sql in [
            "SELECT id, note FROM t WHERE id = 1234",
            "SELECT count(*) FROM t WHERE note LIKE 'a%'",
            "SELECT note, count(*) AS n FROM t GROUP BY note ORDER BY n DESC LIMIT 5",
        ] {
            let (page_index, pushdown, _) = scan_of(&ctx, sql).await;
            assert!(page_index && !pushdown, "{sql}");
        }
    }
}
