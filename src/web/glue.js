// Small JavaScript helpers of the wasm shell. Each one does in a single call what would take
// several crossings of the JS/wasm boundary, and none copies a frame into wasm memory.

// The parsed frame, or undefined when `data` is not a JSON object with a string `action`.
export function decodeFrame(data) {
  if (typeof data !== "string") return undefined;
  let frame;
  try {
    frame = JSON.parse(data);
  } catch (_) {
    return undefined;
  }
  if (frame === null || typeof frame !== "object" || typeof frame.action !== "string") return undefined;
  return frame;
}

// The channel a frame names, or undefined.
export function frameChannel(frame) {
  const options = frame.options;
  if (options === null || typeof options !== "object") return undefined;
  const channel = options.channel;
  return typeof channel === "string" ? channel : undefined;
}

export function frameAction(frame) {
  return frame.action;
}

// JSON text of an app's payload; throws a TypeError naming the problem when JSON cannot encode it.
export function encodePayload(value) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new TypeError("payload must be JSON-serialisable: " + (e && e.message ? e.message : String(e)));
  }
  if (text === undefined) {
    throw new TypeError("payload must be JSON-serialisable, got " + (typeof value));
  }
  return text;
}

// [[socketId, client], ...] from a presence_full frame, or undefined when malformed.
export function presenceList(frame) {
  const payload = frame.payload;
  const list = payload && payload.presence;
  if (!Array.isArray(list)) return undefined;
  const out = [];
  for (const client of list) {
    if (client === null || typeof client !== "object" || typeof client.socketId !== "string") return undefined;
    out.push([client.socketId, client]);
  }
  return out;
}

// [action, socketId, client] from a presence_update frame, or undefined when malformed.
export function presenceChange(frame) {
  const payload = frame.payload;
  if (payload === null || typeof payload !== "object") return undefined;
  const client = payload.presence;
  if (payload.action !== "join" && payload.action !== "leave") return undefined;
  if (client === null || typeof client !== "object" || typeof client.socketId !== "string") return undefined;
  return [payload.action, client.socketId, client];
}

export function connectionStatusFrame(connected) {
  return { action: "connection_status", options: {}, payload: { status: connected ? "connected" : "disconnected" } };
}

export function queueFrame(channel, pending, persisted) {
  return { action: "queue", options: { channel }, payload: { pending, persisted } };
}

// The onConnectionState listeners. They live here, not in wasm: subscribing creates no Rust
// closure, and the unsubscribe function is a plain JS one.
const stateListeners = [];

export function addStateListener(cb) {
  if (!stateListeners.includes(cb)) stateListeners.push(cb);
  return () => {
    const i = stateListeners.indexOf(cb);
    if (i >= 0) stateListeners.splice(i, 1);
  };
}

export function stateListenerCount() {
  return stateListeners.length;
}

export function emitState(state, attempt, delayMs, code, reason) {
  if (stateListeners.length === 0) return;
  const detail = { attempt, delayMs, code, reason };
  for (const cb of stateListeners.slice()) {
    try {
      cb(state, detail);
    } catch (e) {
      console.error("xano-realtime: a connection state listener threw", e);
    }
  }
}

// A function that calls target[method](a, b) once, however often it is called.
export function unsubscriber(target, method, a, b) {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    target[method](a, b);
  };
}

// Calls `cb(arg)`; reports an exception thrown by the app's listener without stopping delivery.
export function callListener(cb, arg) {
  try {
    cb(arg);
  } catch (e) {
    console.error("xano-realtime: a listener threw", e);
  }
}


// The message of an error or rejection value.
export function errorText(e) {
  return e && e.message ? String(e.message) : String(e);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
