//! The wire protocol (PROTOCOL.md), the channel settings and the refusals, against a real server.

mod common;

use common::*;
use futures_util::SinkExt;
use serde_json::{json, Value};

fn is_socket_id(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

// ---- connection -----------------------------------------------------------------------------

#[tokio::test]
async fn token_is_echoed_as_subprotocol_and_its_identity_appears_in_presence() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut alice = connect(&srv, Some("alice-secret")).await;
    assert_eq!(alice.protocol.as_deref(), Some("alice-secret"));
    let me = alice.join_and_identify("room/1").await;
    assert!(is_socket_id(&me["socketId"]), "{me}");
    assert_eq!(me["extras"], json!({"name":"Alice"}));
    assert_eq!(me["permissions"], json!({"dbo_id":1,"row_id":7}));

    let mut bob = connect(&srv, Some("bob-secret")).await;
    let bob_me = bob.join_and_identify("room/1").await;
    assert_eq!(bob_me["permissions"], json!({"dbo_id":1,"row_id":"b-0b"}));
    assert_eq!(bob_me["extras"], json!({"name":"Bob","role":"admin"}));
}

#[tokio::test]
async fn unknown_token_is_echoed_but_the_client_is_anonymous() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut c = connect(&srv, Some("not-a-known-token")).await;
    assert_eq!(c.protocol.as_deref(), Some("not-a-known-token"));
    let me = c.join_and_identify("room/1").await;
    assert_eq!(me["extras"], json!({}));
    assert_eq!(me["permissions"], json!({"dbo_id":0,"row_id":0}));
}

#[tokio::test]
async fn no_token_means_anonymous_without_subprotocol() {
    let srv = server(None).await;
    let mut c = connect(&srv, None).await;
    assert_eq!(c.protocol, None);
    let me = c.join_and_identify("x").await;
    assert_eq!(me["extras"], json!({}));
    assert_eq!(me["permissions"], json!({"dbo_id":0,"row_id":0}));
}

#[tokio::test]
async fn every_connection_gets_a_distinct_random_socket_id() {
    let srv = server(None).await;
    let mut ids = std::collections::HashSet::new();
    for _ in 0..5 {
        let mut c = connect(&srv, None).await;
        let me = c.join_and_identify("ids").await;
        assert!(is_socket_id(&me["socketId"]));
        assert!(ids.insert(me["socketId"].as_str().unwrap_or_default().to_string()));
    }
}

#[tokio::test]
async fn other_canonicals_are_refused_with_404_before_upgrade() {
    let srv = server(None).await;
    let url = format!("ws://{}/rt/wrong", srv.addr);
    match try_connect(&url, None).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 404),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("wrong canonical accepted"),
    }
}

#[tokio::test]
async fn custom_canonical_is_served() {
    let srv = server_with(None, |o| o.canonical = "abc123".into()).await;
    assert!(srv.ws_url().ends_with("/rt/abc123"));
    let mut c = connect(&srv, None).await;
    c.barrier().await;
    let dev = format!("ws://{}/rt/dev", srv.addr);
    assert!(try_connect(&dev, None).await.is_err());
}

// ---- join / presence ------------------------------------------------------------------------

#[tokio::test]
async fn join_with_presence_sends_presence_full_listing_every_member_including_the_joiner() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    let a_me = a.join_and_identify("lobby").await;
    let mut b = connect(&srv, None).await;
    b.join("lobby", false, true).await;
    let full = b.recv_action("presence_full").await;
    assert_eq!(full["options"], json!({"channel":"lobby"}));
    let members = full["payload"]["presence"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(members.len(), 2, "{full}");
    assert_eq!(members[0], a_me);
    assert_ne!(members[1]["socketId"], a_me["socketId"]);
    b.barrier().await;
}

#[tokio::test]
async fn join_sends_presence_update_join_to_the_other_members_only() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join_and_identify("lobby").await;
    let mut b = connect(&srv, None).await;
    let b_me = b.join_and_identify("lobby").await;
    let upd = a.recv_action("presence_update").await;
    assert_eq!(
        upd,
        json!({"action":"presence_update","options":{"channel":"lobby"},"payload":{"action":"join","presence":b_me}})
    );
    b.barrier().await; // the joiner got no presence_update about itself
    a.barrier().await;
}

