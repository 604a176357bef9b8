"""Auth that takes more than one secret, as the vendors' own descriptions say (issue 25):

* PowerOffice Go wants its `Ocp-Apim-Subscription-Key` header beside the OAuth bearer token on every request
  (`[auth] headers` in apis/powerofficego/api.toml), and the token is made by OAuth client credentials
  (`POST /oauth/Token` beside `/v2`, basic auth with the application key and the client key, the form
  `grant_type=client_credentials`: `[auth] session`), as PowerOfficeGoApiService.GetTokenAsync makes it;
* Tripletex's password is a session token that `PUT /token/session/:create` makes from a consumer token and an
  employee token (`[auth] session` in apis/tripletex/api.toml), as Sesam's connector asks for it;
* SuperOffice's system-user ticket goes as `Authorization: SOTicket <ticket>` with the application secret in
  `SO-AppToken` beside it (auth-header-types.md; Sesam's connector), `[auth]` in apis/superoffice/api.toml.

The connector sends them, the fake refuses a request without them, and neither the request log (which reports
show) nor `sync-run`'s output holds one.
"""
from __future__ import annotations

import pytest

from qa_checklist import checks
from sync import config as configuration
from sync.errors import ConfigurationError
from sync.fakes.log import REDACTED

from .builders import mapping, prop

INTO_POWEROFFICE = mapping("Custom CRM Contact", ("PowerOffice GO", "Customers"), properties=[prop("name", "Name")],
                           id="auth/poweroffice")
INTO_SUPEROFFICE = mapping("Custom CRM Contact", ("SuperOffice", "Person"), properties=[prop("name", "Firstname")],
                           id="auth/superoffice")
INTO_TRIPLETEX = mapping("Custom CRM Contact", "Tripletex Customer", properties=[prop("name", "name")],
                         id="auth/tripletex")


def test_poweroffice_requests_carry_the_subscription_key_and_the_log_keeps_it_out(sync_harness):
    h = sync_harness(INTO_POWEROFFICE)
    h.source.create({"name": "Ada"})
    assert h.run_pass().created == 1
    assert h.target.requests and all(r.headers.get("Ocp-Apim-Subscription-Key") == REDACTED for r in h.target.requests)
    fake = h.target.fake
    bearer = {"Authorization": f"Bearer {fake.secret.reveal()}"}
    without = h.target_connector.session.get(fake.base_url + "/Customers", headers=bearer, timeout=5)
    wrong = h.target_connector.session.get(fake.base_url + "/Customers", timeout=5,
                                           headers={**bearer, "Ocp-Apim-Subscription-Key": "not-the-key"})
    assert (without.status_code, wrong.status_code) == (401, 401)


def test_tripletex_makes_a_session_token_from_its_two_tokens_and_sends_it_as_the_password(sync_harness):
    h = sync_harness(INTO_TRIPLETEX)
    h.source.create({"name": "Ada"})
    report = h.run_pass()
    assert report.created == 1 and report.api_calls.get("auth") == 1, report.summary()
    [session, *rest] = h.target.fake.log  # the whole log: the session request belongs to no entity
    assert (session.method, session.path) == ("PUT", "/token/session/:create")
    assert session.params == {"consumerToken": REDACTED, "employeeToken": REDACTED, "expirationDate": REDACTED}
    assert rest and all(r.headers.get("Authorization") == REDACTED for r in rest)
    h.run_pass()  # one session a connector: not asked for again
    assert [r.path for r in h.target.fake.log].count("/token/session/:create") == 1


def test_tripletex_refuses_a_session_for_wrong_tokens_and_the_pass_says_so(sync_harness):
    h = sync_harness(INTO_TRIPLETEX)
    fake = h.target.fake
    fake.named_secrets["employee_token"] = "another-employee"  # the tokens the config gives are now wrong
    h.source.create({"name": "Ada"})
    report = h.run_pass()
    assert report.errors and all("credentials" in e.message for e in report.errors), report.summary()
    assert h.target.records() == []
    assert "another-employee" not in repr(h.target.fake.log)


def test_the_session_request_itself_sends_no_basic_auth(sync_harness):
    h = sync_harness(INTO_TRIPLETEX)
    h.run_pass()
    [session] = [r for r in h.target.fake.log if r.path == "/token/session/:create"]
    assert "Authorization" not in session.headers


