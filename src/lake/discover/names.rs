//! Name rules: what a file or folder is, judged from its name alone.
//!
//! Discovery decides a lake's shape from object keys before reading any byte, so everything it
//! knows about extensions, hidden files, hive partitions, date-like folders, medallion zone names
//! and "part files that belong together" lives here, as pure functions with unit tests.

/// What a single object is, from its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    Parquet,
    Csv,
    Json,
    NdJson,
    Avro,
    Orc,
    /// Hidden by Hadoop/Spark convention (`_SUCCESS`, `.part-0.crc`): never data.
    Hidden,
    /// No extension: may be Parquet without a suffix (Hive, fuzzers); worth sniffing the magic.
    Unknown,
    /// A file that is not table data (README, LICENSE, images…).
    Other,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Parquet => "parquet",
            FileKind::Csv => "csv",
            FileKind::Json => "json",
            FileKind::NdJson => "ndjson",
            FileKind::Avro => "avro",
            FileKind::Orc => "orc",
            FileKind::Hidden => "hidden",
            FileKind::Unknown => "unknown",
            FileKind::Other => "other",
        }
    }

    pub fn is_data(self) -> bool {
        matches!(
            self,
            FileKind::Parquet | FileKind::Csv | FileKind::Json | FileKind::NdJson | FileKind::Avro | FileKind::Orc
        )
    }
}

/// Compression suffixes that may follow a data extension (`events.json.gz`).
const COMPRESSION_SUFFIXES: &[&str] = &[".gz", ".gzip", ".bz2", ".zst", ".zstd", ".xz", ".lz4", ".snappy"];

/// Classify an object by its file name (the last path segment).
pub fn classify_file(name: &str) -> FileKind {
    if name.starts_with('_') || name.starts_with('.') {
        return FileKind::Hidden;
    }
    // Called for every listed object: compare case-insensitively without allocating.
    let mut base = name;
    for suffix in COMPRESSION_SUFFIXES {
        if ends_with_ci(base, suffix) {
            base = &base[..base.len() - suffix.len()];
            break;
        }
    }
    let is = |exts: &[&str]| exts.iter().any(|e| ends_with_ci(base, e));
    // `x.parquet.encrypted` is Parquet with modular encryption: still a Parquet file.
    if is(&[".parquet", ".parq", ".pqt", ".parquet.encrypted"]) {
        return FileKind::Parquet;
    }
    if is(&[".csv", ".tsv", ".psv"]) {
        return FileKind::Csv;
    }
    if is(&[".ndjson", ".jsonl", ".ldjson"]) {
        return FileKind::NdJson;
    }
    if is(&[".json"]) {
        return FileKind::Json;
    }
    if is(&[".avro"]) {
        return FileKind::Avro;
    }
    if is(&[".orc"]) {
        return FileKind::Orc;
    }
    if !name.contains('.') {
        return FileKind::Unknown;
    }
    FileKind::Other
}

/// ASCII case-insensitive `ends_with`.
fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len() && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Folders that are never tables nor namespaces of their own: `_temporary`, `.spark-staging`…
pub fn is_hidden_dir(name: &str) -> bool {
    name.starts_with('_') || name.starts_with('.')
}

/// A hive partition folder `key=value`, returned as its key and its (still escaped) value.
pub fn hive_pair(name: &str) -> Option<(&str, &str)> {
    let (k, v) = name.split_once('=')?;
    if k.is_empty() || k.starts_with('_') || k.starts_with('.') {
        return None;
    }
    Some((k, v))
}

