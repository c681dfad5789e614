//! xano-realtime: open and close Xano realtime channels from a browser app, over one WebSocket,
//! with presence, history on join and an offline queue.
//!
//! - [`core`]: every decision, platform-independent and tested natively.
//! - `web` (wasm32 only): the browser shell around the core (WebSocket, timers, listeners).
//! - `api` (wasm32 only): the JavaScript exports (`configure`, `openChannel`, `Channel`, …).
//! - `api_hooks` (wasm32 only): the lifecycle hooks (`bindOnClick`, `onPageLoad`, `onAppLoad`,
//!   `bindDeclarative`).

pub mod core;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod api_hooks;
/// The browser shell. Public only so that the browser tests can check its JavaScript glue against
/// the core; not part of the API.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub use api::*;
#[cfg(target_arch = "wasm32")]
pub use api_hooks::*;
