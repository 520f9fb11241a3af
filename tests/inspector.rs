//! The Parquet inspector's core and headless commands: every shared test file opens to a footer
//! summary or a clear error; footers cost one ranged GET; a row-group preview reads only that row
//! group's chunks; hostile files (bombs, truncation, lying length fields, impostors, vanished
//! files) give a reason, never a panic; the same on the S3 test server.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use assert_cmd::Command;
use common::s3::{bucket, moto};
use lakescope::lake::parquet::meta::{ParquetFile, ReadTally};
use lakescope::lake::parquet::preview::PreviewRequest;
use lakescope::lake::store::requests::RequestKind;
use lakescope::lake::{LakeError, LakeStore};
use object_store::ObjectStoreExt;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// A Parquet file of `groups` row groups × `rows` rows with an id, a name and a payload column.
fn write_file(path: &Path, groups: usize, rows: usize) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("payload", DataType::Utf8, true),
    ]));
    let props = WriterProperties::builder().set_max_row_group_row_count(Some(rows)).build();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema.clone(), Some(props)).unwrap();
    for g in 0..groups {
        let ids: Vec<i64> = (0..rows as i64).map(|i| g as i64 * rows as i64 + i).collect();
        let names: Vec<String> = ids.iter().map(|i| format!("name-{i}")).collect();
        // Incompressible-ish payload so the chunks have real sizes.
        let payload: Vec<String> =
            ids.iter().map(|i| format!("{:x}", (*i as u64).wrapping_mul(0x9E3779B97F4A7C15))).collect();
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(ids)),
            Arc::new(StringArray::from(names)),
            Arc::new(StringArray::from(payload)),
        ];
        w.write(&RecordBatch::try_new(schema.clone(), cols).unwrap()).unwrap();
    }
    w.close().unwrap();
}

fn local_file(store: &LakeStore, name: &str) -> ParquetFile {
    ParquetFile { store: store.object_store(), key: store.key(name), location: name.to_string(), size: None }
}

fn read_reason(e: LakeError) -> String {
    match e {
        LakeError::Read { reason, .. } => reason,
        other => other.to_string(),
    }
}

#[tokio::test]
async fn every_shared_parquet_file_opens_to_a_summary_or_a_clear_error() {
    let Some(td) = common::shared_testdata() else { return };
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![td.join("parquet")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.to_string_lossy().ends_with(".md") && !p.to_string_lossy().ends_with(".txt") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 30, "the shared Parquet files are there: {}", files.len());
    let (mut summaries, mut errors) = (0, 0);
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let store = LakeStore::open_local(path.parent().unwrap().to_str().unwrap()).unwrap();
        let file = local_file(&store, &name);
        match lakescope::lake::parquet::meta::read_footer(&file).await {
            Ok(footer) => {
                summaries += 1;
                let s = lakescope::lake::parquet::meta::summarize(&name, &footer);
                assert_eq!(s.row_group_count, s.row_groups.len(), "{name}");
                assert_eq!(footer.requests, 1, "{name}: one request for a small file's footer");
                serde_json::to_string(&s).unwrap();
                if name.starts_with("large_string_map") {
                    // The decompression bomb: the footer opens, the preview refuses to expand it.
                    let req = PreviewRequest { row_group: 0, columns: None, batch_rows: 100, memory_limit: 256 << 20 };
                    let mut p =
                        lakescope::lake::parquet::preview::open_preview(&file, &footer, &req, Arc::default()).unwrap();
                    assert!(p.plan.columns.is_empty(), "{:?}", p.plan);
                    assert!(p.plan.skipped[0].contains("memory bound"), "{:?}", p.plan.skipped);
                    assert_eq!(p.next_batch().await.unwrap(), None);
                    continue;
                }
                // Decode the first rows of every row group: rows or a one-line reason.
                for rg in 0..s.row_group_count {
                    let req = PreviewRequest { row_group: rg, columns: None, batch_rows: 64, memory_limit: 256 << 20 };
                    let mut p =
                        match lakescope::lake::parquet::preview::open_preview(&file, &footer, &req, Arc::default()) {
                            Ok(p) => p,
                            Err(e) => {
                                let r = read_reason(e);
                                assert!(!r.is_empty() && !r.contains('\n'), "{name}: {r}");
                                continue;
                            }
                        };
                    match p.next_batch().await {
                        Ok(Some(b)) => {
                            lakescope::lake::parquet::preview::format_rows(&b).unwrap();
                        }
                        Ok(None) => {}
                        Err(e) => assert!(
                            e.starts_with("cannot decode") && !e.contains('\n') && !e.contains("Arrow:"),
                            "{name}: {e}"
                        ),
                    }
                }
            }
            Err(e) => {
                errors += 1;
                let r = read_reason(e);
                assert!(!r.is_empty() && !r.contains('\n') && !r.contains("panicked"), "{name}: {r}");
            }
        }
    }
    // PARQUET-1481, the fuzz case and the encrypted footer fail at the footer; the rest open.
    assert_eq!(errors, 3, "{summaries} opened");
}

