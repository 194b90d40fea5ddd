"""A zone's live capacity over the venue data's figure: set from a preservation report's
recommendation or by hand, cleared back to the venue data, every change kept and audited.

The override is stored by site and zone id, not by zone version, so it outlives
``load-venues``; the zone index (server/storage/zone_index.py) serves it as the zone's
capacity, which occupancy levels, alerts and the map then follow.

A report is a source only when it says so: a succeeded ``preservation_report`` run of the
zone's site whose results (``results.caves[<zone>].recommended_capacity``, written by
``analytics_notebooks/preservation_report.py``) recommend a figure for the zone, and the figure
set is at most that. Its facts (the figure, its 95 % interval, what limits it, the report's
window) are copied into the stored source, so the history reads the same if the run goes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import errors
from server.services import audit
from server.storage.models import ReportRun, ZoneCapacityChange, ZoneCapacityOverride, utcnow
from server.storage.zone_index import SiteZones

RECOMMENDING_NOTEBOOK = "preservation_report"
MANUAL: dict[str, Any] = {"manual": True}


class UnknownReportRun(errors.InvalidContent):
    """A capacity's source names a report run that does not exist."""

    code = "unknown_report_run"


class NotRecommended(errors.InvalidContent):
    """A capacity's source report does not recommend that capacity for that zone."""

    code = "not_recommended"


def zone_record(zones: SiteZones, zone_id: str) -> dict[str, Any]:
    """The zone's entry in the index, or 404 if it is not among the site's current zones."""
    zone = zones.zones.get(zone_id)
    if zone is None:
        raise errors.NotFound(f"no zone {zone_id!r} at site {zones.site_id!r}")
    return zone


def capacity_record(zones: SiteZones, zone_id: str) -> dict[str, Any]:
    """What the API answers of a zone's capacity: the figure in force, the venue data's, and
    who set an override, when, why and from what (all null without one)."""
    zone = zone_record(zones, zone_id)
    override = zone["capacity_override"] or {}
    return {"site_id": zones.site_id, "zone_id": zone_id, "capacity": zone["capacity"],
            "venue_capacity": zone["venue_capacity"],
            "capacity_source": zone["capacity_source"], "source": override.get("source"),
            "reason": override.get("reason"), "set_by": override.get("set_by"),
            "set_at": override.get("set_at")}


def set_capacity(session: Session, zones: SiteZones, zone_id: str, capacity: int,
                 source: dict[str, Any] | None, reason: str | None, actor: str, *,
                 now: datetime | None = None) -> ZoneCapacityOverride:
    """Put ``capacity`` in force for the zone over the venue data's figure, recording the
    change and an audit entry in the caller's transaction. ``source`` is ``{"manual": true}``
    (also when None) or ``{"report_run": id}``, checked against the run's results."""
    now = now or utcnow()
    previous = zone_record(zones, zone_id)["capacity"]
    if source is not None and "report_run" in source:
        stored = recommendation(session, zones.site_id, zone_id, str(source["report_run"]),
                                capacity)
    else:
        stored = dict(MANUAL)
    row = session.get(ZoneCapacityOverride, (zones.site_id, zone_id))
    if row is None:
        row = ZoneCapacityOverride(site_id=zones.site_id, zone_id=zone_id)
        session.add(row)
    row.capacity, row.source, row.reason, row.set_by, row.set_at = (capacity, stored, reason,
                                                                     actor, now)
    session.add(ZoneCapacityChange(site_id=zones.site_id, zone_id=zone_id, capacity=capacity,
                                   previous=previous, source=stored, reason=reason,
                                   changed_by=actor, at=now))
    audit.record(session, actor, "set_zone_capacity", f"{zones.site_id}/{zone_id}", at=now,
                 capacity=capacity, previous=previous, source=stored, reason=reason)
    session.flush()
    return row


def clear_capacity(session: Session, zones: SiteZones, zone_id: str, reason: str | None,
                   actor: str, *, now: datetime | None = None) -> None:
    """Go back to the venue data's figure: the override goes, the change is kept and audited;
    404 when the zone has no override."""
    now = now or utcnow()
    zone = zone_record(zones, zone_id)
    row = session.get(ZoneCapacityOverride, (zones.site_id, zone_id))
    if row is None:
        raise errors.NotFound(f"zone {zone_id!r} has no capacity set over the venue data's "
                              f"({zone['venue_capacity']})")
    previous = row.capacity
    session.delete(row)
    session.add(ZoneCapacityChange(site_id=zones.site_id, zone_id=zone_id, capacity=None,
                                   previous=previous, source=None, reason=reason,
                                   changed_by=actor, at=now))
    audit.record(session, actor, "clear_zone_capacity", f"{zones.site_id}/{zone_id}", at=now,
                 previous=previous, venue_capacity=zone["venue_capacity"], reason=reason)
    session.flush()


def history(session: Session, site_id: str, zone_id: str, limit: int) -> list[dict[str, Any]]:
    """The zone's capacity changes, newest first."""
    change = ZoneCapacityChange
    rows = session.scalars(select(change).where(change.site_id == site_id,
                                                change.zone_id == zone_id)
                           .order_by(change.at.desc(), change.id.desc()).limit(limit))
    return [{"capacity": c.capacity, "previous": c.previous, "source": c.source,
             "reason": c.reason, "changed_by": c.changed_by, "at": c.at.isoformat()}
            for c in rows]


def recommendation(session: Session, site_id: str, zone_id: str, run_id: str,
                   capacity: int) -> dict[str, Any]:
    """The stored source of a capacity taken from a report run: the run's recommendation for
    the zone, if the run is a succeeded preservation report of the site that makes one and
    ``capacity`` is at most that; otherwise the error that says which of these fails."""
    run = session.get(ReportRun, run_id) if len(run_id) <= 64 else None
    if run is None:
        raise UnknownReportRun(f"no report run {run_id!r}")
    if run.notebook != RECOMMENDING_NOTEBOOK:
        raise NotRecommended(f"report run {run_id} is a {run.notebook}; only a "
                             f"{RECOMMENDING_NOTEBOOK} recommends capacities")
    if run.status != "succeeded":
        raise NotRecommended(f"report run {run_id} is {run.status}; only a succeeded run "
                             f"recommends capacities")
    of_site = (run.parameters or {}).get("site_id")
    if of_site != site_id:
        raise NotRecommended(f"report run {run_id} is of site {of_site!r}, not {site_id!r}")
    results = run.results or {}
    cave = (results.get("caves") or {}).get(zone_id)
    figure = cave.get("recommended_capacity") if isinstance(cave, dict) else None
    if not _whole(figure):
        why = "it has no results for the zone" if not isinstance(cave, dict) else (
            cave.get("fit_note") or "its balance does not bound the zone's visitors")
        raise NotRecommended(f"report run {run_id} recommends no capacity for {zone_id!r} "
                             f"({why}); set one by hand with source {{\"manual\": true}}")
    figure = int(figure)  # type: ignore[arg-type]
    if capacity > figure:
        raise NotRecommended(f"report run {run_id} recommends at most {figure} for {zone_id!r}; "
                             f"{capacity} is above it (set a higher figure by hand)")
    assert isinstance(cave, dict)
    return {"report_run": run.id, "notebook": run.notebook, "recommended_capacity": figure,
            "recommended_capacity_ci95": cave.get("recommended_capacity_ci95"),
            "limiting": cave.get("limiting"), "start": results.get("start"),
            "end": results.get("end")}


def _whole(value: Any) -> bool:
    """Whether a results figure is a whole number of visitors (JSON may give 12 or 12.0)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and float(value).is_integer() and value >= 0)