/// Undo hive's percent-escaping of partition values (`11%3A00` -> `11:00`).
pub fn hive_unescape(value: &str) -> String {
    if !value.contains('%') {
        return value.to_string();
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 1 < bytes.len() {
            let hi = (bytes[i + 1] as char).to_digit(16);
            let lo = bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A folder that is one level of a partitioning scheme rather than a table or a namespace:
/// `key=value`, or a bare date / number level such as `2024`, `11`, `2024-11-21`, `20241121`.
pub fn is_partition_dir(name: &str) -> bool {
    hive_pair(name).is_some() || is_date_like(name)
}

/// `2024`, `07`, `2024-11-21`, `2024_11_21`, `20241121T1200`: digits with date/time separators.
pub fn is_date_like(name: &str) -> bool {
    let digits = name.bytes().filter(u8::is_ascii_digit).count();
    digits > 0
        && name.as_bytes()[0].is_ascii_digit()
        && name.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'T' | b':' | b'.'))
}

/// Normalise a folder name for zone matching: `01_Bronze`, `bronze-zone`, `bronze_layer` -> `bronze`.
pub fn zone_key(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let trimmed = lower.trim_start_matches(|c: char| c.is_ascii_digit() || c == '_' || c == '-' || c == '.');
    let mut key = trimmed;
    for suffix in ["_zone", "-zone", "_layer", "-layer", "_tier", "-tier"] {
        if let Some(s) = key.strip_suffix(suffix) {
            key = s;
            break;
        }
    }
    key.to_string()
}

/// The position of `name` in the configured zone list, if it names a zone.
pub fn zone_rank(name: &str, zones: &[String]) -> Option<usize> {
    let key = zone_key(name);
    if key.is_empty() {
        return None;
    }
    zones.iter().position(|z| z.eq_ignore_ascii_case(&key))
}

/// Split a file name into its base and its data extension with any codec and compression
/// suffixes: `part-0.snappy.parquet` -> (`part-0`, `.snappy.parquet`), `e.json.gz` -> (`e`, `.json.gz`).
/// Names without a data extension come back whole with an empty extension.
pub fn split_data_extension(name: &str) -> (&str, &str) {
    let lower = name.to_ascii_lowercase();
    let mut end = name.len();
    for suffix in COMPRESSION_SUFFIXES {
        if lower.ends_with(suffix) {
            end -= suffix.len();
            break;
        }
    }
    const DATA_EXTS: &[&str] = &[
        ".parquet.encrypted",
        ".parquet",
        ".parq",
        ".pqt",
        ".csv",
        ".tsv",
        ".psv",
        ".ndjson",
        ".jsonl",
        ".ldjson",
        ".json",
        ".avro",
        ".orc",
    ];
    let Some(ext) = DATA_EXTS.iter().find(|e| lower[..end].ends_with(*e)) else {
        return (name, "");
    };
    let mut base_end = end - ext.len();
    // Spark and pyarrow put the codec before the extension: `part-0.snappy.parquet`.
    for codec in [".snappy", ".gz", ".zstd", ".zst", ".lz4", ".brotli"] {
        if lower[..base_end].ends_with(codec) {
            base_end -= codec.len();
            break;
        }
    }
    (&name[..base_end], &name[base_end..])
}

/// A token of a file name that varies between files of one dataset: a run of digits, a date
/// piece or a hex hash (`00001`, `2024`, `3fa65c69`, `c000`). UUIDs are found separately, since
/// their groups may be letters only (`bcfd`).
fn is_variable_token(token: &str) -> bool {
    if token.is_empty() {
        return false;
    }
    let all_digits = token.bytes().all(|b| b.is_ascii_digit());
    let all_hex = token.bytes().all(|b| b.is_ascii_hexdigit());
    let hexish = token.len() >= 4 && all_hex && token.bytes().any(|b| b.is_ascii_digit());
    all_digits || hexish || (all_hex && token.len() >= 12)
}

/// Byte ranges of UUIDs (`8-4-4-4-12` hex digits) in a name.
fn uuid_ranges(s: &str) -> Vec<std::ops::Range<usize>> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 36 <= b.len() {
        let mut pos = i;
        let mut ok = true;
        for (g, len) in GROUPS.iter().enumerate() {
            if !b[pos..pos + len].iter().all(u8::is_ascii_hexdigit) {
                ok = false;
                break;
            }
            pos += len;
            if g < 4 {
                if b[pos] != b'-' {
                    ok = false;
                    break;
                }
                pos += 1;
            }
        }
        if ok {
            out.push(i..i + 36);
            i += 36;
        } else {
            i += 1;
        }
    }
    out
}

