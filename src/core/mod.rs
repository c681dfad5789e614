//! The platform-independent client core: every decision the client makes, with no I/O, no clock
//! and no JavaScript types, so it is tested natively with `cargo test`. It uses only `core` and
//! `alloc`, so the wasm build needs no standard library.

pub mod backoff;
pub mod client;
pub mod close_code;
pub mod config;
pub mod hooks;
pub mod queue;
pub mod share;

#[cfg(test)]
mod client_tests;

pub use client::{
    ChannelId, Client, ConnectionState, Mode, Output, QueueError, Reason, SocketId, StateChange,
    TimerId,
};
pub use config::{ConfigError, Settings};
