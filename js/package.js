// The package's entry module (bundled into pkg/xano_realtime.js by scripts/build.sh): the public
// API, and `init()`, which loads the wasm core and attaches the shell to it. `init()` may be called
// any number of times; it loads the core once.
//
// The loader is this project's own rather than wasm-bindgen's generated one: the core imports one
// function (the table wasm-bindgen adds for references; scripts/build.sh checks that the .wasm
// imports nothing else) and exports `__wbindgen_start`, so loading it takes a few lines.

import { attach, setLoader } from "./shell/core.js";

export * from "./index.js";

let loading = null;

/**
 * Loads the wasm core: from `xano_realtime_bg.wasm` next to this module by default, or from
 * `{ module_or_path }` (a URL, a Request, a Response, the bytes, or a compiled
 * WebAssembly.Module). Resolves once every other export may be used. A load that failed may be
 * tried again.
 */
export default function init(moduleOrPath) {
  if (loading === null) {
    loading = load(moduleOrPath);
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

async function load(arg) {
  let source = arg !== undefined && Object.getPrototypeOf(arg) === Object.prototype ? arg.module_or_path : arg;
  if (source === undefined) source = new URL("xano_realtime_bg.wasm", import.meta.url);
  if (typeof source === "string" || source instanceof URL || (typeof Request === "function" && source instanceof Request)) {
    source = fetch(source);
  }
  source = await source;
  let exports;
  const imports = {
    "./xano_realtime_bg.js": {
      // What wasm-bindgen's loader does for the references table: its reserved slots.
      __wbindgen_init_externref_table() {
        const table = exports.__wbindgen_externrefs;
        table.set(0, undefined);
        table.set(1024, undefined);
        table.set(1025, null);
        table.set(1026, true);
        table.set(1027, false);
      },
    },
  };
  let result;
  if (typeof Response === "function" && source instanceof Response) {
    if (!source.ok) throw new Error(`xano-realtime: could not fetch the .wasm: ${source.status} ${source.statusText} (${source.url})`);
    try {
      result = await WebAssembly.instantiateStreaming(source, imports);
    } catch (e) {
      // Streaming needs the application/wasm type; served as anything else, read it whole.
      if (source.headers.get("Content-Type") === "application/wasm") throw e;
      console.warn("xano-realtime: the .wasm is not served as application/wasm, so it loads more slowly:", e);
      result = await WebAssembly.instantiate(await source.arrayBuffer(), imports);
    }
  } else {
    result = await WebAssembly.instantiate(source, imports);
  }
  exports = (result instanceof WebAssembly.Instance ? result : result.instance).exports;
  exports.__wbindgen_start();
  attach(exports);
  return exports;
}

setLoader(init);
