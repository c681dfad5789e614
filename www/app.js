// The xano-realtime demo: a support chat opened by clicks, cursors opened on page load, and
// product updates opened on app load, all over one WebSocket to the local server.
//
// Every piece of text that comes from the network is rendered with textContent.

import init, {
  bindOnClick,
  clientStats,
  configure,
  connectionState,
  getChannel,
  onAppLoad,
  onConnectionState,
  onPageLoad,
} from "./pkg/xano_realtime.js";

const $ = (id) => document.getElementById(id);

// ---- identity ---------------------------------------------------------------------------------
// ?user=alice|bob|carol picks a demo token (www/demo-server.toml); anything else is anonymous.
const TOKENS = { alice: "demo-alice", bob: "demo-bob", carol: "demo-carol" };
const params = new URLSearchParams(location.search);
const user = (params.get("user") || "").toLowerCase();
const token = Object.hasOwn(TOKENS, user) ? TOKENS[user] : null;
const tab = Math.random().toString(36).slice(2, 10);
const myName = token ? user[0].toUpperCase() + user.slice(1) : `guest-${tab.slice(0, 4)}`;
const PALETTE = ["#d9480f", "#1971c2", "#2f9e44", "#9c36b5", "#e67700", "#0c8599"];
const myColor = PALETTE[parseInt(tab, 36) % PALETTE.length];

// What the end-to-end test reads (tests/e2e/demo.test.mjs), and handy in the console.
const demo = {
  user: myName,
  tab,
  badgeHistory: [],
  chatStatusFrames: [],
  toasts: [],
  ready: false,
};
window.demo = demo;

// A display name for a member or a sender: the token's extras, else a short socket id.
function nameOf(client, fallback) {
  const extras = client && client.extras;
  if (extras && typeof extras.name === "string" && extras.name) return extras.name;
  if (typeof fallback === "string" && fallback) return fallback;
  const id = client && typeof client.socketId === "string" ? client.socketId : "?";
  return `guest-${id.slice(0, 4)}`;
}

function safeColor(value) {
  return typeof value === "string" && /^#[0-9a-fA-F]{6}$/.test(value) ? value : "#5b4fe9";
}

// ---- connection badge -------------------------------------------------------------------------
let everConnected = false;
function showState(state) {
  let shown;
  if (state === "open") {
    everConnected = true;
    shown = "connected";
  } else if (state === "reconnecting" || (state === "connecting" && everConnected)) {
    shown = "reconnecting";
  } else if (state === "connecting") {
    shown = "connecting";
  } else {
    shown = "offline";
  }
  const badge = $("badge");
  if (badge.dataset.state !== shown) {
    badge.dataset.state = shown;
    badge.textContent = shown;
    demo.badgeHistory.push(shown);
  }
}

// ---- shared connection badge ------------------------------------------------------------------
// Tabs of this browser with the same user share one socket (shareConnection); the badge shows
// this tab's part. ?share=0 gives each tab its own socket.
const share = params.get("share") !== "0";
const ROLES = { off: "own socket", leader: "leader", follower: "follower" };
function showRole() {
  const role = clientStats().shared;
  const el = $("role");
  if (el.dataset.role !== role) {
    el.dataset.role = role;
    el.textContent = ROLES[role] || role;
    demo.role = role;
  }
}

// ---- support chat -----------------------------------------------------------------------------
const CHAT = "support";

function setChatStatus(status) {
  const el = $("chat-status");
  el.dataset.status = status;
  el.textContent = status;
  const joined = status !== "disconnected";
  $("text").disabled = !joined;
  $("send").disabled = !joined;
  $("join").disabled = joined;
  $("leave").disabled = !joined;
}

function renderPresence(channel) {
  const list = $("presence");
  const items = channel
    ? channel.presence().map((client) => {
        const li = document.createElement("li");
        li.textContent = nameOf(client);
        li.dataset.socketId = client.socketId;
        return li;
      })
    : [];
  list.replaceChildren(...items);
}

