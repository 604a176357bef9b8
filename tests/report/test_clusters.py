"""Failure clusters across documents, and the not-verifiable reasons counted (issue 28, item 1)."""
import json
import pickle
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest

from qa_checklist.report.clusters import cluster_failures, not_verifiable_reasons
from qa_checklist.report.failures import failure_facts
from qa_checklist.shared.messages import Message, Mismatch, errors_field, relative, row_mismatch, text_signature

ROW = SimpleNamespace(source="paymentTermDays", target="net_term_days", type="integer", line=60)


def test_a_row_mismatch_reads_as_before_and_keeps_its_shape():
    message = row_mismatch(ROW, 0, 1, "Chargebee", prefix="on create")
    assert message == ("on create: paymentTermDays -> net_term_days (integer, line 60): "
                       "expected integer 0, the Chargebee API holds integer 1")
    assert message.signature == ("on create: <source> -> <target> (integer, line N): "
                                 "expected integer N, the <API> holds integer N+1")
    assert message.shape == "expected integer N, the <API> holds integer N+1"
    assert message.core == "expected integer N, the <API> holds integer N+d"  # a little off: N+1, N+2 alike
    other = row_mismatch(SimpleNamespace(source="employees", target="numberOfEmployees", type="integer", line=94),
                         4202, 4203, "MemberCare", typed=False, prefix="an edit made before a failed listing was lost")
    assert other.core == message.core  # another check, document, system and value: the same shape
    assert pickle.loads(pickle.dumps(message)).core == message.core  # as an xdist worker sends it


def test_values_are_abstracted_by_how_they_differ_from_the_expected_one():
    assert relative(4203, 4202) == "integer N+1" and relative(4100, 4202) == "integer M"
    assert relative("4202", 4202) == 'text "N"' and relative(None, 4202) == "nothing (null)"
    assert relative(" Oslo", "Oslo") == "text S with other spaces around it"
    assert relative("oslo", "Oslo") == "text S in another case"
    assert relative([5, 5], 4) == "list [integer N+1]"
    assert Mismatch(1.5, "1.5", "X").signature == 'expected decimal X, the <API> holds text "X"'


def test_braces_in_a_prefix_or_field_stay_text():
    message = Message("{name}: {mismatch}", name="{a}", mismatch=Mismatch(1, 2, "X"))
    assert message == "{a}: expected integer 1, the X API holds integer 2"
    assert row_mismatch(ROW, 1, 2, "X", prefix="where {x}").startswith("where {x}: ")


def test_failure_facts_carry_the_structured_signature_else_one_from_the_text():
    facts = failure_facts(AssertionError(row_mismatch(ROW, 0, 1, "Chargebee", prefix="on create")), "")
    assert facts["signature_from"] == "message" and facts["rule"] == "integer coercion"
    assert facts["shape"] == "expected integer N, the <API> holds integer N+1"
    assert facts["core"] == "expected integer N, the <API> holds integer N+d"
    plain = failure_facts(AssertionError("created although the condition 'x > 3' does not hold: 2 made"), "")
    assert plain["signature_from"] == "text"
    assert plain["core"] == "created although the condition S does not hold: N made"
    assert text_signature("a.b holds 12.5\nsecond line") == "a.b holds N"


def item(item_id, status="failed", core="", grouped_under=None, kind="property", message="", **extra):
    return {"id": item_id, "kind": kind, "status": status, "core": core, "grouped_under": grouped_under,
            "message": message, "rule": extra.pop("rule", ""), **extra}


def dataflow(file, *items):
    return {"file": file, "mappings": [{"id": file, "items": list(items)}]}


