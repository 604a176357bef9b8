"""The loadfile scheduler keeps xdist's assignment (whole modules, each test once) without its quadratic cost."""
from types import SimpleNamespace

import pytest

pytest.importorskip("xdist")
from xdist.scheduler import LoadFileScheduling  # noqa: E402

from qa_checklist.scale import _scheduler_class  # noqa: E402


class Worker:
    def __init__(self, name: str):
        self.name, self.sent, self.shutting_down = name, [], False
        self.gateway = SimpleNamespace(id=name)

    def send_runtest_some(self, indexes):
        self.sent.extend(indexes)

    def shutdown(self):
        self.shutting_down = True


def drive(scheduler_class, collection):
    """Runs a collection through a scheduler, the workers finishing tests in turn; what each was sent."""
    values = {"tx": ["2*popen"], "dist": "loadfile"}
    config = SimpleNamespace(option=SimpleNamespace(loadscopereorder=False), getvalue=values.get)
    scheduler = scheduler_class(config, None)
    workers = [Worker("gw0"), Worker("gw1")]
    for worker in workers:
        scheduler.add_node(worker)
    for worker in workers:
        scheduler.add_node_collection(worker, collection)
    scheduler.schedule()
    done = {w: 0 for w in workers}
    while any(done[w] < len(w.sent) for w in workers):
        for worker in workers:
            if done[worker] < len(worker.sent):
                scheduler.mark_test_complete(worker, worker.sent[done[worker]])
                done[worker] += 1
    assert scheduler.tests_finished and not scheduler.has_pending
    return {w.name: [collection[i] for i in w.sent] for w in workers}


def test_same_assignment_as_xdist_every_test_once_modules_whole():
    collection = [f"suite/doc_{m // 3}/test_m{m}.py::test_{t}" for m in range(40) for t in range((m % 5) + 1)]
    ours, theirs = drive(_scheduler_class(), collection), drive(LoadFileScheduling, collection)
    assert ours == theirs
    assert sorted(ours["gw0"] + ours["gw1"]) == sorted(collection)
    modules = [{n.split("::")[0] for n in ours[w]} for w in ("gw0", "gw1")]
    assert not modules[0] & modules[1] and all(modules)


def test_gc_threshold_raised_for_the_run_and_restored_at_exit():
    import gc

    from qa_checklist import scale

    cleanups = []
    config = SimpleNamespace(add_cleanup=cleanups.append)
    outer = gc.get_threshold()  # this very run has raised it already: start from Python's default
    gc.set_threshold(700, 10, 10)
    try:
        scale.pytest_configure(config)
        assert gc.get_threshold() == (scale.YOUNGEST_GENERATION, 10, 10)
        for cleanup in reversed(cleanups):  # as pytest runs them: last registered first
            cleanup()
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*outer)
