// Helpers for the fault, hostile-input, soak and security end-to-end tests that drive the package (pkg/, built by
// `scripts/build.sh`) in headless Chromium: a page served by the local server with
// the package, and the browser-side helpers those tests share.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import path from 'node:path';
import { ROOT, launchBrowser, startServer } from './support.mjs';

/** Directory of the built package. */
export const PKG = path.join(ROOT, process.env.XANO_RT_PKG || 'pkg');

/** Static directories for startServer: the test page, then the package. */
export function pageDirs() {
  if (!existsSync(path.join(PKG, 'xano_realtime.js'))) {
    throw new Error(`${PKG}/xano_realtime.js not found: run \`scripts/build.sh\``);
  }
  return [path.join(ROOT, 'tests/e2e/fault-page'), PKG];
}

/** Starts a server serving the test page and the package. */
export function startPageServer(options = {}) {
  return startServer({ ...options, static: pageDirs() });
}

/**
 * For a test file: starts a server serving the test page (`options` as for startPageServer) and a
 * browser before its tests, hands them to `use(server, browser)`, and stops both after them.
 */
export function pageServerForTests(options, use) {
  let server;
  let browser;
  before(async () => {
    server = await startPageServer(options);
    browser = await launchBrowser();
    use(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

/**
 * Resolves once every thread of process `pid` is stopped (SIGSTOP takes effect asynchronously: on
 * a loaded machine a server thread can still run, and answer, after kill() returned).
 */
export async function allStopped(pid) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const states = readdirSync(`/proc/${pid}/task`).map((t) => {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    });
    if (states.every((s) => s === 'T')) return;
    assert.ok(Date.now() < deadline, `server threads not stopped: ${states.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Opens the test page in a fresh context (or in `context`, beside its other pages); collects page
 * errors and console messages. The page gets `window.t` helpers (see PAGE_HELPERS).
 */
export async function openPage(browser, server, { initScript, context: existing } = {}) {
  const context = existing || (await browser.newContext());
  const page = await context.newPage();
  const errors = [];
  const consoleLines = [];
  page.on('pageerror', (e) => errors.push(String(e && e.stack ? e.stack : e)));
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  if (initScript) await page.addInitScript(initScript);
  await page.addInitScript(PAGE_HELPERS);
  await page.goto(`${server.url}/index.html`);
  await page.evaluate(() => window.ready);
  return { context, page, errors, console: consoleLines };
}

// Browser-side helpers, installed before the page's scripts run.
function PAGE_HELPERS() {
  const t = {};
  // Configures the client for `host` with quick reconnects.
  t.configure = (host, extra = {}) =>
    window.xrt.configure({
      instanceBaseUrl: `http://${host}`,
      realtimeConnectionCanonical: 'dev',
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
      ...extra,
    });
  // Resolves with the first frame of `action` on `ch` accepted by `pred` (a failure guard rejects).
  t.next = (ch, action, pred = () => true, ms = 15000) =>
    new Promise((resolve, reject) => {
      let off = () => {};
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out waiting for ${action} on ${ch.name}`));
      }, ms);
      off = ch.on(action, (f) => {
        if (!pred(f)) return;
        clearTimeout(timer);
        off();
        resolve(f);
      });
    });
  // Right after joining, a queue channel's sends go through its queue until its first flush is
  // done (the mode is not part of the API): sends `{probe}` messages (with `options`) until one is
  // handed to the socket directly ("sent"), waiting after each queued one until the queue is
  // empty again. Resolves with the number of probes sent.
  t.direct = async (ch, options) => {
    for (let probe = 1; ; probe++) {
      const drained = t.next(ch, 'queue', (f) => f.payload.pending === 0);
      if ((await ch.message({ probe }, options)) === 'sent') {
        drained.catch(() => {});
        return probe;
      }
      await drained;
    }
  };
  // Waits until `heard` (the seqs of the echoes received) holds `n` distinct ones, or 30 s, then
  // until the channel's queue is empty; resolves with {firstArrivals, pending}.
  t.drained = async (ch, heard, n) => {
    for (let i = 0; new Set(heard).size < n && i < 600; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    let pending = await ch.pending();
    while (pending !== 0) {
      await t.next(ch, 'queue', () => true, 10_000);
      pending = await ch.pending();
    }
    return { firstArrivals: [...new Set(heard)], pending };
  };
  // Resolves with the detail when the connection state becomes `target`.
  t.state = (target, ms = 15000) =>
    new Promise((resolve, reject) => {
      let off = () => {};
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out waiting for state ${target} (now ${window.xrt.connectionState()})`));
      }, ms);
      off = window.xrt.onConnectionState((state, detail) => {
        if (state !== target) return;
        clearTimeout(timer);
        off();
        resolve(detail);
      });
    });
  t.admin = async (host, endpoint, body) => {
    const isGet = endpoint === 'stats' || endpoint.startsWith('history');
    const res = await fetch(`http://${host}/admin/${endpoint}`, {
      method: isGet ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`/admin/${endpoint}: ${res.status}`);
    return res.json();
  };
  window.t = t;
}

/**
 * A TCP proxy on loopback in front of the server on `port`: it forwards each connection both ways
 * until `blackhole()`, after which every connection open at that moment carries nothing more,
 * either way, and stays open: a network that went quiet (Wi-Fi gone, a NAT that forgot the
 * connection). Connections made afterwards are forwarded again. `host` is '127.0.0.1:PORT'.
 */
export async function blackholeProxy(port) {
  const live = new Set();
  const proxy = net.createServer((client) => {
    const pair = { client, upstream: net.connect(port, '127.0.0.1'), quiet: false };
    live.add(pair);
    const forward = (from, to) => from.on('data', (data) => pair.quiet || to.write(data));
    forward(pair.client, pair.upstream);
    forward(pair.upstream, pair.client);
    const end = () => {
      live.delete(pair);
      pair.client.destroy();
      pair.upstream.destroy();
    };
    for (const side of [pair.client, pair.upstream]) side.on('close', end).on('error', end);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${proxy.address().port}`,
    blackhole() {
      for (const pair of live) pair.quiet = true;
    },
    async stop() {
      for (const pair of live) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

export { launchBrowser };
