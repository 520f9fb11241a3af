//! Configuration: embedded defaults (`assets/default-config.toml`) merged with the user's file
//! (`--config`, `$LAKESCOPE_CONFIG`, or `$XDG_CONFIG_HOME/lakescope/config.toml`), plus theme
//! loading. The defaults live in one place, the embedded file: the user's file is merged over it
//! key by key and the result deserialised once into the lake core's settings structs. Unknown
//! keys, wrong types and unusable values are errors that name the file, the key and its line.

pub mod keymap;
pub mod theme;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::lake::diag::DiagSettings;
use crate::lake::diag::gather::GatherOptions;
use crate::lake::maintain::run::{MaintainOptions, Settings};
use crate::lake::parquet::InspectorOptions;
use crate::lake::sql::SqlOptions;
use crate::lake::store::location::Scheme;
use crate::lake::{DiscoveryOptions, StoreOptions};
use keymap::{Keymap, Layer, RawBinding};
use theme::Theme;

pub const DEFAULT_CONFIG: &str = include_str!("../../assets/default-config.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("config {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("unknown theme {name:?}: built-in themes are dark, light, high-contrast (or put {name}.toml in {dir})")]
    UnknownTheme { name: String, dir: String },
    #[error("{0}")]
    Theme(String),
}

/// The config file's shape. Every section but `pricing`, `lakes` and `keymap` is complete in the
/// embedded defaults; the user's file is merged over them key by key, and the result is
/// deserialised once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    ui: UiConfig,
    discovery: DiscoveryOptions,
    store: StoreOptions,
    inspector: InspectorOptions,
    sql: SqlOptions,
    diagnostics: DiagSettings,
    maintenance: MaintainOptions,
    #[serde(default)]
    pricing: toml::Table,
    #[serde(default)]
    lakes: BTreeMap<String, LakeConfig>,
}

/// `[ui]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct UiConfig {
    theme: String,
    ascii: bool,
    prefetch_details: bool,
    mouse: bool,
    scroll_regions: bool,
}

/// The keymap, kept apart from the merge: a user's entry takes over only the keys it names.
#[derive(Debug, Default, Deserialize)]
struct KeymapFile {
    #[serde(default)]
    keymap: HashMap<Layer, Vec<RawBinding>>,
}

/// A named lake: `[lakes.prod] url = "s3://acme-lake" profile = "prod" read_only = true`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LakeConfig {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub allow_http: bool,
    /// Unsigned requests (public buckets).
    #[serde(default)]
    pub anonymous: bool,
    /// Refuse every action that writes to this lake (compaction, vacuum…).
    #[serde(default)]
    pub read_only: bool,
    /// Buckets to show for an account root (`gs://`, `az://`) where they cannot be listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<String>,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub theme: String,
    pub ascii: bool,
    /// Capture the mouse (the wheel scrolls like j/k); off with `--no-mouse`.
    pub mouse: bool,
    /// Let the terminal scroll bands of lines instead of rewriting them (see `backend`).
    pub scroll_regions: bool,
    pub prefetch_details: bool,
    pub discovery: DiscoveryOptions,
    /// Retries and timeouts for every store (named lakes add their own settings).
    pub store: StoreOptions,
    /// Named lakes, by name.
    pub lakes: BTreeMap<String, LakeConfig>,
    pub inspector: InspectorOptions,
    pub sql: SqlOptions,
    pub diagnostics: DiagSettings,
    pub maintenance: MaintainOptions,
    /// The configured lake being browsed, when it is one (named in read-only refusals); set at
    /// start-up, not read from the file.
    pub lake: Option<String>,
    /// Prices (assets/pricing.toml with the user's `[pricing]` overrides).
    pub pricing: crate::lake::pricing::PriceBook,
    pub keymap: Keymap,
    /// The user file that was read, if any.
    pub source: Option<PathBuf>,
}

static DEFAULTS: std::sync::LazyLock<Config> =
    std::sync::LazyLock::new(|| Config::from_texts(None).expect("the embedded default config is valid"));

impl Config {
    /// Built-in defaults only (tests, and `--no-config`).
    pub fn defaults() -> Config {
        DEFAULTS.clone()
    }

