"""`/crm/v3/owners` in HubSpot's fake: the account's owners, read-only.

As HubSpot's OpenAPI (crmOwners.json: `PublicOwner`, `CollectionResponsePublicOwnerForwardPaging`) and
hubspot-api-client 12 have it: the list (the client asks `/crm/v3/owners/`) takes `limit` (default 100;
at most 500, a commonly quoted cap HubSpot's files do not state), `after`, `email` and `archived`; one
owner is read by its id, or by its user id with `idProperty=userId`. Owners are records
`{id, email, firstName, lastName, userId, userIdIncludingInactive, type, teams?, createdAt, updatedAt,
archived}`; any write is refused (405): HubSpot has no endpoint for it.
"""
from __future__ import annotations

from typing import Callable

from .base import Reply, UnexpectedRequest
from .hubspot_objects import Refused, archived_flag, invalid, offset_page, page_size

KEYS = frozenset({"id", "email", "firstName", "lastName", "userId", "userIdIncludingInactive", "type", "teams",
                  "createdAt", "updatedAt", "archived"})


def owners(held: list[dict], method: str, rest: list[str], params: dict, path: str,
           check_params: Callable[[dict, set[str], str], None]) -> Reply:
    """The answer to a request under `/crm/v3/owners`, from the owners `held`."""
    if method != "GET" or len(rest) > 1:
        raise UnexpectedRequest(f"HubSpot's owners are read-only: no {method} {path}", 405)
    archived = archived_flag(params.get("archived"))
    found = [owner for owner in held if owner.get("archived", False) == archived]
    if rest:
        check_params(params, {"idProperty", "archived"}, path)
        by = params.get("idProperty", "id")
        if by not in ("id", "userId") or not rest[0].isdigit():
            raise invalid(f"ownerId must be a whole number and idProperty id or userId, got {rest[0]!r}, {by!r}")
        owner = next((o for o in found if str(o.get(by)) == rest[0]), None)
        if owner is None:
            raise Refused(404, "OBJECT_NOT_FOUND", "resource not found", context={"id": [rest[0]]})
        return 200, {}, owner
    check_params(params, {"limit", "after", "email", "archived"}, path)
    if params.get("email"):
        found = [o for o in found if str(o.get("email", "")).casefold() == params["email"].casefold()]
    page, after = offset_page(found, params.get("after"), page_size(params.get("limit"), 100, 500))
    return 200, {}, {"results": page, **({"paging": {"next": {"after": after}}} if after else {})}


def stamped_owner(doc: dict) -> dict:
    """A new owner with what HubSpot fills in: a person, with a user id of its own."""
    number = int(doc["id"]) if str(doc["id"]).isdigit() else 0
    doc.setdefault("type", "PERSON")
    doc.setdefault("userId", 7_000_000 + number)  # an owner's user id is not its owner id
    doc.setdefault("userIdIncludingInactive", doc["userId"])
    return doc
