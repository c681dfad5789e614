// Fault tests of this project's client (pkg/) in headless Chromium against the local server's
// admin endpoints: every close code of PROTOCOL.md, an outage in the middle of a queue flush, a
// tab killed in the middle of one, a page reloaded right after a burst of sends, the server
// restarted (same port) in the middle of a blast, 100 channels rejoined after a reconnect, and
// the queue's storage failing (the site's data cleared under the page, a store that keeps failing),
// a network that drops and comes back 20 times during a flush; and, marked todo, a tab killed right
// after sending while the server is frozen (a gap not closed).
//
//   cargo build -p xano-realtime-server && scripts/build.sh
//   node --test tests/e2e/faults.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allStopped, openPage, pageServerForTests, startPageServer } from './fault-support.mjs';

const CONFIG = `
[[channel]]
pattern = "flush/*"
history = 1000
anonymous_send = true

[[channel]]
pattern = "*"
anonymous_send = true
`;

let server;
let browser;
pageServerForTests({ config: CONFIG }, (s, b) => {
  server = s;
  browser = b;
});

test('every close code of PROTOCOL.md: reconnect and rejoin, or stop (1000, 1008)', async () => {
  const { page, errors, context } = await openPage(browser, server);
  const results = await page.evaluate(async (host) => {
    const { xrt, t } = window;
    t.configure(host);
    const out = [];
    for (const code of [1006, 1011, 1012, 1013, 1014, 4000, 4001, 1000, 1008]) {
      const ch = xrt.openChannel(`codes/${code}`, { presence: true });
      await t.next(ch, 'presence_full');
      const sockets = xrt.clientStats().socketsOpened;
      const statuses = [];
      ch.on('connection_status', (f) => statuses.push(f.payload.status));
      const retry = code === 1000 || code === 1008 ? null : t.state('reconnecting');
      const disconnected = t.next(ch, 'connection_status', (f) => f.payload.status === 'disconnected');
      const rejoined = retry && t.next(ch, 'presence_full');
      if (code === 1006) await t.admin(host, 'drop');
      else await t.admin(host, `close?code=${code}`);
      await disconnected;
      if (retry) {
        const detail = await retry;
        await rejoined;
        const stats = await t.admin(host, 'stats');
        out.push({
          code,
          detailCode: detail.code,
          state: xrt.connectionState(),
          members: stats.channels[`codes/${code}`].members,
          statuses,
          newSockets: xrt.clientStats().socketsOpened - sockets,
        });
      } else {
        // The decision is made when the close arrives: no timer, no new socket.
        out.push({ code, state: xrt.connectionState(), statuses, newSockets: xrt.clientStats().socketsOpened - sockets });
      }
      ch.close();
    }
    return out;
  }, server.host);
  for (const r of results) {
    if (r.code === 1000 || r.code === 1008) {
      assert.equal(r.state, 'idle', `${r.code}`);
      assert.equal(r.newSockets, 0, `${r.code}`);
      assert.deepEqual(r.statuses, ['disconnected'], `${r.code}`);
    } else {
      assert.equal(r.detailCode, r.code, `${r.code}`);
      assert.equal(r.state, 'open', `${r.code}`);
      assert.equal(r.members, 1, `${r.code}: rejoined once`);
      assert.equal(r.newSockets, 1, `${r.code}: one new socket`);
      assert.deepEqual(r.statuses, ['disconnected', 'connected'], `${r.code}`);
    }
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('an outage in the middle of a queue flush loses nothing, keeps the order, and sends again only what was in flight', async () => {
  const { page, errors, context } = await openPage(browser, server);
  const N = 2000;
  const r = await page.evaluate(async ({ host, N }) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database: `flush-${Math.random()}` } });
    const ch = xrt.openChannel('flush/1', { queueOfflineActions: true });
    // Every message comes back to its sender (public): the page sees what the server processed,
    // in the order it did.
    const seen = [];
    const distinct = new Set();
    ch.on('message', (f) => {
      seen.push(f.payload.seq);
      distinct.add(f.payload.seq);
    });
    await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
    // Down, and handshakes refused: every send is queued.
    await t.admin(host, 'refuse?ms=400');
    const down = t.state('reconnecting');
    await t.admin(host, 'drop');
    await down;
    const pad = 'p'.repeat(400);
    const outcomes = await Promise.all(Array.from({ length: N }, (_, seq) => ch.message({ seq, pad })));
    // The flush starts once the refusal ends; drop the socket as soon as the first queued
    // message is back (the flush is then under way), and let it reconnect.
    const all = t.next(ch, 'message', () => distinct.size === N, 60000);
    await t.next(ch, 'message', (f) => f.payload.seq === 0);
    await t.admin(host, 'drop');
    const heardAtDrop = distinct.size;
    await all;
    // Everything was delivered: the queue is empty and stays empty.
    let pending = await ch.pending();
    while (pending !== 0) {
      await t.next(ch, 'queue', () => true, 10000);
      pending = await ch.pending();
    }
    const stats = await t.admin(host, 'stats');
    return {
      queued: outcomes.filter((o) => o === 'queued').length,
      heardAtDrop,
      seen,
      accepted: stats.channels['flush/1'].messages,
      pending,
    };
  }, { host: server.host, N });
  assert.equal(r.queued, N);
  assert.ok(r.heardAtDrop < N, `the drop hit the middle of the flush (${r.heardAtDrop} of ${N} back)`);
  assert.equal(r.pending, 0);
  // At least once: what the server had processed when the drop cut its echoes off is sent again
  // after the reconnect. Everything arrives; first arrivals are in order; a second arrival is a
  // message that was in flight (unconfirmed) at the drop, sent again in order from the oldest
  // unconfirmed one on.
  assert.deepEqual([...new Set(r.seen)], Array.from({ length: N }, (_, i) => i), 'every message arrived; first arrivals in order');
  const firstRepeat = r.seen.findIndex((s, i) => r.seen.indexOf(s) !== i);
  if (firstRepeat >= 0) {
    const again = r.seen.slice(firstRepeat);
    assert.deepEqual(again, Array.from({ length: N - again[0] }, (_, i) => again[0] + i), 'sent again from the oldest unconfirmed one, in order');
  }
  // The server processed each message once, plus those it processed again because their echo was
  // lost with the socket: at most the flush's window (1,024) in flight at the drop.
  assert.ok(r.accepted >= N && r.accepted - N <= 1024, `the server processed ${r.accepted} for ${N}`);
  assert.deepEqual(errors, []);
  await context.close();
});

