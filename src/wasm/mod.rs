//! The core's wasm exports (wasm32 only): plain numeric functions that the JavaScript shell
//! (`js/shell/core.js`) calls directly on the instance's exports, without generated glue.
//!
//! The protocol: the shell calls an input (`xr_open`, `xr_socket_closed`, …), then `xr_take`,
//! which writes the outputs the input caused into a buffer of `u32` words and returns their
//! number; `xr_out` is the buffer's address. Every output is five words `[op, a, b, c, d]`
//! (see [`encode`]). No string ever crosses.

#[cfg(not(feature = "std"))]
mod alloc_impl;

use alloc::vec::Vec;
use core::cell::UnsafeCell;

use crate::core::hooks::{self, ClickAction, Hooks, PageEvent};
use crate::core::share::Holders;
use crate::core::{Client, Output, QueueError, Settings};

// The crate must depend on wasm-bindgen for `wasm-bindgen`/`wasm-pack` to process the module
// (its intrinsics and `init()`); nothing here calls into JavaScript.
use wasm_bindgen as _;

#[cfg(not(feature = "std"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // Formats nothing, so no formatting machinery is linked. No code path is meant to panic.
    core::arch::wasm32::unreachable()
}

struct State {
    client: Client,
    hooks: Hooks,
    holders: Holders,
    out: Vec<u32>,
}

struct Global(UnsafeCell<Option<State>>);

// wasm32 without threads: one thread, and no export calls back into JavaScript, so an export's
// borrow of the state never overlaps another's.
unsafe impl Sync for Global {}

static STATE: Global = Global(UnsafeCell::new(None));

fn state() -> &'static mut State {
    // SAFETY: see `Global`; each export takes this borrow once.
    unsafe {
        (*STATE.0.get()).get_or_insert_with(|| State {
            client: Client::new(0),
            hooks: Hooks::default(),
            holders: Holders::default(),
            out: Vec::new(),
        })
    }
}

fn client() -> &'static mut Client {
    &mut state().client
}

/// Output operation codes (the first word of each output).
mod op {
    pub const OPEN: u32 = 1;
    pub const CLOSE: u32 = 2;
    pub const JOIN: u32 = 3;
    pub const LEAVE: u32 = 4;
    pub const TIMER: u32 = 5;
    pub const CANCEL_TIMER: u32 = 6;
    pub const STATUS: u32 = 7;
    pub const STATE: u32 = 8;
    pub const MODE: u32 = 9;
    pub const FLUSH: u32 = 10;
    pub const PENDING: u32 = 11;
    pub const REQUEUE: u32 = 12;
    pub const HOOK: u32 = 13;
    pub const LINGER: u32 = 14;
    pub const DRAIN: u32 = 15;
    pub const UNHELD: u32 = 16;
}

/// "No value" in an optional word.
const NONE: u32 = u32::MAX;

/// The five words of an output.
fn encode(output: Output) -> [u32; 5] {
    match output {
        Output::OpenSocket(s) => [op::OPEN, s, 0, 0, 0],
        Output::CloseSocket(s, code) => [op::CLOSE, s, u32::from(code), 0, 0],
        Output::Join(s, ch) => [op::JOIN, s, ch, 0, 0],
        Output::Leave(s, ch) => [op::LEAVE, s, ch, 0, 0],
        Output::Timer(t, delay) => [op::TIMER, t, delay, 0, 0],
        Output::CancelTimer => [op::CANCEL_TIMER, 0, 0, 0, 0],
        Output::Status(ch, up) => [op::STATUS, ch.unwrap_or(0), u32::from(up), 0, 0],
        Output::State(s) => [
            op::STATE,
            s.state as u32 | (s.reason as u32) << 8,
            s.attempt,
            s.delay_ms.unwrap_or(NONE),
            s.code.map_or(0, u32::from),
        ],
        Output::Mode(ch, m) => [
            op::MODE,
            ch,
            u32::from(m.joined) | u32::from(m.direct) << 1,
            0,
            0,
        ],
        Output::Flush(ch, f) => [op::FLUSH, ch, f, 0, 0],
        Output::Pending(ch, n) => [op::PENDING, ch, n, 0, 0],
        Output::Requeue(ch) => [op::REQUEUE, ch, 0, 0, 0],
        Output::Linger(ch) => [op::LINGER, ch, 0, 0, 0],
        Output::Drain(s) => [op::DRAIN, s, 0, 0, 0],
    }
}

