//! Diagnostics as text: a table's report (findings, partitions, file sizes, cost, growth) and a
//! rollup's ranking, for `lakescope diag` and for the numbers page of the TUI's diagnostics view.

use crate::lake::diag::rollup::RollupRow;
use crate::lake::diag::{Rollup, Severity, TableDiag};
use crate::lake::pricing::usd;
use crate::lake::units;

/// A horizontal bar of `width` cells for `v` out of `max`, in eighths (`#` when ASCII).
pub fn bar(v: u64, max: u64, width: usize, ascii: bool) -> String {
    if max == 0 || width == 0 {
        return String::new();
    }
    let eighths = ((v as u128 * width as u128 * 8).div_ceil(max as u128)) as usize;
    if ascii {
        return "#".repeat(eighths.div_ceil(8).min(width));
    }
    let full = eighths / 8;
    let mut s = "█".repeat(full.min(width));
    let part = eighths % 8;
    if part > 0 && full < width {
        s.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][part - 1]);
    }
    s
}

pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::Warn => "WARN",
        Severity::Info => "info",
    }
}

fn rows_text(rows: Option<u64>) -> String {
    rows.map(units::count).unwrap_or_else(|| "?".into())
}

/// One line saying what a table is: format, files, size, rows, partitions.
pub fn headline(d: &TableDiag) -> String {
    let t = &d.totals;
    let mut s = format!(
        "{} · {} · {} · {} rows",
        d.format,
        units::plural(t.files, "file"),
        units::bytes(t.bytes),
        rows_text(t.rows)
    );
    if t.partitions > 0 {
        s.push_str(&format!(" · {}", units::plural(t.partitions, "partition")));
    }
    if let Some(v) = d.version {
        s.push_str(&format!(" · v{v}"));
    }
    s
}

/// The findings, one or two lines each.
pub fn finding_lines(d: &TableDiag) -> Vec<String> {
    if d.findings.is_empty() {
        return vec!["  no findings".into()];
    }
    let mut l = Vec::new();
    for f in &d.findings {
        l.push(format!("  {:<4}  {:<16} {}", severity_label(f.severity), f.kind, f.title));
        l.push(format!("        {:<16} → {}", "", f.suggestion));
    }
    l
}