/**
 * An observer in a context of its own: hears every message on `channel` that the server processes,
 * in its order (`window.seen`: the payloads' `seq`, repeats included; `window.distinct`).
 */
async function openObserver(channel) {
  const observer = await openPage(browser, server);
  await observer.page.evaluate(async ({ host, channel }) => {
    const { xrt, t } = window;
    t.configure(host);
    const ch = xrt.openChannel(channel);
    window.seen = [];
    window.distinct = new Set();
    ch.on('message', (f) => {
      if (typeof f.payload.seq !== 'number') return;
      window.seen.push(f.payload.seq);
      window.distinct.add(f.payload.seq);
    });
    await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
  }, { host: server.host, channel });
  return observer;
}

/**
 * A tab with `channel` open as `window.ch`, with the offline queue in `database`;
 * `window.connected` resolves once the channel's status is `connected`.
 */
async function openQueueTab(channel, database) {
  const tab = await openPage(browser, server);
  await tab.page.evaluate(({ host, channel, database }) => {
    window.t.configure(host, { queue: { database } });
    window.ch = window.xrt.openChannel(channel, { queueOfflineActions: true });
    window.connected = window.t.next(window.ch, 'connection_status', (f) => f.payload.status === 'connected');
  }, { host: server.host, channel, database });
  return tab;
}

/**
 * Freezes the server (SIGSTOP), runs `meanwhile()`, crashes the tab's renderer (no pagehide, no
 * close frame: its memory, send buffer, IndexedDB transactions and Web Lock go with it), resumes
 * the server, and waits until the server has read what the dead tab's socket still carried and
 * seen it closed (one connection left: the observer's).
 */
