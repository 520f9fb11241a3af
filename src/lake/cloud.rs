//! Cloud object stores: S3 (and S3-compatible endpoints), GCS and Azure, built the way their
//! users already configure them, with every request counted and provider failures explained.
//!
//! - Credentials, S3: an explicit profile (`--profile`, a named lake's `profile`) first, then
//!   `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, then `AWS_PROFILE` or `default` in the shared
//!   files, then object_store's chain: web identity, container credentials, instance metadata.
//!   GCS and Azure: their standard environment variables through object_store.
//! - Endpoints: `--endpoint`, a profile's `endpoint_url`, or `AWS_ENDPOINT_URL`; path-style
//!   requests when an endpoint is set. Plain HTTP only to a loopback address, and only when
//!   allowed (`--allow-http`, `allow_http = true`, `AWS_ALLOW_HTTP=true`).
//! - Retries and timeouts are short by default (3 retries within 20 s, 30 s per request, 5 s to
//!   connect): a dead endpoint must fail in seconds over SSH, not after object_store's 3 minutes.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::list::PaginatedListStore;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};
use serde::Serialize;
use url::Url;

use super::aws_profile::{self, AwsProfile};
use super::error::LakeError;
use super::location::{LakeUrl, Scheme};
use super::redact;
use super::requests::{CountingConnector, RequestStats};

/// How to reach a cloud store (from the command line and named lakes in the config).
#[derive(Debug, Clone, PartialEq)]
pub struct StoreOptions {
    pub profile: Option<String>,
    /// Keys given by the program itself (tests, benchmarks), never by a file.
    pub static_keys: Option<StaticKeys>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub allow_http: bool,
    /// Unsigned requests, for public buckets.
    pub anonymous: bool,
    pub max_retries: usize,
    pub retry_timeout: Duration,
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Buckets to show for an account root where listing buckets is not possible.
    pub buckets: Vec<String>,
}

/// An access key pair; its Debug output never shows the values.
#[derive(Clone, PartialEq)]
pub struct StaticKeys {
    pub key_id: String,
    pub secret: String,
}

impl std::fmt::Debug for StaticKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StaticKeys(****)")
    }
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            profile: None,
            static_keys: None,
            region: None,
            endpoint: None,
            allow_http: false,
            anonymous: false,
            max_retries: 3,
            retry_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            buckets: Vec::new(),
        }
    }
}

impl StoreOptions {
    /// "3 retries within 20 s, 30 s per request, 5 s to connect", for the requests panel.
    pub fn describe_retries(&self) -> String {
        format!(
            "{} retries within {} s, {} s per request, {} s to connect",
            self.max_retries,
            self.retry_timeout.as_secs(),
            self.request_timeout.as_secs(),
            self.connect_timeout.as_secs()
        )
    }
}

/// Where a store's credentials come from, and what else was looked at.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CredentialReport {
    pub source: String,
    pub tried: Vec<String>,
}

/// A built cloud store and what lakescope needs to know about it.
pub struct CloudStore {
    pub store: Arc<dyn ObjectStore>,
    pub paged: Arc<dyn PaginatedListStore>,
    /// The S3 client, to sign requests object_store has no API for (ListBuckets).
    pub s3: Option<Arc<AmazonS3>>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub credentials: CredentialReport,
}

fn retry(opts: &StoreOptions) -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: opts.max_retries,
        retry_timeout: opts.retry_timeout,
    }
}

