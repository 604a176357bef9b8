"""`every`: unlinked sources get a target created and linked; no echo; never inserted back."""
from .builders import key, mapping, prop


def test_every_source_gets_a_target_with_its_mapped_properties(sync_harness):
    h = sync_harness(mapping(properties=[prop("first_name", "first_name"), prop("city", "billing_address.city"),
                                         prop("age", "net_term_days", "integer")]))
    sid = h.source.create({"first_name": "Ada", "city": "Oslo", "age": "42"})
    report = h.run_pass()
    assert report.created == 1
    [(linked_source, tid)] = h.links()
    assert linked_source == sid
    held = h.target.get(tid)
    assert held["first_name"] == "Ada" and held["billing_address"] == {"city": "Oslo"}
    assert held["net_term_days"] == 42
    [create] = [r for r in h.target.requests if r.method == "POST"]
    assert create.body == {"first_name": "Ada", "billing_address": {"city": "Oslo"}, "net_term_days": "42"}


def test_empty_property_table_still_creates_and_links(sync_harness):
    h = sync_harness(mapping("Salesforce Currencytype", "MemberCare Companycategories"))
    h.source.create({"IsoCode": "NOK"})
    h.source.create({"IsoCode": "EUR"})
    assert h.run_pass().created == 2
    assert len(h.target.records()) == 2 and len(h.links()) == 2


def test_a_pass_over_unchanged_data_writes_nothing(sync_harness):
    h = sync_harness(mapping(properties=[prop("first_name", "first_name")], bidirectional=True))
    h.source.create({"first_name": "Ada"})
    h.run_pass()
    source_writes, target_writes = h.source.writes, h.target.writes
    second = h.run_pass()
    assert (second.created, second.updated) == (0, 0)
    assert (h.source.writes, h.target.writes) == (source_writes, target_writes)


def test_what_the_engine_created_is_not_inserted_back_into_its_source(sync_harness):
    same = mapping("HubSpot Company", "HubSpot Company", properties=[prop("properties.name", "properties.name")])
    h = sync_harness(same)
    h.source.create({"properties": {"name": "Acme"}})
    assert h.run_pass().created == 1
    for _ in range(3):
        assert h.run_pass().created == 0
    assert len(h.target.records()) == 2  # the original and its one copy, nothing more


def test_created_target_stays_linked_even_when_merge_keys_differ(sync_harness):
    h = sync_harness(mapping(properties=[prop("first_name", "first_name")], merge_keys=[key("email", "email")],
                             bidirectional=True))
    sid = h.source.create({"first_name": "Ada", "email": "ada@example.com"})
    h.run_pass()
    [(_, tid)] = h.links()
    h.target.edit(tid, {"email": "someone-else@example.com", "first_name": "Adaline"})
    h.run_pass()
    assert h.links() == [(sid, tid)]
    assert h.source.get(sid)["first_name"] == "Adaline"
    assert len(h.target.records()) == 1
