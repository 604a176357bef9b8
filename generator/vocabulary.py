"""The vocabularies conditions are read with: concepts per system, and predicates for section conditions.

Both are data (`vocabulary.toml`, shipped with the package), extended by the user's own TOML
with the same sections (`sync-run --config`, pytest `--vocabulary`). They are part of the contract
every system under test receives with the model (docs/sut-protocol.md: the scenario's config carries
them), so they live on the spec side; how a predicate holds on a record is the engine's
(`sync/predicates.py`). A mapping's conditions are resolved here once; what cannot be resolved is
named, never guessed.
"""
from __future__ import annotations

import copy
import fnmatch
import functools
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from apis.rows import blocking_rows
from apis.names import plural, system_key

from .model import EntityMapping, PropertyMapping

SHIPPED = Path(__file__).with_name("vocabulary.toml")
_CONCEPT = re.compile(r"wd:Q\d+")
OPERATORS = ("equals", "not_equals", "at_least", "at_most", "one_of", "empty", "not_empty")


def is_concept(value: str) -> bool:
    """Whether a condition's value is a Wikidata concept (looked up per system) rather than a literal."""
    return _CONCEPT.fullmatch(value.strip()) is not None


@dataclass(frozen=True, slots=True)
class Predicate:
    """A section condition for one system, as data: `field` `operator` `value` on the source record
    (`sync.predicates.holds` says whether a record meets it)."""

    field: str
    operator: str
    value: Any = None

    def describe(self) -> str:
        return f"{self.field} {self.operator}" + ("" if self.operator in ("empty", "not_empty") else f" {self.value!r}")


