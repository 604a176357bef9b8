"""`sync-run` given a config that is wrong, carelessly or on purpose (issue 27, point 3; issue 29's divergence).

The whole config is checked before the first request: every error names the config file and the key,
exits 2 with one line and no traceback, shows no credential, and reaches no server. Credentials in a
base URL are used or refused, never swapped for an empty Basic header; a short credential is masked
without garbling the output around it; a row whose concept has no spelling is skipped with a warning,
as the in-process engine skips it.
"""
from __future__ import annotations

import base64
import json

import pytest

from .hostile_api import MODEL, HostileApi, assert_clean, default_answer, json_answer, sync_run, write_files

CRM = 'systems."Acme CRM"'


def refused(tmp_path, api, run, key):
    """The run refused the config at load: exit 2, the file and the key named, nothing sent."""
    assert_clean(run)
    assert run.code == 2, run.text
    assert str(tmp_path / "sync.toml") in run.err and key in run.err, run.err
    assert len(run.err.strip().splitlines()) == 1, run.err
    assert not api.requests, "nothing may be sent before the config is whole"
    assert not (tmp_path / "state.db").exists()


@pytest.mark.parametrize("auth", ['"kerberos"', "5", '["bearer"]', '""'])
def test_an_auth_kind_sync_run_does_not_know_is_refused_at_load(tmp_path, auth):
    with HostileApi() as api:
        run = sync_run(write_files(tmp_path, api.url, source=f"auth = {auth}"))
        refused(tmp_path, api, run, f"{CRM}.auth")


def test_a_token_given_as_a_list_is_refused_without_showing_it(tmp_path):
    with HostileApi() as api:
        args = write_files(tmp_path, api.url)
        config = (tmp_path / "sync.toml").read_text().replace('token = "crm-token-b81d"', 'token = ["crm-token-b81d"]')
        (tmp_path / "sync.toml").write_text(config)
        run = sync_run(args)
        refused(tmp_path, api, run, f"{CRM}.token")


WRONG_TYPES = {
    "base_url": ("base_url = 5", "", f"{CRM}.base_url"),
    "paths": ('paths = "contact"', "", f"{CRM}.paths"),
    "conditional_writes": ('conditional_writes = "yes"', "", f"{CRM}.conditional_writes"),
    "page_style": ('page_style = "sideways"', "", f"{CRM}.page_style"),
    "id_field": ("id_field = []", "", f"{CRM}.id_field"),
    "site": ('site = "evil.test/x#"', "", f"{CRM}.site"),
    "a system that is not a table": ("", 'systems = {"Acme CRM" = 1}', "systems"),
    "state": ("", "state = 5", "state"),
    "request_seconds": ("", 'request_seconds = "fast"', "request_seconds"),
    "pass_seconds": ("", "pass_seconds = -1", "pass_seconds"),
    "max_response_bytes": ("", "max_response_bytes = 1.5", "max_response_bytes"),
}


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
def test_a_value_of_the_wrong_type_names_the_key_and_the_file(tmp_path, case):
    line, top, key = WRONG_TYPES[case]
    with HostileApi() as api:
        args = write_files(tmp_path, api.url)
        text = (tmp_path / "sync.toml").read_text()
        state = f'state = "{tmp_path / "state.db"}"'
        if line.startswith("base_url"):
            text = text.replace(f'base_url = "{api.url}/crm"', line)
        elif line:
            text = text.replace('[systems."Acme CRM"]\n', f'[systems."Acme CRM"]\n{line}\n')
        elif top.startswith("systems"):  # the whole systems table replaced by one of the wrong shape
            text = f"{state}\n{top}\n"
        else:
            text = top + "\n" + text.replace(state, "" if top.startswith("state") else state)
        (tmp_path / "sync.toml").write_text(text)
        run = sync_run(args)
        refused(tmp_path, api, run, key)


@pytest.mark.parametrize("scheme", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/", "127.0.0.1/api",
                                    "http:///nohost", "http://127.0.0.1:99999/api", "http://127.0.0.1/api?key=1",
                                    "http://127.0.0.1/api#x"])
def test_a_base_url_that_is_not_http_or_https_is_refused_at_load(tmp_path, scheme):
    with HostileApi() as api:
        args = write_files(tmp_path, api.url)
        text = (tmp_path / "sync.toml").read_text().replace(f'base_url = "{api.url}/crm"', f'base_url = "{scheme}"')
        (tmp_path / "sync.toml").write_text(text)
        run = sync_run(args)
        refused(tmp_path, api, run, f"{CRM}.base_url")


@pytest.mark.parametrize("auth", ["bearer", "basic"])
def test_credentials_missing_for_the_chosen_auth_are_refused_at_load(tmp_path, auth):
    with HostileApi() as api:
        args = write_files(tmp_path, api.url, source=f'auth = "{auth}"')
        text = (tmp_path / "sync.toml").read_text().replace('token = "crm-token-b81d"\n', "")
        (tmp_path / "sync.toml").write_text(text)
        run = sync_run(args)
        refused(tmp_path, api, run, CRM)


def test_credentials_in_a_base_url_are_used_for_basic_auth_never_an_empty_header(tmp_path):
    with HostileApi() as api:
        args = write_files(tmp_path, api.url, source='auth = "basic"')
        text = (tmp_path / "sync.toml").read_text().replace(f'base_url = "{api.url}/crm"',
                                                            f'base_url = "{api.url.replace("//", "//ann:s%40cret@")}/crm"')
        (tmp_path / "sync.toml").write_text(text.replace('token = "crm-token-b81d"\n', "", 1))
        run = sync_run(args)
        assert_clean(run)
        assert run.code == 0, run.text
        sent = api.lists()[0].headers.get("Authorization", "")
        assert sent == "Basic " + base64.b64encode(b"ann:s@cret").decode()
        assert "s@cret" not in run.text and "s%40cret" not in run.text


