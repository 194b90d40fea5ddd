// The heritage-impact page: draw a proposed work on the site's map (or paste its GeoJSON),
// give its height and working strip, check it against the zones on the server, save it by
// name, reopen saved checks, and run the heritage-impact report on one. Sites are addressed
// as /panel/impact#<site>.

import { api, ApiError } from "./api.js";
import { el, toast } from "./dom.js";
import { errorText, lang, named, onLangChange, t } from "./i18n.js";
import { ImpactMap } from "./impact_map.js";
import { resultView } from "./impact_result.js";
import { SavedChecks } from "./impact_saved.js";
import { startLanguage } from "./language.js";
import { daysAgo } from "./schema_form.js";

const root = document.getElementById("impact");
const canPlan = root.dataset.may.split(" ").includes("plan");
const state = { sites: [], site: null, zones: new Map(), shown: null };
const form = document.getElementById("impact-form");
const geojson = document.getElementById("work-geojson");
const height = document.getElementById("work-height");
const strip = document.getElementById("work-buffer");
const formError = document.getElementById("impact-form-error");
const resultBox = document.getElementById("impact-result");

function fail(exc) {
  toast(errorText(exc), "error");
}

const map = new ImpactMap(document.getElementById("map"), {
  onWork: (geometry) => {
    geojson.value = geometry ? JSON.stringify(geometry) : "";
    showFormError(null);
  },
  onDrawing: (shape) => {
    for (const button of document.querySelectorAll("#draw-tools [data-shape]")) {
      button.setAttribute("aria-pressed", String(button.dataset.shape === shape));
    }
  },
});
const saved = new SavedChecks(document.getElementById("saved-list"), {
  canPlan,
  reopen: (check) => reopen(check),
  report: (check) => askReport(check),
});

function showFormError(message) {
  formError.hidden = !message;
  formError.textContent = message || "";
  geojson.toggleAttribute("aria-invalid", Boolean(message));
}

/** The work as the form holds it, or null (with the reason shown) when it cannot be read. */
function work() {
  let geometry;
  try {
    geometry = JSON.parse(geojson.value);
  } catch {
    showFormError(t(geojson.value.trim() ? "impact.geometry_unreadable" : "impact.geometry_missing"));
    return null;
  }
  const body = { geometry, buffer_m: Number(strip.value || 0) };
  if (height.value.trim() !== "") body.height_m = Number(height.value);
  return body;
}

/** The server's PNG map of the check, as a data: URL (the page's policy allows no blob:). */
async function mapImage(body) {
  const response = await fetch(`/api/v1/sites/${state.site}/impact/map.png`, {
    method: "POST", credentials: "same-origin", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json",
      "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content } });
  if (!response.ok) return null;
  const blob = await response.blob();
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => resolve(null);
    reader.readAsDataURL(blob);
  });
}

async function check(event) {
  event.preventDefault();
  const body = work();
  if (!body) return;
  showFormError(null);
  const button = document.getElementById("impact-check");
  button.disabled = true;
  try {
    const result = await api("POST", `/sites/${state.site}/impact`, body);
    showResult(result, body, { mapSrc: null, savedAs: null });
    map.showFootprint(result.footprint);
    const src = await mapImage(body);
    if (src && state.shown?.result === result) showResult(result, body, { mapSrc: src, savedAs: null });
  } catch (exc) {
    if (exc instanceof ApiError && exc.status === 422) showFormError(errorText(exc));
    else fail(exc);
  } finally {
    button.disabled = false;
  }
}

function showResult(result, body, { mapSrc, savedAs }) {
  state.shown = { result, body, mapSrc, savedAs };
  resultBox.hidden = false;
  resultBox.dataset.approval = String(result.requires_approval);
  resultBox.replaceChildren(...resultView(result, { zones: state.zones, mapSrc,
    title: savedAs ? savedAs.name : null }), canPlan && !savedAs ? saveForm(body) : null);
}

function saveForm(body) {
  const name = el("input", { type: "text", name: "name", maxlength: "200", required: true, id: "check-name" });
  return el("form", { class: "row save-check", onsubmit: async (event) => {
    event.preventDefault();
    if (!name.value.trim()) return name.focus();
    try {
      const check = await api("POST", `/sites/${state.site}/impact-checks`, { ...body, name: name.value.trim() });
      saved.add(check);
      showResult(check.result, body, { mapSrc: state.shown?.mapSrc, savedAs: check });
      toast(t("impact.saved", { name: check.name }));
    } catch (exc) {
      fail(exc);
    }
  } }, el("label", { for: "check-name" }, t("impact.save_name")), name,
  el("button", { type: "submit", class: "save" }, t("impact.save")));
}

