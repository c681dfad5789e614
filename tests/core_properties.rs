//! Property-based tests of the client core (`src/core/`), native only:
//! `cargo test -q -p xano-realtime --test core_properties`.
//!
//! A small model of the browser shell and the server ([`Model`]) feeds the core arbitrary
//! sequences of inputs and performs its outputs the way `js/shell/` does; after every input it
//! checks the outputs and the core's state against the rules of `src/core/client.rs` and API.md
//! §1 (see [`Model::perform`] and [`Model::check`]). The tests differ in the mix of inputs they
//! draw; each checks every invariant.
//!
//! What the model assumes:
//! - One page: the offline queue's store is this page's alone (no other tab appends or flushes).
//! - The socket: `OpenSocket` creates it; the test decides when it opens or fails, with any close
//!   code. The browser may see it closing before it reports the close: sends then fail (socket.js
//!   `send` returns -1 unless readyState is OPEN). Frames reach the server in order; the server
//!   processes them when the test says so, and its echoes reach the page later, in order. A socket
//!   that fails loses what the server had not processed and the echoes not yet delivered. A socket
//!   the client closes (`CloseSocket`) while healthy delivers everything it took first (the
//!   browser sends its buffer before the close frame).
//! - The server accepts every join and echoes every message to its sender (all messages are
//!   public). A message on a channel the socket has not joined fails the test.
//! - The store: a FIFO per channel name. The shell appends on `enqueue` (unless the test makes
//!   the write fail: `store_failed`); a flush (one per name at a time, as the Web Lock makes it)
//!   sends the stored messages oldest first, at most [`WINDOW`] unconfirmed, and the echo of a
//!   stored message deletes it; a flush reports when it finds the store empty, or once it sees it
//!   is no longer current, a step later (reports arrive late). `Requeue` puts the channel's
//!   unconfirmed direct sends back at the front of the store, in order; messages a flush sent stay
//!   in the store until confirmed. After the last channel closed, the shell reports `drained` once
//!   no lingering channel's message awaits its echo (js/shell/router.js `drained`).
//! - Sends: a message goes straight to the socket when the channel's last `Mode` says direct and
//!   the socket is healthy; else into the queue (channels opened with the queue option), or it is
//!   refused. Only queue channels' messages are tracked for delivery.
//!
//! Delivery ([`Model::check_delivery`], after [`Model::settle`] brought everything back: online,
//! every channel whose store holds messages reopened with the queue, the socket open, the server
//! processing and echoing everything): every message a queue channel accepted ("sent" or
//! "queued") reached the server, and per name their first arrivals are in the order the app sent
//! them. A message reaches the server a second time only if it had been sent and was still
//! unconfirmed when its socket, or the flush or channel that sent it, ended (at least once).
//! No loss is excused.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use proptest::prelude::*;
use xano_realtime::core::backoff::Backoff;
use xano_realtime::core::client::HANDSHAKE_TIMEOUT_MS;
use xano_realtime::core::{
    ChannelId, Client, ConnectionState, Mode, Output, QueueError, Settings, SocketId, TimerId,
};

/// The cargo-fuzz target's driver (bytes read as core inputs), run here on stable.
#[allow(unused_attributes)] // its `#![no_main]`
#[path = "../fuzz/fuzz_targets/client_inputs.rs"]
mod fuzz_client_inputs;

/// Channel names (the shell's; the core sees ids). At most one channel of a name is open.
const NAMES: usize = 3;
/// Stored messages a flush keeps unconfirmed at most (js/shell/queue.js has 256).
const WINDOW: usize = 2;
/// (reconnect.minDelayMs, reconnect.maxDelayMs, queue.maxActions) the app may configure.
const SETTINGS: [(u32, u32, u32); 4] = [
    (1_000, 60_000, 10_000),
    (20, 200, 10_000),
    (0, 0, 3),
    (3_600_000, 3_600_000, 10_000),
];
/// Close codes, beside any `u16`.
const CODES: [u16; 11] = [
    1000, 1001, 1005, 1006, 1008, 1011, 1012, 1013, 1015, 3000, 4000,
];

/// A message's number, in the order the app sent it; 0 for messages not tracked.
type Msg = u64;

#[derive(Clone, Copy, Debug)]
enum Jump {
    Forward(u32),
    Back(u32),
    To(f64),
}

/// One thing that happens to the shell.
#[derive(Clone, Debug)]
enum Op {
    /// `configure` with `SETTINGS[i]`.
    Configure(usize),
    TokenChanged,
    /// The tab gives its socket up (a shared connection's leader that stops leading, after
    /// taking its channels out of the core): `drained(false)`.
    GiveUp,
    /// `openChannel` (nothing if a channel of that name is open).
    Open {
        name: usize,
        queue: bool,
    },
    /// `closeChannel` (nothing if no channel of that name is open).
    Close(usize),
    /// `closeChannel` then `openChannel` with the queue option at once.
    Reopen(usize),
    /// The opening socket opens.
    SocketOpens,
    /// The socket fails (server, network or refused handshake); `noticed_first`: the browser sees
    /// it closing now and reports the close at a later [`Op::CloseEvent`].
    SocketFails {
        code: u16,
        noticed_first: bool,
    },
    CloseEvent,
    /// The socket stops carrying anything without closing (a network gone quiet): what it held
    /// is lost, and the shell reports its silence (`socket_silent`).
    Silent,
    /// A late event of a socket that is not the current one.
    StaleSocket {
        pick: usize,
        opened: bool,
        code: u16,
    },
    /// The armed timer fires (the clock moves on by its delay).
    TimerFires,
    /// A timer that is not armed fires.
    StaleTimer(usize),
    Clock(Jump),
    Offline,
    Online,
    Visible,
    /// `channel.message()`.
    Send {
        name: usize,
        store_fails: bool,
    },
    /// The shell counts the channel's stored messages (`queue_counted`).
    Count(usize),
    /// One step of each name's flush.
    FlushStep,
    /// A report of a flush that is not under way.
    StaleFlush {
        pick: usize,
        emptied: bool,
    },
    /// The server processes up to this many frames of the socket.
    ServerReads(usize),
    /// Up to this many echoes reach the page.
    Echoes(usize),
    /// A while passes on a healthy network: the opening socket opens, a reconnect timer fires,
    /// the server processes and echoes everything, the flushes run.
    Quiet,
}

