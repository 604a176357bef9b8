"""Repository-wide test settings: where the publisher's sample documents live, when present."""
import os
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


# Plain `pytest` (no paths: the testpaths of pyproject.toml) runs in two processes when pytest-xdist
# is installed and no -n is given, a module's tests together (`--dist loadfile`): the fast loop in
# well under 90 s on 2 cores. Set here, not in addopts, so that qa-checklist's runs, `pytest PATH`
# and suites run in subprocesses keep one process; `-n 0` asks for one.
def pytest_configure(config):
    if (config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput")
            and config.getoption("numprocesses", None) is None
            and config.args_source == pytest.Config.ArgsSource.TESTPATHS
            and not config.getoption("collectonly") and not config.getoption("usepdb")
            and (os.cpu_count() or 1) >= 2):
        config.option.numprocesses = 2
        config.option.dist = "loadfile"
        config.option.tx = ["popen"] * 2


_slow_left_out = 0


def pytest_deselected(items):
    global _slow_left_out
    _slow_left_out += sum(1 for item in items if item.get_closest_marker("slow"))


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # an xdist worker tells the controller
        session.config.workeroutput["slow_left_out"] = _slow_left_out


@pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown, and an error, under -p no:xdist (mutmut's runs)
def pytest_testnodedown(node, error):
    global _slow_left_out
    _slow_left_out = max(_slow_left_out, getattr(node, "workeroutput", {}).get("slow_left_out", 0))


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
    if _slow_left_out and (config.getoption("markexpr", "") or "").replace(" ", "") == "notslow":
        terminalreporter.write_line(f"{_slow_left_out} slow tests left out: `pytest -m slow` runs them (CI does)")
