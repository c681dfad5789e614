// The offline queue in the browser: storing queued frames (store.js), flushing them in order
// once the channel is joined, putting back what a lost socket took unconfirmed, and the `queue`
// events. What to queue and when to flush is the core's decision; this moves frames.
//
// A flush holds a Web Lock named after the database and the channel, so only one tab of the
// origin flushes a channel at a time. It sends the stored frames oldest first, keeping at most
// WINDOW of them unconfirmed (outbox.js: the server's echo confirms a message and everything
// before it), reads the next ones while those are in flight, and deletes each from the store
// only once confirmed. A socket lost mid-flush
// therefore loses nothing; what the server processed but whose echo was lost is sent again
// (at least once, never lost).

import { w, input } from "./core.js";
import { QueueStore } from "./store.js";
import { deliver, slotsWithUnconfirmed } from "./router.js";
import { settled, bodyOf } from "./outbox.js";
import { send, handed, socket, expectAnswer } from "./socket.js";
import { share, post } from "./share.js";

/** Stored frames read per round of a flush. */
const CHUNK = 1024;
/** Flushed frames in flight (sent, not yet confirmed) at most: well below the 4,096 frames a
 * server may queue for one socket before it closes a slow reader (1013), since each comes back
 * as an echo. */
const WINDOW = 1024;
/** How long a flush waiting for echoes sleeps before it looks again (a confirmation or a lost
 * socket wakes it sooner). No silence, however long, counts as a confirmation. */
const RECHECK_MS = 30000;
/** How often a flush looks whether the browser has sent a frame that no echo will confirm. */
const DRAIN_MS = 20;

/** Confirmed flushed frames are deleted from the store in batches of this many. */
const DELETE_BATCH = 128;
/** How long after a flush the store failed the next one starts. */
const FLUSH_RETRY_MS = 1000;

let database = "xano-realtime";
let store = null;

/** The IndexedDB database of the offline queue (`configure({queue: {database}})`). */
export function useDatabase(name) {
  if (name !== database) {
    database = name;
    store = null;
  }
}

function theStore() {
  if (store === null) store = new QueueStore(database);
  return store;
}

/**
 * Stores a message the core counted (`xr_enqueue` said 0); resolves "queued" once committed, or
 * rejects with `storeError(reason)` (and frees its place in the queue) when storing failed.
 */
export function storeMessage(slot, text, storeError) {
  return theStore()
    .append(slot.name, text)
    .then(
      () => {
        // A flush waiting on frames in flight sends this one at once (flushLocked).
        slot.stored = true;
        if (slot.outbox !== null) slot.outbox.wake();
        return "queued";
      },
      (e) => {
        if (slot.live) input((x) => x.xr_store_failed(slot.id));
        throw storeError(e && e.message ? String(e.message) : String(e));
      },
    );
}

/** Deletes stored frames (confirmed by the server). */
export function removeStored(keys) {
  theStore()
    .remove(keys)
    .catch(() => {});
}

/** The number of the channel's frames in the store (shared by the tabs of this origin). */
export function count(name) {
  return theStore().count(name);
}

/**
 * Counts what the store holds for a channel just opened with `queueOfflineActions` (left by an
 * earlier page or another tab), so `pending()` and the `queue` events start from the truth.
 */
export function countBacklog(slot) {
  const asOf = w().xr_last_queued(slot.id);
  count(slot.name).then((n) => {
    if (slot.live) input((x) => x.xr_counted(slot.id, n, asOf));
  }, () => {});
}

/** Tells the channel's `queue` listeners its count, once per tick however many changes. */
export function announce(slot) {
  if (slot.announcing) return;
  slot.announcing = true;
  theStore()
    .persisted()
    .then((persisted) => {
      slot.announcing = false;
      if (!slot.live) return;
      const frame = { action: "queue", options: { channel: slot.name }, payload: { pending: slot.pending, persisted } };
      deliver(slot, "queue", frame);
      if (share.role === "leader") post({ t: "p", from: share.tab, name: slot.name, frame });
    });
}

/** Messages put back after a lost socket whose write has not committed yet: [channel, frames]. */
const puttingBack = new Set();

/**
 * The socket that carried the slot's unconfirmed direct sends is gone: they go back to the front
 * of the channel's queue, in order, ahead of anything queued since. (`pageGone`: see
 * `keepUnconfirmed`.)
 */
