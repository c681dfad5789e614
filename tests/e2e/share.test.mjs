// One connection per browser (`configure({ shareConnection: true })`, API.md §1a): several pages
// of one browser context, the package (pkg/) in headless Chromium, the local server counting
// connections and members (`/admin/stats`).
//
//   scripts/build.sh && cargo build -p xano-realtime-server
//   node --test tests/e2e/share.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageServerForTests } from './fault-support.mjs';

const CONFIG = `
[[channel]]
pattern = "*"
history = 1000
anonymous_send = true

[[token]]
token = "alice-token"
dbo_id = 1
row_id = 1
extras = { name = "Alice" }

[[token]]
token = "bob-token"
dbo_id = 1
row_id = 2
extras = { name = "Bob" }
`;

let server;
let browser;
pageServerForTests({ config: CONFIG }, (s, b) => {
  server = s;
  browser = b;
});

// Browser-side helpers of every tab.
function TAB_HELPERS() {
  window.tab = {
    // Configures (shared unless told otherwise) and opens `name`, recording its frames.
    open(host, name, options = {}, config = {}) {
      window.xrt.configure({
        instanceBaseUrl: `http://${host}`,
        realtimeConnectionCanonical: 'dev',
        reconnect: { minDelayMs: 100, maxDelayMs: 400 },
        shareConnection: true,
        ...config,
      });
      const ch = window.xrt.openChannel(name, options);
      window.frames = window.frames || {};
      window.frames[name] = [];
      ch.on('*', (f) => window.frames[name].push(f));
      return ch;
    },
    // Resolves once `pred(frames of name)` holds (checked on each frame of the channel).
    until(name, pred, ms = 15000) {
      return new Promise((resolve, reject) => {
        const ch = window.xrt.getChannel(name);
        let off = () => {};
        const check = () => {
          if (!pred(window.frames[name])) return false;
          off();
          clearTimeout(timer);
          resolve(window.frames[name]);
          return true;
        };
        const timer = setTimeout(() => {
          off();
          reject(new Error(`timed out on ${name}: ${JSON.stringify(window.frames[name].map((f) => f.action))}`));
        }, ms);
        off = ch.on('*', () => check());
        check();
      });
    },
    messages(name, key) {
      return window.frames[name].filter((f) => f.action === 'message' && f.payload && f.payload[key] !== undefined).map((f) => f.payload[key]);
    },
  };
}

async function openTabs(context, n) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(String(e)));
    await page.addInitScript(TAB_HELPERS);
    await page.goto(`${server.url}/index.html`);
    await page.evaluate(() => window.ready);
    pages.push(page);
  }
  return pages;
}

const stats = () => server.admin('stats');
const roles = (pages) => Promise.all(pages.map((p) => p.evaluate(() => window.xrt.clientStats().shared)));
// Resolves once one of `pages` leads with an open socket.
const newLeader = (pages, what) =>
  until(
    () => Promise.all(pages.map((p) => p.evaluate(() => [window.xrt.clientStats().shared, window.xrt.connectionState()]))),
    (v) => v.some(([role, state]) => role === 'leader' && state === 'open'),
    what,
  );

