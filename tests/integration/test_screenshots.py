"""Kiosk screenshots: the real kiosk program renders its frame and uploads it when told to,
operators hear of it and read it back; a body that is not the kiosk's own image of the right
kind and size is refused, and nothing of it is kept."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from tests.helpers import KioskProgram, LiveServer, Operator, new_kiosk, wait_for

LIMIT = 512 * 1024
WAIT_S = 30.0  # a kiosk program starts Panda3D before it connects; the machine is shared


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("screenshots")).start()
    yield live
    live.stop()


def png(width: int = 32, height: int = 18, colour: tuple[int, int, int] = (200, 40, 10)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, format="PNG")
    return buf.getvalue()


def upload(server: LiveServer, kiosk_id: str, token: str, body: bytes,
           content_type: str = "image/png") -> requests.Response:
    return requests.put(f"{server.url}/api/v1/kiosks/{kiosk_id}/screenshot", data=body,
                        headers={"Authorization": f"Bearer {token}",
                                 "Content-Type": content_type}, timeout=10)


def listed(server: LiveServer, kiosk_id: str) -> dict[str, Any]:
    kiosks = server.api("GET", "/kiosks").json()["kiosks"]
    return next(k for k in kiosks if k["kiosk_id"] == kiosk_id)


def refusal(response: requests.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_the_kiosk_program_uploads_its_frame_when_told_and_operators_hear_of_it(
        server: LiveServer, tmp_path: Path) -> None:
    kiosk_id, token = new_kiosk(server)
    operator = Operator(server)
    program = KioskProgram(server, kiosk_id, token, tmp_path / "kiosk",
                           extra=("--scene", "mogao_cave", "--stereo")).start()
    try:
        entry = wait_for(lambda: heard(operator, kiosk_id, "render"), timeout=WAIT_S,
                         what="a kiosk status with the heartbeat's render facts")
        assert entry is not None
        assert entry["render"] == {"width": 160, "height": 90, "max_fps": 10.0, "stereo": True}
        assert entry["screenshot_at"] is None and entry["kind"] == "vr"
        assert refusal(server.api("GET", f"/kiosks/{kiosk_id}/screenshot")) == (404, "no_screenshot")

        sent = server.api("POST", f"/kiosks/{kiosk_id}/commands", json={"action": "screenshot"})
        assert sent.status_code == 202, sent.text
        command_id = sent.json()["commands"][0]["id"]
        wait_for(lambda: state_of(server, kiosk_id, command_id) == "acked", timeout=WAIT_S,
                 what="the screenshot command acknowledged")

        shot = server.api("GET", f"/kiosks/{kiosk_id}/screenshot")
        assert shot.status_code == 200
        assert shot.headers["Content-Type"] == "image/png"
        assert shot.headers["Cache-Control"] == "no-cache" and shot.headers["Last-Modified"]
        with Image.open(io.BytesIO(shot.content)) as image:
            assert (image.format, image.size) == ("PNG", (160, 90))
            colours = image.convert("RGB").getcolors(maxcolors=160 * 90)
        assert colours is not None and len(colours) > 10, "a rendered scene, not a blank frame"

        wait_for(lambda: heard(operator, kiosk_id, "screenshot_at"),
                 what="operators told of the new screenshot")
    finally:
        program.stop()
        operator.close()


def heard(operator: Operator, kiosk_id: str, field: str) -> dict[str, Any] | None:
    """The latest kiosk status operators heard for ``kiosk_id`` with ``field`` set."""
    return next((s for s in reversed(operator.heard("kiosk_status"))
                 if s["kiosk_id"] == kiosk_id and s.get(field)), None)


def state_of(server: LiveServer, kiosk_id: str, command_id: str) -> str:
    body = server.api("GET", f"/kiosks/{kiosk_id}/commands").json()
    return next(c["status"] for c in body["commands"] if c["id"] == command_id)


def test_a_kiosk_may_upload_unasked_and_its_last_screenshot_replaces_the_one_before(
        server: LiveServer) -> None:
    kiosk_id, token = new_kiosk(server)
    first = upload(server, kiosk_id, token, png(32, 18))
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["kiosk_id"], body["content_type"], body["width"], body["height"]) == (
        kiosk_id, "image/png", 32, 18)
    assert body["bytes"] == len(png(32, 18)) and body["taken_at"]

    jpeg = io.BytesIO()
    Image.new("RGB", (64, 36), (10, 90, 200)).save(jpeg, format="JPEG")
    second = upload(server, kiosk_id, token, jpeg.getvalue(), "image/jpeg")
    assert second.status_code == 200, second.text
    shot = server.api("GET", f"/kiosks/{kiosk_id}/screenshot")
    assert shot.headers["Content-Type"] == "image/jpeg" and shot.content == jpeg.getvalue()


def test_the_fleet_list_says_when_each_kiosks_last_screenshot_was_taken(
        server: LiveServer) -> None:
    kiosk_id, token = new_kiosk(server)
    assert listed(server, kiosk_id)["screenshot_at"] is None
    taken = upload(server, kiosk_id, token, png()).json()["taken_at"]
    entry = listed(server, kiosk_id)
    assert entry["screenshot_at"] == taken
    assert entry["render"] is None  # never online: no render facts


def test_uploads_that_are_not_the_kiosks_own_image_are_refused_and_nothing_is_kept(
        server: LiveServer) -> None:
    kiosk_id, token = new_kiosk(server)
    other_id, other_token = new_kiosk(server)
    operator_token = server.cli_json("create-token", "--role", "operator", "--json")["token"]
    good = png()
    header_only = good[:40]  # a PNG signature and header, then nothing
    too_big = png() + b"\0" * LIMIT

    assert refusal(upload(server, kiosk_id, token, too_big)) == (413, "too_large")
    assert refusal(upload(server, kiosk_id, token, good, "image/gif")) == (
        415, "unsupported_media_type")
    assert refusal(upload(server, kiosk_id, token, good, "image/jpeg")) == (422, "invalid_image")
    assert refusal(upload(server, kiosk_id, token, b"GIF89a" + good)) == (422, "invalid_image")
    assert refusal(upload(server, kiosk_id, token, header_only)) == (422, "invalid_image")
    assert refusal(upload(server, kiosk_id, other_token, good)) == (403, "forbidden")
    assert refusal(upload(server, kiosk_id, operator_token, good)) == (403, "forbidden")
    assert refusal(upload(server, kiosk_id, server.admin, good)) == (403, "forbidden")
    assert refusal(upload(server, kiosk_id, "kt_not-a-token", good)) == (401, "unauthenticated")
    assert refusal(upload(server, "k-nobody", token, good)) == (404, "not_found")

    assert refusal(server.api("GET", f"/kiosks/{kiosk_id}/screenshot")) == (404, "no_screenshot")
    assert refusal(server.api("GET", f"/kiosks/{other_id}/screenshot")) == (404, "no_screenshot")


def test_any_reader_may_fetch_a_screenshot_and_nobody_else(server: LiveServer) -> None:
    kiosk_id, token = new_kiosk(server)
    assert upload(server, kiosk_id, token, png()).status_code == 200
    viewer = server.cli_json("create-token", "--role", "viewer", "--json")["token"]
    ingest = server.cli_json("create-token", "--role", "ingest", "--json")["token"]
    assert server.api("GET", f"/kiosks/{kiosk_id}/screenshot", token=viewer).content == png()
    assert refusal(server.api("GET", f"/kiosks/{kiosk_id}/screenshot", token=ingest)) == (
        403, "forbidden")
    anonymous = requests.get(f"{server.url}/api/v1/kiosks/{kiosk_id}/screenshot", timeout=10)
    assert refusal(anonymous) == (401, "unauthenticated")
    assert refusal(server.api("GET", "/kiosks/k-nobody/screenshot")) == (404, "not_found")


def test_the_openapi_document_lists_both_screenshot_endpoints(server: LiveServer) -> None:
    paths = server.api("GET", "/openapi.json").json()["paths"]
    operations = paths["/api/v1/kiosks/{kiosk_id}/screenshot"]
    assert {"get", "put"} <= set(operations)