#[tokio::test]
async fn join_without_presence_flag_sends_no_presence_full_and_no_acknowledgement() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("lobby", false, false).await;
    a.barrier().await;
    a.leave("lobby").await;
    a.barrier().await;
}

#[tokio::test]
async fn leave_sends_presence_update_leave_to_the_remaining_members() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join_and_identify("lobby").await;
    let mut b = connect(&srv, None).await;
    let b_me = b.join_and_identify("lobby").await;
    a.recv_action("presence_update").await;
    b.leave("lobby").await;
    let upd = a.recv_action("presence_update").await;
    assert_eq!(upd["payload"], json!({"action":"leave","presence":b_me}));
    b.barrier().await;
    // After leaving, b receives nothing from the channel.
    a.message("lobby", json!("after")).await;
    a.recv_action("message").await;
    b.barrier().await;
}

#[tokio::test]
async fn joining_twice_is_idempotent() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join_and_identify("lobby").await;
    let mut b = connect(&srv, None).await;
    b.join_and_identify("lobby").await;
    a.recv_action("presence_update").await;
    b.join("lobby", false, true).await;
    let full = b.recv_action("presence_full").await;
    assert_eq!(
        full["payload"]["presence"].as_array().map(Vec::len),
        Some(2)
    );
    a.barrier().await; // no second presence_update
                       // One membership: a message reaches b once.
    a.message("lobby", json!(1)).await;
    a.recv_action("message").await;
    b.recv_action("message").await;
    b.barrier().await;
    let stats = http(srv.addr, "GET", "/admin/stats", None).await.json();
    assert_eq!(stats["channels"]["lobby"]["members"], 2);
}

#[tokio::test]
async fn abrupt_disconnect_sends_presence_update_leave() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join_and_identify("lobby").await;
    let mut b = connect(&srv, None).await;
    let b_me = b.join_and_identify("lobby").await;
    a.recv_action("presence_update").await;
    drop(b); // TCP closed without a close frame
    let upd = a.recv_action("presence_update").await;
    assert_eq!(upd["payload"], json!({"action":"leave","presence":b_me}));
}

#[tokio::test]
async fn clean_close_sends_presence_update_leave() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join_and_identify("lobby").await;
    let mut b = connect(&srv, None).await;
    let b_me = b.join_and_identify("lobby").await;
    a.recv_action("presence_update").await;
    b.ws.close(None).await.expect("close");
    let upd = a.recv_action("presence_update").await;
    assert_eq!(upd["payload"], json!({"action":"leave","presence":b_me}));
}

// ---- messages -------------------------------------------------------------------------------

#[tokio::test]
async fn public_message_reaches_every_member_including_the_sender() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    let a_me = a.join_and_identify("lobby").await;
    let mut b = connect(&srv, None).await;
    b.join("lobby", false, false).await;
    a.recv_action("presence_update").await;
    a.message("lobby", json!({"text":"hi","n":[1,2.5,null]}))
        .await;
    let expected = json!({
        "action":"message",
        "options":{"channel":"lobby","authenticated":false,"socketId":null},
        "payload":{"text":"hi","n":[1,2.5,null]},
        "client":a_me
    });
    assert_eq!(a.recv().await, expected);
    assert_eq!(b.recv().await, expected);
}

#[tokio::test]
async fn message_with_socket_id_null_is_public() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("lobby", false, false).await;
    let mut b = connect(&srv, None).await;
    b.join("lobby", false, false).await;
    a.recv_action("presence_update").await;
    a.send(json!({"action":"message","options":{"channel":"lobby","socketId":null,"authenticated":false},"payload":"weweb"}))
        .await;
    assert_eq!(a.recv_action("message").await["payload"], "weweb");
    let f = b.recv_action("message").await;
    assert_eq!(f["options"]["socketId"], Value::Null);
}

#[tokio::test]
async fn private_message_reaches_only_the_peer() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    let a_me = a.join_and_identify("lobby").await;
    let mut b = connect(&srv, None).await;
    let b_me = b.join_and_identify("lobby").await;
    let mut c = connect(&srv, None).await;
    c.join("lobby", false, false).await;
    a.recv_action("presence_update").await;
    a.recv_action("presence_update").await;
    b.recv_action("presence_update").await;
    let peer = b_me["socketId"].clone();
    a.send(json!({"action":"message","options":{"channel":"lobby","socketId":peer},"payload":{"secret":1}}))
        .await;
    let f = b.recv().await;
    assert_eq!(
        f,
        json!({"action":"message","options":{"channel":"lobby","authenticated":false,"socketId":peer},"payload":{"secret":1},"client":a_me})
    );
    a.barrier().await; // the sender gets no copy
    c.barrier().await; // nor does anyone else
    let h = http(srv.addr, "GET", "/admin/history?channel=lobby", None)
        .await
        .json();
    assert_eq!(h["history"], json!([]), "private messages are not kept");
}

