//! Browser tests of argument checking: every bad input throws (or rejects with) the right error
//! class, naming the argument; none reaches the page as a wasm panic.
#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn bad_configs_are_refused_naming_the_setting() {
    expect_error(api::configure(JsValue::UNDEFINED), "TypeError", "config");
    expect_error(api::configure(js("[]")), "TypeError", "config");
    expect_error(api::configure(js("{}")), "TypeError", "instanceBaseUrl");
    expect_error(
        api::configure(js(
            r#"{"instanceBaseUrl":5,"realtimeConnectionCanonical":"c"}"#,
        )),
        "TypeError",
        "instanceBaseUrl",
    );
    expect_error(
        api::configure(js(
            r#"{"instanceBaseUrl":"ftp://x","realtimeConnectionCanonical":"c"}"#,
        )),
        "RangeError",
        "instanceBaseUrl",
    );
    expect_error(
        api::configure(js(r#"{"instanceBaseUrl":"https://x.xano.io"}"#)),
        "TypeError",
        "realtimeConnectionCanonical",
    );
    expect_error(
        api::configure(js(
            r#"{"instanceBaseUrl":"https://x.xano.io","realtimeConnectionCanonical":"a/b"}"#,
        )),
        "RangeError",
        "realtimeConnectionCanonical",
    );
    expect_error(
        api::configure(js(
            r#"{"instanceBaseUrl":"https://x.xano.io","realtimeConnectionCanonical":"c","reconnect":{"minDelayMs":"soon"}}"#,
        )),
        "TypeError",
        "reconnect.minDelayMs",
    );
    expect_error(
        api::configure(js(
            r#"{"instanceBaseUrl":"https://x.xano.io","realtimeConnectionCanonical":"c","queue":{"maxActions":-1}}"#,
        )),
        "RangeError",
        "queue.maxActions",
    );
}

#[wasm_bindgen_test]
fn a_bad_token_is_refused_without_repeating_it() {
    let err = api::configure(js(
        r#"{"instanceBaseUrl":"https://x.xano.io","realtimeConnectionCanonical":"c","realtimeAuthToken":"top secret"}"#,
    ))
    .unwrap_err();
    let message = error_message(&err);
    assert!(message.contains("realtimeAuthToken"));
    assert!(!message.contains("secret"));
    configure(None);
    let err = api::set_auth_token(JsValue::from_str("top secret")).unwrap_err();
    assert!(!error_message(&err).contains("secret"));
    expect_error(api::set_auth_token(JsValue::from(3)), "TypeError", "token");
}

#[wasm_bindgen_test]
fn the_old_config_name_realtime_connection_hash_is_accepted() {
    api::configure(js(&format!(
        r#"{{"instanceBaseUrl":"http://{SERVER}","realtimeConnectionHash":"dev"}}"#
    )))
    .unwrap();
}

#[wasm_bindgen_test]
fn bad_channel_names_and_options_are_refused() {
    configure(None);
    expect_error(
        api::open_channel(JsValue::from(5), None),
        "TypeError",
        "channel name",
    );
    expect_error(
        api::open_channel(JsValue::UNDEFINED, None),
        "TypeError",
        "channel name",
    );
    expect_error(
        api::open_channel("".into(), None),
        "RangeError",
        "channel name",
    );
    expect_error(
        api::open_channel("ok".into(), Some(js(r#"{"presence":"yes"}"#))),
        "TypeError",
        "options.presence",
    );
    expect_error(
        api::open_channel("ok".into(), Some(JsValue::from(1))),
        "TypeError",
        "options",
    );
    expect_error(
        api::close_channel(JsValue::NULL),
        "TypeError",
        "channel name",
    );
    expect_error(
        api::get_channel(JsValue::from(1)),
        "TypeError",
        "channel name",
    );
    expect_error(
        api::on_connection_state(JsValue::from(1)),
        "TypeError",
        "callback",
    );
    assert!(
        api::get_channel("ok".into()).unwrap().is_undefined(),
        "nothing was opened"
    );
}

#[wasm_bindgen_test]
fn closing_a_channel_that_is_not_open_does_nothing() {
    configure(None);
    api::close_channel("never-opened".into()).unwrap();
    assert_eq!(state(), "idle");
}

#[wasm_bindgen_test]
async fn payloads_json_cannot_encode_are_rejected_with_a_type_error() {
    configure(None);
    let ch = open("bad-payloads", false, false, false);
    connected(&ch).await;
    for payload in [cyclic(), bigint(), a_function(), JsValue::UNDEFINED] {
        let err = rejection(ch.message(&payload, &JsValue::UNDEFINED)).await;
        assert_eq!(error_name(&err), "TypeError");
        assert!(
            error_message(&err).contains("payload"),
            "{}",
            error_message(&err)
        );
    }
    let err = rejection(ch.message(&js("1"), &js(r#"{"socketId":7}"#))).await;
    assert!(error_message(&err).contains("options.socketId"));
    let err = rejection(ch.message(&js("1"), &js(r#"{"authenticated":"yes"}"#))).await;
    assert!(error_message(&err).contains("options.authenticated"));
    ch.close();
}

#[wasm_bindgen_test]
async fn sending_while_not_connected_without_the_queue_option_is_rejected() {
    configure(None);
    let ch = open("not-yet", false, false, false);
    // The socket is still connecting: nothing is joined yet.
    let err = rejection(ch.message(&js("1"), &JsValue::UNDEFINED)).await;
    assert_eq!(error_name(&err), "Error");
    assert!(error_message(&err).contains("queueOfflineActions"));
    assert!(ch.history().is_err());
    ch.close();
}

#[wasm_bindgen_test]
async fn a_closed_channel_refuses_messages_and_listeners() {
    configure(None);
    let ch = open("closed-handle", false, false, false);
    ch.close();
    let err = rejection(ch.message(&js("1"), &JsValue::UNDEFINED)).await;
    assert!(error_message(&err).contains("closed"));
    let cb = js_sys::Function::new_no_args("");
    assert!(ch.on(&"message".into(), &cb).is_err());
    assert!(ch.history().is_err());
    assert_eq!(ch.presence().length(), 0);
}

#[wasm_bindgen_test]
async fn bad_listener_arguments_are_refused() {
    configure(None);
    let ch = open("listeners", false, false, false);
    let err = ch.on(&"message".into(), &JsValue::from(1)).unwrap_err();
    assert_eq!(error_name(&err), "TypeError");
    let err = ch
        .on(&JsValue::from(1), &js_sys::Function::new_no_args("").into())
        .unwrap_err();
    assert_eq!(error_name(&err), "TypeError");
    assert!(error_message(&err).contains("action"));
    ch.close();
}

#[wasm_bindgen_test]
async fn a_throwing_listener_does_not_stop_the_others() {
    configure(None);
    let ch = open("throwing", false, false, false);
    let thrower = js_sys::Function::new_with_args("f", "throw new Error('app bug')");
    ch.on(&"message".into(), &thrower).unwrap();
    connected(&ch).await;
    wait(ch.message(&js("1"), &JsValue::UNDEFINED)).await;
    next_frame(&ch, "message", &payload_is(&js("1"))).await;
    ch.close();
}

#[wasm_bindgen_test]
fn connection_state_listeners_unsubscribe_once_and_leave_nothing_behind() {
    let count = || get(&api::client_stats(), "listeners").as_f64().unwrap();
    let before = count();
    let cb = js_sys::Function::new_with_args("state, detail", "");
    let off: js_sys::Function = api::on_connection_state(cb.clone().into()).unwrap().into();
    // Subscribing the same function twice keeps one.
    let again: js_sys::Function = api::on_connection_state(cb.into()).unwrap().into();
    assert_eq!(count(), before + 1.0);
    off.call0(&JsValue::NULL).unwrap();
    again.call0(&JsValue::NULL).unwrap();
    assert_eq!(count(), before);
}

#[wasm_bindgen_test]
async fn frames_are_sent_byte_for_byte_as_the_official_sdk_sends_them() {
    configure(None);
    let spy = spy_sends();
    let name = "r\"oom\\2 é 🎉";
    let ch = open(name, true, true, false);
    connected(&ch).await;
    let cases = [
        (r#"{"text":"hi","n":[1,2.5,null,true]}"#, JsValue::UNDEFINED),
        (r#""a string""#, js(r#"{"authenticated":true}"#)),
        ("42", js(r#"{"socketId":"peer-7"}"#)),
        (
            r#"{"x":"\n\t\u0001"}"#,
            js(r#"{"authenticated":true,"socketId":"q\"uote\b\f","other":1}"#),
        ),
        ("null", js(r#"{"authenticated":false,"socketId":null}"#)),
    ];
    for (payload, options) in &cases {
        // The peers do not exist: private messages are refused by the server, which is fine here.
        let _ = rejection_or_value(ch.message(&js(payload), options)).await;
    }
    ch.history().unwrap();
    ch.close();
    let quoted = r#""r\"oom\\2 é 🎉""#;
    let expected = [
        format!(
            r#"{{"action":"join","options":{{"channel":{quoted}}},"payload":{{"history":true,"presence":true}}}}"#
        ),
        format!(
            r#"{{"action":"message","options":{{"channel":{quoted}}},"payload":{{"text":"hi","n":[1,2.5,null,true]}}}}"#
        ),
        format!(
            r#"{{"action":"message","options":{{"channel":{quoted},"authenticated":true}},"payload":"a string"}}"#
        ),
        format!(
            r#"{{"action":"message","options":{{"channel":{quoted},"socketId":"peer-7"}},"payload":42}}"#
        ),
        format!(
            r#"{{"action":"message","options":{{"channel":{quoted},"authenticated":true,"socketId":"q\"uote\b\f"}},"payload":{{"x":"\n\t\u0001"}}}}"#
        ),
        format!(r#"{{"action":"message","options":{{"channel":{quoted}}},"payload":null}}"#),
        format!(r#"{{"action":"history","options":{{"channel":{quoted}}},"payload":null}}"#),
        format!(r#"{{"action":"leave","options":{{"channel":{quoted}}},"payload":null}}"#),
    ];
    let sent: Vec<String> = spy
        .sent()
        .iter()
        .map(|v| v.as_string().unwrap())
        .filter(|t| t.contains(quoted))
        .collect();
    spy.restore();
    assert_eq!(sent, expected);
}
