// A form generated from a report notebook's JSON Schema: the right control for each
// parameter's type and format, its limits, and the server's complaints beside the field they
// name. The schema is the one the server validates against, so the form asks for nothing the
// server would not take and leaves the last word to the server.
//
//   const form = new SchemaForm(formElement, schema, { sites, savedChecks, onSubmit });
//   form.values()                 -> {"site_id": "mogao", "start": "2026-11-24", ...}
//   form.showErrors(details)      -> each {"field", "message"} under its field

import { el } from "./dom.js";
import { has, lang, named, t } from "./i18n.js";

const GEOJSON = "application/geo+json";
// The order a planner fills a report's form in: where, when, what; then the rest as given.
const ORDER = ["site_id", "start", "end", "work_geojson", "height_m", "buffer_m", "language"];

function ordered(properties) {
  const rank = (name) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  return Object.entries(properties).sort(([a], [b]) => rank(a) - rank(b));
}

/** The label of a parameter in the panel's language: its own label, else the schema's words. */
function labelOf(name, spec) {
  return has(`reports.param.${name}`) ? t(`reports.param.${name}`) : spec.description || name;
}

/** An ISO day ``days`` before today in the browser's calendar. */
export function daysAgo(days) {
  const when = new Date();
  when.setDate(when.getDate() - days);
  const pad = (n) => String(n).padStart(2, "0");
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
}

export class SchemaForm {
  /** ``sites``: [{id, name_en, name_zh}] for the site picker; ``savedChecks(siteId)``: a
   * promise of saved impact checks for a GeoJSON field; ``onSubmit(values)`` on Run. */
  constructor(form, schema, { sites = [], savedChecks = null, canRun = true, onSubmit, initial = {} }) {
    this.form = form;
    this.schema = schema;
    this.sites = sites;
    this.savedChecks = savedChecks;
    this.fields = new Map();
    this.form.replaceChildren();
    this.formError = el("p", { class: "field-error", role: "alert", hidden: true });
    for (const [name, spec] of ordered(schema.properties || {})) {
      const field = this.field(name, spec, initial[name]);
      this.fields.set(name, field);
      this.form.append(field.box);
    }
    this.submit = el("button", { type: "submit", id: "report-run", disabled: !canRun }, t("reports.run"));
    this.form.append(this.formError, el("div", { class: "row actions-row" }, this.submit));
    this.form.onsubmit = (event) => {
      event.preventDefault();
      if (this.check()) onSubmit(this.values());
    };
  }

  required(name) {
    return (this.schema.required || []).includes(name);
  }

  /** One parameter: its label, control, help and error line. */
  field(name, spec, initial) {
    const id = `param-${name}`;
    const error = el("p", { class: "field-error", id: `${id}-error`, role: "alert", hidden: true });
    const control = this.control(name, spec, id);
    control.setAttribute("aria-describedby", `${id}-error`);
    if (this.required(name)) {
      control.required = true;
      control.setAttribute("aria-required", "true");
    }
    const value = initial ?? this.defaultOf(name, spec);
    if (value !== undefined && value !== null) this.set(control, spec, value);
    const extra = spec.contentMediaType === GEOJSON ? this.checkPicker(name) : null;
    const box = el("div", { class: `field field-${name}`, dataset: { field: name } },
      el("label", { for: id }, labelOf(name, spec), this.required(name) ? el("span", { class: "req", "aria-hidden": "true" }, " *") : null),
      control, extra, error);
    return { box, control, error, spec };
  }

  /** The control that fits a parameter's type and format. */
  control(name, spec, id) {
    if (name === "site_id") {
      return el("select", { id, name }, this.sites.map((s) => el("option", { value: s.id }, named(s))));
    }
    if (Array.isArray(spec.enum)) {
      return el("select", { id, name }, spec.enum.map((v) => el("option", { value: String(v) },
        has(`reports.enum.${name}.${v}`) ? t(`reports.enum.${name}.${v}`) : String(v))));
    }
    if (spec.type === "number" || spec.type === "integer") {
      return el("input", { id, name, type: "number", min: spec.minimum, max: spec.maximum,
        step: spec.type === "integer" ? "1" : "any", inputmode: "decimal" });
    }
    if (spec.type === "boolean") return el("input", { id, name, type: "checkbox" });
    if (spec.format === "date") return el("input", { id, name, type: "date" });
    if (spec.contentMediaType === GEOJSON) {
      return el("textarea", { id, name, rows: "3", spellcheck: "false", class: "geojson" });
    }
    return el("input", { id, name, type: "text", maxlength: spec.maxLength, autocomplete: "off" });
  }

