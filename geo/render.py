"""PNG maps of impact checks, drawn with matplotlib's Agg canvas (no display, no pyplot).

The map is one a planner can forward: the zones coloured by kind and labelled in the chosen
language, the touched zones outlined, the proposed work hatched in red (ringed when it is too
small to see), the distance to the protection range when the work lies outside it, a legend, a
scale bar, a north arrow pointing to true north, and metre ticks that name their CRS. When the
view shows only part of the site, an inset shows where it lies.
"""

from __future__ import annotations

import io
import math
import textwrap
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox
from pyproj import Transformer
from shapely.ops import nearest_points

from geo.impact import ImpactReport
from geo.zoning import Zones

COLOURS = {
    "protection_range": "#f4d8a8", "construction_control": "#dfe8c8", "visitor_area": "#cfe0f0",
    "cave": "#b79ad6", "niche": "#d6a0c0", "hall": "#a8c8b0", "pit": "#c8a890", "plaza": "#e8e0d0",
}
WORK = "#c00000"
TOUCHED = "#7a0000"
CJK_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
                "Source Han Sans SC", "Source Han Sans CN", "Droid Sans Fallback", "SimHei",
                "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")
TEXT = {  # (en, zh)
    "title": ("Proposed work: {area} m²; {n} zone(s) touched; to protection range: {dist}",
              "拟建工程：{area} 平方米；涉及 {n} 个区域；距保护范围：{dist}"),
    "work": ("proposed work", "拟建工程"), "touched": ("touched zone", "涉及的区域"),
    "distance": ("distance to protection range", "至保护范围距离"),
    "x": ("Easting (m), {crs}", "东向坐标（米），{crs}"), "y": ("Northing (m)", "北向坐标（米）"),
    "north": ("N", "北"), "n/a": ("n/a", "无"),
    "protection_range": ("protection range", "保护范围"),
    "construction_control": ("construction-control zone", "建设控制地带"),
    "visitor_area": ("visitor area", "游览区"), "cave": ("cave", "洞窟"), "niche": ("niche", "龛"),
    "hall": ("hall", "展厅"), "pit": ("pit", "坑"), "plaza": ("plaza", "广场"),
}
BACKGROUND_KINDS = ("protection_range", "construction_control")
NEARBY_M = 250.0  # zones this close to the work are in the view


