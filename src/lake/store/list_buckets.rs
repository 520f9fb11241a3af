//! S3 ListBuckets, the one request object_store has no API for: signed with object_store's own
//! SigV4 signer (`AwsAuthorizer`) with the credentials of the same chain as every other S3
//! request, sent through the lake's counting HTTP client (so it is accounted like the others),
//! and its XML answer read with quick-xml.

use std::sync::Arc;

use object_store::ClientOptions;
use object_store::aws::{AmazonS3, AwsAuthorizer};
use object_store::client::{HttpClient, HttpConnector, HttpRequestBody};
use serde::Deserialize;
use url::Url;

use crate::lake::error::{Failure, LakeError};
use crate::lake::store::requests::{CountingConnector, RequestStats};

/// Why the buckets could not be listed: what kind of failure (from its type or HTTP status) and
/// the details.
#[derive(Debug, Clone, PartialEq)]
pub struct ListBucketsError {
    pub failure: Failure,
    pub detail: String,
}

#[derive(Debug, Deserialize)]
struct ListAllMyBucketsResult {
    #[serde(rename = "Buckets", default)]
    buckets: BucketList,
}

#[derive(Debug, Default, Deserialize)]
struct BucketList {
    #[serde(rename = "Bucket", default)]
    bucket: Vec<Bucket>,
}

#[derive(Debug, Deserialize)]
struct Bucket {
    #[serde(rename = "Name")]
    name: String,
}

/// Bucket names in a ListAllMyBucketsResult document (none when it is not one).
pub fn parse_bucket_names(xml: &str) -> Vec<String> {
    quick_xml::de::from_str::<ListAllMyBucketsResult>(xml)
        .map(|r| r.buckets.bucket.into_iter().map(|b| b.name).collect())
        .unwrap_or_default()
}

/// The failure an HTTP status of a ListBuckets answer stands for.
fn failure_of_status(status: u16) -> Failure {
    match status {
        401 => Failure::Unauthenticated,
        403 => Failure::AccessDenied,
        404 => Failure::NotFound,
        408 | 504 => Failure::Timeout,
        _ => Failure::Other,
    }
}

/// List the buckets visible to the credentials of `s3` (an S3 client built for any bucket).
pub async fn list_buckets(
    s3: &Arc<AmazonS3>,
    endpoint: Option<&str>,
    region: &str,
    client_options: &ClientOptions,
    stats: &Arc<RequestStats>,
) -> Result<Vec<String>, ListBucketsError> {
    let fail = |failure: Failure, detail: String| ListBucketsError { failure, detail };
    let of = |e: &(dyn std::error::Error + 'static)| fail(Failure::of(e), crate::lake::error::describe(e));
    let base = match endpoint {
        Some(e) => e.trim_end_matches('/').to_string(),
        None => format!("https://s3.{region}.amazonaws.com"),
    };
    let url =
        Url::parse(&format!("{base}/")).map_err(|e| fail(Failure::Other, format!("invalid endpoint {base}: {e}")))?;
    let cred = s3.credentials().get_credential().await.map_err(|e| of(&e))?;
    let client: HttpClient = CountingConnector { stats: stats.clone() }.connect(client_options).map_err(|e| of(&e))?;
    let mut req = http::Request::builder()
        .method("GET")
        .uri(url.as_str())
        .body(HttpRequestBody::empty())
        .map_err(|e| fail(Failure::Other, e.to_string()))?;
    AwsAuthorizer::new(&cred, "s3", region).authorize(&mut req, None);
    let res = client.execute(req).await.map_err(|e| of(&e))?;
    let status = res.status();
    let body = res.into_body().bytes().await.map_err(|e| of(&e))?;
    if !status.is_success() {
        let code = crate::lake::store::requests::error_code(&body).unwrap_or_default();
        return Err(fail(failure_of_status(status.as_u16()), format!("ListBuckets answered {status} {code}")));
    }
    Ok(parse_bucket_names(&String::from_utf8_lossy(&body)))
}

/// A LakeError for an account whose buckets cannot be listed.
pub fn cannot_list(scheme: &str, reason: String) -> LakeError {
    LakeError::Listing { location: format!("{scheme}:// (the account's buckets)"), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_from_xml() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><DisplayName>me</DisplayName></Owner><Buckets><Bucket><Name>a</Name><CreationDate>x</CreationDate></Bucket><Bucket><Name>b-2</Name></Bucket></Buckets></ListAllMyBucketsResult>";
        assert_eq!(parse_bucket_names(xml), vec!["a".to_string(), "b-2".to_string()]);
        assert!(parse_bucket_names("<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>").is_empty());
        assert!(parse_bucket_names("<Error><Code>AccessDenied</Code></Error>").is_empty());
        assert!(parse_bucket_names("not xml").is_empty());
    }

    #[test]
    fn statuses_are_failures() {
        assert_eq!(failure_of_status(403), Failure::AccessDenied);
        assert_eq!(failure_of_status(401), Failure::Unauthenticated);
        assert_eq!(failure_of_status(500), Failure::Other);
    }
}
