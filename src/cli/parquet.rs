//! Headless Parquet commands: `lakescope parquet FILE` (footer summary, schema, row groups,
//! column chunks, page indexes; a folder gives the dataset summary) and `lakescope head FILE`
//! (rows of one row group). Same core as the TUI's inspector.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use serde::Serialize;

use super::{ExitCode, Target, print_table};
use crate::lake::parquet::dataset::DatasetSummary;
use crate::lake::parquet::meta::{ParquetFile, ParquetSummary, ReadTally};
use crate::lake::parquet::preview::PreviewRequest;
use crate::lake::units;
use crate::lake::{LakeError, LakeStore, LakeUrl};

/// Split `FILE` into the store of its folder and the file itself.
pub fn open_file(target: &Target) -> Result<(LakeStore, ParquetFile), LakeError> {
    let arg = target.root.as_str();
    let (parent, name) = match arg.rsplit_once('/') {
        // `s3://bucket` names no object.
        Some((p, _)) if p.ends_with(':') || p.ends_with(":/") => {
            return Err(LakeError::Read { location: arg.to_string(), reason: "a bucket, not a Parquet file".into() });
        }
        Some(("", n)) => ("/".to_string(), n.to_string()),
        Some((p, n)) => (p.to_string(), n.to_string()),
        None => (".".to_string(), arg.to_string()),
    };
    let store = LakeStore::open(LakeUrl::parse(&parent)?, &target.options)?;
    let file = ParquetFile {
        store: store.object_store(),
        key: store.key(&name),
        location: store.url_of(&name, false).to_string(),
        size: None,
    };
    Ok((store, file))
}

/// A folder (local path or `file://`), a bare bucket, or any URL ending in `/`: a dataset rather
/// than a file.
fn names_a_folder(arg: &str) -> bool {
    let local = arg.strip_prefix("file://").unwrap_or(arg);
    let bucket_only = arg.split_once("://").is_some_and(|(_, rest)| !rest.is_empty() && !rest.contains('/'));
    arg.ends_with('/') || bucket_only || (!local.contains("://") && std::path::Path::new(local).is_dir())
}

pub async fn parquet(
    target: &Target,
    row_group: Option<usize>,
    pages: bool,
    json: bool,
    concurrency: usize,
) -> anyhow::Result<ExitCode> {
    if names_a_folder(&target.root) {
        return dataset(target, json, concurrency).await;
    }
    let (_store, file) = open_file(target)?;
    let footer = match crate::lake::parquet::meta::read_footer(&file).await {
        Ok(f) => f,
        // In an object store a folder is a prefix, not an object: read it as a dataset.
        Err(e) if e.failure() == Some(crate::lake::error::Failure::NotFound) && target.root.contains("://") => {
            return dataset(target, json, concurrency).await;
        }
        Err(e) => return Err(e.into()),
    };
    let summary = crate::lake::parquet::meta::summarize(&file.location, &footer);
    let page_index = match (pages, row_group.or(Some(0))) {
        (true, Some(rg)) if rg < summary.row_group_count => {
            crate::lake::parquet::meta::read_page_index(&file, &footer, rg, Arc::new(ReadTally::default())).await?
        }
        _ => None,
    };
    let mut out = std::io::stdout().lock();
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            summary: &'a ParquetSummary,
            #[serde(skip_serializing_if = "Option::is_none")]
            page_index: Option<&'a Vec<crate::lake::parquet::meta::PageIndexInfo>>,
        }
        serde_json::to_writer_pretty(&mut out, &Out { summary: &summary, page_index: page_index.as_ref() })?;
        writeln!(out)?;
        return Ok(0);
    }
    print_summary(&mut out, &summary, row_group)?;
    if let Some(pi) = &page_index {
        for col in pi {
            writeln!(
                out,
                "\npages of {} (row group {}, order {})",
                col.column,
                col.row_group,
                col.boundary_order.as_deref().unwrap_or("-")
            )?;
            let rows: Vec<[String; 6]> = col
                .pages
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    [
                        i.to_string(),
                        p.first_row.to_string(),
                        units::bytes(p.compressed.max(0) as u64),
                        p.null_count.map(|n| n.to_string()).unwrap_or("-".into()),
                        p.min.clone().unwrap_or("-".into()),
                        p.max.clone().unwrap_or("-".into()),
                    ]
                })
                .collect();
            print_table(&mut out, &["PAGE", "FIRST ROW", "SIZE", "NULLS", "MIN", "MAX"], &rows, &[0, 1, 2, 3])?;
        }
    } else if pages {
        writeln!(out, "\nno page index in this file")?;
    }
    Ok(0)
}

