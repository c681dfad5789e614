// What the socket took on a queue channel and the server has not confirmed yet: at least once
// for every message resolved "sent" or "queued" (API.md §1).
//
// The protocol has no acknowledgements, but the server processes a socket's frames in order and
// echoes a public message to its sender: the echo of message k, recognised by its payload and by
// our own socketId, confirms k and everything sent before it on that channel (a message the
// server refused does not echo; a later echo covers it). What is still unconfirmed when the
// socket is lost goes back to the front of the channel's queue (queue.js) and is sent again.
//
// Our socketId is learned per socket: from the first echo of our oldest unconfirmed message
// whose sender is not known to be someone else (a member whose join we saw after ours). An
// identical payload from another member therefore never confirms ours once we know who we are;
// see README, "The offline queue", for the one window left.
//
// Private and authenticated-only messages are not echoed to their sender. They are confirmed by
// a later echo of ours, or else once the browser has handed them to the network
// (WebSocket.bufferedAmount, looked at every few such messages).
//
// A public message is confirmed by an echo and by nothing else. A server that stops answering
// (frozen, overloaded, or no longer letting us send) therefore holds its messages here and in the
// store however long it takes: what it never processed is never taken for delivered.

import { handed } from "./socket.js";

/** An entry is either the payload's JSON text alone (a public message this page sent directly: its
 * frame is rebuilt from it should it be sent again, so the frame's own text is not kept) or an
 * object: t frame text, b its payload's JSON text (null: not echoed), k store key (flushed from the
 * store; undefined: sent directly), e end offset in the socket's stream (socket.js), o the follower
 * tab and sequence number it came from (shared connection; undefined: this page's). */

/**
 * The frame of a message on the channel `nameJson` (its name's JSON text): `extra` adds options
 * (`,"authenticated":true`, `,"socketId":…`), `body` is the payload's JSON text.
 */
export function messageFrame(nameJson, extra, body) {
  return '{"action":"message","options":{"channel":' + nameJson + extra + '},"payload":' + body + "}";
}

/** The entry's payload text when the server echoes it, else null. */
export function bodyOf(entry) {
  return typeof entry === "string" ? entry : entry.b;
}

const identity = { me: null, others: new Set() };

/** A new socket: its socketId is unknown until learned again. */
export function newSocket() {
  identity.me = null;
  identity.others.clear();
}

/** A member we saw join after us (`presence_update` join): never us. */
export function notMe(socketId) {
  if (identity.me !== socketId) identity.others.add(socketId);
}

/** The socketId learned for the current socket, or null. */
export function me() {
  return identity.me;
}

let notify = () => {};

/**
 * Sets who hears that messages a follower tab handed the leader are settled: confirmed by their
 * echo, put in the store, or handed over (`notify([[tab, seq], …])`; channels.js).
 */
export function setNotify(f) {
  notify = f;
}

/** Tells `notify` about the entries among `entries` that came from a follower. */
export function settled(entries) {
  const origins = entries.filter((e) => e.o !== undefined).map((e) => e.o);
  if (origins.length !== 0) notify(origins);
}

// Whether two JSON values are equal (object key order aside: a server may re-serialise them).
function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !sameJson(a[k], b[k])) return false;
  return true;
}

// Whether the echo of `payload` (`text`: its JSON text) is of the entry's message.
function matches(entry, text, payload) {
  const b = bodyOf(entry);
  if (b === null) return false;
  if (b === text) return true;
  try {
    return sameJson(JSON.parse(b), payload);
  } catch (_) {
    return false;
  }
}

/** Unechoed messages tracked between two looks at what the browser handed to the network. */
const PRUNE_EVERY = 64;

/** One channel's unconfirmed messages, oldest first. */
export class Outbox {
  /**
   * `remove(keys)` deletes confirmed messages from the store when no flush is there to;
   * `nameJson` is the channel's name as JSON text (to rebuild a frame to send again).
   */
  constructor(remove, nameJson) {
    this.remove = remove;
    this.nameJson = nameJson;
    /** A flush is under way: it deletes the confirmed messages, in batches. */
    this.flushing = false;
    /** The entries, from `head` on (confirming moves `head`; the array is compacted now and then). */
    this.list = [];
    this.head = 0;
    /** Store keys of flushed messages the server confirmed, to delete from the store. */
    this.done = [];
    /** How many entries came from the store. */
    this.keyed = 0;
    this.unechoed = 0;
    this.waiter = null;
    this.timer = null;
    this.due = 0;
  }

  get size() {
    return this.list.length - this.head;
  }

  /** Keeps a message the socket just took. */
  track(entry) {
    this.list.push(entry);
    if (typeof entry === "string") return;
    if (entry.k !== undefined) this.keyed++;
    // Unechoed messages wait for a later echo or for the network: look now and then, so that a
    // channel sending only those keeps a bounded list.
    if (entry.b === null && ++this.unechoed % PRUNE_EVERY === 0) this.confirmDrained(handed());
  }