/// How `Op`s are drawn: relative weights of the groups.
#[derive(Clone, Copy)]
struct Mix {
    /// Channel names in use (at most [`NAMES`]).
    names: usize,
    settings: u32,
    channels: u32,
    opens: u32,
    failures: u32,
    timers: u32,
    browser: u32,
    sends: u32,
    queue: u32,
    server: u32,
    quiet: u32,
}

fn op(mix: Mix) -> impl Strategy<Value = Op> {
    let name = 0..mix.names;
    let code = prop_oneof![
        4 => proptest::sample::select(CODES.to_vec()),
        1 => any::<u16>(),
    ];
    let jump = prop_oneof![
        4 => (0..100_000_000u32).prop_map(Jump::Forward),
        1 => any::<u32>().prop_map(Jump::Back),
        1 => proptest::sample::select(vec![
            0.0,
            -1e12,
            1e15,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY
        ])
        .prop_map(Jump::To),
    ];
    let ops: Vec<(u32, BoxedStrategy<Op>)> = vec![
        (
            mix.settings,
            (0..SETTINGS.len()).prop_map(Op::Configure).boxed(),
        ),
        (mix.settings, Just(Op::TokenChanged).boxed()),
        (mix.settings, Just(Op::GiveUp).boxed()),
        (
            2 * mix.channels,
            (name.clone(), prop::bool::weighted(0.7))
                .prop_map(|(name, queue)| Op::Open { name, queue })
                .boxed(),
        ),
        (mix.channels, name.clone().prop_map(Op::Close).boxed()),
        (mix.channels, name.clone().prop_map(Op::Reopen).boxed()),
        (mix.opens, Just(Op::SocketOpens).boxed()),
        (
            mix.failures,
            (code.clone(), any::<bool>())
                .prop_map(|(code, noticed_first)| Op::SocketFails {
                    code,
                    noticed_first,
                })
                .boxed(),
        ),
        (mix.failures, Just(Op::CloseEvent).boxed()),
        (mix.failures.div_ceil(2), Just(Op::Silent).boxed()),
        (
            mix.failures,
            (any::<usize>(), any::<bool>(), code)
                .prop_map(|(pick, opened, code)| Op::StaleSocket { pick, opened, code })
                .boxed(),
        ),
        (3 * mix.timers, Just(Op::TimerFires).boxed()),
        (mix.timers, any::<usize>().prop_map(Op::StaleTimer).boxed()),
        (mix.timers, jump.prop_map(Op::Clock).boxed()),
        (mix.failures.div_ceil(2), Just(Op::Offline).boxed()),
        (mix.browser, Just(Op::Online).boxed()),
        (mix.browser, Just(Op::Visible).boxed()),
        (
            3 * mix.sends,
            (name.clone(), prop::bool::weighted(0.1))
                .prop_map(|(name, store_fails)| Op::Send { name, store_fails })
                .boxed(),
        ),
        (mix.queue, name.prop_map(Op::Count).boxed()),
        (4 * mix.queue, Just(Op::FlushStep).boxed()),
        (
            mix.queue,
            (any::<usize>(), any::<bool>())
                .prop_map(|(pick, emptied)| Op::StaleFlush { pick, emptied })
                .boxed(),
        ),
        (mix.server, (1..4usize).prop_map(Op::ServerReads).boxed()),
        (mix.server, (1..4usize).prop_map(Op::Echoes).boxed()),
        (mix.quiet, Just(Op::Quiet).boxed()),
    ];
    proptest::strategy::Union::new_weighted(ops.into_iter().filter(|(w, _)| *w > 0).collect())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    Join(usize),
    Leave(usize),
    /// A `message` frame of channel `id` (named `name`); `stored`: a flush took it from the store.
    Message {
        id: ChannelId,
        name: usize,
        msg: Msg,
        stored: bool,
    },
}

/// The one socket the shell holds, and the server's end of it.
struct Socket {
    id: SocketId,
    opened: bool,
    /// The browser saw it closing; the close event (with this code) is still to come.
    closing: Option<u16>,
    /// Channels joined on it (`Join` outputs, minus `Leave`s).
    joined: BTreeSet<ChannelId>,
    /// Frames sent that the server has not processed yet.
    wire: VecDeque<Frame>,
    /// Messages the server processed whose echo has not reached the page yet.
    echoes: VecDeque<Frame>,
    /// Names the server counts this socket a member of.
    members: BTreeSet<usize>,
}

/// A channel as the shell keeps it (a slot of js/shell/channels.js).
struct Chan {
    id: ChannelId,
    name: usize,
    queue: bool,
    /// The last `Mode` output.
    mode: Mode,
    /// The last `Flush` output's number (the slot's `flush`).
    flush: Option<u32>,
    /// Messages sent directly that the server has not confirmed (queue channels).
    outbox: VecDeque<Msg>,
}

/// One flush of a channel's stored messages.
struct FlushRun {
    id: ChannelId,
    flush: u32,
    /// `last_queued` when it got the lock (its first step).
    covers: Option<u32>,
    /// Stored messages it sent.
    sent: Vec<Msg>,
    /// Ended (emptied or not), to be reported at its next step.
    ended: Option<bool>,
}

/// What the kind of input allows the core to do to the socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// The app closed a channel, or the shell reported the socket drained: no `disconnected`;
    /// what the socket carried lingers, or was confirmed.
    Voluntary,
    /// The app configured or changed the token: no `disconnected`; what the socket carried goes
    /// back to the queue (the server may have died unnoticed).
    Restart,
    /// The socket failed or its handshake timed out, the browser went offline, or a timer
    /// fired: what the socket carried goes back to the queue.
    Loss,
    /// The current socket opened.
    Opened,
    /// Anything else: the socket stays as it is.
    Other,
}

/// The model's view before an input.
struct Before {
    /// The socket, and whether it had opened.
    socket: Option<(SocketId, bool)>,
    /// Queue channels whose unconfirmed messages ride the socket: joined, or lingering.
    carrying: BTreeSet<ChannelId>,
    state: ConnectionState,
}

