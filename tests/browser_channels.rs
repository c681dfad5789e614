//! Browser tests of opening, closing, messaging, presence and history, against the real local
//! server (started by the test command). Each test uses its own channel names and closes them.
#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn opening_joins_and_closing_the_last_channel_leaves_without_disconnected() {
    configure(None);
    let peer = Peer::new(SERVER, None);
    peer.join_and_wait("open-close").await;
    let ch = open("open-close", true, false, false);
    let status = record(&ch, "connection_status");
    connected(&ch).await;
    let full = next_frame(&ch, "presence_full", &JsValue::NULL).await;
    let members: js_sys::Array = path(&full, &["payload", "presence"]).unchecked_into();
    assert_eq!(members.length(), 2, "the peer and us");
    assert_eq!(state(), "open");

    api::close_channel("open-close".into()).unwrap();
    assert_eq!(state(), "idle");
    peer.wait_frame(
        &pred("return f.action === 'presence_update' && f.payload.action === 'leave'"),
        "our leave",
    )
    .await;
    assert_eq!(statuses(&status), ["connected"]);
    assert!(api::get_channel("open-close".into())
        .unwrap()
        .is_undefined());
    peer.close();
}

#[wasm_bindgen_test]
async fn two_opens_in_a_row_share_one_socket_and_both_join() {
    configure(None);
    let before = get(&api::client_stats(), "socketsOpened").as_f64().unwrap();
    let a = open("row-a", true, false, false);
    let b = open("row-b", true, false, false);
    let (fa, fb) = (
        next_frame(&a, "presence_full", &JsValue::NULL),
        next_frame(&b, "presence_full", &JsValue::NULL),
    );
    fa.await;
    fb.await;
    let after = get(&api::client_stats(), "socketsOpened").as_f64().unwrap();
    assert_eq!(after - before, 1.0, "one socket for both channels");
    a.close();
    b.close();
    assert_eq!(state(), "idle");
}

#[wasm_bindgen_test]
async fn opening_an_open_channel_returns_the_same_channel() {
    configure(None);
    let a = api::open_channel("same".into(), None).unwrap();
    let b = api::open_channel("same".into(), None).unwrap();
    assert!(js_sys::Object::is(&a, &b));
    let got = api::get_channel("same".into()).unwrap();
    assert!(js_sys::Object::is(&a, &got));
    api::close_channel("same".into()).unwrap();
}

