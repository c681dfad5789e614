// Types of the xano-realtime package (API.md). Every function checks its arguments and throws a
// TypeError, RangeError or Error whose message names the bad argument; the auth token never
// appears in an error.

/**
 * Loads the wasm core (from `xano_realtime_bg.wasm` next to the module, or from
 * `{ module_or_path }`). Await it once before calling the other functions; calling it again does
 * nothing. (`XanoClient` loads it by itself.)
 */
export default function init(
  moduleOrPath?: { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module } | RequestInfo | URL,
): Promise<unknown>;

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
  /**
   * Reconnect schedule: the first attempt after a loss waits between minDelayMs / 2 and
   * minDelayMs (default 1000); later the spacing grows with the outage (1/15 of its length), up
   * to maxDelayMs (default 60000). While a channel is open the client never gives up.
   */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /** Offline queue: the IndexedDB database name (default "xano-realtime") and the cap per channel (default 10000). */
  queue?: { database?: string; maxActions?: number };
  /** One WebSocket per browser instead of one per tab (default false). */
  shareConnection?: boolean;
}

/** Features of a channel, chosen when it is opened. */
export interface ChannelOptions {
  /** Keep `presence()` current and receive presence_full / presence_update frames. */
  presence?: boolean;
  /** Receive the channel's earlier messages (a "history" frame) when joining. */
  history?: boolean;
  /** Keep messages sent while disconnected (IndexedDB) and deliver them once the channel is joined again. */
  queueOfflineActions?: boolean;
}

/** The connection's state. */
export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "offline";

/** Why the connection state changed. */
export interface ConnectionStateDetail {
  /** The number of the attempt being made or about to be made (0 for the first after a loss). */
  attempt: number;
  /** The wait before the next attempt, when one is scheduled. */
  delayMs?: number;
  /** The close code that caused the change, when a socket closed. */
  code?: number;
  /** A short explanation; after repeated failed handshakes it names the likely causes. */
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
  /**
   * Messages sent on `queueOfflineActions` channels that this tab keeps until they are confirmed
   * (by their echo, or, for private and authenticated-only messages, which the server does not
   * echo, once the browser has sent them).
   */
  unconfirmed: number;
  listeners: number;
  /** This tab's part in a shared connection ("off": the tab has its own socket). */
  shared: "off" | "leader" | "follower";
}

/** Sets (or changes) the client's settings; called again later, it reconnects with them. */
export function configure(config: RealtimeConfig): void;
/** Replaces the auth token (null: anonymous) and reconnects, like the SDK's realtimeReconnect(). */
export function setAuthToken(token: string | null): void;
/** Opens a channel (joined as soon as the socket is open); opening it again returns the same Channel. */
export function openChannel(name: string, options?: ChannelOptions): Channel;
/**
 * Closes a channel; closing one that is not open does nothing. Never reports `disconnected`. Its
 * listeners hear nothing more. After the last channel, the socket is closed once the server has
 * echoed what `queueOfflineActions` channels sent on it; if it is lost first, those messages are
 * sent when the channel is opened again.
 */
export function closeChannel(name: string): void;
/** The Channel of an open channel, or undefined. */
export function getChannel(name: string): Channel | undefined;
/** The connection's state. */
export function connectionState(): ConnectionState;
/** Calls `cb` on every change of the connection state; returns the unsubscribe function. */
export function onConnectionState(cb: (state: ConnectionState, detail: ConnectionStateDetail) => void): () => void;
/** Counters of the client. */
export function clientStats(): ClientStats;

