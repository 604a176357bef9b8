"""Schemathesis 4 as the judge of a served fake: the vendor's own OpenAPI (the product's extract) against the wire.

Vendor-neutral: a contract test names its system, serves its fake (`fake-api serve`) and lists the
disagreements it knows of.

- `load_schema` reads `apis/<system>/<extract>` into a Schemathesis schema aimed at the served base URL, with
  credentials, a seed and positive generation; no `schemathesis.toml` is discovered, so nothing outside the
  test steers it.
- `described_operations` lists the operations the fake serves, from the system's `api.toml` (list, get,
  create and update of each described entity), as the extract's (method, path template).
- `judge` runs Schemathesis' fuzzing phase (`APIOperation.as_strategy`) for one operation under Hypothesis,
  seeded per operation, derandomized, with a bounded number of examples; `judge_case` sends each case over
  the socket and holds the answer to `CHECKS`. Every disagreement is collected, not only the first.
- `settle` fails the test on a disagreement nobody wrote down, and xfails it, naming the reasons and the
  requests, where every disagreement found is a `Known` one: the suite stays green and the gap visible.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, urlsplit

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from apis.description import ApiDescription, HERE as DESCRIPTIONS

# The checks, as Schemathesis 4 names them.
CHECKS = (not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance)
KINDS = {"list": ("GET", False), "retrieve": ("GET", True), "create": (None, False), "update": (None, True)}


def load_schema(api: ApiDescription, base_url: str, *, basic: tuple[str, str] | None = None,
                headers: Mapping[str, str] | None = None, seed: int = 0, max_examples: int = 10
                ) -> schemathesis.BaseSchema:
    """The system's extract (`apis/<system>/<extract>`) as a Schemathesis schema sending to `base_url`."""
    settings: dict[str, Any] = {
        "seed": seed,
        "base-url": base_url,
        "generation": {"mode": "positive", "max-examples": max_examples, "deterministic": True,
                       "database": "none", "with-security-parameters": False},
    }
    if basic is not None:
        settings["auth"] = {"basic": {"username": basic[0], "password": basic[1]}}
    if headers:
        settings["headers"] = dict(headers)
    raw = json.loads(extract_path(api).read_text(encoding="utf-8"))
    return schemathesis.openapi.from_dict(raw, config=SchemathesisConfig.from_dict(settings))


@dataclass(frozen=True)
class DescribedOperation:
    """One operation a fake serves: the verb and the extract's path template, and what it is for."""

    method: str
    template: str
    entity: str
    kind: str  # list | retrieve | create | update

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def item_parameter(self) -> str | None:
        """The path parameter naming one record (the last one of the template), for a get or update."""
        if not KINDS[self.kind][1]:
            return None
        return self.template.rsplit("{", 1)[1].split("}", 1)[0]

    def __str__(self) -> str:
        return self.label


def described_operations(api: ApiDescription, templates: Iterable[tuple[str, str]]) -> list[DescribedOperation]:
    """The list, get, create and update operations of each entity `api.toml` describes, as the extract spells
    them. `templates` are the extract's (method, path template) pairs; a described operation the extract
    lacks is an error (tests/apis holds descriptions to their extracts, so that would be a stale extract)."""
    known = {(method.upper(), template) for method, template in templates}
    found: dict[tuple[str, str], DescribedOperation] = {}
    for entity in api.entities.values():
        for kind in sorted(entity.operations):
            method = KINDS[kind][0] or (api.writes.create_method if kind == "create" else api.writes.update_method)
            path = entity.listing if kind == "list" else entity.path
            concrete = api.extract_prefix + (api.item_path.format(path=path, id="0") if KINDS[kind][1] else path)
            template = _template_of(method, concrete, known)
            if template is None:
                raise AssertionError(f"{api.name}'s extract has no {method} {concrete} ({entity.key} {kind})")
            found.setdefault((method, template), DescribedOperation(method, template, entity.key, kind))
    return list(found.values())


def _template_of(method: str, concrete: str, known: set[tuple[str, str]]) -> str | None:
    """The extract's template answering `method concrete`, a literal path before a templated one (`{id}` matches
    any segment text, so `/customers({id})` takes `/customers(0)` as `/customer/{id}` takes `/customer/0`)."""
    candidates = sorted((t for m, t in known if m == method), key=lambda t: (t.count("{"), t))
    for template in candidates:
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), concrete):
            return template
    return None


def extract_operations(api: ApiDescription) -> list[tuple[str, str]]:
    """Every (method, path template) of the system's extract."""
    raw = json.loads(extract_path(api).read_text(encoding="utf-8"))
    return [(method.upper(), path) for path, methods in raw.get("paths", {}).items()
            for method in methods if method.lower() in ("get", "post", "put", "patch", "delete")]