struct Model {
    core: Client,
    backoff: Backoff,
    now: f64,
    online: bool,
    sock: Option<Socket>,
    /// Every socket, timer, channel and (channel, flush) the core ever named.
    sockets: Vec<SocketId>,
    timers: Vec<TimerId>,
    channel_ids: Vec<ChannelId>,
    flush_ids: Vec<(ChannelId, u32)>,
    /// The armed timer: (id, delay, whether it is the handshake timer).
    timer: Option<(TimerId, u32, bool)>,
    chans: Vec<Chan>,
    /// Closed queue channels whose unconfirmed messages ride the socket (`Linger`).
    lingering: Vec<Chan>,
    /// The channel being closed, during its `close_channel`.
    closed: Option<Chan>,
    /// The channel being opened, during its `open_channel`.
    opening: Option<ChannelId>,
    store: [VecDeque<Msg>; NAMES],
    /// Per name, the flush holding the lock first, then those waiting for it.
    flushes: [VecDeque<FlushRun>; NAMES],
    /// The state of the last `State` output.
    reported: ConnectionState,
    /// `connected` was delivered and no `disconnected` or voluntary close followed.
    announced: bool,
    /// The last close the core was told of was 1000 or 1008 from the server, and the client has
    /// been idle since.
    stopped: bool,
    next_msg: Msg,
    /// Per name, the tracked messages the app was told were "sent" or "queued".
    accepted: [Vec<Msg>; NAMES],
    /// Per name, the messages the server processed, in order.
    log: [Vec<Msg>; NAMES],
    /// Sent and unconfirmed when their socket, flush or channel ended: may arrive again.
    resendable: HashSet<Msg>,
    /// A `Drain` the shell has not looked at yet (it does so on a microtask).
    drain_pending: bool,
}

fn settings(i: usize) -> Settings {
    let (min, max, cap) = SETTINGS[i];
    Settings::check(Some(min.into()), Some(max.into()), Some(cap.into())).unwrap()
}

/// The server processes the socket's next frame; false when there is none.
fn serve(sock: &mut Socket, log: &mut [Vec<Msg>; NAMES], resendable: &HashSet<Msg>) -> bool {
    let Some(frame) = sock.wire.pop_front() else {
        return false;
    };
    match frame {
        Frame::Join(name) => {
            sock.members.insert(name);
        }
        Frame::Leave(name) => {
            sock.members.remove(&name);
        }
        Frame::Message { name, msg, .. } => {
            assert!(
                sock.members.contains(&name),
                "message {msg} of channel {name} reached the server before its join"
            );
            if msg != 0 {
                assert!(
                    !log[name].contains(&msg) || resendable.contains(&msg),
                    "message {msg} reached the server twice, though no loss made it unconfirmed"
                );
                log[name].push(msg);
                sock.echoes.push_back(frame);
            }
        }
    }
    true
}

impl Model {
    fn new(seed: u64, settings: usize) -> Model {
        let mut m = Model {
            core: Client::new(seed),
            backoff: Backoff::default(),
            now: 0.0,
            online: true,
            sock: None,
            sockets: Vec::new(),
            timers: Vec::new(),
            channel_ids: Vec::new(),
            flush_ids: Vec::new(),
            timer: None,
            chans: Vec::new(),
            lingering: Vec::new(),
            closed: None,
            opening: None,
            store: Default::default(),
            flushes: Default::default(),
            reported: ConnectionState::Idle,
            announced: false,
            stopped: false,
            next_msg: 1,
            accepted: Default::default(),
            log: Default::default(),
            resendable: HashSet::new(),
            drain_pending: false,
        };
        m.apply(&Op::Configure(settings));
        m
    }

    fn chan(&self, id: ChannelId) -> Option<&Chan> {
        self.chans.iter().find(|c| c.id == id)
    }

    fn named(&self, name: usize) -> Option<&Chan> {
        self.chans.iter().find(|c| c.name == name)
    }

    /// Sends a frame on the socket if it is open and the browser has not seen it closing.
    fn send(&mut self, frame: Frame) -> bool {
        match self.sock.as_mut() {
            Some(s) if s.opened && s.closing.is_none() => {
                s.wire.push_back(frame);
                true
            }
            _ => false,
        }
    }

    fn before(&self) -> Before {
        let joined = self.sock.as_ref().map(|s| &s.joined);
        let carrying = self
            .chans
            .iter()
            .filter(|c| c.queue && joined.is_some_and(|j| j.contains(&c.id)))
            .chain(&self.lingering)
            .map(|c| c.id)
            .collect();
        Before {
            socket: self.sock.as_ref().map(|s| (s.id, s.opened)),
            carrying,
            state: self.core.state(),
        }
    }

    /// The socket is gone. `delivered`: the client closed it while healthy, so the server
    /// processes what it took first. What it carried unconfirmed may be sent again.
    fn drop_socket(&mut self, mut sock: Socket, delivered: bool) {
        if delivered && sock.opened && sock.closing.is_none() {
            while serve(&mut sock, &mut self.log, &self.resendable) {}
        }
        for frame in sock.wire.drain(..).chain(sock.echoes.drain(..)) {
            if let Frame::Message { msg, .. } = frame {
                self.resendable.insert(msg);
            }
        }
    }

    /// An echo reached the page: it confirms the message and every earlier one of its channel.
    fn confirm(&mut self, frame: Frame) {
        let Frame::Message {
            id,
            name,
            msg,
            stored,
        } = frame
        else {
            return;
        };
        let mut slots = self.chans.iter_mut().chain(self.lingering.iter_mut());
        if let Some(ch) = slots.find(|c| c.id == id) {
            if let Some(i) = ch.outbox.iter().position(|m| *m == msg) {
                ch.outbox.drain(..=i);
            }
        }
        if stored {
            self.store[name].retain(|m| *m != msg);
        }
    }

    /// The unconfirmed direct sends of channel `id` (open, lingering or being closed), which stops
    /// lingering.
    fn take_outbox(&mut self, id: ChannelId) -> Option<(usize, VecDeque<Msg>)> {
        if let Some(ch) = self.chans.iter_mut().find(|c| c.id == id) {
            return Some((ch.name, std::mem::take(&mut ch.outbox)));
        }
        if let Some(i) = self.lingering.iter().position(|c| c.id == id) {
            let ch = self.lingering.remove(i);
            return Some((ch.name, ch.outbox));
        }
        match self.closed.as_mut() {
            Some(ch) if ch.id == id => Some((ch.name, std::mem::take(&mut ch.outbox))),
            _ => None,
        }
    }

