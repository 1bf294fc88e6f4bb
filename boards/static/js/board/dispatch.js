// The dispatch board: the region's active incidents, "Declare MCI", and for the selected
// incident the recommended hospitals with their live answers, plus add/remove a hospital,
// de-escalate and close.

import { api, ApiError, clearErrors, clearOnNextAction, fetchAll, showErrors } from "./api.js";
import { debouncedRefresher, pageUrl } from "./board.js";
import {
  countsBlock,
  exerciseTag,
  hospitalsTable,
  incidentFacts,
  patientsOut,
  progressBar,
  since,
  statusBadge,
  timeline,
  timers,
} from "./components.js";
import { config } from "./config.js";
import { $, confirmButton, h, keyed, replace, scheduler } from "./dom.js";
import { CATEGORIES, plural } from "./format.js";
import { pickerMap } from "./map.js";
import { followOpenIncidents, openIncidentIds } from "./open_incidents.js";

const progress = new Map(); // incident id → Map(notification id → progress envelope)
const deliveries = new Map(); // incident id → Map(hospital id → alert delivery counts)
const labels = new Map(); // notification id → who it went to
// Notifications that alert hospitals' ER contacts (rules on these triggers).
const HOSPITAL_ALERTS = new Set(["incident.declared", "hospital.added", "hospital.escalated"]);
let selected = null;
const messages = new Map(); // incident id → {kind: "error"|"success", text}

const NOTIFICATION_KINDS = {
  "incident.declared": "MCI alert",
  "hospital.added": "Alert to an added hospital",
  "hospital.escalated": "Escalation to a hospital",
  "update.posted": "Situation update to officials",
  "incident.deescalated": "De-escalation notice",
  "incident.closed": "Closing notice",
  "hospital.stood_down": "Stand-down to a hospital",
};

const listEl = $("#incident-list");
const detailEl = $("#detail-body");
const declare = $("#declare");
const render = scheduler(() => {
  renderList();
  renderDetail();
});

// --- loading -------------------------------------------------------------------------------

// `select`: show it once loaded (a closed incident too: the one just asked for).
async function load(id, { select = false } = {}) {
  if (select && known(id)) {
    choose(id);
    return;
  }
  await loadOne(id, { select });
}

async function loadActive() {
  const ids = await openIncidentIds();
  const wanted = Number(new URLSearchParams(location.hash.slice(1)).get("incident")) || null;
  await Promise.all(ids.map((id) => load(id, { select: id === wanted })));
  if (!ids.length && declare) declare.open = true;
  render();
}

// Per hospital: how its ER contacts' alerts went (notifications API; deliveries are matched
// to hospitals by the recipient's agency id). Without that API the column stays "—".
async function loadDeliveries(id) {
  const state = incidents.get(id);
  if (!state) return;
  try {
    const notifications = await api(`notifications/?incident=${id}`);
    // What each notification is, and its counts so far (live envelopes take over from here).
    const byNotification = progress.get(id) || new Map();
    for (const n of notifications.results) {
      labels.set(n.id, n.audience_labels && n.audience_labels.length ? n.audience_labels.join(", ") : "");
      if (!byNotification.has(n.id)) {
        byNotification.set(n.id, { notification: n.id, incident: id, kind: n.kind, total: n.total, counts: n.counts, acknowledged: n.acknowledged, summary: n.summary });
      }
    }
    progress.set(id, byNotification);
    const byAgency = new Map();
    for (const n of notifications.results.filter((x) => HOSPITAL_ALERTS.has(x.kind))) {
      for (const d of await fetchAll(`notifications/${n.id}/deliveries/`, { maxPages: 5 })) {
        // d.state is the server's word for it (acknowledged, reached, on_the_way, sending,
        // failed with d.failure_reason, not_sent).
        const c = byAgency.get(d.agency_id) || { total: 0, reached: 0, acknowledged: 0, on_the_way: 0, sending: 0, failed: 0, not_sent: 0, reasons: new Set() };
        c.total += 1;
        c[d.state] = (c[d.state] || 0) + 1;
        if (d.failure_reason) c.reasons.add(d.failure_reason);
        byAgency.set(d.agency_id, c);
      }
    }
    deliveries.set(id, new Map(state.hospitals.filter((x) => byAgency.has(x.agency_id)).map((x) => [x.hospital_id, byAgency.get(x.agency_id)])));
    render();
  } catch {
    /* no notifications API, or not allowed: the column stays empty */
  }
}
const deliveriesLater = debouncedRefresher(loadDeliveries, 1000);

