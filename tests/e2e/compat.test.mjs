// XanoClient, the drop-in for @xano/js-sdk's realtime (API.md §1b), against the local server in
// headless Chromium. The page (compat-page/index.html) imports the built package as an SDK user
// would and never calls init(); the tests drive it the way the SDK's users and WeWeb's plugin do.
//
//   scripts/build.sh && cargo build -q -p xano-realtime-server && node --test tests/e2e/compat.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, launchBrowser, startServer } from './support.mjs';

const CONFIG = `
[[channel]]
pattern = "room/*"
history = 25
anonymous_send = false

[[channel]]
pattern = "*"
anonymous_send = true

[[token]]
token = "alice-secret"
dbo_id = 1
row_id = 7
extras = { name = "Alice" }

[[token]]
token = "bob-secret"
dbo_id = 1
row_id = 8
extras = { name = "Bob" }
`;

let server;
let browser;
let dir;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'xano-rt-compat-'));
  copyFileSync(path.join(ROOT, 'tests/e2e/compat-page/index.html'), path.join(dir, 'index.html'));
  symlinkSync(path.join(ROOT, 'pkg'), path.join(dir, 'pkg'));
  server = await startServer({ config: CONFIG, static: [dir] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Opens the test page in a fresh context and creates `window.client`, a XanoClient with `token`
 * (null: anonymous). Nothing has loaded the wasm core before: the client does it.
 */
async function openPage(token) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().startsWith('xano-realtime')) errors.push(new Error(m.text()));
  });
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => window.pageReady === true);
  const uninitialised = await page.evaluate(() => {
    try {
      window.rt.openChannel('x');
    } catch (e) {
      return e.message;
    }
  });
  assert.match(uninitialised, /not initialised/, 'nothing loaded the core before the client');
  await page.evaluate((token) => {
    window.client = new window.XanoClient({
      instanceBaseUrl: location.origin,
      realtimeConnectionCanonical: 'dev',
      realtimeAuthToken: token,
      reconnect: { minDelayMs: 100, maxDelayMs: 500 },
    });
  }, token);
  return {
    context,
    page,
    errors,
    run: (fn, arg) => page.evaluate(fn, arg),
    /** The n-th frame with this action logged under `tag`. */
    wait: (tag, action, n = 1) => page.evaluate(([t, a, k]) => window.waitFor(t, a, k), [tag, action, n]),
    /** Every frame logged under `tag` (with this action). */
    seen: (tag, action) => page.evaluate(([t, a]) => window.seen(t, a), [tag, action]),
  };
}

const names = (clients) => clients.map((c) => c.extras.name ?? null);
const texts = (frames) => frames.map((f) => f.payload.text);

