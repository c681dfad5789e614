// The offline queue's storage: IndexedDB when the browser lets us open it, memory otherwise.
// Only storage lives here; what to store, when to send it and when to delete it is decided
// elsewhere (the core and queue.js). Every operation of one store runs in the order it was
// called (one promise chain), so a flush that starts after a write always sees it.

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

// (What `indexedDB.open` throws, where the browser forbids storage, rejects the promise.)
function openDatabase(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      const os = req.result.createObjectStore(STORE, { autoIncrement: true });
      os.createIndex(BY_CHANNEL, "channel");
    };
    req.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
    request(req).then(resolve, reject);
  });
}

class IdbBackend {
  constructor(db) {
    this.db = db;
    this.persisted = true;
    /** The connection is gone: the browser closed it (the user cleared the site's data), or
     * another tab deletes or upgrades the database. QueueStore opens it again. */
    this.closed = false;
    db.onclose = () => {
      this.closed = true;
    };
    db.onversionchange = () => {
      db.close();
      this.closed = true;
    };
  }
  async write(records) {
    const tx = this.db.transaction(STORE, "readwrite");
    const os = tx.objectStore(STORE);
    for (const [channel, frame] of records) os.add({ channel, frame });
    if (tx.commit) tx.commit();
    await done(tx);
  }
  // The channel's frames stored after key `after`, oldest first, at most `limit` (fewer when
  // other channels' frames sit between them). A key cursor on the channel's index finds the first
  // one without reading what comes before it; the frames from there on are read in one request
  // and those of other channels dropped.
  async readAfter(channel, after, limit) {
    const tx = this.db.transaction(STORE, "readonly");
    const os = tx.objectStore(STORE);
    const req = os.index(BY_CHANNEL).openKeyCursor(IDBKeyRange.only(channel));
    // The cursor's request succeeds again after each move.
    const moved = (move) => {
      const next = request(req);
      move();
      return next;
    };
    let cursor = await request(req);
    if (cursor && cursor.primaryKey < after) cursor = await moved(() => cursor.continuePrimaryKey(channel, after));
    if (cursor && cursor.primaryKey <= after) cursor = await moved(() => cursor.continue());
    if (!cursor) return [[], []];
    const range = IDBKeyRange.lowerBound(cursor.primaryKey);
    const [keys, values] = await Promise.all([request(os.getAllKeys(range, limit)), request(os.getAll(range, limit))]);
    const mine = [[], []];
    values.forEach((v, i) => {
      if (v.channel === channel) {
        mine[0].push(keys[i]);
        mine[1].push(v.frame);
      }
    });
    return mine;
  }
  // Puts frames before everything stored (keys below the smallest one), in one transaction.
  // (The transaction is `this.unshifting` meanwhile: see `giveWay`.)
  async unshift(channel, frames) {
    const tx = this.db.transaction(STORE, "readwrite");
    this.unshifting = tx;
    const os = tx.objectStore(STORE);
    try {
      const first = await request(os.openKeyCursor());
      const below = first ? first.key : 1;
      frames.forEach((frame, i) => os.add({ channel, frame }, below - frames.length + i));
      await done(tx);
    } finally {
      if (this.unshifting === tx) this.unshifting = null;
    }
  }
  // Aborts an unshift under way: its read needs a later task, and a write that must commit before
  // the page goes away would wait behind it (appendNow then writes its frames).
  giveWay() {
    if (this.unshifting) this.unshifting.abort();
  }
  // Deletes the frames stored under `keys`: each run of consecutive integer keys with one ranged
  // request (no other record can sit between two consecutive keys), which costs the browser one
  // round trip instead of one per key.
  async remove(keys) {
    // Relaxed: a delete lost to a crash only sends a confirmed message again (at least once).
    const tx = this.db.transaction(STORE, "readwrite", { durability: "relaxed" });
    const os = tx.objectStore(STORE);
    const sorted = [...keys].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; ) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
      os.delete(i === j ? sorted[i] : IDBKeyRange.bound(sorted[i], sorted[j]));
      i = j + 1;
    }
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
  async readAfter(channel, after, limit) {
    const mine = this.items.filter((i) => i.channel === channel && i.key > after).slice(0, limit);
    return [mine.map((i) => i.key), mine.map((i) => i.frame)];
  }
  async unshift(channel, frames) {
    // Keys below the smallest, as in IndexedDB: the items stay in key order.
    const below = this.items.length !== 0 ? this.items[0].key : this.next;
    this.items.unshift(...frames.map((frame, i) => ({ key: below - frames.length + i, channel, frame })));
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
    /** The backend once open, for appendNow. */
    this.open = null;
    this.backend = this.opening();
  }

  // Opens the database (memory when the browser does not let us).
  opening() {
    const name = this.name;
    const backend = openDatabase(name).then(
      (db) => new IdbBackend(db),
      (e) => {
        this.fallbackReason = e && e.message ? e.message : String(e);
        console.warn(`xano-realtime: IndexedDB "${name}" is unavailable (${this.fallbackReason}); the offline queue is kept in memory only`);
        return new MemoryBackend();
      },
    );
    backend.then((b) => {
      this.open = b;
    });
    return backend;
  }

  // Runs `op(backend)` after every operation called before it. A database the browser closed
  // under us (the user cleared the site's data) is opened again first: what it held is gone,
  // what is stored from then on is kept.
  run(op) {
    const p = this.tail
      .then(() => this.backend)
      .then((b) => (b.closed ? (this.backend = this.opening()) : b))
      .then(op);
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

  // [keys, frames]: the channel's oldest frames stored after key `after` (-Infinity: from the
  // first), oldest first; at most `limit`, and at least one when there is one.
  readAfter(channel, after, limit) {
    this.batch = null;
    return this.run((b) => b.readAfter(channel, after, limit));
  }

  remove(keys) {
    this.batch = null;
    return this.run((b) => b.remove(keys));
  }

  // Stores frames after everything stored, in one transaction issued before this returns when the
  // store is open (for a page going away, which may run no later task).
  appendNow(channel, frames) {
    const records = frames.map((frame) => [channel, frame]);
    return this.open !== null && !this.open.closed ? this.open.write(records) : this.run((b) => b.write(records));
  }

  // Aborts an unshift under way (IndexedDB only), for a page going away.
  giveWay() {
    if (this.open !== null && this.open.giveWay) this.open.giveWay();
  }

  // Stores frames ahead of everything already stored, in order (messages sent again after their
  // socket was lost).
  unshift(channel, frames) {
    this.batch = null;
    return this.run((b) => b.unshift(channel, frames));
  }

  count(channel) {
    this.batch = null;
    return this.run((b) => b.count(channel));
  }
}
