"""Benchmark of the sync engine through the fake APIs (a script, not a test).

N source entities with merge keys and properties: a first pass, a pass with nothing
changed, then a pass with 1% changed. API calls are counted from what the fake APIs
received. The `min_` figures are the fewest calls the API allows: list pages of 100 on each
side (an empty list still costs one call) plus one write per created or changed entity.
The last line printed is JSON.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.model import EntityMapping, MergeKey, PropertyMapping  # noqa: E402
from sync.harness import Harness  # noqa: E402

PAGE = 100


def bench_mapping(source: str, target: str) -> EntityMapping:
    f = "benchmarks/sync_bench.py"
    props = (("email", "email", "string"), ("first_name", "firstname", "string"),
             ("last_name", "lastname", "string"), ("age", "age", "integer"), ("city", "address.city", "string"))
    return EntityMapping(
        id="bench", title="bench", file=f, line=1, source_system=source, source_entity="Contact",
        target_system=target, target_entity="Persons", sync="every", condition=None,
        create_when_connected=None, merge_or_create=True, merge_keys=(MergeKey("email", "email", f, 1),),
        bidirectional=True, properties=tuple(PropertyMapping(s, t, ty, f, 1) for s, t, ty in props),
    )


def pages(n: int) -> int:
    return max(1, math.ceil(n / PAGE))


def calls(h: Harness) -> int:
    fakes = {id(h.source.fake): h.source.fake, id(h.target.fake): h.target.fake}
    return sum(len(f.log) for f in fakes.values())


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--source", default="Custom CRM")
    parser.add_argument("--target", default="MemberCare")
    args = parser.parse_args(argv)
    n = args.entities
    with Harness(bench_mapping(args.source, args.target)) as h:
        ids = [h.source.create({"email": f"p{i}@example.com", "first_name": f"First{i}", "last_name": f"Last{i}",
                                "age": str(20 + i % 60), "city": "Oslo"}) for i in range(n)]
        start = time.perf_counter()
        first = h.run_pass()
        first_s = time.perf_counter() - start
        after_first = calls(h)
        writes_before = h.target.writes + (h.source.writes if h.source.fake is not h.target.fake else 0)
        resync = h.run_pass()
        after_resync = calls(h)
        resync_writes = h.target.writes + (h.source.writes if h.source.fake is not h.target.fake else 0) - writes_before
        changed = ids[:: max(1, n // max(1, n // 100))][: max(1, n // 100)]
        for rid in changed:
            h.source.edit(rid, {"city": "Bergen"})
        delta = h.run_pass()
        after_delta = calls(h)
        assert not (first.errors or resync.errors or delta.errors), (first.errors, resync.errors, delta.errors)
        assert len(h.target.records()) == n
        result = {
            "entities": n,
            "first_pass_s": round(first_s, 3),
            "api_calls": after_first,
            "min_api_calls": pages(n) + pages(0) + n,
            "resync_writes": resync_writes,
            "resync_api_calls": after_resync - after_first,
            "delta_api_calls": after_delta - after_resync,
            "min_delta_api_calls": pages(len(changed)) + pages(0) + len(changed),
        }
    print(f"first pass: {first.summary()}")
    print(f"resync:     {resync.summary()}")
    print(f"delta:      {delta.summary()}")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
