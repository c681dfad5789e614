//! The client's decisions, with no I/O and no clock: which socket to open or close, when to join
//! and leave, which timer to arm, what to tell the app, and whether a channel's messages go
//! straight to the socket or into its offline queue. The browser shell feeds it what happened
//! (`open_channel`, `socket_opened`, `socket_closed`, `timer_fired`, …) and performs the
//! [`Output`]s it queues, in order.
//!
//! Channels are numbered by the core ([`ChannelId`]); names, payloads and frame texts stay in the
//! shell, so no string crosses the wasm boundary per message.
//!
//! Rules kept here (PROTOCOL.md, API.md):
//! - one socket for every open channel: opened by the first channel, closed with 1000 when the
//!   last one closes; `join` is sent only on an open socket, and again after every reconnect;
//! - a socket that was replaced or closed by the app is forgotten: its late events are ignored;
//! - `connection_status` `disconnected` only after an unexpected loss of an open socket (the
//!   server, the network, the browser going offline), never after a voluntary close; `connected`
//!   on every open, and to a channel opened on an already open socket;
//! - while a channel is open the client never gives up, except after close code 1000 or 1008
//!   from the server ([`close_code`]); the waits follow the [`Backoff`];
//! - offline means offline: the socket is closed and nothing is sent until the browser is online;
//! - a socket that carries nothing back while the server owes an answer is dead: the shell
//!   measures the silence, the core drops the socket as lost and reconnects
//!   ([`Client::socket_silent`]);
//! - a message goes straight out only when its channel is joined and nothing older waits in its
//!   offline queue ([`QueueState`]); a queue channel's messages the socket took but the server had
//!   not confirmed go back to the front of its queue when the socket is lost ([`Output::Requeue`]),
//!   also after the channel was closed while the socket stayed open ([`Output::Linger`]), and
//!   when the client closes the socket for new settings or a new token;
//! - after the last channel closed, the socket stays open while it carries such messages
//!   ([`Output::Drain`]): it is closed once the shell reports them confirmed
//!   ([`Client::drained`]), and if it is lost first they go back to their queues, so a server
//!   that died unnoticed just before the user left a chat loses nothing.

use alloc::vec::Vec;

use super::backoff::Jitter;
use super::close_code::{self, AfterClose};
use super::config::{Settings, DEFAULT_QUEUE_MAX_ACTIONS};
use super::queue::QueueState;

/// Identifies one open channel; a channel opened again gets a new id.
pub type ChannelId = u32;
/// Identifies one WebSocket the shell opened; a new socket always gets a new id.
pub type SocketId = u32;
/// Identifies one timer; a new timer always gets a new id.
pub type TimerId = u32;

/// How long a socket may take to open before it is abandoned and the attempt counts as failed
/// (a server that accepts connections but never answers, e.g. frozen).
pub const HANDSHAKE_TIMEOUT_MS: u32 = 10_000;

/// The connection's state, as `connectionState()` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ConnectionState {
    /// No channel is open, or the server closed with 1000 or 1008.
    Idle = 0,
    /// A socket is opening.
    Connecting = 1,
    /// The socket is open and every open channel is joined.
    Open = 2,
    /// The socket was lost or could not be opened; a timer will try again.
    Reconnecting = 3,
    /// The browser says it is offline; the client waits for it to come back.
    Offline = 4,
}

/// Why the state changed (a number at the wasm boundary; the shell holds the texts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Reason {
    /// The socket opened.
    Connected = 0,
    /// A channel was opened while no socket was wanted.
    ChannelOpened = 1,
    /// The last channel closed.
    NoChannel = 2,
    /// The reconnect timer fired.
    Reconnecting = 3,
    /// The socket closed, or could not be opened.
    ConnectionLost = 4,
    /// The browser went offline.
    Offline = 5,
    /// The browser came back online.
    Online = 6,
    /// The page became visible.
    Visible = 7,
    /// The settings or the token changed.
    Settings = 8,
    /// The server closed the connection with 1000.
    ServerClosed = 9,
    /// The server closed the connection with 1008.
    PolicyViolation = 10,
    /// Handshakes keep failing: likely a wrong URL, canonical or token, or the server is down.
    HandshakeKeepsFailing = 11,
    /// The socket did not open within [`HANDSHAKE_TIMEOUT_MS`].
    HandshakeTimeout = 12,
    /// The open socket carried nothing back for a while although the server owed an answer.
    ServerSilent = 13,
}

