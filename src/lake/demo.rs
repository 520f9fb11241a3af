//! The demo lake: a small, realistic medallion lake generated deterministically (same rows,
//! same layout on every run) so every lakescope feature has something real to show.
//!
//! ```text
//! acme-lake/raw/customers/customers_2026-11-0{1,2,3}.csv     daily CSV drops
//! acme-lake/raw/web_events/events_2026-11-0{1,2,3}.ndjson     NDJSON drops
//! acme-lake/raw/exchange_rates.json, products.csv             single-file tables
//! acme-lake/bronze/events/date=…/part-*.parquet               hive-partitioned, many small files,
//!                                                             one skewed day (2026-11-11)
//! acme-lake/silver/orders                                     Delta, 13 versions: appends, delete,
//!                                                             merge, update, added column,
//!                                                             partition overwrite, checkpoint
//! acme-lake/silver/customers                                  Delta, 2 versions
//! acme-lake/gold/daily_revenue                                Delta aggregate of silver.orders
//! acme-ml/features/customer_features                          Parquet dataset
//! ```
//!
//! Everything is written through the lake's object store (and deltalake for Delta tables), so
//! the generator works on any root lakescope can open.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{
    ArrayRef, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use bytes::Bytes;
use deltalake::DeltaTable;
use deltalake::datafusion::prelude::SessionContext;
use deltalake::kernel::transaction::CommitProperties;
use deltalake::operations::write::SchemaMode;
use deltalake::protocol::SaveMode;
use object_store::{ObjectStoreExt, PutPayload};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::lake::error::{LakeError, describe, store_reason};
use crate::lake::store::LakeStore;

/// Name of the marker object that says a folder holds a generated demo lake (and may be wiped).
pub const MARKER: &str = ".lakescope-demo";
/// Bumped whenever the generated content changes.
pub const DEMO_VERSION: u32 = 1;

/// First day of data in the demo lake.
const START_DAY: &str = "2026-11-01";
/// Days of bronze events; the 11th is the skewed one.
const EVENT_DAYS: i32 = 14;
const SKEWED_DAY: i32 = 10;

#[derive(Debug, Clone)]
pub struct DemoReport {
    pub objects: u64,
    pub bytes: u64,
    pub tables: u64,
    pub elapsed: Duration,
}

/// A tiny deterministic PRNG (SplitMix64): the demo must be identical on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

struct Writer<'a> {
    store: &'a LakeStore,
}

impl Writer<'_> {
    async fn put(&mut self, rel: &str, data: Vec<u8>) -> Result<(), LakeError> {
        let key = self.store.key(rel);
        self.store.object_store().put(&key, PutPayload::from(Bytes::from(data))).await.map_err(|e| {
            LakeError::Write { location: self.store.url_of(rel, false).to_string(), reason: store_reason(&e) }
        })?;
        Ok(())
    }
}

/// Refuse to generate over data that is not a previous demo; wipe a previous demo.
pub async fn prepare_target(store: &LakeStore) -> Result<(), LakeError> {
    use futures::{StreamExt, TryStreamExt};
    let os = store.object_store();
    let root = store.key("");
    let listing = os
        .list_with_delimiter(if root.as_ref().is_empty() { None } else { Some(&root) })
        .await
        .map_err(|e| LakeError::Listing { location: store.display(), reason: store_reason(&e) })?;
    let empty = listing.objects.is_empty() && listing.common_prefixes.is_empty();
    if empty {
        return Ok(());
    }
    let has_marker = listing.objects.iter().any(|o| o.location.filename() == Some(MARKER));
    if !has_marker {
        return Err(LakeError::Write {
            location: store.display(),
            reason: format!(
                "the folder is not empty and holds no {MARKER} marker: refusing to write a demo lake over it"
            ),
        });
    }
    let keys: Vec<_> = os
        .list(if root.as_ref().is_empty() { None } else { Some(&root) })
        .map_ok(|m| m.location)
        .try_collect()
        .await
        .map_err(|e| LakeError::Listing { location: store.display(), reason: store_reason(&e) })?;
    let mut deleted = os.delete_stream(futures::stream::iter(keys.into_iter().map(Ok)).boxed());
    while let Some(r) = deleted.next().await {
        r.map_err(|e| LakeError::Write { location: store.display(), reason: store_reason(&e) })?;
    }
    Ok(())
}

