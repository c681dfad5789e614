// Security checks that the other suites do not already make (see RELIABILITY.md for those): the
// auth token never appears in the page's console, in an error the client throws or rejects with,
// in a connection-state detail, or in the server's log, across a whole session with refusals,
// reconnects and bad tokens; and what anonymous clients may not do, they cannot, from the browser.
//
//   cargo build -p xano-realtime-server && scripts/build.sh
//   node --test tests/e2e/security.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, pageServerForTests } from './fault-support.mjs';

const ALICE = 'alice-SECRET-7f3a9c';
const BOB = 'bob-SECRET-41d2e8';
const CONFIG = `
[[channel]]
pattern = "members-only/*"
anonymous_clients = false

[[channel]]
pattern = "room/*"
anonymous_clients = true
anonymous_send = false

[[token]]
token = "${ALICE}"
dbo_id = 1
row_id = 1
extras = { name = "Alice" }

[[token]]
token = "${BOB}"
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

test('the token never appears in the console, client errors, state details or server logs', async () => {
  const { page, context, console: lines, errors } = await openPage(browser, server);
  const seen = await page.evaluate(async ({ host, token }) => {
    const { xrt, t } = window;
    const texts = [];
    const grab = (fn) => {
      try {
        const r = fn();
        if (r && typeof r.catch === 'function') return r.catch((e) => texts.push(String(e && e.message), String(e && e.stack)));
      } catch (e) {
        texts.push(String(e && e.message), String(e && e.stack));
      }
      return null;
    };
    xrt.onConnectionState((state, detail) => texts.push(state, JSON.stringify(detail)));
    t.configure(host, { realtimeAuthToken: token });
    const ch = xrt.openChannel('members-only/1', { presence: true, history: true });
    ch.on('*', (f) => texts.push(JSON.stringify(f)));
    ch.on('message', () => {
      throw new Error('a listener that throws');
    });
    await t.next(ch, 'presence_full');
    // Refusals answered by the server, a throwing listener, reconnects.
    await ch.message({ hi: 1 }, { socketId: 'nobody' });
    await t.next(ch, 'error');
    await ch.message({ hi: 2 });
    await t.next(ch, 'message');
    const back = t.next(ch, 'presence_full');
    await t.admin(host, 'close?code=4001');
    await back;
    const again = t.next(ch, 'presence_full');
    await t.admin(host, 'drop');
    await again;
    // Bad tokens that contain the real one, through both entry points.
    await grab(() => xrt.setAuthToken(`${token} `));
    await grab(() => xrt.setAuthToken(`"${token}"`));
    await grab(() => xrt.configure({ instanceBaseUrl: `http://${host}`, realtimeConnectionCanonical: 'dev', realtimeAuthToken: `${token}\n` }));
    await grab(() => xrt.configure({ instanceBaseUrl: 'ftp://nowhere', realtimeConnectionCanonical: 'dev', realtimeAuthToken: token }));
    // A refused handshake (wrong canonical) with the token.
    t.configure(host, { realtimeAuthToken: token, realtimeConnectionCanonical: 'wrong' });
    await t.state('reconnecting');
    xrt.closeChannel('members-only/1');
    await grab(() => ch.message('closed'));
    return texts;
  }, { host: server.host, token: ALICE });
  const secret = ALICE.slice(ALICE.indexOf('SECRET'));
  const leaks = [...seen, ...lines, ...errors].filter((s) => s.includes(secret));
  assert.deepEqual(leaks, []);
  assert.ok(seen.length > 10, 'the session produced errors and details to check');
  assert.ok(lines.some((l) => l.includes('a listener that throws')), 'the console was captured');
  assert.ok(!server.logs().includes(secret), 'the server log has no token');
  await context.close();
});

test('anonymous clients: refused from authenticated-only channels, cannot send where they may only listen, never get private or authenticated-only messages', async () => {
  const alice = await openPage(browser, server);
  const bob = await openPage(browser, server);
  const anon = await openPage(browser, server);
  const join = (p, token, name) =>
    p.page.evaluate(async ({ host, token, name }) => {
      const { xrt, t } = window;
      t.configure(host, token ? { realtimeAuthToken: token } : {});
      window.ch = xrt.openChannel(name, { presence: true });
      window.got = [];
      window.ch.on('message', (f) => window.got.push(f.payload));
      window.errors = [];
      window.ch.on('error', (f) => window.errors.push(f.payload.message));
      await Promise.race([t.next(window.ch, 'presence_full'), t.next(window.ch, 'error')]);
    }, { host: server.host, token, name });
  await join(alice, ALICE, 'room/1');
  await join(bob, BOB, 'room/1');
  await join(anon, null, 'room/1');
  // Refused from an authenticated-only channel.
  const refused = await anon.page.evaluate(async () => {
    const ch = window.xrt.openChannel('members-only/2', {});
    return (await window.t.next(ch, 'error')).payload.message;
  });
  assert.match(refused, /Anonymous/);
  // May listen, may not send.
  const anonSend = await anon.page.evaluate(async () => {
    const err = window.t.next(window.ch, 'error');
    await window.ch.message('from anon');
    return (await err).payload.message;
  });
  assert.ok(anonSend.length > 0);
  // Authenticated-only and private messages from Alice, then a public one that marks the end.
  const bobId = await alice.page.evaluate(() => window.ch.presence().find((c) => c.extras.name === 'Bob').socketId);
  await alice.page.evaluate(async (bobId) => {
    await window.ch.message('members', { authenticated: true });
    await window.ch.message('psst', { socketId: bobId });
    await window.ch.message('public');
  }, bobId);
  const until = (p) => p.page.waitForFunction(() => window.got.includes('public'));
  await Promise.all([until(alice), until(bob), until(anon)]);
  const got = async (p) => p.page.evaluate(() => window.got);
  assert.deepEqual(await got(anon), ['public'], 'anonymous: only the public message');
  assert.deepEqual(await got(bob), ['members', 'psst', 'public']);
  assert.deepEqual(await got(alice), ['members', 'public'], 'no copy of the private message to its sender');
  const stats = await server.admin('stats');
  assert.equal(stats.channels['members-only/2'], undefined, 'the anonymous join was not counted');
  for (const p of [alice, bob, anon]) {
    assert.deepEqual(p.errors, []);
    await p.context.close();
  }
});
