"""Repository-wide test settings: where the publisher's sample documents live, when present."""
from pathlib import Path

import pytest

ROOT = Path(__file__).parent
CORPUS_SAMPLE = ROOT.parent / "shared" / "corpus-sample"


@pytest.fixture(scope="session")
def corpus_sample() -> Path:
    """The folder of real dataflow documents beside the repository; the test skips without it."""
    if not CORPUS_SAMPLE.is_dir():
        pytest.skip(f"{CORPUS_SAMPLE} is absent: the publisher's sample documents are not on this machine")
    return CORPUS_SAMPLE


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    return ROOT / "specs"


# One line for every skip instead of one per reason (`-r` in pyproject.toml leaves out `s`): the
# generated suite's "not verifiable" items are counted together (the QA report gives each reason),
# every other reason is named with its count, e.g. a missing ../shared or Chromium.
CHECKLIST_SKIP = ("not verifiable", "nothing to verify")


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    reason = reason.removeprefix("Skipped: ")
    return reason if len(reason) <= 160 else reason[:159] + "…"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if getattr(r, "longrepr", None)]
    if skipped:
        counts: dict[str, int] = {}
        for report in skipped:
            reason = _skip_reason(report)
            if reason.startswith(CHECKLIST_SKIP):
                reason = "generated checks not verifiable (qa-checklist's report gives each one's reason)"
            counts[reason] = counts.get(reason, 0) + 1
        parts = [f"{n} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        terminalreporter.write_line(f"skipped {len(skipped)}: " + "; ".join(parts))
    slow = sum(1 for item in terminalreporter.stats.get("deselected", []) if item.get_closest_marker("slow"))
    if slow and (config.getoption("markexpr", "") or "").replace(" ", "") == "notslow":
        terminalreporter.write_line(f"{slow} slow tests left out: `pytest -m slow` runs them (CI does)")