async function crashWhileFrozen(tab, meanwhile = async () => {}) {
  server.process.kill('SIGSTOP');
  try {
    await allStopped(server.process.pid);
    await meanwhile();
    const crashed = tab.page.waitForEvent('crash');
    const cdp = await tab.context.newCDPSession(tab.page);
    // The command itself never answers: the page it would answer from is gone.
    cdp.send('Page.crash').catch(() => {});
    await crashed;
  } finally {
    server.process.kill('SIGCONT');
  }
  for (let i = 0; (await server.admin('stats')).connections !== 1; i++) {
    assert.ok(i < 500, "the crashed tab's socket is closed on the server");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a tab killed in the middle of a queue flush (no pagehide): the next tab of the origin delivers the rest, nothing lost', async () => {
  // The flush keeps at most 1,024 unconfirmed: with the server frozen early, far fewer than N
  // can be sent before the kill, even on a loaded machine where the freeze comes late.
  const N = 3000;
  const channel = 'flush/killed';
  const database = `killed-${Math.random()}`;
  const observer = await openObserver(channel);
  // The first tab queues N messages while its browser is offline (the observer stays connected).
  const first = await openQueueTab(channel, database);
  await first.page.evaluate(() => window.connected);
  await first.context.setOffline(true);
  await first.page.waitForFunction(() => window.xrt.connectionState() === 'offline');
  const queued = await first.page.evaluate((N) => {
    const pad = 'p'.repeat(200);
    return Promise.all(Array.from({ length: N }, (_, seq) => window.ch.message({ seq, pad })));
  }, N);
  assert.deepEqual(new Set(queued), new Set(['queued']));
  // Back online, the flush starts. Once the server has some of it, freeze the server (so the
  // flush cannot finish: no echo comes back), and crash the tab's renderer: no pagehide, no
  // close frame, its IndexedDB transactions and Web Lock dropped by the browser.
  await first.context.setOffline(false);
  for (let i = 0; ((await server.admin('stats')).channels[channel]?.messages ?? 0) < 100; i++) {
    assert.ok(i < 3000, 'the flush started');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await crashWhileFrozen(first);
  const heardAtKill = (await server.admin('stats')).channels[channel].messages;
  assert.ok(heardAtKill < N, `the kill hit the middle of the flush (${heardAtKill} of ${N} arrived)`);
  // A new tab of the same origin (the same browser context: the same IndexedDB) opens the channel.
  const next = await openPage(browser, server, { context: first.context });
  const atOpen = await next.page.evaluate(async ({ host, channel, database }) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database } });
    const ch = xrt.openChannel(channel, { queueOfflineActions: true });
    const atOpen = await ch.pending();
    let now = atOpen;
    while (now !== 0) {
      await t.next(ch, 'queue', () => true, 30_000);
      now = await ch.pending();
    }
    return atOpen;
  }, { host: server.host, channel, database });
  // Deleted from the store: only messages the server had processed (their echo confirmed them).
  assert.ok(N - atOpen <= heardAtKill, `${N - atOpen} deleted, ${heardAtKill} arrived`);
  await observer.page.waitForFunction((N) => window.distinct.size === N, N, { timeout: 30_000 });
  const accepted = (await server.admin('stats')).channels[channel].messages;
  await observer.page.waitForFunction((accepted) => window.seen.length >= accepted, accepted, { timeout: 30_000 });
  const seen = await observer.page.evaluate(() => window.seen);
  // Nothing lost; first arrivals in order; the next tab sent each stored message once, oldest
  // first, so what arrived twice is what the dead tab had delivered and not yet deleted.
  assert.deepEqual([...new Set(seen)], Array.from({ length: N }, (_, i) => i), 'every message arrived; first arrivals in order');
  assert.equal(seen.length, heardAtKill + atOpen, 'each stored message sent once by the next tab');
  assert.deepEqual(seen.slice(heardAtKill), Array.from({ length: atOpen }, (_, i) => N - atOpen + i), 'the next tab sent the store in order');
  assert.deepEqual(next.errors, []);
  assert.deepEqual(observer.errors, []);
  await observer.context.close();
  await first.context.close();
});

