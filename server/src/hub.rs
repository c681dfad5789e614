//! Connections, channels, and the protocol logic. Everything here is synchronous: the hub lock is
//! held only to update state and to *queue* frames (`try_send`), never while writing to a socket.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tracing::{info, warn};

use crate::config::{Access, ChannelRule, Config, Identity, RowId};

/// Largest frame a client may send; bigger frames are answered with an `error` frame.
pub const MAX_FRAME_BYTES: usize = 256 * 1024;
/// Longest accepted channel name, in bytes.
pub const MAX_CHANNEL_NAME: usize = 1024;

/// What the hub asks a connection task to do.
#[derive(Debug, Clone)]
pub(crate) enum Control {
    /// Drop the TCP stream without a close frame.
    Drop,
    /// Send a close frame with this code and reason, then end.
    Close(u16, String),
}

/// A connected client as the protocol shows it (`CLIENT`).
#[derive(Debug)]
pub struct ClientInfo {
    /// Random, unguessable id (32 hex digits).
    pub socket_id: Arc<str>,
    /// Connected with a token the config knows.
    pub authenticated: bool,
    /// The serialized `CLIENT` object.
    pub json: String,
}

#[derive(Serialize)]
struct Permissions<'a> {
    dbo_id: i64,
    row_id: &'a RowId,
}

#[derive(Serialize)]
struct ClientOut<'a> {
    #[serde(rename = "socketId")]
    socket_id: &'a str,
    extras: &'a Value,
    permissions: Permissions<'a>,
}

impl ClientInfo {
    /// Builds the client for a new connection; `identity` is `None` for anonymous clients.
    pub fn new(socket_id: String, identity: Option<&Identity>) -> Self {
        let empty = Value::Object(Default::default());
        let zero = RowId::Int(0);
        let out = match identity {
            Some(id) => ClientOut {
                socket_id: &socket_id,
                extras: &id.extras,
                permissions: Permissions {
                    dbo_id: id.dbo_id,
                    row_id: &id.row_id,
                },
            },
            None => ClientOut {
                socket_id: &socket_id,
                extras: &empty,
                permissions: Permissions {
                    dbo_id: 0,
                    row_id: &zero,
                },
            },
        };
        let json = serde_json::to_string(&out).unwrap_or_else(|_| "null".to_string());
        ClientInfo {
            socket_id: socket_id.into(),
            authenticated: identity.is_some(),
            json,
        }
    }
}

struct Conn {
    client: Arc<ClientInfo>,
    tx: mpsc::Sender<Utf8Bytes>,
    ctl: mpsc::UnboundedSender<Control>,
    kicked: bool,
    channels: HashSet<String>,
}

struct HistoryEntry {
    sender: Arc<str>,
    frame: Utf8Bytes,
}

struct Channel {
    rule: ChannelRule,
    members: Vec<Arc<str>>,
    history: VecDeque<HistoryEntry>,
    messages: u64,
}

#[derive(Default)]
struct Hub {
    conns: HashMap<Arc<str>, Conn>,
    channels: HashMap<String, Channel>,
}

/// Statistics of one channel, as `GET /admin/stats` reports them.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChannelStats {
    /// Current members.
    pub members: usize,
    /// Client messages accepted since start.
    pub messages: u64,
    /// Stored history frames.
    pub history: usize,
}

/// Server-wide statistics, as `GET /admin/stats` reports them.
#[derive(Debug, Serialize, Deserialize)]
pub struct Stats {
    /// Open WebSocket connections.
    pub connections: usize,
    /// Every channel joined at least once since start.
    pub channels: std::collections::BTreeMap<String, ChannelStats>,
}

/// The shared state of a running server.
pub struct Shared {
    pub(crate) config: Config,
    pub(crate) canonical: String,
    pub(crate) queue_capacity: usize,
    pub(crate) close_grace: Duration,
    hub: Mutex<Hub>,
    refuse_until: Mutex<Option<Instant>>,
    shutting_down: std::sync::atomic::AtomicBool,
    /// Bumped after every connection removal.
    removed: watch::Sender<u64>,
}

fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn channel_options(channel: Option<&str>) -> String {
    match channel {
        Some(c) => format!("{{\"channel\":{}}}", js(c)),
        None => "{\"channel\":null}".to_string(),
    }
}

