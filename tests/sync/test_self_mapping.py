"""A collection synchronized with itself: a record is its own counterpart, and a pass settles."""
from .builders import key, mapping, prop

SWAP = [prop("Number", "OrganizationNumber"), prop("OrganizationNumber", "Number")]


def self_mapping(**kwargs):
    return mapping(("Custom ERP", "Customers"), ("Custom ERP", "Customers"), sync="link_required",
                   merge_keys=[key("EmailAddress", "EmailAddress")], bidirectional=True, **kwargs)


def test_rows_that_swap_two_fields_write_once_then_settle(sync_harness):
    h = sync_harness(self_mapping(properties=SWAP))
    rid = h.source.create({"EmailAddress": "a@example.com", "Number": "N1", "OrganizationNumber": "O1"})
    first = h.run_pass()
    assert h.links() == [(rid, rid)]
    assert first.errors == () and h.target.writes == 1, "both rows' changes go out in one write"
    assert (h.target.get(rid)["Number"], h.target.get(rid)["OrganizationNumber"]) == ("O1", "N1")
    writes = h.target.writes
    for _ in range(3):
        report = h.run_pass()
        assert report.updated == 0 and report.errors == ()
    assert h.target.writes == writes, "a pass over unchanged data writes nothing"
    assert (h.target.get(rid)["Number"], h.target.get(rid)["OrganizationNumber"]) == ("O1", "N1")


def test_an_edit_of_one_swapped_field_is_copied_once(sync_harness):
    h = sync_harness(self_mapping(properties=SWAP))
    rid = h.source.create({"EmailAddress": "a@example.com", "Number": "N1", "OrganizationNumber": "N1"})
    h.run_pass()
    h.source.edit(rid, {"Number": "N2"})
    h.run_pass()
    assert h.target.get(rid)["OrganizationNumber"] == "N2"
    writes = h.target.writes
    h.run_pass()
    h.run_pass()
    assert h.target.writes == writes
