//! Browser tests of the offline queue with the real IndexedDB: order, once-only delivery after an
//! outage, batching of writes, the cap, the count and its events.
#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e9) as u64)
}

async fn pending(ch: &Chan) -> f64 {
    wait(ch.pending()).await.as_f64().unwrap()
}

#[wasm_bindgen_test]
async fn sends_during_an_outage_are_queued_and_delivered_in_order_once() {
    configure_queue(&unique("db-order"), 10_000);
    let name = unique("queue-order");
    let ch = open(&name, true, false, true);
    next_frame(&ch, "presence_full", &JsValue::NULL).await;
    let events = record(&ch, "queue");
    admin("POST", "/admin/refuse?ms=1500", None).await;
    let down = state_becomes("reconnecting");
    admin("POST", "/admin/drop", None).await;
    down.await;
    let last_echo = echo_of(&ch, "order", 49);
    let outcomes = wait(send_many(&ch, "order", 0, 50)).await;
    assert!(
        json(&outcomes).split(',').all(|o| o.contains("queued")),
        "{}",
        json(&outcomes)
    );
    assert_eq!(pending(&ch).await, 50.0);
    // Rejoined after the outage: the queue drains, and the server got each message once, in order.
    next_frame(&ch, "queue", &pred("return f.payload.pending === 0")).await;
    last_echo.await;
    let history = admin("GET", &format!("/admin/history?channel={name}"), None).await;
    let seqs = history_seqs(&history, "order");
    assert_eq!(seqs, (0..50).map(f64::from).collect::<Vec<_>>());
    assert_eq!(pending(&ch).await, 0.0);
    let counts: Vec<String> = events
        .frames()
        .iter()
        .map(|f| json(&get(&f, "payload")))
        .collect();
    assert!(
        counts.first().unwrap().contains(r#""persisted":true"#),
        "{counts:?}"
    );
    assert!(
        counts.last().unwrap().contains(r#""pending":0"#),
        "{counts:?}"
    );
    // Online again: a new message goes straight out.
    let sent = wait(ch.message(&js(r#"{"after":true}"#), &JsValue::UNDEFINED)).await;
    assert_eq!(sent.as_string().unwrap(), "sent");
    ch.close();
}

#[wasm_bindgen_test]
async fn many_sends_in_one_tick_are_written_in_one_transaction() {
    configure_queue(&unique("db-batch"), 10_000);
    let name = unique("queue-batch");
    // The socket is still connecting, so every send is queued.
    let ch = open(&name, false, false, true);
    // Let the store open first, so only the writes are counted.
    assert_eq!(pending(&ch).await, 0.0);
    let last_echo = echo_of(&ch, "batch", 99);
    let counter = count_write_transactions();
    wait(send_many(&ch, "batch", 0, 100)).await;
    let writes = get(&counter, "n").as_f64().unwrap();
    let restore: js_sys::Function = get(&counter, "restore").into();
    restore.call0(&JsValue::NULL).unwrap();
    assert_eq!(writes, 1.0, "100 sends, one readwrite transaction");
    last_echo.await;
    let history = admin("GET", &format!("/admin/history?channel={name}"), None).await;
    assert_eq!(history_seqs(&history, "batch").len(), 100);
    ch.close();
}

#[wasm_bindgen_test]
async fn a_full_queue_rejects_new_sends_and_keeps_what_it_has() {
    configure_queue(&unique("db-cap"), 5);
    let name = unique("queue-cap");
    let ch = open(&name, false, false, true);
    let last_echo = echo_of(&ch, "cap", 4);
    let outcomes = wait(send_many(&ch, "cap", 0, 5)).await;
    assert_eq!(
        json(&outcomes),
        r#"["queued","queued","queued","queued","queued"]"#
    );
    let err = rejection(ch.message(&js("6"), &JsValue::UNDEFINED)).await;
    assert_eq!(error_name(&err), "Error");
    assert!(
        error_message(&err).contains("full"),
        "{}",
        error_message(&err)
    );
    assert_eq!(pending(&ch).await, 5.0);
    last_echo.await;
    let history = admin("GET", &format!("/admin/history?channel={name}"), None).await;
    assert_eq!(history_seqs(&history, "cap"), [0.0, 1.0, 2.0, 3.0, 4.0]);
    ch.close();
}

#[wasm_bindgen_test]
async fn a_queue_left_by_an_earlier_page_is_flushed_when_the_channel_is_opened_again() {
    let db = unique("db-reopen");
    configure_queue(&db, 10_000);
    let name = unique("queue-reopen");
    let ch = open(&name, false, false, true);
    wait(send_many(&ch, "reopen", 0, 3)).await;
    // Closed before it ever connected: the three stay in IndexedDB.
    ch.close();
    let stats = admin("GET", "/admin/stats", None).await;
    assert!(
        path(&stats, &["channels", &name]).is_undefined()
            || path(&stats, &["channels", &name, "messages"]).as_f64() == Some(0.0)
    );
    let again = open(&name, false, false, true);
    let drained = next_frame(&again, "queue", &pred("return f.payload.pending === 0"));
    echo_of(&again, "reopen", 2).await;
    drained.await;
    let history = admin("GET", &format!("/admin/history?channel={name}"), None).await;
    assert_eq!(history_seqs(&history, "reopen"), [0.0, 1.0, 2.0]);
    again.close();
}

#[wasm_bindgen_test]
async fn closing_a_channel_mid_flush_lets_its_next_opening_flush_the_rest() {
    configure_queue(&unique("db-midclose"), 10_000);
    let name = unique("queue-midclose");
    // Another channel keeps the socket open when this one closes.
    let keeper = open(&unique("keeper"), false, false, false);
    let ch = open(&name, true, false, true);
    next_frame(&ch, "presence_full", &JsValue::NULL).await;
    let echoes_before = record(&ch, "message");
    let down = state_becomes("reconnecting");
    admin("POST", "/admin/refuse?ms=300", None).await;
    admin("POST", "/admin/drop", None).await;
    down.await;
    let first = echo_of(&ch, "midclose", 0);
    wait(send_many(&ch, "midclose", 0, 200)).await;
    // The flush is under way once the first echo is back: close the channel and open it again.
    first.await;
    ch.close();
    let again = open(&name, false, false, true);
    let echoes_after = record(&again, "message");
    // The earlier flush gave up its Web Lock when the channel closed (it would otherwise wait for
    // echoes that no longer come), so the new opening flushes what is left.
    echo_of(&again, "midclose", 199).await;
    // Every message came back to us, through the first opening or the second: none was lost.
    let mut seqs: Vec<f64> = echoes_before
        .frames()
        .iter()
        .chain(echoes_after.frames().iter())
        .filter_map(|f| path(&f, &["payload", "seq"]).as_f64())
        .collect();
    seqs.sort_by(f64::total_cmp);
    seqs.dedup();
    assert_eq!(seqs, (0..200).map(f64::from).collect::<Vec<_>>());
    again.close();
    keeper.close();
}

#[wasm_bindgen_test]
async fn two_channels_queued_alternately_in_one_database_each_flush_all_in_order() {
    two_channels_queued_alternately_flush_all_in_order(&unique("db-alternate")).await;
}

#[wasm_bindgen_test]
async fn a_channel_name_that_looks_like_frame_json_is_flushed_and_confirmed_by_echo() {
    // The flush finds a stored frame's payload by its `},"payload":` and reads its options: a name
    // holding those texts (quotes escaped in the frame) must not mislead it. Misread, the echoes
    // would confirm nothing and the queue would stay pending for 30 s.
    configure_queue(&unique("db-oddname"), 10_000);
    let name = unique(r#"odd},"payload":{"x":1},"authenticated":true,"socketId":"s"#);
    let ch = open(&name, true, false, true);
    next_frame(&ch, "presence_full", &JsValue::NULL).await;
    admin("POST", "/admin/refuse?ms=500", None).await;
    let down = state_becomes("reconnecting");
    admin("POST", "/admin/drop", None).await;
    down.await;
    let outcomes = wait(send_many(&ch, "odd", 0, 20)).await;
    assert!(json(&outcomes).split(',').all(|o| o.contains("queued")));
    let drained = next_frame(&ch, "queue", &pred("return f.payload.pending === 0"));
    echo_of(&ch, "odd", 19).await;
    drained.await;
    let stats = admin("GET", "/admin/stats", None).await;
    assert_eq!(
        path(&stats, &["channels", &name, "messages"]).as_f64(),
        Some(20.0)
    );
    ch.close();
}