// A gap that is not closed (README, "The offline queue", not covered): what a tab sent straight to
// the socket lives only in its memory and the browser's send buffer until its echo, and a tab that
// dies without pagehide takes both with it. Marked todo: it shows the loss (1,092 of 3,000 in the
// trial that found it) and passes once the gap is closed.
test('a tab killed right after 3,000 sends of 2 KB on a queue channel, the server frozen meanwhile: none is lost', { todo: 'a tab that dies without pagehide loses what the server had not received (README)' }, async () => {
  const N = 3000;
  const channel = 'flush/killed-direct';
  const database = `killed-direct-${Math.random()}`;
  const observer = await openObserver(channel);
  const first = await openQueueTab(channel, database);
  // Joined: a probe sent and echoed.
  await first.page.evaluate(async () => {
    const echo = window.t.next(window.ch, 'message', (f) => f.payload.probe === 1);
    await window.ch.message({ probe: 1 });
    await echo;
  });
  await crashWhileFrozen(first, async () => {
    const sent = await first.page.evaluate((N) => {
      const pad = 'p'.repeat(2000);
      return Promise.all(Array.from({ length: N }, (_, seq) => window.ch.message({ seq, pad })));
    }, N);
    assert.deepEqual(new Set(sent), new Set(['sent']));
  });
  // The next tab of the origin opens the channel and sends what the store holds.
  const next = await openPage(browser, server, { context: first.context });
  await next.page.evaluate(async ({ host, channel, database }) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database } });
    const ch = xrt.openChannel(channel, { queueOfflineActions: true });
    while ((await ch.pending()) !== 0) await t.next(ch, 'queue', () => true, 30_000);
  }, { host: server.host, channel, database });
  const accepted = (await server.admin('stats')).channels[channel].messages - 1;
  await observer.page.waitForFunction((accepted) => window.seen.length >= accepted, accepted, { timeout: 30_000 });
  const distinct = await observer.page.evaluate(() => window.distinct.size);
  await observer.context.close();
  await first.context.close();
  assert.equal(distinct, N, `${N - distinct} of ${N} lost`);
});

// `lostFirst`: the socket is lost (the browser says it is offline) in the same task, just before
// the reload, so the messages are being put back in the store when the page goes away.
for (const lostFirst of [false, true]) {
  const what = lostFirst ? ', its socket lost just before' : '';
  test(`a page reloaded in the same task as 3,000 sends of 2 KB on a queue channel${what}: none is lost`, async () => {
  const N = 3000;
  const channel = `flush/reloaded-${lostFirst}`;
  const database = `reloaded-${Math.random()}`;
  const observer = await openObserver(channel);
  const { page, errors, context } = await openPage(browser, server);
  const open = async ({ host, channel, database }) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database } });
    window.ch = xrt.openChannel(channel, { queueOfflineActions: true });
    await t.next(window.ch, 'connection_status', (f) => f.payload.status === 'connected');
  };
  await page.evaluate(open, { host: server.host, channel, database });
  // Once the channel's first flush is done, sends go straight to the socket.
  await page.evaluate(async () => {
    while ((await window.ch.message({ probe: true })) !== 'sent') await new Promise((resolve) => setTimeout(resolve, 20));
  });
  // Every message is handed to the socket ("sent"), then the page goes away at once: the browser
  // still holds most of them.
  const reloaded = page.waitForEvent('load');
  const outcomes = await page.evaluate(({ N, lostFirst }) => {
    const all = Array.from({ length: N }, (_, seq) => window.ch.message({ seq, pad: 'x'.repeat(2000) }));
    if (lostFirst) window.dispatchEvent(new Event('offline'));
    location.reload();
    return Promise.race([Promise.all(all), new Promise((resolve) => setTimeout(() => resolve(['reloaded']), 0))]).then((o) => [...new Set(o)]);
  }, { N, lostFirst }).catch(() => ['reloaded']);
  await reloaded;
  await page.evaluate(() => window.ready);
  // The next page of the origin opens the channel: it sends what the first one put back.
  await page.evaluate(open, { host: server.host, channel, database });
  await observer.page.waitForFunction((N) => window.distinct.size === N, N, { timeout: 30_000 }).catch(async () => {
    const got = await observer.page.evaluate(() => window.distinct.size);
    assert.fail(`${N - got} of ${N} messages were lost (outcomes before the reload: ${outcomes})`);
  });
  assert.deepEqual(errors, []);
  await observer.context.close();
  await context.close();
  });
}

// A page with a queue channel joined, then offline; `window.ch` and `window.heard` (echoed seqs).
async function offlineQueuePage(name) {
  const opened = await openPage(browser, server);
  const { page, context } = opened;
  await page.evaluate(
    async ({ host, name }) => {
      const { xrt, t } = window;
      t.configure(host, { queue: { database: `storage-${Math.random()}` } });
      window.ch = xrt.openChannel(name, { queueOfflineActions: true });
      window.heard = [];
      window.ch.on('message', (f) => window.heard.push(f.payload.seq));
      await t.next(window.ch, 'connection_status', (f) => f.payload.status === 'connected');
    },
    { host: server.host, name },
  );
  await context.setOffline(true);
  await page.waitForFunction(() => window.xrt.connectionState() === 'offline');
  // Sends `{seq}` for each of `seqs`; resolves with each outcome or error message.
  opened.send = (seqs) => page.evaluate((seqs) => Promise.all(seqs.map((seq) => window.ch.message({ seq }).catch((e) => e.message))), seqs);
  return opened;
}

