// Benchmarks: this package against the official @xano/js-sdk, side by side, in headless Chromium
// against the local release server. Run through scripts/bench.sh (which builds what is needed):
//
//   scripts/bench.sh           full run (~10 min): writes bench/results.json and the table in BENCHMARKS.md
//   scripts/bench.sh --quick   small counts, one round: checks every scenario completes with the right
//                              counts (not how fast), writes nothing, prints "N passed, M failed"
//   scripts/bench.sh --only=ID,ID [--rounds=N]   some scenarios; writes bench/results.json.tmp only
//   scripts/bench.sh --only=ID,ID --merge        run them again (a disturbed result) and replace
//                              theirs in bench/results.json and the table (marked "rerun")
//   … --merge-base=FILE        the same into FILE (e.g. a full run with a failed scenario, which
//                              wrote bench/results.json.tmp); written to bench/results.json once
//                              no scenario is missing
//
// The package served is $BENCH_PKG (scripts/bench.sh builds it into target/bench-pkg: its own
// directory, since others rebuild pkg/ while the benchmark runs).
//
// Clients run alternately (ours, sdk[, ideal], then sdk, ideal, ours, ...), each run in a fresh browser
// context; the table shows medians and the ratio SDK/ours (higher = we are better).
// The page half is bench/pages/harness.js. Every wait is bounded.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH, ROOT, launchBrowser, startServer } from '../tests/e2e/support.mjs';

const QUICK = process.argv.includes('--quick');
const ROUNDS_ARG = process.argv.find((a) => a.startsWith('--rounds='));
const MERGE_BASE = (process.argv.find((a) => a.startsWith('--merge-base=')) || '').slice(13);
const MERGE = process.argv.includes('--merge') || MERGE_BASE !== '';
const ONLY = (process.argv.find((a) => a.startsWith('--only=')) || '').slice(7).split(',').filter(Boolean);

const P = QUICK
  ? {
      rounds: 1, blast: 500, fakeFrames: 500, sends: 200, publicSends: 200, offlineSends: 200, offlineBatches: 4,
      offlineGapMs: 50, queueSends: 200, outages: [500], cycles: 50, settleMs: 1500,
      reconnectRounds: 1, memoryRounds: 1, crowdTabs: 4, crowdRounds: 1, crowdDrops: 1, outboundRounds: 1,
      shareTabs: [1, 4], shareRounds: 1, probes: 5,
    }
  : {
      rounds: 3, blast: 20_000, fakeFrames: 100_000, sends: 20_000, publicSends: 4_000, offlineSends: 10_000,
      offlineBatches: 20, offlineGapMs: 100, queueSends: 10_000, outages: [500, 2000, 5000], cycles: 5000,
      settleMs: 3000, reconnectRounds: 6, memoryRounds: 2, crowdTabs: 16, crowdRounds: 2, crowdDrops: 2,
      outboundRounds: 5, shareTabs: [1, 4, 16], shareRounds: 3, probes: 50,
    };
if (ROUNDS_ARG) P.rounds = P.outboundRounds = Number(ROUNDS_ARG.slice(9));
const CYCLES_ARG = process.argv.find((a) => a.startsWith('--cycles='));
if (CYCLES_ARG) P.cycles = Number(CYCLES_ARG.slice(9));
// The fake-socket rows are short: more rounds (at least 5; --rounds=N raises it).
const FAKE_ROUNDS = QUICK ? 1 : Math.max(5, P.rounds);
const BYTES = 200;
const SERVER_BIN = process.env.XANO_RT_SERVER_BIN || path.join(ROOT, 'target/release/xano-realtime-server');
const PKG = path.resolve(ROOT, process.env.BENCH_PKG || 'target/bench-pkg');
if (process.argv.includes('--table-only')) {
  // Rewrites BENCHMARKS.md's table from bench/results.json, without measuring.
  writeTable(JSON.parse(readFileSync(path.join(ROOT, 'bench/results.json'), 'utf8')));
  console.log('rewrote the table in BENCHMARKS.md from bench/results.json');
  process.exit(0);
}

if (!existsSync(path.join(PKG, 'xano_realtime_bg.wasm')) || !existsSync(path.join(PKG, 'xano_realtime.js'))) {
  console.error(`bench: no package in ${PKG}: run scripts/bench.sh (it builds one with scripts/build.sh target/bench-pkg)`);
  process.exit(2);
}

const PKG_COMMIT = existsSync(path.join(PKG, 'COMMIT')) ? readFileSync(path.join(PKG, 'COMMIT'), 'utf8').trim() : null;
const log = (...a) => console.log(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function timeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}
function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
/** gzip -9 bytes, with the gzip of scripts/size.sh, so that both print the same figures. */
const gzipSize = (data) => execFileSync('gzip', ['-9c'], { input: data, maxBuffer: 1 << 26 }).length;
/** The p-th percentile (0..100) of `values`, interpolated linearly between the closest ranks. */
function percentile(values, p) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const x = (p / 100) * (v.length - 1);
  const lo = Math.floor(x);
  const hi = Math.ceil(x);
  return v[lo] + (v[hi] - v[lo]) * (x - lo);
}
function check(ok, message) {
  if (!ok) throw new Error(`check failed: ${message}`);
}

// ---- server, browser, pages -------------------------------------------------------------------
const server = await startServer({
  bin: SERVER_BIN,
  admin: true,
  static: [
    path.join(ROOT, 'bench/pages'),
    PKG,
    realpathSync(path.join(ROOT, 'node_modules/@xano/js-sdk/dist')),
  ],
});
const browser = await launchBrowser({ args: ['--js-flags=--expose-gc'] });
let runId = 0;
const uid = () => `${Date.now().toString(36)}${(runId++).toString(36)}`;

/**
 * A fresh context and page with `client` loaded and configured. Resolves { page, errors, close },
 * `errors` collecting the page's uncaught errors and console errors.
 */
