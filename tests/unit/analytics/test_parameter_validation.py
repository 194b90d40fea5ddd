"""Report parameters from outside: every bad input is refused with its field, nothing crafted
becomes code, and notebook names are names, never paths."""

from __future__ import annotations

import ast
import json

import pytest

from analytics_notebooks import runner
from analytics_notebooks.runner import ParameterError, UnknownNotebook
from analytics_notebooks.translator import SafePythonTranslator

GOOD = {"site_id": "mogao", "start": "2026-10-01", "end": "2026-10-07"}


def problems(params: dict, **kwargs) -> dict[str, str]:  # type: ignore[no-untyped-def, type-arg]
    with pytest.raises(ParameterError) as caught:
        runner.validate("visitor_report", params, **kwargs)
    return {e["field"]: e["message"] for e in caught.value.errors}


def test_good_parameters_come_back_with_the_defaults() -> None:
    full = runner.validate("visitor_report", GOOD, site_ids=["mogao"])
    assert full == {**GOOD, "database_url": "", "language": "en"}
    impact = runner.validate("heritage_impact", {
        **GOOD, "work_geojson": '{"type": "Point", "coordinates": [94.8, 40.0]}', "height_m": 9})
    assert impact["height_m"] == 9.0 and isinstance(impact["height_m"], float)
    assert impact["buffer_m"] == 0.0


def test_an_unknown_parameter_is_refused_by_name() -> None:
    got = problems({**GOOD, "colour": "red"})
    assert "unknown parameter 'colour'" in got["colour"]
    assert "visitor_report takes database_url, end, language, site_id, start" in got["colour"]


@pytest.mark.parametrize("name", [
    "x = 1\nimport os; os.system('touch /tmp/pwned')  #",
    "__import__('os').system('id')",
    "site_id; import os",
    "../../etc/passwd",
])
def test_a_parameter_name_crafted_to_inject_code_is_refused(name: str) -> None:
    with pytest.raises(ParameterError) as caught:
        runner.validate("visitor_report", {**GOOD, name: 1})
    assert "unknown parameter" in str(caught.value)


@pytest.mark.parametrize(("field", "value", "says"), [
    ("start", '2026-10-01"\nimport os; os.system("id") #', "one line"),
    ("start", '2026-10-01"; import os #', "YYYY-MM-DD"),
    ("site_id", 'mogao"; import os; os.system("id") #', "identifier"),
    ("site_id", "mogao\\", "identifier"),
    ("database_url", 'sqlite:///x"; import os #', "without spaces, quotes"),
    ("database_url", "sqlite:///x\\", "without spaces, quotes"),
    ("language", "en'; import os #", "one of en, zh"),
])
def test_a_value_crafted_to_inject_code_is_refused(field: str, value: str, says: str) -> None:
    assert says in problems({**GOOD, field: value})[field]


@pytest.mark.parametrize(("field", "value", "says"), [
    ("start", 20261001, "should be text"),
    ("start", None, "should be text"),
    ("language", ["en"], "should be text"),
    ("site_id", 7, "should be text"),
])
def test_a_wrong_type_is_refused(field: str, value: object, says: str) -> None:
    assert says in problems({**GOOD, field: value})[field]


def test_numbers_are_typed_and_bounded() -> None:
    base = {**GOOD, "work_geojson": '{"type": "Point", "coordinates": [94.8, 40.0]}'}
    for value, says in ((True, "should be a number"), ("9", "should be a number"),
                        (float("nan"), "finite"), (-1.0, "at least 0"), (1e6, "at most 1000")):
        with pytest.raises(ParameterError) as caught:
            runner.validate("heritage_impact", {**base, "height_m": value})
        assert caught.value.field == "height_m" and says in str(caught.value)


def test_the_work_must_be_geojson() -> None:
    for text, says in (("not json", "not valid JSON"), ('{"type": "Circle"}', "GeoJSON"),
                       ("[1, 2]", "GeoJSON")):
        with pytest.raises(ParameterError, match=says):
            runner.validate("heritage_impact", {**GOOD, "work_geojson": text})


@pytest.mark.parametrize(("start", "end", "field", "says"), [
    ("2026-10-07", "2026-10-01", "end", "the window is empty"),
    ("", "2026-10-01", "start", "YYYY-MM-DD"),
    ("2026-10-01", "", "end", "YYYY-MM-DD"),
    ("2026-02-30", "2026-03-01", "start", "not a calendar date"),
    ("2025-01-01", "2026-12-31", "end", "at most 366"),
])
def test_an_empty_or_reversed_window_is_refused(start: str, end: str, field: str,
                                                says: str) -> None:
    assert says in problems({**GOOD, "start": start, "end": end})[field]


def test_a_one_day_window_is_fine() -> None:
    assert runner.validate("visitor_report", {**GOOD, "end": "2026-10-01"})["end"] == "2026-10-01"


def test_missing_required_parameters_and_every_problem_are_listed_together() -> None:
    with pytest.raises(ParameterError) as caught:
        runner.validate("visitor_report", {"language": "fr", "colour": 1})
    fields = [e["field"] for e in caught.value.errors]
    assert fields == ["colour", "site_id", "start", "end", "language"]
    assert caught.value.field == "colour"
    assert all(e["message"] for e in caught.value.errors)


def test_an_unknown_site_is_refused_when_the_sites_are_known() -> None:
    got = problems({**GOOD, "site_id": "atlantis"}, site_ids={"mogao", "longmen"})
    assert got["site_id"] == "no site 'atlantis' (sites: longmen, mogao)"


def test_the_server_may_not_set_the_database() -> None:
    got = problems({**GOOD, "database_url": "sqlite:///elsewhere.db"}, server_side=True)
    assert "set by the server" in got["database_url"]
    full = runner.validate("visitor_report", GOOD, server_side=True)
    assert "database_url" not in full


def test_parameters_must_be_an_object() -> None:
    with pytest.raises(ParameterError, match="should be an object"):
        runner.validate("visitor_report", ["site_id"])  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["../visitor_report", "visitor_report.ipynb",
                                  "/etc/passwd", "analytics_notebooks/visitor_report", "",
                                  "VISITOR_REPORT", "visitor_report\x00", "..", None, 7])
def test_a_notebook_name_is_a_name_never_a_path(name: object) -> None:
    with pytest.raises(UnknownNotebook) as caught:
        runner.spec(name)  # type: ignore[arg-type]
    assert "known: heritage_impact, preservation_report, visitor_report" in str(caught.value)
    with pytest.raises(UnknownNotebook):
        runner.validate(name, GOOD)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [
    'x"; import os; os.system("id") #', "ends with a backslash\\", '\\"; import os #',
    "new\nline", "tab\tand 'quotes' and \"doubles\"", "中文 and emoji 🎉", "",
])
def test_the_runner_writes_every_string_as_a_literal_that_reads_back_exactly(value: str) -> None:
    code = SafePythonTranslator.codify({"text": value, "n": 1.5, "flag": True})
    tree = ast.parse(code)
    assigns = {n.targets[0].id: ast.literal_eval(n.value)  # type: ignore[attr-defined]
               for n in tree.body if isinstance(n, ast.Assign)}
    assert assigns == {"text": value, "n": 1.5, "flag": True}
    assert len([n for n in tree.body if not isinstance(n, ast.Assign)]) == 0
    json.dumps(assigns)