test('without init(): presence, history, listeners with and without an action, every kind of message', async () => {
  const channel = 'room/1';
  const alice = await openPage('alice-secret');
  // The page has not loaded the core; the client was constructed anyway, and channel() and on()
  // are usable at once (they are performed once the core is ready).
  const chained = await alice.run((channel) => {
    const ch = window.client.channel(channel, { presence: true, history: true });
    window.ch = ch;
    return ch.on(window.rec('all'), window.rec('err')) === ch && ch.on('message', window.rec('msg')) === ch;
  }, channel);
  assert.ok(chained, 'on() returns the channel');
  assert.equal(await alice.run(() => window.ch.channel), channel);

  const full = await alice.wait('all', 'presence_full');
  assert.deepEqual(names(full.payload.presence), ['Alice']);
  const aliceId = full.payload.presence[0].socketId;
  const first = (await alice.seen('all'))[0];
  assert.deepEqual(first, { action: 'connection_status', options: {}, payload: { status: 'connected' } });
  assert.deepEqual((await alice.wait('all', 'history')).payload.history, []);
  assert.equal(await alice.run(() => window.ch.message({ text: 'one' })), 'sent', 'message() resolves "sent"');
  assert.deepEqual((await alice.wait('msg', 'message')).payload, { text: 'one' });

  const bob = await openPage('bob-secret');
  await bob.run((channel) => {
    window.ch = window.client.channel(channel, { presence: true, history: true });
    window.ch.on(window.rec('all'), window.rec('err'));
  }, channel);
  const bobFull = await bob.wait('all', 'presence_full');
  assert.deepEqual(names(bobFull.payload.presence), ['Alice', 'Bob']);
  const bobId = bobFull.payload.presence[1].socketId;
  assert.deepEqual(texts((await bob.wait('all', 'history')).payload.history), ['one']);

  // An anonymous listener: it may join, not send. It asks for the history before the channel is
  // joined (before the core is even loaded): the request goes out once it is.
  const carol = await openPage(null);
  await carol.run((channel) => {
    window.ch = window.client.channel(channel, { presence: true });
    window.ch.on(window.rec('all'), window.rec('err')).on('message', window.rec('msg'));
    window.ch.history();
  }, channel);
  assert.equal((await carol.wait('all', 'presence_full')).payload.presence.length, 3);
  assert.deepEqual(texts((await carol.wait('all', 'history')).payload.history), ['one']);

  // getPresence() is synchronous and has each member once.
  await alice.wait('all', 'presence_update', 2);
  const presence = await alice.run(() => window.ch.getPresence().map((c) => c.socketId));
  assert.equal(presence.length, 3);
  assert.equal(new Set(presence).size, 3);
  assert.deepEqual(presence.slice(0, 2), [aliceId, bobId]);

  // Authenticated (to authenticated members only), private (through a presence member, and by
  // socketId), then public. Frames on one socket arrive in order: once the public one is there,
  // whatever else was coming has come.
  await alice.run(async (bobId) => {
    await window.ch.message({ text: 'auth' }, { authenticated: true });
    await window.ch.getPresence().find((c) => c.socketId === bobId).message({ text: 'psst' });
    await window.ch.message({ text: 'psst2' }, { socketId: bobId });
    await window.ch.message({ text: 'two' }, { socketId: null });
  }, bobId);
  await bob.wait('all', 'message', 4);
  const atBob = await bob.seen('all', 'message');
  assert.deepEqual(texts(atBob), ['auth', 'psst', 'psst2', 'two']);
  assert.deepEqual(atBob[0].options, { channel, authenticated: true, socketId: null });
  assert.deepEqual(atBob[1].options, { channel, authenticated: false, socketId: bobId });
  assert.equal(atBob[1].client.socketId, aliceId);
  assert.deepEqual(atBob[3].client.extras, { name: 'Alice' });
  await carol.wait('msg', 'message');
  assert.deepEqual(texts(await carol.seen('msg')), ['two'], 'the anonymous member gets the public message only');
  await alice.wait('msg', 'message', 2);
  assert.ok(!texts(await alice.seen('msg')).includes('psst'), 'a private message is not echoed to its sender');

  // The anonymous member may not send: the server's error frame goes to onError only.
  assert.equal(await carol.run(() => window.ch.message({ text: 'hello?' })), 'sent');
  const refused = await carol.wait('err', 'error');
  assert.equal(refused.options.channel, channel);
  assert.match(refused.payload.message, /Anonymous/);
  assert.deepEqual(await carol.seen('all', 'error'), [], 'onFunc never gets an error frame');
  assert.deepEqual(await carol.seen('msg', 'error'), []);
  assert.ok((await carol.seen('msg')).every((f) => f.action === 'message'), 'on("message") hears messages only');
  assert.deepEqual(await alice.seen('err'), []);

  // history(): public messages only.
  await bob.run(() => window.ch.history());
  assert.deepEqual(texts((await bob.wait('all', 'history', 2)).payload.history), ['one', 'two']);

  // A backend event reaches every listener without an action.
  await server.admin('event', { channel, data: { kind: 'deploy' } });
  for (const who of [alice, bob, carol]) {
    assert.deepEqual((await who.wait('all', 'event')).payload, { data: { kind: 'deploy' } });
  }

  // destroy(): Bob leaves; Alice's presence follows.
  await bob.run(() => window.ch.destroy());
  const leave = await alice.wait('all', 'presence_update', 3);
  assert.deepEqual([leave.payload.action, leave.payload.presence.socketId], ['leave', bobId]);
  assert.deepEqual(await alice.run(() => window.ch.getPresence().map((c) => c.extras.name ?? null)), ['Alice', null]);
  assert.equal((await server.admin('stats')).channels[channel].members, 2);

  for (const who of [alice, bob, carol]) {
    assert.deepEqual(who.errors, []);
    await who.context.close();
  }
});

