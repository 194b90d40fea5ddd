"""A synthetic history at the Mogao Grottoes for the report benchmark, written in bulk.

Rows go straight into the tables (``executemany`` on SQLite, ``COPY`` on PostgreSQL), in time
order, as the server would have written them: positions with their zone, the zone transitions (an exit and
the next enter at the same instant, the exit carrying its dwell), cave readings from a one-box
CO2 balance (a = 40 / capacity ppm a visitor a minute, 2 air changes an hour, 420 ppm outside),
kiosk session events, and one closure (audit log, alert) with its substitute's sessions.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SITE = "mogao"
OFFSET_S = 8 * 3600  # Asia/Shanghai
STEP_S = 30.0  # a visitor's position every 30 s
CHUNK = 40_000  # stops a batch (about 500,000 positions)


def fill(url: str, events: int, *, days: int = 7, start: date = date(2026, 10, 1),
         seed: int = 1) -> dict[str, int]:
    """Migrate ``url``, load the venues, write about ``events`` positions over ``days``."""
    from server.services.venues import import_venues
    from server.storage.database import Database

    db = Database(url)
    db.migrate()
    with db.transaction() as session:
        import_venues(session, ROOT / "venues")
    db.dispose()
    rng = np.random.default_rng(seed)
    zones = json.loads((ROOT / "venues" / SITE / "zones.geojson").read_text())["features"]
    props = {f["properties"]["id"]: f["properties"] for f in zones}
    centre = {f["properties"]["id"]: _centre(f["geometry"]) for f in zones}
    stops = _plan(props, events, days, start, rng)
    writer = Writer(url)
    counts = {"position_events": 0, "zone_transitions": 0}
    for lo in range(0, len(stops["visitor"]), CHUNK):
        part = {k: v[lo: lo + CHUNK] for k, v in stops.items()}
        counts["position_events"] += _positions(writer, part, centre, rng,
                                                counts["position_events"])
        counts["zone_transitions"] += _transitions(writer, part)
    counts["sensor_readings"] = _readings(writer, stops, props, days, start, rng)
    counts["kiosk_session_events"] = _sessions(writer, days, start, rng)
    _closure(writer, start)
    writer.close()
    return counts


def _centre(geometry: dict[str, Any]) -> tuple[float, float]:
    ring = np.asarray(geometry["coordinates"][0] if geometry["type"] == "Polygon"
                      else geometry["coordinates"][0][0])
    return float(ring[:, 0].mean()), float(ring[:, 1].mean())


def _plan(props: dict[str, Any], events: int, days: int, start: date,
          rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each visitor's stops: (visitor, zone, start epoch s, minutes), end to end."""
    areas = {z: [c for c, p in props.items() if p.get("parent_id") == z and p["kind"] == "cave"]
             for z, p in props.items() if p["kind"] == "visitor_area"}
    areas = {a: caves for a, caves in areas.items() if caves}
    rows: list[tuple[int, str, float, float]] = []
    day0 = datetime.combine(start, datetime.min.time(), UTC).timestamp() - OFFSET_S
    total, v = 0, -1
    while total < events:
        v += 1
        t = day0 + (v % days) * 86400 + 8 * 3600 + rng.beta(2, 3) * 8.5 * 3600
        route = [("mogao-plaza-entrance", (3, 8)), ("mogao-hall-exhibition", (15, 30))]
        for area in rng.choice(list(areas), size=2, replace=False):
            caves = list(rng.choice(areas[area], size=min(2, len(areas[area])), replace=False))
            route += [(area, (4, 10)), (caves[0], (4, 8)), (area, (2, 4))]
            route += [(c, (4, 8)) for c in caves[1:]]
        for zone, (lo, hi) in route:
            minutes = float(rng.uniform(lo, hi))
            rows.append((v, zone, t, minutes))
            total += max(1, math.ceil(minutes * 60 / STEP_S))
            t += minutes * 60
    rows.sort(key=lambda r: r[2])  # written in time order, as a live server writes them
    return {"visitor": np.array([r[0] for r in rows]), "zone": np.array([r[1] for r in rows]),
            "start": np.array([r[2] for r in rows]), "minutes": np.array([r[3] for r in rows])}


