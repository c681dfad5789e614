// The liveness faults of issue 14, tried as a user meets them, with the package (pkg/) in
// headless Chromium against the local server:
//   - a page that starts while the server refuses handshakes (and one reloaded meanwhile) keeps
//     trying and joins once the server is back, then flushes what was queued;
//   - the browser going offline (Playwright's network emulation): the state becomes "offline",
//     the socket is no longer used, sends are queued; back online it reconnects and delivers;
//   - the server frozen (SIGSTOP), 20 messages sent into the frozen socket, the server killed and
//     started again on the same port: all 20 arrive, in order, nothing left pending;
//   - the server frozen for 35 s in the middle of a queue flush, then killed and restarted: every
//     queued message arrives (no silence counts as a confirmation);
//   - a chat left at once (the last channel closed right after sending) while the server is
//     frozen, then killed and restarted: what was sent arrives once the channel is opened again;
//     on a healthy server the socket closes once every echo is in, nothing sent twice; and left
//     while the network is quiet, the page reloaded at once: the next page sends what was left;
//   - a shared connection's token refreshed while the server is frozen (two queue channels):
//     everything arrives, no error;
//   - a queued message the server refuses without naming its channel does not hold the queue back;
//   - a connection that goes quiet without closing (a proxy that stops carrying it) is taken for
//     dead once the server owed an answer for 20 s: the client reconnects and every message arrives;
//     a healthy one that answers is never taken for dead;
//   - a peer's identical payloads never confirm our messages (a fake socket plays the server);
//   - messages the server does not echo (authenticated-only) are not kept on a queue channel once
//     the browser has sent them.
//
//   scripts/build.sh && cargo build -p xano-realtime-server
//   node --test tests/e2e/liveness.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allStopped, blackholeProxy, openPage, pageServerForTests, startPageServer } from './fault-support.mjs';

const CONFIG = `
[[channel]]
pattern = "readonly/*"
anonymous_send = false

[[channel]]
pattern = "*"
history = 1000
anonymous_send = true
`;

// The page's WebSockets, recorded as they are created (the real ones; for waiting until a
// frozen server's socket has taken what was sent).
function recordSockets() {
  const Native = window.WebSocket;
  window.sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.sockets.push(this);
    }
  };
}

/** Kills a server at once (frozen or not), as a crash would, and waits until it is gone. */
async function killNow(server) {
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  server.process.kill('SIGKILL');
  await exited;
  await server.stop();
}

let server;
let browser;
pageServerForTests({ config: CONFIG }, (s, b) => {
  server = s;
  browser = b;
});

