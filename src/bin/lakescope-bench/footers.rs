//! footers: what the Parquet inspector reads, next to the physical minimum and to the parquet
//! crate's own object-store reader (the peer), on the test S3 server, in the same run.
//!
//! Files: generated ones (narrow, wide with a footer above 64 KiB, 300 row groups, nested, and one
//! of about 1 GiB) plus every readable Parquet file of ../shared/testdata/parquet (outside
//! bad_data) when that folder exists. All are uploaded to a moto server on 127.0.0.1. For each
//! file, on a fresh counting store (every HTTP request counted where it is sent):
//! - footer: lakescope's `read_footer` (size known from the listing) against
//!   `ParquetObjectReader::with_file_size` + `ArrowReaderMetadata::load_async` (the parquet crate's
//!   defaults: no prefetch hint) and the minimum, one request of footer length + 8 bytes;
//! - preview: the first 1,024 rows of row group 0 for the columns a 120-column screen shows (as the
//!   inspector asks), lakescope's `open_preview` against the parquet crate's stream reader with the
//!   same projection, and the minimum: the byte ranges of those column chunks.
//!
//! Then the time to open the inspector on the 1 GiB file: the app driven headless (120x40
//! TestBackend) on the bucket, from the key that opens the inspector to the frame showing the
//! footer summary, and to the frame showing the first preview rows. Medians of R runs, each on a
//! fresh app and store.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, Float64Array, Int32Array, Int64Array, ListArray, StringArray, StructArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures::StreamExt;
use lakescope::App;
use lakescope::config::Config;
use lakescope::event::{Intent, Msg};
use lakescope::lake::LakeStore;
use lakescope::lake::parquet::meta::{ParquetFile, ReadTally};
use lakescope::lake::parquet::preview::PreviewRequest;
use lakescope::state::Slot;
use lakescope::state::inspector::{FileTab, preview_columns_at};
use object_store::ObjectStoreExt;
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
// The parquet crate's own object-store reader is the peer (deprecated in 59 in favour of
// readers each application writes, which is what lakescope does).
#[allow(deprecated)]
use parquet::arrow::async_reader::{ParquetObjectReader, ParquetRecordBatchStreamBuilder};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::{Moto, median, ms, start_moto};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

/// Deterministic pseudo-random numbers (xorshift64*): the same files on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn write(path: &Path, schema: Arc<Schema>, props: WriterProperties, batches: impl Iterator<Item = Vec<ArrayRef>>) {
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema.clone(), Some(props)).unwrap();
    for cols in batches {
        w.write(&RecordBatch::try_new(schema.clone(), cols).unwrap()).unwrap();
    }
    w.close().unwrap();
}

