"""Names as the wire wants them: slugs for URLs, snake_case keys, plurals, spelling-independent system keys.

Documents spell systems freely (`Custom CRM`, `Customcrm`, `PowerOffice GO`, even a blank
name), so every lookup goes through `system_key`, which ignores case, spaces and punctuation.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


# Letters NFKD does not decompose but Nordic and German system names use.
_LETTERS = str.maketrans({"Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "ß": "ss", "Đ": "D", "đ": "d", "Ł": "L", "ł": "l"})


# The engine and the fakes name the same few systems and entities on every request: the names are cached.
@lru_cache(maxsize=4096)
def ascii_fold(text: str) -> str:
    """The text with accents dropped, Nordic letters spelled out, any other non-ASCII character removed."""
    return unicodedata.normalize("NFKD", text.translate(_LETTERS)).encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=4096)
def slug(text: str, *, fallback: str = "x") -> str:
    """A URL-safe lowercase slug: `Customers (human data)` -> `customers-human-data`."""
    words = re.findall(r"[a-z0-9]+", ascii_fold(text).lower())
    return "-".join(words) or fallback


def snake(text: str, *, fallback: str = "x") -> str:
    """A snake_case key: `Business_entity` -> `business_entity`, `Item family` -> `item_family`."""
    return slug(text, fallback=fallback).replace("-", "_")


@lru_cache(maxsize=4096)
def system_key(system: str) -> str:
    """A spelling-independent key for a system: `Custom CRM` and `Customcrm` both give `customcrm`."""
    return re.sub(r"[^a-z0-9]", "", ascii_fold(system).lower())


def plural(word: str) -> str:
    """An English plural good enough for REST paths: entity -> entities, address -> addresses."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"
