"""What a fake API received: each request, decoded, in order."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REDACTED = "<redacted>"


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the API received it: method, path (after the base URL), params, body, headers."""

    method: str
    path: str
    params: dict[str, Any]
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)  # Authorization redacted
    entity: str = ""
    fault: str | None = None
    read: bool | None = None  # None: a GET reads, anything else writes (a search POSTed to HubSpot reads)

    @property
    def is_write(self) -> bool:
        return not self.read if self.read is not None else self.method != "GET"