const seqsAt = async (name) => (await server.admin(`history?channel=${name}`)).history.map((f) => f.payload.seq).filter((seq) => seq !== undefined);

test("the site's data cleared while a queue channel is open: the queue stores again and delivers what is sent from then on", async () => {
  const name = 'flush/cleared';
  const { page, errors, context, console: lines, send } = await offlineQueuePage(name);
  assert.deepEqual(await send([0, 1, 2]), ['queued', 'queued', 'queued']);
  // As the user clearing the site's data in the browser's settings: the database is deleted and
  // the page's connection to it closed under it.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: server.url, storageTypes: 'indexeddb' });
  assert.deepEqual(await send([10, 11, 12]), ['queued', 'queued', 'queued']);
  const arrived = page.evaluate(() => window.t.next(window.ch, 'message', (f) => f.payload.seq === 12));
  await context.setOffline(false);
  await arrived;
  // Online, the channel sends directly again and its queue empties.
  const r = await page.evaluate(async () => {
    await window.t.direct(window.ch);
    return { outcome: await window.ch.message({ seq: 13 }), pending: await window.ch.pending() };
  });
  assert.deepEqual(r, { outcome: 'sent', pending: 0 });
  await page.waitForFunction(() => window.heard.includes(13));
  // What was stored before the clear went with the site's data; everything after arrived, once.
  assert.deepEqual(await seqsAt(name), [10, 11, 12, 13]);
  assert.deepEqual(errors, []);
  assert.deepEqual(lines.filter((l) => l.startsWith('error') && l.includes('xano-realtime')), []);
  await context.close();
});