@pytest.mark.parametrize("system, table, missing", [
    ("PowerOffice GO", {"token": "t"}, "subscription_key"),
    ("PowerOffice GO", {"subscription_key": "k"}, "application_key, client_key"),  # no token: they make one
    ("SuperOffice", {"token": "t", "base_url": "https://sod.superoffice.com/Cust1"}, "app_token"),
    ("Tripletex", {}, "consumer_token, employee_token"),
])
def test_sync_run_config_names_the_secret_a_vendor_also_takes(system, table, missing):
    with pytest.raises(ConfigurationError, match=f"also takes {missing}"):
        configuration.check({"systems": {system: table}}, "sync.toml", environ={})


def test_a_tripletex_session_token_given_as_the_password_needs_no_other_tokens():
    checked, _limits, warnings = configuration.check({"systems": {"Tripletex": {"password": "a-session-token"}}},
                                                     "sync.toml", environ={})
    assert checked["systems"]["Tripletex"]["password"] == "a-session-token" and not warnings


def test_the_subscription_key_is_a_setting_not_an_unknown_key():
    _checked, _limits, warnings = configuration.check(
        {"systems": {"PowerOffice GO": {"token": "t", "subscription_key": "k"}}}, "sync.toml", environ={})
    assert warnings == []


@pytest.mark.parametrize("mapping, header", [("poweroffice", "Ocp-Apim-Subscription-Key"),
                                             ("superoffice", "SO-AppToken")])
def test_broken_on_purpose_a_connector_that_forgets_its_second_secret_fails_the_property_item(
        sync_harness, monkeypatch, mapping, header):
    import sync.connectors.base as base

    real = base.RestConnector._auth_headers
    monkeypatch.setattr(base.RestConnector, "_auth_headers",
                        lambda self: {k: v for k, v in real(self).items() if k != header})
    with pytest.raises(AssertionError):
        checks.property_row(sync_harness, {"poweroffice": INTO_POWEROFFICE, "superoffice": INTO_SUPEROFFICE}[mapping],
                            0, "Ada")


def test_a_made_session_token_is_masked_in_every_form_an_api_may_echo(sync_harness):
    import base64

    h = sync_harness(INTO_TRIPLETEX)
    h.run_pass()
    token = h.target_connector._session_token
    echoed = f"token {token}; header Basic {base64.b64encode(f'0:{token}'.encode()).decode()}"
    assert token and token not in h.target_connector.redactor(echoed)
    assert base64.b64encode(f"0:{token}".encode()).decode() not in h.target_connector.redactor(echoed)
    assert token not in h.engine._redact(echoed)  # the engine's view, made before the token was


def test_sync_run_sends_the_description_s_user_where_the_config_gives_none():
    from sync.connectors.registry import connector_for

    connector = connector_for("Tripletex", entity="customer",
                              config={"consumer_token": "c", "employee_token": "e", "password": "p"})
    assert connector._auth() == ("0", "p")


def test_an_expired_session_token_is_made_again_once(sync_harness):
    h = sync_harness(INTO_TRIPLETEX)
    h.source.create({"name": "Ada"})
    h.run_pass()
    h.target.fake._sessions.clear()  # the API forgot the session: it expired
    h.source.create({"name": "Grace"})
    report = h.run_pass()
    assert not report.errors and report.created == 1, report.summary()
    assert [r.path for r in h.target.fake.log].count("/token/session/:create") == 2


def test_superoffice_requests_carry_the_ticket_and_the_app_token_and_the_log_keeps_both_out(sync_harness):
    h = sync_harness(INTO_SUPEROFFICE)
    h.source.create({"name": "Ada"})
    assert h.run_pass().created == 1
    fake = h.target.fake
    assert h.target.requests and all(r.headers.get("SO-AppToken") == REDACTED and
                                     r.headers.get("Authorization") == REDACTED for r in h.target.requests)
    sent = h.target_connector._auth_headers()
    assert sent == {"Authorization": f"SOTicket {fake.secret.reveal()}", "SO-AppToken": fake.named_secrets["app_token"]}
    assert fake.named_secrets["app_token"] not in repr(fake.log) and fake.secret.reveal() not in repr(fake.log)


def test_superoffice_refuses_a_ticket_without_its_app_token_in_its_own_error_body(sync_harness):
    h = sync_harness(INTO_SUPEROFFICE)
    fake, session = h.target.fake, h.target_connector.session
    ticket = {"Authorization": f"SOTicket {fake.secret.reveal()}"}
    url = fake.base_url + "/api/v1/Person/1"
    without = session.get(url, headers=ticket, timeout=5)
    wrong = session.get(url, headers={**ticket, "SO-AppToken": "not-the-app"}, timeout=5)
    for answer in (without, wrong):
        assert answer.status_code == 401 and answer.json()["Error"] is True, answer.text
        assert answer.json()["ErrorType"] == "unauthorized" and "SO-AppToken" in answer.json()["ErrorMessage"]
    right = session.get(url, headers={**ticket, "SO-AppToken": fake.named_secrets["app_token"]}, timeout=5)
    bearer = session.get(url, headers={"Authorization": f"Bearer {fake.secret.reveal()}"}, timeout=5)
    assert (right.status_code, bearer.status_code) == (404, 404)  # let in (no such person): a SuperId token alone too


