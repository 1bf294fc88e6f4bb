// Pieces every board draws the same way: status, exercise marker, triage chips, the
// hospitals table with who answered and who is outstanding, the timeline, timers and the
// delivery progress bar. Live values (timers, ages, countdowns) carry data-* attributes that
// one ticker refreshes every second.

import { h } from "./dom.js";
import {
  CAPACITY_CATEGORIES,
  CATEGORIES,
  CATEGORY,
  KIND,
  STATUS,
  ago,
  categoryLabel,
  clock,
  countdown,
  dateTime,
  plural,
  secondsSince,
  timeOfDay,
  zoneName,
} from "./format.js";

// --- live values -------------------------------------------------------------------------

export function since(iso, { prefix = "", suffix = "" } = {}) {
  return h("span", { class: "tick", "data-since": iso, "data-prefix": prefix, "data-suffix": suffix }, `${prefix}${clock(secondsSince(iso) || 0)}${suffix}`);
}

export function age(iso, { stale = 0 } = {}) {
  return h("time", { class: "age", datetime: iso, "data-ago": iso, "data-stale-after": stale || null, title: dateTime(iso) }, ago(iso));
}

export function etaCountdown(iso) {
  const c = countdown(iso);
  return h("span", { class: `eta${c.overdue ? " is-overdue" : ""}`, "data-countdown": iso }, c.text);
}

export function tick(root = document) {
  for (const el of root.querySelectorAll("[data-since]")) {
    el.textContent = `${el.dataset.prefix || ""}${clock(secondsSince(el.dataset.since) || 0)}${el.dataset.suffix || ""}`;
  }
  for (const el of root.querySelectorAll("[data-ago]")) {
    el.textContent = ago(el.dataset.ago);
    const stale = Number(el.dataset.staleAfter || 0);
    if (stale) el.classList.toggle("is-stale", secondsSince(el.dataset.ago) > stale);
  }
  for (const el of root.querySelectorAll("[data-countdown]")) {
    const c = countdown(el.dataset.countdown);
    el.textContent = c.text;
    el.classList.toggle("is-overdue", c.overdue);
  }
}

export function startTicker() {
  tick();
  setInterval(() => tick(), 1000);
}

// --- small pieces ------------------------------------------------------------------------

export function statusBadge(status) {
  const s = STATUS[status] || { word: status, cls: "badge-muted" };
  return h("span", { class: `badge status-lg ${s.cls}`, "data-status": status }, s.word);
}

export function exerciseTag(incident) {
  return incident.is_exercise ? h("span", { class: "badge badge-exercise" }, "EXERCISE") : null;
}

export function chip(category, value, { label = true } = {}) {
  const c = CATEGORY[category];
  const shown = value === null || value === undefined ? "?" : value;
  return h(
    "span",
    { class: `chip ${c.cls}`, title: `${c.word}: ${shown}` },
    label ? h("abbr", { title: c.word }, c.letter) : null,
    String(shown),
    h("span", { class: "visually-hidden" }, ` ${c.word.toLowerCase()}`),
  );
}

export function chips(values, categories = CAPACITY_CATEGORIES) {
  return h("span", { class: "chips" }, categories.map((c) => chip(c, values ? values[c] : null)));
}

export function triageTag(category) {
  const c = CATEGORY[category] || { cls: "badge-muted", letter: "?", word: category };
  return h("span", { class: `triage-tag ${c.cls}` }, h("abbr", { title: c.word }, c.letter), ` ${c.word}`);
}

export function countsBlock(byCategory, { categories = CATEGORIES, caption = "Patients by triage colour" } = {}) {
  return h(
    "ul",
    { class: "count-tiles", "aria-label": caption },
    categories.map((c) =>
      h(
        "li",
        { class: `count-tile ${CATEGORY[c].cls}` },
        h("span", { class: "count-tile__value" }, String((byCategory && byCategory[c]) || 0)),
        h("span", { class: "count-tile__label" }, categoryLabel(c)),
      ),
    ),
  );
}