#[tokio::test]
async fn statistics_and_page_indexes_are_decoded_by_logical_type() {
    let Some(td) = common::shared_testdata() else { return };
    let dir = td.join("parquet/parquet-testing/data");
    let store = LakeStore::open_local(dir.to_str().unwrap()).unwrap();
    let summary = |name: &'static str| {
        let store = store.clone();
        async move {
            let f = local_file(&store, name);
            let footer = lakescope::lake::parquet::meta::read_footer(&f).await.unwrap();
            (lakescope::lake::parquet::meta::summarize(name, &footer), footer, f)
        }
    };
    let (s, _, _) = summary("int32_decimal.parquet").await;
    let st = s.row_groups[0].columns[0].stats.clone().unwrap();
    assert_eq!((st.min.as_deref(), st.max.as_deref()), (Some("1.00"), Some("24.00")), "{st:?}");
    let (s, _, _) = summary("fixed_length_decimal.parquet").await;
    assert_eq!(s.row_groups[0].columns[0].stats.clone().unwrap().max.as_deref(), Some("24.00"));
    let (s, _, _) = summary("sort_columns.parquet").await;
    assert_eq!(s.row_groups.len(), 2);
    assert!(!s.row_groups[0].sorting.is_empty(), "sorting columns shown: {:?}", s.row_groups[0]);
    let (s, footer, f) = summary("alltypes_tiny_pages.parquet").await;
    assert!(s.row_groups[0].columns.iter().all(|c| c.offset_index));
    let tally = Arc::new(ReadTally::default());
    let pages = lakescope::lake::parquet::meta::read_page_index(&f, &footer, 0, tally.clone()).await.unwrap().unwrap();
    let id = pages.iter().find(|p| p.column == "id").unwrap();
    assert!(id.pages.len() > 100, "many tiny pages: {}", id.pages.len());
    assert_eq!(id.pages[1].first_row, 21);
    assert!(id.pages[0].min.is_some());
    assert_eq!(tally.requests(), 1, "the page index is one ranged read");
}

#[tokio::test]
async fn a_footer_costs_one_ranged_get_and_a_preview_reads_only_its_row_group() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("f.parquet"), 4, 50_000);
    let store = LakeStore::open_local(dir.path().to_str().unwrap()).unwrap();
    let file = local_file(&store, "f.parquet");
    let size = std::fs::metadata(dir.path().join("f.parquet")).unwrap().len();
    assert!(size > 2 << 20, "a file of several MiB: {size}");

    let before = store.stats.summary(0);
    let footer = lakescope::lake::parquet::meta::read_footer(&file).await.unwrap();
    let after = store.stats.summary(0);
    assert_eq!(after.total.count - before.total.count, 1, "{after:?}");
    assert_eq!(after.of(RequestKind::RangedGet).count - before.of(RequestKind::RangedGet).count, 1);
    assert!(footer.bytes_read <= 64 * 1024 && footer.bytes_read >= footer.footer_len + 8);
    let s = lakescope::lake::parquet::meta::summarize("f", &footer);
    assert_eq!((s.rows, s.row_group_count, s.leaf_columns), (200_000, 4, 3));

    // Row group 2, all columns: exactly its chunks (minus what the footer read already holds).
    let rg = &s.row_groups[2];
    let chunk_bytes: u64 = rg.columns.iter().map(|c| c.length).sum();
    let tally = Arc::new(ReadTally::default());
    let req = PreviewRequest { row_group: 2, columns: None, batch_rows: 1000, memory_limit: 256 << 20 };
    let mut p = lakescope::lake::parquet::preview::open_preview(&file, &footer, &req, tally.clone()).unwrap();
    let first = p.next_batch().await.unwrap().unwrap();
    let ids = first.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!(ids.value(0), 100_000, "the first row of row group 2");
    assert!(tally.bytes() <= chunk_bytes, "read {} of row group 2's {chunk_bytes} bytes", tally.bytes());
    assert!(tally.bytes() * 3 < size, "about a quarter of the file, not all of it");

    // Only the id column of row group 1: only that chunk.
    let tally = Arc::new(ReadTally::default());
    let req = PreviewRequest { row_group: 1, columns: Some(vec![0]), batch_rows: 1000, memory_limit: 256 << 20 };
    let mut p = lakescope::lake::parquet::preview::open_preview(&file, &footer, &req, tally.clone()).unwrap();
    assert_eq!(p.next_batch().await.unwrap().unwrap().num_columns(), 1);
    assert!(tally.bytes() <= s.row_groups[1].columns[0].length, "{} bytes", tally.bytes());
    assert_eq!(p.plan.columns, vec!["id"]);

    // A memory bound below a chunk leaves the column out and says why.
    let req = PreviewRequest { row_group: 0, columns: None, batch_rows: 10, memory_limit: 200_000 };
    let p = lakescope::lake::parquet::preview::open_preview(&file, &footer, &req, Arc::default()).unwrap();
    assert!(p.plan.skipped.iter().any(|s| s.contains("memory bound")), "{:?}", p.plan);
}