fn print_summary(out: &mut impl Write, s: &ParquetSummary, row_group: Option<usize>) -> std::io::Result<()> {
    let ratio = if s.compressed > 0 { s.uncompressed as f64 / s.compressed as f64 } else { 0.0 };
    writeln!(out, "file         {}", s.location)?;
    writeln!(out, "size         {}", units::bytes(s.file_size))?;
    writeln!(
        out,
        "footer       {} (read with {} in {})",
        units::bytes(s.footer_len + 8),
        units::plural(s.requests, "request"),
        units::bytes(s.bytes_read)
    )?;
    writeln!(
        out,
        "rows         {} in {}",
        units::count(s.rows.max(0) as u64),
        units::plural(s.row_group_count as u64, "row group")
    )?;
    writeln!(out, "created by   {}", s.created_by.as_deref().unwrap_or("-"))?;
    writeln!(out, "format       version {}, {} leaf columns", s.format_version, s.leaf_columns)?;
    writeln!(
        out,
        "data         {} compressed, {} uncompressed ({ratio:.1}x)",
        units::bytes(s.compressed),
        units::bytes(s.uncompressed)
    )?;
    for kv in &s.key_value {
        writeln!(out, "metadata     {} = {}", kv.key, kv.value)?;
    }
    for n in &s.notes {
        writeln!(out, "! {n}")?;
    }
    writeln!(out, "\nschema")?;
    for n in &s.schema {
        let ty = n.type_text();
        writeln!(out, "  {}{} {} {}", "  ".repeat(n.depth), n.name, n.repetition, ty)?;
    }
    writeln!(out, "\nrow groups")?;
    let rows: Vec<[String; 7]> = s
        .row_groups
        .iter()
        .map(|r| {
            [
                r.index.to_string(),
                units::count(r.rows.max(0) as u64),
                units::bytes(r.compressed),
                units::bytes(r.uncompressed),
                format!("{:.1}x", r.ratio()),
                r.file_offset.map(|o| o.to_string()).unwrap_or("-".into()),
                if r.sorting.is_empty() { "-".into() } else { r.sorting.join(", ") },
            ]
        })
        .collect();
    print_table(
        out,
        &["#", "ROWS", "COMPRESSED", "UNCOMPRESSED", "RATIO", "OFFSET", "SORTED BY"],
        &rows,
        &[0, 1, 2, 3, 4, 5],
    )?;
    let shown = row_group.unwrap_or(0);
    if let Some(rg) = s.row_groups.get(shown) {
        writeln!(out, "\ncolumn chunks of row group {shown}")?;
        let rows: Vec<[String; 9]> = rg
            .columns
            .iter()
            .map(|c| {
                let st = c.stats.as_ref();
                [
                    c.path.clone(),
                    c.physical.clone(),
                    c.codec.clone(),
                    c.encodings.join(","),
                    units::bytes(c.compressed),
                    units::bytes(c.uncompressed),
                    st.and_then(|s| s.null_count).map(|n| n.to_string()).unwrap_or("-".into()),
                    format!(
                        "{} .. {}",
                        st.and_then(|s| s.min.clone()).unwrap_or("-".into()),
                        st.and_then(|s| s.max.clone()).unwrap_or("-".into())
                    ),
                    c.flags(),
                ]
            })
            .collect();
        print_table(
            out,
            &["COLUMN", "TYPE", "CODEC", "ENCODINGS", "STORED", "RAW", "NULLS", "MIN .. MAX", "DCOB"],
            &rows,
            &[4, 5, 6],
        )?;
        writeln!(out, "(D dictionary page, C column index, O offset index, B bloom filter)")?;
    }
    Ok(())
}

