// How the kiosk grid words its facts: durations, the render settings a kiosk reports, an
// experience's title and an action's name in the panel's language (times: time.js).

import { has, named, t } from "./i18n.js";

/** Seconds as "4:05" or "1:02:03"; never negative. */
export function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const pad = (n) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** What a kiosk renders: "640×360 · 10 fps cap · stereo", or "" before its first report. */
export function renderFacts(render) {
  if (!render || typeof render !== "object") return "";
  const parts = [];
  if (render.width && render.height) parts.push(`${render.width}×${render.height}`);
  if (typeof render.max_fps === "number" && render.max_fps > 0) {
    parts.push(t("kiosks.fps_cap", { fps: Number(render.max_fps.toFixed(1)) }));
  }
  if (render.stereo) parts.push(t("kiosks.stereo"));
  return parts.join(" · ");
}

/** An experience's title in the panel's language (the other language's when it has none). */
export function experienceTitle(experience) {
  return named(experience, "title");
}

/** The name of an action as operators read it ("Pause", "暂停"). */
export function actionName(action) {
  return has(`kiosks.action.${action}`) ? t(`kiosks.action.${action}`) : String(action);
}
