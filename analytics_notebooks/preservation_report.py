"""The preservation report's sections: cave climate, exceedances, closures, the CO2 balance with
its capacity recommendation, and the IPI Preservation Index."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analytics_notebooks import climate, display, ipi, massbalance, occupancy, plots, results
from analytics_notebooks.report import Report, open_report, provenance
from analytics_notebooks.venue import load_sensors, zone_label

DEFAULT_VISIT_MIN = 15.0
PLOT_POINTS = 1500


def begin(database_url: str, site_id: str, start: str, end: str, language: str) -> Report:
    """Open the report: connect, load the site, show the title."""
    return open_report("preservation_report", database_url, site_id, start, end, language)


@dataclass
class Climate:
    """The caves' readings on one grid, their visitor load on the same grid, and closures."""

    caves: pd.DataFrame  # zone_id, capacity, thresholds
    step_s: int
    series: pd.DataFrame  # zone_id, start, t, temperature_c, relative_humidity, co2_ppm, n
    load: dict[str, pd.Series]  # zone -> mean visitors per bucket (indexed by epoch s)
    closures: pd.DataFrame
    visit_min: dict[str, float]
    offset_s: int = 0


def load_climate(r: Report) -> Climate:
    """Read the caves with sensors: readings and visitor load on the finest grid the readings
    allow, closures, and each cave's typical visit length."""
    caves = r.zones[r.zones["kind"] == "cave"]
    with r.sql() as sql:
        sensors = load_sensors(sql, r.site.id)
        sensors = sensors[sensors["zone_id"].isin(set(caves["zone_id"]))]
        caves = caves[caves["zone_id"].isin(set(sensors["zone_id"]))]
        interval = climate.reading_interval(sql, r.site.id, list(sensors["sensor_id"]), r.window)
        step = climate.grid_step(interval, r.window)
        series = climate.readings(sql, r.site.id, sensors, r.window, step)
        load = occupancy.mean_occupancy(sql, r.site.id, r.zones, r.window, width_s=step,
                                        targets=list(caves["zone_id"]))
        r.count("zone_transitions (caves)", int(load.pop(occupancy.ROWS, pd.Series([0])).iloc[0]))
        spans = climate.closures(sql, r.site.id, r.window)
        dwell = occupancy.dwell_stats(occupancy.dwell_histogram(sql, r.site.id, r.window))
    r.count("sensor_readings", int(series["n"].sum()) if len(series) else 0)
    if r.sample:  # a demo history stored a share of the crowd the sensors saw
        load = {z: s / r.sample for z, s in load.items()}
    visit = dict(zip(dwell["zone_id"], dwell["median_min"], strict=True))
    return Climate(caves[["zone_id", "capacity", "thresholds"]].reset_index(drop=True), step,
                   series, load, spans, {z: float(visit.get(z, DEFAULT_VISIT_MIN))
                                         for z in caves["zone_id"]}, r.window.offset_s)


def show_climate(r: Report, c: Climate) -> pd.DataFrame:
    """Per cave: the series with limits and closures; then exceedance hours and closures."""
    w = r.words
    names = zone_label(r.zones, r.language)
    display.heading(w("climate_title"))
    display.paragraph(w("climate_lead"))
    if c.series.empty:
        display.paragraph(w("no_data"))
    labels = {k: w(k) for k in ("co2_ppm", "relative_humidity", "temperature_c", "visitors",
                                "time_local")}
    span = (r.window.local(r.window.start_utc.timestamp()),
            r.window.local(r.window.end_utc.timestamp()))
    for cave in c.caves.itertuples():
        part = c.series[c.series["zone_id"] == cave.zone_id]
        if part.empty:
            continue
        display.heading(names.get(cave.zone_id, cave.zone_id), 3)
        shown = _thin(part, c.step_s)
        shown = shown.assign(time=r.window.local(shown["start"]))
        load = c.load.get(cave.zone_id)
        load_local = None if load is None else pd.Series(load.to_numpy(),
                                                         index=r.window.local(load.index))
        fig = plots.climate(shown, load_local, climate.limits(cave.thresholds),
                            _spans(c.closures, cave.zone_id, r), labels, span)
        display.figure(fig, names.get(cave.zone_id, cave.zone_id))
    table = climate.exceedance(c.series, dict(zip(c.caves["zone_id"], c.caves["thresholds"],
                                                  strict=True)), c.step_s)
    display.heading(w("exceed_title"), 3)
    over = table[table["hours"] > 0]
    if over.empty:
        display.paragraph(w("all_within"))
    else:
        shown = over.assign(zone_id=[names.get(z, z) for z in over["zone_id"]],
                            metric=[w(m) for m in over["metric"]],
                            side=[w(f"side_{s}") for s in over["side"]])
        display.table(shown.rename(columns={
            "zone_id": w("cave"), "metric": w("metric"), "side": w("side"), "limit": w("limit"),
            "hours": w("hours"), "share": w("share")}),
            formats={w("hours"): lambda v: display.fmt_number(v, 1), w("share"): display.percent,
                     w("limit"): lambda v: display.fmt_number(v, 0)})
    show_closures(r, c)
    return table


