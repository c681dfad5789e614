// Inbound frames and the app's listeners. The routing table holds one slot per open channel
// (channels.js opens and closes them); a frame is parsed once, routed with one Map lookup and
// handed to the slot's listeners without entering wasm. Presence is kept here too, per slot, in
// a Map keyed by socketId (no duplicates by construction). Echoes and refusals of what a queue
// channel sent go to its outbox first (outbox.js).

import { input } from "./core.js";
import { notMe } from "./outbox.js";
import { silence } from "./socket.js";

const slots = new Map();
const byId = new Map();
/** Closed queue channels whose unconfirmed messages ride the open socket: by name, the
 * openings oldest first, each a record {name, id, outbox, live: false} of its own (`linger`). */
const lingering = new Map();

/** Counters read by clientStats(). */
export const counters = { frames: 0, malformed: 0, notOpen: 0 };

/** Adds an open channel's slot to the table. */
export function register(slot) {
  slots.set(slot.name, slot);
}

/** Files the slot under its channel id in the core (the core's outputs name channels by id). */
export function identify(slot) {
  byId.set(slot.id, slot);
}

/** The slot is no longer filed under its core id (its channel left this tab's core). */
export function unidentify(slot) {
  if (byId.get(slot.id) === slot) byId.delete(slot.id);
}

/** Removes a slot from the table: its frames are no longer delivered. */
export function unregister(slot) {
  if (slots.get(slot.name) === slot) slots.delete(slot.name);
  unidentify(slot);
  slot.live = false;
}

/**
 * A closed channel keeps hearing the echoes of its unconfirmed messages (the core's LINGER): its
 * outbox goes to a record of its own, filed under the closed opening's id, since a page that keeps
 * the channel (a shared connection changing hands) goes on with the same slot.
 */
export function linger(slot) {
  if (slot.outbox.size === 0) return;
  const old = { name: slot.name, id: slot.id, outbox: slot.outbox, live: false };
  byId.set(old.id, old);
  lingering.set(old.name, (lingering.get(old.name) || []).concat([old]));
}

/** A lingering record, or an open slot, is done with (its messages were put back, settled or confirmed). */
export function forget(slot) {
  const rest = (lingering.get(slot.name) || []).filter((s) => s !== slot);
  if (rest.length === 0) lingering.delete(slot.name);
  else lingering.set(slot.name, rest);
  if (!slot.live && byId.get(slot.id) === slot) byId.delete(slot.id);
}

/**
 * After the last channel closed, the core keeps the socket for the echoes of what lingering
 * channels sent (its DRAIN). Once none of their messages awaits an echo, it is told; if it was
 * keeping the socket for them, it closes it, and the rest, which needs no echo (the browser hands
 * it on before the normal close), is settled.
 */
export function drained() {
  const rest = [...lingering.values()].flat();
  if (rest.some((old) => old.outbox.awaitsEcho()) || !input((x) => x.xr_drained(1))) return;
  for (const old of rest) {
    old.outbox.takeUnconfirmed(Infinity);
    forget(old);
  }
}

/** The open channel's slot of this name, or undefined. */
export function slotNamed(name) {
  return slots.get(name);
}

/** The slot of the core's channel id, or undefined. */
export function slotOf(id) {
  return byId.get(id);
}

/** Every open channel's slot. */
export function openSlots() {
  return Array.from(slots.values());
}

// Listener lists are replaced, never changed in place, so a delivery under way keeps the list it
// started with when a listener subscribes or unsubscribes.
export function addListener(slot, action, cb) {
  const list = slot.byAction.get(action) || [];
  if (!list.includes(cb)) slot.byAction.set(action, list.concat([cb]));
}

export function removeListener(slot, action, cb) {
  const list = slot.byAction.get(action);
  if (!list) return;
  const rest = list.filter((f) => f !== cb);
  if (rest.length === 0) slot.byAction.delete(action);
  else slot.byAction.set(action, rest);
}

/** The number of listeners of every open channel. */
export function listenerCount() {
  let n = 0;
  for (const slot of slots.values()) for (const list of slot.byAction.values()) n += list.length;
  return n;
}

