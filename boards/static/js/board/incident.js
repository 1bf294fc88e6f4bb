// The incident page: header with status and the exercise banner, timers (since declared, to
// the first and to every hospital's acknowledgement), hospitals, patients by colour with
// destinations and distribution warnings, situation updates and the timeline; the live
// checklist, the ICS org chart and the key figures with the record's links. Status actions
// for dispatch, EMS and EM. Officials get the same page without patient rows.

import { ApiError, api, clearOnNextAction } from "./api.js";
import { debouncedRefresher, loadIncident, pageUrl, refreshSnapshot, startBoard } from "./board.js";
import {
  chip,
  countsBlock,
  etaCountdown,
  exerciseTag,
  hospitalsTable,
  incidentFacts,
  patientsOut,
  statusBadge,
  timeline,
  timers,
  triageTag,
} from "./components.js";
import { ChecklistCard, FiguresCard } from "./checklist.js";
import { config } from "./config.js";
import { $, confirmButton, h, keyed, replace, scheduler } from "./dom.js";
import { RolesCard } from "./roles.js";
import { CAPACITY_CATEGORIES, CATEGORIES, CATEGORY, PATIENT_STATUS, plural, timeOfDay } from "./format.js";

const ID = config.incident;
const SEES_ALL = ["read", "act"].includes(config.access);
let state = null;
let notice = null;

const render = scheduler(() => state && renderAll());

async function loadGuidance() {
  if (!SEES_ALL || !state) return;
  try {
    state.guidance = await api(`incidents/${ID}/guidance/`);
    render();
  } catch {
    /* guidance is advice; the page works without it */
  }
}
const guidanceLater = debouncedRefresher(loadGuidance, 700);

// The shared checklist, the ICS roles and the key figures: their own API, their own cards
// (checklist.js, roles.js), each following its events.
const isClosed = () => Boolean(state && state.incident.status === "closed");
const checklist = new ChecklistCard({ incident: ID, isClosed });
const roles = new RolesCard({ incident: ID, isClosed });
const figures = new FiguresCard({ incident: ID });
const refresh = debouncedRefresher(async () => {
  await refreshSnapshot(state).catch(() => {});
  render();
}, config.access === "summary" ? 1500 : 400);

const socket = startBoard({
  onEvent(event) {
    if (!state || event.incident !== ID) return;
    if (state.apply(event).refresh) refresh(ID);
    if (event.kind.startsWith("patient.") || event.kind.startsWith("hospital.")) guidanceLater(ID);
    checklist.onEvent(event);
    roles.onEvent(event);
    figures.onEvent(event);
    if (event.kind.startsWith("incident.")) {
      // Closing or re-opening changes what the cards offer (checkboxes, assign buttons).
      checklist.render();
      roles.render();
    }
    render();
  },
  onConnected({ reconnected }) {
    // Back after a lost connection: the missed events are fetched and applied too, but the
    // cards take the server's word for where they stand.
    if (!reconnected || !state) return;
    checklist.refetchSoon(200);
    roles.refetchSoon(200);
    figures.onEvent({ kind: "incident.reconnected" });
  },
  onLost() {
    notice = { kind: "error", text: "This incident is no longer visible to you." };
    render();
  },
});

async function act(fn, success) {
  notice = null;
  try {
    await fn();
    notice = success ? { kind: "success", text: success } : null;
  } catch (error) {
    const failed = { kind: "error", text: error.message };
    notice = failed;
    clearOnNextAction(() => {
      if (notice === failed) {
        notice = null;
        render();
      }
    }); // an error answers one action, not the next
  }
  render();
}

// --- pieces --------------------------------------------------------------------------------

function header() {
  const inc = state.incident;
  $("#exercise-banner").hidden = !inc.is_exercise;
  document.getElementById("incident-heading").textContent = `${inc.number} · ${inc.title}`;
  replace(
    $("#incident-header"),
    h("p", { class: "incident-status-line" }, statusBadge(inc.status), " ", exerciseTag(inc), " ", h("span", { class: "small muted" }, inc.region_name)),
    incidentFacts(inc),
    inc.status === "closed" && inc.closing_summary ? h("p", { class: "closing-summary" }, h("strong", {}, "Closed: "), inc.closing_summary) : null,
    notice ? h("div", { class: `alert alert-${notice.kind}`, role: notice.kind === "error" ? "alert" : "status" }, notice.text) : null,
  );
  replace(
    $("#incident-links"),
    config.can_act && inc.status !== "closed" ? h("a", { class: "btn btn-small", href: pageUrl("ems", ID) }, "EMS board") : null,
    pageUrl("record", ID) && SEES_ALL ? h("a", { class: "btn btn-small btn-quiet", href: pageUrl("record", ID) }, "Incident record") : null,
  );
}

