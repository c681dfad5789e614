//! The JavaScript API (API.md §1): argument checking and conversion, nothing else. Every export
//! checks its arguments and throws a `TypeError`, `RangeError` or `Error` naming the bad one.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;

use crate::core::{
    ChannelOptions, ClientError, Config, ConfigInput, MessageDecision, MessageOptions, Opened,
};
use crate::web::read::{self, field, to_js_error};
use crate::web::runtime::{run_outputs, with_rt, ChannelShell};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Settings of the client; pass them to `configure`. */
export interface RealtimeConfig {
  /** The instance's base URL: "https://x8ki-letl-twmt.n7.xano.io", or "http://127.0.0.1:8787" for a local server. */
  instanceBaseUrl: string;
  /** The instance's realtime connection canonical (Realtime settings in Xano). */
  realtimeConnectionCanonical?: string;
  /** The old name of `realtimeConnectionCanonical`. */
  realtimeConnectionHash?: string;
  /** The realtime auth token (a Xano JWT), sent as the WebSocket subprotocol. Absent: anonymous. */
  realtimeAuthToken?: string | null;
  /** Reconnect backoff: a random wait between minDelayMs (default 1000) and a ceiling that doubles up to maxDelayMs (default 60000). */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /** Offline queue: the IndexedDB database name (default "xano-realtime") and the cap per channel (default 10000). */
  queue?: { database?: string; maxActions?: number };
}

/** Features of a channel, chosen when it is opened. */
export interface ChannelOptions {
  /** Keep `presence()` current and receive presence_full / presence_update frames. */
  presence?: boolean;
  /** Receive the channel's earlier messages (a "history" frame) when joining. */
  history?: boolean;
  /** Keep messages sent while disconnected and deliver them once the channel is joined again. */
  queueOfflineActions?: boolean;
}

/** The connection's state. */
export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "offline";

/** Why the connection state changed. */
export interface ConnectionStateDetail {
  /** The reconnect attempt (0 for the first retry). */
  attempt: number;
  /** The wait before the next attempt, when one is scheduled. */
  delayMs?: number;
  /** The close code that caused the change, when a socket closed. */
  code?: number;
  /** A short explanation. */
  reason: string;
}

/** A member of a channel, as the server describes it. */
export interface Client {
  socketId: string;
  extras: Record<string, unknown>;
  permissions: { dbo_id: number; row_id: number | string };
}

/** A frame delivered to a channel's listeners. */
export interface Frame {
  action: string;
  options: { channel?: string; authenticated?: boolean; socketId?: string | null; [key: string]: unknown };
  payload: unknown;
  client?: Client | null;
}

/** The audience of a message: everyone (default), authenticated members, or one peer. */
export interface MessageOptions {
  authenticated?: boolean;
  socketId?: string | null;
}

/** Counters of the client, for diagnostics and tests. */
export interface ClientStats {
  frames: number;
  malformedFrames: number;
  framesForClosedChannels: number;
  socketsOpened: number;
  channels: number;
  listeners: number;
}
"#;

fn throw(err: ClientError) -> JsValue {
    to_js_error(&err)
}

/// Sets (or changes) the client's settings. Called again later, it reconnects with the new
/// settings without reporting `disconnected`.
///
/// Throws a `TypeError` or `RangeError` naming the setting that is wrong; the auth token is never
/// repeated in an error.
#[wasm_bindgen]
pub fn configure(
    #[wasm_bindgen(unchecked_param_type = "RealtimeConfig")] config: JsValue,
) -> Result<(), JsValue> {
    let config = read_config(&config).map_err(throw)?;
    with_rt(|rt| rt.core.configure(config));
    run_outputs();
    Ok(())
}

