// The connection shell: turns browser events (socket open/close, the timer, online/offline,
// visibility, a socket gone silent) into core inputs, and performs the core's outputs (open or
// close the socket, send join/leave, arm the one timer, deliver connection_status frames, report
// state changes, start flushes). It holds no policy: every decision is the core's
// (src/core/client.rs).
//
// A core input is never made while outputs are being performed: events that happen during an
// output (a socket the browser refuses to create) are handed back on a microtask.

import {
  STATES,
  NONE,
  attached,
  input,
  setPerformer,
  w,
  OP_OPEN,
  OP_CLOSE,
  OP_JOIN,
  OP_LEAVE,
  OP_TIMER,
  OP_CANCEL_TIMER,
  OP_STATUS,
  OP_STATE,
  OP_MODE,
  OP_FLUSH,
  OP_PENDING,
  OP_REQUEUE,
  OP_LINGER,
  OP_DRAIN,
} from "./core.js";
import { deliver, deliverAll, inbound, slotOf, linger, forget, drained } from "./router.js";
import { state, emitState } from "./events.js";
import { announce, keepUnconfirmed, requeue, startFlush, tooBig } from "./queue.js";
import { newSocket } from "./outbox.js";
import { socket, send, retire, silence, SILENCE_MS } from "./socket.js";
import { share, post } from "./share.js";

/** The socket URL and token in force (derived and checked by the API). */
export const link = { url: "", token: null };


const REASONS = [
  "connected",
  "a channel was opened",
  "no channel is open",
  "reconnecting",
  "the connection was lost",
  "the browser is offline",
  "the browser is online again",
  "the page became visible",
  "the settings changed",
  "the server closed the connection normally (1000)",
  "the server refused the connection: policy violation (1008)",
  "the handshake keeps failing: check instanceBaseUrl, realtimeConnectionCanonical and the token, or the server is down; still retrying",
  "the server did not answer the handshake in time",
  `no answer from the server for ${SILENCE_MS / 1000} s: the connection is taken for dead`,
];

// The open socket went silent (socket.js): the core decides what that means.
silence.silent = (id) => input((x) => x.xr_socket_silent(id, performance.now()));

let timer = null;

/** Sets the URL and token the next socket uses. */
export function setLink(url, token) {
  if (url !== null) link.url = url;
  link.token = token;
}

/** The token in force. */
export function token() {
  return link.token;
}

/** The `connection_status` frame the app's listeners hear (`connected`, or `disconnected`). */
export function statusFrame(connected) {
  return { action: "connection_status", options: {}, payload: { status: connected ? "connected" : "disconnected" } };
}

/** The text of a channel's join frame, byte for byte as the official SDK sends it. */
export function joinText(slot) {
  return `{"action":"join","options":{"channel":${slot.nameJson}},"payload":{"history":${slot.history},"presence":${slot.presence}}}`;
}

function simpleText(action, slot) {
  return `{"action":"${action}","options":{"channel":${slot.nameJson}},"payload":null}`;
}

/** The text of a channel's `history` request. */
export function historyText(slot) {
  return simpleText("history", slot);
}

function relay(event) {
  inbound(event);
  post({ t: "f", from: share.tab, d: event.data });
}

function openSocket(id) {
  retire();
  newSocket();
  let ws;
  try {
    ws = link.token === null ? new WebSocket(link.url) : new WebSocket(link.url, [link.token]);
  } catch (_) {
    // The browser refused the URL or the subprotocol: as a refused handshake.
    queueMicrotask(() => input((x) => x.xr_socket_closed(id, 1006, performance.now())));
    return;
  }
  socket.ws = ws;
  socket.id = id;
  socket.opened++;
  ws.onopen = () => input((x) => x.xr_socket_opened(id));
  // A leader also hands each frame to its followers; the handler is chosen once per socket (a
  // tab becomes leader before it opens one; after it leaves the group, `post` does nothing).
  ws.onmessage = share.role === "leader" ? relay : inbound;
  ws.onclose = (event) => {
    if (socket.ws !== ws) return;
    if (event.code === 1009) tooBig();
    retire();
    input((x) => x.xr_socket_closed(id, event.code, performance.now()));
  };
}