async function openPage(client, { fake = false, config = {} } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Failed handshakes during an outage are logged by the browser itself: expected, not errors.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^WebSocket connection to .* failed/.test(m.text())) errors.push(m.text());
  });
  const close = () => context.close().catch(() => {});
  try {
    await page.goto(`${server.url}/bench.html?client=${client}&fake=${fake ? 1 : 0}`);
    await call(page, 'load', config, 20_000);
  } catch (e) {
    await close();
    throw e;
  }
  return { page, errors, close };
}

/**
 * The same page in a Chromium of its own, started without a DevTools connection and driven over
 * HTTP (harness.js, &rpc=PORT). Playwright's DevTools session reports every WebSocket frame to
 * this process, which here triples what a frame costs the browser: the rows measured this way
 * are what a user's browser does. `errors` collects the page's uncaught errors (not its console).
 */
async function openDirectPage(client, { config = {} } = {}) {
  const calls = [];
  let taker = null; // the page's pending GET /next
  let replyTo = null;
  const errors = [];
  const hand = () => {
    if (taker === null || calls.length === 0) return;
    taker.setHeader('Content-Type', 'application/json');
    taker.end(JSON.stringify(calls.shift()));
    taker = null;
  };
  const rpc = http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      if (req.url === '/next') {
        taker = res;
        hand();
        return;
      }
      if (req.url === '/reply' && replyTo !== null) replyTo(JSON.parse(body));
      else if (req.url === '/error') errors.push(body);
      res.end();
    });
  });
  await new Promise((resolve) => rpc.listen(0, '127.0.0.1', resolve));
  const profile = mkdtempSync(path.join(os.tmpdir(), 'xano-rt-bench-'));
  const url = `${server.url}/bench.html?client=${client}&fake=0&rpc=${rpc.address().port}`;
  const child = spawn(CHROMIUM_PATH, [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, url], { stdio: 'ignore', detached: true });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const page = {
    direct: true,
    call(method, arg) {
      return new Promise((resolve, reject) => {
        replyTo = (r) => {
          replyTo = null;
          if ('error' in r) reject(new Error(r.error));
          else resolve(r.value);
        };
        calls.push({ method, arg });
        hand();
      });
    },
  };
  const close = async () => {
    calls.push({ method: null });
    hand();
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch (_) {
      // already gone
    }
    await exited;
    rpc.closeAllConnections();
    rpc.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    await call(page, 'load', config, 30_000);
  } catch (e) {
    await close();
    throw e;
  }
  return { page, errors, close };
}

/**
 * A fresh context and page with `client` loaded and configured; closed after `fn`. With
 * `direct: true`, a page without DevTools (openDirectPage).
 */
async function withPage(client, options, fn) {
  const { page, errors, close } = await (options.direct ? openDirectPage(client, options) : openPage(client, options));
  try {
    const result = await fn(page);
    check(errors.length === 0, `page errors (${client}): ${errors.join(' | ')}`);
    return result;
  } finally {
    await close();
  }
}

/** window.bench[method](arg) in the page, bounded by `ms` on this side too. */
function call(page, method, arg, ms) {
  const result = page.direct ? page.call(method, arg) : page.evaluate(([m, a]) => window.bench[m](a), [method, arg]);
  return timeout(result, ms, `page ${method}`);
}

/**
 * Runs `fn(client, round)` for each client in turn, `rounds` times, the order rotated each round
 * (A B C, B C A, C A B, ...) so that no client always runs first or after the same one.
 */
async function alternate(clients, rounds, fn) {
  const runs = Object.fromEntries(clients.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    const k = r % clients.length;
    for (const c of clients.slice(k).concat(clients.slice(0, k))) runs[c].push(await fn(c, r));
  }
  return runs;
}

// ---- scenarios ------------------------------------------------------------------------------
// Each returns { rows: [{ label, unit, better, ours, sdk, ideal?, runs, note? }] }, where ours/sdk
// are medians; `better` says which way is good ('lower' times, 'higher' counts).

async function inbound({ fake, channels }) {
  const count = fake ? P.fakeFrames : P.blast;
  const clients = ['ours', 'sdk', 'ideal'];
  const rounds = fake ? FAKE_ROUNDS : P.rounds;
  const runs = await alternate(clients, rounds, (client) => withPage(client, { fake }, async (page) => {
    const r = await call(page, 'inbound', {
      prefix: `in-${uid()}`, channels, count, bytes: BYTES, timeoutMs: QUICK ? 20_000 : 60_000,
    }, QUICK ? 40_000 : 90_000);
    check(r.received === count && r.lastSeq === count - 1, `${client}: received ${r.received}/${count}, last seq ${r.lastSeq}`);
    return r.ms;
  }));
  const what = fake ? `fake socket, ${count.toLocaleString('en')} frames` : `server blast, ${count.toLocaleString('en')} × ~${BYTES} B`;
  return {
    rows: [{
      label: `Inbound, ${what}, ${channels} channel${channels > 1 ? 's' : ''} open`,
      unit: 'ms', better: 'lower', runs,
    }],
  };
}

/**
 * Outbound: `count` message() calls in one loop, then until the server counted them all.
 * `authenticated`: not echoed to the (anonymous) sender; public ones are, and on a
 * `queueOfflineActions` channel ours keeps each one in its outbox until that echo (and an
 * authenticated one until a later echo or the socket's end). Public runs send P.publicSends
 * (4,000): below the server's 4,096-frame queue per socket, so that their echoes cannot overflow
 * it (a 1013 close) however slowly a loaded machine lets the page read them.
 */