function messageItem(frame) {
  const payload = frame.payload && typeof frame.payload === "object" ? frame.payload : {};
  const text = typeof payload.text === "string" ? payload.text : JSON.stringify(frame.payload);
  const li = document.createElement("li");
  if (payload.tab === tab) li.classList.add("mine");
  const from = document.createElement("span");
  from.className = "from";
  from.textContent = nameOf(frame.client, payload.from);
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;
  li.append(from, body);
  return li;
}

function appendMessage(frame) {
  const list = $("messages");
  list.append(messageItem(frame));
  list.scrollTop = list.scrollHeight;
}

function showQueued(n) {
  $("queued").textContent = String(n);
}

// Listeners of the chat channel. They are the same functions on every opening, and
// Channel.on keeps one registration of a function, so onOpen can add them each time.
const chatListeners = {
  connection_status(frame) {
    const status = frame.payload && frame.payload.status;
    demo.chatStatusFrames.push(status);
    setChatStatus(status === "connected" ? "connected" : "reconnecting");
  },
  presence_full() {
    renderPresence(getChannel(CHAT));
  },
  presence_update() {
    renderPresence(getChannel(CHAT));
  },
  // History arrives on every join, also after a reconnect: it replaces what is shown.
  history(frame) {
    const list = frame.payload && Array.isArray(frame.payload.history) ? frame.payload.history : [];
    $("messages").replaceChildren(...list.filter((f) => f && f.action === "message").map(messageItem));
  },
  message(frame) {
    appendMessage(frame);
  },
  queue(frame) {
    const pending = frame.payload && frame.payload.pending;
    if (typeof pending === "number") showQueued(pending);
  },
};

function onChatOpen(channel) {
  for (const [action, listener] of Object.entries(chatListeners)) channel.on(action, listener);
  // Its connection_status "connected" follows once it is joined.
  if ($("chat-status").dataset.status === "disconnected") setChatStatus("joining");
  channel.pending().then(showQueued);
}

// The channel reports no "disconnected" when the app closes it: the app sets its own status.
function onChatClose() {
  setChatStatus("disconnected");
  renderPresence(null);
}

async function sendChat(event) {
  event.preventDefault();
  const input = $("text");
  const text = input.value.trim();
  const channel = getChannel(CHAT);
  if (!text || !channel) return;
  input.value = "";
  try {
    const outcome = await channel.message({ text, from: myName, tab });
    if (outcome === "queued") showQueued(await channel.pending());
  } catch (e) {
    toast("Not sent", e && e.message ? e.message : String(e));
  }
}

// ---- cursors ----------------------------------------------------------------------------------
const CURSORS = "cursors";
const cursors = new Map(); // socketId -> element

function cursorCount() {
  $("cursor-count").textContent = String(cursors.size);
}

function showCursor(frame) {
  const p = frame.payload;
  const id = frame.client && frame.client.socketId;
  if (!p || typeof p !== "object" || p.tab === tab || typeof id !== "string") return;
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return;
  let el = cursors.get(id);
  if (!el) {
    el = document.createElement("div");
    el.className = "cursor";
    el.dataset.socketId = id;
    const dot = document.createElement("span");
    dot.className = "dot";
    const label = document.createElement("span");
    label.className = "label";
    el.append(dot, label);
    $("cursors").append(el);
    cursors.set(id, el);
    cursorCount();
  }
  el.style.setProperty("--c", safeColor(p.color));
  el.querySelector(".label").textContent = nameOf(frame.client, p.from);
  const x = Math.min(Math.max(p.x, 0), 1) * innerWidth;
  const y = Math.min(Math.max(p.y, 0), 1) * innerHeight;
  el.style.transform = `translate(${x}px, ${y}px)`;
}

function dropCursor(frame) {
  const change = frame.payload;
  if (!change || change.action !== "leave" || !change.presence) return;
  const el = cursors.get(change.presence.socketId);
  if (el) {
    el.remove();
    cursors.delete(change.presence.socketId);
    cursorCount();
  }
}

