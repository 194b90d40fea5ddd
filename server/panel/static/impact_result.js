// A heritage-impact check's answer in words: whether the work needs the heritage authority's
// approval, the zones it touches with their overlap, its distance to the protection range, the
// rules that apply (its height against the limit among them), and the server's map of it.

import { el } from "./dom.js";
import { has, named, t } from "./i18n.js";

const area = (m2) => `${Math.round(m2).toLocaleString()} m²`;

/** A rule in the page's language: the kind's own wording, the height rule with its figures;
 * the server's English when there is no label for it. */
function ruleText(rule) {
  if (rule.kind === "height") return t("impact.rule.height", { height: rule.height_m, limit: rule.limit_m });
  return has(`impact.rule.${rule.kind}`) ? t(`impact.rule.${rule.kind}`) : rule.rule;
}

export function resultView(result, { zones, mapSrc, title }) {
  const nameOf = (id) => named(zones.get(id)) || id;
  const touched = result.touched.length
    ? el("ul", { class: "touched" }, result.touched.map((z) => el("li", { dataset: { zone: z.zone_id } },
      `${named(z) || z.zone_id} (${t(`kind.${z.kind}`)}): ${area(z.overlap_m2)}`,
      z.within_zone ? el("span", { class: "muted" }, ` · ${t("impact.within")}`) : null)))
    : el("p", { class: "muted" }, t("impact.touches_nothing"));
  const rules = result.rules.length
    ? el("ul", { class: "rules" }, result.rules.map((r) => el("li", { class: r.kind, dataset: { kind: r.kind } },
      ruleText(r), r.zones?.length && r.kind !== "height"
        ? el("span", { class: "muted" }, ` (${r.zones.map(nameOf).join(", ")})`) : null)))
    : el("p", { class: "muted" }, t("impact.no_rules"));
  const distance = result.distance_to_protection_m;
  return [
    el("h2", {}, title || t("impact.result_heading")),
    el("p", { class: `approval ${result.requires_approval ? "needed" : "free"}`, dataset: { approval: String(result.requires_approval) } },
      t(result.requires_approval ? "impact.approval_needed" : "impact.approval_free")),
    el("dl", { class: "impact-facts" },
      el("dt", {}, t("impact.footprint")), el("dd", {}, area(result.footprint_area_m2),
        result.buffer_m ? ` (${t("impact.with_strip", { m: result.buffer_m })})` : ""),
      el("dt", {}, t("impact.distance")), el("dd", { id: "impact-distance" },
        distance === null || distance === undefined ? "–"
          : distance === 0 ? t("impact.inside_protection") : `${Math.round(distance).toLocaleString()} m`)),
    el("h3", {}, t("impact.touched_heading")), touched,
    el("h3", {}, t("impact.rules_heading")), rules,
    mapSrc ? el("img", { class: "impact-map", src: mapSrc, alt: t("impact.map_alt") }) : null,
  ];
}
