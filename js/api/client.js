// The JavaScript API's functions (API.md §1): configure, setAuthToken, openChannel,
// closeChannel, getChannel, connectionState, onConnectionState, clientStats; with
// `shareConnection`, the tab joins the group of tabs that share one socket (shell/share.js).
// Each checks its arguments (args.js) and throws an error naming the bad one (errors.js); the
// work is the shell's.

import * as args from "./args.js";
import * as errors from "./errors.js";
import { settings } from "./settings.js";
import { Channel, channelOf } from "./channel.js";
import { attached, input, num } from "../shell/core.js";
import { setLink, connectionState as shellState, start, link } from "../shell/connection.js";
import { share, join, listen } from "../shell/share.js";
import { state } from "../shell/events.js";
import { useDatabase } from "../shell/queue.js";
import { openSlot, closeSlot } from "../shell/channels.js";
import { slotNamed, openSlots, counters, listenerCount, unconfirmedCount } from "../shell/router.js";
import { socket } from "../shell/socket.js";

export { Channel };

function ready() {
  if (!attached()) throw errors.notInitialised();
  start();
  listen();
}

// A number setting: undefined when absent; non-finite numbers get the core's range error.
function finite(v, argument, code) {
  const n = args.optNumber(v, argument);
  if (n !== undefined && !Number.isFinite(n)) throw errors.configError(code);
  return n;
}

/**
 * The socket URL for an instance's base URL and canonical, as the official SDK derives it:
 * `https://HOST[:port][/path]` gives `wss://HOST/rt/CANONICAL` (path and port dropped);
 * `http://HOST[:PORT]` gives `ws://HOST[:PORT]/rt/CANONICAL`, so that a local server can be
 * reached. The browser's URL parser reads the base URL.
 */
