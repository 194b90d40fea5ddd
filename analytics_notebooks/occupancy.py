"""Occupancy, dwell and flows from ``zone_transitions``, aggregated in the database.

A transition is stored for the innermost zone a visitor enters or leaves; a zone's occupancy
counts its own visitors and those of every zone inside it. The SQL turns each transition into
a +1 (enter) or -1 (exit) for its zone and for each ancestor (one ``UNION ALL`` branch a tree
level, the ancestor picked by a ``CASE``), sums them per zone and second (a move between two
zones inside an ancestor cancels out there, and the second drops out), keeps a running sum
per zone with one window function, and groups by zone and bucket: the bucket's highest level
with the earliest second it was reached (packed into one integer, so a plain ``MAX`` finds
both) and its net change. Occupancy is counted to the second: within one second, visitors
who leave are counted out before those who arrive are counted in. Visitors inside when the
window opens come from the transitions of the day before (bucket -1).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from analytics_notebooks.db import Sql, Window
from analytics_notebooks.venue import ancestors

LOOKBACK = timedelta(days=1)
OUTSIDE = "(outside)"
ROWS = "(rows)"  # the key under which mean_occupancy returns the transitions it read
PACK = 4_294_967_296  # 2**32: level * PACK + (PACK - 1 - seconds since the window opened)


def _deltas(sql: Sql, zones: pd.DataFrame, targets: list[str] | None,
            params: dict[str, Any]) -> str:
    """The ``d`` rows (target, e, delta) of every transition, rolled up the tree; ``e`` is
    the time in whole epoch seconds (integers sort and divide faster than timestamps)."""
    parents = dict(zip(zones["zone_id"], zones["parent_id"], strict=True))
    wanted = set(zones["zone_id"]) if targets is None else set(targets)
    chains = {z: ancestors(parents, z) for z in zones["zone_id"]}
    depth = max((len(c) for c in chains.values()), default=0)
    base = ("SELECT {target} AS target, " + sql.epoch("ts") + " AS e, CASE WHEN kind = "
            "'enter' THEN 1 ELSE -1 END AS delta FROM zone_transitions WHERE site_id = :site "
            "AND ts >= :lb AND ts < :t1 AND kind IN ('enter', 'exit')")
    branches = []
    own = sorted(wanted)
    for n, z in enumerate(own):
        params[f"own{n}"] = z
    marks = ", ".join(f":own{n}" for n in range(len(own))) or "NULL"
    branches.append(base.format(target="zone_id") + f" AND zone_id IN ({marks})")
    for level in range(depth):
        pairs = sorted((z, c[level]) for z, c in chains.items()
                       if len(c) > level and c[level] in wanted)
        if not pairs:
            continue
        whens = []
        for n, (z, a) in enumerate(pairs):
            params[f"z{level}_{n}"], params[f"a{level}_{n}"] = z, a
            whens.append(f"WHEN :z{level}_{n} THEN :a{level}_{n}")
        keys = ", ".join(f":z{level}_{n}" for n in range(len(pairs)))
        case = f"CASE zone_id {' '.join(whens)} END"
        branches.append(base.format(target=case) + f" AND zone_id IN ({keys})")
    return "\nUNION ALL\n".join(branches)


def _params(sql: Sql, site_id: str, window: Window) -> dict[str, Any]:
    return {"site": site_id, "lb": sql.ts(window.start_utc - LOOKBACK),
            "t0": sql.ts(window.start_utc), "t1": sql.ts(window.end_utc),
            "e0": int(window.start_utc.timestamp())}


def occupancy_buckets(sql: Sql, site_id: str, zones: pd.DataFrame, window: Window, *,
                      width_s: int = 3600, targets: list[str] | None = None) -> pd.DataFrame:
    """Per zone and bucket of ``width_s`` (local time): the peak occupancy, when it was
    reached (epoch seconds), and the occupancy at the bucket's end.

    Columns: ``zone_id``, ``bucket`` (local bucket start), ``peak``, ``peak_at``, ``end_level``.
    Every bucket of the window appears for every zone, also those without transitions.
    """
    params = _params(sql, site_id, window)
    deltas = _deltas(sql, zones, targets, params)
    bucket = sql.floor_div(f"e + {int(window.offset_s)}", width_s)
    rows = sql.rows(f"""WITH d AS ({deltas}),
