"""Saved heritage-impact checks: a proposed work with the check's result, kept by name."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from server.schemas.common import ImpactIn, ImpactOut

LIST_LIMIT = 200  # checks in one page, at most


class ImpactCheckIn(ImpactIn):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S",
                      description="what the work is, for the list of saved checks")


class ImpactCheckOut(BaseModel):
    id: str
    name: str
    site_id: str
    geometry: dict[str, Any]
    height_m: float | None
    buffer_m: float
    result: ImpactOut = Field(description="the check's answer when it was saved, as POST "
                              "/sites/<site>/impact gives it")
    created_by: str
    created_at: str
    map_url: str


class ImpactCheckQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=LIST_LIMIT, description="at most this many, newest "
                       "first")
    before: str | None = Field(default=None, max_length=64,
                               description="only checks saved before this one (the previous "
                               "page's next_before)")


class ImpactCheckList(BaseModel):
    checks: list[ImpactCheckOut]
    next_before: str | None = Field(description="the id to ask ?before= for the next page; "
                                    "null: this is the last")
