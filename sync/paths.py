"""Dotted property paths over nested JSON records.

The rule for paths (quoted by the README):

* ``billing_address.city`` reads ``record["billing_address"]["city"]`` and, when written,
  builds the nested objects that are missing.
* A path that passes through a list applies to the list's items: reading
  ``invoiceItems.unitPrice`` gives the list of every item's ``unitPrice`` (items lacking it
  give ``None``), and ``addresses.postalCode.city`` gives each address's ``postalCode.city``.
* Writing a list of values through a list sets item *i* from value *i*, adding items when the
  list is too short; writing a single value through a list sets it on every item (an empty
  list gets one item, so the value is not lost). Where nothing exists yet, writing a list of
  values builds a list of objects, one per value; writing a single value builds an object.
* A value read through a list therefore round-trips: ``get(set({}, p, [a, b]), p) == [a, b]``.
"""
from __future__ import annotations

import copy
from typing import Any

_MISSING = object()


def split(path: str) -> list[str]:
    """The segments of a dotted path."""
    return [part for part in path.split(".") if part != ""] or [path]


def is_empty(value: Any) -> bool:
    """Whether a value counts as empty: it never overwrites a filled one and never matches."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, tuple)):
        return all(is_empty(item) for item in value)
    if isinstance(value, dict):
        return not value
    return False


def get_path(record: Any, path: str) -> Any:
    """The value at a dotted path, a list of values where the path runs through a list, or None."""
    return _get(record, split(path))


def _get(node: Any, parts: list[str]) -> Any:
    if not parts:
        return node
    if isinstance(node, list):
        return [_get(item, parts) for item in node]
    if isinstance(node, dict):
        return _get(node.get(parts[0]), parts[1:]) if parts[0] in node else None
    return None


def set_path(record: dict, path: str, value: Any) -> dict:
    """Sets `value` at a dotted path in `record` (in place, following the list rule) and returns it."""
    _set(record, split(path), value)
    return record


def _set(node: dict, parts: list[str], value: Any) -> None:
    head, rest = parts[0], parts[1:]
    if not rest:
        node[head] = copy.deepcopy(value)
        return
    child = node.get(head)
    if isinstance(child, list):
        _set_items(child, rest, value)
    elif isinstance(child, dict):
        _set(child, rest, value)
    elif isinstance(value, list):
        node[head] = []
        _set_items(node[head], rest, value)
    else:
        node[head] = {}
        _set(node[head], rest, value)


def _set_items(items: list, parts: list[str], value: Any) -> None:
    if isinstance(value, list):
        while len(items) < len(value):
            items.append({})
        targets = list(zip(range(len(value)), value))
    else:
        if not items:
            items.append({})
        targets = [(i, value) for i in range(len(items))]
    for index, item_value in targets:
        if not isinstance(items[index], dict):
            items[index] = {}
        _set(items[index], parts, item_value)


def values_equal(wanted: Any, held: Any) -> bool:
    """Whether `held` already says `wanted`, counting a value broadcast over list items as equal."""
    if isinstance(held, list) and not isinstance(wanted, list):
        return bool(held) and all(values_equal(wanted, item) for item in held)
    if isinstance(wanted, list) and isinstance(held, list):
        return len(wanted) == len(held) and all(values_equal(w, h) for w, h in zip(wanted, held))
    if isinstance(wanted, bool) or isinstance(held, bool):
        return type(wanted) is type(held) and wanted == held
    return wanted == held


def deep_merge(base: dict, changes: dict) -> dict:
    """`base` with `changes` merged in: nested dicts merge, anything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