fn client_options(opts: &StoreOptions, allow_http: bool) -> ClientOptions {
    ClientOptions::new()
        .with_timeout(opts.request_timeout)
        .with_connect_timeout(opts.connect_timeout)
        .with_allow_http(allow_http)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn env_true(name: &str) -> bool {
    env(name).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Plain HTTP is refused except to a loopback address when the user allows it.
pub fn check_endpoint(endpoint: &str, allowed: bool) -> Result<bool, LakeError> {
    let url = Url::parse(endpoint)
        .map_err(|e| LakeError::BadRoot { input: endpoint.to_string(), reason: format!("invalid endpoint: {e}") })?;
    match url.scheme() {
        "https" => Ok(false),
        "http" => {
            let host = url.host_str().unwrap_or_default();
            let loopback = host == "localhost"
                || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
                || host
                    .trim_matches(|c| c == '[' || c == ']')
                    .parse::<std::net::Ipv6Addr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                Err(LakeError::BadRoot {
                    input: endpoint.to_string(),
                    reason: "plain HTTP is only allowed to a loopback address (127.0.0.1, ::1, localhost); use https"
                        .into(),
                })
            } else if !allowed {
                Err(LakeError::BadRoot {
                    input: endpoint.to_string(),
                    reason:
                        "plain HTTP endpoint: allow it with --allow-http (or allow_http = true in the lake's config)"
                            .into(),
                })
            } else {
                Ok(true)
            }
        }
        other => Err(LakeError::BadRoot {
            input: endpoint.to_string(),
            reason: format!("unsupported endpoint scheme {other:?}"),
        }),
    }
}

/// Resolve S3 credentials in the AWS CLI's order; returns the profile to apply, if any.
fn resolve_aws(opts: &StoreOptions) -> Result<(Option<AwsProfile>, CredentialReport), LakeError> {
    if let Some(k) = &opts.static_keys {
        let profile = AwsProfile {
            name: "static".into(),
            access_key_id: Some(k.key_id.clone()),
            secret_access_key: Some(k.secret.clone()),
            ..AwsProfile::default()
        };
        return Ok((Some(profile), CredentialReport { source: "keys given by the caller".into(), tried: vec![] }));
    }
    let (config_file, creds_file) = aws_profile::config_paths();
    let files = format!("{} and {}", config_file.display(), creds_file.display());
    let mut report = CredentialReport::default();
    if let Some(name) = &opts.profile {
        let profile = aws_profile::load(name).ok_or_else(|| LakeError::BadRoot {
            input: format!("--profile {name}"),
            reason: format!("no profile {name:?} in {files}"),
        })?;
        if let Some(why) = &profile.unsupported {
            return Err(LakeError::BadRoot {
                input: format!("--profile {name}"),
                reason: format!("profile {name:?} {}", why.replace("NAME", name)),
            });
        }
        report.source = if profile.has_keys() {
            format!("profile {name} ({})", profile.sources[0].display())
        } else {
            String::new()
        };
        return Ok((Some(profile), finish(report, opts)));
    }
    if env("AWS_ACCESS_KEY_ID").is_some() && env("AWS_SECRET_ACCESS_KEY").is_some() {
        report.source = "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)".into();
        return Ok((None, report));
    }
    report.tried.push("environment (AWS_ACCESS_KEY_ID not set)".into());
    let name = env("AWS_PROFILE").unwrap_or_else(|| "default".to_string());
    match aws_profile::load(&name) {
        Some(p) if p.has_keys() => {
            report.source =
                format!("profile {name} ({})", p.sources.last().map(|s| s.display().to_string()).unwrap_or_default());
            return Ok((Some(p), report));
        }
        Some(p) => {
            if let Some(why) = &p.unsupported {
                report.tried.push(format!("profile {name}: {}", why.replace("NAME", &name)));
            } else {
                report.tried.push(format!("profile {name} in {files} (no keys)"));
            }
            // Its region / endpoint still apply.
            return Ok((Some(p), finish(report, opts)));
        }
        None => report.tried.push(format!("profile {name} in {files} (not found)")),
    }
    Ok((None, finish(report, opts)))
}

/// The rest of object_store's chain, named for the "nothing found" message.
fn finish(mut report: CredentialReport, opts: &StoreOptions) -> CredentialReport {
    if !report.source.is_empty() {
        return report;
    }
    if opts.anonymous {
        report.source = "none (unsigned requests)".into();
    } else if env("AWS_WEB_IDENTITY_TOKEN_FILE").is_some() {
        report.source = "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)".into();
    } else if env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").is_some()
        || env("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some()
    {
        report.source = "container credentials (AWS_CONTAINER_CREDENTIALS_*)".into();
    } else {
        report.tried.push("web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set)".into());
        report.tried.push("container credentials (not set)".into());
        report.source = "instance metadata (169.254.169.254)".into();
    }
    report
}

/// An S3 (or S3-compatible) store for one bucket.
pub fn s3(bucket: &str, opts: &StoreOptions, stats: &Arc<RequestStats>) -> Result<CloudStore, LakeError> {
    let (profile, credentials) = resolve_aws(opts)?;
    let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
    if let Some(p) = &profile
        && let (Some(k), Some(s)) = (&p.access_key_id, &p.secret_access_key)
    {
        redact::register(k);
        redact::register(s);
        b = b.with_access_key_id(k).with_secret_access_key(s);
        if let Some(t) = &p.session_token {
            redact::register(t);
            b = b.with_token(t);
        }
    }
    let region = opts
        .region
        .clone()
        .or_else(|| profile.as_ref().and_then(|p| p.region.clone()))
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"));
    if let Some(r) = &region {
        b = b.with_region(r);
    }
    let endpoint = opts
        .endpoint
        .clone()
        .or_else(|| profile.as_ref().and_then(|p| p.endpoint_url.clone()))
        .or_else(|| b.get_config_value(&AmazonS3ConfigKey::Endpoint));
    let allow = opts.allow_http || env_true("AWS_ALLOW_HTTP");
    let mut plain_http = false;
    if let Some(e) = &endpoint {
        plain_http = check_endpoint(e, allow)?;
        // Custom endpoints (MinIO, Ceph, R2, moto…) want path-style requests.
        b = b.with_endpoint(e.trim_end_matches('/')).with_virtual_hosted_style_request(false);
    }
    if opts.anonymous {
        b = b.with_skip_signature(true);
    }
    let s3 = b
        .with_retry(retry(opts))
        .with_client_options(client_options(opts, plain_http))
        .with_http_connector(CountingConnector { stats: stats.clone() })
        .build()
        .map_err(|e| LakeError::BadRoot { input: format!("s3://{bucket}"), reason: super::error::store_reason(&e) })?;
    let s3 = Arc::new(s3);
    Ok(CloudStore {
        store: s3.clone(),
        paged: s3.clone(),
        s3: Some(s3),
        endpoint,
        region: region.or_else(|| Some("us-east-1".into())),
        credentials,
    })
}

/// A Google Cloud Storage store for one bucket.
pub fn gcs(bucket: &str, opts: &StoreOptions, stats: &Arc<RequestStats>) -> Result<CloudStore, LakeError> {
    let mut report = CredentialReport::default();
    for var in [
        "GOOGLE_SERVICE_ACCOUNT",
        "GOOGLE_SERVICE_ACCOUNT_PATH",
        "GOOGLE_SERVICE_ACCOUNT_KEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
    ] {
        if env(var).is_some() && report.source.is_empty() {
            report.source = format!("environment ({var})");
        } else if report.source.is_empty() {
            report.tried.push(format!("{var} (not set)"));
        }
    }
    if report.source.is_empty() {
        let adc = dirs::config_dir().map(|d| d.join("gcloud/application_default_credentials.json"));
        match adc.filter(|p| p.exists()) {
            Some(p) => report.source = format!("application default credentials ({})", p.display()),
            None => {
                report.tried.push("application default credentials (gcloud auth application-default login)".into());
                report.source = "GCE metadata server".into();
            }
        }
    }
    if let Some(key) = env("GOOGLE_SERVICE_ACCOUNT_KEY") {
        redact::register(&key);
    }
    let mut b = GoogleCloudStorageBuilder::from_env().with_bucket_name(bucket);
    if opts.anonymous {
        b = b.with_skip_signature(true);
    }
    let gcs = b
        .with_retry(retry(opts))
        .with_client_options(client_options(opts, false))
        .with_http_connector(CountingConnector { stats: stats.clone() })
        .build()
        .map_err(|e| LakeError::BadRoot { input: format!("gs://{bucket}"), reason: super::error::store_reason(&e) })?;
    let gcs = Arc::new(gcs);
    Ok(CloudStore { store: gcs.clone(), paged: gcs, s3: None, endpoint: None, region: None, credentials: report })
}

/// An Azure Blob / ADLS Gen2 store for one container.
pub fn azure(url: &LakeUrl, opts: &StoreOptions, stats: &Arc<RequestStats>) -> Result<CloudStore, LakeError> {
    let mut report = CredentialReport::default();
    for (var, what) in [
        ("AZURE_STORAGE_ACCOUNT_KEY", "account key"),
        ("AZURE_STORAGE_SAS_KEY", "SAS token"),
        ("AZURE_CLIENT_SECRET", "service principal"),
        ("AZURE_FEDERATED_TOKEN_FILE", "workload identity"),
    ] {
        if report.source.is_empty() && env(var).is_some() {
            report.source = format!("{what} ({var})");
        } else if report.source.is_empty() {
            report.tried.push(format!("{what} ({var} not set)"));
        }
    }
    if report.source.is_empty() {
        report.source = "managed identity".into();
    }
    let mut b = MicrosoftAzureBuilder::from_env().with_url(url.store_url.as_str());
    if opts.anonymous {
        b = b.with_skip_signature(true);
    }
    let az = b
        .with_retry(retry(opts))
        .with_client_options(client_options(opts, false))
        .with_http_connector(CountingConnector { stats: stats.clone() })
        .build()
        .map_err(|e| {
            let mut reason = super::error::store_reason(&e);
            if reason.contains("Account must be specified") {
                reason = "no storage account: set AZURE_STORAGE_ACCOUNT_NAME, or use abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/"
                    .into();
            }
            LakeError::BadRoot { input: url.display(), reason }
        })?;
    let az = Arc::new(az);
    Ok(CloudStore { store: az.clone(), paged: az, s3: None, endpoint: None, region: None, credentials: report })
}

/// Build the store for a cloud lake URL.
pub fn open(
    url: &LakeUrl,
    bucket: &str,
    opts: &StoreOptions,
    stats: &Arc<RequestStats>,
) -> Result<CloudStore, LakeError> {
    match url.scheme {
        Scheme::S3 => s3(bucket, opts, stats),
        Scheme::Gcs => gcs(bucket, opts, stats),
        Scheme::Azure => azure(url, opts, stats),
        Scheme::File => unreachable!("local lakes do not use cloud stores"),
    }
}

/// What went wrong with a cloud request, for a person: names the bucket, the endpoint and where
/// the credentials came from, and says what to try.
pub fn explain(
    text: &str,
    provider: Scheme,
    bucket: &str,
    endpoint: Option<&str>,
    credentials: &CredentialReport,
) -> String {
    let lower = text.to_ascii_lowercase();
    let target = match endpoint {
        Some(e) => format!("{}://{bucket} at {e}", provider.as_str()),
        None => format!("{}://{bucket}", provider.as_str()),
    };
    // A fallback source (metadata servers) means nothing else was found: list what was tried.
    let fallback = ["instance", "GCE", "managed"].iter().any(|f| credentials.source.starts_with(f));
    let creds = if fallback {
        let mut all = credentials.tried.clone();
        all.push(credentials.source.clone());
        format!("tried: {}", all.join("; "))
    } else {
        format!("credentials from {}", credentials.source)
    };
    let credential_failure = lower.contains("169.254.169.254")
        || lower.contains("metadata") && (lower.contains("token") || lower.contains("credential"))
        || lower.contains("error performing token request")
        || lower.contains("error getting token");
    // An HTTP status, not any "403" in the text: a refused connection's message says how long
    // it took ("after 0 retries in 403.2µs") and was once taken for an access denial.
    let status = |code: &str| {
        ["status ", "status: ", "status code ", "http ", "code: "].iter().any(|p| lower.contains(&format!("{p}{code}")))
            || lower.contains(&format!("{code} forbidden"))
            || lower.contains(&format!("{code} unauthorized"))
    };
    let connect_failure = lower.contains("connection refused")
        || lower.contains("tcp connect error")
        || lower.contains("dns error")
        || lower.contains("failed to lookup");
    let auth_failure =
        status("403") || status("401") || lower.contains("forbidden") || lower.contains("unauthenticated");
    let reason = if credential_failure || (fallback && auth_failure) {
        // Nothing was configured and the metadata fallback did not give usable credentials.
        format!("no credentials found for {target} ({creds})")
    } else if connect_failure {
        format!(
            "cannot connect to {target}: {} (is the endpoint up and reachable?)",
            if lower.contains("refused") { "connection refused" } else { "host unreachable" }
        )
    } else if lower.contains("nosuchbucket")
        || lower.contains("bucket does not exist")
        || lower.contains("containernotfound")
        || (status("404") && lower.contains("bucket"))
    {
        format!("bucket {bucket} does not exist ({target})")
    } else if lower.contains("invalidaccesskeyid")
        || lower.contains("signaturedoesnotmatch")
        || lower.contains("invalidtoken")
        || lower.contains("expiredtoken")
        || lower.contains("authenticationfailed")
    {
        format!("the credentials were refused by {target} ({creds})")
    } else if lower.contains("accessdenied")
        || lower.contains("access denied")
        || status("403")
        || lower.contains("forbidden")
        || lower.contains("authorizationpermissionmismatch")
    {
        format!("access denied to {target}: the credentials lack permission to list or read it ({creds})")
    } else if lower.contains("timed out") || lower.contains("timeout") {
        format!("{target} did not answer in time (timeouts and retries: see the requests panel)")
    } else if lower.contains("permanentredirect") || status("301") {
        format!("{target} is in another region: set --region (or AWS_REGION / the profile's region)")
    } else {
        return redact::redact(text);
    };
    redact::redact(&reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback_and_only_when_allowed() {
        assert!(!check_endpoint("https://s3.example.com", false).unwrap());
        assert!(check_endpoint("http://127.0.0.1:9000", true).unwrap());
        assert!(check_endpoint("http://localhost:9000", true).unwrap());
        assert!(check_endpoint("http://[::1]:9000", true).unwrap());
        assert!(check_endpoint("http://127.0.0.1:9000", false).unwrap_err().to_string().contains("--allow-http"));
        assert!(check_endpoint("http://minio.internal:9000", true).unwrap_err().to_string().contains("loopback"));
    }

    #[test]
    fn failures_are_explained_with_bucket_and_cause() {
        let creds = CredentialReport { source: "profile prod (~/.aws/credentials)".into(), tried: vec![] };
        let e = |t: &str| explain(t, Scheme::S3, "acme", Some("http://127.0.0.1:1"), &creds);
        assert!(e("Error performing list: NoSuchBucket").starts_with("bucket acme does not exist"));
        assert!(
            e("Client error with status 403 Forbidden: <Code>AccessDenied</Code>")
                .contains("access denied to s3://acme")
        );
        assert!(e("InvalidAccessKeyId: The AWS Access Key Id").contains("credentials were refused"));
        assert!(
            e("error sending request: tcp connect error: Connection refused (os error 111)")
                .contains("connection refused")
        );
        // Durations in the text are not HTTP statuses (this one once read as "access denied").
        for took in ["403.218µs", "301.5ms", "404.1ms", "401.9µs"] {
            let m = e(&format!(
                "Generic S3 error: Error after 0 retries in {took}, max_retries:10, retry_timeout:180s, source:error \
                 sending request for url (http://127.0.0.1:36427/bucket-7032?list-type=2): client error (Connect): \
                 tcp connect error: Connection refused (os error 111)"
            ));
            assert!(m.starts_with("cannot connect to s3://acme") && m.contains("connection refused"), "{took}: {m}");
        }
        assert!(e("Client error with status 301 Moved Permanently").contains("in another region"));
        let nothing = CredentialReport {
            source: "instance metadata (169.254.169.254)".into(),
            tried: vec!["environment (AWS_ACCESS_KEY_ID not set)".into()],
        };
        let m = explain(
            "Error fetching token from http://169.254.169.254/latest/api/token",
            Scheme::S3,
            "acme",
            None,
            &nothing,
        );
        assert!(m.starts_with("no credentials found for s3://acme") && m.contains("AWS_ACCESS_KEY_ID not set"), "{m}");
        let gce = CredentialReport {
            source: "GCE metadata server".into(),
            tried: vec!["GOOGLE_APPLICATION_CREDENTIALS (not set)".into()],
        };
        let m = explain("Client error with status 403 Forbidden", Scheme::Gcs, "b", None, &gce);
        assert!(
            m.starts_with("no credentials found for gs://b") && m.contains("GOOGLE_APPLICATION_CREDENTIALS"),
            "{m}"
        );
    }
}
