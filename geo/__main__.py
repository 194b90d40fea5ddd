"""``python -m geo impact``: answer one impact check read from stdin (see :mod:`geo.wire`).

The server runs each check in such a process under a time and a memory limit. The process
imports everything and runs a tiny check before it reads its request, so one started ahead of
time answers within milliseconds.
"""

from __future__ import annotations

import argparse
import os
import sys

from shapely.errors import GEOSException

from geo.wire import answer_impact_request, warm_up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo", description="geo's command line")
    commands = parser.add_subparsers(dest="command", required=True)
    impact = commands.add_parser("impact", help="read a check (geo.wire JSON) from stdin; write "
                                                "its answer (a JSON line, then JSON or PNG)")
    impact.add_argument("--map", action="store_true",
                        help="load the map renderer before reading the request")
    args = parser.parse_args(argv)
    if args.map:
        import geo.render  # noqa: F401  (matplotlib takes half a second to import)
    warm_up()
    data = sys.stdin.buffer.read()
    if not data:  # the sender went away before asking anything
        return 0
    try:
        answer = answer_impact_request(data)
    except GEOSException as exc:
        # GEOS reports an allocation refused under RLIMIT_AS as a C++ bad_alloc
        if "bad_alloc" in str(exc):
            raise MemoryError(str(exc)) from exc
        raise
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # a one-shot process has nothing to clean up, and tearing down pandas, GEOS and PROJ at
    # exit takes longer than the check itself
    os._exit(status)
