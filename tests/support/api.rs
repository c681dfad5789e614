//! The package's JavaScript API (`js/index.js`) as the browser tests call it, attached to this
//! test binary's instance of the wasm core. It is loaded as one module bundled from `js/testing.js`
//! by `scripts/test-browser.sh` (Chromium sometimes hangs loading a graph of many small modules
//! from the test runner's server; one module loads reliably).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/target/js-test/xano_realtime.js")]
extern "C" {
    fn attach(exports: JsValue);
    #[wasm_bindgen(catch, js_name = configure)]
    fn configure_js(config: JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = setAuthToken)]
    fn set_auth_token_js(token: JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = openChannel)]
    fn open_channel_js(name: JsValue, options: Option<JsValue>) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = closeChannel)]
    fn close_channel_js(name: JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = getChannel)]
    fn get_channel_js(name: JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = connectionState)]
    fn connection_state_js() -> JsValue;
    #[wasm_bindgen(catch, js_name = onConnectionState)]
    fn on_connection_state_js(cb: JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = clientStats)]
    fn client_stats_js() -> JsValue;
    #[wasm_bindgen(catch, js_name = bindOnClick)]
    fn bind_on_click_js(
        target: JsValue,
        action: JsValue,
        channel: JsValue,
        options: Option<JsValue>,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = onPageLoad)]
    fn on_page_load_js(channel: JsValue, options: Option<JsValue>) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = onAppLoad)]
    fn on_app_load_js(channel: JsValue, options: Option<JsValue>) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = bindDeclarative)]
    fn bind_declarative_js(root: Option<JsValue>) -> Result<JsValue, JsValue>;
}

/// Attaches the JavaScript shell to this test binary's wasm core (idempotent).
pub fn boot() {
    attach(xano_realtime::exports_for_tests());
}

/// `configure(config)`.
pub fn configure(config: JsValue) -> Result<(), JsValue> {
    boot();
    configure_js(config)
}

/// `setAuthToken(token)`.
pub fn set_auth_token(token: JsValue) -> Result<(), JsValue> {
    boot();
    set_auth_token_js(token)
}

/// `openChannel(name, options)`.
pub fn open_channel(name: JsValue, options: Option<JsValue>) -> Result<JsValue, JsValue> {
    boot();
    open_channel_js(name, options)
}

/// `closeChannel(name)`.
pub fn close_channel(name: JsValue) -> Result<(), JsValue> {
    boot();
    close_channel_js(name)
}

/// `getChannel(name)`.
pub fn get_channel(name: JsValue) -> Result<JsValue, JsValue> {
    boot();
    get_channel_js(name)
}

/// `connectionState()`.
pub fn connection_state() -> JsValue {
    boot();
    connection_state_js()
}

/// `onConnectionState(cb)`.
pub fn on_connection_state(cb: JsValue) -> Result<JsValue, JsValue> {
    boot();
    on_connection_state_js(cb)
}

/// `clientStats()`.
pub fn client_stats() -> JsValue {
    boot();
    client_stats_js()
}

/// `bindOnClick(target, action, channel, options)`.
pub fn bind_on_click(
    target: JsValue,
    action: JsValue,
    channel: JsValue,
    options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    boot();
    bind_on_click_js(target, action, channel, options)
}

/// `onPageLoad(channel, options)`.
pub fn on_page_load(channel: JsValue, options: Option<JsValue>) -> Result<(), JsValue> {
    boot();
    on_page_load_js(channel, options)
}

/// `onAppLoad(channel, options)`.
pub fn on_app_load(channel: JsValue, options: Option<JsValue>) -> Result<(), JsValue> {
    boot();
    on_app_load_js(channel, options)
}

/// `bindDeclarative(root)`.
pub fn bind_declarative(root: Option<JsValue>) -> Result<JsValue, JsValue> {
    boot();
    bind_declarative_js(root)
}
