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
// (WebSocket.bufferedAmount), which is also how every message is confirmed by a server found
// not to echo at all.

/** Entry fields: t frame text, p payload JSON text (null: not echoed), k store key (flushed
 * from the store; undefined: sent directly), e end offset in the socket's byte stream, o the
 * follower tab and sequence number it came from (shared connection; undefined: this page's). */

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

let echoless = false;

/** Whether the server was found not to echo messages to their sender. */
export function serverEchoes() {
  return !echoless;
}

/** After a flush stalled with no echo at all on an open socket: confirm by drain from now on. */
export function assumeNoEchoes() {
  if (!echoless) console.warn("xano-realtime: the server does not echo messages to their sender; queued messages are now confirmed once sent");
  echoless = true;
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

function matches(entry, text, payload) {
  if (entry.p === null) return false;
  if (entry.p === text) return true;
  try {
    return sameJson(JSON.parse(entry.p), payload);
  } catch (_) {
    return false;
  }
}

/** One channel's unconfirmed messages, oldest first. */
export class Outbox {
  /** `remove(keys)` deletes confirmed messages from the store when no flush is there to. */
  constructor(remove) {
    this.remove = remove;
    /** A flush is under way: it deletes the confirmed messages, in batches. */
    this.flushing = false;
    this.list = [];
    /** Store keys of flushed messages the server confirmed, to delete from the store. */
    this.done = [];
    /** How many entries of the list came from the store. */
    this.keyed = 0;
    this.waiter = null;
  }

  get size() {
    return this.list.length;
  }

  /** Keeps a message the socket just took. */
  track(entry) {
    this.list.push(entry);
    if (entry.k !== undefined) this.keyed++;
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
    for (let i = 0; i < list.length; i++) {
      if (!matches(list[i], text, frame.payload)) continue;
      if (identity.me === null) {
        // Only our oldest echoed message can come back first.
        if (list.slice(0, i).some((e) => e.p !== null)) return false;
        identity.me = sender;
      }
      this.confirm(i + 1);
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
    if (this.list.length > 0) this.confirm(1);
  }

  /** Confirms the first `n` entries. */
  confirm(n) {
    const gone = this.list.splice(0, n);
    for (const entry of gone) {
      if (entry.k !== undefined) {
        this.done.push(entry.k);
        this.keyed--;
      }
    }
    settled(gone);
    if (!this.flushing && this.done.length !== 0) this.remove(this.done.splice(0));
    this.wake();
  }

  /** Confirms the entries that need no echo and that the browser handed to the network. */
  confirmDrained(handed) {
    let n = 0;
    while (n < this.list.length && (this.list[n].p === null || echoless) && this.list[n].e <= handed) n++;
    if (n > 0) this.confirm(n);
  }

  /**
   * The socket is gone: returns the entries sent directly that must be sent again, in order
   * (entries from the store are still in the store), and empties the list. `handed`: bytes of
   * the socket's stream the browser had handed to the network; the entries that need no echo
   * and left the browser count as delivered.
   */
  takeUnconfirmed(handed) {
    const again = [];
    const delivered = [];
    for (const entry of this.list) {
      if (entry.k !== undefined) continue;
      if ((entry.p === null || echoless) && entry.e <= handed) delivered.push(entry);
      else again.push(entry);
    }
    settled(delivered);
    this.list = [];
    this.keyed = 0;
    this.wake();
    return again;
  }

  /** Resolves at the next confirmation (or clearing), or after `ms`. */
  progress(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.waiter === done) this.waiter = null;
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiter = done;
    });
  }

  wake() {
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) waiter();
  }
}
