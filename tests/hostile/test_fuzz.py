"""Fuzzing the contract: any mutation of a real document either generates modules that compile
(exit 0), or is `path:line: error` with exit 2 and nothing written; always in bounded time."""
import os
import re
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from generator.cli import main

SPECS = Path(__file__).parents[2] / "specs"
SEEDS = sorted(SPECS.rglob("*.rst"))
SECONDS_PER_DOCUMENT = 60  # generous for a loaded CI machine; a document takes well under a second
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))  # more by hand: FUZZ_EXAMPLES=500
CONTROL = [chr(c) for c in (*range(0, 32), 0x7F, 0x85, 0x2028, 0xFEFF)]


def _truncate(lines, draw):
    return lines[: draw(st.integers(0, len(lines)))]


def _swap(lines, draw):
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return lines


def _indent(lines, draw):
    i = draw(st.integers(0, len(lines) - 1))
    lines[i] = " " * draw(st.integers(0, 12)) + lines[i].lstrip()
    return lines


def _control(lines, draw):
    i = draw(st.integers(0, len(lines) - 1))
    at = draw(st.integers(0, len(lines[i])))
    lines[i] = lines[i][:at] + "".join(draw(st.lists(st.sampled_from(CONTROL), min_size=1, max_size=3))) + lines[i][at:]
    return lines


def _nest(lines, draw):
    i = draw(st.integers(0, len(lines)))
    style = draw(st.sampled_from(["* x", "x", "1. x", "- x"]))
    depth = draw(st.integers(1, 400))
    return lines[:i] + [line for level in range(depth) for line in ("", "  " * level + style)] + [""] + lines[i:]


def _repeat(lines, draw):
    sentences = [n for n, line in enumerate(lines) if " will " in line] or [0]
    i = draw(st.sampled_from(sentences))
    times = draw(st.sampled_from([2, 50, 2_000]))
    text = lines[i].rstrip(".")
    return lines[:i] + [text] * times + lines[i + 1:]


def _delete(lines, draw):
    del lines[draw(st.integers(0, len(lines) - 1))]
    return lines


MUTATIONS = [_truncate, _swap, _indent, _control, _nest, _repeat, _delete]


@st.composite
def mutated_documents(draw):
    seed = draw(st.sampled_from(SEEDS))
    lines = seed.read_text(encoding="utf-8").splitlines() or [""]
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4)):
        lines = mutation(lines, draw) or [""]
    return seed.name, "\n".join(lines) + "\n"


@contextmanager
def deadline(seconds):
    def expire(*_):
        raise TimeoutError(f"a document took over {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.slow  # fuzzing
@settings(max_examples=FUZZ_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(mutated_documents())
def test_a_mutated_document_generates_compiling_modules_or_is_a_located_error(tmp_path_factory, capsys, document):
    name, text = document
    root = tmp_path_factory.mktemp("fuzz")
    specs, out = root / "specs", root / "out"
    specs.mkdir()
    (specs / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    with deadline(SECONDS_PER_DOCUMENT):
        code = main(["--specs", str(specs), "--out", str(out), "--no-cache", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 0:
        modules = sorted(out.rglob("*.py"))
        assert modules
        for module in modules:
            compile(module.read_text(encoding="utf-8"), str(module), "exec")
    else:
        errors = [line for line in err.splitlines() if ": error: " in line]
        assert errors and all(re.match(rf"{re.escape(str(specs / name))}:[1-9][0-9]*: error: \S", line)
                              for line in errors), err
        assert sorted(p.name for p in root.iterdir()) == ["specs"], "nothing written on error"
