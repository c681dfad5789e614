#!/usr/bin/env bash
# Prints what a browser downloads from the package (scripts/build.sh): the .wasm (after wasm-opt)
# and the JavaScript module (bundled and minified), both gzipped, next to the official SDK's
# bundle. With --check it fails when the total is over the budget (20,000 B): size is
# deterministic, so it is a gate, not a timed test.
#   scripts/size.sh [--check] [PKG_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
BUDGET=20000
check=false
if [ "${1:-}" = "--check" ]; then check=true; shift; fi
PKG=${1:-pkg}
wasm_raw=$(stat -c %s "$PKG/xano_realtime_bg.wasm")
wasm_gz=$(gzip -9c "$PKG/xano_realtime_bg.wasm" | wc -c)
js_raw=$(stat -c %s "$PKG/xano_realtime.js")
js_gz=$(gzip -9c "$PKG/xano_realtime.js" | wc -c)
sdk=node_modules/@xano/js-sdk/dist/xano.min.js
sdk_gz=$( [ -f "$sdk" ] && gzip -9c "$sdk" | wc -c || echo "?")
total=$((wasm_gz + js_gz))
echo "size: .wasm ${wasm_raw} B raw, ${wasm_gz} B gzipped; JS ${js_raw} B minified, ${js_gz} B gzipped; total ${total} B gzipped (budget ${BUDGET} B)"
echo "size: official @xano/js-sdk dist/xano.min.js ${sdk_gz} B gzipped"
if $check && [ "$total" -gt "$BUDGET" ]; then
  echo "size: the package is ${total} B gzipped, over the ${BUDGET} B budget" >&2
  exit 1
fi
