// The incident's shared ASIM checklist, live: each phase with its progress bar (done / total,
// time of the last check), each item with its discipline tags, its owner role, who checked it
// and when, and a checkbox where the user may check it (the API says which: `can_check`).
// Filter chips by discipline and by owner role, plus "items I can check" and "open only".
//
// The card holds the whole checklist (unfiltered; filters are applied here, so a live event
// always finds its item). A `checklist.checked` / `checklist.unchecked` event carries the item
// and the counts after the change: the card applies both, then checks that its own count of
// done items in that phase matches the event's — if not (a missed event), or when the event
// has no data or an unknown item, it fetches the checklist again. `checklist.started`
// fetches it too.

import { api } from "./api.js";
import { age } from "./components.js";
import { config } from "./config.js";
import { $, h, replace } from "./dom.js";
import { timeOfDay } from "./format.js";

const DISCIPLINE = Object.fromEntries((config.disciplines || []).map((d) => [d.value, d.label]));
const SHORT = { law: "Law", fire_ems: "Fire/EMS", dispatch: "Dispatch", em: "EM", hospital: "Hospital", multi: "Multi" };

export class ChecklistCard {
  constructor({ incident, isClosed = () => false, onChange = () => {} }) {
    this.id = incident;
    this.isClosed = isClosed;
    this.onChange = onChange;
    this.data = null; // the API's checklist overview (all items)
    this.failed = false;
    this.filters = { disciplines: new Set(), roles: new Set(), checkable: false, open: false };
    this.busy = new Set(); // item ids with a request in flight
    this.notice = null;
    this.refetchTimer = null;
  }

  async load() {
    try {
      this.data = await api(`incidents/${this.id}/checklist/`);
      this.failed = false;
    } catch {
      this.failed = true; // the card hides; the rest of the page carries on
    }
    this.render();
  }

  // Fetch again shortly (several events in a burst: one fetch).
  refetchSoon(wait = 300) {
    clearTimeout(this.refetchTimer);
    this.refetchTimer = setTimeout(() => this.load(), wait);
  }

  item(itemId) {
    if (!this.data) return null;
    for (const phase of this.data.phases) {
      const found = phase.items.find((i) => i.id === itemId);
      if (found) return { phase, item: found };
    }
    return null;
  }

  // A timeline event; true when it concerned the checklist.
  onEvent(event) {
    if (!event.kind.startsWith("checklist.")) return false;
    const d = event.data;
    if (event.kind === "checklist.started" || !d || !this.data || !this.data.checklist) {
      this.refetchSoon(100);
      return true;
    }
    const found = this.item(d.item_id);
    if (!found) {
      this.refetchSoon(100);
      return true;
    }
    this.setItem(found.phase, found.item, {
      done: d.done,
      checked_at: d.done ? event.at : null,
      checked_by: d.done ? event.actor : "",
      changed_at: event.at,
      changed_by: event.actor,
    });
    const phase = found.phase;
    Object.assign(phase, { done: d.phase_done, total: d.phase_total });
    this.finishPhase(phase);
    this.data.progress = progressOf(d.total_done, d.total);
    // Our own count disagrees with the server's: an event went missing; take the truth.
    if (phase.items.filter((i) => i.done).length !== d.phase_done || phase.items.length !== d.phase_total) {
      this.refetchSoon(100);
    }
    this.render();
    return true;
  }

  setItem(phase, item, values) {
    Object.assign(item, values);
    this.finishPhase(phase);
  }

  // Percent, completeness and first/last check times from the phase's items.
  finishPhase(phase) {
    const times = phase.items.filter((i) => i.done && i.checked_at).map((i) => i.checked_at).sort();
    phase.first_checked_at = times[0] || null;
    phase.last_checked_at = times[times.length - 1] || null;
    phase.percent = phase.total ? Math.round((100 * phase.done) / phase.total) : 0;
    phase.complete = phase.total > 0 && phase.done === phase.total;
  }

  async toggle(itemId, done) {
    this.busy.add(itemId);
    this.notice = null;
    this.render();
    try {
      const answer = await api(`incidents/${this.id}/checklist/items/${itemId}/${done ? "check" : "uncheck"}/`, { method: "POST" });
      const found = this.item(itemId);
      if (found) {
        Object.assign(found.item, answer.item);
        Object.assign(found.phase, answer.phase);
      }
      this.data.progress = answer.progress;
    } catch (error) {
      this.notice = error.message;
      this.refetchSoon(0); // someone else may have changed it: show what is true now
    } finally {
      this.busy.delete(itemId);
      this.render();
    }
  }

