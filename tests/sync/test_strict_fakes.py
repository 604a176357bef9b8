"""Strict fakes: an unexpected request fails loudly, saying why."""
import pytest
import requests

from .builders import mapping, prop
from sync.connectors import formcodec
from sync.connectors.registry import connector_for
from sync.errors import ApiError
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


def test_a_json_rest_fake_refuses_fields_no_mapping_declares_and_stores_nothing():
    with Harness(mapping("Custom CRM Contact", "MemberCare Persons", properties=[prop("age", "age", "integer")])) as h:
        with pytest.raises(ApiError) as unknown:
            h.target_connector.create_record("Persons", {"age": 3, "shoeSize": 44})
        assert unknown.value.status == 400 and "shoeSize" in unknown.value.message
        for text in ("three", "3"):  # JSON carries its own types: text is not an integer, however it reads
            with pytest.raises(ApiError) as mistyped:
                h.target_connector.create_record("Persons", {"age": text})
            assert (mistyped.value.status, mistyped.value.code) == (400, "wrong_type")
        assert h.target.records() == []
        assert h.target_connector.create_record("Persons", {"age": 3})["age"] == 3


def test_a_field_a_document_also_maps_under_takes_an_object():
    rows = [prop("dept", "department", "string"), prop("deptId", "department.id", "integer")]
    with Harness(mapping("Custom CRM Contact", "MemberCare Persons", properties=rows)) as h:
        created = h.target_connector.create_record("Persons", {"department": {"id": 7}})
        assert h.target.get(created["debtorAccountNumber"])["department"] == {"id": 7}  # MemberCare keys persons so


def test_chargebee_refuses_undescribed_parameters_and_bracketed_json_fields():
    with Harness(mapping()) as h:
        for body, param in (({"shoe_size": "44"}, "shoe_size"), ({"meta_data": {"tier": "gold"}}, "meta_data")):
            with pytest.raises(ApiError) as refused:
                h.target_connector._send("create", "POST", "/customers", data=formcodec.encode(body))
            assert refused.value.status == 400 and refused.value.message.startswith(f"{param} :")
        created = h.target_connector.create_record("Customer", {"meta_data": {"tier": "gold"}})
        assert [r.body for r in h.target.requests][-1] == {"meta_data": '{"tier": "gold"}'}
        assert created["meta_data"] == {"tier": "gold"} and len(h.target.records()) == 1


def test_a_chargebee_409_is_an_api_error_not_a_stale_record():
    response = requests.Response()
    response.status_code, response._content = 409, b'{"message": "state", "api_error_code": "invalid_state_for_request"}'
    error = connector_for("Chargebee").error_of(response)
    assert type(error) is ApiError and error.code == "invalid_state_for_request" and not error.retriable
