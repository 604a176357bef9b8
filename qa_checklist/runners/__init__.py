"""How a run is made and where its suite and report go: workers sharing a module queue, shards and their merge,
incremental runs, what a report says about its run. Above the report, which it writes; never the checks."""
