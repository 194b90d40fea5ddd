"""The offline HTML report of an executed notebook: no code, no scripts, figures inline.

nbconvert's own templates load require.js and MathJax from a CDN and embed widget scripts;
this one (``templates/offline``) writes a plain page with its styles inline. As a second
guard, anything that could run or fetch (``<script>``, ``<iframe>``, ``<object>``,
``<embed>``, ``<link>``, event-handler attributes) is removed from the finished page.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent / "templates"
ACTIVE = re.compile(r"<(script|iframe|object|embed|style\s+src)\b.*?(</\1\s*>|$)", re.I | re.S)
STANDALONE = re.compile(r"<(link|meta\s+http-equiv|base)\b[^>]*>", re.I)
HANDLER = re.compile(r"\s(on[a-z]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.I | re.S)
TAG = re.compile(r"<[^>]+>")


def export_html(nb: Any, *, title: str) -> str:
    """Return the executed notebook ``nb`` as one self-contained, script-free HTML page.

    The page's title is the report's first heading (in its language), else ``title``.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    name = _first_heading(nb) or title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    return scrub(body)


def scrub(page: str) -> str:
    """Remove whatever could run code or load a resource from an HTML page."""
    page = ACTIVE.sub("", page)
    page = STANDALONE.sub("", page)
    return HANDLER.sub("", page)


def _first_heading(nb: Any) -> str | None:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html:
                html = "".join(html) if isinstance(html, list) else html
                match = H1.search(html)
                if match:
                    return " ".join(unescape(TAG.sub("", match.group(1))).split())
    return None
