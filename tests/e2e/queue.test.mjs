// End-to-end tests of the offline queue in headless Chromium with the real IndexedDB, against the
// local server: sends made during an outage survive a reload, and reach the server once each, in
// order, also with two tabs of the same origin flushing the same database.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './support.mjs';
import { clientPageDir, openClientPage, openChannelIn, sendMany, roundTrip, untilSentDirectly } from './client.mjs';

const CONFIG = `
[[channel]]
pattern = "*"
presence = true
history = 1000
anonymous_send = true
`;

let server;
let browser;
let page;

before(async () => {
  page = clientPageDir();
  server = await startServer({ config: CONFIG, static: [page.dir] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  page?.remove();
});

async function outage() {
  await server.admin('refuse?ms=600000');
  await server.admin('drop');
}

async function endOutage() {
  await server.admin('refuse?ms=0');
}

function seqsOf(history, tag) {
  return history.history.filter((f) => f.payload && f.payload.tag === tag).map((f) => f.payload.seq);
}

const range = (from, n) => Array.from({ length: n }, (_, i) => from + i);

test('500 sends during an outage survive a reload and arrive once each, in order', async () => {
  const channel = `reload-${Date.now()}`;
  const context = await browser.newContext();
  const tab = await openClientPage(context, server);
  await openChannelIn(tab, channel, { presence: true, queueOfflineActions: true });
  await tab.waitForFunction(() => window.joined);

  await outage();
  await tab.waitForFunction(() => window.rt.connectionState() === 'reconnecting');
  const outcomes = await sendMany(tab, 'reload', 0, 500);
  assert.ok(outcomes.every((o) => o === 'queued'), 'every send resolves "queued"');
  assert.equal(await tab.evaluate(() => window.ch.pending()), 500);

  await tab.reload();
  await tab.waitForFunction(() => window.rtReady === true);
  await openChannelIn(tab, channel, { presence: true, queueOfflineActions: true });
  assert.equal(await tab.evaluate(() => window.ch.pending()), 500, 'IndexedDB kept all 500 across the reload');
  assert.notEqual(await tab.evaluate(() => window.rt.connectionState()), 'open', 'still in the outage');

  await endOutage();
  await tab.waitForFunction(() => window.joined && window.lastPending === 0, null, { timeout: 20_000 });
  await roundTrip(tab, 'marker', 0);

  const stats = await server.admin('stats');
  assert.equal(stats.channels[channel].messages, 501, '500 queued + the marker, none twice');
  const history = await server.admin(`history?channel=${channel}`);
  assert.deepEqual(seqsOf(history, 'reload'), range(0, 500));

  // A second client joining with history receives all 500, in order, once each.
  const other = await openClientPage(await browser.newContext(), server);
  const received = await other.evaluate(
    (channel) =>
      new Promise((resolve) => {
        window.rt.configure({ instanceBaseUrl: location.origin, realtimeConnectionCanonical: 'dev' });
        const ch = window.rt.openChannel(channel, { history: true });
        ch.on('history', (f) => resolve(f.payload.history.filter((m) => m.payload.tag === 'reload').map((m) => m.payload.seq)));
      }),
    channel,
  );
  assert.deepEqual(received, range(0, 500));
  await context.close();
  await other.context().close();
});

test('two tabs of one origin flush a shared queue without delivering anything twice', async () => {
  const channel = `tabs-${Date.now()}`;
  const context = await browser.newContext();
  const first = await openClientPage(context, server);
  const second = await openClientPage(context, server);
  for (const tab of [first, second]) {
    await openChannelIn(tab, channel, { presence: true, queueOfflineActions: true });
    await tab.waitForFunction(() => window.joined);
  }

  await outage();
  for (const tab of [first, second]) {
    await tab.waitForFunction(() => window.rt.connectionState() === 'reconnecting');
  }
  assert.ok((await sendMany(first, 'first', 0, 300)).every((o) => o === 'queued'));
  assert.ok((await sendMany(second, 'second', 0, 200)).every((o) => o === 'queued'));

  // The first tab reloads during the outage and opens the channel again.
  await first.reload();
  await first.waitForFunction(() => window.rtReady === true);
  await openChannelIn(first, channel, { presence: true, queueOfflineActions: true });
  assert.equal(await first.evaluate(() => window.ch.pending()), 500, 'both tabs share one database');

  await endOutage();
  for (const tab of [first, second]) {
    await tab.waitForFunction(() => window.joined && window.lastPending === 0, null, { timeout: 20_000 });
  }
  await roundTrip(first, 'marker', 1);
  await roundTrip(second, 'marker', 2);

  const stats = await server.admin('stats');
  assert.equal(stats.channels[channel].messages, 502, '500 queued + 2 markers, none twice');
  const history = await server.admin(`history?channel=${channel}`);
  assert.deepEqual(seqsOf(history, 'first'), range(0, 300));
  assert.deepEqual(seqsOf(history, 'second'), range(0, 200));
  await context.close();
});

test('echoes that a server re-serialised (other key order, spaces, \\u escapes) confirm what was sent and what was queued', async () => {
  const channel = `reserialised-${Date.now()}`;
  const context = await browser.newContext();
  // The page's WebSocket hands the client every frame as the same JSON in another text: keys in
  // reverse order at every level, indented, characters beyond ASCII as \u escapes. A client that
  // recognised its echoes by their text alone would never confirm a public message.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    const reorder = (v) => {
      if (Array.isArray(v)) return v.map(reorder);
      if (v === null || typeof v !== 'object') return v;
      return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reorder(v[k])]));
    };
    const escape = (s) => s.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const rewritten = new WeakSet();
    window.reserialised = 0;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (event) => {
          if (rewritten.has(event) || typeof event.data !== 'string') return;
          event.stopImmediatePropagation();
          const again = new MessageEvent('message', { data: escape(JSON.stringify(reorder(JSON.parse(event.data)), null, 1)) });
          rewritten.add(again);
          window.reserialised++;
          this.dispatchEvent(again);
        });
      }
    };
  });
  const tab = await openClientPage(context, server);
  await openChannelIn(tab, channel, { presence: true, queueOfflineActions: true });
  await tab.waitForFunction(() => window.joined);
  // Probes, which the history check below leaves out.
  await untilSentDirectly(tab);
  const send = (tag, count) =>
    tab.evaluate(
      ({ tag, count }) =>
        Promise.all(
          Array.from({ length: count }, (_, seq) =>
            window.ch.message({ tag, seq, text: 'héllo ✓ "quoted"', nested: { a: 1, b: [1.5, { c: 'é' }] } }),
          ),
        ),
      { tag, count },
    );
  const unconfirmed = () => tab.evaluate(() => window.rt.clientStats().unconfirmed);

  assert.ok((await send('direct', 50)).every((o) => o === 'sent'));
  await tab.waitForFunction(() => window.rt.clientStats().unconfirmed === 0, null, { timeout: 10_000 });

  await outage();
  await tab.waitForFunction(() => window.rt.connectionState() === 'reconnecting');
  assert.ok((await send('queued', 50)).every((o) => o === 'queued'));
  await endOutage();
  await tab.waitForFunction(() => window.joined && window.lastPending === 0, null, { timeout: 20_000 });
  assert.equal(await unconfirmed(), 0, 'every flushed message confirmed by its re-serialised echo');
  assert.ok((await tab.evaluate(() => window.reserialised)) >= 100, 'the echoes reached the client re-serialised');

  const history = await server.admin(`history?channel=${channel}`);
  assert.deepEqual(seqsOf(history, 'direct'), range(0, 50));
  assert.deepEqual(seqsOf(history, 'queued'), range(0, 50));
  await context.close();
});
