//! sql: `lakescope sql` against the DuckDB CLI on the same Parquet data, in the same run.
//!
//! Data: N rows (default 10,000,000) of generated sales (deterministic: a fixed-seed xorshift) in
//! one Parquet file (snappy, 1M-row row groups, page index written) under
//! `DIR/lake/bench/gold/orders/`, which lakescope discovers as the table `gold.orders` and DuckDB
//! reads with `read_parquet('…/*.parquet')`. Columns: `order_id` (ascending), `ts`, `user_id`
//! (200,000 values), `sku` (100,000 values), `category` (12), `country` (16), `quantity`,
//! `amount`, and `note`, a random 16-character hex string (incompressible: most of the file).
//!
//! Queries: the shapes people run on such a table — a scan with count and sum, a selective
//! filter, group-bys on low- and high-cardinality columns with and without a top-k, a count
//! distinct, a top-k of whole rows, a prefix `LIKE` with `ORDER BY … LIMIT`, a point lookup.
//!
//! Method: each query runs as a fresh process of each tool, output as CSV to a pipe that is
//! drained and counted (both print the whole result), so both pay their start-up, the reading of
//! footers and the query; one warm-up run of each tool per query (page cache warm), then the
//! median of R runs. The ratio is lakescope / DuckDB per query and the geometric mean over the
//! queries. Result row counts of the two tools are compared, and a mismatch is reported; the
//! bytes lakescope read from the file (its own request accounting, printed on stderr) are shown
//! next to the file's size.
//! DuckDB: `--duckdb PATH`, else `duckdb` on PATH, else target/tmp/duckdb-venv (created with
//! `pip install duckdb-cli` when missing).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, Float64Array, Int32Array, Int64Array, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::median;

/// Bumped when the generated data changes shape (the marker of older data does not match).
const DATA_VERSION: u32 = 2;
const CATEGORIES: [&str; 12] =
    ["books", "music", "games", "garden", "toys", "sports", "kitchen", "office", "beauty", "health", "auto", "pets"];
const COUNTRIES: [&str; 16] =
    ["DE", "FR", "GB", "US", "NL", "ES", "IT", "SE", "PL", "BE", "AT", "CH", "DK", "NO", "FI", "IE"];

/// (name, SQL with `{t}` for the table).
const QUERIES: [(&str, &str); 12] = [
    ("count and sum", "SELECT count(*) AS n, sum(amount) AS total FROM {t}"),
    ("filter count", "SELECT count(*) AS n FROM {t} WHERE amount > 500 AND country = 'DE'"),
    (
        "group by category",
        "SELECT category, sum(amount) AS revenue, avg(quantity) AS q FROM {t} GROUP BY category ORDER BY revenue DESC",
    ),
    ("count distinct", "SELECT country, count(DISTINCT user_id) AS users FROM {t} GROUP BY country ORDER BY country"),
    ("top users", "SELECT user_id, sum(amount) AS spent FROM {t} GROUP BY user_id ORDER BY spent DESC LIMIT 10"),
    (
        "top skus",
        "SELECT sku, count(*) AS n, sum(amount) AS revenue FROM {t} GROUP BY sku ORDER BY revenue DESC LIMIT 5",
    ),
    (
        "by day",
        "SELECT date_trunc('day', ts) AS day, count(*) AS n, sum(amount) AS revenue FROM {t} GROUP BY 1 ORDER BY 1",
    ),
    ("top-k rows", "SELECT * FROM {t} ORDER BY amount DESC LIMIT 10"),
    ("top-10 by sort", "SELECT order_id, user_id, amount FROM {t} ORDER BY ts DESC, order_id LIMIT 10"),
    ("prefix like", "SELECT order_id, note, amount FROM {t} WHERE note LIKE 'abc%' ORDER BY order_id LIMIT 5"),
    ("min/max filter", "SELECT min(ts) AS first, max(ts) AS last, sum(quantity) AS q FROM {t} WHERE category = 'toys'"),
    ("point lookup", "SELECT * FROM {t} WHERE order_id = 7654321"),
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn generate(table: &Path, rows: usize) {
    let marker = table.join(format!(".v{DATA_VERSION}-rows-{rows}"));
    if marker.exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(table);
    std::fs::create_dir_all(table).unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("order_id", DataType::Int64, false),
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, None), false),
        Field::new("user_id", DataType::Int64, false),
        Field::new("sku", DataType::Utf8, false),
        Field::new("category", DataType::Utf8, false),
        Field::new("country", DataType::Utf8, false),
        Field::new("quantity", DataType::Int32, false),
        Field::new("amount", DataType::Float64, false),
        Field::new("note", DataType::Utf8, false),
    ]));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start_us: i64 = 1_767_225_600_000_000; // 2026-01-01
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1_000_000))
        .build();
    let file = std::fs::File::create(table.join("part-00000.parquet")).unwrap();
    let mut w = ArrowWriter::try_new(file, schema.clone(), Some(props)).unwrap();
    let mut done = 0;
    while done < rows {
        let b = (rows - done).min(250_000);
        let ids: Vec<i64> = (0..b as i64).map(|i| done as i64 + i).collect();
        let ts: Vec<i64> = (0..b).map(|_| start_us + rng.below(180 * 86_400_000_000) as i64).collect();
        let users: Vec<i64> = (0..b).map(|_| rng.below(200_000) as i64).collect();
        let skus: Vec<String> = (0..b).map(|_| format!("SKU-{:05}", rng.below(100_000))).collect();
        let cats: Vec<&str> = (0..b).map(|_| CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize]).collect();
        let countries: Vec<&str> = (0..b).map(|_| COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize]).collect();
        let qty: Vec<i32> = (0..b).map(|_| 1 + rng.below(9) as i32).collect();
        let amount: Vec<f64> = (0..b).map(|_| rng.below(100_000) as f64 / 100.0).collect();
        let notes: Vec<String> = (0..b).map(|_| format!("{:016x}", rng.next())).collect();
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(ids)),
            Arc::new(TimestampMicrosecondArray::from(ts)),
            Arc::new(Int64Array::from(users)),
            Arc::new(StringArray::from(skus)),
            Arc::new(StringArray::from(cats)),
            Arc::new(StringArray::from(countries)),
            Arc::new(Int32Array::from(qty)),
            Arc::new(Float64Array::from(amount)),
            Arc::new(StringArray::from(notes)),
        ];
        w.write(&RecordBatch::try_new(schema.clone(), cols).unwrap()).unwrap();
        done += b;
    }
    w.close().unwrap();
    std::fs::write(marker, b"").unwrap();
}

