//! xano-realtime: open and close Xano realtime channels from a browser app, over one WebSocket,
//! with presence, history on join and an offline queue.
//!
//! The crate is the client's **core**: every decision (connection states, reconnect backoff,
//! close codes, joins, the offline queue's order, the lifecycle hooks' rules), platform
//! independent and tested natively. Compiled to wasm it is driven by the JavaScript **shell**
//! and **API** in `js/` (WebSocket, timers, IndexedDB, listeners, argument checks) through the
//! numeric exports of `wasm` (wasm32 only): numbers in, a list of [`core::Output`]s out, so no
//! string crosses the boundary per frame or per message.
//!
//! Without the `std` feature the wasm build has no standard library: its own small allocator and
//! a panic handler that formats nothing (a panic cannot happen by design; it would trap).

#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

pub mod core;

#[cfg(target_arch = "wasm32")]
mod wasm;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub use wasm::exports_for_tests;
