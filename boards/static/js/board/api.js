// The API as the boards use it: session cookie + CSRF header, JSON in and out, and DRF's
// errors turned into one readable message (field errors kept for the form that sent them).

import { config } from "./config.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body || {};
  }

  // {field: "message"} for a 400 with field errors (the API's field names).
  get fields() {
    const fields = {};
    for (const [name, value] of Object.entries(this.body)) {
      if (name === "detail" || name === "non_field_errors") continue;
      fields[name] = flatten(value).join(" ");
    }
    return fields;
  }
}

// The words a person reads for the API's field names, where no form on screen labels them.
// Fields whose messages are whole sentences ("Tag 1001 is already registered…") need none.
const FIELD_WORDS = {
  title: "Title",
  kind: "Kind",
  location_text: "Location",
  latitude: "Latitude",
  longitude: "Longitude",
  casualty_population: "Casualties are",
  immediate: "Immediate (red)",
  delayed: "Delayed (yellow)",
  minor: "Minor (green)",
  expectant: "Expectant",
  deceased: "Deceased",
  tag_number: "Tag number",
  category: "Colour",
  unit: "Unit",
  destination: "Destination",
  eta: "ETA",
  hospital: "Hospital",
  summary: "Summary",
  body: "Message",
  audience: "Audience",
  age_group: "Age group",
  sex: "Sex",
  injury_note: "Chief complaint / injuries",
};

// One message in words: "This field may not be blank." under "Title" → "Title may not be
// blank."; a sentence of its own stays as it is; otherwise "Label: message".
export function inWords(label, message) {
  const text = String(message);
  if (!label) return text;
  if (/^this (field|value)\b/i.test(text)) return `${label}${text.replace(/^this (field|value)/i, "")}`;
  if (/\bthis (field|value)\b/i.test(text)) return text.replace(/\bthis (field|value)\b/i, `“${label}”`);
  if (text.toLowerCase().includes(label.toLowerCase())) return text;
  return `${label}: ${text}`;
}

function flatten(value, labelOf = () => null) {
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => (item && typeof item === "object" && !Array.isArray(item) ? flatten(item, labelOf).map((m) => `#${i + 1} ${m}`) : flatten(item, labelOf)));
  }
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => flatten(v, labelOf).map((m) => inWords(labelOf(k) ?? FIELD_WORDS[k] ?? null, m)));
  }
  return [String(value)];
}

// The whole error as one readable text; `labelOf(name)` gives a form's own label for a field.
export function errorText(status, body, labelOf = () => null) {
  if (status === 0) return "The server could not be reached. Check the connection and try again.";
  if (status === 403) return (body && body.detail) || "You are not allowed to do that.";
  if (status === 404) return "Not found — it may have been removed, or is not yours to see.";
  if (status >= 500) return "The server had a problem; try again in a moment.";
  if (body && typeof body === "object") {
    const parts = Object.entries(body).flatMap(([name, value]) =>
      flatten(value, labelOf).map((m) => (name === "detail" || name === "non_field_errors" ? m : inWords(labelOf(name) ?? FIELD_WORDS[name] ?? null, m))),
    );
    if (parts.length) return parts.join(" ");
  }
  return `The request failed (${status}).`;
}

function describe(status, body) {
  return errorText(status, body);
}

// --- errors go away when the user acts again ------------------------------------------------
//
// An error banner answers one action; the next click or submit anywhere on the board
// clears it (before that action's own outcome is shown), so no banner outlives a later success.

const clearers = new Set();

export function clearOnNextAction(clear) {
  clearers.add({ clear, at: performance.now() });
}

function userActed(event) {
  if (event.type === "click" && !event.target.closest?.("button, a, input, select, summary, label, [role=button], [role=radio]")) return;
  for (const entry of [...clearers]) {
    if (entry.at >= event.timeStamp) continue; // raised by this very action
    clearers.delete(entry);
    entry.clear();
  }
}
// Not on "change": a field losing focus on mousedown would move the layout under the button
// being pressed, and the press would miss it.
for (const kind of ["click", "submit"]) document.addEventListener(kind, userActed, true);

function csrfToken() {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : config.csrf || "";
}

export async function api(path, { method = "GET", body } = {}) {
  const url = path.startsWith("/") ? path : `/api/v1/${path}`;
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// Every page of a paginated list (at most `maxPages`).
export async function fetchAll(path, { maxPages = 50 } = {}) {
  const results = [];
  let next = path;
  for (let pages = 0; next && pages < maxPages; pages += 1) {
    const page = await api(next);
    if (Array.isArray(page)) return page;
    results.push(...(page.results || []));
    const url = page.next ? new URL(page.next, location.origin) : null;
    next = url ? url.pathname + url.search : null;
  }
  return results;
}

// The label a form shows for a field: its <label>, a fieldset's legend, or its aria-label.
function formLabel(form, name) {
  const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
  if (!el) return null;
  const source = (el.id && form.querySelector(`label[for="${CSS.escape(el.id)}"]`)) || (el.tagName === "FIELDSET" && el.querySelector("legend"));
  let text = el.getAttribute("aria-label");
  if (source) {
    const copy = source.cloneNode(true); // what a person reads: no "*", no error notes
    for (const hidden of copy.querySelectorAll("[aria-hidden=true], .errorlist, input, select")) hidden.remove();
    text = copy.textContent;
  }
  return text ? text.replace(/\s+/g, " ").trim() : null;
}

// Show field errors next to a form's inputs (by name) and the whole message, in the form's
// own words, in its alert; both go when the user acts again.
export function showErrors(form, error) {
  clearErrors(form);
  const alert = form.querySelector("[data-form-alert]");
  const isApi = error instanceof ApiError;
  const labelOf = (name) => formLabel(form, name);
  for (const [name, message] of Object.entries(isApi ? error.fields : {})) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    const note = document.createElement("p");
    note.className = "errorlist";
    note.dataset.fieldError = name;
    note.id = `${form.id || "form"}-${name}-error`;
    note.textContent = inWords(labelOf(name), message);
    input.setAttribute("aria-describedby", note.id);
    (input.closest(".field, fieldset") || input.parentElement).append(note);
  }
  if (alert) {
    alert.textContent = isApi ? errorText(error.status, error.body, labelOf) : error.message;
    alert.hidden = false;
    alert.focus?.();
  }
  clearOnNextAction(() => clearErrors(form));
}

export function clearErrors(form) {
  for (const note of form.querySelectorAll("[data-field-error]")) note.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
  const alert = form.querySelector("[data-form-alert]");
  if (alert) {
    alert.hidden = true;
    alert.textContent = "";
  }
}
