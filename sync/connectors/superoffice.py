"""SuperOffice's quirks, beside what `apis/superoffice/api.toml` says as data.

* A list is an OData feed of archive rows (`{"odata.nextLink", "value": [{PrimaryKey, EntityName, <columns>}]}`),
  not of entities: the rows hold the archive's own columns (`personId`, `personUpdatedDate`), never the entity's
  fields a document maps (`Firstname`, `Emails[].Value`). So a list takes the ids (`PrimaryKey`) and change
  times from the rows, then reads each record by id (`GET /api/v1/Person/{id}`), as Sesam's connector does
  (its personlist pipe lists, its person pipe looks each up). Those reads are gets, as the API received them.
* The next page's URL is under the key `odata.nextLink` (a dot inside one key). Where a full page comes back
  without one, the next is asked for with `$skip`, as Sesam's connector pages, until a short or empty page.
* The cursor is the newest change time the rows held (the archive's column: `updatedDate`, `personUpdatedDate`,
  `lastChanged`, the first word of the description's `$filter` template): a product or price list has a
  change time in its archive though its entity holds none.
* A write holds each field in the shape SuperOffice's schema gives it: a value written through a list path
  (`Emails.Value`) on a record without that list makes a list of one object (`[{"Value": ...}]`), not an object.
  The engine cannot tell such a record from the body it built, so after a create whose answer was lost, the
  next listing looks here for a new record holding the body as sent, and the create sent again answers it.
* An update PUTs the whole entity (SuperOffice: "HTTP PUT replaces the entire entity"): the record as read with
  the changes applied, without what only an answer holds (`_Links`).
* `If-Unmodified-Since` is sent, and a 412 read as a stale write, only where SuperOffice's Swagger files give
  the entity's PUT a 412 answer (Contact, Person, Sale, Project, Appointment, Document); other updates read
  the record again first and compare.
"""
from __future__ import annotations

import json
from functools import cache
from typing import Any

import requests

from apis.description import HERE

from ..errors import ApiError, CreateOutcomeUnknown, ListFailed
from ..paths import contains, get_path
from .base import AnswerRefused, Endpoint, RestConnector, describe_failure, kind_of, plain_id, shown, timestamp
from .paging import PagingLoop, bounded_pages

PRIMARY_KEY = "PrimaryKey"  # every archive row's id (reference page v1PersonEntity_GetAll.md, sample response)


