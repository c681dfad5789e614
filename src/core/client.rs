//! The client's decisions, with no I/O: which socket to open or close, what to send, which timer
//! to arm, what to tell the app. The browser shell feeds it what happened (`open_channel`,
//! `socket_opened`, `socket_closed`, `timer_fired`, …) and performs the [`Output`]s it queues.
//!
//! Rules kept here (PROTOCOL.md, API.md):
//! - one socket for every open channel: opened by the first channel, closed with 1000 when the
//!   last one closes; `join` is sent only on an open socket, and again after every reconnect;
//! - a socket that was replaced or closed by the app is forgotten: its late events are ignored;
//! - `connection_status` `disconnected` only after an unexpected loss, never after a voluntary
//!   close; `connected` on every open, and to a channel opened on an already open socket;
//! - reconnects follow [`close_code::after_close`] and the jittered [`Backoff`];
//! - a message goes out at once only when its channel is joined and nothing older is waiting in
//!   its offline queue; otherwise it is queued (with `queueOfflineActions`) or refused.

use std::collections::HashMap;

use super::backoff::{Backoff, Jitter};
use super::close_code::{self, AfterClose};
use super::config::{check_channel_name, Config};
use super::error::ClientError;
use super::frame::{self, MessageOptions};
use super::presence::Presence;

/// Identifies one WebSocket the shell opened; a new socket always gets a new id.
pub type SocketId = u64;
/// Identifies one reconnect timer; a new timer always gets a new id.
pub type TimerId = u64;

/// The connection's state, as `connectionState()` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    /// No socket and no timer: no channel is open, or the client stopped retrying.
    Idle,
    /// A socket is opening.
    Connecting,
    /// The socket is open and every open channel is joined.
    Open,
    /// The socket was lost; a timer will open a new one.
    Reconnecting,
    /// The browser says it is offline; the client waits for it to come back.
    Offline,
}

impl ConnectionState {
    /// The name used in the JavaScript API.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Idle => "idle",
            ConnectionState::Connecting => "connecting",
            ConnectionState::Open => "open",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Offline => "offline",
        }
    }
}

/// Why the state changed, for `onConnectionState` listeners.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateDetail {
    /// The reconnect attempt about to be made (0 for the first retry).
    pub attempt: u32,
    /// The wait before that attempt, when a timer was armed.
    pub delay_ms: Option<u32>,
    /// The close code that caused the change, when a socket closed.
    pub code: Option<u16>,
    /// A short explanation.
    pub reason: &'static str,
}

/// The features a channel is opened with (`ChannelOptions` in the API).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChannelOptions {
    /// Ask for `presence_full` / `presence_update` frames.
    pub presence: bool,
    /// Ask for the channel's history when joining.
    pub history: bool,
    /// Keep messages sent while not joined, and deliver them after the channel is joined again.
    pub queue_offline_actions: bool,
}

/// Something for the shell to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Open a WebSocket to `url`, offering `token` as the only subprotocol.
    OpenSocket {
        socket: SocketId,
        url: String,
        token: Option<String>,
    },
    /// Close this socket with `code`, and detach its handlers first: nothing it does later counts.
    CloseSocket { socket: SocketId, code: u16 },
    /// Send a text frame on this socket.
    Send { socket: SocketId, text: String },
    /// Call `timer_fired(timer)` after `delay_ms`.
    ArmTimer { timer: TimerId, delay_ms: u32 },
    /// The timer is no longer wanted.
    CancelTimer { timer: TimerId },
    /// Deliver a `connection_status` frame to one channel, or to every open channel (`None`).
    ConnectionStatus {
        channel: Option<String>,
        connected: bool,
    },
    /// Tell `onConnectionState` listeners.
    StateChanged {
        state: ConnectionState,
        detail: StateDetail,
    },
    /// The channel is joined and its offline queue may hold actions: read them from the store in
    /// order, send each through [`Client::flush_send`], delete what was sent once the socket has
    /// taken it, and report with [`Client::flush_finished`]. `flush` identifies this flush.
    FlushQueue { channel: String, flush: u64 },
    /// The number of this channel's queued actions changed.
    QueueChanged { channel: String, pending: u32 },
}

/// What `open_channel` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opened {
    /// The channel was not open and is now.
    New,
    /// The channel was already open; nothing changed.
    Existing,
}

/// What `decide_message` decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageDecision {
    /// Send the frame on this socket now.
    Send(SocketId),
    /// Store the frame in the offline queue.
    Queue,
}

