"""The report in a real browser: headless Chromium, driven by Playwright, with the system's browser."""
import json
import os
import shutil
from pathlib import Path

import pytest

from .test_plugin import run, suite  # noqa: F401  (the fixture)

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
BROWSER = next((path for path in (os.environ.get("QA_CHROMIUM"), shutil.which("chromium"),
                                  shutil.which("chromium-browser"), shutil.which("google-chrome")) if path), None)
SCREENSHOT = Path(__file__).parents[2] / "docs" / "report.png"


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


def test_counts_filter_search_and_screenshot(page, suite, tmp_path):  # noqa: F811
    report_path = tmp_path / "qa.html"
    data = run(suite, report_path)
    page.goto(report_path.as_uri())
    for key in ("items", "passed", "failed", "skipped", "not_testable"):
        assert page.locator(f'#summary [data-count="{key}"]').inner_text() == str(data["summary"][key])
    assert page.locator("#index tbody tr").count() == len(data["dataflows"])
    assert page.locator("h1").inner_text() == "QA checklist"
    assert "<script>" in page.locator("details.doc summary").first.inner_text()  # shown as text

    page.click('[data-filter="failed"]')
    assert visible_items(page) == data["summary"]["failed"]
    assert all(s == "failed" for s in page.locator("ul.items > li:visible").evaluate_all("els => els.map(e => e.dataset.status)"))

    page.click('[data-filter="all"]')
    page.fill("#search", "p -> q")
    assert visible_items(page) == 1
    assert "p -> q (integer)" in page.locator("ul.items > li:visible").inner_text()
    page.fill("#search", "")

    page.click("#expand")
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copy(shot, SCREENSHOT)
    assert json.loads(report_path.with_suffix(".json").read_text())["summary"] == data["summary"]
