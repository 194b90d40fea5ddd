"""Schemathesis explores the OpenAPI document and finds no server error."""

from __future__ import annotations

import shutil
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from server.services.tokens import create_token
from server.services.venues import import_venues
from tests.conftest import make_app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _app():  # type: ignore[no-untyped-def]
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="lantern-fuzz-"))
    shutil.copytree(FIXTURES / "venues_min", tmp / "venues")
    app = make_app(tmp)
    with app.extensions["lantern"].db.transaction() as session:
        import_venues(session, tmp / "venues")
        app.config["FUZZ_TOKEN"] = create_token(session, "admin", "fuzz")
    return app


APP = _app()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_request_makes_the_server_fail(case) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {APP.config['FUZZ_TOKEN']}"}
    # schemathesis' checks: no 5xx, responses match the documented schemas, and more
    response = case.call_and_validate(headers=auth)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
