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
// - While disconnected it reports "reconnecting" with the time of the last update, and
//   reconnects with exponential backoff and jitter (0.5 s doubling to 30 s). Close code 4401
//   means signed out: no retry, the page says so.
// - A heartbeat ping every 20 s; 50 s without any message counts as a dead connection.

import { api, ApiError } from "./api.js";
import { config, now, syncClock } from "./config.js";

const BASE_DELAY = 500;
const MAX_DELAY = 30_000;
const HEARTBEAT = 20_000;
const SILENCE = 50_000;
const CATCH_UP_ROUNDS = 3;
const PENDING_PER_INCIDENT = 200;
export const SIGNED_OUT = 4401;

export class BoardSocket {
  constructor({
    onEvent,
    onEnvelope = () => {},
    onUntracked = () => {},
    onLost = () => {},
    onStatus = () => {},
    onConnected = () => {},
  }) {
    this.handlers = { onEvent, onEnvelope, onUntracked, onLost, onStatus, onConnected };
    this.tracked = new Map(); // incident id → { last, fetching, queue }
    this.pending = new Map(); // untracked incident id → events that arrived before track()
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
    setInterval(() => this.state !== "live" && this.report(), 1000);
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
    const entry = { last: lastSeq, fetching: null, queue: [] };
    this.tracked.set(id, entry);
    const early = this.pending.get(id) || [];
    this.pending.delete(id);
    for (const event of early.sort((a, b) => a.seq - b.seq)) this.offer(id, entry, event);
  }

  untrack(incidentId) {
    this.tracked.delete(Number(incidentId));
    this.unsubscribe(incidentId);
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
      this.ws.close(); // half-open: the network went away without telling us
      return;
    }
    this.pings += 1;
    this.send({ ping: this.pings });
  }

  setState(state) {
    this.state = state;
    this.report();
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
      this.setState("live");
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
        const early = this.pending.get(id) || [];
        if (early.length < PENDING_PER_INCIDENT) early.push(envelope);
        this.pending.set(id, early);
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
    if (entry.fetching) {
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
    entry.fetching = (async () => {
      try {
        for (let round = 0; round < CATCH_UP_ROUNDS; round += 1) {
          await this.fetchAfter(id, entry);
          if (!this.drainQueue(id, entry, false)) break;
        }
        this.drainQueue(id, entry, true);
        this.lastUpdate = now();
      } catch (error) {
        if (error instanceof ApiError && (error.status === 404 || error.status === 403)) {
          this.tracked.delete(id);
          this.handlers.onLost(id);
        }
        // Otherwise (server unreachable) the next reconnect catches up again.
      } finally {
        entry.fetching = null;
      }
    })();
    return entry.fetching;
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

  // Apply queued live events in order; returns true if a gap remains (another fetch due),
  // unless `force`, which applies what is left regardless.
  drainQueue(id, entry, force) {
    const queue = entry.queue.sort((a, b) => a.seq - b.seq);
    entry.queue = [];
    let gap = false;
    for (const event of queue) {
      if (event.seq <= entry.last) continue;
      if (event.seq === entry.last + 1 || force) this.apply(id, entry, event);
      else {
        gap = true;
        entry.queue.push(event);
      }
    }
    return gap;
  }
}
