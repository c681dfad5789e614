// Reading the app's arguments: each reader returns the value or throws a TypeError/RangeError
// whose message names the argument (errors.js). Nothing here changes any state. Also `once`, for
// the functions the API hands back (unsubscribe, unbind).

import { wrongType, badValue } from "./errors.js";

/** `obj[key]`; undefined when reading throws (a hostile getter). */
export function field(obj, key) {
  try {
    return obj[key];
  } catch (_) {
    return undefined;
  }
}

/** Whether a value counts as absent (undefined or null). */
export function absent(v) {
  return v === undefined || v === null;
}

/** An options object: absent gives null; anything but a plain object is a TypeError. */
export function options(v, argument) {
  if (absent(v)) return null;
  if (typeof v !== "object" || Array.isArray(v)) throw wrongType(argument, "an object");
  return v;
}

/** A required string. */
export function string(v, argument) {
  if (typeof v !== "string") throw wrongType(argument, "a string");
  return v;
}

/** An optional string (absent gives null). */
export function optString(v, argument) {
  return absent(v) ? null : string(v, argument);
}

/** An optional boolean (absent gives false). */
export function flag(v, argument) {
  if (absent(v)) return false;
  if (typeof v !== "boolean") throw wrongType(argument, "a boolean");
  return v;
}

/** An optional number (absent gives undefined). */
export function optNumber(v, argument) {
  if (absent(v)) return undefined;
  if (typeof v !== "number") throw wrongType(argument, "a number");
  return v;
}

/** A required function. */
export function fn(v, argument) {
  if (typeof v !== "function") throw wrongType(argument, "a function");
  return v;
}

/** A channel name: a string of 1 to 512 characters without control characters. */
export function channelName(v) {
  const name = string(v, "channel name");
  if (name.length === 0) throw badValue("channel name", "must not be empty");
  if ([...name].length > 512) throw badValue("channel name", "must be at most 512 characters long");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    throw badValue("channel name", `must not contain control characters: ${JSON.stringify(name)}`);
  }
  return name;
}

/** A channel's options ({presence, history, queueOfflineActions}), every flag false by default. */
export function channelOptions(v) {
  const o = options(v, "options");
  if (o === null) return { presence: false, history: false, queue: false };
  return {
    presence: flag(field(o, "presence"), "options.presence"),
    history: flag(field(o, "history"), "options.history"),
    queue: flag(field(o, "queueOfflineActions"), "options.queueOfflineActions"),
  };
}

/**
 * Checks an auth token: empty means anonymous (null). A subprotocol must be an HTTP token, or
 * the browser refuses to open the socket. The error never repeats the token.
 */
export function token(v, argument) {
  const t = optString(v, argument);
  if (t === null || t === "") return null;
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(t)) {
    throw badValue(
      argument,
      "holds characters a WebSocket subprotocol cannot carry (spaces, quotes, separators); pass the token exactly as Xano issued it",
    );
  }
  return t;
}

/** A function that runs `f` on its first call and does nothing after that. */
export function once(f) {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      f();
    }
  };
}
