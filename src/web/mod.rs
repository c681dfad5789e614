//! The browser shell (wasm32 only): WebSocket, timers, browser events and the app's listeners,
//! around the platform-independent core.

pub mod glue;
pub mod hooks;
pub mod queue;
pub mod read;
pub mod router;
pub mod runtime;