@dataclass(frozen=True)
class Disagreement:
    """What Schemathesis found wrong with one answer: the request, the answer and the failed checks."""

    operation: str
    check: str
    title: str
    message: str
    request: str
    status: int
    answer: str

    def __str__(self) -> str:
        return (f"{self.operation} [{self.check}] {self.title}\n  request: {self.request}\n"
                f"  answer: {self.status} {self.answer}\n  {self.message.strip()}".rstrip())


@dataclass(frozen=True)
class Known:
    """A disagreement written down: the operations and checks it shows in, how to recognise it, and why it is
    let stand (the reason names it, for the xfail)."""

    operations: tuple[str, ...]  # "GET /customer", ...
    checks: tuple[str, ...]  # as Schemathesis names them
    reason: str
    matches: Callable[[Disagreement], bool] = field(default=lambda found: True, compare=False)

    def covers(self, found: Disagreement) -> bool:
        return found.operation in self.operations and found.check in self.checks and self.matches(found)


def query_of(found: Disagreement) -> dict[str, str]:
    """The query string of the request a disagreement was found with."""
    url = found.request.split(" ", 2)[1]
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _request_text(response: Any) -> str:
    sent = response.request
    body = sent.body.decode("utf-8", "replace") if isinstance(sent.body, bytes) else sent.body
    return f"{sent.method} {sent.url}" + (f" body={_short(body)}" if body else "")


def _short(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def _failures(group: BaseException) -> list[Failure]:
    if isinstance(group, FailureGroup):
        return [failure for failure in group.exceptions if isinstance(failure, Failure)]
    return [group] if isinstance(group, Failure) else []


def derived_seed(seed: int, label: str) -> int:
    """A seed of its own for each operation, stable across runs and processes (no hash randomisation)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{label}".encode()).digest()[:8], "big")


def judge_case(case: Any, *, session: requests.Session, statuses: list[int] | None = None) -> list[Disagreement]:
    """One case sent over `session` and its answer held to `CHECKS`: the disagreements found, if any."""
    response = case.call(session=session)
    if statuses is not None:
        statuses.append(response.status_code)
    try:
        case.validate_response(response, checks=list(CHECKS))
    except (FailureGroup, Failure) as problem:
        label = f"{case.operation.method.upper()} {case.operation.path}"
        return [Disagreement(operation=label, check=failure.checks[0] if failure.checks else type(failure).__name__,
                             title=failure.title, message=failure.message, request=_request_text(response),
                             status=response.status_code,
                             answer=_short(response.content.decode("utf-8", "replace")))
                for failure in _failures(problem)]
    return []


def judge(operation: Any, *, session: requests.Session, seed: int = 0, max_examples: int = 10,
          path_parameters: Mapping[str, Any] | None = None, query: Mapping[str, Any] | None = None,
          mode: GenerationMode = GenerationMode.POSITIVE, statuses: list[int] | None = None) -> list[Disagreement]:
    """Schemathesis' cases for `operation` (an `APIOperation`) sent over `session`, each answer held to `CHECKS`.

    Returns every disagreement, one per (check, status, title) so that a repeated one is told once; any other
    error (the server gone, a refused connection) is raised. `path_parameters` and `query` fix those parameters
    (to reach a record the fake holds, or a boundary); the others are generated, with the credentials the
    schema was loaded with. `statuses` receives the status of every answer. The seed is derived from `seed`,
    the operation and what is fixed."""
    found: dict[tuple[str, int, str], Disagreement] = {}
    fixed = {"path_parameters": dict(path_parameters) if path_parameters else None,
             "query": dict(query) if query else None}
    strategy = operation.as_strategy(mode, **fixed)
    label = f"{operation.method.upper()} {operation.path}"

    @hypothesis.seed(derived_seed(seed, f"{label} {mode.value} {fixed!r}"))
    @hypothesis.settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                         phases=(hypothesis.Phase.explicit, hypothesis.Phase.generate),
                         suppress_health_check=list(hypothesis.HealthCheck), print_blob=False)
    @hypothesis.given(strategy)
    def exchange(case: Any) -> None:
        for disagreement in judge_case(case, session=session, statuses=statuses):
            found.setdefault((disagreement.check, disagreement.status, disagreement.title), disagreement)

    exchange()
    return list(found.values())


def settle(found: Sequence[Disagreement], known: Iterable[Known]) -> None:
    """Fail on a disagreement nobody wrote down; xfail, naming them, when every one found is known."""
    known = list(known)
    unknown = [item for item in found if not any(entry.covers(item) for entry in known)]
    if unknown:
        pytest.fail("Schemathesis found the fake disagreeing with the vendor's OpenAPI:\n\n"
                    + "\n\n".join(map(str, unknown)), pytrace=False)
    if found:
        reasons = sorted({entry.reason for item in found for entry in known if entry.covers(item)})
        cases = sorted({f"{_short(item.request, 160)} -> {item.status} ({item.check})" for item in found})
        pytest.xfail(" | ".join(reasons) + " | found: " + "; ".join(cases))


def extract_path(api: ApiDescription) -> Path:
    return DESCRIPTIONS / api.key / api.extract
