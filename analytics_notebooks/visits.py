"""Visits from ``position_events``, kiosk use from ``kiosk_session_events``, in SQL.

A visit is a visitor seen on a local day; it arrives at the hour of its first position that
day. One query a day groups that day's positions by visitor in the database and returns
arrivals per hour, so no raw position leaves it. A day whose positions the server's retention
summarised (and may have deleted) is read from that summary instead (``daily_visitors``,
``hourly_arrivals``: the same counts, kept when the positions go; server/services/retention.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from analytics_notebooks.db import Sql, Window, parse_utc


def arrivals(sql: Sql, site_id: str, window: Window, *, part: int = 0,
             parts: int = 1) -> tuple[pd.DataFrame, int]:
    """Arrivals per local day and hour (``date``, ``hour``, ``visits``), and the number of
    position rows read; ``part`` of ``parts`` takes every ``parts``-th day from the
    ``part``-th, so that several connections can share the days.

    The database reduces a day's positions to distinct (visitor, UTC hour) pairs as it reads
    them (SQLite dedups in a small temporary index instead of sorting every row), then to
    each visitor's first hour, then counts visitors by that hour: a handful of rows a day
    leave it.
    """
    out: list[tuple[Any, int, int]] = []
    positions = 0
    hour = sql.hour_key("ts")
    summarised = summarised_days(sql, site_id, window)
    for n, day in enumerate(window.day_list()):
        if n % parts != part:
            continue
        if day in summarised:
            positions += summarised[day]
            out.extend(_summarised_arrivals(sql, site_id, day, window))
            continue
        start = window.start_utc + timedelta(days=n)
        bounds = {"site": site_id, "a": sql.ts(start), "b": sql.ts(start + timedelta(days=1))}
        rows = sql.rows(f"""SELECT h, COUNT(*) FROM (
  SELECT visitor_id, MIN(h) AS h FROM (
    SELECT DISTINCT visitor_id, {hour} AS h FROM position_events
    WHERE site_id = :site AND ts >= :a AND ts < :b) p
  GROUP BY visitor_id) f GROUP BY h""", **bounds)
        for key, visits in rows:
            utc_hour = datetime.strptime(str(key).replace("T", " ")[:13], "%Y-%m-%d %H")
            local = utc_hour + timedelta(seconds=window.offset_s)
            out.append((day, local.hour, int(visits)))
        positions += int(sql.rows("SELECT COUNT(*) FROM position_events WHERE site_id = :site "
                                  "AND ts >= :a AND ts < :b", **bounds)[0][0] or 0)
    frame = pd.DataFrame(out, columns=["date", "hour", "visits"])
    if len(frame):
        frame = frame.groupby(["date", "hour"], as_index=False)["visits"].sum()
    return frame, positions


def _day(sql: Sql, day: date) -> Any:
    """A bound date as the database compares it (ISO text in SQLite)."""
    return day.isoformat() if sql.sqlite else day


def summarised_days(sql: Sql, site_id: str, window: Window) -> dict[date, int]:
    """The window's days whose positions are summarised, with each day's position count."""
    rows = sql.rows("SELECT day, positions FROM daily_visitors WHERE site_id = :site "
                    "AND day >= :first AND day <= :last", site=site_id,
                    first=_day(sql, window.first), last=_day(sql, window.last))
    return {date.fromisoformat(str(day)[:10]): int(n) for day, n in rows}


def _summarised_arrivals(sql: Sql, site_id: str, day: date,
                         window: Window) -> list[tuple[date, int, int]]:
    """A summarised day's arrivals per local hour, as :func:`arrivals` counts them."""
    rows = sql.rows(f"SELECT {sql.hour_key('hour')}, arrivals FROM hourly_arrivals "
                    "WHERE site_id = :site AND day = :day", site=site_id, day=_day(sql, day))
    out = []
    for key, visits in rows:
        utc_hour = datetime.strptime(str(key).replace("T", " ")[:13], "%Y-%m-%d %H")
        out.append((day, (utc_hour + timedelta(seconds=window.offset_s)).hour, int(visits)))
    return out


def visits_per_day(arr: pd.DataFrame, window: Window, daily_capacity: int | None,
                   sample: float | None = None) -> pd.DataFrame:
    """One row a day of the window: ``date`` (ISO text), ``visits``, ``daily_capacity``,
    ``ratio`` (of the capacity; NaN without one). Of a history that stored a ``sample`` share
    of its visitors, also ``estimated`` (the stored visits over the share, which a count of
    distinct visitors allows), and the ratio is the estimate's.

    Examples
    --------
    >>> import datetime as dt
    >>> day = Window(dt.date(2026, 10, 1), dt.date(2026, 10, 1), "UTC")
    >>> arr = pd.DataFrame({"date": [dt.date(2026, 10, 1)], "hour": [9], "visits": [12]})
    >>> visits_per_day(arr, day, 6000, sample=0.01).iloc[0].to_dict()
    {'date': '2026-10-01', 'visits': 12, 'daily_capacity': 6000, 'ratio': 0.2, 'estimated': 1200}
    """
    per_day = arr.groupby("date")["visits"].sum() if not arr.empty else pd.Series(dtype=int)
    days = window.day_list()
    visits = [int(per_day.get(d, 0)) for d in days]
    counted = [round(v / sample) for v in visits] if sample else visits
    frame = pd.DataFrame({"date": [d.isoformat() for d in days], "visits": visits,
                          "daily_capacity": daily_capacity,
                          "ratio": [v / daily_capacity if daily_capacity else np.nan
                                    for v in counted]})
    if sample:
        frame["estimated"] = counted
    return frame


