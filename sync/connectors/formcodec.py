"""Chargebee's form encoding of nested objects and arrays, both ways.

Chargebee API v2 takes `application/x-www-form-urlencoded` bodies: a nested object's field
is `billing_address[city]`, an array of objects is indexed per field,
`order_line_items[unit_price][0]`, and an array of scalars is `tags[0]`. Values deeper than
that travel as JSON strings, and so do the parameters Chargebee declares JSON-valued
(`meta_data={"tier":"gold"}`, one field, never `meta_data[tier]`). Booleans are `true`/`false`.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def _scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def encode(data: dict, json_fields: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """A nested object as Chargebee form pairs, in a stable order; `json_fields` travel as one JSON field."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        if key in json_fields:
            pairs.append((key, json.dumps(value, sort_keys=True) if not isinstance(value, str) else value))
        elif isinstance(value, dict):
            pairs.extend(_encode_object(key, value))
        elif isinstance(value, list) and all(isinstance(item, dict) for item in value) and value:
            for index, item in enumerate(value):
                pairs.extend((f"{key}[{field}][{index}]", _text(v)) for field, v in item.items())
        elif isinstance(value, list):
            pairs.extend((f"{key}[{index}]", _text(v)) for index, v in enumerate(value))
        else:
            pairs.append((key, _text(value)))
    return pairs


def _encode_object(prefix: str, value: dict) -> Iterable[tuple[str, str]]:
    for field, inner in value.items():
        if isinstance(inner, dict):
            yield from _encode_object(f"{prefix}[{field}]", inner)
        else:
            yield f"{prefix}[{field}]", _text(inner)


def decode(pairs: Iterable[tuple[str, str]]) -> dict:
    """Form pairs back into the nested object `encode` made from it (values stay text)."""
    result: dict[str, Any] = {}
    for raw_key, value in pairs:
        match = _KEY.match(raw_key)
        if not match:
            result[raw_key] = value
            continue
        base, brackets = match.group(1), re.findall(r"\[([^\[\]]*)\]", match.group(2))
        if not brackets:
            result[base] = value
        elif len(brackets) == 1 and brackets[0].isdigit():
            _place(result.setdefault(base, []), int(brackets[0]), value)
        elif len(brackets) == 2 and brackets[1].isdigit() and not brackets[0].isdigit():
            items = result.setdefault(base, [])
            _place(items, int(brackets[1]), None)
            if not isinstance(items[int(brackets[1])], dict):
                items[int(brackets[1])] = {}
            items[int(brackets[1])][brackets[0]] = value
        else:
            node = result.setdefault(base, {})
            for part in brackets[:-1]:
                node = node.setdefault(part, {})
            node[brackets[-1]] = value
    return result


def _place(items: list, index: int, value: Any) -> None:
    while len(items) <= index:
        items.append(None)
    if value is not None:
        items[index] = value