fn read_config(config: &JsValue) -> Result<Config, ClientError> {
    let Some(config) = read::options_object(config, "config")? else {
        return Err(ClientError::wrong_type("config", "an object"));
    };
    let base = field(&config, "instanceBaseUrl");
    if read::absent(&base) {
        return Err(ClientError::wrong_type("instanceBaseUrl", "a string"));
    }
    let mut canonical = field(&config, "realtimeConnectionCanonical");
    if read::absent(&canonical) {
        canonical = field(&config, "realtimeConnectionHash");
    }
    if read::absent(&canonical) {
        return Err(ClientError::wrong_type(
            "realtimeConnectionCanonical",
            "a string (the connection canonical from the instance's realtime settings)",
        ));
    }
    let reconnect = read::options_object(&field(&config, "reconnect"), "reconnect")?;
    let queue = read::options_object(&field(&config, "queue"), "queue")?;
    let sub = |obj: &Option<JsValue>, key: &str| {
        obj.as_ref().map_or(JsValue::UNDEFINED, |o| field(o, key))
    };
    Config::from_input(ConfigInput {
        instance_base_url: read::string(&base, "instanceBaseUrl")?,
        canonical: read::string(&canonical, "realtimeConnectionCanonical")?,
        token: read::opt_string(&field(&config, "realtimeAuthToken"), "realtimeAuthToken")?,
        min_delay_ms: read::opt_number(&sub(&reconnect, "minDelayMs"), "reconnect.minDelayMs")?,
        max_delay_ms: read::opt_number(&sub(&reconnect, "maxDelayMs"), "reconnect.maxDelayMs")?,
        queue_database: read::opt_string(&sub(&queue, "database"), "queue.database")?,
        queue_max_actions: read::opt_number(&sub(&queue, "maxActions"), "queue.maxActions")?,
    })
}

/// Replaces the realtime auth token (`null` for anonymous) and reconnects, like the official
/// SDK's `realtimeReconnect()`. Throws when the client is not configured or the token cannot be
/// sent as a WebSocket subprotocol.
#[wasm_bindgen(js_name = setAuthToken)]
pub fn set_auth_token(
    #[wasm_bindgen(unchecked_param_type = "string | null")] token: JsValue,
) -> Result<(), JsValue> {
    let token = read::opt_string(&token, "token").map_err(throw)?;
    with_rt(|rt| rt.core.set_token(token)).map_err(throw)?;
    run_outputs();
    Ok(())
}

pub(crate) fn read_channel_options(options: &JsValue) -> Result<ChannelOptions, ClientError> {
    let Some(o) = read::options_object(options, "options")? else {
        return Ok(ChannelOptions::default());
    };
    Ok(ChannelOptions {
        presence: read::opt_bool(&field(&o, "presence"), "options.presence")?.unwrap_or(false),
        history: read::opt_bool(&field(&o, "history"), "options.history")?.unwrap_or(false),
        queue_offline_actions: read::opt_bool(
            &field(&o, "queueOfflineActions"),
            "options.queueOfflineActions",
        )?
        .unwrap_or(false),
    })
}

/// Opens a channel (joining it as soon as the shared socket is open) and returns its `Channel`.
/// Opening a channel that is already open returns the same `Channel` and changes nothing.
///
/// Throws when the name is not a non-empty string, an option is not a boolean, or `configure`
/// has not been called.
#[wasm_bindgen(js_name = openChannel, unchecked_return_type = "Channel")]
pub fn open_channel(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ChannelOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let name = read::channel_name(&name).map_err(throw)?;
    let options = read_channel_options(&options.unwrap_or_default()).map_err(throw)?;
    let handle = open_named(&name, options).map_err(throw)?;
    Ok(handle)
}

pub(crate) fn open_named(name: &str, options: ChannelOptions) -> Result<JsValue, ClientError> {
    let (handle, opened) = with_rt(|rt| {
        if let Some(shell) = rt.core.shell_data(name) {
            return Ok((shell.handle.clone(), Opened::Existing));
        }
        let id = rt.next_channel_id();
        let handle: JsValue = Channel {
            name: name.to_owned(),
            id,
        }
        .into();
        let shell = ChannelShell {
            id,
            name: JsValue::from_str(name),
            handle: handle.clone(),
            slot: crate::web::router::open_slot(name),
        };
        let opened = rt.core.open_channel(name, options, shell)?;
        Ok((handle, opened))
    })?;
    if opened == Opened::New && options.queue_offline_actions {
        crate::web::queue::count_backlog(name.to_owned());
    }
    run_outputs();
    Ok(handle)
}

