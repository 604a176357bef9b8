"""Builds the generated suite from a folder of documents: each parsed and rendered once, in
parallel when there are many, and cached by content so that an unchanged document costs a
file read and a hash.
"""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tqdm import tqdm

from .model import Finding, SpecError
from .layout import Placed
from .parser import parse_document, read_documents
from .render import Document, RenderedDocument, assemble_suite, render_document

DEFAULT_CACHE = Path(".cache") / "regenerate-tests"
_PARALLEL_FROM = 8  # below this many documents to parse, starting worker processes costs more than it saves


@dataclass(frozen=True, slots=True)
class SuiteBuild:
    """The suite's files, the findings of every readable document and the errors of the others."""

    files: dict[str, str]
    findings: tuple[Finding, ...]
    errors: tuple[SpecError, ...]
    rendered: tuple[RenderedDocument, ...]  # of the readable documents, in file order
    parsed: int  # how many documents were parsed (the others came from the cache)

    @property
    def documents(self) -> tuple[str, ...]:
        return tuple(r.file for r in self.rendered)


@cache
def generator_fingerprint() -> str:
    """A hash of the generator's own code and templates: a change to either invalidates the cache."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    apis = package.parent / "apis"  # the vendors' descriptions decide a document's vendor findings
    for path in sorted([*package.glob("*.py"), *package.glob("templates/*.jinja"), *apis.glob("*.py"),
                        *apis.glob("*/*.toml"), *apis.glob("*/*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _cache_key(name: str, text: str, spec_prefix: str, place: Placed) -> str:
    parts = (generator_fingerprint(), spec_prefix, name, place.id, place.natural, place.taken_by or "", text)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def build_document(text: str, name: str, spec_prefix: str, place: Placed | None = None) -> dict:
    """Parse and render one document into plain, cacheable data; a `SpecError` becomes an error entry."""
    try:
        dataflow, findings = parse_document(text, name, place)
    except SpecError as error:
        return {"error": [error.path, error.line, error.message]}
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    rendered = render_document(Document(dataflow, sha256, findings), spec_prefix)
    return {"rendered": rendered.to_json(), "findings": [_finding_json(f) for f in findings]}


def _build_task(task: tuple[str, str, str, Placed]) -> dict:
    return build_document(*task)


def _finding_json(finding: Finding) -> list:
    return [finding.file, finding.line, finding.severity, finding.code, finding.message]


def build_suite(specs: Path, spec_prefix: str, cache_dir: Path | None = DEFAULT_CACHE,
                workers: int | None = None, progress: bool = False) -> SuiteBuild:
    """The suite for every `*.rst` under `specs`, in a stable order whatever the workers' timing."""
    documents, errors = read_documents(specs)
    names = [d.name for d in documents]
    results: dict[str, dict] = {}
    keys = {d.name: _cache_key(d.name, d.text, spec_prefix, d.place) for d in documents}
    if cache_dir is not None:
        for name in names:
            cached = _read_cache(cache_dir / f"{keys[name]}.json")
            if cached is not None:
                results[name] = cached
    pending = [(d.text, d.name, spec_prefix, d.place) for d in documents if d.name not in results]
    for (_text, name, _prefix, _place), built in zip(pending, _run(pending, workers, progress)):
        results[name] = built
        if cache_dir is not None and "rendered" in built:
            _write_cache(cache_dir / f"{keys[name]}.json", built)

    rendered, findings = [], []
    for name in names:
        built = results[name]
        if "error" in built:
            errors.append(SpecError(*built["error"]))
            continue
        rendered.append(RenderedDocument.from_json(built["rendered"]))
        findings.extend(Finding(*f) for f in built["findings"])
    errors.sort(key=lambda e: (e.path, e.line))
    return SuiteBuild(assemble_suite(rendered, spec_prefix), tuple(findings), tuple(errors), tuple(rendered),
                      len(pending))


def _run(tasks: list[tuple[str, str, str, Placed]], workers: int | None, progress: bool):
    workers = workers or os.cpu_count() or 1
    bar = tqdm(total=len(tasks), desc="regenerate-tests", unit="doc", disable=not progress or len(tasks) < 2,
               leave=False)
    try:
        if workers > 1 and len(tasks) >= _PARALLEL_FROM:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                chunk = max(1, len(tasks) // (workers * 8))
                for built in pool.map(_build_task, tasks, chunksize=chunk):
                    bar.update()
                    yield built
        else:
            for task in tasks:
                built = _build_task(task)
                bar.update()
                yield built
    finally:
        bar.close()


def _read_cache(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # absent or damaged: parse again


def _write_cache(path: Path, data: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time