    fn apply(&mut self, op: &Op) {
        let before = self.before();
        match *op {
            Op::Configure(i) => {
                self.backoff = settings(i).backoff;
                self.core.configure(settings(i));
                self.perform(Step::Restart, &before);
            }
            Op::TokenChanged => {
                self.core.token_changed();
                self.perform(Step::Restart, &before);
            }
            Op::GiveUp => {
                let draining = before.state == ConnectionState::Idle && before.socket.is_some();
                assert_eq!(self.core.drained(false), draining);
                // Like a close for new settings: what the socket carried goes back, no
                // `disconnected`.
                self.perform(Step::Restart, &before);
                if draining {
                    assert!(self.sock.is_none(), "given up: the socket is closed");
                }
            }
            Op::Open { name, queue } => {
                if self.named(name).is_some() {
                    return;
                }
                let id = self.core.open_channel(queue);
                assert!(!self.channel_ids.contains(&id), "channel id {id} reused");
                self.channel_ids.push(id);
                self.chans.push(Chan {
                    id,
                    name,
                    queue,
                    mode: Mode::default(),
                    flush: None,
                    outbox: VecDeque::new(),
                });
                self.opening = Some(id);
                self.perform(Step::Other, &before);
                self.opening = None;
                if queue {
                    // The shell counts what an earlier page left (queue.js countBacklog).
                    self.apply(&Op::Count(name));
                }
            }
            Op::Close(name) => {
                let Some(i) = self.chans.iter().position(|c| c.name == name) else {
                    return;
                };
                let ch = self.chans.remove(i);
                let id = ch.id;
                let carrying = before.carrying.contains(&id);
                self.closed = Some(ch);
                assert!(self.core.close_channel(id));
                let lingers = self.perform(Step::Voluntary, &before);
                assert_eq!(
                    lingers,
                    if carrying { vec![id] } else { vec![] },
                    "a joined queue channel closed lingers, and nothing else"
                );
                if let Some(ch) = self.closed.take() {
                    assert!(
                        ch.outbox.is_empty(),
                        "channel {id} closed with unconfirmed messages and no verdict"
                    );
                }
                assert!(!self.core.close_channel(id), "closing twice does nothing");
                self.drain_done();
            }
            Op::Reopen(name) => {
                self.apply(&Op::Close(name));
                self.apply(&Op::Open { name, queue: true });
            }
            Op::SocketOpens => {
                let Some(sock) = self.sock.as_mut() else {
                    return;
                };
                if sock.opened || sock.closing.is_some() {
                    return;
                }
                sock.opened = true;
                let id = sock.id;
                self.core.socket_opened(id);
                self.perform(Step::Opened, &before);
            }
            Op::SocketFails {
                code,
                noticed_first,
            } => {
                let Some(mut sock) = self.sock.take() else {
                    return;
                };
                if sock.closing.is_some() {
                    self.sock = Some(sock);
                    return;
                }
                for frame in sock.wire.drain(..).chain(sock.echoes.drain(..)) {
                    if let Frame::Message { msg, .. } = frame {
                        self.resendable.insert(msg);
                    }
                }
                if noticed_first {
                    sock.closing = Some(code);
                    self.sock = Some(sock);
                    self.check();
                } else {
                    self.closed_by_server(sock, code, &before);
                }
            }
            Op::CloseEvent => {
                let Some(sock) = self.sock.take() else {
                    return;
                };
                let Some(code) = sock.closing else {
                    self.sock = Some(sock);
                    return;
                };
                self.closed_by_server(sock, code, &before);
            }
            Op::Silent => {
                let Some(sock) = self.sock.as_mut() else {
                    return;
                };
                let id = sock.id;
                if !sock.opened {
                    // The shell watches only an open socket; the core ignores any other's.
                    self.core.socket_silent(id, self.now);
                    self.nothing_happens(format!("silence of socket {id}, not open"));
                    return;
                }
                // One the browser already sees closing is dropped the same way (its close event,
                // later, is ignored).
                for frame in sock.wire.drain(..).chain(sock.echoes.drain(..)) {
                    if let Frame::Message { msg, .. } = frame {
                        self.resendable.insert(msg);
                    }
                }
                self.core.socket_silent(id, self.now);
                self.perform(Step::Loss, &before);
                assert_eq!(
                    self.core.state(),
                    if before.state == ConnectionState::Idle {
                        ConnectionState::Idle // a socket kept for echoes, no channel open
                    } else if self.online {
                        ConnectionState::Reconnecting
                    } else {
                        ConnectionState::Offline
                    },
                    "a silent socket is dropped and the client reconnects"
                );
            }
            Op::StaleSocket { pick, opened, code } => {
                let current = self.sock.as_ref().map(|s| s.id);
                let stale: Vec<SocketId> = self
                    .sockets
                    .iter()
                    .copied()
                    .filter(|s| Some(*s) != current)
                    .chain([0, u32::MAX])
                    .collect();
                let socket = stale[pick % stale.len()];
                if opened {
                    self.core.socket_opened(socket);
                } else {
                    self.core.socket_closed(socket, code, self.now);
                }
                self.nothing_happens(format!("an event of stale socket {socket}"));
            }
            Op::TimerFires => {
                let Some((timer, delay, _)) = self.timer.take() else {
                    return;
                };
                self.now += f64::from(delay);
                self.core.timer_fired(timer, self.now);
                self.perform(Step::Loss, &before);
            }
            Op::StaleTimer(pick) => {
                let armed = self.timer.map(|t| t.0);
                let stale: Vec<TimerId> = self
                    .timers
                    .iter()
                    .copied()
                    .filter(|t| Some(*t) != armed)
                    .chain([0, u32::MAX])
                    .collect();
                let timer = stale[pick % stale.len()];
                self.core.timer_fired(timer, self.now);
                self.nothing_happens(format!("stale timer {timer}"));
            }
            Op::Clock(jump) => {
                self.now = match jump {
                    Jump::Forward(ms) => self.now + f64::from(ms),
                    Jump::Back(ms) => self.now - f64::from(ms),
                    Jump::To(t) => t,
                };
            }
            Op::Offline => {
                self.online = false;
                self.core.browser_offline();
                self.perform(Step::Loss, &before);
            }
            Op::Online => {
                self.online = true;
                self.core.browser_online();
                self.perform(Step::Other, &before);
                if !self.chans.is_empty()
                    && matches!(
                        before.state,
                        ConnectionState::Offline | ConnectionState::Reconnecting
                    )
                {
                    assert_eq!(
                        self.core.state(),
                        ConnectionState::Connecting,
                        "back online with channels open: connect at once"
                    );
                }
            }
            Op::Visible => {
                self.core.page_visible();
                self.perform(Step::Other, &before);
                if before.state == ConnectionState::Reconnecting {
                    assert_eq!(
                        self.core.state(),
                        ConnectionState::Connecting,
                        "a visible page retries at once"
                    );
                }
            }
            Op::Send { name, store_fails } => self.app_sends(name, store_fails, &before),
            Op::Count(name) => {
                let Some(ch) = self.named(name).filter(|c| c.queue) else {
                    return;
                };
                let id = ch.id;
                let as_of = self.core.last_queued(id);
                self.core
                    .queue_counted(id, self.store[name].len() as u32, as_of);
                self.only_pending(id, "queue_counted");
            }
            Op::FlushStep => {
                for name in 0..NAMES {
                    let before = self.before();
                    self.flush_step(name, &before);
                }
            }
            Op::StaleFlush { pick, emptied } => {
                let runs: Vec<(ChannelId, u32)> = self
                    .flushes
                    .iter()
                    .flatten()
                    .map(|r| (r.id, r.flush))
                    .collect();
                let mut stale: Vec<(ChannelId, u32)> = self
                    .flush_ids
                    .iter()
                    .copied()
                    .filter(|f| !runs.contains(f))
                    .collect();
                stale.extend(self.chans.iter().map(|c| (c.id, u32::MAX)));
                if stale.is_empty() {
                    return;
                }
                let (id, flush) = stale[pick % stale.len()];
                let name = self.chan(id).map_or(0, |c| c.name);
                let as_of = self.core.last_queued(id);
                let remaining = self.store[name].len() as u32;
                self.core
                    .flush_finished(id, flush, as_of, emptied, remaining, as_of);
                self.only_pending(id, "a stale flush report");
            }
            Op::ServerReads(n) => {
                if let Some(sock) = self.sock.as_mut() {
                    if sock.opened && sock.closing.is_none() {
                        for _ in 0..n {
                            if !serve(sock, &mut self.log, &self.resendable) {
                                break;
                            }
                        }
                    }
                }
            }
            Op::Quiet => {
                for _ in 0..12 {
                    match self.core.state() {
                        ConnectionState::Connecting => self.apply(&Op::SocketOpens),
                        ConnectionState::Reconnecting => self.apply(&Op::TimerFires),
                        _ => {}
                    }
                    self.apply(&Op::ServerReads(usize::MAX));
                    self.apply(&Op::Echoes(usize::MAX));
                    self.apply(&Op::FlushStep);
                }
            }
            Op::Echoes(n) => {
                for _ in 0..n {
                    let Some(frame) = self.sock.as_mut().and_then(|s| s.echoes.pop_front()) else {
                        break;
                    };
                    self.confirm(frame);
                    // The router tells the shell at once (js/shell/router.js `inbound`).
                    self.drain_done();
                }
                self.check();
            }
        }
    }

