"""Extension objects, created unbound and bound to an app in create_app."""

from __future__ import annotations

from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf import CSRFProtect
from spectree import SecurityScheme, SpecTree
from spectree.models import InType, SecureType, SecuritySchemeData

from server.schemas import ErrorEnvelope

socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()


def _reject_invalid(req, resp, req_validation_error, instance, model_adapter):  # type: ignore[no-untyped-def]
    """Turn spectree's validation failure into the project's error envelope."""
    if req_validation_error is not None:
        from server.errors import InvalidContent

        problems = [
            {"field": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg")}
            for err in model_adapter.validation_errors(req_validation_error)
        ]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
        # the error's traceback holds spectree's frame, which holds the error: a cycle that
        # keeps the whole refused body alive until a full garbage collection
        req_validation_error.__traceback__ = None
        raise InvalidContent(f"invalid request: {summary}", details=problems)


api_spec = SpecTree(
    "flask",
    title="Lantern API",
    version="1",
    path="api/v1/docs",
    # no Swagger/ReDoc pages: they load from a CDN, which venues often cannot reach and the
    # Content-Security-Policy refuses; the document itself is at /api/v1/openapi.json
    page_templates={},
    mode="strict",
    before=_reject_invalid,
    validation_error_status=422,
    validation_error_model=ErrorEnvelope,
    security_schemes=[
        SecurityScheme(name="bearer", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer")),
        SecurityScheme(name="session", data=SecuritySchemeData(
            type=SecureType.API_KEY, field_in=InType.COOKIE, name="session")),
    ],
    security=[{"bearer": []}, {"session": []}],
)