def test_poweroffice_makes_its_access_token_by_oauth_client_credentials_once(sync_harness):
    h = sync_harness(INTO_POWEROFFICE)
    h.source.create({"name": "Ada"})
    report = h.run_pass()
    assert report.created == 1 and report.api_calls.get("auth") == 1, report.summary()
    [token, *rest] = h.target.fake.log
    assert (token.method, token.path) == ("POST", "../oauth/Token")
    assert token.headers.get("Authorization") == REDACTED and token.headers.get("Ocp-Apim-Subscription-Key") == REDACTED
    assert rest and all(r.headers.get("Authorization") == REDACTED for r in rest)
    made = h.target_connector._session_token
    assert made and made in h.target.fake._sessions and made not in repr(h.target.fake.log)
    h.run_pass()
    assert [r.path for r in h.target.fake.log].count("../oauth/Token") == 1  # one token a connector


def test_poweroffice_token_endpoint_wants_each_of_its_secrets(sync_harness):
    h = sync_harness(INTO_POWEROFFICE)
    fake, session = h.target.fake, h.target_connector.session
    url = fake.base_url.rsplit("/", 1)[0] + "/oauth/Token"  # beside /v2
    keys = (fake.named_secrets["application_key"], fake.named_secrets["client_key"])
    key = {"Ocp-Apim-Subscription-Key": fake.named_secrets["subscription_key"]}
    form = {"grant_type": "client_credentials"}
    made = session.post(url, auth=keys, headers=key, data=form, timeout=5)
    assert made.status_code == 200 and set(made.json()) == {"access_token", "token_type", "expires_in"}, made.text
    bearer = {"Authorization": f"Bearer {made.json()['access_token']}", **key}
    assert session.get(fake.base_url + "/Customers", headers=bearer, timeout=5).status_code in (200, 204)
    refused = [session.post(url, auth=(keys[0], "not-the-client"), headers=key, data=form, timeout=5),
               session.post(url, auth=keys, data=form, timeout=5),
               session.post(url, auth=keys, headers=key, data={"grant_type": "password"}, timeout=5)]
    assert [answer.status_code for answer in refused] == [401, 401, 400]


def test_poweroffice_refuses_a_token_for_a_wrong_client_key_and_the_pass_says_so(sync_harness):
    h = sync_harness(INTO_POWEROFFICE)
    h.target.fake.named_secrets["client_key"] = "another-client"  # the key the config gives is now wrong
    h.source.create({"name": "Ada"})
    report = h.run_pass()
    assert report.errors and all("401" in e.message or "Unauthorized" in e.message for e in report.errors), \
        report.summary()
    assert h.target.records() == []


def test_broken_on_purpose_a_token_request_without_basic_auth_fails_the_property_item(sync_harness, monkeypatch):
    import sync.connectors.base as base

    real = base.RestConnector._auth
    monkeypatch.setattr(base.RestConnector, "_auth", lambda self: None if self._exchanging else real(self))
    with pytest.raises(Exception):
        checks.property_row(sync_harness, INTO_POWEROFFICE, 0, "Ada")


def test_an_expired_poweroffice_token_is_made_again_once(sync_harness):
    h = sync_harness(INTO_POWEROFFICE)
    h.source.create({"name": "Ada"})
    h.run_pass()
    h.target.fake._sessions.clear()  # the token expired
    h.source.create({"name": "Grace"})
    report = h.run_pass()
    assert not report.errors and report.created == 1, report.summary()
    assert [r.path for r in h.target.fake.log].count("../oauth/Token") == 2


def test_the_token_request_s_basic_header_is_masked_where_an_api_echoes_it(sync_harness):
    import base64

    h = sync_harness(INTO_POWEROFFICE)
    h.run_pass()
    fake = h.target.fake
    pair = f"{fake.named_secrets['application_key']}:{fake.named_secrets['client_key']}"
    echoed = f"Basic {base64.b64encode(pair.encode()).decode()} and {h.target_connector._session_token}"
    shown = h.target_connector.redactor(echoed)
    assert base64.b64encode(pair.encode()).decode() not in shown and h.target_connector._session_token not in shown