export function socketUrl(base, canonical) {
  const text = base.trim();
  const scheme = /^(https?):\/\//i.exec(text);
  const bad = (reason) => errors.badValue("instanceBaseUrl", `${reason}, got ${JSON.stringify(base)}`);
  if (scheme === null) throw bad("must start with https:// or http://");
  if (/^[/?#]|^$/.test(text.slice(scheme[0].length))) throw bad("must name a host, like https://x8ki-letl-twmt.n7.xano.io");
  let url;
  try {
    url = new URL(text);
  } catch (_) {
    throw bad("has a malformed host or port");
  }
  if (url.username !== "" || url.password !== "" || url.hostname === "") throw bad("must name a host, like https://x8ki-letl-twmt.n7.xano.io");
  if (canonical === "") throw errors.badValue("realtimeConnectionCanonical", "must not be empty");
  if (!/^[A-Za-z0-9_-]+$/.test(canonical)) {
    throw errors.badValue(
      "realtimeConnectionCanonical",
      `may hold only letters, digits, '-' and '_', got ${JSON.stringify(canonical)}`,
    );
  }
  const secure = scheme[1].toLowerCase() === "https";
  return `${secure ? "wss://" + url.hostname : "ws://" + url.host}/rt/${canonical}`;
}

/**
 * Sets (or changes) the client's settings. Called again later, it reconnects with the new
 * settings without reporting `disconnected`.
 *
 * Throws a TypeError or RangeError naming the setting that is wrong; the auth token is never
 * repeated in an error.
 */
export function configure(config) {
  ready();
  const c = args.options(config, "config");
  if (c === null) throw errors.wrongType("config", "an object");
  const base = args.string(args.field(c, "instanceBaseUrl"), "instanceBaseUrl");
  let canonical = args.field(c, "realtimeConnectionCanonical");
  if (args.absent(canonical)) canonical = args.field(c, "realtimeConnectionHash");
  if (args.absent(canonical)) {
    throw errors.wrongType(
      "realtimeConnectionCanonical",
      "a string (the connection canonical from the instance's realtime settings)",
    );
  }
  const url = socketUrl(base, args.string(canonical, "realtimeConnectionCanonical"));
  const token = args.token(args.field(c, "realtimeAuthToken"), "realtimeAuthToken");
  const reconnect = args.options(args.field(c, "reconnect"), "reconnect") || {};
  const min = finite(args.field(reconnect, "minDelayMs"), "reconnect.minDelayMs", 1);
  const max = finite(args.field(reconnect, "maxDelayMs"), "reconnect.maxDelayMs", 2);
  const queue = args.options(args.field(c, "queue"), "queue") || {};
  const database = args.optString(args.field(queue, "database"), "queue.database");
  if (database !== null && database.trim() === "") throw errors.badValue("queue.database", "must not be empty");
  const maxActions = finite(args.field(queue, "maxActions"), "queue.maxActions", 4);
  const shared = args.flag(args.field(c, "shareConnection"), "shareConnection");
  input((core) => {
    const code = core.xr_configure(num(min), num(max), num(maxActions));
    if (code !== 0) throw errors.configError(code, min, max);
    setLink(url, token);
    useDatabase(database === null ? "xano-realtime" : database);
    settings.configured = true;
    settings.maxActions = maxActions === undefined ? 10000 : maxActions;
  });
  join(shared ? url : null, token);
}

/**
 * Replaces the realtime auth token (`null` for anonymous) and reconnects, like the official
 * SDK's `realtimeReconnect()`. Throws when the client is not configured or the token cannot be
 * sent as a WebSocket subprotocol.
 */
export function setAuthToken(token) {
  ready();
  const t = args.token(token, "token");
  if (!settings.configured) throw errors.notConfigured();
  setLink(null, t);
  if (share.group !== "") join(link.url, t);
  if (share.role !== "follower") input((x) => x.xr_token_changed());
}

/**
 * Opens a channel (joining it as soon as the shared socket is open) and returns its Channel.
 * Opening a channel that is already open returns the same Channel and changes nothing.
 *
 * Throws when the name is not a non-empty string, an option is not a boolean, or `configure`
 * has not been called.
 */
export function openChannel(name, options) {
  ready();
  const n = args.channelName(name);
  const o = args.channelOptions(options);
  if (!settings.configured) throw errors.notConfigured();
  return channelOf(openSlot(n, o));
}

/**
 * Closes a channel: sends `leave`, and closes the socket (code 1000) when it was the last open
 * channel. Its listeners hear nothing more, and never a `disconnected`. Closing a channel that
 * is not open does nothing.
 */
export function closeChannel(name) {
  const n = args.channelName(name);
  const slot = slotNamed(n);
  if (slot !== undefined) closeSlot(slot);
}

/** The Channel of an open channel, or undefined. */
export function getChannel(name) {
  const slot = slotNamed(args.string(name, "channel name"));
  return slot === undefined || !slot.local ? undefined : channelOf(slot);
}

/** The connection's state: "idle", "connecting", "open", "reconnecting" or "offline". */
export function connectionState() {
  return shellState();
}

/**
 * Calls `cb(state, detail)` on every change of the connection state; returns the function that
 * unsubscribes it (once). Subscribing the same function twice keeps one subscription.
 */
export function onConnectionState(cb) {
  args.fn(cb, "callback");
  if (!state.listeners.includes(cb)) state.listeners.push(cb);
  return args.once(() => {
    const i = state.listeners.indexOf(cb);
    if (i >= 0) state.listeners.splice(i, 1);
  });
}

/**
 * Counters of the client: frames received, malformed frames ignored, frames for channels that
 * are not open, sockets opened, open channels, messages sent on `queueOfflineActions` channels
 * that this tab keeps until they are confirmed, listeners, and this tab's part in a shared
 * connection ("off" when the tab has its own socket).
 */
export function clientStats() {
  return {
    frames: counters.frames,
    malformedFrames: counters.malformed,
    framesForClosedChannels: counters.notOpen,
    socketsOpened: socket.opened,
    channels: openSlots().filter((s) => s.local).length,
    unconfirmed: unconfirmedCount(),
    listeners: listenerCount() + state.listeners.length,
    shared: share.role,
  };
}
