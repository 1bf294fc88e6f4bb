// The hospital ER big screen, for one hospital (config.hospital):
// - a new MCI that puts this hospital on an incident sounds and flashes until someone here
//   acknowledges it (mute for 10 minutes available);
// - acknowledge; answer "what can you take now" in R/Y/G with two clicks (pick, send);
// - inbound patients sorted by ETA, with colour, unit and a countdown; mark arrived;
// - register a walk-in. Only this hospital's patients are ever listed;
// - a stand-down (taken off an incident, or it was de-escalated or closed) shows a card until
//   someone here acknowledges it;
// - a closed incident keeps only "Mark arrived" for patients still on the way.

import { api, clearErrors, clearOnNextAction, fetchAll, showErrors } from "./api.js";
import { debouncedRefresher, loadIncident, pageUrl, refreshSnapshot, startBoard } from "./board.js";
import { chips, declaredClock, etaCountdown, exerciseTag, ringdown, since, statusBadge, timeline, triageTag, age } from "./components.js";
import { config } from "./config.js";
import { $, h, replace, scheduler } from "./dom.js";
import { CAPACITY_CATEGORIES, CATEGORY, CATEGORIES, KIND, ago, timeOfDay } from "./format.js";
import { Alarm, kiosk } from "./sound.js";

const HOSPITAL = config.hospital;
const MUTE_MS = 10 * 60 * 1000;
const QUICK_COUNTS = [0, 1, 2, 3, 4, 5, 6, 8, 10, 15];
const PATIENT_RELOAD_MS = 60_000;
// Who the casualties are, as the declaration says (nothing when not known).
const POPULATION = { adults: "adults", children: "children", mixed: "adults and children" };

const incidents = new Map(); // id → IncidentState
const sections = new Map(); // id → IncidentSection
const loading = new Set();
const ignored = new Set(); // closed incidents, heard of through a late event
const alertsEl = $("#er-alerts");
const standdownsEl = $("#er-standdowns");
const standdowns = new Map(); // stand-down id → row not yet acknowledged here
const CLOSED_LINGER_MS = 60_000; // a closed incident with nobody inbound stays a minute
const listEl = $("#er-incidents");
const soundButton = $("#sound-toggle");
const kioskBox = $("#kiosk-sound");
const soundOff = $("#sound-off");
const baseTitle = document.title;

const alarm = new Alarm({ onChange: () => renderSound() });

// --- loading -------------------------------------------------------------------------------

const patientFilter = `&destination=${HOSPITAL.id}`;

async function load(id) {
  if (incidents.has(id) || loading.has(id) || ignored.has(id)) return;
  loading.add(id);
  try {
    const state = await loadIncident(id, { patients: true, patientFilter });
    if (state.incident.status === "closed" && !inbound(state).length) {
      ignored.add(id);
      socket.untrack(id); // and drop any events it was sent
      return;
    }
    // Staff of several hospitals hear of incidents of their other hospitals too.
    if (!myRow(state) && !(state.patients && state.patients.size)) {
      socket.untrack(id);
      return;
    }
    incidents.set(id, state);
    socket.track(id, state.lastSeq);
    render();
  } catch (error) {
    console.warn("er: could not load incident", id, error);
  } finally {
    loading.delete(id);
  }
}

async function loadOpen() {
  const pages = await Promise.all([
    api("incidents/?status=active&page_size=100"),
    api("incidents/?status=deescalated&page_size=100"),
    // closed, but patients are still on the way here: they can still be marked arrived
    api(`incidents/?status=closed&inbound_to=${HOSPITAL.id}&page_size=100`),
  ]);
  await Promise.all(pages.flatMap((p) => p.results).map((i) => load(i.id)));
  render();
}

// --- stand-downs ---------------------------------------------------------------------------

async function loadStanddowns() {
  try {
    const page = await api(`standdowns/?hospital=${HOSPITAL.id}`);
    standdowns.clear();
    for (const row of page.results) standdowns.set(row.id, row);
    renderStanddowns();
  } catch (error) {
    console.warn("er: could not load stand-downs", error);
  }
}
const standdownsLater = debouncedRefresher(loadStanddowns, 300);

function isMyStanddown(event) {
  return (event.kind === "hospital.stood_down" || event.kind === "hospital.standdown_acknowledged") && (event.data || {}).hospital_id === HOSPITAL.id;
}

