"""A repro bundle replays by hand: the fakes served from its state files answer the engine as in the test."""
import json
import subprocess

import pytest

from sync.cli import main as sync_run
from sync.connectors.registry import connector_for
from sync.credentials import Credentials, Secret
from sync.harness import Harness
from sync.repro import folder_name, write_bundles
from tests.fake_api_process import drain, fake_api_command, stop
from tests.sync.builders import mapping, prop

MAPPING = mapping("Custom CRM Contact", ("MemberCare", "Persons"), properties=[prop("name", "firstName"),
                  prop("age", "age", "integer")], id="repro/contact-to-persons")


def test_a_folder_name_is_never_a_path_of_its_own():
    assert folder_name("../../etc/passwd") == "etc_passwd"
    assert folder_name("..") == "test"
    assert folder_name("tests/x.py::test_y[a/b]") == "tests_x.py_test_y_a_b"
    long = "generated_tests/examples/some_document/test_a_to_b.py::test_property_number_to_customer_number"
    assert folder_name(long, 40) != folder_name(long + "_uncoercible", 40) and len(folder_name(long, 40)) == 40


def test_nothing_is_written_for_a_test_whose_harnesses_ran_no_pass(tmp_path):
    with Harness(MAPPING) as h:
        h.keep_passes = True
        assert write_bundles(tmp_path, "t", [h], "engine") is None
    assert not list(tmp_path.iterdir())


@pytest.mark.slow  # two served fakes in processes of their own
def test_the_state_before_a_pass_served_again_gives_the_same_pass(tmp_path):
    with Harness(MAPPING) as h:
        h.keep_passes = True
        h.source.create({"name": "Ada", "age": 36})
        first = h.run_pass()
        assert first.created == 1
        bundle = write_bundles(tmp_path, "tests/x.py::test_y", [h], "engine") / f"h{h.number}"
    readme = (bundle / "README.md").read_text()
    assert "fake-api serve 'Custom CRM'" in readme and "pass-N/MemberCare.db" in readme
    assert json.loads((bundle / "passes.json").read_text()) == [
        {"pass": 1, "mapping": MAPPING.id, "given_before": []}]
    config = json.loads((bundle / "config.json").read_text())
    served = []
    try:
        for system, table in config["systems"].items():
            secret = ["--api-key", table["api_key"]] if "api_key" in table else ["--token", table["token"]]
            process = subprocess.Popen([*fake_api_command(), "serve", system, "--port", "0", *secret, "--state",
                                        str(bundle / "pass-1" / f"{folder_name(system)}.db")],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            served.append(process)
            drain(process.stderr)
            table["base_url"] = process.stdout.readline().split(" at ", 1)[1].strip()  # "serving X at URL"
        (bundle / "config.json").write_text(json.dumps(config))
        status = sync_run(["--model", str(bundle / "model.json"), "--mapping", MAPPING.id, "--config",
                           str(bundle / "config.json"), "--state", str(bundle / "pass-1" / "sync-state.db")])
        assert status == 0
        target = config["systems"]["MemberCare"]
        connector = connector_for("MemberCare", entity="Persons", base_url=target["base_url"],
                                  credentials=Credentials("bearer", token=Secret(target["token"])))
        people, _cursor = connector.list_records("Persons", None)
        assert [(p.get("firstName"), p.get("age")) for p in people] == [("Ada", 36)]
    finally:
        for process in served:
            stop(process)


def test_a_run_empties_only_a_folder_of_bundles_it_made(tmp_path):
    from sync.repro import MARK, start_bundles
    ours = tmp_path / "repro"
    start_bundles(ours)
    (ours / "an_old_test" / "h1").mkdir(parents=True)
    start_bundles(ours)
    assert [p.name for p in ours.iterdir()] == [MARK]
    theirs = tmp_path / "notes"
    (theirs / "keep").mkdir(parents=True)
    start_bundles(theirs)  # not a folder of bundles: nothing in it is removed
    assert (theirs / "keep").is_dir() and not (theirs / MARK).exists()
