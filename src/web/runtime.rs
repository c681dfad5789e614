//! The browser shell: one runtime per page that owns the WebSocket, the reconnect timer and the
//! app's listeners, turns browser events into calls on the core, and performs the core's outputs.
//!
//! It holds no policy. Its one rule of its own: the runtime is borrowed only for short stretches
//! that never call into the app, so a listener may call any API function, even `closeChannel`
//! for the channel whose frame it is handling.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, WebSocket};

use super::glue;
use super::queue::{self, QueueStore};
use super::router::{self, Slot};
use crate::core::{Client, Output, Route, SocketId, TimerId};

/// The shell's part of an open channel.
pub struct ChannelShell {
    /// Tells this opening of the channel from an earlier or later one of the same name.
    pub id: u64,
    /// The channel's name as a JS string, made once: each message's frame is built in JS around it.
    pub name: JsValue,
    /// The `Channel` object handed to the app (the same object for every `openChannel` call).
    pub handle: JsValue,
    /// Its entry in the JS routing table, which holds the app's listeners.
    pub slot: Slot,
}

impl Drop for ChannelShell {
    /// The core dropped the channel (closed, or refused to open it): inbound frames for it are no
    /// longer delivered.
    fn drop(&mut self) {
        router::close_slot(&self.slot);
    }
}

/// Counters for tests and diagnostics (`clientStats()`; frame counters live in router.js).
#[derive(Default, Clone, Copy)]
pub struct Stats {
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
    /// router.js's fast path, around `on_slow_frame`.
    on_message: js_sys::Function,
    _on_slow_frame: Closure<dyn FnMut(JsValue, String, Option<String>)>,
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
        let on_slow_frame = Closure::new(on_slow_frame);
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
            on_message: router::inbound(on_slow_frame.as_ref()),
            _on_slow_frame: on_slow_frame,
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

    /// The socket `socket`, if it is the current one.
    fn current(&self, socket: SocketId) -> Option<&WebSocket> {
        self.socket
            .as_ref()
            .filter(|(id, _)| *id == socket)
            .map(|(_, ws)| ws)
    }

    /// The socket `socket`, if it is the current one and open.
    fn current_open(&self, socket: SocketId) -> Option<&WebSocket> {
        self.current(socket)
            .filter(|ws| ws.ready_state() == WebSocket::OPEN)
    }

    /// The socket `socket`, if it is the current one (for the queue flush).
    pub fn websocket(&self, socket: SocketId) -> Option<WebSocket> {
        self.current(socket).cloned()
    }

    /// Whether `id` is the live opening of `channel`.
    pub fn is_live(&self, channel: &str, id: u64) -> bool {
        self.core.shell_data(channel).is_some_and(|s| s.id == id)
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
            ws.set_onmessage(Some(&h.on_message));
            ws.set_onclose(Some(h.on_close.as_ref().unchecked_ref()));
        });
        self.stats.sockets_opened += 1;
        self.socket = Some((socket, ws));
        true
    }

    fn close_socket(&mut self, socket: SocketId, code: u16) {
        if self.current(socket).is_some() {
            if let Some((_, ws)) = self.socket.take() {
                detach(&ws);
                let _ = ws.close_with_code(code);
            }
        }
    }

    // A send on a socket that is closing fails; its close event follows and the core reconnects.
    // Queued actions leave the store only once the server confirmed them, so nothing is lost.

    /// Sends frame text built in Rust (join, leave, history).
    fn send(&self, socket: SocketId, text: &str) {
        if let Some(ws) = self.current_open(socket) {
            let _ = ws.send_with_str(text);
        }
    }

    /// Sends frame text that is a JS string (built in JS: a message).
    pub fn send_text(&self, socket: SocketId, text: &JsValue) {
        if let Some(ws) = self.current_open(socket) {
            let _ = glue::send_text(ws, text);
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

/// Frames router.js does not deliver by itself: presence frames and frames that name no channel.
/// Presence is kept by the core; the frame then goes where the core routes it.
fn on_slow_frame(frame: JsValue, action: String, channel: Option<String>) {
    let route = with_rt(|rt| -> Result<Option<Option<Slot>>, &'static str> {
        if let Some(name) = channel.as_deref() {
            if rt.core.is_open(name) {
                update_presence(rt, name, &action, &frame)?;
            }
        }
        Ok(match rt.core.route(channel.as_deref()) {
            Route::One(shell) => Some(Some(shell.slot.clone())),
            Route::All => Some(None),
            Route::NotOpen => None,
        })
    });
    match route {
        Ok(Some(Some(slot))) => router::deliver(&slot, &action, &frame),
        Ok(Some(None)) => router::deliver_all(&action, &frame),
        Ok(None) => router::count_not_open(),
        Err(what) => router::malformed(what),
    }
}

fn update_presence(
    rt: &mut Runtime,
    channel: &str,
    action: &str,
    frame: &JsValue,
) -> Result<(), &'static str> {
    match action {
        "presence_full" => {
            let list = glue::presence_list(frame).ok_or("malformed presence_full")?;
            let members = list.iter().map(|pair| {
                let pair: js_sys::Array = pair.unchecked_into();
                (pair.get(0).as_string().unwrap_or_default(), pair.get(1))
            });
            rt.core.presence_full(channel, members);
        }
        "presence_update" => {
            let change = glue::presence_change(frame).ok_or("malformed presence_update")?;
            let id = change.get(1).as_string().unwrap_or_default();
            if change.get(0).as_string().as_deref() == Some("join") {
                rt.core.presence_join(channel, id, change.get(2));
            } else {
                rt.core.presence_leave(channel, &id);
            }
        }
        _ => {}
    }
    Ok(())
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
            let Some(id) = with_rt(|rt| rt.core.shell_data(&name).map(|s| s.id)) else {
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                let slot = with_rt(|rt| {
                    let still = rt.is_live(&name, id) && rt.core.is_joined(&name) == connected;
                    still
                        .then(|| rt.core.shell_data(&name))
                        .flatten()
                        .map(|s| s.slot.clone())
                });
                if let Some(slot) = slot {
                    router::deliver(
                        &slot,
                        "connection_status",
                        &glue::connection_status_frame(connected),
                    );
                }
            });
        }
        Output::ConnectionStatus {
            channel: None,
            connected,
        } => router::deliver_all(
            "connection_status",
            &glue::connection_status_frame(connected),
        ),
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