  // --- filters ---------------------------------------------------------------------------

  keeps(item) {
    const f = this.filters;
    if (f.disciplines.size && !item.disciplines.some((d) => f.disciplines.has(d))) return false;
    if (f.roles.size && !f.roles.has(item.owner_role || "none")) return false;
    if (f.checkable && !item.can_check) return false;
    return !(f.open && item.done);
  }

  filterChip(label, pressed, onClick, extra = {}) {
    return h("button", { type: "button", class: `filter-chip${pressed ? " is-on" : ""}`, "aria-pressed": pressed ? "true" : "false", onclick: onClick, ...extra }, label);
  }

  toggleIn(set, value) {
    if (set.has(value)) set.delete(value);
    else set.add(value);
    this.render();
  }

  filtersBar() {
    const items = this.data.phases.flatMap((p) => p.items);
    const disciplines = (config.disciplines || []).map((d) => d.value).filter((d) => items.some((i) => i.disciplines.includes(d)));
    const roles = new Map();
    for (const i of items) if (i.owner_role) roles.set(i.owner_role, i.owner_role_label);
    const f = this.filters;
    const any = f.disciplines.size || f.roles.size || f.checkable || f.open;
    return [
      h(
        "div",
        { class: "filter-row", role: "group", "aria-label": "Filter by discipline" },
        h("span", { class: "filter-row__label" }, "Discipline"),
        disciplines.map((d) => this.filterChip(DISCIPLINE[d] || d, f.disciplines.has(d), () => this.toggleIn(f.disciplines, d), { "data-discipline": d })),
      ),
      roles.size
        ? h(
            "div",
            { class: "filter-row", role: "group", "aria-label": "Filter by role" },
            h("span", { class: "filter-row__label" }, "Role"),
            [...roles].map(([value, label]) => this.filterChip(label, f.roles.has(value), () => this.toggleIn(f.roles, value), { "data-role": value })),
          )
        : null,
      h(
        "div",
        { class: "filter-row", role: "group", "aria-label": "Show" },
        h("span", { class: "filter-row__label" }, "Show"),
        this.data.can_check ? this.filterChip("Items I can check", f.checkable, () => ((f.checkable = !f.checkable), this.render()), { "data-show": "checkable" }) : null,
        this.filterChip("Open items only", f.open, () => ((f.open = !f.open), this.render()), { "data-show": "open" }),
        any
          ? h("button", { type: "button", class: "btn btn-quiet btn-small", onclick: () => ((this.filters = { disciplines: new Set(), roles: new Set(), checkable: false, open: false }), this.render()) }, "Clear filters")
          : null,
      ),
    ];
  }

  // --- drawing -----------------------------------------------------------------------------

  render() {
    const card = $("#checklist-card");
    if (!card) return;
    card.hidden = this.failed || !this.data;
    if (card.hidden) return;
    const data = this.data;
    if (!data.checklist) {
      replace($("#checklist-summary"));
      replace($("#checklist-filters"));
      replace($("#incident-checklist"), h("p", { class: "muted" }, "No checklist on this incident: the region had not adopted one when it was declared."));
      return;
    }
    const p = data.progress;
    replace(
      $("#checklist-summary"),
      h("strong", { class: "checklist-total" }, `${p.done} of ${p.total} done`),
      ` (${p.percent}%)`,
      data.template ? h("span", { class: "small muted" }, ` · ${data.template.name}, version ${data.template.version}`) : null,
    );
    replace($("#checklist-notice"), this.notice ? h("div", { class: "alert alert-error", role: "alert" }, this.notice) : null);
    // Keep focus on a chip or checkbox across re-renders (keyboard users, live events).
    const focused = document.activeElement;
    const focusKey = focused && focused.closest && focused.closest("#checklist-card") ? ["item", "discipline", "role", "show"].find((k) => focused.dataset[k] !== undefined) : null;
    const focusValue = focusKey ? focused.dataset[focusKey] : null;
    replace($("#checklist-filters"), this.filtersBar());
    replace($("#incident-checklist"), h("div", { class: "cl-phases" }, data.phases.map((phase) => this.phaseBlock(phase))));
    if (focusKey) {
      const again = $(`#checklist-card [data-${focusKey}="${CSS.escape(focusValue)}"]`);
      if (again) again.focus();
    }
  }