/** An open (or closed) Xano realtime channel. Get one from `openChannel`. */
export class Channel {
  private constructor();
  /** The channel's name. */
  readonly name: string;
  /**
   * Calls `cb(frame)` for every frame with this action: a server action (message, event, error,
   * history, presence_full, presence_update, join, leave), "connection_status", "queue", or "*"
   * for all. Returns the function that unsubscribes. Besides the server's `error` frames, the
   * client hands `error` listeners one of its own when the server closed the connection because a
   * message of the channel was too big (1009): `payload.message` names its size, and it is not
   * sent again.
   */
  on(action: string, cb: (frame: Frame) => void): () => void;
  /** Removes a listener added with `on`. */
  off(action: string, cb: (frame: Frame) => void): void;
  /**
   * Sends a message. Resolves "sent" once handed to the open socket, "queued" once stored in the
   * offline queue (queueOfflineActions). Rejects when the channel is closed, the payload is not
   * JSON-serialisable, the channel is not connected and has no offline queue, or the queue is
   * full. On a queue channel, a public message is kept until the server's echo confirms it and
   * sent again after a lost connection or a reconnection for a new token or settings (at least
   * once).
   */
  message(payload: unknown, options?: MessageOptions): Promise<"sent" | "queued">;
  /** Asks the server for the channel's history; it arrives as a "history" frame. Throws when not joined. */
  history(): void;
  /** The channel's current members, without duplicates. */
  presence(): Client[];
  /** The number of this channel's actions waiting in the offline queue. */
  pending(): Promise<number>;
  /** Closes the channel, like closeChannel(name). */
  close(): void;
}

/** Options of a lifecycle hook: the channel's options, plus callbacks run by the hook. */
export interface HookOptions extends ChannelOptions {
  /** Called with the Channel each time the hook opens the channel: the place to add listeners. */
  onOpen?: (channel: Channel) => void;
  /** Called with the channel's name each time the hook closes the channel. */
  onClose?: (name: string) => void;
}

/** What a click does: open the channel, close it, or open it when closed and close it when open. */
export type ClickAction = "open" | "close" | "toggle";

/** Opens, closes or toggles a channel when an element (or every element a selector matches) is clicked; returns unbind. */
export function bindOnClick(target: Element | string, action: ClickAction, channel: string, options?: HookOptions): () => void;
/** Keeps a channel open while the page is shown: open on load, close on pagehide, reopen on pageshow from the bfcache. */
export function onPageLoad(channel: string, options?: HookOptions): void;
/** Opens a channel once for the life of the tab. */
export function onAppLoad(channel: string, options?: HookOptions): void;
/** Applies data-realtime-open / -close / -toggle attributes inside `root` (default document) on click; returns the stop function. */
export function bindDeclarative(root?: Document | Element): () => void;

/**
 * Settings of a `XanoClient`, as the official `@xano/js-sdk` takes them. Only the realtime
 * settings are used; the others (storage, dataSource, ...) are accepted and ignored.
 */
export interface XanoClientConfig {
  /** The instance's base URL: "https://x8ki-letl-twmt.n7.xano.io", or "http://127.0.0.1:8787" for a local server. */
  instanceBaseUrl?: string;
  /** Used for the host when `instanceBaseUrl` is absent (its path is ignored). */
  apiGroupBaseUrl?: string;
  /** The instance's realtime connection canonical (Realtime settings in Xano). */
  realtimeConnectionCanonical?: string;
  /** The old name of `realtimeConnectionCanonical`. */
  realtimeConnectionHash?: string;
  /** The realtime auth token (a Xano JWT). Absent or null: anonymous. */
  realtimeAuthToken?: string | null;
  /** The HTTP auth token: only kept, for `hasAuthToken()`. */
  authToken?: string | null;
  /** This package's reconnect schedule (see `RealtimeConfig`). */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /** This package's offline queue settings (see `RealtimeConfig`). */
  queue?: { database?: string; maxActions?: number };
  [other: string]: unknown;
}

/** A channel member from `XanoRealtimeChannel.getPresence()`. */
export interface XanoRealtimeClient extends Client {
  /** Sends this member a private message (like `message(payload, { socketId })`). */
  message(payload: unknown): Promise<"sent" | "queued">;
}

/**
 * The official SDK's `XanoClient`, for its realtime API: switch from `@xano/js-sdk` by changing
 * the import. Usable at once: it loads the wasm core by itself (no `init()` call needed), and
 * holds what is called before the core is ready, in order. It shares the page's one connection
 * with `openChannel`. HTTP (`get`, `post`, ...) stays with `@xano/js-sdk`: those methods throw.
 */
