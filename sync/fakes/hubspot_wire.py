"""How HubSpot's fake reads a request off the wire, where HubSpot differs from the base class's habits.

* List parameters come repeated (`properties=a&properties=b`, as hubspot-api-client 12 sends them) or
  comma-separated (as HubSpot's docs write them): both read as one comma-separated value.
* A body is strict JSON (no NaN or Infinity); one that is not, or is not JSON at all, is refused only
  once the caller is known to be authenticated (`Undecodable` carries it that far).
* A search is POSTed but reads: the request log counts it as a read, whatever fault answered it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from . import wirelimits
from .base import WireRequest

LIST_VALUED = frozenset({"properties", "associations", "propertiesWithHistory"})


@dataclass(frozen=True, slots=True)
class Undecodable:
    """A body that is not strict JSON: refused once the caller is known to be authenticated."""

    reason: str
    status: int = 400


def query_params(query: str) -> dict[str, str]:
    """A query string's parameters, a repeated list parameter joined with commas."""
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        params[name] = f"{params[name]},{value}" if name in LIST_VALUED and name in params else value
    return params


def json_body(request: WireRequest) -> Any:
    """The request's body as strict JSON, `{}` for none (the client sends Content-Type: application/json
    with no body on GET, DELETE and the default-association PUT), or `Undecodable`."""
    if not request.body:
        return {}
    if "application/json" not in request.headers.get("Content-Type", ""):
        return Undecodable(f"HubSpot takes JSON bodies, got {request.headers.get('Content-Type')!r}", 415)
    try:
        return wirelimits.strict_json(request.body)
    except wirelimits.Refusal as refusal:
        return Undecodable(f"Invalid input JSON: {refusal}", refusal.status)
