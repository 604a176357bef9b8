"""A property path as a table cell writes it, checked before anything uses it.

A path is names joined by dots (`billing_address.city`); the engine walks records by it. A cell
such as `.`, `a..b`, `../../etc/passwd` or `/etc/passwd` is no path at all: a `SpecError` at
the row's line. A condition after the path (`(Dependant on having X in Y)`, read by
`conditions.py`) is not part of it.
"""
from __future__ import annotations

from .conditions import split_cell
from .model import SpecError


def path_of(cell: str) -> str:
    """The path a cell names: the model's clean path, without its `(Dependant on having ...)`."""
    return split_cell(cell, "source")[0]


def check_property_path(cell: str, file: str, line: int) -> None:
    path = path_of(cell)
    if not path:
        raise SpecError(file, line, "a table row with an empty property path")
    if "/" in path:
        raise SpecError(file, line, f"{path!r} is not a property path: names are joined by '.', never '/'")
    if any(not name.strip() for name in path.split(".")):
        raise SpecError(file, line, f"{path!r} is not a property path: a name is missing between its dots "
                        "(a path is names joined by single dots, e.g. 'billing_address.city')")
