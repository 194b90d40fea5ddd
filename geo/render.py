"""PNG maps of impact checks, drawn with matplotlib's Agg canvas (no display, no pyplot)."""

from __future__ import annotations

import io
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from geo.impact import ImpactReport
from geo.zoning import Zones

COLOURS = {
    "protection_range": "#f4d8a8", "construction_control": "#dfe8c8", "visitor_area": "#cfe0f0",
    "cave": "#b79ad6", "niche": "#d6a0c0", "hall": "#a8c8b0", "pit": "#c8a890", "plaza": "#e8e0d0",
}


def _path(geom: Any) -> Path | None:
    """A compound path of a (multi)polygon; holes are cut by the nonzero rule."""
    verts, codes = [], []
    for poly in shapely.get_parts(shapely.orient_polygons(geom)):
        if poly.geom_type != "Polygon":
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            verts.append(xy)
            codes += [Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY]
    return Path(np.concatenate(verts), codes) if verts else None


def render_impact_png(zones: Zones, report: ImpactReport, *, size_px: int = 800) -> bytes:
    """Return a PNG: zones coloured by kind, touched zones outlined, the work in red."""
    metric = zones.to_metric()
    work = gpd.GeoSeries([report.footprint], crs=4326).to_crs(metric.crs).iloc[0]
    fig = Figure(figsize=(size_px / 100, size_px / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    touched = {t["zone_id"] for t in report.touched}
    depth = [zones.depth(z) for z in metric["id"]]
    for n in np.argsort(depth, kind="stable"):
        row = metric.iloc[n]
        path = _path(row.geometry)
        if path is None:
            continue
        hit = row["id"] in touched
        ax.add_patch(PathPatch(path, facecolor=COLOURS.get(row["kind"], "#dddddd"),
                               edgecolor="#b00000" if hit else "#555555",
                               linewidth=1.6 if hit else 0.6))
    if work.geom_type in ("Polygon", "MultiPolygon"):
        path = _path(work)
        if path is not None:
            ax.add_patch(PathPatch(path, facecolor="#e0303080", edgecolor="#c00000",
                                   linewidth=1.5))
    else:
        for part in shapely.get_parts(work):
            xy = np.asarray(part.coords)
            ax.plot(xy[:, 0], xy[:, 1], color="#c00000", marker="o" if len(xy) == 1 else None)
    x0, y0, x1, y1 = shapely.total_bounds(np.array([*metric.geometry.array, work]))
    pad = 0.05 * max(x1 - x0, y1 - y0, 1.0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.set_xlabel(f"x (m), {zones.metric_crs.name}")
    ax.set_ylabel("y (m)")
    dist = report.distance_to_protection_m
    ax.set_title(f"Proposed work: {report.footprint_area_m2:,.0f} m2; "
                 f"{len(report.touched)} zone(s) touched; to protection range: "
                 f"{'n/a' if dist is None else f'{dist:,.0f} m'}", fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
