//! Shared helpers of the browser tests: the local server's address (given at build time by the
//! test command), the package's JavaScript API (`api`), bindings to `browser_helpers.js`, and a
//! typed view of the `Channel` object.

#![allow(dead_code)]

pub mod api;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// `host:port` of the server started by the test command (`--admin --config tests/server-config.toml`).
pub const SERVER: &str = match option_env!("XANO_RT_TEST_SERVER") {
    Some(s) => s,
    None => "127.0.0.1:8787",
};

/// A generous failure guard for waits; tests finish far sooner when they pass.
pub const WAIT_MS: u32 = 10_000;

#[wasm_bindgen(module = "/tests/support/browser_helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = waitFor)]
    pub fn wait_for_js(
        channel: &JsValue,
        action: &str,
        predicate: &JsValue,
        ms: u32,
        what: &str,
    ) -> Promise;
    pub fn record(channel: &JsValue, action: &str) -> Recorded;
    pub fn statuses(recorded: &Recorded) -> Vec<String>;
    #[wasm_bindgen(js_name = admin)]
    fn admin_js(server: &str, method: &str, path: &str, body: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = waitForState)]
    fn wait_for_state_js(on_state: &JsValue, target: &str, ms: u32) -> Promise;
    #[wasm_bindgen(js_name = config)]
    pub fn config_js(server: &str, token: &JsValue, extra: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = payloadIs)]
    pub fn payload_is(value: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = errorName)]
    pub fn error_name(e: &JsValue) -> String;
    #[wasm_bindgen(js_name = errorMessage)]
    pub fn error_message(e: &JsValue) -> String;
    pub fn cyclic() -> JsValue;
    pub fn bigint() -> JsValue;
    #[wasm_bindgen(js_name = aFunction)]
    pub fn a_function() -> JsValue;
    pub fn json(v: &JsValue) -> String;
    #[wasm_bindgen(js_name = countWriteTransactions)]
    pub fn count_write_transactions() -> JsValue;
    #[wasm_bindgen(js_name = fireNetworkEvent)]
    pub fn fire_network_event(name: &str);
    #[wasm_bindgen(js_name = fireVisibility)]
    pub fn fire_visibility(state: &str);
    #[wasm_bindgen(js_name = breakIndexedDb)]
    pub fn break_indexed_db();
    #[wasm_bindgen(js_name = sendMany)]
    pub fn send_many(channel: &JsValue, tag: &str, from: u32, count: u32) -> Promise;
    /// `count` sends on each of `a` and `b`, alternating, in one tick (one write transaction).
    #[wasm_bindgen(js_name = sendAlternating)]
    pub fn send_alternating(a: &JsValue, b: &JsValue, tag: &str, count: u32) -> Promise;
    #[wasm_bindgen(js_name = historySeqs)]
    pub fn history_seqs(history: &JsValue, tag: &str) -> Vec<f64>;

    /// Records every text the page's WebSockets send until `restore()`.
    #[wasm_bindgen(js_name = spySends)]
    pub fn spy_sends() -> Spy;
    pub type Spy;
    #[wasm_bindgen(method)]
    pub fn sent(this: &Spy) -> Array;
    #[wasm_bindgen(method)]
    pub fn restore(this: &Spy);

    pub type Recorded;
    #[wasm_bindgen(method, getter)]
    pub fn frames(this: &Recorded) -> Array;
    #[wasm_bindgen(method)]
    pub fn off(this: &Recorded);

    pub type Peer;
    #[wasm_bindgen(constructor)]
    pub fn new(server: &str, token: Option<&str>) -> Peer;
    #[wasm_bindgen(method)]
    fn join(this: &Peer, channel: &str, presence: bool, history: bool) -> Promise;
    #[wasm_bindgen(method)]
    pub fn send(this: &Peer, action: &str, channel: &str, payload: &JsValue, options: &JsValue);
    #[wasm_bindgen(method, js_name = waitFor)]
    fn wait_for_js(this: &Peer, predicate: &JsValue, ms: u32, what: &str) -> Promise;
    #[wasm_bindgen(method)]
    pub fn messages(this: &Peer, channel: &str) -> Array;
    #[wasm_bindgen(method)]
    pub fn close(this: &Peer);
}

