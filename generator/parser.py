"""Reads dataflow documents from disk into the model, collecting findings and errors."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .builder import build_dataflow
from .model import Dataflow, Finding, ParseResult, SpecError


def read_text(path: Path, name: str) -> str:
    """The document's text; a file that is not UTF-8 is a `SpecError` at the line of the bad byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SpecError(name, line, f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded") from None


def parse_document(text: str, name: str) -> tuple[Dataflow, tuple[Finding, ...]]:
    """The model of one document's text and its findings; raises `SpecError`."""
    dataflow, log = build_dataflow(text, name)
    return dataflow, tuple(log.findings)


def spec_files(specs: Path) -> list[Path]:
    """Every `*.rst` under `specs`, in a stable order."""
    return sorted(specs.rglob("*.rst"), key=lambda p: p.relative_to(specs).as_posix())


@dataclass(frozen=True, slots=True)
class SpecsResult:
    """All documents that could be read, their findings, and the errors of those that could not."""

    result: ParseResult
    errors: tuple[SpecError, ...]


def parse_specs(specs: Path) -> SpecsResult:
    """The model of every document under `specs`; a broken one does not stop the others."""
    dataflows: list[Dataflow] = []
    findings: list[Finding] = []
    errors: list[SpecError] = []
    for path in spec_files(specs):
        name = path.relative_to(specs).as_posix()
        try:
            text = read_text(path, name)
            dataflow, found = parse_document(text, name)
        except SpecError as error:
            errors.append(error)
            continue
        dataflows.append(dataflow)
        findings.extend(found)
    return SpecsResult(ParseResult(tuple(dataflows), tuple(findings)), tuple(errors))