#[tokio::test]
async fn private_message_to_unknown_or_absent_peer_is_refused() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("lobby", false, false).await;
    let mut b = connect(&srv, None).await;
    let b_me = b.join_and_identify("elsewhere").await;
    for peer in [
        json!("0123456789abcdef0123456789abcdef"),
        b_me["socketId"].clone(),
    ] {
        a.send(
            json!({"action":"message","options":{"channel":"lobby","socketId":peer},"payload":1}),
        )
        .await;
        let e = a.recv_action("error").await;
        assert_eq!(e["options"], json!({"channel":"lobby"}));
        assert!(
            e["payload"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("not in channel"),
            "{e}"
        );
    }
    b.barrier().await;
}

#[tokio::test]
async fn authenticated_message_reaches_only_authenticated_members_and_is_not_kept() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut alice = connect(&srv, Some("alice-secret")).await;
    let alice_me = alice.join_and_identify("room/a").await;
    let mut bob = connect(&srv, Some("bob-secret")).await;
    bob.join("room/a", false, false).await;
    let mut anon = connect(&srv, None).await;
    anon.join("room/a", false, false).await;
    alice.recv_action("presence_update").await;
    alice.recv_action("presence_update").await;
    bob.recv_action("presence_update").await;
    alice
        .send(json!({"action":"message","options":{"channel":"room/a","authenticated":true},"payload":"members only"}))
        .await;
    let expected = json!({"action":"message","options":{"channel":"room/a","authenticated":true,"socketId":null},"payload":"members only","client":alice_me});
    assert_eq!(alice.recv().await, expected);
    assert_eq!(bob.recv().await, expected);
    anon.barrier().await;
    let h = http(srv.addr, "GET", "/admin/history?channel=room%2Fa", None)
        .await
        .json();
    assert_eq!(h["history"], json!([]));
}

#[tokio::test]
async fn message_to_a_channel_not_joined_is_refused() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.message("lobby", json!("x")).await;
    let e = a.recv_action("error").await;
    assert_eq!(e["options"], json!({"channel":"lobby"}));
    assert!(e["payload"]["message"].is_string());
}

// ---- history --------------------------------------------------------------------------------

#[tokio::test]
async fn join_with_history_sends_stored_message_frames_oldest_first() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("lobby", false, false).await;
    let mut sent = Vec::new();
    for i in 0..3 {
        a.message("lobby", json!({"i":i})).await;
        sent.push(a.recv_action("message").await);
    }
    let mut b = connect(&srv, None).await;
    b.join("lobby", true, false).await;
    let h = b.recv().await;
    assert_eq!(
        h,
        json!({"action":"history","options":{"channel":"lobby"},"payload":{"history":sent}})
    );
    b.barrier().await;
}

#[tokio::test]
async fn join_with_presence_and_history_sends_presence_full_then_history() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("lobby", true, true).await;
    a.recv_action("presence_full").await;
    let h = a.recv_action("history").await;
    assert_eq!(h["payload"]["history"], json!([]));
}

