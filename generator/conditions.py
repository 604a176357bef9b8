"""A property cell's condition: `path (Dependant on having <value> in <path>)`, read into a `Condition`.

The publisher sometimes repeats the clause with no separator (`(Dependant on having X in
A.BDependant on having X in A.B)`): identical clauses read as one; different ones are kept
as `others`, which the checklist and the engine report instead of guessing.
"""
from __future__ import annotations

import re

from .findings import FindingLog
from .model import Condition

# A cell is `<path> (Dependant on having ...)`: the first such opening, and a ")" ending the
# cell. Found by one search, not a pattern with a lazy path before it (quadratic on a long cell).
_OPENING = re.compile(r"\(\s*(?=Dependant on having\b)")
_CLAUSE = "Dependant on having"
# The last free-standing "in" splits a clause: a value may hold spaces, a path never does.
_IN = re.compile(r"(?:^|\s)in(?:\s|$)")


def split_cell(cell: str, side: str) -> tuple[str, Condition | None]:
    """(the clean path, its condition or None) of one property cell."""
    end = len(cell.rstrip())
    opening = _OPENING.search(cell, 0, end - 1) if cell[end - 1:end] == ")" else None
    if opening is None:
        return cell, None
    path, clauses_text = cell[: opening.start()], cell[opening.end(): end - 1]
    clauses = [_clause(text, side) for text in clauses_text.split(_CLAUSE)[1:]]
    distinct = list(dict.fromkeys(clauses))
    first = distinct[0]
    if len(distinct) > 1:
        first = Condition(first.side, first.path, first.has, tuple(distinct[1:]))
    return path.strip(), first


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
