//! Request accounting for one lake: every request's kind (LIST, GET, ranged GET, HEAD, PUT,
//! DELETE…), bytes, latency and outcome, as totals per kind and a ring of the latest requests.
//!
//! Cloud stores are counted at the HTTP level by `CountingConnector`, plugged into object_store's
//! client, so list pages, ranged reads, credential fetches and retries are each one request, as
//! the provider bills them. Local disks are counted per object-store call by `CountingStore`.
//! Paths are recorded without query strings (signatures never get in).

use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpRequest, HttpResponse, HttpService, ReqwestConnector,
};
use object_store::path::Path;
use object_store::{
    ClientOptions, CopyOptions, GetOptions, GetRange, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result,
};
use serde::Serialize;

/// What a request did, as a provider would bill it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    List,
    Get,
    RangedGet,
    Head,
    Put,
    Delete,
    Post,
    /// Fetching credentials or tokens (instance metadata, STS, OAuth).
    Credentials,
}

impl RequestKind {
    pub const ALL: [RequestKind; 8] = [
        RequestKind::List,
        RequestKind::Get,
        RequestKind::RangedGet,
        RequestKind::Head,
        RequestKind::Put,
        RequestKind::Delete,
        RequestKind::Post,
        RequestKind::Credentials,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::List => "LIST",
            RequestKind::Get => "GET",
            RequestKind::RangedGet => "GET range",
            RequestKind::Head => "HEAD",
            RequestKind::Put => "PUT",
            RequestKind::Delete => "DELETE",
            RequestKind::Post => "POST",
            RequestKind::Credentials => "AUTH",
        }
    }

    fn index(self) -> usize {
        RequestKind::ALL.iter().position(|k| *k == self).expect("every kind is listed")
    }
}

/// One request as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    /// Milliseconds since the lake was opened.
    pub at_ms: u64,
    pub kind: RequestKind,
    /// Object key or URL path, never the query string.
    pub path: String,
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    pub bytes: u64,
    pub latency_ms: u64,
    pub error: Option<String>,
    /// The provider's error code of a failed response (`AccessDenied`, `NoSuchBucket`…).
    pub code: Option<String>,
}

/// A failed request, as the latest one is kept to explain a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedResponse {
    pub kind: RequestKind,
    pub status: Option<u16>,
    pub code: Option<String>,
}

#[derive(Debug, Default)]
struct KindCounters {
    count: AtomicU64,
    bytes: AtomicU64,
    errors: AtomicU64,
    not_found: AtomicU64,
    latency_ms: AtomicU64,
}

/// Totals of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindTotals {
    pub count: u64,
    pub bytes: u64,
    /// Requests that failed (a read answered "no such object" is counted in `not_found`).
    pub errors: u64,
    /// Reads answered "no such object": probes that found nothing, not failures.
    pub not_found: u64,
    pub latency_ms: u64,
}

/// A copy of the counters for views and reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RequestSummary {
    pub by_kind: Vec<(RequestKind, KindTotals)>,
    pub total: KindTotals,
    pub recent: Vec<RequestRecord>,
}

impl RequestSummary {
    pub fn of(&self, kind: RequestKind) -> KindTotals {
        self.by_kind.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t).unwrap_or_default()
    }
}

/// How a request ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub status: Option<u16>,
    /// The client's error, when there was no response.
    pub error: Option<String>,
    /// The provider's error code, read from a failed response's body.
    pub code: Option<String>,
    /// The object does not exist (local stores, which answer without a status).
    pub missing: bool,
}

