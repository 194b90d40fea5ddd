"""The command line: ``list`` the report notebooks, ``run`` one to an offline HTML report.

    python -m analytics_notebooks list [--json]
    python -m analytics_notebooks run visitor_report --site mogao --start 2026-10-01 \\
        --end 2026-10-07 [--language zh] [--database-url URL] [--out DIR]

``run``'s options are made from the notebook's parameters cell (``site_id`` is ``--site``
or ``--site-id``). Bad input gets a message and exit status 2; a failed run exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analytics_notebooks import runner
from analytics_notebooks.spec import NotebookSpec, Param

PROG = "python -m analytics_notebooks"
TYPES: dict[str, Any] = {"str": str, "int": int, "float": float}


def _fail(message: str, *details: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    for line in details:
        print(f"  - {line}", file=sys.stderr)
    return 2


def _flags(p: Param) -> list[str]:
    flags = [f"--{p.name.replace('_', '-')}"]
    if p.format == "site" and p.name.endswith("_id"):
        flags.insert(0, f"--{p.name[:-3].replace('_', '-')}")
    return flags


def _describe(p: Param) -> str:
    parts = [p.help] if p.help else []
    if p.choices is not None:
        parts.append("one of " + ", ".join(map(str, p.choices)))
    if p.minimum is not None or p.maximum is not None:
        parts.append(f"from {p.minimum if p.minimum is not None else '-inf'} to "
                     f"{p.maximum if p.maximum is not None else 'inf'}")
    parts.append("required" if p.required else f"default {p.default!r}")
    return "; ".join(parts)


def run_parser(spec: NotebookSpec) -> argparse.ArgumentParser:
    """The options of ``run NAME``, one per parameter of the notebook."""
    parser = argparse.ArgumentParser(prog=f"{PROG} run {spec.name}", description=spec.title,
                                     epilog=spec.description)
    for p in spec.parameters:
        kwargs: dict[str, Any] = {"dest": p.name, "default": argparse.SUPPRESS,
                                  "help": _describe(p)}
        if p.type == "bool":
            kwargs["action"] = argparse.BooleanOptionalAction
        else:
            kwargs["type"] = TYPES[p.type]
            kwargs["metavar"] = (p.format or p.type).upper()
            if p.choices is not None:
                kwargs["choices"] = list(p.choices)
        if p.name == "database_url":
            kwargs["help"] = ("the database (default: $DATABASE_URL, else the server's "
                              "instance/lantern.db)")
        parser.add_argument(*_flags(p), **kwargs)
    parser.add_argument("--out", type=Path, default=Path("reports_out"),
                        help="folder for the HTML and the executed notebook (reports_out)")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="stop the run after this many seconds (1800)")
    parser.add_argument("--kernel", default="python3", help="the Jupyter kernel (python3)")
    return parser


def _site_ids(url: str) -> list[str] | str:
    """The database's sites, or a message saying why they cannot be read."""
    from analytics_notebooks.db import DatabaseUnavailable, connect

    try:
        engine = connect(url)
    except DatabaseUnavailable as exc:
        return str(exc)
    try:
        with engine.connect() as conn:
            from sqlalchemy import text

            return [r[0] for r in conn.execute(text("SELECT id FROM sites ORDER BY id"))]
    finally:
        engine.dispose()


def cmd_run(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        names = ", ".join(runner.DEFAULT.names())
        print(f"usage: {PROG} run NOTEBOOK [options]  (notebooks: {names}; "
              f"{PROG} run NOTEBOOK --help lists its options)", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        spec = runner.spec(argv[0])
    except runner.UnknownNotebook as exc:
        return _fail(str(exc))
    args = vars(run_parser(spec).parse_args(argv[1:]))
    out, timeout, kernel = args.pop("out"), args.pop("timeout"), args.pop("kernel")
    if spec.param("database_url") is not None:
        from analytics_notebooks.db import resolve_url

        args["database_url"] = resolve_url(args.get("database_url", ""))
    try:
        params = runner.validate(spec.name, args)
    except runner.ParameterError as exc:
        return _fail("the parameters are not valid", *(f"{e['field']}: {e['message']}"
                                                        for e in exc.errors))
    if "database_url" in params and any(p.format == "site" for p in spec.parameters):
        sites = _site_ids(params["database_url"])
        if isinstance(sites, str):
            return _fail(sites)
        try:
            params = runner.validate(spec.name, params, site_ids=sites)
        except runner.ParameterError as exc:
            return _fail("the parameters are not valid", *(f"{e['field']}: {e['message']}"
                                                            for e in exc.errors))
    return _execute(spec, params, out, timeout, kernel)


def _execute(spec: NotebookSpec, params: dict[str, Any], out: Path, timeout: float,
             kernel: str) -> int:
    from tqdm import tqdm

    with tqdm(total=1, unit="cell", desc=spec.name, file=sys.stderr) as bar:
        def progress(cell: int, cells: int) -> None:
            bar.total = cells
            bar.n = cell
            bar.refresh()

        outcome = runner.execute(spec.name, params, out_dir=out, timeout_s=timeout,
                                 on_progress=progress, kernel_name=kernel)
    if outcome.status != "succeeded":
        error = outcome.error or {}
        where = f"cell {error.get('cell')}" if error.get("cell") is not None else "the run"
        print(f"failed in {where} after {outcome.seconds:.1f} s: {error.get('ename')}: "
              f"{error.get('evalue')}", file=sys.stderr)
        if outcome.html_path:
            print(f"report (with the error): {outcome.html_path}")
        return 1
    print(f"report: {outcome.html_path}")
    print(f"notebook: {outcome.notebook_path}")
    return 0


def cmd_list(as_json: bool) -> int:
    specs = runner.notebooks()
    if as_json:
        print(json.dumps({s.name: s.json_schema() for s in specs}, indent=2, ensure_ascii=False))
        return 0
    for s in specs:
        print(f"{s.name}: {s.title}")
        if s.description:
            print(f"  {s.description}")
        for p in s.parameters:
            flags = ", ".join(_flags(p))
            print(f"    {flags:<30} {p.type:<6} {_describe(p)}")
        print()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "run":
        return cmd_run(args[1:])
    parser = argparse.ArgumentParser(prog=PROG, description="Lantern's report notebooks.",
                                     epilog=f"{PROG} run NOTEBOOK --help lists a notebook's "
                                            f"options.")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show the notebooks and their parameters")
    listing.add_argument("--json", action="store_true", help="as JSON Schema, one a notebook")
    commands.add_parser("run", help="run a notebook to an HTML report", add_help=False)
    parsed = parser.parse_args(args)
    return cmd_list(parsed.json)
