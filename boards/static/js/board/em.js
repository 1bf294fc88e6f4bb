// The emergency manager's board: the region's open incidents with their counts; compose an
// update to officials from distribution lists, with the recipients it will reach per channel
// (previewed by the notifications API) and a live delivery progress bar once sent; and the
// history of updates with their delivery.

import { api, ApiError, clearErrors, fetchAll, showErrors } from "./api.js";
import { debouncedRefresher, pageUrl } from "./board.js";
import { countsBlock, declaredClock, exerciseTag, progressBar, since, statusBadge } from "./components.js";
import { $, h, replace, scheduler } from "./dom.js";
import { plural, timeOfDay } from "./format.js";
import { followOpenIncidents } from "./open_incidents.js";

const progress = new Map(); // notification id → progress (envelope or API counts)
const byUpdate = new Map(); // situation update id → notification id
let lists = [];
let sending = null; // {update, notification} just sent from this page

const overviewEl = $("#em-overview");
const form = $("#update-form");
const incidentSelect = $("#update-incident");
const listsEl = $("#update-lists");
const previewEl = $("#update-preview");
const bodyInput = $("#update-body");
const progressEl = $("#update-progress");
const historyEl = $("#update-history");

const render = scheduler(() => {
  renderOverview();
  renderIncidentChoices();
  renderProgress();
  renderHistory();
});

// --- loading -------------------------------------------------------------------------------

async function notificationsOf(incidentId) {
  try {
    const page = await api(`notifications/?incident=${incidentId}&kind=update.posted`);
    for (const n of page.results) {
      if (n.situation_update) byUpdate.set(n.situation_update, n.id);
      if (!progress.has(n.id) || Date.parse(progress.get(n.id).at || 0) < Date.parse(n.created_at)) {
        progress.set(n.id, { notification: n.id, total: n.total, counts: n.counts, acknowledged: n.acknowledged, summary: n.summary, at: n.created_at });
      }
    }
  } catch {
    /* without the notifications API the history shows the updates without delivery */
  }
}

async function start() {
  await loadOpen();
  lists = await fetchAll("distribution-lists/?page_size=100").catch(() => []);
  renderLists();
  render();
}

const notificationsLater = debouncedRefresher(async (id) => {
  await notificationsOf(id);
  render();
}, 300);

const { incidents, loadOpen, refresh } = followOpenIncidents({
  name: "em",
  render,
  loadOptions: { patients: true, updates: true },
  loaded: (id) => notificationsOf(id),
  applied(event, state, change) {
    if (change.refresh) refresh(event.incident);
    if (event.kind === "update.posted") notificationsLater(event.incident);
  },
  reconnected: () => loadOpen(),
  onEnvelope(envelope) {
    if (envelope.type !== "progress") return;
    progress.set(envelope.notification, envelope);
    render();
  },
});

// --- overview ------------------------------------------------------------------------------

function renderOverview() {
  const states = [...incidents.values()].sort((a, b) => b.incident.declared_at.localeCompare(a.incident.declared_at));
  if (!states.length) {
    replace(overviewEl, h("div", { class: "empty" }, h("h3", {}, "No open incident in your region"), h("p", {}, "Incidents appear here the moment dispatch declares them.")));
    return;
  }
  replace(
    overviewEl,
    h(
      "div",
      { class: "overview-grid" },
      states.map((state) => {
        const inc = state.incident;
        const c = state.counts;
        const acked = state.hospitals.filter((x) => x.acknowledged_at).length;
        const answered = state.hospitals.filter((x) => x.capacity).length;
        return h(
          "article",
          { class: "card overview-card", "data-incident": inc.id },
          h("p", { class: "incident-card__head" }, statusBadge(inc.status), exerciseTag(inc), h("span", { class: "incident-card__number" }, inc.number), h("span", { class: "small" }, `declared ${declaredClock(inc)}`), since(inc.declared_at)),
          h("h3", {}, h("a", { href: pageUrl("incident", inc.id) }, inc.title)),
          countsBlock(c.by_category),
          h("p", { class: "small" }, `${plural(c.total, "patient")} · ${c.by_status.on_scene || 0} on scene · ${c.by_status.in_transport || 0} in transport · ${c.by_status.arrived || 0} arrived`),
          h("p", { class: "small" }, `Hospitals: ${acked}/${state.hospitals.length} acknowledged · ${answered}/${state.hospitals.length} gave capacity`),
        );
      }),
    ),
  );
}

// --- composing -----------------------------------------------------------------------------

function renderIncidentChoices() {
  const current = incidentSelect.value;
  const states = [...incidents.values()];
  const key = states.map((s) => `${s.id}:${s.incident.title}:${s.incident.status}`).join("|");
  if (incidentSelect.dataset.key === key) return;
  incidentSelect.dataset.key = key;
  replace(
    incidentSelect,
    states.length ? null : h("option", { value: "" }, "No open incident"),
    states.map((s) => h("option", { value: s.id }, `${s.incident.number} · ${s.incident.title}${s.incident.is_exercise ? " (EXERCISE)" : ""}`)),
  );
  if ([...incidentSelect.options].some((o) => o.value === current)) incidentSelect.value = current;
  form.querySelector("#update-send").disabled = !states.length;
  previewLater();
}

