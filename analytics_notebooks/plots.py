"""The reports' figures, built on matplotlib ``Figure`` objects (no pyplot state)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from analytics_notebooks.display import new_figure

OCCUPANCY_LEVELS = [0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 10.0]
OCCUPANCY_COLOURS = ["#f7fbff", "#d6e6f4", "#abd0e6", "#6aaed6", "#f5b041", "#e74c3c", "#8e1b10"]


def daily_visits(dates: Sequence[str], visits: Sequence[int], capacity: int | None,
                 emergency: int | None, labels: dict[str, str]) -> Figure:
    fig = new_figure(10, 3.6)
    ax = fig.add_subplot()
    x = np.arange(len(dates))
    ax.bar(x, visits, color="#4c78a8", label=labels["visits"])
    if capacity:
        ax.axhline(capacity, color="#c0392b", linewidth=1.5, label=labels["daily_capacity"])
    if emergency:
        ax.axhline(emergency, color="#c0392b", linewidth=1.0, linestyle="--",
                   label=labels["emergency_capacity"])
    step = max(1, len(dates) // 15)
    ax.set_xticks(x[::step], [d[5:] for d in list(dates)[::step]], rotation=0, fontsize=8)
    ax.set_xlabel(labels["date"])
    ax.set_ylabel(labels["visits"])
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return fig


def short(label: object, width: int = 28) -> str:
    """A tick label cut to ``width`` characters."""
    text = str(label)
    return text if len(text) <= width else text[: width - 1] + "…"


def heat(matrix: pd.DataFrame, *, xlabel: str, ylabel: str, colorbar: str,
         cmap: str = "Blues", annotate: bool = False, height_in: float | None = None) -> Figure:
    """A plain heat map of a numeric matrix (rows top to bottom, as given)."""
    rows, cols = matrix.shape
    long_x = max((len(str(c)) for c in matrix.columns), default=0) > 4
    fig = new_figure(10, height_in or max(2.5, 0.28 * rows + 1.5 + (1.6 if long_x else 0)))
    ax = fig.add_subplot()
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, aspect="auto", cmap=cmap, interpolation="nearest")
    ax.set_yticks(range(rows), [short(r) for r in matrix.index], fontsize=7)
    step = max(1, cols // 24)
    ax.set_xticks(range(0, cols, step), [short(c) for c in list(matrix.columns)[::step]],
                  fontsize=7, rotation=90 if cols > 24 or long_x else 0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if annotate and values.size <= 900:
        top = np.nanmax(values) if values.size else 0
        for (i, j), v in np.ndenumerate(values):
            if v:
                ax.text(j, i, f"{v:,.0f}", ha="center", va="center", fontsize=6,
                        color="white" if v > 0.6 * top else "black")
    fig.colorbar(image, ax=ax, label=colorbar, shrink=0.9)
    return fig


def occupancy_heat(ratios: pd.DataFrame, *, xlabel: str, colorbar: str,
                   tiers: dict[str, float]) -> Figure:
    """Zones x hours coloured by the share of capacity, with the divert and stop tiers marked
    on the colour bar."""
    rows, cols = ratios.shape
    fig = new_figure(11, max(2.5, 0.3 * rows + 1.6))
    ax = fig.add_subplot()
    cmap = ListedColormap(OCCUPANCY_COLOURS)
    norm = BoundaryNorm(OCCUPANCY_LEVELS, cmap.N)
    image = ax.imshow(ratios.to_numpy(dtype=float), aspect="auto", cmap=cmap, norm=norm,
                      interpolation="nearest")
    ax.set_yticks(range(rows), [short(r, 36) for r in ratios.index], fontsize=7)
    labels = [str(c) for c in ratios.columns]
    step = max(1, cols // 28)
    ax.set_xticks(range(0, cols, step), labels[::step], fontsize=7, rotation=90 if cols > 24 else 0)
    ax.set_xlabel(xlabel)
    bar = fig.colorbar(image, ax=ax, label=colorbar, shrink=0.9,
                       ticks=OCCUPANCY_LEVELS[:-1], spacing="proportional")
    bar.ax.set_yticklabels([f"{v:.0%}" for v in OCCUPANCY_LEVELS[:-1]], fontsize=7)
    bar.ax.set_ylim(0, 1.4)
    for tier in (tiers["divert"], tiers["stop"]):
        bar.ax.axhline(tier, color="black", linewidth=1.2)
    return fig


def dwell_ranges(stats: pd.DataFrame, names: dict[str, str], xlabel: str) -> Figure:
    """Per zone: the middle half of the times (bar), the median (tick) and the 90th pct (dot)."""
    stats = stats.sort_values("median_min")
    fig = new_figure(10, max(2.5, 0.3 * len(stats) + 1.2))
    ax = fig.add_subplot()
    y = np.arange(len(stats))
    ax.barh(y, stats["p75_min"] - stats["p25_min"], left=stats["p25_min"], color="#9ecae1",
            height=0.6)
    ax.scatter(stats["median_min"], y, marker="|", s=200, color="#08519c", zorder=3)
    ax.scatter(stats["p90_min"], y, marker="o", s=14, color="#08519c", zorder=3)
    ax.set_yticks(y, [short(names.get(z, z), 36) for z in stats["zone_id"]], fontsize=7)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    return fig


def climate(series: pd.DataFrame, occupancy: pd.Series | None, limits: dict[str, Any],
            closures: list[tuple[Any, Any]], labels: dict[str, str],
            window: tuple[Any, Any]) -> Figure:
    """A cave's CO2 (with its visitors), RH and temperature, limits dashed, closures shaded."""
    fig = new_figure(10, 5.6)
    axes = fig.subplots(3, 1, sharex=True)
    for ax, metric in zip(axes, ("co2_ppm", "relative_humidity", "temperature_c"), strict=True):
        ax.plot(series["time"], series[metric], color="#1f77b4", linewidth=0.9)
        lo, hi = limits.get(metric, (None, None))
        for value in (lo, hi):
            if value is not None:
                ax.axhline(value, color="#c0392b", linestyle="--", linewidth=1.0)
        for a, b in closures:
            ax.axvspan(a, b, color="#c0392b", alpha=0.12, linewidth=0)
        ax.set_ylabel(labels[metric], fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25)
    if occupancy is not None and len(occupancy):
        twin = axes[0].twinx()
        twin.fill_between(occupancy.index, occupancy.to_numpy(), step="post", color="#7f7f7f",
                          alpha=0.25, linewidth=0)
        twin.set_ylabel(labels["visitors"], fontsize=8)
        twin.tick_params(labelsize=7)
        twin.set_ylim(bottom=0)
        axes[0].set_zorder(twin.get_zorder() + 1)  # the CO2 line in front of the visitors
        axes[0].patch.set_visible(False)
    axes[-1].set_xlim(*window)
    axes[-1].set_xlabel(labels["time_local"])
    return fig


def timeline(spans: pd.DataFrame, names: dict[str, str], window: tuple[Any, Any],
             xlabel: str) -> Figure:
    """Closures as bars, one row a zone."""
    zones = list(dict.fromkeys(spans["zone_id"]))
    fig = new_figure(10, max(1.8, 0.35 * len(zones) + 1.2))
    ax = fig.add_subplot()
    for n, zone_id in enumerate(zones):
        mine = spans[spans["zone_id"] == zone_id]
        ax.broken_barh([(a, b - a) for a, b in zip(mine["start"], mine["stop"], strict=True)],
                       (n - 0.35, 0.7), color="#c0392b")
    ax.set_yticks(range(len(zones)), [short(names.get(z, z), 36) for z in zones], fontsize=7)
    ax.set_xlim(*window)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    return fig
