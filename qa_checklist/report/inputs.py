"""What a report's results depend on, as hashes: the suite's manifest, each section, the product code, options.

A partial report records them so that `qa-checklist merge` can refuse shards of different suite
versions, and an incremental run (`--qa-changed`) can tell which sections changed since the
previous report. Results depend on the code the checks exercise (`sync/`, `qa_checklist/`, with the
shipped vocabulary), on the code that wrote the suite (`generator/`), and on the options that
change what a check does (API faults, hypothesis profile, vocabulary files): a change to any of
them re-runs everything.
"""
from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any, Iterable

import pytest

_PRODUCT_PACKAGES = ("generator", "sync", "qa_checklist")


@cache
def code_sha256() -> str:
    """One hash of the product's sources and templates (file names and contents)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for package in _PRODUCT_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".jinja", ".toml") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def _manifest_bytes(manifest: Path) -> bytes:
    return manifest.read_bytes()


def manifest_sha256(manifests: Iterable[Path]) -> str:
    """The suite's version: a hash of its manifests (every document's hash, section and item)."""
    digest = hashlib.sha256()
    for manifest in sorted(set(manifests)):
        digest.update(_manifest_bytes(manifest) + b"\0")
    return digest.hexdigest()


@cache
def sections(manifest: Path) -> dict[str, dict[str, str]]:
    """Per section id: its module (relative to the manifest's folder) and the hash of its manifest entry.

    The entry holds the section's model, items and lines, so any edit to the section in its
    document, and only such an edit, changes the hash; the document's other sections keep theirs.
    """
    data = json.loads(_manifest_bytes(manifest))
    prefix = data.get("spec_prefix", "")
    found = {}
    for document in data["documents"]:
        for mapping in document["mappings"]:
            text = json.dumps([prefix + document["file"], mapping], sort_keys=True, ensure_ascii=False)
            found[mapping["id"]] = {"module": mapping["module"],
                                    "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    return found


def options_key(config: pytest.Config) -> str:
    """The options that change results (vocabulary files by content): a report run with others is no baseline."""
    faults = float(config.getoption("--api-faults", default=0.0) or 0.0)
    profile = config.getoption("hypothesis_profile", default=None) or "ci"
    try:
        files = [Path(p) for p in config.getini("sync_vocabulary")]
    except ValueError:  # the sync_fakes plugin is not loaded
        files = []
    digest = hashlib.sha256()
    for path in files + [Path(p) for p in config.getoption("--vocabulary", default=None) or []]:
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    return f"api-faults={faults:g} hypothesis-profile={profile} vocabulary={digest.hexdigest()[:16]}"


def inputs_block(config: pytest.Config, manifests: Iterable[Path], started_at: str) -> dict[str, Any]:
    manifests = sorted(set(manifests))
    return {
        "started_at": started_at,
        "manifest_sha256": manifest_sha256(manifests),
        "code_sha256": code_sha256(),
        "options": options_key(config),
        "sections": {mid: s["sha256"] for m in manifests for mid, s in sections(m).items()},
    }
