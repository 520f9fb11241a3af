//! Text of the write actions' plans and outcomes, shared by the headless commands and the TUI's
//! plan and job views: the compaction plan, the before / after diagnostics side by side, the
//! vacuum dry run.

use crate::lake::diag::TableDiag;
use crate::lake::maintain::delta::VacuumPlan;
use crate::lake::maintain::run::{Compacted, ConvertPlan, WriteOutcome, WritePlan, WriteRequest};
use crate::lake::maintain::{CompactKind, CompactPlan};
use crate::lake::pricing::usd;
use crate::lake::units;

/// Any write's plan as text; `shown` caps the partitions / files listed (`None`: every one, for
/// a view that scrolls).
pub fn write_plan_lines(plan: &WritePlan, shown: Option<usize>) -> Vec<String> {
    match plan {
        WritePlan::Compact(p) => plan_lines(&p.plan, shown),
        WritePlan::Vacuum(p) => vacuum_lines(p, shown),
        WritePlan::Convert(p) => convert_lines(p),
    }
}

/// What a write did, as text.
pub fn write_outcome_lines(req: &WriteRequest, outcome: &WriteOutcome) -> Vec<String> {
    match outcome {
        WriteOutcome::Compacted(c) => outcome_lines(c),
        WriteOutcome::Vacuumed(r) => vec![format!(
            "vacuumed {}: deleted {} ({}); the table is at version {}",
            req.name,
            units::plural(r.files_deleted, "file"),
            units::bytes(r.bytes_deleted),
            r.version_after
        )],
        WriteOutcome::Converted(r) => vec![format!(
            "converted {}: a Delta table at version {} with {}; compaction is one transaction now",
            req.name,
            r.version,
            units::plural(r.files, "file")
        )],
    }
}

/// The convert-to-Delta plan.
pub fn convert_lines(p: &ConvertPlan) -> Vec<String> {
    let mut out = vec![format!("convert {} ({}) to a Delta table in place", p.table, p.location)];
    if let Some(r) = &p.refusal {
        out.push(format!("  {r}"));
    }
    out.push(format!(
        "  {} ({}) listed in a new _delta_log as version 0; nothing is rewritten or moved",
        units::plural(p.files, "Parquet file"),
        units::bytes(p.bytes)
    ));
    if !p.partition_columns.is_empty() {
        out.push(format!("  partition columns: {}", p.partition_columns.join(", ")));
    }
    out.push("  afterwards: compaction is one transaction, and time travel and vacuum work".into());
    out
}

/// The compaction plan, as the confirmation screen shows it.
pub fn plan_lines(p: &CompactPlan, shown: Option<usize>) -> Vec<String> {
    // Most important first: a screen of 24 rows shows the top.
    let mut out = vec![format!(
        "{} {} ({}{})",
        match p.kind {
            CompactKind::Compact => "compact",
            CompactKind::ZOrder => "z-order",
        },
        p.table,
        p.format,
        p.version.map(|v| format!(", version {v}")).unwrap_or_default()
    )];
    if let Some(r) = &p.refusal {
        out.push(format!("  {r}"));
    }
    out.push(format!("  {}", p.summary()));
    if !p.is_empty() {
        out.push(format!(
            "  requests: about {} GET, {} PUT, {} DELETE, {} LIST — {} at {}",
            units::count(p.requests.get),
            units::count(p.requests.put),
            units::count(p.requests.delete),
            units::count(p.requests.list),
            usd(p.cost_usd),
            p.prices
        ));
        out.push(format!(
            "  time: roughly {} (at about {:.0} MiB/s)",
            units::duration_ms((p.seconds * 1000.0).max(1.0) as u64),
            p.rate_mib_s
        ));
    }
    for n in &p.notes {
        out.push(format!("  note: {n}"));
    }
    if !p.zorder.is_empty() {
        out.push(format!("  z-order columns: {}", p.zorder.join(", ")));
    }
    out.push(format!(
        "  scope: {}{} — {} in {}",
        if p.partition_filter.is_empty() { "the whole table".to_string() } else { p.partition_filter.join(" and ") },
        if p.partition_filter.is_empty() { "" } else { " only" },
        units::plural(p.files_before, "file"),
        units::bytes(p.bytes_before),
    ));
    out.push(format!("  target file size: {} (from {})", units::bytes(p.target_size), p.target_source));
    let shown = shown.unwrap_or(usize::MAX);
    for part in p.partitions.iter().take(shown) {
        // The partition last, whole: the view wraps or scrolls it, never cuts it at a fixed width.
        out.push(format!(
            "    {:>6} → {:<4} {:>10}  {}",
            units::count(part.rewrite_files),
            units::count(part.outputs),
            units::bytes(part.rewrite_bytes),
            if part.partition.is_empty() { "(unpartitioned)" } else { part.partition.as_str() },
        ));
    }
    if p.partitions.len() > shown {
        out.push(format!(
            "    … and {} (--json lists every one)",
            units::plural((p.partitions.len() - shown) as u64, "more partition")
        ));
    }
    out
}

