"""The demo's simulated visitors land inside the venues' zones."""

from __future__ import annotations

from pathlib import Path

from server.demo.visitors import VisitorSimulator
from server.services.presence import occupancy
from server.services.venues import import_venues

VENUES = Path(__file__).resolve().parents[2] / "venues"


def test_simulated_visitors_fill_the_visitor_areas_of_every_site(app) -> None:  # type: ignore[no-untyped-def]
    state = app.extensions["lantern"]
    with state.db.transaction() as session:
        import_venues(session, VENUES)
    simulator = VisitorSimulator(state, per_site=40)
    assert simulator.step() == 120
    assert simulator.step() == 120
    state.presence.flush()  # presence is written behind; occupancy reads the table
    from server.storage.models import Site

    with state.db.open_session() as session:
        for site_id in ("mogao", "longmen", "qin_mausoleum"):
            zones = state.zone_index.get(session, session.get(Site, site_id))
            counts = {r["zone_id"]: r["count"] for r in occupancy(session, zones)}
            protection = next(z for z, info in zones.zones.items()
                              if info["kind"] == "protection_range")
            assert counts[protection] == 40, site_id


def test_simulated_sensors_report_for_every_sensor_and_follow_the_crowd(app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from server.demo.visitors import SensorSimulator
    from server.storage.models import Sensor, SensorReading

    state = app.extensions["lantern"]
    with state.db.transaction() as session:
        import_venues(session, VENUES)
    sent = SensorSimulator(state).step()
    with state.db.open_session() as session:
        assert sent == session.scalar(select(func.count()).select_from(Sensor)) > 0
        assert session.scalar(select(func.count()).select_from(SensorReading)) == sent
        co2 = session.scalars(select(SensorReading.co2_ppm)).all()
    assert all(350 < c < 700 for c in co2 if c is not None), "empty caves read near outdoor CO2"


def test_a_demo_started_again_on_the_same_database_keeps_its_visitors_moving(app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from server.storage.models import PositionEvent

    state = app.extensions["lantern"]
    with state.db.transaction() as session:
        import_venues(session, VENUES)
    VisitorSimulator(state, per_site=10).step()
    VisitorSimulator(state, per_site=10).step()  # a second run, as after a restart
    with state.db.open_session() as session:
        assert session.scalar(select(func.count()).select_from(PositionEvent)) == 60