/// A state change for `onConnectionState` listeners.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateChange {
    /// The new state.
    pub state: ConnectionState,
    /// The number of the attempt being made or about to be made, counting from 0 for the first
    /// attempt after the connection was lost or first wanted.
    pub attempt: u32,
    /// The wait before that attempt, when a reconnect timer was armed.
    pub delay_ms: Option<u32>,
    /// The close code that caused the change, when a socket closed.
    pub code: Option<u16>,
    /// Why.
    pub reason: Reason,
}

/// How a channel's messages go out now, for the shell's send fast path. The shell sends a
/// message straight to the socket when `direct`; otherwise it queues it (channels opened with
/// `queueOfflineActions`) or refuses it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mode {
    /// Joined on the open socket (history requests may be sent).
    pub joined: bool,
    /// Joined, and nothing waits in the offline queue ahead of a new message.
    pub direct: bool,
}

/// Something for the shell to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Open a WebSocket to the configured URL with the current token.
    OpenSocket(SocketId),
    /// Detach this socket's handlers, then close it with this code: nothing it does later counts.
    CloseSocket(SocketId, u16),
    /// Send the channel's `join` frame on this socket.
    Join(SocketId, ChannelId),
    /// Send the channel's `leave` frame on this socket.
    Leave(SocketId, ChannelId),
    /// Arm the timer: call `timer_fired(timer)` after the delay (ms). It replaces any other.
    Timer(TimerId, u32),
    /// The armed timer is no longer wanted.
    CancelTimer,
    /// Deliver a `connection_status` frame (`connected` when true) to one channel, or to every
    /// open channel (`None`).
    Status(Option<ChannelId>, bool),
    /// Tell `onConnectionState` listeners.
    State(StateChange),
    /// The channel's [`Mode`] changed.
    Mode(ChannelId, Mode),
    /// The channel is joined and its offline queue may hold actions: send them in order, keep
    /// each in the store until the server confirmed it, and report with
    /// [`Client::flush_finished`]. The number identifies this flush.
    Flush(ChannelId, u32),
    /// The number of the channel's queued actions changed.
    Pending(ChannelId, u32),
    /// The socket carrying the channel's unconfirmed messages was lost, or closed by the client
    /// for new settings or a token: put the messages it took but the server did not confirm back
    /// at the front of the channel's queue, in order, then report the store's count with
    /// [`Client::queue_counted`]. Also for a channel closed while lingering.
    Requeue(ChannelId),
    /// The channel (with `queueOfflineActions`) was closed while joined: keep watching for the
    /// echoes of its unconfirmed messages until they come, or until a [`Output::Requeue`] for it.
    Linger(ChannelId),
    /// The last channel closed, and the socket stays open for the echoes of what lingering
    /// channels sent: once none of their messages awaits an echo (what is left needs none and
    /// the browser hands it on before a normal close), stop tracking them and report
    /// [`Client::drained`].
    Drain(SocketId),
}

/// Why a message could not be queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum QueueError {
    /// The channel is not open.
    Closed = 1,
    /// The channel's queue holds `queue.maxActions` actions already.
    Full = 2,
}

