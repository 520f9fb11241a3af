//! Object-store faults against a real S3-compatible server (moto on 127.0.0.1): the server down
//! (clear error, the app keeps running, a refresh works once it is back), the server slow (the
//! app answers keys, Esc cancels), a missing bucket, refused credentials, access denied — each
//! named with its bucket and cause — and secrets never appearing in any output.

use crate::common;

use std::process::Command;
use std::time::Duration;

use assert_cmd::cargo::cargo_bin;
use common::s3::{bucket, free_port, moto, python, start_on, upload_dir};
use common::*;
use lakescope::App;
use lakescope::config::Config;
use lakescope::event::Msg;
use lakescope::lake::store::cloud::StaticKeys;
use lakescope::lake::{LakeStore, LakeUrl, StoreOptions};
use lakescope::state::Layer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn s3_app(store: LakeStore) -> App {
    let mut app = App::new(store, Config::defaults(), false).unwrap();
    app.dispatch(Msg::Resize { width: 120, height: 40 });
    app.start();
    app
}

fn options(endpoint: &str) -> StoreOptions {
    StoreOptions {
        endpoint: Some(endpoint.to_string()),
        allow_http: true,
        region: Some("us-east-1".into()),
        static_keys: Some(StaticKeys { key_id: "testing".into(), secret: "testing".into() }),
        ..lakescope::config::Config::defaults().store
    }
}