/// The generated files, written once into `dir` (kept between runs).
fn generate(dir: &Path, big_mib: u64) -> Vec<(String, PathBuf)> {
    std::fs::create_dir_all(dir).unwrap();
    let mut out = Vec::new();
    let mut file = |name: &str, make: &dyn Fn(&Path)| {
        let path = dir.join(name);
        if !path.exists() {
            let tmp = dir.join(format!("{name}.tmp"));
            make(&tmp);
            std::fs::rename(&tmp, &path).unwrap();
        }
        out.push((name.to_string(), path));
    };
    file("narrow.parquet", &|p| {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("customer", DataType::Utf8, true),
            Field::new("amount", DataType::Float64, true),
            Field::new("country", DataType::Utf8, true),
        ]));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(50_000))
            .build();
        let mut rng = Rng(7);
        write(
            p,
            schema,
            props,
            (0..4).map(|g| {
                let ids: Vec<i64> = (0..50_000).map(|i| g * 50_000 + i).collect();
                let customers: Vec<String> = ids.iter().map(|_| format!("c{:08x}", rng.next() as u32)).collect();
                let amounts: Vec<f64> = ids.iter().map(|_| (rng.next() % 100_000) as f64 / 100.0).collect();
                let countries: Vec<&str> =
                    ids.iter().map(|_| ["FR", "DE", "US", "JP"][(rng.next() % 4) as usize]).collect();
                vec![
                    Arc::new(Int64Array::from(ids)) as ArrayRef,
                    Arc::new(StringArray::from(customers)),
                    Arc::new(Float64Array::from(amounts)),
                    Arc::new(StringArray::from(countries)),
                ]
            }),
        );
    });
    file("wide.parquet", &|p| {
        // 1,000 columns: a footer of a few hundred KiB, larger than the first suffix read.
        let schema = Arc::new(Schema::new(
            (0..1000).map(|i| Field::new(format!("feature_{i:04}"), DataType::Int32, true)).collect::<Vec<_>>(),
        ));
        let props = WriterProperties::builder().set_max_row_group_row_count(Some(1000)).build();
        write(
            p,
            schema,
            props,
            (0..2).map(|g| {
                (0..1000)
                    .map(|c| Arc::new(Int32Array::from_iter_values((0..1000).map(|r| g * r + c))) as ArrayRef)
                    .collect()
            }),
        );
    });
    file("many_row_groups.parquet", &|p| {
        let schema = Arc::new(Schema::new(vec![
            Field::new("ts", DataType::Int64, false),
            Field::new("value", DataType::Float64, true),
            Field::new("tag", DataType::Utf8, true),
        ]));
        let props = WriterProperties::builder().set_max_row_group_row_count(Some(1000)).build();
        write(
            p,
            schema,
            props,
            (0..300).map(|g| {
                let ts: Vec<i64> = (0..1000).map(|i| 1_700_000_000_000 + g * 1000 + i).collect();
                vec![
                    Arc::new(Int64Array::from(ts)) as ArrayRef,
                    Arc::new(Float64Array::from_iter_values((0..1000).map(|i| (g * i) as f64))),
                    Arc::new(StringArray::from_iter_values((0..1000).map(|i| format!("t{}", i % 17)))),
                ]
            }),
        );
    });
    file("nested.parquet", &|p| {
        let point = DataType::Struct(
            vec![Field::new("x", DataType::Float64, true), Field::new("y", DataType::Float64, true)].into(),
        );
        let tags = DataType::List(Arc::new(Field::new("item", DataType::Int32, true)));
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("point", point.clone(), true),
            Field::new("tags", tags, true),
        ]));
        let props = WriterProperties::builder().set_max_row_group_row_count(Some(20_000)).build();
        write(
            p,
            schema,
            props,
            (0..3).map(|g| {
                let n = 20_000;
                let xs = Arc::new(Float64Array::from_iter_values((0..n).map(|i| (g * n + i) as f64)));
                let ys = Arc::new(Float64Array::from_iter_values((0..n).map(|i| (i * 3) as f64)));
                let DataType::Struct(fields) = &point else { unreachable!() };
                let point = StructArray::new(fields.clone(), vec![xs as ArrayRef, ys], None);
                let tags = ListArray::from_iter_primitive::<arrow::datatypes::Int32Type, _, _>(
                    (0..n).map(|i| Some((0..(i % 4)).map(Some).collect::<Vec<_>>())),
                );
                vec![
                    Arc::new(Int64Array::from_iter_values((0..n).map(|i| (g * n + i) as i64))) as ArrayRef,
                    Arc::new(point),
                    Arc::new(tags),
                ]
            }),
        );
    });
    file("big.parquet", &|p| {
        // ~1 GiB of incompressible values in row groups of about 128 MiB (16 columns: 8 ids,
        // 4 measures, 4 hex strings), stored uncompressed so the size is what it says.
        let mut fields = Vec::new();
        for i in 0..8 {
            fields.push(Field::new(format!("key_{i}"), DataType::Int64, false));
        }
        for i in 0..4 {
            fields.push(Field::new(format!("measure_{i}"), DataType::Float64, true));
        }
        for i in 0..4 {
            fields.push(Field::new(format!("label_{i}"), DataType::Utf8, true));
        }
        let schema = Arc::new(Schema::new(fields));
        let row_bytes = 8 * 8 + 4 * 8 + 4 * (16 + 4);
        let rows = (big_mib << 20) / row_bytes;
        let per_group = (128u64 << 20) / row_bytes;
        let props = WriterProperties::builder()
            .set_compression(Compression::UNCOMPRESSED)
            .set_dictionary_enabled(false)
            .set_max_row_group_row_count(Some(per_group as usize))
            .build();
        let batch = 65_536u64;
        let mut rng = Rng(42);
        write(
            p,
            schema,
            props,
            (0..rows.div_ceil(batch)).map(|b| {
                let n = batch.min(rows - b * batch) as usize;
                let mut cols: Vec<ArrayRef> = Vec::new();
                for _ in 0..8 {
                    cols.push(Arc::new(Int64Array::from_iter_values((0..n).map(|_| rng.next() as i64))));
                }
                for _ in 0..4 {
                    cols.push(Arc::new(Float64Array::from_iter_values(
                        (0..n).map(|_| f64::from_bits(rng.next() >> 2)),
                    )));
                }
                for _ in 0..4 {
                    cols.push(Arc::new(StringArray::from_iter_values((0..n).map(|_| format!("{:016x}", rng.next())))));
                }
                cols
            }),
        );
    });
    out
}

