// The watch for a quiet socket (js/shell/socket.js), run in Node with mocked timers and clock:
// when it tells the core that the open socket went silent, and when it must not. The browser
// test of the whole path is in liveness.test.mjs ("a connection that goes quiet…").
//
//   node --test tests/e2e/silence.test.mjs

import { test, mock, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { socket, silence, expectAnswer, retire, SILENCE_MS } from '../../js/shell/socket.js';

let now = 0;
let silent = [];

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout'] });
  now = 0;
  performance.now = () => now;
  silent = [];
  silence.silent = (id) => silent.push(id);
  socket.ws = { readyState: 1, bufferedAmount: 0, send() {}, close() {} };
  socket.id = 7;
});

afterEach(() => {
  retire();
  mock.timers.reset();
});

/** The clock and the timers move on by `ms`. */
function pass(ms) {
  now += ms;
  mock.timers.tick(ms);
}

test('an answer owed and nothing received for SILENCE_MS: the socket is reported silent, once', () => {
  expectAnswer();
  pass(SILENCE_MS - 1);
  assert.deepEqual(silent, []);
  pass(1);
  assert.deepEqual(silent, [7]);
  pass(SILENCE_MS * 3);
  assert.deepEqual(silent, [7], 'no second report without a new send');
});

test('a frame received in time ends the watch; nothing is owed afterwards', () => {
  expectAnswer();
  pass(1000);
  silence.heard = true;
  pass(SILENCE_MS * 5);
  assert.deepEqual(silent, []);
  assert.equal(silence.timer, null);
});

test('more sends while watching: the watch goes on, and a silence after them is reported', () => {
  expectAnswer();
  pass(1000);
  silence.heard = true;
  expectAnswer();
  pass(SILENCE_MS - 1000);
  assert.deepEqual(silent, [], 'heard from in the first window');
  pass(SILENCE_MS - 1);
  assert.deepEqual(silent, []);
  pass(1);
  assert.deepEqual(silent, [7], 'nothing in the second window');
});

test('a look much later than due (a frozen page, a machine asleep) looks again instead of judging', () => {
  expectAnswer();
  now += SILENCE_MS * 2; // the clock moved on while the timer could not fire
  mock.timers.tick(SILENCE_MS);
  assert.deepEqual(silent, [], 'late: the answer may be waiting behind the look');
  silence.heard = true; // it was
  pass(SILENCE_MS);
  assert.deepEqual(silent, []);
  assert.equal(silence.timer, null, 'heard, nothing more owed: the watch ends');
});

test('a late look that finds nothing, then an on-time one that finds nothing: reported', () => {
  expectAnswer();
  now += SILENCE_MS * 2;
  mock.timers.tick(SILENCE_MS);
  assert.deepEqual(silent, []);
  pass(SILENCE_MS);
  assert.deepEqual(silent, [7]);
});

test('a late look that finds a frame received ends the watch: a quiet channel afterwards is not a dead socket', () => {
  expectAnswer();
  silence.heard = true;
  now += SILENCE_MS * 2;
  mock.timers.tick(SILENCE_MS);
  pass(SILENCE_MS * 3);
  assert.deepEqual(silent, []);
  assert.equal(silence.timer, null);
});

test('a socket retired (closed, lost) takes its watch with it', () => {
  expectAnswer();
  retire();
  pass(SILENCE_MS * 2);
  assert.deepEqual(silent, []);
  assert.equal(silence.timer, null);
});
