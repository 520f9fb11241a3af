//! Prices of the lake's provider (assets/pricing.toml, compiled in): what requests and a
//! pay-per-scan engine cost, with where each price comes from and when it was read, so every
//! cost lakescope shows can be traced to its source.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::location::Scheme;

const PRICING: &str = include_str!("../../assets/pricing.toml");

/// One provider's prices (USD).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    pub name: String,
    pub source: String,
    pub checked: String,
    pub get_per_1000: f64,
    pub list_per_1000: f64,
    pub scan_per_tb: f64,
}

impl Prices {
    /// The built-in prices for a store scheme.
    pub fn for_scheme(scheme: Scheme) -> Prices {
        let key = match scheme {
            Scheme::S3 => "s3",
            Scheme::Gcs => "gcs",
            Scheme::Azure => "azure",
            Scheme::File => "local",
        };
        let all: BTreeMap<String, Prices> = toml::from_str(PRICING).expect("assets/pricing.toml is valid");
        all.get(key).cloned().expect("every scheme has prices")
    }

    /// Requests (`gets` GETs) plus `bytes` scanned at the engine price.
    pub fn query_cost(&self, gets: u64, bytes: u64) -> f64 {
        gets as f64 / 1000.0 * self.get_per_1000 + bytes as f64 / 1e12 * self.scan_per_tb
    }
}

/// `$0.0012`, `$1.37`, `< $0.0001`.
pub fn usd(v: f64) -> String {
    if v == 0.0 {
        "$0".into()
    } else if v < 0.0001 {
        "< $0.0001".into()
    } else if v < 1.0 {
        format!("${v:.4}")
    } else {
        format!("${v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheme_has_sourced_prices() {
        for s in [Scheme::S3, Scheme::Gcs, Scheme::Azure, Scheme::File] {
            let p = Prices::for_scheme(s);
            assert!(!p.source.is_empty() && !p.checked.is_empty(), "{p:?}");
        }
        let s3 = Prices::for_scheme(Scheme::S3);
        // 10,000 GETs and 1 TB scanned.
        assert!((s3.query_cost(10_000, 1_000_000_000_000) - (0.004 + 5.0)).abs() < 1e-9);
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(0.004), "$0.0040");
        assert_eq!(usd(12.345), "$12.35");
    }
}
