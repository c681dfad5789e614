// The bridge to the Rust core (the wasm module's numeric exports, src/wasm/mod.rs): it calls an
// input, then takes the outputs the input caused as a list of five-word records
// [op, a, b, c, d]. Only numbers cross: channel names, payloads and frames stay in JavaScript.

/** Output operation codes (src/wasm/mod.rs, `op`): one constant each, so the bundle holds the numbers.
 * 13 (a hook's verdict) and 16 (a channel no tab holds) are read where xr_page_event and
 * xr_release_tab write them. */
export const OP_OPEN = 1;
export const OP_CLOSE = 2;
export const OP_JOIN = 3;
export const OP_LEAVE = 4;
export const OP_TIMER = 5;
export const OP_CANCEL_TIMER = 6;
export const OP_STATUS = 7;
export const OP_STATE = 8;
export const OP_MODE = 9;
export const OP_FLUSH = 10;
export const OP_PENDING = 11;
export const OP_REQUEUE = 12;
export const OP_LINGER = 14;
export const OP_DRAIN = 15;

/** Connection state names, by the core's number. */
export const STATES = ["idle", "connecting", "open", "reconnecting", "offline"];

/** "No value" in an optional output word. */
export const NONE = 0xffffffff;

let wasm = null;
const NO_OUTPUT = new Uint32Array(0);

/**
 * Connects the shell to an instantiated core (the exports of xano_realtime_bg.wasm). Called by
 * the package's init(); the browser tests call it with their own instance. Idempotent.
 */
export function attach(exports) {
  if (wasm === exports) return;
  wasm = exports;
  wasm.xr_init(Math.random());
  for (const resolve of waiting.splice(0)) resolve();
}

let loader = null;
const waiting = [];

/** Sets how to load the core for a caller that needs it before anyone called init(). */
export function setLoader(load) {
  loader = load;
}

/**
 * Resolves once the core is attached: at once if it is, else by loading it (the package's
 * init(), set with setLoader) or by waiting for someone to attach it. For the XanoClient, whose
 * users never call init().
 */
export function loaded() {
  if (wasm !== null) return Promise.resolve();
  if (loader !== null) return loader().then(() => {});
  return new Promise((resolve) => waiting.push(resolve));
}

/** Whether the core is attached (init() has run). */
export function attached() {
  return wasm !== null;
}

/** The core's exports, for calling inputs. Only valid once attached. */
export function w() {
  return wasm;
}

let performer = () => {};

/** Sets the function that performs the core's outputs (connection.js). */
export function setPerformer(perform) {
  performer = perform;
}

/**
 * Runs a core input (`f` gets the exports), performs the outputs it caused, and returns what the
 * input returned. The one way the shell calls the core.
 */
export function input(f) {
  const r = f(wasm);
  performer(take());
  return r;
}

/** Takes the outputs of the last input (a copy: performing them may call the core again). */
export function take() {
  const n = wasm.xr_take();
  return n === 0 ? NO_OUTPUT : new Uint32Array(wasm.memory.buffer, wasm.xr_out(), n).slice();
}

/** The outputs xr_page_event just wrote. */
export function written(n) {
  return n === 0 ? NO_OUTPUT : new Uint32Array(wasm.memory.buffer, wasm.xr_out(), n).slice();
}

/** NaN for "not given", as the core reads it. */
export function num(v) {
  return v === undefined ? NaN : v;
}