function choose(id) {
  selected = id;
  deliveriesLater(id);
  history.replaceState(null, "", `#incident=${id}`);
  render();
}

// --- the live feed -------------------------------------------------------------------------

const { incidents, known, load: loadOne, refresh } = followOpenIncidents({
  name: "dispatch",
  render,
  loadOptions: { patients: true },
  keepClosed: ({ select }) => select,
  loaded(id, state, { select }) {
    if (select || selected === null) choose(id);
  },
  applied(event, state, change) {
    if (change.refresh) refresh(event.incident);
    if (event.kind.startsWith("hospital.") && event.incident === selected) deliveriesLater(event.incident);
  },
  gone(id) {
    if (selected === id) selected = null;
  },
  reconnected: () => loadActive(),
  onEnvelope(envelope) {
    if (envelope.type === "progress" && envelope.incident) {
      const byNotification = progress.get(envelope.incident) || new Map();
      byNotification.set(envelope.notification, envelope);
      progress.set(envelope.incident, byNotification);
      if (envelope.incident === selected && HOSPITAL_ALERTS.has(envelope.kind)) deliveriesLater(envelope.incident);
      render();
    }
  },
});

// --- the list ------------------------------------------------------------------------------

function summaryLine(state) {
  const total = state.hospitals.length;
  const acked = state.hospitals.filter((x) => x.acknowledged_at).length;
  const answered = state.hospitals.filter((x) => x.capacity).length;
  const closed = state.incident.status === "closed"; // waits for nobody: nothing amber
  const mark = (done) => (closed ? "muted" : done < total ? "is-waiting" : "state-ok");
  return h(
    "p",
    { class: "incident-card__line" },
    h("span", { class: mark(acked) }, `${acked}/${total} hospitals acknowledged`),
    " · ",
    h("span", { class: mark(answered) }, `${answered}/${total} capacity`),
    " · ",
    plural(state.counts.total, "patient"),
  );
}

function renderList() {
  const states = [...incidents.values()].sort((a, b) => b.incident.declared_at.localeCompare(a.incident.declared_at));
  if (!states.length) {
    replace(
      listEl,
      h(
        "div",
        { class: "empty" },
        h("h3", {}, "No active incident"),
        h("p", {}, config.can_act ? "Declare an MCI when one happens: the recommended hospitals are alerted at once." : "Incidents appear here the moment dispatch declares them."),
      ),
    );
    return;
  }
  replace(
    listEl,
    h(
      "ul",
      { class: "incident-cards" },
      states.map((state) => {
        const inc = state.incident;
        return h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: `incident-card${inc.id === selected ? " is-selected" : ""} status-${inc.status}`,
              "aria-pressed": inc.id === selected ? "true" : "false",
              "data-incident": inc.id,
              onclick: () => choose(inc.id),
            },
            h("span", { class: "incident-card__head" }, statusBadge(inc.status), exerciseTag(inc), h("span", { class: "incident-card__number" }, inc.number), inc.status !== "closed" ? since(inc.declared_at) : null),
            h("span", { class: "incident-card__title" }, inc.title),
            summaryLine(state),
          ),
        );
      }),
    ),
  );
}

// --- the selected incident -----------------------------------------------------------------

