// The current WebSocket (at most one), the byte count of what was sent on it, and the watch for
// its silence: what the connection opens and closes, and what the send paths and the queue
// flush write to.

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
  /** The length of the largest frame sent on it, and, when the first frame of that length was
   * sent directly, whose message it was: [the channel's slot, the follower's [tab, seq] or
   * undefined] (queue.js `tooBig`). */
  largest: 0,
  sender: null,
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
  if (text.length > socket.largest) {
    // A new largest frame: whose it is, a direct send's caller says (channels.js).
    socket.largest = text.length;
    socket.sender = null;
  }
  return (socket.bytes += text.length);
}

/**
 * How long the open socket may carry nothing back after a message the server answers (the echo
 * of a public message, a requested history) before it is taken for dead: a network that stopped
 * carrying it without closing it (Wi-Fi gone, a NAT that forgot the connection) leaves the browser
 * trusting it for many minutes.
 */
export const SILENCE_MS = 20000;

/**
 * The watch for silence on the open socket. The first send the server answers arms it; after
 * SILENCE_MS it looks whether any frame arrived since (`heard`, set by the router per frame). If
 * none did, `silent(socketId)` tells the core (connection.js sets it); if one did and more such
 * sends were made meanwhile, it looks again after another SILENCE_MS. A look that comes much later
 * than due (the page was frozen, the machine asleep, a hidden tab's timers throttled) and found
 * nothing looks again rather than judge: the answer may be waiting behind it.
 */
export const silence = { timer: null, at: 0, heard: false, more: false, silent: (_id) => {} };

function look() {
  silence.timer = null;
  if (silence.heard) {
    if (silence.more) arm();
  } else if (performance.now() - silence.at > SILENCE_MS * 1.5) {
    arm(); // late: the answer may be waiting behind this look
  } else {
    silence.silent(socket.id);
  }
}

function arm() {
  silence.heard = silence.more = false;
  silence.at = performance.now();
  silence.timer = setTimeout(look, SILENCE_MS);
}

/** A frame the server answers was sent on the open socket. */
export function expectAnswer() {
  if (silence.timer === null) arm();
  else silence.more = true;
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
  socket.largest = 0;
  socket.sender = null;
  clearTimeout(silence.timer);
  silence.timer = null;
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
  socket.ws = null;
  socket.id = 0;
  return ws;
}