    /// Defaults merged with the user's file: `explicit`, else `$LAKESCOPE_CONFIG`, else the XDG
    /// location when it exists.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => match std::env::var_os("LAKESCOPE_CONFIG") {
                Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
                _ => default_config_path().filter(|p| p.exists()),
            },
        };
        let mut config = match path {
            None => Self::from_texts(None)?,
            Some(p) => {
                let text = std::fs::read_to_string(&p).map_err(|source| ConfigError::Io { path: p.clone(), source })?;
                Self::from_texts(Some((&p, &text)))?
            }
        };
        // A user's session keeps its query history; built-in defaults alone (tests) do not.
        if config.sql.history_file.is_none() {
            config.sql.history_file = state_dir().map(|d| d.join("sql_history"));
        }
        Ok(config)
    }

    /// The embedded defaults with the user's file (its path and text) merged over them.
    pub fn from_texts(user: Option<(&Path, &str)>) -> Result<Config, ConfigError> {
        let builtin = Path::new("<built-in defaults>");
        let mut merged = parse_table(builtin, DEFAULT_CONFIG)?;
        let mut keymaps = vec![split_keymap(builtin, DEFAULT_CONFIG, &mut merged)?];
        let (path, text) = user.unwrap_or((builtin, DEFAULT_CONFIG));
        if let Some((p, text)) = user {
            let mut table = parse_table(p, text)?;
            keymaps.push(split_keymap(p, text, &mut table)?);
            crate::lake::pricing::merge(&mut merged, &table);
        }
        // The user's keys are in `merged`: an error names its key, and the line in their file.
        let file: FileConfig = serde_path_to_error::deserialize(toml::Value::Table(merged)).map_err(|e| {
            let key = e.path().to_string();
            ConfigError::Parse { path: path.to_path_buf(), message: at_key(text, &key, e.inner().to_string()) }
        })?;
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: at_key(text, key, format!("{key}: {message}")),
        };
        validate(&file).map_err(|(key, message)| invalid(key, message))?;
        let keymap =
            Keymap::build(&ordered_layers(&keymaps[0]), &keymaps.get(1).map(ordered_layers).unwrap_or_default())
                .map_err(|message| ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!("keymap: {message}"),
                })?;
        let pricing = crate::lake::pricing::PriceBook::load(&file.pricing)
            .map_err(|message| ConfigError::Invalid { path: path.to_path_buf(), message })?;
        for (name, lake) in &file.lakes {
            if lake.url.trim().is_empty() {
                return Err(invalid(&format!("lakes.{name}.url"), "is empty".into()));
            }
        }
        let FileConfig { ui, discovery, store, inspector, mut sql, diagnostics, maintenance, pricing: _, lakes } = file;
        sql.history_file = sql.history_file.map(|p| expand_home(&p));
        Ok(Config {
            theme: ui.theme,
            ascii: ui.ascii,
            mouse: ui.mouse,
            scroll_regions: ui.scroll_regions,
            prefetch_details: ui.prefetch_details,
            discovery,
            store,
            inspector,
            sql,
            diagnostics,
            maintenance,
            lake: None,
            pricing,
            lakes,
            keymap,
            source: user.map(|(p, _)| p.to_path_buf()),
        })
    }

    /// Store options for a named lake: the `[store]` settings plus the lake's own.
    pub fn lake_options(&self, lake: &LakeConfig) -> StoreOptions {
        StoreOptions {
            profile: lake.profile.clone(),
            region: lake.region.clone(),
            endpoint: lake.endpoint.clone(),
            allow_http: lake.allow_http,
            anonymous: lake.anonymous,
            buckets: lake.buckets.clone(),
            ..self.store.clone()
        }
    }

    /// What the write actions need on a lake of `scheme`; `read_only` adds to the settings'.
    pub fn maintain_settings(&self, scheme: Scheme, read_only: bool, lake: Option<String>) -> Settings {
        Settings::new(
            &self.maintenance,
            &self.diagnostics,
            self.inspector.footer_concurrency,
            self.pricing.for_scheme(scheme),
            read_only,
            lake,
        )
    }

    /// What the diagnostics read for each table.
    pub fn gather_options(&self) -> GatherOptions {
        GatherOptions::new(&self.diagnostics, self.inspector.footer_concurrency)
    }
}

