// The offline queue's storage: IndexedDB when the browser lets us open it, memory otherwise.
// Only storage lives here; what to store, when to send it and when to delete it is decided by the
// Rust side. Every operation of one store runs in the order it was called (one promise chain),
// so a flush that starts after a write always sees it.

const STORE = "actions";
const BY_CHANNEL = "by_channel";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error || new Error("the IndexedDB transaction was aborted"));
    tx.onerror = () => reject(tx.error);
  });
}

function openDatabase(name) {
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = indexedDB.open(name, 1);
    } catch (e) {
      reject(e);
      return;
    }
    req.onupgradeneeded = () => {
      const os = req.result.createObjectStore(STORE, { autoIncrement: true });
      os.createIndex(BY_CHANNEL, "channel");
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
  });
}

class IdbBackend {
  constructor(db) {
    this.db = db;
    this.persisted = true;
  }
  async write(records) {
    const tx = this.db.transaction(STORE, "readwrite");
    const os = tx.objectStore(STORE);
    for (const [channel, frame] of records) os.add({ channel, frame });
    await done(tx);
  }
  async read(channel, limit) {
    const tx = this.db.transaction(STORE, "readonly");
    const index = tx.objectStore(STORE).index(BY_CHANNEL);
    const range = IDBKeyRange.only(channel);
    const [keys, values] = await Promise.all([
      request(index.getAllKeys(range, limit)),
      request(index.getAll(range, limit)),
    ]);
    return [keys, values.map((v) => v.frame)];
  }
  async remove(keys) {
    const tx = this.db.transaction(STORE, "readwrite");
    const os = tx.objectStore(STORE);
    for (const key of keys) os.delete(key);
    await done(tx);
  }
  count(channel) {
    const tx = this.db.transaction(STORE, "readonly");
    return request(tx.objectStore(STORE).index(BY_CHANNEL).count(IDBKeyRange.only(channel)));
  }
}

class MemoryBackend {
  constructor() {
    this.items = [];
    this.next = 1;
    this.persisted = false;
  }
  async write(records) {
    for (const [channel, frame] of records) this.items.push({ key: this.next++, channel, frame });
  }
  async read(channel, limit) {
    const mine = this.items.filter((i) => i.channel === channel).slice(0, limit);
    return [mine.map((i) => i.key), mine.map((i) => i.frame)];
  }
  async remove(keys) {
    const gone = new Set(keys);
    this.items = this.items.filter((i) => !gone.has(i.key));
  }
  async count(channel) {
    return this.items.filter((i) => i.channel === channel).length;
  }
}

export class QueueStore {
  constructor(name) {
    this.name = name;
    this.tail = Promise.resolve();
    this.batch = null;
    this.fallbackReason = null;
    this.backend = openDatabase(name).then(
      (db) => new IdbBackend(db),
      (e) => {
        this.fallbackReason = e && e.message ? e.message : String(e);
        console.warn(`xano-realtime: IndexedDB "${name}" is unavailable (${this.fallbackReason}); the offline queue is kept in memory only`);
        return new MemoryBackend();
      },
    );
  }

  // Runs `op(backend)` after every operation called before it.
  run(op) {
    const p = this.tail.then(() => this.backend).then(op);
    this.tail = p.catch(() => {});
    return p;
  }

  // Whether actions survive a reload (false: IndexedDB could not be used).
  persisted() {
    return this.backend.then((b) => b.persisted);
  }

  // Stores one frame. Frames appended in the same tick are written in one transaction; the promise
  // resolves when that transaction has committed.
  append(channel, frame) {
    if (this.batch === null) {
      const batch = [];
      this.batch = batch;
      batch.done = this.run((b) => {
        if (this.batch === batch) this.batch = null;
        return b.write(batch);
      });
    }
    this.batch.push([channel, frame]);
    return this.batch.done;
  }

  // [keys, frames]: the channel's oldest `limit` frames, oldest first.
  read(channel, limit) {
    this.batch = null;
    return this.run((b) => b.read(channel, limit));
  }

  remove(keys) {
    this.batch = null;
    return this.run((b) => b.remove(keys));
  }

  count(channel) {
    this.batch = null;
    return this.run((b) => b.count(channel));
  }
}

// Runs `run()` (which returns a promise) holding the Web Lock `name`, so that only one tab of this
// origin flushes a channel's queue at a time. Without the Web Locks API it runs unlocked.
export function withLock(name, run) {
  if (typeof navigator !== "undefined" && navigator.locks && navigator.locks.request) {
    return navigator.locks.request(name, () => run());
  }
  return run();
}