/// Generate the demo lake under the store's root.
pub async fn generate(store: &LakeStore) -> Result<DemoReport, LakeError> {
    let started = Instant::now();
    prepare_target(store).await?;
    let mut w = Writer { store };
    let mut rng = Rng(0x1A4E_5C0F);
    w.put(MARKER, format!("lakescope demo lake, generator version {DEMO_VERSION}\n").into_bytes()).await?;

    raw_zone(&mut w, &mut rng).await?; // customers, web_events, exchange_rates, products
    bronze_events(&mut w, &mut rng).await?;
    customer_features(&mut w, &mut rng).await?;
    let orders = silver_orders(store, &mut rng).await?;
    silver_customers(store, &mut rng).await?;
    gold_daily_revenue(store, &orders).await?;
    let tables = 4 + 1 + 1 + 2 + 1;

    // Count what is really there (Delta tables were written by deltalake, not by `w`).
    let (mut objects, mut bytes) = (0u64, 0u64);
    let root = store.key("");
    let mut listing = store.object_store().list(if root.as_ref().is_empty() { None } else { Some(&root) });
    while let Some(meta) = futures::StreamExt::next(&mut listing).await {
        let meta = meta.map_err(|e| LakeError::Listing { location: store.display(), reason: store_reason(&e) })?;
        objects += 1;
        bytes += meta.size;
    }
    Ok(DemoReport { objects, bytes, tables, elapsed: started.elapsed() })
}

fn day(offset: i32) -> String {
    let start = chrono::NaiveDate::parse_from_str(START_DAY, "%Y-%m-%d").expect("static date");
    (start + chrono::Duration::days(offset as i64)).format("%Y-%m-%d").to_string()
}

fn epoch_day(offset: i32) -> i32 {
    let start = chrono::NaiveDate::parse_from_str(START_DAY, "%Y-%m-%d").expect("static date");
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("static date");
    (start - epoch).num_days() as i32 + offset
}

fn micros(day_offset: i32, second_of_day: u64) -> i64 {
    (epoch_day(day_offset) as i64 * 86_400 + second_of_day as i64) * 1_000_000
}

const FIRST_NAMES: &[&str] =
    &["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Frances", "Dennis"];
const LAST_NAMES: &[&str] =
    &["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds", "Allen", "Ritchie"];
const COUNTRIES: &[&str] = &["FR", "DE", "US", "GB", "ES", "NL", "SE", "PL"];
const EVENT_TYPES: &[&str] = &["page_view", "page_view", "page_view", "click", "add_to_cart", "checkout", "search"];
const PAGES: &[&str] = &["/", "/search", "/product/42", "/product/7", "/cart", "/checkout", "/account"];
const STATUSES: &[&str] = &["paid", "paid", "paid", "shipped", "cancelled", "refunded"];

