"""Running a suite of thousands of modules: costs that grow faster than the suite, removed.

* The collected items (tens of thousands of nodes, markers and fixtures) live until the session
  ends: once collected, they are moved out of the cyclic garbage collector's generations
  (`gc.freeze`), so its full collections no longer walk all of them again and again; they are
  unfrozen only after pytest's last collections at exit.
* A test allocates hundreds of thousands of short-lived containers (each HTTP request through
  requests and responses makes dozens): at the default threshold of 700 the collector ran about
  5,000 times per 3,800 tests, a tenth of the suite's CPU. The youngest generation is collected
  every 10,000 allocations instead, from configuration (collection allocates as much) to exit.
* xdist's `--dist loadfile`: on every finished test, its scheduler counts the worker's pending
  tests over every module the worker was ever given, and it finds each test's index with
  `list.index` over the whole collection: at 4,500 modules and 34,000 tests that is about 40 s of
  the controller's time, taken from the workers on a 2-core machine. The scheduler here assigns
  the same way (whole modules, in collection order, to a worker running low) with an index per
  worker, and forgets finished modules.
"""
from __future__ import annotations

import gc
from typing import Any

import pytest


YOUNGEST_GENERATION = 10_000


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # Cleanups run last-registered first, so this one runs after pytest's own full collections at
    # unconfigure (the unraisable-exception plugin's), which would otherwise walk every unfrozen item
    # again. A session run inside another process (pytester) still leaves nothing frozen behind.
    config.add_cleanup(gc.unfreeze)
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], YOUNGEST_GENERATION), *threshold[1:])
    config.add_cleanup(lambda: gc.set_threshold(*threshold))


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadfile":
        return None
    return _scheduler_class()(config, log)


def _scheduler_class() -> type:
    from xdist.scheduler import LoadFileScheduling  # only under xdist, which is a test dependency

    class IndexedLoadFileScheduling(LoadFileScheduling):
        def add_node_collection(self, node: Any, collection: Any) -> None:
            super().add_node_collection(node, collection)
            if node in self.registered_collections:
                self._indexes = getattr(self, "_indexes", {})
                self._indexes[node] = {nodeid: i for i, nodeid in enumerate(self.registered_collections[node])}

        def _assign_work_unit(self, node: Any) -> None:
            scope, work_unit = self.workqueue.popitem(last=False)
            self.assigned_work.setdefault(node, {})[scope] = work_unit
            index = self._indexes[node]
            node.send_runtest_some([index[nodeid] for nodeid, completed in work_unit.items() if not completed])

        def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
            nodeid = self.registered_collections[node][item_index]
            scope = self._split_scope(nodeid)
            workload = self.assigned_work[node]
            workload[scope][nodeid] = True
            if all(workload[scope].values()):
                del workload[scope]  # pending counts then only look at modules still running
            self._reschedule(node)

    return IndexedLoadFileScheduling
