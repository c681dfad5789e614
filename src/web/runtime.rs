//! The browser shell: one runtime per page that owns the WebSocket, the reconnect timer and the
//! app's listeners, turns browser events into calls on the core, and performs the core's outputs.
//!
//! It holds no policy. Its one rule of its own: the runtime is borrowed only for short stretches
//! that never call into the app, so a listener may call any API function, even `closeChannel`
//! for the channel whose frame it is handling.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::glue;
use super::listeners::{Listeners, Targets};
use super::queue::{self, QueueStore};
use crate::core::{Client, Output, Route, SocketId, TimerId};

/// The shell's part of an open channel.
pub struct ChannelShell {
    /// Tells this opening of the channel from an earlier or later one of the same name.
    pub id: u64,
    /// The `Channel` object handed to the app (the same object for every `openChannel` call).
    pub handle: JsValue,
    /// The app's listeners.
    pub listeners: Listeners,
}

/// Counters for tests and diagnostics (`clientStats()`).
#[derive(Default, Clone, Copy)]
pub struct Stats {
    /// Frames received from the server.
    pub frames: u64,
    /// Frames that were not JSON objects with an action, or had a malformed presence payload.
    pub malformed: u64,
    /// Frames for a channel that is not open.
    pub not_open: u64,
    /// Sockets opened.
    pub sockets_opened: u64,
}

/// The page's client.
pub struct Runtime {
    /// The decisions.
    pub core: Client<JsValue, ChannelShell>,
    socket: Option<(SocketId, WebSocket)>,
    timer: Option<(TimerId, JsValue)>,
    /// Counters.
    pub stats: Stats,
    next_channel_id: u64,
    store: Option<(String, QueueStore)>,
    /// Channels whose `queue` event is scheduled for this tick.
    pub queue_events_due: Vec<String>,
}

/// Callbacks created once for the life of the page and shared by every socket and timer, so no
/// closure is created or dropped per socket, per timer or per frame.
struct Handlers {
    on_open: Closure<dyn FnMut(JsValue)>,
    on_message: Closure<dyn FnMut(MessageEvent)>,
    on_close: Closure<dyn FnMut(CloseEvent)>,
    on_timer: Closure<dyn FnMut(f64)>,
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
    static HANDLERS: Handlers = Handlers::new();
}

/// Runs `f` on the page's runtime, creating it on first use.
pub fn with_rt<R>(f: impl FnOnce(&mut Runtime) -> R) -> R {
    RUNTIME.with(|cell| {
        let mut slot = cell.borrow_mut();
        let rt = slot.get_or_insert_with(Runtime::new);
        f(rt)
    })
}

impl Handlers {
    fn new() -> Self {
        install_browser_listeners();
        Handlers {
            on_open: Closure::new(|_event: JsValue| {
                with_rt(|rt| {
                    if let Some((id, _)) = &rt.socket {
                        let id = *id;
                        rt.core.socket_opened(id);
                    }
                });
                run_outputs();
            }),
            on_message: Closure::new(on_message),
            on_close: Closure::new(|event: CloseEvent| {
                with_rt(|rt| {
                    if let Some((id, ws)) = rt.socket.take() {
                        detach(&ws);
                        rt.core.socket_closed(id, event.code());
                    }
                });
                run_outputs();
            }),
            on_timer: Closure::new(|arg: f64| {
                let timer = arg as TimerId;
                with_rt(|rt| {
                    if rt.timer.as_ref().is_some_and(|(id, _)| *id == timer) {
                        rt.timer = None;
                    }
                    rt.core.timer_fired(timer);
                });
                run_outputs();
            }),
        }
    }
}

fn install_browser_listeners() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let online = Closure::<dyn FnMut()>::new(|| {
        with_rt(|rt| rt.core.browser_online());
        run_outputs();
    });
    let offline = Closure::<dyn FnMut()>::new(|| {
        with_rt(|rt| rt.core.browser_offline());
        run_outputs();
    });
    let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
    // These live as long as the page.
    online.forget();
    offline.forget();
    if let Some(document) = window.document() {
        let visible = Closure::<dyn FnMut()>::new(|| {
            let shown = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if shown {
                with_rt(|rt| rt.core.page_visible());
                run_outputs();
            }
        });
        let _ = document
            .add_event_listener_with_callback("visibilitychange", visible.as_ref().unchecked_ref());
        visible.forget();
    }
}