let closingOut = null; // {patients}: a close waiting for confirmation
let statusOpen = false; // the status card stays open across rebuilds
let summaryDraft = ""; // and keeps the closing summary being written

function actions() {
  keyed($("#incident-actions"), `${config.can_act}|${state.incident.status}|${closingOut ? closingOut.patients.length : ""}`, buildActions);
}

function buildActions() {
  const inc = state.incident;
  if (!config.can_act || inc.status === "closed") return null;
  const summary = h("textarea", { id: "close-summary", name: "summary", rows: 2, maxlength: 2000, placeholder: "e.g. All patients transported; scene handed to investigators." });
  const form = h(
    "form",
    { class: "close-form" },
    h("div", { class: "field" }, h("label", { for: "close-summary" }, "Closing summary"), summary),
    h("button", { type: "submit", class: "btn btn-danger" }, "Close incident"),
  );
  summary.value = summaryDraft;
  summary.addEventListener("input", () => (summaryDraft = summary.value));
  let closed = false;
  const close = (confirm) =>
    act(async () => {
      try {
        await api(`incidents/${ID}/close/`, { method: "POST", body: { summary: summary.value, confirm } });
        closingOut = null;
        closed = true;
      } catch (error) {
        // 409: patients are still out; list them and ask before closing.
        if (error instanceof ApiError && error.status === 409 && error.body.patients_out) {
          closingOut = { patients: error.body.patients_out };
          return;
        }
        throw error;
      }
    }, null).then(() => {
      if (closed) notice = { kind: "success", text: "Incident closed." };
      render();
    });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    close(false);
  });
  const card = h(
    "details",
    { class: "card status-card", open: closingOut || statusOpen ? true : null },
    h("summary", {}, "Status: de-escalate or close"),
    h(
      "div",
      { class: "status-actions" },
      inc.status === "active"
        ? confirmButton("De-escalate", "Threat contained and treatment under control?", () => act(() => api(`incidents/${ID}/deescalate/`, { method: "POST" }), "Incident de-escalated."), { small: false })
        : null,
      form,
      closingOut
        ? patientsOut(inc, closingOut.patients, {
            onConfirm: () => close(true),
            onCancel: () => {
              closingOut = null;
              render();
            },
          })
        : null,
    ),
  );
  card.addEventListener("toggle", () => (statusOpen = card.open));
  return card;
}

function hospitals() {
  const removable = config.can_act && state.incident.status !== "closed";
  replace(
    $("#incident-hospitals"),
    hospitalsTable(state, {
      actions: removable
        ? (row) =>
            confirmButton("Remove", `Take ${row.name} off?`, () => act(() => api(`incidents/${ID}/hospitals/${row.hospital_id}/`, { method: "DELETE" }), `${row.name} taken off.`), {
              key: `remove-${ID}-${row.hospital_id}`,
            })
        : null,
    }),
  );
  const on = new Set(state.hospitals.map((x) => x.hospital_id));
  const candidates = (config.hospitals || []).filter((x) => !on.has(x.id));
  keyed($("#hospital-add"), `${removable}|${candidates.map((x) => x.id).join(",")}`, () => addHospitalForm(removable, candidates));
}

function addHospitalForm(removable, candidates) {
  if (!removable || !candidates.length) return null;
  const select = h("select", { id: "add-hospital", name: "hospital" }, candidates.map((x) => h("option", { value: x.id }, x.name)));
  const form = h("form", { class: "field-inline add-hospital" }, h("div", { class: "field" }, h("label", { for: "add-hospital" }, "Add a hospital"), select), h("button", { type: "submit", class: "btn btn-small" }, "Add hospital"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(() => api(`incidents/${ID}/hospitals/`, { method: "POST", body: { hospital: Number(select.value) } }), "Hospital added and alerted.");
  });
  return form;
}

function byDestination() {
  const rows = state.hospitals.filter((x) => x.sent && CATEGORIES.some((c) => x.sent[c]));
  if (!rows.length) return h("p", { class: "muted" }, "No patient has a destination yet.");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table table-compact destinations" },
      h("caption", { class: "visually-hidden" }, "Patients sent to each hospital, against what it said it can take"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Hospital"),
          CAPACITY_CATEGORIES.map((c) => h("th", { scope: "col", class: "num" }, h("span", { class: `chip ${CATEGORY[c].cls}` }, h("abbr", { title: CATEGORY[c].word }, CATEGORY[c].letter), h("span", { class: "visually-hidden" }, ` ${CATEGORY[c].word} sent / can take`)))),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((x) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, x.name),
            CAPACITY_CATEGORIES.map((c) => {
              const over = x.capacity && x.sent[c] > x.capacity[c];
              return h("td", { class: `num${over ? " is-over" : ""}` }, `${x.sent[c] || 0} / ${x.capacity ? x.capacity[c] : "?"}`, over ? h("span", { class: "visually-hidden" }, " (over capacity)") : null);
            }),
          ),
        ),
      ),
    ),
  );
}

