// Helpers for the wasm-bindgen browser tests: waiting for frames with a failure deadline, calling
// the local server's admin endpoints, and a second client that speaks the protocol over a raw
// browser WebSocket.

export function waitFor(channel, action, predicate, ms, what) {
  return new Promise((resolve, reject) => {
    let off = () => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${what || action} on ${channel.name}`));
    }, ms);
    off = channel.on(action, (frame) => {
      if (predicate && !predicate(frame)) return;
      clearTimeout(timer);
      off();
      resolve(frame);
    });
  });
}

// Records every frame of `action` on `channel` into `frames`.
export function record(channel, action) {
  const frames = [];
  const off = channel.on(action, (f) => frames.push(f));
  return { frames, off };
}

export function statuses(recorded) {
  return recorded.frames.map((f) => f.payload.status);
}

export async function admin(server, method, path, body) {
  const init = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  const res = await fetch(`http://${server}${path}`, init);
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}`);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

// Resolves with (state, detail) when the connection state becomes `target`.
export function waitForState(onConnectionState, target, ms) {
  return new Promise((resolve, reject) => {
    let off = () => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for connection state ${target}`));
    }, ms);
    off = onConnectionState((state, detail) => {
      if (state !== target) return;
      clearTimeout(timer);
      off();
      resolve(detail);
    });
  });
}

export function config(server, token, extra) {
  return Object.assign(
    {
      instanceBaseUrl: `http://${server}`,
      realtimeConnectionCanonical: "dev",
      realtimeAuthToken: token,
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
    },
    extra || {},
  );
}

// A second client on a raw WebSocket, speaking the wire protocol directly.
export class Peer {
  constructor(server, token) {
    this.frames = [];
    this.waiters = [];
    this.ws = token ? new WebSocket(`ws://${server}/rt/dev`, [token]) : new WebSocket(`ws://${server}/rt/dev`);
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error("peer socket failed"));
    });
    this.ws.onmessage = (ev) => {
      const frame = JSON.parse(ev.data);
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.predicate(frame)) return true;
        w.resolve(frame);
        return false;
      });
    };
  }
  send(action, channel, payload, options) {
    this.ws.send(JSON.stringify({ action, options: Object.assign({ channel }, options || {}), payload }));
  }
  async join(channel, presence, history) {
    await this.opened;
    this.send("join", channel, { presence: !!presence, history: !!history });
  }
  // Resolves with the first frame (already received or not) that `predicate` accepts.
  waitFor(predicate, ms, what) {
    const seen = this.frames.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { predicate, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        if (this.waiters.includes(w)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new Error(`peer timed out after ${ms} ms waiting for ${what}`));
        }
      }, ms);
    });
  }
  // The payloads of the message frames received, in order.
  messages(channel) {
    return this.frames.filter((f) => f.action === "message" && f.options.channel === channel).map((f) => f.payload);
  }
  close() {
    this.ws.close(1000);
  }
}

export function payloadIs(value) {
  return (f) => f.action === "message" && JSON.stringify(f.payload) === JSON.stringify(value);
}

export function presenceHas(socketId, present) {
  return (channel) => channel.presence().some((c) => c.socketId === socketId) === present;
}

export function errorName(e) {
  return e && e.constructor ? e.constructor.name : typeof e;
}

export function errorMessage(e) {
  return e && e.message ? e.message : String(e);
}

export function cyclic() {
  const a = { name: "loop" };
  a.self = a;
  return a;
}

export function bigint() {
  return { n: 10n };
}

export function aFunction() {
  return () => 1;
}

export function json(v) {
  return JSON.stringify(v);
}

// Counts the readwrite IndexedDB transactions the page opens from now on.
export function countWriteTransactions() {
  const counter = { n: 0 };
  const original = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, ...rest) {
    if (mode === "readwrite") counter.n += 1;
    return original.call(this, stores, mode, ...rest);
  };
  counter.restore = () => {
    IDBDatabase.prototype.transaction = original;
  };
  return counter;
}

// Makes IndexedDB unusable for this page (as in a browser that blocks it).
export function breakIndexedDb() {
  Object.defineProperty(window, "indexedDB", {
    configurable: true,
    get() {
      throw new DOMException("IndexedDB is disabled in this test", "SecurityError");
    },
  });
}

// Sends `count` messages {seq: i, tag} in one tick; resolves with their outcomes.
export function sendMany(channel, tag, from, count) {
  const sends = [];
  for (let i = from; i < from + count; i++) sends.push(channel.message({ seq: i, tag }));
  return Promise.all(sends);
}

// `count` sends on each of `a` and `b`, alternating (a0, b0, a1, b1, …), in one tick.
export function sendAlternating(a, b, tag, count) {
  const sends = [];
  for (let i = 0; i < count; i++) sends.push(a.message({ seq: i, tag }), b.message({ seq: i, tag }));
  return Promise.all(sends);
}

// The seq numbers of a channel's stored history frames carrying `tag`.
export function historySeqs(history, tag) {
  return history.history.filter((f) => f.payload && f.payload.tag === tag).map((f) => f.payload.seq);
}

// Fires the window's `online` / `offline` event, as the browser does when the network changes.
export function fireNetworkEvent(name) {
  window.dispatchEvent(new Event(name));
}

// Fires `visibilitychange` with document.visibilityState reporting `state`.
export function fireVisibility(state) {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
  document.dispatchEvent(new Event("visibilitychange"));
}

// Records the text of every frame the page's WebSockets send, until restore().
export function spySends() {
  const original = WebSocket.prototype.send;
  const sent = [];
  WebSocket.prototype.send = function (data) {
    sent.push(data);
    return original.call(this, data);
  };
  return { sent: () => sent.slice(), restore: () => (WebSocket.prototype.send = original) };
}
