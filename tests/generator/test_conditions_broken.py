"""The generated checks of conditions fail when the engine ignores them (broken on purpose, as a user would
find out): rows under `(Dependant on having ...)` and sections under a free-text condition."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the example suite run in subprocesses against broken engines

ROOT = Path(__file__).parents[2]
SUITE = "generated_tests/examples"

IGNORE_WHEN = """
import dataclasses
import sync.engine
import generator.vocabulary

_real = generator.vocabulary.resolve_rows


def ignoring_when(mapping, vocabulary):
    rows, skipped = _real(mapping, vocabulary)
    return tuple(dataclasses.replace(row, when=None) for row in rows), skipped


sync.engine.resolve_rows = ignoring_when
"""

WRITE_EVERY_ITEM = """
import sync.paths
import sync.reconcile

_real = sync.paths.write_at


def write_at(record, place, value, *, create=False, **how):
    if isinstance(place, sync.paths.Where) and not create:
        return sync.paths.set_path(record, place.path, value)  # into every item, whatever its kind
    return _real(record, place, value, create=create, **how)


sync.reconcile.write_at = write_at
"""

IGNORE_PREDICATE = """
import sync.engine

sync.engine.find_condition = lambda mapping, conditions=None, vocabulary=None: None
"""


# A failing property test would shrink its example at length; here only whether it fails matters.
NO_SHRINK = """
from hypothesis import Phase, settings

settings.register_profile("broken", max_examples=2, derandomize=True, database=None, phases=[Phase.generate],
                          deadline=None)
"""


def failed_with(tmp_path: Path, plugin: str, *args: str) -> set[str]:
    (tmp_path / "broken_engine.py").write_text(plugin + NO_SHRINK)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "pytest", SUITE, "-q", "-p", "no:cacheprovider", "-p", "broken_engine",
                          "-o", "addopts=", "--hypothesis-profile=broken", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert "error" not in run.stdout.splitlines()[-1], run.stdout[-3000:]
    return {m.split("examples/", 1)[1] for m in re.findall(r"^FAILED (\S+)", run.stdout, re.MULTILINE)}


def test_an_engine_ignoring_row_conditions_fails_exactly_the_conditioned_rows(tmp_path):
    failed = failed_with(tmp_path, IGNORE_WHEN, "-k", "conditions or zendesk")
    assert failed == {
        "customcrm_membercare_conditions/test_contact_to_persons.py::test_property_phone_numbers_number_to_mobile_phone",  # list, source side
        "customcrm_membercare_conditions/test_contact_to_persons.py::test_property_work_phone_to_phones_number",  # list, target side
        "customcrm_membercare_conditions/test_contact_to_persons.py::test_property_tax_number_to_national_identity_number",  # NO
        "customcrm_membercare_conditions/test_contact_to_persons.py::test_property_member_number_to_member_number",  # repeated clause
        "zendesk_customcrm_example/test_user_to_user.py::test_property_phone_to_shared_phone",  # `true` on a boolean field
        "zendesk_customcrm_example/test_user_to_user.py::test_property_contact_phones_number_e164_to_mobile_phone",  # a list item two objects deep
        "zendesk_customcrm_example/test_user_to_user.py::test_property_billing_vat_number_to_vat_number",  # JSON `false`, one object above the value
        # the faults item runs every row's check again under API faults
        "zendesk_customcrm_example/test_user_to_user.py::test_faults_linked_pair_holds_under_api_faults",
        "customcrm_membercare_conditions/test_contact_to_persons.py::test_faults_linked_pair_holds_under_api_faults",
    }


def test_an_engine_writing_a_linked_pair_into_every_list_item_fails_the_list_rows(tmp_path):
    failed = failed_with(tmp_path, WRITE_EVERY_ITEM, "-k", "conditions and persons")
    assert failed == {
        "customcrm_membercare_conditions/test_contact_to_persons.py::test_property_phone_numbers_number_to_mobile_phone",  # read backwards
        "customcrm_membercare_conditions/test_contact_to_persons.py::test_property_work_phone_to_phones_number",  # on update
        "customcrm_membercare_conditions/test_contact_to_persons.py::test_faults_linked_pair_holds_under_api_faults",
    }


def test_an_engine_ignoring_the_section_predicate_fails_every_sync_item_that_has_one(tmp_path):
    failed = failed_with(tmp_path, IGNORE_PREDICATE, "-k", "sync_rule")
    assert failed == {
        "customcrm_chargebee_example/test_lead_to_customer.py::test_sync_rule",
        "customcrm_membercare_conditions/test_customer_to_companies.py::test_sync_rule",  # "removed person customers..."
        "customcrm_membercare_conditions/test_product_to_products.py::test_sync_rule",  # no predicate: refused aloud
        "customcrm_membercare_example/test_user_to_persons.py::test_sync_rule",
        "hubspot_custompms_example/test_deal_to_reservation.py::test_sync_rule",  # HubSpot, 100% probability
        "zendesk_customcrm_example/test_user_to_user.py::test_sync_rule",  # Zendesk agent
    }
