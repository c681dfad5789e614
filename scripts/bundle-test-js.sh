#!/usr/bin/env bash
# Bundles js/testing.js (the API and `attach`) into target/js-test/xano_realtime.js, the one module
# the browser tests bind (tests/support/api.rs). Run before compiling the tests for wasm32
# (scripts/test.sh and scripts/test-browser.sh do).
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/esbuild js/testing.js --bundle --format=esm --log-level=warning \
  --outfile=target/js-test/xano_realtime.js
