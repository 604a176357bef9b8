"""`regenerate-tests --dump-model`: the public JSON, and clear errors for unreadable documents."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

MALFORMED = Path(__file__).parents[1] / "data" / "malformed"
# "<file>:<line>: <phrase the error must hold>", one line per broken document
EXPECTED = {
    line.split(":", 1)[0]: line for line in (MALFORMED / "expected-errors.txt").read_text().splitlines() if line
}


def test_dump_model_of_specs_has_the_documented_keys(specs_dir, capsys):
    assert main(["--specs", str(specs_dir), "--dump-model", "-"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"systems", "dataflows", "findings"}
    dataflow = out["dataflows"][0]
    assert set(dataflow) == {"file", "title", "source_system", "target_system", "generated", "mappings"}
    mapping = dataflow["mappings"][0]
    assert set(mapping) == {
        "id", "title", "line", "source_system", "source_entity", "target_system", "target_entity", "sync",
        "condition", "create_when_connected", "merge_or_create", "merge_keys", "bidirectional", "properties"}
    files = [d["file"] for d in out["dataflows"]]
    assert files == sorted(files) and "examples/customcrm-chargebee-example.rst" in files
    assert sum(len(d["mappings"]) for d in out["dataflows"] if "/" not in d["file"]) == 15
    assert all(f["severity"] == "warning" and f["line"] >= 1 and f["file"] for f in out["findings"])
    example = next(d for d in out["dataflows"] if d["file"] == "examples/customcrm-chargebee-example.rst")
    assert example["mappings"][0]["properties"][4] == {
        "source": "address.city", "target": "billing_address.city", "type": "string", "line": 51, "when": None}


def test_dump_model_to_a_file_writes_only_that_file(specs_dir, tmp_path):
    out = tmp_path / "model.json"
    assert main(["--specs", str(specs_dir), "--dump-model", str(out)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
    assert json.loads(out.read_text())["dataflows"]


@pytest.mark.slow  # regenerate-tests in a subprocess per document
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_unreadable_document_exits_2_with_path_and_line_and_writes_nothing(name, tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(MALFORMED / name, specs / name)
    out = tmp_path / "model.json"
    run = subprocess.run(
        [sys.executable, "-m", "generator.cli", "--specs", str(specs), "--dump-model", str(out)],
        capture_output=True, text=True,
    )
    assert run.returncode == 2
    location, phrase = EXPECTED[name].split(": ", 1)
    first = run.stderr.splitlines()[0]
    assert first.startswith(f"{specs / location}: error: ")
    assert phrase in first
    assert "Traceback" not in run.stderr and run.stdout == ""
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["specs"]


def test_one_broken_document_among_good_ones_still_fails_the_dump(specs_dir, tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(specs_dir, specs)
    shutil.copy(MALFORMED / "no-title.rst", specs / "zz-broken.rst")
    assert main(["--specs", str(specs), "--dump-model", str(tmp_path / "m.json")]) == 2
    assert not (tmp_path / "m.json").exists()


def test_missing_specs_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["--specs", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err
