"""Which shard of the suite a run is: pytest-split's `--splits N --group K`, recorded in its partial report.

pytest-split cuts the collected tests, in collection order, into N contiguous slices of about
equal recorded duration (`.test_durations`, written by `--store-durations`; by count without it),
so every machine with the same suite and durations file runs the same slice. Every test builds
its own fakes and state, so a module cut at a slice's edge runs correctly in two shards.
"""
from __future__ import annotations

import pytest


def shard_of(config: pytest.Config) -> dict[str, int] | None:
    """`{"group": K, "splits": N}` when this run is one of N shards, else None."""
    splits = config.getoption("splits", default=None)
    group = config.getoption("group", default=None)
    if not splits or not group:
        return None
    return {"group": int(group), "splits": int(splits)}
