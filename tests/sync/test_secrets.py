"""Credentials never appear in logs, errors, reprs or reports."""
import logging

from .builders import mapping, prop
from sync.connectors.registry import connector_for
from sync.credentials import Credentials, Secret, credentials_for
from sync.harness import Harness


def test_credentials_never_leak(caplog):
    caplog.set_level(logging.DEBUG)
    with Harness(mapping(properties=[prop("days", "net_term_days", "integer")]), fault_rate=0.3, seed=3) as h:
        secret = h.target.fake.secret.reveal()
        h.source.create({"days": "x"})
        h.source.create({"days": "1"})
        reports = [h.run_pass() for _ in range(3)]
        texts = [caplog.text, repr(h), repr(h.target_connector), repr(h.target_connector._credentials),
                 repr(h.engine), *(repr(r) for r in reports), *(r.summary() for r in reports),
                 *(str(r) for r in h.target.requests)]
        assert reports[0].errors
        assert all(secret not in text for text in texts)


def test_secrets_come_from_the_environment_or_config_and_hide_in_reprs():
    creds = credentials_for("Chargebee", "basic", environ={"SYNC_CHARGEBEE_API_KEY": "live_abc123"})
    assert creds.user.reveal() == "live_abc123" and "live_abc123" not in repr(creds)
    assert credentials_for("Custom CRM", "bearer", {"token": "t0k"}, environ={}).token.reveal() == "t0k"
    connector = connector_for("MemberCare", credentials=Credentials("bearer", token=Secret("s3cr3t")))
    assert "s3cr3t" not in repr(connector) and "s3cr3t" not in str(vars(connector))
