"""Spec text is data: hostile names give modules that compile, collect and run nothing."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

pytestmark = pytest.mark.slow  # a suite run in a subprocess

HOSTILE = 'x"); __import__("os").system("touch pwned") #'
NAMES = [HOSTILE, "a'''b", 'back\\slash\\"', "{{ config }}{% raw %}", "Ærø østen ✓", "class", "1st.value"]


def hostile_document() -> str:
    rows = "".join(f"   * - {name}\n     - {name}.target\n     - \"string\"\n" for name in NAMES)
    title = "Acme Thing'''\"\"\" to Acme Other {{x}}"
    return (
        "==========================\nAcme to Acme Dataflow\n==========================\n\n"
        "Introduction\n------------\n\nText.\n\n"
        f"{title}\n{'-' * len(title)}\n"
        "Every Acme Thing''' will be synchronized with a Acme Other {{x}}.\n\n"
        "When the name is ''' or \"\"\" or \\ or {{ x }}, it  will be synchronized with a Acme Other {{x}}.\n\n"
        "The following properties are synchronized between a Acme Thing''' and a Acme Other {{x}}:\n\n"
        ".. list-table::\n   :header-rows: 1\n\n"
        "   * - Acme Thing''' Property\n     - Acme Other {{x}} Property\n     - Acme Data Type\n" + rows
    )


def test_hostile_names_compile_and_run_nothing(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "acme-acme.rst").write_text(hostile_document(), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--specs", str(specs), "--out", str(out)]) == 0
    modules = sorted(out.rglob("test_*.py"))
    assert modules
    for module in modules:
        source = module.read_text(encoding="utf-8")
        compile(source, str(module), "exec")
        assert "__import__" not in source and "system(" not in source
    assert HOSTILE in json.loads((out / "checklist.json").read_text())["documents"][0]["mappings"][0]["model"][
        "properties"][0]["source"]  # kept whole, as data
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(out)],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "property_1" in run.stdout
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(out)],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
