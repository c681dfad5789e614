//! Bindings to `router.js`: the JS-side routing table that mirrors the core's open channels, the
//! app's listeners, and the inbound fast path. See `router.js` for what runs where.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/router.js")]
extern "C" {
    /// A channel's entry in the routing table: its name and its listeners.
    #[derive(Clone)]
    pub type Slot;
    #[wasm_bindgen(js_name = openSlot)]
    pub fn open_slot(name: &str) -> Slot;
    #[wasm_bindgen(js_name = closeSlot)]
    pub fn close_slot(slot: &Slot);
    #[wasm_bindgen(js_name = addListener)]
    pub fn add_listener(slot: &Slot, action: &str, cb: &js_sys::Function);
    #[wasm_bindgen(js_name = removeListener)]
    pub fn remove_listener(slot: &Slot, action: &str, cb: &js_sys::Function);
    /// A function that removes `cb` once, however often it is called (what `on` returns).
    #[wasm_bindgen(js_name = listenerRemover)]
    pub fn listener_remover(slot: &Slot, action: &str, cb: &js_sys::Function) -> js_sys::Function;
    #[wasm_bindgen(js_name = listenerCount)]
    pub fn listener_count() -> u32;
    pub fn deliver(slot: &Slot, action: &str, frame: &JsValue);
    #[wasm_bindgen(js_name = deliverAll)]
    pub fn deliver_all(action: &str, frame: &JsValue);
    #[wasm_bindgen(js_name = countNotOpen)]
    pub fn count_not_open();
    pub fn malformed(what: &str);
    /// The socket's `onmessage` handler around the Rust slow path.
    pub fn inbound(slow: &JsValue) -> js_sys::Function;

    /// `[frames, malformed, notOpen]` from router.js's counters.
    #[wasm_bindgen(js_name = counterValues)]
    pub fn counter_values() -> Vec<f64>;
}
