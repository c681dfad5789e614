#!/usr/bin/env bash
# Bounded fuzzing (not part of scripts/test.sh): each cargo-fuzz target of fuzz/ for SECONDS
# (default 60) seconds, seeded with tests/hostile_frames.json. Needs a nightly toolchain and
# cargo-fuzz (`cargo install cargo-fuzz`). A crash leaves its input in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
mkdir -p fuzz/corpus/server_frame fuzz/corpus/client_strings
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
printf 'https://x8ki-letl-twmt.n7.xano.io\0dev\0tok\0room/1\0peer\0' > fuzz/corpus/client_strings/seed
cd fuzz
for target in server_frame client_strings; do
  echo "==> fuzzing $target for ${SECONDS_EACH}s"
  cargo +nightly fuzz run -O "$target" "corpus/$target" -- -max_total_time="$SECONDS_EACH" -max_len=65536 2>&1 | grep -E "^#[0-9]+ +DONE|^Done|ERROR|panicked" || true
done
