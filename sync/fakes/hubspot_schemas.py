"""HubSpot's own OpenAPI (the product's extract of it) as the judge of what its fake takes and gives.

The extract (`apis/hubspot/openapi.json`, or `sync/apis/hubspot/openapi.json` where `vendor-extract`
first wrote it) holds HubSpot's operations and component schemas. Each operation's request and
response schema is compiled once per process into an `OAS30Validator` (nullable, int32, uuid and
date-time as OpenAPI 3.0 means them); nothing else of an OpenAPI engine runs per request.

Where HubSpot's published behaviour is looser than its OpenAPI files, the request schemas follow the
behaviour, and say so:

* `SimplePublicObjectInputForCreate` lists `associations` as required; hubspot-api-client 12's own
  model requires only `properties`, and HubSpot's guides create records with `{"properties": ...}` alone.
* `PublicObjectSearchRequest` lists all of its fields as required; HubSpot's search guide makes a
  basic search with an empty object, and writes `sorts` as `{"propertyName", "direction"}` objects
  where the OpenAPI types them as strings (`"-createdate"`): both forms are taken.

And one way stricter: a request object holding a field its schema does not list is refused (HubSpot
refuses it, "Invalid input JSON ... Unrecognized field"); the OpenAPI leaves those objects open.
"""
from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from apis.description import HERE as DESCRIPTIONS

from .hubspot_objects import OBJECTS, invalid

EXTRACTS = (DESCRIPTIONS / "hubspot" / "openapi.json", Path(__file__).parents[1] / "apis" / "hubspot" / "openapi.json")
_SORT = {"type": "object", "required": ["propertyName"], "additionalProperties": False,
         "properties": {"propertyName": {"type": "string"},
                        "direction": {"type": "string", "enum": ["ASCENDING", "DESCENDING"]}}}


@cache
def document() -> dict:
    """The extract, read once; a clear error when `vendor-extract` has not made it."""
    for path in EXTRACTS:
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"HubSpot's OpenAPI extract is missing (looked in {', '.join(map(str, EXTRACTS))}); "
                            "make it with `python -m sync.apis.extract sync/apis/hubspot/recipe.toml`")


@cache
def _request_components() -> dict:
    components = copy.deepcopy(document()["components"])
    for schema in components["schemas"].values():
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
    schemas = components["schemas"]
    schemas["SimplePublicObjectInputForCreate"]["required"] = ["properties"]
    schemas["PublicObjectSearchRequest"]["required"] = []
    schemas["PublicObjectSearchRequest"]["properties"]["sorts"]["items"] = {"oneOf": [{"type": "string"}, _SORT]}
    return components


@cache
def _templates() -> list[tuple[re.Pattern, str]]:
    """Every path of the extract as a pattern, the most literal first (`/search` before `/{contactId}`)."""
    paths = sorted(document()["paths"], key=lambda p: (p.count("{"), p))
    return [(re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(p)) + "$"), p) for p in paths]


def _spellings(path: str) -> list[str]:
    """`path` as the extract may spell it: deals by type id (`0-3`), labels at `/crm/associations/v4`."""
    path = path.rstrip("/") or "/"
    spelled = [path, path.replace("/crm/v4/associations/", "/crm/associations/v4/", 1)]
    parts = path.split("/")
    if path.startswith("/crm/v3/objects/") and parts[4] in OBJECTS:
        spelled.append("/".join([*parts[:4], OBJECTS[parts[4]].type_id, *parts[5:]]))
    return spelled


def operation(method: str, path: str) -> tuple[str, dict] | None:
    """(path template, operation) of the extract answering `method path`, or None."""
    for spelled in _spellings(path):
        for pattern, template in _templates():
            op = document()["paths"][template].get(method.lower())
            if op is not None and pattern.match(spelled):
                return template, op
    return None


@cache
def _validator(method: str, template: str, status: str | None) -> OAS30Validator | None:
    op = document()["paths"][template][method.lower()]
    if status is None:
        schema = ((op.get("requestBody") or {}).get("content") or {}).get("application/json", {}).get("schema")
        components = _request_components()
    else:
        content = (op["responses"].get(status) or {}).get("content") or {}
        schema = next(iter(content.values()), {}).get("schema")
        components = document()["components"]
    if schema is None:
        return None
    return OAS30Validator({**schema, "components": components}, format_checker=oas30_format_checker)


def request_problem(method: str, path: str, body: Any) -> tuple[str, str] | None:
    """(dotted location, message) of why HubSpot would refuse `body` as the request body of
    `method path` (the first problem), or None."""
    found = operation(method, path)
    validator = _validator(method, found[0], None) if found else None
    if validator is None:
        return None
    error = best_match(validator.iter_errors(body))
    if error is None:
        return None
    return ".".join(map(str, error.absolute_path)), error.message


def check_request(method: str, path: str, body: Any) -> None:
    """Refuses (400 VALIDATION_ERROR, naming where) a body HubSpot's schema for `method path` does not take."""
    problem = request_problem(method, path, body)
    if problem:
        where, message = problem
        raise invalid(f"Invalid input JSON: {where + ': ' if where else ''}{message}",
                      errors=[{"message": message, **({"in": where} if where else {})}])


def response_problems(method: str, path: str, status: int, body: Any) -> list[str]:
    """Where an answer departs from the response schema HubSpot's OpenAPI gives for `status` (the tests' check)."""
    found = operation(method, path)
    if found is None:
        return [f"HubSpot's OpenAPI has no {method} {path}"]
    declared = str(status) if str(status) in found[1]["responses"] else "default"
    validator = _validator(method, found[0], declared)
    if validator is None:
        return [] if body in (None, b"", "") else [f"{method} {path} {status} answers no body, got {body!r}"]
    return sorted(f"{'.'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
                  for e in validator.iter_errors(body))
