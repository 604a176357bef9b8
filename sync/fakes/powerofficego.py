"""PowerOffice Go API v2's quirks, beside what `apis/powerofficego/api.toml` says as data.

The JSON fake (`jsonrest`) serves the rest: bare-array lists paged by `PageNumber`/`PageSize` (a short
page ends them), `lastChangedDateTimeOffsetGreaterThan`, integer `Id`s, bearer auth, ProblemDetails
errors, creates judged by the extract's `<Entity>PostDto`. What this module adds, each from the
extract (`apis/powerofficego/openapi.json`) unless it says otherwise:

* An update is `PATCH /<Entity>/{id}` whose one request body is `application/json-patch+json`
  (`JsonPatchDocument`, a list of `Operation`). Any other body (`application/json`,
  `application/merge-patch+json`, no type) is refused with 415 before anything is applied, as ASP.NET
  Core refuses a media type an action does not consume. The operations are applied as ASP.NET Core's
  JsonPatch applies them to a DTO: every property of the entity's `<Entity>PostDto` exists (null until
  set), so `replace` of a property never set works, and a path the DTO lacks (`/Id`, a read-only
  field, a made-up one) is refused; what the patch changes is judged by that schema, then stored whole
  (a `remove` clears the field; nested objects are what the patch left, never merged).
* A create answers the success status its operation declares: 201, but `POST /Products` 200. Every
  POST in the extract also lists `application/json-patch+json` (and `text/json`, `application/*+json`)
  for the `PostDto` object, so a create in any of them is read as that object.
* A list with nothing to return (no records, a page past the end, no change since) answers 204 with an
  empty body: every list operation declares 204, "Given when there is no content to return (response
  body is empty)" in PowerOffice's text. 401, 403 and 429 have no body either, as the extract gives them;
  400, 404 and the rest are ProblemDetails, `{"title", "detail", "status"}` (see api.toml's [errors]).

Auth: the bearer token and, beside it on every request, the `Ocp-Apim-Subscription-Key` header (stianwe/
PowerOfficeGoV2 src/PowerOfficeGoV2/PowerOfficeGoApiService.cs; the extract declares no security scheme), as
api.toml's `[auth] headers` says; the JSON fake refuses a request without either with a 401, which (as the
extract gives every 401) has no body. The OAuth client-credentials exchange that makes the bearer token (POST
/oauth/Token beside /v2, basic auth with the application key and the client key, the subscription key,
`grant_type=client_credentials`) is `[auth] session`, served by the JSON fake.
"""
from __future__ import annotations

import copy
from functools import cache
from typing import Any

import jsonpatch

from .base import Reply, Route, UnexpectedRequest, WireRequest
from .jsonrest import FakeJsonRest, strict_body
from .openapi import Judge

PATCH_TYPE = "application/json-patch+json"
# Answers every operation of the extract gives without a body: 204 (nothing to list), 401 (the access token
# missing or wrong), 403 (the integration lacks the privilege), 429 (throttled). Its 400 and 404, and the
# `default` (500, 503: "a ProblemDetail object is returned" in PowerOffice's text), are ProblemDetails.
_NO_BODY = frozenset({204, 401, 403, 429})
_OPS = frozenset({"add", "remove", "replace", "move", "copy", "test"})


