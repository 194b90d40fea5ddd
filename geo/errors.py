"""The exceptions of ``geo``: one hierarchy, rooted at :class:`GeoError`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one zone feature, found while loading or validating.

    Parameters
    ----------
    feature_id : the feature's ``id`` (None when the feature has none).
    code : a short stable name, e.g. ``"invalid_geometry"`` or ``"siblings_overlap"``.
    message : a sentence for a person.
    location : ``(lon, lat)`` where the problem is, or None.
    source : the file (or other source) the feature came from, or None.

    Examples
    --------
    >>> Problem("c1", "unknown_kind", "kind 'shrine' is not one of ...").code
    'unknown_kind'
    """

    feature_id: str | None
    code: str
    message: str
    location: tuple[float, float] | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-ready dict."""
        out = asdict(self)
        out["location"] = list(self.location) if self.location is not None else None
        return out

    def __str__(self) -> str:
        where = f" at {self.location[0]:.7f} {self.location[1]:.7f}" if self.location else ""
        src = f"{self.source}: " if self.source else ""
        return f"{src}feature {self.feature_id!r}: {self.code}: {self.message}{where}"


class GeoError(Exception):
    """Base class of every error raised by ``geo``."""


class ZoneValidationError(GeoError, ValueError):
    """Zone data failed validation; ``.problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{len(self.problems)} problem(s) in zone data:\n{lines}{more}")


class ZoneSourceError(GeoError, OSError):
    """A zone source could not be read at all (missing file, unknown format, broken JSON)."""


class CRSError(GeoError, ValueError):
    """A coordinate reference system is missing, unknown or not supported here."""


class UnknownZoneError(GeoError, KeyError):
    """A zone id is not in the zone set."""


class WorkGeometryError(GeoError, ValueError):
    """The geometry of a proposed work is missing, malformed, empty or invalid."""