/// The error code in a failed response's body: S3 and Azure answer `<Error><Code>…</Code>`, GCS
/// answers JSON `{"error": {"errors": [{"reason": …}]}}`.
pub fn error_code(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct XmlError {
        #[serde(rename = "Code")]
        code: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct JsonError {
        error: JsonInner,
    }
    #[derive(serde::Deserialize)]
    struct JsonInner {
        #[serde(default)]
        errors: Vec<JsonReason>,
        status: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct JsonReason {
        reason: Option<String>,
    }
    let text = std::str::from_utf8(body).ok()?.trim_start_matches('\u{feff}').trim();
    if text.starts_with('{') {
        let e: JsonError = serde_json::from_str(text).ok()?;
        return e.error.errors.into_iter().find_map(|r| r.reason).or(e.error.status);
    }
    let e: XmlError = quick_xml::de::from_str(text).ok()?;
    e.code.filter(|c| !c.is_empty())
}

/// Error bodies read to find their code, at most (they are a few hundred bytes).
const ERROR_BODY_MAX: u64 = 64 * 1024;

/// How many recent requests are kept for the requests panel.
pub const RECENT: usize = 500;

pub struct RequestStats {
    opened: Instant,
    kinds: [KindCounters; 8],
    recent: Mutex<VecDeque<RequestRecord>>,
    last_failure: Mutex<Option<FailedResponse>>,
}

impl fmt::Debug for RequestStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestStats({} requests)", self.total_count())
    }
}

impl Default for RequestStats {
    fn default() -> Self {
        RequestStats {
            opened: Instant::now(),
            kinds: Default::default(),
            recent: Mutex::new(VecDeque::with_capacity(RECENT)),
            last_failure: Mutex::new(None),
        }
    }
}

impl RequestStats {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn record(
        &self,
        kind: RequestKind,
        path: String,
        status: Option<u16>,
        bytes: u64,
        started: Instant,
        error: Option<String>,
    ) {
        self.record_outcome(kind, path, Outcome { status, error, ..Outcome::default() }, bytes, started)
    }

    /// Record one request: its outcome, bytes and latency.
    pub fn record_outcome(&self, kind: RequestKind, path: String, outcome: Outcome, bytes: u64, started: Instant) {
        let latency_ms = started.elapsed().as_millis() as u64;
        let c = &self.kinds[kind.index()];
        c.count.fetch_add(1, Ordering::Relaxed);
        c.bytes.fetch_add(bytes, Ordering::Relaxed);
        c.latency_ms.fetch_add(latency_ms, Ordering::Relaxed);
        let Outcome { status, error, code, missing } = outcome;
        // A read that finds nothing is an answer, not a failure: the history probes commit names
        // ahead, delta-rs looks for `_last_checkpoint`. (A listing's 404 is a missing bucket.)
        let read = matches!(kind, RequestKind::Head | RequestKind::Get | RequestKind::RangedGet);
        let probe_miss = read && (missing || status == Some(404));
        if probe_miss {
            c.not_found.fetch_add(1, Ordering::Relaxed);
        } else if error.is_some() || status.is_some_and(|s| s >= 400) {
            c.errors.fetch_add(1, Ordering::Relaxed);
            let failed = FailedResponse { kind, status, code: code.clone() };
            *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(failed);
        }
        let record = RequestRecord {
            at_ms: started.duration_since(self.opened).as_millis() as u64,
            kind,
            path,
            status,
            bytes,
            latency_ms,
            error: if probe_miss { None } else { error.map(|e| crate::lake::store::redact::redact(&e)) },
            code,
        };
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() == RECENT {
            recent.pop_front();
        }
        recent.push_back(record);
    }