// Polls `read()` until `pred` holds of its result: the server's state has no event to wait for.
async function until(read, pred, what, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (pred(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const serverUntil = (pred, what) => until(stats, pred, what);

async function openShared(pages, name, options) {
  for (const page of pages) {
    await page.evaluate(({ host, name, options }) => window.tab.open(host, name, options), { host: server.host, name, options });
  }
  await Promise.all(
    pages.map((p) =>
      p.evaluate((name) => window.tab.until(name, (fs) => fs.some((f) => f.action === 'connection_status' && f.payload.status === 'connected')), name),
    ),
  );
}

test('four tabs share one socket and count as one member; a peer reaches each tab once; each tab is heard once, in order', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const pages = await openTabs(context, 4);
  await openShared(pages, 'share/four', { presence: true });
  const r = await roles(pages);
  assert.equal(r.filter((x) => x === 'leader').length, 1, r.join());
  assert.equal(r.filter((x) => x === 'follower').length, 3, r.join());
  const s = await serverUntil((s) => s.channels['share/four']?.members === 1, 'one member');
  assert.equal(s.connections, 1);
  // A peer in another context (its own socket).
  const other = await browser.newContext();
  const [peer] = await openTabs(other, 1);
  await peer.evaluate((host) => window.tab.open(host, 'share/four', {}, { shareConnection: false }), server.host);
  await peer.evaluate(() => window.tab.until('share/four', (fs) => fs.some((f) => f.action === 'connection_status')));
  await peer.evaluate(() => window.xrt.getChannel('share/four').message({ peer: 1 }));
  // Each tab sends 5 messages.
  await Promise.all(
    pages.map((p, i) =>
      p.evaluate(async (i) => {
        const ch = window.xrt.getChannel('share/four');
        for (let n = 0; n < 5; n++) await ch.message({ tab: i * 10 + n });
      }, i),
    ),
  );
  for (const page of pages) {
    const heard = await page.evaluate(() =>
      window.tab.until('share/four', () => window.tab.messages('share/four', 'peer').length >= 1 && window.tab.messages('share/four', 'tab').length >= 20),
    );
    assert.ok(heard);
    const got = await page.evaluate(() => ({ peer: window.tab.messages('share/four', 'peer'), tab: window.tab.messages('share/four', 'tab') }));
    assert.deepEqual(got.peer, [1], 'the peer once');
    assert.equal(got.tab.length, 20, 'every tab heard once');
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(got.tab.filter((n) => Math.floor(n / 10) === i), [0, 1, 2, 3, 4].map((n) => i * 10 + n), `tab ${i} in order`);
    }
  }
  const history = await server.admin('history?channel=share/four');
  assert.equal(history.history.filter((f) => f.payload.tab !== undefined).length, 20, 'each send arrived once');
  for (const page of pages) assert.deepEqual(page.errors, []);
  await other.close();
  await context.close();
});

test('a channel open in one tab only is joined, then left when that tab closes it', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const pages = await openTabs(context, 3);
  await openShared(pages, 'share/common', {});
  await openShared([pages[2]], 'share/solo', { presence: true });
  await serverUntil((s) => s.channels['share/solo']?.members === 1 && s.connections === 1, 'solo joined');
  await pages[2].evaluate(() => window.xrt.closeChannel('share/solo'));
  const s = await serverUntil((s) => s.channels['share/solo']?.members === 0, 'solo left');
  assert.equal(s.channels['share/common'].members, 1);
  assert.equal(s.connections, 1);
  await context.close();
});

test('closing the leader, then the next one: one socket each time, and the remaining tabs hear the next message once', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const pages = await openTabs(context, 3);
  await openShared(pages, 'share/handover', {});
  const peerContext = await browser.newContext();
  const [peer] = await openTabs(peerContext, 1);
  await peer.evaluate((host) => window.tab.open(host, 'share/handover', {}, { shareConnection: false }), server.host);
  await peer.evaluate(() => window.tab.until('share/handover', (fs) => fs.some((f) => f.action === 'connection_status')));
  let alive = pages.slice();
  for (const round of [1, 2]) {
    const r = await roles(alive);
    const leader = alive[r.indexOf('leader')];
    alive = alive.filter((p) => p !== leader);
    await leader.close();
    // A new leader's socket is open; then the server counts it and the peer's only once the old
    // leader's socket is gone (right after the close, the server may still count the old one).
    await newLeader(alive, `a new leader's socket (round ${round})`);
    await serverUntil((s) => s.connections === 2 && s.channels['share/handover']?.members === 2, `the new leader joined (round ${round})`);
    // The next message reaches every remaining tab once, over the new leader's socket.
    await peer.evaluate((round) => window.xrt.getChannel('share/handover').message({ round }), round);
    for (const page of alive) {
      await page.evaluate((round) => window.tab.until('share/handover', () => window.tab.messages('share/handover', 'round').includes(round)), round);
      const rounds = await page.evaluate(() => window.tab.messages('share/handover', 'round'));
      assert.equal(rounds.filter((x) => x === round).length, 1, `round ${round} heard once`);
    }
    const now = await roles(alive);
    assert.equal(now.filter((x) => x === 'leader').length, 1, now.join());
  }
  await peerContext.close();
  await context.close();
});

