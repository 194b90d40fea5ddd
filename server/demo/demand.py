"""How many visitors come on a day, and when they arrive: the weekday, the holidays, the
tourist day from opening to last entry. Plain functions of the date and a random generator.

>>> from datetime import date
>>> day_factor(date(2026, 10, 3)) > day_factor(date(2026, 11, 7)) > day_factor(date(2026, 11, 2))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

MINUTES_A_DAY = 1440

# Monday .. Sunday, relative to the average day (normalised below): Saturday is twice Monday.
_WEEKDAY = (0.70, 0.75, 0.80, 0.85, 1.00, 1.40, 1.25)
WEEKDAY_FACTORS = tuple(f * 7 / sum(_WEEKDAY) for f in _WEEKDAY)
# Fixed-date national holidays: (month, first day) -> demand of each day, times an average day.
# October's Golden Week peaks on its 2nd-4th days; the May Day holiday is shorter and lower.
HOLIDAYS: dict[tuple[int, int], tuple[float, ...]] = {
    (10, 1): (2.0, 3.5, 4.5, 3.5, 2.5, 1.8, 1.4),
    (5, 1): (2.0, 3.0, 2.5, 2.0, 1.3),
}
DAY_NOISE = 0.08  # day-to-day spread of demand (weather, events): a lognormal sigma
# Arrivals over the day: a lunch-hour peak (the main one) and a smaller mid-morning one, as
# tour buses and independent visitors arrive; zero outside opening .. last entry.
LUNCH_PEAK_H, LUNCH_SPREAD_H, LUNCH_WEIGHT = 12.25, 2.0, 0.7
MORNING_PEAK_H, MORNING_SPREAD_H, MORNING_WEIGHT = 10.0, 1.0, 0.3


@dataclass(frozen=True)
class Hours:
    """One day's opening hours in minutes after local midnight."""

    open: int
    close: int
    last_entry: int


def holiday_factor(day: date) -> float | None:
    """The demand of a holiday day, times an average day; None on other days."""
    for (month, first), factors in HOLIDAYS.items():
        if day.month == month and 0 <= day.day - first < len(factors):
            return factors[day.day - first]
    return None


def day_factor(day: date) -> float:
    """Expected demand of ``day`` relative to an average day (holidays override weekdays)."""
    holiday = holiday_factor(day)
    return holiday if holiday is not None else WEEKDAY_FACTORS[day.weekday()]


def expected_visitors(typical: int, cap: int | None, day: date) -> float:
    """The day's expected visitors, capped by the site's daily capacity."""
    demand = typical * day_factor(day)
    return float(min(demand, cap)) if cap else demand


def daily_visitors(typical: int, cap: int | None, day: date, rng: np.random.Generator) -> int:
    """The day's visitors: expected demand with day-to-day noise, capped by the daily capacity."""
    noise = math.exp(rng.normal(0.0, DAY_NOISE) - DAY_NOISE ** 2 / 2)
    demand = round(typical * day_factor(day) * noise)
    return int(min(demand, cap)) if cap else int(demand)


def arrival_weights(hours: Hours) -> np.ndarray:
    """Share of the day's arrivals in each minute (sums to 1): lunch peak, mid-morning bump."""
    minutes = np.arange(MINUTES_A_DAY, dtype=np.float64)
    h = minutes / 60.0
    w = (LUNCH_WEIGHT * np.exp(-0.5 * ((h - LUNCH_PEAK_H) / LUNCH_SPREAD_H) ** 2)
         + MORNING_WEIGHT * np.exp(-0.5 * ((h - MORNING_PEAK_H) / MORNING_SPREAD_H) ** 2))
    w[(minutes < hours.open) | (minutes >= hours.last_entry)] = 0.0
    return w / w.sum()


def arrival_minutes(n: int, hours: Hours, rng: np.random.Generator) -> np.ndarray:
    """``n`` arrival minutes drawn from the tourist day, sorted."""
    return np.sort(rng.choice(MINUTES_A_DAY, size=n, p=arrival_weights(hours)))


def hourly_arrivals(typical: int, cap: int | None, day: date, hours: Hours) -> np.ndarray:
    """Expected arrivals in each hour of ``day`` (24 values): the model's shape, no noise."""
    per_minute = arrival_weights(hours) * expected_visitors(typical, cap, day)
    return per_minute.reshape(24, 60).sum(axis=1)
