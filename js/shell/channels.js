// Channel operations of the shell, one home for each: open (or find) a channel's slot, close
// it, send a message on it, ask for its history. The API layer (api/*.js) checks arguments and
// turns the results into the Channel object and errors; the lifecycle hooks use the same
// operations.
//
// With a shared connection (share.js) a follower tab hands each operation to the leader; the
// leader performs its own and its followers' on its core, where every tab holds the channels it
// has open (src/core/share.rs). A slot the leader keeps only for followers is not `local`.

import { input, w, written } from "./core.js";
import { register, identify, unidentify, unregister, slotNamed, openSlots, deliver } from "./router.js";
import { Outbox, setNotify } from "./outbox.js";
import { send, expectAnswer, socket } from "./socket.js";
import { historyText, joinText, statusFrame } from "./connection.js";
import { countBacklog, storeMessage, removeStored } from "./queue.js";
import { share, post, setLeaderSide, handSend, watch } from "./share.js";
import { state } from "./events.js";

/** What a send resolves with when the socket took the message (made once, shared). */
export const SENT = Promise.resolve("sent");

/** Results of `sendMessage` that are not a promise. */
export const NOT_CONNECTED = 1;
export const QUEUE_FULL = 2;

/** The holder number of this tab's own page in the core's holdings. */
const SELF = 0;
/** Follower tabs' holder numbers (never reused while this tab leads). */
const tabs = new Map();
let lastHolder = SELF;

function holder(tab) {
  let n = tabs.get(tab);
  if (n === undefined) {
    n = ++lastHolder;
    tabs.set(tab, n);
    watch(tab, gone);
  }
  return n;
}

// Opens the slot's channel in this tab's core (its own socket, or the leader's).
function openInCore(slot) {
  if (slot.queue && slot.outbox === null) slot.outbox = new Outbox(removeStored, slot.nameJson);
  input((x) => {
    slot.id = x.xr_open(slot.queue ? 1 : 0);
    identify(slot);
    if (share.role === "leader" && slot.local) x.xr_hold(slot.id, SELF);
  });
  if (slot.queue) countBacklog(slot);
}

function newSlot(name, options, local) {
  const slot = {
    name,
    nameJson: JSON.stringify(name),
    id: 0,
    presence: options.presence,
    history: options.history,
    queue: options.queue,
    live: true,
    joined: false,
    direct: false,
    byAction: new Map(),
    members: new Map(),
    outbox: null,
    flush: 0,
    /** This page stored a frame since its flush last looked (queue.js). */
    stored: false,
    pending: 0,
    announcing: false,
    /** This tab's page has it open (a leader also keeps its followers' channels). */
    local,
    /** The page's Channel object for this opening (made by the API). */
    handle: null,
  };
  register(slot);
  return slot;
}

/**
 * The slot of the channel `name` this tab's page has open, opening it first with `options`
 * ({presence, history, queue}) when it is not. The API makes its handle.
 */
export function openSlot(name, options) {
  let slot = slotNamed(name);
  if (slot !== undefined && slot.local) return slot;
  if (slot !== undefined) {
    // The leader kept it for its followers: now this page holds it too.
    slot.local = true;
    w().xr_hold(slot.id, SELF);
    if (slot.joined) queueMicrotask(() => slot.live && slot.joined && deliver(slot, "connection_status", statusFrame(true)));
    return slot;
  }
  slot = newSlot(name, options, true);
  if (share.role === "follower") post({ t: "open", from: share.tab, name, p: options.presence, h: options.history, q: options.queue });
  else openInCore(slot);
  return slot;
}

/** Closes the slot's channel for this tab's page (sends leave; closes the socket after the last). */
export function closeSlot(slot) {
  if (!slot.live || !slot.local) return;
  slot.local = false;
  slot.handle = null;
  slot.byAction.clear();
  if (share.role === "follower") {
    post({ t: "close", from: share.tab, name: slot.name });
  } else if (share.role === "leader" && w().xr_release(slot.id, SELF) === 0) {
    return; // followers still hold it
  } else {
    input((x) => x.xr_close(slot.id));
  }
  unregister(slot);
}

/**
 * Sends a message frame (`text`; `body`: its payload's JSON text; `echoed`: the server echoes it
 * to us, i.e. it is public). Returns a promise of "sent" or "queued", or NOT_CONNECTED /
 * QUEUE_FULL. `storeError(reason)` makes the rejection when the offline queue cannot store it;
 * `origin` is a follower's [tab, seq] for the leader.
 */
export function sendMessage(slot, text, body, echoed, storeError, origin) {
  if (share.role === "follower") return handSend(slot, text, body, echoed);
  if (slot.direct) {
    const end = send(text);
    if (end >= 0) {
      // The first direct send of the largest length (the server closes at the first one over its
      // limit); the pair is made once, not on every send of that length.
      if (text.length === socket.largest && socket.sender === null) socket.sender = [slot, origin];
      if (slot.outbox !== null) {
        // This page's public message is kept as its payload's text alone (outbox.js).
        slot.outbox.track(echoed && origin === undefined ? body : { t: text, b: echoed ? body : null, k: undefined, e: end, o: origin });
      }
      if (echoed) expectAnswer();
      return SENT;
    }
  }
  if (!slot.queue) return NOT_CONNECTED;
  const code = input((x) => x.xr_enqueue(slot.id));
  if (code !== 0) return QUEUE_FULL;
  return storeMessage(slot, text, storeError);
}

/** Asks for the channel's history; false when it is not joined. */
export function requestHistory(slot) {
  if (!slot.joined) return false;
  if (share.role === "follower") post({ t: "history", from: share.tab, name: slot.name });
  else if (send(historyText(slot)) >= 0) expectAnswer();
  return true;
}