def test_credentials_in_a_base_url_are_refused_where_they_cannot_be_used(tmp_path):
    with HostileApi() as api:
        args = write_files(tmp_path, api.url)  # bearer auth, with a token: the URL's user and password cannot be sent
        text = (tmp_path / "sync.toml").read_text().replace(f'base_url = "{api.url}/crm"',
                                                            f'base_url = "{api.url.replace("//", "//ann:hidden-pw@")}/crm"')
        (tmp_path / "sync.toml").write_text(text)
        run = sync_run(args)
        refused(tmp_path, api, run, f"{CRM}.base_url")
        assert "hidden-pw" not in run.text


PREDICATES = {
    "a table as a bound": ('operator = "at_least"\nvalue = {n = 1}', "value"),
    "text that is no number as a bound": ('operator = "at_least"\nvalue = "many"', "value"),
    "a table to equal": ('operator = "equals"\nvalue = {a = 1}', "value"),
    "a date to equal": ('operator = "equals"\nvalue = 2024-01-01', "value"),
    "one_of with tables": ('operator = "one_of"\nvalue = [{a = 1}]', "value"),
    "no field": ('operator = "equals"\nvalue = "x"\nfield = 5', "field"),
}


@pytest.mark.parametrize("case", sorted(PREDICATES))
def test_a_predicate_value_the_vocabulary_cannot_hold_is_refused_at_load(tmp_path, case):
    spec, key = PREDICATES[case]
    spec = spec if "field =" in spec else 'field = "kind"\n' + spec
    top = f'[[conditions]]\nphrasing = "only big ones"\n[conditions.predicates."Acme CRM"]\n{spec}\n'
    with HostileApi() as api:
        args = write_files(tmp_path, api.url)
        (tmp_path / "sync.toml").write_text((tmp_path / "sync.toml").read_text() + top)
        run = sync_run(args)
        refused(tmp_path, api, run, f'conditions[1].predicates."Acme CRM".{key}')


def test_a_concept_spelled_as_a_table_is_refused_at_load(tmp_path):
    with HostileApi() as api:
        args = write_files(tmp_path, api.url)
        text = (tmp_path / "sync.toml").read_text() + '[concepts."wd:Q20"]\n"Acme CRM" = {code = "NO"}\n'
        (tmp_path / "sync.toml").write_text(text)
        run = sync_run(args)
        refused(tmp_path, api, run, 'concepts."wd:Q20"."Acme CRM"')


def test_a_short_credential_is_masked_where_it_stands_alone_and_nowhere_else(tmp_path):
    def answer(request):
        return json_answer({"error": {"message": "token on is not valid"}}, 401)
    with HostileApi(answer) as api:
        args = write_files(tmp_path, api.url)
        text = (tmp_path / "sync.toml").read_text().replace('token = "crm-token-b81d"', 'token = "on"')
        (tmp_path / "sync.toml").write_text(text)
        run = sync_run(args)
        assert run.code == 1 and "Traceback" not in run.text
        assert "listing Acme CRM Contact failed" in run.text, run.text
        assert "token *** is not valid" in run.text and " on " not in run.text, run.text


def test_a_row_whose_concept_has_no_spelling_is_skipped_with_a_warning_as_the_engine_does(tmp_path):
    """Issue 29: sync-run exited 2 where the in-process engine warns and skips the row."""
    model = json.loads(json.dumps(MODEL))
    model["dataflows"][0]["mappings"][0]["properties"].append(
        {"source": "vat", "target": "vat", "type": "string", "line": 6,
         "when": {"side": "source", "path": "country", "has": "wd:Q999999991", "others": []}})

    def answer(request):
        if request.path == "/crm/contact":
            return json_answer({"items": [{"id": "1", "email": "a@x.no", "vat": "V1", "country": "NO"}]})
        return default_answer(request)
    with HostileApi(answer) as api:
        args = write_files(tmp_path, api.url)
        (tmp_path / "model.json").write_text(json.dumps(model))
        run = sync_run(args)
        assert_clean(run)
        assert run.code == 0, run.text
        assert "warning" in run.err and "vat -> vat is skipped" in run.err and "wd:Q999999991" in run.err, run.err
        created = [json.loads(r.body) for r in api.requests if r.method == "POST"]
        assert created and all("vat" not in body for body in created) and created[0]["email"] == "a@x.no"


def test_two_tables_naming_one_system_are_refused_rather_than_one_silently_winning(tmp_path):
    with HostileApi() as api:
        args = write_files(tmp_path, api.url)
        text = (tmp_path / "sync.toml").read_text() + '[systems."acme-crm"]\nbase_url = "https://elsewhere.test"\ntoken = "x"\n'
        (tmp_path / "sync.toml").write_text(text)
        run = sync_run(args)
        refused(tmp_path, api, run, 'systems."acme-crm"')


def test_a_skipped_row_is_said_once_by_sync_run_itself(tmp_path):
    model = json.loads(json.dumps(MODEL))
    model["dataflows"][0]["mappings"][0]["properties"].append(
        {"source": "vat", "target": "vat", "type": "string", "line": 6,
         "when": {"side": "source", "path": "country", "has": "", "others": []}})
    with HostileApi() as api:
        args = write_files(tmp_path, api.url)
        (tmp_path / "model.json").write_text(json.dumps(model))
        run = sync_run(args, process=True)  # its own process: the engine's log reaches stderr as in real use
        assert_clean(run)
        assert run.code == 0, run.text
        assert run.err.count("vat -> vat is skipped") == 1, run.err
