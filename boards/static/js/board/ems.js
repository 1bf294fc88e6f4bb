// The EMS board for one incident: register and triage fast (tag + one colour press), see
// where each patient should go (nearest hospital with room in its colour), and transport
// several patients at once with one unit.

import { api, clearErrors, showErrors } from "./api.js";
import { debouncedRefresher, loadIncident, refreshSnapshot, startBoard } from "./board.js";
import { etaCountdown, exerciseTag, ringdown, since, statusBadge, triageTag } from "./components.js";
import { config, now } from "./config.js";
import { $, h, replace, scheduler } from "./dom.js";
import { CAPACITY_CATEGORIES, CATEGORY, CATEGORIES, KIND, timeOfDay } from "./format.js";

const ID = config.incident;
let state = null;
let lastColour = null;
const checked = new Set();

const render = scheduler(() => state && renderAll());

async function loadGuidance() {
  try {
    state.guidance = await api(`incidents/${ID}/guidance/`);
    render();
  } catch {
    /* advice only */
  }
}
const guidanceLater = debouncedRefresher(loadGuidance, 500);
const refresh = debouncedRefresher(async () => {
  await refreshSnapshot(state).catch(() => {});
  render();
});

const socket = startBoard({
  onEvent(event) {
    if (!state || event.incident !== ID) return;
    if (event.kind === "patient.details") reloadPatient(event.data.patient_id); // names only: fetch
    else if (state.apply(event).refresh) refresh(ID);
    if (event.kind.startsWith("patient.") || event.kind.startsWith("hospital.")) guidanceLater(ID);
    render();
  },
});

function suggestionFor(patientId) {
  return state.guidance ? state.guidance.suggestions.find((s) => s.patient_id === patientId) : null;
}

// --- registering ---------------------------------------------------------------------------

const registerForm = $("#register-form");
const tagInput = $("#register-tag");
const status = h("p", { class: "register-status", role: "status", "aria-live": "polite" });
registerForm.after(status);

registerForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const category = e.submitter && e.submitter.name === "category" ? e.submitter.value : lastColour;
  if (!category) return;
  clearErrors(registerForm);
  const tag = tagInput.value.trim();
  try {
    const patient = await api(`incidents/${ID}/patients/`, { method: "POST", body: { tag_number: tag, category } });
    lastColour = category;
    tagInput.value = "";
    status.textContent = `Registered ${patient.tag_number} — ${CATEGORY[category].word} (${CATEGORY[category].colour.toLowerCase()}).`;
    if (state.patients && !state.patients.has(patient.id)) state.patients.set(patient.id, patient);
    render();
  } catch (error) {
    showErrors(registerForm, error);
  }
  tagInput.focus();
});

// Enter in the tag field registers with the last colour pressed — never silently "red".
tagInput.addEventListener("keydown", (e) => {
  if (e.key !== "Enter") return;
  e.preventDefault();
  if (lastColour) registerForm.requestSubmit(registerForm.querySelector(`button[value="${lastColour}"]`));
  else status.textContent = "Press the patient's colour to register.";
});

// --- transporting --------------------------------------------------------------------------

const transportForm = $("#transport-form");
transportForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(transportForm);
  const ids = [...checked].filter((id) => state.patients.get(id)?.status === "on_scene");
  const f = transportForm.elements;
  if (!ids.length) {
    showErrors(transportForm, new Error("Check the patients this unit takes."));
    return;
  }
  const destination = f.destination.value ? Number(f.destination.value) : null;
  const minutes = f.eta.value === "" ? null : Number(f.eta.value);
  try {
    if (destination === null) {
      // "Assigned or suggested": give each patient without a destination its suggestion
      // first — from fresh guidance, as patients registered a moment ago count too.
      await loadGuidance();
      for (const id of ids) {
        const patient = state.patients.get(id);
        if (patient.destination) continue;
        const suggestion = suggestionFor(id);
        if (!suggestion || !suggestion.hospital_id) throw new Error(`No hospital has room for ${patient.tag_number}; choose a destination.`);
        await api(`incidents/${ID}/patients/${id}/destination/`, { method: "POST", body: { hospital: suggestion.hospital_id } });
      }
    }
    const body = { patients: ids, unit: f.unit.value.trim() };
    if (destination !== null) body.destination = destination;
    if (minutes !== null) body.eta = new Date(now() + minutes * 60_000).toISOString();
    const result = await api(`incidents/${ID}/patients/transport/`, { method: "POST", body });
    for (const p of result.results) state.patients.set(p.id, p);
    checked.clear();
    status.textContent = `${body.unit} left with ${result.results.map((p) => p.tag_number).join(", ")}.`;
    render();
  } catch (error) {
    showErrors(transportForm, error);
  }
});

