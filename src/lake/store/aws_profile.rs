//! AWS shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`, or
//! `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`), read the way the AWS CLI reads them:
//! `[default]` and `[profile NAME]` in the config file, `[NAME]` in the credentials file, the
//! credentials file winning for keys. object_store has no profile support of its own.
//!
//! Only what lakescope uses is kept: static keys, session token, region and endpoint_url.
//! Profiles that need a process, SSO or role assumption are recognised and refused with advice.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a profile gives.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AwsProfile {
    pub name: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Set when the profile gets credentials in a way lakescope does not run itself.
    pub unsupported: Option<String>,
    /// Files the profile was read from.
    pub sources: Vec<PathBuf>,
}

impl std::fmt::Debug for AwsProfile {
    // Never print secrets, even in a debug dump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsProfile")
            .field("name", &self.name)
            .field("access_key_id", &self.access_key_id.as_ref().map(|_| "****"))
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "****"))
            .field("session_token", &self.session_token.as_ref().map(|_| "****"))
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("unsupported", &self.unsupported)
            .finish()
    }
}

impl AwsProfile {
    pub fn has_keys(&self) -> bool {
        self.access_key_id.is_some() && self.secret_access_key.is_some()
    }
}

/// Where the two files are.
pub fn config_paths() -> (PathBuf, PathBuf) {
    let home = dirs::home_dir().unwrap_or_default();
    let config = std::env::var_os("AWS_CONFIG_FILE").map(PathBuf::from).unwrap_or_else(|| home.join(".aws/config"));
    let creds = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".aws/credentials"));
    (config, creds)
}

/// `[section]` -> key -> value, keys lower-cased.
fn parse_ini(text: &str) -> HashMap<String, HashMap<String, String>> {
    let mut out: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = section.trim().to_string();
            out.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        // Nested sub-sections (`s3 =` followed by indented keys) are skipped.
        if raw.starts_with(' ') || raw.starts_with('\t') {
            continue;
        }
        if let (Some(section), Some((k, v))) = (&current, line.split_once('=')) {
            out.entry(section.clone()).or_default().insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    out
}

/// Read profile `name` from the given files. `None` when neither file has it.
pub fn load_from(name: &str, config_file: &Path, credentials_file: &Path) -> Option<AwsProfile> {
    let mut profile = AwsProfile { name: name.to_string(), ..AwsProfile::default() };
    let mut found = false;
    if let Ok(text) = std::fs::read_to_string(config_file) {
        let sections = parse_ini(&text);
        let key = if name == "default" { "default".to_string() } else { format!("profile {name}") };
        let section =
            sections.get(&key).or_else(|| if name == "default" { sections.get("profile default") } else { None });
        if let Some(s) = section {
            found = true;
            profile.sources.push(config_file.to_path_buf());
            apply(&mut profile, s);
        }
    }
    if let Ok(text) = std::fs::read_to_string(credentials_file) {
        let sections = parse_ini(&text);
        if let Some(s) = sections.get(name) {
            found = true;
            profile.sources.push(credentials_file.to_path_buf());
            apply(&mut profile, s);
        }
    }
    found.then_some(profile)
}

/// Read profile `name` from the usual files.
pub fn load(name: &str) -> Option<AwsProfile> {
    let (config, creds) = config_paths();
    load_from(name, &config, &creds)
}

fn apply(p: &mut AwsProfile, s: &HashMap<String, String>) {
    let get = |k: &str| s.get(k).filter(|v| !v.is_empty()).cloned();
    if let Some(v) = get("aws_access_key_id") {
        p.access_key_id = Some(v);
    }
    if let Some(v) = get("aws_secret_access_key") {
        p.secret_access_key = Some(v);
    }
    if let Some(v) = get("aws_session_token").or_else(|| get("aws_security_token")) {
        p.session_token = Some(v);
    }
    if let Some(v) = get("region") {
        p.region = Some(v);
    }
    if let Some(v) = get("endpoint_url") {
        p.endpoint_url = Some(v);
    }
    if p.access_key_id.is_none() {
        if s.contains_key("credential_process") {
            p.unsupported = Some(
                "gets its keys from a credential_process; run it (or `aws configure export-credentials --profile NAME --format env`) and export the keys".into(),
            );
        } else if s.contains_key("sso_start_url") || s.contains_key("sso_session") {
            p.unsupported = Some("is an SSO profile; run `aws sso login` then `eval $(aws configure export-credentials --profile NAME --format env)`".into());
        } else if s.contains_key("role_arn") {
            p.unsupported = Some("assumes a role; export the role's temporary keys (`aws configure export-credentials --profile NAME --format env`)".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "
[default]
region = us-east-1

[profile prod]
region = eu-west-1
endpoint_url = http://127.0.0.1:9000
s3 =
  addressing_style = path

[profile sso]
sso_start_url = https://acme.awsapps.com/start
";

    const CREDENTIALS: &str = "
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = defaultsecret

# production
[prod]
aws_access_key_id = AKIAPROD
aws_secret_access_key = prodsecret
aws_session_token = prodtoken
";

    fn files() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let creds = dir.path().join("credentials");
        std::fs::write(&config, CONFIG).unwrap();
        std::fs::write(&creds, CREDENTIALS).unwrap();
        (dir, config, creds)
    }

    #[test]
    fn a_profile_merges_both_files() {
        let (_d, config, creds) = files();
        let p = load_from("prod", &config, &creds).unwrap();
        assert_eq!(p.access_key_id.as_deref(), Some("AKIAPROD"));
        assert_eq!(p.session_token.as_deref(), Some("prodtoken"));
        assert_eq!(p.region.as_deref(), Some("eu-west-1"));
        assert_eq!(p.endpoint_url.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(p.sources.len(), 2);
        let d = load_from("default", &config, &creds).unwrap();
        assert_eq!((d.region.as_deref(), d.access_key_id.as_deref()), (Some("us-east-1"), Some("AKIADEFAULT")));
    }

    #[test]
    fn unknown_and_unsupported_profiles() {
        let (_d, config, creds) = files();
        assert!(load_from("nope", &config, &creds).is_none());
        let sso = load_from("sso", &config, &creds).unwrap();
        assert!(!sso.has_keys());
        assert!(sso.unsupported.unwrap().contains("SSO"));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let (_d, config, creds) = files();
        let text = format!("{:?}", load_from("prod", &config, &creds).unwrap());
        assert!(!text.contains("prodsecret") && !text.contains("AKIAPROD") && !text.contains("prodtoken"), "{text}");
    }
}
