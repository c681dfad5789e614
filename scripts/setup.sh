#!/usr/bin/env bash
# Idempotent set-up of everything the demo, the tests and the benchmarks need on a fresh machine
# (Debian, root, no network but the package registries). Safe to run again: each step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1

log() { printf '[setup] %s\n' "$*"; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  log "installing Debian chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi

if ! command -v firefox-esr >/dev/null; then
  log "installing Debian firefox-esr (the browser tests run in Firefox too)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends firefox-esr >/dev/null
fi

if ! [ -x "$HOME/.cargo/bin/geckodriver" ]; then
  # The npm package downloads a binary at install time, which fails here; crates.io builds it.
  log "installing geckodriver from crates.io (a few minutes)"
  cargo install -q geckodriver --locked
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  # No --locked: the CLI's own lock file pins a crate the registry no longer serves.
  cargo install -q wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  log "installing wasm-pack $WASM_PACK_VERSION (a few minutes)"
  cargo install -q wasm-pack --version "=$WASM_PACK_VERSION" --locked --force
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/@xano/js-sdk ]; then
  log "installing npm dev dependencies (binaryen, esbuild, playwright-core, @xano/js-sdk, terser)"
  npm ci --no-audit --no-fund --silent
fi
log "done"
