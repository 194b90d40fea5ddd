"""The zone attribute schema: kinds, states, the columns every zone frame carries."""

from __future__ import annotations

KINDS = (
    "protection_range",
    "construction_control",
    "visitor_area",
    "cave",
    "niche",
    "hall",
    "pit",
    "plaza",
)
STATES = ("open", "closed", "restricted")
#: Columns a loaded zone frame always has (missing optional ones are filled with None).
COLUMNS = (
    "id",
    "parent_id",
    "kind",
    "name_en",
    "name_zh",
    "capacity",
    "usable_ratio",
    "max_height_m",
    "state",
    "thresholds",
    "substitute_experience",
    "neighbours",
    "illustrative",
)
