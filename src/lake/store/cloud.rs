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
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::list::PaginatedListStore;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::lake::error::Failure;
use crate::lake::error::LakeError;
use crate::lake::store::aws_profile::AwsProfile;
use crate::lake::store::location::{LakeUrl, Scheme};
use crate::lake::store::redact;
use crate::lake::store::requests::{CountingConnector, FailedResponse, RequestKind, RequestStats};

/// How to reach a cloud store. Retries and timeouts are the `[store]` settings (deserialised
/// from the config, which holds their defaults); the rest comes from the command line and named
/// lakes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreOptions {
    #[serde(skip)]
    pub profile: Option<String>,
    /// Keys given by the program itself (tests, benchmarks), never by a file.
    #[serde(skip)]
    pub static_keys: Option<StaticKeys>,
    #[serde(skip)]
    pub region: Option<String>,
    #[serde(skip)]
    pub endpoint: Option<String>,
    #[serde(skip)]
    pub allow_http: bool,
    /// Unsigned requests, for public buckets.
    #[serde(skip)]
    pub anonymous: bool,
    pub max_retries: usize,
    #[serde(rename = "retry_timeout_secs", deserialize_with = "crate::lake::units::de_secs")]
    pub retry_timeout: Duration,
    #[serde(rename = "request_timeout_secs", deserialize_with = "crate::lake::units::de_secs")]
    pub request_timeout: Duration,
    #[serde(rename = "connect_timeout_secs", deserialize_with = "crate::lake::units::de_secs")]
    pub connect_timeout: Duration,
    /// Buckets to show for an account root where listing buckets is not possible.
    #[serde(skip)]
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
    let (config_file, creds_file) = crate::lake::store::aws_profile::config_paths();
    let files = format!("{} and {}", config_file.display(), creds_file.display());
    let mut report = CredentialReport::default();
    if let Some(name) = &opts.profile {
        let profile = crate::lake::store::aws_profile::load(name).ok_or_else(|| LakeError::BadRoot {
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
    match crate::lake::store::aws_profile::load(&name) {
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
        .map_err(|e| LakeError::BadRoot {
            input: format!("s3://{bucket}"),
            reason: crate::lake::error::store_reason(&e),
        })?;
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
        .map_err(|e| LakeError::BadRoot {
            input: format!("gs://{bucket}"),
            reason: crate::lake::error::store_reason(&e),
        })?;
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
    // The account comes from the environment, or from an abfss://CONTAINER@ACCOUNT.dfs… URL.
    let account_in_url = url.store_url.host_str().is_some_and(|h| h.ends_with(".core.windows.net"));
    let emulator = b.get_config_value(&AzureConfigKey::UseEmulator).is_some_and(|v| v == "true");
    if b.get_config_value(&AzureConfigKey::AccountName).is_none() && !account_in_url && !emulator {
        return Err(LakeError::BadRoot {
            input: url.display(),
            reason: "no storage account: set AZURE_STORAGE_ACCOUNT_NAME, or use abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/"
                .into(),
        });
    }
    let az = b
        .with_retry(retry(opts))
        .with_client_options(client_options(opts, false))
        .with_http_connector(CountingConnector { stats: stats.clone() })
        .build()
        .map_err(|e| LakeError::BadRoot { input: url.display(), reason: crate::lake::error::store_reason(&e) })?;
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

/// Where a failed request went: what `explain` names.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub provider: Scheme,
    pub bucket: &'a str,
    pub endpoint: Option<&'a str>,
    pub credentials: &'a CredentialReport,
}

/// Provider error codes that mean the credentials themselves were refused (not a missing
/// permission): S3, Azure.
const REFUSED_CREDENTIALS: &[&str] = &[
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "TokenRefreshRequired",
    "AuthenticationFailed",
    "InvalidAuthenticationInfo",
];

/// What went wrong with a cloud request, for a person: names the bucket, the endpoint and where
/// the credentials came from, and says what to try. Decided from the typed failure and the
/// latest failed response (its status, its provider error code and whether it fetched
/// credentials), never from a message; `detail` is only repeated.
pub fn explain(failure: Failure, last: Option<&FailedResponse>, detail: &str, at: Target) -> String {
    let target = match at.endpoint {
        Some(e) => format!("{}://{} at {e}", at.provider.as_str(), at.bucket),
        None => format!("{}://{}", at.provider.as_str(), at.bucket),
    };
    let credentials = at.credentials;
    // A fallback source (metadata servers) means nothing else was found: list what was tried.
    let fallback = ["instance", "GCE", "managed"].iter().any(|f| credentials.source.starts_with(f));
    let creds = if fallback {
        let mut all = credentials.tried.clone();
        all.push(credentials.source.clone());
        format!("tried: {}", all.join("; "))
    } else {
        format!("credentials from {}", credentials.source)
    };
    let code = last.and_then(|l| l.code.as_deref()).unwrap_or("");
    let status = last.and_then(|l| l.status);
    // object_store types the status of reads (404, 403, 401…) but not of listings: there, the
    // status of the failed response the request accounting saw says it.
    let failure = match (failure, status) {
        (Failure::Other, Some(401)) => Failure::Unauthenticated,
        (Failure::Other, Some(403)) => Failure::AccessDenied,
        (Failure::Other, Some(404)) => Failure::NotFound,
        (f, _) => f,
    };
    let fetching_credentials = last.is_some_and(|l| l.kind == RequestKind::Credentials);
    let auth = matches!(failure, Failure::AccessDenied | Failure::Unauthenticated);
    let reason = if fetching_credentials
        || (fallback && (auth || matches!(failure, Failure::Connect { .. } | Failure::Timeout)))
    {
        // Nothing was configured and the metadata fallback did not give usable credentials.
        format!("no credentials found for {target} ({creds})")
    } else if let Failure::Connect { refused } = failure {
        format!(
            "cannot connect to {target}: {} (is the endpoint up and reachable?)",
            if refused { "connection refused" } else { "host unreachable" }
        )
    } else if matches!(code, "NoSuchBucket" | "ContainerNotFound")
        || (failure == Failure::NotFound && last.is_some_and(|l| l.kind == RequestKind::List))
    {
        format!("bucket {} does not exist ({target})", at.bucket)
    } else if failure == Failure::Unauthenticated || (auth && REFUSED_CREDENTIALS.contains(&code)) {
        format!("the credentials were refused by {target} ({creds})")
    } else if failure == Failure::AccessDenied {
        format!("access denied to {target}: the credentials lack permission to list or read it ({creds})")
    } else if failure == Failure::Timeout {
        format!("{target} did not answer in time (timeouts and retries: see the requests panel)")
    } else if status == Some(301) || code == "PermanentRedirect" {
        format!("{target} is in another region: set --region (or AWS_REGION / the profile's region)")
    } else {
        return redact::redact(detail);
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
    fn failures_are_explained_from_their_type_and_the_response() {
        let creds = CredentialReport { source: "profile prod (~/.aws/credentials)".into(), tried: vec![] };
        let at =
            Target { provider: Scheme::S3, bucket: "acme", endpoint: Some("http://127.0.0.1:1"), credentials: &creds };
        let resp = |kind, status, code: &str| FailedResponse {
            kind,
            status: Some(status),
            code: (!code.is_empty()).then(|| code.to_string()),
        };
        let e = |f: Failure, last: Option<FailedResponse>| explain(f, last.as_ref(), "the detail", at);
        assert!(
            e(Failure::NotFound, Some(resp(RequestKind::List, 404, "NoSuchBucket")))
                .starts_with("bucket acme does not exist")
        );
        assert!(
            e(Failure::AccessDenied, Some(resp(RequestKind::List, 403, "AccessDenied")))
                .contains("access denied to s3://acme")
        );
        assert!(
            e(Failure::AccessDenied, Some(resp(RequestKind::List, 403, "InvalidAccessKeyId")))
                .contains("credentials were refused")
        );
        assert!(e(Failure::Connect { refused: true }, None).contains("connection refused"));
        assert!(
            e(Failure::Other, Some(resp(RequestKind::List, 301, "PermanentRedirect"))).contains("in another region")
        );
        // A message that mentions a status is not a status: only the typed failure counts.
        let m = e(Failure::Other, None);
        assert_eq!(m, "the detail");
        let nothing = CredentialReport {
            source: "instance metadata (169.254.169.254)".into(),
            tried: vec!["environment (AWS_ACCESS_KEY_ID not set)".into()],
        };
        let at = Target { provider: Scheme::S3, bucket: "acme", endpoint: None, credentials: &nothing };
        let m = explain(Failure::Connect { refused: false }, Some(&resp(RequestKind::Credentials, 0, "")), "x", at);
        assert!(m.starts_with("no credentials found for s3://acme") && m.contains("AWS_ACCESS_KEY_ID not set"), "{m}");
        let gce = CredentialReport {
            source: "GCE metadata server".into(),
            tried: vec!["GOOGLE_APPLICATION_CREDENTIALS (not set)".into()],
        };
        let at = Target { provider: Scheme::Gcs, bucket: "b", endpoint: None, credentials: &gce };
        let m = explain(Failure::AccessDenied, None, "x", at);
        assert!(
            m.starts_with("no credentials found for gs://b") && m.contains("GOOGLE_APPLICATION_CREDENTIALS"),
            "{m}"
        );
    }
}