    /// The latest request that failed (not counting HEAD probes that found nothing).
    pub fn last_failure(&self) -> Option<FailedResponse> {
        self.last_failure.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn total_count(&self) -> u64 {
        self.kinds.iter().map(|k| k.count.load(Ordering::Relaxed)).sum()
    }

    pub fn total_bytes(&self) -> u64 {
        self.kinds.iter().map(|k| k.bytes.load(Ordering::Relaxed)).sum()
    }

    pub fn count(&self, kind: RequestKind) -> u64 {
        self.kinds[kind.index()].count.load(Ordering::Relaxed)
    }

    pub fn summary(&self, recent: usize) -> RequestSummary {
        let mut total = KindTotals::default();
        let by_kind: Vec<(RequestKind, KindTotals)> = RequestKind::ALL
            .iter()
            .map(|k| {
                let c = &self.kinds[k.index()];
                let t = KindTotals {
                    count: c.count.load(Ordering::Relaxed),
                    bytes: c.bytes.load(Ordering::Relaxed),
                    errors: c.errors.load(Ordering::Relaxed),
                    not_found: c.not_found.load(Ordering::Relaxed),
                    latency_ms: c.latency_ms.load(Ordering::Relaxed),
                };
                total.count += t.count;
                total.bytes += t.bytes;
                total.errors += t.errors;
                total.not_found += t.not_found;
                total.latency_ms += t.latency_ms;
                (*k, t)
            })
            .collect();
        let q = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let recent = q.iter().rev().take(recent).cloned().collect();
        RequestSummary { by_kind, total, recent }
    }
}

/// Kind of an HTTP request to S3, GCS or Azure.
fn classify(req: &HttpRequest) -> RequestKind {
    let uri = req.uri();
    let host = uri.host().unwrap_or_default();
    let path = uri.path();
    let query = uri.query().unwrap_or_default();
    if host == "169.254.169.254"
        || host == "169.254.170.2"
        || host.starts_with("sts.")
        || host.contains("oauth2")
        || host == "login.microsoftonline.com"
        || path.contains("/token")
    {
        return RequestKind::Credentials;
    }
    match req.method().as_str() {
        "HEAD" => RequestKind::Head,
        "PUT" => RequestKind::Put,
        "DELETE" => RequestKind::Delete,
        "POST" => RequestKind::Post,
        "GET"
            if query.contains("list-type=")
                || query.contains("comp=list")
                || path.ends_with("/o")
                || query.starts_with("prefix=")
                || query.contains("&prefix=")
                || query.contains("delimiter=") =>
        {
            RequestKind::List
        }
        "GET" if req.headers().contains_key(http::header::RANGE) => RequestKind::RangedGet,
        _ => RequestKind::Get,
    }
}

/// An object_store HTTP connector that counts every request through the reqwest client.
#[derive(Debug, Clone)]
pub struct CountingConnector {
    pub stats: Arc<RequestStats>,
}

impl HttpConnector for CountingConnector {
    fn connect(&self, options: &ClientOptions) -> Result<HttpClient> {
        let inner = ReqwestConnector::default().connect(options)?;
        Ok(HttpClient::new(CountingService { inner, stats: self.stats.clone() }))
    }
}

#[derive(Debug)]
struct CountingService {
    inner: HttpClient,
    stats: Arc<RequestStats>,
}

#[async_trait]
impl HttpService for CountingService {
    async fn call(&self, req: HttpRequest) -> std::result::Result<HttpResponse, HttpError> {
        let kind = classify(&req);
        let path = req.uri().path().to_string();
        let sent =
            if matches!(kind, RequestKind::Put | RequestKind::Post) { req.body().content_length() as u64 } else { 0 };
        let started = Instant::now();
        let head = req.method() == http::Method::HEAD;
        match self.inner.execute(req).await {
            Ok(res) => {
                let status = res.status();
                let received = res
                    .headers()
                    .get(http::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                let bytes =
                    if matches!(kind, RequestKind::Put | RequestKind::Post) { sent } else { received.unwrap_or(0) };
                let mut outcome = Outcome { status: Some(status.as_u16()), ..Outcome::default() };
                // A failed response's body says why (AccessDenied, NoSuchBucket…): read it, keep
                // its code, and hand the same bytes on.
                let res = if status.as_u16() >= 400 && !head && received.is_some_and(|n| n <= ERROR_BODY_MAX) {
                    let (parts, body) = res.into_parts();
                    let body = body.bytes().await?;
                    outcome.code = error_code(&body);
                    HttpResponse::from_parts(parts, body.into())
                } else {
                    res
                };
                self.stats.record_outcome(kind, path, outcome, bytes, started);
                Ok(res)
            }
            Err(e) => {
                let outcome = Outcome { error: Some(e.to_string()), ..Outcome::default() };
                self.stats.record_outcome(kind, path, outcome, 0, started);
                Err(e)
            }
        }
    }
}

/// Counts the calls made to a store that has no HTTP underneath (local disks).
#[derive(Debug)]
pub struct CountingStore {
    inner: Arc<dyn ObjectStore>,
    stats: Arc<RequestStats>,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn ObjectStore>, stats: Arc<RequestStats>) -> Self {
        CountingStore { inner, stats }
    }

