#!/usr/bin/env bash
# Builds the npm package into pkg/ (or the directory given): the wasm core (wasm-pack, release,
# without the standard library) and the JavaScript shell and API (js/), bundled with wasm-bindgen's
# loader into one ES module, xano_realtime.js, by esbuild. The typings are js/xano_realtime.d.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
OUT=${1:-pkg}

# The core's stack: Rust's default for wasm32 is 1 MiB of linear memory reserved up front. The
# core never recurses and takes only numbers (frames, names and payloads stay in JavaScript), so
# 16 KiB is plenty, and stack, data and the first allocations fit in the first 64 KiB page. (The
# browser tests, debug builds with std, keep the default.)
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C link-arg=-zstack-size=16384"
# wasm-pack's output goes to a directory of this build's own, so builds into different OUTs
# may run at the same time.
WASM_OUT="target/wasm-pkg/$(echo "$OUT" | tr -c 'A-Za-z0-9_\n' _)"
wasm-pack --quiet build --target web --release --out-dir "$WASM_OUT" --out-name xano_realtime
# The package loads the .wasm with a loader of its own (js/package.js), which provides the one
# import wasm-bindgen's output has: a .wasm that imports anything else fails the build here rather
# than in a user's browser.
node -e '
  const fs = require("fs");
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(fs.readFileSync(process.argv[1])));
  const known = [{ module: "./xano_realtime_bg.js", name: "__wbindgen_init_externref_table", kind: "function" }];
  if (JSON.stringify(imports) !== JSON.stringify(known)) {
    throw new Error(`scripts/build.sh: the .wasm imports ${JSON.stringify(imports)}; js/package.js provides ${JSON.stringify(known)}`);
  }
' "$WASM_OUT/xano_realtime_bg.wasm"
rm -rf "$OUT" && mkdir -p "$OUT"
esbuild js/package.js --bundle --format=esm --minify --legal-comments=none --log-level=warning \
  --outfile="$OUT/xano_realtime.js"
cp "$WASM_OUT/xano_realtime_bg.wasm" js/xano_realtime.d.ts LICENSE "$OUT/"
node -e '
  const fs = require("fs");
  const cargo = fs.readFileSync("Cargo.toml", "utf8");
  const get = (k) => cargo.match(new RegExp(`^${k} = "([^"]*)"`, "m"))[1];
  const pkg = {
    name: get("name"),
    version: get("version"),
    description: get("description"),
    license: get("license"),
    repository: { type: "git", url: get("repository") },
    keywords: ["xano", "realtime", "websocket", "wasm"],
    type: "module",
    main: "xano_realtime.js",
    module: "xano_realtime.js",
    types: "xano_realtime.d.ts",
    files: ["xano_realtime.js", "xano_realtime_bg.wasm", "xano_realtime.d.ts", "LICENSE", "README.md"],
    sideEffects: false,
  };
  fs.writeFileSync(process.argv[1] + "/package.json", JSON.stringify(pkg, null, 2) + "\n");
  fs.copyFileSync("README.md", process.argv[1] + "/README.md");
' "$OUT"
