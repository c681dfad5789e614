// Inbound frames and the app's listeners. The routing table mirrors the core's open channels:
// the Rust shell opens a slot when a channel opens and closes it when the core drops the channel.
// A frame that names an open channel and is not a presence frame is delivered from here without
// entering wasm (one JSON.parse, one Map lookup, the listeners). Every other frame (presence,
// no channel) goes to Rust, which updates presence and routes it by the core's rules.

const slots = new Map();

/** Counters read by clientStats(). */
export const counters = { frames: 0, malformed: 0, notOpen: 0 };

export function counterValues() {
  return [counters.frames, counters.malformed, counters.notOpen];
}

export function openSlot(name) {
  const slot = { name, byAction: new Map() };
  slots.set(name, slot);
  return slot;
}

// Removes `slot` from the table, unless a newer opening of the channel replaced it, and ends a
// queue flush waiting for echoes on it (`onClose`, see store.js).
export function closeSlot(slot) {
  if (slots.get(slot.name) === slot) slots.delete(slot.name);
  if (slot.onClose !== undefined) slot.onClose();
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

// What `Channel.on` returns: removes the listener once, however often it is called.
export function listenerRemover(slot, action, cb) {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    removeListener(slot, action, cb);
  };
}

export function listenerCount() {
  let n = 0;
  for (const slot of slots.values()) for (const list of slot.byAction.values()) n += list.length;
  return n;
}

function call(list, frame) {
  for (let i = 0; i < list.length; i++) {
    try {
      list[i](frame);
    } catch (e) {
      console.error("xano-realtime: a listener threw", e);
    }
  }
}

// Calls the slot's listeners of `action` and of "*". A queue flush under way watches the
// channel's frames for the echoes of what it sent (`echoWatch`, see store.js).
export function deliver(slot, action, frame) {
  if (slot.echoWatch !== undefined) slot.echoWatch(frame);
  const listeners = slot.byAction.get(action);
  if (listeners !== undefined) call(listeners, frame);
  const all = slot.byAction.get("*");
  if (all !== undefined) call(all, frame);
}

// Delivers to every open channel (a frame that names none). A channel opened by a listener during
// this delivery does not hear it.
export function deliverAll(action, frame) {
  for (const slot of Array.from(slots.values())) {
    if (slots.get(slot.name) === slot) deliver(slot, action, frame);
  }
}

export function countNotOpen() {
  counters.notOpen++;
}

export function malformed(what) {
  counters.malformed++;
  // The first few are reported; after that only the count grows (clientStats()).
  if (counters.malformed <= 5) console.warn(`xano-realtime: ignored a malformed frame from the server (${what})`);
}

// The socket's onmessage handler. `slow(frame, action, channel)` is the Rust shell.
export function inbound(slow) {
  return (event) => {
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
    counters.frames++;
    const action = frame.action;
    const options = frame.options;
    const channel = options !== null && typeof options === "object" && typeof options.channel === "string" ? options.channel : undefined;
    if (channel !== undefined && action !== "presence_full" && action !== "presence_update") {
      const slot = slots.get(channel);
      if (slot === undefined) counters.notOpen++;
      else deliver(slot, action, frame);
      return;
    }
    slow(frame, action, channel);
  };
}
