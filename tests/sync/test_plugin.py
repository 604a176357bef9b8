"""The pytest plugin as a generated suite outside the repo uses it: fixture, factory, --api-faults."""
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings, strategies as st

from .builders import mapping, prop

SUITE = '''
from hypothesis import given, settings, strategies as st
from generator.model import EntityMapping, PropertyMapping

M = EntityMapping(id="x", title="x", file="x.rst", line=1, source_system="Custom CRM", source_entity="Contact",
                  target_system="Chargebee", target_entity="Customer", sync="every", condition=None,
                  create_when_connected=None, merge_or_create=False, merge_keys=(), bidirectional=True,
                  properties=(PropertyMapping("n", "net_term_days", "integer", "x.rst", 2),))

def test_converges_under_the_configured_faults(sync_harness, request):
    h = sync_harness(M)
    for i in range(20):
        h.source.create({"n": str(i)})
    for _ in range(6):
        h.run_pass()
    assert sorted(r["net_term_days"] for r in h.target.records()) == list(range(20))
    assert (h.target.fake.faults.rate > 0) == (request.config.getoption("--api-faults") > 0)

@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6))
def test_hypothesis_makes_a_harness_per_example(sync_harness, n):
    with sync_harness(M) as h:
        h.source.create({"n": str(n)})
        h.run_pass()
        assert [r["net_term_days"] for r in h.target.records()] == [n]
'''


@pytest.mark.slow  # a suite run in a subprocess
def test_a_suite_outside_the_repo_gets_the_fixture_and_the_faults_option(tmp_path):
    (tmp_path / "test_generated.py").write_text(textwrap.dedent(SUITE))
    for faults in ("0.0", "0.2"):
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--api-faults={faults}",
                              str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "2 passed" in run.stdout


def test_the_factory_is_reusable_within_one_test(sync_harness):
    first = sync_harness(mapping(properties=[prop("a", "first_name")]))
    second = sync_harness(mapping(properties=[prop("a", "first_name")]))
    first.source.create({"a": "x"})
    first.run_pass()
    second.run_pass()
    assert len(first.target.records()) == 1 and second.target.records() == []
    assert first.target.fake.base_url != second.target.fake.base_url


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=10))
def test_hypothesis_can_use_the_fixture_directly(sync_harness, name):
    h = sync_harness(mapping("Custom CRM Contact", "MemberCare Persons", properties=[prop("a", "name")]))
    h.source.create({"a": name})
    h.run_pass()
    assert [r.get("name") for r in h.target.records()] == [name if name.strip() else None]


VOCABULARY_SUITE = '''
from generator.model import EntityMapping, PropertyMapping

M = EntityMapping(id="x", title="x", file="x.rst", line=1, source_system="Custom CRM", source_entity="Product",
                  target_system="MemberCare", target_entity="Products", sync="conditional",
                  condition="preliminary mapping until we can sort out suppliers. This removes all supplier products for now",
                  create_when_connected=None, merge_or_create=False, merge_keys=(), bidirectional=False,
                  properties=(PropertyMapping("name", "name", "string", "x.rst", 2),))

def test_the_user_vocabulary_decides(sync_harness):
    h = sync_harness(M)
    h.source.create({"name": "own"})
    h.source.create({"name": "bought", "supplier": {"id": 3}})
    h.run_pass()
    assert [r["name"] for r in h.target.records()] == ["own"]
'''


@pytest.mark.slow  # a suite run in a subprocess
def test_a_suite_reads_the_users_vocabulary_from_the_option(tmp_path):
    (tmp_path / "test_generated.py").write_text(textwrap.dedent(VOCABULARY_SUITE))
    (tmp_path / "mine.toml").write_text(
        '[[conditions]]\nphrasing = "preliminary mapping until we can sort out suppliers. '
        'This removes all supplier products for now"\n'
        '[conditions.predicates."Custom CRM"]\nfield = "supplier"\noperator = "empty"\n')
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "test_generated.py")]
    without = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True)
    assert without.returncode == 1 and "no predicate" in without.stdout
    done = subprocess.run([*run, "--vocabulary", str(tmp_path / "mine.toml")], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]
    missing = subprocess.run([*run, "--vocabulary", "nope.toml"], cwd=tmp_path, capture_output=True, text=True)
    assert missing.returncode != 0 and "no such vocabulary file: nope.toml" in missing.stdout + missing.stderr
