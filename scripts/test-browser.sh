#!/usr/bin/env bash
# Runs the wasm-bindgen browser tests (tests/browser_*.rs) against a local server started here with
# --admin and tests/server-config.toml, in headless Chromium, or in the browsers given:
#   scripts/test-browser.sh                  Chromium
#   scripts/test-browser.sh chrome firefox   both, one after the other
# Extra arguments after `--` go to cargo test (a test name filter, say).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

browsers=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do browsers+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#browsers[@]} -eq 0 ] && browsers=(chrome)

scripts/bundle-test-js.sh

cargo build -q -p xano-realtime-server
trap stop_server EXIT
export WASM_BINDGEN_TEST_TIMEOUT=120
for browser in "${browsers[@]}"; do
  # A fresh server for each browser: the tests count what the server keeps (history, members).
  stop_server
  start_server --admin --config tests/server-config.toml
  echo "==> browser tests in $browser, against $SERVER_ADDR"
  # The test runner picks the browser by the driver variable that is set: set only this one.
  case "$browser" in
    chrome) driver=(CHROMEDRIVER=/usr/bin/chromedriver) ;;
    firefox) driver=(GECKODRIVER="$HOME/.cargo/bin/geckodriver") ;;
    *) echo "unknown browser $browser" >&2; exit 1 ;;
  esac
  env -u CHROMEDRIVER -u GECKODRIVER "${driver[@]}" XANO_RT_TEST_SERVER="$SERVER_ADDR" \
    wasm-pack test --headless "--$browser" -- --features std "$@"
done