  /**
   * A `message` frame arrived on this channel (the router calls this while the list is not
   * empty). Returns whether it confirmed anything.
   */
  echo(frame) {
    const sender = frame.client && frame.client.socketId;
    const options = frame.options;
    if (typeof sender !== "string" || (options && (options.authenticated || (options.socketId !== undefined && options.socketId !== null)))) return false;
    if (identity.me !== null && sender !== identity.me) return false;
    if (identity.me === null && identity.others.has(sender)) return false;
    const text = JSON.stringify(frame.payload);
    const list = this.list;
    for (let i = this.head; i < list.length; i++) {
      if (!matches(list[i], text, frame.payload)) continue;
      if (identity.me === null) {
        // Only our oldest echoed message can come back first.
        for (let j = this.head; j < i; j++) if (bodyOf(list[j]) !== null) return false;
        identity.me = sender;
      }
      this.confirm(i + 1 - this.head);
      return true;
    }
    return false;
  }

  /**
   * An `error` frame arrived on this channel: the server refused what it processed next of ours,
   * the oldest unconfirmed entry. It is settled (sending it again would be refused again); the
   * app hears the error frame.
   */
  refused() {
    if (this.size > 0) this.confirm(1);
  }

  /** Confirms the first `n` entries. */
  confirm(n) {
    const list = this.list;
    let origins = null;
    for (let i = this.head; i < this.head + n; i++) {
      const entry = list[i];
      if (typeof entry === "string") continue;
      if (entry.k !== undefined) {
        this.done.push(entry.k);
        this.keyed--;
      }
      if (entry.o !== undefined) (origins || (origins = [])).push(entry.o);
    }
    this.head += n;
    if (this.head > 256 && this.head * 2 > list.length) {
      this.list = list.slice(this.head);
      this.head = 0;
    }
    if (origins !== null) notify(origins);
    if (!this.flushing && this.done.length !== 0) this.remove(this.done.splice(0));
    this.wake();
  }

  /** The entry's frame text (rebuilt for an entry kept as its payload's text alone). */
  frameOf(entry) {
    return typeof entry === "string" ? messageFrame(this.nameJson, "", entry) : entry.t;
  }

  /**
   * Takes out the entry whose frame is `length` long, if one is, never to be sent again; returns
   * it (undefined when none was).
   */
  drop(length) {
    const list = this.list;
    for (let i = this.head; i < list.length; i++) {
      const entry = list[i];
      if (this.frameOf(entry).length !== length) continue;
      list.splice(i, 1);
      if (typeof entry !== "string" && entry.k !== undefined) {
        this.keyed--;
        this.remove([entry.k]);
      }
      settled([entry]);
      return entry;
    }
  }

  /** Whether an entry still awaits the server's echo. */
  awaitsEcho() {
    return this.list.findLastIndex((e) => bodyOf(e) !== null) >= this.head;
  }

  /** Confirms the entries that need no echo and that the browser handed to the network. */
  confirmDrained(handedBytes) {
    const list = this.list;
    let i = this.head;
    while (i < list.length && bodyOf(list[i]) === null && list[i].e <= handedBytes) i++;
    if (i > this.head) this.confirm(i - this.head);
  }

  /**
   * The socket is gone: returns the entries sent directly that must be sent again, in order
   * (entries from the store are still in the store), and empties the list. `handedBytes`: bytes
   * of the socket's stream the browser had handed to the network; the entries that need no echo
   * and left the browser count as delivered.
   */
  takeUnconfirmed(handedBytes) {
    const again = [];
    const delivered = [];
    for (const entry of this.list.slice(this.head)) {
      if (typeof entry === "string") again.push({ t: this.frameOf(entry), b: entry });
      else if (entry.k !== undefined) continue;
      else if (entry.b === null && entry.e <= handedBytes) delivered.push(entry);
      else again.push(entry);
    }
    settled(delivered);
    this.list = [];
    this.head = 0;
    this.keyed = 0;
    this.wake();
    return again;
  }

  /**
   * Resolves at the next confirmation (or clearing), or after `ms` at the latest. One timer serves
   * many waits: it is armed when none is, or re-armed for a shorter wait; it wakes whoever waits
   * when it fires (a waiter looks again and waits anew).
   */
  progress(ms) {
    return new Promise((resolve) => {
      this.waiter = resolve;
      const due = performance.now() + ms;
      if (this.timer !== null) {
        if (this.due <= due) return;
        clearTimeout(this.timer);
      }
      this.due = due;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.wake();
      }, ms);
    });
  }

  wake() {
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) waiter();
  }
}
