// Words, colours and times as every board shows them. Colour is never the only signal: each
// triage chip carries its letter and the word is available to screen readers.

import { now } from "./config.js";

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

export function timeOfDay(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  // The 24-hour clock emergency services work by.
  return at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
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