function reopen(check) {
  geojson.value = JSON.stringify(check.geometry);
  height.value = check.height_m ?? "";
  strip.value = check.buffer_m ?? 0;
  map.showWork(check.geometry);
  map.showFootprint(check.result.footprint);
  showResult(check.result, { geometry: check.geometry, height_m: check.height_m, buffer_m: check.buffer_m },
    { mapSrc: check.map_url, savedAs: check });
}

/** Ask for the report's window, then run the heritage-impact report on a saved check. */
function askReport(check) {
  const start = el("input", { type: "date", name: "start", value: daysAgo(7), required: true });
  const end = el("input", { type: "date", name: "end", value: daysAgo(1), required: true });
  const problem = el("p", { class: "field-error", role: "alert", hidden: true });
  const dialog = el("dialog", { class: "confirm", "aria-labelledby": "report-title" },
    el("form", { onsubmit: async (event) => {
      event.preventDefault();
      if (end.value < start.value) {
        problem.textContent = t("reports.window_empty");
        problem.hidden = false;
        return;
      }
      try {
        const run = await api("POST", "/reports", { notebook: "heritage_impact", parameters: {
          site_id: state.site, start: start.value, end: end.value, language: lang(),
          work_geojson: JSON.stringify(check.geometry), height_m: check.height_m ?? 0,
          buffer_m: check.buffer_m ?? 0 } });
        dialog.close();
        toast(t("impact.report_started", { name: check.name }));
        showReportLink(check, run);
      } catch (exc) {
        problem.textContent = errorText(exc);
        problem.hidden = false;
      }
    } },
    el("h3", { id: "report-title" }, t("impact.report_title", { name: check.name })),
    el("label", {}, el("span", {}, t("reports.param.start")), start),
    el("label", {}, el("span", {}, t("reports.param.end")), end), problem,
    el("div", { class: "row" }, el("button", { type: "submit", class: "confirm-report" }, t("impact.run_report")),
      el("button", { type: "button", class: "quiet", onclick: () => dialog.close() }, t("common.cancel")))));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

function showReportLink(check, run) {
  const item = document.querySelector(`#saved-list li[data-check="${CSS.escape(check.id)}"]`);
  if (!item) return;
  item.querySelector(".report-link")?.remove();
  item.append(el("a", { class: "report-link", href: `/panel/reports#run=${run.id}` }, t("impact.open_report", { run: run.id })));
}

function drawSiteNav() {
  document.querySelectorAll("#site-list button").forEach((b) => {
    b.textContent = named(state.sites.find((s) => s.id === b.dataset.site));
    b.setAttribute("aria-pressed", String(b.dataset.site === state.site));
  });
}

async function loadSite(siteId) {
  state.site = siteId;
  drawSiteNav();
  map.clear();
  resultBox.hidden = true;
  const [collection, { checks }] = await Promise.all([api("GET", `/sites/${siteId}/zones`),
    api("GET", `/sites/${siteId}/impact-checks?limit=50`)]);
  if (state.site !== siteId) return;
  state.zones = new Map(collection.features.map((f) => [f.properties.id, f.properties]));
  map.showZones(collection);
  saved.show(checks);
  root.dataset.site = siteId;
}

function relabel() {
  drawSiteNav();
  map.language();
  saved.render();
  if (state.shown) showResult(state.shown.result, state.shown.body, state.shown);
}

async function start() {
  await startLanguage(["venue", "reports", "impact"]);
  onLangChange(relabel);
  document.getElementById("impact-readonly").hidden = canPlan;
  for (const part of [document.getElementById("draw-tools"), document.getElementById("impact-check")]) part.hidden = !canPlan;
  geojson.readOnly = height.readOnly = strip.readOnly = !canPlan;
  for (const button of document.querySelectorAll("#draw-tools [data-shape]")) {
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => map.draw(button.dataset.shape));
  }
  document.getElementById("draw-clear").addEventListener("click", () => map.clear());
  geojson.addEventListener("change", () => {
    try {
      map.showWork(JSON.parse(geojson.value));
      showFormError(null);
    } catch {
      showFormError(t("impact.geometry_unreadable"));
    }
  });
  form.addEventListener("submit", check);
  const { sites } = await api("GET", "/sites");
  state.sites = sites;
  document.getElementById("site-list").replaceChildren(...sites.map((site) => el("button", {
    type: "button", class: "site", dataset: { site: site.id }, "aria-pressed": "false",
    onclick: () => { location.hash = site.id; } }, named(site))));
  const pick = () => {
    const wanted = location.hash.slice(1);
    const site = sites.find((s) => s.id === wanted) || sites.find((s) => s.id === "mogao") || sites[0];
    if (site) loadSite(site.id).catch(fail);
  };
  window.addEventListener("hashchange", pick);
  pick();
}

start().catch(fail);
