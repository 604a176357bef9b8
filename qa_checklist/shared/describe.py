"""Values as a QA engineer reads them in a failure: with their type, never a bare repr.

`expected integer 4202, the MemberCare API holds text "4202"` says what `expected 4202, the
target holds '4202'` leaves to the quotes.
"""
from __future__ import annotations

import json
import re
from typing import Any

_LONG = 80
_OBJECT_REPR = re.compile(r"<([\w.]+?)(?: object)? at 0x[0-9a-fA-F]+>")


def describe(value: Any) -> str:
    """`integer 4202`, `text "4202"`, `decimal 1.5`, `boolean true`, `nothing`, `list [...]`, `object {...}`."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"decimal {value!r}"
    if isinstance(value, str):
        return "empty text" if value == "" else f"text {_short(json.dumps(value, ensure_ascii=False))}"
    if isinstance(value, (list, tuple)):
        return f"list {_short(_json(value))}"
    if isinstance(value, dict):
        return f"object {_short(_json(value))}"
    return f"{type(value).__name__} {_short(repr(value))}"


def without_addresses(text: str) -> str:
    """`<sync.testing.HarnessFactory object at 0x7f...>` -> `<HarnessFactory>`: the address helps nobody."""
    return _OBJECT_REPR.sub(lambda m: f"<{m.group(1).rsplit('.', 1)[-1]}>", text)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        return repr(value)


def _short(text: str) -> str:
    return text if len(text) <= _LONG else text[: _LONG - 1] + "…"