function stateChange(words, i) {
  const delay = words[i + 3];
  const code = words[i + 4];
  const name = STATES[words[i + 1] & 0xff];
  const detail = {
    attempt: words[i + 2],
    delayMs: delay === NONE ? undefined : delay,
    code: code === 0 ? undefined : code,
    reason: REASONS[words[i + 1] >>> 8],
  };
  // A follower shows the leader's connection, not its own core's (which has no channel).
  if (share.role === "follower") return;
  emitState(name, detail);
  if (share.role === "leader") post({ t: "s", from: share.tab, name, detail });
}

/** Performs the core's outputs, in order. */
export function perform(words) {
  for (let i = 0; i < words.length; i += 5) {
    const a = words[i + 1];
    const b = words[i + 2];
    switch (words[i]) {
      case OP_OPEN:
        openSocket(a);
        break;
      case OP_CLOSE:
        if (socket.id === a) {
          const ws = retire();
          try {
            ws.close(b);
          } catch (_) {}
        }
        break;
      case OP_JOIN:
        if (socket.id === a) send(joinText(slotOf(b)));
        break;
      case OP_LEAVE:
        if (socket.id === a) send(simpleText("leave", slotOf(b)));
        break;
      case OP_TIMER:
        clearTimeout(timer);
        timer = setTimeout(() => {
          timer = null;
          input((x) => x.xr_timer(a, performance.now()));
        }, b);
        break;
      case OP_CANCEL_TIMER:
        clearTimeout(timer);
        timer = null;
        break;
      case OP_STATUS:
        if (a === 0) {
          deliverAll("connection_status", statusFrame(b === 1));
          if (share.role === "leader") post({ t: "st", from: share.tab, frame: statusFrame(b === 1) });
        } else {
          // A channel opened on an open socket hears `connected` after openChannel returns, so
          // the listeners the app adds right after opening it hear it too.
          const slot = slotOf(a);
          queueMicrotask(() => {
            if (slot.live && slot.joined) deliver(slot, "connection_status", statusFrame(true));
          });
        }
        break;
      case OP_STATE:
        stateChange(words, i);
        break;
      case OP_MODE: {
        const slot = slotOf(a);
        slot.joined = (b & 1) === 1;
        slot.direct = (b & 2) === 2;
        if (!slot.joined) slot.members.clear();
        if (share.role === "leader") post({ t: "m", from: share.tab, name: slot.name, joined: slot.joined });
        break;
      }
      case OP_FLUSH:
        startFlush(slotOf(a), b);
        break;
      case OP_PENDING: {
        const slot = slotOf(a);
        slot.pending = b;
        announce(slot);
        break;
      }
      // A closed channel whose outbox was empty is not kept (router.linger): nothing to do.
      case OP_REQUEUE: {
        const slot = slotOf(a);
        if (slot === undefined) break;
        requeue(slot);
        forget(slot);
        break;
      }
      case OP_LINGER:
        linger(slotOf(a));
        break;
      // The last channel closed; the socket stays for lingering channels' echoes (router.js).
      case OP_DRAIN:
        queueMicrotask(drained);
        break;
    }
  }
}

let listening = false;

/** Installs the browser listeners (once) and tells the core whether the browser is offline. */
export function start() {
  setPerformer(perform);
  if (listening || typeof window === "undefined") return;
  listening = true;
  window.addEventListener("online", () => attached() && input((x) => x.xr_online()));
  window.addEventListener("offline", () => attached() && input((x) => x.xr_offline()));
  window.addEventListener("pagehide", keepUnconfirmed);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && attached()) input((x) => x.xr_visible());
  });
  if (navigator.onLine === false) input((x) => x.xr_offline());
}

/** The connection state's name. */
export function connectionState() {
  return state.name;
}
