"""`qa-checklist --changed`: only the sections whose inputs changed run; the others' results are carried."""
import json
import re
import shutil
from pathlib import Path

import pytest

from .test_qa_checklist_cli import GOLDEN_SPECS, qa_checklist, two_documents

pytestmark = pytest.mark.slow  # qa-checklist runs in subprocesses


def report_items(folder: Path) -> dict[str, dict]:
    report = json.loads((folder / "report" / "qa-checklist.json").read_text())
    return {i["id"]: i for d in report["dataflows"] for m in d["mappings"] for i in m["items"]}


@pytest.mark.parametrize("workers", [(), ("--workers", "2")], ids=["one-process", "two-workers"])
def test_after_editing_one_document_only_its_changed_section_runs(tmp_path, workers):
    two_documents(tmp_path)
    first = qa_checklist(tmp_path, "--changed", *workers, "--", "-q", "-p", "no:cacheprovider")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr
    before = report_items(tmp_path)
    assert "no previous report" in first.stdout and f"0 of {len(before)} items carried" in first.stdout
    tests_in_all = _ran(first.stdout)
    started_at = json.loads((tmp_path / "report" / "qa-checklist.json").read_text())["inputs"]["started_at"]

    edited = tmp_path / "specs" / "more" / "acme-chargebee.rst"
    edited.write_text(edited.read_text().replace("   * - town\n", "   * - town_name\n"))
    second = qa_checklist(tmp_path, "--changed", *workers, "--", "-q", "-p", "no:cacheprovider")
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr
    after = report_items(tmp_path)
    assert len(after) == len(before)  # the report still lists every item
    ran = {i for i, item in after.items() if "carried_from" not in item}
    assert ran and all(i.startswith("more/acme-chargebee/person-to-customer/") for i in ran)
    assert any("town_name" in after[i]["label"] for i in ran)
    assert f"{len(after) - len(ran)} of {len(after)} items carried" in second.stdout
    assert 0 < _ran(second.stdout) < tests_in_all
    assert _ran(second.stdout) + _deselected(second.stdout) == tests_in_all
    for item_id in after.keys() - ran:
        assert after[item_id]["carried_from"] == {"started_at": started_at}
        assert after[item_id]["status"] == before[item_id]["status"]

    third = qa_checklist(tmp_path, "--changed", *workers, "--", "-q", "-p", "no:cacheprovider")
    assert third.returncode == 0 and _deselected(third.stdout) == tests_in_all
    # carried again: still from the run that produced each result
    assert report_items(tmp_path)["acme-chargebee/lead-to-customer/sync"]["carried_from"] == {"started_at": started_at}


def test_a_change_to_the_product_code_runs_everything(tmp_path):
    shutil.copytree(GOLDEN_SPECS, tmp_path / "specs")
    assert qa_checklist(tmp_path, "--", "-q", "-p", "no:cacheprovider").returncode == 0
    path = tmp_path / "report" / "qa-checklist.json"
    report = json.loads(path.read_text())
    report["inputs"]["code_sha256"] = "0" * 64  # as if sync/ or qa_checklist/ had changed since
    path.write_text(json.dumps(report))
    run = qa_checklist(tmp_path, "--changed", "--", "-q", "-p", "no:cacheprovider")
    assert "the product code changed since the previous report: running everything" in run.stdout
    assert "deselected" not in run.stdout and f"0 of {len(report_items(tmp_path))} items carried" in run.stdout
    assert not any("carried_from" in item for item in report_items(tmp_path).values())


def _count(stdout: str, outcome: str) -> int:
    """How many tests pytest's summary lines (one per worker) count as `outcome` (0 when none names it)."""
    return sum(int(n) for n in re.findall(rf"(\d+) {outcome}", stdout))


def _deselected(stdout: str) -> int:
    """How many tests the run deselected: every worker of a run deselects the same ones."""
    return max((int(n) for n in re.findall(r"(\d+) deselected", stdout)), default=0)


def _ran(stdout: str) -> int:
    return sum(_count(stdout, outcome) for outcome in ("passed", "skipped", "failed"))
