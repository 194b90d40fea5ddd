"""Tiny Lantern databases for the report metrics: the server's schema, rows written with SQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

from analytics_notebooks.db import Sql

TZ = ZoneInfo("Asia/Shanghai")
THRESHOLDS = {"co2_ppm": {"max": 1500}, "relative_humidity": {"max": 62},
              "temperature_c": {"min": 5, "max": 28}}


def utc_text(local: str) -> str:
    """A local (Asia/Shanghai) time as SQLite stores it: UTC, microseconds, no offset."""
    when = datetime.fromisoformat(local).replace(tzinfo=TZ).astimezone(UTC)
    return when.replace(tzinfo=None).isoformat(" ", "microseconds")


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1],
                                                [x0, y0]]]}


class TinySite:
    """Rows of one site 'testsite' (Asia/Shanghai): protection range 'pr' > visitor area 'va'
    > caves 'c1' and 'c2' (capacity 2 each)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._n = 0
        self.run("INSERT INTO sites (id, name_en, name_zh, timezone, center_lon, center_lat, "
                 "daily_capacity, instantaneous_capacity, config, zones_version, updated_at) "
                 "VALUES ('testsite', 'Test site', '测试遗址', 'Asia/Shanghai', 94.805, 40.035, "
                 "10, 20, :config, 1, '2026-01-01 00:00:00.000000')",
                 config=json.dumps({"capacity_tiers": [{"level": "divert", "ratio": 0.8},
                                                       {"level": "stop", "ratio": 1.0}],
                                    "construction_limits": {"max_height_m": 6}}))
        self.zone("pr", None, "protection_range", 100, box(94.80, 40.03, 94.81, 40.04))
        self.zone("va", "pr", "visitor_area", 10, box(94.803, 40.033, 94.807, 40.037))
        self.zone("c1", "va", "cave", 2, box(94.8040, 40.0340, 94.8042, 40.0342),
                  thresholds=THRESHOLDS)
        self.zone("c2", "va", "cave", 2, box(94.8050, 40.0350, 94.8052, 40.0352),
                  thresholds=THRESHOLDS)

    def run(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)

    def zone(self, zone_id: str, parent: str | None, kind: str, capacity: int | None,
             geometry: dict[str, Any], **props: Any) -> None:
        properties = {"id": zone_id, "parent_id": parent, "kind": kind, **props}
        self.run("INSERT INTO zones (site_id, zone_id, version, current, parent_id, kind, "
                 "name_en, name_zh, capacity, initial_state, geometry, properties, imported_at) "
                 "VALUES ('testsite', :z, 1, 1, :p, :k, :en, :zh, :c, 'open', :g, :props, "
                 "'2026-01-01 00:00:00.000000')", z=zone_id, p=parent, k=kind,
                 en=f"Zone {zone_id}", zh=f"区域{zone_id}", c=capacity, g=json.dumps(geometry),
                 props=json.dumps(properties))

    def position(self, visitor: str, local: str, zone: str | None) -> None:
        self._n += 1
        self.run("INSERT INTO position_events (event_id, site_id, visitor_id, ts, lon, lat, "
                 "zone_id) VALUES (:e, 'testsite', :v, :ts, 94.805, 40.035, :z)",
                 e=f"p{self._n}", v=visitor, ts=utc_text(local), z=zone)

    def transitions(self, rows: list[tuple[str, str, str, str, float | None]]) -> None:
        """(visitor, zone, kind, local time, dwell_s) rows."""
        with self.engine.begin() as conn:
            conn.execute(text("INSERT INTO zone_transitions (site_id, visitor_id, zone_id, kind, "
                              "ts, dwell_s) VALUES ('testsite', :v, :z, :k, :ts, :d)"),
                         [{"v": v, "z": z, "k": k, "ts": utc_text(t), "d": d}
                          for v, z, k, t, d in rows])

    def kiosk(self, kiosk_id: str, zone: str) -> None:
        self.run("INSERT INTO kiosks (id, site_id, name, kind, zone_id, status, created_at, "
                 "online, next_seq, acked_seq) VALUES (:k, 'testsite', :name, 'vr', :z, "
                 "'approved', '2026-01-01 00:00:00.000000', 0, 1, 0)", k=kiosk_id,
                 name=f"Kiosk {kiosk_id}", z=zone)

    def session_event(self, kiosk: str, session: str, event: str, local: str, experience: str,
                      substitute_for: str | None = None, completion: float | None = None) -> None:
        self._n += 1
        self.run("INSERT INTO kiosk_session_events (event_id, kiosk_id, session_id, event, "
                 "experience_id, zone_id, substitute_for, completion, ts, received_at) VALUES "
                 "(:e, :k, :s, :ev, :x, NULL, :sub, :c, :ts, :ts)", e=f"k{self._n}", k=kiosk,
                 s=session, ev=event, x=experience, sub=substitute_for, c=completion,
                 ts=utc_text(local))

    def zone_state(self, zone: str, state: str, local: str) -> None:
        self.run("INSERT INTO audit_log (ts, actor, action, target, detail) VALUES (:ts, "
                 "'system', 'set_zone_state', :t, :d)", ts=utc_text(local), t=f"testsite/{zone}",
                 d=json.dumps({"state": state, "reason": "test"}))

    def sql(self) -> Iterator[Sql]:
        with self.engine.connect() as conn:
            yield Sql(conn)