test('a page started during a 12 s refusal keeps trying and joins within the longest step once the server is back', async () => {
  const refusedUntil = Date.now() + 12_000;
  await server.admin('refuse?ms=12000');
  const { page, errors, context } = await openPage(browser, server);
  const r = await page.evaluate(async (host) => {
    const { xrt, t } = window;
    const states = [];
    xrt.onConnectionState((state, detail) => states.push([state, detail.reason, detail.delayMs, Date.now()]));
    t.configure(host, { reconnect: { minDelayMs: 100, maxDelayMs: 800 }, queue: { database: `live-${Math.random()}` } });
    const ch = xrt.openChannel('liveness/start', { presence: true, queueOfflineActions: true });
    const queued = await Promise.all([0, 1, 2].map((n) => ch.message({ n })));
    const drained = t.next(ch, 'queue', (f) => f.payload.pending === 0, 40_000);
    await t.next(ch, 'presence_full', () => true, 30_000);
    const joinedAt = Date.now();
    await drained;
    return { queued, joinedAt, states, pending: await ch.pending() };
  }, server.host);
  assert.deepEqual(r.queued, ['queued', 'queued', 'queued']);
  assert.ok(!r.states.some(([s]) => s === 'idle'), `never gave up: ${JSON.stringify(r.states.slice(0, 5))}`);
  assert.ok(r.states.some(([, reason]) => /handshake keeps failing/.test(reason)), 'the repeated failures were reported');
  const waits = r.states.filter(([s]) => s === 'reconnecting').map(([, , delay]) => delay);
  assert.ok(waits.length >= 10 && waits.every((w) => w <= 800), `every wait within 800 ms: ${waits}`);
  // Joined within the backoff's longest step (800 ms) after the refusal ended. Chromium holds a
  // handshake back after many failed ones (RFC 6455 §7.2.3: up to 5 s after ~16 failures in a
  // minute); that hold, from the last attempt's start to its open, is the browser's, not ours.
  const lastAttempt = r.states.filter(([s]) => s === 'connecting').pop()[3];
  const opened = r.states.filter(([s]) => s === 'open').pop()[3];
  const late = r.joinedAt - refusedUntil - Math.max(0, opened - Math.max(lastAttempt, refusedUntil));
  assert.ok(late <= 800 + 1_000, `joined ${late} ms (browser hold aside) after the refusal ended`);
  const history = await server.admin('history?channel=liveness/start');
  assert.deepEqual(history.history.map((f) => f.payload.n), [0, 1, 2]);
  assert.equal(r.pending, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a page reloaded during a refusal joins once the server is back and flushes what the first load queued', async () => {
  await server.admin('refuse?ms=4000');
  const { page, errors, context } = await openPage(browser, server);
  const database = `reload-${Math.random()}`;
  const start = async ({ host, database, send }) => {
    const { xrt, t } = window;
    t.configure(host, { reconnect: { minDelayMs: 100, maxDelayMs: 800 }, queue: { database } });
    const ch = xrt.openChannel('liveness/reload', { queueOfflineActions: true });
    window.ch = ch;
    if (send) return Promise.all(['a', 'b'].map((k) => ch.message({ k })));
    // Listening at once: the refusal may end before a later call reaches the page.
    window.drained = t.next(ch, 'queue', (f) => f.payload.pending === 0, 20_000);
    window.flushed = t.next(ch, 'message', (f) => f.payload.k === 'b', 20_000);
    return null;
  };
  assert.deepEqual(await page.evaluate(start, { host: server.host, database, send: true }), ['queued', 'queued']);
  assert.match(await page.evaluate(() => window.xrt.connectionState()), /^(re)?connecting$/);
  await page.reload();
  await page.evaluate(() => window.ready);
  await page.evaluate(start, { host: server.host, database, send: false });
  const flushed = await page.evaluate(async () => {
    await window.flushed;
    await window.drained;
    return window.ch.pending();
  });
  assert.equal(flushed, 0);
  const history = await server.admin('history?channel=liveness/reload');
  assert.deepEqual(history.history.map((f) => f.payload.k), ['a', 'b']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('offline means offline: the socket is dropped, sends are queued, and back online they are delivered', async () => {
  const { page, errors, context } = await openPage(browser, server);
  await page.evaluate(async (host) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database: `offline-${Math.random()}` } });
    window.ch = xrt.openChannel('liveness/offline', { presence: true, queueOfflineActions: true });
    window.plain = xrt.openChannel('liveness/offline-plain');
    await t.next(window.ch, 'presence_full');
    window.statuses = [];
    window.ch.on('connection_status', (f) => window.statuses.push(f.payload.status));
    window.wentOffline = t.state('offline');
  }, server.host);
  await context.setOffline(true);
  const down = await page.evaluate(async () => {
    await window.wentOffline;
    const sockets = window.xrt.clientStats().socketsOpened;
    const sent = await Promise.all([1, 2, 3].map((n) => window.ch.message({ n })));
    const refused = await window.plain.message('x').then(
      () => 'sent',
      (e) => e.message,
    );
    window.back = window.t.next(window.ch, 'message', (f) => f.payload.n === 3);
    window.drained = window.t.next(window.ch, 'queue', (f) => f.payload.pending === 0);
    return { state: window.xrt.connectionState(), sent, refused, sockets, statuses: window.statuses.slice() };
  });
  assert.equal(down.state, 'offline');
  assert.deepEqual(down.sent, ['queued', 'queued', 'queued']);
  assert.match(down.refused, /not connected/);
  assert.deepEqual(down.statuses, ['disconnected']);
  // The client closed its socket; the server hears of it a moment later (no event to await).
  const deadline = Date.now() + 10_000;
  for (;;) {
    const members = (await server.admin('stats')).channels['liveness/offline'].members;
    if (members === 0) break;
    assert.ok(Date.now() < deadline, `the client dropped its socket: still ${members} member(s)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await context.setOffline(false);
  const up = await page.evaluate(async () => {
    await window.back;
    await window.drained;
    return {
      sockets: window.xrt.clientStats().socketsOpened,
      statuses: window.statuses,
      pending: await window.ch.pending(),
    };
  });
  assert.equal(up.sockets, down.sockets + 1);
  assert.deepEqual(up.statuses, ['disconnected', 'connected']);
  assert.equal(up.pending, 0);
  const history = await server.admin('history?channel=liveness/offline');
  assert.deepEqual(history.history.map((f) => f.payload.n), [1, 2, 3]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a page that starts offline stays offline without a socket and connects when the browser is back', async () => {
  const { page, errors, context } = await openPage(browser, server);
  await context.setOffline(true);
  const r = await page.evaluate(async (host) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database: `start-offline-${Math.random()}` } });
    window.ch = xrt.openChannel('liveness/start-offline', { queueOfflineActions: true });
    // Listening now: once online, the join and the echo may come before a later call reaches the page.
    window.joined = t.next(window.ch, 'connection_status', (f) => f.payload.status === 'connected', 30_000);
    window.early = t.next(window.ch, 'message', (f) => f.payload === 'early', 30_000);
    return { state: xrt.connectionState(), sockets: xrt.clientStats().socketsOpened, sent: await window.ch.message('early') };
  }, server.host);
  assert.deepEqual(r, { state: 'offline', sockets: 0, sent: 'queued' });
  await context.setOffline(false);
  await page.evaluate(async () => {
    await window.joined;
    await window.early;
  });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the server frozen, 20 messages sent, the server killed and restarted: all 20 arrive, in order, nothing pending', async () => {
  const first = await startPageServer({ config: CONFIG });
  const port = first.port;
  const { page, errors, context } = await openPage(browser, first, { initScript: recordSockets });
  await page.evaluate(async (host) => {
    const { xrt, t } = window;
    t.configure(host, { reconnect: { minDelayMs: 100, maxDelayMs: 800 }, queue: { database: `freeze-${Math.random()}` } });
    window.ch = xrt.openChannel('liveness/freeze', { queueOfflineActions: true });
    await t.next(window.ch, 'connection_status', (f) => f.payload.status === 'connected');
    // One round trip first, so the client knows its socketId (the echo tells it); the queue is
    // then empty and new messages go straight to the socket.
    const drained = t.next(window.ch, 'queue', (f) => f.payload.pending === 0);
    const echoed = t.next(window.ch, 'message', (f) => f.payload.warmup === true);
    await window.ch.message({ warmup: true });
    await echoed;
    await drained;
    window.lost = t.next(window.ch, 'connection_status', (f) => f.payload.status === 'disconnected', 30_000);
  }, first.host);
  first.process.kill('SIGSTOP');
  await allStopped(first.process.pid);
  try {
    const sent = await page.evaluate(() => Promise.all(Array.from({ length: 20 }, (_, i) => window.ch.message({ seq: i }))));
    assert.deepEqual(sent, Array(20).fill('sent'), 'the frozen socket looks open');
    // The browser handed them to the network (into the frozen server's socket buffer).
    await page.waitForFunction(() => window.sockets[window.sockets.length - 1].bufferedAmount === 0);
  } finally {
    await killNow(first);
  }
  await page.evaluate(() => {
    // Listening before the server is back: the re-sent messages' echoes may come before any
    // later call reaches the page.
    window.back = window.t.next(window.ch, 'message', (f) => f.payload.seq === 19, 30_000);
    return window.lost;
  });
  const second = await startPageServer({ config: CONFIG, args: ['--listen', `127.0.0.1:${port}`] });
  try {
    assert.equal(second.port, port);
    const pending = await page
      .evaluate(async () => {
        await window.back.catch(async (e) => {
          // What the client was doing, for a failure to be read.
          const state = { state: window.xrt.connectionState(), stats: window.xrt.clientStats(), pending: await window.ch.pending() };
          throw new Error(`${e.message}: ${JSON.stringify(state)}`);
        });
        await window.t.next(window.ch, 'queue', (f) => f.payload.pending === 0).catch(() => null);
        return window.ch.pending();
      })
      .catch(async (e) => {
        throw new Error(`${e.message}; the server: ${JSON.stringify(await second.admin('stats'))}`);
      });
    assert.equal(pending, 0);
    const history = await second.admin('history?channel=liveness/freeze');
    assert.deepEqual(history.history.map((f) => f.payload.seq), Array.from({ length: 20 }, (_, i) => i));
    const stats = await second.admin('stats');
    assert.equal(stats.channels['liveness/freeze'].messages, 20, 'each arrived once');
    await page.evaluate(() => window.ch.close());
  } finally {
    await context.close();
    await second.stop();
  }
  assert.deepEqual(errors, []);
});

test('the server frozen, 20 messages sent, the token refreshed (setAuthToken), the server killed and restarted: all 20 arrive', async () => {
  const first = await startPageServer({ config: CONFIG });
  const port = first.port;
  const { page, errors, context } = await openPage(browser, first);
  await page.evaluate(async (host) => {
    const { xrt, t } = window;
    t.configure(host, { reconnect: { minDelayMs: 100, maxDelayMs: 800 }, queue: { database: `token-${Math.random()}` } });
    window.ch = xrt.openChannel('liveness/token', { queueOfflineActions: true });
    await t.next(window.ch, 'connection_status', (f) => f.payload.status === 'connected');
    await t.direct(window.ch);
  }, first.host);
  first.process.kill('SIGSTOP');
  await allStopped(first.process.pid);
  try {
    const sent = await page.evaluate(async () => {
      const { t, ch, xrt } = window;
      const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => ch.message({ seq: i })));
      // A token refresh closes the socket voluntarily: no echo came, and none will. The 20 go
      // back to the queue (before the fix they were taken for delivered and forgotten).
      const putBack = t.next(ch, 'queue', (f) => f.payload.pending === 20, 10_000);
      xrt.setAuthToken('refreshed-token');
      await putBack;
      return sent;
    });
    assert.deepEqual(sent, Array(20).fill('sent'), 'the frozen socket looks open');
  } finally {
    await killNow(first);
  }
  await page.evaluate(() => {
    window.back = window.t.next(window.ch, 'message', (f) => f.payload.seq === 19, 30_000);
  });
  const second = await startPageServer({ config: CONFIG, args: ['--listen', `127.0.0.1:${port}`] });
  try {
    const pending = await page.evaluate(async () => {
      const { t, ch } = window;
      await window.back;
      while ((await ch.pending()) !== 0) await t.next(ch, 'queue', () => true, 10_000);
      return ch.pending();
    });
    assert.equal(pending, 0);
    const history = await second.admin('history?channel=liveness/token');
    assert.deepEqual(history.history.map((f) => f.payload.seq).filter((seq) => seq !== undefined), Array.from({ length: 20 }, (_, i) => i));
  } finally {
    await context.close();
    await second.stop();
  }
  assert.deepEqual(errors, []);
});

test('a chat left at once: the server frozen, 5 messages sent, the last channel closed, the server killed and restarted, the channel opened again: all 5 arrive', async () => {
  const first = await startPageServer({ config: CONFIG });
  const port = first.port;
  const name = 'liveness/left';
  const { page, errors, context } = await openPage(browser, first, { initScript: recordSockets });
  await page.evaluate(async ({ host, name }) => {
    const { xrt, t } = window;
    t.configure(host, { reconnect: { minDelayMs: 100, maxDelayMs: 800 }, queue: { database: `left-${Math.random()}` } });
    const ch = xrt.openChannel(name, { queueOfflineActions: true });
    await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
    await t.direct(ch);
    window.ch = ch;
  }, { host: first.host, name });
  first.process.kill('SIGSTOP');
  await allStopped(first.process.pid);
  try {
    const r = await page.evaluate(async () => {
      const sent = await Promise.all(Array.from({ length: 5 }, (_, i) => window.ch.message({ seq: i })));
      // The user leaves the chat at once: the app closes its only channel.
      window.ch.close();
      return { sent, state: window.xrt.connectionState() };
    });
    assert.deepEqual(r.sent, Array(5).fill('sent'), 'the frozen socket looks open');
    assert.equal(r.state, 'idle', 'no channel is open');
    await page.waitForFunction(() => window.sockets[window.sockets.length - 1].bufferedAmount === 0);
  } finally {
    await killNow(first);
  }
  // The socket kept for the five echoes is lost with the server: they go to the store.
  await page.waitForFunction(() => window.xrt.clientStats().unconfirmed === 0, null, { timeout: 15_000 });
  const second = await startPageServer({ config: CONFIG, args: ['--listen', `127.0.0.1:${port}`] });
  try {
    const pending = await page.evaluate(async (name) => {
      const { xrt, t } = window;
      // Later the user opens the chat again.
      const ch = xrt.openChannel(name, { queueOfflineActions: true });
      const heard = [];
      ch.on('message', (f) => heard.push(f.payload.seq));
      const { pending } = await t.drained(ch, heard, 5);
      ch.close();
      return pending;
    }, name);
    assert.equal(pending, 0);
    const history = await second.admin(`history?channel=${name}`);
    assert.deepEqual(history.history.map((f) => f.payload.seq).filter((seq) => seq !== undefined), [0, 1, 2, 3, 4]);
  } finally {
    await context.close();
    await second.stop();
  }
  assert.deepEqual(errors, []);
});

test('a chat left at once after a message the server refuses: the refusal ends the wait, the socket closes', async () => {
  const { page, errors, context } = await openPage(browser, server, { initScript: recordSockets });
  const r = await page.evaluate(async (host) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database: `left-refused-${Math.random()}` } });
    // Anonymous clients may not send on readonly/* (the local server answers with an error frame
    // naming the channel, and never echoes).
    const ch = xrt.openChannel('readonly/left', { queueOfflineActions: true });
    await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
    const refusals = [];
    ch.on('error', (f) => refusals.push(f.payload.message));
    // Probes until one goes straight to the socket (the server refuses each), then the channel
    // is left at once, its last message unanswered yet.
    const probes = await t.direct(ch);
    ch.close();
    const ws = window.sockets[window.sockets.length - 1];
    const code = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve('still open after 10 s'), 10_000);
      ws.addEventListener('close', (e) => {
        clearTimeout(timer);
        resolve(e.code);
      });
    });
    return { refused: refusals.length === probes - 1, code, unconfirmed: xrt.clientStats().unconfirmed, state: xrt.connectionState() };
  }, server.host);
  assert.deepEqual(r, { refused: true, code: 1000, unconfirmed: 0, state: 'idle' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a chat left at once, then the page reloaded: the network gone quiet, 5 messages sent, the last channel closed, the page reloaded at once: the next page sends all 5', async () => {
  // The page comes from the server; its socket goes through a proxy that stops carrying it.
  const proxy = await blackholeProxy(server.port);
  const name = 'liveness/left-reload';
  const database = `left-reload-${Math.random()}`;
  const { page, errors, context } = await openPage(browser, server);
  const start = async ({ host, name, database }) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database } });
    const ch = xrt.openChannel(name, { queueOfflineActions: true });
    await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
    return ch;
  };
  const args = { host: proxy.host, name, database, start: start.toString() };
  try {
    await page.evaluate(async (a) => {
      const { t } = window;
      const ch = await (0, eval)(`(${a.start})`)(a);
      window.ch = ch;
      // The probe that went straight to the socket is confirmed before the network goes quiet.
      const probe = await t.direct(ch);
      await t.next(ch, 'message', (f) => f.payload.probe === probe);
    }, args);
    proxy.blackhole();
    const r = await page.evaluate(async () => {
      const sent = await Promise.all(Array.from({ length: 5 }, (_, i) => window.ch.message({ seq: i })));
      // The user leaves the chat and the app navigates away at once: the socket still waits
      // for the five echoes.
      window.ch.close();
      return { sent, unconfirmed: window.xrt.clientStats().unconfirmed };
    });
    assert.deepEqual(r.sent, Array(5).fill('sent'), 'the quiet socket looks open');
    assert.equal(r.unconfirmed, 5, 'kept for their echoes');
    await page.reload();
    await page.evaluate(() => window.ready);
    const pending = await page.evaluate(async (a) => {
      const ch = await (0, eval)(`(${a.start})`)(a);
      const heard = [];
      ch.on('message', (f) => heard.push(f.payload.seq));
      return (await window.t.drained(ch, heard, 5)).pending;
    }, args);
    assert.equal(pending, 0);
    const history = await server.admin(`history?channel=${name}`);
    assert.deepEqual(history.history.map((f) => f.payload.seq).filter((seq) => seq !== undefined), [0, 1, 2, 3, 4], 'each once, in order');
  } finally {
    await context.close();
    await proxy.stop();
  }
  assert.deepEqual(errors, []);
});

test('a shared connection, the server frozen, 10 messages sent on each of two channels, the token refreshed (a new group), the server killed and restarted: all arrive', async () => {
  const first = await startPageServer({ config: CONFIG });
  const port = first.port;
  const names = ['liveness/shared-token-a', 'liveness/shared-token-b'];
  const { page, errors, context } = await openPage(browser, first);
  await page.evaluate(async ({ host, names }) => {
    const { xrt, t } = window;
    t.configure(host, { shareConnection: true, reconnect: { minDelayMs: 100, maxDelayMs: 800 }, queue: { database: `shared-token-${Math.random()}` } });
    window.chs = names.map((name) => xrt.openChannel(name, { queueOfflineActions: true }));
    await Promise.all(window.chs.map((ch) => t.next(ch, 'connection_status', (f) => f.payload.status === 'connected')));
    for (const ch of window.chs) await t.direct(ch);
  }, { host: first.host, names });
  first.process.kill('SIGSTOP');
  await allStopped(first.process.pid);
  try {
    const r = await page.evaluate(async () => {
      const { chs, xrt } = window;
      const sent = await Promise.all(chs.flatMap((ch) => Array.from({ length: 10 }, (_, i) => ch.message({ seq: i }))));
      const leader = xrt.clientStats().shared;
      // A new token is a new group: this tab leaves the old one (its channels leave its core) and
      // leads the new one on a socket with the new token.
      xrt.setAuthToken('refreshed-token');
      return { sent, leader };
    });
    assert.deepEqual(r.sent, Array(20).fill('sent'), 'the frozen socket looks open');
    assert.equal(r.leader, 'leader');
  } finally {
    await killNow(first);
  }
  await page.evaluate(() => {
    window.heard = window.chs.map((ch) => {
      const heard = [];
      ch.on('message', (f) => heard.push(f.payload.seq));
      return heard;
    });
  });
  const second = await startPageServer({ config: CONFIG, args: ['--listen', `127.0.0.1:${port}`] });
  try {
    const r = await page.evaluate(async () => {
      const { t, chs, xrt } = window;
      const pending = [];
      for (const [i, ch] of chs.entries()) pending.push((await t.drained(ch, window.heard[i], 10)).pending);
      return { pending, shared: xrt.clientStats().shared };
    });
    assert.deepEqual(r.pending, [0, 0]);
    assert.equal(r.shared, 'leader');
    for (const name of names) {
      const history = await second.admin(`history?channel=${name}`);
      assert.deepEqual(history.history.map((f) => f.payload.seq).filter((seq) => seq !== undefined), Array.from({ length: 10 }, (_, i) => i), name);
    }
  } finally {
    await context.close();
    await second.stop();
  }
  assert.deepEqual(errors, []);
});

test('a chat left at once on a healthy server: every message arrives once, the socket closes once their echoes are in, nothing is sent again on reopening', async () => {
  const name = 'liveness/left-healthy';
  const { page, errors, context } = await openPage(browser, server, { initScript: recordSockets });
  const r = await page.evaluate(async ({ host, name }) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database: `left-healthy-${Math.random()}` } });
    const ch = xrt.openChannel(name, { queueOfflineActions: true });
    await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
    const probes = await t.direct(ch);
    const sent = await Promise.all(Array.from({ length: 200 }, (_, i) => ch.message({ seq: i })));
    ch.close();
    const ws = window.sockets[window.sockets.length - 1];
    const closed = ws.readyState === 3 ? null : new Promise((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));
    const code = await closed;
    const unconfirmed = xrt.clientStats().unconfirmed;
    // Opened again: its queue holds nothing, so nothing is sent again.
    const again = xrt.openChannel(name, { queueOfflineActions: true });
    await t.next(again, 'connection_status', (f) => f.payload.status === 'connected');
    const pending = await again.pending();
    again.close();
    return { probes, sent, code, unconfirmed, pending, sockets: xrt.clientStats().socketsOpened };
  }, { host: server.host, name });
  assert.deepEqual(r.sent, Array(200).fill('sent'));
  assert.equal(r.code, 1000, 'the client closed the socket normally');
  assert.equal(r.unconfirmed, 0, 'every echo was in before the close');
  assert.equal(r.pending, 0);
  assert.equal(r.sockets, 2);
  const history = await server.admin(`history?channel=${name}`);
  const seqs = history.history.map((f) => f.payload.seq).filter((seq) => seq !== undefined);
  assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => i), 'each once, in order');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the server frozen in the middle of a queue flush for longer than any wait for an echo (35 s), then killed and restarted: every queued message arrives', async () => {
  const N = 1000;
  const first = await startPageServer({ config: CONFIG });
  const port = first.port;
  const { page, errors, context } = await openPage(browser, first);
  await page.evaluate(async (host) => {
    const { xrt, t } = window;
    t.configure(host, { reconnect: { minDelayMs: 100, maxDelayMs: 800 }, queue: { database: `long-freeze-${Math.random()}` } });
    window.ch = xrt.openChannel('liveness/long-freeze', { queueOfflineActions: true });
    // Every message comes back to its sender: the page hears what each server processed.
    window.heard = [];
    window.ch.on('message', (f) => window.heard.push(f.payload.seq));
    await t.next(window.ch, 'connection_status', (f) => f.payload.status === 'connected');
  }, first.host);
  // Queued while the browser is offline, flushed once it is back.
  await context.setOffline(true);
  await page.waitForFunction(() => window.xrt.connectionState() === 'offline');
  const queued = await page.evaluate((N) => Promise.all(Array.from({ length: N }, (_, seq) => window.ch.message({ seq }))), N);
  assert.deepEqual(new Set(queued), new Set(['queued']));
  await page.evaluate(() => {
    window.lost = window.t.next(window.ch, 'connection_status', (f) => f.payload.status === 'disconnected', 90_000);
  });
  await context.setOffline(false);
  // The server freezes once the flush is under way: the socket stays open, nothing comes back.
  for (let i = 0; ((await first.admin('stats')).channels['liveness/long-freeze']?.messages ?? 0) < 50; i++) {
    assert.ok(i < 3000, 'the flush started');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  first.process.kill('SIGSTOP');
  try {
    await allStopped(first.process.pid);
    // Frozen longer than any wait of the flush's for an echo (the fault is a long freeze); after
    // 20 s without an answer the client also takes the socket for dead and tries new ones, which
    // the frozen server never answers.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 35_000)));
  } finally {
    await killNow(first);
  }
  await page.evaluate(() => window.lost);
  const second = await startPageServer({ config: CONFIG, args: ['--listen', `127.0.0.1:${port}`] });
  try {
    const r = await page.evaluate((N) => window.t.drained(window.ch, window.heard, N), N);
    // Nothing lost: every message reached a server (the first one's echoes, then the second's).
    assert.equal(r.firstArrivals.length, N, `${N - r.firstArrivals.length} messages were lost`);
    assert.deepEqual(r.firstArrivals, Array.from({ length: N }, (_, i) => i), 'first arrivals in order');
    assert.equal(r.pending, 0);
    await page.evaluate(() => window.ch.close());
  } finally {
    await context.close();
    await second.stop();
  }
  assert.deepEqual(errors, []);
});

test('a queued message the server refuses without naming its channel (too large) does not hold the queue back', async () => {
  const { page, errors, context } = await openPage(browser, server);
  await page.evaluate(async (host) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database: `refused-${Math.random()}` } });
    window.ch = xrt.openChannel('liveness/refused', { queueOfflineActions: true });
    await t.next(window.ch, 'connection_status', (f) => f.payload.status === 'connected');
  }, server.host);
  await context.setOffline(true);
  await page.waitForFunction(() => window.xrt.connectionState() === 'offline');
  // The second is over the server's 256 KiB: it answers with an error that names no channel, and
  // never echoes it.
  const queued = await page.evaluate(() => Promise.all([window.ch.message({ seq: 0 }), window.ch.message({ big: 'x'.repeat(300 * 1024) })]));
  assert.deepEqual(queued, ['queued', 'queued']);
  const first = page.evaluate(() => window.t.next(window.ch, 'message', (f) => f.payload.seq === 0));
  await context.setOffline(false);
  await first;
  // The flush is left with the refused frame in flight. A message sent now is stored (the flush
  // is not done), sent at once, and its echo confirms the refused frame before it: the queue
  // empties well before any 30 s wait would end.
  const r = await page.evaluate(async () => {
    const { t, ch, xrt } = window;
    const echoed = t.next(ch, 'message', (f) => f.payload.seq === 1, 10_000);
    const drained = t.next(ch, 'queue', (f) => f.payload.pending === 0, 10_000);
    const outcome = await ch.message({ seq: 1 });
    await echoed;
    await drained;
    return { outcome, pending: await ch.pending(), unconfirmed: xrt.clientStats().unconfirmed };
  });
  assert.deepEqual(r, { outcome: 'queued', pending: 0, unconfirmed: 0 });
  const stats = await server.admin('stats');
  assert.equal(stats.channels['liveness/refused'].messages, 2, 'the two the server took, each once');
  assert.deepEqual(errors, []);
  await context.close();
});

// A message over the server transport's 16 MiB closes every socket that carries it (1009, Message
// Too Big). Sent again after each reconnect, it would hold the channel's queue, and every other
// channel's connection, for good.
for (const queued of [false, true]) {
  const how = queued ? 'queued while offline' : 'sent directly';
  test(`a message too big for the server (it closes the connection with 1009), ${how}: taken out, the app told, the rest delivered`, async () => {
    const name = `liveness/too-big-${queued}`;
    const { page, errors, context } = await openPage(browser, server);
    await page.evaluate(async ({ host, name }) => {
      const { xrt, t } = window;
      t.configure(host, { queue: { database: `too-big-${Math.random()}` } });
      window.ch = xrt.openChannel(name, { queueOfflineActions: true });
      window.heard = [];
      window.ch.on('message', (f) => window.heard.push(f.payload.seq));
      window.errorFrames = [];
      window.ch.on('error', (f) => window.errorFrames.push(f.payload.message));
      await t.next(window.ch, 'connection_status', (f) => f.payload.status === 'connected');
      await t.direct(window.ch);
    }, { host: server.host, name });
    if (queued) {
      await context.setOffline(true);
      await page.waitForFunction(() => window.xrt.connectionState() === 'offline');
    }
    const outcomes = await page.evaluate(async () => {
      const { t, ch, xrt } = window;
      window.sockets = xrt.clientStats().socketsOpened;
      window.lastArrived = t.next(ch, 'message', (f) => f.payload.seq === 2, 30_000);
      return Promise.all([ch.message({ seq: 0 }), ch.message({ seq: 1, big: 'x'.repeat(17 * 1024 * 1024) }), ch.message({ seq: 2 })]);
    });
    assert.deepEqual(outcomes, queued ? ['queued', 'queued', 'queued'] : ['sent', 'sent', 'sent']);
    if (queued) await context.setOffline(false);
    const r = await page.evaluate(async () => {
      const { t, ch, xrt } = window;
      await window.lastArrived;
      // The flush deletes what the server confirmed in batches: wait for the queue to report empty.
      while ((await ch.pending()) !== 0) await t.next(ch, 'queue', () => true, 10_000);
      return {
        heard: window.heard.filter((seq) => seq !== undefined),
        errors: window.errorFrames,
        reconnects: xrt.clientStats().socketsOpened - window.sockets,
        pending: await ch.pending(),
        unconfirmed: xrt.clientStats().unconfirmed,
      };
    });
    // The socket that carried it was closed once; the next one delivered the rest (queued: one
    // socket more, the one opened when the browser came back online).
    assert.deepEqual(r.heard, [0, 2]);
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
    assert.match(r.errors[0], /too big for the server \(1009\): not delivered, not sent again/);
    assert.equal(r.reconnects, queued ? 2 : 1);
    assert.equal(r.pending, 0);
    assert.equal(r.unconfirmed, 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('a message too big for the server on a channel without the queue: lost with the socket, the app told, the channel back', async () => {
  const name = 'liveness/too-big-plain';
  const { page, errors, context } = await openPage(browser, server);
  const r = await page.evaluate(async ({ host, name }) => {
    const { xrt, t } = window;
    t.configure(host);
    const ch = xrt.openChannel(name);
    const heard = [];
    ch.on('message', (f) => heard.push(f.payload.seq));
    await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
    const told = t.next(ch, 'error', (f) => f.payload.message.includes('1009'), 30_000);
    const back = t.next(ch, 'connection_status', (f) => f.payload.status === 'connected', 30_000);
    const outcomes = [await ch.message({ seq: 0 }), await ch.message({ seq: 1, big: 'x'.repeat(17 * 1024 * 1024) })];
    const message = (await told).payload.message;
    await back;
    const after = t.next(ch, 'message', (f) => f.payload.seq === 2);
    await ch.message({ seq: 2 });
    await after;
    return { outcomes, message, heard };
  }, { host: server.host, name });
  assert.deepEqual(r.outcomes, ['sent', 'sent']);
  assert.match(r.message, /a message of \d+ characters is too big for the server \(1009\): not delivered/);
  assert.deepEqual(r.heard, [0, 2]);
  assert.deepEqual(errors, []);
  await context.close();
});

// A WebSocket that never touches the network: the test plays the server.
function fakeServer() {
  class FakeWebSocket extends EventTarget {
    constructor(url) {
      super();
      this.url = url;
      this.readyState = 0;
      this.bufferedAmount = 0;
      this.sent = [];
      this.waiters = [];
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      FakeWebSocket.all.push(this);
      setTimeout(() => this.fire('open', new Event('open'), 1), 0);
    }
    fire(type, ev, state) {
      if (state !== undefined) this.readyState = state;
      this.dispatchEvent(ev);
      if (this['on' + type]) this['on' + type](ev);
    }
    send(text) {
      if (this.readyState !== 1) throw new DOMException('not open', 'InvalidStateError');
      this.sent.push(JSON.parse(text));
      for (const w of this.waiters.splice(0)) w();
    }
    close() {
      this.readyState = 3;
    }
    // Resolves once `count` message frames were sent on this socket.
    async messages(count) {
      while (this.sent.filter((f) => f.action === 'message').length < count) {
        await new Promise((resolve) => this.waiters.push(resolve));
      }
      return this.sent.filter((f) => f.action === 'message');
    }
    // A frame from the server.
    deliver(frame) {
      this.fire('message', new MessageEvent('message', { data: JSON.stringify(frame) }));
    }
    // The connection is lost (no close frame).
    drop() {
      this.fire('close', new CloseEvent('close', { code: 1006 }), 3);
    }
  }
  FakeWebSocket.all = [];
  FakeWebSocket.OPEN = 1;
  window.WebSocket = FakeWebSocket;
  window.echo = (ws, channel, payload, socketId) =>
    ws.deliver({
      action: 'message',
      options: { channel, authenticated: false, socketId: null },
      payload,
      client: { socketId, extras: {}, permissions: { dbo_id: 0, row_id: 0 } },
    });
}

test('identical payloads from another member never confirm our messages', async () => {
  const { page, errors, context } = await openPage(browser, server, { initScript: fakeServer });
  const r = await page.evaluate(async () => {
    const { xrt, t } = window;
    t.configure('127.0.0.1:9', { queue: { database: `echo-${Math.random()}` } });
    const ch = xrt.openChannel('same', { queueOfflineActions: true });
    await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
    const first = WebSocket.all[0];
    // A peer who joined after us is someone else; our own echo tells us who we are.
    first.deliver({ action: 'presence_update', options: { channel: 'same' }, payload: { action: 'join', presence: { socketId: 'late-peer', extras: {}, permissions: { dbo_id: 0, row_id: 0 } } } });
    await ch.message({ n: 0 });
    await first.messages(1);
    window.echo(first, 'same', { n: 0 }, 'me');
    await ch.message({ n: 1 });
    await ch.message({ n: 2 });
    await first.messages(3);
    // Another member sends exactly what we sent, before our echoes come back.
    window.echo(first, 'same', { n: 1 }, 'peer');
    window.echo(first, 'same', { n: 2 }, 'late-peer');
    const reconnected = t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
    first.drop();
    await reconnected;
    const second = WebSocket.all[WebSocket.all.length - 1];
    // The flush of what was put back: n 1 and 2 again (n 0 was confirmed by our own echo).
    const again = (await second.messages(2)).map((f) => f.payload.n);
    for (const n of again) window.echo(second, 'same', { n }, 'me-again');
    await t.next(ch, 'queue', (f) => f.payload.pending === 0, 5000).catch(() => null);
    return { again, pending: await ch.pending() };
  });
  assert.deepEqual(r.again, [1, 2], 'both were sent again, in order');
  assert.equal(r.pending, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('messages the server does not echo are not kept once the browser has sent them: a queue channel stays bounded', async () => {
  const { page, errors, context } = await openPage(browser, server);
  const name = 'liveness/bounded';
  const first = await page.evaluate(async ({ host, name }) => {
    const { xrt, t } = window;
    t.configure(host, { queue: { database: `bounded-${Math.random()}` } });
    const ch = xrt.openChannel(name, { queueOfflineActions: true });
    await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
    window.bounded = ch;
    // A flush of a queued authenticated probe ends once the browser has sent it (no echo will
    // come; t.next fails after 15 s).
    const probes = await t.direct(ch, { authenticated: true });
    const sent = [];
    for (let n = 0; n < 200; n++) sent.push(ch.message({ n }, { authenticated: true }));
    const results = await Promise.all(sent);
    return { probes, results: Array.from(new Set(results)), kept: xrt.clientStats().unconfirmed };
  }, { host: server.host, name });
  assert.deepEqual(first.results, ['sent']);
  // Kept while the browser may still hold them (a look every 64 sends finds them in its buffer).
  assert.ok(first.kept > 64, `kept while in flight: ${first.kept}`);
  // The server counted them all: the browser has sent them.
  const total = first.probes + 200;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const stats = await server.admin('stats');
    if (stats.channels[name]?.messages === total) break;
    assert.ok(Date.now() < deadline, `the server counted ${stats.channels[name]?.messages} of ${total}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // 64 more: one of them is a 64th and looks at what the browser has sent, and the first ones go
  // (without that look all of them would stay until the socket closes).
  const after = await page.evaluate(async () => {
    for (let n = 200; n < 264; n++) await window.bounded.message({ n }, { authenticated: true });
    return window.xrt.clientStats().unconfirmed;
  });
  assert.ok(after <= 64, `kept after the browser sent the first ${total}: ${after}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a connection that goes quiet without closing is taken for dead after 20 s without the answer the server owed: the client reconnects and every message arrives', async () => {
  const proxy = await blackholeProxy(server.port);
  const { page, errors, context } = await openPage(browser, server);
  try {
    await page.evaluate(async (host) => {
      const { xrt, t } = window;
      t.configure(host, { queue: { database: `quiet-${Math.random()}` } });
      window.states = [];
      xrt.onConnectionState((state, detail) => window.states.push([state, detail.reason]));
      window.ch = xrt.openChannel('liveness/quiet', { queueOfflineActions: true });
      window.heard = [];
      window.ch.on('message', (f) => f.payload.seq !== undefined && window.heard.push(f.payload.seq));
      await t.next(window.ch, 'connection_status', (f) => f.payload.status === 'connected');
      await t.direct(window.ch);
      window.lost = t.next(window.ch, 'connection_status', (f) => f.payload.status === 'disconnected', 60_000);
    }, proxy.host);
    // The network goes quiet: the socket stays open, nothing reaches the server or comes back.
    proxy.blackhole();
    const t0 = await page.evaluate(() => performance.now());
    const sent = await page.evaluate(() => Promise.all(Array.from({ length: 20 }, (_, seq) => window.ch.message({ seq }))));
    assert.deepEqual(sent, Array(20).fill('sent'), 'the quiet socket looks open');
    const r = await page.evaluate(async (t0) => {
      await window.lost;
      const quietFor = performance.now() - t0;
      const { firstArrivals, pending } = await window.t.drained(window.ch, window.heard, 20);
      return { quietFor, firstArrivals, pending, states: window.states, state: window.xrt.connectionState() };
    }, t0);
    assert.ok(r.quietFor >= 19_500, `taken for dead only after 20 s of silence (${Math.round(r.quietFor)} ms)`);
    assert.ok(r.states.some(([s, reason]) => s === 'reconnecting' && /no answer from the server for 20 s/.test(reason)), JSON.stringify(r.states));
    assert.equal(r.state, 'open');
    // Sent again on the new connection: every message reached the server, first arrivals in order.
    assert.deepEqual(r.firstArrivals, Array.from({ length: 20 }, (_, i) => i));
    const history = await server.admin('history?channel=liveness/quiet');
    const seqs = history.history.map((f) => f.payload.seq).filter((seq) => seq !== undefined);
    assert.deepEqual([...new Set(seqs)], Array.from({ length: 20 }, (_, i) => i));
    assert.equal(r.pending, 0);
    await page.evaluate(() => window.ch.close());
  } finally {
    await context.close();
    await proxy.stop();
  }
  assert.deepEqual(errors, []);
});

test('a healthy connection is never taken for dead: a message every second for 25 s, each echoed, one socket throughout', async () => {
  const { page, errors, context } = await openPage(browser, server);
  try {
    const r = await page.evaluate(async (host) => {
      const { xrt, t } = window;
      t.configure(host, { queue: { database: `healthy-${Math.random()}` } });
      const ch = xrt.openChannel('liveness/healthy', { queueOfflineActions: true });
      const statuses = [];
      ch.on('connection_status', (f) => statuses.push(f.payload.status));
      await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
      // Longer than the silence that ends a socket (20 s), with the server answering throughout.
      for (let seq = 0; seq < 25; seq++) {
        const echo = t.next(ch, 'message', (f) => f.payload.seq === seq);
        await ch.message({ seq });
        await echo;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      return { statuses, state: xrt.connectionState(), sockets: xrt.clientStats().socketsOpened };
    }, server.host);
    assert.deepEqual(r.statuses, ['connected']);
    assert.equal(r.state, 'open');
    assert.equal(r.sockets, 1);
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, []);
});
