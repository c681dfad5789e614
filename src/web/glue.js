// Small JavaScript helpers of the wasm shell. Each one does in a single call what would take
// several crossings of the JS/wasm boundary, and none copies a frame into wasm memory.

// The text of a `message` frame, byte for byte as the official SDK sends it (and as the core's
// reference `frame::message` builds it): the options carry the channel, then `authenticated`
// and `socketId` only when set. Built here so that the payload never crosses into wasm. Throws a
// TypeError naming the payload when JSON cannot encode it.
export function messageFrame(channel, payload, authenticated, socketId) {
  let body;
  try {
    body = JSON.stringify(payload);
  } catch (e) {
    throw new TypeError("payload must be JSON-serialisable: " + (e && e.message ? e.message : String(e)));
  }
  if (body === undefined) {
    throw new TypeError("payload must be JSON-serialisable, got " + typeof payload);
  }
  let options = '{"channel":' + JSON.stringify(channel);
  if (authenticated) options += ',"authenticated":true';
  if (socketId !== undefined && socketId !== null) options += ',"socketId":' + JSON.stringify(socketId);
  return '{"action":"message","options":' + options + '},"payload":' + body + "}";
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

// The message of an error or rejection value.
export function errorText(e) {
  return e && e.message ? String(e.message) : String(e);
}

export function sendText(ws, text) {
  ws.send(text);
}
