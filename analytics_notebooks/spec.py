"""A report notebook's parameters, read from its one cell tagged ``parameters``.

Each parameter is one line: an annotated assignment with a literal default, then a comment of
clauses separated by ``;`` (the grammar is in docs/reports.md)::

    language: str = "en"  # one of: en, zh; the report's language
    start: str = "2026-10-01"  # date; required; first day of the report, in the site's time
    buffer_m: float = 0.0  # range: 0..5000; grow the work by this many metres

The annotation is one of ``str``, ``int``, ``float``, ``bool`` (papermill reads the type from
it; it cannot read ``X | None``). The clauses are:

``one of: A, B, ...``   the allowed values (read as the parameter's type)
``range: LO..HI``       inclusive bounds; either side may be left out (``range: 0..``)
``max length: N``       the longest text accepted
``required``            a run must give the value (the default is for papermill and JupyterLab)
``date`` | ``url`` | ``site`` | ``id`` | ``geojson``
                        the text's format, optionally followed by ``: help``
anything else           help text; a clause that looks like ``word: ...`` but names no keyword
                        above is refused, so that a misspelt keyword is not taken for help
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}
FORMATS = ("date", "url", "site", "id", "geojson")
#: Parameters the server fills in itself; a request from outside may not set them.
SERVER_OWNED = ("database_url",)
JSON_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
SCHEMA_FORMATS = {"date": {"format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                  "site": {"pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
                  "id": {"pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
                  "geojson": {"contentMediaType": "application/geo+json"}}
KEYWORD = re.compile(r"^([a-z][a-z ]*[a-z])\s*:\s*(.*)$", re.S)


class SpecError(ValueError):
    """A notebook's parameters cell does not follow the grammar."""


@dataclass(frozen=True)
class Param:
    """One parameter of a report notebook, as its parameters cell declares it."""

    name: str
    type: str  # "str", "int", "float" or "bool"
    default: Any
    help: str = ""
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    format: str | None = None
    required: bool = False

    def json_schema(self) -> dict[str, Any]:
        """This parameter as a JSON Schema (draft 2020-12) property."""
        out: dict[str, Any] = {"type": JSON_TYPES[self.type], "default": self.default}
        if self.help:
            out["description"] = self.help
        if self.choices is not None:
            out["enum"] = list(self.choices)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.max_length is not None:
            out["maxLength"] = self.max_length
        out.update(SCHEMA_FORMATS.get(self.format or "", {}))
        return out


@dataclass(frozen=True)
class NotebookSpec:
    """A report notebook: its name (the file's stem), title, description and parameters."""

    name: str
    title: str
    description: str
    path: Path
    parameters: list[Param] = field(default_factory=list)

    def param(self, name: str) -> Param | None:
        """The parameter called ``name``, or None."""
        return next((p for p in self.parameters if p.name == name), None)

    def json_schema(self, *, server_side: bool = False) -> dict[str, Any]:
        """The parameters as a JSON Schema draft 2020-12 object.

        ``server_side=True`` leaves out what the server sets itself (``database_url``).
        """
        params = [p for p in self.parameters if not (server_side and p.name in SERVER_OWNED)]
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": self.title,
            "description": self.description,
            "type": "object",
            "properties": {p.name: p.json_schema() for p in params},
            "required": [p.name for p in params if p.required],
            "additionalProperties": False,
        }


def read_spec(path: Path) -> NotebookSpec:
    """Read a notebook file's spec: metadata ``lantern.title``/``description`` and parameters."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecError(f"{path.name}: cannot be read as a notebook: {exc}") from exc
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise SpecError(f"{path.name}: needs exactly one cell tagged 'parameters', has {len(cells)}")
    source = cells[0].get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    meta = nb.get("metadata", {}).get("lantern", {})
    try:
        params = parse_parameters(source)
    except SpecError as exc:
        raise SpecError(f"{path.name}: {exc}") from None
    return NotebookSpec(path.stem, str(meta.get("title") or path.stem),
                        str(meta.get("description") or ""), path, params)


def parse_parameters(source: str) -> list[Param]:
    """Parse a parameters cell; raise :class:`SpecError` naming the line of any problem.

    >>> [p.name for p in parse_parameters('n: int = 3  # range: 1..9; how many')]
    ['n']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise SpecError(f"the parameters cell is not valid Python: {exc}") from None
    comments = _comments(source)
    params: list[Param] = []
    for node in tree.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and node.value is not None):
            raise SpecError(f"line {node.lineno}: each statement must be `name: type = value"
                            f"  # comment`")
        if node.lineno != node.end_lineno:
            raise SpecError(f"line {node.lineno}: a parameter must fit on one line")
        params.append(_param(node, comments.get(node.lineno, "")))
    names = [p.name for p in params]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SpecError(f"parameters declared twice: {', '.join(dupes)}")
    return params


