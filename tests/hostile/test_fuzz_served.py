"""Fuzzing the served fakes: any request a local client can put on the wire (any method, path, query,
credentials, Content-Type, Content-Length and body) is answered within bounded time, with a status
below 500 and a body that is the API's own (strict JSON, or nothing), and the server lives on."""
from __future__ import annotations

import json
import os
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from .served import CHARGEBEE_KEY, TOKEN, Served, basic, bearer

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))  # more by hand: FUZZ_EXAMPLES=500
TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
SYSTEMS = {"chargebee": ("--api-key", CHARGEBEE_KEY, basic(CHARGEBEE_KEY)), "Acme": ("--token", TOKEN, bearer(TOKEN)),
           "hubspot": ("--token", TOKEN, bearer(TOKEN)), "PowerOffice Go": ("--token", TOKEN, bearer(TOKEN))}


@pytest.fixture(scope="module", params=sorted(SYSTEMS))
def served(request):
    flag, secret, auth = SYSTEMS[request.param]
    server = Served(request.param, flag, secret, "--timeout", "1")  # a body short of its length: 408 in 1 s
    server.auth = auth
    yield server
    server.stop()


def _form_name(draw) -> str:
    base = draw(st.sampled_from(["first_name", "tags", "billing_address", "meta_data", "cf_x", "id"]))
    parts = draw(st.lists(st.one_of(st.integers(0, 10**9).map(str), st.sampled_from(["city", "", "x", "²"])),
                          max_size=6))
    return base + "".join(f"[{p}]" for p in parts)


@st.composite
def bodies(draw) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["none", "bytes", "json", "deep", "form", "constant"]))
    if kind == "none":
        return "", b""
    if kind == "bytes":
        return draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""])), \
            draw(st.binary(max_size=200))
    if kind == "json":
        value = draw(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                                  lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                                  max_leaves=20))
        return "application/json", json.dumps(value).encode()
    if kind == "deep":
        n = draw(st.integers(1, 5000))
        return "application/json", b'{"a": ' + b"[" * n + b"]" * n + b"}"
    if kind == "constant":
        return "application/json", b'{"a": %s}' % draw(st.sampled_from([b"NaN", b"Infinity", b"-1e999", b"1" * 5000]))
    values = draw(st.lists(TEXT, max_size=8))
    form = "&".join(f"{quote(_form_name(draw), safe='[]')}={quote(value)}" for value in values)
    return "application/x-www-form-urlencoded", form.encode()


@st.composite
def requests(draw) -> tuple[str, str, dict[str, str], bytes]:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"]))
    words = ["customers", "addresses", "things", "list", "1", "..", "crm", "v3", "objects", "contacts", "search",
             "Customers"]
    segments = draw(st.lists(st.one_of(st.sampled_from(words), TEXT), max_size=4))
    path = "/" + "/".join(quote(s, safe="") for s in segments)
    if draw(st.booleans()):
        path += "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in draw(st.lists(st.tuples(
            st.sampled_from(["limit", "offset", "cursor", "updated_at[after]", "x"]), TEXT), max_size=3)))
    headers: dict[str, str] = {}
    content_type, body = draw(bodies())
    if content_type:
        headers["Content-Type"] = content_type
    length = draw(st.sampled_from(["right", "right", "right", "-1", "x", "99999999", "short"]))
    if body or length != "right":
        headers["Content-Length"] = {"right": str(len(body)), "short": str(len(body) + 5)}.get(length, length)
    return method, path, headers, body


@pytest.mark.slow  # fuzzing fake-api serve in a subprocess
@settings(max_examples=FUZZ_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(request=requests(), authenticated=st.booleans())
def test_any_request_is_answered_by_the_api_in_bounded_time(served, request, authenticated):
    method, path, headers, body = request
    if authenticated:
        headers = {**headers, **served.auth}
    answer = served.request(method, path, body, headers, timeout=30)
    assert answer.status < 500, answer
    assert answer.seconds < 10, f"{answer.seconds:.1f} s"
    if answer.body and method != "HEAD":
        payload = answer.json()  # strict: NaN or Infinity would fail here
        if answer.status >= 400:
            assert isinstance(payload, dict) and payload, answer
    assert served.process.poll() is None, "the server died"
    assert not any(b"Traceback" in line for line in served.stderr)
