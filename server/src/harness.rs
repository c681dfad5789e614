//! The hub without sockets: text and binary frames are fed as if connections had sent them, and
//! what each connection would receive is collected. For fuzzing (`fuzz/`) and the hostile-input
//! tests of the frame handling; the real server drives the same [`Shared`] from its socket tasks.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;

use crate::config::{Config, Identity};
use crate::hub::{ClientInfo, Control, Shared};

/// Frames a harness connection may have waiting before it counts as too slow (as in the server).
const QUEUE: usize = 4096;

struct Endpoint {
    frames: mpsc::Receiver<Utf8Bytes>,
    control: mpsc::UnboundedReceiver<Control>,
}

/// A hub and its connections, driven synchronously.
pub struct Harness {
    shared: Shared,
    endpoints: HashMap<String, Endpoint>,
}

impl Harness {
    /// A hub with this configuration and no connection.
    pub fn new(config: Config) -> Self {
        Harness {
            shared: Shared::new(config, "dev".into(), QUEUE, Duration::from_secs(1)),
            endpoints: HashMap::new(),
        }
    }

    /// Connects a client with this socket id, anonymous (`None`) or with an identity.
    pub fn connect(&mut self, socket_id: &str, identity: Option<&Identity>) {
        let (tx, frames) = mpsc::channel(QUEUE);
        let (ctl, control) = mpsc::unbounded_channel();
        let client = Arc::new(ClientInfo::new(socket_id.to_owned(), identity));
        self.shared.register(client, tx, ctl);
        self.endpoints
            .insert(socket_id.to_owned(), Endpoint { frames, control });
    }

    /// The connection sent this text frame.
    pub fn text(&self, socket_id: &str, text: &str) {
        self.shared.handle_text(socket_id, text);
    }

    /// The connection sent a binary frame (the server refuses every one).
    pub fn binary(&self, socket_id: &str) {
        self.shared.refuse_frame(
            socket_id,
            "Binary frames are not supported; send JSON text frames.",
        );
    }

    /// The connection went away.
    pub fn disconnect(&mut self, socket_id: &str) {
        self.shared.unregister(socket_id);
        self.endpoints.remove(socket_id);
    }

    /// Takes the frames the connection received since the last call.
    pub fn received(&mut self, socket_id: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(e) = self.endpoints.get_mut(socket_id) {
            while let Ok(f) = e.frames.try_recv() {
                out.push(f.as_str().to_owned());
            }
        }
        out
    }

    /// Whether the hub asked to close or drop the connection (e.g. its queue overflowed).
    pub fn was_closed(&mut self, socket_id: &str) -> bool {
        self.endpoints
            .get_mut(socket_id)
            .is_some_and(|e| e.control.try_recv().is_ok())
    }
}