test('a leader that is frozen hands over, and rejoins as a follower when it resumes', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const pages = await openTabs(context, 3);
  await openShared(pages, 'share/frozen', {});
  const r = await roles(pages);
  const leader = pages[r.indexOf('leader')];
  const others = pages.filter((p) => p !== leader);
  // Chrome fires `freeze` on a page before it stops its tasks (Page Lifecycle). Headless Chromium
  // does not fire it through CDP's Page.setWebLifecycleState, so the test dispatches the event the
  // browser would, and the page goes on running: what it does on `freeze` is what is checked.
  await leader.evaluate(() => document.dispatchEvent(new Event('freeze')));
  assert.equal(await leader.evaluate(() => window.xrt.clientStats().shared), 'off', 'the frozen tab left the group');
  await newLeader(others, "a new leader's socket among the others");
  await serverUntil((s) => s.connections === 1 && s.channels['share/frozen']?.members === 1, 'one socket, one member');
  await others[0].evaluate(() => window.xrt.getChannel('share/frozen').message({ after: 'freeze' }));
  for (const page of others) {
    await page.evaluate(() => window.tab.until('share/frozen', () => window.tab.messages('share/frozen', 'after').length >= 1));
    assert.deepEqual(await page.evaluate(() => window.tab.messages('share/frozen', 'after')), ['freeze']);
  }
  await leader.evaluate(() => document.dispatchEvent(new Event('resume')));
  const all = await until(() => roles(pages), (rr) => rr.filter((x) => x === 'leader').length === 1 && rr.every((x) => x !== 'off'), 'one leader again');
  assert.equal(all.filter((x) => x === 'follower').length, 2);
  await serverUntil((s) => s.connections === 1, 'still one socket');
  await context.close();
});

test('a leader killed mid-send (no pagehide) loses nothing the other tabs sent', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const pages = await openTabs(context, 3);
  await openShared(pages, 'share/killed', { queueOfflineActions: true });
  const r = await roles(pages);
  const leader = pages[r.indexOf('leader')];
  const followers = pages.filter((p) => p !== leader);
  // The followers send 50 messages each, and the leader's renderer crashes in the middle.
  const sending = followers.map((p, i) =>
    p.evaluate(async (i) => {
      const ch = window.xrt.getChannel('share/killed');
      const results = [];
      for (let n = 0; n < 50; n++) {
        results.push(ch.message({ from: i, n }));
        if (n === 10) window.sentTen = true;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return Promise.all(results);
    }, i),
  );
  await followers[0].waitForFunction(() => window.sentTen === true);
  const cdp = await context.newCDPSession(leader);
  const crashed = leader.waitForEvent('crash');
  // The command itself never answers: the page it would answer from is gone.
  cdp.send('Page.crash').catch(() => {});
  await crashed;
  const outcomes = await Promise.all(sending);
  for (const o of outcomes) assert.ok(o.every((x) => x === 'sent' || x === 'queued'), JSON.stringify(o));
  await serverUntil((s) => s.connections === 1, 'the new leader alone');
  // Every message arrives (at least once).
  const complete = (got) => [0, 1].every((i) => new Set(got.filter((p) => p.from === i).map((p) => p.n)).size === 50);
  const got = await until(
    async () => (await server.admin('history?channel=share/killed')).history.map((f) => f.payload),
    complete,
    'every message of both tabs',
  ).catch((e) => {
    throw e;
  });
  for (const i of [0, 1]) assert.equal(new Set(got.filter((p) => p.from === i).map((p) => p.n)).size, 50);
  await context.close();
});

