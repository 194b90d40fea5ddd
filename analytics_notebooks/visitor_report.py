"""The visitor report's sections: each computes (tested functions of this package) and shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from analytics_notebooks import climate, display, occupancy, plots, results, visits
from analytics_notebooks.report import Report, open_report, provenance
from analytics_notebooks.venue import load_experiences, load_kiosks, zone_label

#: Windows up to this many days get a zone x hour timeline; longer ones an hour-of-day profile.
TIMELINE_DAYS = 14
#: Connections that share the position queries (a day each in turn), beside one for the
#: transitions: the database works on several cores while the notebook draws.
POSITION_LANES = 2


def begin(database_url: str, site_id: str, start: str, end: str, language: str) -> Report:
    """Open the report: connect, load the site, show the title, and start the heavy queries
    (positions on one connection, transitions on another) while the sections draw."""
    r = open_report("visitor_report", database_url, site_id, start, end, language)
    site, window, zones = r.site.id, r.window, r.zones
    for part in range(POSITION_LANES):
        r.prefetch(f"arrivals{part}", _arrivals(site, window, part), lane=f"positions{part}")
    r.prefetch("buckets", lambda sql: occupancy.occupancy_buckets(sql, site, zones, window),
               lane="transitions")
    r.prefetch("transitions", lambda sql: _transitions(sql, r), lane="transitions")
    r.prefetch("dwell", lambda sql: occupancy.dwell_histogram(sql, site, window),
               lane="transitions")
    r.prefetch("flows", lambda sql: occupancy.flows(sql, site, window), lane="transitions")
    return r


def _arrivals(site_id: str, window: Any, part: int) -> Callable[[Any], tuple[pd.DataFrame, int]]:
    def query(sql: Any) -> tuple[pd.DataFrame, int]:
        return visits.arrivals(sql, site_id, window, part=part, parts=POSITION_LANES)

    return query


def show_visits(r: Report) -> pd.DataFrame:
    """Visits per day against the daily capacity, and arrivals per day and hour."""
    w = r.words
    parts = [r.result(f"arrivals{part}", _arrivals(r.site.id, r.window, part))
             for part in range(POSITION_LANES)]
    arr = pd.concat([a for a, _ in parts], ignore_index=True)
    r.count("position_events", sum(n for _, n in parts))
    per_day = visits.visits_per_day(arr, r.window, r.site.daily_capacity, r.sample)
    display.heading(w("visits_title"))
    counted = "estimated" if r.sample else "visits"
    total = int(per_day[counted].sum())
    if total == 0:
        display.paragraph(w("no_data"))
        return per_day
    best = per_day.loc[per_day[counted].idxmax()]
    ratio = display.percent(best["ratio"]) if pd.notna(best["ratio"]) else best["date"]
    if r.sample:
        display.paragraph(w("visits_lead_sample", stored=int(per_day["visits"].sum()),
                            total=total, share=r.sample, days=r.window.days,
                            peak=int(best[counted]), ratio=ratio))
    else:
        display.paragraph(w("visits_lead", total=total, days=r.window.days,
                            peak=int(best[counted]), ratio=ratio))
    labels = {k: w(k) for k in ("visits", "daily_capacity", "emergency_capacity", "date")}
    if r.sample:
        labels["visits"] = w("estimated_visits")
    fig = plots.daily_visits(per_day["date"], per_day[counted], r.site.daily_capacity,
                             r.site.emergency_daily_capacity, labels)
    display.figure(fig, w("visits_title"))
    shown = per_day.rename(columns={"date": w("date"),
                                    "visits": w("stored_visits") if r.sample else w("visits"),
                                    "estimated": w("estimated_visits"),
                                    "daily_capacity": w("daily_capacity"),
                                    "ratio": w("of_capacity")})
    display.table(shown, formats={w("of_capacity"): display.percent})
    matrix = visits.arrivals_matrix(arr, r.window)
    display.figure(plots.heat(matrix, xlabel=w("hour_of_day"), ylabel=w("date"),
                              colorbar=w("arrivals"), cmap="YlGnBu"), w("arrivals_by_hour"))
    return per_day


def show_occupancy(r: Report) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The zone x hour heat map of peak occupancy and the peaks against each zone's tiers."""
    w = r.words
    names = zone_label(r.zones, r.language)
    with_capacity = [z for z, c in zip(r.zones["zone_id"], r.zones["capacity"], strict=True)
                     if c]
    buckets = r.result("buckets", lambda sql: occupancy.occupancy_buckets(
        sql, r.site.id, r.zones, r.window))
    r.count("zone_transitions", r.result("transitions", lambda sql: _transitions(sql, r)))
    peaks = occupancy.peaks(buckets, r.zones, r.window, r.site.tiers)
    display.heading(w("occupancy_title"))
    tiers = r.site.tiers
    display.paragraph(w("occupancy_lead", divert=tiers["divert"], stop=tiers["stop"]))
    caps = dict(zip(r.zones["zone_id"], r.zones["capacity"], strict=True))
    part = buckets[buckets["zone_id"].isin(with_capacity)].copy()
    part["ratio"] = part["peak"] / part["zone_id"].map(caps).astype(float)
    order = [z for z in r.zones.sort_values(["depth", "zone_id"])["zone_id"] if z in with_capacity]
    if r.window.days <= TIMELINE_DAYS:
        matrix = part.pivot(index="zone_id", columns="bucket", values="ratio")
        matrix.columns = [pd.Timestamp(c).strftime("%m-%d %H") for c in matrix.columns]
        xlabel = w("time_local")
    else:
        part["hour"] = pd.to_datetime(part["bucket"]).dt.hour
        matrix = part.pivot_table(index="zone_id", columns="hour", values="ratio", aggfunc="max")
        xlabel = w("hour_of_day")
    matrix = matrix.reindex(order)
    matrix.index = [names.get(z, z) for z in matrix.index]
    if len(matrix):
        display.figure(plots.occupancy_heat(matrix, xlabel=xlabel, colorbar=w("occupancy_pct"),
                                            tiers=tiers), w("occupancy_title"))
    display.heading(w("peaks_title"), 3)
    rank = {z: n for n, z in enumerate(r.zones.sort_values(["depth", "zone_id"])["zone_id"])}
    peaks = peaks.sort_values("zone_id", key=lambda s: s.map(rank)).reset_index(drop=True)
    shown = peaks.assign(zone_id=[names.get(z, z) for z in peaks["zone_id"]],
                         level=[w.level(v) for v in peaks["level"]])
    shown = shown.rename(columns={"zone_id": w("zone"), "capacity": w("capacity"),
                                  "peak": w("peak"), "peak_at": w("peak_at"),
                                  "ratio": w("pct_capacity"), "level": w("level")})
    display.table(shown, formats={w("peak_at"): display.clock, w("pct_capacity"): display.percent})
    return buckets, peaks