def number(value: Any) -> float | None:
    """A value as a number when it is one (a number, or text of one), else None; never a yes/no."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Phrasing:
    """A recurring section condition, with `{system}`, `{entity}` and `{any}` as variables."""

    text: str
    predicates: dict[str, Predicate]  # by system_key

    def matches(self, condition: str, system: str, entity: str) -> bool:
        """Whether `condition` is this phrasing said of `system` and `entity`, in any spelling of
        either (`Customcrm` for `Custom CRM`, `Users` for `User`).

        Linear in the phrasing and in the condition (`_match`): a regex of several `{any}` parts
        backtracks, one lookup of a phrasing with eight of them took most of a minute."""
        candidates = {"system": (system_key(system),), "entity": _entity_keys(entity)}
        parts = [(kind, None if kind == "any" else candidates[kind] if kind != "text" else (value,))
                 for kind, value in _parts(self.text)]
        return _match(parts, " ".join(condition.split()))


@functools.lru_cache(maxsize=1024)
def _parts(text: str) -> tuple[tuple[str, str], ...]:
    """The phrasing as ("text", literal) and ("system" | "entity" | "any", "") parts, white space single."""
    parts = []
    for part in re.split(r"(\{system\}|\{entity\}|\{any\})", " ".join(text.split())):
        if part in ("{system}", "{entity}", "{any}"):
            parts.append((part[1:-1], ""))
        elif part:
            parts.append(("text", _fold(part)))
    return tuple(parts)


def _entity_keys(entity: str) -> tuple[str, ...]:
    """Every key a spelling of `entity` may have: its own, its plural, and a singular whose plural it is."""
    key = system_key(entity)
    singulars = (key[:-3] + "y", key[:-2], key[:-1]) if key.endswith("s") else ()
    return tuple(dict.fromkeys([key, plural(key), *(s for s in singulars if plural(s) == key)]))


def _fold(text: str) -> str:
    """Lower case, one character for one (as a case-insensitive regex compares), so positions stay aligned."""
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _match(parts: list[tuple[str, tuple[str, ...] | None]], text: str) -> bool:
    """Whether `text` is the parts in order: a literal exactly (case folded); `any`, any text; a name
    (`system`, `entity`), any non-empty text whose `system_key` is one of its keys.

    A simulation of the automaton the parts make, not a search with backtracking: `reached[i]` says
    the parts so far can end at position i, and each part maps that set of positions to the next in
    O(len(text) * len(part)) steps, so a lookup is O(len(text) * len(phrasing)) whatever the parts.
    A name is matched by its key: `projected` is the text's key (`system_key` is the keys of its
    characters, one after another), `before[i]` how much of it precedes position i; the text from i
    to j spells the key k when `projected[before[i]:before[j]] == k`."""
    n = len(text)
    folded = _fold(text)
    pieces = [system_key(c) if c.strip() else "" for c in text]
    before = [0]
    for piece in pieces:
        before.append(before[-1] + len(piece))
    projected = "".join(pieces)
    # ends[b]: the positions j with before[j] == b, a run of consecutive positions (first, last)
    ends: dict[int, tuple[int, int]] = {}
    for position, count in enumerate(before):
        first, _ = ends.get(count, (position, position))
        ends[count] = (first, position)
    reached = [False] * (n + 1)
    reached[0] = True
    for kind, values in parts:
        following = [False] * (n + 1)
        if kind == "any":
            start = reached.index(True) if True in reached else n + 1
            following[start:] = [True] * (n + 1 - start)
        elif kind == "text":
            literal = values[0]
            for i in range(n + 1 - len(literal)):
                if reached[i] and folded[i:i + len(literal)] == literal:
                    following[i + len(literal)] = True
        else:
            # Each run of ends is marked once per (start key count, key): at most len(text) runs a key.
            marks = [0] * (n + 2)
            done: set[tuple[int, str]] = set()
            for i in range(n + 1):
                if not reached[i]:
                    continue
                for key in values:
                    if (before[i], key) in done and key:
                        continue
                    done.add((before[i], key))
                    if projected[before[i]:before[i] + len(key)] != key or before[i] + len(key) not in ends:
                        continue
                    first, last = ends[before[i] + len(key)]
                    first = max(first, i + 1)  # a name is never empty text
                    if first <= last:
                        marks[first] += 1
                        marks[last + 1] -= 1
            running = 0
            for j in range(n + 1):
                running += marks[j]
                following[j] = running > 0
        reached = following
        if not any(reached):
            return False
    return reached[n]


@dataclass(frozen=True)
class Vocabulary:
    """Concept spellings per system, fields that hold concept ids, and section-condition phrasings."""

    concepts: dict[str, dict[str, str]] = field(default_factory=dict)  # concept -> system_key -> value
    concept_fields: tuple[str, ...] = ()
    phrasings: tuple[Phrasing, ...] = ()

    @classmethod
    @functools.cache
    def shipped(cls) -> "Vocabulary":
        """The vocabulary shipped with the package (read once; `extended` never changes it)."""
        return cls().extended(tomllib.loads(SHIPPED.read_text(encoding="utf-8")))

    def extended(self, data: dict[str, Any], origin: str = "vocabulary", text: str | None = None) -> "Vocabulary":
        """This vocabulary with a TOML document's `concepts`, `concept_fields` and `conditions` added (theirs win).

        Every value is checked before any is used: a wrong type is a VocabularyError naming `origin` and,
        given the document's `text`, the line, not a failure of every test that later reads it."""
        where = _Where(origin, text)
        concepts = copy.deepcopy(self.concepts)
        for concept, spellings in _table(data, "concepts", where).items():
            if not is_concept(concept):
                raise where.error(f"{concept!r} is not a concept id (wd:Q<digits>)", concept)
            if not isinstance(spellings, dict):
                raise where.error(f"[concepts.{concept!r}] must be a table of system = spelling", concept)
            known = concepts.setdefault(concept.strip(), {})
            for system, value in spellings.items():
                if system == "label":
                    continue
                if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                    raise where.error(f"[concepts.{concept!r}] {system}: a spelling is a string or a number, "
                                      f"not {_kind(value)}", concept, system)
                known[system_key(system)] = str(value)
        patterns = _table(data, "concept_fields", where).get("patterns", [])
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise where.error("[concept_fields] patterns must be a list of strings", "concept_fields", "patterns")
        fields = tuple(dict.fromkeys(self.concept_fields + tuple(patterns)))  # a pattern given again adds nothing
        phrasings = {p.text: dict(p.predicates) for p in self.phrasings}
        entries = data.get("conditions") or []
        if not isinstance(entries, list):
            raise where.error(f"conditions must be an array of tables ([[conditions]]), not {_kind(entries)}",
                              "conditions")
        for entry in entries:
            if not isinstance(entry, dict):
                raise where.error(f"a conditions entry must be a table, not {_kind(entry)}", "conditions")
            if "phrasing" not in entry:
                raise where.error("a [[conditions]] entry without a `phrasing`", "[[conditions]]")
            if not isinstance(entry["phrasing"], str) or not entry["phrasing"].strip():
                raise where.error(f"a phrasing is a non-empty string, not {entry['phrasing']!r}", "phrasing")
            said = entry["phrasing"]
            specs = entry.get("predicates") or {}
            if not isinstance(specs, dict):
                raise where.error(f"{said!r}: predicates must be a table of system = predicate", said, "predicates")
            predicates = phrasings.setdefault(" ".join(said.split()), {})
            for system, spec in specs.items():
                predicates[system_key(system)] = _predicate(spec, where, f"{said!r}, {system}", said, system)
        return Vocabulary(concepts, fields, tuple(Phrasing(t, p) for t, p in phrasings.items()))

    def extended_by_files(self, paths: Iterable[str | Path]) -> "Vocabulary":
        """This vocabulary extended by each file in turn; VocabularyError (file and line) for one that is
        missing, not TOML or of the wrong shape."""
        vocabulary = self
        for path in paths:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except FileNotFoundError:
                raise VocabularyError(f"no such vocabulary file: {path}") from None
            except (OSError, UnicodeDecodeError) as error:
                raise VocabularyError(f"{path}: cannot read the vocabulary file: {error}") from None
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as error:
                line = re.search(r"at line (\d+)", str(error))
                raise VocabularyError(f"{path}:{line.group(1) + ':' if line else ''} not TOML: "
                                      f"{re.sub(r' [(]at line .*$', '', str(error))}") from None
            vocabulary = vocabulary.extended(data, str(path), text)
        return vocabulary

    def as_tables(self) -> dict[str, Any]:
        """This vocabulary as the TOML sections `extended` reads (`concepts`, `concept_fields`, `conditions`):
        what a system under test is given with its config, so that it reads conditions as the checks do."""
        return {
            "concepts": {concept: dict(spellings) for concept, spellings in self.concepts.items()},
            "concept_fields": {"patterns": list(self.concept_fields)},
            "conditions": [{"phrasing": p.text, "predicates": {
                system: {"field": q.field, "operator": q.operator, **({} if q.value is None else {"value": q.value})}
                for system, q in p.predicates.items()}} for p in self.phrasings],
        }

    def value_for(self, has: str, system: str, path: str) -> str | None:
        """How `system` spells a condition's value at `path`: a literal itself, a concept per system, or None."""
        has = has.strip()
        if not is_concept(has):
            return has
        spelled = self.concepts.get(has, {}).get(system_key(system))
        if spelled is not None:
            return spelled
        last = path.split(".")[-1] if path else ""
        if any(fnmatch.fnmatchcase(part, pattern) for pattern in self.concept_fields for part in (path, last)):
            return has
        return None

    def predicate_for(self, condition: str, system: str, entity: str) -> Predicate | None:
        """The predicate of the phrasing `condition` matches, for `system` (None: no phrasing, or none for it)."""
        for phrasing in self.phrasings:
            if phrasing.matches(condition, system, entity):
                return phrasing.predicates.get(system_key(system))
        return None