def find_cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs known to matplotlib, or None.

    Examples
    --------
    >>> find_cjk_font() is None or isinstance(find_cjk_font(), str)
    True
    """
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    found = sorted(n for n in names if any(w in n for w in ("CJK", " Hei", "Song", "Ming")))
    return found[0] if found else None


def font_families(language: str) -> list[str]:
    """Font families for a language: a CJK font first for Chinese, as a fallback otherwise."""
    cjk = find_cjk_font()
    if language == "zh":
        return [cjk, "DejaVu Sans"] if cjk else ["DejaVu Sans"]
    return ["DejaVu Sans", cjk] if cjk else ["DejaVu Sans"]


def _say(key: str, language: str, **fields: Any) -> str:
    text = TEXT[key][1 if language == "zh" else 0]
    return text.format(**fields) if fields else text


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


def _view(metric: gpd.GeoDataFrame, work: Any, touched: set[str],
          line: Any | None) -> tuple[float, float, float, float]:
    """A square view on the work, the zones it touches or nearly touches (within
    :data:`NEARBY_M`; not the site's large background zones) and the distance line; at least
    500 m across, with a margin."""
    parts = [work]
    for zone_id, kind, geom in zip(metric["id"], metric["kind"], metric.geometry, strict=True):
        near = zone_id in touched or shapely.distance(geom, work) <= NEARBY_M
        if near and kind not in BACKGROUND_KINDS:
            parts.append(geom)
    if line is not None:
        parts.append(line)
    x0, y0, x1, y1 = shapely.total_bounds(np.array(parts, dtype=object))
    size = max(max(x1 - x0, y1 - y0) * 1.4, 500.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    site = metric.total_bounds
    size = min(size, max(site[2] - site[0], site[3] - site[1], x1 - x0, y1 - y0) * 1.1)
    return cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2


def _nice(length: float) -> float:
    """The largest 1, 2 or 5 x 10^k not over ``length``."""
    power = 10 ** math.floor(math.log10(length))
    return max(s * power for s in (1, 2, 5) if s * power <= length)


def _scale_bar(ax: Any, view: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = view
    length = _nice((x1 - x0) / 4)
    left, base, height = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04, (y1 - y0) * 0.012
    for n in range(4):
        ax.add_patch(Rectangle((left + n * length / 4, base), length / 4, height, zorder=20,
                               facecolor="black" if n % 2 == 0 else "white", edgecolor="black",
                               linewidth=0.6))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(left + length / 2, base + height * 1.6, label, ha="center", va="bottom", fontsize=8,
            zorder=20, bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1})


def _north_arrow(ax: Any, zones: Zones, language: str) -> None:
    """An arrow to true north (UTM grid north differs from it by the convergence angle)."""
    lon, lat = zones.site_center
    to_metric = Transformer.from_crs(4326, zones.metric_crs, always_xy=True)
    (xa, xb), (ya, yb) = to_metric.transform([lon, lon], [lat, lat + 0.01])
    angle = math.atan2(xb - xa, yb - ya)
    cx, cy, r = 0.93, 0.86, 0.06
    tip = (cx + r * math.sin(angle), cy + r * math.cos(angle))
    tail = (cx - r * math.sin(angle), cy - r * math.cos(angle))
    ax.annotate("", xy=tip, xytext=tail, xycoords="axes fraction", zorder=21,
                arrowprops={"arrowstyle": "-|>,head_width=0.5,head_length=1", "lw": 1.8,
                            "color": "black"})
    ax.text(tip[0], tip[1] + 0.015, _say("north", language), transform=ax.transAxes,
            ha="center", va="bottom", fontsize=12, zorder=21,
            bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1})


def _labels(ax: Any, fig: Figure, metric: gpd.GeoDataFrame, language: str,
            view: tuple[float, float, float, float], work: Any) -> None:
    """Zone names at a point inside each zone's visible part and away from the work, smallest
    zones first; a label that would overlap another, the work or the frame is left out."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    size = view[2] - view[0]
    box = shapely.box(*view)
    keep_clear = work.buffer(size * 0.03)
    frame = ax.get_window_extent(renderer)
    x0, y0, x1, y1 = keep_clear.bounds
    corners = ax.transData.transform([(x0, y0), (x1, y1)])
    placed: list[Any] = [Bbox(corners)]
    column = "name_zh" if language == "zh" else "name_en"
    names = metric[column] if column in metric.columns else metric["id"]
    visible = [(shapely.intersection(g, box), zid, name) for g, zid, name in
               zip(metric.geometry, metric["id"], names, strict=True)]
    for geom, zone_id, name in sorted(visible, key=lambda v: v[0].area):
        if geom.is_empty or geom.area < size**2 * 2e-4:
            continue
        room = geom.difference(keep_clear)
        point = (room if not room.is_empty else geom).representative_point()
        text = name if isinstance(name, str) and name else str(zone_id)
        width = 16 if language == "zh" else 30
        label = ax.text(point.x, point.y, "\n".join(textwrap.wrap(text, width)) or text,
                        fontsize=7, ha="center", va="center", zorder=15, multialignment="center",
                        bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1})
        extent = label.get_window_extent(renderer)
        inside = (extent.x0 >= frame.x0 and extent.x1 <= frame.x1 and extent.y0 >= frame.y0
                  and extent.y1 <= frame.y1)
        if not inside or any(extent.overlaps(other) for other in placed):
            label.remove()
        else:
            placed.append(extent)