async fn raw_zone(w: &mut Writer<'_>, rng: &mut Rng) -> Result<(), LakeError> {
    // Daily CSV drops of the CRM export, same columns each day.
    for d in 0..3 {
        let mut csv = String::from("customer_id,first_name,last_name,email,country,signup_date\n");
        for i in 0..60u64 {
            let id = d as u64 * 60 + i + 1;
            let first = rng.pick(FIRST_NAMES);
            let last = rng.pick(LAST_NAMES);
            csv.push_str(&format!(
                "{id},{first},{last},{}.{}{id}@example.com,{},{}\n",
                first.to_lowercase(),
                last.to_lowercase(),
                rng.pick(COUNTRIES),
                day(-(rng.below(400) as i32))
            ));
        }
        w.put(&format!("acme-lake/raw/customers/customers_{}.csv", day(d)), csv.into_bytes()).await?;
    }
    // Clickstream drops as newline-delimited JSON.
    for d in 0..3 {
        let mut lines = String::new();
        for i in 0..200u64 {
            let rec = serde_json::json!({
                "event_id": d as u64 * 1000 + i,
                "ts": format!("{}T{:02}:{:02}:{:02}Z", day(d), rng.below(24), rng.below(60), rng.below(60)),
                "user_id": 1 + rng.below(180),
                "type": rng.pick(EVENT_TYPES),
                "page": rng.pick(PAGES),
                "device": {"os": rng.pick(&["ios", "android", "linux", "macos", "windows"]), "app_version": format!("3.{}.{}", rng.below(5), rng.below(10))},
            });
            lines.push_str(&rec.to_string());
            lines.push('\n');
        }
        w.put(&format!("acme-lake/raw/web_events/events_{}.ndjson", day(d)), lines.into_bytes()).await?;
    }
    // A JSON document (one array) and a single CSV file dropped straight into the zone.
    let rates: Vec<serde_json::Value> = ["EUR", "GBP", "SEK", "PLN"]
        .iter()
        .enumerate()
        .map(|(i, c)| serde_json::json!({"currency": c, "usd_rate": 1.0 + i as f64 * 0.137, "as_of": START_DAY}))
        .collect();
    w.put("acme-lake/raw/exchange_rates.json", serde_json::to_vec_pretty(&rates).unwrap_or_default()).await?;
    let mut products = String::from("product_id,name,category,unit_price\n");
    for (i, (name, cat)) in [
        ("Mechanical keyboard", "hardware"),
        ("Ergonomic mouse", "hardware"),
        ("USB-C dock", "hardware"),
        ("Rust in Action", "books"),
        ("Designing Data-Intensive Applications", "books"),
        ("Standing desk", "furniture"),
        ("Monitor arm", "furniture"),
        ("Noise-cancelling headphones", "audio"),
    ]
    .iter()
    .enumerate()
    {
        products.push_str(&format!("{},\"{name}\",{cat},{:.2}\n", i + 1, 19.0 + (i as f64 * 23.5)));
    }
    w.put("acme-lake/raw/products.csv", products.into_bytes()).await?;
    Ok(())
}

fn events_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("event_id", DataType::Int64, false),
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        Field::new("user_id", DataType::Int64, false),
        Field::new("event_type", DataType::Utf8, false),
        Field::new("page", DataType::Utf8, true),
        Field::new("duration_ms", DataType::Int32, true),
    ]))
}

fn parquet_bytes(batch: &RecordBatch) -> Result<Vec<u8>, LakeError> {
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut buf = Vec::new();
    let err =
        |e: parquet::errors::ParquetError| LakeError::Write { location: "demo parquet".into(), reason: describe(&e) };
    let mut writer = ArrowWriter::try_new(&mut buf, batch.schema(), Some(props)).map_err(err)?;
    writer.write(batch).map_err(err)?;
    writer.close().map_err(err)?;
    Ok(buf)
}

fn batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> Result<RecordBatch, LakeError> {
    RecordBatch::try_new(schema, columns)
        .map_err(|e| LakeError::Write { location: "demo batch".into(), reason: describe(&e) })
}

/// Bronze: the clickstream landed as hive-partitioned Parquet, one small file per micro-batch.
async fn bronze_events(w: &mut Writer<'_>, rng: &mut Rng) -> Result<(), LakeError> {
    let schema = events_schema();
    let mut next_id = 1i64;
    for d in 0..EVENT_DAYS {
        let (files, rows_per_file) = if d == SKEWED_DAY { (36, 400) } else { (10 + (d % 4) as usize, 40) };
        for f in 0..files {
            let n = rows_per_file + rng.below(10) as usize;
            let mut ids = Vec::with_capacity(n);
            let mut ts = Vec::with_capacity(n);
            let mut users = Vec::with_capacity(n);
            let mut types = Vec::with_capacity(n);
            let mut pages = Vec::with_capacity(n);
            let mut durations = Vec::with_capacity(n);
            for _ in 0..n {
                ids.push(next_id);
                next_id += 1;
                ts.push(micros(d, rng.below(86_400)));
                users.push(1 + rng.below(180) as i64);
                types.push(rng.pick(EVENT_TYPES));
                pages.push(if rng.below(20) == 0 { None } else { Some(rng.pick(PAGES)) });
                durations.push(if rng.below(10) == 0 { None } else { Some(rng.below(30_000) as i32) });
            }
            let b = batch(
                schema.clone(),
                vec![
                    Arc::new(Int64Array::from(ids)),
                    Arc::new(TimestampMicrosecondArray::from(ts).with_timezone("UTC")),
                    Arc::new(Int64Array::from(users)),
                    Arc::new(StringArray::from(types)),
                    Arc::new(StringArray::from(pages)),
                    Arc::new(Int32Array::from(durations)),
                ],
            )?;
            w.put(&format!("acme-lake/bronze/events/date={}/part-{f:05}.snappy.parquet", day(d)), parquet_bytes(&b)?)
                .await?;
        }
    }
    w.put("acme-lake/bronze/events/_SUCCESS", Vec::new()).await?;
    Ok(())
}

