"""`POST /crm/v3/objects/{object}/search` in HubSpot's fake: filters, sorts, paging.

As HubSpot's search guide (developers.hubspot.com/docs/api/crm/search) and its OpenAPI
(`PublicObjectSearchRequest`, `Filter`) describe it:

* Filters within a group all hold (AND); any group holding is enough (OR); at most 5 groups.
  Operators: EQ, NEQ, GT, GTE, LT, LTE, BETWEEN (`value`..`highValue`), IN / NOT_IN (`values`),
  HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN / NOT_CONTAINS_TOKEN (`*` wildcards). Date-time
  properties (`createdate`, `lastmodifieddate`, `hs_lastmodifieddate` ...) compare as epoch
  milliseconds, sent as digits or ISO-8601; other values as numbers when both sides are numbers,
  else as text, ignoring case. A record without the property matches only NEQ, NOT_IN,
  NOT_CONTAINS_TOKEN and NOT_HAS_PROPERTY (not documented by HubSpot: the fake's choice).
* One sort (`{"propertyName", "direction"}` or the OpenAPI's string, `-` first for descending);
  none: by id. `limit` 1..200 (default 10), `after` an offset, 10,000 results a query at most.
* The answer is `{total, results, paging?}`; results carry the properties asked for (else the
  object's defaults) and never associations.
"""
from __future__ import annotations

import fnmatch
import re
from typing import Any, Callable

from .base import Reply
from .hubspot_objects import DATE_TIMES, epoch_ms, id_order, invalid, offset_page, page_size
from .hubspot_schemas import check_request

MAX_LIMIT, MAX_GROUPS, MAX_RESULTS = 200, 5, 10_000
_NEEDS_VALUE = {"EQ", "NEQ", "GT", "GTE", "LT", "LTE", "BETWEEN", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}
_MISSING_MATCHES = {"NEQ", "NOT_IN", "NOT_CONTAINS_TOKEN", "NOT_HAS_PROPERTY"}


def search(docs: list[dict], body: Any, path: str, view: Callable[[dict, list[str]], dict]) -> Reply:
    """The search answer over `docs` (the collection's records), each shown by `view(doc, properties)`."""
    check_request("POST", path, body)
    limit = page_size(body.get("limit"), 10, MAX_LIMIT)
    groups = [group["filters"] for group in body.get("filterGroups") or []]
    if len(groups) > MAX_GROUPS:
        raise invalid(f"at most {MAX_GROUPS} filterGroups, got {len(groups)}")
    for group in groups:
        for rule in group:
            if rule["operator"] in _NEEDS_VALUE and "value" not in rule:
                raise invalid(f"the {rule['operator']} filter on {rule['propertyName']} needs a value")
    sorts = body.get("sorts") or []
    if len(sorts) > 1:
        raise invalid("a search takes one sort")
    query = str(body.get("query") or "").casefold()
    found = [doc for doc in docs if not doc.get("archived")
             and (not groups or any(all(_holds(doc["properties"], rule) for rule in group) for group in groups))
             and (not query or any(query in str(v).casefold() for v in doc["properties"].values()))]
    found.sort(key=lambda doc: id_order(doc["id"]))
    if sorts:
        name, descending = _sort(sorts[0])
        found.sort(key=lambda doc: _order(name, doc["properties"].get(name)), reverse=descending)
    after = body.get("after")
    if after is not None and str(after).isdigit() and int(after) >= MAX_RESULTS:
        raise invalid(f"a search pages through its first {MAX_RESULTS} results only")
    page, after = offset_page(found, after, limit)
    answer: dict[str, Any] = {"total": len(found), "results": [view(doc, body.get("properties") or []) for doc in page]}
    if after:
        answer["paging"] = {"next": {"after": after}}
    return 200, {}, answer


def _sort(rule: Any) -> tuple[str, bool]:
    if isinstance(rule, str):
        return rule.lstrip("-"), rule.startswith("-")
    return rule["propertyName"], rule.get("direction", "ASCENDING") == "DESCENDING"


def _holds(properties: dict, rule: dict) -> bool:
    operator, name = rule["operator"], rule["propertyName"]
    held = properties.get(name)
    if held in (None, ""):
        return operator in _MISSING_MATCHES
    if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        return operator == "HAS_PROPERTY"
    if operator in ("IN", "NOT_IN"):
        inside = any(_compare(name, held, value) == 0 for value in rule.get("values") or [])
        return inside == (operator == "IN")
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        pattern = str(rule["value"]).casefold()
        tokens = [str(held).casefold(), *re.split(r"[\s@.,;:/_-]+", str(held).casefold())]
        return any(fnmatch.fnmatchcase(token, pattern) for token in tokens) == (operator == "CONTAINS_TOKEN")
    if operator == "BETWEEN":
        return _compare(name, held, rule["value"]) >= 0 and _compare(name, held, rule.get("highValue")) <= 0
    outcome = _compare(name, held, rule["value"])
    return {"EQ": outcome == 0, "NEQ": outcome != 0, "GT": outcome > 0, "GTE": outcome >= 0,
            "LT": outcome < 0, "LTE": outcome <= 0}[operator]


def _compare(name: str, held: Any, value: Any) -> int:
    """-1, 0 or 1 as the record's value is below, at or above the filter's, by the property's kind."""
    left, right = _order(name, held), _order(name, value)
    if left[0] != right[0]:  # a number against text: compare as text
        left, right = (1, str(held).casefold()), (1, str(value).casefold())
    return (left > right) - (left < right)


def _order(name: str, value: Any) -> tuple:
    """A value's sort key: (0, number) for times and numbers, (1, text) for text; missing values last."""
    if value in (None, ""):
        return (2, "")
    if name in DATE_TIMES and epoch_ms(value) is not None:
        return (0, epoch_ms(value))
    try:
        return (0, float(value))
    except (TypeError, ValueError):
        return (1, str(value).casefold())
