"""Test outcomes gathered per checklist item, from pytest's reports (also those xdist workers send)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_REPRODUCE = re.compile(r"@reproduce_failure\([^)]*\)")
_FALSIFYING = re.compile(r"^(?:E\s+)?Falsifying example:.*$", re.MULTILINE)


@dataclass
class TestOutcome:
    """The final outcome of one test: setup, call and teardown taken together."""

    nodeid: str
    item_id: str
    outcome: str = "passed"  # passed, failed, skipped
    message: str = ""
    reproduce: str = ""
    duration: float = 0.0

    def add(self, report) -> None:
        self.duration += getattr(report, "duration", 0.0)
        if report.failed:
            if self.outcome != "failed":
                self.outcome = "failed"
                full = _full_text(report)
                self.message = _failure_text(full, report.when)
                self.reproduce = _reproduction(full)
        elif report.skipped and self.outcome == "passed":
            self.outcome = "skipped"
            self.message = _skip_reason(report)


def _full_text(report) -> str:
    sections = "\n".join(content for _name, content in getattr(report, "sections", []))
    return (getattr(report, "longreprtext", "") or str(report.longrepr or "")) + "\n" + sections


def _failure_text(text: str, when: str) -> str:
    lines = text.splitlines()
    # Keep the assertion and its diff: pytest marks those lines with "E".
    explained = "\n".join([line for line in lines if line.startswith("E ")] or lines[-30:])[:4000]
    return explained if when == "call" else f"error in {when}:\n{explained}"


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")


def _reproduction(message: str) -> str:
    found = _REPRODUCE.findall(message) or _FALSIFYING.findall(message)
    return "\n".join(found)

