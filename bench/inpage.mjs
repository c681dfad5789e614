// Measurements in one warm page, alternating many times, that BENCHMARKS.md quotes beside the
// table (bench/run.mjs measures fresh pages, which is what users get, but its rounds are few and
// the machine is shared). Each prints medians and every run.
//
//   node bench/inpage.mjs send-loop [rounds]   20,000 authenticated sends: ws.send(JSON.stringify)
//                                               vs ours' message() on a plain and on a queue channel
//   node bench/inpage.mjs outbox [N] [rounds]   N public sends on ours' plain vs queue channel:
//                                               the send loop and until the page had every echo
//   node bench/inpage.mjs floor                 a plain WebSocket in a page sending 10,000 messages:
//                                               at once, or through a window confirmed by echo
//   node bench/inpage.mjs node-floor            the same from Node (the `ws` package): the server's
//                                               side of the floor
//
// Needs the release server and a package: $BENCH_PKG, else target/bench-pkg (scripts/bench.sh).
import path from 'node:path';
import { createRequire } from 'node:module';
import { realpathSync } from 'node:fs';
import { ROOT, launchBrowser, startServer } from '../tests/e2e/support.mjs';

const [mode = 'send-loop', ...rest] = process.argv.slice(2);
const server = await startServer({
  bin: process.env.XANO_RT_SERVER_BIN || path.join(ROOT, 'target/release/xano-realtime-server'),
  admin: true,
  static: [
    path.join(ROOT, 'bench/pages'),
    path.resolve(ROOT, process.env.BENCH_PKG || 'target/bench-pkg'),
    realpathSync(path.join(ROOT, 'node_modules/@xano/js-sdk/dist')),
  ],
});
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const show = (label, runs) => console.log(`${label.padEnd(58)} median ${median(runs).toFixed(0)} ms  (${runs.map((x) => x.toFixed(0)).join(' ')})`);

/** In-page helpers, defined in the page by every mode. */
const PAGE_HELPERS = `
  window.joined = async (names) => {
    for (let i = 0; i < 250; i++) {
      const s = (await (await fetch('/admin/stats')).json()).channels;
      if (names.every((n) => s[n] && s[n].members >= 1)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('not joined: ' + names.join(', '));
  };
  window.counted = async (name, n) => {
    for (;;) {
      const s = (await (await fetch('/admin/stats')).json()).channels;
      if (s[name] && s[name].messages >= n) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
`;

let browser = null;
async function page() {
  browser = browser || (await launchBrowser({ args: ['--js-flags=--expose-gc'] }));
  const p = await browser.newPage();
  await p.goto(`${server.url}/bench.html?client=ours`);
  await p.evaluate(() => window.bench.load({}));
  await p.evaluate(PAGE_HELPERS);
  return p;
}