async function outbound({ queue = false, authenticated = true } = {}) {
  const count = authenticated ? P.sends : P.publicSends;
  const clients = queue ? ['ours', 'sdk'] : ['ours', 'sdk', 'ideal'];
  const loop = Object.fromEntries(clients.map((c) => [c, []]));
  const echo = Object.fromEntries(clients.map((c) => [c, []]));
  const runs = await alternate(clients, P.outboundRounds, (client) => withPage(client, {}, async (page) => {
    const channel = `out-${uid()}`;
    const r = await call(page, 'outbound', {
      channel, count, bytes: BYTES, timeoutMs: QUICK ? 20_000 : 60_000, authenticated, queue,
    }, QUICK ? 40_000 : 90_000);
    const stats = await server.admin('stats');
    check(stats.channels[channel].messages === count && r.rejected === 0,
      `${client}: server counted ${stats.channels[channel].messages}/${count}, ${r.rejected} rejected`);
    if (client === 'ours') check(r.outcomes.sent === count, `ours: outcomes ${JSON.stringify(r.outcomes)}`);
    if (!authenticated) check(r.echoes === count, `${client}: ${r.echoes}/${count} echoes`);
    loop[client].push(r.sendLoopMs);
    echo[client].push(r.echoMs);
    return r.ms;
  }));
  const n = count.toLocaleString('en');
  const kind = authenticated ? 'authenticated-only' : 'public';
  const what = queue
    ? `queueOfflineActions channel, ${n} ${kind} sends of ~${BYTES} B (ours keeps each until ${authenticated ? 'confirmed' : 'its echo'})`
    : `${n} ${kind} sends of ~${BYTES} B`;
  const rows = [
    { label: `Outbound, ${what}: until the server counted all`, unit: 'ms', better: 'lower', runs },
    { label: `Outbound, ${what}: the send loop alone (the client's own work)`, unit: 'ms', better: 'lower', runs: loop },
  ];
  if (!authenticated) rows.push({ label: `Outbound, ${what}: until the page had every echo`, unit: 'ms', better: 'lower', runs: echo });
  return { rows };
}

/**
 * Outbound with the network taken out: `P.sends` public sends on a fake socket that answers each
 * with its echo in a later task (harness.js outboundFake). The client's own cost to send, and on
 * a `queueOfflineActions` channel ours' to keep each message until its echo confirms it, without
 * the browser's per-frame cost that dominates the real-socket rows.
 */
async function outboundFake({ queue }) {
  const count = P.sends;
  const clients = queue ? ['ours', 'sdk'] : ['ours', 'sdk', 'ideal'];
  const loop = Object.fromEntries(clients.map((c) => [c, []]));
  const runs = await alternate(clients, FAKE_ROUNDS, (client) => withPage(client, { fake: true }, async (page) => {
    const r = await call(page, 'outboundFake', { channel: `outf-${uid()}`, count, bytes: BYTES, queue }, 60_000);
    check(r.echoes === count, `${client}: ${r.echoes}/${count} echoes`);
    if (client === 'ours') check(r.outcomes.sent === count, `ours: outcomes ${JSON.stringify(r.outcomes)} ${JSON.stringify(r.client)}`);
    loop[client].push(r.sendLoopMs);
    return r.ms;
  }));
  const n = count.toLocaleString('en');
  const what = queue
    ? `fake echoing socket, queueOfflineActions channel, ${n} public sends of ~${BYTES} B (ours keeps each until its echo)`
    : `fake echoing socket, ${n} public sends of ~${BYTES} B`;
  return {
    rows: [
      { label: `Outbound, ${what}: the send loop alone`, unit: 'ms', better: 'lower', runs: loop },
      { label: `Outbound, ${what}: until the listener had every echo`, unit: 'ms', better: 'lower', runs },
    ],
  };
}

/** Polls the server after the outage ended at `tEnd` until all `count` arrived or nothing moves. */
async function watchDelivery(channel, count, tEnd, { quietMs, limitMs }) {
  let delivered = 0;
  let tLast = null;
  let tJoined = null;
  const deadline = tEnd + limitMs;
  for (;;) {
    const stats = await server.admin('stats');
    const ch = stats.channels[channel] || { members: 0, messages: 0 };
    const now = Date.now();
    if (ch.members >= 1 && tJoined === null) tJoined = now;
    if (ch.messages > delivered) {
      delivered = ch.messages;
      tLast = now;
    }
    if (delivered >= count) break;
    if (tJoined !== null && now - Math.max(tJoined, tLast ?? 0) > quietMs) break;
    if (now > deadline) break;
    await sleep(20);
  }
  return {
    delivered,
    ms: tLast === null ? null : tLast - tEnd,
    rejoinMs: tJoined === null ? null : tJoined - tEnd,
  };
}

async function offline({ reload }) {
  const count = P.offlineSends;
  const runs = { ours: [], sdk: [] };
  const detail = { ours: [], sdk: [] };
  for (let r = 0; r < P.rounds; r++) {
    for (const client of ['ours', 'sdk']) {
      const db = `bench-${uid()}`;
      const channel = `off-${uid()}`;
      const res = await withPage(client, { config: { queueDatabase: db } }, async (page) => {
        await call(page, 'openAndJoin', { channel, queue: true }, 15_000);
        await call(page, 'startOutage', {}, 15_000);
        const sent = await call(page, 'sendDuringOutage', {
          count, batches: P.offlineBatches, gapMs: P.offlineGapMs, timeoutMs: 60_000,
        }, 90_000);
        if (reload) {
          await timeout(page.reload(), 20_000, 'reload');
          await call(page, 'load', { queueDatabase: db }, 20_000);
          await call(page, 'openAndJoin', { channel, queue: true, wait: false }, 15_000);
          await sleep(500);
        }
        const tEnd = Date.now();
        await server.admin('refuse?ms=0');
        const seen = await watchDelivery(channel, count, tEnd, {
          quietMs: P.settleMs, limitMs: QUICK ? 30_000 : 60_000,
        });
        return { ...seen, outcomes: sent.outcomes, sendMs: sent.ms };
      });
      if (client === 'ours') {
        // Our promise: nothing is lost, with or without a reload.
        check(res.delivered === count && res.outcomes.queued === count,
          `ours${reload ? ' (reload)' : ''}: delivered ${res.delivered}/${count}, outcomes ${JSON.stringify(res.outcomes)}`);
      }
      runs[client].push(res.delivered);
      detail[client].push(res);
    }
  }
  const label = `Offline, ${count.toLocaleString('en')} sends during an outage${reload ? ', page reloaded mid-outage' : ''}`;
  return {
    rows: [
      { label: `${label}: delivered`, unit: 'messages', better: 'higher', runs },
      {
        label: `${label}: time from the end of the outage to the last delivery`, unit: 'ms', better: 'lower', perDelivered: true,
        runs: { ours: detail.ours.map((d) => d.ms), sdk: detail.sdk.map((d) => d.ms) },
      },
      {
        label: `${label}: of which waiting to reconnect (end of outage to joined again)`, unit: 'ms', better: 'lower',
        runs: { ours: detail.ours.map((d) => d.rejoinMs), sdk: detail.sdk.map((d) => d.rejoinMs) },
      },
    ],
    detail,
  };
}