pub async fn head(
    target: &Target,
    row_group: usize,
    limit: usize,
    columns: &[String],
    json: bool,
    memory_limit: u64,
) -> anyhow::Result<ExitCode> {
    let (_store, file) = open_file(target)?;
    let footer = crate::lake::parquet::meta::read_footer(&file).await?;
    let roots = crate::lake::parquet::preview::root_columns(&footer);
    let selected = if columns.is_empty() {
        None
    } else {
        let mut idx = Vec::new();
        for c in columns {
            match roots.iter().position(|r| r == c) {
                Some(i) => idx.push(i),
                None => anyhow::bail!("no column {c:?} in {} (columns: {})", file.location, roots.join(", ")),
            }
        }
        Some(idx)
    };
    let tally = Arc::new(ReadTally::default());
    let req = PreviewRequest { row_group, columns: selected, batch_rows: limit.clamp(1, 8192), memory_limit };
    let mut preview = crate::lake::parquet::preview::open_preview(&file, &footer, &req, tally.clone())?;
    let mut batches = Vec::new();
    let mut rows = 0usize;
    let mut failure = None;
    while rows < limit {
        match preview.next_batch().await {
            Ok(Some(b)) => {
                let keep = (limit - rows).min(b.num_rows());
                rows += keep;
                batches.push(b.slice(0, keep));
            }
            Ok(None) => break,
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if json {
        let mut w = arrow::json::ArrayWriter::new(Vec::new());
        for b in &batches {
            w.write(b).context("writing JSON")?;
        }
        w.finish().context("writing JSON")?;
        let body = w.into_inner();
        let rows_json: serde_json::Value =
            if body.is_empty() { serde_json::Value::Array(vec![]) } else { serde_json::from_slice(&body)? };
        let doc = serde_json::json!({
            "location": file.location,
            "row_group": row_group,
            "columns": preview.plan.columns,
            "skipped": preview.plan.skipped,
            "rows": rows_json,
            "requests": footer.requests + tally.requests(),
            "bytes_read": footer.bytes_read + tally.bytes(),
            "file_size": footer.file_size,
            "error": failure,
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        if !batches.is_empty() {
            let opts = arrow::util::display::FormatOptions::default().with_null(crate::lake::units::NULL);
            writeln!(out, "{}", arrow::util::pretty::pretty_format_batches_with_options(&batches, &opts)?)?;
        }
        for s in &preview.plan.skipped {
            writeln!(out, "! {s}")?;
        }
        writeln!(
            out,
            "{} of {} in row group {row_group}; read {} of {} in {}",
            units::count(rows as u64),
            units::count(preview.plan.rows.max(0) as u64),
            units::bytes(footer.bytes_read + tally.bytes()),
            units::bytes(footer.file_size),
            units::plural(footer.requests + tally.requests(), "request"),
        )?;
    }
    if let Some(e) = failure {
        eprintln!("error: {}: {e}", file.location);
        return Ok(1);
    }
    if preview.plan.columns.is_empty() && !preview.plan.skipped.is_empty() {
        eprintln!("error: {}: nothing decoded ({})", file.location, preview.plan.skipped.join("; "));
        return Ok(1);
    }
    Ok(0)
}

async fn dataset(target: &Target, json: bool, concurrency: usize) -> anyhow::Result<ExitCode> {
    let store = Arc::new(target.open()?);
    // One footer per file: on a big dataset say how far it is (on a terminal only).
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = |done: usize, total: usize| {
        if interactive && (done.is_multiple_of(64) || done == total) {
            eprint!("\rreading footers… {} of {} ", units::count(done as u64), units::count(total as u64));
        }
    };
    let cancel = tokio_util::sync::CancellationToken::new();
    let summary: DatasetSummary =
        crate::lake::parquet::dataset::summarize_prefix(&store, "", concurrency, &cancel, progress).await?;
    if interactive {
        eprint!("\r\x1b[K");
    }
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
        return Ok(if summary.files.iter().any(|f| f.error.is_some()) { 1 } else { 0 });
    }
    writeln!(
        out,
        "{}: {} Parquet files, {}, {} rows",
        store.display(),
        summary.files.len(),
        units::bytes(summary.bytes),
        units::count(summary.rows)
    )?;
    let rows: Vec<[String; 6]> = summary
        .files
        .iter()
        .map(|f| {
            [
                f.path.clone(),
                units::bytes(f.size),
                f.rows.map(units::count).unwrap_or("-".into()),
                f.row_groups.map(|n| n.to_string()).unwrap_or("-".into()),
                f.created_by.clone().unwrap_or_else(|| f.error.clone().map(|e| format!("! {e}")).unwrap_or("-".into())),
                if f.drift.is_empty() { String::new() } else { "drift".into() },
            ]
        })
        .collect();
    print_table(&mut out, &["FILE", "SIZE", "ROWS", "RGS", "CREATED BY", ""], &rows, &[1, 2, 3])?;
    writeln!(out, "\nstorage by column")?;
    let rows: Vec<[String; 3]> = summary
        .column_share
        .iter()
        .map(|c| [c.column.clone(), units::bytes(c.bytes), format!("{:.1}%", c.share * 100.0)])
        .collect();
    print_table(&mut out, &["COLUMN", "STORED", "SHARE"], &rows, &[1, 2])?;
    if summary.drift_files > 0 {
        writeln!(
            out,
            "\nschema drift: {} of {} files differ from the majority schema",
            summary.drift_files,
            summary.files.len()
        )?;
        for f in summary.files.iter().filter(|f| !f.drift.is_empty()) {
            writeln!(out, "  {}: {}", f.path, f.drift.join("; "))?;
        }
    }
    Ok(if summary.files.iter().any(|f| f.error.is_some()) { 1 } else { 0 })
}