#[wasm_bindgen]
extern "C" {
    /// The `Channel` object returned by `openChannel`, seen through its JavaScript methods.
    pub type Chan;
    #[wasm_bindgen(method, getter)]
    pub fn name(this: &Chan) -> String;
    #[wasm_bindgen(method)]
    pub fn message(this: &Chan, payload: &JsValue, options: &JsValue) -> Promise;
    #[wasm_bindgen(method, catch)]
    pub fn history(this: &Chan) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    pub fn presence(this: &Chan) -> Array;
    #[wasm_bindgen(method)]
    pub fn pending(this: &Chan) -> Promise;
    #[wasm_bindgen(method)]
    pub fn close(this: &Chan);
    #[wasm_bindgen(method, catch)]
    pub fn on(this: &Chan, action: &JsValue, cb: &JsValue) -> Result<js_sys::Function, JsValue>;
}

/// Awaits a promise; a rejection becomes a test failure with its message.
pub async fn wait(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!("{}", error_message(&e)),
    }
}

/// Awaits a promise, resolved or rejected; returns what it settled with.
pub async fn rejection_or_value(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => e,
    }
}

/// Awaits a promise that must reject; returns the rejection.
pub async fn rejection(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => panic!("expected a rejection, got {v:?}"),
        Err(e) => e,
    }
}

/// Configures the client for the test server, anonymous, with an offline queue in `database`
/// capped at `max` actions.
pub fn configure_queue(database: &str, max: u32) {
    let extra = js(&format!(
        r#"{{"queue":{{"database":{database:?},"maxActions":{max}}}}}"#
    ));
    api::configure(config_js(SERVER, &JsValue::NULL, &extra)).expect("configure");
}

/// Configures the client for the test server, anonymous, with an offline queue in `database`
/// and the settings of the JSON object `extra` (e.g. a reconnect backoff).
pub fn configure_queue_with(database: &str, extra: &str) {
    let extra = js(extra);
    let queue = js_sys::Object::new();
    set(&queue, "database", &JsValue::from_str(database));
    set(extra.unchecked_ref(), "queue", &queue);
    api::configure(config_js(SERVER, &JsValue::NULL, &extra)).expect("configure");
}

/// Configures the client for the test server with `token` (or anonymous).
pub fn configure(token: Option<&str>) {
    let token = token.map_or(JsValue::NULL, JsValue::from_str);
    api::configure(config_js(SERVER, &token, &JsValue::UNDEFINED)).expect("configure");
}

/// Opens a channel with options `{presence, history, queueOfflineActions}`.
pub fn open(name: &str, presence: bool, history: bool, queue: bool) -> Chan {
    let opts = js_sys::Object::new();
    set(&opts, "presence", &presence.into());
    set(&opts, "history", &history.into());
    set(&opts, "queueOfflineActions", &queue.into());
    api::open_channel(JsValue::from_str(name), Some(opts.into()))
        .expect("openChannel")
        .unchecked_into()
}

pub fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    js_sys::Reflect::set(obj, &JsValue::from_str(key), value).unwrap();
}

pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `get` along a path of keys.
pub fn path(obj: &JsValue, keys: &[&str]) -> JsValue {
    keys.iter().fold(obj.clone(), |v, k| get(&v, k))
}

