"""Reads dataflow documents from disk into the model, collecting findings and errors."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .builder import build_dataflow
from .layout import Placed, id_base, place_documents
from .limits import MAX_DOCUMENT_BYTES
from .model import Dataflow, Finding, ParseResult, SpecError
from .vendors import vendor_findings

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def read_text(path: Path, name: str) -> str:
    """The text of a regular file of at most `MAX_DOCUMENT_BYTES`, as UTF-8; else a `SpecError`.

    Anything else named `*.rst` (a folder, a named pipe, a dangling link) is an error at line 1
    and never opened, so nothing can block; a file that is not UTF-8 is one at the bad byte's line.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        reason = "a symbolic link to nothing" if path.is_symlink() else "gone before it could be read"
        raise SpecError(name, 1, f"not a document: {reason}") from None
    except OSError as error:
        raise SpecError(name, 1, f"cannot be read: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = next((label for test, label in _KINDS if test(info.st_mode)), "not a regular file")
        raise SpecError(name, 1, f"not a document: {kind}, not a regular file")
    if info.st_size > MAX_DOCUMENT_BYTES:
        raise _too_large(name, info.st_size)
    try:
        # O_NONBLOCK: should the file have become a pipe since the stat, opening it cannot block.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise SpecError(name, 1, "not a document: not a regular file")
            data = file.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        raise SpecError(name, 1, f"cannot be read: {error.strerror}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _too_large(name, len(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SpecError(name, line, f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded") from None


def _too_large(name: str, size: int) -> SpecError:
    return SpecError(name, 1, f"{size:,} bytes; a document may have at most {MAX_DOCUMENT_BYTES:,}")


def parse_document(text: str, name: str, place: Placed | None = None) -> tuple[Dataflow, tuple[Finding, ...]]:
    """The model of one document's text and its findings; raises `SpecError`."""
    dataflow, log = build_dataflow(text, name, place)
    return dataflow, (*log.findings, *vendor_findings(dataflow))


def spec_files(specs: Path) -> list[Path]:
    """Every `*.rst` under `specs`, in a stable order."""
    return sorted(specs.rglob("*.rst"), key=lambda p: p.relative_to(specs).as_posix())


@dataclass(frozen=True, slots=True)
class SpecDocument:
    """A document's name (relative to the specs folder), its text and its place among the others."""

    name: str
    text: str
    place: Placed


def read_documents(specs: Path) -> tuple[list[SpecDocument], list[SpecError]]:
    """Every readable document under `specs` with its unique id, and an error for each other one.

    Ids are given over every document found, readable or not, so that a document broken for a
    while keeps its id and another one never takes it.
    """
    names: list[tuple[Path, str]] = []
    errors: list[SpecError] = []
    for path in spec_files(specs):
        name = path.relative_to(specs).as_posix()
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            # Shown with the bad bytes escaped; such a name would not survive JSON or a module header.
            shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            errors.append(SpecError(shown, 1, "the file name is not UTF-8; rename the document"))
            continue
        names.append((path, name))
    places = place_documents([name for _path, name in names], id_base(specs))
    documents = []
    for path, name in names:
        try:
            documents.append(SpecDocument(name, read_text(path, name), places[name]))
        except SpecError as error:
            errors.append(error)
    return documents, errors


@dataclass(frozen=True, slots=True)
class SpecsResult:
    """All documents that could be read, their findings, and the errors of those that could not."""

    result: ParseResult
    errors: tuple[SpecError, ...]


def parse_specs(specs: Path) -> SpecsResult:
    """The model of every document under `specs`; a broken one does not stop the others."""
    dataflows: list[Dataflow] = []
    findings: list[Finding] = []
    documents, errors = read_documents(specs)
    for document in documents:
        try:
            dataflow, found = parse_document(document.text, document.name, document.place)
        except SpecError as error:
            errors.append(error)
            continue
        dataflows.append(dataflow)
        findings.extend(found)
    errors.sort(key=lambda e: (e.path, e.line))
    return SpecsResult(ParseResult(tuple(dataflows), tuple(findings)), tuple(errors))
