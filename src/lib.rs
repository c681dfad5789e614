//! xano-realtime: a browser client for Xano realtime channels.
pub mod core;
