// The connection state the app sees and its onConnectionState listeners: set by the connection
// (connection.js) in a tab with its own socket or a leader, mirrored from the leader in a
// follower tab (share.js).

import { callEach } from "./router.js";

/** The last connection state reported, and the listeners. */
export const state = { name: "idle", listeners: [] };

/** Records the state and tells the listeners. */
export function emitState(name, detail) {
  state.name = name;
  if (state.listeners.length !== 0) callEach(state.listeners.slice(), name, detail);
}
