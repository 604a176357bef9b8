"""The vocabularies conditions are read with: concepts per system, and predicates for section conditions.

Both are data (`vocabulary.toml`, shipped with the package), extended by the user's own TOML
with the same sections (`sync-run --config`, pytest `--vocabulary`). The engine resolves a
mapping's conditions here once, when it is built; what cannot be resolved is named, never guessed.
"""
from __future__ import annotations

import copy
import fnmatch
import functools
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from apis.rows import blocking_rows
from generator.model import EntityMapping, PropertyMapping

from .names import plural, system_key
from .paths import get_path, holds_value

SHIPPED = Path(__file__).with_name("vocabulary.toml")
_CONCEPT = re.compile(r"wd:Q\d+")
OPERATORS = ("equals", "not_equals", "at_least", "at_most", "one_of", "empty", "not_empty")


def is_concept(value: str) -> bool:
    """Whether a condition's value is a Wikidata concept (looked up per system) rather than a literal."""
    return _CONCEPT.fullmatch(value.strip()) is not None


@dataclass(frozen=True, slots=True)
class Predicate:
    """A section condition for one system, as data: `field` `operator` `value` on the source record."""

    field: str
    operator: str
    value: Any = None

    def __call__(self, record: dict) -> bool:
        held = get_path(record, self.field)
        if self.operator == "empty":
            return held in (None, "", [])
        if self.operator == "not_empty":
            return held not in (None, "", [])
        if self.operator == "equals":
            return holds_value(held, self.value)
        if self.operator == "not_equals":
            return not holds_value(held, self.value)
        if self.operator == "one_of":
            return any(holds_value(held, v) for v in self.value)
        number = _number(held)
        if number is None:
            return False
        return number >= float(self.value) if self.operator == "at_least" else number <= float(self.value)

    def describe(self) -> str:
        return f"{self.field} {self.operator}" + ("" if self.operator in ("empty", "not_empty") else f" {self.value!r}")


def _number(value: Any) -> float | None:
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
        either (`Customcrm` for `Custom CRM`, `Users` for `User`)."""
        pattern = ""
        for part in re.split(r"(\{system\}|\{entity\}|\{any\})", " ".join(self.text.split())):
            if part in ("{system}", "{entity}"):
                pattern += f"(?P<{part[1:-1]}>.+?)"
            elif part == "{any}":
                pattern += r".*"
            else:
                pattern += _words(part)
        match = re.fullmatch(pattern, " ".join(condition.split()), re.IGNORECASE | re.DOTALL)
        if match is None:
            return False
        names = match.groupdict()
        if "system" in names and "entity" in names:
            # Where the two stand side by side, try each split of their words.
            text = match.string[min(match.start("system"), match.start("entity")):
                                max(match.end("system"), match.end("entity"))]
            words = text.split()
            system_first = match.start("system") < match.start("entity")
            return any(_names_match(" ".join(words[:i]), " ".join(words[i:]), system, entity, system_first)
                       for i in range(1, len(words)))
        if "system" in names:
            return system_key(names["system"]) == system_key(system)
        if "entity" in names:
            return _same_entity(names["entity"], entity)
        return True


def _names_match(first: str, second: str, system: str, entity: str, system_first: bool) -> bool:
    said_system, said_entity = (first, second) if system_first else (second, first)
    return system_key(said_system) == system_key(system) and _same_entity(said_entity, entity)


def _same_entity(said: str, entity: str) -> bool:
    a, b = system_key(said), system_key(entity)
    return a == b or plural(a) == b or plural(b) == a


def _words(text: str) -> str:
    return r"\s+".join(re.escape(word) for word in text.split(" "))


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

    def extended(self, data: dict[str, Any], origin: str = "vocabulary") -> "Vocabulary":
        """This vocabulary with a TOML document's `concepts`, `concept_fields` and `conditions` added (theirs win)."""
        concepts = copy.deepcopy(self.concepts)
        for concept, spellings in (data.get("concepts") or {}).items():
            if not is_concept(concept):
                raise ValueError(f"{origin}: {concept!r} is not a concept id (wd:Q<digits>)")
            known = concepts.setdefault(concept.strip(), {})
            for system, value in spellings.items():
                if system != "label":
                    known[system_key(system)] = str(value)
        fields = self.concept_fields + tuple((data.get("concept_fields") or {}).get("patterns", ()))
        phrasings = {p.text: dict(p.predicates) for p in self.phrasings}
        for entry in data.get("conditions") or ():
            if "phrasing" not in entry:
                raise ValueError(f"{origin}: a [[conditions]] entry without a `phrasing`")
            predicates = phrasings.setdefault(" ".join(entry["phrasing"].split()), {})
            for system, spec in (entry.get("predicates") or {}).items():
                predicates[system_key(system)] = _predicate(spec, f"{origin}: {entry['phrasing']!r}, {system}")
        return Vocabulary(concepts, fields, tuple(Phrasing(t, p) for t, p in phrasings.items()))

    def extended_by_files(self, paths: Iterable[str | Path]) -> "Vocabulary":
        vocabulary = self
        for path in paths:
            vocabulary = vocabulary.extended(tomllib.loads(Path(path).read_text(encoding="utf-8")), str(path))
        return vocabulary

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


def _predicate(spec: dict[str, Any], where: str) -> Predicate:
    operator = spec.get("operator", "equals")
    if operator not in OPERATORS or "field" not in spec:
        raise ValueError(f"{where}: a predicate needs `field` and an `operator` among {', '.join(OPERATORS)}")
    if operator not in ("empty", "not_empty") and "value" not in spec:
        raise ValueError(f"{where}: operator {operator!r} needs a `value`")
    value = spec.get("value")
    if operator == "one_of" and not isinstance(value, list):
        raise ValueError(f"{where}: operator 'one_of' needs a list `value`")
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
