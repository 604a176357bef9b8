"""Tripletex's `fields` parameter, as its OpenAPI's own text describes it (issue 25): unasked, a read answers every
field of the record with each object in it as a reference, `{"id", "url"}`; `fields=` names what it answers,
`<field>(<subResourceFields>)` into an object, `*` all of a level, and `changes` only when named. The connector
asks every list and get for what its mapping reads (`[selection]` in apis/tripletex/api.toml); the fake answers
only that, and refuses a field the vendor's records lack."""
from __future__ import annotations

import pytest

from apis import selection
from apis.description import describe
from qa_checklist import checks

from .builders import mapping, prop

INTO_CUSTOMER = mapping("Custom CRM Contact", "Tripletex Customer", id="fields/into",
                        properties=[prop("name", "name"), prop("city", "postalAddress.city"),
                                    prop("country", "postalAddress.country.id", "integer")])
FROM_CUSTOMER = mapping("Tripletex Customer", "Custom CRM Contact", id="fields/from",
                        properties=[prop("name", "name"), prop("postalAddress.city", "city"),
                                    prop("postalAddress.country.id", "country", "integer")])
WANTED = "id,version,name,postalAddress(city,country(id))"


def _get(h, handle, path, **params):
    """A request to the Tripletex fake as any client sends it: basic auth with user 0 and the session token."""
    fake = handle.fake
    return h.target_connector.session.get(fake.base_url + path, params=params, timeout=5,
                                          auth=("0", fake.secret.reveal()))


def test_the_selection_syntax_read_and_written_in_one_place():
    tree = selection.tree_of(["id", "postalAddress.city", "postalAddress.country.id", "name"])
    assert selection.text_of(tree) == "id,postalAddress(city,country(id)),name"
    assert selection.parse("id, postalAddress(city,country(id)),name") == tree
    assert selection.text_of(selection.tree_of(["postalAddress", "postalAddress.city"])) == "postalAddress(*,city)"
    assert selection.parse("*,changes,project(*)") == {"*": None, "changes": None, "project": {"*": None}}
    for bad in ("id,", "a(b", "a()", "a)b", "a b", ",a", "a(,b)", "é"):
        with pytest.raises(ValueError):
            selection.parse(bad)


def test_the_connector_asks_each_read_for_the_fields_its_mapping_reads(sync_harness):
    h = sync_harness(FROM_CUSTOMER)
    h.source.create({"name": "Ada", "postalAddress": {"city": "Oslo", "country": {"id": 161}}, "email": "a@x.no"})
    assert h.run_pass().created == 1
    [listing] = [r for r in h.source.requests if r.method == "GET"]
    assert listing.params["fields"] == WANTED
    [contact] = h.target.records()
    assert (contact["name"], contact["city"], contact["country"]) == ("Ada", "Oslo", 161)


def test_unasked_a_read_answers_objects_as_references_and_asked_only_what_it_names(sync_harness):
    h = sync_harness(FROM_CUSTOMER)
    rid = h.source.create({"name": "Ada", "email": "a@x.no", "postalAddress": {"city": "Oslo", "country": {"id": 161}},
                           "currency": {"id": 1}})
    whole = _get(h, h.source, f"/customer/{rid}").json()["value"]
    assert whole["name"] == "Ada" and whole["email"] == "a@x.no" and whole["version"] == 0
    assert whole["currency"] == {"id": 1, "url": f"{h.source.fake.base_url}/currency/1"}  # a reference
    assert whole["postalAddress"] == {}  # an address the fake holds without an id of its own: nothing to refer to
    asked = _get(h, h.source, f"/customer/{rid}", fields=WANTED).json()["value"]
    assert asked == {"id": int(rid), "version": 0, "name": "Ada", "postalAddress": {"city": "Oslo", "country": {"id": 161}}}
    country = _get(h, h.source, f"/customer/{rid}", fields="postalAddress(country)").json()["value"]
    assert country == {"postalAddress": {"country": {"id": 161, "url": f"{h.source.fake.base_url}/country/161"}}}
    listed = _get(h, h.source, "/customer", fields="id,name").json()
    assert listed["values"] == [{"id": int(rid), "name": "Ada"}]


@pytest.mark.parametrize("fields, why", [("id,nickname", "nickname does not match a field in the model: Customer"),
                                         ("id,postalAddress(", "Illegal fields filter"),
                                         ("a(" * 1000 + "id" + ")" * 1000, "Illegal fields filter")])
def test_a_field_the_vendor_lacks_or_a_malformed_selection_is_a_400(sync_harness, fields, why):
    h = sync_harness(FROM_CUSTOMER)
    answer = _get(h, h.source, "/customer", fields=fields)
    assert answer.status_code == 400 and why in answer.json()["message"], answer.text


def test_a_write_answer_holding_a_reference_where_more_is_wanted_is_read_again(sync_harness):
    h = sync_harness(INTO_CUSTOMER)
    h.source.create({"name": "Ada", "city": "Oslo", "country": 161})
    report = h.run_pass()
    assert report.created == 1 and not report.errors, report.summary()
    [post] = [r for r in h.target.requests if r.method == "POST"]
    gets = [r for r in h.target.requests if r.method == "GET" and r.path != "/customer"]
    assert "fields" not in post.params and [g.params.get("fields") for g in gets] == [WANTED]
    # The record the engine keeps is the read's, so a second pass sees nothing changed and writes nothing.
    again = h.run_pass()
    assert (again.created, again.updated, len(again.conflicts)) == (0, 0, 0), again.summary()


def test_a_create_whose_read_again_fails_is_still_linked_and_read_whole_next_pass(sync_harness):
    # The record was made: a failed read after it must not turn the create into an error left unlinked (and made
    # again by the next pass).
    from qa_checklist.checks.pair import ScriptedFaults
    h = sync_harness(INTO_CUSTOMER)
    h.source.create({"name": "Ada", "city": "Oslo", "country": 161})
    fake = h.target.fake
    h.target.before_next_write(lambda: setattr(fake, "faults", ScriptedFaults(*["500"] * 8, on="reads")))
    report = h.run_pass()
    assert report.created == 1 and not report.errors, report.summary()
    assert len(h.links()) == 1
    h.target.fake.faults = ScriptedFaults()
    again = h.run_pass()
    assert (again.created, again.updated) == (0, 0) and len(h.target.records()) == 1, again.summary()


def test_the_description_says_it_as_data():
    assert describe("tripletex").selection.param == "fields"
    assert describe("tripletex").selection.named_only == ("changes",)
    assert describe("powerofficego").selection is None  # no other API answers only the fields asked for


def test_broken_on_purpose_a_connector_that_asks_for_no_fields_fails_the_property_items(sync_harness, monkeypatch):
    import sync.connectors.base as base

    monkeypatch.setattr(base.RestConnector, "selected", lambda self: {})
    with pytest.raises(Exception):
        checks.property_row(sync_harness, FROM_CUSTOMER, 1, "Oslo")


def test_told_twice_the_connector_asks_for_the_same_fields():
    from sync.connectors.registry import connector_for

    connector = connector_for("Tripletex", entity="customer", config={"password": "a-session-token"})
    connector.wants(["name", "postalAddress.city", "nickname"])  # a field the vendor lacks is not asked for
    connector.wants(["postalAddress.country.id"])
    assert connector.selected() == {"fields": "id,version,name,postalAddress(city,country(id))"}
