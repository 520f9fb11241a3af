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

    /// A store refused or failed a request: `failure` is what it said, read from typed errors.
    #[error("cannot {action} {location}: {reason}")]
    Store { action: &'static str, location: String, failure: Failure, reason: String },

    #[error("cancelled")]
    Cancelled,
}

/// Render an error and its causes on one line, dropping causes whose text is already contained
/// in the message so far (object_store and delta-rs both repeat their sources) and any backtrace
/// a library appended to its message (delta-kernel does when `RUST_BACKTRACE` is set).
pub fn describe(err: &(dyn StdError + 'static)) -> String {
    crate::lake::store::redact::redact(&describe_raw(err))
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

/// What a store said when a request failed, read from typed errors only: object_store's error
/// variants (which carry the HTTP status: 404, 403, 401, 412, 409), the HTTP client's error kind
/// and `std::io::ErrorKind`. Never from a message's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    NotFound,
    /// 403, or a local file without permission.
    AccessDenied,
    /// 401.
    Unauthenticated,
    /// No connection: `refused` when the host answered with a refusal.
    Connect {
        refused: bool,
    },
    Timeout,
    /// A conditional request lost (412, 409, already exists).
    Conflict,
    Unsupported,
    /// A failure of another kind (the text says what).
    Other,
}

impl Failure {
    /// The failure an error (or one of its causes) reports.
    pub fn of(err: &(dyn StdError + 'static)) -> Failure {
        // The outermost classification wins, but a connection failure may say deeper down
        // whether the host refused it.
        let mut connect: Option<bool> = None;
        let mut next = Some(err);
        while let Some(e) = next {
            match Self::of_one(e) {
                Some(Failure::Connect { refused }) => connect = Some(refused || connect == Some(true)),
                Some(f) if connect.is_none() => return f,
                _ => {}
            }
            next = e.source();
        }
        connect.map_or(Failure::Other, |refused| Failure::Connect { refused })
    }

    fn of_one(e: &(dyn StdError + 'static)) -> Option<Failure> {
        use object_store::client::{HttpError, HttpErrorKind};
        use std::io::ErrorKind as Io;
        if let Some(e) = e.downcast_ref::<object_store::Error>() {
            use object_store::Error as E;
            return match e {
                E::NotFound { .. } => Some(Failure::NotFound),
                E::PermissionDenied { .. } => Some(Failure::AccessDenied),
                E::Unauthenticated { .. } => Some(Failure::Unauthenticated),
                E::Precondition { .. } | E::AlreadyExists { .. } | E::NotModified { .. } => Some(Failure::Conflict),
                E::NotSupported { .. } | E::NotImplemented { .. } => Some(Failure::Unsupported),
                _ => None,
            };
        }
        if let Some(e) = e.downcast_ref::<HttpError>() {
            return match e.kind() {
                HttpErrorKind::Connect | HttpErrorKind::Request => Some(Failure::Connect { refused: false }),
                HttpErrorKind::Timeout => Some(Failure::Timeout),
                _ => None,
            };
        }
        if let Some(e) = e.downcast_ref::<std::io::Error>() {
            return match e.kind() {
                Io::NotFound => Some(Failure::NotFound),
                Io::PermissionDenied => Some(Failure::AccessDenied),
                Io::ConnectionRefused => Some(Failure::Connect { refused: true }),
                Io::ConnectionReset | Io::ConnectionAborted | Io::HostUnreachable | Io::NetworkUnreachable => {
                    Some(Failure::Connect { refused: false })
                }
                Io::TimedOut => Some(Failure::Timeout),
                _ => None,
            };
        }
        None
    }

    /// A few words for a person.
    pub fn text(self) -> &'static str {
        match self {
            Failure::NotFound => "not found (it may have been deleted since it was listed)",
            Failure::AccessDenied => "permission denied",
            Failure::Unauthenticated => "not authenticated",
            Failure::Connect { refused: true } => "connection refused",
            Failure::Connect { refused: false } => "cannot connect",
            Failure::Timeout => "timed out",
            Failure::Conflict => "changed by another writer meanwhile",
            Failure::Unsupported => "not supported by this store",
            Failure::Other => "failed",
        }
    }
}

impl LakeError {
    /// A store failure while doing `action` ("list", "read", "write") on `location`.
    pub fn store(action: &'static str, location: impl Into<String>, err: &object_store::Error) -> LakeError {
        LakeError::Store { action, location: location.into(), failure: Failure::of(err), reason: store_reason(err) }
    }

    /// The store failure behind this error, if one is known.
    pub fn failure(&self) -> Option<Failure> {
        match self {
            LakeError::Store { failure, .. } => Some(*failure),
            _ => None,
        }
    }
}

/// A readable reason for an object_store failure: what kind of failure (from its type), then the
/// store's own words when they add something.
pub fn store_reason(err: &object_store::Error) -> String {
    let failure = Failure::of(err);
    let detail = match err {
        object_store::Error::NotFound { .. } => String::new(),
        object_store::Error::PermissionDenied { source, .. }
        | object_store::Error::Unauthenticated { source, .. }
        | object_store::Error::Generic { source, .. } => first_line(source.as_ref()),
        other => describe(other),
    };
    match failure {
        Failure::Other => detail,
        _ if detail.is_empty() => failure.text().to_string(),
        f => format!("{} ({detail})", f.text()),
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

    #[test]
    fn failures_are_classified_by_type_not_text() {
        let io =
            |k| object_store::Error::Generic { store: "LocalFileSystem", source: Box::new(std::io::Error::from(k)) };
        assert_eq!(Failure::of(&io(std::io::ErrorKind::PermissionDenied)), Failure::AccessDenied);
        assert_eq!(Failure::of(&io(std::io::ErrorKind::ConnectionRefused)), Failure::Connect { refused: true });
        assert_eq!(Failure::of(&io(std::io::ErrorKind::TimedOut)), Failure::Timeout);
        let denied = object_store::Error::PermissionDenied { path: "k".into(), source: "403".into() };
        assert_eq!(Failure::of(&denied), Failure::AccessDenied);
        // A message that merely mentions a status or a word is not a classification.
        let text = object_store::Error::Generic {
            store: "S3",
            source: "Error after 0 retries in 403.2µs: access denied? permission denied! not found".into(),
        };
        assert_eq!(Failure::of(&text), Failure::Other);
        assert!(!store_reason(&text).starts_with("permission denied"), "{}", store_reason(&text));
        // Wrapped by other libraries (delta-rs, DataFusion, parquet), the store's error is found.
        let wrapped = deltalake::DeltaTableError::ObjectStore { source: denied };
        assert_eq!(Failure::of(&wrapped), Failure::AccessDenied);
    }
}