def _comments(source: str) -> dict[int, str]:
    out = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string.lstrip("#").strip()
    return out


def _param(node: ast.AnnAssign, comment: str) -> Param:
    assert isinstance(node.target, ast.Name) and node.value is not None
    name, line = node.target.id, node.lineno
    type_name = node.annotation.id if isinstance(node.annotation, ast.Name) else None
    if type_name not in TYPES:
        raise SpecError(f"line {line}: {name}: the annotation must be one of "
                        f"{', '.join(TYPES)} (papermill reads no other), got "
                        f"{ast.unparse(node.annotation)!r}")
    try:
        default = ast.literal_eval(node.value)
    except ValueError:
        raise SpecError(f"line {line}: {name}: the default must be a literal") from None
    default = _as_type(default, type_name, f"line {line}: {name}: the default")
    fields: dict[str, Any] = {}
    help_parts: list[str] = []
    for clause in (c.strip() for c in comment.split(";")):
        if clause:
            _clause(clause, type_name, fields, help_parts, f"line {line}: {name}")
    param = Param(name, type_name, default, help="; ".join(help_parts), **fields)
    if param.choices is not None and default not in param.choices:
        raise SpecError(f"line {line}: {name}: the default {default!r} is not among "
                        f"{list(param.choices)}")
    return param


def _clause(clause: str, type_name: str, fields: dict[str, Any], help_parts: list[str],
            where: str) -> None:
    low = clause.lower()
    word = low.split(":", 1)[0].strip()
    if low in ("required",):
        fields["required"] = True
    elif word in FORMATS:
        if type_name != "str":
            raise SpecError(f"{where}: the format {word!r} needs a str parameter")
        fields["format"] = word
        if ":" in clause:
            help_parts.append(clause.split(":", 1)[1].strip())
    elif (m := KEYWORD.match(clause)) is None:
        help_parts.append(clause)
    elif m.group(1).lower() == "one of":
        values = [v.strip() for v in m.group(2).split(",") if v.strip()]
        if not values:
            raise SpecError(f"{where}: 'one of:' lists no values")
        fields["choices"] = tuple(_as_type(_literal(v, type_name), type_name, f"{where}: {v!r}")
                                  for v in values)
    elif m.group(1).lower() == "range":
        lo, sep, hi = m.group(2).partition("..")
        if not sep or type_name not in ("int", "float"):
            raise SpecError(f"{where}: 'range: LO..HI' needs an int or float parameter and '..'")
        try:
            fields["minimum"] = _number(lo, type_name)
            fields["maximum"] = _number(hi, type_name)
        except ValueError:
            raise SpecError(f"{where}: cannot read the range {m.group(2)!r}") from None
    elif m.group(1).lower() == "max length":
        try:
            fields["max_length"] = int(m.group(2))
        except ValueError:
            raise SpecError(f"{where}: 'max length:' needs a whole number") from None
    else:
        raise SpecError(f"{where}: unknown clause keyword {m.group(1)!r} (keywords: one of, "
                        f"range, max length, required, {', '.join(FORMATS)}); write help "
                        f"text without 'word:' at its start")


def _literal(text: str, type_name: str) -> Any:
    if type_name == "str":
        return text
    if type_name == "bool":
        return {"true": True, "false": False}.get(text.lower(), text)
    try:
        return int(text) if type_name == "int" else float(text)
    except ValueError:
        return text


def _number(text: str, type_name: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    return int(text) if type_name == "int" else float(text)


def _as_type(value: Any, type_name: str, what: str) -> Any:
    if type_name == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    expected = TYPES[type_name]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise SpecError(f"{what} should be a {type_name}, got {value!r}")
    return value
