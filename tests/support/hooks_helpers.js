// Helpers of the lifecycle-hook browser tests: DOM elements to click, synthetic page
// transition events, and counting callbacks.

// Creates an element (default a button) with the given attributes, appends it to `parent`
// (default document.body) and returns it.
export function addElement(attrs, parent, tag) {
  const el = document.createElement(tag || "button");
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  el.textContent = "test";
  (parent || document.body).appendChild(el);
  return el;
}

export function click(el) {
  el.click();
}

export function remove(el) {
  el.remove();
}

// Dispatches a PageTransitionEvent ("pagehide" or "pageshow") on window.
export function pageTransition(type, persisted) {
  window.dispatchEvent(new PageTransitionEvent(type, { persisted }));
}

// A callback that records its arguments: `calls` holds the first argument of each call.
export function counter() {
  const calls = [];
  const fn = (arg) => calls.push(arg);
  return { fn, calls };
}

// Hook options {presence, history, queueOfflineActions, onOpen, onClose}.
export function hookOptions(presence, onOpen, onClose) {
  const o = { presence };
  if (onOpen) o.onOpen = onOpen;
  if (onClose) o.onClose = onClose;
  return o;
}