#[tokio::test]
async fn a_footer_larger_than_the_first_read_costs_exactly_two() {
    let dir = tempfile::tempdir().unwrap();
    // 1,500 columns: a footer of a few hundred KiB.
    let fields: Vec<Field> =
        (0..1500).map(|i| Field::new(format!("column_with_a_long_name_{i:05}"), DataType::Int64, true)).collect();
    let schema = Arc::new(Schema::new(fields));
    let cols: Vec<ArrayRef> = (0..1500).map(|i| Arc::new(Int64Array::from(vec![i as i64; 3])) as ArrayRef).collect();
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(dir.path().join("wide.parquet")).unwrap(), schema.clone(), None)
            .unwrap();
    w.write(&RecordBatch::try_new(schema, cols).unwrap()).unwrap();
    w.close().unwrap();
    let store = LakeStore::open_local(dir.path().to_str().unwrap()).unwrap();
    let footer = lakescope::lake::parquet::meta::read_footer(&local_file(&store, "wide.parquet")).await.unwrap();
    assert!(footer.footer_len > 64 * 1024, "{}", footer.footer_len);
    assert_eq!(footer.requests, 2);
    assert_eq!(store.stats.summary(0).total.count, 2);
    assert_eq!(footer.metadata.file_metadata().schema_descr().num_columns(), 1500);
}

#[tokio::test]
async fn hostile_and_broken_files_give_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_file(&d.join("good.parquet"), 2, 1000);
    let good = std::fs::read(d.join("good.parquet")).unwrap();
    std::fs::write(d.join("empty.parquet"), b"").unwrap();
    std::fs::write(d.join("tiny.parquet"), b"PAR1").unwrap();
    std::fs::write(d.join("truncated.parquet"), &good[..good.len() / 2]).unwrap();
    let mut lying = good.clone();
    let n = lying.len();
    lying[n - 8..n - 4].copy_from_slice(&(u32::MAX - 7).to_le_bytes());
    std::fs::write(d.join("lying.parquet"), &lying).unwrap();
    std::fs::write(d.join("impostor.parquet"), b"id,name\n1,a\n2,b\n".repeat(100)).unwrap();
    let mut garbled = good.clone();
    let n = garbled.len();
    for b in &mut garbled[n - 200..n - 8] {
        *b = 0xAB;
    }
    std::fs::write(d.join("garbled.parquet"), &garbled).unwrap();
    let store = LakeStore::open_local(d.to_str().unwrap()).unwrap();
    let reason = |name: &'static str| {
        let store = store.clone();
        async move { read_reason(lakescope::lake::parquet::meta::read_footer(&local_file(&store, name)).await.unwrap_err()) }
    };
    assert!(reason("empty.parquet").await.contains("empty file (0 bytes)"));
    assert!(reason("tiny.parquet").await.contains("too small for a Parquet file"));
    assert!(reason("truncated.parquet").await.contains("not a Parquet file"), "{}", reason("truncated.parquet").await);
    let r = reason("lying.parquet").await;
    assert!(r.contains("length field says 4.0 GiB") && r.contains("truncated or damaged"), "{r}");
    assert!(reason("impostor.parquet").await.contains("not a Parquet file: it ends with"));
    assert!(reason("garbled.parquet").await.starts_with("corrupt footer"), "{}", reason("garbled.parquet").await);
    assert!(reason("vanished.parquet").await.contains("is gone"));
    // Deleted between listing (size known) and opening.
    let listed = ParquetFile { size: Some(good.len() as u64), ..local_file(&store, "deleted.parquet") };
    assert!(read_reason(lakescope::lake::parquet::meta::read_footer(&listed).await.unwrap_err()).contains("is gone"));
    // A stale listed size (the file was rewritten smaller) still reads.
    let stale = ParquetFile { size: Some(good.len() as u64 * 3), ..local_file(&store, "good.parquet") };
    assert!(lakescope::lake::parquet::meta::read_footer(&stale).await.is_ok());
}