    /// A local walk is one "request"; recorded when the listing starts.
    fn record_walk(&self, prefix: Option<&Path>) {
        let path = prefix.map(|p| p.to_string()).unwrap_or_default();
        self.stats.record(RequestKind::List, path, None, 0, Instant::now(), None);
    }
}

impl fmt::Display for CountingStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Counting({})", self.inner)
    }
}

fn outcome<T>(r: &Result<T>) -> Option<String> {
    r.as_ref().err().map(|e| e.to_string())
}

#[async_trait]
impl ObjectStore for CountingStore {
    async fn put_opts(&self, location: &Path, payload: PutPayload, opts: PutOptions) -> Result<PutResult> {
        let started = Instant::now();
        let bytes = payload.content_length() as u64;
        let r = self.inner.put_opts(location, payload, opts).await;
        self.stats.record(RequestKind::Put, location.to_string(), None, bytes, started, outcome(&r));
        r
    }

    async fn put_multipart_opts(&self, location: &Path, opts: PutMultipartOptions) -> Result<Box<dyn MultipartUpload>> {
        let started = Instant::now();
        let r = self.inner.put_multipart_opts(location, opts).await;
        self.stats.record(RequestKind::Post, location.to_string(), None, 0, started, outcome(&r));
        r
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let kind = if options.head {
            RequestKind::Head
        } else if options.range.is_some() {
            RequestKind::RangedGet
        } else {
            RequestKind::Get
        };
        let started = Instant::now();
        let r = self.inner.get_opts(location, options).await;
        let bytes = match (&r, kind) {
            (Ok(g), RequestKind::Get | RequestKind::RangedGet) => g.range.end - g.range.start,
            _ => 0,
        };
        let missing = matches!(&r, Err(object_store::Error::NotFound { .. }));
        let outcome = Outcome { error: outcome(&r), missing, ..Outcome::default() };
        self.stats.record_outcome(kind, location.to_string(), outcome, bytes, started);
        r
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        let started = Instant::now();
        let r = self.inner.get_ranges(location, ranges).await;
        let bytes = r.as_ref().map(|v| v.iter().map(|b| b.len() as u64).sum()).unwrap_or(0);
        for _ in ranges {
            self.stats.record(
                RequestKind::RangedGet,
                location.to_string(),
                None,
                bytes / ranges.len().max(1) as u64,
                started,
                outcome(&r),
            );
        }
        r
    }

    fn delete_stream(&self, locations: BoxStream<'static, Result<Path>>) -> BoxStream<'static, Result<Path>> {
        let stats = self.stats.clone();
        self.inner
            .delete_stream(locations)
            .map(move |r| {
                let path = r.as_ref().map(|p| p.to_string()).unwrap_or_default();
                stats.record(RequestKind::Delete, path, None, 0, Instant::now(), outcome(&r));
                r
            })
            .boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.record_walk(prefix);
        self.inner.list(prefix)
    }

    fn list_with_offset(&self, prefix: Option<&Path>, offset: &Path) -> BoxStream<'static, Result<ObjectMeta>> {
        self.record_walk(prefix);
        self.inner.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let started = Instant::now();
        let r = self.inner.list_with_delimiter(prefix).await;
        self.stats.record(
            RequestKind::List,
            prefix.map(|p| p.to_string()).unwrap_or_default(),
            None,
            0,
            started,
            outcome(&r),
        );
        r
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        let started = Instant::now();
        let r = self.inner.copy_opts(from, to, options).await;
        self.stats.record(RequestKind::Put, to.to_string(), None, 0, started, outcome(&r));
        r
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        let started = Instant::now();
        let r = self.inner.rename_opts(from, to, options).await;
        self.stats.record(RequestKind::Put, to.to_string(), None, 0, started, outcome(&r));
        r
    }
}

