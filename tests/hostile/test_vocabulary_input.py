"""Hostile vocabularies (issue 27, point 4): a file that cannot be read is named with its line before any
test runs, and no phrasing makes a lookup slow.

The qa-checklist side (exit 2, the last good report kept) is in tests/report/test_run_integrity.py.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import vocabulary
from generator.vocabulary import Phrasing, Vocabulary

REPO = Path(__file__).parents[2]


TIMING = """
import json, sys, time
from generator.vocabulary import Phrasing

def best_of(phrasing, condition):
    best = float("inf")
    for _ in range(5):  # the fastest: the least disturbed by other work on the machine
        started = time.perf_counter()
        Phrasing(phrasing, {}).matches(condition, "Acme", "Customer")
        best = min(best, time.perf_counter() - started)
    return best

print(json.dumps([best_of(p, c) for p, c in json.loads(sys.argv[1])]))
"""


def _timings(*lookups: tuple[str, str]) -> list[float]:
    """The best time of each (phrasing, condition) lookup, measured in a process of its own: a backtracking
    matcher cannot be interrupted, so a slow one is killed (the only absolute bound, far above any budget)."""
    try:
        done = subprocess.run([sys.executable, "-c", TIMING, json.dumps(lookups)], cwd=REPO, capture_output=True,
                              text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    except subprocess.TimeoutExpired:
        pytest.fail("the lookups took more than two minutes: the matcher is not linear")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


CONDITION = "When " + "a " * 1500 + "customer is not done"  # no phrasing below matches: every split is tried


def test_a_phrasing_of_many_any_parts_costs_about_what_its_parts_number():
    """A regex of `{any}` parts backtracks: one with eight took most of a minute on a long condition, and
    every test looks its section's condition up. Compared with a phrasing of one `{any}` (linear for any
    matcher) on the same condition, so the machine's speed cancels out: the eight cost about three times
    as much, the parts being three times as many."""
    one, eight = _timings(("When {any} is done", CONDITION), ("When " + "{any} " * 8 + "is done", CONDITION))
    assert eight < 30 * one, f"{eight:.4f} s against {one:.4f} s"


def test_a_lookup_grows_linearly_with_the_phrasing():
    short, long = _timings(("When " + "{any} a " * 8 + "is done", CONDITION),
                           ("When " + "{any} a " * 32 + "is done", CONDITION))  # four times as long
    assert long < 12 * short, f"{long:.4f} s against {short:.4f} s"  # linear: about 4; quadratic: 16


@pytest.mark.parametrize("condition, system, entity, expected", [
    ("When a Acme Customer is qualified", "Acme", "Customer", True),
    ("when  a ACME customers is Qualified", "acme", "customer", True),  # case, spacing and a plural
    ("When a Custom CRM Contact is qualified", "Customcrm", "Contacts", True),  # names of several words
    ("When a Acme Customer is qualified!", "Acme", "Customer", False),
    ("When a Acme Customer is qualified", "Other", "Customer", False),
    ("When a Acme Customer is qualified", "Acme", "Order", False),
    ("When a Acme is qualified", "Acme", "Customer", False),  # a name is never empty
])
def test_the_matcher_reads_names_in_any_spelling(condition, system, entity, expected):
    assert Phrasing("When a {system} {entity} is qualified", {}).matches(condition, system, entity) is expected


def test_any_matches_any_text_even_none():
    phrasing = Phrasing("removed person customers for now{any}", {})
    assert phrasing.matches("Removed person customers for now", "A", "B")
    assert phrasing.matches("removed person customers for now, until the API has them", "A", "B")
    assert not phrasing.matches("removed person customers", "A", "B")


BAD = {
    "not TOML": ('[[conditions]]\nphrasing = "x"\n[conditions.predicates.Acme\n', 3, "not TOML"),
    "conditions a string": ('# mine\nconditions = "When it is on"\n', 2, "array of tables"),
    "concepts a list": ('concepts = ["wd:Q1"]\n', 1, "concepts must be a table"),
    "a spelling a list": ('\n[concepts."wd:Q17517"]\nAcme = ["mobile"]\n', 3, "a string or a number"),
    "phrasing a number": ("[[conditions]]\nphrasing = 5\n", 2, "a phrasing is a non-empty string"),
    "predicate a string": ('[[conditions]]\nphrasing = "When it is on"\n\n[conditions.predicates]\nAcme = "on"\n', 5,
                           "a predicate is a table"),
    "field a number": ('[[conditions]]\nphrasing = "When it is on"\n[conditions.predicates.Acme]\nfield = 5\n', 3,
                       "string `field`"),
    "at_least a word": ('[[conditions]]\nphrasing = "When big"\n[conditions.predicates.Acme]\nfield = "size"\n'
                        'operator = "at_least"\nvalue = "big"\n', 3, "finite number"),
    "equals a table": ('[[conditions]]\nphrasing = "When on"\n[conditions.predicates.Acme]\nfield = "on"\n'
                       'value = {a = 1}\n', 3, "single `value`"),
    "patterns a string": ('[concept_fields]\npatterns = "sesam_*"\n', 2, "patterns must be a list"),
}


@pytest.mark.parametrize("kind", BAD)
def test_a_bad_vocabulary_file_is_named_with_its_line(tmp_path, kind):
    text, line, said = BAD[kind]
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(vocabulary.VocabularyError) as refused:
        Vocabulary.shipped().extended_by_files([path])
    assert str(refused.value).startswith(f"{path}:{line}: ") and said in str(refused.value), str(refused.value)
    assert isinstance(refused.value, ValueError)  # as before: callers that catch ValueError still do


def test_a_missing_or_unreadable_vocabulary_file_is_named(tmp_path):
    with pytest.raises(vocabulary.VocabularyError, match="no such vocabulary file: .*nope.toml"):
        Vocabulary.shipped().extended_by_files([tmp_path / "nope.toml"])
    (tmp_path / "latin1.toml").write_bytes(b'[concepts."wd:Q1"]\nAcme = "\xe6"\n')
    with pytest.raises(vocabulary.VocabularyError, match="latin1.toml: cannot read"):
        Vocabulary.shipped().extended_by_files([tmp_path / "latin1.toml"])


@pytest.mark.slow  # pytest in a subprocess
def test_pytest_refuses_a_bad_vocabulary_before_any_test_runs(tmp_path):
    (tmp_path / "test_one.py").write_text("def test_one(sync_harness):\n    pass\n")
    (tmp_path / "mine.toml").write_text('[[conditions]]\nphrasing = 5\n')
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's plugins, whatever is installed
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--vocabulary=mine.toml"],
                         cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout[-2000:]
    assert "mine.toml:2: a phrasing is a non-empty string" in run.stderr
    assert "passed" not in run.stdout and "error" not in run.stdout.lower()