class FakePowerOfficeGo(FakeJsonRest):
    """PowerOffice Go API v2 for one client: JSON Patch updates only, 200 for a product create, 204 for nothing."""

    def respond(self, request: WireRequest) -> tuple[int, dict[str, str], bytes]:
        status, headers, body = super().respond(request)
        if status in _NO_BODY:  # no body, and no Content-Type for one (a 429 keeps its Retry-After)
            return status, {k: v for k, v in headers.items() if k.lower() != "content-type"}, b""
        return status, headers, body

    def decode_body(self, request: WireRequest) -> Any:
        if request.method == "PATCH":
            kind = request.headers.get("Content-Type", "")
            if kind.split(";")[0].strip().lower() != PATCH_TYPE:
                raise UnexpectedRequest(f"{self.system} PATCH {request.path} takes only {PATCH_TYPE} (a JSON Patch "
                                        f"document), not {kind or 'a body without a type'}", 415)
            body = super().decode_body(request) if request.body else None
            if not isinstance(body, list) or not all(isinstance(op, dict) for op in body):
                raise UnexpectedRequest(f"{self.system} expects a JSON Patch array of operations")
            return body
        if request.method == "POST" and PATCH_TYPE in request.headers.get("Content-Type", "") and request.body:
            # the extract lists this media type for every create, with the same PostDto object
            body = strict_body(self.system, request.body)
            if not isinstance(body, dict):
                raise UnexpectedRequest(f"{self.system} expects a JSON object")
            return body
        return super().decode_body(request)

    def _list(self, route: Route, params: dict) -> Reply:
        status, headers, body = super()._list(route, params)
        if status == 200 and body == []:
            return 204, headers, None
        return status, headers, body

    def _create(self, route: Route, body: dict) -> Reply:
        status, headers, answer = super()._create(route, body)
        if status == 201 and self._declares("POST", route.path, "200", "201"):
            status = 200
        return status, headers, answer

    def _declares(self, method: str, path: str, status: str, instead_of: str) -> bool:
        """Whether the extract's `method path` answers `status` where others answer `instead_of`."""
        found = self.judge.operation(method, self.api.extract_prefix + path) if self.judge else None
        responses = found[1].get("responses", {}) if found else {}
        return status in responses and instead_of not in responses

    def _update(self, route: Route, rid: str, body: Any, headers: Any) -> Reply:
        if not isinstance(body, list):  # decode_body lets nothing else through
            raise UnexpectedRequest(f"{self.system} updates only with a JSON Patch")
        current = self.store.get(route.entity, rid)
        if current is None:
            return self._missing(rid)
        for op in body:
            if op.get("op") not in _OPS or not isinstance(op.get("path"), str):
                return self.error(400, "bad_patch", f"not a JSON Patch operation: {op!r}")
        dto = {name: None for name in self._dto_properties(route.entity)}
        before = {**dto, **copy.deepcopy(current)}
        try:
            patched = jsonpatch.apply_patch(before, body)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
            return self.error(400, "bad_patch", f"the JSON Patch does not apply: {exc}")
        changed = {key: value for key, value in patched.items() if before.get(key) != value}
        changed.update({key: None for key in before if key not in patched})  # a removed property is null
        refused = self._judged(route, changed)
        if refused:
            return refused
        doc = {key: value for key, value in {**before, **changed}.items()
               if key in current or value is not None}
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, doc, stamp, False)
        self.store.replace(route.entity, rid, doc, stamp)
        return 200, {}, self._one(doc)

    def _dto_properties(self, entity: str) -> list[str]:
        """The properties of the entity's write DTO (its `input_schema`), as the extract names them."""
        name = self.described(entity).input_schema
        schemas = self.judge.document.get("components", {}).get("schemas", {}) if self.judge and name else {}
        return sorted((schemas.get(name) or {}).get("properties", {}))

    def _judged(self, route: Route, changed: dict) -> Reply | None:
        """The 400 refusing what a patch changed, judged by the create's `PostDto` (the DTO a patch applies to:
        it holds no read-only field), or None. Only what the patch changed is judged, with the types, closed
        objects and enums of the extract: its `required` lists are a create's, and a patch of one field of a
        record made without them (in Go's own screens, or before a field was required) is not refused for it."""
        path = self.api.extract_prefix + route.path
        judge = _patch_judge(self.api.key, self.api.extract) if self.api.extract else None
        if judge is None or judge.operation("POST", path) is None:
            return None
        problem = judge.request_problem("POST", path, changed)
        if problem is None:
            return None
        where, message = problem
        return self.error(self.api.errors.invalid, "validation_error", f"{where + ': ' if where else ''}{message}")


def _without_required(components: dict) -> None:
    for schema in components.get("schemas", {}).values():
        schema.pop("required", None)


@cache
def _patch_judge(vendor: str, extract: str) -> Judge:
    """The extract's write schemas without their `required` lists, compiled once per process."""
    return Judge(vendor, extract=extract, closed=True, mend=_without_required)


FAKE = FakePowerOfficeGo  # found by `quirks = "powerofficego"` in a description