#[tokio::test]
async fn history_request_answers_with_the_history_and_can_filter_by_peer() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    let a_me = a.join_and_identify("lobby").await;
    let mut b = connect(&srv, None).await;
    b.join("lobby", false, false).await;
    a.recv_action("presence_update").await;
    a.message("lobby", json!("from a")).await;
    a.recv_action("message").await;
    b.recv_action("message").await;
    b.message("lobby", json!("from b")).await;
    a.recv_action("message").await;
    b.recv_action("message").await;

    b.send(json!({"action":"history","options":{"channel":"lobby"},"payload":null}))
        .await;
    let h = b.recv_action("history").await;
    let payloads: Vec<Value> = h["payload"]["history"]
        .as_array()
        .map(|a| a.iter().map(|f| f["payload"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(payloads, vec![json!("from a"), json!("from b")]);

    b.send(json!({"action":"history","options":{"channel":"lobby","socketId":a_me["socketId"]},"payload":null}))
        .await;
    let h = b.recv_action("history").await;
    let frames = h["payload"]["history"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0]["client"], a_me);
}

#[tokio::test]
async fn history_keeps_only_the_configured_number_of_messages() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut a = connect(&srv, Some("alice-secret")).await;
    a.join("short", false, false).await;
    for i in 0..30 {
        a.message("short", json!(i)).await;
        a.recv_action("message").await;
    }
    a.send(json!({"action":"history","options":{"channel":"short"},"payload":null}))
        .await;
    let h = a.recv_action("history").await;
    let got: Vec<Value> = h["payload"]["history"]
        .as_array()
        .map(|a| a.iter().map(|f| f["payload"].clone()).collect())
        .unwrap_or_default();
    let expected: Vec<Value> = (5..30).map(|i| json!(i)).collect();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn development_default_keeps_100_messages() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("lobby", false, false).await;
    for i in 0..105 {
        a.message("lobby", json!(i)).await;
    }
    for _ in 0..105 {
        a.recv_action("message").await;
    }
    let stats = http(srv.addr, "GET", "/admin/stats", None).await.json();
    assert_eq!(stats["channels"]["lobby"]["history"], 100);
    assert_eq!(stats["channels"]["lobby"]["messages"], 105);
    let h = http(srv.addr, "GET", "/admin/history?channel=lobby", None)
        .await
        .json();
    assert_eq!(h["history"][0]["payload"], 5);
}

#[tokio::test]
async fn history_zero_keeps_nothing() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut a = connect(&srv, Some("alice-secret")).await;
    a.join("nohistory", false, false).await;
    a.message("nohistory", json!(1)).await;
    a.recv_action("message").await;
    a.join("nohistory", true, false).await;
    assert_eq!(
        a.recv_action("history").await["payload"]["history"],
        json!([])
    );
}

// ---- channel settings -----------------------------------------------------------------------

#[tokio::test]
async fn channel_matching_no_rule_is_refused_when_a_config_is_given() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut a = connect(&srv, Some("alice-secret")).await;
    a.join("unconfigured", true, true).await;
    let e = a.recv_action("error").await;
    assert_eq!(e["options"], json!({"channel":"unconfigured"}));
    a.message("unconfigured", json!(1)).await;
    a.recv_action("error").await;
    // "room/*" does not match "room" itself.
    a.join("room", false, false).await;
    a.recv_action("error").await;
}

#[tokio::test]
async fn first_matching_rule_wins() {
    // room/special (history 50, anonymous_send false) comes before room/* (anonymous_send true).
    let srv = server(Some(TEST_CONFIG)).await;
    let mut anon = connect(&srv, None).await;
    anon.join("room/special", false, false).await;
    anon.message("room/special", json!(1)).await;
    let e = anon.recv_action("error").await;
    assert!(
        e["payload"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Anonymous"),
        "{e}"
    );
    anon.join("room/other", false, false).await;
    anon.message("room/other", json!(1)).await;
    anon.recv_action("message").await;
}

#[tokio::test]
async fn anonymous_clients_false_refuses_anonymous_joins_only() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut anon = connect(&srv, None).await;
    anon.join("closed", true, true).await;
    let e = anon.recv_action("error").await;
    assert_eq!(
        e,
        json!({"action":"error","options":{"channel":"closed"},"payload":{"message":"Anonymous clients cannot join this channel."}})
    );
    anon.barrier().await; // no presence_full, no history
    let mut unknown = connect(&srv, Some("forged")).await;
    unknown.join("closed", false, false).await;
    unknown.recv_action("error").await;
    let mut alice = connect(&srv, Some("alice-secret")).await;
    alice.join("closed", false, true).await;
    alice.recv_action("presence_full").await;
    let h = http(srv.addr, "GET", "/admin/stats", None).await.json();
    assert_eq!(h["channels"]["closed"]["members"], 1);
}

#[tokio::test]
async fn presence_off_sends_no_presence_frames() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut a = connect(&srv, Some("alice-secret")).await;
    a.join("quiet", false, true).await;
    a.barrier().await;
    let mut b = connect(&srv, Some("bob-secret")).await;
    b.join("quiet", false, true).await;
    b.barrier().await;
    a.barrier().await;
    drop(b);
    a.message("quiet", json!("still works")).await;
    a.recv_action("message").await;
}

