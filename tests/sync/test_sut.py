"""The checks against a system under test in another process (issue 29): the protocol, both adapters, a
service broken on purpose, and what a SUT without a capability makes of the checks that need it."""
import io
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from sync.protocol_server import PROTOCOL, serve
from sync.sut.base import Unsupported
from sync.sut.command import CommandSut
from sync.sut.base import SutError
from tests.sync.builders import mapping, prop

REPO = Path(__file__).parents[2]
MODULE = "generated_tests/examples/customcrm_membercare_example/test_customer_to_companies.py"
SERVER = "sync-run --serve-protocol"
COMMAND = ("sync-run --model {model} --mapping {mapping} --config {config} --state {state} --report {report} "
           "--links {links}")


def talk(*requests: dict) -> list[dict]:
    lines = b"".join(json.dumps(r).encode() + b"\n" if isinstance(r, dict) else r for r in requests)
    out = io.BytesIO()
    assert serve(io.BytesIO(lines), out) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


MAPPING = mapping("Custom CRM Contact", "Custom PMS Contact", properties=[prop("name", "name")], id="sut/contact")
MODEL = {"dataflows": [{"file": "x.rst", "mappings": [__import__("generator.model_json").model_json.mapping_json(MAPPING)]}]}


def test_the_reference_service_says_hello_then_answers_each_line_by_its_id():
    hello, seeded, links, ended, unknown, broken = talk(
        {"id": 1, "action": "seed", "scenario": "s", "state": "link", "model": MODEL, "mapping": MAPPING.id,
         "params": {"source": "7", "target": "9"}},
        {"id": 2, "action": "links", "scenario": "s", "model": MODEL, "mapping": MAPPING.id},
        {"id": 3, "action": "end", "scenario": "s"},
        {"id": 4, "action": "dance", "scenario": "s"},
        b"{not json\n")
    assert hello == {"protocol": PROTOCOL, "name": "sync-run --serve-protocol",
                     "capabilities": ["pass", "report.json", "links.read", "state.seed"]}
    assert seeded == {"id": 1, "ok": True}
    assert links == {"id": 2, "ok": True, "links": [["7", "9"]]}
    assert ended == {"id": 3, "ok": True}
    assert unknown["ok"] is False and "dance" in unknown["error"]
    assert broken["ok"] is False and broken["id"] is None


def test_a_service_error_never_shows_a_credential_of_the_scenario():
    config = {"systems": {"Custom CRM": {"base_url": "http://127.0.0.1:9/x", "api_key": "sk_test_topsecret"},
                          "Custom PMS": {"base_url": "ftp://sk_test_topsecret@host/", "api_key": "sk_test_topsecret"}}}
    _hello, answer = talk({"id": 1, "action": "pass", "scenario": "s", "config": config, "model": MODEL,
                           "mapping": MAPPING.id})
    assert answer["ok"] is False and "base_url" in answer["error"]
    assert "topsecret" not in answer["error"]


def test_a_command_says_what_it_offers_by_its_placeholders():
    assert CommandSut("my-sync {config} {mapping}").capabilities == {"pass"}
    assert CommandSut(COMMAND).capabilities == {"pass", "report.json", "links.read", "state.seed"}
    with pytest.raises(SutError, match=r"\{mapping\}"):
        CommandSut("my-sync {config}")
    with pytest.raises(SutError, match=r"no placeholder \{password\}"):
        CommandSut("my-sync {config} {mapping} {password}")


def test_a_capability_the_sut_lacks_is_a_skip_that_names_it():
    error = Unsupported("links.read", "my-sync")
    assert str(error) == "not verifiable against this system (my-sync): it offers no link store to read"
    assert isinstance(error, __import__("unittest").SkipTest)  # hypothesis lets it through, pytest skips


# --- the generated checks against a SUT in another process ---------------------------------------------

