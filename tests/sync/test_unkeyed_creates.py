"""Creates to an API that takes no idempotency key (every system whose API is not modelled): never resent
blindly, found again when the API made them, sent again when it did not."""
import pytest

from .builders import key, mapping, prop
from qa_checklist.checks.pair import ScriptedFaults as Always  # the faults go to the writes, in order
from sync.connectors.registry import api_model
from sync.engine import SyncEngine
from sync.harness import Harness
from sync.state import StateStore

PROPS = [prop("email", "email"), prop("name", "first_name"), prop("age", "age", "integer")]
GENERIC = "Salesforce Account"  # no model of Salesforce's API: the generic one


def harness(**kwargs) -> Harness:
    return Harness(mapping("Custom CRM Contact", GENERIC, properties=PROPS, **kwargs))


def posts(h) -> list:
    return [r for r in h.target.requests if r.method == "POST"]


def test_the_generic_api_offers_no_idempotency_key_conditional_update_or_changed_since_filter():
    with harness() as h:
        connector = h.target_connector
        assert (connector.idempotency_header, connector.conditional_writes, connector.since_param) == (None, False, None)
    assert api_model("Salesforce").kind == "generic" and api_model("MemberCare").kind == "declared"
    assert api_model("Chargebee").kind == "described"


def test_a_create_whose_answer_was_lost_is_found_again_not_made_twice():
    with harness() as h:
        h.target.fake.faults = Always("lost")  # made, and the answer never arrives
        sid = h.source.create({"email": "a@example.com", "name": "Ada", "age": "36"})
        report = h.run_pass()
        assert not report.errors and report.created == 1
        assert len(posts(h)) == 1, "a create without an idempotency key was sent again after its answer was lost"
        [record] = h.target.records()
        assert h.links() == [(sid, str(record["id"]))]
        assert h.run_pass().created == 0 and len(h.target.records()) == 1


@pytest.mark.parametrize("fault", ["500", "503"])
def test_a_create_refused_with_a_server_error_is_looked_for_then_sent_again(fault):
    with harness() as h:
        h.target.fake.faults = Always(fault)
        sid = h.source.create({"email": "a@example.com", "name": "Ada", "age": "36"})
        report = h.run_pass()
        assert not report.errors and report.created == 1
        assert [r.fault for r in posts(h)] == [fault, None]
        listings = [r for r in h.target.requests if r.method == "GET"]
        assert len(listings) == 2, "before sending it again, the engine must look for the record the create may have made"
        [record] = h.target.records()
        assert h.links() == [(sid, str(record["id"]))]


@pytest.mark.parametrize("fault", ["429", "timeout"])
def test_a_create_the_api_surely_did_not_act_on_is_retried_by_the_transport(fault):
    with harness() as h:
        h.target.fake.faults = Always(fault)
        h.source.create({"email": "a@example.com", "name": "Ada"})
        report = h.run_pass()
        assert not report.errors and report.created == 1
        assert [r.fault for r in posts(h)] == [fault, None]
        assert len(h.target.records()) == 1


def test_a_create_that_stays_unknown_is_reported_and_finished_in_the_next_pass():
    with harness() as h:
        h.target.fake.faults = Always(*["500"] * 7)  # the create and each of its resends refused
        sid = h.source.create({"email": "a@example.com", "name": "Ada"})
        report = h.run_pass()
        [error] = report.errors
        assert error.entity_id == sid and "may have been made" in error.message, error
        assert len(posts(h)) == 7 and h.target.records() == []
        report = h.run_pass()
        assert (report.created, report.errors) == (1, ())
        [record] = h.target.records()
        assert h.links() == [(sid, str(record["id"]))]


def test_a_create_made_in_a_pass_that_ended_unknown_is_found_in_the_next():
    with harness() as h:
        h.target.fake.faults = Always("lost")  # made, and the answer never arrives
        # ... and from then on the API answers no listing, so the pass cannot look for it
        h.target.before_next_write(lambda: setattr(h.target.fake, "faults", Always(*["500"] * 8, on="reads")))
        sid = h.source.create({"email": "a@example.com", "name": "Ada"})
        report = h.run_pass()
        assert [e.entity_id for e in report.errors] == [sid] and "could not be looked for" in report.errors[0].message
        h.target.fake.faults = Always()
        report = h.run_pass()
        assert report.errors == () and len(posts(h)) == 1, "the create the API made was sent again"
        [record] = h.target.records()
        assert h.links() == [(sid, str(record["id"]))]


def test_a_record_that_was_there_before_is_not_taken_for_the_lost_create():
    with harness() as h:
        h.target.create({"email": "a@example.com", "first_name": "Ada"})  # by hand, holding the same fields
        h.run_pass()
        h.target.fake.faults = Always("500")  # refused: nothing made
        h.source.create({"email": "a@example.com", "name": "Ada"})
        report = h.run_pass()
        assert not report.errors and len(h.target.records()) == 2
        [(_, tid)] = h.links()
        assert tid != str(h.target.records()[0]["id"])


