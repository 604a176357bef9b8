"""Coercion of a value to a property's declared data type (`"integer"`, `"float"`, ...).

A type of None (the document's N/A) passes the value through unchanged. An empty value
(None or a blank string) coerces to None for every typed property: "no value" in any type.
Values read through a list path are coerced item by item.
"""
from __future__ import annotations

import math
import re
from typing import Any

_INTEGER = re.compile(r"^[+-]?\d+$")
_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


class CoercionError(ValueError):
    """A value that cannot be read as the declared type; the message names both."""


def coerce(value: Any, data_type: str | None) -> Any:
    """The value as the declared type, or CoercionError when it cannot be one."""
    if data_type is None:
        return value
    if isinstance(value, list):
        return [coerce(item, data_type) for item in value]
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    try:
        converter = _CONVERTERS[data_type]
    except KeyError:
        raise CoercionError(f"unknown data type {data_type!r}") from None
    return converter(value)


def _fail(value: Any, data_type: str) -> CoercionError:
    return CoercionError(f"{value!r} is not a valid {data_type}")


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise _fail(value, "integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    raise _fail(value, "integer")


def _float(value: Any) -> float:
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        raise _fail(value, "float")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise _fail(value, "float") from None
    if not math.isfinite(number):
        raise _fail(value, "float")
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _fail(value, "boolean")


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    raise _fail(value, "string")


_CONVERTERS = {"integer": _integer, "float": _float, "boolean": _boolean, "string": _string}
