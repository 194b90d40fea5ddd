"""Report notebooks and their runs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

RunStatus = Literal["queued", "running", "succeeded", "failed"]


class NotebookOut(BaseModel):
    name: str
    title: str
    description: str
    parameters: dict[str, Any] = Field(
        description="the notebook's parameters as a JSON Schema object (the server supplies "
                    "the database itself: no database_url)")


class NotebookList(BaseModel):
    notebooks: list[NotebookOut]


def _each_notebook(schema: dict[str, Any]) -> None:
    """Document each notebook's parameters in the OpenAPI entry, as GET /reports/notebooks does.
    (The runner validates them itself, against the same schemas and the database's sites.)"""
    try:
        from analytics_notebooks import runner

        notebooks = runner.notebooks()
    except Exception:  # noqa: BLE001 - a notebook that cannot be read fails when it is run
        return
    variants = []
    for nb in notebooks:
        params = {k: v for k, v in nb.json_schema(server_side=True).items() if k != "$schema"}
        variants.append({"properties": {"notebook": {"const": nb.name}, "parameters": params},
                         "required": ["notebook", "parameters"] if params.get("required")
                         else ["notebook"]})
    if variants:
        schema["oneOf"] = variants


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_each_notebook)

    notebook: str = Field(min_length=1, max_length=128,
                          description="a notebook's name from GET /api/v1/reports/notebooks")
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="the notebook's parameters, checked against its JSON Schema (GET "
                    "/api/v1/reports/notebooks) and against the sites in the database; "
                    "database_url is refused: reports read the server's own database")
    force: StrictBool = Field(default=False, description="run again even if an earlier run of "
                              "the same parameters on the same data and code succeeded")


class RunProgress(BaseModel):
    cell: int | None = Field(description="cells executed so far")
    cells: int | None = Field(description="cells in the notebook (null until it is known)")


class RunError(BaseModel):
    cell: int | None = Field(description="the cell that failed (null: the run failed outside "
                                         "a cell, e.g. its time limit or a server restart)")
    ename: str
    evalue: str


class ReportRunOut(BaseModel):
    id: str
    notebook: str
    parameters: dict[str, Any] = Field(description="as validated, with the notebook's defaults")
    status: RunStatus
    created_by: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    progress: RunProgress
    results: dict[str, Any] | None = Field(description="the report's key figures (once it "
                                                       "succeeded)")
    error: RunError | None
    cached_from: str | None = Field(description="the earlier run whose output answers this one "
                                                "(same notebook, parameters, data and code)")
    html_url: str | None
    notebook_url: str | None


class ReportRunList(BaseModel):
    runs: list[ReportRunOut]


class ReportQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=500, description="at most this many runs, newest first")
    notebook: str | None = Field(default=None, max_length=128, description="only this notebook's")
    status: RunStatus | None = Field(default=None, description="only runs in this status")