/// Readable Parquet files of the shared test data (the bad_data ones are for the error tests).
fn shared_files() -> Vec<(String, PathBuf)> {
    let root = PathBuf::from("../shared/testdata/parquet");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() && !p.ends_with("bad_data") {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                let name = p.strip_prefix(&root).unwrap().to_string_lossy().replace('/', "_");
                out.push((name, p));
            }
        }
    }
    out.sort();
    out
}

#[derive(Default, Clone, Copy)]
struct Cost {
    requests: u64,
    bytes: u64,
}

impl Cost {
    fn of(store: &LakeStore) -> Cost {
        Cost { requests: store.stats.total_count(), bytes: store.stats.total_bytes() }
    }
    fn minus(self, o: Cost) -> Cost {
        Cost { requests: self.requests - o.requests, bytes: self.bytes - o.bytes }
    }
    fn add(&mut self, o: Cost) {
        self.requests += o.requests;
        self.bytes += o.bytes;
    }
    fn text(self) -> String {
        format!("{:>3} req {:>10}", self.requests, lakescope::lake::units::bytes(self.bytes))
    }
}

struct FileResult {
    name: String,
    size: u64,
    footer_len: u64,
    ls_footer: Cost,
    peer_footer: Cost,
    min_footer: Cost,
    columns: usize,
    ls_preview: Cost,
    peer_preview: Cost,
    min_preview: Cost,
}

/// Footer and preview of one uploaded file, by lakescope and by the peer, each on a fresh store.
async fn measure(moto: &Moto, name: &str, size: u64) -> Result<FileResult, String> {
    let key = format!("files/{name}");
    // lakescope
    let store = moto.store("bench");
    let file =
        ParquetFile { store: store.object_store(), key: store.key(&key), location: key.clone(), size: Some(size) };
    let footer = lakescope::lake::parquet::meta::read_footer(&file).await.map_err(|e| e.to_string())?;
    let ls_footer = Cost::of(&store);
    let md = footer.metadata.clone();
    let roots = lakescope::lake::parquet::preview::root_columns(&footer);
    let window = preview_columns_at(WIDTH).min(roots.len());
    let columns: Vec<usize> = (0..window).collect();
    let req =
        PreviewRequest { row_group: 0, columns: Some(columns.clone()), batch_rows: 1024, memory_limit: 256 << 20 };
    let mut preview =
        lakescope::lake::parquet::preview::open_preview(&file, &footer, &req, Arc::new(ReadTally::default()))
            .map_err(|e| e.to_string())?;
    preview.next_batch().await?;
    let ls_preview = Cost::of(&store).minus(ls_footer);
    // The minimum: the footer in one request; the chunks of the previewed columns of row group 0.
    let min_footer = Cost { requests: 1, bytes: footer.footer_len + 8 };
    let descr = md.file_metadata().schema_descr();
    let chosen: Vec<usize> = preview.plan.columns.iter().filter_map(|c| roots.iter().position(|r| r == c)).collect();
    let mut min_preview = Cost::default();
    if let Some(rg) = md.row_groups().first() {
        for (leaf, chunk) in rg.columns().iter().enumerate() {
            if chosen.contains(&descr.get_column_root_idx(leaf)) {
                min_preview.bytes += chunk.byte_range().1;
            }
        }
        // The chunks of one row group are contiguous: one ranged GET can bring them all.
        min_preview.requests = u64::from(min_preview.bytes > 0);
    }

    // Peer: the parquet crate's object-store reader with its defaults.
    let store = moto.store("bench");
    #[allow(deprecated)]
    let mut reader = ParquetObjectReader::new(store.object_store(), store.key(&key)).with_file_size(size);
    let arrow_md = ArrowReaderMetadata::load_async(&mut reader, ArrowReaderOptions::new())
        .await
        .map_err(|e| format!("peer: {e}"))?;
    let peer_footer = Cost::of(&store);
    let mask = ProjectionMask::roots(arrow_md.metadata().file_metadata().schema_descr(), chosen);
    let mut stream = ParquetRecordBatchStreamBuilder::new_with_metadata(reader, arrow_md)
        .with_projection(mask)
        .with_row_groups(vec![0])
        .with_batch_size(1024)
        .build()
        .map_err(|e| format!("peer: {e}"))?;
    if let Some(r) = stream.next().await {
        r.map_err(|e| format!("peer: {e}"))?;
    }
    let peer_preview = Cost::of(&store).minus(peer_footer);
    Ok(FileResult {
        name: name.to_string(),
        size,
        footer_len: footer.footer_len,
        ls_footer,
        peer_footer,
        min_footer,
        columns: preview.plan.columns.len(),
        ls_preview,
        peer_preview,
        min_preview,
    })
}

