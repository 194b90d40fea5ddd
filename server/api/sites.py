"""Sites, their zones (GeoJSON), sensors (with their readings) and experiences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app, request
from spectree import Response
from sqlalchemy import select

from server import errors
from server.api import api
from server.auth import require
from server.extensions import api_spec
from server.schemas import (
    ErrorEnvelope,
    ExperienceList,
    FeatureCollection,
    SiteList,
    SiteOut,
)
from server.schemas.venue import ReadingsQuery, SensorDetailList, SensorReadings, WindowQuery
from server.services import preservation
from server.services.presence import occupancy
from server.services.zones import live_feature_collection
from server.storage.models import Basin, Experience, Site, utcnow

NOT_FOUND = {"HTTP_401": ErrorEnvelope, "HTTP_403": ErrorEnvelope, "HTTP_404": ErrorEnvelope}
QUERY_ERRORS = {**NOT_FOUND, "HTTP_422": ErrorEnvelope}
LONGEST_READINGS_WINDOW = timedelta(days=31)


def _db():  # type: ignore[no-untyped-def]
    return current_app.extensions["lantern"].db


def get_site(session, site_id: str) -> Site:  # type: ignore[no-untyped-def]
    site = session.get(Site, site_id)
    if site is None:
        raise errors.NotFound(f"no site {site_id!r}")
    return site


def time_window(query: WindowQuery, longest: timedelta | None = None,
                default: timedelta = timedelta(days=1)) -> tuple[datetime, datetime]:
    """The query's window: ``to`` (default now) and ``from`` (default ``default`` before it).
    Given ``longest``, a window that is empty, backwards or longer is refused (422); without,
    such a window simply holds nothing."""
    end = query.to or utcnow()
    start = query.from_ or (end - default if end - datetime.min.replace(tzinfo=UTC) > default
                            else datetime.min.replace(tzinfo=UTC))
    if longest is None:
        return start, end
    if start >= end:
        raise errors.InvalidContent(f"'from' ({start.isoformat()}) must be before 'to' "
                                    f"({end.isoformat()})")
    if end - start > longest:
        raise errors.InvalidContent(f"the window from {start.isoformat()} to {end.isoformat()} "
                                    f"is longer than {longest.days} days")
    return start, end


def _site_out(site: Site, basin: Basin | None) -> dict:
    return {
        "id": site.id, "name_en": site.name_en, "name_zh": site.name_zh,
        "basin_id": site.basin_id, "basin_name_en": basin.name_en if basin else None,
        "timezone": site.timezone, "center": (site.center_lon, site.center_lat),
        "daily_capacity": site.daily_capacity,
        "instantaneous_capacity": site.instantaneous_capacity,
        "capacity_tiers": site.config.get("capacity_tiers", []),
        "zones_version": site.zones_version,
    }


@api.get("/sites")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=SiteList, **NOT_FOUND), tags=["sites"])
def list_sites():  # type: ignore[no-untyped-def]
    """Every site with its basin, timezone and capacities."""
    with _db().open_session() as session:
        rows = session.execute(select(Site, Basin).outerjoin(Basin, Site.basin_id == Basin.id)
                               .order_by(Site.id)).all()
        return {"sites": [_site_out(site, basin) for site, basin in rows]}


@api.get("/sites/<site_id>")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=SiteOut, **NOT_FOUND), tags=["sites"])
def show_site(site_id: str):  # type: ignore[no-untyped-def]
    """One site."""
    with _db().open_session() as session:
        site = get_site(session, site_id)
        return _site_out(site, session.get(Basin, site.basin_id) if site.basin_id else None)


@api.get("/sites/<site_id>/zones")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=FeatureCollection, **NOT_FOUND), tags=["sites"])
def site_zones(site_id: str):  # type: ignore[no-untyped-def]
    """The site's current zones as a GeoJSON FeatureCollection with live state and occupancy."""
    state = current_app.extensions["lantern"]
    state.presence.flush()
    with state.db.open_session() as session:
        site = get_site(session, site_id)
        site_zones = state.zone_index.get(session, site)
        counts = {r["zone_id"]: r["count"] for r in occupancy(session, site_zones)}
        return live_feature_collection(session, site, site_zones, counts)


@api.get("/sites/<site_id>/sensors")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=SensorDetailList, **NOT_FOUND), tags=["sites"])
def site_sensors(site_id: str):  # type: ignore[no-untyped-def]
    """The site's sensors, what each measures, and the alert thresholds of its zone."""
    with _db().open_session() as session:
        return {"sensors": preservation.sensors_with_thresholds(session, site_id)}


@api.get("/sites/<site_id>/sensors/<sensor_id>/readings")
@require("read")
@api_spec.validate(query=ReadingsQuery, resp=Response(HTTP_200=SensorReadings, **QUERY_ERRORS),
                   tags=["preservation"])
def sensor_readings(site_id: str, sensor_id: str):  # type: ignore[no-untyped-def]
    """A sensor's readings in a window (default the last 24 h, at most 31 days), oldest first;
    past ``limit``, thinned evenly over the window (``truncated``)."""
    query: ReadingsQuery = request.context.query  # type: ignore[attr-defined]
    start, end = time_window(query, LONGEST_READINGS_WINDOW)
    with _db().open_session() as session:
        get_site(session, site_id)
        return preservation.sensor_readings(session, site_id, sensor_id, start, end, query.limit)


@api.get("/experiences")
@require("read")
@api_spec.validate(resp=Response(HTTP_200=ExperienceList, **NOT_FOUND), tags=["experiences"])
def list_experiences():  # type: ignore[no-untyped-def]
    """Every experience of every site."""
    with _db().open_session() as session:
        rows = session.scalars(select(Experience).order_by(Experience.site_id, Experience.id))
        return {"experiences": [
            {"id": e.id, "site_id": e.site_id, "title_en": e.title_en, "title_zh": e.title_zh,
             "scene": e.scene, "kind": e.kind, "duration_s": e.duration_s,
             "substitute_for": e.substitute_for} for e in rows]}


@api.get("/experiences/<experience_id>/preview.png")
@require("read")
@api_spec.validate(resp=Response("HTTP_200", HTTP_503=ErrorEnvelope, HTTP_422=ErrorEnvelope,
                                 **NOT_FOUND), tags=["experiences"])
def experience_preview(experience_id: str):  # type: ignore[no-untyped-def]
    """A PNG of the experience's scene at a waypoint (?waypoint=N, default 0), rendered offscreen."""
    from flask import Response as FlaskResponse
    from flask import request

    try:
        waypoint = int(request.args.get("waypoint", "0"))
    except ValueError:
        raise errors.InvalidContent("waypoint must be a whole number") from None
    if not 0 <= waypoint <= 100:
        raise errors.InvalidContent("waypoint must lie in 0..100")
    state = current_app.extensions["lantern"]
    with state.db.open_session() as session:
        experience = session.get(Experience, experience_id)
        if experience is None:
            raise errors.NotFound(f"no experience {experience_id!r}")
        scene = experience.scene
    png = state.previews.png(scene, waypoint)
    response = FlaskResponse(png, mimetype="image/png")
    response.headers["Cache-Control"] = "max-age=300"
    return response
