"""Cave microclimate from ``sensor_readings`` (bucketed in SQL), its exceedances, and the
closures timeline (from the audit log of zone states, else from microclimate alerts)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from analytics_notebooks.db import Sql, Window, parse_utc

METRICS = ("co2_ppm", "relative_humidity", "temperature_c")
#: Rows per cave the fine grid may hold; a longer window gets wider buckets.
MAX_ROWS = 200_000


def _in_list(prefix: str, values: list[str], params: dict[str, Any]) -> str:
    for n, value in enumerate(values):
        params[f"{prefix}{n}"] = value
    return ", ".join(f":{prefix}{n}" for n in range(len(values))) or "NULL"


def reading_interval(sql: Sql, site_id: str, sensor_ids: list[str], window: Window) -> float | None:
    """The median time between one sensor's readings in the window, in seconds."""
    params: dict[str, Any] = {"site": site_id, "t0": sql.ts(window.start_utc),
                              "t1": sql.ts(window.end_utc)}
    ids = _in_list("s", sensor_ids, params)
    epoch = sql.epoch("ts")
    rows = sql.rows(f"SELECT COUNT(*), MIN({epoch}), MAX({epoch}) FROM sensor_readings WHERE "
                    f"site_id = :site AND sensor_id IN ({ids}) AND ts >= :t0 AND ts < :t1 "
                    f"GROUP BY sensor_id", **params)
    gaps = [(hi - lo) / (n - 1) for n, lo, hi in rows if n and n > 1 and hi > lo]
    return float(np.median(gaps)) if gaps else None


def grid_step(interval_s: float | None, window: Window) -> int:
    """The fine grid's bucket: whole minutes, at least one reading interval, at most
    :data:`MAX_ROWS` buckets over the window."""
    step = 60 * max(1, math.ceil((interval_s or 60.0) / 60.0 - 1e-9))
    shortest = 60 * math.ceil(window.days * 86400 / MAX_ROWS / 60)
    return int(max(step, shortest))


def readings(sql: Sql, site_id: str, sensors: pd.DataFrame, window: Window,
             width_s: int) -> pd.DataFrame:
    """Per zone and UTC bucket: mean time (epoch s), temperature, RH, CO2 over its sensors."""
    params: dict[str, Any] = {"site": site_id, "t0": sql.ts(window.start_utc),
                              "t1": sql.ts(window.end_utc)}
    ids = _in_list("s", list(sensors["sensor_id"]), params)
    rows = sql.rows(f"""SELECT sensor_id, {sql.bucket("ts", width_s)}, AVG({sql.epoch("ts")}),
  AVG(temperature_c), AVG(relative_humidity), AVG(co2_ppm), COUNT(*)
FROM sensor_readings WHERE site_id = :site AND sensor_id IN ({ids}) AND ts >= :t0 AND ts < :t1
GROUP BY 1, 2""", **params)
    frame = pd.DataFrame(rows, columns=["sensor_id", "b", "t", *reversed(METRICS), "n"])
    for column in ["t", *METRICS]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["zone_id"] = frame["sensor_id"].map(dict(zip(sensors["sensor_id"], sensors["zone_id"],
                                                       strict=True)))
    out = frame.groupby(["zone_id", "b"], as_index=False).agg(
        t=("t", "mean"), temperature_c=("temperature_c", "mean"),
        relative_humidity=("relative_humidity", "mean"), co2_ppm=("co2_ppm", "mean"),
        n=("n", "sum"))
    out["start"] = out["b"].astype(np.int64) * width_s
    return out.drop(columns="b")


def limits(thresholds: dict[str, Any]) -> dict[str, tuple[float | None, float | None]]:
    """A zone's limits per metric as ``(min, max)`` (None where there is none)."""
    out = {}
    for metric in METRICS:
        spec = thresholds.get(metric) or {}
        lo, hi = spec.get("min"), spec.get("max")
        out[metric] = (float(lo) if isinstance(lo, int | float) else None,
                       float(hi) if isinstance(hi, int | float) else None)
    return out


def exceedance(series: pd.DataFrame, thresholds: dict[str, dict[str, Any]],
               width_s: int) -> pd.DataFrame:
    """Per cave and limit: the hours its bucket means were outside it, and their share of the
    hours with readings."""
    out = []
    for zone_id, part in series.groupby("zone_id"):
        for metric, (lo, hi) in limits(thresholds.get(zone_id, {})).items():
            values = part[metric].dropna().to_numpy()
            if not len(values):
                continue
            for side, limit in (("max", hi), ("min", lo)):
                if limit is None:
                    continue
                over = values > limit if side == "max" else values < limit
                out.append((zone_id, metric, side, limit, over.sum() * width_s / 3600.0,
                            float(over.mean())))
    return pd.DataFrame(out, columns=["zone_id", "metric", "side", "limit", "hours", "share"])


def closures(sql: Sql, site_id: str, window: Window) -> pd.DataFrame:
    """Closures overlapping the window: ``zone_id``, ``closed_at``, ``reopened_at`` (NaT while
    still closed), ``reason``, ``source`` ("audit log" or "alerts")."""
    rows = sql.rows("SELECT target, ts, detail FROM audit_log WHERE action = 'set_zone_state' "
                    "AND target LIKE :prefix AND ts < :t1 ORDER BY ts, id",
                    prefix=f"{site_id}/%", t1=sql.ts(window.end_utc))
    changes = [(str(t).split("/", 1)[1], ts, _detail(d)) for t, ts, d in rows
               if str(t).startswith(f"{site_id}/")]
    spans: list[tuple[str, Any, Any, str, str]] = []
    if changes:
        stamps = parse_utc([c[1] for c in changes])
        opened: dict[str, tuple[Any, str]] = {}
        for (zone_id, _, detail), ts in zip(changes, stamps, strict=True):
            state = detail.get("state")
            if state == "closed" and zone_id not in opened:
                opened[zone_id] = (ts, str(detail.get("reason") or ""))
            elif state != "closed" and zone_id in opened:
                since, reason = opened.pop(zone_id)
                spans.append((zone_id, since, ts, reason, "audit log"))
        spans += [(z, since, pd.NaT, reason, "audit log") for z, (since, reason) in opened.items()]
    else:
        for zone_id, raised, cleared, message in sql.rows(
                "SELECT zone_id, raised_at, cleared_at, message FROM alerts WHERE site_id = "
                ":site AND kind = 'microclimate' AND raised_at < :t1 ORDER BY raised_at",
                site=site_id, t1=sql.ts(window.end_utc)):
            spans.append((zone_id, raised, cleared, str(message or ""), "alerts"))
    frame = pd.DataFrame(spans, columns=["zone_id", "closed_at", "reopened_at", "reason",
                                         "source"])
    if frame.empty:
        frame["closed_at"] = frame["reopened_at"] = pd.Series(dtype="datetime64[ns, UTC]")
        return frame
    frame["closed_at"] = parse_utc(frame["closed_at"].tolist())
    frame["reopened_at"] = parse_utc([None if pd.isna(v) else v for v in frame["reopened_at"]])
    end = frame["reopened_at"].fillna(pd.Timestamp(window.end_utc))
    keep = (frame["closed_at"] < pd.Timestamp(window.end_utc)) & (
        end > pd.Timestamp(window.start_utc))
    return frame[keep].sort_values(["closed_at", "zone_id"]).reset_index(drop=True)


def _detail(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}