/// Open the app on the bucket, select the 1 GiB file's table, and time the inspector.
async fn open_inspector(moto: &Moto) -> (Duration, Duration, Cost) {
    let store = moto.store("bench");
    let stats = store.stats.clone();
    let mut app = App::new(store, Config::defaults(), true).unwrap();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(WIDTH, HEIGHT)).unwrap();
    app.dispatch(Msg::Resize { width: WIDTH, height: HEIGHT });
    app.start();
    app.settle(Duration::from_secs(120)).await;
    let names = {
        let c = &app.state.catalog;
        let (node, _) = c
            .tables()
            .find(|(_, t)| t.sample_file.as_deref().is_some_and(|f| f.ends_with("big.parquet")))
            .expect("the 1 GiB file is a table of the bucket");
        c.names_to(node.id)
    };
    for ch in format!(":cd {}", names.join("/")).chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE));
    }
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(
        app.state
            .selected_table()
            .is_some_and(|t| t.sample_file.as_deref().is_some_and(|f| f.ends_with("big.parquet")))
    );
    // As a person would: the detail pane of the selected table loads, then they press the key.
    app.settle(Duration::from_secs(120)).await;
    let before = Cost { requests: stats.total_count(), bytes: stats.total_bytes() };
    let started = Instant::now();
    app.dispatch(Intent::Inspect.into());
    let footer_ready = |app: &App| {
        app.state.inspector().and_then(|i| i.file.as_ref()).is_some_and(|f| !matches!(f.footer, Slot::Loading))
    };
    while !footer_ready(&app) {
        assert!(app.step(Duration::from_secs(120)).await, "the app stopped");
    }
    terminal.draw(|f| app.draw(f)).unwrap();
    let footer_at = started.elapsed();
    if let Some(Slot::Failed(e)) = app.state.inspector().and_then(|i| i.file.as_ref()).map(|f| &f.footer) {
        panic!("the footer failed: {e}");
    }
    // The preview tab: one tab back from the first.
    app.dispatch(Intent::PrevTab.into());
    assert_eq!(app.state.inspector().and_then(|i| i.file.as_ref()).map(|f| f.tab), Some(FileTab::Preview));
    let rows_shown = |app: &App| {
        app.state.inspector().and_then(|i| i.file.as_ref()).is_some_and(|f| {
            assert!(f.preview.error.is_none(), "preview: {:?}", f.preview.error);
            !f.preview.rows.is_empty()
        })
    };
    while !rows_shown(&app) {
        assert!(app.step(Duration::from_secs(120)).await, "the app stopped");
    }
    terminal.draw(|f| app.draw(f)).unwrap();
    let rows_at = started.elapsed();
    let cost = Cost { requests: stats.total_count(), bytes: stats.total_bytes() }.minus(before);
    app.dispatch(Intent::Quit.into());
    app.settle(Duration::from_secs(30)).await;
    (footer_at, rows_at, cost)
}

