#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing (scripts/setup.sh), checks
# formatting and lints, runs the native tests (client core, server), the browser tests in headless
# Chromium and Firefox ESR against the local server, builds the package and checks its size (it
# must stay under 20,000 B gzipped), then the end-to-end tests (Playwright), the soak test's short
# form and the quick benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

step "setup"
scripts/setup.sh

step "format and lints (native and wasm32, with and without std)"
cargo fmt --all -- --check
scripts/bundle-test-js.sh
cargo clippy -q --workspace --all-targets -- -D warnings
cargo clippy -q -p xano-realtime --target wasm32-unknown-unknown -- -D warnings
cargo clippy -q -p xano-realtime --target wasm32-unknown-unknown --features std --all-targets -- -D warnings

step "native tests: client core and server"
cargo test -q --workspace 2>&1 | tee /tmp/xano-rt-native.log | grep -E "^test result|FAILED|panicked" || true
if grep -qE "FAILED|^error" /tmp/xano-rt-native.log; then
  cat /tmp/xano-rt-native.log
  exit 1
fi

step "browser tests (wasm-bindgen-test, headless Chromium and Firefox ESR, local server)"
scripts/test-browser.sh chrome firefox

step "release package and its size"
scripts/build.sh
scripts/size.sh --check
# The demo (www/) loads the same package from www/pkg.
rm -rf www/pkg && cp -r pkg www/pkg

step "end-to-end tests (Playwright, headless Chromium, local server)"
node --test --test-concurrency=1 tests/e2e/

step "soak, short form (the long one: scripts/soak.sh)"
SOAK=short node --test tests/e2e/soak.mjs

step "quick benchmark (bench/run.mjs --quick: every scenario completes, counts right)"
scripts/bench.sh --quick
