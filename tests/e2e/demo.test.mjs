// End-to-end test of the demo in www/: two browser contexts (alice and bob) against the local
// server serving www/ with --static, --admin and www/demo-server.toml.
//
// Needs: the server binary (env XANO_RT_SERVER_BIN, default target/debug/xano-realtime-server;
// started by ./support.mjs),
// the wasm package built into www/pkg
// (`scripts/build.sh www/pkg`), /usr/bin/chromium and
// playwright-core. Run: node --test tests/e2e/demo.test.mjs
// Saves a screenshot to test-results/demo.png.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, launchBrowser, startServer } from "./support.mjs";

const WAIT = { timeout: 15_000 };

let server;
let browser;
let alice;
let bob;

async function admin(method, pathAndQuery, body) {
  const init = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  const res = await fetch(server.url + pathAndQuery, init);
  assert.ok(res.ok, `${method} ${pathAndQuery} answered ${res.status}`);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

async function openDemo(user) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error(`[${user}] page error:`, e));
  page.on("console", (m) => {
    // Refused handshakes during the outage step are expected; anything else is worth seeing.
    if (m.type() === "error" && !m.text().startsWith("WebSocket connection to")) {
      console.error(`[${user}] console:`, m.text());
    }
  });
  await page.goto(`${server.url}/?user=${user}`);
  await page.waitForFunction(() => window.demo && window.demo.ready, null, WAIT);
  return page;
}

const badge = (page) => page.locator("#badge");
const chatStatus = (page) => page.locator("#chat-status");

async function sendChat(page, text) {
  await page.fill("#text", text);
  await page.click("#send");
}

async function messageShown(page, text) {
  await page.locator("#messages li .text", { hasText: text }).first().waitFor(WAIT);
}

