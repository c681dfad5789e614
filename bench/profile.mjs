// CPU profile of one client in one benchmark scenario: top functions by self time.
//   node bench/profile.mjs [ours|sdk|ideal] [channels] [frames]        fake-socket inbound
//   node bench/profile.mjs outbound [ours|sdk|ideal] [plain|public|queue] [sends]
//        the send loop and until the server counted all (plain: authenticated-only sends;
//        public: public sends, echoed; queue: public sends on a queueOfflineActions channel)
//   node bench/profile.mjs fake-outbound [ours|sdk|ideal] [plain|queue] [sends]
//        public sends on a fake socket that echoes each (no network): the send loop and every echo
// Needs the release server and a package: $PKG_DIR, else target/bench-pkg (scripts/bench.sh
// builds both). For readable names, bundle without --minify into a directory of its own, e.g.
//   esbuild js/package.js --bundle --format=esm \
//     --alias:wasm-bindgen-glue=./target/wasm-pkg/target_bench_pkg/xano_realtime.js \
//     --outfile=target/bench-pkg-prof/xano_realtime.js
//   cp target/bench-pkg/xano_realtime_bg.wasm target/bench-pkg-prof/
//   PKG_DIR=target/bench-pkg-prof node bench/profile.mjs outbound ours queue
import path from 'node:path';
import { realpathSync } from 'node:fs';
import { ROOT, launchBrowser, startServer } from '../tests/e2e/support.mjs';

const args = process.argv.slice(2);
const outbound = args[0] === 'outbound';
const fakeOutbound = args[0] === 'fake-outbound';
if (outbound || fakeOutbound) args.shift();
const [client = 'ours'] = args;
const server = await startServer({
  bin: process.env.XANO_RT_SERVER_BIN || path.join(ROOT, 'target/release/xano-realtime-server'),
  static: [
    path.join(ROOT, 'bench/pages'),
    path.resolve(ROOT, process.env.PKG_DIR || process.env.BENCH_PKG || 'target/bench-pkg'),
    realpathSync(path.join(ROOT, 'node_modules/@xano/js-sdk/dist')),
  ],
});
const browser = await launchBrowser({ args: ['--js-flags=--expose-gc'] });

/** Top self times of a CDP profile. */
function report(profile, title) {
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
  console.log(title);
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / total).toFixed(1).padStart(5)} %  ${k}`);
  }
}

try {
  if (fakeOutbound) {
    const [, kind = 'plain', sends = '20000'] = args;
    const arg = { count: Number(sends), bytes: 200, queue: kind === 'queue' };
    for (const round of ['warm', 'prof']) {
      const page = await browser.newPage();
      await page.goto(`${server.url}/bench.html?client=${client}&fake=1`);
      await page.evaluate(() => window.bench.load({}));
      const cdp = await page.context().newCDPSession(page);
      await page.evaluate((a) => window.bench.outboundFakePrepare(a), { ...arg, channel: `${round}-${kind}` });
      if (round === 'prof') {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
        await cdp.send('Profiler.start');
      }
      const r = await page.evaluate((a) => window.bench.outboundFakeRun(a), arg);
      if (round === 'prof') {
        const { profile } = await cdp.send('Profiler.stop');
        report(profile, `${client}, fake echoing socket, ${kind} channel, ${sends} public sends: send loop ${r.sendLoopMs.toFixed(1)} ms, ` +
          `every echo after ${r.ms.toFixed(0)} ms (profiled run)`);
      }
      await page.close();
    }
  } else if (outbound) {
    const [, kind = 'plain', sends = '20000'] = args;
    const arg = {
      count: Number(sends), bytes: 200, timeoutMs: 60000, authenticated: kind === 'plain', queue: kind === 'queue',
    };
    // A warm-up page (JIT), then a fresh one for the profiled run, as the benchmark does.
    for (const round of ['warm', 'prof']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.url}/bench.html?client=${client}`);
      await page.evaluate(() => window.bench.load({}));
      const cdp = await context.newCDPSession(page);
      if (round === 'prof') {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
        await cdp.send('Profiler.start');
      }
      const r = await page.evaluate((a) => window.bench.outbound(a), { ...arg, channel: `${round}-${kind}` });
      if (round === 'prof') {
        const { profile } = await cdp.send('Profiler.stop');
        report(profile, `${client}, outbound ${kind}, ${sends} sends: send loop ${r.sendLoopMs.toFixed(1)} ms, ` +
          `server counted all after ${r.ms.toFixed(0)} ms${r.echoMs ? `, every echo after ${r.echoMs.toFixed(0)} ms` : ''} (profiled run)`);
      }
      await context.close();
    }
  } else {
    const [, channels = '1', frames = '100000'] = args;
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
    report(profile, `${client}, ${channels} channel(s), ${frames} frames: ${r.ms.toFixed(1)} ms (profiled run)`);
  }
} finally {
  await browser.close();
  await server.stop();
}
