"""GET /api/v1/experiences/<id>/preview.png renders in a child process and caches the result."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from PIL import Image

from tests.conftest import bearer, make_app

ROOT = Path(__file__).resolve().parents[2]


def test_a_preview_is_a_real_picture_of_the_scene_and_is_cached(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    client = loaded.test_client()
    response = client.get("/api/v1/experiences/t-intro/preview.png", headers=bearer(tokens["viewer"]))
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data)).convert("RGB")
    assert image.size == (640, 360)
    colours = image.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50, "the preview is not blank"
    cache = Path(loaded.instance_path) / "previews"
    assert len(list(cache.glob("*.png"))) == 1
    again = client.get("/api/v1/experiences/t-intro/preview.png", headers=bearer(tokens["viewer"]))
    assert again.data == response.data


def test_a_broken_spec_gives_an_error_and_the_server_keeps_serving(tmp_path: Path, mini_venues) -> None:  # type: ignore[no-untyped-def]
    assets = tmp_path / "assets"
    shutil.copytree(ROOT / "assets_sample", assets)
    spec = json.loads((assets / "scenes" / "mogao_cave.json").read_text())
    spec["camera_tour"] = "not a tour"
    (assets / "scenes" / "mogao_cave.json").write_text(json.dumps(spec))
    app = make_app(tmp_path, LANTERN_ASSETS_PATH=str(assets))
    client, response = preview_as_viewer(app, mini_venues)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "render_failed"
    assert client.get("/api/v1/health").status_code == 200


def test_unknown_experience_and_bad_waypoint_are_refused(loaded, tokens) -> None:  # type: ignore[no-untyped-def]
    client = loaded.test_client()
    assert client.get("/api/v1/experiences/nope/preview.png",
                      headers=bearer(tokens["viewer"])).status_code == 404
    assert client.get("/api/v1/experiences/t-intro/preview.png?waypoint=x",
                      headers=bearer(tokens["viewer"])).status_code == 422


def test_a_render_over_the_memory_limit_fails_alone_with_a_clear_error(tmp_path: Path, mini_venues) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, LANTERN_PREVIEW_MEMORY_MB=100)  # the renderer alone maps more
    client, response = preview_as_viewer(app, mini_venues)
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "render_failed"
    assert "needed more memory than the limit of 100 MB" in error["message"]
    assert client.get("/api/v1/health").status_code == 200


def preview_as_viewer(app, venues: Path):  # type: ignore[no-untyped-def]
    """Import the venue, then ask for the intro's preview as a viewer: (client, response)."""
    from server.services.tokens import create_token
    from server.services.venues import import_venues

    with app.extensions["lantern"].db.transaction() as session:
        import_venues(session, venues)
        token = create_token(session, "viewer")
    client = app.test_client()
    return client, client.get("/api/v1/experiences/t-intro/preview.png", headers=bearer(token))