def test_failures_of_one_shape_form_one_cluster_across_documents_largest_first():
    off_by_one = "expected integer N, the <API> holds integer N+1"
    dataflows = [
        dataflow("a.rst",
                 item("a/row", core=off_by_one, rule="integer coercion", message="on create: x: expected 0 ..."),
                 item("a/no-echo", core="something else", grouped_under="a/row", kind="no-echo"),
                 item("a/conflict", core="no conflict reported", kind="conflict"),
                 item("a/other", status="passed")),
        dataflow("b.rst",
                 item("b/row", core=off_by_one, rule="integer coercion"),
                 item("b/pass-report", core=off_by_one, kind="pass-report")),
    ]
    clusters = cluster_failures(dataflows)
    assert [len(c["items"]) for c in clusters] == [4, 1]
    first = clusters[0]
    assert first["signature"] == off_by_one and first["check"] == "property" and first["rule"] == "integer coercion"
    # the item grouped under a cause joins the cause's cluster, whatever its own message said
    assert first["items"] == ["a/row", "a/no-echo", "b/row", "b/pass-report"]
    assert first["documents"] == 2 and first["causes"] == 3
    assert first["per_document"] == [{"file": "a.rst", "items": 2}, {"file": "b.rst", "items": 2}]
    assert first["example"] == "on create: x: expected 0 ..."
    assert clusters[1]["items"] == ["a/conflict"] and clusters[1]["rule"] == "conflict"


def test_not_verifiable_reasons_are_counted_by_item_most_first():
    dataflows = [dataflow("a.rst",
                          item("a/1", status="skipped", reasons=["not verifiable: no row", "not verifiable: no id"]),
                          item("a/2", status="skipped", reasons=["not verifiable: no row"]),
                          item("a/3", status="skipped", message="not verifiable: an older report"),
                          item("a/4", status="passed", reasons=["not a skip"]))]
    assert not_verifiable_reasons(dataflows) == [
        {"reason": "not verifiable: no row", "count": 2}, {"reason": "not verifiable: no id", "count": 1},
        {"reason": "not verifiable: an older report", "count": 1}]


MANIFEST_DOCUMENTS = [("first", "First Dataflow"), ("second", "Second Dataflow")]

MODULE = '''
import pytest
from types import SimpleNamespace
from qa_checklist.shared.causes import CausedBy
from qa_checklist.shared.messages import row_mismatch

ROW = SimpleNamespace(source="amount", target="total", type="integer", line=20)

@pytest.mark.checklist("{doc}/a-to-b/property/amount-to-total", file="{doc}.rst", line=20)
def test_row():
    raise AssertionError(row_mismatch(ROW, {value}, {value} + 1, "{system}", prefix="on create"))

@pytest.mark.checklist("{doc}/a-to-b/no-echo", file="{doc}.rst", line=12)
def test_no_echo():
    raise CausedBy("{doc}/a-to-b/property/amount-to-total", "a second pass wrote 1 request")

@pytest.mark.checklist("{doc}/a-to-b/conflict", file="{doc}.rst", line=12)
def test_conflict():
    pytest.skip("not verifiable: {system}'s records carry no change time")

@pytest.mark.checklist("{doc}/a-to-b/faults", file="{doc}.rst", line=12)
def test_faults():
    assert False, "a create whose answer was lost was made {value} times"
'''


def _suite(tmp_path):
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    documents = []
    for (doc, title), (value, system) in zip(MANIFEST_DOCUMENTS, ((0, "Chargebee"), (4202, "MemberCare"))):
        items = [{"id": f"{doc}/a-to-b/{key}", "kind": kind, "label": key, "line": 12}
                 for key, kind in (("property/amount-to-total", "property"), ("no-echo", "no-echo"),
                                   ("conflict", "conflict"), ("faults", "faults"))]
        documents.append({"file": f"{doc}.rst", "title": title, "sha256": "0" * 64, "source_system": "Acme",
                          "target_system": "Acme", "findings": [],
                          "mappings": [{"id": f"{doc}/a-to-b", "title": "A to B", "line": 10,
                                        "module": f"{doc}/test_a_to_b.py", "source": "Acme A", "target": "Acme B",
                                        "items": items}]})
        (folder / doc).mkdir()
        (folder / doc / "__init__.py").write_text("")
        (folder / doc / "test_a_to_b.py").write_text(
            textwrap.dedent(MODULE).replace("{doc}", doc).replace("{value}", str(value)).replace("{system}", system))
    (folder / "checklist.json").write_text(json.dumps({"spec_prefix": "specs/", "documents": documents}))
    return folder


def _run(suite, report):
    done = subprocess.run([sys.executable, "-m", "pytest", str(suite), f"--qa-report={report}", "-p",
                           "no:cacheprovider", "-p", "no:schemathesis", "-q"],
                          cwd=suite.parent, capture_output=True, text=True)
    assert report.with_suffix(".json").is_file(), done.stdout + done.stderr
    return json.loads(report.with_suffix(".json").read_text()), report.read_text()


