// One connection per browser (`configure({ shareConnection: true })`, API.md §1a): the tabs of a
// group elect a leader with a Web Lock held for the tab's life, and talk over a BroadcastChannel.
// The leader owns the socket and the core; the others (followers) hand it their channel
// operations and sends, and hear from it the frames, the connection state, the channels' modes
// and the queue counts. This file holds the group, the election and the follower's side;
// channels.js performs what a follower asks of the leader (the `leaderSide` handlers).
//
// Group = origin + socket URL (instance and canonical) + a hash of the token: tabs with another
// token never share, and the token itself is in no lock or channel name.
//
// A follower keeps each message it handed to the leader until the leader says it was confirmed
// by the server's echo, stored in the offline queue, or (for channels without the queue) handed
// to the socket; when a new leader takes over, the follower hands it again its open channels and
// every message not yet settled, in order. A leader takes a follower's messages only after that
// follower's report (so none overtakes one the old leader never answered), and once each.
//
// Both roles let go of every lock and of the BroadcastChannel on `pagehide` and `freeze` (so the
// page may enter the back/forward cache, and a frozen leader hands over), and join again on
// `pageshow` / `resume`.

import { inbound, deliverAll, slotNamed, openSlots, deliver } from "./router.js";
import { emitState } from "./events.js";

/** This tab's part: "off" (its own socket), "leader" or "follower". */
export const share = { role: "off", group: "", tab: "", leader: "", seq: 0 };

let bc = null;
let abort = null;
/** Release the leader lock, and this tab's life lock. */
let resign = null;
let untab = null;
/** Whether this tab holds its life lock (it reports to a leader only then). */
let tabbed = false;
/** Messages handed to the leader and not settled yet, in order: {seq, name, text, body, echoed, queue, resolve, reject}. */
let sends = [];
/** What the leader side does with a follower's message, and on becoming leader / follower (channels.js). */
let leaderSide = null;

/** Sets the leader's handlers: {request(msg), lead(), follow()}. */
export function setLeaderSide(handlers) {
  leaderSide = handlers;
}

/** Sends a message to the group. */
export function post(msg) {
  if (bc !== null) bc.postMessage(msg);
}

function hash(text) {
  // FNV-1a, 2 × 32 bits: enough to tell groups apart; not reversible to the token.
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 2246822519);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}

/** Whether this browser can share (Web Locks and BroadcastChannel). */
export function canShare() {
  return typeof BroadcastChannel === "function" && typeof navigator !== "undefined" && !!navigator.locks;
}

/**
 * Joins the group of `url` + `token` (leaving another group first); `null` url leaves any group
 * and goes back to a socket of this tab's own.
 */
export function join(url, token) {
  const group = url === null || !canShare() ? "" : "xano-realtime:" + hash(location.origin + "\n" + url + "\n" + (token || ""));
  if (group === share.group) return;
  leave(group === "");
  share.group = group;
  if (group !== "") enter();
}

function enter() {
  share.tab = Math.random().toString(36).slice(2);
  share.leader = "";
  tabbed = false;
  bc = new BroadcastChannel(share.group);
  bc.onmessage = (e) => receive(e.data);
  abort = new AbortController();
  const signal = abort.signal;
  // This tab's life, watched by the leader (released by pagehide, a crash, the tab's end).
  navigator.locks
    .request(`${share.group}:${share.tab}`, { signal }, () => {
      // Known to the leader only once this lock is ours: the leader watches it, and would take a
      // lock it got first for this tab's end.
      tabbed = true;
      if (share.role === "follower") {
        if (share.leader === "") post({ t: "hello", from: share.tab });
        else report();
      }
      return new Promise((resolve) => (untab = resolve));
    })
    .catch(() => {});
  navigator.locks
    .request(share.group, { signal }, () => {
      share.role = "leader";
      share.leader = share.tab;
      leaderSide.lead(sends.splice(0));
      post({ t: "leader", from: share.tab });
      return new Promise((resolve) => (resign = resolve));
    })
    .catch(() => {});
  share.role = "follower";
  leaderSide.follow();
}

/**
 * Leaves the group: lets go of the locks and the BroadcastChannel. `own`: the page goes on with
 * a socket of its own (else it is going away, or joining another group).
 */
