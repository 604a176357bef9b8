"""SuperOffice as its own Swagger files and reference pages describe it: archive rows listed, then each person read
by id; created with POST (answered 200); updated by PUT of the whole entity with If-Unmodified-Since, a stale
one refused with 412 and read again; e-mails a list of {Value} objects."""
from dataclasses import replace
from email.utils import formatdate, parsedate_to_datetime

import pytest

from .builders import key, mapping, prop
from apis.description import describe
from sync.connectors.base import timestamp
from sync.connectors.registry import connector_for
from sync.errors import ApiError
from sync.fakes.openapi import judge_of

SELECTED = {"$select": "personId,personUpdatedDate", "$orderBy": "personId"}


def to_person(**options):
    return mapping("Custom CRM Contact", ("SuperOffice", "Person"),
                   properties=[prop("name", "Firstname"), prop("email", "Emails.Value")], **options)


def from_person():
    return mapping(("SuperOffice", "Person"), "Custom CRM Contact",
                   properties=[prop("Firstname", "name"), prop("Emails.Value", "email")])


def _linked(h, name="Ada", email="ada@example.com"):
    sid = h.source.create({"name": name, "email": email})
    assert h.run_pass().created == 1
    [(_, tid)] = h.links()
    return sid, tid


def _wire(h, handle, method, path, **kwargs):
    """A request to a fake as any client would send it (its bearer token), with its answer."""
    fake = handle.fake
    headers = {"Authorization": f"Bearer {fake.secret.reveal()}", **kwargs.pop("headers", {})}
    return h.target_connector.session.request(method, fake.base_url + path, timeout=5, headers=headers, **kwargs)


def test_a_person_is_created_by_post_with_its_emails_as_a_list_of_value_objects(sync_harness):
    h = sync_harness(to_person())
    _, tid = _linked(h)
    [post] = [r for r in h.target.requests if r.method == "POST"]
    assert (post.path, post.body) == ("/api/v1/Person", {"Emails": [{"Value": "ada@example.com"}], "Firstname": "Ada"})
    person = h.target.get(tid)
    assert person["PersonId"] == int(tid) and person["Emails"] == [{"Value": "ada@example.com"}]
    assert timestamp(person["CreatedDate"]) == timestamp(person["UpdatedDate"])  # UTC, ISO-8601
    answer = _wire(h, h.target, "POST", "/api/v1/Person", json={"Firstname": "Bo"})
    assert answer.status_code == 200 and answer.json()["PersonId"] > int(tid)  # SuperOffice answers 200, never 201
    assert answer.json()["_Links"]["Self"].endswith(f"/api/v1/Person/{answer.json()['PersonId']}")


def test_a_list_is_archive_rows_and_each_person_is_then_read_by_id(sync_harness):
    h = sync_harness(from_person())
    for n in range(3):
        h.source.create({"Firstname": f"P{n}", "Emails": [{"Value": f"p{n}@example.com", "Description": "work"}]})
    h.run_pass()
    reads = [(r.path, r.params) for r in h.source.requests]
    assert reads == [("/api/v1/Person", {**SELECTED, "$top": "10000"}),
                     ("/api/v1/Person/1", {}), ("/api/v1/Person/2", {}), ("/api/v1/Person/3", {})]
    rows = _wire(h, h.source, "GET", "/api/v1/Person", params={**SELECTED, "$top": 2}).json()
    assert [sorted(row) for row in rows["value"]] == [["EntityName", "PrimaryKey", "personId", "personUpdatedDate"]] * 2
    assert rows["value"][0]["EntityName"] == "person" and "Firstname" not in rows["value"][0]  # columns, not fields
    # An e-mail read through `Emails.Value` is each e-mail's value; the report counts the reads by id as gets.
    assert sorted(str(r["email"]) for r in h.target.records()) == [f"['p{n}@example.com']" for n in range(3)]