async function acknowledgeStanddown(row, button) {
  button.disabled = true;
  try {
    await api(`standdowns/${row.id}/acknowledge/`, { method: "POST" });
    standdowns.delete(row.id);
    renderStanddowns();
  } catch (error) {
    button.disabled = false;
    replace(button.parentElement.querySelector(".er-standdown__error"), error.message);
  }
}

function renderStanddowns() {
  replace(
    standdownsEl,
    [...standdowns.values()].map((row) => {
      const inc = row.incident;
      const ack = h("button", { type: "button", class: "btn btn-primary btn-large" }, "Acknowledge stand-down");
      ack.addEventListener("click", () => acknowledgeStanddown(row, ack));
      const link = pageUrl("incident", inc.id);
      const reason = row.reason_text.charAt(0).toUpperCase() + row.reason_text.slice(1);
      return h(
        "section",
        { class: "er-standdown", "aria-labelledby": `standdown-${row.id}`, "data-standdown": row.id, "data-incident": inc.id },
        h("p", { class: "er-standdown__kicker" }, inc.is_exercise ? "EXERCISE · STAND DOWN · EXERCISE" : "STAND DOWN"),
        h("h2", { id: `standdown-${row.id}`, class: "er-standdown__title" }, `${inc.number} · ${inc.title}`),
        h("p", { class: "er-standdown__facts" }, `${reason} at ${timeOfDay(row.at)}`, row.by ? ` by ${row.by}` : "", row.reason === "closed" ? ". Patients already on the way still arrive." : ". Expect no patients from it unless dispatch calls you."),
        h(
          "div",
          { class: "er-standdown__actions" },
          ack,
          link ? h("a", { class: "btn", href: link }, "Read the incident") : null,
          h("span", { class: "er-standdown__error", role: "alert" }),
        ),
      );
    }),
  );
}

async function reloadPatients(id) {
  const state = incidents.get(id);
  if (!state) return;
  try {
    state.setPatients(await fetchAll(`incidents/${id}/patients/?page_size=500${patientFilter}`));
    render();
  } catch {
    /* the next event or reconnect tries again */
  }
}

const refresh = debouncedRefresher(async (id) => {
  const state = incidents.get(id);
  if (!state) return;
  await refreshSnapshot(state).catch(() => {});
  render();
});
const patientsLater = debouncedRefresher(reloadPatients, 800);

function drop(id) {
  incidents.delete(id);
  socket.untrack(id); // off the screen: no more catch-ups for it
  sections.get(id)?.el.remove();
  sections.delete(id);
  render();
}

// --- the live feed -------------------------------------------------------------------------

function inbound(state) {
  return state.patients ? [...state.patients.values()].filter((p) => p.destination === HOSPITAL.id && p.status === "in_transport") : [];
}

// A closed incident leaves the board once nobody is on the way here and it has shown
// "closed" for a minute.
function dropIfSettled(id) {
  const state = incidents.get(id);
  if (!state || state.incident.status !== "closed" || inbound(state).length) return;
  const closedFor = Date.now() - Date.parse(state.incident.closed_at || 0);
  if (closedFor >= CLOSED_LINGER_MS) drop(id);
  else setTimeout(() => dropIfSettled(id), CLOSED_LINGER_MS - closedFor + 100);
}

const socket = startBoard({
  onEvent(event) {
    if (isMyStanddown(event)) standdownsLater(0);
    const state = incidents.get(event.incident);
    if (!state) return;
    const d = event.data || {};
    if (event.kind === "hospital.removed" && d.hospital_id === HOSPITAL.id) {
      drop(event.incident);
      return;
    }
    if (event.kind.startsWith("patient.")) {
      if (d.destination_id && d.destination_id !== HOSPITAL.id && state.patients) {
        state.patients.delete(d.patient_id); // sent elsewhere: not this ER's patient any more
      } else if (state.apply(event).refresh) refresh(event.incident);
      state.addToTimeline(event);
      patientsLater(event.incident);
    } else if (state.apply(event).refresh) {
      refresh(event.incident);
    }
    if (event.kind === "incident.closed" || event.kind === "patient.arrived") dropIfSettled(event.incident);
    render();
  },
  onUntracked(event) {
    if (isMyStanddown(event)) standdownsLater(0);
    // e.g. this hospital was just put on a new MCI (an official's or API copy of an event
    // has no routing: load it and see)
    const routed = event.hospitals || [];
    if (!event.hospitals || routed.includes(HOSPITAL.id) || event.hospital === HOSPITAL.id) load(event.incident);
  },
  onLost: drop,
  onConnected({ reconnected }) {
    if (!reconnected) return;
    for (const id of incidents.keys()) patientsLater(id);
    standdownsLater(0);
    loadOpen().catch(() => {}); // incidents declared while it was away
  },
});
setInterval(() => incidents.forEach((_, id) => reloadPatients(id)), PATIENT_RELOAD_MS);