def test_a_record_linked_to_another_source_is_not_taken_for_the_lost_create():
    with harness() as h:
        h.source.create({"email": "a@example.com", "name": "Ada"})
        h.run_pass()
        h.target.fake.faults = Always("503")
        h.source.create({"email": "a@example.com", "name": "Ada"})  # the same fields, another person
        report = h.run_pass()
        assert not report.errors and len(h.target.records()) == 2 and len({t for _, t in h.links()}) == 2


def test_a_record_made_for_another_source_in_the_same_pass_is_not_taken_for_a_create_left_unknown():
    with harness() as h:
        first = h.source.create({"email": "a@example.com", "name": "Ada"})
        second = h.source.create({"email": "a@example.com", "name": "Ada"})  # the same fields, another person
        h.target.fake.faults = Always(None, *["500"] * 7)  # the first create made; the second refused throughout
        report = h.run_pass()
        assert [e.entity_id for e in report.errors] == [second]
        h.target.fake.faults = Always()
        h.run_pass()
        assert len(h.target.records()) == 2 and len({t for _, t in h.links()}) == 2
        assert {s for s, _ in h.links()} == {first, second}


def test_a_record_linked_by_other_means_is_not_taken_for_a_create_left_unknown():
    with harness() as h:
        h.target.fake.faults = Always(*["500"] * 7)  # refused throughout: nothing made, the outcome unknown
        unknown = h.source.create({"email": "a@example.com", "name": "Ada"})
        assert h.run_pass().errors
        h.target.fake.faults = Always()
        linked = h.source.create({"email": "a@example.com", "name": "Ada"})  # the same fields, another person
        h.link(linked, h.target.create({"email": "a@example.com", "first_name": "Ada"}))  # linked by hand meanwhile
        h.run_pass()
        assert len(h.target.records()) == 2 and len({t for _, t in h.links()}) == 2
        assert {s for s, _ in h.links()} == {unknown, linked}


def test_a_lost_create_found_by_its_merge_key_is_linked_once():
    with harness(merge_keys=[key("email", "email")]) as h:
        h.target.fake.faults = Always("lost")
        sid = h.source.create({"email": "a@example.com", "name": "Ada"})
        h.run_pass()
        h.run_pass()
        assert len(h.target.records()) == 1 and [s for s, _ in h.links()] == [sid]


def test_a_crash_after_the_create_and_before_the_link_commit_is_found_by_the_next_process(tmp_path, monkeypatch):
    m = mapping("Custom CRM Contact", GENERIC, properties=PROPS)
    with Harness(m, state_path=str(tmp_path / "state.db")) as h:
        sid = h.source.create({"email": "a@example.com", "name": "Ada"})

        def crash(*args):
            raise KeyboardInterrupt  # the process dies: nothing after it runs
        monkeypatch.setattr(SyncEngine, "_commit_created", crash)
        with pytest.raises(KeyboardInterrupt):
            h.run_pass()
        monkeypatch.undo()
        state = StateStore(str(tmp_path / "state.db"))
        report = SyncEngine(m, h.source_connector, h.target_connector, state).run_pass()
        assert (report.created, report.errors) == (0, ())
        [record] = h.target.records()
        assert [(s, t) for s, (t, _) in state.links(m.id).items()] == [(sid, str(record["id"]))]
        state.close()


def test_with_faults_at_20_percent_repeated_passes_reach_the_fault_free_end_state():
    results = []
    for rate in (0.0, 0.2):
        with Harness(mapping("Custom CRM Contact", GENERIC, properties=PROPS, bidirectional=True),
                     fault_rate=rate, seed=7) as h:
            ids = [h.source.create({"email": f"p{i}@example.com", "name": f"N{i}", "age": str(i)}) for i in range(60)]
            h.run_until_settled()
            for rid in ids[:10]:
                h.source.edit(rid, {"name": "Changed"})
            assert not h.run_until_settled()[-1].errors
            if rate:
                assert h.faults.injected.get("lost", 0) > 0 and h.faults.injected.get("500", 0) > 0
            assert len(h.links()) == 60
            results.append(sorted((r["email"], r["first_name"], r["age"]) for r in h.target.records()))
    assert results[0] == results[1] and len(results[1]) == 60  # nothing lost, nothing made twice


def test_an_update_re_reads_the_record_since_the_api_has_no_conditional_update():
    with Harness(mapping("Custom CRM Contact", GENERIC, properties=PROPS, bidirectional=True)) as h:
        sid = h.source.create({"email": "a@example.com", "name": "Ada"})
        h.run_pass()
        [(_, tid)] = h.links()
        h.source.edit(sid, {"name": "Augusta"})
        h.target.before_next_write(lambda: h.target.edit(tid, {"age": 40}))  # someone writes first: unseen
        h.run_pass()
        [patch] = [r for r in h.target.requests if r.method == "PATCH"]
        assert "If-Match" not in patch.headers
        assert [r.method for r in h.target.requests if r.method != "POST"][-2:] == ["GET", "PATCH"]
        assert h.target.get(tid)["first_name"] == "Augusta"