/// `{"action":"error","options":{"channel":C},"payload":{"message":M}}`
pub(crate) fn error_frame(channel: Option<&str>, message: &str) -> Utf8Bytes {
    format!(
        "{{\"action\":\"error\",\"options\":{},\"payload\":{{\"message\":{}}}}}",
        channel_options(channel),
        js(message)
    )
    .into()
}

/// A server-side `message` frame.
pub(crate) fn message_frame(
    channel: &str,
    authenticated: bool,
    peer: Option<&str>,
    payload: &str,
    client_json: &str,
) -> Utf8Bytes {
    format!(
        "{{\"action\":\"message\",\"options\":{{\"channel\":{},\"authenticated\":{},\"socketId\":{}}},\"payload\":{},\"client\":{}}}",
        js(channel),
        authenticated,
        peer.map(js).unwrap_or_else(|| "null".to_string()),
        payload,
        client_json
    )
    .into()
}

fn history_frame<'a>(channel: &str, frames: impl Iterator<Item = &'a Utf8Bytes>) -> Utf8Bytes {
    let mut out = format!(
        "{{\"action\":\"history\",\"options\":{},\"payload\":{{\"history\":[",
        channel_options(Some(channel))
    );
    for (i, f) in frames.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(f.as_str());
    }
    out.push_str("]}}");
    out.into()
}

fn presence_update_frame(channel: &str, action: &str, client_json: &str) -> Utf8Bytes {
    format!(
        "{{\"action\":\"presence_update\",\"options\":{},\"payload\":{{\"action\":\"{}\",\"presence\":{}}}}}",
        channel_options(Some(channel)),
        action,
        client_json
    )
    .into()
}

/// Queues a frame for one connection. A full queue closes that connection with 1013.
fn deliver(conns: &mut HashMap<Arc<str>, Conn>, id: &str, frame: &Utf8Bytes) -> bool {
    let Some(conn) = conns.get_mut(id) else {
        return false;
    };
    if conn.kicked {
        return false;
    }
    match conn.tx.try_send(frame.clone()) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Full(_)) => {
            conn.kicked = true;
            warn!(socket_id = %id, "outgoing queue full; closing with 1013");
            let _ = conn.ctl.send(Control::Close(
                1013,
                "Client too slow: outgoing queue overflowed.".to_string(),
            ));
            false
        }
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    }
}

#[derive(Deserialize)]
struct Incoming<'a> {
    #[serde(default)]
    action: Option<Value>,
    #[serde(default)]
    options: Option<Value>,
    #[serde(default, borrow)]
    payload: Option<&'a RawValue>,
}

/// A refusal: the channel it concerns (if known) and a human readable reason.
struct Refusal(Option<String>, String);

type Outcome = Result<(), Refusal>;

fn refuse<T>(channel: Option<&str>, msg: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(channel.map(str::to_string), msg.into()))
}

impl Shared {
    /// New state for a server with this configuration.
    pub fn new(
        config: Config,
        canonical: String,
        queue_capacity: usize,
        close_grace: Duration,
    ) -> Self {
        Shared {
            config,
            canonical,
            queue_capacity: queue_capacity.max(1),
            close_grace,
            hub: Mutex::new(Hub::default()),
            refuse_until: Mutex::new(None),
            shutting_down: std::sync::atomic::AtomicBool::new(false),
            removed: watch::channel(0).0,
        }
    }

