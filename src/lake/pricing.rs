//! Prices of the lake's provider (assets/pricing.toml, compiled in, overridable key by key in
//! the config's `[pricing]`): storage per GB-month by storage class, requests, a pay-per-scan
//! engine, and the lifecycle tiers data of a given age could move to — each provider with where
//! its prices come from and when they were read, so every cost lakescope shows can be traced.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lake::store::location::Scheme;

const PRICING: &str = include_str!("../../assets/pricing.toml");

/// One storage class of a provider (USD).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StorageClass {
    pub per_gb_month: f64,
    /// Retrieval charge per GB read back.
    #[serde(default)]
    pub retrieval_per_gb: f64,
    /// Objects smaller than this are billed as this size.
    #[serde(default)]
    pub min_object_bytes: u64,
    /// Objects deleted or moved earlier are billed for this many days anyway.
    #[serde(default)]
    pub min_days: u32,
    /// What reading it takes, when it is not read in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<String>,
}

/// Data not modified for `after_days` could move to `class`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    pub after_days: u32,
    pub class: String,
}

/// One provider's prices (USD).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    pub name: String,
    pub source: String,
    pub checked: String,
    pub get_per_1000: f64,
    pub list_per_1000: f64,
    /// PUT, COPY and POST requests (writes); DELETEs are free on every provider listed.
    #[serde(default)]
    pub put_per_1000: f64,
    pub scan_per_tb: f64,
    pub default_class: String,
    pub classes: BTreeMap<String, StorageClass>,
    #[serde(default)]
    pub lifecycle: Vec<LifecycleRule>,
    /// The provider key these prices are under (`s3`, `gcs`, `azure`, `local`).
    #[serde(default)]
    pub provider: String,
    /// Set by the config: `[pricing]` overrides or `local_as`.
    #[serde(default)]
    pub overridden: bool,
}

/// Every provider's prices, with the user's overrides applied.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceBook {
    providers: BTreeMap<String, Prices>,
    /// Price a local lake as this provider.
    local_as: Option<String>,
}

impl Default for PriceBook {
    fn default() -> Self {
        PriceBook::load(&toml::Table::new()).expect("assets/pricing.toml is valid")
    }
}

fn key_of(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::S3 => "s3",
        Scheme::Gcs => "gcs",
        Scheme::Azure => "azure",
        Scheme::File => "local",
    }
}

/// `over` merged into `base`, table by table (an override replaces single keys, not sections).
/// Merge `over` into `base`: tables key by key, all else replaced (config defaults and prices).
pub fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

impl PriceBook {
    /// The built-in prices with `overrides` (the config's `[pricing]` table) merged in.
    pub fn load(overrides: &toml::Table) -> Result<PriceBook, String> {
        let mut all: toml::Table = toml::from_str(PRICING).map_err(|e| format!("assets/pricing.toml: {e}"))?;
        let mut local_as = None;
        let mut touched = Vec::new();
        for (k, v) in overrides {
            match (k.as_str(), v) {
                ("local_as", toml::Value::String(p)) => local_as = Some(p.clone()),
                ("local_as", _) => return Err("pricing.local_as must be a provider name (s3, gcs, azure)".into()),
                (p, toml::Value::Table(t)) => {
                    let base = all.entry(p.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
                    let Some(base) = base.as_table_mut() else { return Err(format!("pricing.{p} must be a table")) };
                    merge(base, t);
                    touched.push(p.to_string());
                }
                (p, _) => return Err(format!("pricing.{p}: expected a [pricing.{p}] table or local_as")),
            }
        }
        let mut providers = BTreeMap::new();
        for (k, v) in all {
            let mut p: Prices = v.try_into_prices(&k)?;
            p.provider = k.clone();
            p.overridden = touched.contains(&k);
            if !p.classes.contains_key(&p.default_class) {
                return Err(format!(
                    "pricing.{k}: default_class {:?} has no prices in pricing.{k}.classes",
                    p.default_class
                ));
            }
            if let Some(r) = p.lifecycle.iter().find(|r| !p.classes.contains_key(&r.class)) {
                return Err(format!("pricing.{k}.lifecycle: class {:?} has no prices", r.class));
            }
            providers.insert(k, p);
        }
        if let Some(l) = &local_as
            && !providers.contains_key(l)
        {
            let known: Vec<&str> = providers.keys().map(String::as_str).collect();
            return Err(format!("pricing.local_as = {l:?}: no such provider (known: {})", known.join(", ")));
        }
        Ok(PriceBook { providers, local_as })
    }

    /// The same prices with a local lake priced as `provider` (`--price-as`).
    pub fn with_local_as(&self, provider: &str) -> Result<PriceBook, String> {
        if !self.providers.contains_key(provider) {
            let known: Vec<&str> = self.providers.keys().map(String::as_str).collect();
            return Err(format!("no prices for {provider:?} (known: {})", known.join(", ")));
        }
        Ok(PriceBook { providers: self.providers.clone(), local_as: Some(provider.to_string()) })
    }

    /// The prices for a store scheme (a local lake priced as `local_as` when set).
    pub fn for_scheme(&self, scheme: Scheme) -> Prices {
        let key = match (scheme, &self.local_as) {
            (Scheme::File, Some(other)) => other.as_str(),
            _ => key_of(scheme),
        };
        let mut p = self.providers.get(key).cloned().expect("every scheme has prices");
        if scheme == Scheme::File && self.local_as.is_some() {
            p.name = format!("{} (a local lake priced as {key} by pricing.local_as)", p.name);
            p.overridden = true;
        }
        p
    }
}

trait IntoPrices {
    fn try_into_prices(self, key: &str) -> Result<Prices, String>;
}

impl IntoPrices for toml::Value {
    fn try_into_prices(self, key: &str) -> Result<Prices, String> {
        self.try_into().map_err(|e: toml::de::Error| format!("pricing.{key}: {}", e.message()))
    }
}

impl Prices {
    /// The built-in prices for a store scheme.
    pub fn for_scheme(scheme: Scheme) -> Prices {
        PriceBook::default().for_scheme(scheme)
    }

