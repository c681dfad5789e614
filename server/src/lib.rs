//! A local Xano-compatible realtime server (the legacy `/rt/` protocol) for development and tests.
//!
//! The binary `xano-realtime-server` wraps [`start`]; tests and tools can start a server in-process:
//!
//! ```no_run
//! # async fn demo() -> Result<(), String> {
//! let mut options = xano_realtime_server::ServerOptions::default();
//! options.listen = "127.0.0.1:0".parse().map_err(|_| "addr")?;
//! let server = xano_realtime_server::start(options).await?;
//! println!("{}", server.ws_url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod cli;
pub mod config;
pub mod hub;
pub mod server;

pub use config::{Access, ChannelRule, Config, Identity, RowId};
pub use hub::{ChannelStats, Stats, MAX_FRAME_BYTES};
pub use server::{start, RunningServer, ServerOptions};

/// Resolves when the process receives SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