/// What `message` decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageOutcome {
    /// Handed to the open socket (an [`Output::Send`] is queued).
    Sent,
    /// To be stored in the offline queue by the shell: the frame text to store.
    Queue(String),
}

/// Where an inbound frame goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Route<'a, L> {
    /// To this open channel (its shell data).
    One(&'a L),
    /// To every open channel (the frame names no channel).
    All,
    /// Nowhere: it names a channel that is not open.
    NotOpen,
}

/// The offline-queue bookkeeping of one channel. The actions themselves live in the shell's store
/// (IndexedDB), which other tabs of the same origin share; so this tracks what *this page* queued
/// by sequence number, and whether the store may hold more (from an earlier page or another tab).
///
/// A message goes straight to the socket only when nothing can be ahead of it: no flush under way,
/// no backlog, and every action this page queued is covered by a flush that emptied the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct QueueState {
    /// Sequence number of the last action this page queued on the channel. Numbers come from one
    /// counter for the whole client, so that a flush of an earlier opening of the channel, which
    /// may end after the channel was opened again, never covers what the new opening queued.
    last_queued: u64,
    /// Every action up to this sequence number has left the store.
    covered: u64,
    /// The store may hold actions this page did not queue (a reload, another tab).
    backlog: bool,
    /// The flush under way, if any.
    flush: Option<u64>,
    /// How many actions are waiting, as far as this page knows (for the cap and queue events).
    count: u32,
}

impl QueueState {
    fn has_work(&self) -> bool {
        self.backlog || self.last_queued > self.covered
    }
}

struct ChannelEntry<M, L> {
    options: ChannelOptions,
    joined: bool,
    presence: Presence<M>,
    queue: QueueState,
    shell: L,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conn {
    Idle,
    Connecting(SocketId),
    Open(SocketId),
    Reconnecting(TimerId),
    Offline,
}

/// The client core. `M` is a presence member's data and `L` the shell's data for a channel (in the
/// browser: its `Channel` object and its slot in the JS routing table), both opaque
/// here (JavaScript objects in the browser shell).
pub struct Client<M, L> {
    config: Option<Config>,
    channels: HashMap<String, ChannelEntry<M, L>>,
    conn: Conn,
    next_id: u64,
    attempt: u32,
    failed_handshakes: u32,
    ever_opened: bool,
    browser_online: bool,
    announced: bool,
    /// The last offline-queue sequence number handed out (see [`QueueState::last_queued`]).
    queue_seq: u64,
    jitter: Jitter,
    outputs: Vec<Output>,
}

impl<M, L> Client<M, L> {
    /// A client with no settings and no channel; `seed` seeds the reconnect jitter.
    pub fn new(seed: u64) -> Self {
        Client {
            config: None,
            channels: HashMap::new(),
            conn: Conn::Idle,
            next_id: 1,
            attempt: 0,
            failed_handshakes: 0,
            ever_opened: false,
            browser_online: true,
            announced: false,
            queue_seq: 0,
            jitter: Jitter::new(seed),
            outputs: Vec::new(),
        }
    }

    /// Takes the outputs queued since the last call, oldest first.
    pub fn take_outputs(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.outputs)
    }

    /// The connection's state.
    pub fn state(&self) -> ConnectionState {
        match self.conn {
            Conn::Idle => ConnectionState::Idle,
            Conn::Connecting(_) => ConnectionState::Connecting,
            Conn::Open(_) => ConnectionState::Open,
            Conn::Reconnecting(_) => ConnectionState::Reconnecting,
            Conn::Offline => ConnectionState::Offline,
        }
    }

    /// The socket that counts now, if any.
    pub fn current_socket(&self) -> Option<SocketId> {
        match self.conn {
            Conn::Connecting(s) | Conn::Open(s) => Some(s),
            _ => None,
        }
    }

    /// The settings in force.
    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    /// Applies new settings. With channels open, the current socket is closed (voluntarily, so no
    /// `disconnected`) and a new one opened with the new URL and token.
    pub fn configure(&mut self, config: Config) {
        self.config = Some(config);
        self.ever_opened = false;
        self.restart("settings changed");
    }

    /// Replaces the auth token and reconnects, like the SDK's `realtimeReconnect()`.
    pub fn set_token(&mut self, token: Option<String>) -> Result<(), ClientError> {
        let mut config = self.config.clone().ok_or(ClientError::NotConfigured)?;
        config.token = super::config::checked_token(token)?;
        self.configure(config);
        Ok(())
    }

