"""The heritage-impact check's sections: the map, the zones touched and nearby, the rules
(with the height against the site's limit), and the visitors in the affected zones."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from analytics_notebooks import display, occupancy, results
from analytics_notebooks.report import Report, open_report, provenance
from geo import ImpactReport, Zones, check_impact
from geo.render import render_impact_png

NEARBY_M = 1000.0
RULE_ORDER = ("protection_range", "construction_control", "visitor_area", "cave", "niche", "hall",
              "pit", "plaza", "height")


def begin(database_url: str, site_id: str, start: str, end: str, language: str, *,
          work_geojson: str, height_m: float, buffer_m: float) -> Report:
    """Open the report: connect, load the site, show the title."""
    return open_report("heritage_impact", database_url, site_id, start, end, language,
                       work_geojson=work_geojson, height_m=height_m, buffer_m=buffer_m)


def site_zones(r: Report) -> Zones:
    """The site's current zones as the geo engine's validated :class:`Zones`."""
    z = r.zones
    heights = [p.get("max_height_m") for p in z["properties"]]
    frame = gpd.GeoDataFrame({"id": z["zone_id"], "parent_id": z["parent_id"], "kind": z["kind"],
                              "name_en": z["name_en"], "name_zh": z["name_zh"],
                              "capacity": z["capacity"], "state": "open",
                              "max_height_m": pd.array(heights, dtype=object)},
                             geometry=[shape(g) for g in z["geometry"]], crs="EPSG:4326")
    return Zones.from_frame(frame, site_center=r.site.center)


def check(r: Report, work_geojson: str, height_m: float, buffer_m: float) -> tuple[Zones,
                                                                                 ImpactReport]:
    """Check the work against the site's zones and construction limits (a height of 0 means
    none was given)."""
    zones = site_zones(r)
    geometry = json.loads(work_geojson) if isinstance(work_geojson, str) else work_geojson
    report = check_impact(zones, geometry, buffer_m=float(buffer_m),
                          limits=r.site.construction_limits or None,
                          height_m=float(height_m) if height_m else None)
    return zones, report


def show_map(r: Report, zones: Zones, report: ImpactReport) -> None:
    w = r.words
    display.heading(w("impact_map"))
    dist = report.distance_to_protection_m
    display.paragraph(w("work_summary", area=report.footprint_area_m2, buffer=report.buffer_m,
                        n=len(report.touched), dist=w("none") if dist is None
                        else f"{dist:,.0f} m"))
    png = render_impact_png(zones, report, size_px=1000, language=r.language,
                            title=f"{w('heritage_impact')}: {r.site.name(r.language)}")
    display.figure(png, w("impact_map"))
    if report.requires_approval:
        display.warning(w("approval_needed"))
    else:
        display.paragraph(w("no_approval"))


def distances(zones: Zones, report: ImpactReport, within_m: float = NEARBY_M) -> pd.DataFrame:
    """Every zone within ``within_m`` of the work: distance (0 where touched), overlap in m2,
    whether the work lies wholly inside it."""
    metric = zones.to_metric()
    work = gpd.GeoSeries([report.footprint], crs=4326).to_crs(metric.crs).iloc[0]
    dist = shapely.distance(metric.geometry.array, work)
    touched = {t["zone_id"]: t for t in report.touched}
    rows = []
    for zone_id, kind, d in zip(metric["id"], metric["kind"], dist, strict=True):
        if d <= within_m or zone_id in touched:
            t = touched.get(zone_id, {})
            rows.append((zone_id, kind, float(d), float(t.get("overlap_m2", 0.0)),
                         bool(t.get("within_zone", False))))
    frame = pd.DataFrame(rows, columns=["zone_id", "kind", "distance_m", "overlap_m2", "within"])
    return frame.sort_values(["distance_m", "zone_id"]).reset_index(drop=True)


def show_zones(r: Report, zones: Zones, report: ImpactReport) -> pd.DataFrame:
    w = r.words
    table = distances(zones, report)
    display.heading(w("touched_title"))
    shown = pd.DataFrame({w("zone"): [r.zone_name(z) for z in table["zone_id"]],
                          w("kind"): [w.kind(k) for k in table["kind"]],
                          w("overlap_m2"): table["overlap_m2"],
                          w("within"): [w("yes") if v else w("no") for v in table["within"]],
                          w("distance_m"): table["distance_m"]})
    hit = table["overlap_m2"] > 0
    display.table(shown[hit.to_numpy()])
    display.heading(w("nearby_title", m=NEARBY_M), 3)
    display.table(shown[~hit.to_numpy()])
    return table


def show_rules(r: Report, report: ImpactReport, height_m: float) -> list[dict[str, Any]]:
    """The rules that apply, in the report's language, and the height against the limits."""
    w = r.words
    display.heading(w("rules_title"))
    rules = sorted(report.rules, key=lambda x: RULE_ORDER.index(x["kind"])
                   if x["kind"] in RULE_ORDER else len(RULE_ORDER))
    rows = []
    for rule in rules:
        text = rule["rule"]
        if rule["kind"] == "height" and r.language == "zh":
            text = (f"工程高 {rule['height_m']:g} 米，此处限高 {rule['limit_m']:g} 米；"
                    f"超高须经文物主管部门批准。")
        rows.append({w("kind"): w.kind(rule["kind"]), w("rule"): w.rule(rule["kind"], text),
                     w("zones"): ", ".join(r.zone_name(z) for z in rule.get("zones", []))})
    if rows:
        display.table(pd.DataFrame(rows))
    else:
        display.paragraph(w("no_approval"))
    display.heading(w("height_title"), 3)
    limit = (r.site.construction_limits or {}).get("max_height_m")
    height_rule = next((x for x in report.rules if x["kind"] == "height"), None)
    if height_rule is not None:
        limit, verdict = height_rule["limit_m"], w("over_limit")
    elif not height_m:
        verdict = w("not_given")
    else:
        verdict = w("within_limit") if limit is not None else w("no_limit")
    display.table(pd.DataFrame({w("height_m"): [height_m if height_m else np.nan],
                                w("limit_m"): [np.nan if limit is None else float(limit)],
                                w("verdict"): [verdict]}),
                  formats={w("height_m"): lambda v: display.fmt_number(v, 1),
                           w("limit_m"): lambda v: display.fmt_number(v, 1)})
    return rules