#: Where the inset of the whole site may go (axes fraction: left, bottom, width, height), in
#: order; the legend takes the other upper or lower corner.
INSET_SPOTS = ((0.72, 0.02, 0.26, 0.26), (0.02, 0.72, 0.26, 0.26))


def _inset(fig: Figure, ax: Any, metric: gpd.GeoDataFrame, work: Any,
           view: tuple[float, float, float, float]) -> str:
    """An inset of the whole site with the view marked, in a corner clear of the work (none
    when the view shows most of the site); return where the legend should go."""
    site = metric.total_bounds
    if (view[2] - view[0]) > 0.5 * max(site[2] - site[0], site[3] - site[1]):
        return "upper left"
    size = view[2] - view[0]
    x0, y0, x1, y1 = work.bounds
    box = ((x0 - view[0]) / size, (y0 - view[1]) / size, (x1 - view[0]) / size,
           (y1 - view[1]) / size)
    clear = [n for n, (left, bottom, width, height) in enumerate(INSET_SPOTS)
             if box[2] < left or box[0] > left + width or box[3] < bottom
             or box[1] > bottom + height]
    if not clear:
        return "upper left"
    inset = ax.inset_axes(INSET_SPOTS[clear[0]])
    for kind, geom in zip(metric["kind"], metric.geometry, strict=True):
        path = _path(geom)
        if path is not None:
            inset.add_patch(PathPatch(path, facecolor=COLOURS.get(kind, "#dddddd"),
                                      edgecolor="#777777", linewidth=0.3))
    inset.add_patch(Rectangle((view[0], view[1]), view[2] - view[0], view[3] - view[1],
                              fill=False, edgecolor=WORK, linewidth=1.5))
    inset.set_xlim(site[0], site[2])
    inset.set_ylim(site[1], site[3])
    inset.set_aspect("equal")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_zorder(25)
    return ("upper left", "lower right")[clear[0]]


