//! A real S3-compatible server for the tests: moto server (see ../shared/S3_TEST_SERVER.md),
//! started by the tests themselves on a free port on 127.0.0.1.
//!
//! moto runs from `target/tmp/moto-venv` (where `.ci/run` installs it), at the version pinned
//! here — never whatever `moto_server` is first on PATH (another version checks IAM differently).
//! When the venv is missing or holds another version the harness installs the pinned one there
//! (PyPI). Without it the S3 tests skip with a printed reason — except in CI (`CI=true`), where
//! they fail: they must run there.
//!
//! Each server runs under a small shell that kills it when the test process goes away (its stdin
//! closes), so no server outlives the tests.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use lakescope::lake::store::cloud::StaticKeys;
use lakescope::lake::{LakeStore, LakeUrl, StoreOptions};
use object_store::{ObjectStoreExt, PutPayload};

pub const MOTO_VERSION: &str = "5.2.5";

pub struct Moto {
    pub port: u16,
    pub endpoint: String,
    _child: Child,
    _stdin: ChildStdin,
}

fn venv() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("moto-venv")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skip (outside CI) or fail (in CI) when the server cannot be had.
fn unavailable(reason: &str) -> Option<PathBuf> {
    if in_ci() {
        panic!("the S3 tests must run in CI, but moto is unavailable: {reason}");
    }
    eprintln!("SKIP: S3 tests need moto ({reason}); `.ci/run` installs it");
    None
}

/// The moto version installed in the venv, if any.
pub fn installed_version() -> Option<String> {
    let out = Command::new(venv().join("bin/python"))
        .args(["-c", "import importlib.metadata as m; print(m.version('moto'))"])
        .output()
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The pinned moto_server executable, installing it into the venv when needed.
fn moto_binary() -> Option<PathBuf> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| {
        let in_venv = venv().join("bin/moto_server");
        if in_venv.exists() && installed_version().as_deref() == Some(MOTO_VERSION) {
            return Some(in_venv);
        }
        install().map_or_else(|e| unavailable(&e), Some)
    })
    .clone()
}

/// The python with boto3 next to moto (moto depends on boto3).
pub fn python() -> PathBuf {
    let p = venv().join("bin/python");
    if p.exists() { p } else { PathBuf::from("python3") }
}

fn install() -> Result<PathBuf, String> {
    let dir = venv();
    let lock = dir.with_extension("lock");
    std::fs::create_dir_all(dir.parent().unwrap()).map_err(|e| e.to_string())?;
    // One test process installs; the others wait for it.
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&lock) {
        Ok(_) => {
            if !dir.join("bin/pip").exists() {
                let status = Command::new("python3")
                    .args(["-m", "venv"])
                    .arg(&dir)
                    .status()
                    .map_err(|e| format!("python3 -m venv: {e}"))?;
                if !status.success() {
                    let _ = std::fs::remove_file(&lock);
                    return Err("python3 -m venv failed".into());
                }
            }
            let status = Command::new(dir.join("bin/pip"))
                .args(["install", "-q", &format!("moto[server]=={MOTO_VERSION}")])
                .status()
                .map_err(|e| format!("pip: {e}"))?;
            let _ = std::fs::remove_file(&lock);
            if !status.success() {
                return Err("pip install moto failed".into());
            }
        }
        Err(_) => {
            let deadline = Instant::now() + Duration::from_secs(600);
            while lock.exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
    let bin = dir.join("bin/moto_server");
    match installed_version() {
        Some(v) if v == MOTO_VERSION && bin.exists() => Ok(bin),
        other => Err(format!("moto {MOTO_VERSION} wanted in {}, found {other:?}", dir.display())),
    }
}

/// A port nothing listens on, never handed out twice in this process: a test keeping an
/// endpoint "down" must not see another test's server appear on it.
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap();
    loop {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// Start a moto server on `port` with extra environment; `None` when moto is unavailable.
pub fn start_on(port: u16, env: &[(&str, &str)]) -> Option<Moto> {
    let bin = moto_binary()?;
    let log = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("moto-{port}.log"));
    let script = format!(
        "{} -H 127.0.0.1 -p {port} > {} 2>&1 & m=$!; trap 'kill $m 2>/dev/null' EXIT; read _",
        bin.display(),
        log.display()
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script]).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("sh runs");
    let stdin = child.stdin.take().unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    // With IAM enforcement every request counts against INITIAL_NO_AUTH_ACTION_COUNT: wait for
    // the port alone then, not for an answer to a request.
    let counts_requests = env.iter().any(|(k, _)| *k == "INITIAL_NO_AUTH_ACTION_COUNT");
    let ready = || {
        if counts_requests {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        } else {
            http(port, "GET", "/", b"").is_some()
        }
    };
    while !ready() {
        assert!(Instant::now() < deadline, "moto did not start on {endpoint}; log: {}", log.display());
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Moto { port, endpoint, _child: child, _stdin: stdin })
}

/// The moto server shared by the tests of one test binary.
pub fn moto() -> Option<&'static Moto> {
    static SHARED: OnceLock<Option<Moto>> = OnceLock::new();
    SHARED.get_or_init(|| start_on(free_port(), &[])).as_ref()
}

/// A minimal HTTP/1.0 request; the status code, or `None` when nothing answers.
pub fn http(port: u16, method: &str, path: &str, body: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let head = format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\n\r\n", body.len());
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let text = String::from_utf8_lossy(&out);
    text.split_whitespace().nth(1)?.parse().ok()
}

/// A bucket name unique to this test process and tag.
pub fn bucket(tag: &str) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{tag}-{}-{n}", std::process::id())
}

impl Moto {
    pub fn create_bucket(&self, name: &str) {
        assert_eq!(http(self.port, "PUT", &format!("/{name}"), b""), Some(200), "create bucket {name}");
    }

    /// Options to reach this server (moto accepts any key unless auth is switched on).
    pub fn options(&self) -> StoreOptions {
        StoreOptions {
            endpoint: Some(self.endpoint.clone()),
            allow_http: true,
            region: Some("us-east-1".into()),
            static_keys: Some(StaticKeys { key_id: "testing".into(), secret: "testing".into() }),
            ..lakescope::config::Config::defaults().store
        }
    }

    pub fn store(&self, url: &str) -> LakeStore {
        LakeStore::open(LakeUrl::parse(url).unwrap(), &self.options()).expect("the S3 store opens")
    }

    /// Environment for the lakescope binary to reach this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
    }
}

/// Copy every file under `local` to `prefix` in the store's bucket.
pub async fn upload_dir(store: &LakeStore, local: &Path, prefix: &str) -> usize {
    let mut files = Vec::new();
    walk(local, &mut files);
    let os = store.object_store();
    let uploads = files.iter().map(|path| {
        let rel = path.strip_prefix(local).unwrap().to_string_lossy().replace('\\', "/");
        let key = store.key(&if prefix.is_empty() { rel } else { format!("{prefix}/{rel}") });
        let os = os.clone();
        let path = path.clone();
        async move {
            let bytes = std::fs::read(&path).unwrap();
            os.put(&key, PutPayload::from(bytes)).await.unwrap();
        }
    });
    futures::future::join_all(uploads).await;
    files.len()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { walk(&p, out) } else { out.push(p) }
    }
}
