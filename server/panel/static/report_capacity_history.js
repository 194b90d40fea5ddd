// Where a zone's capacity comes from and how it changed: "20 (from report r2026…, by olga)"
// and, unfolded, every change newest first. Used by the operators' zone table and by the
// preservation report's capacity table, so both say it in the same words.

import { el } from "./dom.js";
import { t } from "./i18n.js";

function shortRun(id) {
  return id && id.length > 14 ? `${id.slice(0, 13)}…` : id || "";
}

/** What set a capacity, in words: a report run, or by hand. */
export function sourceWords(source) {
  if (source && source.report_run) return t("capacity.from_report", { run: shortRun(source.report_run) });
  return t("capacity.by_hand");
}

/** The note beside a zone's capacity when it is not the venue data's, else null:
 * "from report r2026…, by olga (venue data: 25)". */
export function capacityNote(zone) {
  const override = zone.capacity_override;
  if (!override && zone.capacity_source !== "override") return null;
  const who = override?.set_by ? t("capacity.by", { who: override.set_by }) : "";
  const venue = zone.venue_capacity === null || zone.venue_capacity === undefined
    ? "" : t("capacity.venue_figure", { n: zone.venue_capacity });
  return [sourceWords(override?.source), who, venue].filter(Boolean).join(" · ");
}

function changeText(change) {
  const figure = change.capacity === null || change.capacity === undefined
    ? t("capacity.reverted") : String(change.capacity);
  const before = change.previous === null || change.previous === undefined ? "" : ` ← ${change.previous}`;
  const source = change.capacity === null || change.capacity === undefined ? "" : ` · ${sourceWords(change.source)}`;
  const when = change.at ? new Date(change.at).toLocaleString() : "";
  return `${when} · ${figure}${before}${source} · ${change.changed_by || ""}` +
    (change.reason ? ` — ${change.reason}` : "");
}

/** A folded list of a zone's capacity changes, read from the server when unfolded;
 * ``site`` is the site's id or a function giving it; ``summary`` what shows folded. */
export function historyDetails(site, zoneId, summary = t("capacity.history")) {
  const list = el("ol", { class: "capacity-history" });
  const details = el("details", { class: "capacity-details", dataset: { zone: zoneId } },
    el("summary", {}, summary), list);
  details.addEventListener("toggle", async () => {
    if (!details.open) return;
    list.replaceChildren(el("li", { class: "muted" }, t("common.loading")));
    try {
      const { api } = await import("./api.js"); // loaded when needed: the zone table also runs without a page
      const siteId = typeof site === "function" ? site() : site;
      const body = await api("GET", `/sites/${siteId}/zones/${encodeURIComponent(zoneId)}/capacity/history`);
      const changes = body.changes || body.history || [];
      list.replaceChildren(...(changes.length ? changes.map((c) => el("li", {}, changeText(c)))
        : [el("li", { class: "muted" }, t("capacity.no_history"))]));
    } catch (exc) {
      list.replaceChildren(el("li", { class: "error" }, exc.message));
    }
  });
  return details;
}