fn message(app: &App) -> String {
    app.state.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_down_then_back() {
    if moto().is_none() {
        return;
    }
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let b = bucket("later");
    let store = LakeStore::open(LakeUrl::parse(&format!("s3://{b}")).unwrap(), &options(&endpoint)).unwrap();
    let mut app = s3_app(store);
    settle(&mut app).await;
    let msg = message(&app);
    assert!(
        msg.contains(&format!("cannot connect to s3://{b} at {endpoint}")) && msg.contains("connection refused"),
        "{msg}"
    );
    // Still running and answering keys.
    keys(&mut app, "?");
    assert_eq!(app.state.layer(), Layer::Help);
    keys(&mut app, "<esc>");
    // The server comes up; a refresh lists the lake.
    let server = start_on(port, &[]).expect("moto starts");
    server.create_bucket(&b);
    upload_dir(&server.store(&format!("s3://{b}")), &demo_lake().join("acme-lake/silver"), "silver").await;
    keys(&mut app, "r");
    settle(&mut app).await;
    assert_eq!(app.state.catalog.table_count(), 2, "{}", message(&app));
}

/// A TCP proxy that holds every response from `upstream` for `delay`.
async fn slow_proxy(upstream: u16, delay: Duration) -> u16 {
    // A port from the registry, never one the kernel hands out behind its back: the kernel may
    // give away a port another test holds free on purpose (server_down_then_back), and that
    // test's app would then talk to this proxy.
    let port = free_port();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await else { return };
                let (mut cr, mut cw) = client.split();
                let (mut sr, mut sw) = server.split();
                let up = tokio::io::copy(&mut cr, &mut sw);
                let down = async {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = sr.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        tokio::time::sleep(delay).await;
                        if cw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                };
                let _ = tokio::join!(up, down);
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_never_blocks_the_app_and_esc_cancels() {
    let Some(moto) = moto() else { return };
    let b = bucket("slow");
    moto.create_bucket(&b);
    upload_dir(&moto.store(&format!("s3://{b}")), &demo_lake().join("acme-lake/raw"), "raw").await;
    // Every response takes 30 s: far longer than this test may run.
    let port = slow_proxy(moto.port, Duration::from_secs(30)).await;
    let store =
        LakeStore::open(LakeUrl::parse(&format!("s3://{b}")).unwrap(), &options(&format!("http://127.0.0.1:{port}")))
            .unwrap();
    let mut app = s3_app(store);
    // The listing is stuck on the network, the app is not.
    assert!(!app.step(Duration::from_millis(300)).await || app.state.discovering);
    assert!(app.state.discovering);
    keys(&mut app, "?");
    assert_eq!(app.state.layer(), Layer::Help);
    keys(&mut app, "<esc> /");
    assert_eq!(app.state.layer(), Layer::Prompt);
    keys(&mut app, "<esc> <esc>");
    // Esc cancelled the listing: the app is idle long before the server would have answered.
    assert!(app.settle(Duration::from_secs(5)).await, "the listing was not cancelled: {:?}", app.state.jobs);
    assert!(!app.state.discovering);
    assert!(message(&app).contains("cancelled"), "{}", message(&app));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_bucket_is_named() {
    let Some(moto) = moto() else { return };
    let store = moto.store("s3://no-such-bucket-here");
    let mut app = s3_app(store);
    settle(&mut app).await;
    let msg = message(&app);
    assert!(msg.contains("bucket no-such-bucket-here does not exist"), "{msg}");
    // Headless: the same words and exit code 1.
    let out = Command::new(cargo_bin("lakescope"))
        .args(["tables", "s3://no-such-bucket-here"])
        .envs(moto.env())
        .env("LAKESCOPE_CONFIG", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bucket no-such-bucket-here does not exist"));
}

/// Keys created on an IAM-enforcing moto: one with no permissions, one allowed everything.
struct IamKeys {
    weak: (String, String),
    admin: (String, String),
}

/// A moto server enforcing IAM, with a bucket and two key pairs.
fn iam_moto() -> Option<(common::s3::Moto, String, IamKeys)> {
    let server = start_on(free_port(), &[("INITIAL_NO_AUTH_ACTION_COUNT", "7")])?;
    let b = bucket("private");
    let out = Command::new(python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/moto_iam.py"))
        .args([&server.endpoint, &b])
        .output()
        .expect("python with boto3 (installed with moto)");
    assert!(out.status.success(), "IAM setup: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let p: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    let keys = IamKeys { weak: (p[0].clone(), p[1].clone()), admin: (p[2].clone(), p[3].clone()) };
    Some((server, b, keys))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_and_access_denied_are_named() {
    if moto().is_none() {
        return;
    }
    let Some((server, b, iam)) = iam_moto() else { return };
    let (id, secret) = iam.weak.clone();
    let open = |key_id: &str, secret: &str| {
        let mut o = options(&server.endpoint);
        o.static_keys = Some(StaticKeys { key_id: key_id.into(), secret: secret.into() });
        LakeStore::open(LakeUrl::parse(&format!("s3://{b}")).unwrap(), &o).unwrap()
    };
    let mut app = s3_app(open("AKIAUNKNOWNKEY000000", "not-a-real-secret-at-all"));
    settle(&mut app).await;
    let msg = message(&app);
    assert!(msg.contains(&format!("the credentials were refused by s3://{b}")), "{msg}");
    assert!(msg.contains("keys given by the caller"), "names where the keys came from: {msg}");

    let mut app = s3_app(open(&id, &secret));
    settle(&mut app).await;
    let msg = message(&app);
    assert!(msg.contains(&format!("access denied to s3://{b}")), "{msg}");
    assert!(!msg.contains(&secret), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_appear_in_output_errors_or_records() {
    let Some(moto) = moto() else { return };
    const SECRET: &str = "lakescope-test-secret-9f8e7d6c5b4a3f2e";
    const TOKEN: &str = "lakescope-session-token-0a1b2c3d4e5f6a7b";
    let b = bucket("redact");
    moto.create_bucket(&b);
    upload_dir(&moto.store(&format!("s3://{b}")), &demo_lake().join("acme-lake/silver"), "silver").await;

    let mut outputs: Vec<String> = Vec::new();
    let run = |args: &[&str], endpoint: &str| {
        let out = Command::new(cargo_bin("lakescope"))
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "AKIATESTKEYID0000001")
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_SESSION_TOKEN", TOKEN)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("AWS_ALLOW_HTTP", "true")
            .env("LAKESCOPE_CONFIG", "")
            .output()
            .unwrap();
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };
    let bucket_url = format!("s3://{b}");
    outputs.push(run(&["tables", &bucket_url, "--json"], &moto.endpoint));
    outputs.push(run(&["ls", &bucket_url], &moto.endpoint));
    outputs.push(run(&["tables", "s3://missing-bucket-x"], &moto.endpoint));
    outputs.push(run(&["tables", &bucket_url], &format!("http://127.0.0.1:{}", free_port())));
    assert!(outputs[0].contains("\"format\": \"delta\""), "the listing worked: {}", outputs[0]);

    // In-process: errors, request records and every screen.
    let mut o = options(&moto.endpoint);
    o.static_keys = Some(StaticKeys { key_id: "AKIATESTKEYID0000001".into(), secret: SECRET.into() });
    let store = LakeStore::open(LakeUrl::parse(&format!("s3://{b}")).unwrap(), &o).unwrap();
    outputs.push(format!("{store:?} {o:?}"));
    let stats = store.stats.clone();
    let mut app = s3_app(store);
    settle(&mut app).await;
    keys(&mut app, "l l");
    settle(&mut app).await;
    outputs.push(screen(&app, 120, 40));
    outputs.push(format!("{:?}", stats.summary(usize::MAX)));
    let down = LakeStore::open(LakeUrl::parse("s3://down").unwrap(), &{
        let mut d = o.clone();
        d.endpoint = Some(format!("http://127.0.0.1:{}", free_port()));
        d
    })
    .unwrap();
    let mut app = s3_app(down);
    settle(&mut app).await;
    outputs.push(message(&app));
    outputs.push(screen(&app, 120, 40));

    for (i, out) in outputs.iter().enumerate() {
        assert!(!out.contains(SECRET) && !out.contains(TOKEN), "output {i} leaks a secret:\n{out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_reaches_an_endpoint_through_flags_and_profiles() {
    let Some(moto) = moto() else { return };
    let b = bucket("flags");
    moto.create_bucket(&b);
    upload_dir(&moto.store(&format!("s3://{b}")), &demo_lake().join("acme-lake/gold"), "gold").await;
    // Endpoint and keys from a named profile in the shared files.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config"),
        format!("[profile moto]\nregion = us-east-1\nendpoint_url = {}\n", moto.endpoint),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        "[moto]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let out = Command::new(cargo_bin("lakescope"))
        .args(["tables", &format!("s3://{b}"), "--profile", "moto", "--allow-http", "--json"])
        .env("AWS_CONFIG_FILE", dir.path().join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("credentials"))
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("LAKESCOPE_CONFIG", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["name"], "daily_revenue");
    assert_eq!(v[0]["bucket"], b);
    assert!(v[0]["location"].as_str().unwrap().starts_with(&format!("s3://{b}/gold/daily_revenue")));
    // The same through --endpoint and environment keys.
    let out = Command::new(cargo_bin("lakescope"))
        .args([
            "ls",
            &format!("s3://{b}"),
            "gold",
            "--endpoint",
            &moto.endpoint,
            "--allow-http",
            "--region",
            "us-east-1",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("LAKESCOPE_CONFIG", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("daily_revenue"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_root_lists_its_buckets_with_a_signed_request() {
    if moto().is_none() {
        return;
    }
    let Some((server, b, iam)) = iam_moto() else { return };
    let account = |key: &(String, String)| {
        let mut o = options(&server.endpoint);
        o.static_keys = Some(StaticKeys { key_id: key.0.clone(), secret: key.1.clone() });
        LakeStore::open(LakeUrl::parse("s3://").unwrap(), &o).unwrap()
    };
    // moto verifies SigV4 signatures for IAM users: a listing that works proves the signing.
    let mut app = s3_app(account(&iam.admin));
    settle(&mut app).await;
    assert_eq!(column(&app), vec![b.clone()], "{}", message(&app));
    keys(&mut app, "l l");
    settle(&mut app).await;
    let t = app.state.selected_table().expect("the bucket's table").clone();
    assert_eq!(t.location, format!("s3://{b}/raw/orders.csv"));
    assert!(matches!(app.state.detail_of(&t.location), Some(lakescope::state::DetailSlot::Ready(_))));
    // A key without permission: ListBuckets is refused, and said so.
    let mut app = s3_app(account(&iam.weak));
    settle(&mut app).await;
    let msg = message(&app);
    assert!(msg.contains("access denied") && msg.contains("s3://"), "{msg}");
}