    /// Requests (`gets` GETs) plus `bytes` scanned at the engine price.
    pub fn query_cost(&self, gets: u64, bytes: u64) -> f64 {
        gets as f64 / 1000.0 * self.get_per_1000 + bytes as f64 / 1e12 * self.scan_per_tb
    }

    /// The price list's name, with the date its prices were checked when they were.
    pub fn label(&self) -> String {
        if self.checked.is_empty() || self.checked == "-" {
            self.name.clone()
        } else {
            format!("{} (prices checked {})", self.name, self.checked)
        }
    }

    /// A class by name, falling back to the default class (a class the price list does not know
    /// is priced as the default one; `storage_cost` says so).
    pub fn class(&self, name: Option<&str>) -> (&str, &StorageClass) {
        let name = name.filter(|n| self.classes.contains_key(*n)).unwrap_or(&self.default_class);
        let (k, v) = self.classes.get_key_value(name).expect("default class checked on load");
        (k.as_str(), v)
    }

    /// Monthly storage cost of `bytes` (already billable: see `billable`) in a class.
    pub fn monthly(&self, class: &StorageClass, bytes: u64) -> f64 {
        bytes as f64 / 1e9 * class.per_gb_month
    }

    /// Bytes a class bills for an object of `size`.
    pub fn billable(class: &StorageClass, size: u64) -> u64 {
        size.max(class.min_object_bytes)
    }
}

/// `$0.0012`, `$1.37`, `< $0.0001`.
pub fn usd(v: f64) -> String {
    if v == 0.0 {
        "$0".into()
    } else if v.abs() < 0.0001 {
        "< $0.0001".into()
    } else if v.abs() < 1.0 {
        format!("${v:.4}")
    } else if v.abs() < 10_000.0 {
        format!("${v:.2}")
    } else {
        format!("${}", crate::lake::units::count(v.round() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_say_when_prices_were_checked_and_only_then() {
        assert!(Prices::for_scheme(Scheme::S3).label().contains("(prices checked 20"));
        let local = Prices::for_scheme(Scheme::File).label();
        assert!(!local.contains("checked"), "{local}");
    }

    #[test]
    fn every_scheme_has_sourced_prices() {
        for s in [Scheme::S3, Scheme::Gcs, Scheme::Azure, Scheme::File] {
            let p = Prices::for_scheme(s);
            assert!(!p.source.is_empty() && !p.checked.is_empty(), "{p:?}");
            assert!(p.classes.contains_key(&p.default_class));
        }
        let s3 = Prices::for_scheme(Scheme::S3);
        // 10,000 GETs and 1 TB scanned.
        assert!((s3.query_cost(10_000, 1_000_000_000_000) - (0.004 + 5.0)).abs() < 1e-9);
        assert_eq!(s3.lifecycle.iter().map(|r| r.after_days).collect::<Vec<_>>(), [30, 90, 365]);
        assert!((s3.monthly(s3.class(None).1, 1_000_000_000_000) - 23.0).abs() < 1e-9);
        assert_eq!(Prices::billable(s3.class(Some("STANDARD_IA")).1, 1000), 131072);
        assert_eq!(s3.class(Some("NO_SUCH")).0, "STANDARD");
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(0.004), "$0.0040");
        assert_eq!(usd(12.345), "$12.35");
        assert_eq!(usd(123_456.7), "$123,457");
    }

    #[test]
    fn overrides_replace_single_keys_and_local_can_be_priced_as_a_cloud() {
        let over: toml::Table = toml::from_str(
            r#"
            local_as = "s3"
            [s3]
            get_per_1000 = 0.001
            [s3.classes.STANDARD]
            per_gb_month = 0.03
            "#,
        )
        .unwrap();
        let book = PriceBook::load(&over).unwrap();
        let s3 = book.for_scheme(Scheme::S3);
        assert_eq!(s3.get_per_1000, 0.001);
        assert_eq!(s3.classes["STANDARD"].per_gb_month, 0.03);
        // Untouched keys and classes keep their built-in prices.
        assert_eq!(s3.list_per_1000, 0.005);
        assert_eq!(s3.classes["STANDARD_IA"].min_days, 30);
        assert!(s3.overridden);
        let local = book.for_scheme(Scheme::File);
        assert_eq!(local.provider, "s3");
        assert!(local.name.contains("priced as s3"), "{}", local.name);
        assert!(!book.for_scheme(Scheme::Gcs).overridden);

        for (text, want) in [
            ("local_as = \"moon\"", "no such provider"),
            ("[s3]\nget_per_1000 = \"cheap\"", "pricing.s3"),
            ("[s3]\ndefault_class = \"GOLD\"", "default_class"),
            ("[s3]\nsurprise = 1", "surprise"),
        ] {
            let err = PriceBook::load(&toml::from_str(text).unwrap()).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
