"""A value that cannot be coerced is reported for its entity, which is left untouched."""
from .builders import mapping, prop


def test_uncoercible_value_is_reported_and_the_rest_of_the_pass_goes_on(sync_harness):
    h = sync_harness(mapping(properties=[prop("name", "first_name"), prop("days", "net_term_days", "integer")]))
    bad = h.source.create({"name": "Bad", "days": "thirty"})
    h.source.create({"name": "Good", "days": "30"})
    report = h.run_pass()
    [error] = report.errors
    assert error.entity_id == bad and "integer" in error.message
    assert report.created == 1
    assert [r["first_name"] for r in h.target.records()] == ["Good"]


def test_an_update_with_an_uncoercible_value_leaves_the_target_untouched(sync_harness):
    h = sync_harness(mapping(properties=[prop("name", "first_name"), prop("days", "net_term_days", "integer")]))
    sid = h.source.create({"name": "Ada", "days": "30"})
    h.run_pass()
    [(_, tid)] = h.links()
    before = h.target.get(tid)
    h.source.edit(sid, {"name": "Augusta", "days": "soon"})
    report = h.run_pass()
    assert [e.entity_id for e in report.errors] == [sid]
    assert h.target.get(tid) == before
    h.source.edit(sid, {"days": "45"})
    h.run_pass()
    assert h.target.get(tid)["first_name"] == "Augusta" and h.target.get(tid)["net_term_days"] == 45
