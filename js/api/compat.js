// The drop-in for the official @xano/js-sdk's realtime API (API.md §1b): `XanoClient` and
// `XanoRealtimeChannel` with the SDK's method names, arguments and frame shapes, on top of the
// package's public API. SDK users never call init(): the first client starts loading the core,
// and what is called before it is ready is held and performed in order once it is.

import { configure, openChannel, getChannel, connectionState, socketUrl } from "./client.js";
import * as args from "./args.js";
import { attached, loaded } from "../shell/core.js";

let live = false;
let loading = null;
const held = [];
/** The settings (base, canonical, token) this layer last configured, as one string. */
let applied = null;

function report(e) {
  console.error("xano-realtime:", e);
}

// Runs `f` now when the core is ready, else once it is, after what was held before it; an error
// of a held call goes to `fail`.
function later(f, fail = report) {
  if (!live && held.length === 0 && attached()) live = true;
  if (live) return f();
  held.push([f, fail]);
  loading ||= loaded().then(flush, (e) => {
    report(e);
    flush();
  });
}

function flush() {
  live = attached();
  loading = null;
  for (const [f, fail] of held.splice(0)) {
    try {
      f();
    } catch (e) {
      fail(e);
    }
  }
}

// The client config's realtime settings, checked; throws naming what is missing or wrong.
function link(c) {
  const base = c.instanceBaseUrl || c.apiGroupBaseUrl;
  const canonical = c.realtimeConnectionCanonical || c.realtimeConnectionHash;
  if (!base || !canonical) {
    throw new Error("XanoClient needs instanceBaseUrl and realtimeConnectionCanonical to open a realtime channel");
  }
  const token = args.token(c.realtimeAuthToken, "realtimeAuthToken");
  socketUrl(args.string(base, "instanceBaseUrl"), args.string(canonical, "realtimeConnectionCanonical"));
  return [base, canonical, token];
}

// Puts the client config's settings in force: when they differ from what this layer last
// configured, or `force` (reconnect). Settings somebody else configured (configure() beside
// XanoClient) are kept while their connection is up.
function apply(c, force) {
  const [base, canonical, token] = link(c);
  const key = `${base} ${canonical} ${token}`;
  if (force || (key !== applied && (applied !== null || connectionState() === "idle"))) {
    configure({ ...c, instanceBaseUrl: base, realtimeConnectionCanonical: canonical, realtimeAuthToken: token });
  }
  applied = key;
}

// Asks for the history of the open channel `ch`, or, while it is not joined, once it is.
function ask(ch) {
  if (getChannel(ch.name) !== ch) return;
  try {
    ch.history();
  } catch (_) {
    const off = ch.on("connection_status", (f) => {
      if (f.payload.status === "connected") queueMicrotask(() => off(ask(ch)));
    });
  }
}

/**
 * A realtime channel as the official SDK's `XanoRealtimeChannel`; get one from
 * `XanoClient.channel(name, options)`. It is opened (and joined once connected) at once.
 */
export class XanoRealtimeChannel {
  #ch = null;
  #error = null;

