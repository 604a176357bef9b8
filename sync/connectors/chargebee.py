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
* A customer's billing info cannot be changed by "update a customer": it goes through
  `POST /customers/{id}/update_billing_info`, which *replaces* it (billing-address fields and
  `vat_number` not sent are cleared), so the connector sends the whole billing info, merged
  from the record it read, never just the changed field. `meta_data`/`metadata` are one
  JSON-valued form field, likewise replaced whole and so merged before sending.
* Errors are `{"message", "type", "api_error_code", "param", "http_status_code"}`
  (`resource_not_found` 404, `param_wrong_value`/`duplicate_entry` 400, 409
  `invalid_state_for_request` (a state the operation does not allow: no stale record),
  `api_request_limit_exceeded` 429).
* Idempotency: the `chargebee-idempotency-key` header on POST.
* Optimistic locking: records carry `resource_version`/`updated_at`, but we know of no
  documented conditional update, so an update first re-reads the record and compares.

Resources, their paths, parameters and what the public API lacks come from `chargebee_wire`,
which the fake reads too. An Address (read and upserted by subscription and label, never
listed) and a Business_entity (no create, list, retrieve or update) cannot be synchronized:
`unsupported` says why, and the checks report those items as not verifiable.
"""
from __future__ import annotations

import uuid
from typing import Any

import requests

from ..errors import ApiError
from ..names import plural, snake
from ..paths import deep_merge
from . import chargebee_wire, formcodec
from .base import AnswerRefused, Endpoint, RestConnector


class ChargebeeConnector(RestConnector):
    """Chargebee API v2 as `apis/chargebee/api.toml` describes it, with its resources from `chargebee_wire`."""

    def endpoint(self, entity: str) -> Endpoint:
        key = snake(entity, fallback="record")
        described = chargebee_wire.resource(key)
        if described is not None:
            return Endpoint(entity, self._paths.get(entity) or described.path, key, described.list_path)
        return Endpoint(entity, self._paths.get(entity) or "/" + plural(key), key)

    def unsupported(self, entity: str, operation: str, fields: tuple[str, ...] = ()) -> str | None:
        return chargebee_wire.lacking(snake(entity, fallback="record"), operation, fields)

    def allowed_values(self, entity: str, path: str) -> tuple[str, ...] | None:
        return chargebee_wire.allowed_values(snake(entity, fallback="record"), path)

    def prepare_create(self, endpoint: Endpoint, body: dict, idempotency_key: str | None) -> dict:
        described = chargebee_wire.resource(endpoint.object_key)
        if described and "id" in described.required_on_create() and not body.get("id"):
            # Chargebee wants the client to name items and item families; the key is stable across retries.
            return {**body, "id": idempotency_key or uuid.uuid4().hex}
        return body

    def list_params(self, endpoint: Endpoint, since: Any, token: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": self.api.paging.max_size, "sort_by[asc]": "updated_at"}
        if since is not None:
            params["updated_at[after]"] = int(since)
        if token is not None:
            params["offset"] = token
        return params

    def parse_page(self, endpoint: Endpoint, body: Any) -> list[dict]:
        entries = body.get("list") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise AnswerRefused(self._where(endpoint.entity), "the list answer holds no 'list' of entries")
        entries = self.objects(endpoint.entity, entries)
        return self.objects(endpoint.entity, [entry[endpoint.object_key] for entry in entries
                                              if endpoint.object_key in entry])

    def parse_record(self, endpoint: Endpoint, body: Any) -> dict:
        if not isinstance(body, dict) or not isinstance(body.get(endpoint.object_key), dict):
            raise AnswerRefused(self._where(endpoint.entity), f"the answer has no {endpoint.object_key!r} object")
        record = body[endpoint.object_key]
        self.record_id(record)  # an id that is no id is refused before anything is kept
        return record

    def encode_write(self, endpoint: Endpoint, body: dict) -> dict[str, Any]:
        return {"data": formcodec.encode(body, json_fields=_json_fields(endpoint))}

    def write_routes(self, endpoint: Endpoint, rid: str, changes: dict, record: dict) -> list[tuple[str, str, dict]]:
        described = chargebee_wire.resource(endpoint.object_key)
        billing_keys = described.billing_info if described else {}
        changes = {k: _whole(v, record.get(k)) if k in _json_fields(endpoint) else v for k, v in changes.items()}
        billing = {k: v for k, v in changes.items() if k in billing_keys}
        rest = {k: v for k, v in changes.items() if k not in billing_keys}
        item = self.item_path(endpoint, rid)  # the id percent-encoded: an id is never a path of its own
        routes = [("POST", item, rest)] if rest else []
        if billing:
            routes.append(("POST", f"{item}/update_billing_info",
                           _billing_info(billing_keys, record, billing)))
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
        # A 409 is a state the operation does not allow (`invalid_state_for_request`), not a stale read:
        # Chargebee has no conditional write, so staleness is found by re-reading (`update_record`).
        return ApiError(response.status_code, str(message), code, retriable=response.status_code in (429, 500, 503))


def _json_fields(endpoint: Endpoint) -> frozenset[str]:
    described = chargebee_wire.resource(endpoint.object_key)
    if described is None:
        return frozenset()
    return frozenset(name for params in (described.create, described.update)
                     for name, param in params.items() if param.type == "json")


def _whole(changed: Any, held: Any) -> Any:
    """A JSON-valued field is replaced whole: the changed keys merged into what the record holds."""
    return deep_merge(held, changed) if isinstance(changed, dict) and isinstance(held, dict) else changed


def _billing_info(params: dict, record: dict, changes: dict) -> dict:
    """The whole billing info `update_billing_info` replaces: what the record holds, with `changes` merged in."""
    held: dict[str, Any] = {}
    for name, param in params.items():
        value = record.get(name)
        if value in (None, "", {}):
            continue
        if param.type == "object" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k in param.fields and v not in (None, "")}
        held[name] = value
    return deep_merge(held, changes)


CONNECTOR = ChargebeeConnector  # found by `quirks = "chargebee"` in a description
