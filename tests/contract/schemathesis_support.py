"""Schemathesis 4 as the judge of a served fake: the vendor's own OpenAPI (the product's extract) against the wire.

Vendor-neutral: a contract test names its vendor, its served fake and the disagreements it knows of.

- `load_schema` reads an extract into a Schemathesis schema aimed at a base URL, with credentials, a fixed
  seed and positive generation; no `schemathesis.toml` is discovered, so nothing outside the test steers it.
- `described_operations` lists the operations a fake serves, from the system's `api.toml`: list, get,
  create and update of each described entity, spelled as the extract's path templates.
- `judge` runs Schemathesis' fuzzing phase (`APIOperation.as_strategy`) for one operation under Hypothesis
  with a derived seed and a bounded number of examples, sends each case over the socket, and runs the
  four checks on every answer. It collects every disagreement instead of stopping at the first.
- `settle` fails the test on a disagreement nobody wrote down, and xfails it, naming them, where every
  disagreement found is a `Known` one: the suite stays green and the gap stays visible.
"""
from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

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
    raw = json.loads((DESCRIPTIONS / api.key / api.extract).read_text(encoding="utf-8"))
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


def described_operations(api: ApiDescription, templates: Iterable[tuple[str, str]],
                         skip: Iterable[str] = ()) -> list[DescribedOperation]:
    """The list, get, create and update operations of each entity `api.toml` describes, as the extract spells
    them. `templates` are the extract's (method, path template) pairs; a described operation the extract
    lacks is an error (tests/apis holds descriptions to their extracts, so that would be a stale extract)."""
    known = {(method.upper(), template) for method, template in templates}
    found: dict[tuple[str, str], DescribedOperation] = {}
    skipped = set(skip)
    for entity in api.entities.values():
        for kind in sorted(entity.operations):
            method = KINDS[kind][0] or (api.writes.create_method if kind == "create" else api.writes.update_method)
            path = entity.listing if kind == "list" else entity.path
            concrete = api.extract_prefix + (api.item_path.format(path=path, id="0") if KINDS[kind][1] else path)
            template = _template_of(method, concrete, known)
            if template is None:
                raise AssertionError(f"{api.name}'s extract has no {method} {concrete} ({entity.key} {kind})")
            operation = DescribedOperation(method, template, entity.key, kind)
            if operation.label not in skipped:
                found.setdefault((method, template), operation)
    return list(found.values())


def _template_of(method: str, concrete: str, known: set[tuple[str, str]]) -> str | None:
    """The extract's template answering `method concrete` (a literal path before a templated one)."""
    candidates = sorted((t for m, t in known if m == method), key=lambda t: (t.count("{"), t))
    for template in candidates:
        parts, given = template.strip("/").split("/"), concrete.strip("/").split("/")
        if len(parts) == len(given) and all(p == g or (p.startswith("{") and p.endswith("}"))
                                            for p, g in zip(parts, given)):
            return template
    return None


def extract_operations(schema: schemathesis.BaseSchema) -> list[tuple[str, str]]:
    """Every (method, path template) of a loaded schema."""
    return [(method.upper(), path) for path, methods in schema.raw_schema.get("paths", {}).items()
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
    """A disagreement written down: which operation and check, how to recognise it, and why it is allowed."""

    operation: str
    check: str
    reason: str
    matches: Callable[[Disagreement], bool] = field(default=lambda found: True, compare=False)

    def covers(self, found: Disagreement) -> bool:
        return found.operation == self.operation and found.check == self.check and self.matches(found)


def _request_text(case: Any, response: Any) -> str:
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


def judge(operation: Any, *, session: requests.Session, seed: int = 0, max_examples: int = 10,
          path_parameters: Mapping[str, Any] | None = None, mode: GenerationMode = GenerationMode.POSITIVE,
          on_answer: Callable[[Any, Any], None] | None = None) -> list[Disagreement]:
    """Schemathesis' cases for `operation` (an `APIOperation`) sent over `session`, each answer held to `CHECKS`.

    Returns every disagreement, one per (check, status, title) so a repeated one is told once; any other
    error (the server gone, a refused connection) is raised. `path_parameters` fixes those parameters (a
    record the fake holds), the others are generated; `on_answer(case, response)` sees every exchange."""
    found: dict[tuple[str, int, str], Disagreement] = {}
    strategy = operation.as_strategy(mode, path_parameters=dict(path_parameters) if path_parameters else None)
    label = f"{operation.method.upper()} {operation.path}"

    @hypothesis.seed(derived_seed(seed, label + repr(sorted((path_parameters or {}).items()))))
    @hypothesis.settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                         phases=(hypothesis.Phase.explicit, hypothesis.Phase.generate),
                         suppress_health_check=list(hypothesis.HealthCheck), print_blob=False)
    @hypothesis.given(strategy)
    def exchange(case: Any) -> None:
        response = case.call(session=session)
        if on_answer is not None:
            on_answer(case, response)
        try:
            case.validate_response(response, checks=list(CHECKS))
        except (FailureGroup, Failure) as problem:
            for failure in _failures(problem):
                check = failure.checks[0] if failure.checks else type(failure).__name__
                key = (check, response.status_code, failure.title)
                found.setdefault(key, Disagreement(
                    operation=label, check=check, title=failure.title, message=failure.message,
                    request=_request_text(case, response), status=response.status_code,
                    answer=_short(response.content.decode("utf-8", "replace"))))

    exchange()
    return list(found.values())


def settle(found: Sequence[Disagreement], known: Iterable[Known]) -> None:
    """Fail on a disagreement nobody wrote down; xfail, naming them, when every one found is known."""
    known = list(known)
    unknown = [item for item in found if not any(entry.covers(item) for entry in known)]
    if unknown:
        pytest.fail("Schemathesis found the fake disagreeing with the vendor's OpenAPI:\n\n"
                    + "\n\n".join(map(str, unknown)), pytrace=False)
    reasons = sorted({entry.reason for item in found for entry in known if entry.covers(item)})
    if reasons:
        pytest.xfail("; ".join(reasons))


def drain(stream: Any, keep: int = 200) -> deque[str]:
    """Read a served fake's stderr (one access line per request) in the background, keeping the last lines:
    an unread pipe fills after a few hundred requests and stalls the server."""
    lines: deque[str] = deque(maxlen=keep)

    def read() -> None:
        try:
            for line in stream:
                lines.append(line)
        except (ValueError, OSError):  # closed when the server is stopped
            pass

    threading.Thread(target=read, daemon=True).start()
    return lines


def basic_header(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def extract_path(api: ApiDescription) -> Path:
    return DESCRIPTIONS / api.key / api.extract
