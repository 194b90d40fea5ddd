"""`load-venues`: read every venue folder, report every problem at once, import idempotently.

What operators set over the venue data is kept by site and zone id, not by zone version, so
it outlives an import: a zone's live state (``zone_states``) and a capacity set over the venue
data's figure (``zone_capacity_overrides``) stay in force when the zone gets a new version.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import errors
from server.services.venue_checks import check_zone_geometry
from server.services.venue_schema import (
    ExperienceSpec,
    KioskSpec,
    Problem,
    SensorSpec,
    SiteBundle,
    SiteConfig,
    ZoneProps,
    parse,
    read_json,
    visiting_problems,
)
from server.storage.models import (
    Basin,
    Experience,
    Kiosk,
    Sensor,
    Site,
    Zone,
    ZoneCapacityOverride,
)

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    sites: list[str] = field(default_factory=list)
    zones_added: int = 0
    zones_unchanged: int = 0
    zones_retired: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def read_venues(root: Path) -> tuple[list[dict[str, Any]], list[SiteBundle]]:
    """Read and validate the whole folder; raise VenueError listing every problem."""
    problems: list[Problem] = []
    if not root.is_dir():
        raise errors.VenueError(f"venue folder {root} does not exist")
    basins_doc = read_json(root / "basins.geojson", problems) or {}
    basins = [f for f in basins_doc.get("features", []) if isinstance(f, dict)]
    basin_ids = {str((b.get("properties") or {}).get("id", b.get("id"))) for b in basins}
    bundles = [_read_site(folder, basin_ids, problems)
               for folder in sorted(p for p in root.iterdir() if (p / "site.json").exists())]
    if not bundles:
        problems.append(Problem(str(root), None, "no site folders (each needs a site.json)"))
    if problems:
        raise errors.VenueError(f"{len(problems)} problem(s) in {root}",
                                details=[str(p) for p in problems])
    return basins, bundles


def _read_site(folder: Path, basin_ids: set[str], problems: list[Problem]) -> SiteBundle:
    bundle = SiteBundle(folder)
    site_file = folder / "site.json"
    bundle.site = parse(SiteConfig, read_json(site_file, problems), site_file, None, problems)
    if bundle.site and bundle.site.basin_id and bundle.site.basin_id not in basin_ids:
        problems.append(Problem(str(site_file), None, f"unknown basin_id {bundle.site.basin_id!r}"))
    zones_file = folder / "zones.geojson"
    bundle.zones = read_json(zones_file, problems)
    zone_ids: set[str] = set()
    if bundle.zones is not None:
        zone_ids = _check_zones(bundle, zones_file, problems)
    for name, model, key, target in (
        ("sensors.json", SensorSpec, "sensors", bundle.sensors),
        ("experiences.json", ExperienceSpec, "experiences", bundle.experiences),
        ("kiosks.json", KioskSpec, "kiosks", bundle.kiosks),
    ):
        path = folder / name
        if name == "kiosks.json" and not path.exists():
            continue
        doc = read_json(path, problems) or {}
        for i, item in enumerate(doc.get(key, [])):
            ident = str(item.get("id", f"#{i}")) if isinstance(item, dict) else f"#{i}"
            parsed = parse(model, item, path, ident, problems)
            if parsed is not None:
                target.append(parsed)
    _check_references(bundle, zone_ids, problems)
    return bundle


def _check_zones(bundle: SiteBundle, path: Path, problems: list[Problem]) -> set[str]:
    features = (bundle.zones or {}).get("features")
    if not isinstance(features, list):
        problems.append(Problem(str(path), None, "not a FeatureCollection"))
        return set()
    ids: set[str] = set()
    for i, feature in enumerate(features):
        props = (feature or {}).get("properties") or {}
        ident = str(props.get("id") or feature.get("id") or f"#{i}")
        if ident in ids:
            problems.append(Problem(str(path), ident, "duplicate zone id"))
        ids.add(ident)
        parse(ZoneProps, props, path, ident, problems)
    for message, feature in check_zone_geometry(bundle.zones or {}, bundle.site):
        problems.append(Problem(str(path), feature, message))
    return ids


def _check_references(bundle: SiteBundle, zone_ids: set[str], problems: list[Problem]) -> None:
    folder = bundle.folder
    experiences = {e.id for e in bundle.experiences}
    if bundle.site is not None:
        for message in visiting_problems(bundle.site, (bundle.zones or {}).get("features") or []):
            problems.append(Problem(str(folder / "site.json"), None, message))
    for s in bundle.sensors:
        if s.zone_id not in zone_ids:
            problems.append(Problem(str(folder / "sensors.json"), s.id, f"unknown zone {s.zone_id!r}"))
    for e in bundle.experiences:
        if e.substitute_for and e.substitute_for not in zone_ids:
            problems.append(Problem(str(folder / "experiences.json"), e.id,
                                    f"substitute_for names unknown zone {e.substitute_for!r}"))
    for k in bundle.kiosks:
        if k.zone_id and k.zone_id not in zone_ids:
            problems.append(Problem(str(folder / "kiosks.json"), k.id, f"unknown zone {k.zone_id!r}"))
    for feature in (bundle.zones or {}).get("features") or []:
        props = (feature or {}).get("properties") or {}
        sub = props.get("substitute_experience")
        if sub and sub not in experiences:
            problems.append(Problem(str(folder / "zones.geojson"), str(props.get("id")),
                                    f"substitute_experience names unknown experience {sub!r}"))
        for n in props.get("neighbours") or []:
            if n not in zone_ids:
                problems.append(Problem(str(folder / "zones.geojson"), str(props.get("id")),
                                        f"neighbour {n!r} is not a zone of this site"))


def _note_override(override: ZoneCapacityOverride | None, site_id: str, zone_id: str,
                   capacity: Any) -> None:
    """Say so when a new version of a zone comes in under a capacity set over its figure."""
    if override is not None:
        log.info("zone %s/%s: the venue data's capacity is now %s; the capacity of %s set by %s "
                 "stays in force", site_id, zone_id,
                 "derived from its area" if capacity is None else capacity, override.capacity,
                 override.set_by)


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def import_venues(session: Session, root: Path) -> ImportResult:
    """Validate everything first, then import in the caller's transaction (all or nothing)."""
    basins, bundles = read_venues(root)
    result = ImportResult()
    for b in basins:
        props = b.get("properties") or {}
        session.merge(Basin(id=str(props.get("id", b.get("id"))), name_en=props.get("name_en", ""),
                            name_zh=props.get("name_zh", ""), geometry=b.get("geometry") or {}))
    for bundle in bundles:
        assert bundle.site is not None
        _import_site(session, bundle, result)
        result.sites.append(bundle.site.id)
    return result