/// The full report of one table.
pub fn table_lines(d: &TableDiag, ascii: bool) -> Vec<String> {
    let mut l = vec![format!("{}  {}", d.table, headline(d))];
    l.push(format!("  at {}", d.location));
    for s in &d.sources {
        l.push(format!("  read: {s}"));
    }
    for n in &d.notes {
        l.push(format!("  note: {n}"));
    }
    l.push(String::new());
    l.push("FINDINGS".into());
    l.extend(finding_lines(d));

    let p = &d.partitions;
    if d.totals.partitions > 0 {
        l.push(String::new());
        let cols: Vec<String> =
            p.columns.iter().map(|c| format!("{}: {} values", c.column, units::count(c.distinct))).collect();
        l.push(format!(
            "PARTITIONS  {} ({}), median {}{}",
            units::count(d.totals.partitions),
            cols.join(", "),
            units::bytes(p.median_bytes),
            p.skew.map(|s| format!(", largest {s:.1}x the median")).unwrap_or_default()
        ));
        if p.tiny > 0 {
            l.push(format!("  {} tiny (< {})", units::count(p.tiny), units::bytes(d.small_files.target / 128)));
        }
        let max = p.list.first().map(|x| x.bytes).unwrap_or(0);
        let shown = p.list.len().min(15);
        let rows: Vec<[String; 6]> = p.list[..shown]
            .iter()
            .map(|x| {
                [
                    x.name.clone(),
                    units::count(x.files),
                    units::bytes(x.bytes),
                    rows_text(x.rows),
                    units::count(x.small_files),
                    bar(x.bytes, max, 24, ascii),
                ]
            })
            .collect();
        for line in units::align_columns(
            &["  PARTITION", "FILES", "SIZE", "ROWS", "SMALL", ""],
            &rows,
            &[1, 2, 3, 4],
            usize::MAX,
            "~",
        ) {
            l.push(format!("  {}", line.trim_start()));
        }
        if p.list.len() > shown {
            l.push(format!("  … {} more partitions", units::count((p.list.len() - shown) as u64)));
        }
    }

    let sf = &d.small_files;
    l.push(String::new());
    l.push(format!(
        "FILE SIZES  small < {} · target {} (from {}) · {} small ({}) · {} after compaction · {} fewer GETs per scan",
        units::bytes(sf.threshold),
        units::bytes(sf.target),
        sf.target_source,
        units::count(sf.small),
        crate::lake::diag::percent(sf.share),
        units::count(sf.after_compaction),
        units::count(sf.requests_saved_per_scan)
    ));
    let max = sf.histogram.iter().map(|b| b.files).max().unwrap_or(0);
    for b in &sf.histogram {
        l.push(format!(
            "  {:<14} {:>9} {:>10}  {}",
            b.label,
            units::count(b.files),
            units::bytes(b.bytes),
            bar(b.files, max, 30, ascii)
        ));
    }
    l.push("  small by other systems' thresholds:".into());
    for s in &sf.by_system {
        l.push(format!("    {:<54} {:>9} files", s.system, units::count(s.files)));
    }

    let c = &d.cost;
    l.push(String::new());
    if c.source == "-" {
        l.push(format!(
            "COST  {} (price it as a cloud: `lakescope diag --price-as s3`, or local_as = \"s3\" under [pricing] in the config)",
            c.prices
        ));
    } else {
        l.push(format!("COST  {} (checked {}; {})", c.prices, c.checked, c.source));
    }
    for cl in &c.by_class {
        l.push(format!(
            "  storage {:<14} {:>10}  {}/month{}",
            cl.class,
            units::bytes(cl.bytes),
            usd(cl.monthly_usd),
            if cl.reported || c.source == "-" { "" } else { " (class assumed: the listing does not report it)" }
        ));
    }
    if let Some(s) = &c.stale {
        l.push(format!(
            "  stale (removed, not vacuumed) {} in {}: {}/month; {} past the {} retention{}",
            units::bytes(s.bytes),
            units::plural(s.files, "file"),
            usd(s.monthly_usd),
            units::bytes(s.vacuumable_bytes),
            s.retention_hours.map(|h| format!("{h}h")).unwrap_or_else(|| "table's".into()),
            if s.listed { "" } else { " (from the log alone)" }
        ));
    }
    l.push(format!("  total {}/month (data, metadata and stale files)", usd(c.monthly_usd)));
    l.push(format!(
        "  one full scan: {} GETs + {} scanned = {}; after compaction {} GETs = {}",
        units::count(c.scan_now.gets),
        units::bytes(c.scan_now.bytes),
        usd(c.scan_now.usd),
        units::count(c.scan_after_compaction.gets),
        usd(c.scan_after_compaction.usd)
    ));
    for s in c.lifecycle.iter().filter(|s| s.files > 0) {
        l.push(format!(
            "  lifecycle: {:>10} not modified for {}+ days → {}: saves {}/month (reading back {}; {})",
            units::bytes(s.bytes),
            s.after_days,
            s.class,
            usd(s.monthly_saving_usd),
            usd(s.retrieval_usd),
            s.note
        ));
    }

    if !d.schema_drift.is_empty() {
        l.push(String::new());
        l.push(format!("SCHEMA DRIFT  {}", units::plural(d.schema_drift.len() as u64, "file")));
        for f in d.schema_drift.iter().take(10) {
            l.push(format!("  {}: {}", f.path, f.drift.join(", ")));
        }
    }
    if d.growth.len() > 1 {
        l.push(String::new());
        let first = &d.growth[0];
        let last = &d.growth[d.growth.len() - 1];
        l.push(format!(
            "GROWTH  {} → {}: {} → {}, {} → {} files",
            first.label,
            last.label,
            units::bytes(first.bytes),
            units::bytes(last.bytes),
            units::count(first.files),
            units::count(last.files)
        ));
        let max = d.growth.iter().map(|g| g.bytes).max().unwrap_or(0);
        l.push(format!("  {}", sparkline(&d.growth.iter().map(|g| g.bytes).collect::<Vec<_>>(), max, ascii)));
    }
    l
}