async fn customer_features(w: &mut Writer<'_>, rng: &mut Rng) -> Result<(), LakeError> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Int64, false),
        Field::new("orders_30d", DataType::Int32, false),
        Field::new("revenue_30d", DataType::Float64, false),
        Field::new("days_since_last_order", DataType::Int32, true),
        Field::new("churn_score", DataType::Float64, false),
    ]));
    for part in 0..2i64 {
        let ids: Vec<i64> = (part * 90 + 1..=part * 90 + 90).collect();
        let n = ids.len();
        let orders: Vec<i32> = (0..n).map(|_| rng.below(12) as i32).collect();
        let revenue: Vec<f64> = orders.iter().map(|o| *o as f64 * (20.0 + rng.below(8000) as f64 / 100.0)).collect();
        let recency: Vec<Option<i32>> =
            orders.iter().map(|o| if *o == 0 { None } else { Some(rng.below(30) as i32) }).collect();
        let churn: Vec<f64> = (0..n).map(|_| rng.below(1000) as f64 / 1000.0).collect();
        let b = batch(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(ids)),
                Arc::new(Int32Array::from(orders)),
                Arc::new(Float64Array::from(revenue)),
                Arc::new(Int32Array::from(recency)),
                Arc::new(Float64Array::from(churn)),
            ],
        )?;
        w.put(&format!("acme-ml/features/customer_features/part-{part:05}.parquet"), parquet_bytes(&b)?).await?;
    }
    Ok(())
}

fn orders_schema(with_discount: bool) -> SchemaRef {
    let mut fields = vec![
        Field::new("order_id", DataType::Int64, false),
        Field::new("customer_id", DataType::Int64, false),
        Field::new("order_ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        Field::new("status", DataType::Utf8, false),
        Field::new("amount", DataType::Float64, false),
        Field::new("order_date", DataType::Date32, false),
    ];
    if with_discount {
        fields.push(Field::new("discount", DataType::Float64, true));
    }
    Arc::new(Schema::new(fields))
}

/// One day of orders with ids starting at `first_id`.
fn orders_batch(rng: &mut Rng, d: i32, first_id: i64, n: usize, with_discount: bool) -> Result<RecordBatch, LakeError> {
    let ids: Vec<i64> = (first_id..first_id + n as i64).collect();
    let customers: Vec<i64> = (0..n).map(|_| 1 + rng.below(180) as i64).collect();
    let ts: Vec<i64> = (0..n).map(|_| micros(d, rng.below(86_400))).collect();
    let status: Vec<&str> = (0..n).map(|_| rng.pick(STATUSES)).collect();
    let amount: Vec<f64> = (0..n).map(|_| (500 + rng.below(50_000)) as f64 / 100.0).collect();
    let dates: Vec<i32> = vec![epoch_day(d); n];
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(ids)),
        Arc::new(Int64Array::from(customers)),
        Arc::new(TimestampMicrosecondArray::from(ts).with_timezone("UTC")),
        Arc::new(StringArray::from(status)),
        Arc::new(Float64Array::from(amount)),
        Arc::new(Date32Array::from(dates)),
    ];
    if with_discount {
        let discount: Vec<Option<f64>> =
            (0..n).map(|_| if rng.below(3) == 0 { Some(rng.below(30) as f64 / 100.0) } else { None }).collect();
        cols.push(Arc::new(Float64Array::from(discount)));
    }
    batch(orders_schema(with_discount), cols)
}

fn delta_err(location: &str) -> impl Fn(deltalake::DeltaTableError) -> LakeError + '_ {
    move |e| LakeError::Write { location: location.to_string(), reason: describe(&e) }
}

fn step(label: &str) -> CommitProperties {
    CommitProperties::default()
        .with_metadata([("lakescope.demo".to_string(), serde_json::Value::String(label.to_string()))])
}

