//! The built binary: command line, start-up errors, logs, signals.

mod common;

use common::*;
use serde_json::json;

fn write_config(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("xano-rt-{}-{name}.toml", std::process::id()));
    std::fs::write(&path, text).expect("write config");
    path
}

#[tokio::test]
async fn help_states_the_development_default() {
    let (code, out, _) = run_binary(&["--help"]).await;
    assert_eq!(code, Some(0));
    for needle in [
        "--listen",
        "--canonical",
        "--config",
        "--static",
        "--admin",
        "every channel is open to every client",
        "presence on",
        "history 100",
        "anonymous clients may join and send",
    ] {
        assert!(out.contains(needle), "--help lacks {needle:?}:\n{out}");
    }
}

#[tokio::test]
async fn unknown_arguments_exit_with_an_error() {
    let (code, _, err) = run_binary(&["--frobnicate"]).await;
    assert_eq!(code, Some(2));
    assert!(err.contains("--frobnicate"), "{err}");
}

#[tokio::test]
async fn admin_on_a_non_loopback_address_refuses_to_start() {
    let (code, out, err) = run_binary(&["--listen", "0.0.0.0:0", "--admin"]).await;
    assert_ne!(code, Some(0));
    assert!(out.is_empty(), "printed {out:?}");
    assert!(err.contains("loopback"), "{err}");
}

#[tokio::test]
async fn config_errors_stop_the_start_with_a_clear_message() {
    let cases = [
        (
            "history",
            "[[channel]]\npattern = \"a\"\nhistory = 30\n",
            "history",
        ),
        ("pattern", "[[channel]]\npattern = \"a*b\"\n", "pattern"),
        (
            "unknown",
            "[[channel]]\npattern = \"a\"\npresense = true\n",
            "presense",
        ),
        (
            "access",
            "[[channel]]\npattern = \"a\"\npublic_messaging = \"some\"\n",
            "public_messaging",
        ),
    ];
    for (name, text, needle) in cases {
        let path = write_config(name, text);
        let (code, out, err) = run_binary(&[
            "--listen",
            "127.0.0.1:0",
            "--config",
            &path.to_string_lossy(),
        ])
        .await;
        assert_eq!(code, Some(1), "{name}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(needle), "{name}: {err}");
        let _ = std::fs::remove_file(path);
    }
    let (code, _, err) = run_binary(&["--config", "/nonexistent/realtime.toml"]).await;
    assert_eq!(code, Some(1));
    assert!(err.contains("/nonexistent/realtime.toml"), "{err}");
}

#[tokio::test]
async fn example_config_is_valid() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/realtime.toml");
    let text = std::fs::read_to_string(path).expect("example exists");
    xano_realtime_server::Config::from_toml_str(&text).expect("example config is valid");
}

#[tokio::test]
async fn sigterm_closes_every_socket_with_1012_and_exits_0() {
    let bin = spawn_binary(&["--listen", "127.0.0.1:0"]).await;
    let mut a = try_connect(&bin.ws_url(), None).await.expect("connect");
    let mut b = try_connect(&bin.ws_url(), None).await.expect("connect");
    a.join("x", false, false).await;
    a.barrier().await;
    b.barrier().await;
    bin.sigterm().await;
    let (ea, eb) = tokio::join!(a.next_event(), b.next_event());
    assert!(matches!(ea, Event::Closed(Some(1012))), "{ea:?}");
    assert!(matches!(eb, Event::Closed(Some(1012))), "{eb:?}");
    let (code, _) = bin.wait().await;
    assert_eq!(code, Some(0));
}

#[tokio::test]
async fn logs_show_connections_and_refusals_but_never_a_token() {
    let path = write_config(
        "logs",
        "[[channel]]\npattern = \"room/*\"\nanonymous_clients = false\n\n[[token]]\ntoken = \"tok-SUPERSECRET-123\"\ndbo_id = 1\nrow_id = 2\n",
    );
    let bin = spawn_binary(&[
        "--listen",
        "127.0.0.1:0",
        "--admin",
        "--config",
        &path.to_string_lossy(),
    ])
    .await;
    let mut known = try_connect(&bin.ws_url(), Some("tok-SUPERSECRET-123"))
        .await
        .expect("connect");
    assert_eq!(known.protocol.as_deref(), Some("tok-SUPERSECRET-123"));
    known.join("room/1", false, true).await;
    known.recv_action("presence_full").await;
    known.message("room/1", json!("hello")).await;
    known.recv_action("message").await;
    let mut forged = try_connect(&bin.ws_url(), Some("forged-OTHERSECRET-456"))
        .await
        .expect("connect");
    forged.join("room/1", false, false).await;
    forged.recv_action("error").await;
    drop(forged);
    known.barrier().await; // no presence_update: the forged client never joined
    bin.sigterm().await;
    let _ = known.next_event().await;
    let (code, logs) = bin.wait().await;
    assert_eq!(code, Some(0));
    assert!(!logs.contains("SUPERSECRET"), "a token was logged:\n{logs}");
    assert!(!logs.contains("OTHERSECRET"), "a token was logged:\n{logs}");
    assert!(logs.matches("connection opened").count() >= 2, "{logs}");
    assert!(logs.contains("connection closed"), "{logs}");
    assert!(logs.contains("refused"), "{logs}");
    assert!(
        logs.contains("authenticated=true") && logs.contains("authenticated=false"),
        "{logs}"
    );
    let _ = std::fs::remove_file(path);
}
