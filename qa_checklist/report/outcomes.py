"""Test outcomes gathered per checklist item, from pytest's reports (also those xdist workers send)."""
from __future__ import annotations

from dataclasses import dataclass

from ..shared.describe import without_addresses
from ..shared.messages import text_signature

_DETAILS = 12_000  # pytest's own text, behind a toggle: enough for a traceback, bounded for a large report


@dataclass
class TestOutcome:
    """The final outcome of one test: setup, call and teardown taken together."""

    nodeid: str
    item_id: str
    outcome: str = "passed"  # passed, failed, skipped
    message: str = ""  # the check's own message (a failure) or the reason (a skip)
    details: str = ""  # pytest's text of a failure
    cause: str | None = None  # the item a failure names as its cause
    exchange: str = ""  # what the fake APIs received and hold
    example: str = ""  # hypothesis's falsifying example
    signature: str = ""  # a failure's message with values, paths and names abstracted (`shared/messages.py`)
    core: str = ""  # what failures are clustered by: the signature's mismatch, or the whole signature
    shape: str = ""  # what names a cluster: the mismatch's own signature (`N+1`), or the whole signature
    rule: str = ""  # the engine rule a structured failure names (`integer coercion` where a typed row carries it)
    duration: float = 0.0

    def add(self, report) -> None:
        self.duration += getattr(report, "duration", 0.0)
        if report.failed:
            if self.outcome != "failed":
                self.outcome = "failed"
                self.details = without_addresses(_full_text(report))[-_DETAILS:]
                facts = getattr(report, "qa_failure", None) or {}
                message = facts.get("message") or _last_error_line(self.details)
                self.message = message if report.when == "call" else f"error in {report.when}: {message}"
                self.cause = facts.get("cause")
                self.exchange = facts.get("exchange", "")
                self.example = facts.get("example", "")
                self.signature = facts.get("signature") or text_signature(self.message)
                self.core = facts.get("core") or self.signature
                self.shape = facts.get("shape") or self.core
                self.rule = facts.get("rule", "")
                if report.when != "call":
                    self.signature = self.core = self.shape = f"error in {report.when}: {self.core}"
        elif report.skipped and self.outcome == "passed":
            self.outcome = "skipped"
            self.message = _skip_reason(report)


def _full_text(report) -> str:
    sections = "\n".join(f"--- {name} ---\n{content}" for name, content in getattr(report, "sections", []))
    return (getattr(report, "longreprtext", "") or str(report.longrepr or "")) + ("\n" + sections if sections else "")


def _last_error_line(text: str) -> str:
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return "\n".join(errors[:6]) if errors else (text.strip().splitlines() or ["failed"])[-1]


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")
