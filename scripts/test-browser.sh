#!/usr/bin/env bash
# Runs the wasm-bindgen browser tests (tests/browser_*.rs) in headless Chromium against a local
# server started here with --admin and tests/server-config.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server.sh
export PATH="$PWD/node_modules/.bin:$PATH"
cargo build -q -p xano-realtime-server
start_server --admin --config tests/server-config.toml
trap stop_server EXIT
echo "browser tests against $SERVER_ADDR"
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT=120
XANO_RT_TEST_SERVER=$SERVER_ADDR wasm-pack test --headless --chrome "$@"