class Writer:
    """Bulk rows into SQLite (executemany, one transaction a call) or PostgreSQL (COPY)."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            import sqlite3

            self.conn: Any = sqlite3.connect(url.split("///", 1)[1])
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=OFF")
        else:
            import psycopg

            self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))

    def ts(self, epochs: Any) -> list[str]:
        micros = np.rint(np.asarray(epochs) * 1e6).astype("datetime64[us]")
        texts = [t.replace("T", " ") for t in np.datetime_as_string(micros, unit="us").tolist()]
        return texts if self.sqlite else [t + "+00" for t in texts]

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> int:
        if not rows:
            return 0
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                                  rows)
            self.conn.commit()
        else:
            with self.conn.cursor() as cur, cur.copy(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            self.conn.commit()
        return len(rows)

    def close(self) -> None:
        self.conn.close()


def _positions(w: Writer, stops: dict[str, np.ndarray], centre: dict[str, tuple[float, float]],
               rng: np.random.Generator, first: int) -> int:
    counts = np.maximum(1, np.ceil(stops["minutes"] * 60 / STEP_S)).astype(int)
    stop_of = np.repeat(np.arange(len(counts)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    ts = stops["start"][stop_of] + offsets * STEP_S + rng.uniform(0, 1, len(stop_of))
    order = np.argsort(ts, kind="stable")
    stop_of, ts = stop_of[order], ts[order]
    zones = stops["zone"][stop_of]
    lon = np.array([centre[z][0] for z in zones]) + rng.normal(0, 2e-5, len(zones))
    lat = np.array([centre[z][1] for z in zones]) + rng.normal(0, 2e-5, len(zones))
    visitors = stops["visitor"][stop_of]
    rows = [(f"b{first + n}", SITE, f"v{v}", t, x, y, z) for n, (v, t, x, y, z) in
            enumerate(zip(visitors.tolist(), w.ts(ts), lon.tolist(), lat.tolist(),
                          zones.tolist(), strict=True))]
    return w.insert("position_events", ("event_id", "site_id", "visitor_id", "ts", "lon", "lat",
                                        "zone_id"), rows)


def _transitions(w: Writer, stops: dict[str, np.ndarray]) -> int:
    ends = stops["start"] + stops["minutes"] * 60
    starts, stamps_end = w.ts(stops["start"]), w.ts(ends)
    rows: list[tuple[Any, ...]] = []
    for n, (v, z) in enumerate(zip(stops["visitor"].tolist(), stops["zone"].tolist(),
                                   strict=True)):
        rows.append((SITE, f"v{v}", z, "enter", starts[n], None))
        rows.append((SITE, f"v{v}", z, "exit", stamps_end[n], float(stops["minutes"][n] * 60)))
    rows.sort(key=lambda r: (r[4], r[3] == "enter"))  # time order, an exit before its enter
    return w.insert("zone_transitions", ("site_id", "visitor_id", "zone_id", "kind", "ts",
                                         "dwell_s"), rows)


def _readings(w: Writer, stops: dict[str, np.ndarray], props: dict[str, Any], days: int,
              start: date, rng: np.random.Generator) -> int:
    sensors = json.loads((ROOT / "venues" / SITE / "sensors.json").read_text())["sensors"]
    t0 = datetime.combine(start, datetime.min.time(), UTC).timestamp() - OFFSET_S
    fine = t0 + np.arange(0, days * 86400, 30.0)  # simulated every 30 s, read every 5 min
    grid = fine[::10]
    rows: list[tuple[Any, ...]] = []
    for cave in sorted({s["zone_id"] for s in sensors}):
        mine = stops["zone"] == cave
        a, b = stops["start"][mine], stops["start"][mine] + stops["minutes"][mine] * 60
        people = np.searchsorted(np.sort(a), fine) - np.searchsorted(np.sort(b), fine)
        rate = 40.0 / max(props[cave].get("capacity") or 25, 1)
        level, water = np.empty(len(fine)), np.empty(len(fine))
        level[0], water[0] = 420.0, 6.2  # ppm; g/m3 (45 % at 16 degC)
        decay = math.exp(-2.0 / 60 * 0.5)
        for k in range(1, len(fine)):
            steady = 420.0 + rate * people[k - 1] / (2.0 / 60)
            level[k] = steady + (level[k - 1] - steady) * decay
            wet = 6.2 + rate * 0.004 * people[k - 1] / (2.0 / 60)
            water[k] = wet + (water[k - 1] - wet) * decay
        co2, inside = level[::10], people[::10]
        hour = ((grid + OFFSET_S) % 86400) / 3600
        temp = 16 + 2 * np.sin((hour - 9) / 24 * 2 * np.pi) + 0.02 * inside
        saturated = 6.112 * np.exp(17.67 * temp / (temp + 243.5)) * 216.7 / (273.15 + temp)
        rh = np.clip(100 * water[::10] / saturated + rng.normal(0, 0.3, len(grid)), 5, 100)
        for s in (s for s in sensors if s["zone_id"] == cave):
            noisy = co2 + rng.normal(0, 8, len(grid))
            stamps = w.ts(grid + rng.uniform(0, 2))
            rows += [(f"r-{s['id']}-{k}", SITE, s["id"], cave, stamps[k], float(temp[k]),
                      float(rh[k]), float(noisy[k])) for k in range(len(grid))]
    return w.insert("sensor_readings", ("event_id", "site_id", "sensor_id", "zone_id", "ts",
                                        "temperature_c", "relative_humidity", "co2_ppm"), rows)


def _sessions(w: Writer, days: int, start: date, rng: np.random.Generator) -> int:
    kiosks = json.loads((ROOT / "venues" / SITE / "kiosks.json").read_text())["kiosks"]
    experiences = json.loads((ROOT / "venues" / SITE / "experiences.json").read_text())
    exps = [e for e in experiences["experiences"]]
    t0 = datetime.combine(start, datetime.min.time(), UTC).timestamp() - OFFSET_S
    rows = []
    for k in kiosks:
        for day in range(days):
            t = t0 + day * 86400 + 9 * 3600
            while t < t0 + day * 86400 + 17 * 3600:
                e = exps[int(rng.integers(len(exps)))]
                length = e["duration_s"] * float(rng.uniform(0.4, 1.0))
                sid = f"s-{k['id']}-{int(t)}"
                done = min(1.0, length / e["duration_s"])
                for event, at, completion in (("started", t, None), ("ended", t + length, done)):
                    rows.append((f"{sid}-{event}", k["id"], sid, event, e["id"], k["zone_id"],
                                 e.get("substitute_for"), None, completion, w.ts([at])[0],
                                 w.ts([at])[0]))
                t += length + float(rng.uniform(60, 600))
    return w.insert("kiosk_session_events", ("event_id", "kiosk_id", "session_id", "event",
                                             "experience_id", "zone_id", "substitute_for",
                                             "hotspot_id", "completion", "ts", "received_at"),
                    rows)


def _closure(w: Writer, start: date) -> None:
    """Cave 96 closed from 11:00 to 14:00 on the second day (its CO2 was too high)."""
    day = datetime.combine(start + timedelta(days=1), datetime.min.time(), UTC) - timedelta(
        seconds=OFFSET_S)
    closed, opened = day + timedelta(hours=11), day + timedelta(hours=14)
    detail = {"state": "closed", "reason": "co2_ppm above 1500 for 300 s", "cause": "microclimate"}
    stamps = w.ts([closed.timestamp(), opened.timestamp()])
    w.insert("audit_log", ("ts", "actor", "action", "target", "detail"), [
        (stamps[0], "system", "set_zone_state", f"{SITE}/mogao-cave-096", json.dumps(detail)),
        (stamps[1], "olga", "set_zone_state", f"{SITE}/mogao-cave-096",
         json.dumps({"state": "open", "reason": "readings back under the limit"}))])
    w.insert("alerts", ("site_id", "zone_id", "kind", "metric", "subject", "state", "value",
                        "threshold", "message", "raised_at", "cleared_at"), [
        (SITE, "mogao-cave-096", "microclimate", "co2_ppm", None, "cleared", 1620.0, 1500.0,
         "CO2 above its limit in Cave 96", stamps[0], stamps[1])])
