//! Hive partition columns seen in object keys: their names, distinct values (bounded) and the
//! narrowest type every value parses as (`int`, `double`, `boolean`, `date`, `timestamp`, else
//! `string`). Fed one key at a time by discovery; memory grows with distinct values, not files.

use std::collections::HashSet;

use serde::Serialize;

use crate::lake::discover::names;

/// The value Hive and Spark write for a NULL partition value.
pub const HIVE_NULL: &str = "__HIVE_DEFAULT_PARTITION__";

/// Distinct values remembered per column; beyond this we only know "at least this many".
pub const MAX_TRACKED_VALUES: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PartitionType {
    Int,
    Double,
    Boolean,
    Date,
    Timestamp,
    String,
}

impl PartitionType {
    pub fn as_str(self) -> &'static str {
        match self {
            PartitionType::Int => "int",
            PartitionType::Double => "double",
            PartitionType::Boolean => "boolean",
            PartitionType::Date => "date",
            PartitionType::Timestamp => "timestamp",
            PartitionType::String => "string",
        }
    }
}

/// One partition column of a table, as reported in the catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: PartitionType,
    /// Distinct values seen (a lower bound when `distinct_capped`).
    pub distinct: u64,
    pub distinct_capped: bool,
    /// Partition folders holding the Hive NULL marker.
    pub has_nulls: bool,
}

/// Running candidates for one column: each flag stays true while every value fits that type.
#[derive(Debug, Clone)]
struct ColumnStats {
    name: String,
    values: HashSet<Box<str>>,
    capped: bool,
    has_nulls: bool,
    all_int: bool,
    all_double: bool,
    all_bool: bool,
    all_date: bool,
    all_timestamp: bool,
}

impl ColumnStats {
    fn new(name: &str) -> Self {
        ColumnStats {
            name: name.to_string(),
            values: HashSet::new(),
            capped: false,
            has_nulls: false,
            all_int: true,
            all_double: true,
            all_bool: true,
            all_date: true,
            all_timestamp: true,
        }
    }

    fn observe(&mut self, raw: &str) {
        if raw == HIVE_NULL {
            self.has_nulls = true;
            return;
        }
        if self.values.contains(raw) {
            return;
        }
        let value = names::hive_unescape(raw);
        self.all_int &= value.parse::<i64>().is_ok();
        self.all_double &= value.parse::<f64>().is_ok();
        self.all_bool &= value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false");
        self.all_date &= is_date(&value);
        self.all_timestamp &= is_timestamp(&value);
        if self.values.len() < MAX_TRACKED_VALUES {
            self.values.insert(raw.into());
        } else {
            self.capped = true;
        }
    }

    fn inferred(&self) -> PartitionType {
        if self.values.is_empty() {
            PartitionType::String
        } else if self.all_int {
            PartitionType::Int
        } else if self.all_double {
            PartitionType::Double
        } else if self.all_bool {
            PartitionType::Boolean
        } else if self.all_date {
            PartitionType::Date
        } else if self.all_timestamp {
            PartitionType::Timestamp
        } else {
            PartitionType::String
        }
    }
}

/// `YYYY-MM-DD`
fn is_date(v: &str) -> bool {
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok()
}

/// `YYYY-MM-DD HH:MM:SS[.fff]` or RFC 3339.
fn is_timestamp(v: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S%.f").is_ok()
        || chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
        || chrono::DateTime::parse_from_rfc3339(v).is_ok()
}

/// Partition columns of one table, in the order their folders nest.
#[derive(Debug, Clone, Default)]
pub struct PartitionStats {
    columns: Vec<ColumnStats>,
    /// Deepest run of bare date/number folders (`2024/11/21`) seen below the table root.
    pub unnamed_levels: usize,
    /// Number of distinct leaf partition folders seen (a lower bound when capped).
    leaves: HashSet<Box<str>>,
    leaves_capped: bool,
}

impl PartitionStats {
    /// Observe the folders between a table root and a data file (`date=2024-01-01/hour=3`).
    pub fn observe_dirs(&mut self, dirs: &str) {
        if dirs.is_empty() {
            return;
        }
        let mut unnamed = 0;
        for dir in dirs.split('/') {
            if let Some((key, value)) = names::hive_pair(dir) {
                let idx = match self.columns.iter().position(|c| c.name == key) {
                    Some(i) => i,
                    None => {
                        self.columns.push(ColumnStats::new(key));
                        self.columns.len() - 1
                    }
                };
                self.columns[idx].observe(value);
            } else if names::is_date_like(dir) {
                unnamed += 1;
            }
        }
        self.unnamed_levels = self.unnamed_levels.max(unnamed);
        if !self.leaves.contains(dirs) {
            if self.leaves.len() < MAX_TRACKED_VALUES {
                self.leaves.insert(dirs.into());
            } else {
                self.leaves_capped = true;
            }
        }
    }

    pub fn columns(&self) -> Vec<PartitionColumn> {
        self.columns
            .iter()
            .map(|c| PartitionColumn {
                name: c.name.clone(),
                data_type: c.inferred(),
                distinct: c.values.len() as u64,
                distinct_capped: c.capped,
                has_nulls: c.has_nulls,
            })
            .collect()
    }

    /// Distinct partition folders holding data, and whether that number is a lower bound.
    pub fn partition_count(&self) -> (u64, bool) {
        (self.leaves.len() as u64, self.leaves_capped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(paths: &[&str]) -> PartitionStats {
        let mut s = PartitionStats::default();
        for p in paths {
            s.observe_dirs(p);
        }
        s
    }

    #[test]
    fn infers_types_per_column() {
        let s = stats(&[
            "year=2021/month=12/day=20/flag=true/ts=2021-09-08 11%3A11%3A11/d=2024-01-01",
            "year=2020/month=1/day=3/flag=false/ts=2021-09-09 00%3A00%3A00/d=2024-01-02",
        ]);
        let cols = s.columns();
        let types: Vec<_> = cols.iter().map(|c| (c.name.as_str(), c.data_type)).collect();
        assert_eq!(
            types,
            vec![
                ("year", PartitionType::Int),
                ("month", PartitionType::Int),
                ("day", PartitionType::Int),
                ("flag", PartitionType::Boolean),
                ("ts", PartitionType::Timestamp),
                ("d", PartitionType::Date),
            ]
        );
        assert_eq!(cols[0].distinct, 2);
        assert_eq!(s.partition_count(), (2, false));
    }

    #[test]
    fn null_marker_does_not_spoil_the_type() {
        let s = stats(&["n=1", "n=__HIVE_DEFAULT_PARTITION__", "n=2.5"]);
        let c = &s.columns()[0];
        assert_eq!(c.data_type, PartitionType::Double);
        assert!(c.has_nulls);
        assert_eq!(c.distinct, 2);
    }

    #[test]
    fn mixed_values_fall_back_to_string() {
        let s = stats(&["country=US", "country=1"]);
        assert_eq!(s.columns()[0].data_type, PartitionType::String);
    }

    #[test]
    fn counts_unnamed_date_levels() {
        let s = stats(&["2024/11/21", "2024/11/22"]);
        assert_eq!(s.unnamed_levels, 3);
        assert!(s.columns().is_empty());
    }
}
