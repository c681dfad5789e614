//! Bindings to `glue.js` and to the few browser functions web-sys does not cover as needed.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = decodeFrame)]
    pub fn decode_frame(data: &JsValue) -> Option<js_sys::Object>;
    #[wasm_bindgen(js_name = frameChannel)]
    pub fn frame_channel(frame: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = frameAction)]
    pub fn frame_action(frame: &JsValue) -> String;
    #[wasm_bindgen(js_name = encodePayload, catch)]
    pub fn encode_payload(value: &JsValue) -> Result<String, JsValue>;
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
    pub fn unsubscriber(
        target: &JsValue,
        method: &str,
        a: &JsValue,
        b: &JsValue,
    ) -> js_sys::Function;
    #[wasm_bindgen(js_name = callListener)]
    pub fn call_listener(cb: &js_sys::Function, arg: &JsValue);
    pub fn sleep(ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = errorText)]
    pub fn error_text(e: &JsValue) -> String;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout_with_arg(handler: &js_sys::Function, ms: u32, arg: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(handle: &JsValue);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub fn console_warn(message: &str);
}
