"""Location-aware content: which experience a kiosk features, from the site's rules.

Rules are evaluated in order; the first whose condition holds and whose ``kiosk_zones`` include
the kiosk's zone (or ``*``) wins. Conditions: ``{}`` (always), ``{"zone_closed": Z}``,
``{"zone": Z, "occupancy_at_least": N}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def rule_holds(when: Mapping[str, Any], states: Mapping[str, str],
               occupancy: Mapping[str, int]) -> bool:
    if "zone_closed" in when and states.get(when["zone_closed"]) != "closed":
        return False
    if "occupancy_at_least" in when and occupancy.get(when.get("zone", ""), 0) < int(
            when["occupancy_at_least"]):
        return False
    return True


def featured_experience(rules: Sequence[Mapping[str, Any]], kiosk_zone: str | None,
                        kiosk_ancestors: Sequence[str], states: Mapping[str, str],
                        occupancy: Mapping[str, int]) -> tuple[str | None, str | None]:
    """(experience id, rule id) for a kiosk standing in ``kiosk_zone``; (None, None) if no rule.

    >>> rules = [{"id": "closed", "when": {"zone_closed": "cave"}, "kiosk_zones": ["hall"],
    ...           "feature": "cave-virtual"}, {"id": "default", "when": {}, "kiosk_zones": ["*"],
    ...           "feature": "intro"}]
    >>> featured_experience(rules, "hall", [], {"cave": "closed"}, {})
    ('cave-virtual', 'closed')
    >>> featured_experience(rules, "hall", [], {"cave": "open"}, {})
    ('intro', 'default')
    """
    places = {kiosk_zone, *kiosk_ancestors} - {None}
    for rule in rules:
        zones = set(rule.get("kiosk_zones", ["*"]))
        if "*" not in zones and not zones & places:
            continue
        if rule_holds(rule.get("when", {}), states, occupancy):
            return rule.get("feature"), rule.get("id")
    return None, None