def _thin(part: pd.DataFrame, step_s: int) -> pd.DataFrame:
    """At most :data:`PLOT_POINTS` points for a figure (means of neighbouring buckets)."""
    factor = max(1, math.ceil(len(part) / PLOT_POINTS))
    if factor == 1:
        return part
    key = (part["start"] // (step_s * factor)) * (step_s * factor)
    cols = ["co2_ppm", "relative_humidity", "temperature_c"]
    return part.groupby(key)[cols].mean().rename_axis("start").reset_index()


def _spans(spans: pd.DataFrame, zone_id: str, r: Report) -> list[tuple[Any, Any]]:
    mine = spans[spans["zone_id"] == zone_id] if len(spans) else spans
    end = pd.Timestamp(r.window.end_utc)
    return [(r.window.local(a.timestamp()), r.window.local((end if pd.isna(b) else b).timestamp()))
            for a, b in zip(mine.get("closed_at", []), mine.get("reopened_at", []), strict=True)]


def show_closures(r: Report, c: Climate) -> None:
    w = r.words
    names = zone_label(r.zones, r.language)
    display.heading(w("closures_title"), 3)
    if c.closures.empty:
        display.paragraph(w("no_data"))
        return
    end = pd.Timestamp(r.window.end_utc)
    spans = c.closures.assign(start=[r.window.local(a.timestamp()) for a in c.closures["closed_at"]],
                              stop=[r.window.local((end if pd.isna(b) else b).timestamp())
                                    for b in c.closures["reopened_at"]])
    window = (r.window.local(r.window.start_utc.timestamp()),
              r.window.local(r.window.end_utc.timestamp()))
    display.figure(plots.timeline(spans, names, window, w("time_local")), w("closures_title"))
    hours = [((end if pd.isna(b) else b) - a).total_seconds() / 3600
             for a, b in zip(c.closures["closed_at"], c.closures["reopened_at"], strict=True)]
    display.table(pd.DataFrame({
        w("cave"): [names.get(z, z) for z in c.closures["zone_id"]],
        w("closed_at"): [display.clock(v) for v in spans["start"]],
        w("reopened_at"): [w("still_closed") if pd.isna(b) else display.clock(s)
                           for b, s in zip(c.closures["reopened_at"], spans["stop"], strict=True)],
        w("duration_h"): hours, w("reason"): list(c.closures["reason"])}),
        formats={w("duration_h"): lambda v: display.fmt_number(v, 1)})


def fit_cave(c: Climate, zone_id: str, thresholds: dict[str, Any]) -> dict[str, Any]:
    """The CO2 balance (and the water-vapour one) of one cave, and its recommended capacity."""
    part = c.series[c.series["zone_id"] == zone_id].sort_values("t")
    load = c.load.get(zone_id, pd.Series(dtype=float))
    grid0 = float(load.index[0]) if len(load) else 0.0
    lim = climate.limits(thresholds)
    fits: dict[str, tuple[massbalance.Fit, float]] = {}
    co2 = massbalance.fit_balance(part["t"], part["co2_ppm"], grid0, c.step_s, load.to_numpy())
    if lim["co2_ppm"][1] is not None:
        fits["co2_ppm"] = (co2, lim["co2_ppm"][1])
    humid = massbalance.fit_balance(
        part["t"], massbalance.absolute_humidity(part["temperature_c"], part["relative_humidity"]),
        grid0, c.step_s, load.to_numpy())
    rh_max = lim["relative_humidity"][1]
    if rh_max is not None and humid.ok and humid.rate_ci[0] > 0:
        typical_t = float(np.nanmedian(part["temperature_c"])) if len(part) else 15.0
        fits["relative_humidity"] = (humid, float(massbalance.absolute_humidity(typical_t, rh_max)))
    visit = c.visit_min.get(zone_id, DEFAULT_VISIT_MIN)
    local_day = (load.index.to_numpy() + c.offset_s) // 86400 if len(load) else np.array([])
    gap = massbalance.empty_gap(visit, load.to_numpy(), local_day)
    rec = massbalance.recommend(fits, visit, gap)
    steady = massbalance.steady_capacity(co2, lim["co2_ppm"][1]) if lim["co2_ppm"][1] else None
    return {"fit": co2, "humidity_fit": humid, "visit_min": visit, "gap_min": gap,
            "recommendation": rec, "steady": steady}


def show_balance(r: Report, c: Climate) -> dict[str, dict[str, Any]]:
    """The fitted balance per cave with its 95 % intervals and the recommended capacity."""
    w = r.words
    names = zone_label(r.zones, r.language)
    display.heading(w("balance_title"))
    display.paragraph(w("balance_lead"))
    out: dict[str, dict[str, Any]] = {}
    rows = []
    for cave in c.caves.itertuples():
        got = fit_cave(c, cave.zone_id, cave.thresholds)
        out[cave.zone_id] = got
        fit, rec = got["fit"], got["recommendation"]
        ci = rec["ci95"]
        rows.append({
            w("cave"): names.get(cave.zone_id, cave.zone_id),
            w("rise"): _with_ci(fit.rate, fit.rate_ci, 2) if fit.ok else
            w("not_fitted", reason=fit.reason),
            w("exchange"): _with_ci(fit.exchange_per_h, fit.exchange_ci, 2) if fit.ok else "–",
            w("outside_co2"): display.fmt_number(fit.outside) if fit.ok else "–",
            w("pairs"): display.fmt_number(fit.pairs),
            w("visit_min"): display.fmt_number(got["visit_min"], 1),
            w("gap_min"): display.fmt_number(got["gap_min"], 1),
            w("current_capacity"): display.fmt_number(cave.capacity),
            w("recommended"): display.fmt_number(rec["capacity"]),
            w("ci95"): f"{display.fmt_number(ci[0])} – "
                       f"{'∞' if ci[1] is None else display.fmt_number(ci[1])}"
            if rec["capacity"] is not None else "–",
            w("limiting"): w(rec["limiting"]) if rec["limiting"] else "–",
            w("steady"): display.fmt_number(got["steady"])})
    display.table(pd.DataFrame(rows))
    return out


def _with_ci(value: float, ci: tuple[float, float], digits: int) -> str:
    return (f"{value:.{digits}f} ({ci[0]:.{digits}f} – {ci[1]:.{digits}f})")


def show_ipi(r: Report, c: Climate) -> pd.DataFrame:
    """The TWPI over the window and the lowest hourly PI per cave."""
    w = r.words
    names = zone_label(r.zones, r.language)
    display.heading(w("ipi_title"))
    display.paragraph(w("ipi_lead"))
    rows = []
    for zone_id, part in c.series.groupby("zone_id"):
        hourly = part.groupby(part["start"] // 3600)[["temperature_c", "relative_humidity"]].mean()
        pi = ipi.preservation_index(hourly["temperature_c"], hourly["relative_humidity"])
        rows.append((zone_id, ipi.time_weighted_preservation_index(part["temperature_c"],
                                                                   part["relative_humidity"]),
                     float(np.nanmin(pi)) if len(pi) else np.nan,
                     float(part["temperature_c"].mean()), float(part["relative_humidity"].mean())))
    table = pd.DataFrame(rows, columns=["zone_id", "twpi", "min_pi", "mean_t", "mean_rh"])
    if table.empty:
        display.paragraph(w("no_data"))
        return table
    one = lambda v: display.fmt_number(v, 1)  # noqa: E731
    display.table(table.assign(zone_id=[names.get(z, z) for z in table["zone_id"]]).rename(
        columns={"zone_id": w("cave"), "twpi": w("twpi"), "min_pi": w("min_pi"),
                 "mean_t": w("mean_t"), "mean_rh": w("mean_rh")}),
        formats={w(k): one for k in ("twpi", "min_pi", "mean_t", "mean_rh")})
    return table


def save_results(r: Report, balance: dict[str, dict[str, Any]],
                 twpi: pd.DataFrame) -> dict[str, Any]:
    """Store each cave's fitted balance and recommended capacity."""
    index = twpi.set_index("zone_id")["twpi"].to_dict() if len(twpi) else {}
    caves = {}
    for zone_id, got in balance.items():
        fit, rec = got["fit"], got["recommendation"]
        caves[zone_id] = {
            "rise_ppm_per_person_min": fit.rate if fit.ok else None,
            "rise_ppm_per_person_min_ci95": list(fit.rate_ci) if fit.ok else [None, None],
            "air_exchange_per_h": fit.exchange_per_h if fit.ok else None,
            "air_exchange_per_h_ci95": list(fit.exchange_ci) if fit.ok else [None, None],
            "outside_co2_ppm": fit.outside if fit.ok else None,
            "recommended_capacity": rec["capacity"],
            "recommended_capacity_ci95": rec["ci95"], "limiting": rec["limiting"],
            "typical_visit_min": got["visit_min"], "empty_between_visits_min": got["gap_min"],
            "steady_state_capacity": got["steady"],
            "fit_note": fit.reason or None, "twpi_years": index.get(zone_id)}
    data = {"site_id": r.site.id, "start": r.window.first, "end": r.window.last, "caves": caves}
    results.save(data)
    return data


def show_provenance(r: Report) -> dict[str, Any]:
    return provenance(r)
