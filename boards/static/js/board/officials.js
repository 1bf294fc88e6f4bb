// The officials' board: read-only summaries of the region's open incidents — status, counts
// by colour, hospitals answering — with emergency management's updates and the public
// timeline. Officials receive public events without data; each one refreshes the summary.

import { pageUrl } from "./board.js";
import { countsBlock, declaredClock, exerciseTag, since, statusBadge, timeline } from "./components.js";
import { api } from "./api.js";
import { $, h, replace, scheduler } from "./dom.js";
import { KIND, plural, timeOfDay } from "./format.js";
import { followOpenIncidents } from "./open_incidents.js";

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

// Officials receive no data: every event refreshes the summary from the snapshot.
const { incidents, loadOpen, refresh } = followOpenIncidents({
  name: "officials",
  render,
  loadOptions: { updates: true },
  refreshWait: 1200,
  applied(event) {
    refresh(event.incident);
  },
  async refreshed(state) {
    try {
      const page = await api(`incidents/${state.id}/updates/?page_size=100`);
      state.updates = page.results;
    } catch {
      /* keep what we have */
    }
  },
  reconnected: () => start(),
});

async function start() {
  await loadOpen();
  render();
}
setInterval(() => incidents.forEach((_, id) => refresh(id)), REFRESH_EVERY);
start().catch((error) => replace(listEl, h("div", { class: "alert alert-error", role: "alert" }, `Could not load: ${error.message}`)));
