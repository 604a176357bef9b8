"""`link_required`: never create; only linked pairs (by merge keys or established links) sync."""
from .builders import key, mapping, prop

LINKED_ONLY = dict(sync="link_required", properties=[prop("properties.email", "email"),
                                                     prop("properties.firstname", "firstName")])


def test_link_required_creates_nothing_without_a_link(sync_harness):
    h = sync_harness(mapping("HubSpot Contact", "Tripletex Contact", **LINKED_ONLY))
    h.source.create({"properties": {"email": "ada@example.com", "firstname": "Ada"}})
    report = h.run_pass()
    assert (report.created, report.skipped) == (0, 1)
    assert h.target.records() == [] and h.target.writes == 0


def test_an_established_link_is_synchronized(sync_harness):
    h = sync_harness(mapping("HubSpot Contact", "Tripletex Contact", **LINKED_ONLY))
    sid = h.source.create({"properties": {"email": "ada@example.com", "firstname": "Ada"}})
    tid = h.target.create({"email": "old@example.com"})
    h.run_pass()
    h.link(sid, tid)
    report = h.run_pass()
    assert report.updated == 1
    assert h.target.get(tid)["firstName"] == "Ada"
    assert h.links() == [(sid, tid)]


def test_merge_keys_provide_the_link(sync_harness):
    h = sync_harness(mapping("HubSpot Contact", "Tripletex Contact", merge_keys=[key("properties.email", "email")],
                             **LINKED_ONLY))
    tid = h.target.create({"email": "ada@example.com"})
    sid = h.source.create({"properties": {"email": "ada@example.com", "firstname": "Ada"}})
    h.source.create({"properties": {"email": "bob@example.com"}})
    report = h.run_pass()
    assert (report.linked, report.created, report.skipped) == (1, 0, 1)
    assert h.target.get(tid)["firstName"] == "Ada" and h.links() == [(sid, tid)]
