"""Strict fakes: an unexpected request fails loudly, saying why."""
import pytest
import requests

from .builders import mapping
from sync.fakes.base import UnexpectedRequest
from sync.harness import Harness


def test_a_path_the_api_does_not_serve_fails_loudly():
    with Harness(mapping()) as h:
        with pytest.raises(UnexpectedRequest, match="serves only /customers"):
            h.target_connector.session.get(h.target.fake.base_url + "/invoices")


def test_an_unknown_list_parameter_fails_loudly():
    with Harness(mapping()) as h:
        with pytest.raises(UnexpectedRequest, match="does not take"):
            h.target_connector._send("list", "GET", "/customers", params={"page": 2})


def test_a_host_no_fake_serves_fails_loudly():
    with Harness(mapping()):
        with pytest.raises(UnexpectedRequest, match="no fake API serves"):
            requests.get("https://api.example.org/v1/things")


def test_a_json_body_sent_to_chargebee_fails_loudly():
    with Harness(mapping()) as h:
        with pytest.raises(UnexpectedRequest, match="form-encoded"):
            h.target_connector.session.post(h.target.fake.base_url + "/customers", json={"a": 1})