    /// The shell's `drained` (js/shell/router.js), after the last channel closed or an echo for
    /// a lingering channel: when no channel is open and no lingering channel's message awaits
    /// its echo, the lingering channels are forgotten and the core is told.
    fn drain_done(&mut self) {
        self.drain_pending = false;
        let draining = self.chans.is_empty() && self.sock.is_some();
        if !draining || self.lingering.iter().any(|c| !c.outbox.is_empty()) {
            return;
        }
        assert_eq!(self.core.state(), ConnectionState::Idle);
        // The shell forgets the lingering channels once the core says it closes the socket: they
        // carry nothing any more.
        let kept = std::mem::take(&mut self.lingering);
        let before = self.before();
        assert!(
            self.core.drained(true),
            "the core kept the socket for the echoes"
        );
        drop(kept);
        self.perform(Step::Voluntary, &before);
        assert!(self.sock.is_none(), "drained: the socket is closed");
        assert!(!self.core.drained(true));
        self.nothing_happens("drained twice".into());
    }

    /// The browser reports that the model's socket closed with `code`.
    fn closed_by_server(&mut self, sock: Socket, code: u16, before: &Before) {
        let id = sock.id;
        self.drop_socket(sock, false);
        self.stopped = code == 1000 || code == 1008;
        self.core.socket_closed(id, code, self.now);
        self.perform(Step::Loss, before);
    }

    /// The app sends a message on the open channel `name`, as channels.js `sendMessage` does.
    fn app_sends(&mut self, name: usize, store_fails: bool, before: &Before) {
        let Some(ch) = self.named(name) else {
            return;
        };
        let (id, queue, direct) = (ch.id, ch.queue, ch.mode.direct);
        let msg = if queue {
            self.next_msg += 1;
            self.next_msg
        } else {
            0
        };
        let frame = Frame::Message {
            id,
            name,
            msg,
            stored: false,
        };
        if direct && self.send(frame) {
            if queue {
                let ch = self.chans.iter_mut().find(|c| c.id == id).unwrap();
                ch.outbox.push_back(msg);
                self.accepted[name].push(msg);
            }
            return self.check();
        }
        if !queue {
            return; // refused: not connected
        }
        match self.core.enqueue(id) {
            Ok(()) if store_fails => self.core.store_failed(id),
            Ok(()) => {
                self.store[name].push_back(msg);
                self.accepted[name].push(msg);
            }
            Err(e) => assert_eq!(e, QueueError::Full, "enqueue on an open channel"),
        }
        self.perform(Step::Other, before);
    }

    /// One step of the flush holding the name's lock (js/shell/queue.js `flushLocked`).
    fn flush_step(&mut self, name: usize, before: &Before) {
        let Some(run) = self.flushes[name].front_mut() else {
            return;
        };
        if let Some(emptied) = run.ended {
            let run = self.flushes[name].pop_front().unwrap();
            if self.chan(run.id).is_none() {
                return; // the channel closed: nobody reports
            }
            let as_of = self.core.last_queued(run.id);
            let remaining = self.store[name].len() as u32;
            let covers = run.covers.unwrap_or(as_of);
            self.core
                .flush_finished(run.id, run.flush, covers, emptied, remaining, as_of);
            self.perform(Step::Other, before);
            return;
        }
        if run.covers.is_none() {
            run.covers = Some(self.core.last_queued(run.id));
        }
        let current = self
            .chans
            .iter()
            .any(|c| c.id == run.id && c.mode.joined && c.flush == Some(run.flush));
        let store = &self.store[name];
        if !current || store.is_empty() {
            run.ended = Some(current);
            for m in store.iter().filter(|m| run.sent.contains(m)) {
                self.resendable.insert(*m);
            }
            return;
        }
        let in_flight = store.iter().filter(|m| run.sent.contains(m)).count();
        let next = store.iter().copied().find(|m| !run.sent.contains(m));
        let (Some(msg), true) = (next, in_flight < WINDOW) else {
            return; // waiting for echoes
        };
        let id = run.id;
        let frame = Frame::Message {
            id,
            name,
            msg,
            stored: true,
        };
        if self.send(frame) {
            self.flushes[name][0].sent.push(msg);
        }
    }

