// The officials' board: read-only summaries of the region's open incidents — status, counts
// by colour, hospitals answering — with emergency management's updates and the public
// timeline. Officials receive public events without data; each one refreshes the summary.

import { debouncedRefresher, leaveWhenClosed, loadIncident, pageUrl, refreshSnapshot, startBoard } from "./board.js";
import { countsBlock, declaredClock, exerciseTag, since, statusBadge, timeline } from "./components.js";
import { api } from "./api.js";
import { $, h, replace, scheduler } from "./dom.js";
import { KIND, plural, timeOfDay } from "./format.js";

const incidents = new Map();
const loading = new Set();
const ignored = new Set(); // closed incidents, heard of through a late event
const listEl = $("#officials-incidents");
const REFRESH_EVERY = 30_000; // patient counts move without public events

const render = scheduler(() => {
  const states = [...incidents.values()].sort((a, b) => b.incident.declared_at.localeCompare(a.incident.declared_at));
  if (!states.length) {
    replace(listEl, h("div", { class: "empty" }, h("h2", {}, "No open incident"), h("p", {}, "When an MCI is declared in your region its summary appears here, with every update emergency management sends.")));
    return;
  }
  replace(listEl, states.map(card));
});

function card(state) {
  const inc = state.incident;
  const c = state.counts;
  const acked = state.hospitals.filter((x) => x.acknowledged_at).length;
  const answered = state.hospitals.filter((x) => x.capacity).length;
  return h(
    "article",
    { class: "card official-card", "data-incident": inc.id },
    inc.is_exercise ? h("div", { class: "banner-exercise banner-inline" }, "EXERCISE · EXERCISE · EXERCISE") : null,
    h(
      "div",
      { class: "detail-head" },
      h("div", {}, h("h2", { class: "detail-title" }, h("a", { href: pageUrl("incident", inc.id) }, `${inc.number} · ${inc.title}`)), h("p", { class: "incident-facts" }, KIND[inc.kind] || inc.kind, inc.location_text ? ` · ${inc.location_text}` : "", ` · declared ${declaredClock(inc)} · `, since(inc.declared_at, { suffix: " ago" }))),
      h("div", {}, statusBadge(inc.status), " ", exerciseTag(inc)),
    ),
    h(
      "div",
      { class: "grid-2" },
      h(
        "div",
        {},
        h("h3", {}, "Casualties"),
        countsBlock(c.by_category),
        h("p", { class: "small" }, `${plural(c.total, "patient")} · ${c.by_status.in_transport || 0} in transport · ${c.by_status.arrived || 0} at hospitals`),
        h("p", { class: "small" }, `Hospitals: ${state.hospitals.map((x) => x.name).join(", ") || "none yet"} — ${acked}/${state.hospitals.length} acknowledged, ${answered}/${state.hospitals.length} gave capacity`),
      ),
      h(
        "div",
        {},
        h("h3", {}, "Updates from emergency management"),
        state.updates && state.updates.length
          ? h("ol", { class: "updates" }, state.updates.map((u) => h("li", { class: "update" }, h("p", { class: "update__meta" }, timeOfDay(u.posted_at), ` · ${u.author || ""}`), h("p", { class: "update__body" }, u.body))))
          : h("p", { class: "muted" }, "No update yet."),
      ),
    ),
    h("details", { class: "official-timeline" }, h("summary", {}, "Timeline"), timeline(state.timeline, { limit: 30, zone: inc.time_zone })),
  );
}

async function load(id) {
  if (incidents.has(id) || loading.has(id) || ignored.has(id)) return;
  loading.add(id);
  try {
    const state = await loadIncident(id, { updates: true });
    if (state.incident.status === "closed") {
      ignored.add(id);
      socket.untrack(id); // and drop any events it was sent
      return;
    }
    incidents.set(id, state);
    socket.track(id, state.lastSeq);
    render();
  } catch (error) {
    console.warn("officials: could not load incident", id, error);
  } finally {
    loading.delete(id);
  }
}

const refresh = debouncedRefresher(async (id) => {
  const state = incidents.get(id);
  if (!state) return;
  await refreshSnapshot(state).catch(() => {});
  try {
    const page = await api(`incidents/${id}/updates/?page_size=100`);
    state.updates = page.results;
  } catch {
    /* keep what we have */
  }
  render();
}, 1200);

const socket = startBoard({
  onEvent(event) {
    const state = incidents.get(event.incident);
    if (!state) return;
    state.apply(event);
    refresh(event.incident); // no data for officials: the summary comes from the snapshot
    leaveWhenClosed(socket, incidents, event, render);
    render();
  },
  onUntracked(event) {
    load(event.incident);
  },
  onLost(id) {
    incidents.delete(id);
    render();
  },
  onConnected({ reconnected }) {
    if (reconnected) start().catch(() => {}); // incidents declared while it was away
  },
});

async function start() {
  const pages = await Promise.all([api("incidents/?status=active&page_size=100"), api("incidents/?status=deescalated&page_size=100")]);
  await Promise.all(pages.flatMap((p) => p.results).map((i) => load(i.id)));
  render();
}
setInterval(() => incidents.forEach((_, id) => refresh(id)), REFRESH_EVERY);
start().catch((error) => replace(listEl, h("div", { class: "alert alert-error", role: "alert" }, `Could not load: ${error.message}`)));
