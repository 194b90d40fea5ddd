"""A kiosk's last screenshot: the kiosk uploads it with its own token, readers fetch it."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import request
from spectree import Response

from server import errors
from server.api import api, lantern
from server.auth import require
from server.domain.fleet import MAX_SCREENSHOT_BYTES
from server.extensions import api_spec
from server.schemas import ErrorEnvelope
from server.schemas.fleet import ScreenshotOut
from server.services import screenshots
from server.storage.models import Kiosk, utcnow

UPLOAD_ERRORS = {f"HTTP_{s}": ErrorEnvelope for s in (401, 403, 404, 413, 415, 422)}


@api.put("/kiosks/<kiosk_id>/screenshot")
@api_spec.validate(resp=Response(HTTP_200=ScreenshotOut, **UPLOAD_ERRORS), tags=["kiosks"],
                   security=[{"bearer": []}])
def put_screenshot(kiosk_id: str):  # type: ignore[no-untyped-def]
    """The kiosk's current frame, from the kiosk itself (its own token): the body is the image,
    Content-Type image/png or image/jpeg, at most 512 KiB."""
    state = lantern()
    with state.db.transaction() as session:
        screenshots.uploader(session, kiosk_id, request.headers.get("Authorization", ""))
    # the size is checked before the body is read, then again on what was read
    if (request.content_length or 0) > MAX_SCREENSHOT_BYTES:
        raise errors.TooLarge(f"a screenshot takes at most {MAX_SCREENSHOT_BYTES} bytes, "
                              f"this one {request.content_length}")
    data = request.get_data(cache=False)
    image = screenshots.read_image(data, request.content_type or "")
    with state.db.transaction() as session:
        taken_at = screenshots.store(session, kiosk_id, image, data, utcnow()).taken_at.isoformat()
    # operators hear of it once it can be read
    state.hub.tell_facts(kiosk_id, screenshot_at=taken_at)
    with state.db.open_session() as session:
        state.hub.announce(session.get_one(Kiosk, kiosk_id))
    return {"kiosk_id": kiosk_id, "taken_at": taken_at, "content_type": image.content_type,
            "bytes": len(data), "width": image.width, "height": image.height}


@api.get("/kiosks/<kiosk_id>/screenshot")
@require("read")
@api_spec.validate(resp=Response("HTTP_200", HTTP_401=ErrorEnvelope, HTTP_403=ErrorEnvelope,
                                 HTTP_404=ErrorEnvelope), tags=["kiosks"])
def get_screenshot(kiosk_id: str):  # type: ignore[no-untyped-def]
    """The kiosk's last screenshot as it was uploaded (404 ``no_screenshot`` when none)."""
    with lantern().db.open_session() as session:
        row = screenshots.last(session, kiosk_id)
        response = FlaskResponse(row.data, mimetype=row.content_type)
        response.last_modified = row.taken_at
    response.headers["Cache-Control"] = "no-cache"
    return response