def show_load(r: Report, report: ImpactReport) -> pd.DataFrame:
    """Peak occupancy and entries of the touched zones over the report's window."""
    w = r.words
    targets = [t["zone_id"] for t in report.touched if t["kind"] != "construction_control"]
    display.heading(w("load_title"))
    if not targets:
        display.paragraph(w("no_data"))
        return pd.DataFrame()
    with r.sql() as sql:
        buckets = occupancy.occupancy_buckets(sql, r.site.id, r.zones, r.window, targets=targets)
        entries = dict(sql.rows("SELECT zone_id, COUNT(*) FROM zone_transitions WHERE site_id = "
                                ":site AND kind = 'enter' AND ts >= :a AND ts < :b GROUP BY "
                                "zone_id", site=r.site.id, a=sql.ts(r.window.start_utc),
                                b=sql.ts(r.window.end_utc)))
    r.count("zone_transitions (entries)", sum(int(v) for v in entries.values()))
    peaks = occupancy.peaks(buckets, r.zones, r.window, r.site.tiers)
    peaks["entries"] = [int(entries.get(z, 0)) for z in peaks["zone_id"]]
    display.table(pd.DataFrame({w("zone"): [r.zone_name(z) for z in peaks["zone_id"]],
                                w("capacity"): peaks["capacity"], w("peak"): peaks["peak"],
                                w("peak_at"): [display.clock(v) for v in peaks["peak_at"]],
                                w("entries"): peaks["entries"]}))
    return peaks


def save_results(r: Report, report: ImpactReport, height_m: float) -> dict[str, Any]:
    """Store the touched zones and the rules the work breaks."""
    data = {"site_id": r.site.id, "footprint_area_m2": report.footprint_area_m2,
            "buffer_m": report.buffer_m, "height_m": height_m or None,
            "distance_to_protection_m": report.distance_to_protection_m,
            "requires_approval": report.requires_approval,
            "touched_zones": [{k: t[k] for k in ("zone_id", "kind", "overlap_m2", "within_zone")}
                              for t in report.touched],
            "broken_rules": [{k: v for k, v in rule.items() if k != "rule"} | {"rule": rule["rule"]}
                             for rule in report.rules]}
    results.save(data)
    return data


def show_provenance(r: Report) -> dict[str, Any]:
    return provenance(r)
