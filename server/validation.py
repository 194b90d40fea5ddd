"""Request validation for hot paths: a cached pydantic TypeAdapter, errors as the envelope."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from server import errors


@cache
def _adapter(model: type[BaseModel]) -> TypeAdapter:
    return TypeAdapter(model)


def parse_body(model: type[BaseModel], body: Any) -> dict[str, Any]:
    """Validate ``body`` against ``model`` and return plain Python data (dicts, datetimes)."""
    try:
        value = _adapter(model).validate_python(body)
    except ValidationError as exc:
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                    for e in exc.errors(include_url=False)]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
        raise errors.InvalidContent(f"invalid request: {summary}", details=problems) from None
    return value.model_dump()