export function incidentTitle(incident, { link = null } = {}) {
  const title = `${incident.number} · ${incident.title}`;
  return link ? h("a", { href: link }, title) : title;
}

// "14:05 EST": the declaration on the incident's region's clock, its zone named (a wall
// screen in another zone must not be misread).
export function declaredClock(incident) {
  const zone = incident.time_zone;
  return `${timeOfDay(incident.declared_at, zone)} ${zoneName(incident.declared_at, zone)}`;
}

export function incidentFacts(incident) {
  return h(
    "p",
    { class: "incident-facts" },
    KIND[incident.kind] || incident.kind,
    incident.location_text ? ` · ${incident.location_text}` : "",
    " · declared ",
    h("time", { datetime: incident.declared_at }, declaredClock(incident)),
    incident.declared_by ? ` by ${incident.declared_by}` : incident.declared_via ? ` via ${incident.declared_via}` : "",
  );
}

// --- timers ------------------------------------------------------------------------------

// Time since declared, and to the first and to every hospital's acknowledgement.
export function timers(state) {
  const inc = state.incident;
  const declared = Date.parse(inc.declared_at);
  const acks = state.hospitals.filter((h) => h.acknowledged_at).map((h) => Date.parse(h.acknowledged_at));
  const total = state.hospitals.length;
  const closedAt = inc.closed_at ? Date.parse(inc.closed_at) : null;
  const running = closedAt
    ? h("span", {}, clock((closedAt - declared) / 1000), " (closed)")
    : since(inc.declared_at);
  // A closed incident waits for nobody: no running "waiting" clocks, nothing amber.
  let first;
  if (acks.length) first = h("span", {}, clock((Math.min(...acks) - declared) / 1000));
  else if (total && closedAt) first = h("span", { class: "muted" }, "none before closing");
  else if (total) first = h("span", { class: "is-waiting" }, since(inc.declared_at, { prefix: "waiting " }));
  else first = h("span", { class: "muted" }, "no hospital yet");
  let all;
  if (total && acks.length === total) all = h("span", {}, clock((Math.max(...acks) - declared) / 1000));
  else if (total && closedAt) all = h("span", { class: "muted" }, `${acks.length} of ${total} before closing`);
  else if (total) all = h("span", { class: "is-waiting" }, `${acks.length} of ${total} — waiting`);
  else all = h("span", { class: "muted" }, "—");
  return h(
    "dl",
    { class: "timers" },
    h("div", {}, h("dt", {}, "Since declared"), h("dd", { "data-timer": "declared" }, running)),
    h("div", {}, h("dt", {}, "To first hospital ack"), h("dd", { "data-timer": "first-ack" }, first)),
    h("div", {}, h("dt", {}, "To all hospital acks"), h("dd", { "data-timer": "all-acks" }, all)),
  );
}

// --- hospitals ---------------------------------------------------------------------------

function ackCell(row, zone, closed) {
  if (row.acknowledged_at) {
    return h(
      "td",
      { "data-label": "Acknowledged" },
      h("span", { class: "state-ok" }, "✓ Acknowledged"),
      row.acknowledged_by ? h("span", { class: "small" }, ` by ${row.acknowledged_by}`) : null,
      age(row.acknowledged_at),
    );
  }
  if (closed) return h("td", { "data-label": "Acknowledged", class: "muted" }, "Not acknowledged");
  return h(
    "td",
    { "data-label": "Acknowledged", class: "is-outstanding-cell" },
    h("span", { class: "state-waiting" }, "Not acknowledged"),
    h("span", { class: "age" }, since(row.notified_at, { prefix: "waiting " })),
    row.escalation
      ? h(
          "span",
          { class: "badge badge-warn escalated", title: `Escalated ${timeOfDay(row.escalation.at, zone)}` },
          `Escalated · level ${row.escalation.level} · ${row.escalation.channels.join(" + ")}`,
        )
      : null,
    escalationNext(row, zone),
  );
}