// --- alert ---------------------------------------------------------------------------------

function myRow(state) {
  return state.hospital(HOSPITAL.id);
}

function alerting() {
  return [...incidents.values()].filter((s) => {
    const row = myRow(s);
    return s.incident.status === "active" && row && !row.acknowledged_at;
  });
}

async function acknowledge(state, button) {
  button.disabled = true;
  try {
    await api(`incidents/${state.id}/hospitals/${HOSPITAL.id}/acknowledge/`, { method: "POST" });
    const row = myRow(state);
    if (row && !row.acknowledged_at) {
      Object.assign(row, { acknowledged_at: new Date().toISOString(), acknowledged_by: config.user.name, ack_outstanding: false });
    }
    render();
  } catch (error) {
    button.disabled = false;
    flash(state.id, "error", error.message);
  }
}

let lastAlertKey = "";

function renderAlerts() {
  const list = alerting();
  document.body.classList.toggle("is-alerting", list.length > 0);
  if (list.length && !alarm.sounding) alarm.start();
  if (!list.length && alarm.sounding) alarm.stop();
  document.title = list.length ? `(!) NEW MCI · ${baseTitle}` : baseTitle;
  const key = JSON.stringify([list.map((s) => [s.id, s.incident.title, s.incident.status]), alarm.muted, alarm.enabled]);
  if (key === lastAlertKey) return;
  lastAlertKey = key;
  replace(
    alertsEl,
    list.map((state) => {
      const inc = state.incident;
      const row = myRow(state);
      const ack = h("button", { type: "button", class: "btn btn-ack" }, "Acknowledge");
      ack.addEventListener("click", () => acknowledge(state, ack));
      const mute = h("button", { type: "button", class: "btn btn-quiet-light" }, alarm.muted ? "Unmute" : "Mute 10 min");
      mute.addEventListener("click", () => (alarm.muted ? alarm.unmute() : alarm.mute(MUTE_MS)));
      return h(
        "section",
        { class: "er-alert", role: "alert", "aria-labelledby": `alert-${inc.id}`, "data-incident": inc.id },
        h("p", { class: "er-alert__kicker" }, inc.is_exercise ? "EXERCISE · NEW MCI · EXERCISE" : "NEW MCI — ACKNOWLEDGE"),
        h("h2", { id: `alert-${inc.id}`, class: "er-alert__title" }, `${KIND[inc.kind] || inc.kind}: ${inc.title}`),
        h(
          "p",
          { class: "er-alert__facts" },
          inc.location_text ? `${inc.location_text} · ` : "",
          `${inc.number} · declared ${declaredClock(inc)} · `,
          since(row.notified_at, { prefix: "waiting " }),
          row.rank ? ` · you are #${row.rank} of ${state.hospitals.length} hospitals` : "",
        ),
        h(
          "p",
          { class: "er-alert__facts" },
          "Estimated casualties: ",
          chips(inc.estimated, ["immediate", "delayed", "minor"]),
          POPULATION[inc.casualty_population] ? ` · ${POPULATION[inc.casualty_population]}` : "",
        ),
        h(
          "div",
          { class: "er-alert__actions" },
          ack,
          mute,
          alarm.muted ? h("span", { class: "er-alert__note" }, "Sound muted for 10 minutes") : null,
          !alarm.enabled ? h("span", { class: "er-alert__note" }, "Sound is off on this screen — press anywhere on it to turn the sound on") : null,
        ),
      );
    }),
  );
}

