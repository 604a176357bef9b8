"""`sync-run --links FILE`: the links a run of another process may seed and read (docs/sut-protocol.md).

    {"links": {"<mapping id>": [["<source id>", "<target id>"], ...]},
     "synchronized": [{"system": "...", "entity": "...", "from_system": "...", "id": "..."}]}

Before the passes every link and synchronized record in the file is taken into the state store (as
links made "by other means"); after them the file is written back whole, with the mapping's links as
the state store holds them. It is how a command run once per pass offers `links.read` and `state.seed`.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import ConfigurationError
from .names import association_key, system_key
from .state import StateStore
from .sut.base import link_pairs

MAX_BYTES = 64 << 20


def _read(path: str) -> dict[str, Any]:
    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise ConfigurationError(f"{path}: a links file over {MAX_BYTES >> 20} MB")
        data = json.loads(Path(path).read_text(encoding="utf-8") or "{}")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: not a links file ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: a links file is an object, not {type(data).__name__}")
    links, synchronized = data.get("links", {}), data.get("synchronized", [])
    if not isinstance(links, dict) or not isinstance(synchronized, list):
        raise ConfigurationError(f"{path}: a links file is an object with \"links\" (an object) and "
                                 "\"synchronized\" (a list)")
    for mapping, pairs in links.items():
        if link_pairs(pairs) is None:
            raise ConfigurationError(f"{path}: links.{mapping}: must be a list of [source id, target id]")
    for entry in synchronized:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str)
                                                  for k in ("system", "entity", "from_system", "id")):
            raise ConfigurationError(f"{path}: synchronized: each entry has system, entity, from_system and id "
                                     "(text)")
    return data


def read_links(path: str, state: StateStore) -> None:
    """Every link and synchronized record of the file, taken into `state`."""
    data = _read(path)
    with state.transaction():
        for mapping, pairs in data.get("links", {}).items():
            known = state.links(mapping)
            for source, target in pairs:
                if known.get(str(source), (None,))[0] != str(target):
                    state.link(mapping, str(source), str(target), "manual")
        for entry in data.get("synchronized", []):
            state.mark_synchronized(system_key(entry["system"]),
                                    association_key(entry["entity"], entry["from_system"]), entry["id"])


def write_links(path: str, state: StateStore, mapping: str) -> None:
    """The file again, with the mapping's links as `state` holds them (written whole, never half)."""
    data = _read(path)
    data.setdefault("links", {})[mapping] = sorted([s, t] for s, (t, _) in state.links(mapping).items())
    data.setdefault("synchronized", [])
    write_json(path, data)


def write_json(path: str, data: Any) -> None:
    """`data` as JSON at `path`, replacing it whole (a temporary file beside it, then renamed)."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".sync-run-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=1)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