for (const closed of ['follower', 'leader']) {
  test(`the browser offline with shared tabs: every tab queues, the ${closed} closed meanwhile, all delivered once online, each tab in order`, { timeout: 60_000 }, async () => {
    await offlineWithSharedTabs(closed);
  });
}

async function offlineWithSharedTabs(closed) {
  const context = await browser.newContext();
  try {
    await offlineWithSharedTabsIn(context, closed);
  } finally {
    // Also when it fails: its socket would be counted by the tests after it.
    await context.close();
  }
}

// Resolves with the channel's pending count once it is 0, or after `n` queue events.
function pendingSettled({ name, n }) {
  const ch = window.xrt.getChannel(name);
  return (async () => {
    for (let i = 0; i < n; i++) {
      const pending = await ch.pending();
      if (pending === 0) return 0;
      await new Promise((resolve) => {
        const off = ch.on('queue', () => {
          off();
          resolve();
        });
      });
    }
    return ch.pending();
  })();
}

async function offlineWithSharedTabsIn(context, closed) {
  const pages = await openTabs(context, 3);
  const name = `share/offline-${closed}`;
  await openShared(pages, name, { queueOfflineActions: true });
  await context.setOffline(true);
  for (const p of pages) await p.waitForFunction(() => window.xrt.connectionState() === 'offline');
  // Each tab sends 40 while offline.
  const outcomes = await Promise.all(
    pages.map((p, i) =>
      p.evaluate(
        ({ name, i }) => {
          const ch = window.xrt.getChannel(name);
          return Promise.all(Array.from({ length: 40 }, (_, n) => ch.message({ from: i, n })));
        },
        { name, i },
      ),
    ),
  );
  for (const o of outcomes) assert.deepEqual(o, Array(40).fill('queued'));
  // One tab is closed while still offline: what it queued is the other tabs' to deliver.
  const r = await roles(pages);
  const gone = pages[r.indexOf(closed)];
  // As a user closes a tab (pagehide runs), and only once it is gone.
  const isGone = gone.waitForEvent('close');
  await gone.close({ runBeforeUnload: true });
  await isGone;
  const alive = pages.filter((p) => p !== gone);
  await context.setOffline(false);
  // Every message arrives, the first arrivals of each tab in the order it sent them.
  const complete = (got) => [0, 1, 2].every((i) => new Set(got.filter((p) => p.from === i).map((p) => p.n)).size === 40);
  const got = await until(async () => (await server.admin(`history?channel=${name}`)).history.map((f) => f.payload), complete, 'every message of the three tabs');
  for (const i of [0, 1, 2]) {
    const firsts = [];
    for (const p of got) if (p.from === i && !firsts.includes(p.n)) firsts.push(p.n);
    assert.deepEqual(firsts, Array.from({ length: 40 }, (_, n) => n), `tab ${i}: first arrivals in order`);
  }
  // The flush deletes what the server confirmed once the echoes are in: each tab hears the queue
  // report empty.
  const pending = await Promise.all(alive.map((p) => p.evaluate(pendingSettled, { name, n: 50 })));
  assert.deepEqual(pending, [0, 0]);
  await serverUntil((s) => s.connections === 1, 'one socket for the two tabs left');
  for (const page of pages) assert.deepEqual(page.errors, []);
}

// A follower's message over the server transport's 16 MiB: the server closes the shared socket
// with 1009. The leader takes it out (it is not sent again) and the tab that sent it is told, not
// the leader's page.
for (const queue of [true, false]) {
  test(`a follower's message too big for the server (1009), ${queue ? 'on a queue channel' : 'on a channel without the queue'}: the follower is told, the leader's page is not, the rest arrives`, { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    try {
      await tooBigFromFollower(context, queue);
    } finally {
      await context.close();
    }
  });
}

