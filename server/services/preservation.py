"""Sensor readings in; microclimate alerts raised and cleared; caves closed and reopened.

Nothing is kept in memory between requests: each batch is stored, then every rule of every zone
it touched is decided again from the stored readings and the stored alerts (server/domain/alerts.py),
so several server processes agree and the alert state survives a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server import errors
from server.domain.alerts import (
    METRICS,
    AlertChange,
    AlertState,
    Reading,
    Rule,
    evaluate,
    message,
    rules_from_thresholds,
    zone_after_alerts,
)
from server.services import audit
from server.services.zones import set_zone_state
from server.storage.database import Database, sane
from server.storage.models import Alert, Sensor, SensorReading, Site, Zone, ZoneState, utcnow

log = logging.getLogger(__name__)

DEFAULT_HORIZON_S = 900.0
ZoneChange = tuple[str, str, str, str | None]  # site_id, zone_id, state, reason


def no_op(*_args: Any) -> None:
    """The default hook: nobody is listening."""


@dataclass
class ReadingsResult:
    accepted: int
    duplicates: int
    alerts: list[dict[str, Any]] = field(default_factory=list)  # alert changes, oldest first
    zone_changes: list[ZoneChange] = field(default_factory=list)
    readings: list[dict[str, Any]] = field(default_factory=list)  # the newly stored ones


def record_readings(db: Database, site_id: str, items: Sequence[Mapping[str, Any]], *,
                    max_batch: int, now: datetime | None = None,
                    horizon_s: float = DEFAULT_HORIZON_S,
                    on_zone_change: Callable[[str, str, str, str | None], None] = no_op,
                    on_alert: Callable[[dict[str, Any]], None] = no_op,
                    on_readings: Callable[[str, list[dict[str, Any]]], None] = no_op
                    ) -> ReadingsResult:
    """Store a batch and decide its alerts in one transaction; after the commit, call the hooks:
    the newly stored readings first (a chart has the reading before the alert it raised).

    ``now`` is the clock alerts act on (the server's, or a history's); ``horizon_s`` how old a
    reading may be and still raise or clear an alert."""
    with db.transaction() as session:
        result = ingest_readings(session, site_id, items, max_batch=max_batch, now=now,
                                 horizon_s=horizon_s)
    if result.readings:
        call_hook(on_readings, site_id, result.readings)
    for change in result.alerts:
        call_hook(on_alert, change)
    for zone_change in result.zone_changes:
        call_hook(on_zone_change, *zone_change)
    return result


def call_hook(hook: Callable[..., None], *args: Any) -> None:
    # The batch is committed and acknowledged; a failing listener must not turn that into an error.
    try:
        hook(*args)
    except Exception:
        log.exception("preservation hook %r failed", hook)


def ingest_readings(session: Session, site_id: str, items: Sequence[Mapping[str, Any]], *,
                    max_batch: int, now: datetime | None = None,
                    horizon_s: float = DEFAULT_HORIZON_S) -> ReadingsResult:
    """Store a batch (once per event_id) and apply the alert rules, in the caller's transaction."""
    site = session.get(Site, site_id)
    if site is None:
        raise errors.NotFound(f"no site {site_id!r}")
    if len(items) > max_batch:
        raise errors.InvalidContent(f"at most {max_batch} readings a request, got {len(items)}")
    sensors = {sid: zid for sid, zid in session.execute(
        select(Sensor.id, Sensor.zone_id).where(Sensor.site_id == site_id))}
    unknown = sorted({str(i["sensor_id"]) for i in items} - sensors.keys())
    if unknown:
        raise errors.InvalidContent(f"{len(unknown)} unknown sensor(s) at site {site_id!r}: "
                                    + ", ".join(unknown[:20]), details=unknown)
    if not items:
        return ReadingsResult(0, 0)
    # One batch of a site at a time decides its alerts (PostgreSQL; SQLite has one writer anyway).
    session.execute(select(Site.id).where(Site.id == site_id).with_for_update())
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        rows.setdefault(item["event_id"], {
            "event_id": item["event_id"], "site_id": site_id, "sensor_id": item["sensor_id"],
            "zone_id": sensors[item["sensor_id"]], "ts": item["ts"],
            **{m: item.get(m) for m in METRICS}})
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(SensorReading.__table__)
                 .on_conflict_do_nothing(index_elements=["site_id", "event_id"])
                 .returning(SensorReading.sensor_id, SensorReading.zone_id, SensorReading.ts,
                            *(getattr(SensorReading, m) for m in METRICS)))
    earliest: dict[str, datetime] = {}  # per zone, its earliest newly stored reading
    stored = []
    for sensor_id, zone_id, ts, *values in session.execute(statement, list(rows.values())):
        earliest[zone_id] = min(ts, earliest.get(zone_id, ts))
        stored.append({"sensor_id": sensor_id, "zone_id": zone_id, "ts": ts.astimezone(UTC).isoformat(),
                       **dict(zip(METRICS, values, strict=True))})
    stored.sort(key=lambda r: r["ts"])
    result = ReadingsResult(len(stored), len(items) - len(stored), readings=stored)
    if earliest:
        _decide(session, site, sensors, earliest, result, now or utcnow(), horizon_s)
    return result


