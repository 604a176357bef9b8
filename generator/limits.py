"""What a document may hold before it is refused: bounds that keep every run short.

Real documents are a few hundred kilobytes with at most a few hundred sections; these limits
are far above that and far below what makes docutils (quadratic in the number of sections,
recursive in nesting) take minutes or fail. A document beyond one is a `SpecError` at the line
where it goes beyond it (line 1 for the file as a whole).
"""
from __future__ import annotations

import re

from .model import SpecError

MAX_DOCUMENT_BYTES = 5_000_000
MAX_SECTIONS = 2_000
MAX_LINE_CHARS = 10_000  # docutils' own line-length limit, which it reports without the line
MAX_TITLE_CHARS = 1_000  # titles are split at every " to ", each split checked: keep that small

# A section title's underline: one punctuation character repeated, under a line of text (an
# overline or a transition stands after a blank line and is not counted).
_ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1+[ \t]*")


def check_text(text: str, file: str) -> None:
    """Raises `SpecError` when `text` has a line or more sections than the limits allow."""
    sections = 0
    previous_is_text = False
    for number, line in enumerate(text.splitlines(), 1):
        length = len(line.expandtabs(8)) if "\t" in line else len(line)  # docutils expands tabs
        if length > MAX_LINE_CHARS:
            raise SpecError(file, number, f"the line is {length:,} characters long; "
                            f"at most {MAX_LINE_CHARS:,} are read")
        adornment = len(line) >= 2 and _ADORNMENT.fullmatch(line) is not None
        previous_is_text, was_text = bool(line.strip()) and not adornment, previous_is_text
        if adornment and was_text:
            sections += 1
            if sections > MAX_SECTIONS:
                raise SpecError(file, number, f"more than {MAX_SECTIONS:,} section titles; "
                                "a document may have at most that many")


def check_title(title: str, file: str, line: int) -> None:
    if len(title) > MAX_TITLE_CHARS:
        raise SpecError(file, line, f"the title is {len(title):,} characters long; at most {MAX_TITLE_CHARS:,}")
