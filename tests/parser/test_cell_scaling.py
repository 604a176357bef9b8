"""A property cell's condition is found in linear time, with the results of the pattern it replaced."""
import re
import time

from hypothesis import given, settings, strategies as st

from generator.conditions import _CLAUSE, _clause, split_cell
from generator.model import Condition

# The pattern split_cell used to apply: a lazy path before the clause, quadratic on a long cell.
_ORACLE = re.compile(r"^(?P<path>.*?)\s*\(\s*(?P<clauses>Dependant on having\b.*)\)\s*$", re.DOTALL)

FRAGMENTS = ["name", "a.b", " ", "\n", "(", ")", "Dependant on having", "Dependant on havingX", " in ", "NO",
             "wd:Q852835", "x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=10))
def test_same_path_and_clauses_as_the_pattern(pieces):
    cell = "".join(pieces)
    assert split_cell(cell, "source") == oracle(cell)


def oracle(cell):
    match = _ORACLE.match(cell)
    if match is None:
        return cell, None
    distinct = list(dict.fromkeys(_clause(text, "source") for text in match["clauses"].split(_CLAUSE)[1:]))
    first = distinct[0]
    if len(distinct) > 1:
        first = Condition(first.side, first.path, first.has, tuple(distinct[1:]))
    return match["path"].strip(), first


def test_a_long_cell_of_unclosed_clauses_is_read_at_once():
    cell = "x " + "(Dependant on having a in b " * 40_000  # ~1 MB; the pattern took minutes
    started = time.perf_counter()
    assert split_cell(cell, "source") == (cell, None)
    assert split_cell(cell + ")", "source")[0] == "x"
    assert time.perf_counter() - started < 5  # generous; it takes milliseconds
