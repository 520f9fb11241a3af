//! Human-readable numbers and text for views and CLI output: byte sizes, counts with separators,
//! durations and ages, cutting text to a terminal width and aligning columns. Pure functions, no
//! locale.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `0 B`, `999 B`, `1.0 KiB`, `12.3 MiB`, `1.5 TiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value >= 100.0 { format!("{value:.0} {}", UNITS[unit]) } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// Parse a size as people type it: `128MiB`, `128 MB` (MiB too: 1024-based, as file sizes are
/// talked about), `1GiB`, `512k`, `134217728`.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("not a size: {text:?} (try 128MiB)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(format!("not a size: {text:?} (try 128MiB)")),
    };
    let v = n * mult as f64;
    if !(1.0..1e18).contains(&v) {
        return Err(format!("not a usable size: {text:?}"));
    }
    Ok(v as u64)
}

/// Serde: a whole number of seconds as a `Duration` (config keys ending in `_secs`).
pub fn de_secs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<std::time::Duration, D::Error> {
    let secs = <u64 as serde::Deserialize>::deserialize(d)?;
    Ok(std::time::Duration::from_secs(secs))
}

/// How a null value is shown, everywhere (preview, grid, `head`).
pub const NULL: &str = "NULL";

/// `1,234,567`.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 table`, `12,500 tables`.
pub fn plural(n: u64, noun: &str) -> String {
    format!("{} {noun}{}", count(n), if n == 1 { "" } else { "s" })
}

/// `850 ms`, `2.4 s`, `3m 12s`.
pub fn duration_ms(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{}m {:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

/// A retention or an age in hours: `168 h (7 days)`, `1 h`, `0.5 h`.
pub fn hours(h: f64) -> String {
    if h >= 48.0 && (h / 24.0).fract() == 0.0 {
        format!("{h:.0} h ({:.0} days)", h / 24.0)
    } else {
        format!("{h:.1} h").replace(".0 h", " h")
    }
}

/// A UTC timestamp in ms as `2026-11-21 20:08`.
pub fn timestamp_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".to_string())
}

/// Cut `s` to `width` terminal cells, marking the cut with `ellipsis`.
pub fn truncate(s: &str, width: usize, ellipsis: &str) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let budget = width.saturating_sub(ellipsis.width());
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push_str(ellipsis);
    }
    out
}

/// Rows of cells as aligned lines, header first, two spaces between columns. Columns listed in
/// `right` are right-aligned; no cell is wider than `max_cell` (cut with `ellipsis`); the last
/// column is not padded when left-aligned.
pub fn align_columns<R: AsRef<[String]>>(
    header: &[&str],
    rows: &[R],
    right: &[usize],
    max_cell: usize,
    ellipsis: &str,
) -> Vec<String> {
    align_columns_capped(header, rows, right, &vec![max_cell; header.len()], ellipsis)
}

/// `align_columns` with a width cap per column.
pub fn align_columns_capped<R: AsRef<[String]>>(
    header: &[&str],
    rows: &[R],
    right: &[usize],
    caps: &[usize],
    ellipsis: &str,
) -> Vec<String> {
    let cap = |i: usize| caps.get(i).copied().unwrap_or(usize::MAX);
    let mut widths: Vec<usize> = header.iter().enumerate().map(|(i, h)| h.width().min(cap(i))).collect();
    for r in rows {
        for (i, c) in r.as_ref().iter().enumerate().take(widths.len()) {
            widths[i] = widths[i].max(c.width().min(cap(i)));
        }
    }
    let n = widths.len();
    let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
        let mut s = String::new();
        for (i, c) in cells.enumerate().take(n) {
            let c = truncate(c, widths[i], ellipsis);
            let pad = " ".repeat(widths[i].saturating_sub(c.width()));
            let last = i == n - 1;
            if right.contains(&i) {
                s.push_str(&pad);
                s.push_str(&c);
            } else {
                s.push_str(&c);
                if !last {
                    s.push_str(&pad);
                }
            }
            if !last {
                s.push_str("  ");
            }
        }
        s
    };
    let mut out = vec![line(&mut header.iter().copied())];
    out.extend(rows.iter().map(|r| line(&mut r.as_ref().iter().map(String::as_str))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_as_typed() {
        assert_eq!(parse_bytes("128MiB").unwrap(), 128 << 20);
        assert_eq!(parse_bytes("128 mb").unwrap(), 128 << 20);
        assert_eq!(parse_bytes("1.5GiB").unwrap(), 3 << 29);
        assert_eq!(parse_bytes("4096").unwrap(), 4096);
        // Spark's spelling of delta.targetFileSize.
        assert_eq!(parse_bytes(" 1GB ").unwrap(), 1 << 30);
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("0").is_err());
        assert!(parse_bytes("12 parsecs").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1024), "1.0 KiB");
        assert_eq!(bytes(1536 * 1024), "1.5 MiB");
        assert_eq!(bytes(200 * 1024 * 1024 * 1024), "200 GiB");
    }

    #[test]
    fn counts() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ms(850), "850 ms");
        assert_eq!(duration_ms(2400), "2.4 s");
        assert_eq!(duration_ms(192_000), "3m 12s");
    }
}