/// How a file name places its file in a dataset: files with the same `key` belong together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSignature {
    /// Lower-cased name with its varying tokens replaced by `#`, plus the file kind.
    pub key: String,
    /// The constant words of the name, to call the dataset by: `customers`.
    pub stem: String,
    /// A glob matching every file of the group: `customers_*-*-*.csv`.
    pub glob: String,
}

/// Walk the tokens of a file's base name (split on `-`, `_`, `.` and spaces), telling for each
/// whether it varies between files of one dataset, and the separator that follows it.
fn for_each_token<'a>(base: &'a str, mut f: impl FnMut(&'a str, bool, Option<char>)) {
    let bytes = base.as_bytes();
    let uuids = uuid_ranges(base);
    let mut token_start = 0;
    for i in 0..=bytes.len() {
        if i == bytes.len() || matches!(bytes[i], b'-' | b'_' | b'.' | b' ') {
            let token = &base[token_start..i];
            let in_uuid = uuids.iter().any(|r| r.contains(&token_start) && i <= r.end);
            f(token, in_uuid || is_variable_token(token), bytes.get(i).map(|b| *b as char));
            token_start = i + 1;
        }
    }
}

/// The key that groups files of one dataset: `part-00000-….snappy.parquet` and
/// `part-00001-….snappy.parquet` share `part-#-#…|parquet`. One allocation: it is computed for
/// every file lying directly in a folder.
pub fn signature_key(name: &str, kind: FileKind) -> String {
    let (base, _) = split_data_extension(name);
    let mut key = String::with_capacity(base.len() + 8);
    for_each_token(base, |token, variable, sep| {
        if variable {
            key.push('#');
        } else {
            key.extend(token.chars().map(|c| c.to_ascii_lowercase()));
        }
        if let Some(c) = sep {
            key.push(c);
        }
    });
    key.push('|');
    key.push_str(kind.as_str());
    key
}

/// The signature of a file, with the readable stem naming its group and a glob matching the
/// group (`customers_2024-11-01.csv` -> key `customers_#-#-#|csv`, stem `customers`, glob
/// `customers_*-*-*.csv`).
pub fn file_signature(name: &str, kind: FileKind) -> FileSignature {
    let (base, ext) = split_data_extension(name);
    let mut glob = String::with_capacity(name.len());
    let mut stem_tokens: Vec<&str> = Vec::new();
    for_each_token(base, |token, variable, sep| {
        if variable {
            glob.push('*');
        } else {
            glob.push_str(token);
            if !token.is_empty() {
                stem_tokens.push(token);
            }
        }
        if let Some(c) = sep {
            glob.push(c);
        }
    });
    glob.push_str(ext);
    FileSignature { key: signature_key(name, kind), stem: stem_tokens.join("_"), glob }
}

/// A Delta commit file name `00000000000000000012.json` -> 12.
pub fn delta_commit_version(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".json")?;
    if digits.len() == 20 && digits.bytes().all(|b| b.is_ascii_digit()) { digits.parse().ok() } else { None }
}

