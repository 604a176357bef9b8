"""`sync-run` against an API that misbehaves on purpose, served on 127.0.0.1 (issue 27, point 2).

Each case is a way a real API (or someone answering in its place) can hurt a sync: ids that are not
ids, times that never come, listings that never end, answers that never finish or never stop growing,
bodies of the wrong shape. Each must end the pass with one clear line naming the system, the entity
and what was wrong: no traceback, no credential, no frozen cursor, bounded time and memory.
"""
from __future__ import annotations

import gzip
import itertools
import json
import resource
import sqlite3
import time
from functools import cache

import pytest

from .hostile_api import Answer, HostileApi, assert_clean, default_answer, json_answer, sync_run, write_files


def listing(*records, **extra):
    """An API whose source listing answers `records` (raw JSON text where a record is bytes)."""
    items = b"[" + b",".join(r if isinstance(r, bytes) else json.dumps(r).encode() for r in records) + b"]"
    body = b'{"items": ' + items + b"".join(b', "%s": %s' % (k.encode(), json.dumps(v).encode())
                                           for k, v in extra.items()) + b"}"

    def answer(request):
        if request.method == "GET" and request.path == "/crm/contact":
            return json_answer(body)
        return default_answer(request)
    return answer


@pytest.mark.parametrize("rid", [{"a": 1}, [1, 2], None, True])
def test_a_record_id_that_is_not_a_plain_value_is_refused(tmp_path, rid):
    with HostileApi(listing({"id": rid, "email": "a@x.no"})) as api:
        run = sync_run(write_files(tmp_path, api.url))
        assert_clean(run)
        assert run.code == 1, run.text
        assert "Acme CRM Contact" in run.text and "id" in run.text, run.text
        assert not [r for r in api.requests if r.method == "POST"], "nothing is created from a record with no id"


@pytest.mark.parametrize("stamp", [b"1e999", b"NaN", b"-1e999", b'"9999-12-31T00:00:00Z"', b"253402214400000"])
def test_a_time_that_is_not_a_sane_one_is_reported_and_never_becomes_the_cursor(tmp_path, stamp):
    good = b'{"id": "1", "email": "a@x.no", "updated_at": 1700000000}'
    bad = b'{"id": "2", "email": "b@x.no", "updated_at": ' + stamp + b"}"
    with HostileApi(listing(good, bad)) as api:
        args = write_files(tmp_path, api.url, source='since_param = "updated_since"')
        run = sync_run([*args, "--passes", "2"])
        assert_clean(run)
        assert "Acme CRM Contact 2" in run.text and "updated_at" in run.text, run.text
        second = api.lists()[-1]
        assert second.query.get("updated_since") == "1700000000", "the cursor is the newest sane time"
        cursor = sqlite3.connect(tmp_path / "state.db").execute(
            "SELECT cursor FROM cursors WHERE side='source'").fetchone()[0]
        assert cursor == "1700000000", cursor
        assert sorted(json.loads(r.body)["email"] for r in api.requests if r.method == "POST") == [
            "a@x.no", "b@x.no"], "the record itself is still synchronized"


@pytest.mark.slow
def test_more_pages_than_the_first_page_announced_stop_the_listing(tmp_path):
    def answer(request):
        if request.path == "/crm/contact":
            page = int(request.query.get("page", 1))
            return json_answer({"items": [{"id": str(page), "email": f"{page}@x.no"}], "total_pages": page + 1})
        return default_answer(request)
    with HostileApi(answer) as api:
        run = sync_run(write_files(tmp_path, api.url, source='page_style = "page"'), timeout=60, process=True)
        assert_clean(run)
        assert run.code == 1 and "Acme CRM Contact" in run.text and "first page announced 2" in run.text, run.text
        assert len(api.lists()) <= 3


def trickle(request):
    """The listing's answer one byte a second: every read gets something, the whole never comes."""
    if request.path == "/crm/contact":
        def drip():
            for byte in b'{"items": [' + b" " * 100:
                yield bytes([byte])
                time.sleep(1)
        return Answer(200, drip())
    return default_answer(request)


@pytest.mark.slow
def test_a_server_trickling_one_byte_a_second_meets_the_request_deadline(tmp_path):
    with HostileApi(trickle) as api:
        run = sync_run(write_files(tmp_path, api.url, top="request_seconds = 3"), timeout=25, process=True)
        assert_clean(run)
        assert run.code == 1 and "Acme CRM Contact" in run.text and "3 s" in run.text, run.text
        assert run.seconds < 15


