//! What a query will read, before it runs: the physical plan is built (tables opened, partition
//! filters and file statistics applied, no data read) and its file scans are summed into files,
//! bytes and an estimate of GET requests, priced with the lake provider's request price and a
//! $/TB-scanned engine price. After the run, the instrumented store gives the actual figures to
//! set beside it.

use std::collections::BTreeSet;
use std::sync::Arc;

use datafusion::datasource::physical_plan::FileScanConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::physical_plan::ExecutionPlan;

use super::{SqlEngine, SqlError};

/// GETs for a Parquet file's footer: DataFusion reads the last 512 KiB at once.
const FOOTER_GETS: u64 = 1;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Estimate {
    /// Files scanned after partition pruning and statistics (a file split in ranges counts once).
    pub files: u64,
    /// Their whole size: an upper bound (column projection and row-group pruning read less).
    pub bytes: u64,
    /// GET requests: the footer and at least one data read per Parquet file, one per range of a
    /// text file.
    pub gets: u64,
    /// Distinct hive partition folders (`key=value/`) among the files.
    pub partitions: u64,
    /// Scans of in-memory tables (JSON documents, information_schema): nothing read from the lake.
    pub memory_scans: u64,
    /// File scans in the plan.
    pub scans: u64,
}

impl SqlEngine {
    /// Plan `sql` down to its file scans without running it.
    pub async fn estimate(&self, sql: &str) -> Result<Estimate, SqlError> {
        let df = self.plan(sql).await?;
        let plan = df.create_physical_plan().await.map_err(|e| self.explain(e))?;
        let mut est = Estimate::default();
        let mut dirs: BTreeSet<String> = BTreeSet::new();
        walk(&plan, &mut est, &mut dirs);
        est.partitions = dirs.len() as u64;
        Ok(est)
    }
}

fn walk(plan: &Arc<dyn ExecutionPlan>, est: &mut Estimate, dirs: &mut BTreeSet<String>) {
    if let Some(exec) = plan.downcast_ref::<DataSourceExec>() {
        if let Some(scan) = exec.data_source().downcast_ref::<FileScanConfig>() {
            est.scans += 1;
            let parquet = scan.file_source().file_type() == "parquet";
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            for group in &scan.file_groups {
                for f in group.iter() {
                    let path = f.object_meta.location.as_ref();
                    if !parquet {
                        est.gets += 1;
                    }
                    if seen.insert(path) {
                        est.files += 1;
                        est.bytes += f.object_meta.size;
                        if parquet {
                            est.gets += FOOTER_GETS + 1;
                        }
                        // Hive-style partition folders (`date=2026-01-01/`).
                        if let Some((dir, _)) = path.rsplit_once('/')
                            && dir.rsplit('/').next().is_some_and(|seg| seg.contains('='))
                        {
                            dirs.insert(dir.to_string());
                        }
                    }
                }
            }
        } else {
            est.memory_scans += 1;
        }
    }
    for child in plan.children() {
        walk(child, est, dirs);
    }
}
