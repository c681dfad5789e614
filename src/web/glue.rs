//! Bindings to `glue.js` and to the few browser functions web-sys does not cover as needed.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/glue.js")]
extern "C" {
    /// The text of a `message` frame (a JS string, never copied into wasm); throws a TypeError
    /// when JSON cannot encode the payload.
    #[wasm_bindgen(js_name = messageFrame, catch)]
    pub fn message_frame(
        channel: &JsValue,
        payload: &JsValue,
        authenticated: bool,
        socket_id: Option<String>,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = presenceList)]
    pub fn presence_list(frame: &JsValue) -> Option<js_sys::Array>;
    #[wasm_bindgen(js_name = presenceChange)]
    pub fn presence_change(frame: &JsValue) -> Option<js_sys::Array>;
    #[wasm_bindgen(js_name = connectionStatusFrame)]
    pub fn connection_status_frame(connected: bool) -> JsValue;
    #[wasm_bindgen(js_name = queueFrame)]
    pub fn queue_frame(channel: &str, pending: u32, persisted: bool) -> JsValue;
    #[wasm_bindgen(js_name = addStateListener)]
    pub fn add_state_listener(cb: &js_sys::Function) -> js_sys::Function;
    #[wasm_bindgen(js_name = stateListenerCount)]
    pub fn state_listener_count() -> u32;
    #[wasm_bindgen(js_name = emitState)]
    pub fn emit_state(
        state: &str,
        attempt: u32,
        delay_ms: Option<u32>,
        code: Option<u16>,
        reason: &str,
    );
    /// `ws.send(text)` with a JS string, so frame text built in JS is not copied through wasm.
    #[wasm_bindgen(js_name = sendText, catch)]
    pub fn send_text(ws: &web_sys::WebSocket, text: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = errorText)]
    pub fn error_text(e: &JsValue) -> String;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout_with_arg(handler: &js_sys::Function, ms: u32, arg: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(handle: &JsValue);
}
