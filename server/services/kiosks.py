"""Creating kiosks and their credentials: registration, token checks and rotation (the CLI,
the pairing flow, the REST API and the demo use this)."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import errors
from server.domain.access import hash_token, new_token
from server.domain.fleet import KIOSK_KINDS
from server.services import audit
from server.storage.models import Kiosk, Site
from server.storage.zone_index import ZoneIndexCache


def create_kiosk(session: Session, site_id: str, lon: float, lat: float, kind: str = "exhibition",
                 name: str = "", group: str | None = None,
                 zones: ZoneIndexCache | None = None) -> tuple[str, str]:
    """Create an approved kiosk; returns (kiosk_id, token). The token is stored only hashed.

    With ``zones`` the kiosk is placed at once in the innermost zone at its point, so the map
    and the content rules know where it stands before the next occupancy update."""
    site = session.get(Site, site_id)
    if site is None:
        raise errors.NotFound(f"no site {site_id!r}")
    if kind not in KIOSK_KINDS:
        raise errors.InvalidContent("kind must be 'vr' or 'exhibition'")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise errors.InvalidContent("lon must lie in [-180, 180] and lat in [-90, 90]")
    kiosk_id = f"k-{secrets.token_hex(4)}"
    token = new_token("kt")
    zone_id = place(session, site, lon, lat, zones) if zones is not None else None
    session.add(Kiosk(id=kiosk_id, site_id=site_id, lon=lon, lat=lat, kind=kind, name=name,
                      group=group, zone_id=zone_id, status="approved",
                      token_hash=hash_token(token)))
    session.flush()
    return kiosk_id, token


def place(session: Session, site: Site, lon: float, lat: float,
          zones: ZoneIndexCache) -> str | None:
    """The innermost zone of the site at (lon, lat); None outside its zones or before any are
    loaded."""
    if not site.zones_version:
        return None
    return zones.get(session, site).index.classify_one(lon, lat)


def kiosk_for_token(session: Session, kiosk_id: str, token: str) -> Kiosk | None:
    """The approved kiosk with this id and token, or None."""
    kiosk = session.scalar(select(Kiosk).where(Kiosk.id == kiosk_id,
                                               Kiosk.token_hash == hash_token(token)))
    if kiosk is None or kiosk.status != "approved":
        return None
    return kiosk


def rotate_token(session: Session, kiosk_id: str, actor: str) -> str:
    """Issue a new token to an approved kiosk, replacing any it had; returns it (shown once).

    The old token stops working at the commit; the caller closes the kiosk's open connection
    (``Hub.disconnect``), and its pending commands stay pending for its next connection."""
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise errors.NotFound(f"no kiosk {kiosk_id!r}")
    if kiosk.status != "approved":
        raise errors.Conflict(f"kiosk {kiosk_id} is {kiosk.status}; only an approved kiosk "
                              f"gets a token (approve a pending one with its pairing code)")
    token = new_token("kt")
    first = kiosk.token_hash is None
    kiosk.token_hash = hash_token(token)
    audit.record(session, actor, "rotate_kiosk_token", kiosk_id, first=first)
    return token
