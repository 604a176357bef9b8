"""Shards (pytest-split's --splits/--group) run every test once; `qa-checklist merge` makes one report of them."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main as regenerate_tests

from .test_qa_checklist_cli import two_documents

pytestmark = pytest.mark.slow  # suites run in pytest subprocesses


def pytest_run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "suite", "-q", "-p", "no:cacheprovider", *args],
                          cwd=folder, capture_output=True, text=True)


def merge(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qa_checklist.cli", "merge", *args], cwd=folder,
                          capture_output=True, text=True)


def items(report: dict) -> dict[str, dict]:
    return {i["id"]: i for d in report["dataflows"] for m in d["mappings"] for i in m["items"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One suite of two documents, run once whole and once as shards 1..3 of 3."""
    folder = tmp_path_factory.mktemp("shards")
    two_documents(folder)
    assert regenerate_tests(["--specs", str(folder / "specs"), "--out", str(folder / "suite"), "--no-cache"]) == 0
    single = pytest_run(folder, "--qa-report=single/qa.html")
    assert single.returncode == 0, single.stdout[-2000:]
    shards = [pytest_run(folder, "--splits", "3", "--group", str(k), f"--qa-report=parts/shard-{k}.html")
              for k in (1, 2, 3)]
    for shard in shards:
        assert shard.returncode == 0, shard.stdout[-2000:]
        assert "deselected" in shard.stdout.splitlines()[-1]
    return folder


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_three_shards_run_every_test_exactly_once(runs):
    single = items(read(runs / "single" / "qa.json"))
    ran: list[str] = []
    for k in (1, 2, 3):
        part = read(runs / "parts" / f"shard-{k}.json")
        assert part["shard"] == {"group": k, "splits": 3}
        assert part["summary"]["items"] == len(single)  # a partial report still lists every item
        ran += [t for i in items(part).values() for t in i["tests"]]
    assert sorted(ran) == sorted(t for i in single.values() for t in i["tests"])
    assert len(ran) == len(set(ran)) == 58  # 24 before the checks of issue 10, 54 before the pass-report item


def test_merging_the_shards_gives_the_report_of_one_run(runs):
    run = merge(runs, "parts/shard-1.json", "parts/shard-2.json", "parts/shard-3.json", "-o", "merged/qa.html")
    assert run.returncode == 0, run.stderr
    single, merged = read(runs / "single" / "qa.json"), read(runs / "merged" / "qa.json")
    assert merged["summary"] == single["summary"]
    assert single["summary"]["items"] == 34 and single["summary"]["not_testable"] == 0
    timeless = lambda report: {i: {k: v for k, v in item.items() if k != "duration_s"}  # noqa: E731
                               for i, item in items(report).items()}
    assert timeless(merged) == timeless(single)  # all but the tests' timings, which no two runs share
    assert [d["summary"] for d in merged["dataflows"]] == [d["summary"] for d in single["dataflows"]]
    assert (runs / "merged" / "qa.html").read_text().count("not verifiable") >= 2
    assert "merged from 3 of 3 shard(s)" in run.stdout and not run.stderr


def test_a_missing_shard_is_named_and_its_items_are_not_run(runs):
    run = merge(runs, "parts/shard-1.json", "parts/shard-3.json", "-o", "missing/qa.html")
    assert "warning: shard 2 of 3 is missing" in run.stderr and run.returncode == 2  # written, but not whole
    merged, middle = read(runs / "missing" / "qa.json"), items(read(runs / "parts" / "shard-2.json"))
    others = [items(read(runs / "parts" / f"shard-{n}.json")) for n in (1, 3)]
    # an item whose tests all ran in the missing shard (with several tests, an item may span shards)
    only_in_middle = {i for i, item in middle.items() if item["tests"] and not any(o[i]["tests"] for o in others)}
    assert only_in_middle and all(items(merged)[i]["status"] == "not_testable" for i in only_in_middle)
    assert merged["summary"]["items"] == 34 and merged["summary"]["not_testable"] == len(only_in_middle)


def test_shards_of_different_suite_versions_are_refused(runs):
    other = read(runs / "parts" / "shard-2.json")
    other["inputs"]["manifest_sha256"] = "0" * 64
    (runs / "other.json").write_text(json.dumps(other))
    run = merge(runs, "parts/shard-1.json", "other.json", "parts/shard-3.json", "-o", "refused/qa.html")
    assert run.returncode == 2
    assert "error: the parts come from different suite versions" in run.stderr and "other.json" in run.stderr
    assert "Traceback" not in run.stderr and not (runs / "refused").exists()


def test_shards_that_judged_different_systems_under_test_are_refused(runs):
    other = read(runs / "parts" / "shard-2.json")
    other["run"]["sut"] = {"name": "my-sync", "adapter": "protocol", "command": "my-sync --serve",
                           "capabilities": ["pass"], "transport": "http"}
    (runs / "other-sut.json").write_text(json.dumps(other))
    run = merge(runs, "parts/shard-1.json", "other-sut.json", "parts/shard-3.json", "-o", "refused-sut/qa.html")
    assert run.returncode == 2 and "error: the parts judged different systems under test" in run.stderr
    assert "my-sync" in run.stderr and not (runs / "refused-sut").exists()


def test_a_shard_given_twice_or_not_a_report_is_refused(runs):
    twice = merge(runs, "parts/shard-1.json", "parts/shard-1.html", "-o", "twice/qa.html")  # its page: its JSON
    assert twice.returncode == 2 and "parts/shard-1.json is given twice" in twice.stderr and not (runs / "twice").exists()
    (runs / "copy.json").write_text((runs / "parts" / "shard-1.json").read_text())
    duplicate = merge(runs, "parts/shard-1.json", "copy.json", "-o", "dup/qa.html")
    assert duplicate.returncode == 2 and "are both shard 1 of 3" in duplicate.stderr
    (runs / "junk.json").write_text("{}")
    junk = merge(runs, "junk.json", "-o", "junk/qa.html")
    assert junk.returncode == 2 and "junk.json: not a partial report" in junk.stderr
