"""How the runner writes parameter values into a notebook: as Python literals, with ``repr``.

papermill's own Python translator writes a string as ``"..."`` with only ``"`` escaped, so a
value ending in a backslash, or holding a newline, closes the string early and the rest of the
value runs as code. The runner's child registers this translator instead; every value it
writes reads back with :func:`ast.literal_eval` as exactly the value given.
"""

from __future__ import annotations

import math
from typing import Any

from papermill.translators import PythonTranslator, papermill_translators


class SafePythonTranslator(PythonTranslator):
    """papermill's Python translator with every value written by ``repr``."""

    @classmethod
    def translate_str(cls, val: Any) -> str:
        return repr(str(val))

    @classmethod
    def translate_escaped_str(cls, str_val: Any) -> str:
        return repr(str(str_val))

    @classmethod
    def translate_float(cls, val: Any) -> str:
        if math.isfinite(val):
            return repr(float(val))
        return super().translate_float(val)  # type: ignore[no-any-return]


def register_safe_translator() -> None:
    """Use :class:`SafePythonTranslator` for Python notebooks in this process."""
    papermill_translators.register("python", SafePythonTranslator)