export function leave(own) {
  if (share.role === "off") return;
  post({ t: "bye", from: share.tab });
  abort.abort();
  for (const release of [resign, untab]) if (release !== null) release();
  resign = untab = null;
  bc.close();
  bc = null;
  const was = share.role;
  share.role = "off";
  leaderSide.leave(was, own);
}

/** Watches a follower's life: `gone(tab)` runs once its tab lock is free (it left or died). */
export function watch(tab, gone) {
  navigator.locks.request(`${share.group}:${tab}`, { signal: abort.signal }, () => gone(tab)).catch(() => {});
}

/** A follower hands the leader a message to send; resolves as the leader answers. */
export function handSend(slot, text, body, echoed) {
  return new Promise((resolve, reject) => {
    const entry = { seq: ++share.seq, name: slot.name, text, body, echoed, queue: slot.queue, resolve, reject };
    sends.push(entry);
    post(sendMessage(entry));
  });
}

function sendMessage(e) {
  return { t: "send", from: share.tab, seq: e.seq, name: e.name, text: e.text, body: e.body, echoed: e.echoed };
}

/** The follower's report to a new leader: its open channels, then its unsettled messages. */
export function report() {
  post({
    t: "state",
    from: share.tab,
    channels: openSlots().filter((s) => s.local).map((s) => [s.name, s.presence, s.history, s.queue]),
  });
  for (const entry of sends) post(sendMessage(entry));
}

function settle(seqs) {
  sends = sends.filter((e) => !seqs.includes(e.seq));
}

function receive(msg) {
  if (share.role === "leader") {
    if (msg.t === "hello") post({ t: "leader", from: share.tab });
    else if (msg.to === undefined || msg.to === share.tab) leaderSide.request(msg);
    return;
  }
  if (msg.t === "leader") {
    if (msg.from !== share.leader) {
      share.leader = msg.from;
      if (tabbed) report();
    }
    return;
  }
  // Only the current leader's word counts (a dead leader's last messages may still arrive).
  if (msg.from !== share.leader || (msg.to !== undefined && msg.to !== share.tab)) return;
  switch (msg.t) {
    case "f":
      inbound({ data: msg.d });
      break;
    case "s":
      emitState(msg.name, msg.detail);
      break;
    case "st":
      deliverAll("connection_status", msg.frame);
      break;
    case "m": {
      const slot = slotNamed(msg.name);
      if (slot === undefined) break;
      slot.joined = msg.joined;
      if (!slot.joined) slot.members.clear();
      break;
    }
    // A channel's `queue` count, or an `error` the leader's socket met for this tab's message.
    case "p": {
      const slot = slotNamed(msg.name);
      if (slot !== undefined) deliver(slot, msg.frame.action, msg.frame);
      break;
    }
    case "o": {
      if (msg.state !== undefined) emitState(msg.state, { attempt: 0, reason: "the shared connection's state" });
      const slot = slotNamed(msg.name);
      if (slot === undefined) break;
      slot.joined = msg.joined;
      slot.members = new Map(msg.members.map((c) => [c.socketId, c]));
      if (msg.joined) deliver(slot, "connection_status", msg.frame);
      break;
    }
    case "r": {
      const entry = sends.find((e) => e.seq === msg.seq);
      if (entry === undefined) break;
      if (msg.error !== undefined) {
        settle([msg.seq]);
        entry.reject(new Error(msg.error));
      } else {
        // A message on a queue channel stays until confirmed or stored; the others are done.
        if (!(entry.queue && msg.v === "sent")) settle([msg.seq]);
        entry.resolve(msg.v);
      }
      break;
    }
    case "c":
      settle(msg.seqs);
      break;
  }
}

let listening = false;

/** Leaves the group when the page is hidden or frozen, and joins it again when shown. */
export function listen() {
  if (listening || typeof window === "undefined") return;
  listening = true;
  const away = () => {
    if (share.role === "off") return;
    leave(false);
    share.away = true;
  };
  const back = () => {
    if (share.away && share.group !== "") {
      share.away = false;
      enter();
    }
  };
  window.addEventListener("pagehide", away);
  window.addEventListener("pageshow", back);
  document.addEventListener("freeze", away);
  document.addEventListener("resume", back);
}