fn new_table(store: &LakeStore, rel: &str) -> Result<DeltaTable, LakeError> {
    let url = store.url_of(rel, true);
    let location = url.to_string();
    crate::lake::delta::builder(store.object_store(), &url)
        .map_err(delta_err(&location))?
        .build()
        .map_err(delta_err(&location))
}

/// Silver orders: a Delta table whose history holds every kind of commit a real one does.
async fn silver_orders(store: &LakeStore, rng: &mut Rng) -> Result<DeltaTable, LakeError> {
    let rel = "acme-lake/silver/orders";
    let loc = store.url_of(rel, true).to_string();
    let e = delta_err(&loc);
    let per_day = 120;
    let mut next_id = 10_001i64;

    // v0: the first load creates the table, partitioned by day.
    let b = orders_batch(rng, 0, next_id, per_day, false)?;
    next_id += per_day as i64;
    let mut table = new_table(store, rel)?
        .write(vec![b])
        .with_partition_columns(["order_date"])
        .with_table_name("orders")
        .with_description("Cleaned orders, one row per order")
        .with_commit_properties(step("initial load"))
        .await
        .map_err(&e)?;
    // v1..v5: daily appends.
    for d in 1..6 {
        table = append_day(table, rng, d, &mut next_id, per_day, false, &loc).await?;
    }
    // v6: GDPR-style delete of cancelled orders.
    let (t, _) = table
        .delete()
        .with_predicate("status = 'cancelled'")
        .with_commit_properties(step("drop cancelled orders"))
        .await
        .map_err(&e)?;
    table = t;
    // v7: merge late updates from the payment provider: refunds for known orders, plus new ones.
    let mut ids = vec![10_005i64, 10_017, 10_130, 10_244, 10_390];
    let mut statuses = vec!["refunded"; ids.len()];
    let mut amounts = vec![0.0f64; ids.len()];
    ids.extend([next_id, next_id + 1]);
    statuses.extend(["paid", "paid"]);
    amounts.extend([42.5, 99.0]);
    next_id += 2;
    let n = ids.len();
    let upd = batch(
        orders_schema(false),
        vec![
            Arc::new(Int64Array::from(ids)),
            Arc::new(Int64Array::from(vec![7i64; n])),
            Arc::new(TimestampMicrosecondArray::from(vec![micros(5, 43_200); n]).with_timezone("UTC")),
            Arc::new(StringArray::from(statuses)),
            Arc::new(Float64Array::from(amounts)),
            Arc::new(Date32Array::from(vec![epoch_day(5); n])),
        ],
    )?;
    let ctx = SessionContext::new();
    let source = ctx.read_batch(upd).map_err(|e| LakeError::Write { location: loc.clone(), reason: describe(&e) })?;
    let (t, _) = table
        .merge(source, "t.order_id = s.order_id")
        .with_source_alias("s")
        .with_target_alias("t")
        .when_matched_update(|u| u.update("status", "s.status").update("amount", "s.amount"))
        .map_err(&e)?
        .when_not_matched_insert(|i| {
            i.set("order_id", "s.order_id")
                .set("customer_id", "s.customer_id")
                .set("order_ts", "s.order_ts")
                .set("status", "s.status")
                .set("amount", "s.amount")
                .set("order_date", "s.order_date")
        })
        .map_err(&e)?
        .with_commit_properties(step("merge payment updates"))
        .await
        .map_err(&e)?;
    table = t;
    // v8: orders paid before the 3rd have shipped.
    let (t, _) = table
        .update()
        .with_predicate(format!("status = 'paid' AND order_date < '{}'", day(2)))
        .with_update("status", "'shipped'")
        .with_commit_properties(step("mark early orders shipped"))
        .await
        .map_err(&e)?;
    table = t;
    // v9: a new column arrives with the next load (schema evolution).
    let b = orders_batch(rng, 6, next_id, per_day, true)?;
    next_id += per_day as i64;
    table = table
        .write(vec![b])
        .with_save_mode(SaveMode::Append)
        .with_schema_mode(SchemaMode::Merge)
        .with_commit_properties(step("append with new discount column"))
        .await
        .map_err(&e)?;
    // v10: day 2 is reloaded from the source system (partition overwrite).
    let b = orders_batch(rng, 1, 10_001 + per_day as i64, per_day - 10, true)?;
    table = table
        .write(vec![b])
        .with_save_mode(SaveMode::Overwrite)
        .with_replace_where(format!("order_date = '{}'", day(1)))
        .with_commit_properties(step("reload 2026-11-02"))
        .await
        .map_err(&e)?;
    deltalake::checkpoints::create_checkpoint(&table, None).await.map_err(&e)?;
    // v11, v12: business as usual after the checkpoint.
    for d in 7..9 {
        table = append_day(table, rng, d, &mut next_id, per_day, true, &loc).await?;
    }
    Ok(table)
}