async function tooBigFromFollower(context, queue) {
    const pages = await openTabs(context, 2);
    const name = `share/too-big-${queue}`;
    await openShared(pages, name, { queueOfflineActions: queue });
    const r = await roles(pages);
    const follower = pages[r.indexOf('follower')];
    const leader = pages[r.indexOf('leader')];
    assert.ok(follower && leader, r.join());
    for (const page of pages) await page.evaluate((name) => window.xrt.getChannel(name).on('error', () => {}), name);
    const outcomes = await follower.evaluate(async (name) => {
      const ch = window.xrt.getChannel(name);
      // Right after joining, a queue channel's sends go through its queue until its first flush
      // is done: probe until one goes straight to the socket.
      for (let probe = 0; ; probe++) {
        const seen = window.frames[name].length;
        if ((await ch.message({ probe })) === 'sent') break;
        await window.tab.until(name, (fs) => fs.slice(seen).some((f) => f.action === 'queue' && f.payload.pending === 0));
      }
      const told = window.tab.until(name, (fs) => fs.some((f) => f.action === 'error'), 30_000);
      const outcomes = [await ch.message({ seq: 0 }), await ch.message({ seq: 1, big: 'x'.repeat(17 * 1024 * 1024) })];
      await told;
      // The shared socket was closed: once it is back (a channel without the queue refuses sends
      // until then), the next message.
      const status = (f) => (f.action === 'connection_status' ? f.payload.status : null);
      await window.tab.until(name, (fs) => {
        const lost = fs.findLastIndex((f) => status(f) === 'disconnected');
        return lost >= 0 && fs.slice(lost).some((f) => status(f) === 'connected');
      });
      await ch.message({ seq: 2 });
      await window.tab.until(name, () => window.tab.messages(name, 'seq').includes(2), 30_000);
      return outcomes;
    }, name);
    assert.deepEqual(outcomes, ['sent', 'sent']);
    const got = await follower.evaluate((name) => ({
      errors: window.frames[name].filter((f) => f.action === 'error').map((f) => f.payload.message),
      seqs: window.tab.messages(name, 'seq'),
    }), name);
    assert.equal(got.errors.length, 1, JSON.stringify(got.errors));
    assert.match(got.errors[0], /too big for the server \(1009\): not delivered, not sent again/);
    assert.deepEqual(got.seqs, [0, 2]);
    const leaderErrors = await leader.evaluate((name) => window.frames[name].filter((f) => f.action === 'error').length, name);
    assert.equal(leaderErrors, 0, "the leader's page did not send it");
    if (queue) assert.equal(await follower.evaluate((name) => window.xrt.getChannel(name).pending(), name), 0);
    for (const page of pages) assert.deepEqual(page.errors, []);
}

test('two tokens share two sockets; without shareConnection each tab has its own', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const pages = await openTabs(context, 4);
  const tokens = ['alice-token', 'alice-token', 'bob-token', 'bob-token'];
  for (const [i, page] of pages.entries()) {
    await page.evaluate(({ host, token }) => window.tab.open(host, 'share/tokens', { presence: true }, { realtimeAuthToken: token }), {
      host: server.host,
      token: tokens[i],
    });
  }
  await serverUntil((s) => s.connections === 2 && s.channels['share/tokens']?.members === 2, 'two sockets, two members');
  await context.close();
  await serverUntil((s) => s.connections === 0, 'all gone');
  const unshared = await browser.newContext();
  const tabs = await openTabs(unshared, 3);
  for (const page of tabs) {
    await page.evaluate((host) => window.tab.open(host, 'share/default', {}, { shareConnection: undefined }), server.host);
  }
  await serverUntil((s) => s.connections === 3, 'one socket per tab by default');
  assert.deepEqual(await roles(tabs), ['off', 'off', 'off']);
  await unshared.close();
});
