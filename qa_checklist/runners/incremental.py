"""Incremental runs (`--qa-changed`): run only the sections whose inputs changed since a previous report.

A section is carried forward, not run, when the previous report (the baseline) was made by the
same product code with the same options, holds the same hash for the section (`inputs.sections`)
and has a result for every one of its items. Its items are then copied from the baseline, marked
`carried_from` with the run that produced them (kept through any number of carries). Everything
else runs: new or edited sections, sections with items the baseline did not run, tests outside
a generated suite, and the whole suite when the code or the options differ.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pytest

from ..report.build import summarize
from ..report.history import read_baseline, report_problem
from ..report.inputs import code_sha256, options_key, sections
from ..shared.manifest import find_manifest


class Baseline:
    """The previous report and what may be carried from it into this run."""

    def __init__(self, config: pytest.Config, path: Path):
        self.path = path
        self.report, warning = read_baseline(path)
        if self.report is None:
            # A malformed baseline is ignored, not the run's end: everything runs, and the report is written.
            self.reason = f"warning: {warning}; running everything" if warning else \
                f"no previous report at {path}: running everything"
            return
        inputs = self.report.get("inputs") or {}
        self.reason = ""
        incomplete = report_problem(self.report, complete=True)  # its items are copied into this run's report
        if incomplete:
            self.reason = f"warning: {path}: items cannot be carried from it ({incomplete}): running everything"
        elif inputs.get("code_sha256") != code_sha256():
            self.reason = "the product code changed since the previous report: running everything"
        elif inputs.get("options") != options_key(config):
            self.reason = f"the previous report ran with other options ({inputs.get('options')}): running everything"
        self._sections = inputs.get("sections") if isinstance(inputs.get("sections"), dict) else {}
        self._items = {m["id"]: m["items"] for d in self.report.get("dataflows", []) for m in d["mappings"]}

    @property
    def usable(self) -> bool:
        return self.report is not None and not self.reason

    def carried(self, manifest: Path) -> set[str]:
        """The ids of the manifest's sections whose results can be carried from the baseline."""
        if not self.usable:
            return set()
        return {mid for mid, section in sections(manifest).items()
                if self._sections.get(mid) == section["sha256"] and self._items.get(mid)
                and all(i["status"] != "not_testable" for i in self._items[mid])}

    def carry_into(self, report: dict, manifests: Iterable[Path]) -> None:
        """Replaces the carried sections' items in `report` with the baseline's, marked as carried."""
        carried = set().union(*(self.carried(m) for m in set(manifests)))
        if not carried:
            return
        started_at = (self.report.get("inputs") or {}).get("started_at")
        for dataflow in report["dataflows"]:
            for mapping in dataflow["mappings"]:
                if mapping["id"] not in carried:
                    continue
                previous = {i["id"]: i for i in self._items[mapping["id"]]}
                for index, item in enumerate(mapping["items"]):
                    old = previous.get(item["id"])
                    if old is not None:
                        mapping["items"][index] = {**old, "carried_from": old.get("carried_from")
                                                   or {"started_at": started_at}}
        summarize(report)


class ChangedOnly:
    """Deselects the tests of carried sections; on xdist workers too, so every process agrees."""

    def __init__(self, baseline: Baseline):
        self.baseline = baseline
        self._modules: dict[Path, set[str]] = {}  # manifest -> modules of its carried sections

    def carried_modules(self, manifest: Path) -> set[str]:
        if manifest not in self._modules:
            found = sections(manifest)
            self._modules[manifest] = {found[mid]["module"] for mid in self.baseline.carried(manifest)}
        return self._modules[manifest]

    def pytest_terminal_summary(self, terminalreporter) -> None:
        terminalreporter.write_line(
            f"qa-checklist: {self.baseline.reason or f'ran what changed since {self.baseline.path}'}")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if not self.baseline.usable:
            return
        keep, skip = [], []
        manifests: dict[Path, Path | None] = {}
        for item in items:
            folder = Path(item.path).parent
            if folder not in manifests:
                manifests[folder] = find_manifest(item.path)
            manifest = manifests[folder]
            module = Path(item.path).resolve().relative_to(manifest.parent).as_posix() if manifest else None
            (skip if module and module in self.carried_modules(manifest) else keep).append(item)
        if skip:
            items[:] = keep
            config.hook.pytest_deselected(items=skip)
