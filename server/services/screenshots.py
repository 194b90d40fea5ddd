"""Kiosk screenshots: who may upload one, checking that the body is the image it says it is,
and keeping each kiosk's last one.

A kiosk uploads over HTTP with its own token rather than over its socket: a frame is larger
than a Socket.IO message may be (``LANTERN_SOCKET_MAX_FRAME``, 64 KiB)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import errors
from server.domain.access import hash_token
from server.domain.fleet import MAX_SCREENSHOT_BYTES, SCREENSHOT_TYPES
from server.services import tokens
from server.storage.models import Kiosk, KioskScreenshot

MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
FORMAT = {"image/png": "PNG", "image/jpeg": "JPEG"}
MAX_SIDE = 8192  # pixels: more is no kiosk's frame, and decoding it would cost the server


@dataclass(frozen=True)
class Image:
    content_type: str
    width: int
    height: int


def uploader(session: Session, kiosk_id: str, authorization: str) -> Kiosk:
    """The approved kiosk ``kiosk_id`` if the bearer token is its own; a kiosk uploads only
    its own screenshot, and no user or API token uploads one."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthenticated("send the kiosk's own token: 'Authorization: Bearer <token>'")
    token = token.strip()
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise errors.NotFound(f"no kiosk {kiosk_id!r}")
    holder = session.scalar(select(Kiosk).where(Kiosk.token_hash == hash_token(token)))
    if holder is not None and holder.id == kiosk_id and holder.status == "approved":
        return holder
    if holder is not None and holder.status == "approved":
        raise errors.Forbidden(f"kiosk {holder.id} may upload only its own screenshot")
    try:
        tokens.authenticate(session, token)
    except errors.Unauthenticated:
        raise errors.Unauthenticated("the kiosk token is unknown or revoked") from None
    raise errors.Forbidden(f"only kiosk {kiosk_id} uploads its screenshot, with its own token")


def read_image(data: bytes, content_type: str) -> Image:
    """The size of a PNG or JPEG body whose bytes are what ``content_type`` says; else an
    error naming what is wrong."""
    kind = content_type.split(";")[0].strip().lower()
    if kind not in SCREENSHOT_TYPES:
        raise errors.UnsupportedMediaType(
            f"send image/png or image/jpeg, not {kind or 'no content type'}")
    if len(data) > MAX_SCREENSHOT_BYTES:
        raise errors.TooLarge(f"a screenshot takes at most {MAX_SCREENSHOT_BYTES} bytes, "
                              f"this one {len(data)}")
    if not data.startswith(MAGIC[kind]):
        raise errors.InvalidImage(f"the body is not a {FORMAT[kind]} image "
                                  f"(its first bytes are not a {FORMAT[kind]} signature)")
    from PIL import Image as Pillow
    from PIL import UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Pillow.DecompressionBombWarning)
            with Pillow.open(io.BytesIO(data), formats=[FORMAT[kind]]) as image:
                width, height = image.size
                if max(width, height) > MAX_SIDE:
                    raise errors.InvalidImage(f"a screenshot is at most {MAX_SIDE} pixels a "
                                              f"side, this one {width}x{height}")
                image.load()  # decodes it whole: a truncated or corrupt body is refused here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Pillow.DecompressionBombWarning, Pillow.DecompressionBombError) as exc:
        raise errors.InvalidImage(f"the body is not a readable {FORMAT[kind]} image: "
                                  f"{str(exc)[:200]}") from None
    return Image(kind, width, height)


def store(session: Session, kiosk_id: str, image: Image, data: bytes,
          taken_at: datetime) -> KioskScreenshot:
    """Keep ``data`` as the kiosk's last screenshot, replacing the one before."""
    row = session.get(KioskScreenshot, kiosk_id)
    if row is None:
        row = KioskScreenshot(kiosk_id=kiosk_id)
        session.add(row)
    row.content_type, row.data = image.content_type, data
    row.width, row.height, row.taken_at = image.width, image.height, taken_at
    session.flush()
    return row


def last(session: Session, kiosk_id: str) -> KioskScreenshot:
    """The kiosk's last screenshot; NoScreenshot when it has none (NotFound: no such kiosk)."""
    row = session.get(KioskScreenshot, kiosk_id)
    if row is not None:
        return row
    if session.get(Kiosk, kiosk_id) is None:
        raise errors.NotFound(f"no kiosk {kiosk_id!r}")
    raise errors.NoScreenshot(f"kiosk {kiosk_id} has not uploaded a screenshot yet")


def screenshot_times(session: Session) -> dict[str, str]:
    """When each kiosk's last screenshot was taken (ISO), without reading the images."""
    rows = session.execute(select(KioskScreenshot.kiosk_id, KioskScreenshot.taken_at))
    return {kiosk_id: taken.isoformat() for kiosk_id, taken in rows}