// When the next escalation step calls whom (the snapshot's `escalation_next`).
function escalationNext(row, zone) {
  const next = row.escalation_next;
  if (!next) return row.escalation ? h("span", { class: "age escalation-next" }, "No further escalation: call it directly") : null;
  return h(
    "span",
    { class: "age escalation-next", "data-escalation-level": next.level },
    `Escalation ${next.level}: voice to ${next.who} `,
    h("span", { "data-countdown": next.at }, countdown(next.at).text),
    ` (${timeOfDay(next.at, zone)})`,
  );
}

function capacityCell(row, closed) {
  if (row.capacity) {
    return h(
      "td",
      { "data-label": "Capacity", class: "nowrap" },
      chips(row.capacity),
      h("span", { class: "age" }, "answered ", h("span", { "data-ago": row.capacity_answered_at }, ago(row.capacity_answered_at)), row.capacity_revisions > 1 ? ` · revision ${row.capacity_revisions}` : ""),
    );
  }
  if (closed) return h("td", { "data-label": "Capacity", class: "muted" }, "No answer");
  return h(
    "td",
    { "data-label": "Capacity", class: "is-outstanding-cell" },
    h("span", { class: "state-waiting" }, "No answer yet"),
    h("span", { class: "age" }, since(row.notified_at, { prefix: "waiting " })),
  );
}

function roomCell(row) {
  if (!row.remaining || row.remaining.immediate === null) return h("td", { "data-label": "Room left", class: "muted" }, "—");
  return h(
    "td",
    { "data-label": "Room left", class: "nowrap" },
    h(
      "span",
      { class: "chips" },
      CAPACITY_CATEGORIES.map((c) => {
        const left = row.remaining[c];
        return h("span", { class: `chip chip-outline${left < 0 ? " is-over" : ""}`, title: `${CATEGORY[c].word}: ${left} left` }, h("abbr", { title: CATEGORY[c].word }, CATEGORY[c].letter), String(left));
      }),
    ),
  );
}

// One hospital's alert deliveries, counted by the server's plain state (DeliverySerializer
// .state): {total, reached, acknowledged, on_the_way, sending, failed, not_sent, reasons}.
export function deliveryState(d) {
  const reached = d.reached + d.acknowledged;
  const parts = [];
  if (d.acknowledged) parts.push(`${d.acknowledged} acknowledged`);
  if (d.on_the_way) parts.push(`${d.on_the_way} on the way, no receipt yet`);
  if (d.sending) parts.push(`${d.sending} sending`);
  if (d.failed) parts.push(h("span", { class: "state-waiting" }, `${d.failed} failed: ${[...d.reasons].join(", ")}`));
  if (d.not_sent) parts.push(h("span", { class: "state-waiting" }, `${d.not_sent} not sent (console mode)`));
  return h(
    "span",
    { class: "delivery" },
    h("strong", { class: reached === d.total ? "state-ok" : null }, `${reached} of ${d.total} reached`),
    h("span", { class: "age" }, parts.flatMap((p, i) => (i ? [" · ", p] : [p]))),
  );
}