    /// The input must change nothing.
    fn nothing_happens(&mut self, what: String) {
        let outputs = self.core.take_outputs();
        assert!(outputs.is_empty(), "{what} caused {outputs:?}");
        self.check();
    }

    /// The input may only change channel `id`'s count.
    fn only_pending(&mut self, id: ChannelId, what: &str) {
        let outputs = self.core.take_outputs();
        assert!(
            outputs
                .iter()
                .all(|o| matches!(o, Output::Pending(c, _) if *c == id)),
            "{what} caused {outputs:?}"
        );
        self.check();
    }

    /// Performs the outputs of one input as the shell does, checking each, then the verdicts on
    /// what the socket carried. Returns the channels that started to linger.
    fn perform(&mut self, step: Step, before: &Before) -> Vec<ChannelId> {
        let outputs = self.core.take_outputs();
        let mut verdicts: BTreeMap<ChannelId, Vec<&str>> = BTreeMap::new();
        let mut lingers = Vec::new();
        let mut requeued = Vec::new();
        let mut disconnected = 0;
        let mut connected = 0;
        let mut handshake = false;
        for &output in &outputs {
            assert!(
                !handshake || matches!(output, Output::Timer(..)),
                "OpenSocket not followed by its handshake timer: {outputs:?}"
            );
            match output {
                Output::OpenSocket(s) => {
                    assert!(self.sock.is_none(), "a second socket: {outputs:?}");
                    assert!(!self.sockets.contains(&s), "socket id {s} reused");
                    self.sockets.push(s);
                    self.sock = Some(Socket {
                        id: s,
                        opened: false,
                        closing: None,
                        joined: BTreeSet::new(),
                        wire: VecDeque::new(),
                        echoes: VecDeque::new(),
                        members: BTreeSet::new(),
                    });
                    handshake = true;
                    continue;
                }
                Output::CloseSocket(s, code) => {
                    let sock = self.sock.take();
                    let sock = sock
                        .filter(|x| x.id == s)
                        .unwrap_or_else(|| panic!("CloseSocket({s}) of no socket: {outputs:?}"));
                    assert_eq!(code, 1000, "the client closes only normally");
                    self.drop_socket(sock, true);
                }
                Output::Join(s, id) => {
                    let sock = self.sock.as_mut().filter(|x| x.id == s && x.opened);
                    let sock = sock.unwrap_or_else(|| panic!("Join on socket {s}, not open"));
                    assert!(sock.joined.insert(id), "Join twice for {id} on socket {s}");
                    let ch = self.chans.iter().find(|c| c.id == id);
                    let name = ch
                        .unwrap_or_else(|| panic!("Join of closed channel {id}"))
                        .name;
                    self.send(Frame::Join(name));
                }
                Output::Leave(s, id) => {
                    let sock = self.sock.as_mut().filter(|x| x.id == s && x.opened);
                    let sock = sock.unwrap_or_else(|| panic!("Leave on socket {s}, not open"));
                    assert!(sock.joined.remove(&id), "Leave of {id}, not joined");
                    let closed = self.closed.as_ref().filter(|c| c.id == id);
                    let name = closed.expect("Leave only for the channel closed").name;
                    self.send(Frame::Leave(name));
                }
                Output::Timer(t, delay) => {
                    assert!(
                        self.timer.is_none(),
                        "Timer({t}) while {:?} is armed",
                        self.timer
                    );
                    assert!(!self.timers.contains(&t), "timer id {t} reused");
                    if handshake {
                        assert_eq!(delay, HANDSHAKE_TIMEOUT_MS);
                    } else {
                        let Backoff { min_ms, max_ms } = self.backoff;
                        assert!(
                            (min_ms / 2..=max_ms).contains(&delay),
                            "reconnect wait {delay} outside [{}, {max_ms}]",
                            min_ms / 2
                        );
                    }
                    self.timers.push(t);
                    self.timer = Some((t, delay, handshake));
                    handshake = false;
                }
                Output::CancelTimer => {
                    assert!(
                        self.timer.take().is_some(),
                        "CancelTimer with no timer armed"
                    );
                }
                Output::Status(None, true) => {
                    assert_eq!(step, Step::Opened, "connected but no socket opened");
                    assert!(
                        self.chans.iter().all(|c| c.mode.joined),
                        "connected before the modes say joined: {outputs:?}"
                    );
                    connected += 1;
                    self.announced = true;
                }
                Output::Status(None, false) => {
                    assert!(self.announced, "disconnected without connected before it");
                    assert!(
                        self.chans.iter().all(|c| !c.mode.joined),
                        "disconnected before the modes say not joined: {outputs:?}"
                    );
                    disconnected += 1;
                    self.announced = false;
                }
                Output::Status(Some(id), up) => {
                    assert!(up, "disconnected for one channel");
                    assert_eq!(
                        self.opening,
                        Some(id),
                        "connected for a channel not opening"
                    );
                    let sock = self.sock.as_ref();
                    assert!(sock.is_some_and(|s| s.opened && s.joined.contains(&id)));
                }
                Output::State(change) => {
                    self.reported = change.state;
                    if change.state == ConnectionState::Reconnecting {
                        assert_eq!(change.delay_ms, self.timer.map(|t| t.1));
                    }
                }
                Output::Mode(id, mode) => {
                    let ch = self.chans.iter_mut().find(|c| c.id == id);
                    ch.unwrap_or_else(|| panic!("Mode of closed channel {id}"))
                        .mode = mode;
                }
                Output::Flush(id, flush) => {
                    let joined = self.sock.as_ref().is_some_and(|s| s.joined.contains(&id));
                    let ch = self.chans.iter_mut().find(|c| c.id == id);
                    let ch = ch.unwrap_or_else(|| panic!("Flush of closed channel {id}"));
                    assert!(
                        ch.queue && joined,
                        "Flush of {id}: not a joined queue channel"
                    );
                    assert!(
                        !self.flush_ids.contains(&(id, flush)),
                        "flush {flush} reused"
                    );
                    ch.flush = Some(flush);
                    self.flush_ids.push((id, flush));
                    self.flushes[ch.name].push_back(FlushRun {
                        id,
                        flush,
                        covers: None,
                        sent: Vec::new(),
                        ended: None,
                    });
                }
                Output::Pending(id, _) => {
                    assert!(self.chan(id).is_some(), "Pending of closed channel {id}");
                }
                Output::Requeue(id) => {
                    verdicts.entry(id).or_default().push("Requeue");
                    let (name, outbox) = self
                        .take_outbox(id)
                        .unwrap_or_else(|| panic!("Requeue of unknown channel {id}"));
                    for msg in outbox.into_iter().rev() {
                        self.store[name].push_front(msg);
                    }
                    if self.chan(id).is_some() {
                        requeued.push(name);
                    }
                }
                Output::Drain(s) => {
                    assert_eq!(step, Step::Voluntary);
                    assert!(self.chans.is_empty(), "Drain with channels open");
                    assert!(self.sock.as_ref().is_some_and(|x| x.id == s && x.opened));
                    self.drain_pending = true;
                }
                Output::Linger(id) => {
                    assert_eq!(step, Step::Voluntary);
                    let ch = self.closed.take().filter(|c| c.id == id);
                    self.lingering
                        .push(ch.unwrap_or_else(|| panic!("Linger of {id}, not closing")));
                    lingers.push(id);
                }
            }
        }
        assert!(!handshake, "OpenSocket without its handshake timer");

        let gone = before
            .socket
            .is_some_and(|(s, _)| self.sock.as_ref().map(|x| x.id) != Some(s));
        let opened = before.socket.is_some_and(|(_, opened)| opened);
        assert_eq!(
            disconnected,
            usize::from(
                step == Step::Loss && gone && opened && before.state != ConnectionState::Idle
            ),
            "disconnected exactly when an open socket is lost ({step:?}): {outputs:?}"
        );
        assert_eq!(
            connected,
            usize::from(step == Step::Opened),
            "connected exactly when the socket opens: {outputs:?}"
        );
        if gone && matches!(step, Step::Voluntary | Step::Restart) {
            self.announced = false;
        }
        let expected: BTreeMap<ChannelId, Vec<&str>> = if gone {
            let verdict = match step {
                // Closed by the app with nothing lingering, or drained: nothing was carried.
                Step::Voluntary => "nothing",
                Step::Loss | Step::Restart => "Requeue",
                _ => panic!("the socket went away on {step:?}: {outputs:?}"),
            };
            before
                .carrying
                .iter()
                .map(|id| (*id, vec![verdict]))
                .collect()
        } else {
            BTreeMap::new()
        };
        assert_eq!(
            verdicts, expected,
            "each channel the socket carried gets one verdict when it goes ({step:?}): {outputs:?}"
        );
        if self.core.state() != ConnectionState::Idle {
            self.stopped = false;
        }
        self.check();
        // The shell counts the store again after putting messages back (queue.js requeue).
        for name in requeued {
            self.apply(&Op::Count(name));
        }
        lingers
    }