def arrivals_matrix(arr: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Arrivals as a day x hour-of-day matrix (0-23), zeros where none."""
    matrix = pd.DataFrame(0, index=[d.isoformat() for d in window.day_list()], columns=range(24))
    for day, hour, visits in arr.itertuples(index=False):
        matrix.loc[day.isoformat(), int(hour)] += int(visits)
    return matrix


def kiosk_sessions(sql: Sql, site_id: str, window: Window) -> pd.DataFrame:
    """One row per kiosk and experience: sessions started and ended, mean completion of
    ended sessions, those completed (>= 90 %), mean minutes from start to end."""
    start, end = sql.epoch("started_at"), sql.epoch("ended_at")
    rows = sql.rows(f"""SELECT kiosk_id, experience_id, COUNT(started_at), COUNT(ended_at),
  AVG(completion), SUM(CASE WHEN completion >= 0.9 THEN 1 ELSE 0 END),
  AVG(CASE WHEN started_at IS NOT NULL AND ended_at IS NOT NULL THEN {end} - {start} END)
FROM (SELECT e.kiosk_id AS kiosk_id, e.session_id AS session_id,
        MAX(e.experience_id) AS experience_id,
        MIN(CASE WHEN e.event = 'started' THEN e.ts END) AS started_at,
        MAX(CASE WHEN e.event = 'ended' THEN e.ts END) AS ended_at,
        MAX(CASE WHEN e.event = 'ended' THEN e.completion END) AS completion
      FROM kiosk_session_events e JOIN kiosks k ON k.id = e.kiosk_id
      WHERE k.site_id = :site AND e.ts >= :t0 AND e.ts < :t1
      GROUP BY e.kiosk_id, e.session_id) s
GROUP BY kiosk_id, experience_id""", site=site_id, t0=sql.ts(window.start_utc),
                    t1=sql.ts(window.end_utc))
    frame = pd.DataFrame(rows, columns=["kiosk_id", "experience_id", "started", "ended",
                                        "completion", "completed", "seconds"])
    for column in ("completion", "seconds"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("started", "ended", "completed"):
        frame[column] = pd.to_numeric(frame[column]).fillna(0).astype(int)
    return frame


def substitute_sessions(sql: Sql, site_id: str, window: Window) -> pd.DataFrame:
    """Sessions of virtual substitutes started in the window: ``substitute_for`` (the cave),
    ``session_id``, ``started`` (UTC), ``completion`` (of its end, if it ended)."""
    rows = sql.rows("""SELECT MAX(e.substitute_for), e.session_id,
  MIN(CASE WHEN e.event = 'started' THEN e.ts END),
  MAX(CASE WHEN e.event = 'ended' THEN e.completion END)
FROM kiosk_session_events e JOIN kiosks k ON k.id = e.kiosk_id
WHERE k.site_id = :site AND e.substitute_for IS NOT NULL AND e.ts >= :t0 AND e.ts < :t1
GROUP BY e.kiosk_id, e.session_id""", site=site_id, t0=sql.ts(window.start_utc),
                    t1=sql.ts(window.end_utc))
    frame = pd.DataFrame(rows, columns=["substitute_for", "session_id", "started",
                                        "completion"])
    frame = frame[frame["started"].notna()].copy()
    frame["started"] = parse_utc(frame["started"].tolist()) if len(frame) else pd.Series(
        dtype="datetime64[ns, UTC]")
    frame["completion"] = pd.to_numeric(frame["completion"], errors="coerce").astype(float)
    return frame.reset_index(drop=True)


def absorbed(subs: pd.DataFrame, closures: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Per cave with a substitute: closures in the window, hours closed, substitute sessions
    started while it was closed and at other times, and their mean completion."""
    caves = sorted(set(subs["substitute_for"]) | set(closures.get("zone_id", [])))
    out = []
    lo, hi = window.start_utc, window.end_utc
    for cave in caves:
        mine = closures[closures["zone_id"] == cave] if len(closures) else closures
        spans = [(max(a, lo), min(b if b is not None and not pd.isna(b) else hi, hi))
                 for a, b in zip(mine.get("closed_at", []), mine.get("reopened_at", []),
                                 strict=True)]
        spans = [(a, b) for a, b in spans if b > a]
        hours = sum((b - a).total_seconds() for a, b in spans) / 3600.0
        sessions = subs[subs["substitute_for"] == cave]
        during = np.zeros(len(sessions), dtype=bool)
        for a, b in spans:
            during |= ((sessions["started"] >= a) & (sessions["started"] < b)).to_numpy()
        out.append((cave, len(spans), hours, int(during.sum()), int((~during).sum()),
                    float(sessions["completion"][during].mean()) if during.any() else np.nan))
    return pd.DataFrame(out, columns=["zone_id", "closures", "hours_closed", "during_closure",
                                      "at_other_times", "completion_during"])

