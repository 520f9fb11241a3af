//! Configuration: embedded defaults (`assets/default-config.toml`) merged with the user's file
//! (`--config`, `$LAKESCOPE_CONFIG`, or `$XDG_CONFIG_HOME/lakescope/config.toml`), plus theme
//! loading. Errors name the file, the line and what is wrong.

pub mod keymap;
pub mod theme;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    ui: Option<RawUi>,
    discovery: Option<RawDiscovery>,
    store: Option<RawStore>,
    inspector: Option<RawInspector>,
    sql: Option<RawSql>,
    diagnostics: Option<RawDiagnostics>,
    maintenance: Option<RawMaintenance>,
    pricing: Option<toml::Table>,
    #[serde(default)]
    lakes: BTreeMap<String, LakeConfig>,
    #[serde(default)]
    keymap: HashMap<Layer, Vec<RawBinding>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    max_retries: Option<usize>,
    retry_timeout_secs: Option<u64>,
    request_timeout_secs: Option<u64>,
    connect_timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInspector {
    preview_memory_mib: Option<u64>,
    footer_concurrency: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSql {
    memory_limit_mib: Option<u64>,
    max_rows: Option<u64>,
    threads: Option<u64>,
    history_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiagnostics {
    target_file_mib: Option<u64>,
    small_file_mib: Option<u64>,
    max_footers: Option<u64>,
    history_versions: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaintenance {
    read_only: Option<bool>,
    memory_limit_mib: Option<u64>,
    concurrency: Option<u64>,
    min_commit_interval_secs: Option<u64>,
}

/// Settings of compaction, convert-to-Delta and vacuum (the only actions that write).
#[derive(Debug, Clone, PartialEq)]
pub struct MaintenanceOptions {
    /// Refuse every write to every lake (per lake: `[lakes.NAME] read_only = true`).
    pub read_only: bool,
    /// Memory a rewrite may hold before it spills (MiB).
    pub memory_limit_mib: u64,
    /// Files rewritten at once (Delta optimize tasks).
    pub concurrency: usize,
    /// Delta: commit every this many seconds on long compactions (0: one commit at the end).
    pub min_commit_interval_secs: u64,
    /// The configured lake being browsed, when it is one (for the read-only message); set at
    /// start-up, not read from the file.
    pub lake: Option<String>,
}

/// Settings of the diagnostics (`lakescope diag`, the diagnostics view).
#[derive(Debug, Clone, PartialEq)]
pub struct DiagnosticsOptions {
    /// File size compaction aims for when a table does not set `delta.targetFileSize` (MiB).
    pub target_file_mib: u64,
    /// Files under this size are small (MiB).
    pub small_file_mib: u64,
    /// Footers read per Parquet dataset for row counts and schema drift; past it they are not.
    pub max_footers: usize,
    /// Newest Delta versions read for the growth chart.
    pub history_versions: usize,
}

/// Settings of the SQL console.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlOptions {
    /// Memory one query may use (MiB) before sorts and joins spill to disk or it fails.
    pub memory_limit_mib: u64,
    /// Result rows kept in memory for the grid (the rest are counted, and exported on demand).
    pub max_rows: usize,
    /// Threads queries run on (their own, apart from the app's).
    pub threads: usize,
    /// The query history file (`None`: history is kept for the session only).
    pub history_file: Option<PathBuf>,
}

/// Settings of the Parquet inspector.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectorOptions {
    /// Decompressed bytes one row-group preview may hold, in MiB.
    pub preview_memory_mib: u64,
    /// Footers read at once for a dataset's file list.
    pub footer_concurrency: usize,
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUi {
    theme: Option<String>,
    ascii: Option<bool>,
    prefetch_details: Option<bool>,
    mouse: Option<bool>,
    scroll_regions: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiscovery {
    max_depth: Option<usize>,
    concurrency: Option<usize>,
    zones: Option<Vec<String>>,
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
    pub diagnostics: DiagnosticsOptions,
    pub maintenance: MaintenanceOptions,
    /// Prices (assets/pricing.toml with the user's `[pricing]` overrides).
    pub pricing: crate::lake::pricing::PriceBook,
    pub keymap: Keymap,
    /// The user file that was read, if any.
    pub source: Option<PathBuf>,
}

impl Config {
    /// Built-in defaults only (tests, and `--no-config`).
    pub fn defaults() -> Config {
        Self::from_texts(None).expect("the embedded default config is valid")
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

    fn from_texts(user: Option<(&Path, &str)>) -> Result<Config, ConfigError> {
        let builtin = Path::new("<built-in defaults>");
        let defaults = parse(builtin, DEFAULT_CONFIG)?;
        let user_raw = match user {
            Some((p, text)) => Some((p, parse(p, text)?)),
            None => None,
        };
        let pick = |f: &dyn Fn(&RawConfig) -> Option<String>| {
            user_raw.as_ref().and_then(|(_, r)| f(r)).or_else(|| f(&defaults))
        };
        let theme = pick(&|r| r.ui.as_ref().and_then(|u| u.theme.clone())).unwrap_or_else(|| "dark".into());
        let flag = |f: &dyn Fn(&RawUi) -> Option<bool>, default: bool| {
            user_raw
                .as_ref()
                .and_then(|(_, r)| r.ui.as_ref().and_then(f))
                .or_else(|| defaults.ui.as_ref().and_then(f))
                .unwrap_or(default)
        };
        let ascii = flag(&|u| u.ascii, false);
        let prefetch_details = flag(&|u| u.prefetch_details, true);
        let mouse = flag(&|u| u.mouse, true);
        let scroll_regions = flag(&|u| u.scroll_regions, true);

        let disc = |f: &dyn Fn(&RawDiscovery) -> Option<usize>| {
            user_raw
                .as_ref()
                .and_then(|(_, r)| r.discovery.as_ref().and_then(f))
                .or_else(|| defaults.discovery.as_ref().and_then(f))
        };
        let mut discovery = DiscoveryOptions::default();
        if let Some(d) = disc(&|d| d.max_depth) {
            discovery.max_depth = d;
        }
        if let Some(c) = disc(&|d| d.concurrency) {
            if c == 0 {
                let path = user.map(|(p, _)| p.to_path_buf()).unwrap_or_default();
                return Err(ConfigError::Invalid { path, message: "discovery.concurrency must be at least 1".into() });
            }
            discovery.concurrency = c;
        }
        let zones = user_raw
            .as_ref()
            .and_then(|(_, r)| r.discovery.as_ref().and_then(|d| d.zones.clone()))
            .or_else(|| defaults.discovery.as_ref().and_then(|d| d.zones.clone()));
        if let Some(z) = zones {
            discovery.zones = z;
        }
        discovery.snapshot_interval = Duration::from_millis(100);

        let default_layers: Vec<(Layer, Vec<RawBinding>)> = ordered_layers(&defaults.keymap);
        let user_layers: Vec<(Layer, Vec<RawBinding>)> =
            user_raw.as_ref().map(|(_, r)| ordered_layers(&r.keymap)).unwrap_or_default();
        let keymap = Keymap::build(&default_layers, &user_layers).map_err(|message| ConfigError::Invalid {
            path: user.map(|(p, _)| p.to_path_buf()).unwrap_or_else(|| builtin.to_path_buf()),
            message: format!("keymap: {message}"),
        })?;
        let mut store = StoreOptions::default();
        let st = |f: &dyn Fn(&RawStore) -> Option<u64>| {
            user_raw
                .as_ref()
                .and_then(|(_, r)| r.store.as_ref().and_then(f))
                .or_else(|| defaults.store.as_ref().and_then(f))
        };
        if let Some(v) = st(&|s| s.max_retries.map(|v| v as u64)) {
            store.max_retries = v as usize;
        }
        if let Some(v) = st(&|s| s.retry_timeout_secs) {
            store.retry_timeout = Duration::from_secs(v);
        }
        if let Some(v) = st(&|s| s.request_timeout_secs) {
            store.request_timeout = Duration::from_secs(v);
        }
        if let Some(v) = st(&|s| s.connect_timeout_secs) {
            store.connect_timeout = Duration::from_secs(v);
        }
        let ins = |f: &dyn Fn(&RawInspector) -> Option<u64>| {
            user_raw
                .as_ref()
                .and_then(|(_, r)| r.inspector.as_ref().and_then(f))
                .or_else(|| defaults.inspector.as_ref().and_then(f))
        };
        let inspector = InspectorOptions {
            preview_memory_mib: ins(&|i| i.preview_memory_mib).unwrap_or(256).max(1),
            footer_concurrency: ins(&|i| i.footer_concurrency.map(|v| v as u64)).unwrap_or(8).clamp(1, 256) as usize,
        };
        let sq = |f: &dyn Fn(&RawSql) -> Option<u64>| {
            user_raw
                .as_ref()
                .and_then(|(_, r)| r.sql.as_ref().and_then(f))
                .or_else(|| defaults.sql.as_ref().and_then(f))
        };
        let sql = SqlOptions {
            memory_limit_mib: sq(&|s| s.memory_limit_mib).unwrap_or(2048).max(16),
            max_rows: sq(&|s| s.max_rows).unwrap_or(100_000).clamp(1, 100_000_000) as usize,
            threads: sq(&|s| s.threads)
                .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(2))
                .clamp(1, 256) as usize,
            history_file: user_raw
                .as_ref()
                .and_then(|(_, r)| r.sql.as_ref().and_then(|s| s.history_file.clone()))
                .map(|p| expand_home(&p)),
        };
        let dg = |f: &dyn Fn(&RawDiagnostics) -> Option<u64>| {
            user_raw
                .as_ref()
                .and_then(|(_, r)| r.diagnostics.as_ref().and_then(f))
                .or_else(|| defaults.diagnostics.as_ref().and_then(f))
        };
        let diagnostics = DiagnosticsOptions {
            target_file_mib: dg(&|d| d.target_file_mib).unwrap_or(128).clamp(1, 1 << 20),
            small_file_mib: dg(&|d| d.small_file_mib).unwrap_or(32).clamp(1, 1 << 20),
            max_footers: dg(&|d| d.max_footers).unwrap_or(1_000).min(10_000_000) as usize,
            history_versions: dg(&|d| d.history_versions).unwrap_or(100).clamp(1, 100_000) as usize,
        };
        let mt = |f: &dyn Fn(&RawMaintenance) -> Option<u64>| {
            user_raw
                .as_ref()
                .and_then(|(_, r)| r.maintenance.as_ref().and_then(f))
                .or_else(|| defaults.maintenance.as_ref().and_then(f))
        };
        let cores = std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(2);
        let maintenance = MaintenanceOptions {
            read_only: mt(&|m| m.read_only.map(u64::from)).unwrap_or(0) != 0,
            memory_limit_mib: mt(&|m| m.memory_limit_mib).unwrap_or(512).max(64),
            concurrency: mt(&|m| m.concurrency).unwrap_or(cores).clamp(1, 64) as usize,
            min_commit_interval_secs: mt(&|m| m.min_commit_interval_secs).unwrap_or(300),
            lake: None,
        };
        let pricing_over = user_raw.as_ref().and_then(|(_, r)| r.pricing.clone()).unwrap_or_default();
        let pricing = crate::lake::pricing::PriceBook::load(&pricing_over).map_err(|message| ConfigError::Invalid {
            path: user.map(|(p, _)| p.to_path_buf()).unwrap_or_else(|| builtin.to_path_buf()),
            message,
        })?;
        let lakes = user_raw.as_ref().map(|(_, r)| r.lakes.clone()).unwrap_or_default();
        for (name, lake) in &lakes {
            if lake.url.trim().is_empty() {
                let path = user.map(|(p, _)| p.to_path_buf()).unwrap_or_default();
                return Err(ConfigError::Invalid { path, message: format!("lakes.{name}: url is empty") });
            }
        }
        Ok(Config {
            theme,
            ascii,
            mouse,
            scroll_regions,
            prefetch_details,
            discovery,
            store,
            inspector,
            sql,
            diagnostics,
            maintenance,
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
}

fn ordered_layers(map: &HashMap<Layer, Vec<RawBinding>>) -> Vec<(Layer, Vec<RawBinding>)> {
    [
        Layer::Global,
        Layer::Browser,
        Layer::Inspector,
        Layer::History,
        Layer::Diagnostics,
        Layer::SqlEditor,
        Layer::SqlResults,
        Layer::Help,
    ]
    .into_iter()
    .filter_map(|l| map.get(&l).map(|b| (l, b.clone())))
    .collect()
}

fn parse(path: &Path, text: &str) -> Result<RawConfig, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let location = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}: ")
            })
            .unwrap_or_default();
        ConfigError::Parse { path: path.to_path_buf(), message: format!("{location}{}", e.message()) }
    })
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
    use crate::action::Action;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn defaults_load() {
        let c = Config::defaults();
        assert_eq!(c.theme, "dark");
        assert!(c.mouse && c.scroll_regions, "mouse and scrolling regions are on by default");
        assert!(c.discovery.zones.iter().any(|z| z == "silver"));
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(c.keymap.lookup(Layer::Browser, &j), Some(Action::Down));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(c.keymap.lookup(Layer::Browser, &ctrl_c), Some(Action::Quit));
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
        assert_eq!(c.keymap.lookup(Layer::Browser, &x), Some(Action::Quit));
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(c.keymap.lookup(Layer::Browser, &q), Some(Action::Quit));
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
        assert_eq!(o.request_timeout, Duration::from_secs(5));
        let err = Config::from_texts(Some((Path::new("u.toml"), "[lakes.x]\nurl = \"s3://a\"\nprofil = \"p\"\n")))
            .unwrap_err();
        assert!(err.to_string().contains("profil"), "{err}");
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = Config::from_texts(Some((Path::new("/tmp/bad.toml"), "[ui]\nthem = \"dark\"\n"))).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/tmp/bad.toml") && text.contains("line 2"), "{text}");
        let err =
            Config::from_texts(Some((Path::new("k.toml"), "[[keymap.browser]]\non = \"x\"\nrun = \"explode\"\n")))
                .unwrap_err();
        assert!(err.to_string().contains("explode"), "{err}");
    }

    #[test]
    fn unknown_theme_is_explained() {
        let err = load_theme("solarized-purple", false).unwrap_err();
        assert!(err.to_string().contains("built-in themes"), "{err}");
        assert_eq!(load_theme("dark", true).unwrap().name, "no-color");
    }
}