function message(id) {
  const m = messages.get(id);
  if (!m) return null;
  return h("div", { class: `alert alert-${m.kind}`, role: m.kind === "error" ? "alert" : "status" }, m.text);
}

function say(id, kind, text) {
  const note = { kind, text };
  messages.set(id, note);
  const forget = () => {
    if (messages.get(id) === note) {
      messages.delete(id);
      render();
    }
  };
  if (kind === "success") setTimeout(forget, 10_000);
  else clearOnNextAction(forget); // an error answers one action, not the next
}

async function act(id, fn, success) {
  messages.delete(id);
  try {
    await fn();
    if (success) say(id, "success", success);
  } catch (error) {
    say(id, "error", error.message);
  }
  render();
}

function hospitalActions(state) {
  if (!config.can_act || state.incident.status === "closed") return null;
  return (row) =>
    confirmButton(
      "Remove",
      `Take ${row.name} off this incident?`,
      () => act(state.id, () => api(`incidents/${state.id}/hospitals/${row.hospital_id}/`, { method: "DELETE" }), `${row.name} taken off the incident.`),
      { key: `remove-${state.id}-${row.hospital_id}` },
    );
}

function addHospitalForm(state) {
  if (!config.can_act || state.incident.status === "closed") return null;
  const on = new Set(state.hospitals.map((x) => x.hospital_id));
  const candidates = (config.hospitals || []).filter((x) => x.region === state.incident.region && !on.has(x.id));
  if (!candidates.length) return h("p", { class: "small muted" }, "Every hospital of the region is on this incident.");
  const select = h(
    "select",
    { id: `add-hospital-${state.id}`, name: "hospital" },
    candidates.map((x) => h("option", { value: x.id }, `${x.name}${x.ed_status !== "open" ? ` (ED ${x.ed_status})` : ""}`)),
  );
  const form = h(
    "form",
    { class: "field-inline add-hospital" },
    h("div", { class: "field" }, h("label", { for: select.id }, "Add a hospital"), select),
    h("button", { type: "submit", class: "btn btn-small" }, "Add hospital"),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const hospital = Number(select.value);
    const name = select.selectedOptions[0].textContent;
    act(state.id, () => api(`incidents/${state.id}/hospitals/`, { method: "POST", body: { hospital } }), `${name} added and alerted.`);
  });
  return form;
}

function statusActions(state) {
  const inc = state.incident;
  if (!config.can_act) return null;
  if (inc.status === "closed") {
    return h("div", { class: "closed-note" }, h("p", {}, inc.closing_summary || "No closing summary."));
  }
  const summary = h("textarea", { id: `close-summary-${inc.id}`, name: "summary", rows: 2, maxlength: 2000, placeholder: "e.g. All patients transported; scene handed to investigators." });
  const closeForm = h(
    "form",
    { class: "close-form" },
    h("div", { class: "field" }, h("label", { for: summary.id }, "Closing summary"), summary),
    h("button", { type: "submit", class: "btn btn-danger" }, "Close incident"),
  );
  const pending = closing.get(inc.id);
  if (pending) summary.value = pending.summary;
  const close = (confirm) =>
    act(
      inc.id,
      async () => {
        try {
          await api(`incidents/${inc.id}/close/`, { method: "POST", body: { summary: summary.value, confirm } });
          closing.delete(inc.id);
          say(inc.id, "success", "Incident closed. Everyone notified on it is told; its hospitals are stood down.");
        } catch (error) {
          // 409: patients are still out; list them and ask before closing.
          if (error instanceof ApiError && error.status === 409 && error.body.patients_out) {
            closing.set(inc.id, { summary: summary.value, patients: error.body.patients_out });
            return;
          }
          throw error;
        }
      },
      null,
    );
  closeForm.addEventListener("submit", (e) => {
    e.preventDefault();
    close(false);
  });
  return h(
    "div",
    { class: "status-actions" },
    inc.status === "active"
      ? confirmButton("De-escalate", "Threat contained and treatment under control?", () =>
          act(inc.id, () => api(`incidents/${inc.id}/deescalate/`, { method: "POST" }), "Incident de-escalated."),
        { small: false })
      : null,
    closeForm,
    pending
      ? patientsOut(inc, pending.patients, {
          onConfirm: () => close(true),
          onCancel: () => {
            closing.delete(inc.id);
            render();
          },
        })
      : null,
  );
}

