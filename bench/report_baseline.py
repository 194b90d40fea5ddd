"""The plain pandas script the visitor report is measured against (bench/bench_report.py).

``python -m bench.report_baseline URL START DAYS`` reads the rows the report aggregates with
``pandas.read_sql`` and computes the same tables in pandas: visits per day and arrivals per
hour, hourly peak occupancy per zone (rolled up the zone tree) and each zone's peak, dwell
quantiles, the flow matrix and kiosk use. It prints its peak RSS in MB and the visits.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, text

SITE = "mogao"
OFFSET = pd.Timedelta(hours=8)


def main(url: str, start: str, days: int) -> None:
    engine = create_engine(url)
    t0 = datetime.combine(date.fromisoformat(start), datetime.min.time(), UTC) - OFFSET
    t1 = t0 + timedelta(days=days)
    sqlite = url.startswith("sqlite")

    def bound(t: datetime) -> object:
        return t.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else t

    with engine.connect() as conn:
        daily = conn.execute(text("SELECT daily_capacity FROM sites WHERE id = :s"),
                             {"s": SITE}).scalar()
        zones = pd.read_sql(text("SELECT zone_id, parent_id, capacity FROM zones WHERE site_id = "
                                 ":s AND current = :y"), conn, params={"s": SITE, "y": True})
        pos = pd.read_sql(text("SELECT visitor_id, ts FROM position_events WHERE site_id = :s AND "
                               "ts >= :a AND ts < :b"), conn,
                          params={"s": SITE, "a": bound(t0), "b": bound(t1)})
        trans = pd.read_sql(text("SELECT id, visitor_id, zone_id, kind, ts, dwell_s FROM "
                                 "zone_transitions WHERE site_id = :s AND ts >= :a AND ts < :b"),
                            conn, params={"s": SITE, "a": bound(t0 - timedelta(days=1)),
                                          "b": bound(t1)})
        events = pd.read_sql(text("SELECT e.kiosk_id, e.session_id, e.event, e.experience_id, "
                                  "e.completion, e.ts FROM kiosk_session_events e JOIN kiosks k "
                                  "ON k.id = e.kiosk_id WHERE k.site_id = :s AND e.ts >= :a AND "
                                  "e.ts < :b"), conn,
                             params={"s": SITE, "a": bound(t0), "b": bound(t1)})
    # visits per day, arrivals per hour
    pos["local"] = pd.to_datetime(pos["ts"], utc=True, format="ISO8601").dt.tz_localize(None) + OFFSET
    pos["day"] = pos["local"].dt.date
    first = pos.groupby(["day", "visitor_id"])["local"].min().reset_index()
    first["hour"] = first["local"].dt.hour
    arrivals = first.groupby(["day", "hour"]).size()
    per_day = arrivals.groupby(level=0).sum().to_frame("visits")
    per_day["ratio"] = per_day["visits"] / daily
    # occupancy rolled up the tree
    parents = dict(zip(zones["zone_id"], zones["parent_id"], strict=True))
    pairs = []
    for z in zones["zone_id"]:
        node = z
        while isinstance(node, str):
            pairs.append((z, node))
            node = parents.get(node)
    tree = pd.DataFrame(pairs, columns=["zone_id", "target"])
    trans["ts"] = pd.to_datetime(trans["ts"], utc=True, format="ISO8601")
    trans["delta"] = trans["kind"].map({"enter": 1, "exit": -1})
    rolled = trans.merge(tree, on="zone_id").sort_values(["target", "ts", "delta", "id"])
    rolled["level"] = rolled.groupby("target")["delta"].cumsum()
    inside = rolled[rolled["ts"] >= pd.Timestamp(t0)].copy()
    inside["hour"] = (inside["ts"].dt.tz_localize(None) + OFFSET).dt.floor("h")
    hourly = inside.groupby(["target", "hour"]).agg(peak=("level", "max"), net=("delta", "sum"))
    hours = pd.date_range(t0.replace(tzinfo=None) + OFFSET, periods=days * 24, freq="h")
    base = rolled[rolled["ts"] < pd.Timestamp(t0)].groupby("target")["delta"].sum()
    grid = hourly.reindex(pd.MultiIndex.from_product([tree["target"].unique(), hours],
                                                     names=["target", "hour"]))
    grid["net"] = grid["net"].fillna(0)
    grid["end"] = grid.groupby(level=0)["net"].cumsum() + grid.index.get_level_values(0).map(
        base).fillna(0)
    grid["peak"] = grid["peak"].fillna(-1).combine(grid["end"] - grid["net"], max)
    peaks = grid.groupby(level=0)["peak"].agg(["max", "idxmax"])
    # dwell quantiles, flows
    exits = trans[(trans["kind"] == "exit") & (trans["ts"] >= pd.Timestamp(t0))]
    dwell = exits.groupby("zone_id")["dwell_s"].quantile([0.25, 0.5, 0.75, 0.9]).unstack()
    enters = trans[(trans["kind"] == "enter") & (trans["ts"] >= pd.Timestamp(t0))]
    moves = enters.merge(exits[["visitor_id", "ts", "zone_id"]], on=["visitor_id", "ts"],
                         how="left", suffixes=("", "_from"))
    flows = moves.groupby([moves["zone_id_from"].fillna("(outside)"), "zone_id"]).size().unstack(
        fill_value=0)
    # kiosk use
    sessions = events.groupby(["kiosk_id", "session_id"]).agg(
        experience_id=("experience_id", "max"), completion=("completion", "max"),
        started=("event", lambda e: (e == "started").any()))
    by_exp = sessions.groupby("experience_id").agg(sessions=("started", "sum"),
                                                   completion=("completion", "mean"))
    _ = (peaks, dwell, flows, by_exp)
    status = Path("/proc/self/status").read_text()
    peak_kb = float(next(line.split()[1] for line in status.splitlines()
                         if line.startswith("VmHWM")))
    print(peak_kb / 1024, int(per_day["visits"].sum()))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
