// Hostile frames (tests/hostile_frames.json) fed to this project's client in headless Chromium.
// The page's WebSocket is replaced, before the client opens its socket, by a fake that opens at
// once and hands the frames to the client's handlers as MessageEvents (the server side of the
// same corpus is server/tests/hostile.rs). Nothing may reach the page as an exception or a wasm
// panic, the malformed frames are counted, and a valid frame afterwards is still delivered.
//
//   cargo build -p xano-realtime-server && scripts/build.sh
//   node --test tests/e2e/hostile.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './support.mjs';
import { openPage, pageServerForTests } from './fault-support.mjs';

const CORPUS = JSON.parse(readFileSync(path.join(ROOT, 'tests/hostile_frames.json'), 'utf8')).frames;

// Installed in the page before any script: a WebSocket that never touches the network.
function fakeWebSocket() {
  class FakeWebSocket extends EventTarget {
    constructor(url, protocols) {
      super();
      this.url = url;
      this.protocol = Array.isArray(protocols) ? protocols[0] || '' : protocols || '';
      this.readyState = 0;
      this.bufferedAmount = 0;
      this.binaryType = 'blob';
      this.sent = [];
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      FakeWebSocket.last = this;
      setTimeout(() => {
        this.readyState = 1;
        const ev = new Event('open');
        this.dispatchEvent(ev);
        if (this.onopen) this.onopen(ev);
      }, 0);
    }
    send(text) {
      if (this.readyState !== 1) throw new DOMException('not open', 'InvalidStateError');
      this.sent.push(text);
    }
    close() {
      this.readyState = 3;
    }
    // Hands `data` to the client as the server's next frame; returns what its handler threw.
    deliver(data) {
      const ev = new MessageEvent('message', { data });
      try {
        this.dispatchEvent(ev);
        if (this.onmessage) this.onmessage(ev);
        return null;
      } catch (e) {
        return String(e && e.stack ? e.stack : e);
      }
    }
  }
  FakeWebSocket.CONNECTING = 0;
  FakeWebSocket.OPEN = 1;
  FakeWebSocket.CLOSING = 2;
  FakeWebSocket.CLOSED = 3;
  window.WebSocket = FakeWebSocket;
}

let server;
let browser;
pageServerForTests({}, (s, b) => {
  server = s;
  browser = b;
});

test('every hostile frame is shrugged off by the client', async () => {
  const { page, errors, context } = await openPage(browser, server, { initScript: fakeWebSocket });
  const r = await page.evaluate(async (corpus) => {
    const { xrt, t } = window;
    t.configure('127.0.0.1:9');
    const ch = xrt.openChannel('hostile', { presence: true, history: true });
    const other = xrt.openChannel('bystander', {});
    await t.next(ch, 'connection_status', (f) => f.payload.status === 'connected');
    const ws = window.WebSocket.last;
    const heard = [];
    ch.on('*', (f) => heard.push(f.action));
    const start = xrt.clientStats();
    const thrown = [];
    for (const entry of corpus) {
      let data;
      if (entry.text !== undefined) data = entry.text;
      else if (entry.parts) data = entry.parts.map(([s, n]) => s.repeat(n)).join('');
      else data = new Uint8Array(entry.binary).buffer;
      const before = xrt.clientStats().malformedFrames;
      const error = ws.deliver(data);
      if (error) thrown.push(`${entry.name}: ${error}`);
      const counted = xrt.clientStats().malformedFrames - before;
      if (counted !== (entry.clientMalformed ? 1 : 0)) thrown.push(`${entry.name}: malformed counted ${counted}`);
    }
    // Still working: a valid frame reaches the listener, presence is sane, nothing polluted.
    const valid = t.next(ch, 'message', (f) => f.payload && f.payload.after === 'hostile', 2000);
    ws.deliver(JSON.stringify({ action: 'message', options: { channel: 'hostile', authenticated: false, socketId: null }, payload: { after: 'hostile' }, client: { socketId: 'x', extras: {}, permissions: { dbo_id: 0, row_id: 0 } } }));
    await valid;
    const ids = ch.presence().map((c) => c.socketId);
    const end = xrt.clientStats();
    const sent = await ch.message('still sending');
    return {
      thrown,
      malformed: end.malformedFrames - start.malformedFrames,
      expected: corpus.filter((e) => e.clientMalformed).length,
      ids,
      polluted: ({}).polluted,
      sent,
      lastSent: ws.sent[ws.sent.length - 1],
      state: xrt.connectionState(),
      bystanderOpen: other.name === 'bystander' && xrt.getChannel('bystander') !== undefined,
    };
  }, CORPUS);
  assert.deepEqual(r.thrown, []);
  assert.equal(r.malformed, r.expected);
  assert.deepEqual(r.ids, ['dup'], 'presence kept the one valid member once');
  assert.equal(r.polluted, undefined);
  assert.equal(r.sent, 'sent');
  assert.match(r.lastSent, /still sending/);
  assert.equal(r.state, 'open');
  assert.ok(r.bystanderOpen);
  assert.deepEqual(errors, []);
  await context.close();
});