#[tokio::test]
async fn anonymous_send_false_lets_anonymous_clients_listen_but_not_send() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut anon = connect(&srv, None).await;
    anon.join("listen-only", false, false).await;
    anon.message("listen-only", json!("hi")).await;
    let e = anon.recv_action("error").await;
    assert_eq!(
        e["payload"]["message"],
        "Anonymous clients cannot send messages on this channel."
    );
    let mut alice = connect(&srv, Some("alice-secret")).await;
    alice.join("listen-only", false, false).await;
    alice.message("listen-only", json!("hello")).await;
    alice.recv_action("message").await;
    anon.recv_action("presence_update").await;
    assert_eq!(anon.recv_action("message").await["payload"], "hello");
}

#[tokio::test]
async fn development_default_lets_anonymous_clients_send() {
    let srv = server(None).await;
    let mut anon = connect(&srv, None).await;
    anon.join("anything/at/all", false, false).await;
    anon.message("anything/at/all", json!(1)).await;
    anon.recv_action("message").await;
}

#[tokio::test]
async fn public_messaging_authenticated_refuses_anonymous_senders() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut anon = connect(&srv, None).await;
    anon.join("pub-auth", false, false).await;
    anon.message("pub-auth", json!(1)).await;
    anon.recv_action("error").await;
    let mut alice = connect(&srv, Some("alice-secret")).await;
    alice.join("pub-auth", false, false).await;
    alice.message("pub-auth", json!(2)).await;
    alice.recv_action("message").await;
    anon.recv_action("presence_update").await;
    assert_eq!(anon.recv_action("message").await["payload"], 2);
}

#[tokio::test]
async fn public_messaging_off_refuses_everyone_but_private_still_works() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut alice = connect(&srv, Some("alice-secret")).await;
    alice.join("pub-off", false, false).await;
    let mut bob = connect(&srv, Some("bob-secret")).await;
    let bob_me = bob.join_and_identify("pub-off").await;
    alice.recv_action("presence_update").await;
    alice.message("pub-off", json!(1)).await;
    let e = alice.recv_action("error").await;
    assert_eq!(
        e["payload"]["message"],
        "Public messaging is disabled on this channel."
    );
    alice
        .send(json!({"action":"message","options":{"channel":"pub-off","socketId":bob_me["socketId"]},"payload":"psst"}))
        .await;
    assert_eq!(bob.recv_action("message").await["payload"], "psst");
}

#[tokio::test]
async fn private_messaging_authenticated_refuses_anonymous_senders() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut alice = connect(&srv, Some("alice-secret")).await;
    let alice_me = alice.join_and_identify("priv-auth").await;
    let mut anon = connect(&srv, None).await;
    let anon_me = anon.join_and_identify("priv-auth").await;
    alice.recv_action("presence_update").await;
    anon.send(json!({"action":"message","options":{"channel":"priv-auth","socketId":alice_me["socketId"]},"payload":1}))
        .await;
    anon.recv_action("error").await;
    alice
        .send(json!({"action":"message","options":{"channel":"priv-auth","socketId":anon_me["socketId"]},"payload":2}))
        .await;
    assert_eq!(anon.recv_action("message").await["payload"], 2);
    alice.barrier().await;
}

#[tokio::test]
async fn private_messaging_off_refuses_private_messages() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut alice = connect(&srv, Some("alice-secret")).await;
    let alice_me = alice.join_and_identify("priv-off").await;
    alice
        .send(json!({"action":"message","options":{"channel":"priv-off","socketId":alice_me["socketId"]},"payload":1}))
        .await;
    let e = alice.recv_action("error").await;
    assert_eq!(
        e["payload"]["message"],
        "Private messaging is disabled on this channel."
    );
    alice.message("priv-off", json!(2)).await;
    alice.recv_action("message").await;
}

#[tokio::test]
async fn authenticated_messaging_false_refuses_authenticated_messages() {
    let srv = server(Some(TEST_CONFIG)).await;
    let mut alice = connect(&srv, Some("alice-secret")).await;
    alice.join("noauthmsg", false, false).await;
    alice
        .send(json!({"action":"message","options":{"channel":"noauthmsg","authenticated":true},"payload":1}))
        .await;
    let e = alice.recv_action("error").await;
    assert_eq!(
        e["payload"]["message"],
        "Authenticated messaging is disabled on this channel."
    );
    alice.message("noauthmsg", json!(2)).await;
    alice.recv_action("message").await;
}