// ---- the leader's side of a shared connection ---------------------------------------------

// A follower's channel: held by its tab; opened in the core by the first holder. A later holder
// that asks for presence or history the join did not is joined again with them.
function remoteOpen(tab, name, presence, history, queue) {
  let slot = slotNamed(name);
  if (slot === undefined) {
    slot = newSlot(name, { presence, history, queue }, false);
    openInCore(slot);
  } else if ((presence && !slot.presence) || (history && !slot.history)) {
    slot.presence ||= presence;
    slot.history ||= history;
    if (slot.joined) send(joinText(slot));
  }
  w().xr_hold(slot.id, holder(tab));
  post({
    t: "o",
    from: share.tab,
    to: tab,
    name,
    joined: slot.joined,
    members: Array.from(slot.members.values()),
    frame: statusFrame(true),
    state: state.name,
  });
}

function unheld(slot) {
  if (!slot.local) {
    input((x) => x.xr_close(slot.id));
    unregister(slot);
  }
}

// A follower left or died: the channels only it held close.
function gone(tab) {
  const n = tabs.get(tab);
  if (n === undefined || share.role !== "leader") return;
  tabs.delete(tab);
  lastSeq.delete(tab);
  const words = written(w().xr_release_tab(n));
  for (let i = 0; i < words.length; i += 5) {
    const slot = openSlots().find((s) => s.id === words[i + 1]);
    if (slot !== undefined) unheld(slot);
  }
}

// The last message taken from each follower. Taken only once the follower has reported to this
// leader: what it hands over before (while it still takes the old leader for alive) comes again
// in its report, in order, with what the old leader never answered; taking it early would put it
// ahead of those, and the report's copies would look like repeats.
const lastSeq = new Map();

function remoteSend(msg) {
  if (!lastSeq.has(msg.from) || msg.seq <= lastSeq.get(msg.from)) return;
  lastSeq.set(msg.from, msg.seq);
  const reply = (v, error) => post({ t: "r", from: share.tab, to: msg.from, seq: msg.seq, v, error });
  const slot = slotNamed(msg.name);
  if (slot === undefined) return reply(undefined, `channel ${JSON.stringify(msg.name)} is closed`);
  const r = sendMessage(slot, msg.text, msg.body, msg.echoed, (reason) => new Error(reason), [msg.from, msg.seq]);
  if (typeof r !== "number") r.then((v) => reply(v), (e) => reply(undefined, e.message));
  else reply(undefined, r === NOT_CONNECTED ? `channel ${JSON.stringify(msg.name)} is not connected` : `the offline queue of channel ${JSON.stringify(msg.name)} is full`);
}

// Followers' messages the leader's outbox settled (confirmed, stored or handed over): tell them.
setNotify((origins) => {
  const byTab = new Map();
  for (const [tab, seq] of origins) byTab.set(tab, (byTab.get(tab) || []).concat(seq));
  for (const [tab, seqs] of byTab) post({ t: "c", from: share.tab, to: tab, seqs });
});

setLeaderSide({
  request(msg) {
    switch (msg.t) {
      case "state":
        holder(msg.from);
        lastSeq.set(msg.from, 0);
        for (const [name, p, h, q] of msg.channels) remoteOpen(msg.from, name, p, h, q);
        break;
      case "open":
        remoteOpen(msg.from, msg.name, msg.p, msg.h, msg.q);
        break;
      case "close": {
        const slot = slotNamed(msg.name);
        const n = tabs.get(msg.from);
        if (slot !== undefined && n !== undefined && w().xr_release(slot.id, n) === 1) unheld(slot);
        break;
      }
      case "send":
        remoteSend(msg);
        break;
      case "history": {
        const slot = slotNamed(msg.name);
        if (slot !== undefined && slot.joined) send(historyText(slot));
        break;
      }
      case "bye":
        gone(msg.from);
        break;
    }
  },
  // Became the leader: this page's channels open in its core; what it had handed the old leader
  // and not seen settled is sent again, in order.
  lead(unsettled) {
    tabs.clear();
    lastSeq.clear();
    for (const slot of openSlots()) openInCore(slot);
    for (const e of unsettled) {
      const slot = slotNamed(e.name);
      const r = slot === undefined ? NOT_CONNECTED : sendMessage(slot, e.text, e.body, e.echoed, (reason) => new Error(reason));
      if (typeof r !== "number") r.then(e.resolve, e.reject);
      else e.reject(new Error(`channel ${JSON.stringify(e.name)} is not connected`));
    }
  },
  // A follower has no socket: its channels leave this tab's core.
  follow: detachAll,
  // Left the group: back to a socket of this tab's own (`own`), or none for now (the page is
  // going away, or joining another group).
  leave(was, own) {
    if (was === "leader") detachAll();
    if (own) for (const slot of openSlots()) openInCore(slot);
  },
});

// Takes every channel out of this tab's core, and the socket with them: it is not kept for the
// echoes of what it carried (the tab no longer leads, or the page is hidden or going away), which
// goes back to the store for whoever leads next, as after a loss.
function detachAll() {
  for (const slot of openSlots()) detach(slot);
  input((x) => x.xr_drained(0));
}

// Takes a slot out of this tab's core: the channels only followers held go away entirely.
function detach(slot) {
  if (slot.id !== 0) input((x) => x.xr_close(slot.id));
  if (!slot.local) {
    unregister(slot);
    return;
  }
  unidentify(slot);
  slot.id = 0;
  slot.outbox = null;
  slot.joined = slot.direct = false;
  slot.members.clear();
}
