"""A property cell's condition: `path (Dependant on having <value> in <path>)`, read into a `Condition`.

The publisher sometimes repeats the clause with no separator (`(Dependant on having X in
A.BDependant on having X in A.B)`): identical clauses read as one; different ones are kept
as `others`, which the checklist and the engine report instead of guessing.
"""
from __future__ import annotations

import re

from .findings import FindingLog
from .model import Condition

_CELL = re.compile(r"^(?P<path>.*?)\s*\(\s*(?P<clauses>Dependant on having\b.*)\)\s*$", re.DOTALL)
_CLAUSE = "Dependant on having"
# The last free-standing "in" splits a clause: a value may hold spaces, a path never does.
_IN = re.compile(r"(?:^|\s)in(?:\s|$)")


def split_cell(cell: str, side: str) -> tuple[str, Condition | None]:
    """(the clean path, its condition or None) of one property cell."""
    match = _CELL.match(cell)
    if match is None:
        return cell, None
    clauses = [_clause(text, side) for text in match["clauses"].split(_CLAUSE)[1:]]
    distinct = list(dict.fromkeys(clauses))
    first = distinct[0]
    if len(distinct) > 1:
        first = Condition(first.side, first.path, first.has, tuple(distinct[1:]))
    return match["path"].strip(), first


def _clause(text: str, side: str) -> Condition:
    found = list(_IN.finditer(text))
    if not found:
        return Condition(side, "", text.strip())  # type: ignore[arg-type]
    last = found[-1]
    return Condition(side, text[last.end():].strip(), text[: last.start()].strip())  # type: ignore[arg-type]


def report_condition(condition: Condition | None, line: int, log: FindingLog) -> None:
    """A warning at the row's line when its condition cannot be honoured as written."""
    if condition is None or condition.problem() is None:
        return
    code = "condition-several" if condition.others else "condition-blank"
    log.warning(line, code, f"{condition.problem()}: the row is not verifiable and the engine skips it")
