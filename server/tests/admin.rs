//! Admin endpoints, static files and slow clients.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn admin_endpoints_answer_404_without_the_admin_flag() {
    let srv = server_with(None, |o| o.admin = false).await;
    for (method, path) in [
        ("POST", "/admin/drop"),
        ("POST", "/admin/close?code=4000"),
        ("POST", "/admin/refuse?ms=10"),
        ("POST", "/admin/event"),
        ("POST", "/admin/blast"),
        ("GET", "/admin/stats"),
        ("GET", "/admin/history?channel=x"),
    ] {
        let r = http(srv.addr, method, path, Some("{}")).await;
        assert_eq!(r.status, 404, "{method} {path}");
    }
}

#[tokio::test]
async fn admin_is_refused_on_a_non_loopback_address() {
    let result = xano_realtime_server::start(xano_realtime_server::ServerOptions {
        listen: "0.0.0.0:0".parse().expect("addr"),
        admin: true,
        ..Default::default()
    })
    .await;
    let Err(e) = result else {
        panic!("started with --admin on 0.0.0.0")
    };
    assert!(e.contains("loopback"), "{e}");
}

#[tokio::test]
async fn admin_responses_allow_any_origin_and_preflight_is_answered() {
    let srv = server(None).await;
    let r = http_with(
        srv.addr,
        "OPTIONS",
        "/admin/event",
        None,
        &[
            ("Origin", "http://127.0.0.1:9999"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
    )
    .await;
    assert!(r.status == 204 || r.status == 200, "{r:?}");
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(r
        .header("access-control-allow-methods")
        .unwrap_or("")
        .contains("POST"));
    assert!(r
        .header("access-control-allow-headers")
        .unwrap_or("")
        .contains("content-type"));
    for path in ["/admin/stats", "/admin/history?channel=a"] {
        let r = http(srv.addr, "GET", path, None).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    let r = http(srv.addr, "POST", "/admin/refuse", None).await;
    assert_eq!(r.status, 400, "ms is required");
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn admin_drop_aborts_every_socket_without_a_close_frame() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    let mut b = connect(&srv, None).await;
    a.barrier().await;
    b.barrier().await;
    let r = http(srv.addr, "POST", "/admin/drop", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["dropped"], 2);
    assert!(
        matches!(a.next_event().await, Event::Abrupt),
        "a got a close frame"
    );
    assert!(
        matches!(b.next_event().await, Event::Abrupt),
        "b got a close frame"
    );
    assert_eq!(
        http(srv.addr, "GET", "/admin/stats", None).await.json()["connections"],
        0
    );
    // New connections are accepted at once.
    connect(&srv, None).await.barrier().await;
}

#[tokio::test]
async fn admin_close_closes_every_socket_with_the_given_code() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    let mut b = connect(&srv, None).await;
    a.barrier().await;
    b.barrier().await;
    let (r, ea, eb) = tokio::join!(
        http(srv.addr, "POST", "/admin/close?code=4000", None),
        a.next_event(),
        b.next_event()
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"closed":2,"code":4000}));
    assert!(matches!(ea, Event::Closed(Some(4000))), "{ea:?}");
    assert!(matches!(eb, Event::Closed(Some(4000))), "{eb:?}");
    let bad = http(srv.addr, "POST", "/admin/close?code=1006", None).await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn admin_refuse_answers_503_to_new_handshakes_for_the_given_time() {
    let srv = server(None).await;
    let mut existing = connect(&srv, None).await;
    existing.barrier().await;
    let started = std::time::Instant::now();
    let r = http(srv.addr, "POST", "/admin/refuse?ms=400", None).await;
    assert_eq!(r.status, 200);
    match try_connect(&srv.ws_url(), None).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 503),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("handshake accepted while refusing"),
    }
    existing.barrier().await; // existing sockets are untouched
                              // Retry until accepted; it must happen after the window, and within the guard.
    let accepted = loop {
        if let Ok(c) = try_connect(&srv.ws_url(), None).await {
            break c;
        }
        assert!(started.elapsed() < GUARD, "still refusing");
        // Polling a condition no event announces; the 10 ms only spares the CPU.
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
    drop(accepted);
}

