"""The Image Permanence Institute's Preservation Index (PI) and Time-Weighted PI (TWPI).

The PI is the years an organic, chemically unstable object (the reference is cellulose
triacetate film; acidic paper behaves alike) would take to reach a defined state of decay if
kept at one temperature T (K) and relative humidity RH (%). The IPI's fit of the acetate data
(Reilly, Nishimura and Zinn 1995), as Padfield (2004) writes it, is an Arrhenius law whose
activation energy falls with humidity::

    PI = exp((E - 134.9 * RH) / (R * T) + 0.0284 * RH - 28.023) / 365   [years]

with E = 95,220 J/mol and R = 8.314 J/(mol K). Decay rates add up over time while lifetimes do
not, so a varying climate is summarised by the TWPI: the reciprocal of the mean rate, that is
the harmonic mean of the PIs of equally spaced readings (Reilly et al. 1995)::

    TWPI = n / sum(1 / PI_i)

References
----------
J. M. Reilly, D. W. Nishimura and E. Zinn, *New Tools for Preservation: Assessing Long-Term
Environmental Effects on Library and Archives Collections*, Commission on Preservation and
Access, Washington DC, 1995.
T. Padfield, *The Preservation Index and the Time Weighted Preservation Index*,
Conservation Physics, 2004.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ACTIVATION_J_MOL = 95_220.0
GAS_J_MOL_K = 8.314


def preservation_index(temperature_c: Any, relative_humidity: Any) -> Any:
    """The PI in years at each temperature (degC) and relative humidity (%).

    >>> round(float(preservation_index(20.0, 50.0)), 1)
    44.6
    """
    t = np.asarray(temperature_c, dtype=float) + 273.15
    rh = np.asarray(relative_humidity, dtype=float)
    return np.exp((ACTIVATION_J_MOL - 134.9 * rh) / (GAS_J_MOL_K * t) + 0.0284 * rh - 28.023) / 365.0


def time_weighted_preservation_index(temperature_c: Any, relative_humidity: Any) -> float:
    """The TWPI in years of equally spaced readings (NaN readings are left out).

    >>> round(time_weighted_preservation_index([20.0, 20.0], [50.0, 50.0]), 1)
    44.6
    """
    pi = preservation_index(temperature_c, relative_humidity)
    pi = pi[np.isfinite(pi)]
    return float(len(pi) / np.sum(1.0 / pi)) if len(pi) else float("nan")
