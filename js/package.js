// The package's entry module (bundled into pkg/xano_realtime.js by scripts/build.sh): the public
// API, and `init()`, which loads the wasm core (wasm-bindgen's loader) and attaches the shell to
// it. `init()` may be called any number of times; it loads the core once.

import loadCore from "wasm-bindgen-glue";
import { attach, setLoader } from "./shell/core.js";

export * from "./index.js";

/**
 * Loads the wasm core: from `xano_realtime_bg.wasm` next to this module by default, or from
 * `{ module_or_path }` (a URL, a Response, or a compiled WebAssembly.Module). Resolves once every
 * other export may be used.
 */
export default async function init(moduleOrPath) {
  const exports = await loadCore(moduleOrPath);
  attach(exports);
  return exports;
}

setLoader(init);