def _decide(session: Session, site: Site, sensors: dict[str, str], earliest: dict[str, datetime],
            result: ReadingsResult, now: datetime, horizon_s: float) -> None:
    """Re-decide every rule of each zone that got new readings; close or reopen caves.

    Alerts act on the present: a reading older than ``horizon_s`` may extend a run but not
    complete a raise or a clear, and nothing later than ``now`` is looked at. A week-old reading
    replayed by a gateway is stored (reports show it) and decides nothing now."""
    present = now - timedelta(seconds=horizon_s)
    zones = {z.zone_id: z for z in session.scalars(select(Zone).where(
        Zone.site_id == site.id, Zone.current.is_(True), Zone.zone_id.in_(list(earliest))))}
    for zone_id in sorted(earliest):
        zone = zones.get(zone_id)
        rules = rules_from_thresholds((zone.properties or {}).get("thresholds")) if zone else []
        if zone is None or not rules:
            continue
        zone_sensors = sorted(s for s, z in sensors.items() if z == zone_id)
        since = max(earliest[zone_id], present) - timedelta(seconds=max(r.hold_s for r in rules))
        series = _readings(session, zone_sensors, sorted({r.metric for r in rules}), since, now)
        changed = False
        for rule in rules:
            alert = _latest_alert(session, site.id, zone_id, rule)
            state = (AlertState(True, _decided(alert.raised_at, now))
                     if alert is not None and alert.state == "raised"
                     else AlertState(False, _decided(alert.cleared_at, now)
                                     if alert is not None else None))
            for step in evaluate(rule, series[rule.metric], state, not_before=present):
                alert = _apply(session, site.id, zone, alert, step)
                result.alerts.append(alert_dict(alert, step.change))
                changed = True
        if changed and zone.kind == "cave":
            _close_or_reopen(session, site, zone, result, now)


def _decided(at: datetime | None, now: datetime) -> datetime | None:
    """Readings up to ``at`` are decided; an alert dated ahead of the clock (stored before event
    times were checked) decides nothing, or it would make every present reading look decided."""
    return at if at is not None and at <= now else None


def _latest_alert(session: Session, site_id: str, zone_id: str, rule: Rule) -> Alert | None:
    return session.scalar(select(Alert).where(
        Alert.site_id == site_id, Alert.zone_id == zone_id, Alert.kind == "microclimate",
        Alert.subject == rule.subject).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(1))


