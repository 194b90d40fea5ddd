// The reports page: pick a notebook, fill the form generated from its parameters' schema,
// run it, follow it live (report_progress on /control), read the HTML in the page, and go
// back through the history. A run is addressed as /panel/reports#run=<id>.

import { api } from "./api.js";
import { toast } from "./dom.js";
import { errorText, has, onLangChange, t } from "./i18n.js";
import { startLanguage } from "./language.js";
import { Live } from "./live.js";
import { CapacityTable } from "./report_capacity.js";
import { notebookTitle, RunHistory } from "./report_history.js";
import { RunView } from "./report_run.js";
import { SchemaForm } from "./schema_form.js";

const root = document.getElementById("reports");
const may = root.dataset.may.split(" ");
const canRun = may.includes("plan");
const state = { notebooks: [], sites: [], form: null, known: new Map() };

function fail(exc) {
  toast(errorText(exc), "error");
}

const view = new RunView(document.getElementById("report-view"), {
  canRun,
  runAgain: (run) => submit(run.notebook, run.parameters),
  extra: (run, box) => {
    if (run.notebook === "preservation_report") {
      new CapacityTable(box, run, { canOperate: may.includes("operate") }).show().catch(fail);
    }
  },
});
const history = new RunHistory(document.getElementById("run-rows"), {
  canRun,
  open: (id) => { location.hash = `run=${id}`; },
  runAgain: (run) => submit(run.notebook, run.parameters),
});

function notebookOf(name) {
  return state.notebooks.find((n) => n.name === name);
}

function drawForm(name, initial = {}) {
  const notebook = notebookOf(name);
  if (!notebook) return;
  document.getElementById("notebook").value = name;
  document.getElementById("notebook-description").textContent = has(`reports.about.${name}`)
    ? t(`reports.about.${name}`) : notebook.description;
  state.form = new SchemaForm(document.getElementById("report-form"), notebook.parameters, {
    sites: state.sites, canRun, initial,
    savedChecks: (site) => api("GET", `/sites/${site}/impact-checks?limit=50`).then((b) => b.checks || []),
    onSubmit: (values) => submit(name, values, { fromForm: true }),
  });
}

async function submit(notebook, parameters, { fromForm = false } = {}) {
  if (!fromForm) drawForm(notebook, parameters);
  state.form?.busy(true);
  try {
    const run = await api("POST", "/reports", { notebook, parameters });
    state.known.set(run.id, run.status);
    location.hash = `run=${run.id}`;
    view.show(run);
    history.select(run.id);
    await loadHistory();
  } catch (exc) {
    if (exc.code === "invalid_parameters" && state.form) state.form.showErrors(exc.details || []);
    else fail(exc);
  } finally {
    state.form?.busy(false);
  }
}

async function loadHistory() {
  const { runs } = await api("GET", "/reports?limit=50");
  for (const run of runs) state.known.set(run.id, run.status);
  history.show(runs);
}

async function openRun(id) {
  if (!id) return;
  const run = await api("GET", `/reports/${encodeURIComponent(id)}`);
  view.show(run);
  history.select(run.id);
}

function runFromHash() {
  return new URLSearchParams(location.hash.slice(1)).get("run");
}

/** A run's status changed: the shown run is read again (its results, HTML and notebook), and
 * the history follows; cell progress only moves the bar. */
function progress(event) {
  view.progress(event);
  if (state.known.get(event.run_id) === event.status) return;
  state.known.set(event.run_id, event.status);
  if (event.run_id === view.id && ["succeeded", "failed"].includes(event.status)) openRun(event.run_id).catch(fail);
  loadHistory().catch(fail);
}

function relabel() {
  const picked = document.getElementById("notebook").value;
  fillNotebooks();
  if (picked) drawForm(picked, state.form?.values());
  history.render();
  view.render();
}

function fillNotebooks() {
  const select = document.getElementById("notebook");
  select.replaceChildren(...state.notebooks.map((n) => {
    const option = document.createElement("option");
    option.value = n.name;
    option.textContent = notebookTitle(n.name, n.title);
    return option;
  }));
}

async function start() {
  await startLanguage(["venue", "reports"]);
  onLangChange(relabel);
  document.getElementById("report-readonly").hidden = canRun;
  const [{ notebooks }, { sites }] = await Promise.all([api("GET", "/reports/notebooks"), api("GET", "/sites")]);
  state.notebooks = notebooks;
  state.sites = sites;
  fillNotebooks();
  const select = document.getElementById("notebook");
  select.addEventListener("change", () => drawForm(select.value));
  const wanted = new URLSearchParams(location.hash.slice(1)).get("notebook");
  drawForm(notebookOf(wanted) ? wanted : (notebookOf("visitor_report") || notebooks[0])?.name);
  new Live({ reconnected: () => { loadHistory().catch(fail); openRun(view.id).catch(fail); },
    report_progress: progress });
  window.addEventListener("hashchange", () => openRun(runFromHash()).catch(fail));
  await Promise.all([loadHistory(), openRun(runFromHash())]);
  root.dataset.ready = "true";
}

start().catch(fail);