    fn hub(&self) -> MutexGuard<'_, Hub> {
        // A panic while holding the lock must not take the whole server down.
        self.hub.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether new handshakes are refused (`/admin/refuse` or shutting down).
    pub fn refusing(&self) -> bool {
        if self
            .shutting_down
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            return true;
        }
        let guard = self.refuse_until.lock().unwrap_or_else(|e| e.into_inner());
        guard.is_some_and(|t| Instant::now() < t)
    }

    /// Refuse new handshakes for `ms` milliseconds.
    pub fn refuse_for(&self, ms: u64) {
        let mut guard = self.refuse_until.lock().unwrap_or_else(|e| e.into_inner());
        *guard = Instant::now().checked_add(Duration::from_millis(ms));
    }

    /// Registers a new connection.
    pub(crate) fn register(
        &self,
        client: Arc<ClientInfo>,
        tx: mpsc::Sender<Utf8Bytes>,
        ctl: mpsc::UnboundedSender<Control>,
    ) {
        let mut hub = self.hub();
        hub.conns.insert(
            client.socket_id.clone(),
            Conn {
                client,
                tx,
                ctl,
                kicked: false,
                channels: HashSet::new(),
            },
        );
    }

    /// Removes a connection: it leaves every channel (the others get `presence_update` leave).
    pub(crate) fn unregister(&self, id: &str) {
        {
            let mut hub = self.hub();
            let Hub { conns, channels } = &mut *hub;
            if let Some(conn) = conns.remove(id) {
                for name in &conn.channels {
                    if let Some(ch) = channels.get_mut(name) {
                        ch.members.retain(|m| &**m != id);
                        if ch.rule.presence {
                            let frame = presence_update_frame(name, "leave", &conn.client.json);
                            for m in &ch.members {
                                deliver(conns, m, &frame);
                            }
                        }
                    }
                }
            }
        }
        self.removed.send_modify(|n| *n += 1);
    }

    /// Number of open connections.
    pub fn connections(&self) -> usize {
        self.hub().conns.len()
    }

    /// Handles one text frame from connection `id`.
    pub(crate) fn handle_text(&self, id: &str, text: &str) {
        if let Err(Refusal(channel, message)) = self.dispatch(id, text) {
            warn!(socket_id = %id, channel = channel.as_deref().unwrap_or(""), reason = %message, "refused");
            let frame = error_frame(channel.as_deref(), &message);
            deliver(&mut self.hub().conns, id, &frame);
        }
    }

    /// Answers a frame that cannot be handled at all (binary, too large) with an `error` frame.
    pub(crate) fn refuse_frame(&self, id: &str, message: &str) {
        warn!(socket_id = %id, reason = %message, "refused");
        deliver(&mut self.hub().conns, id, &error_frame(None, message));
    }

    fn dispatch(&self, id: &str, text: &str) -> Outcome {
        if text.len() > MAX_FRAME_BYTES {
            return refuse(
                None,
                format!(
                    "Frame too large: {} bytes; the limit is {} bytes.",
                    text.len(),
                    MAX_FRAME_BYTES
                ),
            );
        }
        let frame: Incoming = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) if e.classify() == serde_json::error::Category::Data => {
                return refuse(None, "Frame must be a JSON object with an \"action\".")
            }
            Err(_) => return refuse(None, "Frame is not valid JSON."),
        };
        let options = frame.options.unwrap_or(Value::Null);
        let channel = match options.get("channel") {
            Some(Value::String(s)) => Some(s.as_str()),
            _ => None,
        };
        let action = match &frame.action {
            Some(Value::String(a)) => a.as_str(),
            _ => return refuse(channel, "Frame has no \"action\"."),
        };
        if !matches!(action, "join" | "leave" | "message" | "history") {
            return refuse(channel, format!("Unknown action {}.", js(action)));
        }
        let Some(channel) = channel else {
            return refuse(
                None,
                format!("{} needs options.channel (a string).", js(action)),
            );
        };
        if channel.is_empty() || channel.len() > MAX_CHANNEL_NAME {
            return refuse(
                Some(channel),
                format!("A channel name must be 1 to {MAX_CHANNEL_NAME} bytes long."),
            );
        }
        let payload = frame.payload.map(RawValue::get).unwrap_or("null");
        match action {
            "join" => self.join(id, channel, payload),
            "leave" => {
                self.leave(id, channel);
                Ok(())
            }
            "message" => self.message(id, channel, &options, payload),
            _ => self.history(id, channel, &options),
        }
    }

    /// The rule for `channel` if `client` may join it.
    fn access(&self, client: &ClientInfo, channel: &str) -> Result<&ChannelRule, Refusal> {
        let Some(rule) = self.config.rule_for(channel) else {
            return refuse(
                Some(channel),
                format!("Channel {} is not configured on this server.", js(channel)),
            );
        };
        if !client.authenticated && !rule.anonymous_clients {
            return refuse(Some(channel), "Anonymous clients cannot join this channel.");
        }
        Ok(rule)
    }

    fn join(&self, id: &str, channel: &str, payload: &str) -> Outcome {
        let flags: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
        let want_presence = flags.get("presence").and_then(Value::as_bool) == Some(true);
        let want_history = flags.get("history").and_then(Value::as_bool) == Some(true);

        let mut hub = self.hub();
        let Hub { conns, channels } = &mut *hub;
        let Some(conn) = conns.get_mut(id) else {
            return Ok(());
        };
        let client = conn.client.clone();
        let rule = self.access(&client, channel)?;
        let newly = conn.channels.insert(channel.to_string());
        let ch = channels
            .entry(channel.to_string())
            .or_insert_with(|| Channel {
                rule: rule.clone(),
                members: Vec::new(),
                history: VecDeque::new(),
                messages: 0,
            });
        if newly {
            if ch.rule.presence {
                let frame = presence_update_frame(channel, "join", &client.json);
                for m in &ch.members {
                    deliver(conns, m, &frame);
                }
            }
            ch.members.push(client.socket_id.clone());
            info!(socket_id = %id, channel, "joined");
        }
        if want_presence && ch.rule.presence {
            let mut out = format!(
                "{{\"action\":\"presence_full\",\"options\":{},\"payload\":{{\"presence\":[",
                channel_options(Some(channel))
            );
            for (i, m) in ch.members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let json = conns
                    .get(m)
                    .map(|c| c.client.json.as_str())
                    .unwrap_or("null");
                out.push_str(json);
            }
            out.push_str("]}}");
            deliver(conns, id, &out.into());
        }
        if want_history {
            let frame = history_frame(channel, ch.history.iter().map(|h| &h.frame));
            deliver(conns, id, &frame);
        }
        Ok(())
    }

    fn leave(&self, id: &str, channel: &str) {
        let mut hub = self.hub();
        let Hub { conns, channels } = &mut *hub;
        let Some(conn) = conns.get_mut(id) else {
            return;
        };
        if !conn.channels.remove(channel) {
            return;
        }
        let client = conn.client.clone();
        if let Some(ch) = channels.get_mut(channel) {
            ch.members.retain(|m| &**m != id);
            if ch.rule.presence {
                let frame = presence_update_frame(channel, "leave", &client.json);
                for m in &ch.members {
                    deliver(conns, m, &frame);
                }
            }
        }
        info!(socket_id = %id, channel, "left");
    }

    fn message(&self, id: &str, channel: &str, options: &Value, payload: &str) -> Outcome {
        let c = Some(channel);
        let peer = match options.get("socketId") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => return refuse(c, "options.socketId must be a string or null."),
        };
        let authenticated = match options.get("authenticated") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return refuse(c, "options.authenticated must be a boolean."),
        };

        let mut hub = self.hub();
        let Hub { conns, channels } = &mut *hub;
        let Some(conn) = conns.get(id) else {
            return Ok(());
        };
        let sender = conn.client.clone();
        let Some(ch) = channels
            .get_mut(channel)
            .filter(|_| conn.channels.contains(channel))
        else {
            return refuse(
                c,
                format!(
                    "Join channel {} before sending messages to it.",
                    js(channel)
                ),
            );
        };
        let rule = &ch.rule;
        let anon = !sender.authenticated;
        if anon && !rule.anonymous_send {
            return refuse(c, "Anonymous clients cannot send messages on this channel.");
        }
        if authenticated && !rule.authenticated_messaging {
            return refuse(c, "Authenticated messaging is disabled on this channel.");
        }
        let (access, kind, kind_cap) = if peer.is_some() {
            (rule.private_messaging, "private", "Private")
        } else if authenticated {
            (Access::All, "authenticated", "Authenticated")
        } else {
            (rule.public_messaging, "public", "Public")
        };
        match access {
            Access::Off => {
                return refuse(
                    c,
                    format!("{kind_cap} messaging is disabled on this channel."),
                )
            }
            Access::Authenticated if anon => {
                return refuse(
                    c,
                    format!("Only authenticated clients may send {kind} messages on this channel."),
                )
            }
            _ => {}
        }

        if let Some(peer) = peer {
            let target = ch
                .members
                .iter()
                .find(|m| &***m == peer)
                .and_then(|m| conns.get(m));
            let Some(target) = target else {
                return refuse(
                    c,
                    format!("Peer {} is not in channel {}.", js(peer), js(channel)),
                );
            };
            if authenticated && !target.client.authenticated {
                return refuse(
                    c,
                    format!("Peer {} is not an authenticated client.", js(peer)),
                );
            }
            ch.messages += 1;
            let frame = message_frame(channel, authenticated, Some(peer), payload, &sender.json);
            deliver(conns, peer, &frame);
            return Ok(());
        }

        ch.messages += 1;
        let frame = message_frame(channel, authenticated, None, payload, &sender.json);
        for m in &ch.members {
            if authenticated && !conns.get(m).is_some_and(|t| t.client.authenticated) {
                continue;
            }
            deliver(conns, m, &frame);
        }
        if !authenticated && ch.rule.history > 0 {
            if ch.history.len() >= ch.rule.history {
                ch.history.pop_front();
            }
            ch.history.push_back(HistoryEntry {
                sender: sender.socket_id.clone(),
                frame,
            });
        }
        Ok(())
    }

    fn history(&self, id: &str, channel: &str, options: &Value) -> Outcome {
        let of_peer = match options.get("socketId") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => return refuse(Some(channel), "options.socketId must be a string or null."),
        };
        let mut hub = self.hub();
        let Hub { conns, channels } = &mut *hub;
        let Some(conn) = conns.get(id) else {
            return Ok(());
        };
        let client = conn.client.clone();
        self.access(&client, channel)?;
        let frame = match channels.get(channel) {
            Some(ch) => history_frame(
                channel,
                ch.history
                    .iter()
                    .filter(|h| of_peer.is_none_or(|p| &*h.sender == p))
                    .map(|h| &h.frame),
            ),
            None => history_frame(channel, std::iter::empty()),
        };
        deliver(conns, id, &frame);
        Ok(())
    }

    // ---- admin operations -------------------------------------------------------------------

    /// Closes one connection with `code` and `reason` (the close handshake, as for all).
    pub(crate) fn close_one(&self, id: &str, code: u16, reason: &str) {
        if let Some(c) = self.hub().conns.get(id) {
            let _ = c.ctl.send(Control::Close(code, reason.to_string()));
        }
    }

    /// Sends `ctl` to every connection; returns their ids.
    pub(crate) fn control_all(&self, ctl: Control) -> Vec<Arc<str>> {
        let hub = self.hub();
        hub.conns
            .iter()
            .map(|(id, c)| {
                let _ = c.ctl.send(ctl.clone());
                id.clone()
            })
            .collect()
    }

    /// Waits until none of `ids` is connected any more, or `timeout` passes.
    pub(crate) async fn wait_gone(&self, ids: &[Arc<str>], timeout: Duration) -> bool {
        let mut rx = self.removed.subscribe();
        let done = async {
            loop {
                {
                    let hub = self.hub();
                    if ids.iter().all(|id| !hub.conns.contains_key(id)) {
                        return;
                    }
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        };
        tokio::time::timeout(timeout, done).await.is_ok()
    }

    /// Starts a shutdown: refuse handshakes, close every socket with 1012.
    pub(crate) fn begin_shutdown(&self) -> Vec<Arc<str>> {
        self.shutting_down
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.control_all(Control::Close(1012, "Server restarting.".to_string()))
    }

    /// Sends an `event` frame to the members of `channel`; returns how many got it.
    pub fn event(&self, channel: &str, data: &str) -> usize {
        let frame: Utf8Bytes = format!(
            "{{\"action\":\"event\",\"options\":{},\"client\":null,\"payload\":{{\"data\":{}}}}}",
            channel_options(Some(channel)),
            data
        )
        .into();
        let mut hub = self.hub();
        let Hub { conns, channels } = &mut *hub;
        let Some(ch) = channels.get(channel) else {
            return 0;
        };
        ch.members
            .iter()
            .filter(|m| deliver(conns, m, &frame))
            .count()
    }

    /// The queues of the members of `channel` (for `/admin/blast`).
    pub(crate) fn member_queues(&self, channel: &str) -> Vec<mpsc::Sender<Utf8Bytes>> {
        let hub = self.hub();
        let Some(ch) = hub.channels.get(channel) else {
            return Vec::new();
        };
        ch.members
            .iter()
            .filter_map(|m| hub.conns.get(m))
            .filter(|c| !c.kicked)
            .map(|c| c.tx.clone())
            .collect()
    }

    /// Current statistics.
    pub fn stats(&self) -> Stats {
        let hub = self.hub();
        Stats {
            connections: hub.conns.len(),
            channels: hub
                .channels
                .iter()
                .map(|(name, ch)| {
                    (
                        name.clone(),
                        ChannelStats {
                            members: ch.members.len(),
                            messages: ch.messages,
                            history: ch.history.len(),
                        },
                    )
                })
                .collect(),
        }
    }

    /// `{"channel":NAME,"history":[FRAME,...]}` for `/admin/history`.
    pub fn history_json(&self, channel: &str) -> String {
        let hub = self.hub();
        let mut out = format!("{{\"channel\":{},\"history\":[", js(channel));
        if let Some(ch) = hub.channels.get(channel) {
            for (i, h) in ch.history.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(h.frame.as_str());
            }
        }
        out.push_str("]}");
        out
    }
}
