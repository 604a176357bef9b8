"""Spec text made safe for code: Python identifiers and literals.

Spec text is data. It reaches a generated module only through these functions: identifiers
are rebuilt from `[a-z0-9_]` alone, and everything else becomes a `repr()` literal.
"""
from __future__ import annotations

import keyword
import pprint
import re
import unicodedata


class PythonIdentifier(str):
    """A valid, non-keyword, lower-case Python identifier made from arbitrary text."""

    def __new__(cls, text: str, prefix: str = "x") -> "PythonIdentifier":
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        name = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or prefix
        if name[0].isdigit():
            name = f"{prefix}_{name}"
        if keyword.iskeyword(name) or keyword.issoftkeyword(name):
            name = f"{name}_"
        return super().__new__(cls, name)


def python_literal(value: object) -> str:
    """`value` (str, int, float, bool, None, lists, tuples and dicts of them) as Python source."""
    _check_literal(value)
    return pprint.pformat(value, indent=1, width=100, sort_dicts=False)


def _check_literal(value: object) -> None:
    # Only plain data may become source text: anything else could carry behaviour.
    if value is None or isinstance(value, (str, int, float, bool)):
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_literal(item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_literal(key)
            _check_literal(item)
        return
    raise TypeError(f"not a plain literal: {type(value).__name__}")
