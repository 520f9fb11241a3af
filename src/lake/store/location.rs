//! Lake roots as people type them — `./lake`, `~/lake`, `file:///data/lake`, `s3://bucket/prefix`,
//! `gs://…`, `az://…` — parsed into the URL of the store's root and the key prefix under it.
//!
//! Only local roots touch the disk here (to make them absolute and say clearly when they do not
//! exist); cloud roots are checked by their first listing.

use std::path::{Path as FsPath, PathBuf};

use object_store::path::Path;
use url::Url;

use crate::lake::error::LakeError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    File,
    S3,
    Gcs,
    Azure,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::File => "file",
            Scheme::S3 => "s3",
            Scheme::Gcs => "gs",
            Scheme::Azure => "az",
        }
    }
}

/// A parsed lake root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LakeUrl {
    pub scheme: Scheme,
    /// URL of the store's root: `file:///` or `s3://bucket/`.
    pub store_url: Url,
    /// Bucket or container for cloud stores.
    pub bucket: Option<String>,
    /// Key prefix of the lake root inside the store (raw, unescaped segments).
    pub prefix: Path,
    /// A short name for the root: its last folder, or the bucket.
    pub name: String,
}

impl LakeUrl {
    pub fn parse(input: &str) -> Result<Self, LakeError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(LakeError::BadRoot { input: input.to_string(), reason: "empty location".into() });
        }
        if let Some((scheme, _)) = trimmed.split_once("://") {
            return match scheme.to_ascii_lowercase().as_str() {
                "file" => {
                    let url = Url::parse(trimmed)
                        .map_err(|e| LakeError::BadRoot { input: input.to_string(), reason: e.to_string() })?;
                    let path = url.to_file_path().map_err(|_| LakeError::BadRoot {
                        input: input.to_string(),
                        reason: "not a local file URL".into(),
                    })?;
                    Self::local(&path, input)
                }
                "s3" | "s3a" => Self::cloud(Scheme::S3, trimmed, input),
                "gs" | "gcs" => Self::cloud(Scheme::Gcs, trimmed, input),
                "az" | "abfs" | "abfss" | "azure" => Self::cloud(Scheme::Azure, trimmed, input),
                other => Err(LakeError::BadRoot {
                    input: input.to_string(),
                    reason: format!("unknown scheme {other:?} (use a path, file://, s3://, gs:// or az://)"),
                }),
            };
        }
        Self::local(&expand_tilde(trimmed), input)
    }

    fn local(path: &FsPath, input: &str) -> Result<Self, LakeError> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => LakeError::RootNotFound { root: path.display().to_string() },
            _ => LakeError::Listing { location: path.display().to_string(), reason: e.to_string() },
        })?;
        if meta.is_file() {
            return Err(LakeError::RootIsFile { root: path.display().to_string() });
        }
        let absolute = std::fs::canonicalize(path)
            .map_err(|e| LakeError::Listing { location: path.display().to_string(), reason: e.to_string() })?;
        let prefix = Path::from_absolute_path(&absolute)
            .map_err(|e| LakeError::BadRoot { input: input.to_string(), reason: e.to_string() })?;
        let name = absolute.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "/".to_string());
        Ok(LakeUrl {
            scheme: Scheme::File,
            store_url: Url::parse("file:///").expect("static url"),
            bucket: None,
            prefix,
            name,
        })
    }

    fn cloud(scheme: Scheme, text: &str, input: &str) -> Result<Self, LakeError> {
        let url =
            Url::parse(text).map_err(|e| LakeError::BadRoot { input: input.to_string(), reason: e.to_string() })?;
        // abfss://container@account.dfs.core.windows.net/path names the container before the '@'.
        let bucket = if !url.username().is_empty() {
            url.username().to_string()
        } else {
            url.host_str().unwrap_or_default().to_string()
        };
        if bucket.is_empty() {
            // `s3://` alone: the whole account, one bucket per top-level entry.
            return Ok(LakeUrl {
                scheme,
                store_url: Url::parse(&format!("{}://account/", scheme.as_str())).expect("static url"),
                bucket: None,
                prefix: Path::default(),
                name: format!("{}://", scheme.as_str()),
            });
        }
        let prefix = Path::from_url_path(url.path())
            .map_err(|e| LakeError::BadRoot { input: input.to_string(), reason: e.to_string() })?;
        let mut store_url = url.clone();
        store_url.set_path("/");
        store_url.set_query(None);
        store_url.set_fragment(None);
        let name = prefix.filename().map(str::to_string).unwrap_or_else(|| bucket.clone());
        Ok(LakeUrl { scheme, store_url, bucket: Some(bucket), prefix, name })
    }

    /// The key of a path relative to the lake root.
    pub fn key(&self, rel: &str) -> Path {
        join(&self.prefix, rel)
    }

    /// Is this a whole account (`s3://` with no bucket)?
    pub fn is_account(&self) -> bool {
        self.scheme != Scheme::File && self.bucket.is_none()
    }

    /// The URL of a path relative to the lake root (percent-encoded per segment).
    pub fn url_of(&self, rel: &str, is_dir: bool) -> Url {
        if self.is_account() {
            // The first segment is the bucket.
            let rel = rel.trim_matches('/');
            let (bucket, rest) = rel.split_once('/').unwrap_or((rel, ""));
            let mut url =
                Url::parse(&format!("{}://{bucket}/", self.scheme.as_str())).unwrap_or_else(|_| self.store_url.clone());
            {
                let mut segs = url.path_segments_mut().expect("bucket urls have a path");
                segs.pop_if_empty();
                segs.extend(rest.split('/').filter(|s| !s.is_empty()));
                if is_dir {
                    segs.push("");
                }
            }
            return url;
        }
        let mut url = self.store_url.clone();
        {
            let mut segs = url.path_segments_mut().expect("store urls have a path");
            segs.pop_if_empty();
            segs.extend(self.prefix.parts().map(|p| p.as_ref().to_string()));
            segs.extend(rel.split('/').filter(|s| !s.is_empty()));
            if is_dir {
                segs.push("");
            }
        }
        url
    }

    /// What to show for the root: a local path as a path, a cloud root as its URL.
    pub fn display(&self) -> String {
        match self.scheme {
            Scheme::File => format!("/{}", self.prefix.as_ref()),
            _ if self.is_account() => format!("{}://", self.scheme.as_str()),
            _ => self.url_of("", true).to_string(),
        }
    }
}

