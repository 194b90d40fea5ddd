"""The panel's labels: every catalog speaks both languages in full, and every label the pages
and modules ask for exists, including one for each zone kind, state, level, role, metric and
error code the server can send."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geo.schema import KINDS, STATES
from server import errors
from server.api.envelope import HTTP_CODES
from server.domain.access import USER_ROLES
from server.domain.alerts import UNITS
from server.panel import LOGIN_ERRORS

PANEL = Path(__file__).resolve().parents[2] / "server" / "panel"
CATALOGS = sorted((PANEL / "static" / "i18n").glob("*.json"))
# alert kinds the server raises: microclimate (preservation), capacity (presence), kiosk_offline (fleet)
ALERT_KINDS = ("microclimate", "capacity", "kiosk_offline")
LEVELS = ("normal", "divert", "stop", "closed")  # the demo venues' tiers, and an empty closed zone
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalog(path: Path) -> dict[str, dict[str, str]]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def labels() -> dict[str, str]:
    """Every English label of every catalog (the languages are checked to agree apart)."""
    out: dict[str, str] = {}
    for path in CATALOGS:
        out.update(catalog(path)["en"])
    return out


def used_in_templates() -> set[str]:
    keys: set[str] = set()
    for page in (PANEL / "templates").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        for key in re.findall(r'data-i18n="([^"]+)"', text):
            if key == "{{ error_key }}":  # the login page's errors
                keys.update(label for _, label in LOGIN_ERRORS)
            elif "{{" in key:  # role.{{ user.role }}: one label per role
                keys.update(re.sub(r"\{\{.*?\}\}", role, key) for role in USER_ROLES)
            else:
                keys.add(key)
        for pairs in re.findall(r'data-i18n-attr="([^"]+)"', text):
            keys.update(pair.split(":", 1)[1].strip() for pair in pairs.split(";") if ":" in pair)
    return keys


def modules() -> dict[str, str]:
    """Each module's code without its comments (which show examples of calls)."""
    comment = re.compile(r"^\s*(//|/?\*).*$", re.MULTILINE)
    return {p.name: comment.sub("", p.read_text(encoding="utf-8"))
            for p in (PANEL / "static").glob("*.js")}


def test_there_are_catalogs_for_the_page_and_the_kiosk_grid() -> None:
    assert {"common.json", "venue.json"} <= {p.name for p in CATALOGS}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.name)
def test_every_catalog_has_the_same_labels_in_english_and_chinese(path: Path) -> None:
    texts = catalog(path)
    assert set(texts) == {"en", "zh"}
    assert set(texts["en"]) ^ set(texts["zh"]) == set()


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.name)
def test_no_label_is_empty_and_both_languages_fill_the_same_placeholders(path: Path) -> None:
    texts = catalog(path)
    for key, english in texts["en"].items():
        chinese = texts["zh"].get(key, "")
        assert english.strip() and chinese.strip(), key
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(chinese)), key


def test_no_label_is_defined_in_two_catalogs() -> None:
    seen: dict[str, str] = {}
    for path in CATALOGS:
        for key in catalog(path)["en"]:
            assert key not in seen, f"{key} is in {seen.get(key)} and {path.name}"
            seen[key] = path.name


def test_every_label_the_templates_name_exists() -> None:
    assert used_in_templates() - set(labels()) == set()


def test_every_label_the_modules_ask_for_exists() -> None:
    known = set(labels())
    missing = []
    for name, text in modules().items():
        for key in re.findall(r"""\b(?:t|has)\(\s*["']([\w.]+)["']""", text):
            if key not in known:
                missing.append(f"{name}: {key}")
        # a key built in code (`level.${zone.level}`): its family must exist
        for prefix in re.findall(r"\b(?:t|has)\(\s*`([\w.]*)\$\{", text):
            if prefix and not any(k.startswith(prefix) for k in known):
                missing.append(f"{name}: {prefix}...")
    assert missing == []


def test_every_zone_kind_state_level_role_and_metric_has_a_label() -> None:
    known = set(labels())
    wanted = ({f"kind.{k}" for k in KINDS} | {f"state.{s}" for s in STATES}
              | {f"level.{v}" for v in LEVELS} | {f"role.{r}" for r in USER_ROLES}
              | {f"climate.{m}" for m in UNITS} | {f"alerts.kind.{k}" for k in ALERT_KINDS})
    assert wanted - known == set()


def test_every_error_code_an_operator_can_meet_has_a_label() -> None:
    codes = {cls.code for cls in vars(errors).values()
             if isinstance(cls, type) and issubclass(cls, errors.LanternError)}
    codes |= set(HTTP_CODES.values()) | {"network", "http", "invalid_geometry"}
    codes.discard("error")  # the base class: never sent as such
    assert {f"error.{c}" for c in codes} - set(labels()) == set()
