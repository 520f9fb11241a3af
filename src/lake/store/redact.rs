//! Secret redaction. Every secret lakescope learns — keys and tokens from the environment, from
//! AWS profiles, from SAS query strings — is registered here, and every text that leaves the
//! program (error messages, views, `--json` output, request records) passes through `redact`,
//! which also masks signatures and credential scopes that a library may have put in a message.

use std::sync::RwLock;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// The mask shown instead of a secret.
pub const MASK: &str = "****";

/// Environment variables whose values are secrets wherever they appear.
const SECRET_ENV: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_ACCESS_KEY",
    "AZURE_STORAGE_KEY",
    "AZURE_STORAGE_SAS_KEY",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_STORAGE_TOKEN",
    "AZURE_CLIENT_SECRET",
    "AZURE_FEDERATED_TOKEN",
    "GOOGLE_SERVICE_ACCOUNT_KEY",
];

/// Remember a secret so it never appears in output. Very short values are ignored: masking
/// `abc` everywhere would mangle ordinary text, and such values are not real keys.
pub fn register(secret: &str) {
    let s = secret.trim();
    if s.len() < 6 {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|p| p.into_inner());
    if !secrets.iter().any(|x| x == s) {
        secrets.push(s.to_string());
        // Longest first, so a secret containing another is masked whole.
        secrets.sort_by_key(|x| std::cmp::Reverse(x.len()));
    }
}

/// Register the secrets found in the environment (called once at start).
pub fn register_env() {
    for (k, v) in std::env::vars() {
        let upper = k.to_ascii_uppercase();
        let named = SECRET_ENV.contains(&upper.as_str());
        let looks_secret = (upper.contains("SECRET")
            || upper.contains("PASSWORD")
            || upper.ends_with("_TOKEN")
            || upper.ends_with("_KEY"))
            && !upper.starts_with("CARGO")
            && v.len() >= 8;
        if named || looks_secret {
            register(&v);
        }
    }
}

/// The text with every registered secret and every signature-like parameter masked.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    {
        let secrets = SECRETS.read().unwrap_or_else(|p| p.into_inner());
        for s in secrets.iter() {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
    }
    for key in [
        "X-Amz-Signature=",
        "X-Amz-Credential=",
        "X-Amz-Security-Token=",
        "Signature=",
        "sig=",
        "Credential=",
        "token=",
    ] {
        out = mask_after(&out, key);
    }
    out
}

/// Mask the value following `key` up to the next separator.
fn mask_after(text: &str, key: &str) -> String {
    if !text.contains(key) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(key) {
        out.push_str(&rest[..pos + key.len()]);
        let after = &rest[pos + key.len()..];
        let end = after.find(['&', ',', ' ', '"', '\'', ')', '\n']).unwrap_or(after.len());
        if end > 0 {
            out.push_str(MASK);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_and_signatures_are_masked() {
        register("wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY");
        let text = "request failed: key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY url=https://b.s3.amazonaws.com/x?X-Amz-Signature=abcdef123&X-Amz-Date=1";
        let r = redact(text);
        assert!(!r.contains("wJalrXUtnFEMI") && !r.contains("abcdef123"), "{r}");
        assert!(r.contains("X-Amz-Signature=****&X-Amz-Date=1"), "{r}");
        assert!(r.contains("key=****"), "{r}");
    }

    #[test]
    fn short_values_are_not_treated_as_secrets() {
        register("abc");
        assert_eq!(redact("abc def"), "abc def");
    }

    #[test]
    fn sas_signatures_are_masked() {
        assert_eq!(
            redact("https://a.blob.core.windows.net/c?sv=2022&sig=Zm9vYmFy%3D&se=1"),
            "https://a.blob.core.windows.net/c?sv=2022&sig=****&se=1"
        );
    }
}
