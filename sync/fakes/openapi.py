"""A vendor's own OpenAPI (the product's extract of it) as the judge of what its fake takes and gives.

Each operation's request and response schema is compiled once per process into an
`OAS30Validator` (nullable, int32, uuid and date-time as OpenAPI 3.0 means them); nothing else of
an OpenAPI engine runs per request. A vendor whose published behaviour is looser (or stricter) than
its OpenAPI files says so in the `Judge` it makes: `mend` rewrites the request components,
`spellings` gives the forms a path may take in the extract.
"""
from __future__ import annotations

import copy
import json
import re
from functools import cache, cached_property, lru_cache
from typing import Any, Callable, Iterable

from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from apis.description import HERE as DESCRIPTIONS


@cache
def judge_of(vendor: str, extract: str = "openapi.json") -> "Judge":
    """The one judge of a vendor's extract in this process (compiling its validators is the expensive part)."""
    return Judge(vendor, extract=extract, closed=True)


class Judge:
    """The request and response schemas of one vendor's extract, compiled on first use."""

    def __init__(self, vendor: str, *, extract: str = "openapi.json", closed: bool = False,
                 mend: Callable[[dict], None] | None = None,
                 spellings: Callable[[str], Iterable[str]] | None = None):
        self.vendor = vendor
        self.path = DESCRIPTIONS / vendor / extract
        self._closed = closed  # a request object holding a field its schema does not list is refused
        self._mend = mend
        self._spellings = spellings or (lambda path: (path,))
        self._validators: dict[tuple[str, str, str | None], OAS30Validator | None] = {}

    @cached_property
    def document(self) -> dict:
        if not self.path.exists():
            raise FileNotFoundError(f"{self.vendor}'s OpenAPI extract is missing: make it with "
                                    f"`vendor-extract apis/{self.vendor}/recipe.toml`")
        return json.loads(self.path.read_text(encoding="utf-8"))

    @cached_property
    def _request_components(self) -> dict:
        components = copy.deepcopy(self.document.get("components", {}))
        if self._closed:
            for schema in components.get("schemas", {}).values():
                if "properties" in schema and "additionalProperties" not in schema:
                    schema["additionalProperties"] = False
        if self._mend:
            self._mend(components)
        return components

    @cached_property
    def _templates(self) -> list[tuple[re.Pattern, str]]:
        """Every path of the extract as a pattern, the most literal first (`/search` before `/{id}`)."""
        paths = sorted(self.document["paths"], key=lambda p: (p.count("{"), p))
        return [(re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(p)) + "$"), p) for p in paths]

    def operation(self, method: str, path: str) -> tuple[str, dict] | None:
        """(path template, operation) of the extract answering `method path`, or None."""
        for spelled in self._spellings(path.rstrip("/") or "/"):
            for pattern, template in self._templates:
                op = self.document["paths"][template].get(method.lower())
                if op is not None and pattern.match(spelled):
                    return template, op
        return None

    def _validator(self, method: str, template: str, status: str | None) -> OAS30Validator | None:
        key = (method, template, status)
        if key not in self._validators:
            op = self.document["paths"][template][method.lower()]
            if status is None:
                content = (op.get("requestBody") or {}).get("content") or {}
                components = self._request_components
            else:
                content = (op["responses"].get(status) or {}).get("content") or {}
                components = self.document.get("components", {})
            # A request's JSON body; a response's first media type (errors are often `*/*`).
            chosen = next((c for t, c in content.items() if "json" in t), None) if status is None else \
                next(iter(content.values()), None)
            schema = (chosen or {}).get("schema")
            self._validators[key] = None if schema is None else OAS30Validator(
                {**schema, "components": components}, format_checker=oas30_format_checker)
        return self._validators[key]

    def request_problem(self, method: str, path: str, body: Any) -> tuple[str, str] | None:
        """(dotted location, message) of why the vendor would refuse `body` for `method path`, or None."""
        found = self.operation(method, path)
        validator = self._validator(method, found[0], None) if found else None
        if validator is None:
            return None
        error = best_match(validator.iter_errors(body))
        if error is None:
            return None
        return ".".join(map(str, error.absolute_path)), error.message

    @lru_cache(maxsize=256)  # noqa: B019 - one judge per vendor lives as long as the process
    def held_fields(self, path: str) -> frozenset[str] | None:
        """The top-level fields a record answered by `GET path` can hold, where the vendor's answer schema is
        closed (`additionalProperties: false`); None where it is open or unknown. A create body field outside
        them is a create-time choice (PowerOffice's `SubLedgerNumberSeriesId`) the vendor consumes, not keeps."""
        found = self.operation("GET", path)
        content = ((found[1]["responses"].get("200") or {}).get("content") or {}) if found else {}
        schema = (next(iter(content.values()), None) or {}).get("schema") or {}
        while "$ref" in schema:
            schema = self.document.get("components", {}).get("schemas", {}).get(schema["$ref"].rsplit("/", 1)[-1], {})
        if schema.get("additionalProperties") is not False or "properties" not in schema:
            return None
        return frozenset(schema["properties"])

    def response_problems(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """Where an answer departs from the response schema the vendor gives for `status` (the tests' check)."""
        found = self.operation(method, path)
        if found is None:
            return [f"{self.vendor}'s OpenAPI has no {method} {path}"]
        declared = str(status) if str(status) in found[1]["responses"] else "default"
        validator = self._validator(method, found[0], declared)
        if validator is None:
            return [] if body in (None, b"", "") else [f"{method} {path} {status} answers no body, got {body!r}"]
        return sorted(f"{'.'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
                      for e in validator.iter_errors(body))
