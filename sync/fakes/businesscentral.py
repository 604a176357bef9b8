"""Business Central (API v2.0): the JSON fake as `apis/businesscentral/api.toml` says, plus what data cannot say.

* Ids are GUIDs, as every v2.0 entity's `id` is (`customers(5d115c9c-44e3-ea11-bb43-000d3a2feca1)`).
* A page's next link is one key, `@odata.nextLink`, beside `value` (not `{"@odata": {"nextLink": ...}}`).
* A PATCH without If-Match is refused as Business Central refuses it: 400, `BadRequest_InvalidToken`, "Could not
  validate the client concurrency token required by the service" (webservices/dynamics-error-codes.md);
  `If-Match: *` matches any version ("either with a retrieved ETag or with '*'": use-odata-to-modify-data.md).
* A write holding a field the API computes (read-only in the extract, or by the description's `read_only`) is
  refused: 400, `BadRequest_InvalidOperation`, "Control '...' is read-only" (webservices/dynamics-error-codes.md).
* Error codes are Business Central's where its table of OData error codes names them.
"""
from __future__ import annotations

import uuid
from typing import Any

from apis.fields import fields_of

from .base import Reply, Route
from .jsonrest import FakeJsonRest

MISSING_TOKEN = ("Could not validate the client concurrency token required by the service. "
                 "Please provide a valid token in the client request.")
CODES = {  # the JSON fake's codes -> Business Central's (webservices/dynamics-error-codes.md)
    "stale": "Request_EntityChanged",
    "validation_error": "BadRequest",
    "bad_request": "BadRequest",
    "method_not_allowed": "BadRequest_MethodNotAllowed",
}


def guid(number: int) -> str:
    """The `number`th id this fake assigns, as a GUID."""
    return str(uuid.UUID(int=number))


class FakeBusinessCentral(FakeJsonRest):
    """Business Central's standard APIs in one company's scope: GUID keys, OData next links, If-Match required."""

    id_form = staticmethod(guid)

    def error(self, status: int, code: str, message: str) -> Reply:
        return super().error(status, CODES.get(code, code), message)

    def _list(self, route: Route, params: dict) -> Reply:
        status, headers, body = super()._list(route, params)
        token = self.api.paging.token
        head, _, rest = token.partition(".")
        if isinstance(body, dict) and isinstance(body.get(head), dict):  # the link as one key, as OData writes it
            link = body.pop(head).get(rest)
            if link is not None:
                body[token] = link
        return status, headers, body

    def _refused(self, method: str, route: Route, body: Any, current: dict | None = None,
                 rid: str = "") -> tuple[Any, Reply | None]:
        fields = fields_of(self.api, self.described(route.entity)) if isinstance(body, dict) else None
        for name in body if fields is not None else ():
            found = fields.find(name)
            if found is not None and not found.writable:
                return None, self.error(400, "BadRequest_InvalidOperation", f"Control '{name}' is read-only")
        return super()._refused(method, route, body, current, rid)

    def _stale(self, entity: str, current: dict, body: Any, headers: Any) -> Reply | None:
        given = headers.get("If-Match")
        if given is None:
            return self.error(400, "BadRequest_InvalidToken", MISSING_TOKEN)
        if given.strip() == "*":
            return None
        return super()._stale(entity, current, body, headers)


FAKE = FakeBusinessCentral
