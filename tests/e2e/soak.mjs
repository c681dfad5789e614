// Soak: many open/close cycles and many frames through this project's client (pkg/) against the
// local server; afterwards the client's listener and channel counts are back where they started
// and wasm memory and the externref table stopped growing (no leaked closures or JS values).
//
//   node --test tests/e2e/soak.mjs                 SOAK=short (default, run by scripts/test.sh):
//                                                  1,000 cycles, 10,000 frames
//   scripts/soak.sh                                SOAK=long: 10,000 cycles, 100,000 frames
//
// Not named *.test.mjs, so that `node --test tests/e2e/` does not run it a second time.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, startPageServer } from './fault-support.mjs';

const LONG = process.env.SOAK === 'long';
const CYCLES = LONG ? 10_000 : 1_000;
const FRAMES = LONG ? 100_000 : 10_000;

let server;
let browser;

before(async () => {
  server = await startPageServer();
  // gc(): Channel objects are freed by a FinalizationRegistry when the page's garbage collector
  // collects them; collecting now and then keeps the peak of uncollected garbage (which would
  // grow wasm memory without being a leak) the same from round to round.
  browser = await launchBrowser({ args: ['--js-flags=--expose-gc'] });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test(`soak: ${CYCLES} open/close cycles and ${FRAMES} frames leave no leak`, { timeout: LONG ? 900_000 : 120_000 }, async () => {
  const { page, errors, context } = await openPage(browser, server);
  const r = await page.evaluate(async ({ host, CYCLES, FRAMES }) => {
    const { xrt, t, wasm } = window;
    const collect = async () => {
      window.gc();
      // Finalizers run in later tasks.
      for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
    };
    const measure = () => {
      const s = xrt.clientStats();
      return {
        memory: wasm.memory.buffer.byteLength,
        externrefs: wasm.__wbindgen_externrefs ? wasm.__wbindgen_externrefs.length : 0,
        listeners: s.listeners,
        channels: s.channels,
      };
    };
    t.configure(host);
    const noop = () => {};
    // One round: `n` cycles. Every 100th closes the last channel (the socket closes and a new one
    // opens, waited for); the others open and close channels on a live socket with listeners.
    const round = async (n) => {
      const anchor = xrt.openChannel('soak/anchor', {});
      await t.next(anchor, 'connection_status', (f) => f.payload.status === 'connected');
      for (let i = 0; i < n; i++) {
        const name = `soak/${i % 16}`;
        const ch = xrt.openChannel(name, { presence: i % 2 === 0, history: i % 3 === 0 });
        const off = ch.on('message', noop);
        ch.on('*', noop);
        ch.on('connection_status', noop);
        off();
        if (i % 4 === 0) ch.off('*', noop);
        xrt.closeChannel(name);
        if (i % 500 === 499) await collect();
        if (i % 100 === 99) {
          xrt.closeChannel('soak/anchor');
          const again = xrt.openChannel('soak/anchor', {});
          await t.next(again, 'connection_status', (f) => f.payload.status === 'connected');
        }
      }
      // Frames: a blast from the server, every one delivered to a listener.
      const blast = xrt.openChannel('soak/blast', { presence: true });
      await t.next(blast, 'presence_full');
      const count = FRAMES / 2;
      let got = 0;
      const all = new Promise((resolve) => {
        const off = blast.on('message', () => {
          got += 1;
          if (got === count) {
            off();
            resolve();
          }
        });
      });
      await t.admin(host, 'blast', { channel: 'soak/blast', count, bytes: 100 });
      await all;
      xrt.closeChannel('soak/blast');
      xrt.closeChannel('soak/anchor');
      await collect();
      return got;
    };
    const start = measure();
    // Warm-up: the allocator and the tables reach their working size.
    await round(200);
    const warm = measure();
    const got1 = await round(CYCLES / 2);
    const mid = measure();
    const got2 = await round(CYCLES / 2);
    const end = measure();
    return { start, warm, mid, end, got: got1 + got2, state: xrt.connectionState() };
  }, { host: server.host, CYCLES, FRAMES });
  console.log(`soak: ${JSON.stringify(r)}`);
  assert.equal(r.got, FRAMES);
  assert.equal(r.state, 'idle');
  assert.equal(r.end.channels, 0);
  assert.equal(r.end.listeners, r.start.listeners, 'listener count back to its start');
  assert.equal(r.mid.listeners, r.start.listeners);
  assert.equal(r.mid.memory, r.warm.memory, 'wasm memory did not grow');
  assert.equal(r.end.memory, r.warm.memory, 'wasm memory did not grow');
  assert.equal(r.end.externrefs, r.warm.externrefs, 'externref table did not grow');
  assert.deepEqual(errors, []);
  await context.close();
});