  phaseBlock(phase) {
    const items = phase.items.filter((i) => this.keeps(i));
    return h(
      "section",
      { class: `cl-phase${phase.complete ? " is-complete" : ""}`, "data-phase": phase.position, "aria-label": phase.title },
      h(
        "div",
        { class: "cl-phase__head" },
        h("h3", { class: "cl-phase__title" }, h("span", { class: "cl-phase__n" }, `${phase.position}`), phase.title),
        h(
          "div",
          { class: "cl-phase__progress" },
          h("span", { class: "phase-bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": phase.total, "aria-valuenow": phase.done, "aria-label": `${phase.title}: ${phase.done} of ${phase.total} done` }, h("span", { style: `width:${phase.percent}%` })),
          h("span", { class: "cl-phase__count", "data-phase-count": phase.position }, `${phase.done}/${phase.total}`),
          h("span", { class: "cl-phase__last small muted" }, phase.complete ? "✓ complete" : "", phase.last_checked_at ? [phase.complete ? " · " : "", "last check ", timeOfDay(phase.last_checked_at)] : phase.done ? "" : "not started"),
        ),
      ),
      items.length
        ? h("ul", { class: "cl-items" }, items.map((item) => this.itemRow(item)))
        : h("p", { class: "small muted cl-none" }, phase.items.length ? "No item of this phase matches the filters." : "No items."),
    );
  }

  itemRow(item) {
    const closed = this.isClosed();
    const busy = this.busy.has(item.id);
    const canCheck = item.can_check && !closed;
    const boxId = `cl-item-${item.id}`;
    const box = canCheck
      ? h("input", {
          type: "checkbox",
          id: boxId,
          class: "cl-check",
          "data-item": item.id,
          checked: item.done,
          disabled: busy,
          onchange: (e) => this.toggle(item.id, e.target.checked),
        })
      : h("span", { class: `cl-mark${item.done ? " is-done" : ""}`, "aria-hidden": "true" }, item.done ? "✓" : "");
    const text = canCheck ? h("label", { for: boxId, class: "cl-item__text" }, item.text) : h("span", { class: "cl-item__text" }, item.text, h("span", { class: "visually-hidden" }, item.done ? " (done)" : " (open)"));
    return h(
      "li",
      { class: `cl-item${item.done ? " is-done" : ""}${busy ? " is-busy" : ""}`, "data-item-row": item.id },
      box,
      h(
        "div",
        { class: "cl-item__body" },
        text,
        h(
          "div",
          { class: "cl-item__meta" },
          item.disciplines.map((d) => h("span", { class: `tag tag-${d}`, title: DISCIPLINE[d] || d }, SHORT[d] || d)),
          item.owner_role_label ? h("span", { class: "cl-owner" }, h("span", { class: "visually-hidden" }, "Owner: "), "▸ ", item.owner_role_label) : null,
          item.done
            ? h("span", { class: "cl-by" }, "✓ ", item.checked_by || "someone", " · ", h("time", { datetime: item.checked_at }, timeOfDay(item.checked_at)), " · ", age(item.checked_at))
            : item.changed_by
              ? h("span", { class: "cl-by small muted" }, `un-checked by ${item.changed_by} ${timeOfDay(item.changed_at)}`)
              : null,
        ),
      ),
    );
  }
}

function progressOf(done, total) {
  return { done, total, percent: total ? Math.round((100 * done) / total) : 0 };
}

// --- key figures (…/record/figures/), with the links to the printable record ----------------

const FIGURE_KINDS = ["hospital.", "patient.", "checklist.", "incident."];

export class FiguresCard {
  constructor({ incident }) {
    this.id = incident;
    this.figures = null;
    this.failed = false;
    this.timer = null;
  }

  async load() {
    try {
      this.figures = await api(`incidents/${this.id}/record/figures/`);
      this.failed = false;
    } catch {
      this.failed = true;
    }
    this.render();
  }

