// The Channel class (API.md §1): the app's handle on one opening of a channel. Every method
// checks its arguments; a handle whose channel was closed refuses to act ("closed" errors),
// also after the channel was opened again (that opening has its own handle).

import { field, fn, options as optionsObject, flag, optString, string, once } from "./args.js";
import * as errors from "./errors.js";
import { addListener, removeListener } from "../shell/router.js";
import { closeSlot, sendMessage, requestHistory, NOT_CONNECTED } from "../shell/channels.js";
import { count } from "../shell/queue.js";
import { messageFrame } from "../shell/outbox.js";
import { settings } from "./settings.js";

function action(v) {
  const a = string(v, "action");
  if (a.length === 0) throw errors.badValue("action", "must not be empty");
  return a;
}

/** An open (or closed) Xano realtime channel. Get one from `openChannel`. */
export class Channel {
  #slot;

  /** @internal Use openChannel(). */
  constructor(slot) {
    this.#slot = slot;
  }

  /** The channel's name. */
  get name() {
    return this.#slot.name;
  }

  // This handle's opening of the channel is still open (a later opening has its own handle).
  #open() {
    return this.#slot.live && this.#slot.handle === this;
  }

  #live() {
    if (!this.#open()) throw errors.channelClosed(this.#slot.name);
    return this.#slot;
  }

  /**
   * Calls `cb(frame)` for every frame with this action: a server action (`message`, `event`,
   * `error`, `history`, `presence_full`, `presence_update`, `join`, `leave`),
   * `connection_status`, `queue`, or "*" for all. Returns the function that unsubscribes (once).
   * The client hands `error` listeners a frame of its own when the server closed the connection
   * because a message of this channel was too big for it (1009; queue.js `tooBig`).
   */
  on(name, cb) {
    const a = action(name);
    fn(cb, "callback");
    const slot = this.#live();
    addListener(slot, a, cb);
    return once(() => removeListener(slot, a, cb));
  }

  /** Removes a listener added with `on`. Does nothing if it is not registered. */
  off(name, cb) {
    const a = action(name);
    fn(cb, "callback");
    if (this.#open()) removeListener(this.#slot, a, cb);
  }

  /**
   * Sends a message: to everyone in the channel, to authenticated members only
   * (`{authenticated: true}`), or to one peer (`{socketId}`). Resolves "sent" once handed to
   * the open socket, or "queued" once stored in the offline queue (`queueOfflineActions`).
   * Rejects when the channel is closed, the payload is not JSON-serialisable, the channel is not
   * connected and has no offline queue, or the queue is full. Never drops silently.
   */
  message(payload, options) {
    const slot = this.#slot;
    if (!this.#open()) return Promise.reject(errors.channelClosed(slot.name));
    let body;
    try {
      body = JSON.stringify(payload);
    } catch (e) {
      return Promise.reject(errors.badPayload(e && e.message ? e.message : String(e)));
    }
    if (body === undefined) return Promise.reject(errors.badPayload(`got ${typeof payload}`));
    let extra = "";
    let echoed = true;
    if (options !== undefined && options !== null) {
      try {
        const o = optionsObject(options, "options");
        if (flag(field(o, "authenticated"), "options.authenticated")) {
          extra += ',"authenticated":true';
          echoed = false;
        }
        const peer = optString(field(o, "socketId"), "options.socketId");
        if (peer === "") throw errors.badValue("options.socketId", "must not be empty");
        if (peer !== null) {
          extra += ',"socketId":' + JSON.stringify(peer);
          echoed = false;
        }
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const r = sendMessage(slot, messageFrame(slot.nameJson, extra, body), body, echoed, (reason) =>
      errors.queueStorage(slot.name, reason),
    );
    if (typeof r !== "number") return r;
    return Promise.reject(
      r === NOT_CONNECTED ? errors.notConnected(slot.name) : errors.queueFull(slot.name, settings.maxActions),
    );
  }

  /**
   * Asks the server for the channel's history; it arrives as a `history` frame. Throws when the
   * channel is closed or not connected.
   */
  history() {
    const slot = this.#live();
    if (!requestHistory(slot)) throw errors.historyNotConnected(slot.name);
  }

  /** The channel's current members, without duplicates (empty unless opened with `presence`). */
  presence() {
    return this.#open() ? Array.from(this.#slot.members.values()) : [];
  }

  /**
   * The number of this channel's actions waiting in the offline queue (stored in IndexedDB,
   * shared by the tabs of this origin). Rejects when the channel is closed.
   */
  pending() {
    const slot = this.#slot;
    return this.#open() ? count(slot.name) : Promise.reject(errors.channelClosed(slot.name));
  }

  /** Closes the channel, like `closeChannel(name)`. Does nothing if it is already closed. */
  close() {
    if (this.#open()) closeSlot(this.#slot);
  }
}

/** The Channel handle of a slot (made once per opening). */
export function channelOf(slot) {
  if (slot.handle === null) slot.handle = new Channel(slot);
  return slot.handle;
}
