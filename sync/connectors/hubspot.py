"""HubSpot's quirks, beside what `apis/hubspot/api.toml` says as data.

* A list or get returns only the properties asked for (`properties=a,b`) and the associations
  asked for (`associations=deals`, in the v3 shape `{"associations": {"deals": {"results":
  [{"id", "type"}]}}}`): the connector asks for the properties and associations its mapping reads.
* Lists have no changed-since filter. Changes since the cursor are found with the search endpoint
  (`POST {collection}/search`, a filter on the object's last-modified property in epoch
  milliseconds, sorted ascending, paged with `after`). Search results carry no associations, so a
  mapping that reads associations lists the collection whole each pass.
* Every property value is a string, in a read and in a write: HubSpot's schema says so (`properties.*`),
  and the engine writes, and compares with what HubSpot holds, the text of each value (`field_type`).
"""
from __future__ import annotations

from typing import Any, Iterable

import requests

from ..errors import ApiError, ListFailed
from ..paths import get_path
from .base import Endpoint, RestConnector, describe_failure, sane_time, timestamp
from .paging import PagingLoop, bounded_pages

SEARCH_LIMIT = 100  # the search endpoint's page size at most


class HubSpotConnector(RestConnector):
    """HubSpot CRM v3 objects: string properties, `properties=` selection, search for changes."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._properties: list[str] = []
        self._associations: list[str] = []

    def wants(self, paths: Iterable[str]) -> None:
        for path in paths:
            head, _, rest = path.partition(".")
            name = rest.split(".")[0]
            if head == "properties" and name and name not in self._properties:
                self._properties.append(name)
            elif head == "associations" and name and name not in self._associations:
                self._associations.append(name)

    def _selection(self) -> dict[str, str]:
        params = {}
        if self._properties:
            params["properties"] = ",".join(self._properties)
        if self._associations:
            params["associations"] = ",".join(self._associations)
        return params

    def list_params(self, endpoint: Endpoint, since: Any, token: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": self.api.paging.max_size, **self._selection()}
        if token is not None:
            params["after"] = token
        return params

    def list_records(self, entity: str, since: Any = None) -> tuple[list[dict], Any]:
        incremental = self.api.incremental_of(self.api.entity(entity))
        if since is not None and not sane_time(timestamp(since)):
            since = None  # a cursor no later change could pass: read everything
        if since is None or self._associations or not incremental.search:
            return super().list_records(entity, None)
        return self._search(entity, since, incremental.search, incremental.search_property)

    def _search(self, entity: str, since: Any, suffix: str, prop: str) -> tuple[list[dict], Any]:
        endpoint = self.endpoint(entity)
        stamp = timestamp(since)
        if stamp is None:
            return super().list_records(entity, None)
        body: dict[str, Any] = {
            "filterGroups": [{"filters": [{"propertyName": prop, "operator": "GT",
                                           "value": str(int(stamp * 1000))}]}],
            "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
            "properties": self._properties, "limit": SEARCH_LIMIT,
        }
        records: list[dict] = []
        seen: set[str] = set()
        try:
            for _ in bounded_pages():
                page = self._send("list", "POST", endpoint.path + suffix, json=body)
                records.extend(self.checked(entity, self.parse_page(endpoint, page)))
                after = get_path(page, "paging.next.after") if isinstance(page, dict) else None
                if not after:
                    break
                if not isinstance(after, (str, int)) or isinstance(after, bool):
                    raise ApiError(200, "the search's next page token is not a plain value")
                if str(after) in seen:
                    raise ApiError(200, f"search page token {after!r} came back twice")
                seen.add(str(after))
                body = {**body, "after": str(after)}
        except (ApiError, PagingLoop, requests.RequestException) as exc:
            raise ListFailed(f"listing {self.system} {entity} failed: {describe_failure(exc)}") from None
        return records, self.newest(entity, ((self.record_id(r), self._stamp_of(r)) for r in records), since)

    def get_record(self, entity: str, rid: str) -> dict:
        endpoint = self.endpoint(entity)
        return self.parse_record(endpoint, self._send("get", "GET", self.item_path(endpoint, rid),
                                                      params=self._selection() or None))

    def prepare_create(self, endpoint: Endpoint, body: dict, idempotency_key: str | None) -> dict:
        """A create always carries `properties` (HubSpot's schema requires it), empty for a section with no rows."""
        return {"properties": {}, **body}

    def write_routes(self, endpoint: Endpoint, rid: str, changes: dict, record: dict) -> list[tuple[str, str, dict]]:
        """One PATCH of the properties that changed: HubSpot merges them property by property, and refuses
        those it computes itself, which a write of the whole `properties` object as read would send back."""
        held = record.get("properties") or {}
        properties = {name: value for name, value in (changes.get("properties") or {}).items()
                      if held.get(name) != value}
        rest = {key: value for key, value in changes.items() if key != "properties"}
        body = {**rest, "properties": properties} if properties else rest
        return [("PATCH", self.item_path(endpoint, rid), body)] if body else []


CONNECTOR = HubSpotConnector  # found by `quirks = "hubspot"` in a description