const closing = new Map(); // incident id → {summary, patients}: a close waiting for confirmation


function progressBlock(state) {
  const byNotification = progress.get(state.id);
  if (!byNotification || !byNotification.size) return null;
  return h(
    "div",
    { class: "alert-progress" },
    h("h3", {}, "Alerts sent for this incident"),
    h("p", { class: "small muted" }, "Reached: delivered or acknowledged. Acknowledged: by the person, or — for a hospital alert — by their hospital."),
    [...byNotification.values()].map((p) => {
      const label = NOTIFICATION_KINDS[p.kind] || p.kind;
      const audience = labels.get(p.notification);
      return h(
        "div",
        {},
        h("p", { class: "small" }, h("strong", {}, label), audience ? h("span", { class: "muted" }, ` → ${audience}`) : null),
        progressBar(p, { label: `Delivery: ${label}` }),
      );
    }),
  );
}

// The selected incident's panel: stable containers, so that forms inside it (add a hospital,
// close with a summary) keep what is being typed while events re-render the rest.
const panels = new Map(); // incident id → {root, parts}

function panel(id) {
  let p = panels.get(id);
  if (!p) {
    const parts = {
      banner: h("div", {}),
      head: h("div", { class: "detail-head" }),
      message: h("div", {}),
      timers: h("div", {}),
      links: h("p", { class: "toolbar" }),
      hospitalsHeading: h("h3", { id: `hospitals-${id}` }),
      hospitals: h("div", {}),
      addHospital: h("div", {}),
      progress: h("div", {}),
      patients: h("div", {}),
      timeline: h("div", {}),
      statusHeading: h("h3", {}),
      status: h("div", {}),
    };
    const root = h(
      "div",
      { "data-incident": id },
      parts.banner,
      parts.head,
      parts.message,
      parts.timers,
      parts.links,
      h("section", { class: "card", "aria-labelledby": `hospitals-${id}` }, parts.hospitalsHeading, parts.hospitals, parts.addHospital, parts.progress),
      h(
        "div",
        { class: "grid-2" },
        h("section", { class: "card" }, h("h3", {}, "Patients"), parts.patients),
        h("section", { class: "card" }, h("h3", {}, "Timeline"), parts.timeline),
      ),
      h("section", { class: "card" }, parts.statusHeading, parts.status),
    );
    p = { root, parts };
    panels.set(id, p);
  }
  return p;
}