/// Join a relative `a/b` onto a key prefix without re-escaping the raw segments.
pub fn join(prefix: &Path, rel: &str) -> Path {
    let rel = rel.trim_matches('/');
    if rel.is_empty() {
        return prefix.clone();
    }
    let joined = if prefix.as_ref().is_empty() { rel.to_string() } else { format!("{}/{}", prefix.as_ref(), rel) };
    Path::parse(&joined).unwrap_or_else(|_| Path::from(joined.as_str()))
}

fn expand_tilde(input: &str) -> PathBuf {
    if (input == "~" || input.starts_with("~/"))
        && let Some(home) = dirs::home_dir()
    {
        return home.join(input.trim_start_matches('~').trim_start_matches('/'));
    }
    PathBuf::from(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_and_file_urls_agree() {
        let dir = tempfile::tempdir().unwrap();
        let a = LakeUrl::parse(dir.path().to_str().unwrap()).unwrap();
        let b = LakeUrl::parse(&format!("file://{}", dir.path().display())).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.scheme, Scheme::File);
        assert!(a.url_of("silver/orders", true).as_str().ends_with("/silver/orders/"));
    }

    #[test]
    fn missing_root_is_named() {
        let err = LakeUrl::parse("/definitely/not/here").unwrap_err();
        assert_eq!(err.to_string(), "lake root /definitely/not/here does not exist");
    }

    #[test]
    fn cloud_roots_split_bucket_and_prefix() {
        let u = LakeUrl::parse("s3://acme-lake/prod/silver").unwrap();
        assert_eq!(u.bucket.as_deref(), Some("acme-lake"));
        assert_eq!(u.prefix.as_ref(), "prod/silver");
        assert_eq!(u.store_url.as_str(), "s3://acme-lake/");
        assert_eq!(u.key("orders").as_ref(), "prod/silver/orders");
        let az = LakeUrl::parse("abfss://lake@acct.dfs.core.windows.net/raw").unwrap();
        assert_eq!(az.bucket.as_deref(), Some("lake"));
    }

    #[test]
    fn an_account_root_has_no_bucket() {
        let u = LakeUrl::parse("s3://").unwrap();
        assert!(u.is_account());
        assert_eq!(u.display(), "s3://");
        assert_eq!(u.url_of("acme/silver/orders", true).as_str(), "s3://acme/silver/orders/");
        assert_eq!(u.key("acme/silver").as_ref(), "acme/silver");
        assert!(!LakeUrl::parse("s3://acme").unwrap().is_account());
    }

    #[test]
    fn unknown_scheme_is_refused() {
        assert!(LakeUrl::parse("ftp://x/y").unwrap_err().to_string().contains("unknown scheme"));
    }

    #[test]
    fn raw_segments_are_kept() {
        let p = join(&Path::parse("a").unwrap(), "ts=11%3A00/x");
        assert_eq!(p.as_ref(), "a/ts=11%3A00/x");
    }
}
