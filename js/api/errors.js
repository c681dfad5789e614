// The errors the API throws or rejects with: each names what was wrong and what to do; none ever
// contains the auth token. TypeError for a wrong type, RangeError for a value out of range,
// Error for a call the current state does not allow.

const q = JSON.stringify;

/** `argument` has the wrong type. */
export function wrongType(argument, expected) {
  return new TypeError(`${argument} must be ${expected}`);
}

/** `argument` has the right type and a value that is not allowed. */
export function badValue(argument, reason) {
  return new RangeError(`${argument} ${reason}`);
}

/** A setting the core refused (src/core/config.rs, ConfigError), by its code. */
export function configError(code, min, max) {
  switch (code) {
    case 1:
      return badValue("reconnect.minDelayMs", "must be a number of milliseconds from 0 to 3600000");
    case 2:
      return badValue("reconnect.maxDelayMs", "must be a number of milliseconds from 0 to 3600000");
    case 3:
      return badValue("reconnect.maxDelayMs", `(${max}) must not be less than reconnect.minDelayMs (${min})`);
    default:
      return badValue("queue.maxActions", "must be a whole number from 1 to 10000000");
  }
}

/** The package was used before its wasm core was loaded. */
export function notInitialised() {
  return new Error("xano-realtime is not initialised: await init() (the package's default export) before calling it");
}

/** A channel was opened (or a hook bound) before configure(). */
export function notConfigured() {
  return new Error("xano-realtime is not configured: call configure({ instanceBaseUrl, realtimeConnectionCanonical }) first");
}

/** A Channel handle whose channel was closed. */
export function channelClosed(name) {
  return new Error(`channel ${q(name)} is closed; call openChannel(${q(name)}) to open it again`);
}

/** A send while not joined, on a channel without an offline queue. */
export function notConnected(name) {
  return new Error(
    `channel ${q(name)} is not connected and was opened without queueOfflineActions, so the message was not sent`,
  );
}

/** history() while not joined. */
export function historyNotConnected(name) {
  return new Error(`channel ${q(name)} is not connected: history() can be called once it is joined`);
}

/** The offline queue of the channel is at its cap. */
export function queueFull(name, max) {
  return new Error(`the offline queue of channel ${q(name)} is full (${max} actions); the message was not queued`);
}

/** Storing a queued message failed (IndexedDB quota, transaction aborted). */
export function queueStorage(name, reason) {
  return new Error(`the offline queue of channel ${q(name)} could not store the message: ${reason}`);
}

/** A payload JSON cannot encode. */
export function badPayload(detail) {
  return new TypeError(`payload must be JSON-serialisable: ${detail}`);
}
