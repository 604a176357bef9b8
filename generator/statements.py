"""The sentences the publisher writes, recognised in a paragraph's text.

Each pattern matches a whole paragraph whose white space has been folded to single spaces
(the publisher sometimes writes two, e.g. "it  will be synchronized"). Names are captured
as written; `names.py` splits them into system and entity.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Each sentence is a sequence of the publisher's fixed phrases with names between them. It is
# matched by `str.find` over those phrases, never by a regular expression with several lazy
# groups (whose backtracking made a long paragraph take minutes): a name ends at the first
# occurrence of the phrase after it, so each sentence costs one scan of the paragraph. The
# result is the one the anchored pattern "^Every (.*?) will be synchronized with an? (.*?)\\.$"
# gives: a lazy name is as short as a complete match allows, and taking the first occurrence of
# each following phrase leaves the most room for the rest.
_A = ("an ", "a ")  # the publisher writes "a" even before vowels; accept "an" too

# A sentence: (phrases, names). phrases[0] opens the paragraph, phrases[-1] ends it, and
# names[i] stands between phrases[i] and phrases[i + 1]; each phrase lists its spellings.
_Phrase = tuple[str, ...]
_SENTENCES: tuple[tuple[str, tuple[_Phrase, ...], tuple[str, ...]], ...] = (
    ("every", (("Every ",), tuple(f" will be synchronized with {a}" for a in _A), (".",)), ("s", "t")),
    ("link_required",
     (tuple(f"Before any synchronization can take place, a link between {a}" for a in _A),
      tuple(f" and {a}" for a in _A), (" must be established.",)), ("s", "t")),
    ("creation_rule",
     (("A new ",), tuple(f" will be created from {a}" for a in _A),
      tuple(f" if it is connected to {a}" for a in _A), (" that is synchronized into ",), (".",)),
     ("t", "s", "via", "into")),
    ("merge_or_create",
     (("If a matching ",), (" already exists, the ",),
      (" will be merged with the existing one. If no matching ",), (" is found, a new ",), (" will be created.",)),
     ("t", "s", "t2", "t3")),
    ("merge_keys",
     (("An ", "A "), tuple(f" will merge with {a}" for a in _A),
      (" if one of the following property combinations match:",)), ("s", "t")),
    ("bidirectional",
     (tuple(f"Once a link between {a}" for a in _A), tuple(f" and {a}" for a in _A),
      (" is established, it will keep in sync between the two systems, regardless of where it is edited.",)),
     ("s", "t")),
    ("properties",
     (tuple(f"The following properties are synchronized between {a}" for a in _A),
      tuple(f" and {a}" for a in _A), (":",)), ("s", "t")),
)
# Last: its condition is free text, so anything ending this way is a condition. The condition
# is as long as possible (at least one character), the target what is left before the period.
_CONDITIONAL = tuple(f", it will be synchronized with {a}" for a in _A)


def _match(text: str, phrases: tuple[_Phrase, ...], names: tuple[str, ...]) -> dict[str, str] | None:
    opening = next((p for p in phrases[0] if text.startswith(p)), None)
    closing = next((p for p in phrases[-1] if text.endswith(p)), None)
    if opening is None or closing is None:
        return None
    position, end = len(opening), len(text) - len(closing)
    if position > end:
        return None
    groups: dict[str, str] = {}
    for name, phrase in zip(names, phrases[1:-1]):
        found = _first(text, phrase, position, end)
        if found is None:
            return None
        start, spelling = found
        groups[name] = text[position:start]
        position = start + len(spelling)
    groups[names[-1]] = text[position:end]
    return groups


def _first(text: str, spellings: _Phrase, start: int, end: int) -> tuple[int, str] | None:
    """The first occurrence of any spelling within text[start:end], the first spelling on a tie."""
    best: tuple[int, str] | None = None
    for spelling in spellings:
        index = text.find(spelling, start, end)
        if index >= 0 and (best is None or index < best[0]):
            best = (index, spelling)
    return best


def _match_conditional(text: str) -> dict[str, str] | None:
    if not text.endswith("."):
        return None
    best: tuple[int, str] | None = None
    for spelling in _CONDITIONAL:
        index = text.rfind(spelling, 1, len(text) - 1)
        if index >= 1 and (best is None or index > best[0]):
            best = (index, spelling)
    if best is None:
        return None
    index, spelling = best
    return {"condition": text[:index], "t": text[index + len(spelling):-1]}


_VIA_SEPARATOR = re.compile(r"\s*,\s*(?:or\s+)?|\s+or\s+")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A recognised statement: its kind and the names it captured."""

    kind: str
    text: str
    source: str | None = None
    target: str | None = None
    condition: str | None = None
    via: tuple[str, ...] = ()
    into: str | None = None


def fold_space(text: str) -> str:
    """`text` with every run of white space, line breaks included, as one space."""
    return " ".join(text.split())


def recognise(paragraph: str) -> Sentence | None:
    """The statement a paragraph makes, or None when it is none of the publisher's sentences."""
    text = fold_space(paragraph)
    for kind, phrases, names in _SENTENCES:
        groups = _match(text, phrases, names)
        if groups is None:
            continue
        if kind == "creation_rule":
            via = tuple(v.strip() for v in _VIA_SEPARATOR.split(groups["via"]) if v.strip())
            return Sentence(
                kind, text, groups["s"].strip(), groups["t"].strip(), via=via, into=groups["into"].strip()
            )
        return Sentence(kind, text, groups["s"].strip(), groups["t"].strip())
    groups = _match_conditional(text)
    if groups is not None:
        # Kept whole, as written, but for folded line breaks: it is free text for a person.
        return Sentence("conditional", text, target=groups["t"].strip(), condition=_condition_as_written(paragraph))
    return None


def _condition_as_written(paragraph: str) -> str:
    one_line = " ".join(line.strip() for line in paragraph.splitlines())
    head, _sep, _tail = one_line.rpartition(", it ")
    return head.strip()
