"""The suite generated from the publisher's real documents compiles and passes, run from outside the repository."""
import subprocess
import sys

import pytest

from generator.cli import main

pytestmark = pytest.mark.slow  # the publisher's corpus in ../shared, as a suite run in a subprocess


def test_corpus_sample_suite_passes_outside_the_repository(corpus_sample, tmp_path):
    out = tmp_path / "suite"
    assert main(["--specs", str(corpus_sample), "--out", str(out)]) == 0
    modules = sorted(out.rglob("test_*.py"))
    assert len(modules) == 220
    for module in modules:
        compile(module.read_text(encoding="utf-8"), str(module), "exec")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(out), "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile",
         f"--qa-report={tmp_path / 'qa.html'}"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " failed" not in run.stdout.splitlines()[-1]