/**
 * Ours only: persist a burst of queued sends, then flush it after the outage. `direct`: in pages
 * without DevTools (openDirectPage), the rows labelled so.
 */
async function queuePersistFlush({ direct = false } = {}) {
  const count = P.queueSends;
  const out = { persist: [], flush: [], drained: [], rejoin: [], ideal: [] };
  for (let r = 0; r < P.rounds; r++) {
    // The floor, alternating with ours: a plain WebSocket in a page sending `count` public
    // messages with at most ours' WINDOW (js/shell/queue.js, 1,024) of them unconfirmed by their
    // echo (no storage, no reconnect).
    out.ideal.push(await withPage('ideal', { direct }, async (page) => {
      const channel = `window-${uid()}`;
      const res = await call(page, 'windowedSends', { channel, count, bytes: 32, window: 1024, timeoutMs: 60_000 }, 90_000);
      check(res.counted >= count, `ideal windowed sends: ${res.counted}/${count}`);
      return res.ms;
    }));
    const db = `bench-${uid()}`;
    const channel = `queue-${uid()}`;
    await withPage('ours', { direct, config: { queueDatabase: db } }, async (page) => {
      await call(page, 'openAndJoin', { channel, queue: true }, 15_000);
      await call(page, 'startOutage', {}, 15_000);
      const sent = await call(page, 'sendDuringOutage', { count, batches: 1, gapMs: 0, timeoutMs: 60_000 }, 90_000);
      check(sent.outcomes.queued === count, `persist: ${JSON.stringify(sent.outcomes)}`);
      const tEnd = Date.now();
      await server.admin('refuse?ms=0');
      const seen = await watchDelivery(channel, count, tEnd, { quietMs: P.settleMs, limitMs: 60_000 });
      const tAll = tEnd + seen.ms;
      check(seen.delivered === count, `flush: delivered ${seen.delivered}/${count}`);
      // The `queue` event saying 0 pending follows the last echo (and the store's deletes).
      let connected;
      let drained;
      for (const until = Date.now() + 5000; ;) {
        const { statusLog, queueLog } = await call(page, 'queueState', null, 5000);
        connected = statusLog.find(([t, s]) => s === 'connected' && t >= tEnd);
        check(connected, 'flush: no connected status after the outage');
        drained = queueLog.find(([t, pending]) => pending === 0 && t >= connected[0]);
        if (drained || Date.now() > until) break;
        await sleep(50);
      }
      out.persist.push(sent.ms);
      out.rejoin.push(connected[0] - tEnd);
      out.flush.push(tAll - connected[0]);
      out.drained.push(drained ? drained[0] - connected[0] : null);
    });
  }
  const n = count.toLocaleString('en');
  const Queue = direct ? 'Queue (ours only), Chromium without DevTools' : 'Queue (ours only)';
  return {
    rows: [
      { label: `${Queue}: persist ${n} sends to IndexedDB, until every message() resolved "queued"`, unit: 'ms', better: 'lower', runs: { ours: out.persist } },
      { label: `${Queue}: flush ${n} queued sends, from reconnect until the server counted all`, unit: 'ms', better: 'lower', runs: { ours: out.flush } },
      { label: `${Queue}: flush ${n}, from reconnect until the queue reported 0 pending`, unit: 'ms', better: 'lower', runs: { ours: out.drained } },
      {
        label: `${Queue}: flush rate, ${n} queued messages reaching the server after the reconnect (target ≥ 10,000/s)`,
        unit: 'msg/s', better: 'higher',
        runs: {
          ours: out.flush.map((ms) => (ms > 0 ? (count * 1000) / ms : null)),
          ideal: out.ideal.map((ms) => (ms > 0 ? (count * 1000) / ms : null)),
        },
      },
    ],
  };
}

async function reconnect() {
  const rows = [];
  for (const outageMs of P.outages) {
    const connected = { ours: [], sdk: [] };
    const runs = await alternate(['ours', 'sdk'], P.reconnectRounds, (client) => withPage(client, {}, async (page) => {
      await call(page, 'openAndJoin', { channel: `rc-${uid()}` }, 15_000);
      const r = await call(page, 'reconnectRoundTrip', { outageMs, timeoutMs: 70_000 }, 90_000);
      connected[client].push(r.connectedMs);
      return r.ms;
    }));
    const what = `Reconnect after a ${outageMs / 1000} s outage (default settings)`;
    rows.push(
      { label: `${what}: end of outage to joined again`, unit: 'ms', better: 'lower', runs: connected },
      { label: `${what}: end of outage to a message round trip`, unit: 'ms', better: 'lower', runs },
    );
  }
  return { rows };
}

/**
 * The crowd: `crowdTabs` pages (one browser context each) on one channel, dropped at once by
 * /admin/drop (no refusal: each comes back at its first attempt), `crowdDrops` times per set of
 * pages (each drop once all are back). Per drop: the median time from the drop to each page's
 * `connected`, and the 10th–90th percentile spread of those times.
 */