// The hospitals on an incident: reasons, notified, delivered, acknowledged, capacity — each
// with its age; rows still waiting for an acknowledgement or an answer stand out.
export function hospitalsTable(state, { actions = null, deliveries = null, caption = "Hospitals on this incident" } = {}) {
  if (!state.hospitals.length) {
    return h("div", { class: "empty" }, h("p", {}, "No hospital is on this incident yet."));
  }
  const rows = [...state.hospitals].sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99));
  const zone = state.incident.time_zone;
  const closed = state.incident.status === "closed";
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table table-stack hospitals-table" },
      h("caption", { class: "visually-hidden" }, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Hospital"),
          h("th", { scope: "col" }, "Notified"),
          deliveries ? h("th", { scope: "col" }, "Alert delivered") : null,
          h("th", { scope: "col" }, "Acknowledged"),
          h("th", { scope: "col" }, "Capacity R / Y / G"),
          h("th", { scope: "col" }, "Room left"),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((row) => {
          const outstanding = !closed && (row.ack_outstanding || row.capacity_outstanding);
          const delivery = deliveries ? deliveries.get(row.hospital_id) : null;
          return h(
            "tr",
            { class: outstanding ? "is-outstanding" : null, "data-hospital": row.hospital_id },
            h(
              "th",
              { scope: "row" },
              row.rank ? h("span", { class: "rank" }, `#${row.rank}`) : null,
              h("span", { class: "hospital-name" }, row.name),
              " ",
              h("span", { class: `badge ed-${row.ed_status}` }, `ED ${row.ed_status}`),
              row.reasons_text ? h("div", { class: "small muted reasons" }, row.reasons_text) : null,
              row.source !== "ranked" ? h("div", { class: "small muted" }, sourceText(row.source)) : null,
              actions ? h("div", { class: "row-actions" }, actions(row)) : null,
            ),
            h("td", { "data-label": "Notified" }, h("time", { datetime: row.notified_at }, timeOfDay(row.notified_at, zone)), age(row.notified_at)),
            deliveries
              ? h("td", { "data-label": "Alert delivered" }, delivery ? deliveryState(delivery) : h("span", { class: "muted", title: "No alert to this hospital's ER contacts is on record" }, "—"))
              : null,
            ackCell(row, zone, closed),
            capacityCell(row, closed),
            roomCell(row),
          );
        }),
      ),
    ),
  );
}

function sourceText(source) {
  return { cad: "Chosen by the CAD", manual: "Added by dispatch", walk_in: "Received a walk-in" }[source] || "";
}

// --- timeline ----------------------------------------------------------------------------

export function timeline(events, { limit = 60, emptyText = "Nothing on the timeline yet.", zone } = {}) {
  if (!events.length) return h("p", { class: "muted" }, emptyText);
  const latest = events.slice(-limit).reverse();
  return h(
    "ol",
    // It scrolls (max-height): keyboard users must be able to focus it to scroll it (WCAG 2.1.1).
    { class: "timeline", reversed: true, tabindex: "0", "aria-label": "Timeline, latest first" },
    latest.map((e) =>
      h(
        "li",
        { class: `timeline__item kind-${e.kind.split(".")[0]}`, "data-seq": e.seq, "data-kind": e.kind },
        h("time", { datetime: e.at, class: "timeline__time" }, timeOfDay(e.at, zone)),
        h("span", { class: "timeline__summary" }, e.summary),
        e.actor ? h("span", { class: "timeline__actor" }, e.actor) : null,
      ),
    ),
  );
}

// --- delivery progress -------------------------------------------------------------------

// A notification's deliveries in words (summary from notifications.queries.counts_for, in
// the API and in every progress envelope): reached, on the way, failed with reasons, not sent.
export function progressTotals(progress) {
  const s = progress.summary || {};
  const n = (key) => s[key] || 0;
  const total = progress.total || n("total");
  return { total, reached: n("reached"), onTheWay: n("on_the_way"), failed: n("failed"), notSent: n("not_sent"), sending: n("sending"), finished: total - n("sending"), phase: s.phase || "sending", text: s.text || "" };
}