/// Values serde accepts but lakescope cannot use: the key and what is wrong.
fn validate(f: &FileConfig) -> Result<(), (&'static str, String)> {
    let at_least = |key: &'static str, v: u64, min: u64| {
        if v < min { Err((key, format!("must be at least {min}, not {v}"))) } else { Ok(()) }
    };
    let between = |key: &'static str, v: u64, min: u64, max: u64| {
        if v < min || v > max { Err((key, format!("must be between {min} and {max}, not {v}"))) } else { Ok(()) }
    };
    between("discovery.max_depth", f.discovery.max_depth as u64, 1, 1000)?;
    between("discovery.concurrency", f.discovery.concurrency as u64, 1, 256)?;
    between("store.max_retries", f.store.max_retries as u64, 0, 100)?;
    at_least("inspector.preview_memory_mib", f.inspector.preview_memory_mib, 1)?;
    between("inspector.footer_concurrency", f.inspector.footer_concurrency as u64, 1, 256)?;
    at_least("sql.memory_limit_mib", f.sql.memory_limit_mib, 16)?;
    between("sql.max_rows", f.sql.max_rows as u64, 1, 100_000_000)?;
    if let Some(t) = f.sql.threads {
        between("sql.threads", t as u64, 1, 256)?;
    }
    f.sql.datafusion_config().map_err(|e| ("sql.datafusion", e))?;
    between("diagnostics.target_file_mib", f.diagnostics.target_file_mib, 1, 1 << 20)?;
    between("diagnostics.small_file_mib", f.diagnostics.small_file_mib, 1, 1 << 20)?;
    between("diagnostics.history_versions", f.diagnostics.history_versions as u64, 1, 100_000)?;
    at_least("maintenance.memory_limit_mib", f.maintenance.memory_limit_mib, 64)?;
    if let Some(c) = f.maintenance.concurrency {
        between("maintenance.concurrency", c as u64, 1, 64)?;
    }
    Ok(())
}

/// A TOML document as a table; syntax errors name the line.
fn parse_table(path: &Path, text: &str) -> Result<toml::Table, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let location = e.span().map(|s| format!("line {}: ", line_of(text, s.start))).unwrap_or_default();
        ConfigError::Parse { path: path.to_path_buf(), message: format!("{location}{}", e.message()) }
    })
}

/// Take the `keymap` table out of a document and parse it on its own.
fn split_keymap(
    path: &Path,
    text: &str,
    table: &mut toml::Table,
) -> Result<HashMap<Layer, Vec<RawBinding>>, ConfigError> {
    let Some(keymap) = table.remove("keymap") else { return Ok(HashMap::new()) };
    let mut doc = toml::Table::new();
    doc.insert("keymap".into(), keymap);
    let parsed: KeymapFile = serde_path_to_error::deserialize(toml::Value::Table(doc)).map_err(|e| {
        let key = e.path().to_string();
        ConfigError::Parse { path: path.to_path_buf(), message: at_key(text, &key, e.inner().to_string()) }
    })?;
    Ok(parsed.keymap)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// `message` about `key` (`sql.max_rows`, `ui.them`), prefixed with the key's line in `text`
/// when the key is written there.
fn at_key(text: &str, key: &str, message: String) -> String {
    let line = key_line(text, key, &message);
    let message =
        if message.contains(key) || key == "." || key.is_empty() { message } else { format!("{key}: {message}") };
    match line {
        Some(line) => format!("line {line}: {message}"),
        None => message,
    }
}

/// The line where `key` (a dotted path, array indices in brackets) is written in `text`. For an
/// unknown field the path ends at its table: the field named in the message is looked up there.
fn key_line(text: &str, key: &str, message: &str) -> Option<usize> {
    let unknown = message.strip_prefix("unknown field `").and_then(|m| m.split('`').next());
    let key = match unknown {
        Some(field) if key.is_empty() || key == "." => field.to_string(),
        Some(field) => format!("{key}.{field}"),
        None => key.to_string(),
    };
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut span = None;
    for seg in key.split('.').filter(|s| !s.is_empty()) {
        let (name, index) = match seg.split_once('[') {
            Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        let (k, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == name)?;
        span = Some(k.span());
        let mut value = v.get_ref();
        if let Some(i) = index {
            let item = value.as_array()?.get(i)?;
            span = Some(item.span());
            value = item.get_ref();
        }
        match value.as_table() {
            Some(t) => table = t,
            None => break,
        }
    }
    span.map(|s| line_of(text, s.start))
}

fn ordered_layers(map: &HashMap<Layer, Vec<RawBinding>>) -> Vec<(Layer, Vec<RawBinding>)> {
    Layer::ALL.into_iter().filter_map(|l| map.get(&l).map(|b| (l, b.clone()))).collect()
}

pub fn config_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("lakescope"))
}