function renderDetail() {
  const state = selected !== null ? incidents.get(selected) : null;
  if (!state) {
    replace(detailEl, incidents.size ? h("p", { class: "muted" }, "Choose an incident on the left.") : null);
    return;
  }
  const inc = state.incident;
  const { root, parts } = panel(inc.id);
  if (detailEl.firstChild !== root || detailEl.childNodes.length !== 1) replace(detailEl, root);
  replace(parts.banner, inc.is_exercise ? h("div", { class: "banner-exercise banner-inline" }, "EXERCISE · EXERCISE · EXERCISE") : null);
  replace(
    parts.head,
    h("div", {}, h("h2", { class: "detail-title" }, `${inc.number} · ${inc.title}`), incidentFacts(inc)),
    h("div", {}, statusBadge(inc.status)),
  );
  replace(parts.message, message(inc.id));
  replace(parts.timers, timers(state));
  replace(
    parts.links,
    h("a", { class: "btn btn-small", href: pageUrl("incident", inc.id) }, "Open incident page"),
    inc.status !== "closed" ? h("a", { class: "btn btn-small", href: pageUrl("ems", inc.id) }, "EMS board") : null,
  );
  const outstanding = state.hospitals.filter((x) => x.ack_outstanding || x.capacity_outstanding).length;
  let answeredBadge = h("span", { class: "badge badge-green" }, "all answered");
  if (inc.status === "closed") answeredBadge = null; // closed: nobody is outstanding any more
  else if (outstanding) answeredBadge = h("span", { class: "badge badge-warn" }, `${outstanding} outstanding`);
  replace(parts.hospitalsHeading, "Recommended hospitals ", answeredBadge);
  replace(parts.hospitals, hospitalsTable(state, { actions: hospitalActions(state), deliveries: deliveries.get(inc.id) || new Map() }));
  const candidates = `${inc.status}|${state.hospitals.map((x) => x.hospital_id).join(",")}`;
  keyed(parts.addHospital, candidates, () => addHospitalForm(state));
  replace(parts.progress, progressBlock(state));
  replace(
    parts.patients,
    countsBlock(state.counts.by_category),
    h("p", { class: "small muted" }, `Estimated at declaration: ${CATEGORIES.map((c) => `${inc.estimated[c] || 0} ${c}`).join(", ")}`),
  );
  replace(parts.timeline, timeline(state.timeline, { limit: 12, zone: inc.time_zone }));
  replace(parts.statusHeading, inc.status === "closed" ? "Closed" : "Status");
  keyed(parts.status, `${inc.status}|${closing.has(inc.id) ? closing.get(inc.id).patients.length : ""}`, () => statusActions(state));
}

// --- declaring -----------------------------------------------------------------------------

function setupDeclare() {
  const form = $("#declare-form");
  if (!form) return;
  const lat = form.elements.latitude;
  const lon = form.elements.longitude;
  let map = null;
  const startMap = () => {
    if (map || !declare.open) return;
    map = pickerMap($("#declare-map"), {
      tileUrl: config.tile_url,
      hospitals: config.hospitals || [],
      note: $("#map-note"),
      onPick(la, lo) {
        lat.value = la;
        lon.value = lo;
      },
    });
  };
  declare.addEventListener("toggle", () => {
    startMap();
    map?.invalidate();
    if (declare.open) form.elements.title.focus();
  });
  startMap();
  for (const input of [lat, lon]) {
    input.addEventListener("change", () => map?.place(Number(lat.value), Number(lon.value)));
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const f = form.elements;
    const body = {
      title: f.title.value.trim(),
      kind: form.querySelector("input[name=kind]:checked")?.value,
      casualty_population: form.querySelector("input[name=casualty_population]:checked")?.value || "unknown",
      location_text: f.location_text.value.trim(),
      latitude: f.latitude.value === "" ? null : Number(f.latitude.value),
      longitude: f.longitude.value === "" ? null : Number(f.longitude.value),
      application: f.exercise.checked ? "exercise" : "actual",
      estimated: Object.fromEntries(CATEGORIES.map((c) => [c, Number(form.elements[`estimated.${c}`].value || 0)])),
    };
    if (f.region) body.region = Number(f.region.value);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const incident = await api("incidents/", { method: "POST", body });
      form.reset();
      declare.open = false;
      say(incident.id, "success", `MCI ${incident.number} declared. The recommended hospitals are being alerted.`);
      await load(incident.id, { select: true });
      $("#incident-detail").scrollIntoView({ behavior: "smooth", block: "start" });
    } catch (error) {
      showErrors(form, error instanceof ApiError ? error : new ApiError(0, null));
    } finally {
      button.disabled = false;
    }
  });
}

setupDeclare();
loadActive().catch((error) => {
  replace(listEl, h("div", { class: "alert alert-error", role: "alert" }, `Could not load incidents: ${error.message}`));
});