/// `before → after` rows of the diagnostics that compaction changes.
pub fn before_after(before: &TableDiag, after: &TableDiag) -> Vec<[String; 3]> {
    let rows = |d: &TableDiag| d.totals.rows.map(units::count).unwrap_or_else(|| "?".into());
    let worst = |d: &TableDiag| d.worst().map(|s| s.as_str().to_string()).unwrap_or_else(|| "healthy".into());
    vec![
        ["files".into(), units::count(before.totals.files), units::count(after.totals.files)],
        ["bytes".into(), units::bytes(before.totals.bytes), units::bytes(after.totals.bytes)],
        ["rows".into(), rows(before), rows(after)],
        ["small files".into(), units::count(before.small_files.small), units::count(after.small_files.small)],
        ["GETs per full scan".into(), units::count(before.totals.files * 2), units::count(after.totals.files * 2)],
        [
            "stale (not vacuumed)".into(),
            units::bytes(before.totals.stale_bytes),
            units::bytes(after.totals.stale_bytes),
        ],
        ["worst finding".into(), worst(before), worst(after)],
    ]
}

/// What a compaction did, with the diagnostics before and after.
pub fn outcome_lines(c: &Compacted) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = &c.recovery {
        out.push(r.summary());
    }
    if let Some(d) = &c.delta {
        out.push(format!(
            "compacted {}: {} → {} files ({} → {}) in {}, {} (v{} → v{})",
            c.plan.table,
            units::count(d.files_removed),
            units::count(d.files_added),
            units::bytes(d.bytes_removed),
            units::bytes(d.bytes_added),
            units::plural(d.partitions_optimized, "partition"),
            units::plural(d.commits, "commit"),
            d.version_before,
            d.version_after
        ));
    }
    if let Some(d) = &c.dataset {
        out.push(format!(
            "compacted {}: {} → {} files ({} → {}) in {}; {} verified by checksum",
            c.plan.table,
            units::count(d.files_removed),
            units::count(d.files_added),
            units::bytes(d.bytes_removed),
            units::bytes(d.bytes_added),
            units::plural(d.partitions, "partition"),
            units::plural(d.rows, "row"),
        ));
        for s in &d.skipped {
            out.push(format!("  left as it was: {s}"));
        }
    }
    if c.delta.is_none() && c.dataset.is_none() {
        out.push(format!("{}: nothing to compact", c.plan.table));
    }
    out.push(format!(
        "took {}, read {}, wrote {}",
        units::duration_ms(c.elapsed_ms),
        units::bytes(c.bytes_read),
        units::bytes(c.bytes_written)
    ));
    let rows = before_after(&c.before, &c.after);
    let table: Vec<[String; 3]> = rows;
    for line in units::align_columns(&["", "BEFORE", "AFTER"], &table, &[1, 2], usize::MAX, "~") {
        out.push(format!("  {line}"));
    }
    out
}

/// The vacuum dry run.
pub fn vacuum_lines(p: &VacuumPlan, shown: Option<usize>) -> Vec<String> {
    let mut out = vec![format!("vacuum {} (version {})", p.table, p.version)];
    if let Some(r) = &p.refusal {
        out.push(format!("  {r}"));
    }
    out.push(format!(
        "  retention: {}{} — files removed from the table before {} are deleted",
        units::hours(p.retention_hours),
        if p.below_table_retention {
            format!(", BELOW the table's {}", units::hours(p.table_retention_hours))
        } else {
            " (the table's)".to_string()
        },
        units::timestamp_ms(p.cutoff_ms)
    ));
    if p.files.is_empty() {
        out.push("  nothing to delete".into());
    } else {
        out.push(format!("  delete {} ({})", units::plural(p.files.len() as u64, "file"), units::bytes(p.bytes)));
        let shown = shown.unwrap_or(usize::MAX);
        for (f, s) in p.files.iter().take(shown) {
            out.push(format!("    {:>10}  {f}", units::bytes(*s)));
        }
        if p.files.len() > shown {
            out.push(format!(
                "    … and {} (--json lists every one)",
                units::plural((p.files.len() - shown) as u64, "more file")
            ));
        }
        out.push(match p.oldest_readable_version {
            Some(v) if v > 0 => {
                format!("  time travel: versions before v{v} will no longer be readable; v{v} and later stay readable")
            }
            _ => "  time travel: every version stays readable".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn retention_reads_as_hours_and_days() {
        use crate::lake::units;
        assert_eq!(units::hours(168.0), "168 h (7 days)");
        assert_eq!(units::hours(1.0), "1 h");
        assert_eq!(units::hours(0.5), "0.5 h");
    }
}
