// Channel operations of the shell, one home for each: open (or find) a channel's slot, close
// it, send a message on it, ask for its history. The API layer (api/*.js) checks arguments and
// turns the results into the Channel object and errors; the lifecycle hooks use the same
// operations.

import { input } from "./core.js";
import { register, unregister, slotNamed } from "./router.js";
import { Outbox } from "./outbox.js";
import { send } from "./socket.js";
import { historyText } from "./connection.js";
import { countBacklog, storeMessage } from "./queue.js";

/** What a send resolves with when the socket took the message (made once, shared). */
export const SENT = Promise.resolve("sent");

/** Results of `sendMessage` that are not a promise. */
export const NOT_CONNECTED = 1;
export const QUEUE_FULL = 2;

/**
 * The slot of the open channel `name`, opening it first with `options`
 * ({presence, history, queue}) when it is not open.
 */
export function openSlot(name, options) {
  const open = slotNamed(name);
  if (open !== undefined) return open;
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
    outbox: options.queue ? new Outbox() : null,
    flush: 0,
    pending: 0,
    announcing: false,
    handle: null,
  };
  input((x) => {
    slot.id = x.xr_open(options.queue ? 1 : 0);
    register(slot);
  });
  if (options.queue) countBacklog(slot);
  return slot;
}

/** Closes the slot's channel (sends leave; closes the socket after the last one). */
export function closeSlot(slot) {
  if (!slot.live) return;
  input((x) => x.xr_close(slot.id));
  unregister(slot);
}

/**
 * Sends a message frame (`text`; `body`: its payload's JSON text; `echoed`: the server echoes it
 * to us, i.e. it is public). Returns a promise of "sent" or "queued", or NOT_CONNECTED /
 * QUEUE_FULL. `storeError(reason)` makes the rejection when the offline queue cannot store it.
 */
export function sendMessage(slot, text, body, echoed, storeError) {
  if (slot.direct) {
    const end = send(text);
    if (end >= 0) {
      if (slot.outbox !== null) slot.outbox.track({ t: text, p: echoed ? body : null, k: undefined, e: end });
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
  return slot.joined && send(historyText(slot)) >= 0;
}