@pytest.mark.slow
def test_a_pass_meets_its_deadline_however_many_pages_arrive(tmp_path):
    pages = itertools.count()

    def answer(request):
        if request.path == "/crm/contact":
            time.sleep(0.3)
            return json_answer({"items": [], "next_cursor": f"c{next(pages)}"})
        return default_answer(request)
    with HostileApi(answer) as api:
        run = sync_run(write_files(tmp_path, api.url, top="pass_seconds = 3"), timeout=25, process=True)
        assert_clean(run)
        assert run.code == 1 and "deadline" in run.text and "3 s" in run.text, run.text
        assert run.seconds < 15


@cache
def bomb_member() -> bytes:
    """64 MiB of JSON white space, gzipped to about 64 KiB; sent 16 times (gzip members concatenate): ~1 GiB."""
    return gzip.compress(b" " * (64 << 20), compresslevel=9)


def peak_child_memory() -> int:
    """The largest resident size (KiB) of any child process this one has waited for."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


@pytest.mark.slow
def test_a_small_gzip_body_inflating_to_a_gigabyte_is_refused_early(tmp_path):
    member = bomb_member()
    sync_run(["--help"], process=True)  # a run's own size, before any answer is read
    baseline = peak_child_memory()

    def answer(request):
        if request.path == "/crm/contact":
            head = gzip.compress(b'{"items": [')
            return Answer(200, itertools.chain([head], itertools.repeat(member, 16), [gzip.compress(b"]}")]),
                          {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        return default_answer(request)
    with HostileApi(answer) as api:
        run = sync_run(write_files(tmp_path, api.url, top="max_response_bytes = 1048576"), timeout=60, process=True)
        assert_clean(run)
        assert run.code == 1 and "Acme CRM Contact" in run.text and "1048576 bytes" in run.text, run.text
        assert peak_child_memory() < baseline + 200 * 1024, "refused while inflating, in bounded memory"


MALFORMED = {
    "records that are not objects": (b'{"items": [1, "two"]}', "not an object"),
    "records that are lists": (b'{"items": [[1]]}', "not an object"),
    "a body that is a list of numbers": (b"[1, 2, 3]", "not an object"),
    "nested past what a JSON reader goes": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "a cursor that is an object": (b'{"items": [], "next_cursor": {"a": 1}}', "next_cursor"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_every_malformed_body_is_a_clear_pass_error(tmp_path, case):
    body, said = MALFORMED[case]

    def answer(request):
        if request.path == "/crm/contact":
            return json_answer(body)
        return default_answer(request)
    with HostileApi(answer) as api:
        run = sync_run(write_files(tmp_path, api.url))
        assert_clean(run)
        assert "the run stopped" not in run.text, run.text
        assert run.code == 1 and "Acme CRM Contact" in run.text and said in run.text, run.text


@pytest.mark.parametrize("body", [b'{"id": {"a": 1}, "email": "a@x.no"}', b'[{"id": "x"}]', b'"made"', b"null",
                                  b'{"email": "a@x.no"}', b'{"id": ""}'])
def test_a_create_answered_with_a_malformed_record_is_an_error_naming_the_target(tmp_path, body):
    def answer(request):
        if request.method == "POST":
            return json_answer(body, 201)
        if request.path == "/crm/contact":
            return json_answer({"items": [{"id": "1", "email": "a@x.no"}]})
        return default_answer(request)
    with HostileApi(answer) as api:
        run = sync_run(write_files(tmp_path, api.url))
        assert_clean(run)
        assert run.code == 1 and "Acme ERP Customer" in run.text, run.text
        assert "the run stopped" not in run.text, run.text


def test_an_id_holding_a_path_stays_one_path_segment_in_every_connector():
    """Verifies the percent-encoding done before, in each vendor's quirks too: reads and writes alike."""
    import re

    import responses

    from sync.connectors.registry import connector_for
    from sync.credentials import Credentials, Secret
    hostile = "../../x?y#z"
    for system, entity in (("Acme CRM", "Contact"), ("HubSpot", "Contact"), ("Chargebee", "Customer"),
                           ("SuperOffice", "Person"), ("Tripletex", "Customer")):
        connector = connector_for(system, entity=entity, base_url="https://api.test/base",
                                  credentials=Credentials("bearer", token=Secret("t")))
        endpoint = connector.endpoint(entity)
        paths = [path for _m, path, _b in connector.write_routes(endpoint, hostile, {"a": "1"}, {})]
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.add(responses.GET, re.compile(".*"), json={})
            try:
                connector.get_record(entity, hostile)
            except Exception:
                pass
            paths += [call.request.path_url for call in mock.calls]
        assert len(paths) >= 2, system
        for path in paths:
            assert "../" not in path and "#" not in path, (system, path)
            assert "x%3Fy%23z" in path, (system, path)


