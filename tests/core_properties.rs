//! Property-based tests of the client core (native; `cargo test --test core_properties`).
//!
//! Arbitrary sequences of what the browser can do to the core (channels opened and closed with
//! random options, sockets opening and closing with any close code, stale socket and timer ids,
//! timers firing, online/offline/visible, app messages with and without the offline queue,
//! presence frames, configure and setAuthToken, and the offline-queue flush interleaved with all
//! of it) are fed to [`Client`] through a model of the browser shell. After every step the model
//! checks the invariants; at the end it lets the connection settle and checks that every queued
//! message reached the "server" exactly once and in order.
//!
//! The shell model:
//! - sockets: what `OpenSocket` created and nothing closed yet is *live*; a socket's sent frames
//!   reach the server only when the test drains it (`bufferedAmount` reached 0); frames still
//!   buffered when it closes are lost (the worst case);
//! - timers: `ArmTimer` arms, `CancelTimer` disarms, firing disarms;
//! - the offline-queue store: a FIFO per channel; a flush runs as `src/web/queue.rs` does (read a
//!   batch, `flush_send` each, wait for the drain, delete, repeat; one flush per channel at a time,
//!   as the Web Lock makes it), one step per test input.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use proptest::prelude::*;
use xano_realtime::core::backoff::Backoff;
use xano_realtime::core::{
    ChannelOptions, Client, Config, ConfigInput, ConnectionState, MessageOptions, MessageOutcome,
    Output, SocketId, TimerId,
};

const NAMES: [&str; 3] = ["a", "b", "room/1"];
const CODES: [u16; 14] = [
    1000, 1001, 1002, 1005, 1006, 1008, 1011, 1012, 1013, 1014, 3000, 4000, 4001, 4999,
];
const BACKOFFS: [(u32, u32); 3] = [(1_000, 60_000), (20, 200), (0, 0)];

