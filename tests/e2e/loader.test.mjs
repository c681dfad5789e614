// The package's init() (js/package.js, the project's own loader of the wasm core) in headless
// Chromium: every form of `module_or_path` the typings name, a .wasm served with another MIME type,
// a failed load tried again, and init() called twice. Each test imports the package into a fresh
// page that has not loaded it yet.
//
//   scripts/build.sh && cargo build -p xano-realtime-server
//   node --test tests/e2e/loader.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PKG, pageServerForTests } from './fault-support.mjs';

let server;
let browser;
pageServerForTests({}, (s, b) => {
  server = s;
  browser = b;
});

// The server's blank page (tests/e2e/fault-page/blank.html), which has not imported the package;
// `routes` adds responses.
async function blankPage(routes = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  const warnings = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  for (const [pattern, reply] of Object.entries(routes)) await page.route(pattern, (route) => route.fulfill(reply));
  await page.goto(`${server.url}/blank.html`);
  return { context, page, errors, warnings };
}

// In the page: imports the package, awaits init(...args of `how`), and checks the core works by
// opening a channel until it is connected. Resolves with what happened.
async function loadAndConnect(page, how) {
  return page.evaluate(
    async ({ how, host }) => {
      const m = await import('/xano_realtime.js');
      const bytes = () => fetch('/xano_realtime_bg.wasm').then((r) => r.arrayBuffer());
      const arg = {
        none: () => undefined,
        url: () => ({ module_or_path: new URL('/xano_realtime_bg.wasm', location.href) }),
        string: () => ({ module_or_path: '/xano_realtime_bg.wasm' }),
        bare: () => '/xano_realtime_bg.wasm',
        request: () => ({ module_or_path: new Request('/xano_realtime_bg.wasm') }),
        response: async () => ({ module_or_path: await fetch('/xano_realtime_bg.wasm') }),
        bytes: async () => ({ module_or_path: await bytes() }),
        module: async () => ({ module_or_path: await WebAssembly.compile(await bytes()) }),
        wrongType: () => ({ module_or_path: '/wrong-type.wasm' }),
      }[how];
      const exports = await m.default(await arg());
      const again = await m.default();
      m.configure({ instanceBaseUrl: `http://${host}`, realtimeConnectionCanonical: 'dev' });
      const connected = new Promise((resolve) => m.onConnectionState((state) => state === 'open' && resolve(state)));
      m.openChannel('loader/check');
      return { started: typeof exports.xr_init === 'function', once: again === exports, state: await connected };
    },
    { how, host: server.host },
  );
}

const FORMS = {
  none: 'with no argument (the .wasm next to the module)',
  url: 'with { module_or_path: URL }',
  string: 'with { module_or_path: string }',
  bare: 'with a bare path (the older form)',
  request: 'with { module_or_path: Request }',
  response: 'with { module_or_path: Response }',
  bytes: 'with { module_or_path: ArrayBuffer }',
  module: 'with { module_or_path: WebAssembly.Module }',
};
for (const [how, what] of Object.entries(FORMS)) {
  test(`init() ${what} loads the core once, and the client connects`, async () => {
    const { context, page, errors, warnings } = await blankPage();
    assert.deepEqual(await loadAndConnect(page, how), { started: true, once: true, state: 'open' });
    assert.deepEqual(errors, []);
    assert.deepEqual(warnings, []);
    await context.close();
  });
}

test('a .wasm served with another MIME type loads all the same, with a warning', async () => {
  const body = readFileSync(path.join(PKG, 'xano_realtime_bg.wasm'));
  const { context, page, errors, warnings } = await blankPage({
    '**/wrong-type.wasm': { contentType: 'application/octet-stream', body },
  });
  assert.deepEqual(await loadAndConnect(page, 'wrongType'), { started: true, once: true, state: 'open' });
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /not served as application\/wasm/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a load that failed rejects with the reason, and a later init() loads the core', async () => {
  const { context, page, errors } = await blankPage();
  const r = await page.evaluate(async () => {
    const m = await import('/xano_realtime.js');
    const failed = await m.default({ module_or_path: '/missing.wasm' }).then(
      () => 'loaded',
      (e) => e.message,
    );
    let before;
    try {
      m.configure({ instanceBaseUrl: 'http://127.0.0.1:1', realtimeConnectionCanonical: 'dev' });
      before = 'usable';
    } catch (e) {
      before = e.message;
    }
    const exports = await m.default();
    return { failed, before, after: typeof exports.xr_init, state: m.connectionState() };
  });
  assert.match(r.failed, /could not fetch the \.wasm: 404/);
  assert.match(r.before, /not initialised/);
  assert.deepEqual({ after: r.after, state: r.state }, { after: 'function', state: 'idle' });
  assert.deepEqual(errors, []);
  await context.close();
});