def test_a_list_pages_by_top_and_odata_next_link_and_asks_since_with_after_time(sync_harness):
    h = sync_harness(from_person())
    api = h.source_connector.api
    h.source_connector.api = replace(api, paging=replace(api.paging, max_size=2))  # the client asks for 2 rows
    for n in range(5):
        h.source.create({"Firstname": f"P{n}"})
    report = h.run_pass()
    assert report.created == 5 and (report.api_calls["list"], report.api_calls["get"]) == (1 + 3, 5)
    lists = [r.params for r in h.source.requests if r.path == "/api/v1/Person"]
    assert [p.get("$skip") for p in lists] == [None, "2", "4"] and {p["$top"] for p in lists} == {"2"}
    newest = max(h.source.records(), key=lambda r: timestamp(r["UpdatedDate"]))["UpdatedDate"]
    h.source.edit("3", {"Firstname": "Changed"})
    h.run_pass()
    since = [r.params for r in h.source.requests if r.path == "/api/v1/Person"][-1]
    assert since["$filter"] == f"personUpdatedDate afterTime '{newest}'"
    assert [r.path for r in h.source.requests][-1] == "/api/v1/Person/3"  # only the changed one is read again
    assert {r["name"] for r in h.target.records()} == {"P0", "P1", "Changed", "P3", "P4"}


def test_a_feed_without_next_links_is_paged_by_skip_until_a_short_page(sync_harness):
    h = sync_harness(from_person())
    api = h.source_connector.api
    h.source_connector.api = replace(api, paging=replace(api.paging, max_size=2))
    h.source.fake.next_links = False
    for n in range(4):
        h.source.create({"Firstname": f"P{n}"})
    assert h.run_pass().created == 4
    assert [r.params.get("$skip") for r in h.source.requests if r.path == "/api/v1/Person"] == [None, "2", "4"]


def test_an_update_puts_the_whole_entity_if_unmodified_since_it_was_read(sync_harness):
    h = sync_harness(to_person())
    sid, tid = _linked(h)
    h.target.edit(tid, {"Lastname": "Lovelace", "Emails": {"Description": "work"}})  # by hand, mapped by no row
    h.run_pass()
    read = h.target.get(tid)
    h.source.edit(sid, {"name": "Augusta"})
    assert h.run_pass().updated == 1
    [put] = [r for r in h.target.requests if r.method == "PUT"]
    assert put.path == f"/api/v1/Person/{tid}"
    assert put.headers["If-Unmodified-Since"] == formatdate(timestamp(read["UpdatedDate"]), usegmt=True)
    assert put.body == {**read, "Firstname": "Augusta"}  # the entity as read, changed: "PUT replaces the entire entity"
    assert "_Links" not in put.body  # what only an answer holds
    person = h.target.get(tid)
    assert (person["Firstname"], person["Lastname"]) == ("Augusta", "Lovelace")
    assert person["Emails"] == [{"Value": "ada@example.com", "Description": "work"}]
    assert not [r for r in h.target.requests if r.method == "PATCH"]  # no PATCH in SuperOffice's Swagger files


def test_a_stale_put_is_refused_with_412_and_the_person_read_again(sync_harness):
    h = sync_harness(to_person())
    sid, tid = _linked(h)
    h.target.edit(tid, {"Lastname": "Lovelace"})
    h.run_pass()
    h.source.edit(sid, {"name": "Augusta"})
    # A person edits the record after the engine has listed it, before the engine writes.
    h.target.after_next_read(lambda: h.target.edit(tid, {"Lastname": "King"}))
    report = h.run_pass()
    assert not report.errors and report.updated == 1
    first, again = [r for r in h.target.requests if r.method == "PUT"]
    assert [r.path for r in h.target.requests][-3:] == [f"/api/v1/Person/{tid}"] * 3  # PUT (412), GET, PUT
    assert first.body["Lastname"] == "Lovelace" and again.body["Lastname"] == "King"
    assert parsedate_to_datetime(again.headers["If-Unmodified-Since"]) > parsedate_to_datetime(
        first.headers["If-Unmodified-Since"])
    person = h.target.get(tid)
    assert (person["Firstname"], person["Lastname"]) == ("Augusta", "King")  # the later edit is not overwritten