class VocabularyError(ValueError):
    """A vocabulary that cannot be read: the message names the file (and the line, when known)."""


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a vocabulary's values come from, to name in its errors."""

    origin: str
    text: str | None

    def error(self, message: str, *needles: str) -> VocabularyError:
        """The error, at the line of the last of `needles` found, each looked for from the line of the one
        before it (a phrasing, then the system of its predicate below it)."""
        lines = (self.text or "").splitlines()
        found, start = None, 0
        for needle in needles:
            at = next((n for n in range(start, len(lines)) if needle and str(needle) in lines[n]), None)
            if at is not None:
                found, start = at, at
        return VocabularyError(f"{self.origin}:{found + 1}: {message}" if found is not None
                               else f"{self.origin}: {message}")


def _table(data: dict[str, Any], key: str, where: _Where) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise where.error(f"{key} must be a table ([{key}]), not {_kind(value)}", key)
    return value


def _kind(value: Any) -> str:
    return {bool: "a boolean", str: "a string", int: "a number", float: "a number", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _predicate(spec: Any, where: _Where, what: str, *needles: str) -> Predicate:
    if not isinstance(spec, dict):
        raise where.error(f"{what}: a predicate is a table (field, operator, value), not {_kind(spec)}", *needles)
    operator = spec.get("operator", "equals")
    if operator not in OPERATORS or not isinstance(spec.get("field"), str) or not spec.get("field"):
        raise where.error(f"{what}: a predicate needs a string `field` and an `operator` among "
                          f"{', '.join(OPERATORS)}", *needles)
    if operator not in ("empty", "not_empty") and "value" not in spec:
        raise where.error(f"{what}: operator {operator!r} needs a `value`", *needles)
    value = spec.get("value")
    if operator == "one_of" and not isinstance(value, list):
        raise where.error(f"{what}: operator 'one_of' needs a list `value`", *needles)
    if operator in ("at_least", "at_most") and (isinstance(value, bool) or number(value) is None
                                                or not math.isfinite(number(value))):
        raise where.error(f"{what}: operator {operator!r} needs a finite number `value`, not {value!r}", *needles)
    if operator in ("equals", "not_equals") and isinstance(value, (list, dict)):
        raise where.error(f"{what}: operator {operator!r} needs a single `value`, not {_kind(value)}", *needles)
    return Predicate(spec["field"], operator, value)


def resolve_rows(mapping: EntityMapping, vocabulary: Vocabulary) -> tuple[tuple[PropertyMapping, ...],
                                                                          tuple[tuple[PropertyMapping, str], ...]]:
    """(the rows the engine runs, each condition's value spelled as its system does; the rows it skips, and why:
    a condition it cannot honour, or a path the vendor's API lacks or keeps read-only)."""
    rows, skipped = [], []
    vendor = blocking_rows(mapping)  # a path the vendor lacks or keeps read-only: writing it would be refused
    for index, row in enumerate(mapping.properties):
        reason = vendor.get(index) or row_problem(row, mapping, vocabulary)
        if reason is not None:
            skipped.append((row, reason))
        elif row.when is None:
            rows.append(row)
        else:
            system = mapping.source_system if row.when.side == "source" else mapping.target_system
            spelled = vocabulary.value_for(row.when.has, system, row.when.path)
            rows.append(replace(row, when=replace(row.when, has=spelled)))
    return tuple(rows), tuple(skipped)


def row_problem(row: PropertyMapping, mapping: EntityMapping, vocabulary: Vocabulary) -> str | None:
    """Why a row's condition cannot be honoured (its wording, or an unknown concept), or None."""
    if row.when is None:
        return None
    problem = row.when.problem()
    if problem is not None:
        return problem
    system = mapping.source_system if row.when.side == "source" else mapping.target_system
    if vocabulary.value_for(row.when.has, system, row.when.path) is None:
        return f"no value known for {row.when.has.strip()} in {system}"
    return None


def section_problem(mapping: EntityMapping, vocabulary: Vocabulary) -> str | None:
    """Why a conditional mapping cannot run: no predicate for its condition in its source system, or None."""
    if mapping.sync != "conditional":
        return None
    if vocabulary.predicate_for(mapping.condition or "", mapping.source_system, mapping.source_entity) is None:
        return f"no predicate for the condition {mapping.condition!r} in {mapping.source_system}"
    return None
