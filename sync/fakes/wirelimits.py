"""What a fake takes off the wire, and no more: body size, JSON nesting, form fields and indexes.

A fake served on loopback (`fake-api serve`) is reachable by anything on the machine, so it
reads a request as a small production server would: a body only once the caller is known (see
`base.FakeApi._dispatch`), never more than `MAX_BODY` bytes, within a deadline, as strict JSON
(no NaN, no Infinity, no 1e999) nested at most `MAX_DEPTH` deep, or as form fields few enough,
shallow enough and with small enough indexes that decoding them costs nothing. Whatever it
refuses is a `Refusal` carrying the HTTP status a server answers it with; each fake says it in
its vendor's own error body.

The caps are the fakes' own: well above anything the vendors' clients send (a Chargebee form
holds tens of fields; a HubSpot batch of 100 records is a few hundred KB), well below what
would cost a served fake memory or time.
"""
from __future__ import annotations

import json
import math
import re
import time
from typing import Any, Iterable
from urllib.parse import parse_qsl

MAX_BODY = 2 * 1024 * 1024  # bytes
MAX_TARGET = 8 * 1024  # bytes of the request target (path and query), as nginx and Apache cap it
MAX_DEPTH = 32  # levels of JSON arrays and objects
MAX_FORM_FIELDS = 1_000
MAX_FORM_BRACKETS = 4  # `a[b][c][0]`: Chargebee's deepest is an object's field of an array of objects
MAX_FORM_INDEX = 999
BODY_SECONDS = 30.0  # a body still arriving after this is a client holding a server thread

_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_LENGTH = re.compile(r"[0-9]{1,30}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")
_MAX_LINE = 1024  # a chunk's size line, or a trailer line
_MAX_TRAILERS = 32