/** The slots whose outbox holds messages, lingering and open; of one channel oldest opening first. */
export function slotsWithUnconfirmed() {
  const out = [];
  for (const list of lingering.values()) out.push(...list);
  for (const slot of slots.values()) if (slot.outbox !== null && slot.outbox.size !== 0) out.push(slot);
  return out;
}

/** Messages this tab keeps until confirmed: in open channels' outboxes and in closed channels' still watching for echoes. */
export function unconfirmedCount() {
  let n = 0;
  for (const slot of slots.values()) if (slot.outbox !== null) n += slot.outbox.size;
  for (const list of lingering.values()) for (const slot of list) n += slot.outbox.size;
  return n;
}

/** Calls each function of `list` with `arg`; one that throws is reported, not propagated. */
export function callEach(list, arg, arg2) {
  for (let i = 0; i < list.length; i++) {
    try {
      list[i](arg, arg2);
    } catch (e) {
      console.error("xano-realtime: a listener threw", e);
    }
  }
}

/** Calls the slot's listeners of `action` and of "*". */
export function deliver(slot, action, frame) {
  const listeners = slot.byAction.get(action);
  if (listeners !== undefined) callEach(listeners, frame);
  const all = slot.byAction.get("*");
  if (all !== undefined) callEach(all, frame);
}

/** Delivers to every open channel. A channel opened by a listener meanwhile does not hear it. */
export function deliverAll(action, frame) {
  for (const slot of Array.from(slots.values())) {
    if (slot.live) deliver(slot, action, frame);
  }
}

function malformed(what) {
  counters.malformed++;
  // The first few are reported; after that only the count grows (clientStats()).
  if (counters.malformed <= 5) console.warn(`xano-realtime: ignored a malformed frame from the server (${what})`);
}

function isClient(c) {
  return c !== null && typeof c === "object" && typeof c.socketId === "string";
}

// Applies a presence frame to the slot's members; false when it is malformed.
function presence(slot, action, payload) {
  if (payload === null || typeof payload !== "object") return false;
  const member = payload.presence;
  if (action === "presence_full") {
    if (!Array.isArray(member) || !member.every(isClient)) return false;
    slot.members = new Map(member.map((c) => [c.socketId, c]));
    return true;
  }
  if (!isClient(member)) return false;
  if (payload.action === "join") {
    slot.members.set(member.socketId, member);
    notMe(member.socketId);
  } else if (payload.action === "leave") {
    slot.members.delete(member.socketId);
  } else {
    return false;
  }
  return true;
}

/** The socket's `message` handler. */
export function inbound(event) {
  silence.heard = true;
  const data = event.data;
  if (typeof data !== "string") return malformed("not a text frame");
  let frame;
  try {
    frame = JSON.parse(data);
  } catch (_) {
    return malformed("not JSON");
  }
  if (frame === null || typeof frame !== "object" || typeof frame.action !== "string") {
    return malformed('not a JSON object with an "action"');
  }
  const options = frame.options;
  const channel = options !== null && typeof options === "object" ? options.channel : undefined;
  if (channel !== undefined && typeof channel !== "string") return malformed("options.channel is not a string");
  counters.frames++;
  const action = frame.action;
  if (channel === undefined) return deliverAll(action, frame);
  const slot = slots.get(channel);
  if (lingering.size !== 0 && (action === "message" || action === "error")) {
    // Echoes of what closed openings sent come before those of later openings; so does the
    // server's refusal of the oldest message not yet confirmed.
    for (const old of lingering.get(channel) || []) {
      if (action === "error") old.outbox.refused();
      else if (!old.outbox.echo(frame)) continue;
      if (old.outbox.size === 0) forget(old);
      if (slot !== undefined) deliver(slot, action, frame);
      else drained();
      return;
    }
  }
  if (slot === undefined) {
    counters.notOpen++;
    return;
  }
  if (action === "message") {
    if (slot.outbox !== null && slot.outbox.size !== 0) slot.outbox.echo(frame);
  } else if (action === "presence_full" || action === "presence_update") {
    if (!presence(slot, action, frame.payload)) return malformed(`malformed ${action}`);
  } else if (action === "error") {
    if (slot.outbox !== null) slot.outbox.refused();
  }
  deliver(slot, action, frame);
}
