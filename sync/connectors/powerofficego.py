"""PowerOffice Go API v2's quirks, beside what `apis/powerofficego/api.toml` says as data.

The base connector does the rest: bare-array lists paged by `PageNumber`/`PageSize` until a short
page, changes since `lastChangedDateTimeOffsetGreaterThan`, integer `Id`s, creates as JSON, and
updates as a JSON Patch (`update_style = "json_patch"`: the operations turning what was read into what
is wanted, sent as `application/json-patch+json`, the one body `PATCH /<Entity>/{id}` takes).

* A list with nothing to return answers 204 with an empty body (every list operation of the extract
  declares it: "Given when there is no content to return"): the base connector reads it as an empty page.
* Errors are ProblemDetails. The extract's schema spells them `Title`/`Detail`/`Status`; PowerOffice's
  own examples, and ASP.NET Core's serializer, `title`/`detail`/`status`: either is read.
"""
from __future__ import annotations


import requests

from ..errors import ApiError
from ..paths import get_path
from .base import RestConnector


class PowerOfficeGoConnector(RestConnector):
    """PowerOffice Go API v2: ProblemDetails in either spelling."""

    def error_of(self, response: requests.Response) -> ApiError:
        error = super().error_of(response)
        try:
            body = response.json()
        except ValueError:
            return error
        if not isinstance(body, dict) or get_path(body, self.api.errors.message) is not None:
            return error
        message, code = body.get("Detail") or body.get("Title"), body.get("Title")
        if message is None:
            return error
        return type(error)(error.status, str(message), None if code is None else str(code), retriable=error.retriable)


CONNECTOR = PowerOfficeGoConnector  # found by `quirks = "powerofficego"` in a description