/// Closes a channel: sends `leave`, and closes the socket (code 1000) when it was the last open
/// channel. Its listeners hear nothing more, and never a `disconnected`. Closing a channel that
/// is not open does nothing.
#[wasm_bindgen(js_name = closeChannel)]
pub fn close_channel(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Result<(), JsValue> {
    let name = read::channel_name(&name).map_err(throw)?;
    close_named(&name);
    Ok(())
}

/// Closes the channel `name` if it is open (the logic of `closeChannel`, for the hooks).
pub(crate) fn close_named(name: &str) {
    with_rt(|rt| rt.core.close_channel(name));
    run_outputs();
}

/// The `Channel` of an open channel, or `undefined`.
#[wasm_bindgen(js_name = getChannel, unchecked_return_type = "Channel | undefined")]
pub fn get_channel(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Result<JsValue, JsValue> {
    let name = read::string(&name, "channel name").map_err(throw)?;
    Ok(with_rt(|rt| {
        rt.core
            .shell_data(&name)
            .map_or(JsValue::UNDEFINED, |s| s.handle.clone())
    }))
}

/// The connection's state: "idle", "connecting", "open", "reconnecting" or "offline".
#[wasm_bindgen(js_name = connectionState, unchecked_return_type = "ConnectionState")]
pub fn connection_state() -> JsValue {
    JsValue::from_str(with_rt(|rt| rt.core.state()).as_str())
}

/// Calls `cb(state, detail)` on every change of the connection state; returns the function that
/// unsubscribes it.
#[wasm_bindgen(js_name = onConnectionState, unchecked_return_type = "() => void")]
pub fn on_connection_state(
    #[wasm_bindgen(
        unchecked_param_type = "(state: ConnectionState, detail: ConnectionStateDetail) => void"
    )]
    cb: JsValue,
) -> Result<JsValue, JsValue> {
    let cb = read::function(&cb, "callback").map_err(throw)?;
    Ok(crate::web::glue::add_state_listener(&cb).into())
}

/// Counters of the client: frames received, malformed frames ignored, frames for channels that
/// are not open, sockets opened, open channels and listeners.
#[wasm_bindgen(js_name = clientStats, unchecked_return_type = "ClientStats")]
pub fn client_stats() -> JsValue {
    let (stats, channels) = with_rt(|rt| (rt.stats, rt.core.channel_count()));
    let listeners = crate::web::router::listener_count() + crate::web::glue::state_listener_count();
    let counters = crate::web::router::counter_values();
    let counter = |i: usize| counters.get(i).copied().unwrap_or(0.0);
    let obj = js_sys::Object::new();
    let set = |k: &str, v: f64| {
        let _ = js_sys::Reflect::set(&obj, &k.into(), &v.into());
    };
    set("frames", counter(0));
    set("malformedFrames", counter(1));
    set("framesForClosedChannels", counter(2));
    set("socketsOpened", stats.sockets_opened as f64);
    set("channels", channels as f64);
    set("listeners", listeners as f64);
    obj.into()
}

thread_local! {
    /// What `message` resolves with when the socket took the message (made once, not per send).
    static SENT: JsValue = JsValue::from_str("sent");
}

/// An open (or closed) Xano realtime channel. Get one from `openChannel`.
#[wasm_bindgen]
pub struct Channel {
    name: String,
    id: u64,
}

#[wasm_bindgen]
impl Channel {
    /// The channel's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }

    fn live_slot(&self) -> Result<crate::web::router::Slot, ClientError> {
        with_rt(|rt| {
            rt.core
                .shell_data(&self.name)
                .filter(|s| s.id == self.id)
                .map(|s| s.slot.clone())
        })
        .ok_or_else(|| ClientError::ChannelClosed {
            channel: self.name.clone(),
        })
    }

    /// The channel's name as a JS string, if this handle is the live opening of its channel.
    fn live_name(&self) -> Result<JsValue, ClientError> {
        with_rt(|rt| {
            rt.core
                .shell_data(&self.name)
                .filter(|s| s.id == self.id)
                .map(|s| s.name.clone())
        })
        .ok_or_else(|| ClientError::ChannelClosed {
            channel: self.name.clone(),
        })
    }

    /// Fails unless this handle is the live opening of its channel (not an earlier one).
    fn check_live(&self) -> Result<(), ClientError> {
        if with_rt(|rt| rt.is_live(&self.name, self.id)) {
            Ok(())
        } else {
            Err(ClientError::ChannelClosed {
                channel: self.name.clone(),
            })
        }
    }

