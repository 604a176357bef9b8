"""HubSpot's own OpenAPI (the product's extract of it) as the judge of what its fake takes and gives.

The extract (`apis/hubspot/openapi.json`) holds HubSpot's operations and component schemas, compiled
once per process by `openapi.Judge`.

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

from typing import Any

from .hubspot_objects import OBJECTS, invalid
from .openapi import Judge

_SORT = {"type": "object", "required": ["propertyName"], "additionalProperties": False,
         "properties": {"propertyName": {"type": "string"},
                        "direction": {"type": "string", "enum": ["ASCENDING", "DESCENDING"]}}}


def _mend(components: dict) -> None:
    schemas = components["schemas"]
    schemas["SimplePublicObjectInputForCreate"]["required"] = ["properties"]
    schemas["PublicObjectSearchRequest"]["required"] = []
    schemas["PublicObjectSearchRequest"]["properties"]["sorts"]["items"] = {"oneOf": [{"type": "string"}, _SORT]}


def _spellings(path: str) -> list[str]:
    """`path` as the extract may spell it: deals by type id (`0-3`), labels at `/crm/associations/v4`."""
    spelled = [path, path.replace("/crm/v4/associations/", "/crm/associations/v4/", 1)]
    parts = path.split("/")
    if path.startswith("/crm/v3/objects/") and parts[4] in OBJECTS:
        spelled.append("/".join([*parts[:4], OBJECTS[parts[4]].type_id, *parts[5:]]))
    return spelled


JUDGE = Judge("hubspot", closed=True, mend=_mend, spellings=_spellings)
response_problems = JUDGE.response_problems


def check_request(method: str, path: str, body: Any) -> None:
    """Refuses (400 VALIDATION_ERROR, naming where) a body HubSpot's schema for `method path` does not take."""
    problem = JUDGE.request_problem(method, path, body)
    if problem:
        where, message = problem
        raise invalid(f"Invalid input JSON: {where + ': ' if where else ''}{message}",
                      errors=[{"message": message, **({"in": where} if where else {})}])
