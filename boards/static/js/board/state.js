// One incident as a board holds it: the snapshot from /api/v1/incidents/<id>/board/, the
// patients the user may see, the situation updates — and how each timeline event changes
// them.
//
// apply(event) is idempotent (it sets values, never increments), because a snapshot taken
// while events were committing may already reflect an event that then arrives live.
// An event kind this code does not know (new kinds land without this file changing) goes on
// the timeline and asks the page to refresh the snapshot: apply() returns {refresh: true}.

import { CAPACITY_CATEGORIES, CATEGORIES } from "./format.js";

const TIMELINE_LIMIT = 300;

export class IncidentState {
  constructor(snapshot) {
    this.patients = null; // Map id → patient, once loaded (not for officials)
    this.updates = null; // situation updates, once loaded
    this.guidance = null;
    this.timeline = [];
    this.seqs = new Set();
    this.setSnapshot(snapshot);
  }

  get id() {
    return this.incident.id;
  }

  setSnapshot(snapshot) {
    this.incident = snapshot.incident;
    this.access = snapshot.access;
    this.hospitals = snapshot.hospitals;
    this.snapshotCounts = snapshot.counts;
    for (const event of snapshot.events) this.addToTimeline(event);
  }

  setPatients(list) {
    this.patients = new Map(list.map((p) => [p.id, p]));
  }

  addToTimeline(event) {
    if (this.seqs.has(event.seq)) return false;
    this.seqs.add(event.seq);
    this.timeline.push(event);
    this.timeline.sort((a, b) => a.seq - b.seq);
    if (this.timeline.length > TIMELINE_LIMIT) {
      const dropped = this.timeline.splice(0, this.timeline.length - TIMELINE_LIMIT);
      for (const old of dropped) this.seqs.delete(old.seq);
    }
    return true;
  }

  hospital(hospitalId) {
    return this.hospitals.find((h) => h.hospital_id === hospitalId);
  }

  hospitalName(hospitalId) {
    const row = this.hospital(hospitalId);
    return row ? row.name : "";
  }