before(async () => {
  assert.ok(
    existsSync(path.join(ROOT, "www/pkg/xano_realtime.js")),
    "www/pkg is not built: scripts/build.sh www/pkg",
  );
  server = await startServer({
    config: readFileSync(path.join(ROOT, "www/demo-server.toml"), "utf8"),
    static: [path.join(ROOT, "www")],
  });
  browser = await launchBrowser();
  alice = await openDemo("alice");
  bob = await openDemo("bob");
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test("the page connects: cursors (page load) and updates (app load) are open", async () => {
  for (const page of [alice, bob]) {
    await page.waitForFunction(() => document.querySelector("#badge").dataset.state === "connected", null, WAIT);
    assert.equal(await badge(page).textContent(), "connected");
    assert.equal(await chatStatus(page).textContent(), "disconnected", "the chat waits for a click");
  }
  const stats = await admin("GET", "/admin/stats");
  assert.equal(stats.channels.cursors.members, 2);
  assert.equal(stats.channels.updates.members, 2);
  assert.equal(stats.channels.support, undefined, "nobody has joined the chat yet");
});

test("Join in both: each presence list shows two members", async () => {
  await alice.click("#join");
  await bob.click("#join");
  for (const page of [alice, bob]) {
    await page.waitForFunction(() => document.querySelectorAll("#presence li").length === 2, null, WAIT);
    await page.waitForFunction(() => document.querySelector("#chat-status").textContent === "connected", null, WAIT);
    const names = await page.locator("#presence li").allTextContents();
    assert.deepEqual(names.sort(), ["Alice", "Bob"]);
  }
});

test("a message from one appears in the other, rendered as text", async () => {
  const text = "hello from alice <b>not bold</b>";
  await sendChat(alice, text);
  await messageShown(bob, text);
  await messageShown(alice, text);
  assert.equal(await bob.locator("#messages b").count(), 0, "no markup from the network");
  await sendChat(bob, "hi alice");
  await messageShown(alice, "hi alice");
});

test("Leave: status text disconnected, and no disconnected connection_status frame", async () => {
  const before = await alice.evaluate(() => window.demo.chatStatusFrames.length);
  await alice.click("#leave");
  await alice.waitForFunction(() => document.querySelector("#chat-status").textContent === "disconnected", null, WAIT);
  // The server has processed the leave once bob's presence list is down to one.
  await bob.waitForFunction(() => document.querySelectorAll("#presence li").length === 1, null, WAIT);
  const frames = await alice.evaluate((n) => window.demo.chatStatusFrames.slice(n), before);
  assert.deepEqual(frames, [], "closing the channel reports nothing");
  assert.equal(await alice.locator("#presence li").count(), 0);
  assert.equal(await badge(alice).textContent(), "connected", "the other channels keep the socket");
  // Join again for the next steps.
  await alice.click("#join");
  await bob.waitForFunction(() => document.querySelectorAll("#presence li").length === 2, null, WAIT);
  await alice.waitForFunction(() => document.querySelector("#chat-status").textContent === "connected", null, WAIT);
});

test("/admin/drop: the badge goes to reconnecting, then connected", async () => {
  const marks = await Promise.all([alice, bob].map((p) => p.evaluate(() => window.demo.badgeHistory.length)));
  await admin("POST", "/admin/drop");
  for (const [i, page] of [alice, bob].entries()) {
    await page.waitForFunction(
      (n) => {
        const seen = window.demo.badgeHistory.slice(n);
        const r = seen.indexOf("reconnecting");
        return r >= 0 && seen.indexOf("connected", r) > r;
      },
      marks[i],
      WAIT,
    );
    assert.equal(await badge(page).textContent(), "connected");
    await page.waitForFunction(() => document.querySelectorAll("#presence li").length === 2, null, WAIT);
  }
});

test("offline send: the queued count rises, then the message is delivered", async () => {
  const mark = await alice.evaluate(() => window.demo.badgeHistory.length);
  await admin("POST", "/admin/refuse?ms=2500");
  await admin("POST", "/admin/drop");
  await alice.waitForFunction((n) => window.demo.badgeHistory.slice(n).includes("reconnecting"), mark, WAIT);
  assert.notEqual(await badge(alice).textContent(), "connected");
  const text = "sent while offline";
  await sendChat(alice, text);
  await alice.waitForFunction(() => document.querySelector("#queued").textContent === "1", null, WAIT);
  await messageShown(bob, text);
  await alice.waitForFunction(() => document.querySelector("#queued").textContent === "0", null, WAIT);
  await messageShown(alice, text);
  const history = await admin("GET", "/admin/history?channel=support");
  const delivered = JSON.stringify(history).split(text).length - 1;
  assert.equal(delivered, 1, "delivered once");
});

test("cursor moves in one context reach the other", async () => {
  await alice.waitForFunction(() => document.querySelector("#badge").dataset.state === "connected", null, WAIT);
  for (const [x, y] of [
    [300, 300],
    [420, 360],
    [520, 420],
  ]) {
    await alice.mouse.move(x, y, { steps: 4 });
  }
  const cursor = bob.locator("#cursors .cursor");
  await cursor.first().waitFor(WAIT);
  assert.equal(await cursor.locator(".label").first().textContent(), "Alice");
  // It follows the pointer (same viewport size in both contexts).
  await bob.waitForFunction(
    () => {
      const el = document.querySelector("#cursors .cursor");
      const m = el && el.style.transform.match(/translate\(([-\d.]+)px, ([-\d.]+)px\)/);
      return m && Math.abs(m[1] - 520) < 1 && Math.abs(m[2] - 420) < 1;
    },
    null,
    WAIT,
  );
  assert.equal(await cursor.count(), 1, "one cursor per other tab, none left from before the drops");
  assert.equal(await alice.locator("#cursors .cursor").count(), 0, "its own pointer is not drawn");
});

test("/admin/event on the updates channel shows a toast", async () => {
  await admin("POST", "/admin/event", { channel: "updates", data: { message: "Version 2.0 is out" } });
  for (const page of [alice, bob]) {
    await page.locator("#toasts .toast-text", { hasText: "Version 2.0 is out" }).waitFor(WAIT);
  }
  mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  await bob.screenshot({ path: path.join(ROOT, "test-results/demo.png") });
});
