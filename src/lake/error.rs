//! Errors of the lake layer, written for the person at the terminal: each says what was being
//! done, on which location, and why it failed, without dumping nested debug structures.

use std::error::Error as StdError;

#[derive(Debug, thiserror::Error)]
pub enum LakeError {
    #[error("lake root {root} does not exist")]
    RootNotFound { root: String },

    #[error("lake root {root} is a file, not a folder (open its folder, or inspect the file with `lakescope parquet`)")]
    RootIsFile { root: String },

    #[error("invalid lake root {input:?}: {reason}")]
    BadRoot { input: String, reason: String },

    #[error("cannot list {location}: {reason}")]
    Listing { location: String, reason: String },

    #[error("cannot read {location}: {reason}")]
    Read { location: String, reason: String },

    #[error("{location} is not a table lakescope can read: {reason}")]
    Unsupported { location: String, reason: String },

    #[error("cannot write {location}: {reason}")]
    Write { location: String, reason: String },

    #[error("cancelled")]
    Cancelled,
}

/// Render an error and its causes on one line, dropping causes whose text is already contained
/// in the message so far (object_store and delta-rs both repeat their sources) and any backtrace
/// a library appended to its message (delta-kernel does when `RUST_BACKTRACE` is set).
pub fn describe(err: &(dyn StdError + 'static)) -> String {
    super::redact::redact(&describe_raw(err))
}

fn describe_raw(err: &(dyn StdError + 'static)) -> String {
    let mut out = clean(&err.to_string());
    let mut source = err.source();
    while let Some(s) = source {
        let text = clean(&s.to_string());
        if !text.is_empty() && !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// The message part of an error text: lines up to the first backtrace frame, joined with spaces.
pub fn clean(text: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let frame = t.split_once(": ").is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if frame || t.starts_with("stack backtrace") || t.starts_with("Backtrace") || t.starts_with("at /") {
            break;
        }
        if !t.is_empty() {
            kept.push(t);
        }
    }
    kept.join(" ")
}

/// A readable reason for an object_store failure, without the store's internal wording.
pub fn store_reason(err: &object_store::Error) -> String {
    use object_store::Error as E;
    match err {
        E::NotFound { .. } => "not found (it may have been deleted since it was listed)".to_string(),
        E::PermissionDenied { source, .. } => format!("permission denied ({})", first_line(source.as_ref())),
        E::Unauthenticated { source, .. } => format!("not authenticated ({})", first_line(source.as_ref())),
        E::Generic { source, .. } => {
            let text = describe(source.as_ref());
            if text.contains("Permission denied") || text.contains("permission denied") {
                format!("permission denied ({text})")
            } else {
                text
            }
        }
        other => describe(other),
    }
}

fn first_line(err: &(dyn StdError + Send + Sync + 'static)) -> String {
    describe(err).lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer: inner failed")]
    struct Outer(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("inner failed")]
    struct Inner;

    #[test]
    fn repeated_causes_are_dropped() {
        assert_eq!(describe(&Outer(Inner)), "outer: inner failed");
    }

    #[test]
    fn backtraces_are_cut_from_messages() {
        let text = "Kernel error: Json error: Truncated record\n   0: buoyant_kernel::error::Error::with_backtrace\n   1: core::ops";
        assert_eq!(clean(text), "Kernel error: Json error: Truncated record");
        assert_eq!(clean("two\nlines"), "two lines");
    }

    #[test]
    fn not_found_reads_well() {
        let e = object_store::Error::NotFound { path: "a/b".into(), source: "gone".into() };
        assert!(store_reason(&e).starts_with("not found"));
    }
}
