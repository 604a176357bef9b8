"""A crash between an API create and its link's commit; optimistic locking before updates."""
import pytest

from .builders import mapping, prop
from sync.engine import SyncEngine
from sync.harness import Harness
from sync.state import StateStore


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs."""


@pytest.mark.parametrize("target", ["Chargebee Customer", "Custom PMS Contact"])
def test_a_crash_after_the_create_and_before_the_link_commit_does_not_duplicate(tmp_path, target, monkeypatch):
    m = mapping("Custom CRM Contact", target, properties=[prop("name", "first_name")])
    with Harness(m, state_path=str(tmp_path / "state.db")) as h:
        h.source.create({"name": "Ada"})
        monkeypatch.setattr(SyncEngine, "_commit_created", lambda *a: (_ for _ in ()).throw(Crash()))
        with pytest.raises(Crash):
            h.run_pass()
        assert len(h.target.records()) == 1 and h.links() == []
        monkeypatch.undo()
        # A new process: a fresh engine on the same state file.
        state = StateStore(str(tmp_path / "state.db"))
        engine = SyncEngine(m, h.source_connector, h.target_connector, state)
        report = engine.run_pass()
        engine.run_pass()
        assert len(h.target.records()) == 1
        assert report.created == 0 and len(state.links(m.id)) == 1
        state.close()


def test_an_update_does_not_overwrite_what_it_has_not_seen_json_rest(sync_harness):
    h = sync_harness(mapping("Custom CRM Contact", "Custom PMS Contact", bidirectional=True,
                             properties=[prop("name", "name"), prop("phone", "phone")]))
    sid = h.source.create({"name": "Ada", "phone": "1"})
    h.run_pass()
    [(_, tid)] = h.links()
    h.source.edit(sid, {"name": "Augusta"})
    h.target.before_next_write(lambda: h.target.edit(tid, {"phone": "2"}))  # someone writes first
    h.run_pass()
    held = h.target.get(tid)
    assert held["name"] == "Augusta" and held["phone"] == "2"
    assert [r.method for r in h.target.requests if r.method != "GET" or "/" in r.path[1:]] == \
        ["POST", "PATCH", "GET", "PATCH"]
    assert h.source.get(sid)["phone"] == "2"


def test_an_update_does_not_overwrite_what_it_has_not_seen_chargebee(sync_harness):
    h = sync_harness(mapping("Custom CRM Contact", "Chargebee Customer", bidirectional=True,
                             properties=[prop("name", "first_name"), prop("phone", "phone")]))
    sid = h.source.create({"name": "Ada", "phone": "1"})
    h.run_pass()
    [(_, cid)] = h.links()
    h.source.edit(sid, {"name": "Augusta"})
    h.run_pass()  # the pass's listing saw the current target
    h.source.edit(sid, {"name": "Ada"})
    # A concurrent edit lands after our listing: the re-read before the write sees it.
    original = h.target_connector.list_records

    def list_then_edit(entity, since=None):
        result = original(entity, since)
        if entity == "Customer":
            h.target.edit(cid, {"phone": "2"})
        return result

    h.target_connector.list_records = list_then_edit
    h.run_pass()
    assert h.target.get(cid)["phone"] == "2" and h.target.get(cid)["first_name"] == "Ada"
