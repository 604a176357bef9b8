"""How a fake API reads a field's wire value into its own type, refusing what the type cannot hold.

Deliberately not `sync.coercion`: the fake plays the server, and a server parses its wire
values by its own description. Sharing the engine's coercion would let a coercion bug pass
unseen. Form APIs send text ("42", "true"); JSON APIs send typed values, and a JSON value of
the wrong type is refused as a real JSON API's schema validation would.
"""
from __future__ import annotations

import math
from typing import Any

from . import wirelimits


_NOT_TEXT = {"integer": "an integer", "timestamp": "an integer", "float": "a number", "boolean": "true or false"}


class WrongType(ValueError):
    """A wire value the declared type cannot hold; the message says what was expected."""


def check(value: Any, data_type: str | None, *, form: bool = True) -> Any:
    """`value` as `data_type` (integer, float, boolean, string, timestamp, json; None: as sent), or WrongType.

    `form`: the value came as form text, which the server parses ("42" is an integer). A JSON
    API's values carry their own type: text where a number or boolean is declared is refused,
    so an engine that forgets to coerce is caught rather than forgiven.
    """
    if data_type is None or value is None:
        return value
    if isinstance(value, list):
        return [check(item, data_type, form=form) for item in value]
    if isinstance(value, str) and not form and data_type in _NOT_TEXT:
        raise WrongType(f"expected {_NOT_TEXT[data_type]}, got text {value!r}")
    if data_type in ("integer", "timestamp"):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise WrongType(f"expected an integer, got {value!r}")
    if data_type == "float":
        number = math.nan
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            try:
                number = float(value)
            except (ValueError, OverflowError):  # not a number, or an integer past any float
                pass
        if math.isfinite(number):  # "NaN", "Infinity" and "1e999" are text float() reads, but no number
            return number
        raise WrongType(f"expected a number, got {value!r}")
    if data_type == "boolean":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise WrongType(f"expected true or false, got {value!r}")
    if data_type == "json":
        if isinstance(value, str):
            try:
                parsed = wirelimits.strict_json(value.encode())
            except wirelimits.Refusal:
                parsed = None
            if isinstance(parsed, dict):
                return parsed
        raise WrongType("expected one form field holding a JSON object")
    if not isinstance(value, str):
        raise WrongType(f"expected a string, got {type(value).__name__} {value!r}")
    return value


def declared_leaves(body: Any, declared: dict[str, str | None], prefix: str = "", *,
                    form: bool = True) -> tuple[Any, list[str]]:
    """`body` with each declared path typed, and the paths it holds that nothing declares.

    A declared path covers whatever value sits there (an object included); a path through a list
    applies to its items, as the engine's paths do (`order_line_items.unit_price`).
    """
    if prefix and prefix in declared:
        return check(body, declared[prefix], form=form), []
    if isinstance(body, dict):
        typed, unknown = {}, []
        for key, value in body.items():
            typed[key], missing = declared_leaves(value, declared, f"{prefix}.{key}" if prefix else key, form=form)
            unknown.extend(missing)
        return typed, unknown
    if isinstance(body, list) and prefix:
        typed_items, unknown = [], []
        for item in body:
            typed_item, missing = declared_leaves(item, declared, prefix, form=form)
            typed_items.append(typed_item)
            unknown.extend(m for m in missing if m not in unknown)
        return typed_items, unknown
    return body, [prefix or "(body)"]


def held_paths(doc: Any, prefix: str = "") -> set[str]:
    """The dotted leaf paths a stored record holds (through lists, as `declared_leaves` reads them):
    fields the API already knows for this record, so a write may send them back."""
    if isinstance(doc, dict):
        return {path for key, value in doc.items() for path in held_paths(value, f"{prefix}.{key}" if prefix else key)}
    if isinstance(doc, list) and any(isinstance(item, dict) for item in doc):
        return {path for item in doc for path in held_paths(item, prefix)}
    return {prefix} if prefix else set()


def as_text(value: Any) -> str:
    """A value as text a person would type: `42`, `42.5`, `true`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)
