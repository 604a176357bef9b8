"""HubSpot's standard CRM objects as its fake knows them, and the wire forms of their values.

Facts, with their sources (`docs/hubspot-client-notes.md` gathers them):

* Object type ids (`0-1` contacts ... `0-14` quotes): HubSpot's "Using object APIs" guide.
* Default properties (returned when a read names none) and the last-modified property (contacts
  `lastmodifieddate`, every other object `hs_lastmodifieddate`; quotes' create date is
  `hs_createdate`): the table of HubSpot's CRM search guide (developers.hubspot.com/docs/api/crm/search).
* `hs_object_id`, the create date and the last-modified date always come back, whatever was asked
  (HubSpot's maintainer in HubSpot/hubspot-api-python#357), and no write may set them (400 READ_ONLY_VALUE).
* v4 paths take an object by its plural name, its type id, or (contacts, companies, deals, tickets)
  its singular name (HubSpot's association-details guide); the fake accepts all three for every object.
"""
from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True, slots=True)
class CrmObject:
    """One standard object: its names, its type id, and the properties a read returns unasked."""

    name: str  # as paths spell it: `line_items`
    singular: str  # as v3 association types spell it: `line_item`
    type_id: str
    defaults: tuple[str, ...]
    created: str = "createdate"
    modified: str = "hs_lastmodifieddate"

    @property
    def always(self) -> tuple[str, ...]:
        """The properties every read returns: the id, the create date and the last-modified date."""
        return ("hs_object_id", self.created, self.modified)


OBJECTS = {o.name: o for o in (
    CrmObject("contacts", "contact", "0-1", ("email", "firstname", "lastname"), modified="lastmodifieddate"),
    CrmObject("companies", "company", "0-2", ("domain", "name")),
    CrmObject("deals", "deal", "0-3", ("amount", "closedate", "dealname", "dealstage", "pipeline")),
    CrmObject("tickets", "ticket", "0-5", ("content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category",
                                           "hs_ticket_priority", "subject")),
    CrmObject("products", "product", "0-7", ("description", "name", "price")),
    CrmObject("line_items", "line_item", "0-8", ("amount", "price", "quantity")),
    CrmObject("quotes", "quote", "0-14", ("hs_expiration_date", "hs_public_url_key", "hs_status", "hs_title"),
              created="hs_createdate"),
)}
OWNERS_PATH = "/crm/v3/owners"
OBJECTS_PATH = "/crm/v3/objects/"
READ_ONLY = frozenset({"hs_object_id", "createdate", "hs_createdate", "lastmodifieddate", "hs_lastmodifieddate"})
DATE_TIMES = frozenset({"createdate", "hs_createdate", "lastmodifieddate", "hs_lastmodifieddate", "closedate"})
_CORRELATIONS = itertools.count(1)
_FAKE_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # uuid.NAMESPACE_URL
_SPELLINGS = {spelling: o for o in OBJECTS.values()
              for spelling in (o.name, o.singular, o.type_id, o.name.replace("_", ""), o.singular.replace("_", ""))}


def crm_object(spelling: str) -> CrmObject | None:
    """The standard object a path or an association key names (`contacts`, `contact`, `0-1`, `lineitems`)."""
    return _SPELLINGS.get(spelling.lower())


def object_at(path: str) -> CrmObject | None:
    """The standard object whose collection is at `path` (`/crm/v3/objects/contacts`)."""
    return crm_object(path[len(OBJECTS_PATH):]) if path.startswith(OBJECTS_PATH) else None


def id_order(rid: str) -> tuple[int, int, str]:
    """A record id's place in HubSpot's order: numbers by value, then anything else (ids given by hand)."""
    return (0, int(rid), "") if rid.isdigit() else (1, 0, rid)


def wire_string(value: Any) -> str:
    """A value as HubSpot holds a property: text, as a user typing into HubSpot makes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return ";".join(map(wire_string, value))  # a multiple checkbox: values separated by `;`
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def iso(stamp: int) -> str:
    """A logical-clock stamp (Unix seconds) as HubSpot writes its times: ISO-8601, milliseconds, `Z`."""
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch_ms(text: Any) -> int | None:
    """A time as epoch milliseconds, from the digits a search filter sends or the ISO text a record holds."""
    text = str(text).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def error(status: int, category: str, message: str, **extra: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
    """HubSpot's error answer: `{status: "error", message, correlationId, category}` and what else it adds
    (`context`, `errors`, ...), as in HubSpot's "API error responses" page and its OpenAPI `Error`."""
    correlation = uuid.uuid5(_FAKE_NAMESPACE, f"hubspot-fake-{next(_CORRELATIONS)}")  # a uuid, reproducibly
    return status, {}, {"status": "error", "message": message, "correlationId": str(correlation),
                        "category": category, **extra}


class Refused(Exception):
    """A request HubSpot answers with an error; `reply` is that answer."""

    def __init__(self, status: int, category: str, message: str, **extra: Any):
        super().__init__(message)
        self.reply = error(status, category, message, **extra)


def invalid(message: str, **extra: Any) -> Refused:
    return Refused(400, "VALIDATION_ERROR", message, **extra)


def page_size(value: str | int | None, default: int, most: int) -> int:
    """A `limit` HubSpot takes: a whole number from 1 to `most` (`default` when none is sent)."""
    try:
        size = default if value is None else int(value)
    except ValueError:
        raise invalid(f"limit must be a whole number, got {value!r}") from None
    if not 1 <= size <= most:
        raise invalid(f"limit must be between 1 and {most}, got {size}")
    return size


def cursor(after: str | None) -> int | None:
    """The position an `after` this fake gave names (HubSpot's cursors are opaque text; these are digits)."""
    if after is not None and not str(after).isdigit():
        raise invalid(f"after must be a cursor this API gave, got {after!r}")
    return None if after is None else int(after)


def offset_page(items: list, after: str | None, limit: int) -> tuple[list, str | None]:
    """One page of `items` from the offset `after` names, and the `after` of the next page (None: the last)."""
    start = cursor(after) or 0
    more = start + limit < len(items)
    return items[start:start + limit], str(start + limit) if more else None


def names_in(value: str | list | None) -> list[str]:
    """The names of a list parameter (`a,b`, repeated, or a JSON array), in order, each once."""
    parts = value if isinstance(value, list) else (value or "").split(",")
    return list(dict.fromkeys(p.strip() for p in parts if isinstance(p, str) and p.strip()))


def archived_flag(value: str | None) -> bool:
    """`archived`, as the client sends it (Python's `False`) or as HubSpot writes it (`false`)."""
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise invalid(f"archived must be true or false, got {value!r}")


def hubspot_id(number: int) -> str:
    """HubSpot's ids are numeric strings ("51", "101"): never 1, 2, 3, so nothing may count on them."""
    return str(50 * number + 1)
