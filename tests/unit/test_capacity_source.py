"""Where a zone's live capacity comes from: a preservation report recommends it (and only such
a report, for that site and zone, up to its figure), or someone sets it by hand; the zone
index serves it in place of the venue data's figure, in every process at once."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from analytics_notebooks import preservation_report
from analytics_notebooks.massbalance import Fit
from server.services import capacity
from server.storage.models import ReportRun, Site
from server.storage.zone_index import ZoneIndexCache

CAVE = "t-cave-01"


def preservation_results(site_id: str, recommended: dict[str, int | None]) -> dict[str, Any]:
    """A preservation report's results as its notebook stores them (through its own
    ``save_results``), recommending ``recommended[zone]`` visitors for each cave."""
    report = SimpleNamespace(site=SimpleNamespace(id=site_id),
                             window=SimpleNamespace(first="2026-10-01", last="2026-10-07"))
    balance = {zone: {"fit": Fit(ok=False, reason="" if figure is not None else "too few "
                                 "readings"),
                      "recommendation": {"capacity": figure,
                                         "ci95": [figure - 4, figure + 5] if figure else
                                         [None, None],
                                         "limiting": "co2_ppm" if figure is not None else None},
                      "visit_min": 12.0, "gap_min": 30.0, "steady": None}
               for zone, figure in recommended.items()}
    return preservation_report.save_results(report, balance, pd.DataFrame())  # type: ignore[arg-type]


def preservation_run(session, site_id: str = "testsite",  # type: ignore[no-untyped-def]
                     recommended: dict[str, int | None] | None = None, *,
                     notebook: str = "preservation_report", status: str = "succeeded",
                     run_id: str = "r20261008090000aaaaaaaaaaaa") -> str:
    """Store a finished report run as the report queue leaves it; its id."""
    now = datetime(2026, 10, 8, 9, tzinfo=UTC)
    session.add(ReportRun(
        id=run_id, notebook=notebook, status=status, created_by="planner", created_at=now,
        started_at=now, finished_at=now,
        parameters={"site_id": site_id, "start": "2026-10-01", "end": "2026-10-07",
                    "language": "en"},
        results=preservation_results(site_id, recommended if recommended is not None
                                     else {CAVE: 20})))
    return run_id


def test_a_succeeded_preservation_run_is_a_source_with_its_recommendation(loaded) -> None:  # type: ignore[no-untyped-def]
    with loaded.extensions["lantern"].db.transaction() as session:
        run = preservation_run(session)
        source = capacity.recommendation(session, "testsite", CAVE, run, 20)
    assert source == {"report_run": run, "notebook": "preservation_report",
                      "recommended_capacity": 20, "recommended_capacity_ci95": [16, 25],
                      "limiting": "co2_ppm", "start": "2026-10-01", "end": "2026-10-07"}


def test_a_figure_below_the_recommendation_is_taken_and_one_above_is_refused(loaded) -> None:  # type: ignore[no-untyped-def]
    with loaded.extensions["lantern"].db.transaction() as session:
        run = preservation_run(session)
        assert capacity.recommendation(session, "testsite", CAVE, run, 15)["report_run"] == run
        with pytest.raises(capacity.NotRecommended, match="recommends at most 20"):
            capacity.recommendation(session, "testsite", CAVE, run, 21)


@pytest.mark.parametrize(("change", "why"), [
    ({"notebook": "visitor_report"}, "only a preservation_report recommends"),
    ({"status": "failed"}, "is failed; only a succeeded run"),
    ({"site_id": "othersite"}, "is of site 'othersite', not 'testsite'"),
    ({"recommended": {"t-cave-02": 20}}, "no results for the zone"),
    ({"recommended": {CAVE: None}}, "recommends no capacity for 't-cave-01' (too few readings)"),
])
def test_a_run_that_does_not_recommend_for_the_zone_is_refused_saying_why(  # type: ignore[no-untyped-def]
        loaded, change: dict[str, Any], why: str) -> None:
    with loaded.extensions["lantern"].db.transaction() as session:
        run = preservation_run(session, **change)
        with pytest.raises(capacity.NotRecommended, match=why.replace("(", r"\(")
                           .replace(")", r"\)")) as refused:
            capacity.recommendation(session, "testsite", CAVE, run, 10)
    assert refused.value.code == "not_recommended"


def test_a_run_that_does_not_exist_is_an_unknown_report_run(loaded) -> None:  # type: ignore[no-untyped-def]
    with loaded.extensions["lantern"].db.open_session() as session:
        with pytest.raises(capacity.UnknownReportRun, match="no report run 'r-missing'"):
            capacity.recommendation(session, "testsite", CAVE, "r-missing", 10)


def test_the_zone_index_serves_an_override_without_rebuilding_and_every_process_sees_it(  # type: ignore[no-untyped-def]
        loaded) -> None:
    db = loaded.extensions["lantern"].db
    here, elsewhere = ZoneIndexCache(), ZoneIndexCache()  # two server processes' caches
    with db.open_session() as session:
        before = here.get(session, session.get(Site, "testsite"))
        elsewhere.get(session, session.get(Site, "testsite"))
    assert (before.zones[CAVE]["capacity"], before.zones[CAVE]["capacity_source"]) == (10, "given")
    with db.transaction() as session:
        capacity.set_capacity(session, before, CAVE, 20, None, "guide counts", "olga")
    with db.open_session() as session:
        site = session.get(Site, "testsite")
        after, there = here.get(session, site), elsewhere.get(session, site)
    for zones in (after, there):
        cave = zones.zones[CAVE]
        assert (cave["capacity"], cave["venue_capacity"], cave["capacity_source"]) == (
            20, 10, "override")
        assert cave["capacity_override"]["source"] == {"manual": True}
        assert cave["capacity_override"]["set_by"] == "olga"
    assert after.index is before.index  # the override changed a figure, not the shapes
    assert after.zones["t-hall-02"] == before.zones["t-hall-02"]
    with db.transaction() as session:
        capacity.clear_capacity(session, after, CAVE, None, "olga")
    with db.open_session() as session:
        back = elsewhere.get(session, session.get(Site, "testsite")).zones[CAVE]
    assert (back["capacity"], back["capacity_source"], back["capacity_override"]) == (
        10, "given", None)
