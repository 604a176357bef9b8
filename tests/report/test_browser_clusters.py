"""A broken engine rule reads as one cluster on the report's first screen (issue 28, item 1), in a real browser."""
import json
import shutil

import pytest

from .test_browser import BREAK_INTEGER_COERCION, page  # noqa: F401  (the fixture)
from .test_qa_checklist_cli import REPO, qa_checklist

pytestmark = pytest.mark.slow  # a browser, and qa-checklist in a subprocess


def test_a_broken_engine_rule_is_one_cluster_on_the_first_screen(page, tmp_path):  # noqa: F811
    (tmp_path / "specs").mkdir()
    for name in ("customcrm-membercare-example.rst", "customerp-customcrm-example.rst"):
        shutil.copy(REPO / "specs" / "examples" / name, tmp_path / "specs")
    (tmp_path / "break_integer_coercion.py").write_text(BREAK_INTEGER_COERCION)
    done = qa_checklist(tmp_path, "--", "-q", "-p", "no:cacheprovider", "-p", "break_integer_coercion")
    assert done.returncode == 1, done.stdout + done.stderr
    report_path = tmp_path / "report" / "qa-checklist.html"
    data = json.loads(report_path.with_suffix(".json").read_text())
    failed = [i["id"] for d in data["dataflows"] for m in d["mappings"] for i in m["items"] if i["status"] == "failed"]
    assert len(data["clusters"]) == 1, [(c["signature"], len(c["items"])) for c in data["clusters"]]
    cluster = data["clusters"][0]
    assert cluster["signature"] == "expected integer N, the <API> holds integer N+1"
    assert cluster["check"] == "property" and cluster["rule"] == "integer coercion" and cluster["documents"] == 2
    assert sorted(cluster["items"]) == sorted(failed) and data["summary"]["causes"] < len(failed)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(report_path.as_uri())
    shown = page.locator("#clusters details.cluster")
    assert shown.count() == 1 and shown.first.evaluate("d => d.open")
    assert shown.first.locator("summary").inner_text().startswith(f"{len(failed)} property · integer coercion")
    box = page.locator("#clusters").bounding_box()
    assert box["y"] + box["height"] <= 900  # the whole cluster, on the first screen, above the index
    assert page.locator("#clusters").bounding_box()["y"] < page.locator("#index").bounding_box()["y"]
    links = shown.first.locator("ul.cluster-docs a")
    assert links.count() == len(failed)
    links.nth(len(failed) - 1).click()  # every item is one click away
    target = page.evaluate("location.hash")[1:]
    assert page.locator(f'li[id="{target}"]').get_attribute("data-status") == "failed"