/// Parses JSON text into a value.
pub fn js(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// Waits for the first frame of `action` on `ch` that `predicate` accepts (`JsValue::NULL`: any).
/// The listener is registered at once, before the returned future is first polled, so a test can
/// start waiting, then cause the frame, then await.
pub fn next_frame(
    ch: &Chan,
    action: &str,
    predicate: &JsValue,
) -> impl std::future::Future<Output = JsValue> {
    wait(wait_for_js(ch, action, predicate, WAIT_MS, action))
}

/// Waits for the echo of our own message `{seq, tag}` (listening from the call on): once it is
/// back, the server has processed it and every message sent before it on the socket.
pub fn echo_of(ch: &Chan, tag: &str, seq: u32) -> impl std::future::Future<Output = JsValue> {
    next_frame(
        ch,
        "message",
        &pred(&format!(
            "return f.payload && f.payload.tag === {tag:?} && f.payload.seq === {seq}"
        )),
    )
}

/// Waits for `connection_status` `connected` on `ch` (listening from the call on).
pub fn connected(ch: &Chan) -> impl std::future::Future<Output = JsValue> {
    next_frame(
        ch,
        "connection_status",
        &pred("return f.payload.status === 'connected'"),
    )
}

/// Calls an admin endpoint of the test server; returns the parsed answer.
pub async fn admin(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let body = body.map_or(JsValue::UNDEFINED, js);
    wait(admin_js(SERVER, method, path, &body)).await
}

/// Waits until the connection state becomes `target` (listening from the call on); returns its
/// detail.
pub fn state_becomes(target: &str) -> impl std::future::Future<Output = JsValue> {
    let on_state = Closure::<dyn FnMut(JsValue) -> JsValue>::new(|cb: JsValue| {
        api::on_connection_state(cb).expect("onConnectionState")
    });
    let promise = wait_for_state_js(on_state.as_ref(), target, WAIT_MS);
    // The subscription calls it only once, synchronously, above.
    drop(on_state);
    wait(promise)
}

/// The current connection state.
pub fn state() -> String {
    api::connection_state().as_string().unwrap()
}

/// A JS predicate from a function body over `f`.
pub fn pred(body: &str) -> JsValue {
    js_sys::Function::new_with_args("f", body).into()
}

impl Peer {
    /// Joins `channel` and waits until the server has processed it (its `presence_full`).
    pub async fn join_and_wait(&self, channel: &str) {
        wait(self.join(channel, true, false)).await;
        self.wait_frame(
            &pred(&format!(
                "return f.action === 'presence_full' && f.options.channel === {channel:?}"
            )),
            "presence_full",
        )
        .await;
    }

    /// Joins without asking for presence or history.
    pub async fn join_plain(&self, channel: &str, history: bool) {
        wait(self.join(channel, false, history)).await;
    }

    /// Waits for the first frame `predicate` accepts.
    pub async fn wait_frame(&self, predicate: &JsValue, what: &str) -> JsValue {
        wait(self.wait_for_js(predicate, WAIT_MS, what)).await
    }

    /// This peer's socket id: it sends a public message to `channel` (which it must have joined)
    /// and reads the sender of its own echo.
    pub async fn socket_id(&self, channel: &str) -> String {
        let tag = format!("whoami-{}", js_sys::Math::random());
        self.send(
            "message",
            channel,
            &js(&format!("{{\"whoami\":{tag:?}}}")),
            &JsValue::UNDEFINED,
        );
        let echo = self
            .wait_frame(
                &pred(&format!(
                    "return f.action === 'message' && f.payload && f.payload.whoami === {tag:?}"
                )),
                "its own echo",
            )
            .await;
        path(&echo, &["client", "socketId"]).as_string().unwrap()
    }
}

/// Asserts that a call threw a JS error of class `class` whose message mentions `mentions`.
pub fn expect_error(result: Result<impl std::fmt::Debug, JsValue>, class: &str, mentions: &str) {
    let err = result.expect_err("the call must throw");
    assert_eq!(error_name(&err), class, "{}", error_message(&err));
    let message = error_message(&err);
    assert!(
        message.contains(mentions),
        "{message:?} should mention {mentions:?}"
    );
}

/// Two queue channels of one database, 1,500 sends each stored alternately during an outage:
/// each channel flushes all of its own, in order, once. Every chunk a flush reads holds the other
/// channel's frames too, and each channel's queue spans several chunks.
pub async fn two_channels_queued_alternately_flush_all_in_order(database: &str) {
    const N: u32 = 1500;
    configure_queue(database, 10_000);
    let tag = format!("{}", (js_sys::Math::random() * 1e9) as u64);
    let a = open(&format!("queue-alt-a-{tag}"), true, false, true);
    let b = open(&format!("queue-alt-b-{tag}"), true, false, true);
    next_frame(&a, "presence_full", &JsValue::NULL).await;
    next_frame(&b, "presence_full", &JsValue::NULL).await;
    let echoes_a = record(&a, "message");
    let echoes_b = record(&b, "message");
    admin("POST", "/admin/refuse?ms=1000", None).await;
    let down = state_becomes("reconnecting");
    admin("POST", "/admin/drop", None).await;
    down.await;
    let outcomes = wait(send_alternating(&a, &b, "alt", N)).await;
    assert!(json(&outcomes).split(',').all(|o| o.contains("queued")));
    let drained_a = next_frame(&a, "queue", &pred("return f.payload.pending === 0"));
    let drained_b = next_frame(&b, "queue", &pred("return f.payload.pending === 0"));
    echo_of(&a, "alt", N - 1).await;
    echo_of(&b, "alt", N - 1).await;
    drained_a.await;
    drained_b.await;
    for (name, echoes) in [("a", &echoes_a), ("b", &echoes_b)] {
        let seqs: Vec<f64> = echoes
            .frames()
            .iter()
            .filter_map(|f| path(&f, &["payload", "seq"]).as_f64())
            .collect();
        assert_eq!(
            seqs,
            (0..N).map(f64::from).collect::<Vec<_>>(),
            "channel {name}"
        );
    }
    let stats = admin("GET", "/admin/stats", None).await;
    for ch in [&a, &b] {
        let counted = path(&stats, &["channels", &ch.name(), "messages"]).as_f64();
        assert_eq!(counted, Some(f64::from(N)), "server count of {}", ch.name());
    }
    a.close();
    b.close();
}