  /** @internal Use XanoClient.channel(). Opens `channel` with `options` and the client's `config`. */
  constructor(channel, options, config) {
    args.channelName(channel);
    args.channelOptions(options);
    link(config);
    /** The channel's name. */
    this.channel = channel;
    /** The options it was opened with. */
    this.options = options || {};
    later(
      () => {
        apply(config, false);
        this.#ch = openChannel(channel, options);
      },
      (e) => report((this.#error = e)),
    );
  }

  // Runs `f(channel)` once the channel is open (an error of its opening is rethrown).
  #use(f, fail) {
    return later(() => {
      if (this.#error) throw this.#error;
      return f(this.#ch);
    }, fail);
  }

  /**
   * `on(onFunc, onError)` calls `onFunc(frame)` for every frame of the channel (server actions and
   * `connection_status`) and `onError(frame)` for `error` frames, which never reach `onFunc`.
   * `on(action, onFunc, onError)` does the same for frames of that action only. Returns this.
   * A listener may send when it hears `connected`: the channel is joined by then.
   */
  on(action, onFunc, onError) {
    if (typeof action !== "string") [action, onFunc, onError] = ["*", action, onFunc];
    args.fn(onFunc, "onFunc");
    if (!args.absent(onError)) args.fn(onError, "onError");
    // connection_status is heard a microtask later, once the channel's join is in force, so that
    // a listener may send or ask for history when it hears "connected".
    this.#use((ch) =>
      ch.on(action, (f) => {
        if (f.action === "error") onError && onError(f);
        else if (f.action === "connection_status") queueMicrotask(() => onFunc(f));
        else if (action !== "*" || f.action !== "queue") onFunc(f);
      }),
    );
    return this;
  }

  /**
   * Sends a message: to everyone, to authenticated members (`{authenticated: true}`) or to one
   * peer (`{socketId}`). Resolves "sent" or "queued" (`queueOfflineActions`); rejects, naming the
   * cause, when it could not be sent or queued (e.g. not joined yet without `queueOfflineActions`).
   */
  message(payload, options) {
    return new Promise((resolve, reject) => this.#use((ch) => resolve(ch.message(payload, options)), reject));
  }

  /**
   * The channel's members, without duplicates (empty before it is joined, or without `presence`).
   * Each has `message(payload)`, which sends it a private message.
   */
  getPresence() {
    const ch = this.#ch;
    if (ch === null) return [];
    const peer = {
      message(payload) {
        return ch.message(payload, { socketId: this.socketId });
      },
    };
    return ch.presence().map((c) => Object.assign(Object.create(peer), c));
  }

  /** Asks for the channel's history, now or once the channel is joined; it arrives as a `history` frame. */
  history() {
    this.#use(ask);
  }

  /** Leaves the channel: its listeners hear nothing more. `channel()` of the same name opens it anew. */
  destroy() {
    this.#use((ch) => ch.close());
  }
}

/**
 * The official SDK's client, for its realtime API: `channel()`, the realtime token and
 * `realtimeReconnect()`. Its HTTP methods throw: HTTP stays with @xano/js-sdk.
 */
export class XanoClient {
  #config;

  /**
   * Takes the SDK's config: `instanceBaseUrl` (or `apiGroupBaseUrl`), `realtimeConnectionCanonical`
   * (or `realtimeConnectionHash`), `realtimeAuthToken`; also this package's `reconnect`, `queue`.
   */
  constructor(config) {
    this.#config = { ...args.options(config, "config") };
    later(() => {});
  }

  /** Opens a channel ({presence, history, queueOfflineActions}) and returns its XanoRealtimeChannel. */
  channel(name, options) {
    return new XanoRealtimeChannel(name, options, this.#config);
  }

  /** Sets the realtime auth token (null: anonymous) that `realtimeReconnect()` and later `channel()` calls use. */
  setRealtimeAuthToken(token) {
    this.#config.realtimeAuthToken = args.token(token, "token");
    return this;
  }

  /** Whether a realtime auth token is set. */
  hasRealtimeAuthToken() {
    return !!this.#config.realtimeAuthToken;
  }

  /**
   * Reconnects with the current settings and token (after `setRealtimeAuthToken`); open channels
   * join again. Does nothing before a channel was opened: the first `channel()` uses the token.
   */
  realtimeReconnect() {
    later(() => applied !== null && apply(this.#config, true));
    return this;
  }

  /** Keeps the HTTP auth token, for callers that read it back with hasAuthToken(). */
  setAuthToken(token) {
    this.#config.authToken = token;
    return this;
  }

  /** Whether an HTTP auth token is set. */
  hasAuthToken() {
    return !!this.#config.authToken;
  }
}

// get, post, put, patch, delete and head: HTTP requests are not this package's; each throws.
for (const m of ["get", "post", "put", "patch", "delete", "head"]) {
  XanoClient.prototype[m] = () => {
    throw new Error(`XanoClient.${m}(): xano-realtime does realtime only; make HTTP requests with @xano/js-sdk`);
  };
}