def _import_site(session: Session, bundle: SiteBundle, result: ImportResult) -> None:
    cfg = bundle.site
    assert cfg is not None
    site = session.get(Site, cfg.id) or Site(id=cfg.id, zones_version=0)
    site.basin_id, site.name_en, site.name_zh = cfg.basin_id, cfg.name_en, cfg.name_zh
    site.timezone, (site.center_lon, site.center_lat) = cfg.timezone, cfg.center
    site.daily_capacity = cfg.daily_capacity
    site.instantaneous_capacity = cfg.instantaneous_capacity
    site.config = cfg.model_dump(mode="json")
    session.add(site)
    session.flush()
    current = {z.zone_id: z for z in session.scalars(
        select(Zone).where(Zone.site_id == cfg.id, Zone.current.is_(True)))}
    latest = {zid: v for zid, v in session.execute(
        select(Zone.zone_id, Zone.version).where(Zone.site_id == cfg.id))}
    overrides = {o.zone_id: o for o in session.scalars(
        select(ZoneCapacityOverride).where(ZoneCapacityOverride.site_id == cfg.id))}
    seen: set[str] = set()
    changed = False
    for feature in (bundle.zones or {}).get("features", []):
        props = dict(feature.get("properties") or {})
        zid = str(props["id"])
        seen.add(zid)
        old = current.get(zid)
        if old is not None and _digest([old.geometry, old.properties]) == _digest(
                [feature["geometry"], props]):
            result.zones_unchanged += 1
            continue
        if old is not None:
            old.current = False
        version = max(latest.get(zid, 0), old.version if old else 0) + 1
        session.add(Zone(site_id=cfg.id, zone_id=zid, version=version, current=True,
                         parent_id=props.get("parent_id"), kind=props["kind"],
                         name_en=props["name_en"], name_zh=props["name_zh"],
                         capacity=props.get("capacity"), initial_state=props.get("state", "open"),
                         geometry=feature["geometry"], properties=props))
        _note_override(overrides.get(zid), cfg.id, zid, props.get("capacity"))
        result.zones_added += 1
        changed = True
    for zid, old in current.items():
        if zid not in seen:
            old.current = False
            result.zones_retired += 1
            changed = True
    if changed:
        site.zones_version += 1
    for s in bundle.sensors:
        session.merge(Sensor(id=s.id, site_id=cfg.id, zone_id=s.zone_id, measures=list(s.measures),
                             properties=s.model_dump(mode="json")))
    for e in bundle.experiences:
        session.merge(Experience(id=e.id, site_id=cfg.id, title_en=e.title_en, title_zh=e.title_zh,
                                 scene=e.scene, kind=e.kind, duration_s=e.duration_s,
                                 substitute_for=e.substitute_for,
                                 properties=e.model_dump(mode="json")))
    for k in bundle.kiosks:
        kiosk = session.get(Kiosk, k.id)
        if kiosk is None:  # demo kiosks are created once; their tokens are issued separately
            session.add(Kiosk(id=k.id, site_id=cfg.id, name=k.name, kind=k.kind, group=k.group,
                              zone_id=k.zone_id, lon=k.lon, lat=k.lat, status="approved"))
    session.flush()