function renderLists() {
  if (!lists.length) {
    replace(listsEl, h("p", { class: "muted" }, "No distribution list yet. Emergency managers keep them under “Distribution lists”."));
    return;
  }
  replace(
    listsEl,
    h(
      "ul",
      { class: "checkbox-grid" },
      lists.map((l) =>
        h(
          "li",
          {},
          h(
            "label",
            {},
            h("input", { type: "checkbox", name: "audience", value: l.id, onchange: previewLater }),
            h("span", {}, h("strong", {}, l.name), h("span", { class: "small muted" }, ` · ${plural(l.recipient_count, "person", "people")}`)),
          ),
        ),
      ),
    ),
  );
}

function chosenLists() {
  return [...listsEl.querySelectorAll("input[name=audience]:checked")].map((i) => Number(i.value));
}

const CHANNEL_WORDS = { sms: "SMS", voice: "voice call", email: "email", in_app: "in-app" };

async function preview() {
  const audience = chosenLists();
  const incident = Number(incidentSelect.value);
  if (!audience.length || !incident) {
    replace(previewEl, h("p", { class: "muted small" }, "Choose who gets it to see how many people it reaches."));
    return;
  }
  try {
    const p = await api(`incidents/${incident}/updates/preview/`, {
      method: "POST",
      body: { audience, body: bodyInput.value.trim() || "(your update)" },
    });
    const channels = Object.entries(p.by_channel || {}).filter(([, n]) => n);
    replace(
      previewEl,
      h(
        "div",
        { class: "preview-box" },
        h("p", {}, h("strong", {}, `Reaches ${plural(p.recipients, "person", "people")}`), channels.length ? `: ${channels.map(([c, n]) => `${n} by ${CHANNEL_WORDS[c] || c}`).join(", ")}` : ""),
        p.unreachable ? h("p", { class: "state-waiting small" }, `${plural(p.unreachable, "person", "people")} on these lists cannot be reached (no working contact).`) : null,
        bodyInput.value.trim() ? h("p", { class: "small" }, h("span", { class: "muted" }, "As an SMS: "), h("span", { class: "mono sms-preview" }, p.text)) : null,
      ),
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      // No preview endpoint: add up the lists' own counts (people may be on several lists).
      const total = lists.filter((l) => audience.includes(l.id)).reduce((n, l) => n + l.recipient_count, 0);
      replace(previewEl, h("p", {}, `Up to ${plural(total, "person", "people")} (the lists' members; someone on two lists is counted twice).`));
    } else {
      replace(previewEl, h("p", { class: "small muted" }, error.message));
    }
  }
}
let previewTimer = null;
function previewLater() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(preview, 350);
}
bodyInput.addEventListener("input", () => {
  $("#update-count").textContent = String(bodyInput.value.length);
  previewLater();
});
incidentSelect.addEventListener("change", previewLater);

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(form);
  const incident = Number(incidentSelect.value);
  const button = form.querySelector("#update-send");
  button.disabled = true;
  try {
    const update = await api(`incidents/${incident}/updates/`, { method: "POST", body: { body: bodyInput.value, audience: chosenLists() } });
    sending = { update, incident, notification: null };
    bodyInput.value = "";
    $("#update-count").textContent = "0";
    previewLater();
    await notificationsOf(incident);
    sending.notification = byUpdate.get(update.id) || null;
    render();
  } catch (error) {
    showErrors(form, error);
  } finally {
    button.disabled = false;
  }
});

function renderProgress() {
  if (!sending) return replace(progressEl);
  const id = sending.notification || byUpdate.get(sending.update.id);
  const p = id ? progress.get(id) : null;
  replace(
    progressEl,
    h(
      "div",
      { class: "sent-update" },
      h("p", {}, h("strong", {}, "Sent "), timeOfDay(sending.update.posted_at), ` to ${sending.update.audience.map((a) => a.name).join(", ")}`),
      p ? progressBar(p, { label: "Delivery of this update" }) : h("p", { class: "muted small" }, "Waiting for the delivery to start…"),
    ),
  );
}

// --- history -------------------------------------------------------------------------------

function renderHistory() {
  const all = [...incidents.values()].flatMap((s) => (s.updates || []).map((u) => ({ ...u, state: s })));
  all.sort((a, b) => b.posted_at.localeCompare(a.posted_at));
  if (!all.length) {
    replace(historyEl, h("p", { class: "muted" }, "No update sent yet for the open incidents."));
    return;
  }
  replace(
    historyEl,
    h(
      "ol",
      { class: "updates" },
      all.map((u) => {
        const id = byUpdate.get(u.id);
        const p = id ? progress.get(id) : null;
        return h(
          "li",
          { class: "update", "data-update": u.id },
          h("p", { class: "update__meta" }, h("time", { datetime: u.posted_at }, timeOfDay(u.posted_at)), ` · ${u.state.incident.number} · ${u.author || ""} → ${u.audience.map((a) => a.name).join(", ")}`),
          h("p", { class: "update__body" }, u.body),
          p ? progressBar(p, { label: `Delivery of the ${timeOfDay(u.posted_at)} update` }) : null,
        );
      }),
    ),
  );
}

start().catch((error) => replace(overviewEl, h("div", { class: "alert alert-error", role: "alert" }, `Could not load: ${error.message}`)));