// After a reconnect the members have new socket ids: keep only the cursors of current members.
function pruneCursors() {
  const channel = getChannel(CURSORS);
  const present = new Set(channel ? channel.presence().map((c) => c.socketId) : []);
  for (const [id, el] of cursors) {
    if (!present.has(id)) {
      el.remove();
      cursors.delete(id);
    }
  }
  cursorCount();
}

function clearCursorsOnLoss(frame) {
  if (frame.payload && frame.payload.status === "disconnected") clearCursors();
}

function clearCursors() {
  for (const el of cursors.values()) el.remove();
  cursors.clear();
  cursorCount();
}

// Pointer positions go out at most once per animation frame, and only while connected.
let pointer = null;
let frameRequested = false;
function sendPointer() {
  frameRequested = false;
  const channel = getChannel(CURSORS);
  if (!pointer || !channel || connectionState() !== "open") return;
  const { x, y } = pointer;
  pointer = null;
  channel.message({ x, y, from: myName, color: myColor, tab }).catch(() => {});
}
addEventListener("pointermove", (event) => {
  pointer = { x: event.clientX / innerWidth, y: event.clientY / innerHeight };
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(sendPointer);
  }
});

// ---- updates ----------------------------------------------------------------------------------
const UPDATES = "updates";

function toast(title, text) {
  const el = document.createElement("div");
  el.className = "toast";
  const strong = document.createElement("strong");
  strong.textContent = title;
  const body = document.createElement("span");
  body.className = "toast-text";
  body.textContent = text;
  el.append(strong, body);
  $("toasts").append(el);
  setTimeout(() => el.remove(), 8000);
}

function showUpdate(frame) {
  const data = frame.payload ? frame.payload.data : undefined;
  let text;
  if (typeof data === "string") text = data;
  else if (data && typeof data === "object" && typeof data.message === "string") text = data.message;
  else if (data && typeof data === "object" && typeof data.title === "string") text = data.title;
  else text = JSON.stringify(data);
  demo.toasts.push(text);
  toast("Product update", text);
}

// ---- start ------------------------------------------------------------------------------------
async function main() {
  await init();
  $("me").textContent = token ? `signed in as ${myName}` : `anonymous (${myName})`;
  $("curl").textContent =
    `curl -X POST ${location.origin}/admin/event -H 'content-type: application/json' ` +
    `-d '{"channel":"updates","data":{"message":"Version 2.0 is out"}}'`;
  configure({
    instanceBaseUrl: location.origin,
    realtimeConnectionCanonical: "dev",
    realtimeAuthToken: token,
    reconnect: { minDelayMs: 300, maxDelayMs: 3000 },
    shareConnection: share,
  });
  onConnectionState((state) => {
    showState(state);
    showRole();
  });
  showState(connectionState());
  // A tab's part changes when another tab of the group comes or goes: look every second.
  setInterval(showRole, 1000);
  showRole();

  setChatStatus("disconnected");
  bindOnClick($("join"), "open", CHAT, {
    presence: true,
    history: true,
    queueOfflineActions: true,
    onOpen: onChatOpen,
  });
  bindOnClick($("leave"), "close", CHAT, { onClose: onChatClose });
  $("send-form").addEventListener("submit", sendChat);

  onPageLoad(CURSORS, {
    presence: true,
    onOpen(channel) {
      channel.on("message", showCursor);
      channel.on("presence_update", dropCursor);
      channel.on("presence_full", pruneCursors);
      channel.on("connection_status", clearCursorsOnLoss);
    },
    onClose: clearCursors,
  });

  onAppLoad(UPDATES, {
    onOpen(channel) {
      channel.on("event", showUpdate);
    },
  });
  demo.ready = true;
}

main().catch((e) => {
  console.error(e);
  toast("The demo could not start", e && e.message ? e.message : String(e));
});