def _transitions(sql: Any, r: Report) -> int:
    rows = sql.rows("SELECT COUNT(*) FROM zone_transitions WHERE site_id = :site AND ts >= :a "
                    "AND ts < :b", site=r.site.id, a=sql.ts(r.window.start_utc),
                    b=sql.ts(r.window.end_utc))
    return int(rows[0][0] or 0)


def show_dwell(r: Report) -> pd.DataFrame:
    """Dwell-time distribution per zone, from the exits' time in zone."""
    w = r.words
    names = zone_label(r.zones, r.language)
    stats = occupancy.dwell_stats(r.result("dwell", lambda sql: occupancy.dwell_histogram(
        sql, r.site.id, r.window)))
    display.heading(w("dwell_title"))
    display.paragraph(w("dwell_lead"))
    if stats.empty:
        display.paragraph(w("no_data"))
        return stats
    display.figure(plots.dwell_ranges(stats, names, w("dwell_min")), w("dwell_title"))
    shown = stats.assign(zone_id=[names.get(z, z) for z in stats["zone_id"]])
    shown = shown.rename(columns={"zone_id": w("zone"), "n": w("exits"),
                                  **{k: w(k) for k in ("mean_min", "p25_min", "median_min",
                                                       "p75_min", "p90_min")}})
    one = {w(k): (lambda v: display.fmt_number(v, 1))
           for k in ("mean_min", "p25_min", "median_min", "p75_min", "p90_min")}
    display.table(shown, formats=one)
    return stats


def show_flows(r: Report) -> pd.DataFrame:
    """The matrix of moves between zones."""
    w = r.words
    names = {**zone_label(r.zones, r.language), occupancy.OUTSIDE: w("outside")}
    moves = r.result("flows", lambda sql: occupancy.flows(sql, r.site.id, r.window))
    display.heading(w("flows_title"))
    display.paragraph(w("flows_lead"))
    if moves.empty:
        display.paragraph(w("no_data"))
        return moves
    order = list(r.zones.sort_values(["depth", "zone_id"])["zone_id"])
    matrix = occupancy.flow_matrix(moves, order)
    labels = [names.get(z, z) for z in matrix.index]
    shown = matrix.copy()
    shown.index, shown.columns = labels, labels
    display.figure(plots.heat(shown, xlabel=w("to"), ylabel=w("from"), colorbar=w("moves"),
                              cmap="Purples", annotate=True), w("flows_title"))
    top = moves.sort_values("n", ascending=False).head(15)
    display.table(pd.DataFrame({w("from"): [names.get(z, z) for z in top["source"]],
                                w("to"): [names.get(z, z) for z in top["target"]],
                                w("moves"): top["n"].to_numpy()}))
    return matrix


