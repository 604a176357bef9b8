"""A field selection in the syntax of Tripletex's `fields` parameter, read and written in one place for the
connector (which asks for what its mapping reads) and the fake (which answers only that).

Tripletex's own text (the "Fields" section of its OpenAPI's description) says it: "Use the `fields` parameter
to specify which fields should be returned. This also supports fields from sub elements, done via
`<field>(<subResourceFields>)`. `*` means all fields for that resource": `project` alone answers
`{"id": 12345, "url": ...}`, a reference; `project(*)` the whole project; `project(name)` only its name.

A selection is a tree: name -> None (the field as the API answers it unasked: an object as a reference) or a
tree of its own (`name(...)`); the name `*` stands for every field at its level.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Optional

Tree = dict[str, Optional["Tree"]]

ALL = "*"
_NAME = re.compile(r"\*|[A-Za-z_][A-Za-z0-9_]*")


def tree_of(paths: Iterable[str]) -> Tree:
    """The selection asking for each dotted path (`postalAddress.city` -> `postalAddress(city)`); a path asked for
    whole beside one below it is asked for whole (`postalAddress(*,city)`), never cut down to the one below."""
    tree: Tree = {}
    for path in paths:
        node, parts = tree, [part for part in path.split(".") if part]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            held = node.get(part, ...)
            if last:
                if held is ...:
                    node[part] = None
                elif held is not None:
                    held.setdefault(ALL, None)
                break
            if held is ...:
                node[part] = {}
            elif held is None:
                node[part] = {ALL: None}
            node = node[part]  # type: ignore[assignment]
    return tree


def text_of(tree: Tree) -> str:
    """The selection as the parameter spells it: `id,version,postalAddress(city,country(id))`."""
    return ",".join(name if sub is None else f"{name}({text_of(sub) or ALL})" for name, sub in tree.items())


def parse(text: str) -> Tree:
    """The tree a `fields` value asks for; ValueError saying where it is malformed. "" asks for nothing: the
    API's default (`*`)."""
    tree, end = _parse(text, 0)
    if end != len(text):
        raise ValueError(f"unexpected {text[end]!r} at position {end + 1}")
    return tree


MAX_DEPTH = 32  # objects within objects a selection may name (a record's own nesting is far less)


def _parse(text: str, at: int, depth: int = 1) -> tuple[Tree, int]:
    if depth > MAX_DEPTH:
        raise ValueError(f"objects nested over {MAX_DEPTH} deep")
    tree: Tree = {}
    while at < len(text) and text[at] != ")":
        at = _skip(text, at)
        found = _NAME.match(text, at)
        if not found:
            raise ValueError(f"no field name at position {at + 1}")
        name, at = found.group(), _skip(text, found.end())
        sub: Tree | None = None
        if at < len(text) and text[at] == "(":
            sub, at = _parse(text, at + 1, depth + 1)
            if at >= len(text):
                raise ValueError("a '(' is never closed")
            at = _skip(text, at + 1)
        tree[name] = sub if name not in tree or tree[name] is None else {**tree[name], **(sub or {})}
        if at < len(text) and text[at] == ",":
            at += 1
            if _skip(text, at) >= len(text) or text[_skip(text, at)] == ")":
                raise ValueError(f"a ',' with no field after it at position {at}")
        elif at < len(text) and text[at] != ")":
            raise ValueError(f"unexpected {text[at]!r} at position {at + 1}")
    if at < len(text) and text[at] == ")" and not tree:
        raise ValueError(f"an empty '()' at position {at + 1}")
    return tree, at


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] == " ":
        at += 1
    return at


def names(tree: Tree, prefix: str = "") -> list[str]:
    """The dotted paths a selection names (not `*`), for checking them against the vendor's schema."""
    found = []
    for name, sub in tree.items():
        if name == ALL:
            continue
        found.append(prefix + name)
        if sub:
            found += names(sub, f"{prefix}{name}.")
    return found


def render(record: dict, tree: Tree | None, reference: Callable[[str, dict], dict], named_only: Iterable[str] = (),
           path: str = "") -> dict:
    """`record` as an API answers `tree` (None: unasked, every field but `named_only`); an object not asked into is
    answered as `reference(its dotted path, it)`."""
    tree = tree or {ALL: None}
    hidden = set(named_only)
    shown = [name for name in record if name not in hidden] if ALL in tree else []
    shown += [name for name in tree if name != ALL and name not in shown]
    answer = {}
    for name in shown:
        if name in record:
            answer[name] = _rendered(record[name], tree.get(name), reference, named_only, f"{path}{name}")
    return answer


def _rendered(value: Any, sub: Tree | None, reference: Callable[[str, dict], dict], named_only: Iterable[str],
              path: str) -> Any:
    if isinstance(value, dict):
        return render(value, sub, reference, named_only, path + ".") if sub is not None else reference(path, value)
    if isinstance(value, list):
        return [_rendered(item, sub, reference, named_only, path) for item in value]
    return value


def project(record: dict, tree: Tree) -> dict:
    """What of `record` (an answer holding more) `tree` asks for, as the API would answer the selection; the
    caller makes sure no object it asks into was answered as a reference (`as_reference`)."""
    if ALL in tree:
        return record
    answer = {}
    for name, sub in tree.items():
        if name in record:
            value = record[name]
            answer[name] = (project(value, sub) if isinstance(value, dict) and sub else
                            [project(v, sub) if isinstance(v, dict) else v for v in value]
                            if isinstance(value, list) and sub else value)
    return answer


def as_reference(record: dict, tree: Tree, reference: Iterable[str]) -> bool:
    """Whether an object `tree` asks into was answered as a reference (only `reference` fields of it) in `record`."""
    kept = set(reference)
    for name, sub in tree.items():
        if not sub or name not in record:
            continue
        value = record[name]
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, dict):
                continue
            asked = set(sub) - {ALL}
            if (set(item) <= kept and (ALL in sub or asked - kept)) or as_reference(item, sub, reference):
                return True
    return False
