"""Findings collected as values while a document is read, printed once at the end."""
from __future__ import annotations

from .model import Finding


class FindingLog:
    """The findings of one document, in the order they were found."""

    def __init__(self, file: str):
        self.file = file
        self.findings: list[Finding] = []

    def warning(self, line: int, code: str, message: str) -> None:
        self.findings.append(Finding(self.file, line, "warning", code, message))

    def error(self, line: int, code: str, message: str) -> None:
        self.findings.append(Finding(self.file, line, "error", code, message))
