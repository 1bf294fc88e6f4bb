// What every board page does: open the socket, show its state, tick timers, and load an
// incident into an IncidentState (snapshot, plus patients and updates when the page shows
// them and the user may see them).

import { api, fetchAll } from "./api.js";
import { startTicker } from "./components.js";
import { config, syncClock } from "./config.js";
import { usePageTimeZone } from "./format.js";
import { BoardSocket } from "./socket.js";
import { IncidentState } from "./state.js";
import { connectionStatus } from "./status.js";

export function startBoard(handlers) {
  const socket = new BoardSocket({ ...handlers });
  socket.handlers.onStatus = connectionStatus(socket);
  socket.start();
  startTicker();
  window.asimBoard = socket; // for the curious admin's console, and for the browser tests
  // Read-only: what this page follows (a wall screen's work must stay bounded by its screen).
  window.__board = {
    trackedIncidents: () => socket.trackedIncidents(),
    pendingIncidents: () => socket.pendingIncidents(),
    state: () => socket.state,
  };
  return socket;
}

// A closed incident stays on a board this long after it closed, then leaves the screen.
export const CLOSED_ON_SCREEN_MS = 10 * 60_000;

// After `incident.closed`: once the incident has been closed for `after` ms (and was not
// reopened), take it off `incidents` and stop tracking it; `gone(id)` updates the screen.
export function leaveWhenClosed(socket, incidents, event, gone, after = CLOSED_ON_SCREEN_MS) {
  if (event.kind !== "incident.closed") return;
  const id = event.incident;
  setTimeout(() => {
    const state = incidents.get(id);
    if (state && state.incident.status !== "closed") return; // reopened meanwhile
    incidents.delete(id);
    socket.untrack(id);
    gone(id);
  }, after);
}

export function lastSeqOf(snapshot) {
  return Math.max(snapshot.incident.last_seq, ...snapshot.events.map((e) => e.seq), 0);
}

export async function loadIncident(id, { patients = false, updates = false, patientFilter = "" } = {}) {
  const snapshot = await api(`incidents/${id}/board/`);
  syncClock(snapshot.now);
  usePageTimeZone(snapshot.incident.time_zone);
  const state = new IncidentState(snapshot);
  state.lastSeq = lastSeqOf(snapshot);
  const loads = [];
  if (patients && ["hospital", "read", "act"].includes(snapshot.access)) {
    loads.push(
      fetchAll(`incidents/${id}/patients/?page_size=500${patientFilter}`).then((list) => state.setPatients(list)),
    );
  }
  if (updates && snapshot.access !== "hospital") {
    loads.push(fetchAll(`incidents/${id}/updates/?page_size=100`).then((list) => (state.updates = list)));
  }
  await Promise.all(loads);
  state.recomputeSent();
  return state;
}

// A new snapshot for an incident already on the board (after an event only it can show).
export async function refreshSnapshot(state) {
  const snapshot = await api(`incidents/${state.id}/board/`);
  syncClock(snapshot.now);
  state.setSnapshot(snapshot);
  state.recomputeSent();
  return state;
}

// refresh(id) at most once per `wait` ms per incident, the last call winning.
export function debouncedRefresher(run, wait = 400) {
  const timers = new Map();
  return (id) => {
    clearTimeout(timers.get(id));
    timers.set(
      id,
      setTimeout(() => {
        timers.delete(id);
        run(id);
      }, wait),
    );
  };
}

export function pageUrl(name, id) {
  const pattern = config.urls && config.urls[name];
  return pattern ? pattern.replace("{id}", id) : null;
}