function renderSound() {
  if (!soundButton) return;
  const on = alarm.enabled;
  // While sound is off, say so in large letters: a silent wall screen is the danger.
  soundOff.hidden = on;
  document.body.classList.toggle("is-sound-off", !on);
  $("#sound-off-text").textContent = kiosk.on
    ? "This screen is set to turn sound on at every start, but the browser blocked it. Press anywhere on the page to turn it on (or start the browser with --autoplay-policy=no-user-gesture-required, see README)."
    : "A new MCI will not be heard on this screen. Press anywhere on the page to turn the sound on.";
  kioskBox.checked = kiosk.on;
  soundButton.textContent = on ? (alarm.muted ? "Sound muted" : "Sound on") : "Enable sound";
  soundButton.setAttribute("aria-pressed", on ? "true" : "false");
  soundButton.classList.toggle("btn-warn", !on);
  lastAlertKey = "";
  if (listEl.querySelector(".er-empty")) render(); // its "press anywhere" note follows the sound
  else renderAlerts();
}

kioskBox?.addEventListener("change", async () => {
  kiosk.set(kioskBox.checked);
  if (kioskBox.checked && !alarm.enabled) await alarm.enable();
  renderSound();
});

soundButton?.addEventListener("click", async () => {
  if (alarm.enabled) {
    if (alarm.muted) alarm.unmute();
    else alarm.mute(MUTE_MS);
  } else {
    await alarm.enable();
    if (alarm.sounding) alarm.beep();
  }
});

// --- one incident --------------------------------------------------------------------------

const notes = new Map(); // incident id → {kind, text}

function flash(id, kind, text) {
  const note = { kind, text };
  notes.set(id, note);
  const forget = () => {
    if (notes.get(id) === note) {
      notes.delete(id);
      render();
    }
  };
  if (kind === "success") setTimeout(forget, 10_000);
  else clearOnNextAction(forget); // an error answers one action, not the next
  render();
}

class IncidentSection {
  constructor(state) {
    this.id = state.id;
    this.el = h("section", { class: "card er-incident", "aria-labelledby": `incident-${state.id}`, "data-incident": state.id });
    this.head = h("div", { class: "er-incident__head" });
    this.note = h("div", {});
    this.ack = h("div", { class: "er-ack" });
    this.capacityNow = h("div", { class: "er-capacity-now" });
    this.inbound = h("div", {});
    this.scene = h("div", {});
    this.arrived = h("div", {});
    this.events = h("div", {});
    this.draft = null; // the capacity being picked; null: follow the current answer
    this.capacityForm = this.buildCapacityForm(state);
    this.walkinForm = this.buildWalkinForm(state);
    // Capacity and walk-ins: gone the moment the incident closes.
    this.controls = h(
      "div",
      { class: "er-controls" },
      h("h3", { id: `capacity-${state.id}` }, "What can you take now?"),
      this.capacityNow,
      this.capacityForm,
      h("h3", {}, "Register a walk-in"),
      this.walkinForm,
    );
    this.el.append(
      this.head,
      this.note,
      h(
        "div",
        { class: "er-grid" },
        h(
          "div",
          { class: "er-col" },
          h("h3", {}, "Inbound to ", HOSPITAL.name),
          this.inbound,
          this.scene,
          h("h3", {}, "Arrived"),
          this.arrived,
        ),
        h(
          "div",
          { class: "er-col" },
          this.ack,
          this.controls,
          h("details", { class: "er-timeline" }, h("summary", {}, "Timeline"), this.events),
        ),
      ),
    );
  }

