"""The report in a real browser: headless Chromium, driven by Playwright, with the system's browser."""
import json
import os
import re
import shutil

import pytest

from .test_plugin import run, suite  # noqa: F401  (the fixture)
from .test_qa_checklist_cli import REPO, qa_checklist

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = pytest.mark.slow  # drives Chromium over a qa-checklist run

BROWSER = next((path for path in (os.environ.get("QA_CHROMIUM"), shutil.which("chromium"),
                                  shutil.which("chromium-browser"), shutil.which("google-chrome")) if path), None)
SCREENSHOT = REPO / "docs" / "report.png"

# A broken engine rule for the README's screenshot: integer coercion off by one. Loaded as a
# pytest plugin (-p) from the run's own folder: nothing in the product can switch it on.
BREAK_INTEGER_COERCION = (
    "import sync.coercion as c\n"
    "_real = c._CONVERTERS['integer']\n"
    "c._CONVERTERS['integer'] = lambda value: _real(value) + 1\n"
)


@pytest.fixture(scope="module")
def page():
    if BROWSER is None:
        pytest.skip("no Chromium found (install Debian's chromium package, or set QA_CHROMIUM)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


def visible_items(page) -> int:
    return page.locator("ul.items > li:visible").count()


def test_counts_filter_search_metadata_grouping_and_history(page, suite, tmp_path):  # noqa: F811
    report_path = tmp_path / "qa.html"
    run(suite, report_path)
    module = suite / "acme" / "test_a_to_b.py"
    module.write_text(module.read_text().replace("assert 1 + 1 == 2", "assert 1 + 1 == 3"))
    data = run(suite, report_path, "-k", "not conflict")
    page.goto(report_path.as_uri())
    for key in ("items", "passed", "failed", "skipped", "not_testable", "causes"):
        assert page.locator(f'#summary [data-count="{key}"]').inner_text().split()[0] == str(data["summary"][key])
    assert page.locator("#index tbody tr").count() == len(data["dataflows"])
    assert "<script>" in page.locator("details.doc summary").first.inner_text()  # shown as text

    # the run, at the top
    assert page.locator('#run [data-run="started_at"]').inner_text() == data["run"]["started_at"]
    assert "-k not conflict" in page.locator('#run [data-run="pytest_args"]').inner_text()
    assert page.locator('#run [data-run="hypothesis_profile"]').inner_text() == "ci"

    # grouping: the failure that names its cause sits under it, and links to it
    grouped = page.locator("li[data-grouped]")
    assert grouped.count() == 1 and "Failed for the same cause as p -> q (integer)" in grouped.inner_text()
    cause = page.locator('li[data-status="failed"]', has_text="1 other item failed for this cause")
    assert "p -> q (integer)" in cause.inner_text()
    grouped.locator("a").click()
    assert page.evaluate("location.hash") == "#" + cause.get_attribute("id")

    # history: what changed since the previous report
    newly = page.locator('#history [data-history="newly_failing"]')
    assert newly.locator("summary").inner_text() == "Newly failing: 1" and "Every A" in newly.inner_text()

    page.click('[data-filter="failed"]')
    assert visible_items(page) == data["summary"]["failed"]
    assert all(s == "failed" for s in page.locator("ul.items > li:visible").evaluate_all(
        "els => els.map(e => e.dataset.status)"))
    page.click('[data-filter="all"]')
    page.fill("#search", "x -> y")
    assert visible_items(page) == 1 and "x -> y (string)" in page.locator("ul.items > li:visible").inner_text()
    page.fill("#search", "")

    # an index link opens the document it points to
    page.evaluate("document.querySelectorAll('details.doc').forEach(d => d.open = false); location.hash = ''")
    page.click("#index a")
    assert page.locator("details.doc").first.evaluate("d => d.open")


def test_a_broken_engine_rule_reads_as_one_grouped_failure_per_cause(page, tmp_path):
    (tmp_path / "specs").mkdir()
    shutil.copy(REPO / "specs" / "examples" / "customcrm-membercare-example.rst", tmp_path / "specs")
    (tmp_path / "break_integer_coercion.py").write_text(BREAK_INTEGER_COERCION)
    done = qa_checklist(tmp_path, "--", "-q", "-p", "no:cacheprovider", "-p", "break_integer_coercion")
    assert done.returncode == 1, done.stdout + done.stderr
    report_path = tmp_path / "report" / "qa-checklist.html"
    data = json.loads(report_path.with_suffix(".json").read_text())
    failed = [i for d in data["dataflows"] for m in d["mappings"] for i in m["items"] if i["status"] == "failed"]
    causes = [i for i in failed if not i["grouped_under"]]
    # Two integer rows broke; the statements whose checks read them are grouped under them.
    assert [i["kind"] for i in causes] == ["property", "property"] and data["summary"]["causes"] == 2
    assert len(failed) == 8 and all(i["grouped"] for i in causes)  # the row checks of issue 10 join them
    for grouped in (i for i in failed if i["grouped_under"]):
        expected, held = map(int, re.search(r"expected integer (\d+), the MemberCare API holds integer (\d+)",
                                            grouped["message"]).groups())
        assert held == expected + 1
    for cause in causes:
        assert "expected integer 0, the MemberCare API holds integer 1" in cause["message"]
        assert "POST /" in cause["exchange"] and cause["rerun"].startswith("pytest ")
        assert " at 0x" not in cause["message"] + cause["exchange"] + cause["reproduce"]

    page.set_viewport_size({"width": 1280, "height": 1250})
    page.goto(report_path.as_uri())
    assert page.locator("li[data-grouped]").count() == len(failed) - len(causes)
    first = page.locator("details.doc").first
    assert first.evaluate("d => d.open") and f"{len(failed)} failed" in first.locator(":scope > summary").inner_text()
    assert page.locator("ul.items > li").first.get_attribute("data-status") == "failed"
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copy(shot, SCREENSHOT)