class SuperOfficeConnector(RestConnector):
    """SuperOffice REST WebAPI v1: archive rows listed, entities read by id, whole entities PUT."""

    def __init__(self, *args: Any, **kwargs: Any):
        entity = kwargs.get("entity")
        super().__init__(*args, **kwargs)
        self._known: set[str] = set()  # every id listed or made: a lost create's record is none of them
        self._pending: dict[str, dict] = {}  # entity -> the body (as sent) of a create whose outcome is unknown
        self._found: dict[str, dict] = {}  # entity -> the record that create made, found by a listing since
        if entity:
            self.conditional_writes = self.conditional_writes and _answers_412(self.api.key, self.api.extract,
                                                                               self._item_template(entity))

    # listing: archive rows, then each record by id
    def list_records(self, entity: str, since: Any = None) -> tuple[list[dict], Any]:
        endpoint = self.endpoint(entity)
        column = self._stamp_column(entity)
        ids: list[str] = []
        stamps: list[Any] = []
        try:
            for row in self._rows(endpoint, since):
                key = row.get(PRIMARY_KEY)
                if key in (None, ""):
                    continue
                if not plain_id(key):
                    raise AnswerRefused(self._where(entity), f"an archive row's {PRIMARY_KEY} is {kind_of(key)} "
                                                             f"({shown(key)}), not a plain value")
                ids.append(str(key))
                if column and row.get(column) not in (None, ""):
                    stamps.append((str(key), row[column]))
            records = [record for rid in dict.fromkeys(ids) if (record := self._read_listed(endpoint, rid))]
        except (ApiError, PagingLoop, requests.RequestException) as exc:
            raise ListFailed(f"listing {self.system} {entity} failed: {describe_failure(exc)}") from None
        cursor = self.newest(entity, stamps, since)
        pending = self._pending.get(entity)
        made = next((record for record in records if pending is not None and
                     self.record_id(record) not in self._known and contains(record, pending)), None)
        if made is not None:
            self._found[entity] = made
        self._known.update(ids)
        return records, cursor

    def _rows(self, endpoint: Endpoint, since: Any) -> list[dict]:
        paging = self.api.paging
        path, params = endpoint.listing, self.list_params(endpoint, since, None)
        rows: list[dict] = []
        links: set[str] = set()
        for _ in bounded_pages():
            body = self._send("list", "GET", path, params=params)
            page = self.parse_page(endpoint, body)
            rows.extend(page)
            link = body.get(paging.token) if isinstance(body, dict) else None
            if link:
                if not isinstance(link, str):
                    raise PagingLoop(f"the next page's link at {paging.token!r} is {kind_of(link)}, not a link")
                if link in links:
                    raise PagingLoop(f"next link {link!r} came back twice")
                links.add(link)
                path, params = self._next_link(str(link))
            elif not links and page and len(page) >= int(params.get(paging.size_param, paging.max_size)):
                # A full page, and this feed gives no links: the next one by `$skip`, as Sesam's connector pages.
                path, params = endpoint.listing, {**self.list_params(endpoint, since, None), paging.param: len(rows)}
            else:
                return rows
        return rows  # not reached: bounded_pages raises past its last page

    def _read_listed(self, endpoint: Endpoint, rid: str) -> dict | None:
        """The record a row named, or None when it went away between the list and the read."""
        try:
            return self.parse_record(endpoint, self._send("get", "GET", self.item_path(endpoint, rid)))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def _stamp_column(self, entity: str) -> str:
        """The archive column holding a row's change time: the one the changed-since filter names."""
        incremental = self.api.incremental_of(self.api.entity(entity))
        if not incremental.param:
            return ""
        return incremental.param_value.partition("{since}")[0].strip(" (").split(" ")[0]

    # writing: the whole entity, shaped as SuperOffice's schema says, conditional where SuperOffice says so
    def prepare_create(self, endpoint: Endpoint, body: dict, idempotency_key: str | None) -> dict:
        return self._shaped(endpoint, body)

    def create_record(self, entity: str, body: dict, idempotency_key: str | None = None) -> dict:
        sent = self._shaped(self.endpoint(entity), body)
        found, pending = self._found.pop(entity, None), self._pending.pop(entity, None)
        if found is not None and pending == sent:
            made = found  # sent again after a lost answer: the record the first one made, listed since
        else:
            try:
                made = super().create_record(entity, body, idempotency_key)
            except CreateOutcomeUnknown:
                if sent != body:  # the engine cannot tell the record by its body: the next listing looks here
                    self._pending[entity] = sent
                raise
        self._known.add(self.record_id(made))
        return made

    def write_routes(self, endpoint: Endpoint, rid: str, changes: dict, record: dict) -> list[tuple[str, str, dict]]:
        held = _input_fields(self.api.key, self.api.extract, self.api.entity(endpoint.entity).input_schema)
        whole = {key: value for key, value in {**record, **changes}.items() if held is None or key in held}
        return [(self.api.writes.update_method, self.item_path(endpoint, rid), self._shaped(endpoint, whole))]

    def _shaped(self, endpoint: Endpoint, body: dict) -> dict:
        """`body` with an object standing where the schema holds a list of them made that list of one."""
        schema = self.api.entity(endpoint.entity).input_schema
        document = _extract(self.api.key, self.api.extract)
        return _shape(document, {"$ref": f"#/components/schemas/{schema}"}, body) if schema and document else body

    def _conditional(self, seen: dict, headers: dict[str, str], body: dict) -> dict:
        return super()._conditional(seen, headers, body) if self.conditional_writes else body

    def updated_at(self, record: dict) -> float | None:
        value = get_path(record, self.updated_at_field) if self.updated_at_field else None
        if isinstance(value, str) and value and value[-1].isdigit() and "+" not in value[10:] \
                and "-" not in value[10:]:
            value += "Z"  # SuperOffice's dates are UTC; one without an offset is not the local time
        return timestamp(value)

    def _item_template(self, entity: str) -> str:
        return self.api.entity(entity).path + "/{id}"


@cache
def _extract(key: str, name: str) -> dict:
    return json.loads((HERE / key / name).read_text(encoding="utf-8")) if name and (HERE / key / name).exists() else {}


@cache
def _answers_412(key: str, extract: str, template: str) -> bool:
    """Whether SuperOffice's Swagger files give this entity's PUT a 412 (If-Unmodified-Since) answer."""
    collection = template.rpartition("/")[0]
    return any("412" in (ops.get("put") or {}).get("responses", {})
               for path, ops in _extract(key, extract).get("paths", {}).items()
               if path.rpartition("/")[0] == collection and path.endswith("}"))


@cache
def _input_fields(key: str, extract: str, schema: str) -> frozenset[str] | None:
    """The top-level fields of the entity a write takes (`PersonEntity`), None where the extract has no schema."""
    found = _extract(key, extract).get("components", {}).get("schemas", {}).get(schema)
    return frozenset(found.get("properties", {})) if found else None


def _shape(document: dict, schema: dict, value: Any, depth: int = 0) -> Any:
    while "$ref" in schema:
        schema = document.get("components", {}).get("schemas", {}).get(schema["$ref"].rsplit("/", 1)[-1], {})
    if depth > 8 or not isinstance(schema, dict):
        return value
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else None
        return value if items is None else [_shape(document, schema["items"], item, depth + 1) for item in items]
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        fields = schema["properties"]
        return {key: _shape(document, fields[key], item, depth + 1) if key in fields else item
                for key, item in value.items()}
    return value


CONNECTOR = SuperOfficeConnector  # found by `quirks = "superoffice"` in a description
