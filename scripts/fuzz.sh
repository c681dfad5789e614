#!/usr/bin/env bash
# Bounded fuzzing (not part of scripts/test.sh): each cargo-fuzz target of fuzz/ for SECONDS
# (default 60) seconds: server_frame seeded with tests/hostile_frames.json, client_inputs (bytes
# read as a sequence of inputs to the client core) with a short session. Needs a nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz`). A crash leaves its input in
# fuzz/artifacts/; tests/core_properties.rs runs the client_inputs driver on stable too.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
mkdir -p fuzz/corpus/server_frame fuzz/corpus/client_inputs
node -e '
  const fs = require("fs");
  const frames = JSON.parse(fs.readFileSync("tests/hostile_frames.json", "utf8")).frames;
  frames.forEach((f, i) => {
    let data;
    if (f.text !== undefined) data = Buffer.from(f.text);
    else if (f.parts) data = Buffer.from(f.parts.map(([s, n]) => s.repeat(n)).join(""));
    else data = Buffer.from(f.binary);
    if (data.length <= 65536) fs.writeFileSync(`fuzz/corpus/server_frame/hostile-${i}`, data);
  });
'
# Seed, then: configure (defaults), open a queue channel and a plain one, the socket opens, one
# action queued, the flush reports, the socket is lost (1006), the reconnect timer fires, offline,
# online, the new socket opens, a channel closes, the token changes (fuzz_targets/client_inputs.rs
# says how bytes are read).
printf '\x07\0\0\0\0\0\0\0\x00\x00\x00\x00\x02\x01\x02\x00\x05\x02\x0e\x04\x11\x04\x01\x00\x01\0\0\0\0\0\0\0\0\x07\x03\x02\x09\x00\x0b\x0c\x05\x01\x04\x07\x01' \
  > fuzz/corpus/client_inputs/session
cd fuzz
for target in server_frame client_inputs; do
  echo "==> fuzzing $target for ${SECONDS_EACH}s"
  cargo +nightly fuzz run -O "$target" "corpus/$target" -- -max_total_time="$SECONDS_EACH" -max_len=65536 2>&1 | grep -E "^#[0-9]+ +DONE|^Done|ERROR|panicked" || true
done