    /// Opens a channel. Opening one that is already open changes nothing.
    pub fn open_channel(
        &mut self,
        name: &str,
        options: ChannelOptions,
        shell: L,
    ) -> Result<Opened, ClientError> {
        check_channel_name(name)?;
        if self.config.is_none() {
            return Err(ClientError::NotConfigured);
        }
        if self.channels.contains_key(name) {
            return Ok(Opened::Existing);
        }
        self.channels.insert(
            name.to_owned(),
            ChannelEntry {
                options,
                joined: false,
                presence: Presence::default(),
                queue: QueueState {
                    last_queued: self.queue_seq,
                    covered: self.queue_seq,
                    backlog: options.queue_offline_actions,
                    ..QueueState::default()
                },
                shell,
            },
        );
        match self.conn {
            Conn::Open(socket) => {
                self.join(socket, name);
                self.outputs.push(Output::ConnectionStatus {
                    channel: Some(name.to_owned()),
                    connected: true,
                });
                self.maybe_flush(name);
            }
            Conn::Idle => self.connect("a channel was opened"),
            Conn::Connecting(_) | Conn::Reconnecting(_) | Conn::Offline => {}
        }
        Ok(Opened::New)
    }

    /// Closes a channel: sends `leave` if joined, and closes the socket with 1000 when it was the
    /// last channel. Never reports `disconnected`. Returns whether the channel was open.
    pub fn close_channel(&mut self, name: &str) -> bool {
        let Some(entry) = self.channels.remove(name) else {
            return false;
        };
        if let (Conn::Open(socket), true) = (self.conn, entry.joined) {
            self.outputs.push(Output::Send {
                socket,
                text: frame::leave(name),
            });
        }
        if self.channels.is_empty() {
            self.stop_connection();
            self.set_state(
                Conn::Idle,
                StateDetail {
                    reason: "no channel is open",
                    ..StateDetail::default()
                },
            );
        }
        true
    }

    /// The socket `socket` opened.
    pub fn socket_opened(&mut self, socket: SocketId) {
        if self.conn != Conn::Connecting(socket) {
            return;
        }
        self.attempt = 0;
        self.failed_handshakes = 0;
        self.ever_opened = true;
        self.set_state(
            Conn::Open(socket),
            StateDetail {
                reason: "connected",
                ..StateDetail::default()
            },
        );
        let mut names: Vec<String> = self.channels.keys().cloned().collect();
        names.sort_unstable();
        for name in &names {
            self.join(socket, name);
        }
        self.announced = true;
        self.outputs.push(Output::ConnectionStatus {
            channel: None,
            connected: true,
        });
        for name in &names {
            self.maybe_flush(name);
        }
    }

    /// The socket `socket` closed with `code` without the app asking (a socket the app closed, or
    /// one already replaced, is ignored).
    pub fn socket_closed(&mut self, socket: SocketId, code: u16) {
        let was_open = match self.conn {
            Conn::Open(s) if s == socket => true,
            Conn::Connecting(s) if s == socket => false,
            _ => return,
        };
        if !was_open {
            self.failed_handshakes += 1;
        }
        for entry in self.channels.values_mut() {
            entry.joined = false;
            entry.queue.flush = None;
            entry.presence.clear();
        }
        if self.announced {
            self.announced = false;
            self.outputs.push(Output::ConnectionStatus {
                channel: None,
                connected: false,
            });
        }
        if self.channels.is_empty() {
            self.set_state(
                Conn::Idle,
                StateDetail {
                    code: Some(code),
                    reason: "no channel is open",
                    ..StateDetail::default()
                },
            );
            return;
        }
        if !self.browser_online {
            self.set_state(
                Conn::Offline,
                StateDetail {
                    code: Some(code),
                    reason: "the browser is offline",
                    ..StateDetail::default()
                },
            );
            return;
        }
        let ctx = close_code::CloseContext {
            code,
            was_open,
            ever_opened: self.ever_opened,
            failed_handshakes: self.failed_handshakes,
        };
        match close_code::after_close(ctx) {
            AfterClose::Reconnect => self.schedule_reconnect(Some(code)),
            AfterClose::Stop => {
                let reason = match code {
                    1000 => "the server closed the connection normally (1000)",
                    1008 => "the server refused the connection: policy violation (1008)",
                    _ if self.failed_handshakes >= close_code::MAX_FAILED_HANDSHAKES => {
                        "gave up: the handshake failed too many times in a row; check instanceBaseUrl, realtimeConnectionCanonical and the token"
                    }
                    _ => "the handshake was refused",
                };
                self.set_state(
                    Conn::Idle,
                    StateDetail {
                        code: Some(code),
                        reason,
                        ..StateDetail::default()
                    },
                );
            }
        }
    }