impl Runtime {
    fn new() -> Self {
        let seed = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        let mut core = Client::new(seed);
        let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
        if !online {
            core.browser_offline();
        }
        Runtime {
            core,
            socket: None,
            timer: None,
            stats: Stats::default(),
            next_channel_id: 1,
            store: None,
            queue_events_due: Vec::new(),
        }
    }

    /// A fresh id for a new opening of a channel.
    pub fn next_channel_id(&mut self) -> u64 {
        let id = self.next_channel_id;
        self.next_channel_id += 1;
        id
    }

    /// The offline queue's store for the configured database, opened on first use.
    pub fn queue_store(&mut self) -> QueueStore {
        let name = self
            .core
            .config()
            .map_or(crate::core::config::DEFAULT_QUEUE_DATABASE, |c| {
                c.queue_database.as_str()
            });
        match &self.store {
            Some((open, store)) if open == name => store.clone(),
            _ => {
                let store = QueueStore::new(name);
                self.store = Some((name.to_owned(), store.clone()));
                store
            }
        }
    }

    /// The current socket's `bufferedAmount`.
    pub fn buffered_amount(&self) -> Option<u32> {
        self.socket.as_ref().map(|(_, ws)| ws.buffered_amount())
    }

    /// Whether `id` is the live opening of `channel`.
    pub fn is_live(&self, channel: &str, id: u64) -> bool {
        self.core.listeners(channel).is_some_and(|s| s.id == id)
    }

    fn open_socket(&mut self, socket: SocketId, url: &str, token: Option<&str>) -> bool {
        if let Some((_, old)) = self.socket.take() {
            detach(&old);
            let _ = old.close_with_code(1000);
        }
        let created = match token {
            Some(token) => WebSocket::new_with_str(url, token),
            None => WebSocket::new(url),
        };
        let Ok(ws) = created else {
            return false;
        };
        HANDLERS.with(|h| {
            ws.set_onopen(Some(h.on_open.as_ref().unchecked_ref()));
            ws.set_onmessage(Some(h.on_message.as_ref().unchecked_ref()));
            ws.set_onclose(Some(h.on_close.as_ref().unchecked_ref()));
        });
        self.stats.sockets_opened += 1;
        self.socket = Some((socket, ws));
        true
    }

    fn close_socket(&mut self, socket: SocketId, code: u16) {
        if self.socket.as_ref().is_some_and(|(id, _)| *id == socket) {
            if let Some((_, ws)) = self.socket.take() {
                detach(&ws);
                let _ = ws.close_with_code(code);
            }
        }
    }

    fn send(&mut self, socket: SocketId, text: &str) {
        if let Some((id, ws)) = &self.socket {
            if *id == socket && ws.ready_state() == WebSocket::OPEN {
                // A send on a socket that is closing fails; its close event follows and the core
                // reconnects. Queued actions are deleted only after the flush confirms them.
                let _ = ws.send_with_str(text);
            }
        }
    }

    fn arm_timer(&mut self, timer: TimerId, delay_ms: u32) {
        self.cancel_timer();
        let handle = HANDLERS.with(|h| {
            glue::set_timeout_with_arg(h.on_timer.as_ref().unchecked_ref(), delay_ms, timer as f64)
        });
        self.timer = Some((timer, handle));
    }

    fn cancel_timer(&mut self) {
        if let Some((_, handle)) = self.timer.take() {
            glue::clear_timeout(&handle);
        }
    }
}

fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
}

/// Where a frame goes.
enum Delivery {
    Nowhere,
    One(Targets),
    Many(Vec<Targets>),
}

fn on_message(event: MessageEvent) {
    let data = event.data();
    let Some(frame) = glue::decode_frame(&data) else {
        report_malformed("not a JSON object with an \"action\"");
        return;
    };
    let channel = glue::frame_channel(&frame);
    let action = glue::frame_action(&frame);
    let delivery = with_rt(|rt| rt.prepare_delivery(&frame, channel.as_deref(), &action));
    match delivery {
        Ok(Delivery::Nowhere) => {}
        Ok(Delivery::One(targets)) => deliver(&targets, &frame),
        Ok(Delivery::Many(all)) => {
            for targets in &all {
                deliver(targets, &frame);
            }
        }
        Err(what) => report_malformed(what),
    }
}

fn report_malformed(what: &str) {
    let count = with_rt(|rt| {
        rt.stats.malformed += 1;
        rt.stats.malformed
    });
    // The first few are reported; after that only the count grows (clientStats()).
    if count <= 5 {
        glue::console_warn(&format!(
            "xano-realtime: ignored a malformed frame from the server ({what})"
        ));
    }
}

