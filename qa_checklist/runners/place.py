"""Where a run's report goes, so that no run clobbers another's (issue 28, item 2).

`report/qa-checklist.html` is the report of the committed suite's full run. A run over another
specs folder writes its own report beside its suite (`<suite>-report/qa-checklist.html`), and a
run that leaves items out (`-k`, `-m`, `--lf`, `--deselect`, `-x`, node ids, a shard) writes
`<name>.partial.html` beside the report it would have replaced, compares its history with that
full report, and is marked partial (`run.partial`): the full report stays the history baseline.
`--report PATH` is taken as given (the run still marks itself partial).
"""
from __future__ import annotations

from pathlib import Path

from .suites import DEFAULT_OUT, suite_folder

DEFAULT_REPORT = Path("report") / "qa-checklist.html"

# pytest options that leave collected tests out of the run, with whether they take a value
_LEAVING_OUT = {"-k": True, "-m": True, "--deselect": True, "--lf": False, "--last-failed": False,
                "--sw": False, "--stepwise": False, "--sw-skip": False, "--stepwise-skip": False,
                "-x": False, "--exitfirst": False, "--maxfail": True, "--splits": True, "--group": True}
_TAKES_VALUE = {"-p", "-n", "--numprocesses", "--dist", "-c", "--rootdir", "--confcutdir", "--basetemp", "-o",
                "--override-ini", "--hypothesis-profile", "--hypothesis-seed", "--api-faults", "--qa-report",
                "--qa-baseline", "--qa-queue", "--junitxml", "--junit-xml", "-W", "--pythonwarnings", "--tb",
                "--durations", "--timeout", "--store-durations", "--durations-path", "--splitting-algorithm",
                "--log-level", "-r", "--color", "--import-mode", "--ignore", "--ignore-glob", "--maxprocesses",
                "--transport", "--vocabulary", "--sut", "--sut-server", "--repro-dir"}


def leaves_out(args: list[str]) -> str | None:
    """How pytest arguments leave items out of the run (`-k contact`), or None when they run them all."""
    said: list[str] = []
    position = 0
    while position < len(args):
        argument = args[position]
        name, equals, value = argument.partition("=")
        if name in _LEAVING_OUT:
            if _LEAVING_OUT[name] and not equals:
                value = args[position + 1] if position + 1 < len(args) else ""
                position += 1
            said.append(f"{name} {value}".strip())
        elif len(argument) > 2 and argument[0] == "-" and argument[1] in "km" and argument[1] != "-":
            said.append(f"{argument[:2]} {argument[2:]}")  # -kcontact
        elif name in _TAKES_VALUE and not equals:
            position += 1
        elif not argument.startswith("-"):
            said.append(argument)  # a module, a folder or a node id: only that part of the suite
        position += 1
    return ", ".join(said) or None


def partial_path(report: Path) -> Path:
    """`report/qa-checklist.partial.html` beside `report/qa-checklist.html`."""
    return report.with_name(f"{report.stem}.partial{report.suffix}")


def place_report(specs: Path, out: Path | None, report: Path | None, pytest_args: list[str],
                 say=print, variant: str = "") -> tuple[Path, list[str]]:
    """The report path for this run, and the pytest arguments (a partial run's compare with the full report).
    `variant` (".sut": a run against another system under test) names a report of its own beside the default."""
    if report is not None:
        return report, pytest_args  # as given; a partial run marks itself partial
    suite, _note = suite_folder(specs, out)
    report = DEFAULT_REPORT.with_name(f"{DEFAULT_REPORT.stem}{variant}{DEFAULT_REPORT.suffix}")
    if suite.resolve() != DEFAULT_OUT.resolve():
        report = suite.parent / f"{suite.name}-report" / report.name
        say(f"qa-checklist: the report of {specs} goes beside its suite, to {report}; {DEFAULT_REPORT} is left "
            "alone (--report PATH to choose)")
    why = leaves_out(pytest_args)
    if why is None:
        return report, pytest_args
    full, report = report, partial_path(report)
    say(f"qa-checklist: this run leaves items out ({why}): its report goes to {report}, and {full} stays the "
        "full report its history compares with")
    if full.with_suffix(".json").is_file() and not any(a.startswith("--qa-baseline") for a in pytest_args):
        pytest_args = [f"--qa-baseline={full}", *pytest_args]
    return report, pytest_args


def run_leaves_out(config) -> str | None:
    """For the report's `run.partial`: how the user's own pytest arguments leave items out, or None."""
    args = [str(a) for a in config.invocation_params.args]
    root = Path(config.invocation_params.dir)
    suites = {a for a in args if not a.startswith("-") and (root / a / "checklist.json").is_file()}
    return leaves_out([a for a in args if a not in suites])


def said_where(terminalreporter, path: Path, started_at: str) -> None:
    """The last line of a `pytest --qa-report` run: where this run's report is, or that it wrote none."""
    from ..report.file import read_report

    data = read_report(path)
    run = (data or {}).get("run") or {}
    json_file = path.with_suffix(".json")
    if data is None or str(run.get("started_at", "")) < started_at:
        terminalreporter.write_line(f"QA checklist report: none written to {path}", red=True)
        return
    partial = f" (partial: {run['partial']})" if run.get("partial") else ""
    where = f"{path}" + ("" if path.suffix == ".json" else f" (JSON: {json_file})")
    terminalreporter.write_line(f"QA checklist report{partial}: {where}")


class SaidWhere:
    """Registered beside the report collector: says at the end of the run where the report went."""

    def __init__(self, config, path: Path):
        self.config = config
        self.path = path

    def pytest_terminal_summary(self, terminalreporter) -> None:
        collector = self.config.pluginmanager.get_plugin("qa-checklist-report")
        if collector is None or self.config.getoption("qa_queue", None):
            return  # a worker of qa-checklist --workers: the merged report is said by qa-checklist
        said_where(terminalreporter, self.path, collector.started_at)
