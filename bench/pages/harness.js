// The in-page half of the benchmark (bench/run.mjs is the other half). Classic script, loaded
// before any client code, so that it can replace window.WebSocket first.
//
//   bench.html?client=ours   this package (/xano_realtime.js, served from pkg/)
//   bench.html?client=sdk    the official @xano/js-sdk (/xano.min.js, served from its dist/)
//   bench.html?client=ideal  a hand-written reference: JSON.parse + a Map from channel to listeners
//   &fake=1                  window.WebSocket is a fake that opens at once and delivers
//                            pre-built MessageEvents (no network, no server)
//   &rpc=PORT                driven over HTTP rather than DevTools: the page asks
//                            http://127.0.0.1:PORT/next for each call of window.bench and posts
//                            the result to /reply (run.mjs, for a Chromium started without a
//                            DevTools connection)
//
// Every wait in here is bounded (withTimeout); run.mjs bounds every page call again.
(() => {
  'use strict';
  const params = new URLSearchParams(location.search);
  const CLIENT = params.get('client') || 'ours';
  const FAKE = params.get('fake') === '1';
  const NativeWebSocket = window.WebSocket;

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  function withTimeout(promise, ms, what) {
    let timer;
    return Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }
  async function until(fn, ms, what, intervalMs = 10) {
    const deadline = performance.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
      await sleep(intervalMs);
    }
  }
  async function admin(endpoint, body) {
    const isGet = endpoint === 'stats' || endpoint.startsWith('history');
    const res = await fetch(`/admin/${endpoint}`, {
      method: isGet ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`/admin/${endpoint}: HTTP ${res.status}`);
    return res.json();
  }
  const serverCount = async (channel) => (await admin('stats')).channels[channel]?.messages ?? 0;
  const serverMembers = async (channel) => (await admin('stats')).channels[channel]?.members ?? 0;

  // ---- the WebSocket the clients see -------------------------------------------------------
  const fake = { sockets: [], sent: 0, joins: 0, current: null, echoes: null, due: 0, echoed: 0, timer: null };
  if (FAKE) {
    // Opens at once (next task), counts what is sent, and hands events straight to the client's
    // handlers: the `on…` property and every addEventListener listener, in that order. No native
    // event dispatch, so what is timed is the client's own work per frame. With `fake.echoes`
    // (pre-built MessageEvents) set, each `message` frame sent is answered with the next of them.
    class FakeWebSocket {
      constructor(url, protocols) {
        this.url = String(url);
        this.protocol = '';
        this.extensions = '';
        this.binaryType = 'blob';
        this.bufferedAmount = 0;
        this.readyState = 0;
        this.onopen = null;
        this.onmessage = null;
        this.onclose = null;
        this.onerror = null;
        this.listeners = { open: [], message: [], close: [], error: [] };
        void protocols;
        fake.sockets.push(this);
        fake.current = this;
        setTimeout(() => {
          if (this.readyState !== 0) return;
          this.readyState = 1;
          this.fire('open', new Event('open'));
        }, 0);
      }
      addEventListener(type, fn) {
        const list = this.listeners[type];
        if (list && !list.includes(fn)) list.push(fn);
      }
      removeEventListener(type, fn) {
        const list = this.listeners[type];
        const i = list ? list.indexOf(fn) : -1;
        if (i >= 0) list.splice(i, 1);
      }
      fire(type, event) {
        const prop = this['on' + type];
        if (prop) prop.call(this, event);
        for (const fn of this.listeners[type]) {
          if (typeof fn === 'function') fn.call(this, event);
          else fn.handleEvent(event);
        }
      }
      send(text) {
        if (this.readyState !== 1) throw new DOMException('not open', 'InvalidStateError');
        fake.sent++;
        if (typeof text !== 'string') return;
        if (text.startsWith('{"action":"join"')) fake.joins++;
        else if (fake.echoes !== null && text.startsWith('{"action":"message"')) this.echoLater();
      }
      // The next pre-built echo (fake.echoes), handed to the client in a later task with every
      // other one due by then, as a server's echoes arrive after the sends that caused them.
      echoLater() {
        fake.due++;
        if (fake.timer !== null) return;
        fake.timer = setTimeout(() => {
          fake.timer = null;
          const { echoes } = fake;
          while (fake.echoed < fake.due && this.readyState === 1) this.fire('message', echoes[fake.echoed++]);
        }, 0);
      }
      close(code = 1000, reason = '') {
        if (this.readyState >= 2) return;
        this.readyState = 3;
        setTimeout(() => this.fire('close', new CloseEvent('close', { code, reason, wasClean: true })), 0);
      }
    }
    FakeWebSocket.CONNECTING = 0;
    FakeWebSocket.OPEN = 1;
    FakeWebSocket.CLOSING = 2;
    FakeWebSocket.CLOSED = 3;
    window.WebSocket = FakeWebSocket;
  } else if (CLIENT === 'sdk') {
    // The official SDK always dials wss://HOSTNAME/rt/CANONICAL (TLS, no port). The local server
    // speaks ws:// on this page's host:port: rewrite the URL, nothing else.
    class RewritingWebSocket extends NativeWebSocket {
      constructor(url, ...rest) {
        const u = new URL(url);
        if (u.protocol === 'wss:') {
          u.protocol = 'ws:';
          u.host = location.host;
        }
        super(u.toString(), ...rest);
      }
    }
    window.WebSocket = RewritingWebSocket;
  }

  // ---- the three clients behind one small interface ----------------------------------------
  // open(names, options) -> handles; on(handle, action, cb); send(handle, payload) -> promise|undefined;
  // close(handle). Channel listeners are added after every channel is constructed (the SDK throws
  // InvalidStateError when a second channel is constructed while its socket is connecting).
  const adapters = {
    ours: {
      mod: null,
      wasm: null,
      async load() {
        this.mod = await import('/xano_realtime.js');
        this.wasm = await this.mod.default();
        this.mod.onConnectionState((state, detail) => stateLog.push([Date.now(), state, detail]));
      },
      diagnostics() {
        return { stats: this.mod.clientStats(), states: stateLog.slice(-20) };
      },
      configure({ reconnect, queueDatabase, share } = {}) {
        const config = { instanceBaseUrl: location.origin, realtimeConnectionCanonical: 'dev' };
        if (reconnect) config.reconnect = reconnect;
        if (queueDatabase) config.queue = { database: queueDatabase, maxActions: 100000 };
        if (share) config.shareConnection = true;
        this.mod.configure(config);
      },
      open(names, options) {
        return names.map((n) => this.mod.openChannel(n, options));
      },
      on(ch, action, cb) {
        return ch.on(action, cb);
      },
      send(ch, payload, options) {
        return options ? ch.message(payload, options) : ch.message(payload);
      },
      /** Resolves once a queue channel's store is open and its backlog read. */
      ready(ch) {
        return ch.pending();
      },
      close(ch) {
        ch.close();
      },
      wasmBytes() {
        return this.wasm.memory.buffer.byteLength;
      },
    },
    sdk: {
      client: null,
      async load() {
        await new Promise((resolve, reject) => {
          const s = document.createElement('script');
          s.src = '/xano.min.js';
          s.onload = resolve;
          s.onerror = () => reject(new Error('could not load /xano.min.js'));
          document.head.appendChild(s);
        });
      },
      configure() {
        this.client = new window.XanoClient({
          instanceBaseUrl: location.origin,
          realtimeConnectionCanonical: 'dev',
        });
      },
      open(names, options) {
        return names.map((n) => this.client.channel(n, options));
      },
      on(ch, action, cb) {
        ch.on(action, cb);
      },
      send(ch, payload, options) {
        return ch.message(payload, options);
      },
      /** Its queue is in memory: nothing to open. */
      async ready() {},
      close(ch) {
        ch.destroy();
      },
      diagnostics() {
        return {};
      },
      wasmBytes() {
        return 0;
      },
    },
    // The reference: what any client must at least do per frame (JSON.parse, one Map lookup,
    // call the listeners). One socket, join on open, no reconnect, no queue.
    ideal: {
      ws: null,
      channels: new Map(),
      async load() {},
      configure() {},
      connect() {
        const ws = new window.WebSocket(`ws://${location.host}/rt/dev`);
        ws.onopen = () => {
          for (const [name, ch] of this.channels) {
            ws.send(JSON.stringify({ action: 'join', options: { channel: name }, payload: ch.flags }));
          }
          const status = { action: 'connection_status', options: {}, payload: { status: 'connected' } };
          for (const ch of this.channels.values()) this.dispatch(ch, status);
        };
        ws.onmessage = (event) => {
          let frame;
          try {
            frame = JSON.parse(event.data);
          } catch (_) {
            return;
          }
          const name = frame && frame.options && frame.options.channel;
          if (typeof name === 'string') {
            const ch = this.channels.get(name);
            if (ch) this.dispatch(ch, frame);
          } else {
            for (const ch of this.channels.values()) this.dispatch(ch, frame);
          }
        };
        this.ws = ws;
      },
      dispatch(ch, frame) {
        const list = ch.listeners.get(frame.action);
        if (list) for (const cb of list) cb(frame);
      },
      open(names, options) {
        const handles = names.map((name) => {
          const ch = { name, flags: { history: !!options.history, presence: !!options.presence }, listeners: new Map() };
          this.channels.set(name, ch);
          return ch;
        });
        if (!this.ws) this.connect();
        return handles;
      },
      on(ch, action, cb) {
        if (!ch.listeners.has(action)) ch.listeners.set(action, []);
        ch.listeners.get(action).push(cb);
      },
      send(ch, payload, options) {
        this.ws.send(JSON.stringify({ action: 'message', options: { ...options, channel: ch.name }, payload }));
      },
      close(ch) {
        this.channels.delete(ch.name);
      },
      diagnostics() {
        return { readyState: this.ws && this.ws.readyState };
      },
      wasmBytes() {
        return 0;
      },
    },
  };
  /** Ours: every connection state change, [Date.now(), state, detail] (for error messages). */
  const stateLog = [];
  const client = adapters[CLIENT];
  if (!client) throw new Error(`unknown client ${CLIENT}`);

  /** Resolves on the next connection_status frame with `status` on channel handle `ch`. */
  function nextStatus(ch, status, ms, what) {
    return withTimeout(new Promise((resolve) => {
      let done = false;
      client.on(ch, 'connection_status', (frame) => {
        if (!done && frame.payload && frame.payload.status === status) {
          done = true;
          resolve(Date.now());
        }
      });
    }), ms, what);
  }

  /** A server frame as /admin/blast sends it, about `bytes` long. */
  function blastFrame(channel, seq, bytes) {
    const head = { action: 'message', options: { channel, authenticated: false, socketId: null } };
    const client = { socketId: 'admin-blast', extras: {}, permissions: { dbo_id: 0, row_id: 0 } };
    const base = JSON.stringify({ ...head, payload: { seq, pad: '' }, client }).length;
    const pad = 'x'.repeat(Math.max(0, bytes - base));
    return JSON.stringify({ ...head, payload: { seq, pad }, client });
  }

  // What each send returned (ours: a promise; the SDK and the ideal: nothing), looked at after the
  // timed loop: the loop times the client's work, not the page's bookkeeping of its results.
  // Returns the outcomes counted as they settle: {sent, queued, rejected, …}.
  function settleAll(results) {
    const outcomes = {};
    const add = (r) => { outcomes[r] = (outcomes[r] || 0) + 1; };
    for (const p of results) if (p && typeof p.then === 'function') p.then(add, () => add('rejected'));
    return outcomes;
  }

  const payloadOf = (i, bytes = 200) => ({ seq: i, pad: 'x'.repeat(Math.max(0, bytes - 60)) });

  window.bench = {
    CLIENT,
    FAKE,
    fake,
    sleep,

    async load(config = {}) {
      await client.load();
      client.configure(config);
      return true;
    },

    wasmBytes: () => client.wasmBytes(),

    /**
     * Inbound: opens `channels` channels, listens for messages on each, and measures how long
     * `count` frames for the first channel take to reach its listener: from /admin/blast (real
     * socket) or from the fake socket (pre-built MessageEvents). Resolves {ms, received, lastSeq}.
     */
    async inbound(arg) {
      await this.inboundPrepare(arg);
      return this.inboundRun(arg);
    },

    /** The untimed half of inbound(): channels open and joined, fake events built. */
    async inboundPrepare({ prefix, channels, count, bytes }) {
      const names = Array.from({ length: channels }, (_, i) => `${prefix}/${i}`);
      const handles = client.open(names, { presence: false, history: false });
      let received = 0;
      let lastSeq = -1;
      let resolveAll;
      const all = new Promise((r) => { resolveAll = r; });
      client.on(handles[0], 'message', (frame) => {
        lastSeq = frame.payload.seq;
        if (++received === count) resolveAll(performance.now());
      });
      for (let i = 1; i < channels; i++) client.on(handles[i], 'message', () => {});
      let events = null;
      if (FAKE) {
        await until(() => fake.current && fake.current.readyState === 1 && fake.joins >= channels, 5000, 'fake socket open and joins sent');
        events = new Array(count);
        for (let i = 0; i < count; i++) events[i] = new MessageEvent('message', { data: blastFrame(names[0], i, bytes) });
      } else {
        await until(async () => {
          const stats = await admin('stats');
          return names.every((n) => stats.channels[n]?.members >= 1);
        }, 10000, 'every channel joined on the server', 20);
      }
      this.inboundState = { names, events, all, progress: () => ({ received, lastSeq }) };
      return true;
    },

    /** The timed half of inbound(). */
    async inboundRun({ count, bytes, timeoutMs }) {
      const { names, events, all, progress } = this.inboundState;
      this.inboundState = null;
      if (typeof window.gc === 'function') window.gc();
      await sleep(50);
      const t0 = performance.now();
      let blast = null;
      if (FAKE) {
        const ws = fake.current;
        for (let i = 0; i < count; i++) ws.fire('message', events[i]);
      } else {
        blast = admin('blast', { channel: names[0], count, bytes });
        blast.catch(() => {});
      }
      const t1 = await withTimeout(all, timeoutMs, `${progress().received}/${count} frames received`);
      if (blast) await blast;
      return { ms: t1 - t0, ...progress() };
    },

    /**
     * Outbound: sends `count` messages of ~`bytes`; time until the server counted them all.
     * `authenticated` (default): `authenticated: true` messages, which the server counts but, the
     * page being anonymous, echoes none back. Public (`authenticated: false`): every message comes
     * back to its sender, which is what keeps one in a `queueOfflineActions` channel's outbox
     * until its echo; `echoMs` is then the time until the page had every echo.
     * `queue`: the channel is opened with `queueOfflineActions`.
     */
    async outbound({ channel, count, bytes, timeoutMs, authenticated = true, queue = false }) {
      const [ch] = client.open([channel], { presence: false, history: false, queueOfflineActions: queue });
      let echoes = 0;
      let tEcho = null;
      client.on(ch, 'message', () => {
        if (++echoes === count) tEcho = performance.now();
      });
      await until(async () => (await serverMembers(channel)) >= 1, 10000, 'channel joined', 20);
      // The channel is joined on the server; ours also needs the join's answer before its fast path.
      await sleep(100);
      // And a queue channel of ours its store: opened (the database created, in a fresh browser)
      // and its backlog read. The burst times sending, not opening.
      if (queue) await client.ready(ch);
      const payloads = Array.from({ length: count }, (_, i) => payloadOf(i, bytes));
      const options = authenticated ? { authenticated: true } : undefined;
      if (typeof window.gc === 'function') window.gc();
      const results = new Array(count).fill(null);
      const t0 = performance.now();
      for (let i = 0; i < count; i++) results[i] = client.send(ch, payloads[i], options);
      const tSent = performance.now();
      const outcomes = settleAll(results);
      const explain = async (e) => {
        const n = await serverCount(channel).catch(() => '?');
        const d = JSON.stringify({ serverCounted: n, echoes, outcomes, client: client.diagnostics() });
        return new Error(`${e.message}; ${d}`);
      };
      let counted;
      try {
        counted = await until(async () => {
          const n = await serverCount(channel);
          return n >= count && n;
        }, timeoutMs, 'server counted every message', 5);
      } catch (e) {
        throw await explain(e);
      }
      const tCounted = performance.now();
      if (!authenticated) {
        try {
          await until(() => tEcho !== null, timeoutMs, 'every echo received', 5);
        } catch (e) {
          throw await explain(e);
        }
      }
      return {
        ms: tCounted - t0,
        sendLoopMs: tSent - t0,
        echoMs: tEcho === null ? null : tEcho - t0,
        echoes,
        counted,
        rejected: outcomes.rejected || 0,
        outcomes,
      };
    },

    /**
     * Outbound with the network taken out (fake socket only): `count` public messages of ~`bytes`
     * in one loop, each answered by the fake socket with its echo (the frame a server sends back
     * to the sender, pre-built) in a later task. Resolves {ms: from the first send until the
     * listener had every echo, sendLoopMs, echoes, outcomes}: the client's own work to send, and
     * on a `queueOfflineActions` channel to confirm each message by its echo.
     */
    async outboundFake(arg) {
      await this.outboundFakePrepare(arg);
      return this.outboundFakeRun(arg);
    },

    /** The untimed half of outboundFake(): the channel open and joined, echoes pre-built. */
    async outboundFakePrepare({ channel, count, bytes, queue = false }) {
      if (!FAKE) throw new Error('outboundFake: needs &fake=1');
      const [ch] = client.open([channel], { presence: false, history: false, queueOfflineActions: queue });
      let echoes = 0;
      let resolveAll;
      const all = new Promise((r) => { resolveAll = r; });
      client.on(ch, 'message', () => {
        if (++echoes === count) resolveAll(performance.now());
      });
      await until(() => fake.current && fake.current.readyState === 1 && fake.joins >= 1, 5000, 'fake socket open and join sent');
      // Ours' queue channel: its store open and its backlog read, as outbound() waits.
      if (queue) await client.ready(ch);
      const sender = { socketId: 'fake-me', extras: {}, permissions: { dbo_id: 0, row_id: 0 } };
      const head = { action: 'message', options: { channel, authenticated: false, socketId: null } };
      const payloads = Array.from({ length: count }, (_, i) => payloadOf(i, bytes));
      fake.echoes = payloads.map((payload) => new MessageEvent('message', { data: JSON.stringify({ ...head, payload, client: sender }) }));
      fake.due = fake.echoed = 0;
      this.outboundFakeState = { ch, payloads, all, progress: () => ({ echoes }) };
      return true;
    },

    /** The timed half of outboundFake(). */
    async outboundFakeRun({ count }) {
      const { ch, payloads, all, progress } = this.outboundFakeState;
      this.outboundFakeState = null;
      if (typeof window.gc === 'function') window.gc();
      await sleep(50);
      const results = new Array(count).fill(null);
      const t0 = performance.now();
      for (let i = 0; i < count; i++) results[i] = client.send(ch, payloads[i]);
      const tSent = performance.now();
      const outcomes = settleAll(results);
      const tEcho = await withTimeout(all, 20000, `${progress().echoes}/${count} echoes (${fake.due} due)`);
      await sleep(0);
      return { ms: tEcho - t0, sendLoopMs: tSent - t0, echoes: progress().echoes, outcomes, client: client.diagnostics() };
    },

    /**
     * The ideal client only: `count` public messages with at most `window` of them not yet
     * echoed back, as a queue flush that confirms by echo must send them (the floor for ours).
     * Resolves {ms: from the first send until the server counted all, counted}.
     */
    async windowedSends({ channel, count, bytes, window, timeoutMs }) {
      if (CLIENT !== 'ideal') throw new Error('windowedSends: the ideal client only');
      const [ch] = client.open([channel], { presence: false, history: false });
      let sent = 0;
      let echoes = 0;
      const more = () => {
        while (sent < count && sent - echoes < window) client.send(ch, { seq: sent++, text: 'offline' });
      };
      client.on(ch, 'message', () => {
        echoes++;
        more();
      });
      await until(async () => (await serverMembers(channel)) >= 1, 10000, 'channel joined', 20);
      void bytes;
      const t0 = performance.now();
      more();
      const counted = await until(async () => {
        const n = await serverCount(channel);
        return n >= count && n;
      }, timeoutMs, `server counted every message (${echoes} echoes)`, 5);
      return { ms: performance.now() - t0, counted };
    },

    /**
     * The crowd: records when this page's channel is connected again after `since` (Date.now()
     * of the drop); resolves null until then.
     */
    reconnectedSince(since) {
      const hit = (this.statusLog || []).find(([t, s]) => s === 'connected' && t >= since);
      return hit ? hit[0] : null;
    },

    /** Opens a channel (optionally with the offline queue) and waits until the server has it. */
    async openAndJoin({ channel, queue = false, wait = true, timeoutMs = 10000 }) {
      const [ch] = client.open([channel], { presence: false, history: false, queueOfflineActions: queue });
      this.ch = ch;
      this.statusLog = [];
      this.queueLog = [];
      client.on(ch, 'connection_status', (frame) => this.statusLog.push([Date.now(), frame.payload.status]));
      if (CLIENT === 'ours') {
        client.on(ch, 'queue', (frame) => this.queueLog.push([Date.now(), frame.payload.pending, frame.payload.persisted]));
      }
      this.probeWaiters = new Map();
      client.on(ch, 'message', (frame) => {
        const id = frame.payload && frame.payload.probe;
        const w = id !== undefined && this.probeWaiters.get(id);
        if (w) w(performance.now());
      });
      if (wait) await until(async () => (await serverMembers(channel)) >= 1, timeoutMs, `channel ${channel} joined`, 20);
      return true;
    },

    /** Starts an outage (handshakes refused, sockets dropped) and waits for the client to notice. */
    async startOutage({ timeoutMs = 10000 } = {}) {
      const lost = nextStatus(this.ch, 'disconnected', timeoutMs, 'disconnected after /admin/drop');
      await admin('refuse?ms=3600000');
      await admin('drop');
      return lost;
    },

    /** Ends the outage now; resolves Date.now() of the moment it ended. */
    async endOutage() {
      const t = Date.now();
      await admin('refuse?ms=0');
      return t;
    },

    /**
     * `count` sends during an outage, in `batches` batches `gapMs` apart (a running app, not one
     * tick). Resolves counts by outcome and the time until every returned promise settled.
     */
    async sendDuringOutage({ count, batches, gapMs, timeoutMs }) {
      const outcomes = { sent: 0, queued: 0, rejected: 0, none: 0 };
      const promises = [];
      const per = Math.ceil(count / batches);
      const t0 = performance.now();
      for (let b = 0, i = 0; b < batches && i < count; b++) {
        for (let k = 0; k < per && i < count; k++, i++) {
          const p = client.send(this.ch, { seq: i, text: 'offline' });
          if (p && typeof p.then === 'function') {
            promises.push(p.then((r) => { outcomes[r] = (outcomes[r] || 0) + 1; }, () => { outcomes.rejected++; }));
          } else {
            outcomes.none++;
          }
        }
        if (b + 1 < batches) await sleep(gapMs);
      }
      await withTimeout(Promise.all(promises), timeoutMs, 'every message() promise settled');
      return { ms: performance.now() - t0, outcomes };
    },

    /** Time from the end of the outage (t0 = now) to a message round trip on the channel. */
    async reconnectRoundTrip({ outageMs, timeoutMs }) {
      await this.startOutage();
      await sleep(outageMs);
      const back = nextStatus(this.ch, 'connected', timeoutMs, 'connected after the outage');
      const t0 = performance.now();
      await admin('refuse?ms=0');
      await back;
      const tConnected = performance.now();
      const id = `p${Math.random()}`;
      const echoed = withTimeout(new Promise((r) => this.probeWaiters.set(id, r)), timeoutMs, 'probe echo');
      const p = client.send(this.ch, { probe: id });
      if (p && p.catch) p.catch(() => {});
      const t1 = await echoed;
      return { ms: t1 - t0, connectedMs: tConnected - t0 };
    },

    /** A message round trip on the channel (send to own echo), in ms. */
    async roundTrip({ timeoutMs }) {
      const id = `p${Math.random()}`;
      const echoed = withTimeout(new Promise((r) => this.probeWaiters.set(id, r)), timeoutMs, 'probe echo');
      const t0 = performance.now();
      const p = client.send(this.ch, { probe: id });
      if (p && p.catch) p.catch(() => {});
      return (await echoed) - t0;
    },

    /** Ours: this tab's part in a shared connection ("off", "leader", "follower"). */
    sharedRole() {
      return CLIENT === 'ours' ? client.mod.clientStats().shared : 'off';
    },

    /** Ours: queue event log in page time (Date.now()). */
    queueState() {
      return { statusLog: this.statusLog, queueLog: this.queueLog };
    },

    /** Memory: `cycles` open/close cycles of one channel next to an anchor channel that stays open. */
    async cycles({ channel, cycles, timeoutMs }) {
      const t0 = performance.now();
      for (let i = 0; i < cycles; i++) {
        const [ch] = client.open([channel], { presence: false, history: false });
        client.on(ch, 'message', () => {});
        client.close(ch);
        if (i % 50 === 49) {
          await sleep(0);
          if (performance.now() - t0 > timeoutMs) throw new Error(`cycles: timed out after ${i + 1}`);
        }
      }
      await sleep(200);
      return { ms: performance.now() - t0 };
    },
  };

  // Driven over HTTP (&rpc=PORT): no DevTools session, so nothing reports each WebSocket frame to
  // a debugger. Uncaught errors are posted to /error.
  const rpc = params.get('rpc');
  if (rpc) {
    const base = `http://127.0.0.1:${rpc}`;
    const post = (path, body) => fetch(base + path, { method: 'POST', body });
    window.addEventListener('error', (e) => post('/error', String(e.message)));
    window.addEventListener('unhandledrejection', (e) => post('/error', String(e.reason && e.reason.message ? e.reason.message : e.reason)));
    (async () => {
      for (;;) {
        const call = await (await fetch(`${base}/next`)).json();
        if (call.method === null) return;
        let reply;
        try {
          reply = { value: await window.bench[call.method](call.arg) };
        } catch (e) {
          reply = { error: String(e && e.message ? e.message : e) };
        }
        await post('/reply', JSON.stringify(reply));
      }
    })();
  }
})();
