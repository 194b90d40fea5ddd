// Times as operators read them: in the site's own timezone (an operator may sit elsewhere),
// in the panel's language, and "3 min ago" for recent events.

import { lang } from "./i18n.js";

const STYLES = {
  seconds: { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false },
  minutes: { hour: "2-digit", minute: "2-digit", hour12: false },
  stamp: { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false },
  day: { weekday: "short", year: "numeric", month: "short", day: "numeric" },
};
const formats = new Map(); // Intl formatters are costly to build: one per language, zone, style

function locale() {
  return lang() === "zh" ? "zh-CN" : "en-GB";
}

function formatter(timeZone, style) {
  const key = `${lang()}|${timeZone}|${style}`;
  if (!formats.has(key)) {
    let made;
    try {
      made = new Intl.DateTimeFormat(locale(), { ...STYLES[style], timeZone: timeZone || undefined });
    } catch {
      made = new Intl.DateTimeFormat(locale(), STYLES[style]); // unknown zone: the browser's
    }
    formats.set(key, made);
  }
  return formats.get(key);
}

/** ``when`` (ISO text, Date or epoch ms) in the site's timezone: style "seconds" (14:05:09),
 * "minutes" (14:05), "stamp" (3 Dec 14:05) or "day" (Wed, 3 Dec 2026). */
export function siteTime(when, timeZone, style = "seconds") {
  if (when === null || when === undefined || when === "") return "";
  const date = when instanceof Date ? when : new Date(when);
  return Number.isNaN(date.getTime()) ? String(when) : formatter(timeZone, style).format(date);
}

/** "3 min ago" / "3分钟前" from ``now`` (epoch ms); "" for an unreadable time. */
export function relativeTime(when, now = Date.now()) {
  const ms = new Date(when).getTime();
  if (Number.isNaN(ms)) return "";
  const seconds = Math.round((ms - now) / 1000);
  const words = new Intl.RelativeTimeFormat(locale(), { numeric: "auto", style: "short" });
  for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
    if (Math.abs(seconds) >= size) return words.format(Math.round(seconds / size), unit);
  }
  return words.format(Math.abs(seconds) < 10 ? 0 : seconds, "second");
}

/** The instant as epoch seconds (the charts' x values). */
export function epochSeconds(when) {
  return new Date(when).getTime() / 1000;
}