test('a store that keeps failing: the flush tries again after a pause, not over and over, and delivers once the store works', async () => {
  const name = 'flush/failing';
  const { page, errors, context, send } = await offlineQueuePage(name);
  assert.deepEqual(await send([0, 1, 2]), ['queued', 'queued', 'queued']);
  // Reads fail from now on (a disk error), writes still work.
  await page.evaluate(() => {
    const open = IDBIndex.prototype.openKeyCursor;
    window.storageBroken = true;
    IDBIndex.prototype.openKeyCursor = function (...args) {
      if (window.storageBroken) throw new DOMException('the disk failed (test)', 'UnknownError');
      return open.apply(this, args);
    };
  });
  const failures = [];
  const threeFailures = new Promise((resolve) =>
    page.on('console', (m) => {
      if (m.text().includes('the offline queue flush failed') && failures.push(Date.now()) === 3) resolve();
    }),
  );
  await context.setOffline(false);
  await threeFailures;
  // With no pause, thousands failed within a few seconds.
  assert.ok(failures[2] - failures[0] >= 1800, `three failed flushes within ${failures[2] - failures[0]} ms`);
  const arrived = page.evaluate(() => window.t.next(window.ch, 'message', (f) => f.payload.seq === 2));
  await page.evaluate(() => {
    window.storageBroken = false;
  });
  await arrived;
  assert.deepEqual(await seqsAt(name), [0, 1, 2]);
  assert.equal(await page.evaluate(() => window.ch.pending()), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a network that drops and comes back 20 times during a flush (a train through tunnels), the app sending all along: nothing lost, first arrivals in send order', async () => {
  const N = 2000;
  const name = 'flush/tunnels';
  const observer = await openObserver(name);
  const { page, errors, context } = await offlineQueuePage(name);
  const outcomes = await page.evaluate((N) => Promise.all(Array.from({ length: N }, (_, seq) => window.ch.message({ seq, pad: 'x'.repeat(200) }))), N);
  assert.ok(outcomes.every((o) => o === 'queued'));
  // The app keeps sending, a message every 20 ms, whatever the network does.
  await page.evaluate((N) => {
    window.nextSeq = N;
    window.outcomes = [];
    window.sender = setInterval(() => window.outcomes.push(window.ch.message({ seq: window.nextSeq++ }).catch((e) => e.message)), 20);
  }, N);
  // Up for 50-150 ms (the flush starts and is cut off), down for 30 ms, 20 times.
  for (let i = 0; i < 20; i++) {
    await context.setOffline(false);
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    await context.setOffline(true);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await context.setOffline(false);
  const sent = await page.evaluate(async () => {
    clearInterval(window.sender);
    const all = await Promise.all(window.outcomes);
    return { total: window.nextSeq, unexpected: all.filter((o) => o !== 'sent' && o !== 'queued') };
  });
  assert.deepEqual(sent.unexpected, []);
  const end = await page.evaluate((total) => window.t.drained(window.ch, window.heard, total), sent.total);
  assert.equal(end.pending, 0);
  await observer.page.waitForFunction((total) => window.distinct.size === total, sent.total, { timeout: 30_000 });
  const seen = await observer.page.evaluate(() => window.seen);
  assert.deepEqual([...new Set(seen)], Array.from({ length: sent.total }, (_, i) => i), 'every message arrived; first arrivals in send order');
  assert.equal(await page.evaluate(() => window.xrt.clientStats().unconfirmed), 0);
  assert.deepEqual(errors, []);
  assert.deepEqual(observer.errors, []);
  await observer.context.close();
  await context.close();
});

test('100 channels are all rejoined after a reconnect, also those reopened while it was down', async () => {
  const { page, errors, context } = await openPage(browser, server);
  const r = await page.evaluate(async (host) => {
    const { xrt, t } = window;
    t.configure(host);
    const names = Array.from({ length: 100 }, (_, i) => `many/${i}`);
    let chans = names.map((n) => xrt.openChannel(n, { presence: true }));
    await Promise.all(chans.map((ch) => t.next(ch, 'presence_full')));
    await t.admin(host, 'refuse?ms=200');
    const down = t.state('reconnecting');
    await t.admin(host, 'drop');
    await down;
    // Half of them are closed and opened again while the connection is down.
    for (const n of names.slice(0, 50)) xrt.closeChannel(n);
    chans = names.map((n) => xrt.openChannel(n, { presence: true }));
    await Promise.all(chans.map((ch) => t.next(ch, 'presence_full')));
    const stats = await t.admin(host, 'stats');
    const members = names.map((n) => stats.channels[n].members);
    const presence = chans.map((ch) => ch.presence().length);
    for (const n of names) xrt.closeChannel(n);
    return { members, presence, state: xrt.connectionState(), stats: xrt.clientStats() };
  }, server.host);
  assert.deepEqual(r.members, Array(100).fill(1));
  assert.deepEqual(r.presence, Array(100).fill(1));
  assert.equal(r.state, 'idle');
  assert.equal(r.stats.channels, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the server killed and restarted on the same port in the middle of a blast: the client reconnects and rejoins', async () => {
  const first = await startPageServer({ config: CONFIG });
  const port = first.port;
  const { page, errors, context } = await openPage(browser, first);
  await page.evaluate(async (host) => {
    const { xrt, t } = window;
    t.configure(host);
    window.blast = xrt.openChannel('blast', { presence: true });
    window.received = 0;
    window.blast.on('message', () => (window.received += 1));
    await t.next(window.blast, 'presence_full');
    window.rejoined = t.next(window.blast, 'presence_full', () => true, 30000);
    window.lost = t.next(window.blast, 'connection_status', (f) => f.payload.status === 'disconnected', 30000);
  }, first.host);
  // The blast call answers only once every frame is queued: do not wait for it (it fails when
  // the server dies).
  const blasting = first.admin('blast', { channel: 'blast', count: 200000, bytes: 200 }).catch(() => null);
  await page.waitForFunction(() => window.received > 0);
  // A crash: no close frame (the client sees 1006), the blast cut short.
  const exited = new Promise((resolve) => first.process.once('exit', resolve));
  first.process.kill('SIGKILL');
  await exited;
  await first.stop();
  await blasting;
  await page.evaluate(() => window.lost);
  const second = await startPageServer({ config: CONFIG, args: ['--listen', `127.0.0.1:${port}`] });
  try {
    assert.equal(second.port, port);
    const r = await page.evaluate(async () => {
      await window.rejoined;
      return { state: window.xrt.connectionState(), received: window.received };
    });
    assert.equal(r.state, 'open');
    assert.ok(r.received > 0 && r.received < 200000, `${r.received} blast frames before the restart`);
    const stats = await second.admin('stats');
    assert.equal(stats.channels.blast.members, 1);
    await page.evaluate(() => window.blast.close());
  } finally {
    await context.close();
    await second.stop();
  }
  assert.deepEqual(errors, []);
});
