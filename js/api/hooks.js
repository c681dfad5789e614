// The lifecycle hooks (API.md §1, "Lifecycle hooks"): tie a channel's life to a click, to the
// page, or to the app. This file checks the arguments and wires the DOM; which channel opens or
// closes on which event is decided by the core (src/core/hooks.rs), which knows channels by a
// number (a key) that stands for the name.
//
// A callback of the app (onOpen, onClose) that throws is reported, not propagated: one faulty
// callback cannot stop a click or a page event from being handled.

import * as args from "./args.js";
import * as errors from "./errors.js";
import { settings } from "./settings.js";
import { channelOf } from "./channel.js";
import { attached, w, written } from "../shell/core.js";
import { openSlot, closeSlot } from "../shell/channels.js";
import { slotNamed } from "../shell/router.js";

const ACTIONS = ["open", "close", "toggle"];

const keys = new Map();
const names = [];
/** onPageLoad's options per key (the last call's). */
const pageOptions = new Map();

function keyOf(name) {
  let key = keys.get(name);
  if (key === undefined) {
    key = names.length;
    keys.set(name, key);
    names.push(name);
  }
  return key;
}

function ready() {
  if (!attached()) throw errors.notInitialised();
}

function hookOptions(options) {
  const channel = args.channelOptions(options);
  const callback = (key) => {
    const v = args.field(options, key);
    return args.absent(v) ? null : args.fn(v, `options.${key}`);
  };
  return { channel, onOpen: callback("onOpen"), onClose: callback("onClose") };
}

function call(cb, arg) {
  try {
    cb(arg);
  } catch (e) {
    console.error("xano-realtime: a hook callback threw", e);
  }
}

// Opens `name` for a hook and runs its onOpen; throws when it cannot be opened.
function open(name, hook) {
  if (!settings.configured) throw errors.notConfigured();
  const handle = channelOf(openSlot(name, hook.channel));
  if (hook.onOpen) call(hook.onOpen, handle);
  return handle;
}

function close(name, hook) {
  const slot = slotNamed(name);
  if (slot !== undefined) closeSlot(slot);
  if (hook.onClose) call(hook.onClose, name);
}

// Opens or closes as the core decided; an open that fails is reported on the console.
function act(opens, name, hook, context) {
  if (!opens) return close(name, hook);
  try {
    open(name, hook);
  } catch (e) {
    console.error(`xano-realtime: ${context} could not open channel ${JSON.stringify(name)}: ${e.message}`);
  }
}

function click(action, name, hook, context) {
  const slot = slotNamed(name);
  act(w().xr_click(action, slot !== undefined && slot.local ? 1 : 0) === 1, name, hook, context);
}

// ---- bindOnClick ------------------------------------------------------------------------------

const bindings = [];

function onClick(event) {
  const target = event.currentTarget;
  for (const b of bindings.filter((b) => b.elements.includes(target))) click(b.action, b.name, b.hook, "bindOnClick");
}

function clickTargets(target) {
  if (typeof Element !== "undefined" && target instanceof Element) return [target];
  if (typeof target !== "string") throw errors.wrongType("target", "an Element or a CSS selector string");
  let list;
  try {
    list = document.querySelectorAll(target);
  } catch (_) {
    throw errors.badValue("target", `is not a valid CSS selector: ${JSON.stringify(target)}`);
  }
  if (list.length === 0) throw errors.badValue("target", `selector ${JSON.stringify(target)} matches no element`);
  return Array.from(list);
}

/**
 * Opens, closes or toggles a channel when an element is clicked.
 *
 * `target` is an element, or a CSS selector: every element it matches at the time of the call
 * is bound (elements added later are not; see `bindDeclarative` for that). `options` are the
 * channel's options, with optional `onOpen(channel)` / `onClose(name)` callbacks run after each
 * open or close the click performs. A click whose open fails (e.g. before `configure`) reports
 * the error on the console.
 *
 * Returns the unbind function: it removes the click listeners and releases the elements;
 * calling it again does nothing. It does not close the channel.
 *
 * Throws a TypeError or RangeError naming the argument when `target` is neither an element nor
 * a string, the selector is invalid or matches no element, `action` is not "open", "close" or
 * "toggle", the channel name is not valid, or an option has the wrong type.
 */
export function bindOnClick(target, action, channel, options) {
  ready();
  const a = ACTIONS.indexOf(args.string(action, "action"));
  if (a < 0) throw errors.badValue("action", `must be "open", "close" or "toggle", got ${JSON.stringify(action)}`);
  const name = args.channelName(channel);
  const hook = hookOptions(options);
  const elements = clickTargets(target);
  for (const el of elements) el.addEventListener("click", onClick);
  const binding = { elements, action: a, name, hook };
  bindings.push(binding);
  return args.once(() => {
    bindings.splice(bindings.indexOf(binding), 1);
    for (const el of elements) {
      if (!bindings.some((b) => b.elements.includes(el))) el.removeEventListener("click", onClick);
    }
  });
}

// ---- onPageLoad ---------------------------------------------------------------------------------

let pageListening = false;