@pytest.mark.parametrize("body", [{"list": [1, "customer"]}, {"list": [{"customer": "x"}]}, {"list": [None]}])
def test_a_chargebee_list_of_entries_that_are_not_objects_is_a_failed_listing(body):
    import re

    import responses

    from sync.connectors.registry import connector_for
    from sync.credentials import Credentials, Secret
    from sync.errors import ListFailed
    connector = connector_for("Chargebee", entity="Customer", base_url="https://site.test/api/v2",
                              credentials=Credentials("basic", user=Secret("key")))
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, re.compile(".*"), json=body)
        with pytest.raises(ListFailed, match="Chargebee Customer.*not an object"):
            connector.list_records("Customer")


@pytest.mark.slow
def test_a_retry_after_of_a_day_meets_the_request_deadline_instead_of_sleeping(tmp_path):
    def answer(request):
        if request.path == "/crm/contact":
            return Answer(429, b"{}", {"Content-Type": "application/json", "Retry-After": "86400"})
        return default_answer(request)
    with HostileApi(answer) as api:
        run = sync_run(write_files(tmp_path, api.url, top="request_seconds = 3"), timeout=25, process=True)
        assert_clean(run)
        assert run.code == 1 and "Acme CRM Contact" in run.text and "3 s" in run.text, run.text
        assert run.seconds < 15


@pytest.mark.slow
def test_a_server_trickling_its_headers_meets_the_request_deadline(tmp_path):
    def answer(request):
        if request.path == "/crm/contact":
            def drip():
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
                    yield bytes([byte])
                    time.sleep(1)
            return Answer(0, drip())
        return default_answer(request)
    with HostileApi(answer) as api:
        run = sync_run(write_files(tmp_path, api.url, top="request_seconds = 3"), timeout=25, process=True)
        assert_clean(run)
        assert run.code == 1 and "Acme CRM Contact" in run.text and "3 s" in run.text, run.text
        assert run.seconds < 15


@pytest.mark.slow
def test_a_create_whose_answer_trickles_meets_the_deadline_as_an_unknown_outcome(tmp_path):
    """The create may have been made: looked for before each resend (sync.engine), each one bounded."""
    def answer(request):
        if request.method == "POST":
            def drip():
                for byte in b'{"id": "c1", "email": "a@x.no"' + b" " * 100:
                    yield bytes([byte])
                    time.sleep(1)
            return Answer(201, drip())
        if request.path == "/crm/contact":
            return json_answer({"items": [{"id": "1", "email": "a@x.no"}]})
        return default_answer(request)
    with HostileApi(answer) as api:
        run = sync_run(write_files(tmp_path, api.url, top="request_seconds = 1"), timeout=40, process=True)
        assert_clean(run)
        assert run.code == 1 and "Acme ERP Customer: no whole answer within 1 s" in run.text, run.text
        assert "the create may have been made" in run.text and run.seconds < 30


@pytest.mark.parametrize("location", ["/admin/keys", "../admin/keys", "http://localhost:{port}/crm/contact",
                                      "file:///etc/passwd"])
def test_a_redirect_outside_the_base_url_is_not_followed_with_the_credentials(tmp_path, location):
    def answer(request):
        if request.path == "/crm/contact":
            return Answer(302, b"", {"Location": location.format(port=api.url.rsplit(":", 1)[1])})
        return default_answer(request)
    with HostileApi(answer) as api:
        run = sync_run(write_files(tmp_path, api.url))
        assert_clean(run)
        assert run.code == 1 and "Acme CRM Contact" in run.text and "redirect" in run.text, run.text
        assert [r.path for r in api.requests if not r.path.startswith(("/crm/", "/erp/"))] == []



@pytest.mark.parametrize("where", ["error", "id"])
def test_text_from_the_api_can_neither_forge_lines_nor_flood_the_output(tmp_path, where):
    forged = "bad\n  error 9: forged\r\x1b[2J\u202egnp.exe" + "x" * 100_000

    def answer(request):
        if request.path == "/crm/contact":
            if where == "error":
                return json_answer({"error": {"message": forged, "code": "E\n1"}}, 400)
            return json_answer({"items": [{"id": forged, "email": "a@x.no", "updated_at": 1e999}]})
        return default_answer(request)
    with HostileApi(answer) as api:
        run = sync_run(write_files(tmp_path, api.url))
        assert_clean(run)
        assert run.code == 1, run.text
        assert "forged" in run.text and "\n  error 9: forged" not in run.text, run.text
        assert not any(c in run.text for c in "\r\x1b\u202e"), run.text
        assert len(run.text) < 20_000, len(run.text)
