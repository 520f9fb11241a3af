//! Order-independent content checksums of a set of rows: the proof that a rewrite kept every row
//! exactly once. Each row is rendered canonically (columns in name order, each value as Arrow
//! displays it, nulls marked) and hashed with XXH3-128; the table's checksum is the row count plus
//! the wrapping sum of the row hashes. A sum (not a xor) keeps duplicates visible: a row written
//! twice changes it. Column order, file order, row order, encodings and physical types with the
//! same display (Int32 vs Int64, Utf8 vs Utf8View vs dictionaries, a hive partition value vs the
//! same value in a Delta partition column) do not.

use std::fmt::Write as _;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde::{Deserialize, Serialize};
use twox_hash::XxHash3_128;

/// Rows and the sum of their hashes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checksum {
    pub rows: u64,
    /// Wrapping sum of the rows' XXH3-128 hashes, as 32 hex digits.
    #[serde(with = "hex128")]
    pub sum: u128,
}

impl Checksum {
    /// Add one batch's rows (`columns`: the names to hash, in order; `None`: every column, sorted by
    /// name). Fails only on a type Arrow cannot display.
    pub fn add_batch(&mut self, batch: &RecordBatch, columns: Option<&[String]>) -> Result<(), String> {
        let schema = batch.schema();
        let mut order: Vec<(String, usize)> = match columns {
            Some(names) => names
                .iter()
                .map(|n| schema.index_of(n).map(|i| (n.clone(), i)).map_err(|_| format!("no column {n}")))
                .collect::<Result<_, _>>()?,
            None => schema.fields().iter().enumerate().map(|(i, f)| (f.name().clone(), i)).collect(),
        };
        if columns.is_none() {
            order.sort();
        }
        let options = FormatOptions::default().with_null("\u{0}NULL\u{0}");
        let formatters: Vec<ArrayFormatter> = order
            .iter()
            .map(|(_, i)| ArrayFormatter::try_new(batch.column(*i).as_ref(), &options).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        let mut row = String::with_capacity(256);
        for r in 0..batch.num_rows() {
            row.clear();
            for f in &formatters {
                let _ = write!(row, "{}", f.value(r));
                row.push('\u{1f}');
            }
            self.sum = self.sum.wrapping_add(XxHash3_128::oneshot(row.as_bytes()));
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    pub fn combine(&mut self, other: &Checksum) {
        self.rows += other.rows;
        self.sum = self.sum.wrapping_add(other.sum);
    }

    /// `rows:hash`, for messages.
    pub fn text(&self) -> String {
        format!("{} rows, checksum {:032x}", self.rows, self.sum)
    }
}

/// Checksum of a whole table as lakescope's SQL reads it (`SELECT *`: Delta through its log,
/// datasets with their partition columns), optionally a Delta table as of a version.
pub async fn table_checksum(
    store: std::sync::Arc<crate::lake::LakeStore>,
    catalog: &crate::lake::Catalog,
    location: &str,
    version: Option<u64>,
) -> Result<Checksum, String> {
    let names = crate::lake::sql::catalog::sql_names(catalog);
    let Some((name, _)) = names.iter().find(|(_, t)| t.location == location) else {
        return Err(format!("no table at {location}"));
    };
    let opts = crate::lake::sql::SqlOptions {
        memory_limit_mib: 1024,
        max_rows: 1,
        threads: Some(2),
        history_file: None,
        datafusion: Default::default(),
    };
    let engine =
        std::sync::Arc::new(crate::lake::sql::SqlEngine::new(store, catalog, &opts).map_err(|e| e.to_string())?);
    let sql = match version {
        None => format!("SELECT * FROM {name}"),
        Some(v) => format!("SELECT * FROM delta_version('{}', {v})", name.replace('\'', "''")),
    };
    let mut run = engine.run(&sql).await.map_err(|e| e.to_string())?;
    let mut sum = Checksum::default();
    while let Some(b) = run.next().await {
        let b = b.map_err(|e| e.to_string())?;
        sum.add_batch(&b, None)?;
    }
    drop(run);
    // The engine owns a runtime: drop it off the async context.
    let _ = tokio::task::spawn_blocking(move || drop(engine)).await;
    Ok(sum)
}

mod hex128 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:032x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let text = String::deserialize(d)?;
        u128::from_str_radix(&text, 16).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Int32Array, Int64Array, StringArray, StringViewArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    fn batch(ids: Vec<Option<i64>>, names: Vec<Option<&str>>) -> RecordBatch {
        let schema =
            Schema::new(vec![Field::new("id", DataType::Int64, true), Field::new("name", DataType::Utf8, true)]);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![Arc::new(Int64Array::from(ids)) as ArrayRef, Arc::new(StringArray::from(names)) as ArrayRef],
        )
        .unwrap()
    }

    #[test]
    fn order_of_rows_batches_and_columns_does_not_matter() {
        let mut a = Checksum::default();
        a.add_batch(&batch(vec![Some(1), Some(2)], vec![Some("x"), None]), None).unwrap();
        a.add_batch(&batch(vec![Some(3)], vec![Some("z")]), None).unwrap();
        let mut b = Checksum::default();
        b.add_batch(&batch(vec![Some(3), None], vec![Some("z"), Some("y")]).slice(0, 1), None).unwrap();
        b.add_batch(&batch(vec![Some(2), Some(1)], vec![None, Some("x")]), None).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rows, 3);
        // Columns swapped and retyped (Int32, Utf8View): the same rows.
        let swapped = RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("name", DataType::Utf8View, true),
                Field::new("id", DataType::Int32, true),
            ])),
            vec![
                Arc::new(StringViewArray::from(vec![Some("z"), None, Some("x")])) as ArrayRef,
                Arc::new(Int32Array::from(vec![3, 2, 1])) as ArrayRef,
            ],
        )
        .unwrap();
        let mut c = Checksum::default();
        c.add_batch(&swapped, None).unwrap();
        assert_eq!(a, c);
    }

    #[test]
    fn a_duplicate_a_loss_or_a_change_is_seen() {
        let mut base = Checksum::default();
        base.add_batch(&batch(vec![Some(1), Some(2)], vec![Some("x"), Some("y")]), None).unwrap();
        let mut dup = base;
        dup.add_batch(&batch(vec![Some(1)], vec![Some("x")]), None).unwrap();
        assert_ne!(dup.sum, base.sum);
        let mut lost = Checksum::default();
        lost.add_batch(&batch(vec![Some(1)], vec![Some("x")]), None).unwrap();
        assert_ne!(lost, base);
        let mut changed = Checksum::default();
        changed.add_batch(&batch(vec![Some(1), Some(2)], vec![Some("x"), Some("Y")]), None).unwrap();
        assert_eq!(changed.rows, base.rows);
        assert_ne!(changed.sum, base.sum);
        // A null is not the text "NULL", and values do not run into each other.
        let mut n = Checksum::default();
        n.add_batch(&batch(vec![None], vec![Some("1")]), None).unwrap();
        let mut t = Checksum::default();
        t.add_batch(&batch(vec![Some(1)], vec![None]), None).unwrap();
        assert_ne!(n.sum, t.sum);
        let json = serde_json::to_string(&base).unwrap();
        assert_eq!(serde_json::from_str::<Checksum>(&json).unwrap(), base);
    }
}
