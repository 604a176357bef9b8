"""How a form-encoded API reads its fields' text into its own types.

Deliberately not `sync.coercion`: the fake plays the server, and a server parses its wire
text by its own schema. Sharing the engine's coercion would let a coercion bug pass unseen.
Text the type cannot hold is kept as text, as a lenient server would store it.
"""
from __future__ import annotations

from typing import Any


def parse(text: Any, data_type: str) -> Any:
    """`text` as `data_type` ("integer", "float", "boolean", "string"), or unchanged if it is not one."""
    if not isinstance(text, str):
        if isinstance(text, list):
            return [parse(item, data_type) for item in text]
        return text
    try:
        if data_type == "integer":
            return int(text)
        if data_type == "float":
            return float(text)
    except ValueError:
        return text
    if data_type == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def type_name(value: Any) -> str | None:
    """The type name of a value the API already holds, for fields with no declared type."""
    return {bool: "boolean", int: "integer", float: "float"}.get(type(value))
