// Words, colours and times as every board shows them. Colour is never the only signal: each
// triage chip carries its letter and the word is available to screen readers.

import { config, now } from "./config.js";

export const CATEGORIES = ["immediate", "delayed", "minor", "expectant", "deceased"];
export const CAPACITY_CATEGORIES = ["immediate", "delayed", "minor"];

export const CATEGORY = {
  immediate: { word: "Immediate", colour: "Red", letter: "R", cls: "triage-red" },
  delayed: { word: "Delayed", colour: "Yellow", letter: "Y", cls: "triage-yellow" },
  minor: { word: "Minor", colour: "Green", letter: "G", cls: "triage-green" },
  expectant: { word: "Expectant", colour: "Grey", letter: "E", cls: "triage-expectant" },
  deceased: { word: "Deceased", colour: "Black", letter: "D", cls: "triage-deceased" },
};

export const STATUS = {
  active: { word: "Active", cls: "badge-red" },
  deescalated: { word: "De-escalated", cls: "badge-warn" },
  closed: { word: "Closed", cls: "badge-muted" },
};

export const PATIENT_STATUS = {
  on_scene: "On scene",
  in_transport: "In transport",
  arrived: "Arrived",
};

export const KIND = {
  active_shooter: "Active shooter",
  hostile_event: "Hostile event",
  other_mci: "Other MCI",
};

export function categoryLabel(category) {
  const c = CATEGORY[category];
  return c ? `${c.word} (${c.colour.toLowerCase()})` : category;
}

export function secondsSince(iso) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.floor((now() - at) / 1000));
}

// 75 → "1:15"; 3725 → "1:02:05": for running timers.
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

// 14 → "14 s"; 200 → "3 min"; 4000 → "1 h 6 min": for "last update 14 s ago".
export function span(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

export function ago(iso) {
  const seconds = secondsSince(iso);
  return seconds === null ? "" : `${span(seconds)} ago`;
}

// --- one clock ---------------------------------------------------------------------------
// Every time of an incident reads in its region's time zone, whatever the browser's zone: the
// snapshot names it (incident.time_zone), the page's config names the page's own region's.
// Where an incident is at hand, pass its zone; otherwise the page's zone applies.

let pageZone = config.time_zone || undefined;
const formatters = new Map();

// The zone of the first incident a page loads, for a page whose config names none.
export function usePageTimeZone(zone) {
  if (zone && !config.time_zone) pageZone = zone;
}

export function pageTimeZone() {
  return pageZone;
}

function formatter(zone, options, locale = "en-GB") {
  const key = `${locale}|${zone || ""}|${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    } catch {
      format = new Intl.DateTimeFormat(locale, options); // an unknown zone: the browser's
    }
    formatters.set(key, format);
  }
  return format;
}

// "14:05", the 24-hour clock emergency services work by, in the incident's region's zone.
export function timeOfDay(iso, zone = pageZone) {
  const at = new Date(iso);
  if (!iso || Number.isNaN(at.getTime())) return "";
  return formatter(zone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
}

// "2026-03-01 14:05 EST": a full date and time with its zone, for titles and tooltips.
export function dateTime(iso, zone = pageZone) {
  const at = new Date(iso);
  if (!iso || Number.isNaN(at.getTime())) return "";
  const options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  const parts = Object.fromEntries(formatter(zone, options).formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zoneName(iso, zone)}`;
}

// "EST", "CDT" (or "GMT+9" where US English has no abbreviation): shown where a clock could
// be misread.
export function zoneName(iso, zone = pageZone) {
  const at = iso ? new Date(iso) : new Date(now());
  if (Number.isNaN(at.getTime())) return "";
  const part = formatter(zone, { timeZoneName: "short" }, "en-US")
    .formatToParts(at)
    .find((p) => p.type === "timeZoneName");
  return part ? part.value : "";
}

// An ETA as a countdown: "in 7 min", "due now", "2 min overdue".
export function countdown(etaIso) {
  const eta = Date.parse(etaIso);
  if (Number.isNaN(eta)) return { text: "no ETA", overdue: false, seconds: Infinity };
  const seconds = Math.round((eta - now()) / 1000);
  if (seconds > 59) return { text: `in ${Math.floor(seconds / 60)} min`, overdue: false, seconds };
  if (seconds > -60) return { text: "due now", overdue: false, seconds };
  return { text: `${Math.floor(-seconds / 60)} min overdue`, overdue: true, seconds };
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