test('destroy() then channel() of the same name, and two channels in a row, work; nothing stale', async () => {
  const p = await openPage(null);
  // Two channels in a row, before the core is even loaded.
  await p.run(() => {
    window.a = window.client.channel('open/a', { presence: true }).on(window.rec('a'));
    // The SDK's users send when they hear "connected": the channel is joined by then.
    window.b = window.client.channel('open/b', { presence: true }).on(window.rec('b'));
    window.b.on('connection_status', (f) => f.payload.status === 'connected' && window.b.message({ text: 'hello' }));
  });
  await p.wait('a', 'presence_full');
  await p.wait('b', 'presence_full');
  await p.run(() => window.a.message({ text: 'to a' }));
  await p.wait('a', 'message');
  await p.wait('b', 'message');
  assert.deepEqual(texts(await p.seen('b', 'message')), ['hello'], 'each channel hears its own frames');
  assert.deepEqual(texts(await p.seen('a', 'message')), ['to a']);

  // destroy() and channel() of the same name at once; the new listener starts with the new
  // channel's own frames, not with the last frame anyone saw.
  await p.run(() => {
    window.a.destroy();
    window.a2 = window.client.channel('open/a', { presence: true }).on(window.rec('a2'));
  });
  const full = await p.wait('a2', 'presence_full');
  assert.equal(full.payload.presence.length, 1, 'one member, no duplicate');
  const fresh = await p.seen('a2');
  assert.deepEqual(fresh[0].payload, { status: 'connected' });
  assert.ok(fresh.every((f) => f.action !== 'message'), 'no replayed message');
  assert.deepEqual(await p.run(() => window.a2.getPresence().length), 1);
  assert.deepEqual(await p.run(() => window.a.getPresence()), [], 'the destroyed channel has no members');

  await p.run(() => window.a2.message({ text: 'to a2' }));
  await p.wait('a2', 'message');
  assert.deepEqual(texts(await p.seen('a', 'message')), ['to a'], 'the destroyed channel hears nothing more');
  const stats = await server.admin('stats');
  assert.equal(stats.channels['open/a'].members, 1);
  assert.equal(stats.channels['open/b'].members, 1);
  assert.equal(await p.run(() => window.rt.clientStats().socketsOpened), 1);
  assert.deepEqual(p.errors, []);
  await p.context.close();
});

test('setRealtimeAuthToken + realtimeReconnect change the identity; open channels join again', async () => {
  const channel = 'room/token';
  const p = await openPage(null);
  await p.run((channel) => {
    window.ch = window.client.channel(channel, { presence: true }).on(window.rec('all'), window.rec('err'));
  }, channel);
  assert.deepEqual((await p.wait('all', 'presence_full')).payload.presence[0].extras, {});
  await p.run(() => window.ch.message('anonymous'));
  assert.match((await p.wait('err', 'error')).payload.message, /Anonymous/);

  // Login, as WeWeb's auth plugin does it.
  const login = await p.run(() => {
    const c = window.client;
    const before = c.hasRealtimeAuthToken();
    const chained = c.setAuthToken('alice-secret') === c && c.setRealtimeAuthToken('alice-secret') === c;
    return [before, chained, c.hasRealtimeAuthToken(), c.hasAuthToken(), c.realtimeReconnect() === c];
  });
  assert.deepEqual(login, [false, true, true, true, true]);
  // The server may still list the old socket in the new presence_full (its close is in flight);
  // its presence_update leave follows, and getPresence() then has Alice alone.
  const full = await p.wait('all', 'presence_full', 2);
  assert.equal(names(full.payload.presence).filter((n) => n === 'Alice').length, 1, 'joined again as Alice, once');
  await p.page.waitForFunction(() => window.ch.getPresence().map((c) => c.extras.name).join() === 'Alice');
  await p.run(() => window.ch.message({ text: 'as alice' }));
  const echo = await p.wait('all', 'message');
  assert.deepEqual([echo.payload.text, echo.client.extras.name], ['as alice', 'Alice']);

  // Logout.
  await p.run(() => {
    window.client.setAuthToken(null).setRealtimeAuthToken(null).realtimeReconnect();
  });
  const anonymous = await p.wait('all', 'presence_full', 3);
  assert.equal(anonymous.payload.presence.filter((c) => c.extras.name === undefined).length, 1);
  await p.page.waitForFunction(() => JSON.stringify(window.ch.getPresence().map((c) => c.extras)) === '[{}]');
  const has = await p.run(() => [window.client.hasRealtimeAuthToken(), window.client.hasAuthToken()]);
  assert.deepEqual(has, [false, false]);
  const statuses = (await p.seen('all', 'connection_status')).map((f) => f.payload.status);
  assert.deepEqual(statuses, ['connected', 'connected', 'connected']);
  assert.equal(await p.run(() => window.rt.clientStats().socketsOpened), 3, 'one socket per identity');
  assert.equal((await server.admin('stats')).channels[channel].members, 1);
  assert.deepEqual(p.errors, []);
  await p.context.close();
});