async function crowd() {
  const tabs = P.crowdTabs;
  const spread = { ours: [], sdk: [] };
  const runs = { ours: [], sdk: [] };
  const detail = { ours: [], sdk: [] };
  for (let r = 0; r < P.crowdRounds; r++) {
    for (const client of ['ours', 'sdk']) {
      const channel = `crowd-${uid()}`;
      const pages = [];
      try {
        for (let i = 0; i < tabs; i++) {
          const p = await openPage(client);
          pages.push(p);
          await call(p.page, 'openAndJoin', { channel, wait: false }, 15_000);
        }
        for (let d = 0; d < P.crowdDrops; d++) {
          const deadline = Date.now() + 20_000;
          while (((await server.admin('stats')).channels[channel]?.members ?? 0) < tabs) {
            check(Date.now() < deadline, `crowd (${client}): ${tabs} tabs joined`);
            await sleep(50);
          }
          await sleep(500);
          const tDrop = Date.now();
          await server.admin('drop');
          const back = await Promise.all(pages.map(async ({ page }) => {
            const until = Date.now() + 30_000;
            for (;;) {
              const t = await call(page, 'reconnectedSince', tDrop, 5000);
              if (t !== null) return t - tDrop;
              check(Date.now() < until, `crowd (${client}): a tab connected again within 30 s of the drop`);
              await sleep(50);
            }
          }));
          const p10 = percentile(back, 10);
          const p90 = percentile(back, 90);
          spread[client].push(p90 - p10);
          runs[client].push(percentile(back, 50));
          detail[client].push({ back: back.sort((a, b) => a - b), p10, p50: percentile(back, 50), p90 });
        }
        for (const p of pages) check(p.errors.length === 0, `page errors (${client}): ${p.errors.join(' | ')}`);
      } finally {
        await Promise.all(pages.map((p) => p.close()));
      }
    }
  }
  const what = `Crowd: ${tabs} tabs dropped at once (/admin/drop)`;
  return {
    rows: [
      { label: `${what}: median time from the drop to connected again`, unit: 'ms', better: 'lower', runs },
      {
        label: `${what}: 10th–90th percentile spread of their reconnect times (wanted for ours ≥ 200 ms)`,
        unit: 'ms', better: 'higher', runs: spread, noRatio: true,
      },
    ],
    detail,
  };
}

/** `n` pages of one browser context (tabs of one browser), each with `client` loaded. */
async function openTabs(client, n, config) {
  const context = await browser.newContext();
  const tabs = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/bench.html?client=${client}&fake=0`);
    await call(page, 'load', config, 20_000);
    tabs.push({ page, errors });
  }
  return { tabs, close: () => context.close().catch(() => {}) };
}

async function untilStats(pred, what, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await server.admin('stats');
    if (pred(s)) return s;
    check(Date.now() < deadline, what);
    await sleep(50);
  }
}

/**
 * One connection per browser (`shareConnection`): server connections for 1, 4 and 16 tabs of one
 * browser (ours shared, ours unshared, the SDK); how long the other tabs wait when the leader's
 * tab closes; and what a follower's message round trip costs over the leader's.
 */
async function share() {
  const rows = [];
  const variants = [
    ['ours, shared', 'ours', { share: true }],
    ['ours, not shared', 'ours', {}],
    ['official SDK', 'sdk', {}],
  ];
  for (const n of P.shareTabs) {
    const runs = {};
    for (const [label, client, config] of variants) {
      const channel = `share-${uid()}`;
      const { tabs, close } = await openTabs(client, n, config);
      try {
        for (const { page } of tabs) await call(page, 'openAndJoin', { channel, wait: false }, 15_000);
        const s = await untilStats((s) => (s.channels[channel]?.members ?? 0) >= 1 && s.connections >= (client === 'ours' && config.share ? 1 : n), `share: ${n} ${label} tabs connected`);
        await sleep(300);
        runs[label] = [(await server.admin('stats')).connections];
        void s;
      } finally {
        await close();
      }
      await untilStats((s) => s.connections === 0, 'share: all tabs gone');
    }
    const tabsLabel = `${n} tab${n === 1 ? '' : 's'} of one browser`;
    rows.push({
      label: `Shared connection: server connections for ${tabsLabel}, ours with shareConnection`,
      unit: 'count', better: 'lower', runs: { ours: runs['ours, shared'], sdk: runs['official SDK'] },
    });
    rows.push({
      label: `Shared connection: server connections for ${tabsLabel}, ours without it (the default)`,
      unit: 'count', better: 'lower', runs: { ours: runs['ours, not shared'], sdk: runs['official SDK'] },
    });
  }
  // Handover: 4 shared tabs, the leader's tab closes; time until every other tab is connected again.
  const handover = [];
  const leaderTrip = [];
  const followerTrip = [];
  for (let r = 0; r < P.shareRounds; r++) {
    const channel = `handover-${uid()}`;
    const { tabs, close } = await openTabs('ours', 4, { share: true });
    try {
      for (const { page } of tabs) await call(page, 'openAndJoin', { channel, wait: false }, 15_000);
      await untilStats((s) => s.channels[channel]?.members === 1, 'handover: the channel joined once');
      const roles = await Promise.all(tabs.map(({ page }) => call(page, 'sharedRole', null, 5000)));
      const leader = tabs[roles.indexOf('leader')];
      const follower = tabs[roles.indexOf('follower')];
      check(leader && follower, `handover: roles ${roles.join()}`);
      for (let i = 0; i < P.probes; i++) {
        leaderTrip.push(await call(leader.page, 'roundTrip', { timeoutMs: 5000 }, 10_000));
        followerTrip.push(await call(follower.page, 'roundTrip', { timeoutMs: 5000 }, 10_000));
      }
      const rest = tabs.filter((t) => t !== leader);
      const t0 = Date.now();
      await leader.page.close();
      const back = await Promise.all(rest.map(async ({ page }) => {
        const until = Date.now() + 30_000;
        for (;;) {
          const t = await call(page, 'reconnectedSince', t0, 5000);
          if (t !== null) return t - t0;
          check(Date.now() < until, 'handover: a tab connected again within 30 s');
          await sleep(20);
        }
      }));
      handover.push(Math.max(...back));
      for (const t of rest) check(t.errors.length === 0, `handover page errors: ${t.errors.join(' | ')}`);
    } finally {
      await close();
    }
  }
  rows.push({
    label: 'Shared connection: handover, the leader tab closed: until the 3 other tabs are connected again (ours only)',
    unit: 'ms', better: 'lower', runs: { ours: handover },
  });
  rows.push({
    label: `Shared connection: message round trip (send to own echo) from the leader tab (ours only, median of ${P.probes})`,
    unit: 'ms', better: 'lower', runs: { ours: [median(leaderTrip)] },
  });
  rows.push({
    label: `Shared connection: message round trip from a follower tab (ours only; the extra over the leader's is the BroadcastChannel both ways)`,
    unit: 'ms', better: 'lower', runs: { ours: [median(followerTrip)] },
  });
  return { rows };
}

