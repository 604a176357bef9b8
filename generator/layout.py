"""Where each document and section goes: ids and module paths, unique by construction.

A document's id is its path without `.rst`, each part slugged, from the outermost folder of
documents holding it (`id_base`: not the specs folder a run was given); a section's id is the document's
id and `<source entity>-to-<target entity>`, slugged. Slugging folds spellings together
(`a-b.rst` and `a_b.rst`, `class` and `class_`, a repeated section and one titled "... 2"), so
every id is checked against those already given, together with the module path it yields, and
a taken one gets the next free suffix `-2`, `-3`… (the caller reports it as a finding): two
sections never share an id or a module, and nothing is overwritten. Names made from spec text
are shortened with a hash when they would pass the file system's limit.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .identifiers import PythonIdentifier
from .names import slug

MAX_NAME_CHARS = 100  # a file or folder name made from spec text (file systems allow 255 bytes)
_HASH_CHARS = 8


def short_name(name: str) -> str:
    """`name`, or when longer than `MAX_NAME_CHARS` its start and a hash of the whole (deterministic)."""
    if len(name) <= MAX_NAME_CHARS:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]
    return f"{name[: MAX_NAME_CHARS - _HASH_CHARS - 1]}_{digest}"


def document_id(file: str) -> str:
    """A document's natural id: its path without `.rst`, each part slugged (a folder is kept, so
    documents of one name in two folders never share an id)."""
    return "/".join(slug(part) for part in PurePosixPath(file).with_suffix("").parts)


def document_folder(doc_id: str) -> str:
    """The package (relative to the output folder) of a document's modules."""
    return "/".join(short_name(PythonIdentifier(part)) for part in doc_id.split("/"))


def module_path(mapping_id: str) -> str:
    """The module of a section, relative to the output folder: `<document folder>/test_<pair>.py`."""
    doc_id, _sep, pair = mapping_id.rpartition("/")
    return f"{document_folder(doc_id)}/{short_name(PythonIdentifier('test_' + pair))}.py"


@dataclass(frozen=True, slots=True)
class Placed:
    """An id as given, the id it would have had, and what already held that one (None: no clash)."""

    id: str
    natural: str
    taken_by: str | None = None


class IdRegistry:
    """Gives ids that differ from all given before, in what they are and in the path each yields."""

    def __init__(self, path_of):
        self._path_of = path_of
        self._holders: dict[str, str] = {}  # id or path -> who holds it

    def place(self, natural: str, holder: str) -> Placed:
        candidate, number = natural, 1
        while candidate in self._holders or self._path_of(candidate) in self._holders:
            number += 1
            candidate = f"{natural}-{number}"
        self._holders[candidate] = self._holders[self._path_of(candidate)] = holder
        if candidate == natural:
            return Placed(candidate, natural)
        return Placed(candidate, natural, self._holders.get(natural) or self._holders.get(self._path_of(natural)))


def place_documents(files: list[str], base: str = "") -> dict[str, Placed]:
    """The id of every document, in the given (sorted) order: the first keeps its natural id. `base` is the
    specs folder's place among the documents (`id_base`), so a document's id is the same whichever folder
    of them a run is given."""
    registry = IdRegistry(lambda doc_id: "folder:" + document_folder(doc_id))
    return {file: registry.place(document_id(base + file), file) for file in files}


_PROJECT_ROOT = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def id_base(specs: Path) -> str:
    """Where the specs folder sits among the documents above it, as an id prefix (`examples/` for
    `specs/examples` when `specs/` holds documents too; `` for a folder whose parent holds none).

    A document's id is its path from the outermost folder of documents holding it, found by going up
    from the specs folder while the folder above holds `*.rst` documents and is no project's root
    (`pyproject.toml`, `setup.py`, `setup.cfg`, `.git`): neither the specs folder's
    name nor the working directory is part of an id, and `--specs specs/examples` gives the ids
    `--specs specs` gives the same documents."""
    folder = root = Path(specs).resolve()
    while not any((root / marker).exists() for marker in _PROJECT_ROOT):
        parent = root.parent
        if parent == root or any((parent / marker).exists() for marker in _PROJECT_ROOT) \
                or not any(p.is_file() for p in parent.glob("*.rst")):
            break
        root = parent
    return "".join(f"{part}/" for part in folder.relative_to(root).parts)
