"""What a report shows: headings, paragraphs, warnings, tables and figures, as HTML outputs.

Figures are rendered to PNG here and embedded as ``data:`` URIs, so the notebook, JupyterLab
and the offline HTML report all show the same picture with nothing to fetch. Every text from
the database is escaped.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MAX_ROWS = 300


def show_html(markup: str) -> None:
    """Display HTML in the notebook (printed when there is no notebook)."""
    from IPython.display import HTML, display

    display(HTML(markup))


def heading(text: str, level: int = 2) -> None:
    show_html(f"<h{level}>{escape(text)}</h{level}>")


def paragraph(text: str, css: str = "lead") -> None:
    show_html(f'<p class="{css}">{escape(text)}</p>')


def warning(text: str) -> None:
    show_html(f'<div class="warning" role="note">{escape(text)}</div>')


def new_figure(width_in: float = 10.0, height_in: float = 4.0) -> Figure:
    """A figure outside pyplot (nothing accumulates in the kernel), on an Agg canvas."""
    fig = Figure(figsize=(width_in, height_in), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def figure(fig: Figure | bytes, caption: str) -> None:
    """Show a figure (or PNG bytes) with its caption; the image is a data: URI."""
    data = fig if isinstance(fig, bytes) else png_bytes(fig)
    encoded = base64.b64encode(data).decode("ascii")
    show_html(f'<figure><img src="data:image/png;base64,{encoded}" alt="{escape(caption)}">'
              f"<figcaption>{escape(caption)}</figcaption></figure>")


def fmt_number(value: Any, digits: int = 0) -> str:
    """A number for a table: thousands separated; missing values as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) or hasattr(value, "item"):
        number = float(value)
        return f"{number:,.{digits}f}" if digits else f"{round(number):,}"
    return str(value)


def table_html(frame: pd.DataFrame, *, caption: str | None = None,
               formats: Mapping[str, Callable[[Any], str]] | None = None,
               index: bool = False) -> str:
    """A DataFrame as an HTML table; text columns left-aligned, the rest right-aligned."""
    formats = dict(formats or {})
    shown = frame.reset_index() if index else frame
    rows = shown.head(MAX_ROWS)
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    kinds = {c: _is_text(shown[c]) for c in shown.columns}
    out.append("<thead><tr>" + "".join(
        f'<th class="{"text" if kinds[c] else "num"}">{escape(str(c))}</th>'
        for c in shown.columns) + "</tr></thead><tbody>")
    for _, row in rows.iterrows():
        cells = []
        for c in shown.columns:
            value = row[c]
            text = formats[c](value) if c in formats else (
                str(value) if kinds[c] and not _missing(value) else fmt_number(value))
            cells.append(f'<td class="{"text" if kinds[c] else "num"}">{escape(text)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if len(shown) > MAX_ROWS:
        out.append(f'<p class="note">{len(shown) - MAX_ROWS:,} more rows not shown.</p>')
    return "".join(out)


def table(frame: pd.DataFrame, **kwargs: Any) -> None:
    show_html(table_html(frame, **kwargs))


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_text(column: pd.Series) -> bool:
    """Text unless numeric (an object column of numbers and blanks counts as numeric)."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return False
    values = [v for v in column if not _missing(v)]
    return not values or not all(isinstance(v, int | float) and not isinstance(v, bool)
                                 for v in values)


def percent(value: Any) -> str:
    return "–" if _missing(value) else f"{float(value) * 100:,.0f} %"


def clock(value: Any) -> str:
    """A local time for a table: ``YYYY-MM-DD HH:MM``."""
    return "–" if _missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
