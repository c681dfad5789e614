// Helpers for the end-to-end tests (Node's built-in test runner + playwright-core).
//
//   import { startServer, launchBrowser } from './support.mjs';
//
//   const server = await startServer({ config: TOML_TEXT, static: [dir] });
//   // server.url = 'http://127.0.0.1:41234', server.wsUrl = 'ws://127.0.0.1:41234/rt/dev'
//   const browser = await launchBrowser();
//   ...
//   await browser.close();
//   await server.stop();
//
// The server is the built binary: `cargo build -p xano-realtime-server` first, or point
// XANO_RT_SERVER_BIN at another build (e.g. target/release/xano-realtime-server).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Chromium binary the tests drive (Debian's package). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Arguments for a quiet, headless, sandbox-less Chromium that makes no network calls of its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Path of the server binary: $XANO_RT_SERVER_BIN (relative paths are taken from the repository
 * root), else target/debug/xano-realtime-server.
 */
export function serverBinary() {
  const configured = process.env.XANO_RT_SERVER_BIN || 'target/debug/xano-realtime-server';
  return path.isAbsolute(configured) ? configured : path.join(ROOT, configured);
}

/**
 * @typedef {object} RunningServer
 * @property {string} url      'http://127.0.0.1:PORT' (static files, /admin/*)
 * @property {string} wsUrl    'ws://127.0.0.1:PORT/rt/CANONICAL'
 * @property {string} host     '127.0.0.1:PORT'
 * @property {number} port
 * @property {string} canonical
 * @property {import('node:child_process').ChildProcess} process
 * @property {() => string} logs   everything the server wrote to stderr so far
 * @property {(endpoint: string, body?: object) => Promise<any>} admin
 *           POST /admin/ENDPOINT (GET for 'stats' and 'history?...'); resolves to the JSON answer,
 *           rejects on a non-2xx status.
 * @property {() => Promise<number|null>} stop
 *           SIGTERM (sockets are closed with 1012), waits for the exit (SIGKILL after 5 s),
 *           removes the temporary config; resolves to the exit code. Safe to call twice.
 */

/**
 * Starts the server binary on 127.0.0.1 with a free port and waits for its
 * `listening on http://ADDR` line.
 *
 * @param {object}   [options]
 * @param {string}   [options.config]     TOML text of a config file (written to a temp file);
 *                                        omitted: the development default (everything open).
 * @param {string[]} [options.static=[]]  directories for --static, in order (first match wins).
 * @param {boolean}  [options.admin=true] pass --admin.
 * @param {string}   [options.canonical='dev']
 * @param {string[]} [options.args=[]]    extra command-line arguments.
 * @param {string}   [options.bin]        binary path (default: serverBinary()).
 * @param {number}   [options.timeoutMs=10000] how long to wait for the listening line.
 * @returns {Promise<RunningServer>}
 */
export async function startServer({
  config,
  static: staticDirs = [],
  admin = true,
  canonical = 'dev',
  args = [],
  bin = serverBinary(),
  timeoutMs = 10_000,
} = {}) {
  if (!existsSync(bin)) {
    throw new Error(`server binary ${bin} not found: run \`cargo build -p xano-realtime-server\` or set XANO_RT_SERVER_BIN`);
  }
  let tempDir = null;
  const argv = ['--listen', '127.0.0.1:0', '--canonical', canonical];
  if (config !== undefined) {
    tempDir = mkdtempSync(path.join(tmpdir(), 'xano-rt-e2e-'));
    const file = path.join(tempDir, 'realtime.toml');
    writeFileSync(file, config);
    argv.push('--config', file);
  }
  for (const dir of staticDirs) argv.push('--static', dir);
  if (admin) argv.push('--admin');
  argv.push(...args);

  const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (process.env.XANO_RT_SERVER_LOG) process.stderr.write(chunk);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const cleanup = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    tempDir = null;
  };

  const lines = createInterface({ input: child.stdout });
  let timer;
  const address = await Promise.race([
    new Promise((resolve) => {
      lines.on('line', (line) => {
        const m = /^listening on http:\/\/(\S+)$/.exec(line);
        if (m) resolve(m[1]);
      });
    }),
    exited.then(({ code, signal }) => {
      throw new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${stderr}`);
    }),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`server did not print its address within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    }),
  ]).catch((e) => {
    child.kill('SIGKILL');
    cleanup();
    throw e;
  }).finally(() => clearTimeout(timer));

  const url = `http://${address}`;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  let stopping = null;
  return {
    url,
    wsUrl: `ws://${address}/rt/${canonical}`,
    host: address,
    port,
    canonical,
    process: child,
    logs: () => stderr,
    async admin(endpoint, body) {
      const isGet = endpoint === 'stats' || endpoint.startsWith('history');
      const res = await fetch(`${url}/admin/${endpoint}`, {
        method: isGet ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`/admin/${endpoint}: HTTP ${res.status} ${text}`);
      return JSON.parse(text);
    },
    stop() {
      if (!stopping) {
        stopping = (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
            const { code } = await exited;
            clearTimeout(killer);
            cleanup();
            return code;
          }
          cleanup();
          return child.exitCode;
        })();
      }
      return stopping;
    },
  };
}

/**
 * Launches headless Chromium (CHROMIUM_PATH, CHROMIUM_ARGS) through playwright-core.
 * Close it with `await browser.close()`.
 *
 * @param {object} [options]  extra playwright `launch` options (merged; `args` are appended).
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchBrowser(options = {}) {
  const { chromium } = await import('playwright-core');
  const { args = [], ...rest } = options;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    ...rest,
    args: [...CHROMIUM_ARGS, ...args],
  });
}

/**
 * Polls `fn` until it returns a truthy value; resolves to that value. For state that no event
 * announces (e.g. server stats). Rejects after `timeoutMs`.
 *
 * @template T
 * @param {() => T | Promise<T>} fn
 * @param {{timeoutMs?: number, intervalMs?: number, message?: string}} [options]
 * @returns {Promise<T>}
 */
export async function waitFor(fn, { timeoutMs = 10_000, intervalMs = 20, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