def _readings(session: Session, sensor_ids: list[str], metrics: list[str],
              since: datetime, until: datetime) -> dict[str, list[Reading]]:
    """Per metric, the zone's readings from ``since`` to ``until``, plus the last one before
    (a hold's start).

    Readings of a zone's several sensors interleave by time (ties by event_id, so every process
    sees the same order). Rows dated outside what a timestamp can hold are never read.
    """
    in_zone = SensorReading.sensor_id.in_(sensor_ids) & sane(SensorReading.ts) & (
        SensorReading.ts <= until)
    order = (SensorReading.ts, SensorReading.event_id)
    rows = session.execute(select(SensorReading.ts, *(getattr(SensorReading, m) for m in metrics))
                           .where(in_zone, SensorReading.ts >= since).order_by(*order)).all()
    out: dict[str, list[Reading]] = {}
    for i, metric in enumerate(metrics, start=1):
        column = getattr(SensorReading, metric)
        before = session.execute(select(SensorReading.ts, column).where(
            in_zone, column.is_not(None), SensorReading.ts < since)
            .order_by(*(c.desc() for c in order)).limit(1)).all()
        out[metric] = [Reading(ts, float(value)) for ts, value in before] + [
            Reading(row[0], float(row[i])) for row in rows if row[i] is not None]
    return out


def _apply(session: Session, site_id: str, zone: Zone, alert: Alert | None,
           step: AlertChange) -> Alert:
    rule = step.rule
    if step.change == "raised":
        alert = Alert(site_id=site_id, zone_id=zone.zone_id, kind="microclimate", metric=rule.metric,
                      subject=rule.subject, state="raised", value=step.value,
                      threshold=rule.limit, raised_at=step.ts,
                      message=message(rule, zone.name_en, zone.zone_id, step.value))
        session.add(alert)
    else:
        assert alert is not None, "a clear needs the open alert"
        alert.state, alert.cleared_at = "cleared", step.ts
    session.flush()
    return alert


def _close_or_reopen(session: Session, site: Site, zone: Zone, result: ReadingsResult,
                     now: datetime) -> None:
    open_metrics = session.scalars(select(Alert.metric).where(
        Alert.site_id == site.id, Alert.zone_id == zone.zone_id, Alert.kind == "microclimate",
        Alert.state == "raised")).all()
    row = session.get(ZoneState, (site.id, zone.zone_id))
    state, reason = (row.state, row.reason) if row is not None else (zone.initial_state, None)
    decision = zone_after_alerts(state, reason, [m for m in open_metrics if m],
                                 str(site.config.get("reopen", "operator")))
    if decision is None:
        return
    set_zone_state(session, site.id, zone.zone_id, decision.state, decision.reason, "system",
                   now=now, cause="microclimate")
    result.zone_changes.append((site.id, zone.zone_id, decision.state, decision.reason))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def alert_dict(alert: Alert, change: str | None = None) -> dict[str, Any]:
    """An alert as the API and the realtime channel show it (with ``change`` when it just moved)."""
    out: dict[str, Any] = {
        "id": alert.id, "site_id": alert.site_id, "zone_id": alert.zone_id, "kind": alert.kind,
        "metric": alert.metric, "subject": alert.subject, "state": alert.state,
        "value": alert.value, "threshold": alert.threshold, "message": alert.message,
        "raised_at": _iso(alert.raised_at), "cleared_at": _iso(alert.cleared_at),
        "acknowledged_at": _iso(alert.acknowledged_at), "acknowledged_by": alert.acknowledged_by}
    if change is not None:
        out["change"] = change
    return out


def list_alerts(session: Session, site_id: str, state: str = "raised", limit: int = 100, *,
                kind: str | None = None, zone: str | None = None,
                acknowledged: bool | None = None, start: datetime | None = None,
                end: datetime | None = None) -> list[dict[str, Any]]:
    """The site's alerts, newest first; ``state`` is raised, cleared or all; the others filter
    by kind, zone, acknowledgement and when they were raised (``start`` <= raised_at < ``end``)."""
    if session.get(Site, site_id) is None:
        raise errors.NotFound(f"no site {site_id!r}")
    query = select(Alert).where(Alert.site_id == site_id, sane(Alert.raised_at))
    if state != "all":
        query = query.where(Alert.state == state)
    if kind is not None:
        query = query.where(Alert.kind == kind)
    if zone is not None:
        query = query.where(Alert.zone_id == zone)
    if acknowledged is not None:
        query = query.where(Alert.acknowledged_at.is_not(None) if acknowledged
                            else Alert.acknowledged_at.is_(None))
    if start is not None:
        query = query.where(Alert.raised_at >= start)
    if end is not None:
        query = query.where(Alert.raised_at < end)
    rows = session.scalars(query.order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit))
    return [alert_dict(a) for a in rows]