def show_kiosks(r: Report) -> pd.DataFrame:
    """Kiosk use and experience completion."""
    w = r.words
    with r.sql() as sql:
        sessions = visits.kiosk_sessions(sql, r.site.id, r.window)
        experiences = load_experiences(sql, r.site.id)
        kiosks = load_kiosks(sql, r.site.id)
    r.count("kiosk_session_events (sessions)", int(sessions["started"].sum()))
    display.heading(w("kiosk_title"))
    if sessions.empty:
        display.paragraph(w("no_data"))
        return sessions
    title = "title_zh" if r.language == "zh" else "title_en"
    titles = dict(zip(experiences["experience_id"], experiences[title], strict=True))
    kiosk_names = dict(zip(kiosks["kiosk_id"], kiosks["name"], strict=True))
    by_exp = sessions.groupby("experience_id", dropna=False).apply(_summary, include_groups=False)
    by_exp.index = [titles.get(e, e if isinstance(e, str) else "–") for e in by_exp.index]
    by_kiosk = sessions.groupby("kiosk_id").apply(_summary, include_groups=False)
    by_kiosk.index = [kiosk_names.get(k) or k for k in by_kiosk.index]
    formats = {w("completion"): display.percent, w("minutes"): lambda v: display.fmt_number(v, 1)}
    for frame, key in ((by_exp, "experience"), (by_kiosk, "kiosk")):
        frame = frame.rename(columns={"started": w("sessions"), "ended": w("ended"),
                                      "completion": w("completion"), "completed": w("completed"),
                                      "minutes": w("minutes")})
        frame.index.name = w(key)
        display.table(frame, index=True, formats=formats)
    return sessions


def _summary(part: pd.DataFrame) -> pd.Series:
    ended = part["ended"].sum()
    weights = part["ended"].to_numpy()
    completion = (np.nansum(part["completion"].to_numpy() * weights) / ended) if ended else np.nan
    seconds = (np.nansum(part["seconds"].to_numpy() * weights) / ended) if ended else np.nan
    return pd.Series({"started": int(part["started"].sum()), "ended": int(ended),
                      "completion": completion, "completed": int(part["completed"].sum()),
                      "minutes": seconds / 60.0})


def show_substitutes(r: Report) -> pd.DataFrame:
    """Sessions of each cave's virtual substitute while it was closed and at other times."""
    w = r.words
    names = zone_label(r.zones, r.language)
    with r.sql() as sql:
        subs = visits.substitute_sessions(sql, r.site.id, r.window)
        spans = climate.closures(sql, r.site.id, r.window)
    table = visits.absorbed(subs, spans, r.window)
    display.heading(w("substitutes_title"))
    display.paragraph(w("substitutes_lead"))
    if table.empty:
        display.paragraph(w("no_data"))
        return table
    shown = table.assign(zone_id=[names.get(z, z) for z in table["zone_id"]]).rename(columns={
        "zone_id": w("cave"), "closures": w("closures"), "hours_closed": w("hours_closed"),
        "during_closure": w("during_closure"), "at_other_times": w("at_other_times"),
        "completion_during": w("completion_during")})
    display.table(shown, formats={w("hours_closed"): lambda v: display.fmt_number(v, 1),
                                  w("completion_during"): display.percent})
    return table


def save_results(r: Report, per_day: pd.DataFrame, peaks: pd.DataFrame) -> dict[str, Any]:
    """Store the key figures: visits per day, and each zone's peak and when."""
    data = {"site_id": r.site.id, "start": r.window.first, "end": r.window.last,
            "visits_per_day": [{"date": d, "visits": int(v), "daily_capacity": c,
                                **({"estimated_visits": int(e)} if r.sample else {})}
                               for d, v, c, e in zip(per_day["date"], per_day["visits"],
                                                     per_day["daily_capacity"],
                                                     per_day.get("estimated", per_day["visits"]),
                                                     strict=True)],
            "zones": {z: {"peak_occupancy": int(p), "peak_at": r.window.iso(at),
                          "capacity": c, "level": lv}
                      for z, p, at, c, lv in zip(peaks["zone_id"], peaks["peak"],
                                                 peaks["peak_at"], peaks["capacity"],
                                                 peaks["level"], strict=True)}}
    results.save(data)
    return data


def show_provenance(r: Report) -> dict[str, Any]:
    return provenance(r)