/// Append one day of orders (a blind append, as a daily load would be).
async fn append_day(
    table: DeltaTable,
    rng: &mut Rng,
    d: i32,
    next_id: &mut i64,
    per_day: usize,
    with_discount: bool,
    loc: &str,
) -> Result<DeltaTable, LakeError> {
    let b = orders_batch(rng, d, *next_id, per_day, with_discount)?;
    *next_id += per_day as i64;
    table
        .write(vec![b])
        .with_save_mode(SaveMode::Append)
        .with_commit_properties(step(&format!("daily append {}", day(d))))
        .await
        .map_err(delta_err(loc))
}

async fn silver_customers(store: &LakeStore, rng: &mut Rng) -> Result<(), LakeError> {
    let rel = "acme-lake/silver/customers";
    let loc = store.url_of(rel, true).to_string();
    let e = delta_err(&loc);
    let schema = Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("email", DataType::Utf8, true),
        Field::new("country", DataType::Utf8, true),
    ]));
    let n = 180i64;
    let ids: Vec<i64> = (1..=n).collect();
    let names: Vec<String> = (0..n).map(|_| format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES))).collect();
    let emails: Vec<Option<String>> =
        ids.iter().map(|i| if i % 17 == 0 { None } else { Some(format!("customer{i}@example.com")) }).collect();
    let countries: Vec<&str> = (0..n).map(|_| rng.pick(COUNTRIES)).collect();
    let b = batch(
        schema,
        vec![
            Arc::new(Int64Array::from(ids)),
            Arc::new(StringArray::from(names)),
            Arc::new(StringArray::from(emails)),
            Arc::new(StringArray::from(countries)),
        ],
    )?;
    let table = new_table(store, rel)?
        .write(vec![b])
        .with_table_name("customers")
        .with_commit_properties(step("initial load"))
        .await
        .map_err(&e)?;
    table
        .update()
        .with_predicate("email IS NULL")
        .with_update("email", "'unknown@example.com'")
        .with_commit_properties(step("backfill missing emails"))
        .await
        .map_err(&e)?;
    Ok(())
}

/// Gold: revenue per day, computed from silver.orders by DataFusion and written as Delta.
async fn gold_daily_revenue(store: &LakeStore, orders: &DeltaTable) -> Result<(), LakeError> {
    let rel = "acme-lake/gold/daily_revenue";
    let loc = store.url_of(rel, true).to_string();
    let e = delta_err(&loc);
    let df_err = |err: deltalake::datafusion::error::DataFusionError| LakeError::Write {
        location: loc.clone(),
        reason: describe(&err),
    };
    let ctx = SessionContext::new();
    orders.update_datafusion_session(&ctx.state()).map_err(&e)?;
    let provider = orders.table_provider().await.map_err(df_err)?;
    ctx.register_table("orders", provider).map_err(df_err)?;
    let df = ctx
        .sql(
            "SELECT order_date, CAST(count(*) AS BIGINT) AS orders, round(sum(amount), 2) AS revenue, \
             CAST(count(DISTINCT customer_id) AS BIGINT) AS customers \
             FROM orders WHERE status <> 'refunded' GROUP BY order_date ORDER BY order_date",
        )
        .await
        .map_err(df_err)?;
    let batches = df.collect().await.map_err(df_err)?;
    let table = new_table(store, rel)?
        .write(batches.clone())
        .with_table_name("daily_revenue")
        .with_commit_properties(step("build daily revenue"))
        .await
        .map_err(&e)?;
    // A nightly rebuild overwrites the table: the second version in its history.
    table
        .write(batches)
        .with_save_mode(SaveMode::Overwrite)
        .with_commit_properties(step("nightly rebuild"))
        .await
        .map_err(&e)?;
    Ok(())
}
