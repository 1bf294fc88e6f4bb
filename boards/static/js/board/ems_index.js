// EMS: the open incidents of the user's regions, each a big way into its EMS board. Live:
// a newly declared MCI appears without a reload.

import { api } from "./api.js";
import { pageUrl, startBoard } from "./board.js";
import { exerciseTag, since, statusBadge } from "./components.js";
import { $, h, replace } from "./dom.js";
import { KIND } from "./format.js";

const listEl = $("#ems-incidents");
let timer = null;

async function load() {
  const pages = await Promise.all([api("incidents/?status=active&page_size=100"), api("incidents/?status=deescalated&page_size=100")]);
  const open = pages.flatMap((p) => p.results);
  if (!open.length) {
    replace(listEl, h("div", { class: "empty" }, h("h2", {}, "No open incident"), h("p", {}, "When dispatch declares an MCI it appears here at once.")));
    return;
  }
  replace(
    listEl,
    h(
      "ul",
      { class: "incident-cards incident-cards-wide" },
      open.map((inc) =>
        h(
          "li",
          {},
          h(
            "a",
            { class: `incident-card status-${inc.status}`, href: pageUrl("ems", inc.id) },
            h("span", { class: "incident-card__head" }, statusBadge(inc.status), exerciseTag(inc), h("span", { class: "incident-card__number" }, inc.number), since(inc.declared_at)),
            h("span", { class: "incident-card__title" }, inc.title),
            h("span", { class: "incident-card__line" }, KIND[inc.kind] || inc.kind, inc.location_text ? ` · ${inc.location_text}` : ""),
          ),
        ),
      ),
    ),
  );
}

startBoard({
  onEvent() {},
  onUntracked(event) {
    if (!event.kind.startsWith("incident.")) return;
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  },
});
load().catch((error) => replace(listEl, h("div", { class: "alert alert-error", role: "alert" }, error.message)));
