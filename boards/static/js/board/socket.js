// The page's one WebSocket to /ws/board/, and the guarantee that a board is never silently
// stale.
//
// - The page tracks each incident it shows with the last `seq` it has applied
//   (`track(id, seq)`). A live event with the next seq is applied at once; an event after a
//   gap waits while the missing ones are fetched from /api/v1/incidents/<id>/events/?after=,
//   then everything is applied in seq order, each event once.
// - Boards that see only part of a timeline (ER staff, officials) meet "gaps" that are just
//   events not meant for them; one fetch settles those (the answer carries the incident's
//   last seq).
// - After every (re)connect the page catches up every tracked incident the same way, and
//   re-sends its subscriptions.
// - Never "Live" across a gap: a gap that three fetches do not close is never skipped; the
//   page says "Out of date — reloading" and reloads its snapshot (the page itself, at most
//   once a minute). A catch-up that fails (server unreachable, 5xx) keeps the live events
//   parked, says "Out of date" and retries with backoff until it succeeds.
// - While disconnected it reports "reconnecting" with the time of the last update, and
//   reconnects with exponential backoff and jitter (0.5 s doubling to 30 s). Close code 4401
//   means signed out: no retry, the page says so.
// - A heartbeat ping every 15 s; 35 s without any message counts as a dead connection, which
//   is abandoned at once (a half-open socket may never finish its close handshake).
// - Bounded for wall screens that run for weeks: the page untracks incidents that leave its
//   screen (`untrack`), and events of incidents the page never tracks are kept only briefly.

import { api, ApiError } from "./api.js";
import { config, now, syncClock } from "./config.js";

const BASE_DELAY = 500;
const MAX_DELAY = 30_000;
const HEARTBEAT = 15_000;
const SILENCE = 35_000;
const CATCH_UP_ROUNDS = 3;
const PENDING_PER_INCIDENT = 200;
const PENDING_FOR = 30_000; // an untracked incident's early events wait this long for track()
const PENDING_INCIDENTS = 50;
const RETRY_CATCH_UP_MAX = 30_000;
const RELOAD_AFTER = 1_500; // long enough to read "Out of date — reloading"
const RELOAD_GUARD = 60_000; // at most one automatic reload a minute
const RELOADED_AT = "asim-board-reloaded-at";
export const SIGNED_OUT = 4401;

export class BoardSocket {
  constructor({
    onEvent,
    onEnvelope = () => {},
    onUntracked = () => {},
    onLost = () => {},
    onStatus = () => {},
    onConnected = () => {},
    onOutOfDate = reloadPage,
  }) {
    this.handlers = { onEvent, onEnvelope, onUntracked, onLost, onStatus, onConnected, onOutOfDate };
    this.tracked = new Map(); // incident id → { last, fetching, queue, behind, failures }
    this.pending = new Map(); // untracked incident id → { since, events } awaiting track()
    this.subscriptions = new Set();
    this.state = "connecting";
    this.lastUpdate = now();
    this.lastMessage = Date.now();
    this.attempt = 0;
    this.everConnected = false;
    this.ws = null;
    this.retryTimer = null;
    this.pings = 0;
  }

  start() {
    this.connect();
    setInterval(() => this.heartbeat(), HEARTBEAT);
    setInterval(() => {
      if (this.state !== "live") this.report();
      this.expirePending();
    }, 1000);
    window.addEventListener("online", () => this.retryNow());
    return this;
  }

  // --- tracking ---------------------------------------------------------------------------

  track(incidentId, lastSeq) {
    const id = Number(incidentId);
    const current = this.tracked.get(id);
    if (current) {
      current.last = Math.max(current.last, lastSeq);
      return;
    }
    const entry = { last: lastSeq, fetching: null, queue: [], behind: false, failures: 0, retry: null };
    this.tracked.set(id, entry);
    const early = this.pending.get(id);
    this.pending.delete(id);
    for (const event of (early ? early.events : []).sort((a, b) => a.seq - b.seq)) this.offer(id, entry, event);
  }

  // The incident left the page's screen (closed, removed, or not this board's): stop
  // following it, so reconnects catch up only what is shown.
  untrack(incidentId) {
    const id = Number(incidentId);
    const entry = this.tracked.get(id);
    if (entry) clearTimeout(entry.retry);
    this.tracked.delete(id);
    this.pending.delete(id);
    this.unsubscribe(id);
    this.settle();
  }