#[tokio::test]
async fn admin_event_sends_an_event_frame_to_the_channel_members() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("news", false, false).await;
    let mut other = connect(&srv, None).await;
    other.join("other", false, false).await;
    a.barrier().await;
    let r = http(
        srv.addr,
        "POST",
        "/admin/event",
        Some(r#"{"channel":"news","data":{"headline":"hi","n":1}}"#),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["delivered"], 1);
    assert_eq!(
        a.recv().await,
        json!({"action":"event","options":{"channel":"news"},"client":null,"payload":{"data":{"headline":"hi","n":1}}})
    );
    other.barrier().await;
    let bad = http(srv.addr, "POST", "/admin/event", Some("nope")).await;
    assert_eq!(bad.status, 400);
    let bad = http(srv.addr, "POST", "/admin/event", Some(r#"{"data":1}"#)).await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn admin_blast_queues_count_message_frames_of_about_the_given_size() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("firehose", false, false).await;
    let mut b = connect(&srv, None).await;
    b.join("firehose", false, false).await;
    a.recv_action("presence_update").await;
    let r = http(
        srv.addr,
        "POST",
        "/admin/blast",
        Some(r#"{"channel":"firehose","count":500,"bytes":2000}"#),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"queued":500,"members":2}));
    for c in [&mut a, &mut b] {
        for i in 0..500 {
            let f = c.recv_action("message").await;
            assert_eq!(f["payload"]["seq"], i);
            assert_eq!(
                f["options"],
                json!({"channel":"firehose","authenticated":false,"socketId":null})
            );
            assert!(f["client"]["socketId"].is_string());
            let size = f["payload"].to_string().len();
            assert!((1900..=2100).contains(&size), "payload of {size} bytes");
        }
        c.barrier().await;
    }
}

#[tokio::test]
async fn admin_blast_waits_for_queue_capacity_instead_of_kicking_slow_members() {
    // A queue of 4 frames and 300 frames of 64 KiB (about 19 MiB): far more than the queue and
    // the socket buffers hold, so the blast must wait for the reader.
    let srv = server_with(None, |o| o.queue_capacity = 4).await;
    let mut a = connect(&srv, None).await;
    a.join("firehose", false, false).await;
    a.barrier().await;
    let blast = http(
        srv.addr,
        "POST",
        "/admin/blast",
        Some(r#"{"channel":"firehose","count":300,"bytes":65536}"#),
    );
    let read = async {
        for i in 0..300 {
            assert_eq!(a.recv_action("message").await["payload"]["seq"], i);
        }
    };
    let (r, ()) = tokio::join!(blast, read);
    assert_eq!(r.json()["queued"], 300);
    a.barrier().await;
}

#[tokio::test]
async fn admin_stats_counts_connections_members_messages_and_history() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    let mut b = connect(&srv, None).await;
    a.join("one", false, false).await;
    b.join("one", false, false).await;
    b.join("two", false, false).await;
    a.recv_action("presence_update").await;
    a.message("one", json!(1)).await;
    a.recv_action("message").await;
    b.recv_action("message").await;
    let me = b.join_and_identify("two").await;
    b.send(json!({"action":"message","options":{"channel":"two","socketId":me["socketId"]},"payload":2}))
        .await;
    b.recv_action("message").await;
    let stats = http(srv.addr, "GET", "/admin/stats", None).await.json();
    assert_eq!(
        stats,
        json!({"connections":2,"channels":{
            "one":{"members":2,"messages":1,"history":1},
            "two":{"members":1,"messages":1,"history":0}
        }})
    );
}

#[tokio::test]
async fn admin_history_returns_the_stored_frames() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("chat/1", false, false).await;
    a.message("chat/1", json!("first")).await;
    let f1 = a.recv_action("message").await;
    a.message("chat/1", json!("second")).await;
    let f2 = a.recv_action("message").await;
    let h = http(srv.addr, "GET", "/admin/history?channel=chat%2F1", None).await;
    assert_eq!(h.json(), json!({"channel":"chat/1","history":[f1,f2]}));
    let empty = http(srv.addr, "GET", "/admin/history?channel=none", None).await;
    assert_eq!(empty.json(), json!({"channel":"none","history":[]}));
    assert_eq!(
        http(srv.addr, "GET", "/admin/history", None).await.status,
        400
    );
}

#[tokio::test]
async fn a_client_that_overflows_its_queue_is_closed_with_1013_and_others_are_unaffected() {
    // A long close grace: the 1013 close frame waits until `slow` reads again, however long the
    // sending below takes on a loaded machine.
    let srv = server_with(None, |o| {
        o.queue_capacity = 4;
        o.close_grace = std::time::Duration::from_secs(60);
    })
    .await;
    let mut slow = connect(&srv, None).await;
    slow.join("busy", false, false).await;
    slow.barrier().await;
    let mut fast = connect(&srv, None).await;
    fast.join("busy", false, false).await;
    let mut sender = connect(&srv, None).await;
    sender.join("busy", false, false).await;
    fast.recv_action("presence_update").await;
    // `slow` does not read. 200 frames of ~200 KiB (~40 MB) exceed its queue plus socket buffers.
    let pad = "p".repeat(200 * 1024);
    for i in 0..200 {
        sender.message("busy", json!({"i":i,"pad":pad})).await;
        assert_eq!(sender.recv_action("message").await["payload"]["i"], i);
        assert_eq!(fast.recv_action("message").await["payload"]["i"], i);
    }
    // Now `slow` reads: some messages, then the close frame with 1013.
    let code = loop {
        match slow.next_event().await {
            Event::Frame(f) => {
                assert!(f["action"] == "message" || f["action"] == "presence_update")
            }
            Event::Closed(code) => break code,
            Event::Abrupt => panic!("expected a close frame"),
        }
    };
    assert_eq!(code, Some(1013));
    // The others only see it leave.
    for c in [&mut sender, &mut fast] {
        let f = c.recv_action("presence_update").await;
        assert_eq!(f["payload"]["action"], "leave");
        c.barrier().await;
    }
}

#[tokio::test]
async fn the_server_survives_garbage_on_the_websocket_port() {
    let srv = server(None).await;
    let r = http(srv.addr, "GET", "/rt/dev", None).await;
    assert!(r.status >= 400, "plain GET on the endpoint: {}", r.status);
    use tokio::io::AsyncWriteExt;
    let mut raw = tokio::net::TcpStream::connect(srv.addr).await.expect("tcp");
    raw.write_all(b"\x16\x03\x01garbage\r\n\r\n")
        .await
        .expect("write");
    drop(raw);
    connect(&srv, None).await.barrier().await;
}

// ---- static files --------------------------------------------------------------------------

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "xano-rt-test-{}-{}-{name}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[tokio::test]
async fn static_dirs_serve_files_with_types_and_no_store_first_dir_wins() {
    let one = temp_dir("one");
    let two = temp_dir("two");
    std::fs::write(one.join("index.html"), "<h1>one</h1>").expect("write");
    std::fs::write(one.join("app.mjs"), "export {}").expect("write");
    std::fs::write(two.join("index.html"), "<h1>two</h1>").expect("write");
    std::fs::write(two.join("pkg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    std::fs::write(two.join("glue.js"), "1").expect("write");
    std::fs::create_dir_all(two.join("sub")).expect("dir");
    std::fs::write(two.join("sub/index.html"), "sub").expect("write");
    let srv = server_with(None, |o| o.static_dirs = vec![one.clone(), two.clone()]).await;

    let r = http(srv.addr, "GET", "/", None).await;
    assert_eq!((r.status, r.body.as_str()), (200, "<h1>one</h1>"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/html"));
    let r = http(srv.addr, "GET", "/pkg.wasm", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    for path in ["/app.mjs", "/glue.js"] {
        let r = http(srv.addr, "GET", path, None).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.header("content-type")
                .unwrap_or("")
                .starts_with("text/javascript"),
            "{path}"
        );
    }
    let r = http(srv.addr, "GET", "/sub", None).await;
    assert_eq!(r.status, 308);
    assert_eq!(r.header("location"), Some("/sub/"));
    assert_eq!(http(srv.addr, "GET", "/sub/", None).await.body, "sub");
    assert_eq!(http(srv.addr, "GET", "/missing.js", None).await.status, 404);
    assert_eq!(
        http(srv.addr, "GET", "/../../etc/passwd", None)
            .await
            .status,
        404
    );
    assert_eq!(
        http(srv.addr, "GET", "/%2e%2e/%2e%2e/etc/passwd", None)
            .await
            .status,
        404
    );
    let _ = std::fs::remove_dir_all(one);
    let _ = std::fs::remove_dir_all(two);
}

#[tokio::test]
async fn websocket_and_static_files_share_the_port() {
    let dir = temp_dir("share");
    std::fs::write(dir.join("index.html"), "hello").expect("write");
    let srv = server_with(None, |o| o.static_dirs = vec![dir.clone()]).await;
    let mut c = connect(&srv, None).await;
    c.join("x", false, true).await;
    c.recv_action("presence_full").await;
    assert_eq!(http(srv.addr, "GET", "/", None).await.body, "hello");
    c.barrier().await;
    let _ = std::fs::remove_dir_all(dir);
}
