#!/usr/bin/env bash
# Benchmarks this package against the official @xano/js-sdk in headless Chromium (bench/run.mjs).
#   scripts/bench.sh           full run (~8 min): bench/results.json + the table in BENCHMARKS.md
#   scripts/bench.sh --quick   small counts, one round: checks every scenario completes (CI)
# Builds the release package (when src/ changed since the last build) and the release server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

wasm=pkg/xano_realtime_bg.wasm
if [ ! -f "$wasm" ] || [ -n "$(find src Cargo.toml Cargo.lock -newer "$wasm" -print -quit)" ]; then
  echo "bench: building the release package (wasm-pack --release)"
  wasm-pack --quiet build --target web --release --out-dir pkg
fi
echo "bench: building the release server"
cargo build -q --release -p xano-realtime-server
export XANO_RT_SERVER_BIN="$PWD/target/release/xano-realtime-server"
exec node bench/run.mjs "$@"