/**
 * What a browser downloads: the figures scripts/size.sh prints (`gzip -9c FILE | wc -c`, which
 * counts the file name gzip stores in its header), checked against our own gzip of the contents.
 */
async function size() {
  const printed = execFileSync('bash', [path.join(ROOT, 'scripts/size.sh'), PKG], { encoding: 'utf8' });
  const figure = (re) => Number((re.exec(printed) || [])[1]);
  const wasmGz = figure(/\.wasm \d+ B raw, (\d+) B gzipped/);
  const jsGz = figure(/JS \d+ B minified, (\d+) B gzipped/);
  const total = figure(/total (\d+) B gzipped/);
  const sdkGz = figure(/xano\.min\.js (\d+) B gzipped/);
  check(wasmGz > 0 && jsGz > 0 && sdkGz > 0 && total === wasmGz + jsGz, `scripts/size.sh printed: ${printed}`);
  // The same bytes, gzipped from a pipe (no name in the header): within a name's length of the above.
  const wasm = readFileSync(path.join(PKG, 'xano_realtime_bg.wasm'));
  const js = readFileSync(path.join(PKG, 'xano_realtime.js'));
  const piped = gzipSize(wasm) + gzipSize(js);
  check(Math.abs(total - piped) <= 64, `scripts/size.sh says ${total} B, a piped gzip ${piped} B`);
  return {
    rows: [{
      label: `Size, gzipped (scripts/size.sh): .wasm ${wasmGz} B + JS module (esbuild --minify) ${jsGz} B; SDK dist/xano.min.js`,
      unit: 'B', better: 'lower', runs: { ours: [total], sdk: [sdkGz] },
    }],
    detail: { wasmRaw: wasm.length, wasmGz, jsRaw: js.length, jsGz, sdkGz, sizeSh: printed.trim() },
  };
}

async function memory() {
  const cycles = P.cycles;
  const detail = { ours: [], sdk: [] };
  const runs = await alternate(['ours', 'sdk'], P.memoryRounds, (client) => withPage(client, {}, async (page) => {
    const cdp = await page.context().newCDPSession(page);
    const anchor = `anchor-${uid()}`;
    const channel = `cycle-${uid()}`;
    await call(page, 'openAndJoin', { channel: anchor }, 15_000);
    const measure = async () => {
      for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
      const heap = await cdp.send('Runtime.getHeapUsage');
      const wasm = await call(page, 'wasmBytes', null, 5000);
      return { js: heap.usedSize, wasm, total: heap.usedSize + wasm };
    };
    await sleep(200);
    const before = await measure();
    const r = await call(page, 'cycles', { channel, cycles, timeoutMs: 120_000 }, 150_000);
    await sleep(500);
    const after = await measure();
    const stats = await server.admin('stats');
    check((stats.channels[anchor]?.members ?? 0) === 1, `${client}: anchor channel still joined`);
    if (client === 'ours') check((stats.channels[channel]?.members ?? 0) === 0, 'ours: cycled channel left');
    const d = { before, after, growth: after.total - before.total, ms: r.ms };
    detail[client].push(d);
    await cdp.detach().catch(() => {});
    return d;
  }));
  const pick = (f) => Object.fromEntries(Object.entries(runs).map(([c, v]) => [c, v.map(f)]));
  const n = cycles.toLocaleString('en');
  return {
    rows: [
      { label: `Memory after ${n} open/close cycles: JS heap + wasm memory, total`, unit: 'B', better: 'lower', runs: pick((d) => d.after.total) },
      { label: `Memory: growth over ${n} cycles (JS heap + wasm)`, unit: 'B', better: 'lower', runs: pick((d) => d.growth), noRatio: true },
      { label: `Memory: JS heap after ${n} cycles`, unit: 'B', better: 'lower', runs: pick((d) => d.after.js) },
      {
        label: `Memory: wasm memory before / after ${n} cycles`, unit: 'B', better: 'lower', runs: pick((d) => d.after.wasm), noRatio: true,
        cells: Object.fromEntries(Object.keys(runs).map((c) => [c, `${fmt(median(runs[c].map((d) => d.before.wasm)), 'B')} / ${fmt(median(runs[c].map((d) => d.after.wasm)), 'B')}`])),
      },
    ],
    detail,
  };
}

