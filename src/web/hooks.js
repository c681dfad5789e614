// Small JavaScript helpers of the lifecycle hooks.

// A function that calls `f` the first time it is called and does nothing after that.
export function once(f) {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    f();
  };
}

// Calls the app's hook callback `cb(arg)`; an exception it throws is reported, not propagated,
// so that one faulty callback cannot stop a click or a page event from being handled.
export function callHook(cb, arg) {
  try {
    cb(arg);
  } catch (e) {
    console.error("xano-realtime: a hook callback threw", e);
  }
}
