"""Microclimate alert rules: thresholds with a hold time and hysteresis, and the cave-closure loop.

An alert's life is a pure function of the readings: given a rule, the readings of one zone and
metric sorted by time, and where the alert stands now (open since its raise, or closed since its
last clear), :func:`evaluate` says which raises and clears the readings imply. The server keeps
no state between requests; it reads the open alert and the recent readings from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

METRICS = ("temperature_c", "relative_humidity", "co2_ppm")
UNITS = {"temperature_c": "°C", "relative_humidity": "% RH", "co2_ppm": "ppm"}
CLOSURE_PREFIX = "microclimate: "
AWAITING_OPERATOR = "cleared; awaiting operator"

Bound = Literal["max", "min"]


@dataclass(frozen=True)
class Rule:
    """One limit of one metric: beyond it for ``hold_s`` raises; back inside by ``hysteresis`` clears."""

    metric: str
    bound: Bound
    limit: float
    hold_s: float = 0.0
    hysteresis: float = 0.0

    @property
    def subject(self) -> str:
        """The rule's key, e.g. ``"co2_ppm:max"`` (a temperature band has a min and a max rule)."""
        return f"{self.metric}:{self.bound}"

    def beyond(self, value: float) -> bool:
        return value > self.limit if self.bound == "max" else value < self.limit

    def back_inside(self, value: float) -> bool:
        """Inside the limit by at least the hysteresis (the band that lets an alert clear)."""
        if self.bound == "max":
            return value <= self.limit - self.hysteresis
        return value >= self.limit + self.hysteresis


@dataclass(frozen=True)
class Reading:
    ts: datetime
    value: float


@dataclass(frozen=True)
class AlertState:
    """Where the rule's alert stands: open since its raise, or closed since its last clear (or never)."""

    open: bool = False
    since: datetime | None = None


@dataclass(frozen=True)
class AlertChange:
    """The alert raises or clears at ``ts``, the time of the reading that completed the hold."""

    change: Literal["raised", "cleared"]
    ts: datetime
    value: float
    rule: Rule


def rules_from_thresholds(thresholds: Mapping[str, Any] | None) -> list[Rule]:
    """The rules of a zone's ``thresholds`` property; unknown metrics and non-numbers are ignored.

    >>> [r.subject for r in rules_from_thresholds({"temperature_c": {"min": 5, "max": 28}})]
    ['temperature_c:max', 'temperature_c:min']
    """
    if not thresholds:
        return []
    hold = _number(thresholds.get("hold_s")) or 0.0
    hysteresis = thresholds.get("hysteresis") or {}
    rules = []
    for metric in METRICS:
        limits = thresholds.get(metric)
        if not isinstance(limits, Mapping):
            continue
        band = _number(hysteresis.get(metric)) if isinstance(hysteresis, Mapping) else None
        for bound in ("max", "min"):
            limit = _number(limits.get(bound))
            if limit is not None:
                rules.append(Rule(metric, bound, limit, max(hold, 0.0), abs(band or 0.0)))
    return rules


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def evaluate(rule: Rule, readings: Sequence[Reading], state: AlertState, *,
             not_before: datetime | None = None) -> list[AlertChange]:
    """The raises and clears that ``readings`` (sorted by ts) imply, starting from ``state``.

    A raise needs every reading of a run beyond the limit and the run to span ``hold_s``; a
    clear needs the same of readings back inside the hysteresis band. Readings at or before
    ``state.since`` were decided already and are skipped, so a late reading cannot undo a past
    change: out-of-order delivery does not make alerts flap. A reading before
    ``not_before`` (older than the present) counts towards a run but cannot complete one:
    a replayed backlog shows in the history and decides nothing now.

    >>> from datetime import UTC, datetime, timedelta
    >>> t0 = datetime(2026, 1, 1, tzinfo=UTC)
    >>> rule = Rule("co2_ppm", "max", 1500, hold_s=60, hysteresis=150)
    >>> rs = [Reading(t0 + timedelta(seconds=s), 1600) for s in (0, 30, 60)]
    >>> [(t.change, int((t.ts - t0).total_seconds())) for t in evaluate(rule, rs, AlertState())]
    [('raised', 60)]
    """
    out: list[AlertChange] = []
    is_open, since = state.open, state.since
    run_start: datetime | None = None
    for reading in readings:
        if since is not None and reading.ts <= since:
            continue
        moving = rule.back_inside(reading.value) if is_open else rule.beyond(reading.value)
        if not moving:
            run_start = None
            continue
        run_start = reading.ts if run_start is None else run_start
        if not_before is not None and reading.ts < not_before:
            continue
        if (reading.ts - run_start).total_seconds() >= rule.hold_s:
            out.append(AlertChange("cleared" if is_open else "raised", reading.ts, reading.value, rule))
            is_open, since, run_start = not is_open, reading.ts, None
    return out


def message(rule: Rule, zone_name: str, zone_id: str, value: float,
            change: str = "raised") -> str:
    """A sentence naming the zone, the metric, the value and the limit."""
    unit = UNITS.get(rule.metric, "")
    word = "above" if rule.bound == "max" else "below"
    if change == "raised":
        return (f"{zone_name} ({zone_id}): {rule.metric} {value:g} {unit} {word} the limit "
                f"{rule.limit:g} {unit} for {rule.hold_s:g} s")
    inside = rule.limit - rule.hysteresis if rule.bound == "max" else rule.limit + rule.hysteresis
    return (f"{zone_name} ({zone_id}): {rule.metric} back to {value:g} {unit}, inside "
            f"{inside:g} {unit} (limit {rule.limit:g}) for {rule.hold_s:g} s")


@dataclass(frozen=True)
class ZoneDecision:
    state: str
    reason: str | None


def zone_after_alerts(state: str, reason: str | None, open_metrics: Iterable[str],
                      reopen: str = "operator") -> ZoneDecision | None:
    """What a cave zone becomes given its open microclimate alerts; None when nothing changes.

    Open alerts close the zone (reason ``"microclimate: <metrics>"``). When they have all cleared,
    a zone closed by the alerts opens (``reopen="auto"``) or stays closed awaiting an operator
    (``reopen="operator"``). A zone an operator closed for another reason is left alone.

    >>> zone_after_alerts("open", None, ["co2_ppm"])
    ZoneDecision(state='closed', reason='microclimate: co2_ppm')
    >>> zone_after_alerts("closed", "microclimate: co2_ppm", [], "auto")
    ZoneDecision(state='open', reason='microclimate cleared')
    """
    metrics = sorted(set(open_metrics))
    ours = state == "closed" and (reason or "").startswith(CLOSURE_PREFIX)
    waiting = state == "closed" and reason == AWAITING_OPERATOR
    if metrics:
        wanted = ZoneDecision("closed", CLOSURE_PREFIX + ", ".join(metrics))
        if state != "closed" or ours or waiting:
            return None if (state, reason) == (wanted.state, wanted.reason) else wanted
        return None
    if not ours:
        return None
    if reopen == "auto":
        return ZoneDecision("open", "microclimate cleared")
    return ZoneDecision("closed", AWAITING_OPERATOR)
