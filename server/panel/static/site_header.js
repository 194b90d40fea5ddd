// The site at a glance, above everything else: visitors today against the daily capacity,
// visitors on site now against the instantaneous capacity with the site's level, and the
// site's own day and time (plus the demo's clock when a demo runs).

import { el } from "./dom.js";
import { named, otherName, t } from "./i18n.js";
import { siteTime } from "./time.js";

const number = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : "–");

/** A labelled bar: ``value`` of ``max``; an unknown maximum draws no bar. */
function gauge(label, value, max, level) {
  const ratio = max > 0 ? Math.min(value / max, 1) : 0;
  const fill = el("i", { class: `fill ${level || ""}` });
  fill.style.width = `${(ratio * 100).toFixed(1)}%`;
  return el("div", { class: "gauge", role: "progressbar", "aria-label": label,
    "aria-valuemin": "0", "aria-valuemax": String(max || 0), "aria-valuenow": String(value || 0) },
  fill);
}

export class SiteHeader {
  constructor(root) {
    this.root = root;
    this.site = null;
    this.figures = null;
    this.demo = null;
    this.timer = setInterval(() => this.tick(), 1000);
  }

  /** A new site was picked (the GET /sites entry). */
  show(site, demo) {
    this.site = site;
    this.demo = demo || null;
    this.figures = null;
    this.render();
  }

  /** The ``site`` block of the occupancy answer or event: count, capacity, level, today... */
  update(figures) {
    this.figures = figures;
    this.render();
  }

  render() {
    if (!this.site) return;
    const site = this.site;
    const f = this.figures || {};
    const daily = f.daily_capacity ?? site.daily_capacity;
    const capacity = f.capacity ?? site.instantaneous_capacity;
    const level = f.level || "normal";
    this.clock = el("span", { class: "value", id: "site-clock" });
    this.demoClock = this.demo ? el("span", { class: "value", id: "demo-clock" }) : null;
    this.root.replaceChildren(
      el("h1", { id: "site-title" }, named(site),
        otherName(site) ? el("small", { lang: otherName(site) === site.name_zh ? "zh-CN" : "en" },
          ` ${otherName(site)}`) : null,
        site.basin_name_en ? el("small", {}, ` · ${site.basin_name_en}`) : null),
      el("div", { class: "facts" },
        el("div", { class: "fact", id: "visitors-today" },
          el("span", { class: "label" }, t("header.today")),
          el("span", { class: "value" }, number(f.today), el("small", {}, ` / ${number(daily)}`)),
          gauge(t("header.today"), f.today ?? 0, daily, "")),
        el("div", { class: "fact", id: "visitors-now", dataset: { level } },
          el("span", { class: "label" }, t("header.now")),
          el("span", { class: "value" }, number(f.count), el("small", {}, ` / ${number(capacity)}`),
            " ", el("span", { class: `level ${level}` }, t(`level.${level}`))),
          gauge(t("header.now"), f.count ?? 0, capacity, level)),
        el("div", { class: "fact", id: "site-time" },
          el("span", { class: "label" }, t("header.local_time", { zone: site.timezone || "" })),
          this.clock),
        this.demoClock ? el("div", { class: "fact demo", id: "demo-time" },
          el("span", { class: "label", title: t("header.demo_hint") }, t("header.demo_clock")),
          this.demoClock) : null));
    this.tick();
  }

  /** Every second: the site's local day and time, and the demo clock (now + its offset). */
  tick() {
    if (!this.site || !this.clock) return;
    const now = new Date();
    const zone = this.site.timezone;
    this.clock.textContent = `${siteTime(now, zone, "day")} ${siteTime(now, zone, "seconds")}`;
    if (this.demoClock) {
      const shifted = new Date(now.getTime() + (this.demo.clock_offset_s || 0) * 1000);
      this.demoClock.textContent = siteTime(shifted, zone, "seconds");
    }
  }
}