#[derive(Clone, Copy)]
struct Channel {
    id: ChannelId,
    queue_option: bool,
    joined: bool,
    mode: Mode,
    queue: QueueState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conn {
    Idle,
    Connecting {
        socket: SocketId,
        timer: TimerId,
    },
    Open(SocketId),
    Waiting(TimerId),
    Offline,
    /// No channel is open; the socket stays for the echoes of lingering channels' messages.
    Draining(SocketId),
}

/// The client core.
pub struct Client {
    settings: Option<Settings>,
    channels: Vec<Channel>,
    conn: Conn,
    /// The state last reported to the app.
    reported: ConnectionState,
    next_id: u32,
    /// Attempts made since the connection was lost or first wanted (the next one's number).
    attempt: u32,
    /// Handshakes that failed in a row.
    failures: u32,
    /// When the connection was lost (or the first attempt failed): the backoff grows with it.
    down_since: Option<f64>,
    online: bool,
    queue_seq: u32,
    /// Queue channels closed while joined whose unconfirmed messages ride the open socket.
    lingering: Vec<ChannelId>,
    jitter: Jitter,
    outputs: Vec<Output>,
}

impl Client {
    /// A client with no settings and no channel; `seed` seeds the reconnect jitter.
    pub fn new(seed: u64) -> Self {
        Client {
            settings: None,
            channels: Vec::new(),
            conn: Conn::Idle,
            reported: ConnectionState::Idle,
            next_id: 1,
            attempt: 0,
            failures: 0,
            down_since: None,
            online: true,
            queue_seq: 0,
            lingering: Vec::new(),
            jitter: Jitter::new(seed),
            outputs: Vec::new(),
        }
    }

    /// Takes the outputs queued since the last call, oldest first, ending with the mode changes
    /// of the channels whose mode changed.
    pub fn take_outputs(&mut self) -> Vec<Output> {
        self.sync_modes();
        core::mem::take(&mut self.outputs)
    }

    /// Queues a [`Output::Mode`] for each channel whose mode changed since it was last reported
    /// (also before a `connection_status`, so that a listener of it sees the new mode).
    fn sync_modes(&mut self) {
        for ch in self.channels.iter_mut() {
            let mode = Mode {
                joined: ch.joined,
                direct: ch.joined && !(ch.queue_option && ch.queue.behind()),
            };
            if mode != ch.mode {
                ch.mode = mode;
                self.outputs.push(Output::Mode(ch.id, mode));
            }
        }
    }

    /// The connection's state.
    pub fn state(&self) -> ConnectionState {
        match self.conn {
            Conn::Idle | Conn::Draining(_) => ConnectionState::Idle,
            Conn::Connecting { .. } => ConnectionState::Connecting,
            Conn::Open(_) => ConnectionState::Open,
            Conn::Waiting(_) => ConnectionState::Reconnecting,
            Conn::Offline => ConnectionState::Offline,
        }
    }

    /// Whether settings were given.
    pub fn is_configured(&self) -> bool {
        self.settings.is_some()
    }