    /// The reconnect timer `timer` fired.
    pub fn timer_fired(&mut self, timer: TimerId) {
        if self.conn == Conn::Reconnecting(timer) {
            self.connect("reconnecting");
        }
    }

    /// The browser went offline: stop retrying until it is back. An open socket is kept until it
    /// closes by itself.
    pub fn browser_offline(&mut self) {
        self.browser_online = false;
        if let Conn::Reconnecting(timer) = self.conn {
            self.outputs.push(Output::CancelTimer { timer });
            self.set_state(
                Conn::Offline,
                StateDetail {
                    reason: "the browser is offline",
                    ..StateDetail::default()
                },
            );
        }
    }

    /// The browser is online again: reconnect now if the connection is down.
    pub fn browser_online(&mut self) {
        self.browser_online = true;
        self.reconnect_now("the browser is online again");
    }

    /// The page became visible: reconnect now if the connection is waiting to retry.
    pub fn page_visible(&mut self) {
        if self.browser_online {
            self.reconnect_now("the page became visible");
        }
    }

    /// Where a frame naming `channel` (or none) goes. Costs one hash lookup.
    pub fn route(&self, channel: Option<&str>) -> Route<'_, L> {
        match channel {
            None => Route::All,
            Some(name) => match self.channels.get(name) {
                Some(entry) => Route::One(&entry.shell),
                None => Route::NotOpen,
            },
        }
    }

    /// The shell's data for an open channel (what it passed to `open_channel`).
    pub fn shell_data(&self, channel: &str) -> Option<&L> {
        self.channels.get(channel).map(|e| &e.shell)
    }

    /// Whether a channel is open.
    pub fn is_open(&self, channel: &str) -> bool {
        self.channels.contains_key(channel)
    }

    /// Whether a channel is joined on the open socket.
    pub fn is_joined(&self, channel: &str) -> bool {
        self.channels.get(channel).is_some_and(|e| e.joined)
    }

    /// The options a channel was opened with.
    pub fn options(&self, channel: &str) -> Option<ChannelOptions> {
        self.channels.get(channel).map(|e| e.options)
    }

    /// The number of open channels.
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// A `presence_full` frame arrived for `channel`.
    pub fn presence_full(&mut self, channel: &str, members: impl IntoIterator<Item = (String, M)>) {
        if let Some(entry) = self.channels.get_mut(channel) {
            entry.presence.replace(members);
        }
    }

    /// A `presence_update` with action `join` arrived.
    pub fn presence_join(&mut self, channel: &str, socket_id: String, member: M) {
        if let Some(entry) = self.channels.get_mut(channel) {
            entry.presence.join(socket_id, member);
        }
    }

    /// A `presence_update` with action `leave` arrived.
    pub fn presence_leave(&mut self, channel: &str, socket_id: &str) {
        if let Some(entry) = self.channels.get_mut(channel) {
            entry.presence.leave(socket_id);
        }
    }

    /// The members of an open channel.
    pub fn presence(&self, channel: &str) -> Option<&Presence<M>> {
        self.channels.get(channel).map(|e| &e.presence)
    }

    /// The app sends `payload_json` (JSON text) on `channel`: decides with
    /// [`Client::decide_message`], and builds the frame text (an [`Output::Send`] is queued, or the
    /// text to store is returned). The browser shell builds the same text in JavaScript instead,
    /// so that the payload never crosses into wasm; this is the reference it is tested against.
    pub fn message(
        &mut self,
        channel: &str,
        payload_json: &str,
        options: &MessageOptions,
    ) -> Result<MessageOutcome, ClientError> {
        let decision = self.decide_message(channel)?;
        let text = frame::message(channel, payload_json, options);
        Ok(match decision {
            MessageDecision::Send(socket) => {
                self.outputs.push(Output::Send { socket, text });
                MessageOutcome::Sent
            }
            MessageDecision::Queue => MessageOutcome::Queue(text),
        })
    }

    /// Decides what becomes of a message the app sends on `channel`: sent on the open socket
    /// when the channel is joined and nothing older waits in its offline queue; otherwise queued
    /// (with `queueOfflineActions`, under the cap) or refused. A queued message is counted here;
    /// the caller stores it (or reports [`Client::queue_store_failed`]).
    pub fn decide_message(&mut self, channel: &str) -> Result<MessageDecision, ClientError> {
        let max = self
            .config
            .as_ref()
            .map_or(super::config::DEFAULT_QUEUE_MAX_ACTIONS, |c| {
                c.queue_max_actions
            });
        let socket = self.current_socket();
        let entry = self
            .channels
            .get_mut(channel)
            .ok_or_else(|| ClientError::ChannelClosed {
                channel: channel.to_owned(),
            })?;
        let behind_queue = entry.queue.flush.is_some() || entry.queue.has_work();
        match socket {
            Some(socket) if entry.joined && !behind_queue => Ok(MessageDecision::Send(socket)),
            _ if !entry.options.queue_offline_actions => Err(ClientError::NotConnected {
                channel: channel.to_owned(),
            }),
            _ if entry.queue.count >= max => Err(ClientError::QueueFull {
                channel: channel.to_owned(),
                max,
            }),
            _ => {
                self.queue_seq += 1;
                entry.queue.last_queued = self.queue_seq;
                entry.queue.count += 1;
                let pending = entry.queue.count;
                self.outputs.push(Output::QueueChanged {
                    channel: channel.to_owned(),
                    pending,
                });
                self.maybe_flush(channel);
                Ok(MessageDecision::Queue)
            }
        }
    }

    /// The shell could not store an action that `message` told it to queue (the app's promise
    /// was rejected): it is not waiting any more.
    pub fn queue_store_failed(&mut self, channel: &str) {
        if let Some(entry) = self.channels.get_mut(channel) {
            entry.queue.count = entry.queue.count.saturating_sub(1);
            let pending = entry.queue.count;
            self.outputs.push(Output::QueueChanged {
                channel: channel.to_owned(),
                pending,
            });
        }
    }

    /// The shell counted `stored` actions of the channel in the store (shared with other tabs),
    /// with a count it asked for when [`Client::last_queued`] was `as_of`: actions queued since
    /// then were not written yet, and are added.
    pub fn queue_counted(&mut self, channel: &str, stored: u32, as_of: u64) {
        if let Some(entry) = self.channels.get_mut(channel) {
            let since = entry.queue.last_queued.saturating_sub(as_of);
            let count = stored.saturating_add(u32::try_from(since).unwrap_or(u32::MAX));
            if entry.queue.count != count {
                entry.queue.count = count;
                self.outputs.push(Output::QueueChanged {
                    channel: channel.to_owned(),
                    pending: count,
                });
            }
        }
    }

    /// During flush `flush`: send one stored frame. Returns false when that flush is over (the
    /// socket was lost, or the channel closed): the frame stays stored, and the flush must stop.
    pub fn flush_send(&mut self, channel: &str, flush: u64, text: String) -> bool {
        match self.flush_socket(channel, flush) {
            Some(socket) => {
                self.outputs.push(Output::Send { socket, text });
                true
            }
            None => false,
        }
    }

    /// During flush `flush`: the socket to send the next stored frame on, or `None` when that
    /// flush is over (the frame stays stored, and the flush must stop). What [`Client::flush_send`]
    /// does, for a shell that sends the stored text itself.
    pub fn flush_socket(&self, channel: &str, flush: u64) -> Option<SocketId> {
        match (self.current_socket(), self.channels.get(channel)) {
            (Some(socket), Some(entry)) if entry.joined && entry.queue.flush == Some(flush) => {
                Some(socket)
            }
            _ => None,
        }
    }

    /// Flush `flush` ended. `emptied`: it read the store until nothing of the channel was left, so
    /// everything this page had queued when the flush began (`covers`, its sequence number) has
    /// left the store. `remaining`: the channel's actions still stored, counted as of
    /// `remaining_as_of` (see [`Client::queue_counted`]). Another flush follows if more was queued
    /// meanwhile. A flush that is no longer current is ignored.
    pub fn flush_finished(
        &mut self,
        channel: &str,
        flush: u64,
        covers: u64,
        emptied: bool,
        remaining: u32,
        remaining_as_of: u64,
    ) {
        let Some(entry) = self.channels.get_mut(channel) else {
            return;
        };
        if entry.queue.flush == Some(flush) {
            entry.queue.flush = None;
        }
        if emptied {
            entry.queue.covered = entry.queue.covered.max(covers);
            entry.queue.backlog = false;
        }
        self.queue_counted(channel, remaining, remaining_as_of);
        self.maybe_flush(channel);
    }

    /// The sequence number of the last action queued on `channel` (what a flush starting now covers).
    pub fn last_queued(&self, channel: &str) -> u64 {
        self.channels
            .get(channel)
            .map_or(0, |e| e.queue.last_queued)
    }

    /// The number of this channel's actions waiting in the offline queue, as far as this page knows.
    pub fn pending(&self, channel: &str) -> Option<u32> {
        self.channels.get(channel).map(|e| e.queue.count)
    }

    /// The app asks for the channel's history; fails when the channel is not joined.
    pub fn request_history(&mut self, channel: &str) -> Result<(), ClientError> {
        let entry = self
            .channels
            .get(channel)
            .ok_or_else(|| ClientError::ChannelClosed {
                channel: channel.to_owned(),
            })?;
        match self.conn {
            Conn::Open(socket) if entry.joined => {
                self.outputs.push(Output::Send {
                    socket,
                    text: frame::history(channel),
                });
                Ok(())
            }
            _ => Err(ClientError::NotConnected {
                channel: channel.to_owned(),
            }),
        }
    }

    fn join(&mut self, socket: SocketId, name: &str) {
        if let Some(entry) = self.channels.get_mut(name) {
            entry.joined = true;
            let text = frame::join(name, entry.options.history, entry.options.presence);
            self.outputs.push(Output::Send { socket, text });
        }
    }

    fn maybe_flush(&mut self, name: &str) {
        let flush = self.next_id;
        if let Some(entry) = self.channels.get_mut(name) {
            if entry.joined
                && entry.options.queue_offline_actions
                && entry.queue.has_work()
                && entry.queue.flush.is_none()
            {
                self.next_id += 1;
                entry.queue.flush = Some(flush);
                self.outputs.push(Output::FlushQueue {
                    channel: name.to_owned(),
                    flush,
                });
            }
        }
    }

    fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn connect(&mut self, reason: &'static str) {
        let Some(config) = &self.config else {
            return;
        };
        let (url, token) = (config.url.clone(), config.token.clone());
        let socket = self.next_id();
        self.outputs.push(Output::OpenSocket { socket, url, token });
        let attempt = self.attempt;
        self.set_state(
            Conn::Connecting(socket),
            StateDetail {
                attempt,
                reason,
                ..StateDetail::default()
            },
        );
    }

    /// Ends the current socket or timer voluntarily (no `disconnected`).
    fn stop_connection(&mut self) {
        match self.conn {
            Conn::Connecting(socket) | Conn::Open(socket) => {
                self.outputs
                    .push(Output::CloseSocket { socket, code: 1000 });
            }
            Conn::Reconnecting(timer) => self.outputs.push(Output::CancelTimer { timer }),
            Conn::Idle | Conn::Offline => {}
        }
        self.announced = false;
        for entry in self.channels.values_mut() {
            entry.joined = false;
            entry.queue.flush = None;
            entry.presence.clear();
        }
        self.conn = Conn::Idle;
    }

    fn restart(&mut self, reason: &'static str) {
        self.stop_connection();
        self.attempt = 0;
        self.failed_handshakes = 0;
        if self.channels.is_empty() {
            self.set_state(
                Conn::Idle,
                StateDetail {
                    reason: "no channel is open",
                    ..StateDetail::default()
                },
            );
        } else {
            self.connect(reason);
        }
    }

    fn reconnect_now(&mut self, reason: &'static str) {
        match self.conn {
            Conn::Reconnecting(timer) => {
                self.outputs.push(Output::CancelTimer { timer });
                self.connect(reason);
            }
            Conn::Offline if !self.channels.is_empty() => self.connect(reason),
            _ => {}
        }
    }

    fn schedule_reconnect(&mut self, code: Option<u16>) {
        let backoff: Backoff = self.config.as_ref().map(|c| c.backoff).unwrap_or_default();
        let delay_ms = backoff.delay_ms(self.attempt, self.jitter.next_unit());
        let attempt = self.attempt;
        self.attempt = self.attempt.saturating_add(1);
        let timer = self.next_id();
        self.outputs.push(Output::ArmTimer { timer, delay_ms });
        self.set_state(
            Conn::Reconnecting(timer),
            StateDetail {
                attempt,
                delay_ms: Some(delay_ms),
                code,
                reason: "the connection was lost",
            },
        );
    }

    fn set_state(&mut self, conn: Conn, detail: StateDetail) {
        let before = self.state();
        self.conn = conn;
        let state = self.state();
        if state != before
            || state == ConnectionState::Reconnecting
            || state == ConnectionState::Connecting
        {
            self.outputs.push(Output::StateChanged { state, detail });
        }
    }
}
