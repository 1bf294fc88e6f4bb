// ICS / ASIM roles on the incident as an org chart: unified command at the top, then the
// branches (law enforcement; fire / EMS with rescue task forces and the casualty collection
// point; the medical branch with triage, treatment, transport and the hospital liaison),
// staging, and the command staff (PIO, reunification, EM liaison). Each role shows who holds
// it, for which agency, since when.
//
// Dispatch, EMS and EM (config.can_act) assign a role — to a roster member found by search
// when they may read the rosters (config.roster_search), otherwise to a name with an agency —
// hand a held role over (the API's `replaces`), and relieve its holder. Every board follows
// `role.assigned` / `role.relieved` events by fetching the chart again (it is small).

import { api, clearErrors, showErrors } from "./api.js";
import { age } from "./components.js";
import { config } from "./config.js";
import { $, confirmButton, h, replace } from "./dom.js";
import { timeOfDay } from "./format.js";

const BRANCH_ORDER = ["law", "fire_ems", "medical", "command", "support"];
const AGENCIES = config.role_agencies || [];
const AGENCY_IDS = new Set(AGENCIES.map((a) => a.id));

export class RolesCard {
  constructor({ incident, isClosed = () => false }) {
    this.id = incident;
    this.isClosed = isClosed;
    this.chart = null;
    this.failed = false;
    this.notice = null;
    this.editing = null; // {role, label, replaces: holder|null}
    this.form = null; // the open assign form (kept across re-renders: typing survives events)
    this.refetchTimer = null;
  }

  get canAct() {
    return Boolean(config.can_act) && !this.isClosed();
  }

  async load() {
    try {
      this.chart = await api(`incidents/${this.id}/roles/`);
      this.failed = false;
    } catch {
      this.failed = true;
    }
    this.render();
  }

  refetchSoon(wait = 150) {
    clearTimeout(this.refetchTimer);
    this.refetchTimer = setTimeout(() => this.load(), wait);
  }

  onEvent(event) {
    if (!event.kind.startsWith("role.")) return false;
    // A "now holds …" note goes once that role changes again (other than by the change the
    // note is about): it would mislead.
    const n = this.notice;
    const d = event.data;
    if (n && n.role && d && d.role === n.role && !n.own.includes(`${event.kind}:${d.assignment_id}`)) this.notice = null;
    this.refetchSoon();
    return true;
  }

  say(kind, text) {
    this.notice = text ? { kind, text } : null;
    this.render();
  }

  async relieve(holder) {
    try {
      await api(`incidents/${this.id}/roles/${holder.id}/relieve/`, { method: "POST", body: {} });
      this.notice = { kind: "success", text: `${holder.name} relieved as ${holder.role_label}.`, role: holder.role, own: [`role.relieved:${holder.id}`] };
    } catch (error) {
      this.notice = { kind: "error", text: error.message };
    }
    await this.load();
  }

  open(role, label, replaces = null) {
    this.editing = { role, label, replaces };
    this.form = this.buildForm();
    this.notice = null;
    this.render();
    const first = this.form.querySelector("input:not([type=hidden])");
    if (first) first.focus();
  }

  close() {
    this.editing = null;
    this.form = null;
    this.render();
  }

  // --- the assign / hand-over form ------------------------------------------------------------

