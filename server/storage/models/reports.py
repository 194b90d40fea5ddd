"""Report notebook runs: queued, running, then succeeded or failed (server/services/reports.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ReportRun(Base):
    __tablename__ = "report_runs"
    __table_args__ = (Index("ix_report_runs_status_created", "status", "created_at"),
                      Index("ix_report_runs_created_at", "created_at"))
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    notebook: Mapped[str] = mapped_column(String(128))
    # as validated, with the notebook's defaults and never the database_url (the server adds
    # its own when the run starts)
    parameters: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued/running/succeeded/failed
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    progress_cell: Mapped[int | None]   # cells executed so far
    progress_cells: Mapped[int | None]  # cells in the notebook
    results: Mapped[dict[str, Any] | None]  # the notebook's key figures
    error_cell: Mapped[int | None]
    error_ename: Mapped[str | None] = mapped_column(String(200))
    error_evalue: Mapped[str | None] = mapped_column(Text)
    # sha256 of notebook, parameters, code version and data fingerprint (see the service)
    cache_key: Mapped[str | None] = mapped_column(String(64), index=True)
    cached_from: Mapped[str | None] = mapped_column(String(64))  # the run whose output this is
    # the run's folder under LANTERN_REPORTS_PATH (named by the server: the run's id, or the
    # id of the run it was cached from) and the output files in it
    output_path: Mapped[str | None] = mapped_column(String(500))
    html_file: Mapped[str | None] = mapped_column(String(200))
    notebook_file: Mapped[str | None] = mapped_column(String(200))
    worker: Mapped[str | None] = mapped_column(String(128))  # the process running it
    heartbeat_at: Mapped[datetime | None]  # that process's last sign of life for this run