// ---- running, reporting ---------------------------------------------------------------------
const SCENARIOS = [
  ['inbound-real-1', 'inbound throughput, server blast, 1 channel', () => inbound({ fake: false, channels: 1 })],
  ['inbound-real-100', 'inbound throughput, server blast, 100 channels', () => inbound({ fake: false, channels: 100 })],
  ['inbound-fake-1', 'inbound throughput, fake socket, 1 channel', () => inbound({ fake: true, channels: 1 })],
  ['inbound-fake-100', 'inbound throughput, fake socket, 100 channels', () => inbound({ fake: true, channels: 100 })],
  ['outbound', 'outbound throughput, plain channel, authenticated-only sends', () => outbound({ authenticated: true })],
  ['outbound-queue', 'outbound throughput, queueOfflineActions channel, authenticated-only sends', () => outbound({ queue: true, authenticated: true })],
  ['outbound-public', 'outbound throughput, plain channel, public sends', () => outbound({ authenticated: false })],
  ['outbound-queue-public', 'outbound throughput, queueOfflineActions channel, public sends', () => outbound({ queue: true, authenticated: false })],
  ['outbound-fake', 'outbound, fake echoing socket, plain channel, public sends', () => outboundFake({ queue: false })],
  ['outbound-fake-queue', 'outbound, fake echoing socket, queueOfflineActions channel, public sends', () => outboundFake({ queue: true })],
  ['offline', 'offline sends', () => offline({ reload: false })],
  ['offline-reload', 'offline sends with a reload', () => offline({ reload: true })],
  ['queue', 'offline queue persist and flush (ours)', () => queuePersistFlush()],
  ['queue-direct', 'offline queue persist and flush (ours), Chromium without DevTools', () => queuePersistFlush({ direct: true })],
  ['reconnect', 'reconnect', reconnect],
  ['crowd', 'a crowd of tabs dropped at once', crowd],
  ['share', 'one connection per browser: connections, handover, follower latency', share],
  ['size', 'size', size],
  ['memory', 'memory', memory],
];

function fmt(v, unit) {
  if (v === null || v === undefined) return '—';
  if (unit === 'B') {
    if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)} MB`;
    if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)} KB`;
    return `${Math.round(v).toLocaleString('en')} B`;
  }
  if (unit === 'ms') return v >= 100 ? `${Math.round(v).toLocaleString('en')} ms` : `${v.toFixed(1)} ms`;
  if (unit === 'msg/s') return `${Math.round(v).toLocaleString('en')}/s`;
  return Math.round(v).toLocaleString('en');
}
function ratioOf(row) {
  if (row.noRatio) return null;
  const o = row.ours;
  const s = row.sdk;
  if (o === null || o === undefined || s === null || s === undefined) return null;
  if (row.better === 'lower') return o > 0 ? s / o : null;
  return s > 0 ? o / s : null;
}
function summarize(row) {
  for (const c of ['ours', 'sdk', 'ideal']) if (row.runs[c]) row[c] = median(row.runs[c]);
  row.ratio = ratioOf(row);
  return row;
}
function ratioText(row) {
  if (row.ratio === null) {
    if (row.better === 'higher' && row.sdk === 0 && row.ours > 0) return 'SDK 0';
    return '—';
  }
  return `${row.ratio.toFixed(2)}`;
}

const results = {
  date: new Date().toISOString(),
  quick: QUICK,
  command: QUICK ? 'scripts/bench.sh --quick' : 'scripts/bench.sh',
  machine: {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model?.trim(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadavgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  },
  versions: {
    browser: `Chromium ${browser.version()} (headless)`,
    node: process.version,
    sdk: JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@xano/js-sdk/package.json'), 'utf8')).version,
    ours: JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8')).version,
    rustc: (() => { try { return execFileSync('rustc', ['--version'], { encoding: 'utf8' }).trim(); } catch { return null; } })(),
    // scripts/bench.sh with BENCH_REF builds a commit and leaves its id in the package directory.
    commit: PKG_COMMIT || (() => { try { return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { return null; } })(),
    // Otherwise the package is built from the working tree: say so when it differs from the commit.
    uncommitted: PKG_COMMIT ? [] : (() => {
      try {
        const st = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'js', 'src', 'Cargo.toml', '.cargo'], { encoding: 'utf8' });
        return st.split('\n').filter(Boolean).map((l) => l.slice(3));
      } catch { return null; }
    })(),
  },
  params: { ...P, fakeRounds: FAKE_ROUNDS, bytes: BYTES },
  scenarios: [],
};

let passed = 0;
let failed = 0;
const started = Date.now();
try {
  for (const [id, title, fn] of SCENARIOS) {
    if (ONLY.length && !ONLY.includes(id)) continue;
    const t0 = Date.now();
    const loadBefore = Number(os.loadavg()[0].toFixed(2));
    try {
      const out = await timeout(fn(), QUICK ? 90_000 : 300_000, `scenario ${id}`);
      out.rows.forEach(summarize);
      const load = [loadBefore, Number(os.loadavg()[0].toFixed(2))];
      results.scenarios.push({ id, title, ...out, seconds: (Date.now() - t0) / 1000, loadavg1: load });
      passed++;
      for (const row of out.rows) {
        const cols = ['ours', 'sdk', 'ideal'].filter((c) => row.runs[c]).map((c) => `${c} ${fmt(row[c], row.unit)}`);
        log(`  ${row.label}: ${cols.join(', ')}${row.ratio !== null ? `, SDK/ours ${row.ratio.toFixed(2)}` : ''}`);
      }
      log(`ok   ${id} (${((Date.now() - t0) / 1000).toFixed(1)} s, 1-min load average ${load.join(' → ')})`);
    } catch (e) {
      failed++;
      results.scenarios.push({ id, title, error: String(e?.stack || e) });
      log(`FAIL ${id} (${((Date.now() - t0) / 1000).toFixed(1)} s): ${e?.stack || e}`);
    }
  }
} finally {
  await browser.close().catch(() => {});
  await server.stop();
}
results.seconds = (Date.now() - started) / 1000;
results.machine.loadavgAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));