fn bin() -> Command {
    let mut c = Command::cargo_bin("lakescope").unwrap();
    c.env("LAKESCOPE_CONFIG", "").env_remove("RUST_BACKTRACE");
    c
}

#[test]
fn headless_parquet_and_head() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.parquet");
    write_file(&f, 3, 100);
    let out = bin().args(["parquet", f.to_str().unwrap(), "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"], 300);
    assert_eq!(v["row_group_count"], 3);
    assert_eq!(v["requests"], 1);
    assert_eq!(v["row_groups"][1]["columns"][0]["stats"]["min"], "100");
    assert_eq!(v["schema"][1]["name"], "id");

    let out = bin().args(["parquet", f.to_str().unwrap()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("rows         300 in 3 row groups"), "{text}");
    assert!(text.contains("column chunks of row group 0"), "{text}");

    let out = bin()
        .args(["head", f.to_str().unwrap(), "--row-group", "2", "--limit", "3", "--columns", "id,name", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    assert_eq!(v["rows"][0]["id"], 200);
    assert_eq!(v["rows"][0]["name"], "name-200");
    assert!(v["rows"][0].get("payload").is_none());
    // A small file: the footer read brought the whole file back, the preview reuses it.
    assert_eq!(v["requests"], 1, "{v}");

    // Codec names without the reader's default level (`ZSTD`, not `ZSTD(ZstdLevel(1))`).
    let z = dir.path().join("z.parquet");
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
    let props = WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(parquet::basic::ZstdLevel::try_new(9).unwrap()))
        .build();
    let mut w = ArrowWriter::try_new(std::fs::File::create(&z).unwrap(), schema.clone(), Some(props)).unwrap();
    w.write(&RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef]).unwrap())
        .unwrap();
    w.close().unwrap();
    let out = bin().args(["parquet", z.to_str().unwrap(), "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["row_groups"][0]["columns"][0]["codec"], "ZSTD");

    let out = bin().args(["head", f.to_str().unwrap(), "--columns", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column \"nope\""));
    let out = bin().args(["head", f.to_str().unwrap(), "--row-group", "9"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no row group 9 (the file has 3: 0..2)"));

    std::fs::write(dir.path().join("bad.parquet"), b"hello, not parquet").unwrap();
    let out = bin().args(["parquet", dir.path().join("bad.parquet").to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a Parquet file") && !err.contains("panicked"), "{err}");
}

#[test]
fn headless_dataset_summary_shows_column_share_and_drift() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    std::fs::create_dir_all(ds.join("day=1")).unwrap();
    std::fs::create_dir_all(ds.join("day=2")).unwrap();
    write_file(&ds.join("day=1/a.parquet"), 1, 100);
    write_file(&ds.join("day=2/b.parquet"), 1, 100);
    std::fs::write(ds.join("_SUCCESS"), b"").unwrap();
    // A drifting file: id written as a string.
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Utf8, true)]));
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(ds.join("day=2/c.parquet")).unwrap(), schema.clone(), None).unwrap();
    w.write(&RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(vec!["x"])) as ArrayRef]).unwrap()).unwrap();
    w.close().unwrap();

    let out = bin().args(["parquet", ds.to_str().unwrap(), "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 3);
    assert_eq!(v["rows"], 201);
    assert_eq!(v["drift_files"], 1);
    let c = v["files"].as_array().unwrap().iter().find(|f| f["path"] == "day=2/c.parquet").unwrap();
    let drift: Vec<&str> = c["drift"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert_eq!(drift, vec!["id: int64 -> string", "missing name", "missing payload"]);
    assert_eq!(v["column_share"][0]["column"], "payload", "the payload column holds the most bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_s3_a_footer_is_one_ranged_get_and_a_preview_only_its_chunks() {
    let Some(moto) = moto() else { return };
    let b = bucket("inspect");
    moto.create_bucket(&b);
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("f.parquet"), 4, 20_000);
    let bytes = std::fs::read(dir.path().join("f.parquet")).unwrap();
    let store = moto.store(&format!("s3://{b}"));
    store.object_store().put(&store.key("zone/f.parquet"), bytes.clone().into()).await.unwrap();
    let store = moto.store(&format!("s3://{b}"));
    let file =
        ParquetFile { store: store.object_store(), key: store.key("zone/f.parquet"), location: "f".into(), size: None };
    let footer = lakescope::lake::parquet::meta::read_footer(&file).await.unwrap();
    let s = store.stats.summary(10);
    assert_eq!((s.total.count, s.of(RequestKind::RangedGet).count), (1, 1), "{s:?}");
    assert_eq!(footer.file_size, bytes.len() as u64);

    let sum = lakescope::lake::parquet::meta::summarize("f", &footer);
    let tally = Arc::new(ReadTally::default());
    let req = PreviewRequest { row_group: 3, columns: None, batch_rows: 100, memory_limit: 256 << 20 };
    let mut p = lakescope::lake::parquet::preview::open_preview(&file, &footer, &req, tally.clone()).unwrap();
    assert!(p.next_batch().await.unwrap().is_some());
    let chunk_bytes: u64 = sum.row_groups[3].columns.iter().map(|c| c.length).sum();
    let s = store.stats.summary(0);
    let ranged_bytes = s.of(RequestKind::RangedGet).bytes - footer.bytes_read;
    assert!(ranged_bytes <= chunk_bytes, "{ranged_bytes} > {chunk_bytes}");
    assert_eq!(s.of(RequestKind::Get).count, 0, "never a whole-object GET: {s:?}");

    // Deleted between listing and opening, over HTTP.
    store.object_store().delete(&store.key("zone/f.parquet")).await.unwrap();
    let listed = ParquetFile { size: Some(bytes.len() as u64), ..file };
    assert!(read_reason(lakescope::lake::parquet::meta::read_footer(&listed).await.unwrap_err()).contains("is gone"));
}

#[tokio::test]
async fn the_preview_decodes_as_you_scroll_and_reads_only_the_columns_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("b/raw/big");
    std::fs::create_dir_all(&table).unwrap();
    write_file(&table.join("part-0.parquet"), 1, 5000);
    // 40 columns wide: (40 - 8) / 12 = 2 top-level columns fit.
    let mut app = common::app(dir.path(), 40, 20);
    app.start();
    common::settle(&mut app).await;
    common::keys(&mut app, "l l");
    assert_eq!(common::selected(&app).as_deref(), Some("big"));
    common::keys(&mut app, "p");
    common::settle(&mut app).await;
    common::keys(&mut app, "<enter>");
    common::settle(&mut app).await;
    common::keys(&mut app, "<backtab>");
    common::settle(&mut app).await;
    let preview = |app: &lakescope::app::App| app.state.inspector().unwrap().file.as_ref().unwrap().preview.clone();
    let p = preview(&app);
    assert_eq!(p.columns, vec!["id", "name"], "only the columns that fit are read");
    assert_eq!((p.rows.len(), p.total, p.done), (1024, 5000, false), "one step decoded, not the row group");
    assert_eq!(p.rows[0][0], "0");

    // To the last decoded row: the next step is decoded.
    common::keys(&mut app, "G");
    common::settle(&mut app).await;
    assert_eq!(preview(&app).rows.len(), 2048);
    let cursor = app.state.inspector().unwrap().file.as_ref().unwrap().cursor;
    assert_eq!(cursor, 1023);

    // One column right: a new window of columns, same place in the rows.
    common::keys(&mut app, "L");
    common::settle(&mut app).await;
    let p = preview(&app);
    assert_eq!(p.columns, vec!["name", "payload"]);
    assert!(p.rows.len() > cursor, "rows up to the cursor are there: {}", p.rows.len());
    assert_eq!(p.rows[cursor][0], "name-1023");
    let text = common::screen(&app, 40, 20);
    assert!(text.contains("rg 0 · 2,048/5,000 rows · cols 2-3/3"), "{text}");
}