try {
  if (mode === 'send-loop') {
    const rounds = Number(rest[0] || 12);
    const p = await page();
    const res = await p.evaluate(async (rounds) => {
      const m = await import('/xano_realtime.js');
      const plain = m.openChannel('loop-plain');
      const queue = m.openChannel('loop-queue', { queueOfflineActions: true });
      const ws = new WebSocket(`ws://${location.host}/rt/dev`);
      await new Promise((r) => { ws.onopen = r; });
      ws.send(JSON.stringify({ action: 'join', options: { channel: 'loop-ws' }, payload: {} }));
      await window.joined(['loop-plain', 'loop-queue', 'loop-ws']);
      await new Promise((r) => setTimeout(r, 300));
      const payloads = Array.from({ length: 20000 }, (_, i) => ({ seq: i, pad: 'x'.repeat(140) }));
      const auth = { authenticated: true };
      const variants = {
        'ideal: ws.send(JSON.stringify(frame))': () => {
          for (const p of payloads) ws.send(JSON.stringify({ action: 'message', options: { channel: 'loop-ws', authenticated: true }, payload: p }));
        },
        "ours: message(p, {authenticated}), plain channel": () => { for (const p of payloads) plain.message(p, auth); },
        'ours: the same, queueOfflineActions channel': () => { for (const p of payloads) queue.message(p, auth); },
      };
      const out = {};
      for (let r = 0; r < rounds; r++) {
        for (const [k, fn] of Object.entries(variants)) {
          for (let i = 0; i < 100 && ws.bufferedAmount > 0; i++) await new Promise((res) => setTimeout(res, 20));
          await new Promise((res) => setTimeout(res, 300));
          if (window.gc) window.gc();
          const t0 = performance.now();
          fn();
          (out[k] ||= []).push(performance.now() - t0);
        }
      }
      return out;
    }, rounds);
    console.log(`20,000 authenticated sends in one warm page, ${rounds} alternating rounds:`);
    for (const [k, v] of Object.entries(res)) show(k, v);
  } else if (mode === 'outbox') {
    const n = Number(rest[0] || 4000);
    const rounds = Number(rest[1] || (n > 5000 ? 4 : 10));
    const p = await page();
    const res = await p.evaluate(async ([n, rounds]) => {
      const m = await import('/xano_realtime.js');
      const chans = { plain: m.openChannel('ob-plain'), queue: m.openChannel('ob-queue', { queueOfflineActions: true }) };
      const echoes = { plain: 0, queue: 0 };
      chans.plain.on('message', () => echoes.plain++);
      chans.queue.on('message', () => echoes.queue++);
      await window.joined(['ob-plain', 'ob-queue']);
      await new Promise((r) => setTimeout(r, 300));
      const out = { plain: { loop: [], echo: [] }, queue: { loop: [], echo: [] } };
      for (let r = 0; r < rounds; r++) {
        for (const k of r % 2 ? ['queue', 'plain'] : ['plain', 'queue']) {
          const payloads = Array.from({ length: n }, (_, i) => ({ seq: i, pad: 'x'.repeat(140) }));
          await new Promise((res) => setTimeout(res, 300));
          if (window.gc) window.gc();
          const start = echoes[k];
          const t0 = performance.now();
          for (const p of payloads) chans[k].message(p);
          const t1 = performance.now();
          while (echoes[k] - start < n) await new Promise((res) => setTimeout(res, 2));
          out[k].loop.push(t1 - t0);
          out[k].echo.push(performance.now() - t0);
        }
      }
      return out;
    }, [n, rounds]);
    console.log(`${n} public sends in one warm page, ${rounds} alternating rounds:`);
    for (const [k, v] of Object.entries(res)) {
      show(`ours, ${k} channel: the send loop`, v.loop);
      show(`ours, ${k} channel: until the page had every echo`, v.echo);
    }
  } else if (mode === 'floor') {
    const cases = [
      [10000, 0, false], [10000, 256, false], [10000, 1024, false], [10000, 2048, false], [10000, 0, true],
    ];
    for (const [n, win, auth] of cases) {
      const p = await page();
      const r = await p.evaluate(async ([n, win, auth, ch]) => {
        const ws = new WebSocket(`ws://${location.host}/rt/dev`);
        await new Promise((res) => { ws.onopen = res; });
        ws.send(JSON.stringify({ action: 'join', options: { channel: ch }, payload: {} }));
        await window.joined([ch]);
        let sent = 0;
        let echoes = 0;
        const sendOne = () => ws.send(JSON.stringify({ action: 'message', options: auth ? { channel: ch, authenticated: true } : { channel: ch }, payload: { seq: sent++, text: 'offline' } }));
        ws.onmessage = (e) => {
          if (JSON.parse(e.data).action !== 'message') return;
          echoes++;
          if (win) while (sent < n && sent - echoes < win) sendOne();
        };
        const t0 = performance.now();
        if (win) while (sent < Math.min(win, n)) sendOne();
        else for (let i = 0; i < n; i++) sendOne();
        await window.counted(ch, n);
        const ms = performance.now() - t0;
        ws.close();
        return ms;
      }, [n, win, auth, `floor-${n}-${win}-${auth}`]);
      console.log(`plain WebSocket in a page, ${n} ${auth ? 'authenticated' : 'public'} messages, ${win ? `window ${win} confirmed by echo` : 'all at once'}: counted after ${r.toFixed(0)} ms, ${Math.round((n * 1000) / r)}/s`);
      await p.close();
    }
  } else if (mode === 'node-floor') {
    const WebSocket = createRequire(path.join(ROOT, 'package.json'))('ws');
    for (const win of [256, 1024]) {
      const n = 10000;
      const ch = `node-${win}`;
      const ws = new WebSocket(server.wsUrl);
      await new Promise((r) => ws.on('open', r));
      ws.send(JSON.stringify({ action: 'join', options: { channel: ch }, payload: {} }));
      await new Promise((r) => setTimeout(r, 200));
      let sent = 0;
      let echoes = 0;
      let done;
      const all = new Promise((r) => { done = r; });
      const sendOne = () => ws.send(JSON.stringify({ action: 'message', options: { channel: ch }, payload: { seq: sent++, text: 'offline' } }));
      ws.on('message', (d) => {
        if (JSON.parse(d).action !== 'message') return;
        echoes++;
        while (sent < n && sent - echoes < win) sendOne();
        if (echoes === n) done(performance.now());
      });
      const t0 = performance.now();
      while (sent < win) sendOne();
      const ms = (await all) - t0;
      console.log(`Node client (ws), ${n} public messages, window ${win} confirmed by echo: every echo after ${ms.toFixed(0)} ms, ${Math.round((n * 1000) / ms)}/s`);
      ws.close();
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  if (browser) await browser.close();
  await server.stop();
}