/// `$XDG_STATE_HOME/lakescope` (query history).
pub fn state_dir() -> Option<PathBuf> {
    dirs::state_dir().or_else(|| dirs::home_dir().map(|h| h.join(".local/state"))).map(|d| d.join("lakescope"))
}

/// `~/x` → the home directory's `x`.
fn expand_home(p: &Path) -> PathBuf {
    match (p.strip_prefix("~"), dirs::home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => p.to_path_buf(),
    }
}

pub fn default_config_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.toml"))
}

/// Whether the NO_COLOR convention asks for no colours (set and not empty).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Load a theme by name: a user file first, then the built-ins; monochrome under NO_COLOR.
pub fn load_theme(name: &str, no_color: bool) -> Result<Theme, ConfigError> {
    if no_color {
        return Ok(Theme::monochrome());
    }
    if let Some(dir) = config_dir() {
        let path = dir.join("themes").join(format!("{name}.toml"));
        if path.exists() {
            let text =
                std::fs::read_to_string(&path).map_err(|source| ConfigError::Io { path: path.clone(), source })?;
            return Theme::parse(name, &text).map_err(ConfigError::Theme);
        }
    }
    Theme::builtin(name).ok_or_else(|| ConfigError::UnknownTheme {
        name: name.to_string(),
        dir: config_dir()
            .map(|d| d.join("themes").display().to_string())
            .unwrap_or_else(|| "~/.config/lakescope/themes".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Intent;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn defaults_load() {
        let c = Config::defaults();
        assert_eq!(c.theme, "dark");
        assert!(c.mouse && c.scroll_regions, "mouse and scrolling regions are on by default");
        assert!(c.discovery.zones.iter().any(|z| z == "silver"));
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(c.keymap.lookup(Layer::Browser, &j), Some(Intent::Down));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(c.keymap.lookup(Layer::Browser, &ctrl_c), Some(Intent::Quit));
    }

    #[test]
    fn user_file_overrides_settings_and_keys() {
        let text = r#"
[ui]
theme = "light"
mouse = false
scroll_regions = false

[discovery]
zones = ["landing", "published"]

[[keymap.browser]]
on = "x"
run = "quit"
desc = "leave"
"#;
        let c = Config::from_texts(Some((Path::new("user.toml"), text))).unwrap();
        assert_eq!(c.theme, "light");
        assert!(!c.mouse && !c.scroll_regions);
        assert_eq!(c.discovery.zones, vec!["landing".to_string(), "published".to_string()]);
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(c.keymap.lookup(Layer::Browser, &x), Some(Intent::Quit));
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(c.keymap.lookup(Layer::Browser, &q), Some(Intent::Quit));
    }

    #[test]
    fn named_lakes_and_store_settings() {
        let text = r#"
[store]
max_retries = 1
request_timeout_secs = 5

[lakes.prod]
url = "s3://acme-lake"
profile = "prod"
read_only = true

[lakes.local]
url = "/data/lake"
description = "the NAS"
"#;
        let c = Config::from_texts(Some((Path::new("user.toml"), text))).unwrap();
        assert_eq!(c.lakes.keys().collect::<Vec<_>>(), vec!["local", "prod"]);
        let prod = &c.lakes["prod"];
        assert!(prod.read_only);
        let o = c.lake_options(prod);
        assert_eq!((o.profile.as_deref(), o.max_retries), (Some("prod"), 1));
        assert_eq!(o.request_timeout, std::time::Duration::from_secs(5));
        assert_eq!(o.connect_timeout, std::time::Duration::from_secs(5), "the rest from the defaults");
        let err = Config::from_texts(Some((Path::new("u.toml"), "[lakes.x]\nurl = \"s3://a\"\nprofil = \"p\"\n")))
            .unwrap_err();
        assert!(err.to_string().contains("profil"), "{err}");
    }

    #[test]
    fn errors_name_file_key_and_line() {
        let err = Config::from_texts(Some((Path::new("/tmp/bad.toml"), "[ui]\nthem = \"dark\"\n"))).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/tmp/bad.toml") && text.contains("line 2") && text.contains("them"), "{text}");
        // A wrong type names the key and its line.
        let err = Config::from_texts(Some((Path::new("u.toml"), "\n[sql]\nmax_rows = \"lots\"\n"))).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("sql.max_rows") && text.contains("line 3") && text.contains("u.toml"), "{text}");
        // A value serde takes but lakescope cannot use.
        let err = Config::from_texts(Some((Path::new("u.toml"), "[discovery]\nconcurrency = 0\n"))).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("discovery.concurrency") && text.contains("between 1") && text.contains("line 2"),
            "{text}"
        );
        // An unknown section.
        let err = Config::from_texts(Some((Path::new("u.toml"), "[uii]\ntheme = \"x\"\n"))).unwrap_err();
        assert!(err.to_string().contains("uii"), "{err}");
        let err =
            Config::from_texts(Some((Path::new("k.toml"), "[[keymap.browser]]\non = \"x\"\nrun = \"explode\"\n")))
                .unwrap_err();
        assert!(err.to_string().contains("explode"), "{err}");
    }

    #[test]
    fn datafusion_settings_are_checked_when_the_config_loads() {
        // With or without the prefix; the user's keys merge with the defaults'.
        let c = Config::from_texts(Some((
            Path::new("u.toml"),
            "[sql.datafusion]\n\"datafusion.execution.batch_size\" = 4096\n\"execution.parquet.reorder_filters\" = true\n",
        )))
        .unwrap();
        let options = c.sql.datafusion_config().unwrap();
        assert_eq!(options.execution.batch_size.get(), 4096);
        assert!(options.execution.parquet.reorder_filters);
        assert!(!options.execution.parquet.pushdown_filters, "DataFusion's default where none is set");
        // An unknown key and a wrong value are named, with the section.
        for (text, named) in [
            ("[sql.datafusion]\n\"execution.no_such_thing\" = 1\n", "execution.no_such_thing"),
            ("[sql.datafusion]\n\"execution.batch_size\" = \"many\"\n", "execution.batch_size = many"),
        ] {
            let err = Config::from_texts(Some((Path::new("u.toml"), text))).unwrap_err().to_string();
            assert!(err.contains("sql.datafusion") && err.contains(named), "{err}");
        }
    }

    #[test]
    fn every_default_lives_in_the_embedded_file() {
        // Deep merge: a user's one key leaves its section's other keys at their defaults.
        let c = Config::from_texts(Some((Path::new("u.toml"), "[sql]\nmax_rows = 7\n"))).unwrap();
        let d = Config::defaults();
        assert_eq!(c.sql.max_rows, 7);
        assert_eq!(c.sql.memory_limit_mib, d.sql.memory_limit_mib);
        let file: toml::Table = toml::from_str(DEFAULT_CONFIG).unwrap();
        assert_eq!(file["sql"]["memory_limit_mib"].as_integer(), Some(d.sql.memory_limit_mib as i64));
        assert_eq!(file["store"]["max_retries"].as_integer(), Some(d.store.max_retries as i64));
        assert_eq!(file["discovery"]["max_depth"].as_integer(), Some(d.discovery.max_depth as i64));
    }

    #[test]
    fn unknown_theme_is_explained() {
        let err = load_theme("solarized-purple", false).unwrap_err();
        assert!(err.to_string().contains("built-in themes"), "{err}");
        assert_eq!(load_theme("dark", true).unwrap().name, "no-color");
    }
}