// ---- refusals -------------------------------------------------------------------------------

async fn assert_refused(c: &mut Client, text: &str, channel: Value) -> Value {
    c.send_text(text).await;
    let e = c.recv_action("error").await;
    assert_eq!(e["options"], json!({"channel":channel}), "{e}");
    assert!(
        e["payload"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{e}"
    );
    e
}

#[tokio::test]
async fn malformed_frames_get_error_frames_and_the_socket_stays_open() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("lobby", false, false).await;
    let mut other = connect(&srv, None).await;
    other.join("lobby", false, false).await;
    a.recv_action("presence_update").await;

    assert_refused(&mut a, "this is not json", Value::Null).await;
    assert_refused(&mut a, "{\"action\":", Value::Null).await;
    assert_refused(&mut a, "[1,2,3]", Value::Null).await;
    assert_refused(&mut a, "42", Value::Null).await;
    assert_refused(&mut a, "{}", Value::Null).await;
    assert_refused(
        &mut a,
        r#"{"action":7,"options":{"channel":"lobby"}}"#,
        json!("lobby"),
    )
    .await;
    assert_refused(
        &mut a,
        r#"{"action":"dance","options":{"channel":"lobby"}}"#,
        json!("lobby"),
    )
    .await;
    assert_refused(&mut a, r#"{"action":"join","options":{}}"#, Value::Null).await;
    assert_refused(&mut a, r#"{"action":"message","payload":1}"#, Value::Null).await;
    assert_refused(
        &mut a,
        r#"{"action":"join","options":{"channel":5}}"#,
        Value::Null,
    )
    .await;
    assert_refused(
        &mut a,
        r#"{"action":"join","options":{"channel":""}}"#,
        json!(""),
    )
    .await;
    assert_refused(
        &mut a,
        r#"{"action":"message","options":{"channel":"lobby","socketId":5},"payload":1}"#,
        json!("lobby"),
    )
    .await;
    assert_refused(
        &mut a,
        r#"{"action":"message","options":{"channel":"lobby","authenticated":"yes"},"payload":1}"#,
        json!("lobby"),
    )
    .await;
    a.ws.send(tokio_tungstenite::tungstenite::Message::binary(vec![
        1u8, 2, 3,
    ]))
    .await
    .expect("send binary");
    let e = a.recv_action("error").await;
    assert_eq!(e["options"]["channel"], Value::Null);

    // Still open and working, and the other session saw nothing of it.
    a.message("lobby", json!("still here")).await;
    a.recv_action("message").await;
    assert_eq!(other.recv_action("message").await["payload"], "still here");
}

#[tokio::test]
async fn frames_over_256_kib_are_refused_without_closing_the_socket() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("lobby", false, false).await;
    let big = "x".repeat(300 * 1024);
    let e = assert_refused(
        &mut a,
        &json!({"action":"message","options":{"channel":"lobby"},"payload":big}).to_string(),
        Value::Null,
    )
    .await;
    assert!(e["payload"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("too large"));
    // Just under the limit is fine.
    let ok = "y".repeat(250 * 1024);
    a.message("lobby", json!(ok)).await;
    assert_eq!(
        a.recv_action("message").await["payload"]
            .as_str()
            .map(str::len),
        Some(250 * 1024)
    );
    // A huge (4 MiB) frame is refused too, and the socket survives.
    let huge = "z".repeat(4 * 1024 * 1024);
    assert_refused(&mut a, &huge, Value::Null).await;
    a.barrier().await;
}

#[tokio::test]
async fn leaving_a_channel_not_joined_is_silently_ignored() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.leave("never-joined").await;
    a.barrier().await;
}

#[tokio::test]
async fn a_message_over_the_transport_limit_closes_the_socket_with_1009() {
    let srv = server(None).await;
    let mut a = connect(&srv, None).await;
    a.join("lobby", false, false).await;
    // Over the 16 MiB the transport reads: Message Too Big, with a close frame.
    // The server stops reading at the frame's header, so the rest of the write may fail.
    let over = json!({"action":"message","options":{"channel":"lobby"},"payload":"w".repeat(17 * 1024 * 1024)});
    let _ =
        a.ws.send(tokio_tungstenite::tungstenite::Message::text(
            over.to_string(),
        ))
        .await;
    let event = a.next_event().await;
    assert!(matches!(event, Event::Closed(Some(1009))), "{event:?}");
}
