"""A cave as one well-mixed box: fit its CO2 (or water-vapour) balance and derive a capacity.

The balance is ``dC/dt = G*N/V - lambda*(C - C_out)``: each of N visitors adds G to the air's
volume V, and air exchange at rate lambda pulls the concentration C back to the outside level
C_out. Between two readings at t_k and t_k+1 it reads, exactly in its integral form::

    (C_k+1 - C_k) / dt = a * mean(N) - lambda * mean(C) + lambda * C_out

with ``a = G/V``. ``mean(N)`` over the interval comes from the stored visitor load (a time
integral of occupancy) and ``mean(C)`` is the trapezoid of the two readings, so the equation
is linear in ``(a, lambda, lambda*C_out)``: ordinary least squares gives them with their
covariance, and 95 % intervals from Student's t. The trapezoid's noise is uncorrelated with the
difference's, so reading noise does not bias lambda.

Groups of N visitors follow one another as they did in the window: each stays T minutes (the
median time in the cave), then the cave stands empty for g minutes, where g/(T+g) is the share
of its opening hours the cave stood empty. Over such cycles the level settles into a pattern
whose highest point, at the end of each visit, is::

    C_peak = C_out + (a*N/lambda) * (1 - exp(-lambda*T)) / (1 - exp(-lambda*(T+g)))

so the recommended capacity is the largest N with ``C_peak`` under the cave's limit. A cave in
use all the time (g = 0) gives the steady-state bound ``(limit - C_out) * lambda / a``; one
visited once from rest (g infinite) the loosest. The uncertainty of N comes from 4,000 draws of
the fitted coefficients from their estimated normal distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Student's t 97.5 % quantiles for 1..30 degrees of freedom (beyond: an expansion in 1/df).
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
MIN_PAIRS = 12
DRAWS = 4000
UNBOUNDED = 1e12


def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom.

    >>> round(t975(10), 3), round(t975(1000), 3)
    (2.228, 1.962)
    """
    if df < 1:
        return math.inf
    if df <= len(T975):
        return T975[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


@dataclass
class Fit:
    """A fitted balance: ``rate`` (a = G/V, per person per minute), ``exchange_per_h``
    (lambda), ``outside`` (C_out), their 95 % intervals, and the regression's own figures."""

    ok: bool
    reason: str = ""
    rate: float = math.nan
    rate_ci: tuple[float, float] = (math.nan, math.nan)
    exchange_per_h: float = math.nan
    exchange_ci: tuple[float, float] = (math.nan, math.nan)
    outside: float = math.nan
    pairs: int = 0
    r2: float = math.nan
    beta: Any = None
    cov: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def mean_between(grid_start: float, width_s: float, occupancy: np.ndarray, t_a: np.ndarray,
                 t_b: np.ndarray) -> np.ndarray:
    """Mean occupancy over each interval [t_a, t_b], from its mean over each grid bucket
    (the person-time integral, interpolated linearly inside a bucket)."""
    edges = grid_start + width_s * np.arange(len(occupancy) + 1)
    person_s = np.concatenate([[0.0], np.cumsum(occupancy * width_s)])
    span = np.maximum(t_b - t_a, 1e-9)
    return (np.interp(t_b, edges, person_s) - np.interp(t_a, edges, person_s)) / span


def fit_balance(times_s: np.ndarray, values: np.ndarray, grid_start: float, width_s: float,
                occupancy: np.ndarray, *, max_gap_s: float | None = None) -> Fit:
    """Fit ``a``, ``lambda`` and ``C_out`` from readings (their times in epoch seconds and
    values) and the mean occupancy of each grid bucket; pairs further apart than
    ``max_gap_s`` (default: two buckets) are left out."""
    times_s = np.asarray(times_s, dtype=float)
    values = np.asarray(values, dtype=float)
    good = np.isfinite(times_s) & np.isfinite(values)
    times_s, values = times_s[good], values[good]
    order = np.argsort(times_s)
    times_s, values = times_s[order], values[order]
    dt = np.diff(times_s)
    keep = (dt > 0) & (dt <= (max_gap_s or 2.0 * width_s))
    if keep.sum() < MIN_PAIRS:
        return Fit(False, f"too few consecutive readings ({int(keep.sum())})", pairs=int(keep.sum()))
    t_a, t_b = times_s[:-1][keep], times_s[1:][keep]
    c_a, c_b = values[:-1][keep], values[1:][keep]
    y = (c_b - c_a) / (dt[keep] / 60.0)
    people = mean_between(grid_start, width_s, np.asarray(occupancy, float), t_a, t_b)
    x = np.column_stack([people, (c_a + c_b) / 2.0, np.ones_like(y)])
    if np.ptp(people) <= 0 or np.linalg.matrix_rank(x) < 3:
        return Fit(False, "no change in visitor load or readings to learn from", pairs=len(y))
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    df = len(y) - 3
    s2 = float(resid @ resid) / df
    cov = s2 * np.linalg.inv(x.T @ x)
    se = np.sqrt(np.diag(cov))
    t = t975(df)
    rate, lam = float(beta[0]), -float(beta[1])
    ss = float(((y - y.mean()) ** 2).sum())
    fit = Fit(True, "", rate, (rate - t * se[0], rate + t * se[0]), lam * 60.0,
              ((lam - t * se[1]) * 60.0, (lam + t * se[1]) * 60.0),
              float(beta[2]) / lam if lam > 0 else math.nan, len(y),
              1.0 - float(resid @ resid) / ss if ss > 0 else math.nan, beta, cov)
    if rate <= 0 or lam <= 0:
        fit.ok, fit.reason = False, "the fit gives no positive visitor effect and air exchange"
    return fit


def group_capacity(rate: float, exchange_per_min: float, outside: float, limit: float,
                   visit_min: float, gap_min: float = math.inf) -> float:
    """The most visitors whose visits of ``visit_min`` minutes, each followed by ``gap_min``
    minutes with the cave empty, keep the level under ``limit`` (``inf`` when visitors add
    nothing; 0 when the rest level is already over it).

    >>> round(group_capacity(1.0, 0.05, 400.0, 1400.0, 10.0, 0.0))  # the steady state
    50
    """
    if not rate > 0:
        return math.inf
    headroom = limit - outside
    if headroom <= 0 or exchange_per_min <= 0:
        return 0.0
    rise = -math.expm1(-exchange_per_min * visit_min)
    settle = 1.0 if math.isinf(gap_min) else -math.expm1(-exchange_per_min * (visit_min + gap_min))
    return headroom * exchange_per_min / rate * settle / max(rise, 1e-12)


def capacity_draws(fit: Fit, limit: float, visit_min: float, gap_min: float = math.inf,
                   seed: int = 0) -> np.ndarray:
    """Capacities from :data:`DRAWS` draws of the fitted coefficients (the parameter
    uncertainty carried through :func:`group_capacity`)."""
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(fit.beta, fit.cov, size=DRAWS, method="cholesky")
    out = np.empty(DRAWS)
    for n, (b0, b1, b2) in enumerate(draws):
        lam = -b1
        outside = b2 / lam if lam > 1e-6 else fit.outside
        out[n] = group_capacity(b0, lam, outside, limit, visit_min, gap_min)
    return out


def recommend(fits: dict[str, tuple[Fit, float]], visit_min: float,
              gap_min: float = math.inf) -> dict[str, Any]:
    """The recommended instantaneous capacity from every identifiable balance (by metric: the
    fit and its limit): the smallest bound, its 95 % interval, and the metric that limits."""
    bounds, draws = {}, []
    for metric, (fit, limit) in fits.items():
        if not fit.ok:
            continue
        bounds[metric] = group_capacity(fit.rate, fit.exchange_per_h / 60.0, fit.outside, limit,
                                        visit_min, gap_min)
        draws.append(capacity_draws(fit, limit, visit_min, gap_min))
    if not bounds:
        return {"capacity": None, "ci95": [None, None], "limiting": None, "bounds": {}}
    limiting = min(bounds, key=lambda m: bounds[m])
    best = np.minimum.reduce(draws)
    # an unbounded draw (no visitor effect) stands in as a huge number, read back as None
    lo, hi = np.percentile(np.where(np.isfinite(best), best, UNBOUNDED), [2.5, 97.5])
    lo, hi = (math.inf if v >= UNBOUNDED else v for v in (lo, hi))
    return {"capacity": _whole(bounds[limiting]), "ci95": [_whole(lo), _whole(hi)],
            "limiting": limiting, "bounds": {m: _whole(v) for m, v in bounds.items()}}


def empty_gap(visit_min: float, occupancy: np.ndarray, day: np.ndarray) -> float:
    """Minutes the cave stands empty after a visit of ``visit_min``, from the share of its
    opening hours (each day from its first to its last occupied bucket) it had no visitor."""
    used = np.asarray(occupancy, dtype=float) > 0
    day = np.asarray(day)
    spans = []
    for d in np.unique(day[used]) if used.any() else []:
        idx = np.flatnonzero(used & (day == d))
        spans.append(used[idx[0]: idx[-1] + 1])
    if not spans:
        return math.inf
    share = float(np.concatenate(spans).mean())
    return visit_min * (1.0 - share) / share


def steady_capacity(fit: Fit, limit: float) -> int | None:
    """The most visitors a cave that is never empty holds with the level tending to ``limit``."""
    if not fit.ok:
        return None
    return _whole((limit - fit.outside) * (fit.exchange_per_h / 60.0) / fit.rate)


def _whole(value: float) -> int | None:
    """Visitors as a whole number (rounded down); None for an unbounded capacity."""
    if not math.isfinite(value):
        return None
    return max(int(math.floor(value)), 0)


def absolute_humidity(temperature_c: Any, relative_humidity: Any) -> Any:
    """Water vapour in g/m3 at a temperature (degC) and relative humidity (%), by the Magnus
    formula over water (Alduchov and Eskridge 1996 coefficients).

    >>> round(float(absolute_humidity(20.0, 50.0)), 2)
    8.62
    """
    t = np.asarray(temperature_c, dtype=float)
    pressure = 6.1094 * np.exp(17.625 * t / (t + 243.04)) * np.asarray(relative_humidity, float)
    return pressure * 2.16679 / (273.15 + t)