/// The same footer and first preview rows of the big file, outside the app: the server's floor
/// (one 8-byte ranged GET of the object), lakescope's reads, and the peer's.
async fn time_big(moto: &Moto, size: u64) -> [Duration; 5] {
    let key = "files/big.parquet";
    let store = moto.store("bench");
    let t = Instant::now();
    store.object_store().get_range(&store.key(key), size - 8..size).await.unwrap();
    let floor = t.elapsed();

    let store = moto.store("bench");
    let file = ParquetFile { store: store.object_store(), key: store.key(key), location: key.into(), size: Some(size) };
    let t = Instant::now();
    let footer = lakescope::lake::parquet::meta::read_footer(&file).await.unwrap();
    let _ = lakescope::lake::parquet::meta::summarize(key, &footer);
    let ls_footer = t.elapsed();
    let window = preview_columns_at(WIDTH).min(lakescope::lake::parquet::preview::root_columns(&footer).len());
    let req = PreviewRequest {
        row_group: 0,
        columns: Some((0..window).collect()),
        batch_rows: 1024,
        memory_limit: 256 << 20,
    };
    let mut p =
        lakescope::lake::parquet::preview::open_preview(&file, &footer, &req, Arc::new(ReadTally::default())).unwrap();
    p.next_batch().await.unwrap();
    let ls_rows = t.elapsed();

    let store = moto.store("bench");
    let t = Instant::now();
    #[allow(deprecated)]
    let mut reader = ParquetObjectReader::new(store.object_store(), store.key(key)).with_file_size(size);
    let md = ArrowReaderMetadata::load_async(&mut reader, ArrowReaderOptions::new()).await.unwrap();
    let peer_footer = t.elapsed();
    let mask = ProjectionMask::roots(md.metadata().file_metadata().schema_descr(), 0..window);
    let mut stream = ParquetRecordBatchStreamBuilder::new_with_metadata(reader, md)
        .with_projection(mask)
        .with_row_groups(vec![0])
        .with_batch_size(1024)
        .build()
        .unwrap();
    stream.next().await.unwrap().unwrap();
    let peer_rows = t.elapsed();
    [floor, ls_footer, peer_footer, ls_rows, peer_rows]
}

