"""A site as stored: its row in ``sites``, its current zones (a tree), sensors and experiences."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analytics_notebooks.db import Sql

DEFAULT_TIERS = {"divert": 0.8, "stop": 1.0}


class UnknownSite(LookupError):
    """The report names a site the database does not hold."""


@dataclass
class Site:
    """A site's names, time zone, capacities and configuration (``site.json`` as imported)."""

    id: str
    name_en: str
    name_zh: str
    timezone: str
    center: tuple[float, float]
    daily_capacity: int | None
    instantaneous_capacity: int | None
    config: dict[str, Any] = field(default_factory=dict)

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name_en

    @property
    def emergency_daily_capacity(self) -> int | None:
        value = self.config.get("emergency_daily_capacity")
        return int(value) if isinstance(value, int | float) else None

    @property
    def tiers(self) -> dict[str, float]:
        """Capacity tiers as ratios: ``{"divert": 0.8, "stop": 1.0}`` unless configured."""
        tiers = {t.get("level"): t.get("ratio") for t in self.config.get("capacity_tiers") or []
                 if isinstance(t, dict)}
        out = {}
        for level, default in DEFAULT_TIERS.items():
            value = tiers.get(level)
            out[level] = float(value) if isinstance(value, int | float) else default
        return out

    @property
    def construction_limits(self) -> dict[str, Any]:
        return dict(self.config.get("construction_limits") or {})


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def load_site(sql: Sql, site_id: str) -> Site:
    """The site's row; raise :class:`UnknownSite` listing the sites the database holds."""
    rows = sql.rows("SELECT id, name_en, name_zh, timezone, center_lon, center_lat, "
                    "daily_capacity, instantaneous_capacity, config FROM sites WHERE id = :site",
                    site=site_id)
    if not rows:
        known = [r[0] for r in sql.rows("SELECT id FROM sites ORDER BY id")]
        raise UnknownSite(f"no site {site_id!r} in the database (sites: "
                          f"{', '.join(known) or 'none'})")
    r = rows[0]
    return Site(r[0], r[1], r[2], r[3], (float(r[4] or 0.0), float(r[5] or 0.0)),
                None if r[6] is None else int(r[6]), None if r[7] is None else int(r[7]),
                _json(r[8]) or {})


def load_zones(sql: Sql, site_id: str) -> pd.DataFrame:
    """The site's current zones, one row each, with tree depth and parsed JSON columns."""
    rows = sql.rows("SELECT zone_id, parent_id, kind, name_en, name_zh, capacity, geometry, "
                    "properties FROM zones WHERE site_id = :site AND current = :yes "
                    "ORDER BY zone_id", site=site_id, yes=True)
    frame = pd.DataFrame(rows, columns=["zone_id", "parent_id", "kind", "name_en", "name_zh",
                                        "capacity", "geometry", "properties"])
    frame["geometry"] = [_json(g) for g in frame["geometry"]]
    frame["properties"] = [_json(p) or {} for p in frame["properties"]]
    frame["capacity"] = pd.Series([None if pd.isna(c) else int(c) for c in frame["capacity"]],
                                  dtype=object)
    frame["thresholds"] = [p.get("thresholds") or {} for p in frame["properties"]]
    parents = dict(zip(frame["zone_id"], frame["parent_id"], strict=True))
    frame["depth"] = [len(ancestors(parents, z)) for z in frame["zone_id"]]
    return frame


def ancestors(parents: dict[str, Any], zone_id: str) -> list[str]:
    """The zone's ancestors, nearest first (a cycle or a missing parent ends the walk)."""
    out: list[str] = []
    node = parents.get(zone_id)
    while isinstance(node, str) and node in parents and node not in out and node != zone_id:
        out.append(node)
        node = parents.get(node)
    return out


def rollup_pairs(zones: pd.DataFrame) -> list[tuple[str, str]]:
    """``(zone, target)`` for each zone and each of its ancestors: a visitor counted in a zone
    is counted in every zone that contains it (occupancy rolls up the tree)."""
    parents = dict(zip(zones["zone_id"], zones["parent_id"], strict=True))
    return [(z, t) for z in zones["zone_id"] for t in [z, *ancestors(parents, z)]]


def zone_label(zones: pd.DataFrame, language: str) -> dict[str, str]:
    """Each zone's display name in the report's language."""
    column = "name_zh" if language == "zh" else "name_en"
    return {z: (n or z) for z, n in zip(zones["zone_id"], zones[column], strict=True)}


def load_sensors(sql: Sql, site_id: str) -> pd.DataFrame:
    rows = sql.rows("SELECT id, zone_id FROM sensors WHERE site_id = :site ORDER BY id",
                    site=site_id)
    return pd.DataFrame(rows, columns=["sensor_id", "zone_id"])


def load_experiences(sql: Sql, site_id: str) -> pd.DataFrame:
    rows = sql.rows("SELECT id, title_en, title_zh, kind, duration_s, substitute_for "
                    "FROM experiences WHERE site_id = :site ORDER BY id", site=site_id)
    return pd.DataFrame(rows, columns=["experience_id", "title_en", "title_zh", "kind",
                                       "duration_s", "substitute_for"])


def load_kiosks(sql: Sql, site_id: str) -> pd.DataFrame:
    rows = sql.rows("SELECT id, name, kind, zone_id FROM kiosks WHERE site_id = :site "
                    "ORDER BY id", site=site_id)
    return pd.DataFrame(rows, columns=["kiosk_id", "name", "kind", "zone_id"])