def run(*options: str) -> dict[str, str]:
    """Each test of MODULE and its outcome ("passed", "failed", "skipped: <reason>"), from a JUnit XML file."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryDirectory() as folder:
        xml = Path(folder) / "junit.xml"
        done = subprocess.run([sys.executable, "-m", "pytest", MODULE, "-q", "-p", "no:cacheprovider", "-n", "0",
                               f"--junitxml={xml}", *options], cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=600)
        assert xml.is_file(), done.stdout[-3000:] + done.stderr[-2000:]
        outcomes, why = {}, {}
        for case in ElementTree.parse(xml).iter("testcase"):
            skipped, failed = case.find("skipped"), case.find("failure")
            outcomes[case.get("name")] = ("failed" if failed is not None else
                                          f"skipped: {skipped.get('message')}" if skipped is not None else "passed")
            if failed is not None:
                why[case.get("name")] = (failed.get("message") or "")[:3000]
    assert outcomes, done.stdout[-3000:] + done.stderr[-2000:]
    run.failures = why  # type: ignore[attr-defined]  # the last run's failure messages, for an assertion's text
    return outcomes


def skipped_with(outcomes: dict[str, str], words: str) -> set[str]:
    return {t for t, o in outcomes.items() if o.startswith("skipped") and words in o}


@pytest.fixture(scope="module")
def in_process() -> dict[str, str]:
    return run()


@pytest.mark.slow
@pytest.mark.parametrize("adapter", ["--sut-server", "--sut"])
def test_the_engine_in_another_process_gets_the_verdicts_it_gets_in_this_one(in_process, adapter):
    outcomes = run(adapter, SERVER if adapter == "--sut-server" else COMMAND)
    verified = {t for t, o in in_process.items() if o == "passed"}
    assert not {t for t, o in outcomes.items() if o == "failed"}, run.failures
    # what only the engine in this process shows (its state store, its log) is named, never passed
    lost = {t for t in verified if outcomes[t] != "passed"}
    assert lost == skipped_with(outcomes, "against this system") & verified
    assert len(verified - lost) >= 0.9 * len(verified), (len(verified - lost), len(verified))


@pytest.mark.slow
def test_a_service_broken_on_purpose_fails_the_items_of_the_promise_it_breaks(in_process):
    outcomes = run("--sut-server", f"{sys.executable} tests/sut/broken_sut.py integers-as-text")
    failed = {t for t, o in outcomes.items() if o == "failed"}
    assert {"test_property_employees_to_number_of_employees",
            "test_property_employees_to_number_of_employees_text_and_empty"} <= failed
    # MemberCare refuses a record whose integer field holds text: every item that makes a company fails,
    # and those that only match keys do not
    assert outcomes["test_merge_key_name_to_company_name"] == "passed"


@pytest.mark.slow
def test_a_service_that_forgets_its_links_fails_the_items_that_read_them(in_process):
    outcomes = run("--sut-server", f"{sys.executable} tests/sut/broken_sut.py forgets-links")
    assert {t for t, o in outcomes.items() if o == "failed"}


@pytest.mark.slow
def test_a_service_without_a_report_leaves_the_report_checks_not_verifiable_against_it(in_process):
    outcomes = run("--sut-server", f"{sys.executable} tests/sut/broken_sut.py no-report")
    assert not {t for t, o in outcomes.items() if o == "failed"}
    assert skipped_with(outcomes, "it gives no pass report")
    assert {t for t, o in outcomes.items() if o == "passed"}, "the checks that read only the fakes still verify"


@pytest.mark.parametrize("knobs, problem", [
    ({"read_timeout_seconds": 0}, "test_mode.read_timeout_seconds: must be a positive number"),
    ({"read_timeout_seconds": "fast"}, "test_mode.read_timeout_seconds: must be a positive number"),
    ({"sleep": "no"}, "test_mode.sleep: must be true or false"),
    ([1], "test_mode: must be a table"),
])
def test_a_test_mode_knob_of_the_wrong_kind_is_refused_by_its_key(knobs, problem):
    from sync.config import check
    from sync.errors import ConfigurationError
    with pytest.raises(ConfigurationError, match=re.escape(problem)):
        check({"test_mode": knobs}, "sut.json", {})


def test_the_test_mode_knobs_reach_the_connectors():
    from sync.config import check
    from sync.wiring import connectors
    config = {"systems": {"Custom CRM": {"base_url": "http://127.0.0.1:9/api", "api_key": "k"},
                          "Custom PMS": {"base_url": "http://127.0.0.1:9/pms", "api_key": "k"}},
              "test_mode": {"read_timeout_seconds": 0.25, "sleep": False}}
    checked, limits, _ = check(config, "sut.json", {})
    source, target = connectors(MAPPING, checked, limits)
    assert source.timeout[1] == target.timeout[1] == 0.25
    adapter = source.session.get_adapter("http://")
    for policy in (adapter.max_retries, adapter.timeout_policy):
        assert policy.sleep_function is not time.sleep  # backoff and Retry-After asked for, never slept


def _service(code: str) -> str:
    """A command starting a tiny service of `code` (Python) in this interpreter."""
    return f"{sys.executable} -c {shlex.quote(code)}"


@pytest.mark.parametrize("code, said", [
    ("print('hello')", "not JSON"),
    ("import json; print(json.dumps({'protocol': 'other/2', 'capabilities': ['pass']}))", "speaks 'other/2'"),
    ("import json; print(json.dumps({'protocol': 'sesam-talk-sut/1', 'capabilities': []}))", "\"pass\" among them"),
    ("import sys; sys.exit(3)", "ended (status"),
])
def test_a_service_that_will_not_speak_the_protocol_is_refused_at_start(code, said):
    from sync.sut.protocol import ProtocolSut
    with pytest.raises(SutError, match=re.escape(said)):
        ProtocolSut(_service(code))


def test_a_service_that_breaks_mid_run_is_named_with_where_its_stderr_went():
    from sync.sut.protocol import ProtocolSut
    sut = ProtocolSut(_service("import json, sys; print(json.dumps({'protocol': 'sesam-talk-sut/1', "
                               "'capabilities': ['pass']}), flush=True); sys.stdin.readline(); "
                               "sys.stderr.write('boom\\n'); sys.exit(5)"))
    try:
        with pytest.raises(SutError, match=r"ended \(status .*\) before the 'pass' request 1; its stderr: ") as broke:
            sut.ask({"action": "pass", "scenario": "s"})
        assert Path(sut.stderr_path).read_text() == "boom\n"
    finally:
        sut.close()
    assert Path(sut.stderr_path).exists()  # named in the failure: kept
    Path(sut.stderr_path).unlink()
    assert str(broke.value).count("\n") == 0


def test_a_command_that_fails_is_named_with_the_end_of_what_it_printed(tmp_path):
    from sync.harness import Harness
    noisy = _service("import sys; print('x' * 100000); print('the config was wrong'); sys.exit(3)")
    sut = CommandSut(noisy + " {config} {mapping}")
    try:
        with Harness(MAPPING, sut=sut) as h:
            with pytest.raises(SutError, match=r"ended with status 3 and no report: x*\nthe config was wrong") as failed:
                h.run_pass()
            assert len(str(failed.value)) < 2500  # the end of what it printed, not all of it
            with pytest.raises(Unsupported, match="it offers no link store to read"):
                h.links()  # without {links}: no link store either
    finally:
        sut.close()


def test_a_command_printing_without_end_leaves_a_bounded_log(tmp_path):
    from sync.harness import Harness
    from sync.sut import capped
    flood = _service("import sys; [sys.stdout.write('y' * 65536) for _ in range(200)]; print(); "
                     "print('the last words'); sys.exit(3)")  # 12.5 MiB
    sut = CommandSut(flood + " {config} {mapping}")
    try:
        with Harness(MAPPING, sut=sut) as h:
            with pytest.raises(SutError, match=r"ended with status 3 and no report: y*\nthe last words"):
                h.run_pass()
            [log] = sut.folder.glob("*/output.log")
            assert log.stat().st_size <= capped.HEAD + capped.TAIL + 100
            assert b"bytes of output left out" in log.read_bytes()
    finally:
        sut.close()


def test_a_service_printing_to_stderr_without_end_leaves_a_bounded_file():
    from sync.sut import capped
    from sync.sut.protocol import ProtocolSut
    sut = ProtocolSut(_service("import json, sys; print(json.dumps({'protocol': 'sesam-talk-sut/1', "
                               "'capabilities': ['pass']}), flush=True); "
                               "[sys.stderr.write('z' * 65536) for _ in range(200)]; sys.stdin.readline(); "
                               "sys.stderr.write('boom'); sys.exit(5)"))
    try:
        with pytest.raises(SutError, match="ended"):
            sut.ask({"action": "pass", "scenario": "s"})
        said = Path(sut.stderr_path).read_bytes()
        assert len(said) <= capped.HEAD + capped.TAIL + 100 and said.endswith(b"boom")
    finally:
        sut.close()
        Path(sut.stderr_path).unlink(missing_ok=True)


def test_what_a_command_left_running_ends_with_its_pass(tmp_path):
    # A daemon started by the command would hold its output open (and the checks' process would wait on it).
    from sync.harness import Harness
    pidfile = tmp_path / "left.pid"
    lingering = _service(f"import subprocess, sys; p = subprocess.Popen(['sleep', '60']); "
                         f"open({str(pidfile)!r}, 'w').write(str(p.pid)); sys.exit(3)")
    sut = CommandSut(lingering + " {config} {mapping}")
    try:
        with Harness(MAPPING, sut=sut) as h:
            with pytest.raises(SutError, match="ended with status 3"):
                h.run_pass()
        pid = int(pidfile.read_text())
        status = Path(f"/proc/{pid}/status")
        assert not status.exists() or "\nState:\tZ" in status.read_text(), "the command's sleep outlived its pass"
    finally:
        sut.close()