function patientStatus(p) {
  if (p.status === "arrived") return [p.walk_in ? "Walked in " : "Arrived ", h("span", { class: "nowrap" }, timeOfDay(p.arrived_at))];
  if (p.status === "in_transport") return ["In transport, ", p.eta ? etaCountdown(p.eta) : "no ETA"];
  return PATIENT_STATUS[p.status] || p.status;
}

function patients() {
  const counts = state.counts;
  const warnings = state.guidance ? state.guidance.warnings : [];
  const parts = [
    countsBlock(counts.by_category),
    h(
      "p",
      { class: "small" },
      `${counts.total} in all · ${counts.by_status.on_scene || 0} on scene · ${counts.by_status.in_transport || 0} in transport · ${counts.by_status.arrived || 0} arrived`,
      counts.walk_ins ? ` · ${plural(counts.walk_ins, "walk-in")}` : "",
    ),
    warnings.length ? h("div", { class: "alert alert-warning", role: "status" }, h("strong", {}, "Distribution: "), h("ul", { class: "warnings" }, warnings.map((w) => h("li", {}, w)))) : null,
  ];
  if (state.patients) {
    parts.push(h("h3", {}, "By destination ", h("span", { class: "small muted" }, "(sent / can take, per colour)")), byDestination());
    const list = [...state.patients.values()].sort((a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category) || a.tag_number.localeCompare(b.tag_number));
    parts.push(
      h("h3", {}, config.access === "hospital" ? "Your hospital's patients" : "Patients"),
      list.length
        ? h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              { class: "table table-compact table-stack patients-table" },
              h("thead", {}, h("tr", {}, ["Tag", "Colour", "Status", "Destination", "Unit"].map((t) => h("th", { scope: "col" }, t)))),
              h(
                "tbody",
                {},
                list.map((p) =>
                  h(
                    "tr",
                    { "data-patient": p.tag_number },
                    h("th", { scope: "row", class: "mono" }, p.tag_number),
                    h("td", { "data-label": "Colour" }, triageTag(p.category)),
                    h("td", { "data-label": "Status" }, patientStatus(p)),
                    h("td", { "data-label": "Destination" }, p.destination_name || state.hospitalName(p.destination) || h("span", { class: "muted" }, "—")),
                    h("td", { "data-label": "Unit" }, p.transport_unit || "—"),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "muted" }, "No patient registered yet."),
    );
  } else if (config.access === "summary") {
    parts.push(h("p", { class: "small muted" }, "Counts only: patient details are for the services treating them."));
  }
  replace($("#incident-patients"), parts);
}

function updates() {
  const card = $("#updates-card");
  if (config.access === "hospital") {
    card.hidden = true;
    return;
  }
  const list = state.updates || [];
  replace(
    $("#incident-updates"),
    list.length
      ? h(
          "ol",
          { class: "updates" },
          list.map((u) =>
            h(
              "li",
              { class: "update" },
              h("p", { class: "update__meta" }, h("time", { datetime: u.posted_at }, timeOfDay(u.posted_at)), ` · ${u.author || "emergency management"} → ${u.audience.map((a) => a.name).join(", ")}`),
              h("p", { class: "update__body" }, u.body),
            ),
          ),
        )
      : h("p", { class: "muted" }, "No situation update yet."),
  );
}

function renderAll() {
  header();
  replace($("#incident-timers"), timers(state));
  actions();
  hospitals();
  patients();
  updates();
  replace($("#incident-timeline"), timeline(state.timeline, { limit: 200, zone: state.incident.time_zone }));
}

async function start() {
  try {
    state = await loadIncident(ID, { patients: true, updates: true });
  } catch (error) {
    replace($("#incident-hospitals"), h("div", { class: "alert alert-error", role: "alert" }, `Could not load the incident: ${error.message}`));
    return;
  }
  socket.subscribe(ID);
  socket.track(ID, state.lastSeq);
  await Promise.all([loadGuidance(), checklist.load(), roles.load(), figures.load()]);
  render();
}

start();
