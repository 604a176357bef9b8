"""A check's failure message that keeps its parts, so the report can cluster failures by their shape.

A check says `expected integer 4207, the Chargebee API holds integer 4208`; the same broken rule
says `expected integer 0, the MemberCare API holds integer 1` in another document. Built as a
`Message` (a `str`, so it reads and compares as the text it always was), the message also keeps
its template and fields: its `signature` is the template with each field abstracted (a value by
its type and, beside the expected one, by how it differs; a path, a name or a line by what it is),
`expected integer N, the <API> holds integer N+1`, with no regular expression over the text.

A `Mismatch` (what was expected, what an API holds) is the heart of most value failures: the
report clusters failures by it (`core`) wherever it appears, in a property row's check, a pass
report's or a fault's, so one engine rule broken reads as one cluster.

Raise such a message (`raise AssertionError(Message(...))`, or a `CausedBy`); an `assert`
statement's message is turned into plain text by pytest's assertion rewriting.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .describe import describe

_NEAR = 9  # an integer this close to the expected one is shown as N+d: an off-by-one is a shape of its own


class Keep(str):
    """A field kept as it is in the signature: a declared type, a kind, a fixed word."""


class Shaped(str):
    """A field shown as its text, with a signature of its own (an engine's error messages, each abstracted)."""

    def __new__(cls, text: str, signature: str) -> "Shaped":
        shaped = super().__new__(cls, text)
        shaped.signature = signature
        return shaped

    def __reduce__(self):
        return (Shaped, (str(self), self.signature))


@dataclass(frozen=True)
class Mismatch:
    """A value an API holds that is not the one expected."""

    expected: Any
    held: Any
    api: str  # the system whose API holds it
    declared: str | None = None  # the document's data type of the row, when a row carries the value
    verb: str = "holds"  # "was sent": what the engine wrote, where the API refused it

    def __str__(self) -> str:
        return f"expected {describe(self.expected)}, the {self.api} API {self.verb} {describe(self.held)}"

    @property
    def signature(self) -> str:
        return f"expected {shape(self.expected)}, the <API> {self.verb} {relative(self.held, self.expected)}"

    @property
    def core(self) -> str:
        """What clusters group by: the signature, with an integer a little off shown as such (`N+1` and `N+2`
        are one shape: a rule applied once or twice on the way), and what was sent as what is held."""
        return f"expected {shape(self.expected)}, the <API> holds {relative(self.held, self.expected, near=True)}"


class Message(str):
    """A failure message (its text) that keeps its template and fields."""

    template: str
    fields: dict[str, Any]

    def __new__(cls, template: str, **fields: Any) -> "Message":
        message = super().__new__(cls, template.format(**{name: str(value) for name, value in fields.items()}))
        message.template = template
        message.fields = fields
        return message

    def __reduce__(self):  # pickled as what it is (a worker process sends its exceptions)
        return (_rebuild, (self.template, self.fields))

    @property
    def signature(self) -> str:
        """The template with every field abstracted."""
        return self.template.format(**{name: abstract(name, value) for name, value in self.fields.items()})

    @property
    def mismatch(self) -> Mismatch | None:
        return next((value for value in self.fields.values() if isinstance(value, Mismatch)), None)

    @property
    def core(self) -> str:
        """What the report clusters by: the mismatch's signature, else the whole message's."""
        mismatch = self.mismatch
        return mismatch.core if mismatch is not None else self.signature

    @property
    def shape(self) -> str:
        """The mismatch's own signature (what a cluster is named by), else the whole message's."""
        mismatch = self.mismatch
        return mismatch.signature if mismatch is not None else self.signature

    def prefixed(self, prefix: str) -> "Message":
        """The same message after `prefix` (plain text, kept in the signature)."""
        return Message(prefix.replace("{", "{{").replace("}", "}}") + self.template, **self.fields)


def _rebuild(template: str, fields: dict[str, Any]) -> Message:
    return Message(template, **fields)


def abstract(name: str, value: Any) -> str:
    """A field as the signature shows it."""
    if isinstance(value, Mismatch):
        return value.signature
    if isinstance(value, Shaped):
        return value.signature
    if isinstance(value, Keep):
        return str(value)
    if isinstance(value, bool):
        return "B"
    if isinstance(value, int):
        return "N"
    return f"<{name}>"


def shape(value: Any) -> str:
    """A value by its type alone: `integer N`, `text S`, `nothing (null)`."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "boolean B"
    if isinstance(value, int):
        return "integer N"
    if isinstance(value, float):
        return "decimal X"
    if isinstance(value, str):
        return "empty text" if value == "" else "text S"
    if isinstance(value, (list, tuple)):
        return f"list [{shape(value[0])}{', …' if len(value) > 1 else ''}]" if value else "empty list"
    if isinstance(value, dict):
        return "object {…}"
    return type(value).__name__


def relative(held: Any, expected: Any, near: bool = False) -> str:
    """A value held, by its type and how it differs from the expected one: `integer N+1`, `text "N"`
    (`near`: an integer a little above or below is `integer N+d` or `integer N-d`, whatever the amount)."""
    if isinstance(held, (list, tuple)) and not isinstance(expected, (list, tuple)):
        shapes = list(dict.fromkeys(relative(item, expected, near) for item in held))
        return f"list [{', '.join(shapes)}]" if held else "empty list"
    if _number(held) and _number(expected) and type(held) is type(expected):
        difference = held - expected
        if difference == 0:
            return shape(held)
        if isinstance(held, int) and abs(difference) <= _NEAR:
            return ("integer N+d" if difference > 0 else "integer N-d") if near else f"integer N{difference:+d}"
        return f"{shape(held).split()[0]} {'M' if isinstance(held, int) else 'Y'}"
    if isinstance(held, str) and expected is not None and not isinstance(expected, str) and held.strip() == _text(expected):
        if _number(expected):
            return 'text "N"' if isinstance(expected, int) else 'text "X"'
        return f"the text of {shape(expected)}"
    if _number(held) and isinstance(expected, str) and expected.strip() == _text(held):
        return f"{shape(held)} (the number the text spells)"
    if isinstance(held, str) and isinstance(expected, str) and held and expected:
        if held == expected:
            return "text S"
        if held.strip() == expected.strip():
            return "text S with other spaces around it"
        if held.casefold() == expected.casefold():
            return "text S in another case"
        if expected in held:
            return "text S with more around it"
        if held in expected:
            return "text S cut short"
        return "other text T"
    return shape(held)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_NUMBER = re.compile(r"(?<![\w.])[+-]?\d+(?:\.\d+)?(?![\w.])")


def text_signature(text: str) -> str:
    """The fallback for a message built as plain text (an `assert` without a `Message`, an error): its first
    line, with quoted text and numbers abstracted."""
    first = (text.strip().splitlines() or [""])[0]
    return _NUMBER.sub("N", _QUOTED.sub("S", first))


def row_mismatch(row: Any, expected: Any, held: Any, api: str, prefix: str = "", typed: bool = True,
                 suffix: str = "") -> Message:
    """`<prefix>: a -> b (integer, line 12)<suffix>: expected integer 0, the X API holds integer 1`: a property
    row's value wrong at the API (`typed=False` leaves out the row's type and line)."""
    template = "{source} -> {target}"
    fields: dict[str, Any] = {"source": row.source, "target": row.target}
    if typed:
        template += " ({type}, line {line})"
        fields.update(type=Keep(row.type or "N/A"), line=row.line)
    fields["mismatch"] = Mismatch(expected, held, api, row.type)
    escaped = prefix.replace("{", "{{").replace("}", "}}") + (": " if prefix else "")
    return Message(escaped + template + suffix.replace("{", "{{").replace("}", "}}") + ": {mismatch}", **fields)


def errors_field(errors: Any) -> Shaped:
    """A pass's errors as a message field: their repr as before, each one's side and message abstracted."""
    shapes = dict.fromkeys(f"{getattr(e, 'side', '')}: {text_signature(str(getattr(e, 'message', e)))}" for e in errors)
    return Shaped(str(errors), "; ".join(shapes))


def fail(message: Message) -> AssertionError:
    """The assertion error a check raises with a structured message (an `assert` statement would flatten it)."""
    return AssertionError(message)
