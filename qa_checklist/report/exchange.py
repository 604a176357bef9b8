"""What the fake APIs received and hold at a failure: the exchange a person reads before the traceback.

Taken from the last harness the failing test made (the one its final assertion looked at): every
write each side received, in order, with its body, and the records each side holds now.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

_WRITES = 8  # the last writes of each side; a failure is about the latest pass
_RECORDS = 3
_WIDTH = 300


def exchange_text(harnesses: Sequence[Any]) -> str:
    if not harnesses:
        return ""
    h = harnesses[-1]
    lines: list[str] = []
    seen = set()
    for side, handle in (("source", h.source), ("target", h.target)):
        key = (id(handle.fake), handle.entity)
        if key in seen:  # a section synchronizing a collection with itself
            continue
        seen.add(key)
        requests = handle.requests
        writes = [r for r in requests if r.is_write]
        received = f"{_count(len(requests) - len(writes), 'read')} and {_count(len(writes), 'write')}"
        lines.append(f"{handle.fake.system} {handle.entity} ({side}): received {received}{':' if writes else ''}")
        if len(writes) > _WRITES:
            lines.append(f"  … {len(writes) - _WRITES} earlier writes")
        for request in writes[-_WRITES:]:
            fault = f"  [answered with an injected {request.fault}]" if request.fault else ""
            query = "?" + "&".join(f"{k}={v}" for k, v in request.params.items()) if request.params else ""
            lines.append(f"  {request.method} {request.path}{query} {_compact(request.body)}{fault}")
        records = handle.records()
        lines.append(f"  holds {_count(len(records), 'record')}{':' if records else ''}")
        lines.extend(f"  {_compact(record)}" for record in records[-_RECORDS:])
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _compact(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"
