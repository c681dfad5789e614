//! Browser tests of losing and regaining the connection, against the real local server's admin
//! endpoints: `disconnected` only after an unexpected loss, automatic reconnect and rejoin,
//! no reconnect after close 1000.
#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_dropped_connection_reports_disconnected_then_reconnects_and_rejoins() {
    configure(None);
    let ch = open("drop", true, false, false);
    let status = record(&ch, "connection_status");
    next_frame(&ch, "presence_full", &JsValue::NULL).await;
    let reconnecting = state_becomes("reconnecting");
    admin("POST", "/admin/drop", None).await;
    let detail = reconnecting.await;
    assert_eq!(get(&detail, "code").as_f64(), Some(1006.0));
    // Rejoined: the server sends presence_full again, and messages flow.
    next_frame(&ch, "presence_full", &JsValue::NULL).await;
    assert_eq!(
        statuses(&status),
        ["connected", "disconnected", "connected"]
    );
    assert_eq!(ch.presence().length(), 1);
    wait(ch.message(&js(r#""after""#), &JsValue::UNDEFINED)).await;
    next_frame(&ch, "message", &payload_is(&js(r#""after""#))).await;
    ch.close();
}

#[wasm_bindgen_test]
async fn every_open_channel_rejoins_after_a_reconnect() {
    configure(None);
    let names: Vec<String> = (0..5).map(|i| format!("rejoin-{i}")).collect();
    let chans: Vec<Chan> = names.iter().map(|n| open(n, true, false, false)).collect();
    for ch in &chans {
        next_frame(ch, "presence_full", &JsValue::NULL).await;
    }
    let waits: Vec<_> = chans
        .iter()
        .map(|ch| next_frame(ch, "presence_full", &JsValue::NULL))
        .collect();
    admin("POST", "/admin/close?code=1012", None).await;
    for w in waits {
        w.await;
    }
    let stats = admin("GET", "/admin/stats", None).await;
    for n in &names {
        assert_eq!(
            path(&stats, &["channels", n, "members"]).as_f64(),
            Some(1.0),
            "{n}"
        );
    }
    for ch in &chans {
        ch.close();
    }
}

#[wasm_bindgen_test]
async fn close_code_1000_from_the_server_is_not_retried() {
    configure(None);
    let ch = open("normal-close", false, false, false);
    connected(&ch).await;
    let sockets = get(&api::client_stats(), "socketsOpened");
    let disconnected = next_frame(
        &ch,
        "connection_status",
        &pred("return f.payload.status === 'disconnected'"),
    );
    admin("POST", "/admin/close?code=1000", None).await;
    disconnected.await;
    // The decision is made when the close arrives: no timer, no new socket.
    assert_eq!(state(), "idle");
    assert_eq!(get(&api::client_stats(), "socketsOpened"), sockets);
    ch.close();
}

#[wasm_bindgen_test]
async fn close_code_1008_from_the_server_is_not_retried() {
    configure(None);
    let ch = open("policy-close", false, false, false);
    connected(&ch).await;
    let disconnected = next_frame(
        &ch,
        "connection_status",
        &pred("return f.payload.status === 'disconnected'"),
    );
    admin("POST", "/admin/close?code=1008", None).await;
    disconnected.await;
    assert_eq!(state(), "idle");
    ch.close();
}

#[wasm_bindgen_test]
async fn closing_a_channel_never_reports_disconnected_to_the_others() {
    configure(None);
    let a = open("stay", false, false, false);
    let b = open("go", false, false, false);
    let status_a = record(&a, "connection_status");
    connected(&a).await;
    b.close();
    wait(a.message(&js(r#""still here""#), &JsValue::UNDEFINED)).await;
    next_frame(&a, "message", &payload_is(&js(r#""still here""#))).await;
    assert_eq!(statuses(&status_a), ["connected"]);
    a.close();
}

#[wasm_bindgen_test]
async fn an_outage_is_ridden_out_with_backoff() {
    configure(None);
    let ch = open("outage", true, false, false);
    next_frame(&ch, "presence_full", &JsValue::NULL).await;
    let rejoined = next_frame(&ch, "presence_full", &JsValue::NULL);
    admin("POST", "/admin/refuse?ms=600", None).await;
    admin("POST", "/admin/drop", None).await;
    // Handshakes are refused for a while; the client keeps retrying until one succeeds.
    rejoined.await;
    assert_eq!(state(), "open");
    ch.close();
}

#[wasm_bindgen_test]
async fn set_auth_token_reconnects_as_the_new_identity_without_disconnected() {
    configure(None);
    let ch = open("whoami", true, false, false);
    let status = record(&ch, "connection_status");
    let full = next_frame(&ch, "presence_full", &JsValue::NULL).await;
    assert!(json(&full).contains(r#""extras":{}"#));
    let again = next_frame(&ch, "presence_full", &JsValue::NULL);
    api::set_auth_token("alice-token".into()).unwrap();
    let full = again.await;
    assert!(json(&full).contains("Alice"), "{}", json(&full));
    assert_eq!(statuses(&status), ["connected", "connected"]);
    ch.close();
}

fn sockets_opened() -> f64 {
    get(&api::client_stats(), "socketsOpened").as_f64().unwrap()
}

#[wasm_bindgen_test]
async fn offline_closes_the_socket_queues_sends_and_online_reconnects_at_once() {
    // A long backoff: a reconnect that happens quickly can only be the `online` event's doing.
    configure_queue_with(
        &format!("db-offline-{}", js_sys::Math::random()),
        r#"{"reconnect":{"minDelayMs":60000,"maxDelayMs":60000}}"#,
    );
    let ch = open("offline-online", true, false, true);
    next_frame(&ch, "presence_full", &JsValue::NULL).await;
    let status = record(&ch, "connection_status");
    let sockets = sockets_opened();
    fire_network_event("offline");
    assert_eq!(state(), "offline", "the socket is not trusted any more");
    assert_eq!(statuses(&status), ["disconnected"]);
    let outcome = wait(ch.message(&js(r#"{"while":"offline"}"#), &JsValue::UNDEFINED)).await;
    assert_eq!(outcome.as_string().unwrap(), "queued");
    let delivered = next_frame(&ch, "message", &payload_is(&js(r#"{"while":"offline"}"#)));
    fire_network_event("online");
    assert_eq!(state(), "connecting", "online reconnects at once");
    delivered.await;
    assert_eq!(sockets_opened(), sockets + 1.0);
    assert_eq!(statuses(&status), ["disconnected", "connected"]);
    ch.close();
}

#[wasm_bindgen_test]
async fn a_page_becoming_visible_retries_at_once() {
    api::configure(config_js(
        SERVER,
        &JsValue::NULL,
        &js(r#"{"reconnect":{"minDelayMs":60000,"maxDelayMs":60000}}"#),
    ))
    .unwrap();
    let ch = open("visible", true, false, false);
    next_frame(&ch, "presence_full", &JsValue::NULL).await;
    let waiting = state_becomes("reconnecting");
    admin("POST", "/admin/drop", None).await;
    let detail = waiting.await;
    assert!(get(&detail, "delayMs").as_f64().unwrap() >= 30_000.0);
    let rejoined = next_frame(&ch, "presence_full", &JsValue::NULL);
    fire_visibility("hidden");
    assert_eq!(state(), "reconnecting", "hiding the page changes nothing");
    fire_visibility("visible");
    assert_eq!(state(), "connecting");
    rejoined.await;
    ch.close();
}