pub fn bench_footers(dir: &Path, big_mib: u64, runs: usize) {
    let t = Instant::now();
    let mut files = generate(dir, big_mib);
    eprintln!("generated files in {:.1} s", t.elapsed().as_secs_f64());
    let shared = shared_files();
    if shared.is_empty() {
        eprintln!("../shared/testdata/parquet not found: generated files only");
    }
    files.extend(shared);
    let moto = start_moto();
    moto.create_bucket("bench");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let t = Instant::now();
    let mut sizes = Vec::new();
    rt.block_on(async {
        let store = moto.store("bench");
        let os = store.object_store();
        for (name, path) in &files {
            let key = store.key(&format!("files/{name}"));
            let size = std::fs::metadata(path).unwrap().len();
            // Multipart for the big file, in 32 MiB parts read from disk.
            let mut upload =
                object_store::WriteMultipart::new_with_chunk_size(os.put_multipart(&key).await.unwrap(), 32 << 20);
            let mut f = std::fs::File::open(path).unwrap();
            let mut buf = vec![0u8; 8 << 20];
            loop {
                let n = std::io::Read::read(&mut f, &mut buf).unwrap();
                if n == 0 {
                    break;
                }
                upload.wait_for_capacity(4).await.unwrap();
                upload.write(&buf[..n]);
            }
            upload.finish().await.unwrap();
            sizes.push(size);
        }
        // The big file is also a table of its own (a loose file in a zone) for the app timing.
        let big = files.iter().position(|(n, _)| n == "big.parquet").unwrap();
        os.copy(&store.key(&format!("files/{}", files[big].0)), &store.key("gold/big.parquet")).await.unwrap();
    });
    let total: u64 = sizes.iter().sum();
    eprintln!(
        "uploaded {} files ({}) to moto in {:.1} s",
        files.len(),
        lakescope::lake::units::bytes(total),
        t.elapsed().as_secs_f64()
    );

    let mut results = Vec::new();
    for ((name, _), size) in files.iter().zip(&sizes) {
        match rt.block_on(measure(&moto, name, *size)) {
            Ok(r) => results.push(r),
            Err(e) => eprintln!("  {name}: not measured ({e})"),
        }
    }
    println!(
        "footer and row-group preview reads on the test S3 server (moto), per file; minimum = footer length + 8 bytes in one request; chunks of the previewed columns"
    );
    println!(
        "{:<44} {:>10} {:>9} | {:^18} {:^18} {:^18} | {:>4} {:^18} {:^18} {:^18}",
        "file",
        "size",
        "footer",
        "footer: lakescope",
        "parquet-rs",
        "minimum",
        "cols",
        "preview: lakescope",
        "parquet-rs",
        "minimum"
    );
    let (mut lf, mut pf, mut mf, mut lp, mut pp, mut mp) = Default::default();
    let mut over = 0;
    for r in &results {
        println!(
            "{:<44} {:>10} {:>9} | {} {} {} | {:>4} {} {} {}",
            lakescope::lake::units::truncate(&r.name, 44, "…"),
            lakescope::lake::units::bytes(r.size),
            lakescope::lake::units::bytes(r.footer_len + 8),
            r.ls_footer.text(),
            r.peer_footer.text(),
            r.min_footer.text(),
            r.columns,
            r.ls_preview.text(),
            r.peer_preview.text(),
            r.min_preview.text()
        );
        Cost::add(&mut lf, r.ls_footer);
        Cost::add(&mut pf, r.peer_footer);
        Cost::add(&mut mf, r.min_footer);
        Cost::add(&mut lp, r.ls_preview);
        Cost::add(&mut pp, r.peer_preview);
        Cost::add(&mut mp, r.min_preview);
        if r.ls_footer.requests > 1 {
            over += 1;
        }
    }
    let n = results.len();
    println!(
        "{:<44} {:>10} {:>9} | {} {} {} | {:>4} {} {} {}",
        format!("all {n} files"),
        lakescope::lake::units::bytes(total),
        "",
        lf.text(),
        pf.text(),
        mf.text(),
        "",
        lp.text(),
        pp.text(),
        mp.text()
    );
    println!(
        "  footers: lakescope {:.2} requests per file (more than one for {over} of {n}: footers above the 64 KiB first read), parquet-rs {:.2}, minimum 1",
        lf.requests as f64 / n as f64,
        pf.requests as f64 / n as f64
    );
    println!(
        "  footer + preview (open a file to its first rows): lakescope {} requests, {}; parquet-rs {} requests, {}; minimum {} requests, {}",
        lf.requests + lp.requests,
        lakescope::lake::units::bytes(lf.bytes + lp.bytes),
        pf.requests + pp.requests,
        lakescope::lake::units::bytes(pf.bytes + pp.bytes),
        mf.requests + mp.requests,
        lakescope::lake::units::bytes(mf.bytes + mp.bytes)
    );
    println!("  (files under 64 KiB come whole with the first read, so their preview needs no request)");

    let (mut footer_t, mut rows_t) = (vec![], vec![]);
    let mut cost = Cost::default();
    for _ in 0..runs {
        let (f, r, c) = rt.block_on(open_inspector(&moto));
        footer_t.push(f);
        rows_t.push(r);
        cost = c;
    }
    let big = results.iter().find(|r| r.name == "big.parquet");
    let mut core: [Vec<Duration>; 5] = Default::default();
    if let Some(b) = big {
        for _ in 0..runs {
            for (i, d) in rt.block_on(time_big(&moto, b.size)).into_iter().enumerate() {
                core[i].push(d);
            }
        }
    }
    println!(
        "opening the inspector on big.parquet ({}) over the test S3 server, app at {WIDTH}x{HEIGHT}, {runs} runs, medians:",
        big.map(|r| lakescope::lake::units::bytes(r.size)).unwrap_or_default()
    );
    if big.is_some() {
        let [floor, lsf, pf, lsr, pr] = core.map(median);
        println!("  one 8-byte ranged GET of the object (the server's floor) {:>10}", ms(floor));
        println!("  footer: lakescope read + summary   {:>10}   parquet-rs metadata load {:>10}", ms(lsf), ms(pf));
        println!("  first 1,024 rows of row group 0    {:>10}   parquet-rs stream        {:>10}", ms(lsr), ms(pr));
    }
    println!("  in the app: key to footer summary drawn   {:>10}", ms(median(footer_t)));
    println!(
        "  in the app: key to first preview rows drawn {:>8}   ({} requests, {} read: the footer and the {} on-screen columns of row group 0)",
        ms(median(rows_t)),
        cost.requests,
        lakescope::lake::units::bytes(cost.bytes),
        big.map(|r| r.columns).unwrap_or_default()
    );
}