/// Writes the outputs of the last input into the output buffer; returns the number of words.
#[no_mangle]
pub extern "C" fn xr_take() -> u32 {
    let st = state();
    st.out.clear();
    for output in st.client.take_outputs() {
        st.out.extend_from_slice(&encode(output));
    }
    st.out.len() as u32
}

/// The address of the output buffer that `xr_take` filled.
#[no_mangle]
pub extern "C" fn xr_out() -> *const u32 {
    state().out.as_ptr()
}

/// Seeds the reconnect jitter (from `Math.random()`); called once when the shell attaches.
#[no_mangle]
pub extern "C" fn xr_init(seed: f64) {
    state().client = Client::new((seed * 9_007_199_254_740_991.0) as u64);
}

fn optional(n: f64) -> Option<f64> {
    if n.is_nan() {
        None
    } else {
        Some(n)
    }
}

/// Applies the settings (NaN: not given). Returns 0, or the [`crate::core::ConfigError`] code.
#[no_mangle]
pub extern "C" fn xr_configure(min_delay_ms: f64, max_delay_ms: f64, max_actions: f64) -> u32 {
    match Settings::check(
        optional(min_delay_ms),
        optional(max_delay_ms),
        optional(max_actions),
    ) {
        Ok(settings) => {
            client().configure(settings);
            0
        }
        Err(e) => e as u32,
    }
}

/// The token changed (the shell keeps it): reconnect as the new identity.
#[no_mangle]
pub extern "C" fn xr_token_changed() {
    client().token_changed();
}

/// Opens a channel (`queue`: 1 with `queueOfflineActions`); returns its id.
#[no_mangle]
pub extern "C" fn xr_open(queue: u32) -> u32 {
    client().open_channel(queue != 0)
}

/// Closes channel `ch`; returns 1 if it was open.
#[no_mangle]
pub extern "C" fn xr_close(ch: u32) -> u32 {
    u32::from(client().close_channel(ch))
}

/// Socket `socket` opened.
#[no_mangle]
pub extern "C" fn xr_socket_opened(socket: u32) {
    client().socket_opened(socket);
}

/// Socket `socket` closed with `code` at time `now` (ms).
#[no_mangle]
pub extern "C" fn xr_socket_closed(socket: u32, code: u32, now: f64) {
    client().socket_closed(socket, code.min(u32::from(u16::MAX)) as u16, now);
}

/// Socket `socket` carried nothing back for a while although the server owed an answer (time
/// `now`, ms).
#[no_mangle]
pub extern "C" fn xr_socket_silent(socket: u32, now: f64) {
    client().socket_silent(socket, now);
}

/// Ends the wait after a `DRAIN` output (`confirmed` 1: nothing awaits an echo; 0: the tab gives
/// the socket up); 1 when the socket kept for the echoes is closed.
#[no_mangle]
pub extern "C" fn xr_drained(confirmed: u32) -> u32 {
    u32::from(client().drained(confirmed != 0))
}

/// Timer `timer` fired at time `now` (ms).
#[no_mangle]
pub extern "C" fn xr_timer(timer: u32, now: f64) {
    client().timer_fired(timer, now);
}

/// The browser went offline.
#[no_mangle]
pub extern "C" fn xr_offline() {
    client().browser_offline();
}

/// The browser is online.
#[no_mangle]
pub extern "C" fn xr_online() {
    client().browser_online();
}

/// The page became visible.
#[no_mangle]
pub extern "C" fn xr_visible() {
    client().page_visible();
}

/// The connection state (`ConnectionState` as a number).
#[no_mangle]
pub extern "C" fn xr_state() -> u32 {
    client().state() as u32
}

/// Queues a message on `ch`: 0 when counted (store it now), else the `QueueError` code.
#[no_mangle]
pub extern "C" fn xr_enqueue(ch: u32) -> u32 {
    match client().enqueue(ch) {
        Ok(()) => 0,
        Err(e) => e as u32,
    }
}

/// Storing a message `xr_enqueue` counted failed.
#[no_mangle]
pub extern "C" fn xr_store_failed(ch: u32) {
    client().store_failed(ch);
}

/// The store holds `stored` of `ch`'s actions, counted when `xr_last_queued` was `as_of`.
#[no_mangle]
pub extern "C" fn xr_counted(ch: u32, stored: u32, as_of: u32) {
    client().queue_counted(ch, stored, as_of);
}

/// The sequence number of the last action queued on `ch`.
#[no_mangle]
pub extern "C" fn xr_last_queued(ch: u32) -> u32 {
    client().last_queued(ch)
}

