"""`sync-run` for a newcomer (issue 28, item 5): the model's mappings listed, a commented config for one
mapping's systems, and a wrong or missing `--mapping` answered with where to look, never a quoted KeyError."""
from __future__ import annotations

import contextlib
import io
import json
import tomllib
from pathlib import Path

import pytest

from generator.model_json import result_json
from generator.parser import parse_specs
from sync.cli import main

ROOT = Path(__file__).resolve().parents[2]
TRIPLETEX = "examples/customcrm-tripletex-example/contact-to-customer"


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "model.json"
    path.write_text(json.dumps(result_json(parse_specs(ROOT / "specs").result)))
    return path


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_list_mappings_names_each_with_its_systems_and_line(model):
    code, out, _err = run("--model", str(model), "--list-mappings")
    assert code == 0
    assert f"{TRIPLETEX}  (Custom CRM Contact -> Tripletex Customer, examples/customcrm-tripletex-example.rst:12)" in out


def test_a_wrong_mapping_points_at_list_mappings(model):
    code, _out, err = run("--model", str(model), "--mapping", "contact-to-custmer")
    assert code == 2 and err.startswith("sync-run: no mapping 'contact-to-custmer'")
    assert "--list-mappings" in err and "KeyError" not in err and not err.startswith('sync-run: "')


def test_no_mapping_lists_them_and_exits_2(model):
    code, _out, err = run("--model", str(model))
    assert code == 2 and "--mapping ID is required" in err and TRIPLETEX in err


def test_the_example_config_is_the_config_sync_run_checks_and_names_what_to_fill_in(model, tmp_path):
    code, out, _err = run("--model", str(model), "--mapping", TRIPLETEX, "--example-config")
    assert code == 0
    config = tomllib.loads(out)
    assert set(config["systems"]) == {"Custom CRM", "Tripletex"}
    assert set(config["systems"]["Tripletex"]) == {"consumer_token", "employee_token"}  # its session's tokens
    (tmp_path / "sync.toml").write_text(out)
    code, _out, err = run("--model", str(model), "--mapping", TRIPLETEX, "--config", str(tmp_path / "sync.toml"))
    assert code == 2 and 'systems."Custom CRM".base_url' in err  # left empty: refused, naming the key


@pytest.mark.parametrize("mapping, system, keys", [
    ("examples/customcrm-superoffice-example/contact-to-person", "SuperOffice", {"base_url", "token", "app_token"}),
    ("examples/customcrm-powerofficego-example/contact-to-customers", "PowerOffice GO",
     {"subscription_key", "application_key", "client_key"}),  # the token made from the last two, or given
])
def test_the_example_config_lists_a_vendors_second_secret(model, mapping, system, keys):
    code, out, _err = run("--model", str(model), "--mapping", mapping, "--example-config")
    assert code == 0, _err
    assert set(tomllib.loads(out)["systems"][system]) == keys
    assert "SO-AppToken" in out if system == "SuperOffice" else "Ocp-Apim-Subscription-Key" in out
