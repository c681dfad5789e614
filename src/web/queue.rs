//! The offline queue in the browser: storing queued frames (IndexedDB through `store.js`, or
//! memory when IndexedDB is unavailable), flushing them in order once the channel is joined, and
//! the `queue` events. The ordering rules are the core's; this module only moves frames.
//!
//! A flush holds a Web Lock named after the database and the channel, so only one tab of the
//! origin flushes a channel at a time. It reads the oldest frames (64 at a time), sends them, and
//! deletes each only once the server has confirmed it: the protocol has no acknowledgements, but
//! the server processes a socket's frames in order and echoes a public message to its sender, so
//! the echo of a frame confirms it and every frame before it (`sendBatch` in store.js). A socket
//! lost mid-flush therefore loses nothing. What remains: a frame the server processed whose echo
//! was lost with the socket, or that left just before the page was killed, is sent again (at
//! least once, never lost); private and authenticated-only messages after the last public one in
//! a batch are confirmed when the socket has handed them to the network.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};

use super::glue;
use super::runtime::{run_outputs, with_rt};
use crate::core::ClientError;

/// Frames read from the store per round of a flush.
const FLUSH_BATCH: u32 = 64;

#[wasm_bindgen(module = "/src/web/store.js")]
extern "C" {
    /// One database of queued frames (`store.js`).
    #[derive(Clone)]
    pub type QueueStore;
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str) -> QueueStore;
    #[wasm_bindgen(method)]
    fn persisted(this: &QueueStore) -> Promise;
    #[wasm_bindgen(method)]
    fn append(this: &QueueStore, channel: &str, frame: &JsValue) -> Promise;
    #[wasm_bindgen(method)]
    fn read(this: &QueueStore, channel: &str, limit: u32) -> Promise;
    #[wasm_bindgen(method)]
    fn remove(this: &QueueStore, keys: &Array) -> Promise;
    #[wasm_bindgen(method)]
    fn count(this: &QueueStore, channel: &str) -> Promise;
    #[wasm_bindgen(js_name = sendBatch)]
    fn send_batch(ws: &web_sys::WebSocket, slot: &JsValue, frames: &Array) -> Promise;
    #[wasm_bindgen(js_name = withLock)]
    fn with_lock(name: &str, run: &Function) -> Promise;
}

/// Stores a frame the core queued; resolves `"queued"` once it is committed, or rejects (and
/// frees its place in the queue) when storing failed.
pub fn store_frame(channel: &str, frame: &JsValue) -> Promise {
    let stored = with_rt(|rt| rt.queue_store()).append(channel, frame);
    let channel = channel.to_owned();
    future_to_promise(async move {
        match JsFuture::from(stored).await {
            Ok(_) => Ok(JsValue::from_str("queued")),
            Err(e) => {
                with_rt(|rt| rt.core.queue_store_failed(&channel));
                run_outputs();
                let reason = glue::error_text(&e);
                Err(super::read::to_js_error(&ClientError::QueueStorage {
                    channel,
                    reason,
                }))
            }
        }
    })
}

/// The number of `channel`'s frames in the store.
pub fn count(channel: &str) -> Promise {
    with_rt(|rt| rt.queue_store()).count(channel)
}

/// Counts what the store holds for a channel just opened with `queueOfflineActions` (left by an
/// earlier page or another tab), so `pending` and the `queue` events start from the truth.
pub fn count_backlog(channel: String) {
    let as_of = with_rt(|rt| rt.core.last_queued(&channel));
    let counted = count(&channel);
    spawn_local(async move {
        if let Some(n) = JsFuture::from(counted).await.ok().and_then(|v| v.as_f64()) {
            with_rt(|rt| rt.core.queue_counted(&channel, n as u32, as_of));
            run_outputs();
        }
    });
}

/// Tells the channel's `queue` listeners the current count, once per tick however many changes.
pub fn announce(channel: String) {
    let first = with_rt(|rt| {
        let first = !rt.queue_events_due.contains(&channel);
        if first {
            rt.queue_events_due.push(channel.clone());
        }
        first
    });
    if !first {
        return;
    }
    let store = with_rt(|rt| rt.queue_store());
    spawn_local(async move {
        let persisted = JsFuture::from(store.persisted())
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let target = with_rt(|rt| {
            rt.queue_events_due.retain(|c| *c != channel);
            let pending = rt.core.pending(&channel)?;
            let shell = rt.core.shell_data(&channel)?;
            Some((pending, shell.slot.clone()))
        });
        if let Some((pending, slot)) = target {
            let frame = glue::queue_frame(&channel, pending, persisted);
            super::router::deliver(&slot, "queue", &frame);
        }
    });
}

/// Starts flush `flush` of `channel` (an `Output::FlushQueue`).
pub fn start_flush(channel: String, flush: u64) {
    let (store, lock) = with_rt(|rt| {
        let db = rt
            .core
            .config()
            .map_or("", |c| c.queue_database.as_str())
            .to_owned();
        (rt.queue_store(), format!("xano-realtime:{db}:{channel}"))
    });
    let run = Closure::once_into_js(move || {
        future_to_promise(async move {
            flush_locked(&store, &channel, flush).await;
            Ok(JsValue::UNDEFINED)
        })
    });
    let locked = with_lock(&lock, run.unchecked_ref());
    spawn_local(async move {
        let _ = JsFuture::from(locked).await;
    });
}

async fn flush_locked(store: &QueueStore, channel: &str, flush: u64) {
    // Every frame this page queued up to here was appended to the store before this read.
    let covers = with_rt(|rt| rt.core.last_queued(channel));
    let emptied = loop {
        let Ok(batch) = JsFuture::from(store.read(channel, FLUSH_BATCH)).await else {
            break false;
        };
        let batch: Array = batch.unchecked_into();
        let keys: Array = batch.get(0).unchecked_into();
        let frames: Array = batch.get(1).unchecked_into();
        if keys.length() == 0 {
            break true;
        }
        // One check for the whole batch: nothing can change while it is sent (one JS task).
        let Some((ws, slot)) = with_rt(|rt| {
            let ws = rt
                .core
                .flush_socket(channel, flush)
                .and_then(|socket| rt.websocket(socket))?;
            let slot = rt.core.shell_data(channel)?.slot.clone();
            Some((ws, slot))
        }) else {
            break false;
        };
        let handed = JsFuture::from(send_batch(&ws, &slot, &frames))
            .await
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as u32;
        if handed > 0
            && JsFuture::from(store.remove(&keys.slice(0, handed)))
                .await
                .is_err()
        {
            break false;
        }
        let sent = handed;
        if sent < keys.length() {
            break false;
        }
    };
    let as_of = with_rt(|rt| rt.core.last_queued(channel));
    let remaining = JsFuture::from(store.count(channel))
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .map(|n| n as u32);
    with_rt(|rt| {
        let remaining = remaining.unwrap_or_else(|| rt.core.pending(channel).unwrap_or(0));
        rt.core
            .flush_finished(channel, flush, covers, emptied, remaining, as_of)
    });
    run_outputs();
}
