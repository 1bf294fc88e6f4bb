// The API as the boards use it: session cookie + CSRF header, JSON in and out, and DRF's
// errors turned into one readable message (field errors kept for the form that sent them).

import { config } from "./config.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body || {};
  }

  // {field: "message"} for a 400 with field errors.
  get fields() {
    const fields = {};
    for (const [name, value] of Object.entries(this.body)) {
      if (name === "detail" || name === "non_field_errors") continue;
      fields[name] = flatten(value).join(" ");
    }
    return fields;
  }
}

function flatten(value) {
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => flatten(v).map((m) => `${k}: ${m}`));
  }
  return [String(value)];
}

function describe(status, body) {
  if (status === 0) return "The server could not be reached. Check the connection and try again.";
  if (status === 403) return (body && body.detail) || "You are not allowed to do that.";
  if (status === 404) return "Not found — it may have been removed, or is not yours to see.";
  if (status >= 500) return "The server had a problem; try again in a moment.";
  if (body && typeof body === "object") {
    const parts = Object.entries(body).flatMap(([name, value]) =>
      flatten(value).map((m) => (name === "detail" || name === "non_field_errors" ? m : `${name.replaceAll("_", " ")}: ${m}`)),
    );
    if (parts.length) return parts.join(" ");
  }
  return `The request failed (${status}).`;
}

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

// Show field errors next to a form's inputs (by name) and the whole message in its alert.
export function showErrors(form, error) {
  clearErrors(form);
  const alert = form.querySelector("[data-form-alert]");
  const fields = error instanceof ApiError ? error.fields : {};
  for (const [name, message] of Object.entries(fields)) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    const note = document.createElement("p");
    note.className = "errorlist";
    note.dataset.fieldError = name;
    note.id = `${form.id || "form"}-${name}-error`;
    note.textContent = message;
    input.setAttribute("aria-describedby", note.id);
    (input.closest(".field") || input.parentElement).append(note);
  }
  if (alert) {
    alert.textContent = error.message;
    alert.hidden = false;
    alert.focus?.();
  }
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