export function requeue(slot, pageGone = false) {
  let again = slot.outbox.takeUnconfirmed(pageGone ? handed() : socket.handed);
  // A follower's messages are the follower's to send again: it does so to the next leader.
  if (pageGone) again = again.filter((e) => e.o === undefined);
  if (again.length === 0) return;
  const asOf = w().xr_last_queued(slot.id);
  const s = theStore();
  const put = [slot.name, again.map((e) => e.t)];
  if (!pageGone) puttingBack.add(put);
  (pageGone ? s.appendNow(...put) : s.unshift(...put))
    .then(() => {
      puttingBack.delete(put);
      settled(again);
      return s.count(slot.name);
    })
    .then(
      (n) => {
        if (slot.live && slot.id !== 0) input((x) => x.xr_counted(slot.id, n, asOf));
      },
      (e) => {
        // Not when `keepUnconfirmed` took the put-back over (and aborted this write).
        if (pageGone || puttingBack.delete(put)) console.error("xano-realtime: could not put unconfirmed messages back in the offline queue", e);
      },
    );
}

/**
 * The server closed the socket with 1009 (Message Too Big). The largest frame the socket sent is
 * over the server's limit (the server closes at the first one over it, and this one is at least as
 * large). When it is a queue channel's unconfirmed message, sending it again would close every
 * socket the same way and hold the channel's queue back for good: it is taken out. Either way the
 * channel's `error` listeners hear that it was not delivered (on a channel without the queue it
 * was lost with the socket): this page's, or with a shared connection those of the follower tab
 * that handed it over. (A follower's message the leader stored while offline is no longer known
 * as the follower's: this page's listeners hear of it.)
 */
export function tooBig() {
  const length = socket.largest;
  let entry;
  let slot = slotsWithUnconfirmed().find((s) => (entry = s.outbox.drop(length)));
  let origin = entry && entry.o;
  if (slot === undefined) [slot, origin] = socket.sender || [];
  if (slot === undefined) return;
  const message = `a message of ${length} characters is too big for the server (1009): not delivered, not sent again`;
  const frame = { action: "error", options: { channel: slot.name }, payload: { message } };
  // A follower's message: the tab that sent it hears it, not this page.
  if (origin !== undefined) post({ t: "p", from: share.tab, to: origin[0], name: slot.name, frame });
  else if (slot.live) deliver(slot, "error", frame);
}

/**
 * The page is going away (`pagehide`): the browser may drop what an unloading page's socket still
 * buffers, so what it carries unconfirmed on queue channels is stored for the next page of the
 * origin to send again. Written at once (an unloading page runs no later task), after what the
 * store holds: only a channel closed and reopened on this socket, its earlier opening's messages
 * still unconfirmed and its reopening's queue being flushed, can then see the two out of order.
 */
export function keepUnconfirmed() {
  // Put back after a socket lost just before, and not written yet (its read needs a later task):
  // written now instead, before what the outboxes hold, which was sent after.
  if (puttingBack.size !== 0) {
    theStore().giveWay();
    for (const put of puttingBack) theStore().appendNow(...put);
    puttingBack.clear();
  }
  for (const slot of slotsWithUnconfirmed()) requeue(slot, true);
}

// Runs `run()` (which returns a promise) holding the Web Lock `name`, so that only one tab of this
// origin flushes a channel's queue at a time. Without the Web Locks API it runs unlocked.
function withLock(name, run) {
  if (typeof navigator !== "undefined" && navigator.locks && navigator.locks.request) {
    return navigator.locks.request(name, () => run());
  }
  return run();
}

/** Starts flush `flush` of the slot's channel (the core's FLUSH output). */
export function startFlush(slot, flush) {
  slot.flush = flush;
  withLock(`xano-realtime:${database}:${slot.name}`, () => flushLocked(slot, flush)).catch((e) =>
    console.error("xano-realtime: the offline queue flush failed", e),
  );
}

