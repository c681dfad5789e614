#!/usr/bin/env bash
# The demo: sets up (idempotently), builds the release wasm package into www/pkg, builds and
# starts the local server with the demo in www/, and prints what to open. Ctrl-C stops it.
# PORT overrides the port (default 8787).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8787}

scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"   # binaryen's wasm-opt, never Debian's

echo "[demo] building the package into www/pkg"
scripts/build.sh www/pkg

echo "[demo] building the server"
cargo build --release -p xano-realtime-server

URL="http://127.0.0.1:$PORT"
cat <<MSG

  xano-realtime demo on $URL

  Open two tabs (or two windows side by side):
    $URL/?user=alice
    $URL/?user=bob
  (carol works too; without ?user= the tab is anonymous.)
  Click Join in both, chat, watch presence and each other's pointers.
  A second tab of the same user shares the first one's connection (the header shows
  leader / follower); ?share=0 gives a tab its own socket.

  Send a product update (a toast in every tab):
    curl -X POST $URL/admin/event -H 'content-type: application/json' \\
         -d '{"channel":"updates","data":{"message":"Version 2.0 is out"}}'

  Simulate an outage: curl -X POST "$URL/admin/refuse?ms=5000" && curl -X POST $URL/admin/drop
  (messages sent meanwhile are queued, then delivered).

  Ctrl-C stops the server.

MSG
exec target/release/xano-realtime-server --listen "127.0.0.1:$PORT" --static www --admin \
  --config www/demo-server.toml
