"""The command line the live-venue benchmarks share: their options, then the table and, with
``--json``, the whole report."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any


def parser_for(doc: str | None) -> argparse.ArgumentParser:
    """A parser described by the first line of ``doc``, with ``--json`` already added."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--json", action="store_true", help="also print the report as JSON")
    return parser


def show(report: dict[str, Any], format_table: Callable[[dict[str, Any]], str],
         as_json: bool) -> int:
    """Print the table (and the report as JSON); the exit status."""
    print(format_table(report))
    if as_json:
        print(json.dumps(report, indent=2))
    return 0