test('HTTP methods throw an Error naming @xano/js-sdk; bad arguments throw at once, naming what is wrong', async () => {
  const p = await openPage(null);
  const thrown = await p.run(() => {
    const attempt = (f) => {
      try {
        f();
        return null;
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    const c = window.client;
    return {
      http: ['get', 'post', 'put', 'patch', 'delete', 'head'].map((m) => attempt(() => c[m]('/user', {}))),
      canonical: attempt(() => new window.XanoClient({ instanceBaseUrl: location.origin }).channel('x')),
      base: attempt(() => new window.XanoClient({ realtimeConnectionCanonical: 'dev' }).channel('x')),
      url: attempt(() => {
        new window.XanoClient({ apiGroupBaseUrl: 'ftp://x', realtimeConnectionHash: 'dev' }).channel('x');
      }),
      config: attempt(() => new window.XanoClient('https://x.xano.io')),
      name: attempt(() => c.channel('')),
      option: attempt(() => c.channel('x', { presence: 'yes' })),
      onFunc: attempt(() => c.channel('open/args').on('message')),
      onError: attempt(() => c.channel('open/args').on(() => {}, 'no')),
      token: attempt(() => c.setRealtimeAuthToken('not a token')),
    };
  });
  ['get', 'post', 'put', 'patch', 'delete', 'head'].forEach((m, i) => {
    assert.match(thrown.http[i], new RegExp(`^Error: XanoClient\\.${m}\\(\\).*@xano/js-sdk`));
  });
  assert.match(thrown.canonical, /^Error: .*realtimeConnectionCanonical/);
  assert.match(thrown.base, /^Error: .*instanceBaseUrl/);
  assert.match(thrown.url, /^RangeError: instanceBaseUrl must start with https:\/\/ or http:\/\//);
  assert.match(thrown.config, /^TypeError: config must be an object/);
  assert.match(thrown.name, /^RangeError: channel name must not be empty/);
  assert.match(thrown.option, /^TypeError: options\.presence must be a boolean/);
  assert.match(thrown.onFunc, /^TypeError: onFunc must be a function/);
  assert.match(thrown.onError, /^TypeError: onError must be a function/);
  assert.match(thrown.token, /^RangeError: token holds characters/);
  assert.ok(!thrown.token.includes('not a token'), 'the token is not repeated');
  assert.deepEqual(p.errors, []);
  await p.context.close();
});

test('a page mixing XanoClient with openChannel shares one connection', async () => {
  const p = await openPage(null);
  await p.run(() => {
    window.x = window.client.channel('mix/x', { presence: true }).on(window.rec('x'));
  });
  await p.wait('x', 'presence_full');
  // The package's own API on the connection the client configured: no configure() call.
  await p.run(() => {
    const y = window.rt.openChannel('mix/y', { presence: true });
    y.on('*', window.rec('y'));
    window.rt.getChannel('mix/x').on('message', window.rec('x-api'));
  });
  await p.wait('y', 'presence_full');
  assert.equal(await p.run(() => window.rt.getChannel('mix/x').message({ text: 'from openChannel' })), 'sent');
  assert.equal(await p.run(() => window.x.message({ text: 'from XanoClient' })), 'sent');
  await p.wait('x', 'message', 2);
  assert.deepEqual(texts(await p.seen('x', 'message')), ['from openChannel', 'from XanoClient']);
  assert.deepEqual(texts(await p.seen('x-api', 'message')), ['from openChannel', 'from XanoClient']);
  assert.deepEqual(await p.seen('y', 'message'), []);
  const stats = await p.run(() => window.rt.clientStats());
  assert.equal(stats.socketsOpened, 1, 'one socket for both APIs');
  assert.equal(stats.channels, 2);
  // Destroying through one API closes the channel for both.
  await p.run(() => window.x.destroy());
  assert.equal(await p.run(() => window.rt.getChannel('mix/x')), undefined);
  assert.equal(await p.run(() => window.rt.connectionState()), 'open', 'mix/y keeps the connection');
  assert.deepEqual(p.errors, []);
  await p.context.close();
});

test('queueOfflineActions: a message sent in an outage survives a reload and is delivered once back', async () => {
  const channel = `queue/${Date.now()}`;
  const p = await openPage(null);
  const open = (channel) => {
    window.q = window.client.channel(channel, { queueOfflineActions: true }).on(window.rec('q'));
  };
  await p.run(open, channel);
  await p.wait('q', 'connection_status');
  await server.admin('refuse?ms=600000');
  try {
    await server.admin('drop');
    await p.wait('q', 'connection_status', 2);
    const statuses = (await p.seen('q', 'connection_status')).map((f) => f.payload.status);
    assert.deepEqual(statuses, ['connected', 'disconnected']);
    assert.equal(await p.run(() => window.q.message({ text: 'kept' })), 'queued');

    await p.page.reload();
    await p.page.waitForFunction(() => window.pageReady === true);
    await p.run(() => {
      window.client = new window.XanoClient({
        instanceBaseUrl: location.origin,
        realtimeConnectionCanonical: 'dev',
        reconnect: { minDelayMs: 100, maxDelayMs: 500 },
      });
    });
    await p.run(open, channel);
  } finally {
    await server.admin('refuse?ms=0');
  }
  const echo = await p.wait('q', 'message');
  assert.deepEqual(echo.payload, { text: 'kept' });
  assert.equal((await server.admin('stats')).channels[channel].messages, 1, 'delivered once');
  assert.deepEqual(p.errors, []);
  await p.context.close();
});
