// The current WebSocket (at most one) and the byte count of what was sent on it: what the
// connection opens and closes, and what the send paths and the queue flush write to.

export const socket = {
  /** The WebSocket, or null. */
  ws: null,
  /** The core's id of it. */
  id: 0,
  /** UTF-8 bytes sent on it so far (WebSocket.bufferedAmount counts in the same unit). */
  bytes: 0,
  /** When the last socket was retired: the bytes of its stream the browser had handed on. */
  handed: 0,
  /** Sockets opened since the page loaded (clientStats()). */
  opened: 0,
};

// UTF-8 length of a string, as WebSocket.bufferedAmount counts it.
function utf8Length(text) {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // 2 bytes below 0x800, a surrogate pair 4 (2 per half), the rest 3.
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c < 0xe000) ? 1 : 2;
  }
  return n;
}

/**
 * Sends text on the open socket; returns the end offset of the frame in the socket's byte stream,
 * or -1 when no socket is open. Only frames the outbox tracks need their offset (`tracked`): the
 * others are not counted, which only makes `handed()` smaller than the truth, never larger (so an
 * unechoed message is never taken for handed over before it was).
 */
export function send(text, tracked) {
  const ws = socket.ws;
  if (ws === null || ws.readyState !== 1) return -1;
  ws.send(text);
  if (tracked) socket.bytes += utf8Length(text);
  return socket.bytes;
}

/** The bytes of the current socket's stream the browser has handed to the network. */
export function handed() {
  const ws = socket.ws;
  return ws === null ? socket.handed : socket.bytes - Math.min(ws.bufferedAmount, socket.bytes);
}

/** Forgets the current socket (its handlers detached), noting how much of it left the browser. */
export function retire() {
  const ws = socket.ws;
  if (ws === null) return null;
  socket.handed = handed();
  socket.bytes = 0;
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
  socket.ws = null;
  socket.id = 0;
  return ws;
}