    /// The invariants that hold between inputs.
    fn check(&self) {
        let state = self.core.state();
        assert_eq!(
            state, self.reported,
            "the last State output is not the state"
        );
        assert_eq!(self.core.channel_count(), self.chans.len());
        let sock = self.sock.as_ref();
        let timer = self.timer;
        match state {
            ConnectionState::Connecting => {
                assert!(
                    sock.is_some_and(|s| !s.opened),
                    "connecting without an opening socket"
                );
                assert!(
                    timer.is_some_and(|t| t.2),
                    "connecting without a handshake timer"
                );
            }
            ConnectionState::Open => {
                assert!(
                    sock.is_some_and(|s| s.opened),
                    "open without an open socket"
                );
                assert!(timer.is_none(), "a timer armed while open");
            }
            ConnectionState::Reconnecting => {
                assert!(sock.is_none(), "a socket while reconnecting");
                assert!(
                    timer.is_some_and(|t| !t.2),
                    "reconnecting without a reconnect timer"
                );
            }
            ConnectionState::Idle if sock.is_some() => {
                assert!(
                    self.chans.is_empty() && sock.is_some_and(|s| s.opened),
                    "idle with a socket: only one kept open after the last channel closed"
                );
                assert!(
                    self.drain_pending || self.lingering.iter().any(|c| !c.outbox.is_empty()),
                    "a socket kept with no channel open while no echo is awaited"
                );
                assert!(timer.is_none(), "a timer armed while idle");
            }
            ConnectionState::Idle | ConnectionState::Offline => {
                assert!(sock.is_none(), "a socket while {state:?}");
                assert!(timer.is_none(), "a timer armed while {state:?}");
            }
        }
        if !self.online {
            assert!(
                matches!(state, ConnectionState::Offline | ConnectionState::Idle),
                "{state:?} while the browser is offline"
            );
        }
        if self.chans.is_empty() {
            assert_eq!(state, ConnectionState::Idle, "no channel open");
        } else if state == ConnectionState::Idle {
            assert!(
                self.stopped,
                "idle with channels open, not after 1000 or 1008"
            );
        } else if state == ConnectionState::Offline {
            assert!(!self.online, "offline while the browser is online");
        }
        for ch in &self.chans {
            let id = ch.id;
            assert_eq!(
                Some(ch.mode),
                self.core.mode(id),
                "Mode outputs missed a change"
            );
            let joined = sock.is_some_and(|s| s.opened && s.joined.contains(&id));
            assert_eq!(
                ch.mode.joined, joined,
                "Mode.joined of {id} is not its join"
            );
            if state == ConnectionState::Open {
                assert!(joined, "open but channel {id} is not joined");
            }
            if !ch.queue {
                assert_eq!(
                    ch.mode.direct, joined,
                    "a joined channel without queue is direct"
                );
            } else if ch.mode.direct {
                assert!(
                    self.store[ch.name].is_empty(),
                    "channel {id} is direct while its store holds {:?}",
                    self.store[ch.name]
                );
                let flushing = self.flushes[ch.name]
                    .iter()
                    .any(|r| r.id == id && Some(r.flush) == ch.flush);
                assert!(
                    !flushing,
                    "channel {id} is direct while its flush is under way"
                );
            }
        }
    }