  buildForm() {
    const { role, label, replaces } = this.editing;
    const formId = `assign-${role}`;
    const member = h("input", { type: "hidden", name: "member", value: "" });
    const chosen = h("div", { class: "member-chosen", hidden: true });
    const results = h("ul", { class: "member-results", "aria-label": "Search results", "aria-live": "polite" });
    const name = h("input", { type: "text", id: `${formId}-name`, name: "name", maxlength: 160, autocomplete: "off" });
    const agency = h("input", { type: "text", id: `${formId}-agency`, name: "agency_name", maxlength: 160, list: "role-agencies", autocomplete: "off" });
    const note = h("input", { type: "text", id: `${formId}-note`, name: "note", maxlength: 120, placeholder: role === "rescue_task_force" ? "e.g. RTF 2, north entrance" : "optional" });
    const byName = h(
      "div",
      { class: "assign-by-name" },
      h("div", { class: "field" }, h("label", { for: name.id }, config.roster_search ? "…or a name" : "Name"), name),
      h("div", { class: "field" }, h("label", { for: agency.id }, "Agency"), agency),
    );
    const pick = (m) => {
      member.value = String(m.id);
      replace(chosen, h("strong", {}, m.full_name), ` · ${m.agency_name}`, m.title ? h("span", { class: "small muted" }, ` · ${m.title}`) : null, " ", h("button", { type: "button", class: "btn btn-quiet btn-small", onclick: unpick }, "Change"));
      chosen.hidden = false;
      search.hidden = true;
      searchLabel.hidden = true;
      byName.hidden = true;
      replace(results);
    };
    const unpick = () => {
      member.value = "";
      chosen.hidden = true;
      search.hidden = false;
      searchLabel.hidden = false;
      byName.hidden = false;
      search.focus();
    };
    const search = h("input", { type: "search", id: `${formId}-search`, name: "member_search", autocomplete: "off", placeholder: "Type a name" });
    const searchLabel = h("label", { for: search.id }, "Roster member");
    let timer = null;
    let asked = "";
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = search.value.trim();
        asked = q;
        if (q.length < 2) {
          replace(results);
          return;
        }
        try {
          const page = await api(`members/?search=${encodeURIComponent(q)}&active=true&page_size=20`);
          if (asked !== q) return; // a later search is on its way
          const found = (Array.isArray(page) ? page : page.results || []).filter((m) => !AGENCY_IDS.size || AGENCY_IDS.has(m.agency)).slice(0, 8);
          replace(
            results,
            found.length
              ? found.map((m) => h("li", {}, h("button", { type: "button", class: "member-result", "data-member": m.id, onclick: () => pick(m) }, h("strong", {}, m.full_name), ` · ${m.agency_name}`, m.title ? h("span", { class: "small muted" }, ` · ${m.title}`) : null)))
              : h("li", { class: "small muted" }, "Nobody on the rosters by that name: give the name and agency below."),
          );
        } catch (error) {
          replace(results, h("li", { class: "small muted" }, error.message));
        }
      }, 250);
    });
    const alert = h("div", { class: "alert alert-error", role: "alert", "data-form-alert": true, tabindex: -1, hidden: true });
    const form = h(
      "form",
      { class: "assign-form", id: formId, "aria-label": replaces ? `Hand over ${label}` : `Assign ${label}` },
      h("p", { class: "assign-form__title" }, replaces ? `Hand ${label} over from ${replaces.name} to:` : `Assign ${label} to:`),
      alert,
      h("input", { type: "hidden", name: "role", value: role }),
      h("input", { type: "hidden", name: "replaces", value: replaces ? replaces.id : "" }),
      member,
      config.roster_search ? h("div", { class: "field assign-search" }, searchLabel, search, results, chosen) : null,
      byName,
      h("div", { class: "field" }, h("label", { for: note.id }, "Note"), note),
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "submit", class: "btn btn-small btn-primary" }, replaces ? "Hand over" : "Assign"),
        h("button", { type: "button", class: "btn btn-quiet btn-small", onclick: () => this.close() }, "Cancel"),
      ),
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = { role, note: note.value.trim() };
      if (replaces) body.replaces = replaces.id;
      if (member.value) body.member = Number(member.value);
      else {
        body.name = name.value.trim();
        const typed = agency.value.trim();
        const known = AGENCIES.find((a) => a.name.toLowerCase() === typed.toLowerCase());
        if (known) body.agency = known.id;
        else body.agency_name = typed;
      }
      const submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      try {
        const made = await api(`incidents/${this.id}/roles/`, { method: "POST", body });
        this.editing = null;
        this.form = null;
        this.notice = { kind: "success", text: `${made.name} (${made.agency}) now holds ${made.role_label}.`, role, own: [`role.assigned:${made.id}`, replaces ? `role.relieved:${replaces.id}` : ""] };
        await this.load();
      } catch (error) {
        // An agency chosen from the directory comes back as "agency": show it on the input.
        if (error.body && error.body.agency && !error.body.agency_name) error.body.agency_name = error.body.agency;
        showErrors(form, error);
        submit.disabled = false;
      }
    });
    return form;
  }

  // --- drawing -----------------------------------------------------------------------------

  render() {
    const card = $("#roles-card");
    if (!card) return;
    card.hidden = this.failed || !this.chart;
    if (card.hidden) return;
    const roles = this.chart.roles;
    const filled = roles.filter((r) => r.holders.length).length;
    replace($("#roles-summary"), `${filled} of ${roles.length} roles filled`);
    replace($("#roles-notice"), this.notice ? h("div", { class: `alert alert-${this.notice.kind}`, role: this.notice.kind === "error" ? "alert" : "status" }, this.notice.text) : null);
    // The open form is moved, not rebuilt: what is typed (and the focus) survives.
    const focused = this.form && this.form.contains(document.activeElement) ? document.activeElement : null;
    const groups = Object.fromEntries(this.chart.groups.map((g) => [g.key, g.label]));
    const top = roles.filter((r) => !r.reports_to);
    const rest = roles.filter((r) => r.reports_to);
    const labels = Object.fromEntries(roles.map((r) => [r.role, r.label]));
    const groupOf = Object.fromEntries(roles.map((r) => [r.role, r.group]));
    replace(
      $("#incident-roles"),
      AGENCIES.length ? h("datalist", { id: "role-agencies" }, AGENCIES.map((a) => h("option", { value: a.name }))) : null,
      h(
        "div",
        { class: "org-chart" },
        h("div", { class: "org-top" }, top.map((r) => this.roleBox(r, labels, groupOf, true))),
        h(
          "div",
          { class: "org-branches" },
          BRANCH_ORDER.filter((g) => rest.some((r) => r.group === g)).map((g) =>
            h("section", { class: `org-branch org-branch--${g}`, "aria-label": groups[g] || g }, h("h3", { class: "org-branch__title" }, groups[g] || g), rest.filter((r) => r.group === g).map((r) => this.roleBox(r, labels, groupOf, false))),
          ),
        ),
      ),
      this.history(),
    );
    if (focused && document.contains(focused)) focused.focus();
  }

  roleBox(r, labels, groupOf, top) {
    const held = r.holders.length > 0;
    const editingHere = this.editing && this.editing.role === r.role;
    const canAdd = this.canAct && !editingHere && (!held || r.multiple);
    // Where it reports, unless that is obvious: unified command, or the head of its own column.
    const sub = r.reports_to && labels[r.reports_to] && r.reports_to !== "unified_command" && groupOf[r.reports_to] !== r.group ? h("p", { class: "org-role__reports small muted" }, `reports to ${labels[r.reports_to]}`) : null;
    return h(
      "article",
      { class: `org-role${held ? " is-held" : " is-vacant"}${top ? " org-role--top" : ""}`, "data-role": r.role, "aria-label": r.label },
      h("h4", { class: "org-role__label" }, r.label, r.multiple && held ? h("span", { class: "small muted" }, ` (${r.holders.length})`) : null),
      sub,
      held ? r.holders.map((x) => this.holder(r, x, editingHere)) : h("p", { class: "org-role__vacant" }, "Vacant"),
      canAdd ? h("button", { type: "button", class: "btn btn-small org-role__assign", onclick: () => this.open(r.role, r.label) }, held ? `Add a ${r.label.toLowerCase()}` : "Assign") : null,
      editingHere && this.form ? this.form : null,
    );
  }

  holder(r, x, editingHere) {
    const acting = this.canAct && !editingHere;
    return h(
      "div",
      { class: "org-holder", "data-assignment": x.id },
      h("p", { class: "org-holder__name" }, x.name),
      h("p", { class: "org-holder__agency" }, x.agency),
      h("p", { class: "org-holder__since small" }, "since ", h("time", { datetime: x.assigned_at }, timeOfDay(x.assigned_at)), " ", h("span", { class: "nowrap" }, "· ", age(x.assigned_at))),
      x.note ? h("p", { class: "org-holder__note small" }, x.note) : null,
      acting
        ? h(
            "div",
            { class: "org-holder__actions" },
            h("button", { type: "button", class: "btn btn-small btn-quiet", onclick: () => this.open(r.role, r.label, x) }, "Hand over"),
            confirmButton("Relieve", `Relieve ${x.name}?`, () => this.relieve(x), { key: `relieve-${x.id}` }),
          )
        : null,
    );
  }

  history() {
    const past = this.chart.history || [];
    if (!past.length) return null;
    return h(
      "details",
      { class: "org-history" },
      h("summary", {}, `Earlier holders (${past.length})`),
      h(
        "ol",
        { class: "org-history__list" },
        [...past].reverse().map((x) =>
          h(
            "li",
            { "data-assignment": x.id },
            h("strong", {}, x.role_label), `: ${x.name} (${x.agency}) ${timeOfDay(x.assigned_at)}–${timeOfDay(x.relieved_at)}`,
            x.relieved_by || x.relieved_reason ? h("span", { class: "small muted" }, ` · relieved${x.relieved_by ? ` by ${x.relieved_by}` : ""}${x.relieved_reason ? ` (${x.relieved_reason})` : ""}`) : null,
          ),
        ),
      ),
    );
  }
}
