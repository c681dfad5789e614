// Helpers for end-to-end tests that drive the built package (pkg/) in a page served by the local
// server: a static directory holding the test page and a link to pkg/, and page-side helpers.

import { mkdtempSync, copyFileSync, symlinkSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './support.mjs';

/**
 * A temporary directory to serve with `--static`: `index.html` (the test page) and `pkg/` (a link
 * to the package built by `scripts/build.sh`). Returns {dir, remove()}.
 */
export function clientPageDir() {
  const pkg = path.join(ROOT, 'pkg');
  if (!existsSync(path.join(pkg, 'xano_realtime.js'))) {
    throw new Error('pkg/ is not built: run `scripts/build.sh` first');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'xano-rt-page-'));
  copyFileSync(path.join(ROOT, 'tests/e2e/client-page/index.html'), path.join(dir, 'index.html'));
  symlinkSync(pkg, path.join(dir, 'pkg'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens the test page in `context` and waits until the package is initialised. */
export async function openClientPage(context, server) {
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw new Error(`uncaught error in the page: ${e.message}`);
  });
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => window.rtReady === true);
  return page;
}

/**
 * Configures the client in `page` for the server it was loaded from and opens `channel` as
 * window.ch; window.joined turns true on its presence_full, window.lastPending follows its queue
 * events.
 */
export async function openChannelIn(page, channel, options) {
  await page.evaluate(
    ({ channel, options }) => {
      window.rt.configure({
        instanceBaseUrl: location.origin,
        realtimeConnectionCanonical: 'dev',
        reconnect: { minDelayMs: 100, maxDelayMs: 1000 },
      });
      window.joined = false;
      window.lastPending = undefined;
      window.ch = window.rt.openChannel(channel, options);
      window.ch.on('presence_full', () => {
        window.joined = true;
      });
      window.ch.on('queue', (f) => {
        window.lastPending = f.payload.pending;
      });
    },
    { channel, options },
  );
}

/**
 * Right after joining, a queue channel's sends go through its queue until its first flush is done
 * (the mode is not part of the API): sends `{probe}` messages on window.ch until one is handed to
 * the socket directly ("sent"), waiting after each queued one until the queue is empty again (the
 * fault page's `t.direct` does the same). Resolves with the number of probes sent.
 */
export async function untilSentDirectly(page) {
  for (let probe = 1; ; probe++) {
    const outcome = await page.evaluate((probe) => {
      window.lastPending = undefined;
      return window.ch.message({ probe });
    }, probe);
    if (outcome === 'sent') return probe;
    await page.waitForFunction(() => window.lastPending === 0);
  }
}

/** Sends `count` messages {tag, seq} from `from` on window.ch at once; resolves with the outcomes. */
export function sendMany(page, tag, from, count) {
  return page.evaluate(
    ({ tag, from, count }) =>
      Promise.all(Array.from({ length: count }, (_, i) => window.ch.message({ tag, seq: from + i }))),
    { tag, from, count },
  );
}

/** Sends {tag, seq} on window.ch and waits for the server's echo of it. */
export function roundTrip(page, tag, seq) {
  return page.evaluate(
    ({ tag, seq }) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no echo of ${tag}/${seq}`)), 10_000);
        const off = window.ch.on('message', (f) => {
          if (f.payload && f.payload.tag === tag && f.payload.seq === seq) {
            clearTimeout(timer);
            off();
            resolve(true);
          }
        });
        window.ch.message({ tag, seq }).catch(reject);
      }),
    { tag, seq },
  );
}
