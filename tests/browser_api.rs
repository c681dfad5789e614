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
    expect_error(
        xano_realtime::configure(JsValue::UNDEFINED),
        "TypeError",
        "config",
    );
    expect_error(xano_realtime::configure(js("[]")), "TypeError", "config");
    expect_error(
        xano_realtime::configure(js("{}")),
        "TypeError",
        "instanceBaseUrl",
    );
    expect_error(
        xano_realtime::configure(js(
            r#"{"instanceBaseUrl":5,"realtimeConnectionCanonical":"c"}"#,
        )),
        "TypeError",
        "instanceBaseUrl",
    );
    expect_error(
        xano_realtime::configure(js(
            r#"{"instanceBaseUrl":"ftp://x","realtimeConnectionCanonical":"c"}"#,
        )),
        "RangeError",
        "instanceBaseUrl",
    );
    expect_error(
        xano_realtime::configure(js(r#"{"instanceBaseUrl":"https://x.xano.io"}"#)),
        "TypeError",
        "realtimeConnectionCanonical",
    );
    expect_error(
        xano_realtime::configure(js(
            r#"{"instanceBaseUrl":"https://x.xano.io","realtimeConnectionCanonical":"a/b"}"#,
        )),
        "RangeError",
        "realtimeConnectionCanonical",
    );
    expect_error(
        xano_realtime::configure(js(
            r#"{"instanceBaseUrl":"https://x.xano.io","realtimeConnectionCanonical":"c","reconnect":{"minDelayMs":"soon"}}"#,
        )),
        "TypeError",
        "reconnect.minDelayMs",
    );
    expect_error(
        xano_realtime::configure(js(
            r#"{"instanceBaseUrl":"https://x.xano.io","realtimeConnectionCanonical":"c","queue":{"maxActions":-1}}"#,
        )),
        "RangeError",
        "queue.maxActions",
    );
}

#[wasm_bindgen_test]
fn a_bad_token_is_refused_without_repeating_it() {
    let err = xano_realtime::configure(js(
        r#"{"instanceBaseUrl":"https://x.xano.io","realtimeConnectionCanonical":"c","realtimeAuthToken":"top secret"}"#,
    ))
    .unwrap_err();
    let message = error_message(&err);
    assert!(message.contains("realtimeAuthToken"));
    assert!(!message.contains("secret"));
    configure(None);
    let err = xano_realtime::set_auth_token(JsValue::from_str("top secret")).unwrap_err();
    assert!(!error_message(&err).contains("secret"));
    expect_error(
        xano_realtime::set_auth_token(JsValue::from(3)),
        "TypeError",
        "token",
    );
}

#[wasm_bindgen_test]
fn the_old_config_name_realtime_connection_hash_is_accepted() {
    xano_realtime::configure(js(&format!(
        r#"{{"instanceBaseUrl":"http://{SERVER}","realtimeConnectionHash":"dev"}}"#
    )))
    .unwrap();
}

#[wasm_bindgen_test]
fn bad_channel_names_and_options_are_refused() {
    configure(None);
    expect_error(
        xano_realtime::open_channel(JsValue::from(5), None),
        "TypeError",
        "channel name",
    );
    expect_error(
        xano_realtime::open_channel(JsValue::UNDEFINED, None),
        "TypeError",
        "channel name",
    );
    expect_error(
        xano_realtime::open_channel("".into(), None),
        "RangeError",
        "channel name",
    );
    expect_error(
        xano_realtime::open_channel("ok".into(), Some(js(r#"{"presence":"yes"}"#))),
        "TypeError",
        "options.presence",
    );
    expect_error(
        xano_realtime::open_channel("ok".into(), Some(JsValue::from(1))),
        "TypeError",
        "options",
    );
    expect_error(
        xano_realtime::close_channel(JsValue::NULL),
        "TypeError",
        "channel name",
    );
    expect_error(
        xano_realtime::get_channel(JsValue::from(1)),
        "TypeError",
        "channel name",
    );
    expect_error(
        xano_realtime::on_connection_state(JsValue::from(1)),
        "TypeError",
        "callback",
    );
    assert!(
        xano_realtime::get_channel("ok".into())
            .unwrap()
            .is_undefined(),
        "nothing was opened"
    );
}

#[wasm_bindgen_test]
fn closing_a_channel_that_is_not_open_does_nothing() {
    configure(None);
    xano_realtime::close_channel("never-opened".into()).unwrap();
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
    let count = || {
        get(&xano_realtime::client_stats(), "listeners")
            .as_f64()
            .unwrap()
    };
    let before = count();
    let cb = js_sys::Function::new_with_args("state, detail", "");
    let off: js_sys::Function = xano_realtime::on_connection_state(cb.clone().into())
        .unwrap()
        .into();
    // Subscribing the same function twice keeps one.
    let again: js_sys::Function = xano_realtime::on_connection_state(cb.into())
        .unwrap()
        .into();
    assert_eq!(count(), before + 1.0);
    off.call0(&JsValue::NULL).unwrap();
    again.call0(&JsValue::NULL).unwrap();
    assert_eq!(count(), before);
}

#[wasm_bindgen_test]
fn message_frames_built_in_js_match_the_cores_reference_byte_for_byte() {
    use xano_realtime::core::frame;
    use xano_realtime::core::MessageOptions;
    let cases = [
        (
            "room/1",
            r#"{"text":"hi","n":[1,2.5,null,true]}"#,
            false,
            None,
        ),
        ("room/1", r#""a string""#, true, None),
        ("r\"oom\\2", "42", false, Some("peer-7")),
        (
            "é 🎉",
            r#"{"x":"\n\t\u0001"}"#,
            true,
            Some("q\"uote\u{8}\u{c}"),
        ),
    ];
    for (channel, payload_json, authenticated, socket_id) in cases {
        let payload = js(payload_json);
        let built = xano_realtime::web::glue::message_frame(
            &JsValue::from_str(channel),
            &payload,
            authenticated,
            socket_id.map(str::to_owned),
        )
        .unwrap()
        .as_string()
        .unwrap();
        // The core's reference gets the payload as the browser encodes it.
        let encoded = json(&payload);
        let reference = frame::message(
            channel,
            &encoded,
            &MessageOptions {
                authenticated,
                socket_id: socket_id.map(str::to_owned),
            },
        );
        assert_eq!(built, reference);
    }
}
