"""Field checks for scene specs: each records a :class:`SpecProblem` instead of raising.

A checker collects every problem in one pass so that a bad spec is reported in full.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from immersive.errors import SpecProblem

MISSING = object()


class Checker:
    """Collects problems while reading a JSON document."""

    def __init__(self, base_dir: Path | None = None) -> None:
        self.problems: list[SpecProblem] = []
        self.base_dir = base_dir

    def add(self, path: str, message: str) -> None:
        self.problems.append(SpecProblem(path, message))

    def obj(self, parent: dict, key: str, path: str, required: bool = True) -> dict | None:
        value = parent.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.add(f"{path}.{key}", "is required")
            return None
        if not isinstance(value, dict):
            self.add(f"{path}.{key}", f"should be an object, got {type(value).__name__}")
            return None
        return value

    def array(self, parent: dict, key: str, path: str, required: bool = True) -> list:
        value = parent.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.add(f"{path}.{key}", "is required")
            return []
        if not isinstance(value, list):
            self.add(f"{path}.{key}", f"should be an array, got {type(value).__name__}")
            return []
        return value

    def number(
        self,
        parent: dict,
        key: str,
        path: str,
        default: Any = MISSING,
        lo: float | None = None,
        hi: float | None = None,
        integer: bool = False,
    ) -> Any:
        value = parent.get(key, MISSING)
        where = f"{path}.{key}"
        if value is MISSING:
            if default is MISSING:
                self.add(where, "is required")
                return None
            return default
        return self.check_number(value, where, lo, hi, integer)

    def check_number(
        self,
        value: Any,
        where: str,
        lo: float | None = None,
        hi: float | None = None,
        integer: bool = False,
    ) -> Any:
        kind = "an integer" if integer else "a number"
        ok_type = int if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type):
            self.add(where, f"should be {kind}, got {json_type(value)}")
            return None
        if not math.isfinite(value):
            self.add(where, "should be finite")
            return None
        if lo is not None and value < lo:
            self.add(where, f"should be >= {lo}, got {value}")
            return None
        if hi is not None and value > hi:
            self.add(where, f"should be <= {hi}, got {value}")
            return None
        return value

    def vector(
        self,
        parent: dict,
        key: str,
        path: str,
        size: int,
        default: Any = MISSING,
        lo: float | None = None,
        hi: float | None = None,
    ) -> tuple[float, ...] | None:
        value = parent.get(key, MISSING)
        where = f"{path}.{key}"
        if value is MISSING:
            if default is MISSING:
                self.add(where, "is required")
                return None
            return tuple(default) if default is not None else None
        return self.check_vector(value, where, size, lo, hi)

    def check_vector(
        self, value: Any, where: str, size: int, lo: float | None = None, hi: float | None = None
    ) -> tuple[float, ...] | None:
        if not isinstance(value, list) or len(value) != size:
            self.add(where, f"should be an array of {size} numbers, got {json_type(value)}")
            return None
        out = [self.check_number(v, f"{where}[{i}]", lo, hi) for i, v in enumerate(value)]
        if any(v is None for v in out):
            return None
        return tuple(float(v) for v in out)

    def string(
        self, parent: dict, key: str, path: str, default: Any = MISSING, choices: Any = None
    ) -> Any:
        value = parent.get(key, MISSING)
        where = f"{path}.{key}"
        if value is MISSING:
            if default is MISSING:
                self.add(where, "is required")
            return None if default is MISSING else default
        if not isinstance(value, str) or not value.strip():
            self.add(where, f"should be a non-empty string, got {json_type(value)}")
            return None
        if choices is not None and value not in choices:
            self.add(where, f"should be one of {sorted(choices)}, got {value!r}")
            return None
        return value

    def boolean(self, parent: dict, key: str, path: str, default: bool) -> bool:
        value = parent.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{path}.{key}", f"should be true or false, got {json_type(value)}")
            return default
        return value

    def i18n(self, parent: dict, key: str, path: str) -> dict[str, str] | None:
        value = self.obj(parent, key, path)
        if value is None:
            return None
        where = f"{path}.{key}"
        out: dict[str, str] = {}
        for lang in ("en", "zh"):
            text = self.string(value, lang, where)
            if text is not None:
                out[lang] = text
        for extra in sorted(set(value) - {"en", "zh"}):
            self.add(f"{where}.{extra}", "unknown language (use en and zh)")
        return out if len(out) == 2 else None

    def file(self, parent: dict, key: str, path: str, required: bool = True) -> str | None:
        rel = self.string(parent, key, path, default=MISSING if required else None)
        if rel is None:
            return None
        where = f"{path}.{key}"
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            self.add(where, f"should be a path inside the assets folder, got {rel!r}")
            return None
        if self.base_dir is not None and not (self.base_dir / rel).is_file():
            self.add(where, f"file not found: {rel} (looked in {self.base_dir})")
            return None
        return rel

    def unknown_keys(self, value: dict, known: set[str], path: str) -> None:
        for key in sorted(set(value) - known):
            self.add(f"{path}.{key}", "unknown field")


def json_type(value: Any) -> str:
    """Name a Python value by its JSON type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return f"array of {len(value)}"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
