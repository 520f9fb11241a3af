//! S3 ListBuckets: the one request lakescope signs itself (AWS Signature Version 4), because
//! object_store has no API for an account-level listing. Credentials come from the same chain
//! as every other S3 request (object_store's credential provider), and the request goes through
//! the lake's counting HTTP client, so it is accounted like the others.

use std::sync::Arc;

use object_store::ClientOptions;
use object_store::aws::AmazonS3;
use object_store::client::{HttpClient, HttpConnector, HttpRequestBody};
use ring::digest::{SHA256, digest};
use ring::hmac;
use url::Url;

use super::error::LakeError;
use super::requests::{CountingConnector, RequestStats};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(digest(&SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data).as_ref().to_vec()
}

/// The headers of a SigV4-signed `GET /` to `host` (ListBuckets), at `now`.
pub fn sign_list_buckets(
    host: &str,
    region: &str,
    key_id: &str,
    secret: &str,
    token: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(String, String)> {
    let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
    let date = now.format("%Y%m%d").to_string();
    let payload = sha256_hex(b"");
    let mut headers = vec![
        ("host".to_string(), host.to_string()),
        ("x-amz-content-sha256".to_string(), payload.clone()),
        ("x-amz-date".to_string(), amz_date.clone()),
    ];
    if let Some(t) = token {
        headers.push(("x-amz-security-token".to_string(), t.to_string()));
    }
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{}\n", v.trim())).collect();
    let signed: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
    let signed = signed.join(";");
    let canonical_request = format!("GET\n/\n\n{canonical_headers}\n{signed}\n{payload}");
    let scope = format!("{date}/{region}/s3/aws4_request");
    let string_to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()));
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, b"s3");
    let k_signing = hmac_sha256(&k_service, b"aws4_request");
    let signature = hex(&hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    headers.push((
        "authorization".to_string(),
        format!("AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={signed}, Signature={signature}"),
    ));
    headers.retain(|(k, _)| k != "host");
    headers
}

/// Bucket names in a ListAllMyBucketsResult document.
pub fn parse_bucket_names(xml: &str) -> Vec<String> {
    let Some(start) = xml.find("<Buckets>") else { return Vec::new() };
    let end = xml[start..].find("</Buckets>").map(|e| start + e).unwrap_or(xml.len());
    let mut names = Vec::new();
    let mut rest = &xml[start..end];
    while let Some(i) = rest.find("<Name>") {
        let after = &rest[i + 6..];
        let Some(j) = after.find("</Name>") else { break };
        names.push(after[..j].to_string());
        rest = &after[j + 7..];
    }
    names
}

/// List the buckets visible to the credentials of `s3` (an S3 client built for any bucket).
pub async fn list_buckets(
    s3: &Arc<AmazonS3>,
    endpoint: Option<&str>,
    region: &str,
    client_options: &ClientOptions,
    stats: &Arc<RequestStats>,
) -> Result<Vec<String>, String> {
    let base = match endpoint {
        Some(e) => e.trim_end_matches('/').to_string(),
        None => format!("https://s3.{region}.amazonaws.com"),
    };
    let url = Url::parse(&format!("{base}/")).map_err(|e| format!("invalid endpoint {base}: {e}"))?;
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let cred = s3.credentials().get_credential().await.map_err(|e| super::error::store_reason(&e))?;
    let headers =
        sign_list_buckets(&host, region, &cred.key_id, &cred.secret_key, cred.token.as_deref(), chrono::Utc::now());
    let client: HttpClient = CountingConnector { stats: stats.clone() }
        .connect(client_options)
        .map_err(|e| super::error::store_reason(&e))?;
    let mut req = http::Request::builder().method("GET").uri(url.as_str());
    for (k, v) in &headers {
        req = req.header(k, v);
    }
    let req = req.body(HttpRequestBody::empty()).map_err(|e| e.to_string())?;
    let res = client.execute(req).await.map_err(|e| super::error::describe(&e))?;
    let status = res.status();
    let body = res.into_body().bytes().await.map_err(|e| super::error::describe(&e))?;
    let text = String::from_utf8_lossy(&body);
    if !status.is_success() {
        let code = text.split("<Code>").nth(1).and_then(|t| t.split("</Code>").next()).unwrap_or("");
        return Err(format!("ListBuckets answered {status} {code}"));
    }
    Ok(parse_bucket_names(&text))
}

/// A LakeError for an account whose buckets cannot be listed.
pub fn cannot_list(scheme: &str, reason: String) -> LakeError {
    LakeError::Listing { location: format!("{scheme}:// (the account's buckets)"), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_aws() {
        // AWS's documented example keys; the signature is checked against a real server in
        // tests/store_faults.rs (moto verifying signatures).
        let now = chrono::DateTime::parse_from_rfc3339("2013-05-24T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
        let h = sign_list_buckets(
            "s3.amazonaws.com",
            "us-east-1",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            now,
        );
        let auth = &h.iter().find(|(k, _)| k == "authorization").unwrap().1;
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request")
        );
        assert!(auth.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="));
        let sig = auth.rsplit("Signature=").next().unwrap();
        assert_eq!(sig.len(), 64);
        assert!(!h.iter().any(|(k, _)| k == "host"), "the client sets Host itself");
    }

    #[test]
    fn bucket_names_from_xml() {
        let xml = "<ListAllMyBucketsResult><Owner><DisplayName>me</DisplayName></Owner><Buckets><Bucket><Name>a</Name><CreationDate>x</CreationDate></Bucket><Bucket><Name>b-2</Name></Bucket></Buckets></ListAllMyBucketsResult>";
        assert_eq!(parse_bucket_names(xml), vec!["a".to_string(), "b-2".to_string()]);
        assert!(parse_bucket_names("<Error/>").is_empty());
    }
}