  buildCapacityForm(state) {
    const form = h("form", { class: "capacity-picker", "aria-labelledby": `capacity-${state.id}` });
    this.pickers = {};
    for (const category of CAPACITY_CATEGORIES) {
      const c = CATEGORY[category];
      const group = h(
        "div",
        { class: "capacity-row", role: "radiogroup", "aria-label": `${c.word} (${c.colour.toLowerCase()})` },
        h("span", { class: `capacity-row__label ${c.cls}` }, h("abbr", { title: c.word }, c.letter), h("span", { class: "visually-hidden" }, ` ${c.word}`)),
        QUICK_COUNTS.map((n) => {
          const button = h("button", { type: "button", class: "count-pick", role: "radio", "aria-checked": "false", "data-category": category, "data-count": n, "aria-label": `${c.word} ${n}` }, String(n));
          button.addEventListener("click", () => this.pick(category, n));
          return button;
        }),
        h("input", { type: "number", min: 0, max: 1000, class: "count-other", "aria-label": `${c.word}: another number`, placeholder: "other", "data-category": category, onchange: (e) => e.target.value !== "" && this.pick(category, Number(e.target.value)) }),
      );
      this.pickers[category] = group;
      form.append(group);
    }
    this.sameButton = h("button", { type: "button", class: "btn btn-small capacity-same" });
    this.sameButton.addEventListener("click", () => {
      const last = this.lastTime();
      if (!last) return;
      this.draft = { ...last.values };
      this.updateCapacityForm(incidents.get(this.id));
    });
    form.prepend(this.sameButton);
    this.sendButton = h("button", { type: "submit", class: "btn btn-primary btn-large capacity-send" }, "Send capacity");
    form.append(h("div", { class: "form-actions" }, this.sendButton));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const values = this.values(state);
      if (CAPACITY_CATEGORIES.some((c) => values[c] === null || values[c] === undefined)) {
        flash(state.id, "error", "Choose a number for each colour (0 if none).");
        return;
      }
      this.sendButton.disabled = true;
      try {
        await api(`incidents/${state.id}/hospitals/${HOSPITAL.id}/capacity/`, { method: "POST", body: values });
        Object.assign(HOSPITAL, { capacity: { ...values }, capacity_reported_at: new Date().toISOString() });
        this.draft = null;
        notes.delete(state.id);
        flash(state.id, "success", `Capacity sent: R${values.immediate} Y${values.delayed} G${values.minor}.`);
      } catch (error) {
        flash(state.id, "error", error.message);
      } finally {
        this.sendButton.disabled = false;
      }
    });
    return form;
  }

  // The values shown: what is being picked, else this incident's current answer, else
  // nothing. Numbers from before this incident are never pre-selected (one press would send
  // them as today's): "Same as last time" offers them as an explicit choice.
  values(state) {
    if (this.draft) return this.draft;
    const row = myRow(state);
    if (row && row.capacity) return { ...row.capacity };
    return {};
  }

  // The hospital's last reported capacity, if complete, as {values, at}.
  lastTime() {
    const last = HOSPITAL.capacity || {};
    if (CAPACITY_CATEGORIES.some((c) => last[c] === null || last[c] === undefined)) return null;
    return { values: { ...last }, at: HOSPITAL.capacity_reported_at };
  }

  pick(category, n) {
    const state = incidents.get(this.id);
    this.draft = { ...this.values(state), [category]: n };
    this.updateCapacityForm(state);
  }

  updateCapacityForm(state) {
    const values = this.values(state);
    for (const category of CAPACITY_CATEGORIES) {
      for (const button of this.pickers[category].querySelectorAll(".count-pick")) {
        const on = Number(button.dataset.count) === values[category];
        button.setAttribute("aria-checked", on ? "true" : "false");
        button.classList.toggle("is-picked", on);
      }
      const other = this.pickers[category].querySelector(".count-other");
      if (document.activeElement !== other) other.value = QUICK_COUNTS.includes(values[category]) || values[category] == null ? "" : values[category];
    }
    const complete = CAPACITY_CATEGORIES.every((c) => values[c] !== null && values[c] !== undefined);
    const row = myRow(state);
    const last = this.lastTime();
    this.sameButton.hidden = !last || Boolean(row && row.capacity);
    if (last) {
      const v = last.values;
      // One span: a flex button would drop the space before the live age.
      replace(this.sameButton, h("span", {}, `Same as last time (R${v.immediate} Y${v.delayed} G${v.minor}`, last.at ? [", ", h("span", { "data-ago": last.at }, ago(last.at))] : "", ")"));
    }
    this.sendButton.textContent = complete
      ? `${row && row.capacity ? "Update" : "Send"} capacity R${values.immediate} Y${values.delayed} G${values.minor}`
      : "Pick a number for each colour";
  }

  buildWalkinForm(state) {
    const tag = h("input", { type: "text", name: "tag_number", id: `walkin-tag-${state.id}`, maxlength: 40, autocomplete: "off", placeholder: "optional" });
    const form = h(
      "form",
      { class: "walkin-form", novalidate: true },
      h("div", { class: "alert alert-error", "data-form-alert": true, role: "alert", hidden: true }),
      h("div", { class: "field" }, h("label", { for: tag.id }, "Tag number"), tag),
      h(
        "div",
        { class: "colour-buttons colour-buttons-small", role: "group", "aria-label": "Colour — registers the walk-in" },
        CATEGORIES.slice(0, 4).map((c) => h("button", { type: "submit", name: "category", value: c, class: `btn colour-button ${CATEGORY[c].cls}` }, `${CATEGORY[c].letter} ${CATEGORY[c].word}`)),
      ),
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      const category = e.submitter ? e.submitter.value : "minor";
      try {
        const patient = await api(`incidents/${state.id}/patients/walk-in/`, {
          method: "POST",
          body: { category, tag_number: tag.value.trim(), hospital: HOSPITAL.id },
        });
        tag.value = "";
        flash(state.id, "success", `Walk-in ${patient.tag_number} registered (${CATEGORY[category].word}).`);
      } catch (error) {
        showErrors(form, error);
      }
    });
    return form;
  }

  update(state) {
    const inc = state.incident;
    const row = myRow(state);
    replace(
      this.head,
      inc.is_exercise ? h("div", { class: "banner-exercise banner-inline" }, "EXERCISE · EXERCISE · EXERCISE") : null,
      h(
        "div",
        { class: "detail-head" },
        h(
          "div",
          {},
          h("h2", { id: `incident-${inc.id}`, class: "detail-title" }, `${inc.number} · ${inc.title}`),
          h("p", { class: "incident-facts" }, KIND[inc.kind] || inc.kind, inc.location_text ? ` · ${inc.location_text}` : "", " · declared ", declaredClock(inc), " · ", since(inc.declared_at, { suffix: " ago" })),
        ),
        h("div", {}, statusBadge(inc.status), " ", exerciseTag(inc)),
      ),
    );
    const note = notes.get(inc.id);
    replace(this.note, note ? h("div", { class: `alert alert-${note.kind}`, role: note.kind === "error" ? "alert" : "status" }, note.text) : null);
    const closed = inc.status === "closed";
    this.controls.hidden = closed;
    if (closed) {
      const coming = inbound(state).length;
      replace(
        this.ack,
        h(
          "p",
          { class: "er-closed-note" },
          h("strong", {}, `Closed at ${timeOfDay(inc.closed_at, inc.time_zone)}. `),
          coming ? `${coming} patient${coming === 1 ? " is" : "s are"} still on the way: mark each arrived when it comes in.` : "Nothing more to do here.",
        ),
      );
    } else if (!row) {
      replace(this.ack, h("p", { class: "muted" }, `${HOSPITAL.name} is not on this incident's hospital list (patients may still be sent here).`));
    } else if (row.acknowledged_at) {
      replace(this.ack, h("p", { class: "er-ack__done" }, h("span", { class: "state-ok" }, "✓ Acknowledged"), ` ${timeOfDay(row.acknowledged_at, inc.time_zone)}`, row.acknowledged_by ? ` by ${row.acknowledged_by}` : ""));
    } else {
      const ack = h("button", { type: "button", class: "btn btn-ack" }, "Acknowledge");
      ack.addEventListener("click", () => acknowledge(state, ack));
      replace(this.ack, h("p", { class: "er-ack__waiting" }, h("span", { class: "state-waiting" }, "Not acknowledged yet "), ack));
    }
    replace(
      this.capacityNow,
      row && row.capacity
        ? h("p", {}, "Current answer: ", chips(row.capacity), " ", h("span", { class: "age" }, "sent ", h("span", { "data-ago": row.capacity_answered_at }, ago(row.capacity_answered_at)), row.capacity_answered_by ? ` by ${row.capacity_answered_by}` : ""))
        : h("p", { class: "state-waiting" }, "Not answered yet — dispatch is waiting for your numbers."),
    );
    this.updateCapacityForm(state);
    this.updatePatients(state);
    replace(this.events, timeline(state.timeline, { limit: 15, zone: state.incident.time_zone }));
  }

  updatePatients(state) {
    const mine = state.patients ? [...state.patients.values()].filter((p) => p.destination === HOSPITAL.id) : [];
    const inbound = mine
      .filter((p) => p.status === "in_transport")
      .sort((a, b) => (a.eta ? Date.parse(a.eta) : Infinity) - (b.eta ? Date.parse(b.eta) : Infinity) || (a.departed_at || "").localeCompare(b.departed_at || ""));
    const scene = mine.filter((p) => p.status === "on_scene");
    const arrived = mine.filter((p) => p.status === "arrived").sort((a, b) => (b.arrived_at || "").localeCompare(a.arrived_at || ""));
    if (!inbound.length) {
      replace(this.inbound, h("p", { class: "empty empty-small" }, "No patient on the way to you yet."));
    } else {
      replace(
        this.inbound,
        h(
          "table",
          { class: "table inbound-table" },
          h("caption", { class: "visually-hidden" }, "Patients on the way, soonest first"),
          h("thead", {}, h("tr", {}, ["Colour", "Tag", "Unit", "ETA", ""].map((t) => h("th", { scope: "col" }, t)))),
          h(
            "tbody",
            {},
            inbound.map((p) => {
              const button = h("button", { type: "button", class: "btn btn-small" }, "Mark arrived");
              button.addEventListener("click", async () => {
                button.disabled = true;
                try {
                  await api(`incidents/${state.id}/patients/${p.id}/arrive/`, { method: "POST" });
                  Object.assign(p, { status: "arrived", arrived_at: new Date().toISOString() });
                  dropIfSettled(state.id);
                  render();
                } catch (error) {
                  button.disabled = false;
                  flash(state.id, "error", error.message);
                }
              });
              // The ringdown from EMS (age, sex, injuries, vitals) on a line of its own under
              // the patient's row, so the row keeps its width on any screen.
              const details = h(
                "tr",
                { class: "inbound-ringdown", "data-ringdown": p.tag_number },
                h("td", { colspan: 5, class: "ringdown" }, ringdown(p) || h("span", { class: "muted" }, "No ringdown details from EMS yet")),
              );
              return [h(
                "tr",
                { class: `inbound inbound-${p.category}`, "data-patient": p.tag_number },
                h("td", {}, triageTag(p.category)),
                h("th", { scope: "row", class: "mono tag-number" }, p.tag_number),
                h("td", {}, p.transport_unit || "—"),
                h("td", { class: "nowrap" }, p.eta ? [etaCountdown(p.eta), h("span", { class: "age" }, timeOfDay(p.eta, state.incident.time_zone))] : h("span", { class: "muted" }, "no ETA")),
                h("td", {}, button),
              ), details];
            }),
          ),
        ),
      );
    }
    replace(
      this.scene,
      scene.length ? h("p", { class: "small" }, `Assigned to you, still on scene: `, scene.map((p, i) => [i ? ", " : "", triageTag(p.category), ` ${p.tag_number}`])) : null,
    );
    replace(
      this.arrived,
      arrived.length
        ? h(
            "ul",
            { class: "arrived-list" },
            arrived.map((p) => h("li", { "data-patient": p.tag_number }, triageTag(p.category), " ", h("span", { class: "mono" }, p.tag_number), p.walk_in ? h("span", { class: "badge badge-muted" }, "walk-in") : null, " ", p.arrived_at ? age(p.arrived_at) : null)),
          )
        : h("p", { class: "muted" }, "None yet."),
    );
  }
}