  // The figures are computed on the server from the timeline: fetch again after a burst.
  onEvent(event) {
    if (!FIGURE_KINDS.some((k) => event.kind.startsWith(k))) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), 1200);
  }

  links() {
    const id = this.id;
    const page = config.urls && config.urls.record ? config.urls.record.replace("{id}", id) : null;
    const pdf = config.urls && config.urls.record_pdf ? config.urls.record_pdf.replace("{id}", id) : null;
    return [
      page ? h("a", { class: "btn btn-small btn-quiet", href: page }, "Printable record") : null,
      pdf ? h("a", { class: "btn btn-small btn-quiet", href: pdf }, "PDF") : null,
      config.timeline_csv ? h("a", { class: "btn btn-small btn-quiet", href: config.timeline_csv, download: "" }, "Timeline CSV") : null,
    ];
  }

  render() {
    const card = $("#figures-card");
    if (!card) return;
    card.hidden = this.failed || !this.figures;
    if (card.hidden) return;
    const f = this.figures;
    replace($("#record-links"), this.links());
    const p = f.patients;
    const labels = p.category_labels || {};
    const cats = Object.keys(p.by_category).filter((c) => p.by_category[c] || ["immediate", "delayed", "minor"].includes(c));
    replace(
      $("#incident-figures"),
      f.label ? h("p", { class: "badge badge-exercise" }, f.label) : null,
      h(
        "dl",
        { class: "figure-tiles" },
        f.milestones.map((m) =>
          h(
            "div",
            { class: `figure-tile${m.at ? "" : " is-pending"}`, "data-figure": m.key },
            h("dt", {}, m.label),
            h("dd", { class: "figure-tile__value" }, m.at ? m.elapsed : "—"),
            h("dd", { class: "figure-tile__note small" }, m.at ? `at ${timeOfDay(m.at)}` : "not yet", m.note ? ` · ${m.note}` : ""),
          ),
        ),
      ),
      h(
        "div",
        { class: "figures-grid" },
        h(
          "div",
          {},
          h("h3", {}, "Patients by colour ", h("span", { class: "small muted" }, `(${p.total} in all${p.walk_ins ? `, ${p.walk_ins} walk-in` : ""})`)),
          h("ul", { class: "figure-chips" }, cats.map((c) => h("li", { class: `figure-chip triage-${colourClass(c)}` }, h("strong", {}, String(p.by_category[c])), ` ${labels[c] || c}`))),
          h("h3", {}, "By hospital"),
          p.by_hospital.length
            ? h(
                "table",
                { class: "table table-compact figures-hospitals" },
                h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Hospital"), h("th", { scope: "col", class: "num" }, "Sent"), h("th", { scope: "col", class: "num" }, "Arrived"), h("th", { scope: "col" }, "By colour"))),
                h(
                  "tbody",
                  {},
                  p.by_hospital.map((x) =>
                    h(
                      "tr",
                      {},
                      h("th", { scope: "row" }, x.hospital),
                      h("td", { class: "num" }, String(x.total)),
                      h("td", { class: "num" }, String(x.arrived)),
                      h("td", {}, Object.entries(x.by_category).filter(([, n]) => n).map(([c, n]) => `${n} ${(labels[c] || c).toLowerCase()}`).join(", ")),
                    ),
                  ),
                ),
              )
            : h("p", { class: "muted small" }, "No patient sent to a hospital yet."),
        ),
        h(
          "div",
          {},
          h("h3", {}, "Checklist completion"),
          f.checklist
            ? h(
                "table",
                { class: "table table-compact figures-checklist" },
                h("caption", { class: "small muted" }, `${f.checklist.done} of ${f.checklist.total} (${f.checklist.percent}%) · ${f.checklist.template} v${f.checklist.version}`),
                h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Phase"), h("th", { scope: "col", class: "num" }, "Done"), h("th", { scope: "col" }, "First check"), h("th", { scope: "col" }, "Last check"))),
                h(
                  "tbody",
                  {},
                  f.checklist.phases.map((ph) =>
                    h(
                      "tr",
                      { class: ph.complete ? "is-complete" : null, "data-figure-phase": ph.position },
                      h("th", { scope: "row" }, ph.title),
                      h("td", { class: "num" }, `${ph.done}/${ph.total}`),
                      h("td", {}, ph.first_elapsed ? `+${ph.first_elapsed}` : "—"),
                      h("td", {}, ph.last_elapsed ? `+${ph.last_elapsed}${ph.complete ? " ✓" : ""}` : "—"),
                    ),
                  ),
                ),
              )
            : h("p", { class: "muted small" }, "No checklist on this incident."),
        ),
      ),
    );
  }
}

function colourClass(category) {
  return { immediate: "red", delayed: "yellow", minor: "green", expectant: "expectant", deceased: "deceased" }[category] || "expectant";
}
