"""The demo's simulated sensors read the air of every sensor's zone."""

from __future__ import annotations

from pathlib import Path

from server.services.venues import import_venues

VENUES = Path(__file__).resolve().parents[2] / "venues"


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
