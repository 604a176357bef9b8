"""How the QA checklist report holds up at the publisher's scale: size, render time, browser times.

    python benchmarks/report_bench.py [--specs ../shared/corpus-sample] [--copies 70]

Builds the manifest of `--copies` copies of the documents (70 x 14 = 980 documents), gives each
item a synthetic outcome (mostly verified, some failed with a message, some skipped), renders
the HTML, then opens it in headless Chromium (when one is installed) and times loading it,
filtering to failed items and searching. The last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from generator.suite import build_suite
from qa_checklist.report.build import build_report
from qa_checklist.report.html import render_html
from qa_checklist.report.outcomes import TestOutcome

REPO = Path(__file__).resolve().parents[1]


def _outcomes(manifest: dict) -> list[TestOutcome]:
    outcomes = []
    for number, item in enumerate(i for d in manifest["documents"] for m in d["mappings"] for i in m["items"]):
        outcome = TestOutcome(f"suite/test_{number}.py::test_item", item["id"])
        if number % 37 == 0:
            outcome.outcome = "failed"
            outcome.message = "E   AssertionError: on create: expected 'Oslo', the API holds 'Bergen'\nE   assert False"
        elif number % 11 == 0:
            outcome.outcome = "skipped"
            outcome.message = "nothing to verify: the table lists no rows"
        outcomes.append(outcome)
    return outcomes


def _browser_times(html: Path) -> dict:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {}
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu",
                                                                    "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        start = time.perf_counter()
        page.goto(html.as_uri(), wait_until="load")
        load = time.perf_counter() - start
        start = time.perf_counter()
        page.click('[data-filter="failed"]')
        page.wait_for_function("document.getElementById('shown').textContent.length > 0")
        filtering = time.perf_counter() - start
        page.click('[data-filter="all"]')
        start = time.perf_counter()
        page.fill("#search", "billing_address")
        page.wait_for_function("document.getElementById('shown').textContent.includes('shown')")
        search = time.perf_counter() - start
        browser.close()
    return {"browser_load_s": round(load, 2), "filter_failed_s": round(filtering, 2), "search_s": round(search, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=Path, default=REPO.parent / "shared" / "corpus-sample")
    parser.add_argument("--copies", type=int, default=70)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        specs = root / "specs"
        for number in range(args.copies):
            for path in sorted(args.specs.rglob("*.rst")):
                target = specs / f"copy{number}" / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        build = build_suite(specs, "specs/", root / "cache")
        manifest_path = root / "checklist.json"
        manifest_path.write_text(build.files["checklist.json"], encoding="utf-8")
        manifest = json.loads(build.files["checklist.json"])
        start = time.perf_counter()
        report = build_report([manifest_path], _outcomes(manifest))
        html = render_html(report)
        render = time.perf_counter() - start
        html_path = root / "qa.html"
        html_path.write_text(html, encoding="utf-8")
        result = {"documents": len(report["dataflows"]), "items": report["summary"]["items"],
                  "html_mb": round(len(html.encode()) / 1e6, 1), "render_s": round(render, 2),
                  **_browser_times(html_path)}
    for key, value in result.items():
        print(f"{key:<18}{value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
