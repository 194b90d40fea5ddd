"""The demo's clock: the simulated crowd lives inside the sites' opening hours whatever the real
hour, so a demo started at night still shows a visiting day. Events keep their real times;
only the crowd's plan is read at the demo clock.

>>> from datetime import UTC, datetime
>>> from zoneinfo import ZoneInfo
>>> from server.demo.demand import Hours
>>> hours = Hours(open=9 * 60, close=17 * 60 + 30, last_entry=15 * 60 + 30)
>>> night = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 22:00 in Dunhuang
>>> clock = DemoClock.inside(hours, ZoneInfo("Asia/Shanghai"), night)
>>> clock.offset_s / 3600
-11.5
>>> clock.local(night, ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
'10:30'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from server.demo.demand import Hours

SHOW_AT = time(10, 30)  # the local time a demo started outside opening hours shows
# the crowd must have this long before last entry, or the afternoon's emptying is all there is
LATEST_START_BEFORE_LAST_ENTRY = timedelta(hours=1)


@dataclass(frozen=True)
class DemoClock:
    """Real time shifted by ``offset_s``: the time the simulated crowd lives at."""

    offset_s: float = 0.0

    @classmethod
    def inside(cls, hours: Hours, zone: tzinfo, now: datetime,
               show_at: time = SHOW_AT) -> DemoClock:
        """No shift while ``now`` lies between opening and an hour before last entry (local time
        in ``zone``); otherwise the shift that makes ``now`` read ``show_at`` on the same day."""
        local = now.astimezone(zone)
        minute = local.hour * 60 + local.minute
        latest = hours.last_entry - LATEST_START_BEFORE_LAST_ENTRY.total_seconds() / 60
        if hours.open <= minute < latest:
            return cls(0.0)
        target = datetime.combine(local.date(), show_at, tzinfo=zone)
        return cls((target - local).total_seconds())

    def now(self, real: datetime | None = None) -> datetime:
        """The demo time (UTC) at real time ``real`` (default: now)."""
        return (real or datetime.now(UTC)) + timedelta(seconds=self.offset_s)

    def local(self, real: datetime, zone: tzinfo) -> datetime:
        """The demo time at real time ``real``, on the wall clocks of ``zone``."""
        return self.now(real).astimezone(zone)
