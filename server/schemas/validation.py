"""Request validation for hot paths: a cached pydantic TypeAdapter, errors as the envelope.

A body may be raw JSON bytes (parsed and validated in one pass by pydantic-core) or data
already parsed (the Socket.IO namespaces). A ``TypedDict`` schema validates straight to dicts;
a ``BaseModel`` is dumped back to them."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from server import errors


@cache
def _adapter(schema: Any) -> TypeAdapter:
    return TypeAdapter(schema)


def parse_body(schema: Any, body: Any) -> dict[str, Any]:
    """Validate ``body`` against ``schema`` and return plain Python data (dicts, datetimes)."""
    adapter = _adapter(schema)
    try:
        if isinstance(body, (bytes, bytearray)):
            value = adapter.validate_json(body)
        else:
            value = adapter.validate_python(body)
    except ValidationError as exc:
        found = exc.errors(include_url=False)
        if any(e["type"] == "json_invalid" for e in found):
            raise errors.BadRequest(f"the body is not valid JSON: {found[0]['msg']}") from None
        if any(not e["loc"] for e in found):
            raise errors.BadRequest("send a JSON object") from None
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                    for e in found]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
        raise errors.InvalidContent(f"invalid request: {summary}", details=problems) from None
    return value.model_dump() if isinstance(value, BaseModel) else value  # type: ignore[no-any-return]