    /// Lets everything settle: online, the app reopens with the queue option every channel whose
    /// store holds messages and reconnects after 1000/1008, the socket opens, the server
    /// processes and echoes everything, every flush runs to its end.
    fn settle(&mut self) {
        self.apply(&Op::Online);
        for _ in 0..20 {
            for name in 0..NAMES {
                if !self.store[name].is_empty() && !self.named(name).is_some_and(|c| c.queue) {
                    self.apply(&Op::Reopen(name));
                }
            }
            self.apply(&Op::CloseEvent);
            if self.core.state() == ConnectionState::Idle && !self.chans.is_empty() {
                self.apply(&Op::TokenChanged);
            }
            self.apply(&Op::Quiet);
            let idle = self.store.iter().all(VecDeque::is_empty)
                && self.flushes.iter().all(VecDeque::is_empty)
                && self
                    .chans
                    .iter()
                    .chain(&self.lingering)
                    .all(|c| c.outbox.is_empty())
                && self
                    .sock
                    .as_ref()
                    .is_none_or(|s| s.wire.is_empty() && s.echoes.is_empty())
                && self.chans.iter().all(|c| c.mode.direct);
            if idle {
                return;
            }
        }
        panic!(
            "never settled: state {:?}, store {:?}, modes {:?}",
            self.core.state(),
            self.store,
            self.chans
                .iter()
                .map(|c| (c.id, c.mode))
                .collect::<Vec<_>>()
        );
    }

    /// Every accepted message reached the server; first arrivals in order.
    fn check_delivery(&self) {
        for name in 0..NAMES {
            let mut seen = HashSet::new();
            let mut last = 0;
            for &msg in &self.log[name] {
                if seen.insert(msg) {
                    assert!(
                        msg > last,
                        "channel {name}: message {msg} after {last}: {:?}",
                        self.log[name]
                    );
                    last = msg;
                }
            }
            for msg in &self.accepted[name] {
                assert!(
                    seen.contains(msg),
                    "channel {name}: message {msg} was lost: {:?}",
                    self.log[name]
                );
            }
        }
    }
}

fn run(seed: u64, settings: usize, ops: &[Op], delivery: bool) {
    let mut model = Model::new(seed, settings);
    for op in ops {
        model.apply(op);
    }
    if delivery {
        model.settle();
        model.check_delivery();
    }
}

const CONNECTION: Mix = Mix {
    names: NAMES,
    settings: 2,
    channels: 6,
    opens: 12,
    failures: 4,
    timers: 6,
    browser: 3,
    sends: 1,
    queue: 1,
    server: 1,
    quiet: 0,
};

const QUEUE: Mix = Mix {
    names: NAMES,
    settings: 1,
    channels: 3,
    opens: 10,
    failures: 2,
    timers: 2,
    browser: 1,
    sends: 6,
    queue: 4,
    server: 12,
    quiet: 3,
};

/// Two names, opened and closed often: lingering channels and their reopenings.
const REOPEN: Mix = Mix {
    names: 2,
    settings: 0,
    channels: 4,
    opens: 4,
    failures: 1,
    timers: 1,
    browser: 0,
    sends: 6,
    queue: 3,
    server: 1,
    quiet: 1,
};

const TIME: Mix = Mix {
    names: NAMES,
    settings: 2,
    channels: 1,
    opens: 6,
    failures: 4,
    timers: 8,
    browser: 1,
    sends: 0,
    queue: 0,
    server: 0,
    quiet: 0,
};

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    })]

    /// One socket and one timer at most, joins only on the open socket and once, `disconnected`
    /// only after an unexpected loss of an open socket, never idle with channels open unless the
    /// server said 1000 or 1008, offline means no socket and no timer, online and visible retry at
    /// once, stale events change nothing.
    #[test]
    fn the_connection_keeps_its_rules_whatever_happens(
        seed in any::<u64>(),
        settings in 0..SETTINGS.len(),
        ops in prop::collection::vec(op(CONNECTION), 0..120),
    ) {
        run(seed, settings, &ops, false);
    }

    /// Every reconnect wait lies within [minDelayMs / 2, maxDelayMs] of the settings in force,
    /// however the clock jumps (backwards, NaN, infinities) and however long the outage.
    #[test]
    fn reconnect_waits_stay_within_the_configured_bounds_across_clock_jumps(
        seed in any::<u64>(),
        settings in 0..SETTINGS.len(),
        ops in prop::collection::vec(op(TIME), 0..120),
    ) {
        run(seed, settings, &ops, false);
    }

    /// A channel is direct only when joined with nothing queued and no flush under way; every
    /// queue channel the socket carried gets Requeue when it is lost or closed for new settings
    /// or a token, or after the last channel's close once it is no longer kept for their echoes;
    /// queued and sent messages
    /// reach the server in order, at least once, and twice only after their socket, flush or
    /// channel ended before they were confirmed.
    #[test]
    fn queued_actions_leave_in_order_and_none_is_lost(
        seed in any::<u64>(),
        settings in 0..SETTINGS.len(),
        ops in prop::collection::vec(op(QUEUE), 0..200),
    ) {
        run(seed, settings, &ops, true);
    }

    /// A queue channel closed with messages unconfirmed and opened again at once, on the same
    /// socket or after a loss, keeps its messages in order: what the closed opening left
    /// unconfirmed goes back to the queue ahead of what the new one sent.
    #[test]
    fn a_channel_closed_and_reopened_keeps_its_messages_in_order(
        seed in any::<u64>(),
        settings in 0..SETTINGS.len(),
        ops in prop::collection::vec(op(REOPEN), 0..200),
    ) {
        run(seed, settings, &ops, true);
    }

    /// The fuzz target's driver (fuzz/fuzz_targets/client_inputs.rs): any bytes, read as core
    /// inputs with any ids and numbers, never panic.
    #[test]
    fn arbitrary_inputs_never_panic(data in prop::collection::vec(any::<u8>(), 0..600)) {
        fuzz_client_inputs::run(&data);
    }

    /// The wait never leaves [min / 2, max] whatever the outage's length and the random unit.
    #[test]
    fn backoff_waits_stay_within_bounds_for_any_outage(
        min in 0u32..=3_600_000,
        extra in 0u32..=3_600_000,
        elapsed in any::<f64>(),
        unit in any::<f64>(),
    ) {
        let b = Backoff { min_ms: min, max_ms: min.saturating_add(extra) };
        let wait = b.wait_ms(elapsed, unit);
        prop_assert!((min / 2..=b.max_ms).contains(&wait), "{wait} outside {b:?}");
    }
}