if (!QUICK && !ONLY.length && failed === 0) {
  const file = path.join(ROOT, 'bench/results.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  writeTable(results);
  log('wrote bench/results.json and the table in BENCHMARKS.md');
} else if (!QUICK && MERGE && failed === 0) {
  // Scenarios run again (a disturbed result): they replace theirs in bench/results.json.
  const file = path.join(ROOT, 'bench/results.json');
  const old = JSON.parse(readFileSync(MERGE_BASE ? path.resolve(MERGE_BASE) : file, 'utf8'));
  for (const sc of results.scenarios) {
    sc.rerun = {
      date: results.date, loadavgAtStart: results.machine.loadavgAtStart, loadavg1: sc.loadavg1,
      commit: results.versions.commit, rounds: ROUNDS_ARG ? Number(ROUNDS_ARG.slice(9)) : null,
    };
    const i = old.scenarios.findIndex((o) => o.id === sc.id);
    if (i >= 0) old.scenarios[i] = sc;
    else old.scenarios.push(sc);
  }
  const order = SCENARIOS.map(([id]) => id);
  old.scenarios.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const missing = order.filter((id) => !old.scenarios.some((sc) => sc.id === id && !sc.error));
  writeFileSync(`${file}.tmp`, `${JSON.stringify(old, null, 2)}\n`);
  if (missing.length) {
    log(`merged, but ${missing.join(', ')} still failed or missing: wrote bench/results.json.tmp only`);
  } else {
    renameSync(`${file}.tmp`, file);
    writeTable(old);
    log(`merged ${results.scenarios.map((sc) => sc.id).join(', ')} into bench/results.json and rewrote the table`);
  }
} else if (!QUICK) {
  // A partial or failed run leaves the committed results and table alone.
  writeFileSync(path.join(ROOT, 'bench/results.json.tmp'), `${JSON.stringify(results, null, 2)}\n`);
  log('partial or failed run: wrote bench/results.json.tmp only');
}
log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

/** Rewrites the generated part of BENCHMARKS.md's "## Client vs official SDK" section. */
function writeTable(res) {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const BEGIN = '<!-- bench:begin (generated by scripts/bench.sh; edits here are overwritten) -->';
  const END = '<!-- bench:end -->';
  const lines = [];
  lines.push(BEGIN);
  lines.push('');
  lines.push(`Run ${res.date.slice(0, 10)} with \`${res.command}\` (${Math.round(res.seconds)} s): ${res.machine.cores} cores (${res.machine.cpu}), ` +
    `load average (1 / 5 / 15 min) at start ${res.machine.loadavgAtStart.join(' / ')}` +
    `${res.machine.loadavgAtEnd ? `, at end ${res.machine.loadavgAtEnd.join(' / ')}` : ''}; ${res.versions.browser}; Node ${res.versions.node}; ` +
    `official \`@xano/js-sdk\` ${res.versions.sdk}; xano-realtime ${res.versions.ours} (commit ${res.versions.commit}${res.versions.uncommitted?.length ? ` + uncommitted changes to ${res.versions.uncommitted.join(', ')}` : ''}, ${res.versions.rustc}); ` +
    `local release server on loopback. Medians of ${res.params.rounds} alternating rounds (fake-socket rows ${res.params.fakeRounds}, reconnect ${res.params.reconnectRounds}, crowd ${(res.params.crowdRounds ?? 1) * (res.params.crowdDrops ?? 1)} drops of ${res.params.crowdTabs ?? '—'} tabs, outbound ${res.params.outboundRounds ?? res.params.rounds}, memory ${res.params.memoryRounds}); ` +
    'ratio = SDK / ours for times and sizes, ours / SDK for delivered counts: **above 1 we are ahead**. ' +
    'The ideal router (JSON.parse + a Map from channel to listeners, no reconnect, no queue) is the floor for any client.');
  lines.push('');
  lines.push('| scenario | ours | official SDK | ideal router | ratio |');
  lines.push('|---|---|---|---|---|');
  for (const sc of res.scenarios) {
    if (sc.error) {
      lines.push(`| ${sc.title} | failed | | | |`);
      continue;
    }
    // Where the clients delivered different counts, their times are not comparable.
    const delivered = sc.rows.find((r) => r.unit === 'messages');
    const unequal = delivered && delivered.sdk !== delivered.ours;
    for (const row of sc.rows) {
      const rerun = sc.rerun
        ? ` (rerun ${sc.rerun.date.slice(11, 16)} UTC${sc.rerun.rounds ? `, ${sc.rerun.rounds} rounds` : ''}, load ${(sc.rerun.loadavg1 || sc.rerun.loadavgAtStart).join(' → ')})`
        : '';
      const cell = (c) => {
        if (!row.runs[c]) return c === 'sdk' ? 'n/a' : '';
        if (row.cells) return row.cells[c];
        const v = fmt(row[c], row.unit);
        if (unequal && perDelivered && c === 'sdk') return delivered.sdk ? `${v} (for ${fmt(delivered.sdk)})` : '—';
        return v;
      };
      const perDelivered = row.perDelivered ?? /last delivery/.test(row.label);
      const ratio = unequal && perDelivered ? '—' : ratioText(row);
      lines.push(`| ${row.label}${rerun} | ${cell('ours')} | ${cell('sdk')} | ${cell('ideal')} | ${ratio} |`);
    }
  }
  lines.push('');
  const loads = res.scenarios.filter((sc) => sc.loadavg1).map((sc) => `${sc.id} ${sc.loadavg1.join(' → ')}${sc.rerun ? ' (rerun)' : ''}`);
  if (loads.length) {
    lines.push(`1-minute load average at the start → end of each scenario (2 cores, shared): ${loads.join('; ')}.`);
    lines.push('');
  }
  lines.push('Every run\'s numbers: `bench/results.json`.');
  lines.push('');
  lines.push(END);
  const generated = lines.join('\n');
  let text = readFileSync(file, 'utf8');
  const b = text.indexOf(BEGIN.slice(0, 16));
  const e = text.indexOf(END);
  if (b >= 0 && e > b) {
    text = text.slice(0, b) + generated + text.slice(e + END.length);
  } else {
    const heading = '## Client vs official SDK';
    const h = text.indexOf(heading);
    if (h >= 0) {
      const after = text.indexOf('\n', h) + 1;
      text = `${text.slice(0, after)}\n${generated}\n${text.slice(after)}`;
    } else {
      text = `${text.trimEnd()}\n\n${heading}\n\n${generated}\n`;
    }
  }
  writeFileSync(file, text);
}