g AS (SELECT target, e, SUM(delta) AS net FROM d GROUP BY target, e HAVING SUM(delta) <> 0),
r AS (SELECT target, e, net,
             SUM(net) OVER (PARTITION BY target ORDER BY e
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS level
      FROM g)
SELECT target, CASE WHEN e < :e0 THEN -1 ELSE {bucket} END AS b,
       MAX(level * {PACK} + ({PACK - 1} - (e - :e0))), SUM(net)
FROM r GROUP BY 1, 2""", **params)
    found = pd.DataFrame(rows, columns=["zone_id", "b", "key", "net"])
    first = (int(window.start_utc.timestamp()) + window.offset_s) // width_s
    count = window.days * 86400 // width_s
    starts = np.arange(count) * width_s + int(window.start_utc.timestamp())
    wanted = sorted(set(zones["zone_id"]) if targets is None else set(targets))
    parts = []
    for zone_id in wanted:
        mine = found[(found["zone_id"] == zone_id)]
        before = mine[mine["b"] == -1]
        mine = mine[mine["b"] != -1]
        keys = [int(k) for k in mine["key"]]
        at = mine["b"].to_numpy(dtype=np.int64) - first
        net = np.zeros(count, dtype=np.int64)
        top = np.full(count, np.iinfo(np.int64).min)
        when = starts.copy()
        net[at] = mine["net"].to_numpy(dtype=np.int64)
        top[at] = [k // PACK for k in keys]
        when[at] = [params["e0"] + PACK - 1 - (k - (k // PACK) * PACK) for k in keys]
        end = int(before["net"].sum()) + np.cumsum(net)
        begin = end - net
        inner = top > begin  # the peak was reached inside the bucket, else at its start
        parts.append(pd.DataFrame({
            "zone_id": zone_id, "bucket": window.local(starts),
            "peak": np.maximum(np.where(inner, top, begin), 0),
            "peak_at": np.where(inner, when, starts), "end_level": np.maximum(end, 0)}))
    if not parts:
        return pd.DataFrame(columns=["zone_id", "bucket", "peak", "peak_at", "end_level"])
    return pd.concat(parts, ignore_index=True)


def mean_occupancy(sql: Sql, site_id: str, zones: pd.DataFrame, window: Window, *,
                   width_s: int, targets: list[str]) -> dict[str, pd.Series]:
    """Per zone, the mean number of visitors in each UTC bucket of ``width_s`` seconds: the
    bucket's starting level plus each transition's +1 or -1 for the part of the bucket after
    it (a time integral, exact to the second). Indexed by bucket start (epoch seconds); under
    :data:`ROWS`, the number of (rolled-up) transitions read."""
    params = _params(sql, site_id, window)
    deltas = _deltas(sql, zones, targets, params)
    b = sql.floor_div("e", width_s)
    rows = sql.rows(f"""WITH d AS ({deltas})
SELECT target, CASE WHEN e < :e0 THEN -1 ELSE {b} END, SUM(delta),
       SUM(CASE WHEN e < :e0 THEN 0 ELSE delta * (({b} + 1) * {int(width_s)} - e) END), COUNT(*)
FROM d GROUP BY 1, 2""", **params)
    found = pd.DataFrame(rows, columns=["zone_id", "b", "net", "weighted", "n"])
    t0 = int(window.start_utc.timestamp())
    first, count = t0 // width_s, (int(window.end_utc.timestamp()) - t0) // width_s
    out = {}
    for zone_id in targets:
        mine = found[found["zone_id"] == zone_id]
        base = float(mine.loc[mine["b"] == -1, "net"].sum())
        mine = mine[mine["b"] != -1]
        at = mine["b"].to_numpy(dtype=np.int64) - first
        keep = (at >= 0) & (at < count)
        net, weighted = np.zeros(count), np.zeros(count)
        net[at[keep]] = mine["net"].to_numpy(dtype=float)[keep]
        weighted[at[keep]] = mine["weighted"].to_numpy(dtype=float)[keep]
        begin = base + np.cumsum(net) - net
        mean = np.maximum(begin + weighted / width_s, 0.0)
        out[zone_id] = pd.Series(mean, index=(first + np.arange(count)) * width_s)
    out[ROWS] = pd.Series([int(found["n"].sum())])
    return out


def peaks(buckets: pd.DataFrame, zones: pd.DataFrame, window: Window,
          tiers: dict[str, float]) -> pd.DataFrame:
    """Per zone: the highest instantaneous occupancy, when (local time), and its capacity tier."""
    if buckets.empty:
        return pd.DataFrame(columns=["zone_id", "capacity", "peak", "peak_at", "ratio", "level"])
    idx = buckets.groupby("zone_id")["peak"].idxmax()
    top = buckets.loc[idx, ["zone_id", "peak", "peak_at"]].set_index("zone_id")
    caps = dict(zip(zones["zone_id"], zones["capacity"], strict=True))
    out = top.reset_index()
    out["capacity"] = pd.Series([caps.get(z) for z in out["zone_id"]], dtype=object)
    out["peak_at"] = window.local(out["peak_at"])
    out["ratio"] = [p / c if c else np.nan for p, c in zip(out["peak"], out["capacity"],
                                                            strict=True)]
    out["level"] = [level_of(r, tiers) for r in out["ratio"]]
    return out[["zone_id", "capacity", "peak", "peak_at", "ratio", "level"]]


def level_of(ratio: float, tiers: dict[str, float]) -> str:
    """``normal``, ``divert`` or ``stop`` for an occupancy ratio (``""`` without capacity)."""
    if ratio is None or not np.isfinite(ratio):
        return ""
    if ratio >= tiers["stop"]:
        return "stop"
    return "divert" if ratio >= tiers["divert"] else "normal"


def dwell_histogram(sql: Sql, site_id: str, window: Window) -> pd.DataFrame:
    """Exits' time in zone, per zone and whole minute: ``zone_id``, ``minute``, ``n``,
    ``seconds`` (the sum of the exact times, for means)."""
    params = _params(sql, site_id, window)
    rows = sql.rows(f"""SELECT zone_id, {sql.int_floor("dwell_s / 60.0")}, COUNT(*), SUM(dwell_s)
FROM zone_transitions WHERE site_id = :site AND kind = 'exit' AND dwell_s IS NOT NULL
  AND dwell_s >= 0 AND ts >= :t0 AND ts < :t1 GROUP BY 1, 2""", **params)
    frame = pd.DataFrame(rows, columns=["zone_id", "minute", "n", "seconds"])
    return frame.astype({"minute": int, "n": int, "seconds": float})


def dwell_stats(hist: pd.DataFrame) -> pd.DataFrame:
    """Per zone from the minute histogram: count, mean (exact) and the 25th, 50th, 75th and
    90th percentiles in minutes (interpolated within each minute)."""
    out = []
    for zone_id, part in hist.groupby("zone_id"):
        part = part.sort_values("minute")
        n = int(part["n"].sum())
        cum = part["n"].cumsum().to_numpy()
        minutes, counts = part["minute"].to_numpy(), part["n"].to_numpy()

        def quantile(q: float, cum: Any = cum, minutes: Any = minutes, counts: Any = counts,
                     n: int = n) -> float:
            rank = q * n
            k = int(np.searchsorted(cum, rank, side="left"))
            k = min(k, len(cum) - 1)
            before = cum[k] - counts[k]
            return float(minutes[k] + (rank - before) / counts[k])

        out.append((zone_id, n, float(part["seconds"].sum()) / n / 60.0, quantile(0.25),
                    quantile(0.5), quantile(0.75), quantile(0.9)))
    return pd.DataFrame(out, columns=["zone_id", "n", "mean_min", "p25_min", "median_min",
                                      "p75_min", "p90_min"])


def flows(sql: Sql, site_id: str, window: Window) -> pd.DataFrame:
    """Moves between zones: ``source``, ``target``, ``n``. A move is an exit and an enter of
    the same visitor at the same instant; an enter with no such exit comes from
    ``(outside)``, an exit with no such enter goes there."""
    params = _params(sql, site_id, window)
    same = "o.site_id = t.site_id AND o.visitor_id = t.visitor_id AND o.ts = t.ts"
    rows = sql.rows(f"""SELECT o.zone_id, t.zone_id, COUNT(*) FROM zone_transitions t
LEFT JOIN zone_transitions o ON {same} AND o.kind = 'exit'
WHERE t.site_id = :site AND t.kind = 'enter' AND t.ts >= :t0 AND t.ts < :t1
GROUP BY o.zone_id, t.zone_id
UNION ALL
SELECT t.zone_id, NULL, COUNT(*) FROM zone_transitions t
WHERE t.site_id = :site AND t.kind = 'exit' AND t.ts >= :t0 AND t.ts < :t1
  AND NOT EXISTS (SELECT 1 FROM zone_transitions o WHERE {same} AND o.kind = 'enter')
GROUP BY t.zone_id""", **params)
    frame = pd.DataFrame(rows, columns=["source", "target", "n"])
    frame[["source", "target"]] = frame[["source", "target"]].fillna(OUTSIDE)
    return frame.groupby(["source", "target"], as_index=False)["n"].sum()


def flow_matrix(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Moves as a matrix: rows are where visitors came from, columns where they went."""
    names = [z for z in [*order, OUTSIDE] if z in set(frame["source"]) | set(frame["target"])]
    matrix = frame.pivot_table(index="source", columns="target", values="n", aggfunc="sum",
                               fill_value=0)
    return matrix.reindex(index=names, columns=names, fill_value=0).astype(int)
