"""Chargebee, following its API v2 conventions.

* Base URL `https://{site}.chargebee.com/api/v2`; HTTP basic auth with the API key as the
  user name and an empty password.
* GET reads, POST writes (create `POST /customers`, update `POST /customers/{id}`), with
  form-encoded bodies (`formcodec`: `billing_address[city]`, `order_line_items[unit_price][0]`).
* Envelopes: one record is `{"customer": {...}}`; a list is
  `{"list": [{"customer": {...}}, ...], "next_offset": "..."}`, no `next_offset` on the last
  page; `limit` is at most 100. Incremental reads use `sort_by[asc]=updated_at` with
  `updated_at[after]=<Unix seconds>`; since that clock has one-second resolution we re-read
  the cursor's own second (echo detection drops what we already know).
* A customer's billing address cannot be changed by "update a customer": it goes through
  `POST /customers/{id}/update_billing_info`, so such an update is two requests.
* Errors are `{"message", "type", "api_error_code", "param", "http_status_code"}`
  (`resource_not_found` 404, `duplicate_entry` 400, `api_request_limit_exceeded` 429).
* Idempotency: the `chargebee-idempotency-key` header on POST.
* Optimistic locking: records carry `resource_version`/`updated_at`, but we know of no
  documented conditional update, so an update first re-reads the record and compares.

Chargebee has no public list/create endpoints for some resources the documents name
(`Business_entity`, `Address`, and anything unknown): we model them in the same conventions,
`/business_entities` with envelope key `business_entity`, `/addresses` with `address`
(snake_case singular key, plural path). The fake in `sync.fakes.chargebee` serves the same.
"""
from __future__ import annotations

from typing import Any

import requests

from ..errors import ApiError, StaleRecord
from ..names import plural, snake
from . import formcodec
from .base import Endpoint, RestConnector

# The one sub-resource write Chargebee insists on: billing address changes of a customer.
BILLING_INFO_FIELDS = {"customer": ("billing_address", "vat_number")}


class ChargebeeConnector(RestConnector):
    """Chargebee API v2 over requests, declared."""

    url_base = "https://{site}.chargebee.com/api/v2"
    records_location = "list"
    page_style = "offset"
    page_token_field = "next_offset"
    page_param = "offset"
    page_size = 100  # Chargebee's maximum `limit`
    since_param = "updated_at[after]"
    since_overlap = 1
    idempotency_header = "chargebee-idempotency-key"
    conditional_writes = False
    client_ids = True  # "id" is an optional create parameter of Chargebee's resources

    def endpoint(self, entity: str) -> Endpoint:
        key = snake(entity, fallback="record")
        return Endpoint(entity, self._paths.get(entity) or "/" + plural(key), key)

    def list_params(self, endpoint: Endpoint, since: Any, token: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": self.page_size, "sort_by[asc]": "updated_at"}
        if since is not None:
            params["updated_at[after]"] = int(since)
        if token is not None:
            params["offset"] = token
        return params

    def parse_page(self, endpoint: Endpoint, body: Any) -> list[dict]:
        entries = body.get("list") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise ApiError(200, "list response has no 'list'")
        return [entry[endpoint.object_key] for entry in entries if endpoint.object_key in entry]

    def parse_record(self, endpoint: Endpoint, body: Any) -> dict:
        if not isinstance(body, dict) or endpoint.object_key not in body:
            raise ApiError(200, f"response has no {endpoint.object_key!r} envelope")
        return body[endpoint.object_key]

    def encode_write(self, body: dict) -> dict[str, Any]:
        return {"data": formcodec.encode(body)}

    def write_routes(self, endpoint: Endpoint, rid: str, changes: dict) -> list[tuple[str, str, dict]]:
        billing_keys = BILLING_INFO_FIELDS.get(endpoint.object_key, ())
        billing = {k: v for k, v in changes.items() if k in billing_keys}
        rest = {k: v for k, v in changes.items() if k not in billing_keys}
        routes = [("POST", f"{endpoint.path}/{rid}", rest)] if rest else []
        if billing:
            routes.append(("POST", f"{endpoint.path}/{rid}/update_billing_info", billing))
        return routes

    def version(self, record: dict) -> str:
        return str(record.get("resource_version") or super().version(record))

    def error_of(self, response: requests.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = body.get("message") or response.reason or "error"
        code = body.get("api_error_code")
        error = StaleRecord if response.status_code == 409 else ApiError
        return error(response.status_code, str(message), code, retriable=response.status_code in (429, 500, 503))