def render_impact_png(zones: Zones, report: ImpactReport, *, size_px: int = 800,
                      language: str = "en", title: str | None = None) -> bytes:
    """Return the impact map as PNG bytes (``language``: ``"en"`` or ``"zh"``).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from geo.impact import check_impact
    >>> gdf = gpd.GeoDataFrame({"id": ["pr"], "parent_id": [None],
    ...     "kind": ["protection_range"]}, geometry=[box(94.80, 40.03, 94.81, 40.04)],
    ...     crs="EPSG:4326")
    >>> zones = Zones.from_frame(gdf)
    >>> work = {"type": "Point", "coordinates": [94.805, 40.035]}
    >>> render_impact_png(zones, check_impact(zones, work, buffer_m=50), size_px=300)[:4]
    b'\\x89PNG'
    """
    with rc_context({"font.family": font_families(language)}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        fig = impact_figure(zones, report, size_px=size_px, language=language, title=title)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()


def impact_figure(zones: Zones, report: ImpactReport, *, size_px: int = 800,
                  language: str = "en", title: str | None = None) -> Figure:
    """The impact map as a matplotlib ``Figure`` (on an Agg canvas), for callers that add to
    it or inspect it; :func:`render_impact_png` renders it."""
    metric = zones.to_metric()
    work = gpd.GeoSeries([report.footprint], crs=4326).to_crs(metric.crs).iloc[0]
    fig = Figure(figsize=(size_px / 100, size_px / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.115, 0.075, 0.86, 0.875))
    touched = {t["zone_id"] for t in report.touched}
    protection = metric.geometry[(metric["kind"] == "protection_range").to_numpy()]
    line = None
    if len(protection) and report.distance_to_protection_m:
        near = nearest_points(work, shapely.union_all(protection.to_numpy()))
        line = shapely.LineString([near[0], near[1]])
    view = _view(metric, work, touched, line)
    kinds_shown: list[str] = []
    depth = [zones.depth(z) for z in metric["id"]]
    for n in np.argsort(depth, kind="stable"):
        row = metric.iloc[n]
        path = _path(row.geometry)
        if path is None:
            continue
        hit = row["id"] in touched
        ax.add_patch(PathPatch(path, facecolor=COLOURS.get(row["kind"], "#dddddd"),
                               edgecolor=TOUCHED if hit else "#555555",
                               linewidth=2.0 if hit else 0.6, zorder=2 + depth[n]))
        if row["kind"] not in kinds_shown and shapely.intersects(row.geometry, shapely.box(*view)):
            kinds_shown.append(row["kind"])
    _draw_work(ax, work, view)
    if line is not None:
        ax.plot(*np.asarray(line.coords).T, color="black", linestyle="--", linewidth=1.2, zorder=12)
        mid = line.interpolate(0.5, normalized=True)
        ax.text(mid.x, mid.y, f"{report.distance_to_protection_m:,.0f} m", fontsize=8, zorder=16,
                ha="center", va="bottom", bbox={"facecolor": "white", "edgecolor": "none",
                                                "alpha": 0.8, "pad": 1})
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    ax.set_aspect("equal")
    thousands = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    ax.xaxis.set_major_formatter(thousands)
    ax.yaxis.set_major_formatter(thousands)
    ax.tick_params(labelsize=7)
    ax.set_xlabel(_say("x", language, crs=zones.metric_crs.name), fontsize=8)
    ax.set_ylabel(_say("y", language), fontsize=8)
    dist = report.distance_to_protection_m
    shown = _say("n/a", language) if dist is None else f"{dist:,.0f} m"
    ax.set_title(title or _say("title", language, area=f"{report.footprint_area_m2:,.0f}",
                               n=len(report.touched), dist=shown), fontsize=10)
    _labels(ax, fig, metric, language, view, work)
    _scale_bar(ax, view)
    _north_arrow(ax, zones, language)
    corner = _inset(fig, ax, metric, work, view)
    _legend(ax, kinds_shown, bool(touched), line is not None, language, corner)
    return fig


def _draw_work(ax: Any, work: Any, view: tuple[float, float, float, float]) -> None:
    if work.geom_type in ("Polygon", "MultiPolygon"):
        path = _path(work)
        if path is not None:
            ax.add_patch(PathPatch(path, facecolor="#e0303066", edgecolor=WORK, hatch="////",
                                   linewidth=2.0, zorder=10))
    else:
        for part in shapely.get_parts(work):
            xy = np.asarray(part.coords)
            ax.plot(xy[:, 0], xy[:, 1], color=WORK, linewidth=2.5, zorder=10,
                    marker="o" if len(xy) == 1 else None)
    x0, y0, x1, y1 = work.bounds
    if max(x1 - x0, y1 - y0) < 0.03 * (view[2] - view[0]):  # too small to see: ring it
        c = work.centroid
        ax.plot([c.x], [c.y], marker="o", markersize=22, markerfacecolor="none",
                markeredgecolor=WORK, markeredgewidth=2.0, zorder=11)


def _legend(ax: Any, kinds: list[str], touched: bool, distance: bool, language: str,
            corner: str) -> None:
    handles: list[Any] = [Patch(facecolor=COLOURS.get(k, "#dddddd"), edgecolor="#555555",
                                label=_say(k, language) if k in TEXT else k) for k in kinds]
    handles.append(Patch(facecolor="#e0303066", edgecolor=WORK, hatch="////",
                         label=_say("work", language)))
    if touched:
        handles.append(Patch(facecolor="none", edgecolor=TOUCHED, linewidth=2.0,
                             label=_say("touched", language)))
    if distance:
        handles.append(Line2D([], [], color="black", linestyle="--",
                              label=_say("distance", language)))
    ax.legend(handles=handles, loc=corner, fontsize=7, framealpha=0.9).set_zorder(30)