impl Runtime {
    fn prepare_delivery(
        &mut self,
        frame: &JsValue,
        channel: Option<&str>,
        action: &str,
    ) -> Result<Delivery, &'static str> {
        self.stats.frames += 1;
        if let Some(name) = channel {
            if self.core.is_open(name) {
                match action {
                    "presence_full" => {
                        let list = glue::presence_list(frame).ok_or("malformed presence_full")?;
                        let members = list.iter().map(|pair| {
                            let pair: js_sys::Array = pair.unchecked_into();
                            (pair.get(0).as_string().unwrap_or_default(), pair.get(1))
                        });
                        self.core.presence_full(name, members);
                    }
                    "presence_update" => {
                        let change =
                            glue::presence_change(frame).ok_or("malformed presence_update")?;
                        let id = change.get(1).as_string().unwrap_or_default();
                        if change.get(0).as_string().as_deref() == Some("join") {
                            self.core.presence_join(name, id, change.get(2));
                        } else {
                            self.core.presence_leave(name, &id);
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(match self.core.route(channel) {
            Route::One(shell) => Delivery::One(shell.listeners.targets(action)),
            Route::All => Delivery::Many(
                self.core
                    .all_listeners()
                    .map(|(_, s)| s.listeners.targets(action))
                    .collect(),
            ),
            Route::NotOpen => {
                self.stats.not_open += 1;
                Delivery::Nowhere
            }
        })
    }
}

/// Calls every listener of `targets` with `frame`.
pub fn deliver(targets: &Targets, frame: &JsValue) {
    for list in [&targets.0, &targets.1].into_iter().flatten() {
        for cb in list.iter() {
            glue::call_listener(cb, frame);
        }
    }
}

/// Performs the core's outputs until there are none left. Every entry point calls it last.
pub fn run_outputs() {
    loop {
        let outputs = with_rt(|rt| rt.core.take_outputs());
        if outputs.is_empty() {
            return;
        }
        for output in outputs {
            perform(output);
        }
    }
}

fn perform(output: Output) {
    match output {
        Output::OpenSocket { socket, url, token } => with_rt(|rt| {
            if !rt.open_socket(socket, &url, token.as_deref()) {
                // The browser refused the URL or the subprotocol: as a refused handshake.
                rt.core.socket_closed(socket, 1002);
            }
        }),
        Output::CloseSocket { socket, code } => with_rt(|rt| rt.close_socket(socket, code)),
        Output::Send { socket, text } => with_rt(|rt| rt.send(socket, &text)),
        Output::ArmTimer { timer, delay_ms } => with_rt(|rt| rt.arm_timer(timer, delay_ms)),
        Output::CancelTimer { timer } => with_rt(|rt| {
            if rt.timer.as_ref().is_some_and(|(id, _)| *id == timer) {
                rt.cancel_timer();
            }
        }),
        Output::ConnectionStatus {
            channel: Some(name),
            connected,
        } => {
            // A channel opened on an open socket hears `connected` after `openChannel` returns,
            // so that the listeners the app adds right after opening it hear it too.
            let Some(id) = with_rt(|rt| rt.core.listeners(&name).map(|s| s.id)) else {
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                let targets = with_rt(|rt| {
                    let still = rt.is_live(&name, id) && rt.core.is_joined(&name) == connected;
                    still
                        .then(|| rt.core.listeners(&name))
                        .flatten()
                        .map(|s| s.listeners.targets("connection_status"))
                });
                if let Some(t) = targets {
                    deliver(&t, &glue::connection_status_frame(connected));
                }
            });
        }
        Output::ConnectionStatus {
            channel: None,
            connected,
        } => {
            let targets: Vec<Targets> = with_rt(|rt| {
                rt.core
                    .all_listeners()
                    .map(|(_, s)| s.listeners.targets("connection_status"))
                    .collect()
            });
            for t in &targets {
                deliver(t, &glue::connection_status_frame(connected));
            }
        }
        Output::StateChanged { state, detail } => glue::emit_state(
            state.as_str(),
            detail.attempt,
            detail.delay_ms,
            detail.code,
            detail.reason,
        ),
        Output::FlushQueue { channel, flush } => queue::start_flush(channel, flush),
        Output::QueueChanged { channel, .. } => queue::announce(channel),
    }
}