async function flushLocked(slot, flush) {
  const s = theStore();
  const box = slot.outbox;
  const current = () => slot.live && slot.joined && slot.flush === flush;
  // Every frame this page queued up to here was appended to the store before this read.
  const covers = w().xr_last_queued(slot.id);
  const removeDone = () => (box.done.length > 0 ? s.remove(box.done.splice(0)) : Promise.resolve());
  // Waits for confirmations until fewer than `limit` flushed frames are in flight; deletes the
  // confirmed ones in batches meanwhile (the store runs operations in order, so a later read
  // never sees them).
  // Frames the server does not echo (authenticated-only, private) are confirmed once the browser
  // has sent them: while one is first in line, look again every DRAIN_MS rather than wait for an
  // echo.
  // `once`: wait for one wake-up at most.
  const settle = async (limit, once) => {
    while (box.keyed >= limit && current()) {
      box.confirmDrained(handed());
      if (box.keyed < limit) break;
      const first = box.list[box.head];
      await box.progress(first !== undefined && bodyOf(first) === null ? DRAIN_MS : RECHECK_MS);
      if (box.done.length >= DELETE_BATCH) removeDone().catch(() => {});
      if (once) break;
    }
  };
  let emptied = false;
  // The last stored frame sent: reads go on after it (keys grow in the order frames were stored;
  // frames are put back in front only after a lost socket, which ends this flush).
  let last = -Infinity;
  const readAfter = (key) => {
    const read = s.readAfter(slot.name, key, CHUNK);
    read.catch(() => {}); // awaited below, unless the flush ends first
    return read;
  };
  let next = readAfter(last);
  box.flushing = true;
  try {
    flushing: while (current()) {
      const [keys, frames] = await next;
      if (keys.length === 0) {
        // Nothing stored after the last frame sent. While frames are in flight, wait for a
        // confirmation or for a frame this page stores meanwhile, which is sent at once: a frame
        // the server refused without naming its channel (too large) is never echoed, and only a
        // later message's echo confirms it.
        if (box.keyed > 0) {
          await settle(1, true);
          if (!current()) break;
          next = slot.stored ? readAfter(last) : NOTHING;
          slot.stored = false;
          continue;
        }
        // Nothing in flight either: a channel with nothing left in the store ends the flush.
        await removeDone();
        const [rest] = await s.readAfter(slot.name, -Infinity, 1);
        if (rest.length === 0) {
          emptied = true;
          break;
        }
        // A frame at or before the last one sent was neither in flight nor confirmed (a failed
        // delete): leave it to the next flush rather than send it again and again.
        if (rest[0] <= last) break;
        next = readAfter(last);
        continue;
      }
      // The next chunk is read while this one is sent and confirmed.
      next = readAfter(keys[keys.length - 1]);
      for (let i = 0; i < keys.length; i++) {
        if (box.keyed >= WINDOW) await settle(WINDOW);
        if (!current()) break flushing;
        const end = send(frames[i]);
        // The socket is closing: its close event will end this flush; stop sending now.
        if (end < 0) break flushing;
        const b = payloadOf(frames[i]);
        box.track({ t: frames[i], b, k: keys[i], e: end });
        if (b !== null) expectAnswer();
        last = keys[i];
      }
      removeDone().catch(() => {});
    }
  } catch (e) {
    // The store failed (a read or a delete): the next flush comes after a pause, not at once and
    // over and over while the storage keeps failing.
    console.error("xano-realtime: the offline queue flush failed", e);
    await new Promise((resolve) => setTimeout(resolve, FLUSH_RETRY_MS));
  } finally {
    box.flushing = false;
    await removeDone().catch(() => {});
    const asOf = w().xr_last_queued(slot.id);
    const remaining = await s.count(slot.name).catch(() => slot.pending);
    if (slot.live) input((x) => x.xr_flush_done(slot.id, flush, covers, emptied ? 1 : 0, remaining, asOf));
  }
}

/** A read that found nothing. */
const NOTHING = Promise.resolve([[], []]);

const PAYLOAD = '},"payload":';

/**
 * The payload's JSON text of a stored message frame, or null when the server does not echo it.
 * Frames are stored as `message()` built them, `{"action":"message","options":{…},"payload":P}`:
 * `},"payload":` cannot occur earlier (a quote inside a JSON string is escaped), nor can the
 * options' `,"authenticated":true` or `,"socketId":` be part of the channel's name. A frame in
 * another layout is taken for one without an echo (confirmed once the browser has sent it).
 */
function payloadOf(text) {
  const at = text.indexOf(PAYLOAD);
  if (at < 0) return null;
  const head = text.slice(0, at);
  return head.includes(',"authenticated":true') || head.includes(',"socketId":') ? null : text.slice(at + PAYLOAD.length, -1);
}