// --- page ----------------------------------------------------------------------------------

const render = scheduler(() => {
  renderAlerts();
  const open = [...incidents.values()].sort((a, b) => b.incident.declared_at.localeCompare(a.incident.declared_at));
  if (!open.length) {
    sections.clear();
    replace(
      listEl,
      h(
        "div",
        { class: "empty er-empty" },
        h("h2", {}, "No active incident involves ", HOSPITAL.name),
        h("p", {}, "When dispatch declares an MCI and recommends this hospital, it appears here with a sound and a flashing alert until someone acknowledges it."),
        h("p", { class: "small" }, "Keep this page open. ", soundButton && !alarm.enabled ? "Press anywhere on this page once so the alert can be heard." : ""),
      ),
    );
    return;
  }
  if (listEl.querySelector(".er-empty") || listEl.querySelector("p.muted")) listEl.replaceChildren();
  open.forEach((state, index) => {
    let section = sections.get(state.id);
    if (!section) {
      section = new IncidentSection(state);
      sections.set(state.id, section);
    }
    section.update(state);
    // Move a section only when it is out of place: moving a node drops the focus inside it.
    if (listEl.children[index] !== section.el) listEl.insertBefore(section.el, listEl.children[index] || null);
  });
});

renderSound();
loadStanddowns();
alarm.autoEnable();
loadOpen().catch((error) => replace(listEl, h("div", { class: "alert alert-error", role: "alert" }, `Could not load incidents: ${error.message}`)));
