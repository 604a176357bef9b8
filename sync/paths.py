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

A row's condition (``phone_numbers.number`` where ``phone_numbers.name`` has ``mobile``) is read
with `get_where` and written with `set_where`. The paths' common prefix (``phone_numbers``) is a
list whose items the condition selects: reading gives the matching items' values; writing sets
them, adding an item with the discriminator set when none matches. With no common prefix the
condition is on the record itself: the value is read, or written, only where the record's field
holds the value (a list-valued field holds a value it contains); a record being created gets the
discriminator set, so that it satisfies the condition.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, NamedTuple

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
        if len(parts) > 1 and ".".join(parts) in node:  # a key that holds dots itself: `@odata.etag`
            return node[".".join(parts)]
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


def contains(record: Any, wanted: Any) -> bool:
    """Whether `record` holds everything `wanted` does: each field of a dict at any depth, each item of a
    list, with an equal value (fields `wanted` does not name may hold anything)."""
    if isinstance(wanted, dict) and isinstance(record, list):  # an API that keeps the field as a list of items
        return bool(record) and all(contains(item, wanted) for item in record)
    if isinstance(wanted, dict):
        return isinstance(record, dict) and all(contains(record.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, list):
        return (isinstance(record, list) and len(record) == len(wanted)
                and all(contains(r, w) for r, w in zip(record, wanted)))
    return values_equal(wanted, record)


def deep_merge(base: dict, changes: dict) -> dict:
    """`base` with `changes` merged in: nested dicts merge, anything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def holds_value(held: Any, wanted: Any) -> bool:
    """Whether a field holds a value: equal as text (`1` holds `"1"`), or, for a list, one item that does."""
    if isinstance(held, list):
        return any(holds_value(item, wanted) for item in held)
    return held is not None and not isinstance(held, dict) and _as_text(held) == _as_text(wanted)


def _as_text(value: Any) -> str:
    # A document writes `true`; a JSON API holds the boolean.
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


class Where(NamedTuple):
    """A path under a condition, as a key of the changes a write carries (a plain path is a `str`)."""

    path: str
    condition_path: str
    has: str

    def __str__(self) -> str:
        return f"{self.path} (where {self.condition_path} has {self.has})"


def _under_condition(path: str, condition_path: str) -> tuple[str, str, str]:
    """(the shared prefix, the rest of the value path, the rest of the condition path)."""
    value, condition = split(path), split(condition_path)
    shared = 0
    while shared < min(len(value), len(condition)) - 1 and value[shared] == condition[shared]:
        shared += 1
    return ".".join(value[:shared]), ".".join(value[shared:]), ".".join(condition[shared:])


def get_where(record: Any, where: Where) -> Any:
    """The value at `where.path` of the item(s), or the record, where the condition holds; else None."""
    prefix, rest, discriminator = _under_condition(where.path, where.condition_path)
    node = get_path(record, prefix) if prefix else record
    holders = node if isinstance(node, list) else [node]
    picked = [get_path(item, rest) for item in holders
              if isinstance(item, dict) and holds_value(get_path(item, discriminator), where.has)]
    if not picked:
        return None
    return picked[0] if len(picked) == 1 or not isinstance(node, list) else picked


def set_where(record: dict, where: Where, value: Any, *, create: bool = False,
              shape: Callable[[str], str | None] = lambda path: None) -> dict:
    """Writes `value` under the condition (in place): into the matching list items, adding one when
    none matches; on the record only where it holds, or, when `create`, setting the discriminator.
    `shape` tells what the API holds at a path ("object", "array", or None where nothing says)."""
    prefix, rest, discriminator = _under_condition(where.path, where.condition_path)
    holder: Any = record
    if prefix:
        holder = get_path(record, prefix)
        if holder is None:  # nothing yet: a discriminator selects among items, so a list, unless the API holds one object
            if shape(prefix) == "object" and not create:
                return record  # no object, so no condition in it holds
            set_path(record, prefix, {} if shape(prefix) == "object" else [])
            holder = get_path(record, prefix)
        if isinstance(holder, list):
            matching = [item for item in holder
                        if isinstance(item, dict) and holds_value(get_path(item, discriminator), where.has)]
            if not matching:
                matching = [set_path({}, discriminator, where.has)]
                holder.append(matching[0])
            for item in matching:
                set_path(item, rest, value)
            return record
    if not isinstance(holder, dict):
        return record
    if holds_value(get_path(holder, discriminator), where.has):
        set_path(holder, rest, value)
    elif create and is_empty(get_path(holder, discriminator)):
        set_path(holder, discriminator, where.has)
        set_path(holder, rest, value)
    return record


def read_at(record: Any, place: "str | Where") -> Any:
    """The value at a plain path or under a condition."""
    return get_where(record, place) if isinstance(place, Where) else get_path(record, place)


def write_at(record: dict, place: "str | Where", value: Any, *, create: bool = False,
             shape: Callable[[str], str | None] = lambda path: None) -> dict:
    """Writes at a plain path or under a condition (in place); `shape` as for `set_where`."""
    if isinstance(place, Where):
        return set_where(record, place, value, create=create, shape=shape)
    return set_path(record, place, value)