    /// The number of open channels.
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Applies new settings. With channels open, the current socket is closed (voluntarily, so no
    /// `disconnected`) and a new one opened at once.
    pub fn configure(&mut self, settings: Settings) {
        self.settings = Some(settings);
        self.restart(Reason::Settings);
    }

    /// The token changed (the shell keeps it): reconnect at once as the new identity, like the
    /// SDK's `realtimeReconnect()`.
    pub fn token_changed(&mut self) {
        self.restart(Reason::Settings);
    }

    /// Opens a channel and returns its id. `queue`: opened with `queueOfflineActions`.
    pub fn open_channel(&mut self, queue: bool) -> ChannelId {
        let id = self.next_id();
        self.channels.push(Channel {
            id,
            queue_option: queue,
            joined: false,
            mode: Mode::default(),
            queue: if queue {
                QueueState::opened(self.queue_seq)
            } else {
                QueueState::default()
            },
        });
        match self.conn {
            // A socket kept for echoes after the last channel closed serves the new one.
            Conn::Open(socket) | Conn::Draining(socket) => {
                self.set_state(Conn::Open(socket), Reason::ChannelOpened, None, None);
                self.join(socket, id);
                self.outputs.push(Output::Status(Some(id), true));
            }
            Conn::Idle => self.connect(Reason::ChannelOpened),
            Conn::Connecting { .. } | Conn::Waiting(_) | Conn::Offline => {}
        }
        id
    }

    /// Closes a channel: sends `leave` if joined, and closes the socket with 1000 when it was the
    /// last channel, once the socket no longer carries unconfirmed messages of queue channels
    /// ([`Output::Drain`]). Never reports `disconnected`. Returns whether the channel was open.
    pub fn close_channel(&mut self, id: ChannelId) -> bool {
        let mut removed = None;
        self.channels.retain(|c| {
            if c.id == id {
                removed = Some(*c);
            }
            c.id != id
        });
        let Some(ch) = removed else {
            return false;
        };
        if ch.joined {
            if let Conn::Open(socket) = self.conn {
                self.outputs.push(Output::Leave(socket, id));
            }
            if ch.queue_option {
                self.lingering.push(id);
                self.outputs.push(Output::Linger(id));
            }
        }
        if self.channels.is_empty() {
            match self.conn {
                Conn::Open(socket) if !self.lingering.is_empty() => {
                    self.outputs.push(Output::Drain(socket));
                    self.set_state(Conn::Draining(socket), Reason::NoChannel, None, None);
                }
                _ => {
                    self.stop_connection();
                    self.set_state(Conn::Idle, Reason::NoChannel, None, None);
                }
            }
        }
        true
    }

    /// The socket `socket` opened: every open channel joins.
    pub fn socket_opened(&mut self, socket: SocketId) {
        if !matches!(self.conn, Conn::Connecting { socket: s, .. } if s == socket) {
            return;
        }
        self.outputs.push(Output::CancelTimer);
        self.attempt = 0;
        self.failures = 0;
        self.down_since = None;
        self.set_state(Conn::Open(socket), Reason::Connected, None, None);
        let ids: Vec<ChannelId> = self.channels.iter().map(|c| c.id).collect();
        for id in ids {
            self.join(socket, id);
        }
        self.sync_modes();
        self.outputs.push(Output::Status(None, true));
    }

    /// Ends the wait after an [`Output::Drain`]: the socket the last channel left is closed
    /// normally, and true is returned. `confirmed`: no lingering channel's message awaits an echo
    /// any more (the shell stops tracking what needs none); else the tab gives its socket up (it
    /// stops leading a shared connection) and what it carried unconfirmed goes back to the
    /// queues ([`Output::Requeue`]). Ignored when not waiting (false).
    pub fn drained(&mut self, confirmed: bool) -> bool {
        let draining = matches!(self.conn, Conn::Draining(_));
        if draining {
            if confirmed {
                self.lingering.clear();
            }
            self.stop_connection();
        }
        draining
    }

    /// The socket `socket` closed with `code` (1006 when it could not be opened) at time `now`
    /// (milliseconds, any origin).
    pub fn socket_closed(&mut self, socket: SocketId, code: u16, now: f64) {
        let was_open = match self.conn {
            Conn::Draining(s) if s == socket => {
                // Lost before the echoes came: the lingering channels' messages go back.
                self.conn = Conn::Idle;
                return self.drop_joins();
            }
            Conn::Open(s) if s == socket => true,
            Conn::Connecting { socket: s, .. } if s == socket => {
                self.outputs.push(Output::CancelTimer);
                false
            }
            _ => return,
        };
        self.lost(was_open, now);
        match close_code::after_close(code) {
            AfterClose::Reconnect => self.schedule(now, Some(code)),
            AfterClose::Stop => {
                let reason = if code == 1000 {
                    Reason::ServerClosed
                } else {
                    Reason::PolicyViolation
                };
                self.set_state(Conn::Idle, reason, None, Some(code));
            }
        }
    }

    /// The timer `timer` fired at time `now`.
    pub fn timer_fired(&mut self, timer: TimerId, now: f64) {
        match self.conn {
            Conn::Waiting(t) if t == timer => self.connect(Reason::Reconnecting),
            Conn::Connecting { socket, timer: t } if t == timer => {
                self.outputs.push(Output::CloseSocket(socket, 1000));
                self.lost(false, now);
                self.schedule(now, None);
            }
            _ => {}
        }
    }

    /// Nothing arrived on the open socket `socket` for a while although the server owed it an
    /// answer: the echo of a public message or a requested history (the shell watches for that
    /// silence, js/shell/socket.js). The socket is taken for dead, as on a network that stopped
    /// carrying it without closing it: it is closed, the channels lose their join
    /// (`disconnected`), what it carried unconfirmed goes back to the queue, and the client
    /// reconnects on the backoff. Any other socket's silence is ignored.
    pub fn socket_silent(&mut self, socket: SocketId, now: f64) {
        if self.conn == Conn::Draining(socket) {
            return self.stop_connection();
        }
        if self.conn != Conn::Open(socket) {
            return;
        }
        self.outputs.push(Output::CloseSocket(socket, 1000));
        self.lost(true, now);
        self.schedule_because(now, None, Reason::ServerSilent);
    }

    /// The browser went offline: the socket is not trusted any more. It is closed, the channels
    /// lose their join (`disconnected` if the socket was open), and nothing is retried until the
    /// browser is back online.
    pub fn browser_offline(&mut self) {
        self.online = false;
        match self.conn {
            Conn::Idle | Conn::Offline => return,
            Conn::Draining(_) => return self.stop_connection(),
            Conn::Connecting { socket, .. } => {
                self.outputs.push(Output::CancelTimer);
                self.outputs.push(Output::CloseSocket(socket, 1000));
                self.lost(false, 0.0);
            }
            Conn::Open(socket) => {
                self.outputs.push(Output::CloseSocket(socket, 1000));
                self.lost(true, 0.0);
            }
            Conn::Waiting(_) => self.outputs.push(Output::CancelTimer),
        }
        self.set_state(Conn::Offline, Reason::Offline, None, None);
    }

    /// The browser is online again: connect at once if a channel is waiting for it.
    pub fn browser_online(&mut self) {
        self.online = true;
        if let Conn::Offline | Conn::Waiting(_) = self.conn {
            // A fresh start: the outage the backoff measured was the browser's.
            self.attempt = 0;
            self.failures = 0;
            self.down_since = None;
            self.retry_now(Reason::Online);
        }
    }

    /// The page became visible: a connection waiting to retry tries at once (hidden pages' timers
    /// are throttled).
    pub fn page_visible(&mut self) {
        if let Conn::Waiting(_) = self.conn {
            self.retry_now(Reason::Visible);
        }
    }

    /// The app sends a message on channel `id` whose mode is not direct, and the channel was
    /// opened with `queueOfflineActions`: counts it in the queue (the shell stores it, or reports
    /// [`Client::store_failed`]).
    pub fn enqueue(&mut self, id: ChannelId) -> Result<(), QueueError> {
        let max = self
            .settings
            .as_ref()
            .map_or(DEFAULT_QUEUE_MAX_ACTIONS, |s| s.queue_max_actions);
        let seq = self.queue_seq.wrapping_add(1);
        let ch = self.channel_mut(id).ok_or(QueueError::Closed)?;
        if ch.queue.count >= max {
            return Err(QueueError::Full);
        }
        ch.queue.queued(seq);
        let count = ch.queue.count;
        self.queue_seq = seq;
        self.outputs.push(Output::Pending(id, count));
        self.maybe_flush(id);
        Ok(())
    }

    /// The shell could not store an action [`Client::enqueue`] counted (the app's promise was
    /// rejected): it is not waiting any more.
    pub fn store_failed(&mut self, id: ChannelId) {
        if let Some(ch) = self.channel_mut(id) {
            ch.queue.count = ch.queue.count.saturating_sub(1);
            let count = ch.queue.count;
            self.outputs.push(Output::Pending(id, count));
        }
    }

    /// The shell counted `stored` actions of the channel in the store, asking when
    /// [`Client::last_queued`] was `as_of`.
    pub fn queue_counted(&mut self, id: ChannelId, stored: u32, as_of: u32) {
        if let Some(ch) = self.channel_mut(id) {
            if ch.queue.counted(stored, as_of) {
                let count = ch.queue.count;
                self.outputs.push(Output::Pending(id, count));
            }
        }
    }

    /// Flush `flush` ended. `emptied`: it read the store until nothing of the channel was left, so
    /// everything this page had queued when the flush began (`covers`, its sequence number) has
    /// left the store. `remaining`: the channel's actions still stored, counted as of
    /// `remaining_as_of`. Another flush follows if more was queued meanwhile. A flush that is no
    /// longer current only updates the count.
    pub fn flush_finished(
        &mut self,
        id: ChannelId,
        flush: u32,
        covers: u32,
        emptied: bool,
        remaining: u32,
        remaining_as_of: u32,
    ) {
        let Some(ch) = self.channel_mut(id) else {
            return;
        };
        let current = ch.queue.flush == Some(flush);
        ch.queue.flush_finished(flush, covers, emptied && current);
        self.queue_counted(id, remaining, remaining_as_of);
        self.maybe_flush(id);
    }

    /// The sequence number of the last action queued on channel `id` (what a flush starting now
    /// covers).
    pub fn last_queued(&self, id: ChannelId) -> u32 {
        self.channel(id).map_or(0, |c| c.queue.last_queued)
    }

    /// The number of the channel's queued actions, as far as this page knows.
    pub fn pending(&self, id: ChannelId) -> Option<u32> {
        self.channel(id).map(|c| c.queue.count)
    }

    /// The channel's current mode.
    pub fn mode(&self, id: ChannelId) -> Option<Mode> {
        self.channel(id).map(|c| c.mode)
    }

    fn channel(&self, id: ChannelId) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    fn channel_mut(&mut self, id: ChannelId) -> Option<&mut Channel> {
        self.channels.iter_mut().find(|c| c.id == id)
    }

    fn next_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    fn join(&mut self, socket: SocketId, id: ChannelId) {
        if let Some(ch) = self.channel_mut(id) {
            ch.joined = true;
            self.outputs.push(Output::Join(socket, id));
            self.maybe_flush(id);
        }
    }

    fn maybe_flush(&mut self, id: ChannelId) {
        let flush = self.next_id;
        let Some(ch) = self.channel_mut(id) else {
            return;
        };
        if ch.joined && ch.queue_option && ch.queue.has_work() && ch.queue.flush.is_none() {
            ch.queue.flush = Some(flush);
            self.next_id();
            self.outputs.push(Output::Flush(id, flush));
        }
    }

    /// Every channel loses its join. What the socket took for queue channels, open or
    /// lingering, and the server did not confirm is put back (the socket was lost, or closed for
    /// new settings or a token: a server that died unnoticed would otherwise lose it).
    fn drop_joins(&mut self) {
        for ch in self.channels.iter_mut() {
            if ch.joined && ch.queue_option {
                ch.queue.interrupted();
                self.outputs.push(Output::Requeue(ch.id));
            }
            ch.joined = false;
        }
        // Newest first: each Requeue puts its messages ahead of what is stored, so the oldest
        // opening's must be put back last.
        for id in core::mem::take(&mut self.lingering).into_iter().rev() {
            self.outputs.push(Output::Requeue(id));
        }
    }

    /// Every channel loses its join; queue channels put back what the socket had not had
    /// confirmed. `was_open`: report `disconnected`. Counts a failed handshake otherwise.
    fn lost(&mut self, was_open: bool, now: f64) {
        self.drop_joins();
        if was_open {
            self.sync_modes();
            self.outputs.push(Output::Status(None, false));
        } else {
            self.failures = self.failures.saturating_add(1);
        }
        if self.down_since.is_none() || was_open {
            self.down_since = Some(now);
        }
    }

    fn connect(&mut self, reason: Reason) {
        if self.settings.is_none() {
            return;
        }
        if !self.online {
            self.set_state(Conn::Offline, Reason::Offline, None, None);
            return;
        }
        let socket = self.next_id();
        let timer = self.next_id();
        self.outputs.push(Output::OpenSocket(socket));
        self.outputs
            .push(Output::Timer(timer, HANDSHAKE_TIMEOUT_MS));
        self.set_state(Conn::Connecting { socket, timer }, reason, None, None);
        self.attempt = self.attempt.saturating_add(1);
    }

    /// Ends the current socket or timer voluntarily (no `disconnected`). What the socket carried
    /// unconfirmed for queue channels goes back to their queues, as after a loss (new settings or
    /// a token: a server that died unnoticed would otherwise have lost it).
    fn stop_connection(&mut self) {
        match self.conn {
            Conn::Connecting { socket, .. } => {
                self.outputs.push(Output::CancelTimer);
                self.outputs.push(Output::CloseSocket(socket, 1000));
            }
            Conn::Open(socket) | Conn::Draining(socket) => {
                self.outputs.push(Output::CloseSocket(socket, 1000))
            }
            Conn::Waiting(_) => self.outputs.push(Output::CancelTimer),
            Conn::Idle | Conn::Offline => {}
        }
        self.drop_joins();
        self.conn = Conn::Idle;
    }

    fn restart(&mut self, reason: Reason) {
        let offline = self.conn == Conn::Offline;
        self.stop_connection();
        self.attempt = 0;
        self.failures = 0;
        self.down_since = None;
        if self.channels.is_empty() {
            self.set_state(Conn::Idle, Reason::NoChannel, None, None);
        } else if offline {
            self.conn = Conn::Offline;
        } else {
            self.connect(reason);
        }
    }

    fn retry_now(&mut self, reason: Reason) {
        if let Conn::Waiting(_) = self.conn {
            self.outputs.push(Output::CancelTimer);
        }
        if self.channels.is_empty() {
            self.set_state(Conn::Idle, Reason::NoChannel, None, None);
        } else {
            self.connect(reason);
        }
    }

    fn schedule(&mut self, now: f64, code: Option<u16>) {
        let reason = if self.failures >= close_code::WARN_AFTER_FAILED_HANDSHAKES {
            Reason::HandshakeKeepsFailing
        } else if code.is_none() {
            Reason::HandshakeTimeout
        } else {
            Reason::ConnectionLost
        };
        self.schedule_because(now, code, reason);
    }

    fn schedule_because(&mut self, now: f64, code: Option<u16>, reason: Reason) {
        if !self.online {
            self.set_state(Conn::Offline, Reason::Offline, None, code);
            return;
        }
        let backoff = self
            .settings
            .as_ref()
            .map(|s| s.backoff)
            .unwrap_or_default();
        let elapsed = now - self.down_since.unwrap_or(now);
        let delay = backoff.wait_ms(elapsed, self.jitter.next_unit());
        let timer = self.next_id();
        self.outputs.push(Output::Timer(timer, delay));
        self.set_state(Conn::Waiting(timer), reason, Some(delay), code);
    }

    fn set_state(&mut self, conn: Conn, reason: Reason, delay_ms: Option<u32>, code: Option<u16>) {
        self.conn = conn;
        let state = self.state();
        if state != self.reported
            || state == ConnectionState::Reconnecting
            || state == ConnectionState::Connecting
        {
            self.reported = state;
            self.outputs.push(Output::State(StateChange {
                state,
                attempt: self.attempt,
                delay_ms,
                code,
                reason,
            }));
        }
    }
}