#[derive(Clone, Debug)]
enum Op {
    Open {
        name: usize,
        presence: bool,
        history: bool,
        queue: bool,
    },
    Close(usize),
    /// The socket with this index among those created (stale ones included) opened.
    SocketOpened(usize),
    SocketClosed(usize, u16),
    TimerFired(usize),
    Offline,
    Online,
    Visible,
    Message {
        name: usize,
        authenticated: bool,
        private: bool,
        store_fails: bool,
    },
    /// One step of the channel's flush (read and send a batch of `batch`, or notice a lost socket).
    FlushStep(usize, usize),
    /// The current socket's buffered frames left the browser.
    Drain,
    Configure(usize),
    SetToken(u8),
    PresenceFull(usize, Vec<u8>),
    PresenceJoin(usize, u8),
    PresenceLeave(usize, u8),
    HistoryRequest(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let name = 0..NAMES.len();
    let code = prop_oneof![
        4 => proptest::sample::select(CODES.to_vec()),
        1 => any::<u16>(),
    ];
    prop_oneof![
        4 => (name.clone(), any::<bool>(), any::<bool>(), prop::bool::weighted(0.7)).prop_map(
            |(name, presence, history, queue)| Op::Open { name, presence, history, queue }
        ),
        2 => name.clone().prop_map(Op::Close),
        4 => (0..6usize).prop_map(Op::SocketOpened),
        3 => ((0..6usize), code).prop_map(|(s, c)| Op::SocketClosed(s, c)),
        3 => (0..6usize).prop_map(Op::TimerFired),
        1 => Just(Op::Offline),
        1 => Just(Op::Online),
        1 => Just(Op::Visible),
        6 => (name.clone(), any::<bool>(), any::<bool>(), prop::bool::weighted(0.05)).prop_map(
            |(name, authenticated, private, store_fails)| Op::Message { name, authenticated, private, store_fails }
        ),
        5 => (name.clone(), 1..4usize).prop_map(|(n, b)| Op::FlushStep(n, b)),
        4 => Just(Op::Drain),
        1 => (0..BACKOFFS.len()).prop_map(Op::Configure),
        1 => (0..3u8).prop_map(Op::SetToken),
        1 => (name.clone(), prop::collection::vec(0..4u8, 0..5)).prop_map(|(n, ids)| Op::PresenceFull(n, ids)),
        1 => (name.clone(), 0..4u8).prop_map(|(n, id)| Op::PresenceJoin(n, id)),
        1 => (name.clone(), 0..4u8).prop_map(|(n, id)| Op::PresenceLeave(n, id)),
        1 => name.prop_map(Op::HistoryRequest),
    ]
}

#[derive(Debug)]
enum Phase {
    /// Ready to read the next batch.
    Read,
    /// Sent `sent` of a batch of `len` frames (keys) on `socket`; waiting for the drain.
    Draining {
        socket: Option<SocketId>,
        keys: Vec<u64>,
        len: usize,
    },
}

#[derive(Debug)]
struct Flush {
    id: u64,
    covers: u64,
    phase: Phase,
}

#[derive(Debug, Default)]
struct Sock {
    opened: bool,
    /// Frames sent and not yet drained: (channel, message number).
    buffered: Vec<(String, u64)>,
}

/// The browser shell and the server, as far as the invariants need them.
struct Model {
    core: Client<u8, ()>,
    backoff: Backoff,
    /// Every socket id the core created, in order (stale ones stay).
    sockets: Vec<SocketId>,
    live: HashMap<SocketId, Sock>,
    /// Every timer id the core armed, in order.
    timers: Vec<TimerId>,
    armed: HashSet<TimerId>,
    /// The offline-queue store: per channel, (key, frame text, message number).
    store: BTreeMap<String, VecDeque<(u64, String, u64)>>,
    next_key: u64,
    /// The flush holding each channel's lock, and the ones waiting for it.
    flushes: HashMap<String, Flush>,
    waiting: HashMap<String, VecDeque<u64>>,
    /// Whether `connected` was announced since the last `disconnected` or voluntary stop.
    announced: bool,
    next_message: u64,
    /// Message numbers that were stored in the queue.
    queued: BTreeMap<u64, String>,
    /// Message numbers sent while their channel was open with the queue option: these must arrive
    /// in order with respect to each other.
    ordered: HashSet<u64>,
    /// What reached the server, in order: (channel, message number).
    delivered: Vec<(String, u64)>,
}

fn config(backoff: usize) -> Config {
    let (min, max) = BACKOFFS[backoff];
    Config::from_input(ConfigInput {
        instance_base_url: "http://127.0.0.1:8787".into(),
        canonical: "dev".into(),
        token: Some("tok".into()),
        min_delay_ms: Some(f64::from(min)),
        max_delay_ms: Some(f64::from(max)),
        ..ConfigInput::default()
    })
    .unwrap()
}

/// The message number in a `message` frame's text (its payload is that number).
fn message_number(text: &str) -> Option<u64> {
    if !text.starts_with(r#"{"action":"message""#) {
        return None;
    }
    let (_, tail) = text.rsplit_once(r#""payload":"#)?;
    tail.strip_suffix('}')?.parse().ok()
}

fn message_channel(text: &str) -> String {
    let start = text.find(r#""channel":""#).unwrap() + r#""channel":""#.len();
    let end = text[start..].find('"').unwrap();
    text[start..start + end].to_owned()
}

impl Model {
    fn new() -> Self {
        let mut core = Client::new(7);
        core.configure(config(0));
        let mut m = Model {
            core,
            backoff: config(0).backoff,
            sockets: Vec::new(),
            live: HashMap::new(),
            timers: Vec::new(),
            armed: HashSet::new(),
            store: BTreeMap::new(),
            next_key: 1,
            flushes: HashMap::new(),
            waiting: HashMap::new(),
            announced: false,
            next_message: 1,
            queued: BTreeMap::new(),
            ordered: HashSet::new(),
            delivered: Vec::new(),
        };
        m.perform(false);
        m
    }

    fn pick<T: Copy>(list: &[T], i: usize) -> Option<T> {
        if list.is_empty() {
            None
        } else {
            Some(list[list.len() - 1 - i % list.len()])
        }
    }

    /// Performs the core's outputs and checks them. `voluntary`: the step was the app's own
    /// doing (closing the last channel, configure, setAuthToken), so no `disconnected` may follow.
    fn perform(&mut self, voluntary: bool) {
        let outputs = self.core.take_outputs();
        for output in outputs {
            match output {
                Output::OpenSocket { socket, .. } => {
                    assert!(
                        self.live.is_empty(),
                        "a second socket {socket} while {:?} is live",
                        self.live.keys().collect::<Vec<_>>()
                    );
                    assert!(!self.sockets.contains(&socket), "socket id reused");
                    self.sockets.push(socket);
                    self.live.insert(socket, Sock::default());
                }
                Output::CloseSocket { socket, code } => {
                    assert_eq!(code, 1000, "the client closes only voluntarily");
                    assert!(
                        self.live.remove(&socket).is_some(),
                        "closed socket {socket} that is not live"
                    );
                }
                Output::Send { socket, text } => {
                    let sock = self
                        .live
                        .get_mut(&socket)
                        .unwrap_or_else(|| panic!("send on socket {socket} that is not live"));
                    assert!(sock.opened, "send before socket {socket} opened: {text}");
                    if let Some(n) = message_number(&text) {
                        sock.buffered.push((message_channel(&text), n));
                    }
                }
                Output::ArmTimer { timer, delay_ms } => {
                    assert!(
                        self.armed.is_empty(),
                        "timer {timer} armed while {:?} is armed",
                        self.armed
                    );
                    assert!(
                        (self.backoff.min_ms..=self.backoff.max_ms).contains(&delay_ms),
                        "delay {delay_ms} outside {:?}",
                        self.backoff
                    );
                    self.timers.push(timer);
                    self.armed.insert(timer);
                }
                Output::CancelTimer { timer } => {
                    assert!(
                        self.armed.remove(&timer),
                        "cancelled timer {timer} not armed"
                    );
                }
                Output::ConnectionStatus {
                    channel: None,
                    connected,
                } => {
                    if connected {
                        self.announced = true;
                    } else {
                        assert!(!voluntary, "disconnected after a voluntary close");
                        assert!(self.announced, "disconnected without a connected before it");
                        self.announced = false;
                    }
                }
                Output::ConnectionStatus {
                    channel: Some(name),
                    connected,
                } => {
                    assert!(connected, "disconnected for one channel ({name})");
                    assert!(self.core.is_joined(&name));
                }
                Output::StateChanged { state, .. } => assert_eq!(state, self.core.state()),
                Output::FlushQueue { channel, flush } => {
                    if self.flushes.contains_key(&channel) {
                        // The Web Lock is held by the earlier flush: this one waits for it.
                        self.waiting.entry(channel).or_default().push_back(flush);
                    } else {
                        self.start_flush(channel, flush);
                    }
                }
                Output::QueueChanged { .. } => {}
            }
        }
        if voluntary {
            // A voluntary stop ends the announced connection without a `disconnected`.
            if self.core.state() != ConnectionState::Open {
                self.announced = false;
            }
        }
        self.check();
    }

    fn check(&self) {
        assert!(self.live.len() <= 1, "more than one live socket");
        assert!(self.armed.len() <= 1, "more than one armed timer");
        match self.core.state() {
            ConnectionState::Connecting | ConnectionState::Open => {
                let s = self.core.current_socket().unwrap();
                assert!(self.live.contains_key(&s), "current socket {s} not live");
                assert!(self.armed.is_empty(), "a timer armed while a socket is up");
            }
            ConnectionState::Reconnecting => {
                assert!(self.live.is_empty());
                assert_eq!(self.armed.len(), 1, "reconnecting without a timer");
            }
            ConnectionState::Idle | ConnectionState::Offline => {
                assert!(self.live.is_empty(), "a live socket while idle/offline");
                assert!(self.armed.is_empty(), "a timer while idle/offline");
            }
        }
        if self.core.channel_count() == 0 {
            assert_eq!(self.core.state(), ConnectionState::Idle);
        }
        for name in NAMES {
            if let Some(p) = self.core.presence(name) {
                let ids: Vec<&str> = p.socket_ids().collect();
                let unique: HashSet<&&str> = ids.iter().collect();
                assert_eq!(
                    ids.len(),
                    unique.len(),
                    "duplicate presence in {name}: {ids:?}"
                );
            }
        }
    }

    fn start_flush(&mut self, channel: String, flush: u64) {
        let covers = self.core.last_queued(&channel);
        self.flushes.insert(
            channel,
            Flush {
                id: flush,
                covers,
                phase: Phase::Read,
            },
        );
    }

    fn finish_flush(&mut self, channel: &str, emptied: bool) {
        let flush = self.flushes.remove(channel).unwrap();
        let as_of = self.core.last_queued(channel);
        let remaining = self.store.get(channel).map_or(0, VecDeque::len) as u32;
        self.core
            .flush_finished(channel, flush.id, flush.covers, emptied, remaining, as_of);
        if let Some(next) = self.waiting.get_mut(channel).and_then(VecDeque::pop_front) {
            self.start_flush(channel.to_owned(), next);
        }
        self.perform(false);
    }

    fn flush_step(&mut self, channel: &str, batch: usize) {
        let Some(flush) = self.flushes.get(channel) else {
            return;
        };
        let id = flush.id;
        match &flush.phase {
            Phase::Read => {
                let frames: Vec<(u64, String)> = self
                    .store
                    .get(channel)
                    .map(|q| {
                        q.iter()
                            .take(batch)
                            .map(|(k, t, _)| (*k, t.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                if frames.is_empty() {
                    return self.finish_flush(channel, true);
                }
                let socket = self.core.current_socket();
                let len = frames.len();
                let mut keys = Vec::new();
                for (key, text) in frames {
                    if !self.core.flush_send(channel, id, text) {
                        break;
                    }
                    keys.push(key);
                }
                self.perform(false);
                if keys.is_empty() {
                    return self.finish_flush(channel, false);
                }
                self.flushes.get_mut(channel).unwrap().phase =
                    Phase::Draining { socket, keys, len };
            }
            Phase::Draining { socket, .. } => {
                // `drained()` gives up as soon as its socket is no longer the current one.
                if *socket != self.core.current_socket()
                    || !self.live.contains_key(&socket.unwrap())
                {
                    self.finish_flush(channel, false);
                }
            }
        }
    }

    /// The current socket's buffered frames reached the server; flushes waiting on it delete
    /// what they sent and go on.
    fn drain(&mut self) {
        let Some(current) = self.core.current_socket() else {
            return;
        };
        let Some(sock) = self.live.get_mut(&current) else {
            return;
        };
        self.delivered.append(&mut sock.buffered);
        let channels: Vec<String> = self.flushes.keys().cloned().collect();
        for channel in channels {
            let flush = self.flushes.get_mut(&channel).unwrap();
            let Phase::Draining { socket, keys, len } = &flush.phase else {
                continue;
            };
            if *socket != Some(current) {
                continue;
            }
            let (keys, len) = (keys.clone(), *len);
            flush.phase = Phase::Read;
            if let Some(q) = self.store.get_mut(&channel) {
                q.retain(|(k, _, _)| !keys.contains(k));
            }
            if keys.len() < len {
                self.finish_flush(&channel, false);
            }
        }
    }

    fn lose(&mut self, socket: SocketId) {
        // Frames still buffered in a socket that goes away are lost (the worst case).
        self.live.remove(&socket);
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Open {
                name,
                presence,
                history,
                queue,
            } => {
                let name = NAMES[name];
                let options = ChannelOptions {
                    presence,
                    history,
                    queue_offline_actions: queue,
                };
                self.core.open_channel(name, options, ()).unwrap();
                if queue {
                    // The shell counts what the store holds for the channel (count_backlog).
                    let as_of = self.core.last_queued(name);
                    let stored = self.store.get(name).map_or(0, VecDeque::len) as u32;
                    self.core.queue_counted(name, stored, as_of);
                }
                self.perform(false);
            }
            Op::Close(name) => {
                let last = self.core.channel_count() == 1 && self.core.is_open(NAMES[name]);
                self.core.close_channel(NAMES[name]);
                self.perform(last);
            }
            Op::SocketOpened(i) => {
                if let Some(s) = Self::pick(&self.sockets, i) {
                    if let Some(sock) = self.live.get_mut(&s) {
                        sock.opened = true;
                    }
                    self.core.socket_opened(s);
                    self.perform(false);
                }
            }
            Op::SocketClosed(i, code) => {
                if let Some(s) = Self::pick(&self.sockets, i) {
                    self.lose(s);
                    self.core.socket_closed(s, code);
                    self.perform(false);
                }
            }
            Op::TimerFired(i) => {
                if let Some(t) = Self::pick(&self.timers, i) {
                    self.armed.remove(&t);
                    self.core.timer_fired(t);
                    self.perform(false);
                }
            }
            Op::Offline => {
                self.core.browser_offline();
                self.perform(false);
            }
            Op::Online => {
                self.core.browser_online();
                self.perform(false);
            }
            Op::Visible => {
                self.core.page_visible();
                self.perform(false);
            }
            Op::Message {
                name,
                authenticated,
                private,
                store_fails,
            } => {
                let name = NAMES[name];
                let n = self.next_message;
                self.next_message += 1;
                let options = MessageOptions {
                    authenticated,
                    socket_id: private.then(|| "peer\"1".to_owned()),
                };
                let queue_option = self
                    .core
                    .options(name)
                    .is_some_and(|o| o.queue_offline_actions);
                match self.core.message(name, &n.to_string(), &options) {
                    Ok(MessageOutcome::Sent) => {
                        if queue_option {
                            self.ordered.insert(n);
                        }
                    }
                    Ok(MessageOutcome::Queue(text)) => {
                        assert!(queue_option, "queued without the option");
                        assert_eq!(message_number(&text), Some(n));
                        if store_fails {
                            self.core.queue_store_failed(name);
                        } else {
                            let key = self.next_key;
                            self.next_key += 1;
                            self.store
                                .entry(name.to_owned())
                                .or_default()
                                .push_back((key, text, n));
                            self.queued.insert(n, name.to_owned());
                            self.ordered.insert(n);
                        }
                    }
                    Err(_) => {}
                }
                self.perform(false);
            }
            Op::FlushStep(name, batch) => self.flush_step(NAMES[name], batch),
            Op::Drain => self.drain(),
            Op::Configure(b) => {
                let config = config(b);
                self.backoff = config.backoff;
                self.core.configure(config);
                self.perform(true);
            }
            Op::SetToken(t) => {
                let token = match t {
                    0 => None,
                    1 => Some("other-token".to_owned()),
                    _ => Some("bad token".to_owned()),
                };
                let bad = t == 2;
                let result = self.core.set_token(token);
                assert_eq!(result.is_err(), bad);
                if bad {
                    assert!(self.core.take_outputs().is_empty(), "a refused token acted");
                }
                self.perform(true);
            }
            Op::PresenceFull(name, ref ids) => {
                let members = ids.iter().map(|i| (format!("s{i}"), *i));
                self.core.presence_full(NAMES[name], members);
                self.check();
            }
            Op::PresenceJoin(name, id) => {
                self.core.presence_join(NAMES[name], format!("s{id}"), id);
                self.check();
            }
            Op::PresenceLeave(name, id) => {
                self.core.presence_leave(NAMES[name], &format!("s{id}"));
                self.check();
            }
            Op::HistoryRequest(name) => {
                let _ = self.core.request_history(NAMES[name]);
                self.perform(false);
            }
        }
    }

    /// Brings everything up and runs every flush to its end: the connection comes back, every
    /// channel whose store holds frames is open with the queue option, and the store empties.
    fn settle(&mut self) {
        self.core.browser_online();
        self.perform(false);
        for round in 0.. {
            assert!(round < 10_000, "the queue never emptied: {:?}", self.store);
            let stored: Vec<String> = self
                .store
                .iter()
                .filter(|(_, q)| !q.is_empty())
                .map(|(c, _)| c.clone())
                .collect();
            if stored.is_empty() && self.flushes.is_empty() {
                return;
            }
            for channel in &stored {
                let with_queue = self
                    .core
                    .options(channel)
                    .is_some_and(|o| o.queue_offline_actions);
                if !with_queue {
                    let name = NAMES.iter().position(|n| n == channel).unwrap();
                    if self.core.is_open(channel) {
                        self.apply(&Op::Close(name));
                    }
                    self.apply(&Op::Open {
                        name,
                        presence: false,
                        history: false,
                        queue: true,
                    });
                }
            }
            // Flushes run whatever the connection does (one on a closed channel or a lost socket
            // ends by itself).
            let channels: Vec<String> = self.flushes.keys().cloned().collect();
            for c in channels {
                self.flush_step(&c, 3);
            }
            self.drain();
            match self.core.state() {
                ConnectionState::Idle if self.core.channel_count() == 0 => {}
                ConnectionState::Idle | ConnectionState::Offline => {
                    // Stopped for good (1000, 1008, handshake limit): the app configures again.
                    self.apply(&Op::Configure(1));
                }
                ConnectionState::Reconnecting => {
                    let t = *self.armed.iter().next().unwrap();
                    self.armed.remove(&t);
                    self.core.timer_fired(t);
                    self.perform(false);
                }
                ConnectionState::Connecting => self.apply(&Op::SocketOpened(0)),
                ConnectionState::Open => {}
            }
        }
    }

    fn check_delivery(&self) {
        let mut seen = HashSet::new();
        for (_, n) in &self.delivered {
            assert!(
                seen.insert(*n),
                "message {n} delivered twice: {:?}",
                self.delivered
            );
        }
        for (n, channel) in &self.queued {
            assert!(
                self.delivered.contains(&(channel.clone(), *n)),
                "queued message {n} on {channel} never delivered: {:?}",
                self.delivered
            );
        }
        let mut last: HashMap<&str, u64> = HashMap::new();
        for (channel, n) in &self.delivered {
            if !self.ordered.contains(n) {
                continue;
            }
            let prev = last.insert(channel, *n).unwrap_or(0);
            assert!(
                prev < *n,
                "{channel}: message {n} after {prev}: {:?}",
                self.delivered
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(400),
        max_shrink_iters: 4_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_sequence_of_inputs_keeps_the_invariants_and_loses_no_queued_message(
        ops in prop::collection::vec(op(), 1..150)
    ) {
        let mut model = Model::new();
        for op in &ops {
            model.apply(op);
        }
        model.settle();
        model.check_delivery();
    }
}

#[test]
fn backoff_delays_stay_within_bounds_for_any_settings() {
    proptest!(|(min in 0u32..100_000, extra in 0u32..4_000_000, attempt in any::<u32>(), unit in any::<f64>())| {
        let b = Backoff { min_ms: min, max_ms: min.saturating_add(extra) };
        let d = b.delay_ms(attempt, unit);
        prop_assert!(d >= b.min_ms && d <= b.max_ms, "{d} outside {b:?}");
    });
}
