"""Systems, entities and ids as the documents spell them.

A document's title names its systems ("Custom CRM to Chargebee Dataflow"), while its sections
may spell them otherwise ("Customcrm Contact to Chargebee Customer"), or leave one blank
("Exact Online Items to  Inventory"). Names are compared folded: case and spaces ignored.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

# Either system may be blank ("Exact Online to  Dataflow", " to Tripletex Dataflow").
_TITLE = re.compile(r"^(?P<source>.*?)\s*\bto\s+(?P<target>.*?)\s*\bDataflow$", re.DOTALL | re.IGNORECASE)


def fold(name: str) -> str:
    """The name as compared: lower case, no white space."""
    return "".join(name.split()).casefold()


def slug(text: str) -> str:
    """A lower-case, hyphenated ASCII form of `text` for ids and file names ("x" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def systems_from_title(title: str) -> tuple[str, str] | None:
    """(source, target) systems named by a title "<S> to <T> Dataflow"; either may be blank."""
    match = _TITLE.match(title.strip())
    if match is None:
        return None
    return match["source"].strip(), match["target"].strip()


def systems_from_file(file: str) -> tuple[str, str]:
    """(source, target) systems as a file name "<source>-<target>.rst" gives them."""
    parts = PurePath(file).stem.split("-")
    return parts[0], parts[-1]


def split_name(name: str, system: str, loose: bool = False) -> tuple[str, str] | None:
    """(system as spelled here, entity) when `name` starts with `system` in any spelling.

    `loose` also accepts a shortened or lengthened spelling ("Wix" for "Wix.com", "PowerOffice"
    for "PowerOffice GO"), compared without punctuation.
    """
    words = name.split()
    wanted = _bare(system) if loose else fold(system)
    for count in range(1, len(words)):
        head = _bare(" ".join(words[:count])) if loose else fold(" ".join(words[:count]))
        if head == wanted or (loose and head and (wanted.startswith(head) or head.startswith(wanted))):
            return " ".join(words[:count]), " ".join(words[count:])
        if len(head) > len(wanted):
            break
    return None


def _bare(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def split_section_title(
    title: str, source_system: str, target_system: str, blank_source: bool, blank_target: bool
) -> tuple[str, str] | None:
    """(source entity, target entity) of a section title such as "Customcrm Contact to Chargebee Customer".

    Entity names may hold " to " themselves, so every split point is tried and the first one
    whose halves start with the document's systems wins; spellings are compared folded first,
    then loosely. A system the title left blank has no prefix in the sections.
    """
    pieces = re.split(r"(\s+to\s+)", title)
    for loose in (False, True):
        for index in range(1, len(pieces), 2):
            left = "".join(pieces[:index]).strip()
            right = "".join(pieces[index + 1 :]).strip()
            source = ("", left) if blank_source else split_name(left, source_system, loose)
            target = ("", right) if blank_target else split_name(right, target_system, loose)
            if source and target and source[1] and target[1]:
                return source[1], target[1]
    return None


def split_at_first_word(title: str) -> tuple[str, str] | None:
    """(source entity, target entity) taking the first word of each half as its system: a last resort."""
    left, separator, right = title.partition(" to ")
    left_words, right_words = left.split(), right.split()
    if not separator or len(left_words) < 2 or len(right_words) < 2:
        return None
    return " ".join(left_words[1:]), " ".join(right_words[1:])
