"""``python -m analytics_notebooks``: list the report notebooks or run one (see cli.py)."""

from __future__ import annotations

import sys

from analytics_notebooks.cli import main

if __name__ == "__main__":
    sys.exit(main())