/// Is a suffix / bounded range a ranged read? (For callers building GetOptions.)
pub fn is_ranged(range: &Option<GetRange>) -> bool {
    range.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_read_from_failed_responses() {
        let s3 =
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>no</Message></Error>";
        assert_eq!(error_code(s3).as_deref(), Some("AccessDenied"));
        let gcs = br#"{"error":{"code":403,"message":"x","errors":[{"reason":"forbidden"}]}}"#;
        assert_eq!(error_code(gcs).as_deref(), Some("forbidden"));
        assert_eq!(error_code(b"not xml at all"), None);
        assert_eq!(error_code(b""), None);
    }

    #[test]
    fn reads_that_find_nothing_are_answers_not_errors() {
        let s = RequestStats::new();
        let miss = Outcome { status: Some(404), ..Outcome::default() };
        s.record_outcome(RequestKind::Head, "_delta_log/13.json".into(), miss.clone(), 0, Instant::now());
        let local_miss = Outcome { error: Some("not found".into()), missing: true, ..Outcome::default() };
        s.record_outcome(RequestKind::Head, "_delta_log/14.json".into(), local_miss, 0, Instant::now());
        s.record_outcome(RequestKind::Get, "_delta_log/_last_checkpoint".into(), miss.clone(), 0, Instant::now());
        // A listing's 404 is a missing bucket: a failure.
        s.record_outcome(RequestKind::List, "bucket".into(), miss, 0, Instant::now());
        let t = s.summary(10).total;
        assert_eq!((t.errors, t.not_found), (1, 3));
        assert_eq!(s.last_failure().map(|f| f.kind), Some(RequestKind::List));
        assert!(s.summary(10).recent.iter().filter(|r| r.kind != RequestKind::List).all(|r| r.error.is_none()));
    }

    #[test]
    fn http_requests_are_classified_like_the_bill() {
        let req = |method: &str, uri: &str, range: bool| {
            let mut b = http::Request::builder().method(method).uri(uri);
            if range {
                b = b.header(http::header::RANGE, "bytes=-65536");
            }
            b.body(object_store::client::HttpRequestBody::empty()).unwrap()
        };
        assert_eq!(
            classify(&req("GET", "http://127.0.0.1:5000/lake?list-type=2&prefix=silver%2F", false)),
            RequestKind::List
        );
        assert_eq!(classify(&req("GET", "http://127.0.0.1:5000/lake/x.parquet", true)), RequestKind::RangedGet);
        assert_eq!(classify(&req("GET", "http://127.0.0.1:5000/lake/x.json", false)), RequestKind::Get);
        assert_eq!(classify(&req("HEAD", "http://127.0.0.1:5000/lake/x", false)), RequestKind::Head);
        assert_eq!(classify(&req("PUT", "http://127.0.0.1:5000/lake/x", false)), RequestKind::Put);
        assert_eq!(classify(&req("PUT", "http://169.254.169.254/latest/api/token", false)), RequestKind::Credentials);
        assert_eq!(
            classify(&req("GET", "https://acct.blob.core.windows.net/c?restype=container&comp=list", false)),
            RequestKind::List
        );
    }

    #[test]
    fn totals_and_recent_requests() {
        let s = RequestStats::new();
        let t = Instant::now();
        s.record(RequestKind::List, "a".into(), Some(200), 0, t, None);
        s.record(RequestKind::RangedGet, "a/x".into(), Some(206), 100, t, None);
        s.record(RequestKind::Get, "a/y".into(), Some(500), 0, t, None);
        let sum = s.summary(10);
        assert_eq!(sum.total.count, 3);
        assert_eq!(sum.total.bytes, 100);
        assert_eq!(sum.total.errors, 1);
        assert_eq!(sum.of(RequestKind::RangedGet).count, 1);
        assert_eq!(sum.recent[0].path, "a/y", "newest first");
        for _ in 0..RECENT + 10 {
            s.record(RequestKind::Head, "h".into(), Some(200), 0, t, None);
        }
        assert_eq!(s.summary(usize::MAX).recent.len(), RECENT, "the ring is bounded");
    }
}
