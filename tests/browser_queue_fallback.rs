//! Browser test of the offline queue without IndexedDB: it falls back to memory, still resolves
//! "queued", says `persisted: false`, and delivers once connected. (Its own page, since it breaks
//! IndexedDB for the page.)
#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn without_indexeddb_the_queue_falls_back_to_memory_and_says_so() {
    break_indexed_db();
    configure_queue("no-idb", 10_000);
    let name = format!("fallback-{}", (js_sys::Math::random() * 1e9) as u64);
    let ch = open(&name, false, false, true);
    let first_event = next_frame(&ch, "queue", &JsValue::NULL);
    let last_echo = echo_of(&ch, "fallback", 2);
    let outcomes = wait(send_many(&ch, "fallback", 0, 3)).await;
    assert_eq!(json(&outcomes), r#"["queued","queued","queued"]"#);
    let event = first_event.await;
    assert_eq!(
        json(&get(&event, "payload")),
        r#"{"pending":3,"persisted":false}"#
    );
    last_echo.await;
    let history = admin("GET", &format!("/admin/history?channel={name}"), None).await;
    assert_eq!(history_seqs(&history, "fallback"), [0.0, 1.0, 2.0]);
    ch.close();
}

#[wasm_bindgen_test]
async fn without_indexeddb_two_channels_queued_alternately_each_flush_all_in_order() {
    break_indexed_db();
    two_channels_queued_alternately_flush_all_in_order("no-idb-alternate").await;
}