  // Patient counts: from the patient list when this board has all of it, otherwise from the
  // last snapshot.
  get counts() {
    if (!this.patients || !["read", "act"].includes(this.access)) return this.snapshotCounts;
    const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, 0]));
    const byStatus = { on_scene: 0, in_transport: 0, arrived: 0 };
    let walkIns = 0;
    for (const p of this.patients.values()) {
      byCategory[p.category] = (byCategory[p.category] || 0) + 1;
      byStatus[p.status] = (byStatus[p.status] || 0) + 1;
      if (p.walk_in) walkIns += 1;
    }
    return {
      total: this.patients.size,
      walk_ins: walkIns,
      by_category: byCategory,
      by_status: byStatus,
    };
  }

  // Patients sent to each hospital, by category (from the list when it is complete).
  recomputeSent() {
    if (!this.patients || !["read", "act"].includes(this.access)) return;
    const sent = new Map();
    for (const p of this.patients.values()) {
      if (!p.destination) continue;
      const row = sent.get(p.destination) || Object.fromEntries(CATEGORIES.map((c) => [c, 0]));
      row[p.category] += 1;
      sent.set(p.destination, row);
    }
    for (const h of this.hospitals) {
      h.sent = sent.get(h.hospital_id) || Object.fromEntries(CATEGORIES.map((c) => [c, 0]));
      this.recomputeRemaining(h);
    }
  }

  recomputeRemaining(h) {
    h.remaining = Object.fromEntries(
      CAPACITY_CATEGORIES.map((c) => [
        c,
        h.capacity && h.capacity[c] !== null && h.capacity[c] !== undefined
          ? h.capacity[c] - ((h.sent && h.sent[c]) || 0)
          : null,
      ]),
    );
  }

  patient(id, fallback) {
    if (!this.patients) return null;
    let p = this.patients.get(id);
    if (!p && fallback) {
      p = { ...fallback };
      this.patients.set(id, p);
    }
    return p;
  }

  // Apply one event; returns {refresh} — true when only a new snapshot can show its effect.
  apply(event) {
    const fresh = this.addToTimeline(event);
    const d = event.data;
    if (!fresh) return { refresh: false };
    if (d === undefined) {
      // An official's summary event: no data to apply, the snapshot says what changed.
      return { refresh: true };
    }
    const inc = this.incident;
    switch (event.kind) {
      case "incident.declared":
        return { refresh: false };
      case "incident.updated":
        for (const [field, change] of Object.entries(d.changes || {})) {
          const value = Array.isArray(change) ? change[1] : change;
          if (field.startsWith("estimated_")) inc.estimated[field.slice(10)] = value;
          else inc[field] = value;
        }
        return { refresh: false };
      case "incident.deescalated":
        Object.assign(inc, { status: d.status, deescalated_at: event.at });
        return { refresh: false };
      case "incident.closed":
        Object.assign(inc, { status: d.status, closed_at: event.at, closing_summary: d.summary });
        return { refresh: false };
      case "incident.reopened":
        Object.assign(inc, { status: d.status, closed_at: null });
        return { refresh: false };
      case "hospital.added":
        return { refresh: !this.hospital(d.hospital_id) };
      case "hospital.notified": // its first alert was accepted: the timeline shows it
        return { refresh: false };
      case "hospital.escalated": {
        const h = this.hospital(d.hospital_id);
        if (!h) return { refresh: true };
        h.escalation = { level: d.level, channels: d.channels, at: event.at };
        return { refresh: true }; // the snapshot says when the next step comes
      }
      case "hospital.stood_down":
      case "hospital.standdown_acknowledged": {
        return { refresh: false }; // the ER board's stand-down cards apply them
      }
      case "hospital.removed":
        this.hospitals = this.hospitals.filter((h) => h.hospital_id !== d.hospital_id);
        return { refresh: false };
      case "hospital.acknowledged": {
        const h = this.hospital(d.hospital_id);
        if (!h) return { refresh: true };
        if (!h.acknowledged_at) {
          Object.assign(h, { acknowledged_at: event.at, acknowledged_by: d.by });
        }
        Object.assign(h, { ack_outstanding: false, status: h.capacity ? "answered" : "acknowledged" });
        return { refresh: false };
      }
      case "hospital.capacity": {
        const h = this.hospital(d.hospital_id);
        if (!h) return { refresh: true };
        Object.assign(h, {
          capacity: { ...d.capacity },
          capacity_answered_at: event.at,
          capacity_answered_by: event.actor,
          capacity_outstanding: false,
          capacity_revisions: d.revision,
          status: "answered",
        });
        this.recomputeRemaining(h);
        return { refresh: false };
      }
      case "patient.registered": {
        if (!this.patients) return { refresh: false };
        this.patient(d.patient_id, {
          id: d.patient_id,
          tag_number: d.tag_number,
          category: d.category,
          status: d.status,
          walk_in: d.walk_in,
          destination: d.destination_id,
          destination_name: this.hospitalName(d.destination_id),
          transport_unit: "",
          eta: null,
          departed_at: null,
          arrived_at: d.status === "arrived" ? event.at : null,
          created_at: event.at,
        });
        this.recomputeSent();
        return { refresh: false };
      }
      case "patient.retriaged":
      case "patient.destination":
      case "patient.transported":
      case "patient.arrived": {
        if (!this.patients) return { refresh: false };
        const p = this.patient(d.patient_id, {
          id: d.patient_id,
          tag_number: d.tag_number,
          category: d.category,
          status: "on_scene",
          walk_in: false,
          destination: null,
          destination_name: "",
          transport_unit: "",
          eta: null,
        });
        p.category = d.category;
        if (d.destination_id) {
          p.destination = d.destination_id;
          p.destination_name = d.destination || this.hospitalName(d.destination_id);
        }
        if (event.kind === "patient.transported") {
          Object.assign(p, { status: "in_transport", transport_unit: d.unit, eta: d.eta, departed_at: event.at });
        }
        if (event.kind === "patient.arrived") Object.assign(p, { status: "arrived", arrived_at: event.at });
        this.recomputeSent();
        return { refresh: false };
      }
      case "update.posted":
        if (this.updates && !this.updates.some((u) => u.id === d.update_id)) {
          this.updates.unshift({
            id: d.update_id,
            incident: this.id,
            author: event.actor,
            body: d.body,
            audience: d.audience.map((name, i) => ({ id: d.audience_ids[i], name })),
            posted_at: event.at,
            sent_at: null,
          });
        }
        return { refresh: false };
      case "checklist.started":
      case "checklist.checked":
      case "checklist.unchecked":
      case "role.assigned":
      case "role.relieved":
      case "notification.acknowledged":
      case "hospital.capacity_overdue": // the hospital row already shows "no answer yet"
        return { refresh: false }; // their own cards (checklist.js, roles.js) apply them
      default:
        return { refresh: true }; // a kind added later: the snapshot shows its effect
    }
  }
}