// Yields to the event loop quickly (a MessageChannel message, not a timer clamped to 4 ms), so a
// flush notices within a fraction of a millisecond what the socket has handed to the network.
const yielder = typeof MessageChannel === "function" ? new MessageChannel() : null;
const yielded = [];
if (yielder) {
  yielder.port1.onmessage = () => {
    for (const resume of yielded.splice(0)) resume();
  };
}
function soon(resume, spentMs) {
  if (yielder && spentMs < 50) {
    yielded.push(resume);
    if (yielded.length === 1) yielder.port2.postMessage(0);
  } else {
    setTimeout(resume, 4);
  }
}

// UTF-8 length of a string, as WebSocket.bufferedAmount counts it.
function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
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

// A public message (no `authenticated`, no `socketId`) comes back to its sender.
function isPublic(options) {
  return !options || (!options.authenticated && (options.socketId === undefined || options.socketId === null));
}

// How long a flush waits without any progress before it gives up on a batch (what is not
// confirmed stays queued and is sent again on the next flush).
const STALL_MS = 30000;

// Whether the server echoes public messages to their sender, as Xano does. If a batch stalls with
// not one echo while the socket stays open, the server does not: from then on frames are
// confirmed when the socket has handed them to the network, rather than sent again and again.
let serverEchoes = true;

// Sends `frames` (stored `message` frames of one channel) on `ws` and resolves with how many of
// them, from the first, the server has confirmed. The protocol has no acknowledgements, but the
// server processes a socket's frames in order and echoes a public message to its sender: the
// echo of frame k confirms frames 0..k. Frames after the last public one (private or
// authenticated-only messages, which are not echoed to the sender) are confirmed once the socket
// has handed them to the network. Resolves early, with what was confirmed, when the socket is no
// longer open or nothing progresses for STALL_MS. Only confirmed frames may leave the queue.
export function sendBatch(ws, slot, frames) {
  const expected = [];
  for (const text of frames) {
    let frame = null;
    try {
      frame = JSON.parse(text);
    } catch (_) {}
    expected.push(serverEchoes && frame && isPublic(frame.options) ? { payload: frame.payload } : null);
  }
  let lastPublic = -1;
  expected.forEach((e, i) => {
    if (e) lastPublic = i;
  });
  const ends = [];
  let total = 0;
  for (const text of frames) {
    try {
      ws.send(text);
    } catch (_) {
      break; // not open: what was not sent stays queued
    }
    total += utf8Length(text);
    ends.push(total);
  }
  const sent = ends.length;
  return new Promise((resolve) => {
    let confirmed = 0;
    let progressAt = Date.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (slot.echoWatch === watch) slot.echoWatch = undefined;
      if (slot.onClose === finish) slot.onClose = undefined;
      ws.removeEventListener("close", finish);
      resolve(confirmed);
    };
    const watch = (frame) => {
      if (frame.action !== "message" || !isPublic(frame.options)) return;
      for (let i = confirmed; i <= lastPublic && i < sent; i++) {
        if (expected[i] && sameJson(expected[i].payload, frame.payload)) {
          confirmed = i + 1;
          progressAt = Date.now();
          break;
        }
      }
    };
    slot.echoWatch = watch;
    // Closing the channel ends the wait (its echoes stop): the flush lets go of the Web Lock.
    slot.onClose = finish;
    ws.addEventListener("close", finish);
    const started = Date.now();
    const check = () => {
      if (done) return;
      if (ws.readyState !== 1) return finish();
      if (confirmed > lastPublic) {
        // The unechoed tail: confirmed once handed to the network.
        const handed = total - Math.min(ws.bufferedAmount, total);
        while (confirmed < sent && ends[confirmed] <= handed) confirmed++;
      }
      if (confirmed >= sent) return finish();
      if (Date.now() - progressAt > STALL_MS) {
        if (confirmed === 0 && lastPublic >= 0 && serverEchoes) {
          serverEchoes = false;
          console.warn("xano-realtime: the server does not echo messages to their sender; queued messages are now confirmed when sent");
          lastPublic = -1;
          progressAt = Date.now();
        } else {
          return finish();
        }
      }
      soon(check, Date.now() - started);
    };
    soon(check, 0);
  });
}
