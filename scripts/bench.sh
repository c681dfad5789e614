#!/usr/bin/env bash
# Benchmarks this package against the official @xano/js-sdk in headless Chromium (bench/run.mjs).
#   scripts/bench.sh           full run (~10 min): bench/results.json + the table in BENCHMARKS.md
#   scripts/bench.sh --quick   small counts, one round: checks every scenario completes (CI)
#   scripts/bench.sh --only=outbound,crowd [--rounds=N] [--merge]   some scenarios (see run.mjs)
# Builds the release package into its own directory, target/bench-pkg (scripts/build.sh; others
# rebuild pkg/ concurrently, so the benchmark never serves a half-written pkg/), and the release
# server. Environment:
#   BENCH_PKG=DIR   serve an already built package instead (no build)
#   BENCH_REF=REV   build the package from commit REV (git archive into target/bench-src) rather
#                   than from the working tree, which others may be editing
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

if [ -z "${BENCH_PKG:-}" ]; then
  if [ -n "${BENCH_REF:-}" ]; then
    rev=$(git rev-parse --short "$BENCH_REF^{commit}")
    echo "bench: building the release package of commit $rev into target/bench-pkg"
    src="$ROOT/target/bench-src"
    rm -rf "$src" && mkdir -p "$src"
    git archive "$rev" | tar -x -C "$src"
    ln -s "$ROOT/node_modules" "$src/node_modules"
    # Its own cargo target directory, kept between runs (incremental).
    CARGO_TARGET_DIR="$ROOT/target/bench-src-target" "$src/scripts/build.sh" "$ROOT/target/bench-pkg"
    echo "$rev" >"$ROOT/target/bench-pkg/COMMIT"
  else
    echo "bench: building the release package from the working tree into target/bench-pkg (scripts/build.sh)"
    scripts/build.sh target/bench-pkg
    rm -f target/bench-pkg/COMMIT
  fi
  BENCH_PKG="$ROOT/target/bench-pkg"
fi
export BENCH_PKG
echo "bench: building the release server"
cargo build -q --release -p xano-realtime-server
export XANO_RT_SERVER_BIN="$ROOT/target/release/xano-realtime-server"
exec node bench/run.mjs "$@"