def test_a_stale_put_answers_412_with_superoffices_error_body(sync_harness):
    h = sync_harness(to_person())
    _, tid = _linked(h)
    read = h.target.get(tid)
    h.target.edit(tid, {"Lastname": "King"})
    stale = _wire(h, h.target, "PUT", f"/api/v1/Person/{tid}", json={**read, "Firstname": "Bo"},
                  headers={"If-Unmodified-Since": formatdate(timestamp(read["UpdatedDate"]), usegmt=True)})
    assert stale.status_code == 412 and stale.json()["Error"] is True and stale.json()["ErrorMessage"]
    assert h.target.get(tid)["Firstname"] == "Ada"
    missing = _wire(h, h.target, "GET", "/api/v1/Person/999")
    assert missing.status_code == 404 and missing.json()["ErrorType"] == "SoNotFoundException"
    with pytest.raises(ApiError, match="no record 999") as refused:
        h.target_connector.get_record("Person", "999")
    assert refused.value.code == "SoNotFoundException"


def test_a_product_update_has_no_condition_to_send_so_the_product_is_read_first(sync_harness):
    """SuperOffice's Swagger files give PUT /api/v1/Product/{id} no 412, and a product no change time."""
    h = sync_harness(mapping("Custom CRM Item", ("SuperOffice", "Product"), properties=[prop("name", "Name")]))
    sid = h.source.create({"name": "Widget"})
    h.run_pass()
    h.source.edit(sid, {"name": "Gadget"})
    h.run_pass()
    *_, get, put = h.target.requests
    assert (get.method, put.method, put.path) == ("GET", "PUT", get.path)
    assert "If-Unmodified-Since" not in put.headers and h.target.records()[0]["Name"] == "Gadget"


def test_a_person_matches_on_an_email_held_in_its_list(sync_harness):
    h = sync_harness(mapping("Custom CRM Contact", ("SuperOffice", "Person"), merge_or_create=True,
                             merge_keys=[key("email", "Emails.Value")], properties=[prop("name", "Firstname")]))
    existing = h.target.create({"Emails": [{"Value": "other@example.com"}, {"Value": "ada@example.com"}]})
    sid = h.source.create({"name": "Ada", "email": "ada@example.com"})
    h.run_pass()
    assert h.links() == [(sid, existing)] and len(h.target.records()) == 1
    assert h.target.get(existing)["Firstname"] == "Ada"


def test_answers_are_as_superoffices_response_schemas_say(sync_harness):
    h = sync_harness(to_person())
    _, tid = _linked(h)
    judge = judge_of("superoffice")
    answer = _wire(h, h.target, "GET", f"/api/v1/Person/{tid}")
    assert judge.response_problems("GET", f"/api/v1/Person/{tid}", 200, answer.json()) == []
    # A row's values are scalars, as SuperOffice's sample answers show; its Swagger files type them `object`
    # (C#'s Dictionary<string, object>), which JSON's objects would be. Only the envelope is held to them.
    rows = _wire(h, h.target, "GET", "/api/v1/Person", params={**SELECTED, "$top": 1}).json()
    envelope = {**rows, "value": [{} for _ in rows["value"]]}
    assert judge.response_problems("GET", "/api/v1/Person", 200, envelope) == [] and len(rows["value"]) == 1
    read = _wire(h, h.target, "GET", f"/api/v1/Person/{tid}").json()
    written = _wire(h, h.target, "PUT", f"/api/v1/Person/{tid}", json={k: v for k, v in read.items() if k != "_Links"})
    assert written.status_code == 200
    assert judge.response_problems("PUT", f"/api/v1/Person/{tid}", 200, written.json()) == []


def test_quote_lines_are_reached_only_through_the_quote_agent():
    connector = connector_for("SuperOffice")
    for operation in ("list", "create", "update"):
        assert "Quote agent" in connector.unsupported("Quoteline", operation)
    assert connector.unsupported("Person", "update") is None
    assert describe("SuperOffice").entity("Person").id_field == "PersonId"


@pytest.mark.parametrize("params", [{"$top": 2 ** 31}, {"$skip": 2 ** 63}, {"$top": -(2 ** 31) - 1}])
def test_paging_beyond_the_swaggers_int32_is_a_400_not_a_500(sync_harness, params):
    h = sync_harness(to_person())
    answer = _wire(h, h.target, "GET", "/api/v1/Person", params={**SELECTED, **params})
    assert answer.status_code == 400 and "32-bit" in answer.text, answer.text
