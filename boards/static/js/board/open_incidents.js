// The region boards that follow every open incident (dispatch, EM, officials): load each
// incident into an IncidentState, track it on the socket, apply its events, refresh its
// snapshot when an event asks for it, and drop it when it leaves the screen. A closed
// incident heard of through a late event is ignored (and its events dropped).
//
// Each page keeps its own screen; it says what to load with each incident and adds its own
// work through the hooks:
//   loadOptions        what loadIncident fetches besides the snapshot (patients, updates)
//   keepClosed(opts)   whether a closed incident loaded with `opts` stays (default: never)
//   loaded(id, state, opts)   after the incident is on the board, before it is drawn
//   applied(event, state, change)   after an event was applied (change: state.apply's answer;
//                      by default a new snapshot when the change asks for one)
//   refreshed(state)   after a snapshot refresh, before it is drawn
//   gone(id)           the incident left the board (closed long enough, or access lost)
//   reconnected()      the socket is back after a break: load what was declared meanwhile
//   onEnvelope(env)    any other envelope (e.g. notification progress)

import { api } from "./api.js";
import { debouncedRefresher, leaveWhenClosed, loadIncident, refreshSnapshot, startBoard } from "./board.js";

// The ids of the region's open incidents (active, then de-escalated).
export async function openIncidentIds() {
  const pages = await Promise.all([api("incidents/?status=active&page_size=100"), api("incidents/?status=deescalated&page_size=100")]);
  return pages.flatMap((p) => p.results).map((i) => i.id);
}

export function followOpenIncidents({
  name,
  render,
  loadOptions = {},
  refreshWait = 400,
  keepClosed = () => false,
  loaded = () => {},
  applied = null,
  refreshed = async () => {},
  gone = () => {},
  reconnected = async () => {},
  onEnvelope,
}) {
  const incidents = new Map(); // id → IncidentState
  const loading = new Set();
  const ignored = new Set(); // closed incidents, heard of through a late event

  // Whether `id` is on the board, on its way, or ignored.
  const known = (id) => incidents.has(id) || loading.has(id) || ignored.has(id);

  async function load(id, opts = {}) {
    if (known(id)) return;
    loading.add(id);
    try {
      const state = await loadIncident(id, loadOptions);
      if (state.incident.status === "closed" && !keepClosed(opts)) {
        ignored.add(id);
        socket.untrack(id); // and drop any events it was sent
        return;
      }
      incidents.set(id, state);
      socket.track(id, state.lastSeq);
      await loaded(id, state, opts);
      render();
    } catch (error) {
      console.warn(`${name}: could not load incident`, id, error);
    } finally {
      loading.delete(id);
    }
  }

  // Every open incident of the region onto the board.
  async function loadOpen() {
    const ids = await openIncidentIds();
    await Promise.all(ids.map((id) => load(id)));
    return ids;
  }

  const afterApply =
    applied ||
    ((event, state, change) => {
      if (change.refresh) refresh(event.incident);
    });

  const refresh = debouncedRefresher(async (id) => {
    const state = incidents.get(id);
    if (!state) return;
    await refreshSnapshot(state).catch(() => {});
    await refreshed(state);
    render();
  }, refreshWait);

  const socket = startBoard({
    onEvent(event) {
      const state = incidents.get(event.incident);
      if (!state) return;
      afterApply(event, state, state.apply(event));
      leaveWhenClosed(socket, incidents, event, (id) => {
        gone(id);
        render();
      });
      render();
    },
    onUntracked(event) {
      load(event.incident);
    },
    onLost(id) {
      incidents.delete(id);
      gone(id);
      render();
    },
    onConnected({ reconnected: back }) {
      if (back) reconnected().catch(() => {}); // incidents declared while it was away
    },
    onEnvelope,
  });

  return { incidents, known, load, loadOpen, refresh, socket };
}
