"""Fuzzing what an API answers `sync-run` (issue 27, point 5): any JSON for the source's listing and for the
target's answers to a create either syncs or is a pass error naming the system and entity; never a run stopped
by an exception nobody expected, never a traceback, never a credential in the output."""
from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from sync.cli import main

from .hostile_api import MODEL, TOKEN, HostileApi, default_answer, json_answer, write_files

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.text(max_size=8),
                    st.floats(allow_nan=True, allow_infinity=True))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                    max_leaves=8)
STAMPS = st.sampled_from([1700000000, "2023-11-14T22:13:20Z", "garbage", None, float("inf"), float("nan"),
                          "9999-12-31T00:00:00Z", 253402214400000])
INSANE = (float("inf"), "9999-12-31T00:00:00Z", 253402214400000)
# Mostly of the right shape, so that the writes a well-formed listing leads to are reached too.
OBJECT = st.fixed_dictionaries(
    {"id": st.one_of(st.text(min_size=1, max_size=5), st.integers(0, 10**6), st.integers(0, 10**6), JSON)},
    optional={"email": st.one_of(st.sampled_from(["a@x.no", "b@x.no"]), JSON), "name": JSON, "updated_at": STAMPS})
RECORD = st.one_of(JSON, OBJECT, OBJECT, OBJECT)
PAGE = st.fixed_dictionaries({"items": st.one_of(JSON, st.lists(RECORD, max_size=3), st.lists(RECORD, max_size=3))},
                             optional={"next_cursor": st.one_of(st.none(), st.just(""), JSON)})
LISTING = st.one_of(JSON, PAGE, PAGE, PAGE)
GOOD = st.fixed_dictionaries({"items": st.lists(st.fixed_dictionaries(
    {"id": st.text("abc123", min_size=1, max_size=3), "email": st.sampled_from(["a@x.no", "b@x.no"]),
     "name": st.one_of(st.text(max_size=3), JSON)}),
    min_size=1, max_size=2, unique_by=lambda r: r["id"])})  # well-formed: what follows it (the writes) is fuzzed


def plain(value) -> bool:
    return (isinstance(value, str) and value != "") or (isinstance(value, int) and not isinstance(value, bool))


def usable(listing) -> bool:
    """Whether a listing is one sync-run may take whole: an object with a list of objects, each with a plain id
    and a change time that is none, unreadable or sane, and no next-page token that is not a plain value."""
    if isinstance(listing, list):  # a bare list of records is taken as the page, as the base connector allows
        listing = {"items": listing}
    if not isinstance(listing, dict) or not isinstance(listing.get("items"), list):
        return False
    cursor = listing.get("next_cursor")
    if cursor not in (None, "") and not plain(cursor):
        return False
    for record in listing["items"]:
        if not isinstance(record, dict) or not plain(record.get("id")):
            return False
        stamp = record.get("updated_at")
        if stamp in INSANE or (isinstance(stamp, float) and stamp != stamp):
            return False
    return True


def encoded(value) -> bytes:
    return json.dumps(value).encode()  # NaN and Infinity as Python writes them: what a careless API sends


@pytest.mark.slow
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(listing=st.one_of(LISTING, GOOD), created=st.one_of(RECORD, JSON), targets=st.one_of(LISTING, GOOD),
       updated=st.one_of(RECORD, JSON))
def test_any_answer_syncs_or_is_a_pass_error(listing, created, targets, updated):
    """The source's listing and the target's listing, create answer, record and update answer: anything."""
    pages, target_pages = iter([listing]), iter([targets])

    def answer(request):
        if request.path == "/crm/contact":
            return json_answer(encoded(next(pages, {"items": []})))
        if request.path == "/erp/customer" and request.method == "GET":
            return json_answer(encoded(next(target_pages, {"items": []})))
        if request.method == "POST":
            return json_answer(encoded(created), 201)
        if request.method in ("PATCH", "PUT"):
            return json_answer(encoded(updated))
        if request.path.startswith("/erp/customer/"):  # a record read again before an update: as listed
            held = targets.get("items") if isinstance(targets, dict) else targets
            found = [r for r in held if isinstance(r, dict)] if isinstance(held, list) else []
            return json_answer(encoded(found[0] if found else {}))
        return default_answer(request)
    with HostileApi(answer) as api, tempfile.TemporaryDirectory() as folder:
        args = write_files(Path(folder), api.url, top="request_seconds = 5\npass_seconds = 20")
        model = json.loads(json.dumps(MODEL))  # a second row: a linked pair has something to update
        model["dataflows"][0]["mappings"][0]["properties"].append(
            {"source": "name", "target": "name", "type": "string", "line": 6})
        (Path(folder) / "model.json").write_text(json.dumps(model))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
        text = out.getvalue() + err.getvalue()
        assert "Traceback" not in text and TOKEN not in text, text
        assert "the run stopped" not in text, text
        assert code in (0, 1), text
        if not usable(listing):
            assert code == 1 and "Acme CRM Contact" in text, (listing, text)
        elif not usable(targets):
            assert code == 1 and "Acme ERP Customer" in text, (targets, text)
        posts = [json.loads(r.body) for r in api.requests if r.method == "POST"]
        if posts and not (isinstance(created, dict) and plain(created.get("id"))):
            assert code == 1 and "Acme ERP Customer" in text, (created, text)
        writes = [r for r in api.requests if r.method in ("PATCH", "PUT")]
        event(f"creates: {bool(posts)}, updates: {bool(writes)}")
        if writes and not isinstance(updated, dict):
            assert code == 1 and "Acme ERP Customer" in text, (updated, text)
