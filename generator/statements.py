"""The sentences the publisher writes, recognised in a paragraph's text.

Each pattern matches a whole paragraph whose white space has been folded to single spaces
(the publisher sometimes writes two, e.g. "it  will be synchronized"). Names are captured
as written; `names.py` splits them into system and entity.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_A = r"an?\s+"  # the publisher writes "a" even before vowels; accept "an" too
_NAME = r"(?P<{}>.*?)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.DOTALL))
    for kind, pattern in (
        ("every", rf"^Every {_NAME.format('s')} will be synchronized with {_A}{_NAME.format('t')}\.$"),
        (
            "link_required",
            rf"^Before any synchronization can take place, a link between {_A}{_NAME.format('s')}"
            rf" and {_A}{_NAME.format('t')} must be established\.$",
        ),
        (
            "creation_rule",
            rf"^A new {_NAME.format('t')} will be created from {_A}{_NAME.format('s')} if it is connected"
            rf" to {_A}{_NAME.format('via')} that is synchronized into {_NAME.format('into')}\.$",
        ),
        (
            "merge_or_create",
            rf"^If a matching {_NAME.format('t')} already exists, the {_NAME.format('s')} will be merged"
            rf" with the existing one\. If no matching (?P<t2>.*?) is found, a new (?P<t3>.*?) will be created\.$",
        ),
        (
            "merge_keys",
            rf"^An? {_NAME.format('s')} will merge with {_A}{_NAME.format('t')} if one of the following"
            r" property combinations match:$",
        ),
        (
            "bidirectional",
            rf"^Once a link between {_A}{_NAME.format('s')} and {_A}{_NAME.format('t')} is established,"
            r" it will keep in sync between the two systems, regardless of where it is edited\.$",
        ),
        (
            "properties",
            rf"^The following properties are synchronized between {_A}{_NAME.format('s')}"
            rf" and {_A}{_NAME.format('t')}:$",
        ),
        # Last: its condition is free text, so anything ending this way is a condition.
        ("conditional", rf"^(?P<condition>.+), it will be synchronized with {_A}{_NAME.format('t')}\.$"),
    )
)

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
    for kind, pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        groups = match.groupdict()
        if kind == "conditional":
            # Kept whole, as written, but for folded line breaks: it is free text for a person.
            condition = _condition_as_written(paragraph)
            return Sentence(kind, text, target=groups["t"].strip(), condition=condition)
        if kind == "creation_rule":
            via = tuple(v.strip() for v in _VIA_SEPARATOR.split(groups["via"]) if v.strip())
            return Sentence(
                kind, text, groups["s"].strip(), groups["t"].strip(), via=via, into=groups["into"].strip()
            )
        return Sentence(kind, text, groups["s"].strip(), groups["t"].strip())
    return None


def _condition_as_written(paragraph: str) -> str:
    one_line = " ".join(line.strip() for line in paragraph.splitlines())
    head, _sep, _tail = one_line.rpartition(", it ")
    return head.strip()