def test_the_report_opens_with_the_clusters_and_counts_the_reasons(tmp_path):
    data, page = _run(_suite(tmp_path), tmp_path / "qa.html")
    keys = list(data)
    assert keys.index("clusters") < keys.index("dataflows") and keys.index("not_verifiable_reasons") < keys.index("dataflows")
    clusters = data["clusters"]
    assert [len(c["items"]) for c in clusters] == [4, 2]  # the faults' messages differ only by a number
    first = clusters[0]
    assert first["signature"] == "expected integer N, the <API> holds integer N+1"
    assert first["check"] == "property" and first["rule"] == "integer coercion" and first["documents"] == 2
    assert first["items"] == ["first/a-to-b/property/amount-to-total", "first/a-to-b/no-echo",
                              "second/a-to-b/property/amount-to-total", "second/a-to-b/no-echo"]
    assert clusters[1]["signature"] == "a create whose answer was lost was made N times"
    assert clusters[1]["check"] == "faults" and clusters[1]["documents"] == 2
    assert data["not_verifiable_reasons"] == [
        {"reason": "not verifiable: Chargebee's records carry no change time", "count": 1},
        {"reason": "not verifiable: MemberCare's records carry no change time", "count": 1}]

    # the page: the clusters before the index, the largest first, linking to every item; the reasons in a table
    assert page.index('id="clusters"') < page.index('id="index"') < page.index('id="reasons"')
    largest = page[page.index('data-cluster="0"'):page.index('data-cluster="1"')]
    assert "expected integer N, the &lt;API&gt; holds integer N+1" in largest and "integer coercion" in largest
    assert largest.count('<a href="#item-') == 4
    assert "a-to-b/property/amount-to-total" in largest and "second.rst" in largest
    assert "Not verifiable: 2 items, 2 reasons" in page


@pytest.mark.slow  # suites run in pytest subprocesses, twice
def test_newly_failing_is_grouped_by_cluster(tmp_path):
    suite = _suite(tmp_path)
    for doc, _title in MANIFEST_DOCUMENTS:  # everything passes first
        module = suite / doc / "test_a_to_b.py"
        module.write_text(module.read_text().replace("raise ", "return ").replace("assert False", "assert True"))
    _run(suite, tmp_path / "qa.html")
    suite.rename(tmp_path / "passing")
    data, page = _run(_suite(tmp_path), tmp_path / "qa.html")
    assert len(data["history"]["newly_failing"]) == 6
    newly = page[page.index('data-history="newly_failing"'):page.index('data-history="fixed"')]
    assert "Newly failing: <b>6</b>" in newly
    groups = newly.split('data-newly-cluster="')[1:]
    assert [g.count('<a href="#item-') for g in groups] == [4, 2]
    assert "expected integer N, the &lt;API&gt; holds integer N+1" in groups[0]


def test_a_set_up_failure_is_shaped_by_the_engine_s_own_error_messages():
    errors = (SimpleNamespace(entity_id="1", side="source",
                              message="customerNumber: -1 is less than the minimum of 0 [validation_error]"),)
    message = Message("the first pass reported errors: {errors}", errors=errors_field(errors)).prefixed("set-up failed: ")
    assert message == f"set-up failed: the first pass reported errors: {errors}"  # the text as before
    assert message.core == ("set-up failed: the first pass reported errors: "
                            "source: customerNumber: N is less than the minimum of N [validation_error]")


def test_a_rule_applied_once_or_twice_is_one_cluster_named_by_its_most_common_shape():
    once = Message("{m}", m=Mismatch(0, 1, "A", "integer"))
    twice = Message("{m}", m=Mismatch(-3, -1, "B", "integer", verb="was sent"))
    assert twice == "expected integer -3, the B API was sent integer -1"
    assert once.core == twice.core and once.shape != twice.shape
    dataflows = [dataflow("a.rst", *(item(f"a/{n}", core=once.core, shape=once.shape) for n in range(3))),
                 dataflow("b.rst", item("b/1", core=twice.core, shape=twice.shape))]
    [cluster] = cluster_failures(dataflows)
    assert cluster["signature"] == "expected integer N, the <API> holds integer N+1" and len(cluster["items"]) == 4
    assert cluster["variants"] == [{"signature": once.shape, "causes": 3}, {"signature": twice.shape, "causes": 1}]