function pageEvent(event, context) {
  const words = written(w().xr_page_event(event));
  for (let i = 0; i < words.length; i += 5) {
    const key = words[i + 1];
    act(words[i + 2] === 1, names[key], pageOptions.get(key), context);
  }
}

/**
 * Keeps a channel open while the page is shown: opens it when the document has loaded (at once
 * if it already has, i.e. `document.readyState` is not "loading"), closes it on `pagehide`, and
 * opens it again on a `pageshow` from the back/forward cache (`event.persisted`).
 *
 * `options` are the channel's options, with optional `onOpen(channel)` / `onClose(name)`
 * callbacks run after each open and close, so that listeners can be added again after a reopen.
 * Calling it again for the same channel replaces its options (and opens it if the document has
 * loaded).
 *
 * Throws when an argument is wrong, or when opening at once fails (e.g. before `configure`); a
 * later open that fails reports the error on the console.
 */
export function onPageLoad(channel, options) {
  ready();
  const name = args.channelName(channel);
  const hook = hookOptions(options);
  const key = keyOf(name);
  pageOptions.set(key, hook);
  if (!pageListening) {
    pageListening = true;
    window.addEventListener("pagehide", () => pageEvent(1, "onPageLoad"));
    window.addEventListener("pageshow", (e) => e.persisted && pageEvent(2, "onPageLoad (pageshow)"));
    document.addEventListener("DOMContentLoaded", () => pageEvent(0, "onPageLoad"));
  }
  if (w().xr_page_load(key, document.readyState === "loading" ? 0 : 1) === 1) open(name, hook);
}

// ---- onAppLoad ----------------------------------------------------------------------------------

/**
 * Opens a channel once for the life of the tab (at once, with `options` and its optional
 * `onOpen(channel)` callback). Later calls for the same channel do nothing, even if the app has
 * closed the channel meanwhile: reopen it with `openChannel` then. When the first open fails (it
 * throws, e.g. before `configure`), nothing is recorded and a later call tries again.
 *
 * Throws when an argument is wrong or the channel cannot be opened.
 */
export function onAppLoad(channel, options) {
  ready();
  const name = args.channelName(channel);
  const hook = hookOptions(options);
  const key = keyOf(name);
  if (w().xr_app_load(key) !== 1) return;
  try {
    open(name, hook);
  } catch (e) {
    w().xr_app_failed(key);
    throw e;
  }
}

// ---- declarative bindings -------------------------------------------------------------------

const DECLARATIVE = "[data-realtime-open],[data-realtime-close],[data-realtime-toggle]";
const ATTRIBUTES = [
  ["data-realtime-close", 1],
  ["data-realtime-open", 0],
  ["data-realtime-toggle", 2],
];
const roots = [];
let lastEvent = null;

function onDeclarativeClick(event) {
  const root = event.currentTarget;
  let start = event.target;
  if (start && !(start instanceof Element)) start = start.parentElement;
  const el = start ? start.closest(DECLARATIVE) : null;
  if (el === null || (root !== document && !root.contains(el))) return;
  // Nested roots (or the document and an element inside it) see the same click: act once.
  if (lastEvent === event) return;
  lastEvent = event;
  const has = (attribute) => {
    const v = el.getAttribute(attribute);
    return v !== null && v.toLowerCase() !== "false";
  };
  const hook = {
    channel: { presence: has("data-realtime-presence"), history: has("data-realtime-history"), queue: has("data-realtime-queue") },
    onOpen: null,
    onClose: null,
  };
  for (const [attribute, action] of ATTRIBUTES) {
    const value = el.getAttribute(attribute);
    if (value === null) continue;
    let name;
    try {
      name = args.channelName(value.trim());
    } catch (e) {
      console.error(`xano-realtime: ${attribute} on channel ${JSON.stringify(value.trim())}: ${e.message}`);
      continue;
    }
    click(action, name, hook, attribute);
  }
}

/**
 * Applies declarative bindings for no-code pages: a click on an element inside `root` (default
 * `document`) with `data-realtime-open="NAME"`, `data-realtime-close="NAME"` or
 * `data-realtime-toggle="NAME"` opens, closes or toggles channel NAME. The flags
 * `data-realtime-presence`, `data-realtime-history` and `data-realtime-queue` on the same element
 * set the channel's `presence`, `history` and `queueOfflineActions` (present means true, unless
 * the value is "false").
 *
 * Elements added later, and attributes changed later, work too: one listener on `root` reads
 * the attributes of the clicked element (or its nearest ancestor that has them) at click time.
 * A click on a nested element acts once even when several bound roots contain it.
 *
 * Returns the function that stops it; calling it again does nothing. Throws a TypeError when
 * `root` is neither a Document nor an Element.
 */
export function bindDeclarative(root) {
  ready();
  const target = args.absent(root) ? document : root;
  if (!(target instanceof Document || target instanceof Element)) {
    throw errors.wrongType("root", "a Document or an Element");
  }
  target.addEventListener("click", onDeclarativeClick);
  const entry = { target };
  roots.push(entry);
  return args.once(() => {
    roots.splice(roots.indexOf(entry), 1);
    if (!roots.some((r) => r.target === target)) target.removeEventListener("click", onDeclarativeClick);
  });
}
