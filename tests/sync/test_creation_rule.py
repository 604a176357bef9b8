"""Creation rule: create only when connected to a via entity synchronized into the target system."""
from .builders import mapping, prop

VIA = ("HubSpot Deal", "Quote", "Lineitem")


def rule_mapping():
    return mapping("HubSpot Contact", "Tripletex Customer", sync="link_required", via=VIA, into="Tripletex",
                   properties=[prop("properties.email", "email")])


def test_a_connected_source_whose_via_is_synchronized_is_created(sync_harness):
    h = sync_harness(rule_mapping())
    sid = h.source.create({"properties": {"email": "ada@example.com"}})
    h.connect(sid, "HubSpot Deal", "d1")
    h.mark_synchronized("HubSpot Deal", "d1")
    report = h.run_pass()
    assert report.created == 1
    [target] = h.target.records()
    assert target["email"] == "ada@example.com" and h.links() == [(sid, str(target["id"]))]
    # HubSpot keeps associations apart from the record: a read asks for them, as the engine's listing did.
    listing = next(r for r in h.source.requests if r.method == "GET")
    assert "deals" in listing.params["associations"].split(",")
    read = h.source_connector.get_record("Contact", sid)
    assert [a["id"] for a in read["associations"]["deals"]["results"]] == ["d1"]


def test_connected_but_not_synchronized_is_not_created(sync_harness):
    h = sync_harness(rule_mapping())
    sid = h.source.create({"properties": {"email": "ada@example.com"}})
    h.connect(sid, "Quote", "q1")
    h.mark_synchronized("Quote", "q-other")
    assert h.run_pass().skipped == 1
    assert h.target.records() == []


def test_a_via_entity_not_named_by_the_rule_does_not_count(sync_harness):
    h = sync_harness(rule_mapping())
    sid = h.source.create({"properties": {"email": "ada@example.com"}})
    h.connect(sid, "Ticket", "t1")
    h.mark_synchronized("Ticket", "t1")
    h.run_pass()
    assert h.target.records() == []


def test_a_skipped_source_is_created_once_its_via_becomes_synchronized(sync_harness):
    h = sync_harness(rule_mapping())
    sid = h.source.create({"properties": {"email": "ada@example.com"}})
    h.connect(sid, "Lineitem", "l1")
    assert h.run_pass().created == 0
    h.mark_synchronized("Lineitem", "l1")  # no edit on the source: the engine must look again by itself
    assert h.run_pass().created == 1
    assert len(h.target.records()) == 1