    /// Calls `cb(frame)` for every frame with this action: a server action (`message`, `event`,
    /// `error`, `history`, `presence_full`, `presence_update`, `join`, `leave`),
    /// `connection_status`, `queue`, or `"*"` for all. Returns the function that unsubscribes.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn on(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(frame: Frame) => void")] cb: JsValue,
    ) -> Result<JsValue, JsValue> {
        let action_name = read::string(&action, "action").map_err(throw)?;
        if action_name.is_empty() {
            return Err(throw(ClientError::bad_value("action", "must not be empty")));
        }
        let f = read::function(&cb, "callback").map_err(throw)?;
        let slot = self.live_slot().map_err(throw)?;
        crate::web::router::add_listener(&slot, &action_name, &f);
        Ok(crate::web::router::listener_remover(&slot, &action_name, &f).into())
    }

    /// Removes a listener added with `on`. Does nothing if it is not registered.
    pub fn off(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(frame: Frame) => void")] cb: JsValue,
    ) -> Result<(), JsValue> {
        let action = read::string(&action, "action").map_err(throw)?;
        let cb: Function = read::function(&cb, "callback").map_err(throw)?;
        if let Ok(slot) = self.live_slot() {
            crate::web::router::remove_listener(&slot, &action, &cb);
        }
        Ok(())
    }

    /// Sends a message: to everyone in the channel, to authenticated members only
    /// (`{authenticated: true}`), or to one peer (`{socketId}`). Resolves `"sent"` once handed to
    /// the open socket, or `"queued"` when kept in the offline queue (`queueOfflineActions`).
    /// Rejects when the channel is closed, the payload is not JSON-serialisable, the channel is
    /// not connected and has no offline queue, or the queue is full. Never drops silently.
    #[wasm_bindgen(unchecked_return_type = "Promise<\"sent\" | \"queued\">")]
    pub fn message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] payload: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "MessageOptions")] options: Option<JsValue>,
    ) -> Promise {
        match self.send_message(&payload, &options.unwrap_or_default()) {
            Ok(promise) => promise,
            Err(err) => Promise::reject(&err),
        }
    }

    fn send_message(&self, payload: &JsValue, options: &JsValue) -> Result<Promise, JsValue> {
        let name = self.live_name().map_err(throw)?;
        let options = read_message_options(options).map_err(throw)?;
        let text = crate::web::glue::message_frame(
            &name,
            payload,
            options.authenticated,
            options.socket_id,
        )?;
        let decision = with_rt(|rt| rt.core.decide_message(&self.name)).map_err(throw)?;
        // The store is written before the outputs run, so a flush they start reads this frame.
        let promise = match decision {
            MessageDecision::Send(socket) => {
                with_rt(|rt| rt.send_text(socket, &text));
                SENT.with(Promise::resolve)
            }
            MessageDecision::Queue => crate::web::queue::store_frame(&self.name, &text),
        };
        run_outputs();
        Ok(promise)
    }

    /// Asks the server for the channel's history; it arrives as a `history` frame. Throws when the
    /// channel is closed or not connected.
    pub fn history(&self) -> Result<(), JsValue> {
        self.check_live().map_err(throw)?;
        with_rt(|rt| rt.core.request_history(&self.name)).map_err(throw)?;
        run_outputs();
        Ok(())
    }

    /// The channel's current members, without duplicates (empty unless opened with `presence`).
    #[wasm_bindgen(unchecked_return_type = "Client[]")]
    pub fn presence(&self) -> Array {
        let id = self.id;
        with_rt(|rt| {
            let out = Array::new();
            if rt.is_live(&self.name, id) {
                if let Some(p) = rt.core.presence(&self.name) {
                    for m in p.members() {
                        out.push(m);
                    }
                }
            }
            out
        })
    }

    /// The number of this channel's actions waiting in the offline queue (stored in IndexedDB,
    /// shared by the tabs of this origin). Rejects when the channel is closed.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn pending(&self) -> Promise {
        match self.check_live() {
            Ok(_) => crate::web::queue::count(&self.name),
            Err(err) => Promise::reject(&throw(err)),
        }
    }

    /// Closes the channel, like `closeChannel(name)`. Does nothing if it is already closed.
    pub fn close(&self) {
        let id = self.id;
        let live = with_rt(|rt| rt.is_live(&self.name, id));
        if live {
            with_rt(|rt| rt.core.close_channel(&self.name));
            run_outputs();
        }
    }
}

fn read_message_options(options: &JsValue) -> Result<MessageOptions, ClientError> {
    let Some(o) = read::options_object(options, "options")? else {
        return Ok(MessageOptions::default());
    };
    let authenticated =
        read::opt_bool(&field(&o, "authenticated"), "options.authenticated")?.unwrap_or(false);
    let socket_id = read::opt_string(&field(&o, "socketId"), "options.socketId")?;
    if socket_id.as_deref() == Some("") {
        return Err(ClientError::bad_value(
            "options.socketId",
            "must not be empty",
        ));
    }
    Ok(MessageOptions {
        authenticated,
        socket_id,
    })
}