/// The DuckDB CLI: given, on PATH, or installed from PyPI into target/tmp.
fn duckdb(given: Option<String>) -> PathBuf {
    if let Some(p) = given {
        return PathBuf::from(p);
    }
    if Command::new("duckdb").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return PathBuf::from("duckdb");
    }
    let venv = PathBuf::from("target/tmp/duckdb-venv");
    let bin = venv.join("bin/duckdb");
    if !bin.exists() {
        eprintln!("installing duckdb-cli from PyPI into {}", venv.display());
        let ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "duckdb-cli"])
                .status()
                .is_ok_and(|s| s.success());
        assert!(ok, "could not install duckdb-cli (pass --duckdb PATH)");
    }
    bin
}

/// Run a command, drain its stdout, return (wall time, output lines, stderr).
fn timed(cmd: &mut Command) -> (Duration, usize, String) {
    let start = Instant::now();
    let out = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).output().expect("the command runs");
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd.get_program(),
        String::from_utf8_lossy(&out.stderr).chars().take(2000).collect::<String>()
    );
    let lines = out.stdout.iter().filter(|b| **b == b'\n').count();
    (elapsed, lines, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// What `lakescope sql` says it read ("… read 12.3 MiB in 4 requests from the lake").
fn bytes_read(stderr: &str) -> String {
    stderr
        .rsplit_once("; read ")
        .and_then(|(_, rest)| rest.split_once(" in "))
        .map(|(bytes, _)| bytes.to_string())
        .unwrap_or_else(|| "?".into())
}

pub fn bench_sql(dir: &Path, rows: usize, runs: usize, duckdb_path: Option<String>) {
    let lake = dir.join("lake");
    let table = lake.join("bench/gold/orders");
    let t0 = Instant::now();
    generate(&table, rows);
    let bytes: u64 = std::fs::read_dir(&table).unwrap().filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum();
    println!(
        "data: {rows} rows in one Parquet file of {} MiB, 1M-row row groups ({:.1} s to generate or reuse)",
        bytes >> 20,
        t0.elapsed().as_secs_f64()
    );
    let exe = std::env::current_exe().unwrap();
    let lakescope = exe.parent().unwrap().join("lakescope");
    assert!(lakescope.exists(), "build the lakescope binary with the same profile first ({})", lakescope.display());
    let duck = duckdb(duckdb_path);
    let version =
        Command::new(&duck).arg("--version").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    println!("peer: DuckDB CLI {}", version.unwrap_or_default());
    println!("method: fresh process per query and tool, CSV output drained; 1 warm-up, median of {runs} runs\n");
    println!("| query | lakescope sql | DuckDB CLI | ratio | rows | lakescope read |");
    println!("|---|---|---|---|---|---|");
    let glob = format!("read_parquet('{}/*.parquet')", table.display());
    let mut log_sum = 0.0;
    let mut worst = (0.0f64, "");
    for (name, q) in QUERIES {
        let ls_sql = q.replace("{t}", "gold.orders");
        let dd_sql = q.replace("{t}", &glob);
        let ls = || {
            let mut c = Command::new(&lakescope);
            c.arg("sql").arg(&lake).arg(&ls_sql).args(["--format", "csv", "--max-rows", "100000000"]);
            timed(&mut c)
        };
        let dd = || {
            let mut c = Command::new(&duck);
            c.args(["-csv", "-c", &dd_sql]);
            timed(&mut c)
        };
        let (_, ls_rows, ls_err) = ls();
        let (_, dd_rows, _) = dd();
        let mut lt = Vec::new();
        let mut dt = Vec::new();
        for _ in 0..runs {
            lt.push(ls().0);
            dt.push(dd().0);
        }
        let (l, d) = (median(lt), median(dt));
        let ratio = l.as_secs_f64() / d.as_secs_f64();
        log_sum += ratio.ln();
        if ratio > worst.0 {
            worst = (ratio, name);
        }
        let rows = if ls_rows == dd_rows {
            format!("{}", ls_rows.saturating_sub(1))
        } else {
            format!("MISMATCH {ls_rows} vs {dd_rows} lines")
        };
        println!(
            "| {name} | {:.0} ms | {:.0} ms | {ratio:.2}x | {rows} | {} |",
            l.as_secs_f64() * 1000.0,
            d.as_secs_f64() * 1000.0,
            bytes_read(&ls_err)
        );
    }
    println!(
        "\ngeometric mean of the ratios: {:.2}x (target ≤ 1.0x); slowest relative to DuckDB: {} at {:.2}x (target ≤ 1.5x)",
        (log_sum / QUERIES.len() as f64).exp(),
        worst.1,
        worst.0
    );
}