export function progressBar(progress, { label = "Delivery" } = {}) {
  const t = progressTotals(progress);
  const pct = (n) => (t.total ? `${(100 * n) / t.total}%` : "0%");
  const complete = t.total > 0 && t.phase === "finished" && t.reached === t.total; // green only when everyone was reached
  return h(
    "div",
    { class: `progress-block${complete ? " is-complete" : ""}`, "data-notification": progress.notification, "data-phase": t.phase },
    h(
      "div",
      {
        class: "progress",
        role: "progressbar",
        "aria-label": label,
        "aria-valuemin": 0,
        "aria-valuemax": t.total,
        "aria-valuenow": t.finished,
        "aria-valuetext": t.text || `${t.reached} of ${t.total} reached`,
      },
      h("span", { class: "progress__delivered", style: `width:${pct(t.reached)}` }),
      h("span", { class: "progress__sent", style: `width:${pct(t.onTheWay)}` }),
      h("span", { class: "progress__failed", style: `width:${pct(t.failed)}` }),
      h("span", { class: "progress__notsent", style: `width:${pct(t.notSent)}` }),
    ),
    h("p", { class: "progress__text" }, t.text || "Waiting for the delivery to start…"),
  );
}

// --- closing with patients out -------------------------------------------------------------

// The patients still on scene or in transport that a close answered 409 with, and the
// choice: close anyway (arrivals after closing are still recorded) or keep the incident open.
export function patientsOut(inc, patients, { onConfirm, onCancel }) {
  const where = (p) =>
    p.status === "in_transport"
      ? `in transport to ${p.destination_name || "no destination"}${p.transport_unit ? `, ${p.transport_unit}` : ""}`
      : `on scene${p.destination_name ? `, for ${p.destination_name}` : ""}`;
  const yes = h("button", { type: "button", class: "btn btn-danger" }, "Close anyway");
  yes.addEventListener("click", () => {
    yes.disabled = true;
    onConfirm();
  });
  const no = h("button", { type: "button", class: "btn btn-quiet" }, "Keep it open");
  no.addEventListener("click", onCancel);
  return h(
    "div",
    { class: "alert alert-warning patients-out", role: "alert", "aria-labelledby": `patients-out-${inc.id}` },
    h("p", { id: `patients-out-${inc.id}` }, h("strong", {}, `${plural(patients.length, "patient")} still out. `), "Close anyway? Arrivals after closing are still recorded."),
    h(
      "ul",
      { class: "patients-out__list" },
      patients.map((p) => h("li", { "data-patient": p.tag_number }, h("span", { class: "mono" }, p.tag_number), ` (${categoryLabel(p.category)}) — ${where(p)}`)),
    ),
    h("div", { class: "form-actions" }, yes, " ", no),
  );
}

// --- ringdown (patient details from EMS) --------------------------------------------------

const AGE_WORDS = { infant: "Infant", child: "Child", teen: "Teen", adult: "Adult", older: "Older adult (65+)" };
const SEX_WORDS = { female: "F", male: "M", other: "X" };

// What an ER charge nurse reads of an inbound patient: "Adult · F · GSW left thigh" and
// "HR 124 · BP 92/58 · RR 24 · SpO2 93% · GCS 14 · AVPU V"; null when EMS gave nothing yet.
export function ringdown(p) {
  const who = [AGE_WORDS[p.age_group], SEX_WORDS[p.sex], p.injury_note].filter(Boolean);
  const vitals = [
    p.heart_rate != null ? `HR ${p.heart_rate}` : null,
    p.systolic_bp != null || p.diastolic_bp != null ? `BP ${p.systolic_bp ?? "?"}/${p.diastolic_bp ?? "?"}` : null,
    p.respiratory_rate != null ? `RR ${p.respiratory_rate}` : null,
    p.spo2 != null ? `SpO2 ${p.spo2}%` : null,
    p.gcs != null ? `GCS ${p.gcs}` : null,
    p.avpu ? `AVPU ${p.avpu}` : null,
  ].filter(Boolean);
  if (!who.length && !vitals.length) return null;
  return h(
    "span",
    { class: "ringdown-text" },
    who.length ? h("span", { class: "ringdown__who" }, who.join(" · ")) : null,
    vitals.length
      ? h("span", { class: "ringdown__vitals" }, vitals.join(" · "), p.details_updated_at ? h("span", { class: "age" }, " · ", h("span", { "data-ago": p.details_updated_at }, ago(p.details_updated_at))) : null)
      : null,
  );
}