/// Flush `flush` of `ch` ended (see `Client::flush_finished`).
#[no_mangle]
pub extern "C" fn xr_flush_done(
    ch: u32,
    flush: u32,
    covers: u32,
    emptied: u32,
    remaining: u32,
    as_of: u32,
) {
    client().flush_finished(ch, flush, covers, emptied != 0, remaining, as_of);
}

/// `bindOnClick`: 1 when a click with `action` (0 open, 1 close, 2 toggle) opens a channel that
/// `is_open` (1) or not, 0 when it closes it.
#[no_mangle]
pub extern "C" fn xr_click(action: u32, is_open: u32) -> u32 {
    let action = match action {
        0 => ClickAction::Open,
        1 => ClickAction::Close,
        _ => ClickAction::Toggle,
    };
    u32::from(hooks::click_opens(action, is_open != 0))
}

/// `onPageLoad` for the channel under `key`: 1 to open it now.
#[no_mangle]
pub extern "C" fn xr_page_load(key: u32, document_loaded: u32) -> u32 {
    u32::from(state().hooks.page_load(key, document_loaded != 0))
}

/// A page event (0 loaded, 1 pagehide, 2 pageshow from the cache): writes one `HOOK` output
/// `[13, key, open]` per channel to open or close, and returns the number of words.
#[no_mangle]
pub extern "C" fn xr_page_event(event: u32) -> u32 {
    let event = match event {
        0 => PageEvent::Loaded,
        1 => PageEvent::Hide,
        _ => PageEvent::ShowFromCache,
    };
    let st = state();
    let (keys, open) = st.hooks.page_event(event);
    st.out.clear();
    for key in keys {
        st.out
            .extend_from_slice(&[op::HOOK, *key, u32::from(open), 0, 0]);
    }
    st.out.len() as u32
}

/// `onAppLoad` for the channel under `key`: 1 to open it (the first time only).
#[no_mangle]
pub extern "C" fn xr_app_load(key: u32) -> u32 {
    u32::from(state().hooks.app_load(key))
}

/// The open `xr_app_load` asked for failed.
#[no_mangle]
pub extern "C" fn xr_app_failed(key: u32) {
    state().hooks.app_open_failed(key);
}

/// Shared connection (leader): tab `tab` holds channel `ch`; 1 when it had no holder before.
#[no_mangle]
pub extern "C" fn xr_hold(ch: u32, tab: u32) -> u32 {
    u32::from(state().holders.hold(ch, tab))
}

/// Shared connection (leader): tab `tab` lets go of channel `ch`; 1 when nobody holds it now.
#[no_mangle]
pub extern "C" fn xr_release(ch: u32, tab: u32) -> u32 {
    u32::from(state().holders.release(ch, tab))
}

/// Shared connection (leader): tab `tab` went away. Writes one `UNHELD` output `[16, ch]` per
/// channel nobody holds now and returns the number of words.
#[no_mangle]
pub extern "C" fn xr_release_tab(tab: u32) -> u32 {
    let st = state();
    st.out.clear();
    for ch in st.holders.release_tab(tab) {
        st.out.extend_from_slice(&[op::UNHELD, ch, 0, 0, 0]);
    }
    st.out.len() as u32
}

// Keeps `QueueError` codes and the JS side in step (js/shell/core.js reads them as numbers).
const _: () = assert!(QueueError::Closed as u32 == 1 && QueueError::Full as u32 == 2);

/// The instance's exports, with every `xr_` function among them, for a harness that links this
/// crate as a library (the browser tests): a library's exports are linked only when referenced,
/// and this references them all. The package's `init()` does not need it.
#[doc(hidden)]
pub fn exports_for_tests() -> wasm_bindgen::JsValue {
    let functions: [*const (); 29] = [
        xr_take as *const (),
        xr_out as *const (),
        xr_init as *const (),
        xr_configure as *const (),
        xr_token_changed as *const (),
        xr_open as *const (),
        xr_close as *const (),
        xr_socket_opened as *const (),
        xr_socket_closed as *const (),
        xr_socket_silent as *const (),
        xr_drained as *const (),
        xr_timer as *const (),
        xr_offline as *const (),
        xr_online as *const (),
        xr_visible as *const (),
        xr_state as *const (),
        xr_enqueue as *const (),
        xr_store_failed as *const (),
        xr_counted as *const (),
        xr_last_queued as *const (),
        xr_flush_done as *const (),
        xr_click as *const (),
        xr_page_load as *const (),
        xr_page_event as *const (),
        xr_app_load as *const (),
        xr_app_failed as *const (),
        xr_hold as *const (),
        xr_release as *const (),
        xr_release_tab as *const (),
    ];
    core::hint::black_box(functions);
    wasm_bindgen::exports()
}
