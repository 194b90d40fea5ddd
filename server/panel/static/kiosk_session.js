// One kiosk's timed visitor sessions: the running one with its time counting down, the queue,
// and (for operators) forms to start, extend and end one over REST.

import { api } from "./api.js";
import { el } from "./dom.js";
import { errorText, t } from "./i18n.js";
import { clock, experienceTitle } from "./kiosk_format.js";

const path = (kioskId, tail = "") => `/kiosks/${encodeURIComponent(kioskId)}/sessions${tail}`;

export class SessionBlock {
  /** ``known``: the block this one replaces (after a language switch), whose sessions it keeps. */
  constructor(kioskId, { canOperate, experiences, toast, log }, known = null) {
    Object.assign(this, { kioskId, canOperate, experiences, toast, log });
    this.sessions = known ? known.sessions : [];
    this.loaded = known ? known.loaded : false;
    this.summary = el("p", { class: "kiosk-session" });
    this.queue = el("ol", { class: "kiosk-queue" });
    this.node = el("div", { class: "session-block" }, this.summary, this.queue,
      canOperate ? this.forms() : null);
    this.draw();
  }

  async load() {
    try {
      const { sessions } = await api("GET", path(this.kioskId));
      this.sessions = sessions;
      this.loaded = true;
    } catch (exc) {
      this.summary.textContent = t("kiosks.sessions_unavailable", { error: errorText(exc) });
      return;
    }
    this.draw();
  }

  running() {
    return this.sessions.find((s) => s.status === "running") || null;
  }

  title(experienceId) {
    const x = this.experiences.find((e) => e.id === experienceId);
    return x ? experienceTitle(x) : experienceId || t("kiosks.session_any");
  }

  draw() {
    const now = this.running();
    const waiting = this.sessions.filter((s) => s.status === "queued");
    if (!this.loaded) this.summary.replaceChildren(t("kiosks.sessions_loading"));
    else if (now) {
      this.countdown = el("strong", { class: "countdown", dataset: { ends: now.ends_at || "" } });
      this.summary.replaceChildren(t("kiosks.session_running", { title: this.title(now.experience_id) }),
        " · ", t("kiosks.left"), " ", this.countdown);
      this.tick();
    } else {
      this.countdown = null;
      this.summary.replaceChildren(t("kiosks.no_session"));
    }
    this.queue.replaceChildren(...waiting.map((s, i) => el("li", {},
      t("kiosks.queued_item", { n: i + 1, title: this.title(s.experience_id), minutes: Math.round(s.duration_s / 60) }))));
    this.queue.hidden = !waiting.length;
    if (this.extendRow) this.extendRow.hidden = !now;
  }

  /** Count the running session down; returns true when its time is up (the caller reloads). */
  tick() {
    if (!this.countdown || !this.countdown.dataset.ends) return false;
    const left = (Date.parse(this.countdown.dataset.ends) - Date.now()) / 1000;
    this.countdown.textContent = clock(left);
    return left <= -2;
  }

  forms() {
    const experience = el("select", { "aria-label": t("kiosks.session_experience") },
      el("option", { value: "" }, t("kiosks.session_any")),
      this.experiences.map((x) => el("option", { value: x.id }, experienceTitle(x))));
    const minutes = el("input", { type: "number", min: "1", max: "240", value: "8", class: "minutes",
      "aria-label": t("kiosks.session_minutes") });
    experience.addEventListener("change", () => {
      const x = this.experiences.find((e) => e.id === experience.value);
      if (x && x.duration_s) minutes.value = String(Math.max(1, Math.round(x.duration_s / 60)));
    });
    const start = el("form", { class: "row start", onsubmit: (event) => {
      event.preventDefault();
      this.post(path(this.kioskId), { duration_s: Math.round(Number(minutes.value) * 60),
        experience_id: experience.value || null }, "kiosks.session_started");
    } }, experience, minutes, el("span", { class: "unit" }, t("kiosks.min")),
    el("button", { class: "small", type: "submit", dataset: { action: "start_session" } }, t("kiosks.start_session")));
    const more = el("input", { type: "number", min: "1", max: "240", value: "5", class: "minutes",
      "aria-label": t("kiosks.extend_minutes") });
    this.extendRow = el("form", { class: "row extend", onsubmit: (event) => {
      event.preventDefault();
      this.post(path(this.kioskId, "/current/extend"), { seconds: Math.round(Number(more.value) * 60) },
        "kiosks.session_extended");
    } }, more, el("span", { class: "unit" }, t("kiosks.min")),
    el("button", { class: "small", type: "submit", dataset: { action: "extend_session" } }, t("kiosks.extend")),
    el("button", { class: "small quiet", type: "button", dataset: { action: "end_session_now" },
      onclick: () => this.post(path(this.kioskId, "/current/end"), undefined, "kiosks.session_ended") },
    t("kiosks.end_now")));
    return el("div", { class: "session-forms" }, this.extendRow,
      el("details", { class: "fold" }, el("summary", {}, t("kiosks.start_or_queue")), start));
  }

  async post(url, body, done) {
    try {
      await api("POST", url, body);
      this.toast(t(done, { kiosk: this.kioskId }));
      this.log(t(done, { kiosk: this.kioskId }));
    } catch (exc) {
      this.toast(errorText(exc), "error");
    }
    await this.load();
  }
}
