//! The platform-independent client core: every decision the client makes, with no I/O, no clock
//! and no JavaScript types, so it is tested natively with `cargo test`.

pub mod backoff;
pub mod client;
pub mod close_code;
pub mod config;
pub mod error;
pub mod frame;
pub mod presence;

#[cfg(test)]
mod client_tests;

pub use client::{
    ChannelOptions, Client, ConnectionState, MessageDecision, MessageOutcome, Opened, Output,
    Route, SocketId, StateDetail, TimerId,
};
pub use config::{Config, ConfigInput};
pub use error::{ClientError, ErrorKind};
pub use frame::MessageOptions;
