"""A failed test's facts for the report, taken where the exception still lives (also on an xdist worker).

They travel to the controlling process as the report attribute `qa_failure` (pytest serializes a
test report's extra attributes): the check's own message, the item it names as its cause, the
fake APIs' exchange, and hypothesis's falsifying example.
"""
from __future__ import annotations

from typing import Any

from ..shared.describe import without_addresses
from ..shared.messages import Message, text_signature


def failure_facts(exception: BaseException, exchange: str) -> dict[str, Any]:
    first = exception
    distinct = 1
    if isinstance(exception, BaseExceptionGroup):  # hypothesis found several distinct failures
        distinct = len(exception.exceptions)
        first = exception.exceptions[0]
    message = _own_message(first)
    if distinct > 1:
        message += f"\n(and {distinct - 1} other distinct failure(s); see the details)"
    return {
        "message": message,
        **signature_facts(first, message),
        "cause": getattr(first, "cause_item", None),
        "exchange": exchange,
        # hypothesis's notes: the failing example ("Falsifying example:" or "Failing test case:") and explanations
        "example": "\n".join(without_addresses(note) for note in getattr(first, "__notes__", ())
                             if "reproduce_failure" not in note),
    }


def signature_facts(exception: BaseException, message: str) -> dict[str, str]:
    """The failure's shape for clustering (`clusters.py`): from the check's structured `Message` when it raised
    one, else from its text (`signature_from` says which); `core` is what clusters group by, `shape` what names them."""
    own = exception.args[0] if exception.args else None
    if isinstance(own, Message):
        mismatch = own.mismatch
        rule = f"{mismatch.declared} coercion" if mismatch is not None and mismatch.declared else ""
        return {"signature": own.signature, "core": own.core, "shape": own.shape, "rule": rule,
                "signature_from": "message"}
    signature = text_signature(message)
    return {"signature": signature, "core": signature, "shape": signature, "signature_from": "text"}


def _own_message(exception: BaseException) -> str:
    text = str(exception)
    if isinstance(exception, AssertionError):
        # pytest's rewriting appends "assert <expression>" and "where" lines: the check's message comes first.
        own = text.split("\nassert ", 1)[0].strip()
        if own and not own.startswith("assert "):
            return without_addresses(own)
        return without_addresses(text.strip()) or "assertion failed"
    return without_addresses(f"{type(exception).__name__}: {text}".strip())