export class XanoClient {
  /** Throws a TypeError when `config` is not an object; realtime settings are checked by `channel()`. */
  constructor(config: XanoClientConfig);
  /**
   * Opens a channel and returns it; it is joined as soon as the connection is open. Throws when
   * `instanceBaseUrl` or `realtimeConnectionCanonical` is missing or malformed, or the name or an
   * option is invalid. Opening a channel again after `destroy()`, or several in a row, works.
   */
  channel(name: string, options?: ChannelOptions): XanoRealtimeChannel;
  /** Sets the realtime auth token (null: anonymous) for the next `realtimeReconnect()` or `channel()`. Returns this. */
  setRealtimeAuthToken(token: string | null): this;
  /** Whether a realtime auth token is set. */
  hasRealtimeAuthToken(): boolean;
  /**
   * Reconnects with the current token; open channels join again. Call it after
   * `setRealtimeAuthToken` (login, logout). Before any channel was opened it does nothing.
   */
  realtimeReconnect(): this;
  /** Keeps the HTTP auth token for callers that check `hasAuthToken()`; realtime does not use it. Returns this. */
  setAuthToken(token: string | null): this;
  /** Whether an HTTP auth token is set. */
  hasAuthToken(): boolean;
  /** Throws: HTTP requests stay with `@xano/js-sdk`. */
  get(endpoint: string, ...rest: unknown[]): never;
  /** Throws: HTTP requests stay with `@xano/js-sdk`. */
  post(endpoint: string, ...rest: unknown[]): never;
  /** Throws: HTTP requests stay with `@xano/js-sdk`. */
  put(endpoint: string, ...rest: unknown[]): never;
  /** Throws: HTTP requests stay with `@xano/js-sdk`. */
  patch(endpoint: string, ...rest: unknown[]): never;
  /** Throws: HTTP requests stay with `@xano/js-sdk`. */
  delete(endpoint: string, ...rest: unknown[]): never;
  /** Throws: HTTP requests stay with `@xano/js-sdk`. */
  head(endpoint: string, ...rest: unknown[]): never;
}

/** A channel as the official SDK's `XanoRealtimeChannel`. Get one from `XanoClient.channel()`. */
export class XanoRealtimeChannel {
  /** Use `XanoClient.channel(name, options)`. */
  constructor(channel: string, options: ChannelOptions | undefined, config: XanoClientConfig);
  /** The channel's name. */
  readonly channel: string;
  /** The options it was opened with. */
  readonly options: ChannelOptions;
  /**
   * Calls `onFunc(frame)` for every frame of the channel: `message`, `event`, `history`,
   * `presence_full`, `presence_update`, and `connection_status` (payload `{status: "connected" |
   * "disconnected"}`). `error` frames go to `onError` only. Returns this.
   */
  on(onFunc: (frame: Frame) => void, onError?: (frame: Frame) => void): this;
  /** Like `on(onFunc, onError)`, for frames of one action only (e.g. "message"). */
  on(action: string, onFunc: (frame: Frame) => void, onError?: (frame: Frame) => void): this;
  /**
   * Sends a message: to everyone, to authenticated members (`{authenticated: true}`), or to one
   * peer (`{socketId}`). Resolves "sent" or "queued" (`queueOfflineActions`: kept in IndexedDB,
   * also across a reload, and delivered once joined). Rejects when the message could not be sent
   * or queued: e.g. sent before the channel is joined without `queueOfflineActions`. The SDK
   * returns nothing: ignoring the promise is fine, `.catch()` it to see failures.
   */
  message(payload: unknown, options?: MessageOptions): Promise<"sent" | "queued">;
  /** The current members, without duplicates (empty before the join or without `presence`). */
  getPresence(): XanoRealtimeClient[];
  /** Asks for the channel's history (now, or once joined); it arrives as a "history" frame. */
  history(): void;
  /** Leaves the channel; its listeners hear nothing more. `channel()` of the same name opens it anew. */
  destroy(): void;
}