def acknowledge(session: Session, alert_id: int, actor: str) -> tuple[dict[str, Any], bool]:
    """Record who acknowledged the alert and when; a second ack changes nothing (returns False)."""
    alert = session.get(Alert, alert_id) if 0 < alert_id < 2**63 else None
    if alert is None:
        raise errors.NotFound(f"no alert {alert_id}")
    if alert.acknowledged_at is not None:
        return alert_dict(alert), False
    alert.acknowledged_at, alert.acknowledged_by = utcnow(), actor
    audit.record(session, actor, "acknowledge_alert", str(alert_id), site_id=alert.site_id,
                 zone_id=alert.zone_id, subject=alert.subject)
    session.flush()
    return alert_dict(alert, "acknowledged"), True


def sensors_with_thresholds(session: Session, site_id: str) -> list[dict[str, Any]]:
    """The site's sensors, each with the alert rules of its zone for what it measures: the
    limits a chart draws are the ones the alerts apply."""
    if session.get(Site, site_id) is None:
        raise errors.NotFound(f"no site {site_id!r}")
    rules = {z.zone_id: rules_from_thresholds((z.properties or {}).get("thresholds"))
             for z in session.scalars(select(Zone).where(Zone.site_id == site_id,
                                                         Zone.current.is_(True)))}
    return [{"id": s.id, "zone_id": s.zone_id, "measures": s.measures,
             "thresholds": [{"metric": r.metric, "bound": r.bound, "limit": r.limit,
                             "hold_s": r.hold_s, "hysteresis": r.hysteresis}
                            for r in rules.get(s.zone_id, []) if r.metric in s.measures]}
            for s in session.scalars(select(Sensor).where(Sensor.site_id == site_id)
                                     .order_by(Sensor.id))]


def sensor_readings(session: Session, site_id: str, sensor_id: str, start: datetime,
                    end: datetime, limit: int) -> dict[str, Any]:
    """A sensor's readings from ``start`` to ``end``, oldest first. When more than ``limit``
    lie there, every k-th reading (k as small as fits) and the newest are returned, so a chart
    still spans the whole window; the thinning runs in the database."""
    sensor = session.get(Sensor, sensor_id)
    if sensor is None or sensor.site_id != site_id:
        raise errors.NotFound(f"no sensor {sensor_id!r} at site {site_id!r}")
    r = SensorReading
    window = (r.sensor_id == sensor_id) & (r.ts >= start) & (r.ts < end)
    total = int(session.scalar(select(func.count()).select_from(r).where(window)) or 0)
    columns = (r.ts, *(getattr(r, m) for m in METRICS))
    order = (r.ts, r.event_id)
    if total <= limit:
        query = select(*columns).where(window).order_by(*order)
    else:
        rank = func.row_number().over(order_by=order).label("rank")
        ranked = select(*columns, rank).where(window).subquery()
        step = -(-(total - 1) // (limit - 1)) if limit > 1 else total  # the smallest that fits
        query = (select(*(ranked.c[c.key] for c in columns))
                 .where(((ranked.c.rank - 1) % step == 0) | (ranked.c.rank == total))
                 .order_by(ranked.c.rank))
        if limit == 1:
            query = query.where(ranked.c.rank == total)
    rows = [{"ts": ts.astimezone(UTC).isoformat(), **dict(zip(METRICS, values, strict=True))}
            for ts, *values in session.execute(query)]
    return {"sensor_id": sensor_id, "zone_id": sensor.zone_id, "readings": rows,
            "truncated": total > len(rows)}