/// One character per value.
pub fn sparkline(values: &[u64], max: u64, ascii: bool) -> String {
    let ticks: &[char] =
        if ascii { &['_', '.', '-', '=', '#'] } else { &['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] };
    values
        .iter()
        .map(
            |v| {
                if max == 0 {
                    ticks[0]
                } else {
                    ticks[((*v as u128 * (ticks.len() as u128 - 1)) / max as u128) as usize]
                }
            },
        )
        .collect()
}

/// Columns of a rollup's table list (right-aligned: 3 to 8).
pub const ROLLUP_HEADER: [&str; 10] =
    ["", "TABLE", "FORMAT", "FILES", "SIZE", "SMALL→AFTER", "SKEW", "STALE", "$/MONTH", "TOP FINDING"];
pub const ROLLUP_RIGHT: [usize; 6] = [3, 4, 5, 6, 7, 8];

/// One ranked table's cells, named `name`.
pub fn rollup_cells(x: &RollupRow, name: String) -> [String; 10] {
    [
        x.worst.map(severity_label).unwrap_or("ok").to_string(),
        name,
        x.format.to_string(),
        units::count(x.files),
        units::bytes(x.bytes),
        format!("{}→{}", units::count(x.small_files), units::count(x.after_compaction)),
        x.skew.map(|s| format!("{s:.1}x")).unwrap_or_else(|| "-".into()),
        if x.stale_bytes > 0 { units::bytes(x.stale_bytes) } else { "-".into() },
        usd(x.monthly_usd),
        x.top.clone().unwrap_or_default(),
    ]
}

/// A rollup: totals, zones, the ranked tables, the failures.
pub fn rollup_lines(r: &Rollup) -> Vec<String> {
    let t = &r.totals;
    let mut l = vec![format!(
        "{}  {} · {} · {} · {} rows{} · {} partitions · {}/month",
        r.scope,
        units::plural(t.tables, "table"),
        units::plural(t.files, "file"),
        units::bytes(t.bytes),
        units::count(t.rows),
        if t.rows_unknown_tables > 0 {
            format!(" (+{} tables without row counts)", t.rows_unknown_tables)
        } else {
            String::new()
        },
        units::count(t.partitions),
        usd(t.monthly_usd)
    )];
    l.push(format!(
        "  findings: {} critical, {} warn, {} info · {} small files ({} after compaction) · {} stale",
        t.critical,
        t.warn,
        t.info,
        units::count(t.small_files),
        units::count(t.after_compaction),
        units::bytes(t.stale_bytes)
    ));
    if r.zones.len() > 1 {
        l.push(String::new());
        let rows: Vec<[String; 6]> = r
            .zones
            .iter()
            .map(|z| {
                [
                    format!("{}/{}", z.bucket, z.zone),
                    units::count(z.tables),
                    units::count(z.files),
                    units::bytes(z.bytes),
                    usd(z.monthly_usd),
                    z.findings.to_string(),
                ]
            })
            .collect();
        l.extend(units::align_columns(
            &["ZONE", "TABLES", "FILES", "SIZE", "$/MONTH", "FINDINGS"],
            &rows,
            &[1, 2, 3, 4, 5],
            usize::MAX,
            "~",
        ));
    }
    l.push(String::new());
    let rows: Vec<[String; 10]> = r
        .tables
        .iter()
        .map(|x| {
            let mut c = rollup_cells(x, x.table.clone());
            c[9] = units::truncate(&c[9], 70, "…");
            c
        })
        .collect();
    l.extend(units::align_columns(&ROLLUP_HEADER, &rows, &ROLLUP_RIGHT, usize::MAX, "~"));
    for f in &r.failed {
        l.push(format!("! {} ({}): not diagnosed: {}", f.table, f.format, f.reason));
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_sparklines_scale() {
        assert_eq!(bar(10, 10, 4, false), "████");
        assert_eq!(bar(5, 10, 4, false), "██");
        assert_eq!(bar(1, 10, 4, false), "▌");
        assert_eq!(bar(1, 10, 4, true), "#");
        assert_eq!(bar(0, 10, 4, false), "");
        assert_eq!(bar(3, 0, 4, false), "");
        assert_eq!(sparkline(&[0, 5, 10], 10, false), "▁▄█");
        assert_eq!(sparkline(&[0, 10], 10, true), "_#");
    }
}
