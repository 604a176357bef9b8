"""The generated suite's manifest (`checklist.json`): its documents, sections, items and models."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from generator.model import EntityMapping
from generator.model_json import mapping_from_json

MANIFEST = "checklist.json"


def find_manifest(module: Path) -> Path | None:
    """The nearest `checklist.json` above a generated module."""
    for folder in Path(module).resolve().parents:
        candidate = folder / MANIFEST
        if candidate.is_file():
            return candidate
        if (folder / "pyproject.toml").exists() or folder == folder.parent:
            return None
    return None


@cache
def _models(manifest: Path) -> dict[str, dict]:
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return {m["id"]: m["model"] for d in data["documents"] for m in d["mappings"]}


def load_mapping(mapping_id: str, module_file: str) -> EntityMapping:
    """The `EntityMapping` a generated module checks, read from its suite's manifest."""
    manifest = find_manifest(Path(module_file))
    if manifest is None:
        raise FileNotFoundError(f"{module_file}: no {MANIFEST} above this generated module; run regenerate-tests")
    try:
        return mapping_from_json(_models(manifest)[mapping_id])
    except KeyError:
        raise LookupError(f"{manifest} has no section {mapping_id!r}; run regenerate-tests") from None
