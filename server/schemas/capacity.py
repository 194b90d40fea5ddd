"""A zone's live capacity over REST: set from a report's recommendation or by hand, its
record, and the history of its changes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

HISTORY_LIMIT = 1000  # changes in one answer, at most


class ReportSource(BaseModel):
    """The capacity a succeeded preservation report recommends for the zone."""

    model_config = ConfigDict(extra="forbid")

    report_run: str = Field(min_length=1, max_length=64,
                            description="a succeeded preservation_report run of the site whose "
                            "results recommend a capacity for the zone")


class ManualSource(BaseModel):
    """A figure set by hand."""

    model_config = ConfigDict(extra="forbid")

    manual: Literal[True]


class CapacityIn(BaseModel):
    capacity: int = Field(ge=0, le=1_000_000, strict=True,
                          description="visitors at once; 0: nobody may enter")
    source: ReportSource | ManualSource | None = Field(
        default=None, description="where the figure comes from (default: by hand); a report's "
        "figure may be at most what it recommends")
    reason: str | None = Field(default=None, max_length=500)

    @field_validator("capacity", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        """JSON's 20.0 is the integer 20 (as JSON Schema counts it); "20" and true are not."""
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


class CapacityClearQuery(BaseModel):
    reason: str | None = Field(default=None, max_length=500,
                               description="why the venue data's figure applies again")


class CapacityOut(BaseModel):
    site_id: str
    zone_id: str
    capacity: int | None = Field(description="the capacity in force when the zone is open "
                                 "(a closed zone holds 0 while closed); null: no limit")
    venue_capacity: int | None = Field(description="the venue data's figure (given, or from "
                                       "the usable area)")
    capacity_source: Literal["given", "derived", "none", "override"]
    source: dict[str, Any] | None = Field(description="the override's source: {\"manual\": "
                                          "true} or the report run with its recommendation; "
                                          "null: the venue data's figure applies")
    reason: str | None
    set_by: str | None
    set_at: str | None


class CapacityHistoryQuery(BaseModel):
    limit: int = Field(default=100, ge=1, le=HISTORY_LIMIT,
                       description="at most this many changes, newest first")


class CapacityChange(BaseModel):
    capacity: int | None = Field(description="the figure set; null: back to the venue data's")
    previous: int | None = Field(description="the capacity in force before the change")
    source: dict[str, Any] | None
    reason: str | None
    changed_by: str
    at: str


class CapacityHistory(BaseModel):
    site_id: str
    zone_id: str
    venue_capacity: int | None
    changes: list[CapacityChange] = Field(description="newest first")