class Refusal(ValueError):
    """A request refused off the wire, with the status a server answers it with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def read_body(stream: Any, content_length: str | None, transfer_encoding: str | None,
              seconds: float = BODY_SECONDS) -> bytes:
    """The body `stream` holds, as its Content-Length or chunked transfer encoding delimits it; a Refusal
    for a length that is not a number (or is negative: reading "to the end" would wait for a client that
    never closes), a body over MAX_BODY (refused before a byte is read, where the length is declared),
    both a length and chunks (a request-smuggling ambiguity), malformed chunks, or a body that ends early
    or takes too long."""
    deadline = time.monotonic() + seconds
    encoding = (transfer_encoding or "").strip().lower()
    declared = (content_length or "").strip()
    if encoding and encoding != "identity":
        if encoding != "chunked":
            raise Refusal(400, f"transfer encoding {encoding[:40]!r} is not taken; send chunked or a Content-Length")
        if declared:
            raise Refusal(400, "a body cannot have both a Content-Length and chunked transfer encoding")
        return _chunked(stream, deadline)
    if not declared:
        return b""
    if not _LENGTH.fullmatch(declared):
        raise Refusal(400, f"Content-Length {declared[:40]!r} is not a number of bytes")
    length = int(declared)
    if length > MAX_BODY:
        raise Refusal(413, f"the body of {length} bytes is over the limit of {MAX_BODY} bytes")
    return _exactly(stream, length, deadline)


def _chunked(stream: Any, deadline: float) -> bytes:
    """A chunked body: each chunk's hexadecimal size line, its bytes and CRLF, up to the zero-size chunk and
    the trailer lines after it (read and dropped); at most MAX_BODY bytes in all."""
    chunks: list[bytes] = []
    total = 0
    while True:
        size_text = _line(stream, deadline).split(b";", 1)[0].strip()  # a chunk extension is dropped
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise Refusal(400, f"a chunk size {size_text[:20]!r} is not a hexadecimal number")
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if total > MAX_BODY:
            raise Refusal(413, f"the chunked body is over the limit of {MAX_BODY} bytes")
        chunks.append(_exactly(stream, size, deadline))
        if _exactly(stream, 2, deadline) != b"\r\n":
            raise Refusal(400, "a chunk does not end with CRLF")
    for _ in range(_MAX_TRAILERS):
        if _line(stream, deadline).strip() == b"":
            return b"".join(chunks)
    raise Refusal(400, f"the chunked body has over {_MAX_TRAILERS} trailer lines")


def _line(stream: Any, deadline: float) -> bytes:
    if time.monotonic() > deadline:
        raise Refusal(408, "the body did not arrive in time")
    try:
        line = stream.readline(_MAX_LINE + 1)
    except TimeoutError:
        raise Refusal(408, "the body stopped arriving") from None
    if not line.endswith(b"\n"):
        raise Refusal(400, "a chunk's size line is too long or the body ended" if line else "the body ended early")
    return line


def _exactly(stream: Any, length: int, deadline: float) -> bytes:
    """`length` bytes off `stream`, read1 at a time: a client trickling a byte at a time meets the deadline
    instead of holding the thread for as long as each byte comes within the socket's timeout."""
    read = getattr(stream, "read1", stream.read)
    chunks: list[bytes] = []
    left = length
    while left:
        if time.monotonic() > deadline:
            raise Refusal(408, "the body did not arrive in time")
        try:
            chunk = read(min(left, 65536))
        except TimeoutError:
            raise Refusal(408, "the body stopped arriving before its end") from None
        if not chunk:
            raise Refusal(400, f"the body ended {left} bytes short of its length")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def strict_json(raw: bytes) -> Any:
    """`raw` parsed as strict JSON, nested at most MAX_DEPTH deep; a Refusal (400) saying why not."""
    try:
        value = json.loads(raw, parse_constant=_not_json, parse_float=_finite)
    except RecursionError:  # the C parser stops at the interpreter's recursion limit
        raise Refusal(400, f"the body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an integer over 4300 digits, NaN
        raise Refusal(400, f"the body is not JSON: {exc}") from None
    if depth(value) > MAX_DEPTH:
        raise Refusal(400, f"the body nests deeper than {MAX_DEPTH} levels")
    return value


def depth(value: Any) -> int:
    """How deep arrays and objects nest in `value` (without recursion: it is hostile input)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, level)
        stack.extend((item, level + 1) for item in node)
    return deepest


def form_pairs(raw: bytes) -> list[tuple[str, str]]:
    """A form body's fields, each name's brackets and indexes within the caps, no name given twice or
    both as a value and as fields (`a=1&a[b]=2`); a Refusal (400) for any other."""
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict",
                          max_num_fields=MAX_FORM_FIELDS)
    except UnicodeDecodeError:
        raise Refusal(400, "the form body is not UTF-8 text") from None
    except ValueError:  # parse_qsl counts the fields before parsing any
        raise Refusal(400, f"the form body holds over {MAX_FORM_FIELDS} fields") from None
    _check_names(name for name, _ in pairs)
    return pairs


def _check_names(names: Iterable[str]) -> None:
    leaves: set[tuple[str, ...]] = set()
    inner: set[tuple[str, ...]] = set()
    for name in names:
        base, _, rest = name.partition("[")
        parts = _BRACKETS.findall("[" + rest) if rest else []
        if len(parts) > MAX_FORM_BRACKETS:
            raise Refusal(400, f"{name[:80]} : nests deeper than {MAX_FORM_BRACKETS} brackets")
        for part in parts:
            # str.isdigit holds for '²' too, which the form decoder then cannot read as an index
            if part.isdigit() and not (part.isascii() and len(part) <= 6 and int(part) <= MAX_FORM_INDEX):
                raise Refusal(400, f"{name[:80]} : index {part[:12]} is over {MAX_FORM_INDEX}")
        path = (base, *parts)
        if path in leaves or path in inner:
            raise Refusal(400, f"{name[:80]} : given twice, or both as a value and as fields")
        leaves.add(path)
        inner.update(path[:n] for n in range(1, len(path)))
    if leaves & inner:
        name = min(leaves & inner)
        raise Refusal(400, f"{name[0]} : given both as a value and as fields")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is out of range for a number")
    return value
