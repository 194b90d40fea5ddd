"""The parameters cell grammar, the specs and JSON Schemas made from it, and the committed
notebooks themselves (one parameters cell, no outputs, papermill reads the same names)."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import papermill
import pytest

from analytics_notebooks import ipi, massbalance, runner, spec
from analytics_notebooks.spec import SpecError, parse_parameters, read_spec

NOTEBOOKS = sorted(Path(runner.__file__).parent.glob("*.ipynb"))


def test_each_clause_of_the_grammar_is_read() -> None:
    params = parse_parameters(
        "# Parameters of the report\n"
        'database_url: str = ""  # url; the database\n'
        'site_id: str = "mogao"  # site; required; the site\n'
        'start: str = "2026-10-01"  # date: first day of the report\n'
        'language: str = "en"  # one of: en, zh; the language\n'
        "height_m: float = 0  # range: 0..1000; the height; in metres\n"
        "rows: int = 5  # range: 1..; max length: 3; how many\n"
        "flag: bool = False\n")
    by = {p.name: p for p in params}
    assert [p.name for p in params] == ["database_url", "site_id", "start", "language",
                                        "height_m", "rows", "flag"]
    assert (by["database_url"].format, by["database_url"].required) == ("url", False)
    assert (by["site_id"].format, by["site_id"].required, by["site_id"].help) == (
        "site", True, "the site")
    assert (by["start"].format, by["start"].help) == ("date", "first day of the report")
    assert by["language"].choices == ("en", "zh")
    assert (by["height_m"].default, by["height_m"].minimum, by["height_m"].maximum) == (
        0.0, 0.0, 1000.0)
    assert by["height_m"].help == "the height; in metres"
    assert (by["rows"].minimum, by["rows"].maximum, by["rows"].max_length) == (1, None, 3)
    assert (by["flag"].type, by["flag"].default, by["flag"].help) == ("bool", False, "")


@pytest.mark.parametrize(("cell", "says"), [
    ("x = 1  # no annotation", "each statement must be"),
    ("x: float | None = None", "annotation must be one of"),
    ("x: list = []", "annotation must be one of"),
    ("import os", "each statement must be"),
    ("x: int = 1 + 1", "must be a literal"),
    ('x: int = "1"', "should be a int"),
    ("x: str = 'a'  # one of: b, c", "not among"),
    ("x: str = 'a'  # rnage: 0..5", "unknown clause keyword 'rnage'"),
    ("x: str = 'a'  # range: 0..5", "needs an int or float"),
    ("x: int = 1  # date", "needs a str parameter"),
    ("x: int = 1\nx: int = 2", "declared twice"),
    ("x: str = (\n 'a')", "fit on one line"),
    ("x: str = 'a", "not valid Python"),
])
def test_a_cell_off_the_grammar_is_refused_with_its_line(cell: str, says: str) -> None:
    with pytest.raises(SpecError, match=says.replace("(", r"\(").replace("|", r"\|")):
        parse_parameters(cell)


def test_a_notebook_needs_exactly_one_parameters_cell(tmp_path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    path = tmp_path / "two.ipynb"
    for _ in range(2):
        cell = nbformat.v4.new_code_cell("x: int = 1")
        cell.metadata.tags = ["parameters"]
        nb.cells.append(cell)
    nbformat.write(nb, str(path))
    with pytest.raises(SpecError, match="exactly one cell tagged 'parameters', has 2"):
        read_spec(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_has_one_parameters_cell_no_outputs_and_papermill_agrees(
        path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None
               for c in nb["cells"] if c["cell_type"] == "code")
    got = read_spec(path)
    assert [p.name for p in got.parameters] == list(papermill.inspect_notebook(str(path)))
    assert {"database_url", "site_id", "start", "end", "language"} <= {
        p.name for p in got.parameters}
    assert got.param("language").choices == ("en", "zh")  # type: ignore[union-attr]
    assert got.title and got.description


def test_the_json_schema_is_a_closed_draft_2020_12_object() -> None:
    schema = runner.spec("heritage_impact").json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert schema["required"] == ["site_id", "start", "end", "work_geojson"]
    props = schema["properties"]
    assert props["start"]["format"] == "date" and props["start"]["type"] == "string"
    assert props["language"]["enum"] == ["en", "zh"]
    assert (props["height_m"]["type"], props["height_m"]["minimum"],
            props["height_m"]["maximum"]) == ("number", 0.0, 1000.0)
    assert "database_url" in props
    server = runner.spec("heritage_impact").json_schema(server_side=True)
    assert "database_url" not in server["properties"]
    assert "database_url" not in server["required"]


def test_notebooks_lists_the_three_reports_with_their_titles() -> None:
    assert [s.name for s in runner.notebooks()] == ["heritage_impact", "preservation_report",
                                                    "visitor_report"]
    assert runner.spec("visitor_report").title == "Visitor report"


def test_the_code_version_is_a_stable_hash() -> None:
    assert runner.code_version() == runner.code_version()
    assert len(runner.code_version()) == 16


def test_the_docstring_examples_hold() -> None:
    for module in (spec, massbalance, ipi):
        assert doctest.testmod(module).failed == 0
