#!/usr/bin/env bash
# Prints what the browser downloads: the .wasm (after wasm-opt) and the JS glue (minified), gzipped,
# next to the official SDK's bundle. Run after `wasm-pack build --target web --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
PKG=${1:-pkg}
wasm_raw=$(stat -c %s "$PKG/xano_realtime_bg.wasm")
wasm_gz=$(gzip -9c "$PKG/xano_realtime_bg.wasm" | wc -c)
js_gz=$(cat "$PKG/xano_realtime.js" $(find "$PKG/snippets" -name '*.js') | terser -c -m --module 2>/dev/null | gzip -9 | wc -c)
sdk=node_modules/@xano/js-sdk/dist/xano.min.js
sdk_gz=$( [ -f "$sdk" ] && gzip -9c "$sdk" | wc -c || echo "?")
total=$((wasm_gz + js_gz))
echo "size: .wasm ${wasm_raw} B raw, ${wasm_gz} B gzipped; JS glue minified ${js_gz} B gzipped; total ${total} B gzipped"
echo "size: official @xano/js-sdk dist/xano.min.js ${sdk_gz} B gzipped"
