#!/usr/bin/env bash
# The long soak (not part of scripts/test.sh, which runs the short form): 10,000 channel
# open/close cycles and 100,000 frames through the release package in headless Chromium against
# the local server; listener counts, wasm memory and the externref table must come back to where
# they were. Takes a few minutes. Run scripts/test.sh (or scripts/setup.sh) once first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo build -q -p xano-realtime-server
scripts/build.sh
SOAK=long node --test tests/e2e/soak.mjs
