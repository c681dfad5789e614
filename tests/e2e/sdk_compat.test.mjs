// The official @xano/js-sdk (3.0.1, from npm) against the local server, in headless Chromium.
//
//   cargo build -p xano-realtime-server && node --test tests/e2e/
//
// Two SDK clients (two browser contexts, tokens for Alice and Bob) join one channel, exchange
// public and private messages, see each other's presence, and receive history.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, launchBrowser, startServer } from './support.mjs';

const CONFIG = `
[[channel]]
pattern = "room/*"
history = 25
anonymous_send = false

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

before(async () => {
  server = await startServer({
    config: CONFIG,
    static: [
      path.join(ROOT, 'tests/e2e/sdk-page'),
      path.join(ROOT, 'node_modules/@xano/js-sdk/dist'),
    ],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  assert.equal(code, 0, 'the server exits 0 on SIGTERM');
});

/** Opens the SDK page in a fresh browser context and starts one SDK channel. */
async function openSdk(token, channel) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  await page.goto(`${server.url}/sdk.html`);
  await page.evaluate((opts) => window.sdk.start(opts), { token, channel });
  return {
    context,
    page,
    pageErrors,
    /** The n-th frame with this action the SDK delivered to the channel's listeners. */
    wait: (action, n = 1) => page.evaluate(([a, k]) => window.sdk.waitFor(a, k), [action, n]),
    run: (fn, arg) => page.evaluate(fn, arg),
  };
}

const names = (clients) => clients.map((c) => c.extras?.name ?? null);

test('two official SDK clients join, exchange messages, see each other\'s presence and get history', async () => {
  const channel = 'room/sdk';
  const alice = await openSdk('alice-secret', channel);

  const aliceFull = await alice.wait('presence_full');
  assert.equal(aliceFull.options.channel, channel);
  assert.deepEqual(names(aliceFull.payload.presence), ['Alice']);
  assert.deepEqual(aliceFull.payload.presence[0].permissions, { dbo_id: 1, row_id: 7 });
  const aliceId = aliceFull.payload.presence[0].socketId;
  assert.match(aliceId, /^[0-9a-f]{32}$/);
  assert.deepEqual((await alice.wait('history')).payload.history, []);

  // Two messages before Bob arrives: they reach Bob through history.
  await alice.run(() => {
    window.sdk.channel.message({ text: 'one' });
    window.sdk.channel.message({ text: 'two' });
  });
  const echo = await alice.wait('message', 2);
  assert.deepEqual(echo.payload, { text: 'two' });
  assert.equal(echo.client.socketId, aliceId, 'the sender receives its own public message');

  const bob = await openSdk('bob-secret', channel);
  const bobFull = await bob.wait('presence_full');
  assert.deepEqual(names(bobFull.payload.presence), ['Alice', 'Bob']);
  const bobId = bobFull.payload.presence[1].socketId;
  const bobHistory = await bob.wait('history');
  assert.deepEqual(bobHistory.payload.history.map((f) => f.payload.text), ['one', 'two']);
  assert.deepEqual(bobHistory.payload.history.map((f) => f.client.extras.name), ['Alice', 'Alice']);

  // Alice sees Bob arrive, and the SDK's presence cache follows.
  const join = await alice.wait('presence_update');
  assert.deepEqual(join.payload.action, 'join');
  assert.deepEqual(join.payload.presence.extras, { name: 'Bob' });
  assert.deepEqual(await alice.run(() => window.sdk.channel.getPresence().map((c) => c.extras.name)), ['Alice', 'Bob']);
  assert.deepEqual(await bob.run(() => window.sdk.channel.getPresence().map((c) => c.extras.name)), ['Alice', 'Bob']);

  // Bob talks; both receive it.
  await bob.run(() => window.sdk.channel.message({ text: 'three' }));
  const atAlice = await alice.wait('message', 3);
  assert.deepEqual(atAlice.payload, { text: 'three' });
  assert.equal(atAlice.client.socketId, bobId);
  assert.deepEqual(atAlice.client.extras, { name: 'Bob' });
  assert.deepEqual(atAlice.options, { channel, authenticated: false, socketId: null });
  assert.deepEqual((await bob.wait('message', 1)).payload, { text: 'three' });

  // A private message through the SDK's presence client object reaches Bob only.
  await alice.run((id) => {
    const peer = window.sdk.channel.getPresence().find((c) => c.socketId === id);
    peer.message({ text: 'psst' });
  }, bobId);
  const secret = await bob.wait('message', 2);
  assert.deepEqual(secret.payload, { text: 'psst' });
  assert.equal(secret.options.socketId, bobId);
  assert.equal(secret.client.socketId, aliceId);

  // An explicit history request; private messages are not kept.
  await bob.run(() => window.sdk.channel.history());
  const again = await bob.wait('history', 2);
  assert.deepEqual(again.payload.history.map((f) => f.payload.text), ['one', 'two', 'three']);

  // A backend event reaches both.
  const sent = await server.admin('event', { channel, data: { kind: 'deploy', n: 1 } });
  assert.equal(sent.delivered, 2);
  for (const who of [alice, bob]) {
    const event = await who.wait('event');
    assert.deepEqual(event.payload, { data: { kind: 'deploy', n: 1 } });
  }

  // Alice got no copy of the private message: her messages are one, two, three.
  assert.deepEqual(
    await alice.run(() => window.sdk.frames.filter((f) => f.action === 'message').map((f) => f.payload.text)),
    ['one', 'two', 'three'],
  );

  // Bob goes away; Alice sees him leave.
  await bob.context.close();
  const leave = await alice.wait('presence_update', 2);
  assert.equal(leave.payload.action, 'leave');
  assert.equal(leave.payload.presence.socketId, bobId);
  assert.deepEqual(await alice.run(() => window.sdk.channel.getPresence().map((c) => c.extras.name)), ['Alice']);

  // The SDK dialed what it always dials; the page only rewrote scheme and port.
  assert.deepEqual(await alice.run(() => window.sdk.dialed), ['wss://127.0.0.1/rt/dev']);
  const stats = await server.admin('stats');
  assert.equal(stats.channels[channel].messages, 4);
  assert.equal(stats.channels[channel].history, 3);
  assert.deepEqual(alice.pageErrors, []);
  assert.deepEqual(bob.pageErrors, []);
  await alice.context.close();
});

test('an anonymous SDK client may listen but is refused sending, and the SDK reconnects after a drop', async () => {
  const channel = 'room/anon';
  const anon = await openSdk(null, channel);
  const full = await anon.wait('presence_full');
  assert.deepEqual(full.payload.presence[0].extras, {});
  assert.deepEqual(full.payload.presence[0].permissions, { dbo_id: 0, row_id: 0 });
  await anon.run(() => window.sdk.channel.message('hello?'));
  const refused = await anon.wait('error');
  assert.equal(refused.options.channel, channel);
  assert.match(refused.payload.message, /Anonymous/);

  // /admin/drop aborts the socket (1006): the SDK reports disconnected, reconnects after about
  // a second and joins again, so it gets presence_full a second time.
  const dropped = await server.admin('drop');
  assert.ok(dropped.dropped >= 1);
  const statuses = await anon.page.waitForFunction(
    () => {
      const seen = window.sdk.frames.filter((f) => f.action === 'connection_status').map((f) => f.payload.status);
      return seen.includes('disconnected') && seen.join(',');
    },
  );
  assert.match(await statuses.jsonValue(), /^connected,disconnected/);
  const second = await anon.wait('presence_full', 2);
  assert.equal(second.payload.presence.length, 1);
  assert.notEqual(second.payload.presence[0].socketId, full.payload.presence[0].socketId);
  assert.deepEqual(anon.pageErrors, []);
  await anon.context.close();
});
