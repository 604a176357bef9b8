"""Each document of the report says what its systems were checked against: the vendor's own description,
our declaration, or a generic API standing in for one nobody here has modelled."""
import json

from qa_checklist.report.build import build_report
from qa_checklist.report.html import render_html


def _report(tmp_path, source: str, target: str) -> dict:
    manifest = tmp_path / "checklist.json"
    manifest.write_text(json.dumps({"documents": [{
        "file": "a-b.rst", "title": f"{source} to {target} Dataflow", "sha256": "0" * 64,
        "source_system": source, "target_system": target, "findings": [], "mappings": [],
    }]}))
    return build_report([manifest], [])


def test_each_system_is_named_with_the_model_its_checks_ran_against(tmp_path):
    [document] = _report(tmp_path, "Chargebee", "Salesforce")["dataflows"]
    assert [(a["system"], a["kind"]) for a in document["apis"]] == [("Chargebee", "described"), ("Salesforce", "generic")]
    assert "Salesforce's own API is not modelled" in document["apis"][1]["summary"]
    assert "only list, get, create and update" in document["apis"][1]["summary"]


def test_hubspot_is_checked_against_its_own_openapi_and_membercare_against_sesams_connector(tmp_path):
    [document] = _report(tmp_path, "HubSpot", "MemberCare")["dataflows"]
    hubspot, membercare = document["apis"]
    assert (hubspot["kind"], membercare["kind"]) == ("described", "declared")
    assert "HubSpot's OpenAPI files" in hubspot["summary"] and "hubspot-api-client" in hubspot["summary"]
    assert "Sesam's public MemberCare connector" in membercare["summary"] and "our declaration" in membercare["summary"]


def test_a_declared_api_says_what_it_offers_and_a_system_with_itself_is_named_once(tmp_path):
    [document] = _report(tmp_path, "Custom CRM", "Customcrm")["dataflows"]
    [api] = document["apis"]
    assert api["kind"] == "declared" and "idempotency keys (Idempotency-Key)" in api["summary"]


def test_the_page_shows_it_under_the_document_title(tmp_path):
    page = render_html(_report(tmp_path, "Salesforce", "<b>Bad</b>"))
    assert "<b>Salesforce</b>: Salesforce&#39;s own API is not modelled" in page
    assert "&lt;b&gt;Bad&lt;/b&gt;&#39;s own API is not modelled" in page and "<b>Bad</b>'s" not in page


def test_rows_a_vendor_refuses_are_counted_in_the_summary_and_listed_with_their_document(tmp_path):
    manifest = tmp_path / "checklist.json"
    finding = {"file": "a-b.rst", "line": 12, "severity": "warning", "code": "vendor-read-only",
               "message": "properties.createdate -> x: HubSpot's API keeps it read-only; its items are not verifiable"}
    manifest.write_text(json.dumps({"documents": [{
        "file": "a-b.rst", "title": "HubSpot to Tripletex Dataflow", "sha256": "0" * 64, "source_system": "HubSpot",
        "target_system": "Tripletex", "findings": [finding, {**finding, "code": "target-two-sources"}], "mappings": [],
    }]}))
    report = build_report([manifest], [])
    assert report["summary"]["vendor_findings"] == 1 and report["dataflows"][0]["summary"]["vendor_findings"] == 1
    assert "1 row side against the vendor's API" in render_html(report)
