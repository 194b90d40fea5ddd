// How the admin page writes times and roles. Times are in the browser's own zone (an admin
// reads when something happened to them), with the UTC time on hover, the zone server logs
// and the database use.

import { el } from "./dom.js";
import { has, lang, t } from "./i18n.js";

const formats = new Map(); // one formatter a language

function formatter() {
  if (!formats.has(lang())) {
    formats.set(lang(), new Intl.DateTimeFormat(lang() === "zh" ? "zh-CN" : "en-GB", {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
      second: "2-digit", hour12: false }));
  }
  return formats.get(lang());
}

/** The instant of an ISO text; one without a zone is UTC, as the server stores every time. */
export function instant(iso) {
  const text = String(iso);
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(text) || !text.includes("T") ? text : `${text}Z`;
  return new Date(zoned);
}

/** "2026-10-03 06:05:09 UTC" */
export function utcText(date) {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A <time> in the browser's zone with the UTC time as its tooltip; ``empty`` when there is
 * no time (a token never used, a user never signed in). */
export function timeCell(iso, empty = "") {
  if (!iso) return el("span", { class: "muted" }, empty);
  const date = instant(iso);
  if (Number.isNaN(date.getTime())) return el("span", {}, String(iso));
  return el("time", { datetime: date.toISOString(), title: utcText(date) }, formatter().format(date));
}

/** A role's word; ``ingest`` (tokens only) has its own label. */
export function roleName(role) {
  return has(`role.${role}`) ? t(`role.${role}`) : t("admin.role_ingest");
}

/** ISO date-time (UTC) of local midnight starting ``day`` (yyyy-mm-dd from a date input),
 * ``days`` later. */
export function localMidnight(day, days = 0) {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year, month - 1, date + days).toISOString();
}
