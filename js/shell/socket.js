// The current WebSocket (at most one) and the byte count of what was sent on it: what the
// connection opens and closes, and what the send paths and the queue flush write to.

export const socket = {
  /** The WebSocket, or null. */
  ws: null,
  /** The core's id of it. */
  id: 0,
  /** UTF-16 code units sent on it so far: never more than the UTF-8 bytes that
   * WebSocket.bufferedAmount counts (see `send`). */
  bytes: 0,
  /** When the last socket was retired: the bytes of its stream the browser had handed on. */
  handed: 0,
  /** Sockets opened since the page loaded (clientStats()). */
  opened: 0,
};

/**
 * Sends text on the open socket; returns the end offset of the frame in the socket's stream, or -1
 * when no socket is open. Offsets count UTF-16 code units (`text.length`, no scan of the text),
 * never more than the UTF-8 bytes that `bufferedAmount` counts: `handed()` is then at most what
 * truly left the browser, so a frame is never taken for handed over before it was (a non-ASCII one
 * only later than it could be).
 */
export function send(text) {
  const ws = socket.ws;
  if (ws === null || ws.readyState !== 1) return -1;
  ws.send(text);
  return (socket.bytes += text.length);
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