  trackedIncidents() {
    return [...this.tracked.keys()].sort((a, b) => a - b);
  }

  pendingIncidents() {
    return [...this.pending.keys()].sort((a, b) => a - b);
  }

  expirePending() {
    const cutoff = Date.now() - PENDING_FOR;
    for (const [id, early] of this.pending) if (early.since < cutoff) this.pending.delete(id);
  }

  isTracked(incidentId) {
    return this.tracked.has(Number(incidentId));
  }

  subscribe(incidentId) {
    const id = Number(incidentId);
    this.subscriptions.add(id);
    this.send({ subscribe: id });
  }

  unsubscribe(incidentId) {
    const id = Number(incidentId);
    if (this.subscriptions.delete(id)) this.send({ unsubscribe: id });
  }

  // --- connection -------------------------------------------------------------------------

  connect() {
    clearTimeout(this.retryTimer);
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}${config.ws || "/ws/board/"}`);
    this.ws = ws;
    ws.addEventListener("message", (message) => {
      if (ws !== this.ws) return;
      let envelope;
      try {
        envelope = JSON.parse(message.data);
      } catch {
        return;
      }
      this.receive(envelope);
    });
    ws.addEventListener("close", (event) => {
      if (ws === this.ws) this.closed(event);
    });
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  // Drop the connection as a network failure would (used by the page's "reconnect" button
  // and by tests); the normal reconnect path takes over.
  drop() {
    if (this.ws) this.ws.close();
  }

  retryNow() {
    if (this.ws || this.state === "signed-out") return; // connected, or already trying
    this.attempt = 0;
    this.connect();
  }

  closed(event) {
    this.ws = null;
    if (event.code === SIGNED_OUT) {
      this.setState("signed-out");
      return;
    }
    this.setState("reconnecting");
    const ceiling = Math.min(MAX_DELAY, BASE_DELAY * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2); // jitter: no thundering herd
    this.attempt += 1;
    this.nextRetry = Date.now() + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  heartbeat() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastMessage > SILENCE) {
      this.abandon();
      return;
    }
    this.pings += 1;
    this.send({ ping: this.pings });
  }

  // Half-open: the network went away without telling us, and a close handshake may never
  // finish. Forget the socket (its late events are ignored) and reconnect now.
  abandon() {
    const dead = this.ws;
    this.ws = null;
    try {
      dead.close();
    } catch {
      /* already closing */
    }
    this.closed({ code: 1006 });
  }

  setState(state) {
    this.state = state;
    this.report();
  }

  // Connected: "live" when every tracked incident is complete, else "stale" (Out of date).
  settle() {
    if (this.state !== "live" && this.state !== "stale") return;
    const behind = [...this.tracked.values()].some((entry) => entry.behind);
    const state = behind ? "stale" : "live";
    if (state !== this.state) this.setState(state);
  }

  report() {
    this.handlers.onStatus({
      state: this.state,
      lastUpdate: this.lastUpdate,
      retryIn: this.nextRetry ? Math.max(0, this.nextRetry - Date.now()) : 0,
    });
  }

  // --- receiving --------------------------------------------------------------------------

  receive(envelope) {
    this.lastMessage = Date.now();
    if (envelope.type === "pong") return;
    if (envelope.type === "hello") {
      syncClock(envelope.at);
      this.lastUpdate = now();
      this.attempt = 0;
      for (const id of this.subscriptions) this.send({ subscribe: id });
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.state = "live";
      this.settle();
      this.report();
      // Anything committed while this page was not listening is fetched now.
      for (const id of this.tracked.keys()) this.catchUp(id);
      this.handlers.onConnected({ reconnected });
      return;
    }
    this.lastUpdate = now();
    if (envelope.type === "event") {
      const id = Number(envelope.incident);
      const entry = this.tracked.get(id);
      if (entry) {
        this.offer(id, entry, envelope);
      } else {
        const early = this.pending.get(id) || { since: Date.now(), events: [] };
        if (early.events.length < PENDING_PER_INCIDENT) early.events.push(envelope);
        if (this.pending.has(id) || this.pending.size < PENDING_INCIDENTS) this.pending.set(id, early);
        this.handlers.onUntracked(envelope);
      }
      return;
    }
    if (envelope.type === "refused" && envelope.incident) {
      this.subscriptions.delete(Number(envelope.incident));
    }
    this.handlers.onEnvelope(envelope);
  }

  offer(id, entry, event) {
    if (entry.fetching || entry.retry) {
      entry.queue.push(event);
      return;
    }
    if (event.seq <= entry.last) return; // already applied (or covered by a catch-up)
    if (event.seq === entry.last + 1) {
      this.apply(id, entry, event);
      return;
    }
    entry.queue.push(event);
    this.catchUp(id);
  }

  apply(id, entry, event) {
    entry.last = Math.max(entry.last, event.seq);
    try {
      this.handlers.onEvent({ ...event, type: "event", incident: id });
    } catch (error) {
      console.error("board: could not apply event", event, error);
    }
  }

  // Fetch what this page missed of one incident, then apply the queued live events in order.
  catchUp(incidentId) {
    const id = Number(incidentId);
    const entry = this.tracked.get(id);
    if (!entry) return Promise.resolve();
    if (entry.fetching) return entry.fetching;
    clearTimeout(entry.retry);
    entry.retry = null;
    entry.fetching = (async () => {
      try {
        let gap = true;
        for (let round = 0; round < CATCH_UP_ROUNDS && gap; round += 1) {
          await this.fetchAfter(id, entry);
          gap = this.drainQueue(id, entry);
        }
        if (gap) {
          // Events the server cannot give back: never skip them, start again from a snapshot.
          this.outOfDate(id, entry);
          return;
        }
        entry.behind = false;
        entry.failures = 0;
        this.lastUpdate = now();
      } catch (error) {
        if (error instanceof ApiError && (error.status === 404 || error.status === 403)) {
          this.untrack(id);
          this.handlers.onLost(id);
          return;
        }
        // Server unreachable or failing: the parked events wait, the page says it is behind,
        // and the catch-up is tried again (sooner than the next reconnect).
        entry.behind = true;
        entry.failures += 1;
        const delay = Math.min(RETRY_CATCH_UP_MAX, BASE_DELAY * 2 ** entry.failures);
        entry.retry = setTimeout(() => {
          entry.retry = null;
          if (this.tracked.get(id) === entry) this.catchUp(id);
        }, delay);
      } finally {
        entry.fetching = null;
        this.settle();
      }
    })();
    return entry.fetching;
  }

  outOfDate(id, entry) {
    entry.behind = true;
    entry.queue = [];
    this.settle();
    this.handlers.onOutOfDate(id);
  }

  async fetchAfter(id, entry) {
    let more = true;
    while (more) {
      const page = await api(`incidents/${id}/events/?after=${entry.last}&limit=500`);
      for (const event of page.results) {
        if (event.seq > entry.last) this.apply(id, entry, event);
      }
      more = page.has_more;
      // The incident's last seq covers events this board is not meant to see.
      if (!more) entry.last = Math.max(entry.last, page.last_seq);
    }
  }

  // Apply queued live events in order; returns true if a gap remains (another fetch due).
  drainQueue(id, entry) {
    const queue = entry.queue.sort((a, b) => a.seq - b.seq);
    entry.queue = [];
    let gap = false;
    for (const event of queue) {
      if (event.seq <= entry.last) continue;
      if (event.seq === entry.last + 1) this.apply(id, entry, event);
      else {
        gap = true;
        entry.queue.push(event);
      }
    }
    return gap;
  }
}

// The default answer to a gap that cannot be filled: reload the page (its snapshot), unless
// it was reloaded for this a minute ago, in which case the banner stays and offers a reload.
export function reloadPage() {
  let last = 0;
  try {
    last = Number(sessionStorage.getItem(RELOADED_AT)) || 0;
  } catch {
    /* storage disabled */
  }
  if (Date.now() - last < RELOAD_GUARD) return false;
  setTimeout(() => {
    try {
      sessionStorage.setItem(RELOADED_AT, String(Date.now()));
    } catch {
      /* storage disabled */
    }
    location.reload();
  }, RELOAD_AFTER);
  return true;
}