/// A Delta checkpoint file (classic, multi-part or V2 UUID-named).
pub fn is_delta_checkpoint(name: &str) -> bool {
    name.len() > 20 && name.as_bytes()[..20].iter().all(u8::is_ascii_digit) && name.contains(".checkpoint")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn classifies_files() {
        for (name, kind) in [
            ("part-0.snappy.parquet", FileKind::Parquet),
            ("x.parquet.encrypted", FileKind::Parquet),
            ("orders.CSV", FileKind::Csv),
            ("events.json.gz", FileKind::Json),
            ("events.jsonl", FileKind::NdJson),
            ("_SUCCESS", FileKind::Hidden),
            (".part-0.parquet.crc", FileKind::Hidden),
            ("clusterfuzz-testcase-4787906620489728", FileKind::Unknown),
            ("README.md", FileKind::Other),
        ] {
            assert_eq!(classify_file(name), kind, "{name}");
        }
    }

    #[test]
    fn partition_dirs() {
        for (name, expected) in [
            ("date=2024-01-01", true),
            ("2024", true),
            ("2024-11-21", true),
            ("07", true),
            ("orders", false),
            ("v2", false),
            ("=x", false),
        ] {
            assert_eq!(is_partition_dir(name), expected, "{name}");
        }
    }

    #[test]
    fn hive_values_are_unescaped() {
        assert_eq!(hive_pair("ts=2021-09-08 11%3A11%3A11"), Some(("ts", "2021-09-08 11%3A11%3A11")));
        assert_eq!(hive_unescape("2021-09-08 11%3A11%3A11"), "2021-09-08 11:11:11");
        assert_eq!(hive_unescape("100%"), "100%");
        assert_eq!(hive_unescape("a%2"), "a%2");
    }

    #[test]
    fn zones_match_with_decorations() {
        let zones: Vec<String> = ["raw", "bronze", "silver", "gold"].iter().map(|s| s.to_string()).collect();
        assert_eq!(zone_rank("silver", &zones), Some(2));
        assert_eq!(zone_rank("01_Bronze", &zones), Some(1));
        assert_eq!(zone_rank("gold-zone", &zones), Some(3));
        assert_eq!(zone_rank("golden", &zones), None);
        assert_eq!(zone_rank("2024", &zones), None);
    }

    #[test]
    fn part_files_share_a_signature() {
        let a =
            file_signature("part-00000-3810fbe0-9892-431d-bcfd-7de5788dfe8d-c000.snappy.parquet", FileKind::Parquet);
        let b =
            file_signature("part-00007-02b8c308-e5a7-41a8-a653-cb5594582017-c000.snappy.parquet", FileKind::Parquet);
        assert_eq!(a.key, b.key);
        assert_eq!(a.glob, "part-*-*-*-*-*-*-*.snappy.parquet");
        let c = file_signature("Customers_2026-11-01.csv", FileKind::Csv);
        let d = file_signature("customers_2026-11-02.csv", FileKind::Csv);
        assert_eq!(c.key, d.key);
        assert_eq!(c.stem, "Customers");
        assert_eq!(c.glob, "Customers_*-*-*.csv");
    }

    #[test]
    fn distinct_names_do_not_group() {
        let names = [
            "int32_decimal.parquet",
            "int64_decimal.parquet",
            "lz4_raw_compressed.parquet",
            "lz4_raw_compressed_larger.parquet",
            "alltypes_plain.parquet",
            "alltypes_dictionary.parquet",
            "nested_lists.snappy.parquet",
            "nested_structs.rust.parquet",
        ];
        let sigs: std::collections::HashSet<_> =
            names.iter().map(|n| file_signature(n, FileKind::Parquet).key).collect();
        assert_eq!(sigs.len(), names.len());
    }

    #[test]
    fn extensions_split_off_with_codecs() {
        assert_eq!(split_data_extension("part-0.snappy.parquet"), ("part-0", ".snappy.parquet"));
        assert_eq!(split_data_extension("events.json.gz"), ("events", ".json.gz"));
        assert_eq!(split_data_extension("x.parquet.encrypted"), ("x", ".parquet.encrypted"));
        assert_eq!(split_data_extension("README"), ("README", ""));
    }

    #[test]
    fn delta_log_names() {
        assert_eq!(delta_commit_version("00000000000000000012.json"), Some(12));
        assert_eq!(delta_commit_version("_last_checkpoint"), None);
        assert!(is_delta_checkpoint("00000000000000000010.checkpoint.parquet"));
        assert!(is_delta_checkpoint("00000000000000000002.checkpoint.e8fa2696-9728-4e9c-b285-634743fdd4fb.parquet"));
    }
}
