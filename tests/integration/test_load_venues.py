"""`load-venues` lists every problem of a bad folder at once and imports nothing of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server import errors
from server.services.venues import import_venues
from server.storage.models import Site, Zone

REPO_VENUES = Path(__file__).resolve().parents[2] / "venues"


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def test_every_problem_is_reported_with_file_and_feature_id(db, mini_venues: Path) -> None:  # type: ignore[no-untyped-def]
    site = mini_venues / "testsite"

    def break_zones(doc):  # type: ignore[no-untyped-def]
        doc["features"][2]["properties"]["kind"] = "castle"
        a, b = (100.0, 30.0), (100.001, 30.001)  # a bow-tie near the site
        doc["features"][3]["geometry"]["coordinates"] = [[a, b, (b[0], a[1]), (a[0], b[1]), a]]
        doc["features"][5]["properties"]["id"] = "t-cave-01"

    _edit(site / "zones.geojson", break_zones)
    _edit(site / "sensors.json", lambda d: d["sensors"][0].update(zone_id="t-cave-99"))
    _edit(site / "site.json", lambda d: d.update(timezone=None))
    with pytest.raises(errors.VenueError) as caught, db.transaction() as session:
        import_venues(session, mini_venues)
    details = "\n".join(caught.value.details)
    assert "zones.geojson [t-va-north]: kind" in details
    assert "zones.geojson [t-va-south]: invalid_geometry: GEOS says: Self-intersection" in details
    assert "zones.geojson [t-cave-01]: duplicate zone id" in details
    assert "sensors.json [t-s-01]: unknown zone 't-cave-99'" in details
    assert "site.json: timezone" in details
    with db.open_session() as session:
        assert session.scalar(select(func.count()).select_from(Site)) == 0
        assert session.scalar(select(func.count()).select_from(Zone)) == 0


def test_a_child_outside_its_parent_and_swapped_coordinates_are_named(db, mini_venues: Path) -> None:  # type: ignore[no-untyped-def]
    def break_zones(doc):  # type: ignore[no-untyped-def]
        ring = doc["features"][4]["geometry"]["coordinates"][0]
        doc["features"][4]["geometry"]["coordinates"] = [[[x + 0.01, y] for x, y in ring]]
        hall = doc["features"][5]["geometry"]["coordinates"][0]
        doc["features"][5]["geometry"]["coordinates"] = [[[y, x] for x, y in hall]]

    _edit(mini_venues / "testsite" / "zones.geojson", break_zones)
    with pytest.raises(errors.VenueError) as caught, db.transaction() as session:
        import_venues(session, mini_venues)
    details = "\n".join(caught.value.details)
    assert "[t-cave-01]: child_outside_parent" in details
    assert "[t-hall-02]: lonlat_swapped" in details


def test_a_file_that_is_not_json_is_named(db, mini_venues: Path) -> None:  # type: ignore[no-untyped-def]
    (mini_venues / "testsite" / "experiences.json").write_text("{oops")
    with pytest.raises(errors.VenueError) as caught, db.transaction() as session:
        import_venues(session, mini_venues)
    assert any("experiences.json: not valid JSON" in d for d in caught.value.details)


def test_the_demo_venues_import_with_at_least_ten_zones_each(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        result = import_venues(session, REPO_VENUES)
    assert set(result.sites) == {"mogao", "longmen", "qin_mausoleum"}
    with db.open_session() as session:
        counts = dict(session.execute(select(Zone.site_id, func.count()).group_by(Zone.site_id)).all())
    assert all(n >= 10 for n in counts.values()), counts