// --- ringdown: age group, sex, injuries and vitals for the receiving ER --------------------

const VITALS = ["heart_rate", "systolic_bp", "diastolic_bp", "respiratory_rate", "spo2", "gcs"];
const ringdownDialog = $("#ringdown-dialog");
const ringdownForm = $("#ringdown-form");
let ringdownPatient = null;

async function reloadPatient(id) {
  try {
    state.patients.set(id, await api(`incidents/${ID}/patients/${id}/`));
    render();
  } catch {
    /* the next event or reconnect tries again */
  }
}

function openRingdown(patient) {
  ringdownPatient = patient.id;
  clearErrors(ringdownForm);
  ringdownForm.reset();
  $("#ringdown-tag").textContent = patient.tag_number;
  const f = ringdownForm.elements;
  for (const name of ["age_group", "sex", "avpu"]) {
    for (const radio of ringdownForm.querySelectorAll(`input[name=${name}]`)) radio.checked = radio.value === (patient[name] || "");
  }
  f.injury_note.value = patient.injury_note || "";
  for (const name of VITALS) f[name].value = patient[name] ?? "";
  ringdownDialog.showModal();
}

function ringdownButton(patient) {
  const button = h("button", { type: "button", class: "btn btn-small", "aria-label": `Ringdown for ${patient.tag_number}` }, "Ringdown");
  button.addEventListener("click", () => openRingdown(patient));
  return button;
}

$("#ringdown-cancel").addEventListener("click", () => ringdownDialog.close());
ringdownForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(ringdownForm);
  const f = ringdownForm.elements;
  const body = { injury_note: f.injury_note.value.trim() };
  for (const name of ["age_group", "sex", "avpu"]) {
    const picked = ringdownForm.querySelector(`input[name=${name}]:checked`);
    if (picked) body[name] = picked.value;
  }
  for (const name of VITALS) body[name] = f[name].value === "" ? null : Number(f[name].value);
  try {
    const patient = await api(`incidents/${ID}/patients/${ringdownPatient}/details/`, { method: "POST", body });
    state.patients.set(patient.id, patient);
    ringdownDialog.close();
    status.textContent = `Ringdown for ${patient.tag_number} saved — ${patient.destination_name || "the receiving ER"} sees it now.`;
    render();
  } catch (error) {
    showErrors(ringdownForm, error);
  }
});

// --- drawing -------------------------------------------------------------------------------

function header() {
  const inc = state.incident;
  $("#exercise-banner").hidden = !inc.is_exercise;
  replace(
    $("#incident-header"),
    h("p", { class: "incident-status-line" }, statusBadge(inc.status), " ", exerciseTag(inc), " ", KIND[inc.kind] || inc.kind, inc.location_text ? ` · ${inc.location_text}` : "", " · ", since(inc.declared_at, { suffix: " since declared" })),
  );
}

function scene() {
  const waiting = [...state.patients.values()]
    .filter((p) => p.status === "on_scene")
    .sort((a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category) || a.tag_number.localeCompare(b.tag_number));
  for (const id of [...checked]) if (!waiting.some((p) => p.id === id)) checked.delete(id);
  if (!waiting.length) {
    replace($("#scene-patients"), h("p", { class: "empty empty-small" }, "Nobody waiting on scene. Register patients above as you tag them."));
    return;
  }
  replace(
    $("#scene-patients"),
    h(
      "table",
      { class: "table table-compact scene-table" },
      h("caption", { class: "visually-hidden" }, "Patients on scene, most urgent first"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Take")), ["Tag", "Colour", "Goes to", "Details"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        waiting.map((p) => {
          const box = h("input", { type: "checkbox", id: `take-${p.id}`, "aria-label": `Take ${p.tag_number}`, checked: checked.has(p.id) });
          box.addEventListener("change", () => (box.checked ? checked.add(p.id) : checked.delete(p.id)));
          const suggestion = suggestionFor(p.id);
          let goes;
          if (p.destination) goes = h("span", {}, h("strong", {}, p.destination_name || state.hospitalName(p.destination)), h("span", { class: "small muted" }, " assigned"));
          else if (suggestion && suggestion.hospital_id) goes = h("span", {}, suggestion.hospital, h("span", { class: "small muted" }, ` suggested${suggestion.distance_km !== null ? ` · ${suggestion.distance_km.toFixed(1)} km` : ""}`));
          else if (suggestion) goes = h("span", { class: "state-waiting" }, suggestion.reason || "No room anywhere yet");
          else goes = h("span", { class: "muted" }, "—");
          return h(
            "tr",
            { "data-patient": p.tag_number },
            h("td", {}, box),
            h("th", { scope: "row", class: "mono" }, h("label", { for: box.id }, p.tag_number)),
            h("td", {}, triageTag(p.category)),
            h("td", {}, goes),
            h("td", {}, ringdownButton(p)),
          );
        }),
      ),
    ),
  );
}

