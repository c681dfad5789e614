// CPU profile of one client in the fake-socket inbound scenario: top functions by self time.
//   node bench/profile.mjs [ours|sdk|ideal] [channels] [frames]
// Needs the release server (scripts/bench.sh builds it) and pkg/. For names of wasm functions,
// build with `wasm-pack build --profiling --target web --out-dir pkg` first.
import path from 'node:path';
import { realpathSync } from 'node:fs';
import { ROOT, launchBrowser, startServer } from '../tests/e2e/support.mjs';

const [client = 'ours', channels = '1', frames = '100000'] = process.argv.slice(2);
const server = await startServer({
  bin: process.env.XANO_RT_SERVER_BIN || path.join(ROOT, 'target/release/xano-realtime-server'),
  static: [path.join(ROOT, 'bench/pages'), process.env.PKG_DIR || path.join(ROOT, 'pkg'), realpathSync(path.join(ROOT, 'node_modules/@xano/js-sdk/dist'))],
});
const browser = await launchBrowser({ args: ['--js-flags=--expose-gc'] });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/bench.html?client=${client}&fake=1`);
  await page.evaluate(() => window.bench.load({}));
  const arg = { prefix: 'warm', channels: Number(channels), count: Number(frames), bytes: 200, timeoutMs: 60000 };
  await page.evaluate((a) => window.bench.inbound(a), arg); // warm-up (JIT)
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await page.evaluate((a) => window.bench.inboundPrepare({ ...a, prefix: 'prof' }), arg);
  await cdp.send('Profiler.start');
  const r = await page.evaluate((a) => window.bench.inboundRun(a), arg);
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) || 0) + (dt[i] || 0));
    total += dt[i] || 0;
  });
  console.log(`${client}, ${channels} channel(s), ${frames} frames: ${r.ms.toFixed(1)} ms (profiled run)`);
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / total).toFixed(1).padStart(5)} %  ${k}`);
  }
} finally {
  await browser.close();
  await server.stop();
}
