"""Merge keys: match before creating, listing the target once; duplicates are treated as one."""
from .builders import key, mapping, prop

MERGE = dict(properties=[prop("name", "company"), prop("email", "email")], merge_keys=[key("email", "email")])


def test_a_matching_target_is_linked_instead_of_created(sync_harness):
    h = sync_harness(mapping(**MERGE))
    tid = h.target.create({"email": "ada@example.com", "company": "Old"})
    sid = h.source.create({"email": "ada@example.com", "name": "New"})
    report = h.run_pass()
    assert (report.created, report.linked) == (0, 1)
    assert h.links() == [(sid, tid)]
    assert not [r for r in h.target.requests if r.method == "POST" and r.path == "/customers"]
    assert h.target.get(tid)["company"] == "New"  # linked pairs are synchronized


def test_the_target_side_is_listed_once_however_many_sources(sync_harness):
    h = sync_harness(mapping("Custom CRM Contact", "Custom PMS Contact", **MERGE))
    for i in range(5):
        h.target.create({"email": f"p{i}@example.com"})
        h.source.create({"email": f"p{i}@example.com", "name": f"N{i}"})
    assert h.run_pass().linked == 5
    reads = [(r.method, r.path) for r in h.target.requests if r.method == "GET"]
    assert reads == [("GET", "/contact")]  # one listing, matched in memory, no lookups


def test_an_empty_value_never_matches(sync_harness):
    h = sync_harness(mapping(**MERGE))
    h.target.create({"email": "", "company": "Blank"})
    h.source.create({"email": "", "name": "Also blank"})
    h.source.create({"name": "No email at all"})
    assert h.run_pass().created == 2
    assert len(h.target.records()) == 3


def test_any_one_merge_key_combination_is_enough(sync_harness):
    h = sync_harness(mapping(properties=[prop("name", "company")],
                             merge_keys=[key("email", "email"), key("phone", "phone")]))
    tid = h.target.create({"email": "other@example.com", "phone": "+47 1234"})
    sid = h.source.create({"email": "ada@example.com", "phone": "+47 1234", "name": "Ada"})
    assert h.run_pass().linked == 1
    assert h.links() == [(sid, tid)]


def test_two_sources_sharing_a_merge_key_are_treated_as_one(sync_harness):
    h = sync_harness(mapping(**MERGE))
    first = h.source.create({"email": "ada@example.com", "name": "Ada"})
    second = h.source.create({"email": "ada@example.com", "name": "Ada L."})
    report = h.run_pass()
    assert report.created == 1 and report.merged == 1
    [target] = h.target.records()
    assert sorted(h.links()) == sorted([(first, target["id"]), (second, target["id"])])


def test_merge_or_create_links_and_updates_or_creates(sync_harness):
    h = sync_harness(mapping(merge_or_create=True, **MERGE))
    tid = h.target.create({"email": "ada@example.com", "company": "Old"})
    h.source.create({"email": "ada@example.com", "name": "New"})
    h.source.create({"email": "bob@example.com", "name": "Bob Inc"})
    report = h.run_pass()
    assert (report.linked, report.created, report.updated) == (1, 1, 1)
    assert h.target.get(tid)["company"] == "New"
    assert sorted(r["email"] for r in h.target.records()) == ["ada@example.com", "bob@example.com"]


def test_a_system_merging_with_itself_neither_loops_nor_duplicates(sync_harness):
    m = mapping("HubSpot Company", "HubSpot Company", merge_or_create=True,
                merge_keys=[key("id", "id")], properties=[prop("properties.name", "properties.name")])
    h = sync_harness(m)
    a = h.source.create({"properties": {"name": "Acme"}})
    b = h.source.create({"properties": {"name": "Beta"}})
    reports = [h.run_pass() for _ in range(3)]
    assert sum(r.created for r in reports) == 0
    assert h.links() == sorted([(a, a), (b, b)])
    assert h.target.writes == 0 and len(h.target.records()) == 2


def test_numbers_and_their_text_match(sync_harness):
    m = mapping("HubSpot Contact", "Tripletex Customer", merge_keys=[key("id", "customerNumber")])
    h = sync_harness(m)
    tid = h.target.create({"customerNumber": 1001})
    sid = h.source.create({"id": "1001"})
    assert h.run_pass().linked == 1
    assert h.links() == [(sid, tid)]