#[wasm_bindgen_test]
async fn close_then_reopen_of_the_last_channel_works_and_reports_no_disconnected() {
    configure(None);
    let first = open("reopen", false, false, false);
    connected(&first).await;
    first.close();
    let second = open("reopen", false, false, false);
    let status = record(&second, "connection_status");
    connected(&second).await;
    // A round trip on the new socket: the message echoes back, so the channel is joined.
    wait(second.message(&js(r#"{"n":1}"#), &JsValue::UNDEFINED)).await;
    next_frame(&second, "message", &payload_is(&js(r#"{"n":1}"#))).await;
    assert_eq!(statuses(&status), ["connected"]);
    // The first handle is closed for good.
    let err = rejection(first.message(&js("1"), &JsValue::UNDEFINED)).await;
    assert!(
        error_message(&err).contains("closed"),
        "{}",
        error_message(&err)
    );
    second.close();
}

#[wasm_bindgen_test]
async fn public_messages_reach_the_peer_and_the_sender() {
    configure(Some("alice-token"));
    let peer = Peer::new(SERVER, Some("bob-token"));
    peer.join_and_wait("public").await;
    let ch = open("public", false, false, false);
    connected(&ch).await;
    let sent = wait(ch.message(&js(r#"{"text":"hello"}"#), &JsValue::UNDEFINED)).await;
    assert_eq!(sent.as_string().unwrap(), "sent");
    let own = next_frame(&ch, "message", &payload_is(&js(r#"{"text":"hello"}"#))).await;
    assert_eq!(
        path(&own, &["client", "extras", "name"])
            .as_string()
            .unwrap(),
        "Alice"
    );
    peer.wait_frame(&payload_is(&js(r#"{"text":"hello"}"#)), "our message")
        .await;
    // And the other way round.
    peer.send(
        "message",
        "public",
        &js(r#"{"text":"hi back"}"#),
        &JsValue::UNDEFINED,
    );
    let back = next_frame(&ch, "message", &payload_is(&js(r#"{"text":"hi back"}"#))).await;
    assert_eq!(
        path(&back, &["client", "extras", "name"])
            .as_string()
            .unwrap(),
        "Bob"
    );
    ch.close();
    peer.close();
}

#[wasm_bindgen_test]
async fn private_messages_reach_only_their_peer() {
    configure(Some("alice-token"));
    let bob = Peer::new(SERVER, Some("bob-token"));
    let eve = Peer::new(SERVER, None);
    bob.join_and_wait("private").await;
    eve.join_and_wait("private").await;
    let bob_id = bob.socket_id("private").await;
    let ch = open("private", false, false, false);
    connected(&ch).await;
    let opts = js(&format!(r#"{{"socketId":{bob_id:?}}}"#));
    wait(ch.message(&js(r#""secret""#), &opts)).await;
    wait(ch.message(&js(r#""marker""#), &JsValue::UNDEFINED)).await;
    bob.wait_frame(&payload_is(&js(r#""secret""#)), "the private message")
        .await;
    eve.wait_frame(&payload_is(&js(r#""marker""#)), "the public marker")
        .await;
    let eve_saw = json(&eve.messages("private"));
    assert!(!eve_saw.contains("secret"), "eve saw {eve_saw}");
    ch.close();
    bob.close();
    eve.close();
}

#[wasm_bindgen_test]
async fn authenticated_messages_reach_only_authenticated_members() {
    configure(Some("alice-token"));
    let bob = Peer::new(SERVER, Some("bob-token"));
    let anon = Peer::new(SERVER, None);
    bob.join_and_wait("authonly").await;
    anon.join_and_wait("authonly").await;
    let ch = open("authonly", false, false, false);
    connected(&ch).await;
    wait(ch.message(&js(r#""for members""#), &js(r#"{"authenticated":true}"#))).await;
    wait(ch.message(&js(r#""marker""#), &JsValue::UNDEFINED)).await;
    bob.wait_frame(
        &payload_is(&js(r#""for members""#)),
        "the authenticated message",
    )
    .await;
    anon.wait_frame(&payload_is(&js(r#""marker""#)), "the public marker")
        .await;
    assert!(!json(&anon.messages("authonly")).contains("for members"));
    ch.close();
    bob.close();
    anon.close();
}

#[wasm_bindgen_test]
async fn presence_follows_joins_and_leaves_without_duplicates_and_shows_token_extras() {
    configure(Some("alice-token"));
    let ch = open("presence", true, false, false);
    let full = next_frame(&ch, "presence_full", &JsValue::NULL).await;
    let members: js_sys::Array = path(&full, &["payload", "presence"]).unchecked_into();
    assert_eq!(members.length(), 1);
    assert_eq!(ch.presence().length(), 1);
    assert_eq!(
        path(&ch.presence().get(0), &["extras", "name"])
            .as_string()
            .unwrap(),
        "Alice",
        "the token reached the server as the subprotocol"
    );
    let bob = Peer::new(SERVER, Some("bob-token"));
    bob.join_plain("presence", false).await;
    next_frame(
        &ch,
        "presence_update",
        &pred("return f.payload.action === 'join'"),
    )
    .await;
    assert_eq!(ch.presence().length(), 2);
    let names: Vec<String> = ch
        .presence()
        .iter()
        .map(|m| {
            path(&m, &["extras", "name"])
                .as_string()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(names, ["Alice", "Bob"]);
    bob.close();
    next_frame(
        &ch,
        "presence_update",
        &pred("return f.payload.action === 'leave'"),
    )
    .await;
    assert_eq!(ch.presence().length(), 1);
    ch.close();
}

#[wasm_bindgen_test]
async fn history_arrives_on_join_and_on_request() {
    configure(None);
    let peer = Peer::new(SERVER, None);
    peer.join_plain("history", false).await;
    for i in 0..3 {
        peer.send(
            "message",
            "history",
            &js(&format!(r#"{{"i":{i}}}"#)),
            &JsValue::UNDEFINED,
        );
    }
    peer.wait_frame(&payload_is(&js(r#"{"i":2}"#)), "its last message")
        .await;
    let ch = open("history", false, true, false);
    let h = next_frame(&ch, "history", &JsValue::NULL).await;
    let list: js_sys::Array = path(&h, &["payload", "history"]).unchecked_into();
    let payloads: Vec<String> = list.iter().map(|f| json(&get(&f, "payload"))).collect();
    assert_eq!(payloads, [r#"{"i":0}"#, r#"{"i":1}"#, r#"{"i":2}"#]);
    ch.history().unwrap();
    let again = next_frame(&ch, "history", &JsValue::NULL).await;
    let list: js_sys::Array = path(&again, &["payload", "history"]).unchecked_into();
    assert_eq!(list.length(), 3);
    ch.close();
    peer.close();
}

#[wasm_bindgen_test]
async fn star_listeners_hear_every_frame_and_unsubscribe_stops_delivery() {
    configure(None);
    let ch = open("star", false, false, false);
    let all = record(&ch, "*");
    connected(&ch).await;
    wait(ch.message(&js("1"), &JsValue::UNDEFINED)).await;
    next_frame(&ch, "message", &payload_is(&js("1"))).await;
    all.off();
    wait(ch.message(&js("2"), &JsValue::UNDEFINED)).await;
    next_frame(&ch, "message", &payload_is(&js("2"))).await;
    let actions: Vec<String> = all
        .frames()
        .iter()
        .map(|f| get(&f, "action").as_string().unwrap())
        .collect();
    assert_eq!(actions, ["connection_status", "message"]);
    ch.close();
}

#[wasm_bindgen_test]
async fn a_frame_for_one_channel_is_not_replayed_to_a_channel_opened_later() {
    configure(None);
    let a = open("replay-a", false, false, false);
    connected(&a).await;
    wait(a.message(&js(r#""for a""#), &JsValue::UNDEFINED)).await;
    next_frame(&a, "message", &JsValue::NULL).await;
    let b = open("replay-b", false, false, false);
    let heard = record(&b, "*");
    connected(&b).await;
    wait(b.message(&js(r#""for b""#), &JsValue::UNDEFINED)).await;
    next_frame(&b, "message", &JsValue::NULL).await;
    let payloads: Vec<String> = heard
        .frames()
        .iter()
        .map(|f| json(&get(&f, "payload")))
        .collect();
    assert_eq!(payloads, [r#"{"status":"connected"}"#, r#""for b""#]);
    a.close();
    b.close();
}

#[wasm_bindgen_test]
async fn backend_events_reach_the_channel() {
    configure(None);
    let ch = open("events", true, false, false);
    // presence_full says the server has processed the join.
    next_frame(&ch, "presence_full", &JsValue::NULL).await;
    let event = next_frame(&ch, "event", &JsValue::NULL);
    admin(
        "POST",
        "/admin/event",
        Some(r#"{"channel":"events","data":{"version":"2.0"}}"#),
    )
    .await;
    let ev = event.await;
    assert_eq!(
        path(&ev, &["payload", "data", "version"])
            .as_string()
            .unwrap(),
        "2.0"
    );
    ch.close();
}