function destinationOptions() {
  const select = $("#transport-destination");
  const current = select.value;
  replace(
    select,
    h("option", { value: "" }, "Assigned or suggested"),
    state.hospitals.map((x) => h("option", { value: x.hospital_id }, x.name)),
  );
  select.value = [...select.options].some((o) => o.value === current) ? current : "";
}

function rooms() {
  if (!state.hospitals.length) {
    replace($("#ems-hospitals"), h("p", { class: "muted" }, "No hospital on the incident yet."));
    return;
  }
  const warnings = state.guidance ? state.guidance.warnings : [];
  replace(
    $("#ems-hospitals"),
    warnings.length ? h("div", { class: "alert alert-warning", role: "status" }, h("ul", { class: "warnings" }, warnings.map((w) => h("li", {}, w)))) : null,
    h(
      "ul",
      { class: "rooms" },
      state.hospitals.map((x) =>
        h(
          "li",
          { class: "room" },
          h("span", { class: "room__name" }, x.name),
          x.capacity
            ? h(
                "span",
                { class: "chips" },
                CAPACITY_CATEGORIES.map((c) => {
                  const left = x.remaining ? x.remaining[c] : null;
                  return h("span", { class: `chip ${CATEGORY[c].cls}${left !== null && left <= 0 ? " is-full" : ""}`, title: `${CATEGORY[c].word}: ${left} left` }, h("abbr", { title: CATEGORY[c].word }, CATEGORY[c].letter), String(left));
                }),
              )
            : h("span", { class: "state-waiting" }, x.acknowledged_at ? "acknowledged, no capacity yet" : "not answered yet"),
        ),
      ),
    ),
  );
}

function moving() {
  const list = [...state.patients.values()].filter((p) => p.status !== "on_scene");
  const inTransport = list.filter((p) => p.status === "in_transport").sort((a, b) => (a.eta || "").localeCompare(b.eta || ""));
  const arrived = list.filter((p) => p.status === "arrived");
  replace(
    $("#moving-patients"),
    inTransport.length
      ? h(
          "ul",
          { class: "moving" },
          inTransport.map((p) =>
            h(
              "li",
              { "data-patient": p.tag_number },
              triageTag(p.category),
              " ",
              h("span", { class: "mono" }, p.tag_number),
              ` · ${p.transport_unit} → ${p.destination_name || state.hospitalName(p.destination)} · `,
              p.eta ? [etaCountdown(p.eta), " ", h("span", { class: "age" }, timeOfDay(p.eta, state.incident.time_zone))] : "no ETA",
              ringdownButton(p),
              h("span", { class: "moving__ringdown small" }, ringdown(p) || h("span", { class: "muted" }, "no ringdown yet")),
            ),
          ),
        )
      : h("p", { class: "muted" }, "Nobody in transport."),
    arrived.length ? h("p", { class: "small" }, `Arrived: ${arrived.length} (${arrived.map((p) => p.tag_number).join(", ")})`) : null,
  );
}

function renderAll() {
  header();
  scene();
  destinationOptions();
  rooms();
  moving();
  const closed = state.incident.status === "closed";
  for (const form of [registerForm, transportForm]) {
    for (const el of form.elements) el.disabled = closed;
  }
  if (closed) status.textContent = "This incident is closed.";
}

async function start() {
  try {
    state = await loadIncident(ID, { patients: true });
  } catch (error) {
    replace($("#scene-patients"), h("div", { class: "alert alert-error", role: "alert" }, `Could not load the incident: ${error.message}`));
    return;
  }
  socket.track(ID, state.lastSeq);
  await loadGuidance();
  render();
}

start();