  /** What a field starts with: the last week up to yesterday for a report's window, the
   * panel's language for the report's, the schema's default otherwise. */
  defaultOf(name, spec) {
    if (spec.format === "date" && name === "start") return daysAgo(7);
    if (spec.format === "date" && name === "end") return daysAgo(1);
    if (name === "language" && (spec.enum || []).includes(lang())) return lang();
    return spec.default;
  }

  set(control, spec, value) {
    if (spec.type === "boolean") control.checked = Boolean(value);
    else control.value = String(value);
  }

  /** A select of the site's saved impact checks that fills the GeoJSON, height and strip,
   * and a link to draw a new one. */
  checkPicker(name) {
    if (!this.savedChecks) return null;
    const pick = el("select", { class: "check-pick", "aria-label": t("reports.pick_check") },
      el("option", { value: "" }, t("reports.pick_check")));
    const load = async () => {
      const site = this.fields.get("site_id")?.control.value;
      const checks = site ? await this.savedChecks(site).catch(() => []) : [];
      this.checks = new Map(checks.map((c) => [c.id, c]));
      pick.replaceChildren(el("option", { value: "" }, t(checks.length ? "reports.pick_check" : "reports.no_checks")),
        ...checks.map((c) => el("option", { value: c.id }, c.name)));
    };
    pick.addEventListener("focus", load, { once: true });
    pick.addEventListener("change", () => this.fillFromCheck(name, this.checks?.get(pick.value)));
    queueMicrotask(() => this.fields.get("site_id")?.control.addEventListener("change", load));
    load();
    return el("div", { class: "row check-row" }, pick,
      el("a", { href: "/panel/impact" }, t("reports.draw_check")));
  }

  fillFromCheck(name, check) {
    if (!check) return;
    this.fields.get(name).control.value = JSON.stringify(check.geometry);
    for (const key of ["height_m", "buffer_m"]) {
      const field = this.fields.get(key);
      if (field && check[key] !== null && check[key] !== undefined) field.control.value = String(check[key]);
    }
  }

  /** Preset the fields from ``values`` (for Run again, or a saved check). */
  fill(values) {
    for (const [name, value] of Object.entries(values || {})) {
      const field = this.fields.get(name);
      if (field && value !== null && value !== undefined) this.set(field.control, field.spec, value);
    }
  }

  /** The parameters as JSON values; empty optional fields are left out (the default holds). */
  values() {
    const out = {};
    for (const [name, { control, spec }] of this.fields) {
      if (spec.type === "boolean") {
        out[name] = control.checked;
        continue;
      }
      const text = control.value.trim();
      if (text === "") continue;
      out[name] = spec.type === "number" || spec.type === "integer" ? Number(text) : text;
    }
    return out;
  }

  /** What the browser can tell before the server does: required fields, limits, a window
   * that ends before it starts. */
  check() {
    this.clearErrors();
    const problems = [];
    for (const [name, { control, spec }] of this.fields) {
      if (control.required && spec.type !== "boolean" && !control.value.trim()) {
        problems.push({ field: name, message: t("reports.required") });
      } else if (control.validity && !control.validity.valid) {
        problems.push({ field: name, message: control.validationMessage });
      }
    }
    const start = this.fields.get("start")?.control.value;
    const end = this.fields.get("end")?.control.value;
    if (start && end && end < start) problems.push({ field: "end", message: t("reports.window_empty") });
    this.showErrors(problems);
    return problems.length === 0;
  }

  clearErrors() {
    for (const { error, control } of this.fields.values()) {
      error.hidden = true;
      error.textContent = "";
      control.removeAttribute("aria-invalid");
    }
    this.formError.hidden = true;
  }

  /** The server's (or the browser's) problems, each beside the field it names
   * ("parameters.end" or "end"); one naming no field goes under the form. */
  showErrors(details) {
    const loose = [];
    let first = null;
    for (const { field, message } of details || []) {
      const name = String(field || "").replace(/^parameters\.?/, "");
      const target = this.fields.get(name);
      if (!target) {
        loose.push(message);
        continue;
      }
      target.error.textContent = target.error.textContent ? `${target.error.textContent}; ${message}` : message;
      target.error.hidden = false;
      target.control.setAttribute("aria-invalid", "true");
      first = first || target.control;
    }
    if (loose.length) {
      this.formError.textContent = loose.join("; ");
      this.formError.hidden = false;
    }
    if (first) first.focus();
  }

  busy(on) {
    this.submit.disabled = on;
    this.submit.textContent = t(on ? "reports.submitting" : "reports.run");
  }
}
