"""Rows under a condition (`PropertyMapping.when`): list discriminators, scalar conditions, both directions."""
from .builders import mapping, prop, when
from sync.harness import Harness
from sync.paths import Where, get_where, set_where
from generator.vocabulary import Vocabulary

MOBILE = "wd:Q17517"
VOCABULARY = Vocabulary.shipped().extended({"concepts": {MOBILE: {"Custom CRM": "mobile", "MemberCare": "MOBILE"}}})


def harness(m):
    return Harness(m, vocabulary=VOCABULARY)


def test_a_list_discriminator_selects_the_matching_item_only():
    m = mapping("Custom CRM Contact", "MemberCare Persons", bidirectional=True, properties=[
        prop("phone_numbers.number", "mobile", when=when("source", "phone_numbers.name", MOBILE)),
        prop("email", "email")])
    with harness(m) as h:
        sid = h.source.create({"email": "a@x.no", "phone_numbers": [{"name": "home", "number": "111"},
                                                                   {"name": "mobile", "number": "222"}]})
        none = h.source.create({"email": "b@x.no", "phone_numbers": [{"name": "home", "number": "333"}]})
        h.run_pass()
        by_email = {r["email"]: r for r in h.target.records()}
        assert by_email["a@x.no"]["mobile"] == "222"
        assert "mobile" not in by_email["b@x.no"], "a contact with no mobile number must not get one"

        # Read backwards: the edit goes into the mobile item, and the other item is untouched.
        tid = [t for s, t in h.links() if s == sid][0]
        h.target.edit(tid, {"mobile": "999"})
        h.run_pass()
        assert h.source.get(sid)["phone_numbers"] == [{"name": "home", "number": "111"},
                                                     {"name": "mobile", "number": "999"}]
        # ...and where there is no mobile item, one is added with the discriminator set.
        other = [t for s, t in h.links() if s == none][0]
        h.target.edit(other, {"mobile": "444"})
        h.run_pass()
        assert h.source.get(none)["phone_numbers"] == [{"name": "home", "number": "333"},
                                                      {"name": "mobile", "number": "444"}]


def test_a_target_list_discriminator_is_written_into_the_matching_item_created_when_absent():
    m = mapping("Custom CRM Contact", "MemberCare Persons", properties=[
        prop("mobile", "phones.number", when=when("target", "phones.type", MOBILE)), prop("email", "email")])
    with harness(m) as h:
        sid = h.source.create({"email": "a@x.no", "mobile": "222"})
        h.run_pass()
        tid = h.links()[0][1]
        assert h.target.get(tid)["phones"] == [{"type": "MOBILE", "number": "222"}]
        h.target.edit(tid, {"phones": [{"type": "HOME", "number": "1"}, {"type": "MOBILE", "number": "222"}]})
        h.source.edit(sid, {"mobile": "333"})
        h.run_pass()
        assert h.target.get(tid)["phones"] == [{"type": "HOME", "number": "1"}, {"type": "MOBILE", "number": "333"}]


def test_a_scalar_condition_with_a_literal_value_writes_only_where_it_holds():
    m = mapping("Custom CRM Customer", "MemberCare Companies", properties=[
        prop("OrgNr", "organizationNumber", when=when("source", "Country.TwoLetterISOCountry", "NO")),
        prop("Name", "name")])
    with harness(m) as h:
        h.source.create({"Name": "Norsk", "OrgNr": "914", "Country": {"TwoLetterISOCountry": "NO"}})
        swedish = h.source.create({"Name": "Svensk", "OrgNr": "556", "Country": {"TwoLetterISOCountry": "SE"}})
        h.run_pass()
        by_name = {r["name"]: r for r in h.target.records()}
        assert by_name["Norsk"]["organizationNumber"] == "914"
        assert "organizationNumber" not in by_name["Svensk"]
        h.source.edit(swedish, {"OrgNr": "557"})
        h.run_pass()
        assert "organizationNumber" not in {r["name"]: r for r in h.target.records()}["Svensk"]


def test_a_target_scalar_condition_is_set_on_create_and_honoured_on_update():
    m = mapping("Custom CRM Contact", "MemberCare Persons", merge_keys=[], properties=[
        prop("owner", "toObjectId", when=when("target", "sesam_simpleAssociationTypes", "wd:Q16869121")),
        prop("email", "email")])
    with harness(m) as h:
        sid = h.source.create({"email": "a@x.no", "owner": "77"})
        h.run_pass()
        created = h.target.records()[0]
        # The assumption of the shipped vocabulary: a sesam_* field holds the concept id itself.
        assert (created["toObjectId"], created["sesam_simpleAssociationTypes"]) == ("77", "wd:Q16869121")
        other = h.source.create({"email": "b@x.no", "owner": "78"})
        tid = h.target.create({"email": "b@x.no", "sesam_simpleAssociationTypes": ["wd:Q1"]})
        h.link(other, tid)
        h.source.edit(sid, {"owner": "79"})
        h.run_pass()
        assert h.target.get(tid).get("toObjectId") is None, "written although the target does not hold the value"
        assert [r["toObjectId"] for r in h.target.records() if r["email"] == "a@x.no"] == ["79"]


def test_rows_the_engine_cannot_honour_are_skipped_and_named_the_others_still_run(caplog):
    m = mapping("Custom CRM Contact", "MemberCare Persons", properties=[
        prop("OrgNr", "customerNumber", when=when("source", "Country.Code", "wd:Q852835")),
        prop("dept", "department.id", when=when("target", "", "wd:Q2366457")),
        prop("email", "email")])
    with harness(m) as h:
        reasons = [why for _row, why in h.engine.skipped_rows]
        assert reasons == ["no value known for wd:Q852835 in Custom CRM",
                           "the condition names no path (having 'wd:Q2366457')"]
        h.source.create({"email": "a@x.no", "OrgNr": "1", "dept": "2", "Country": {"Code": "wd:Q852835"}})
        h.run_pass()
        assert h.target.records()[0].keys() >= {"email"} and "customerNumber" not in h.target.records()[0]
        assert "department" not in h.target.records()[0]
    assert "no value known for wd:Q852835" in caplog.text


def test_where_reads_and_writes_without_a_list_prefix_on_a_nested_object():
    where = Where("address.city", "address.country", "NO")
    assert get_where({"address": {"city": "Oslo", "country": "NO"}}, where) == "Oslo"
    assert get_where({"address": {"city": "Lund", "country": "SE"}}, where) is None
    record = {"address": {"country": "SE"}}
    assert set_where(record, where, "Oslo") == {"address": {"country": "SE"}}
    assert set_where({}, Where("tags", "kinds", "x"), "t", create=True) == {"kinds": "x", "tags": "t"}
    # A list-valued field holds a value it contains.
    assert get_where({"kinds": ["a", "x"], "tags": "t"}, Where("tags", "kinds", "x")) == "t"


def test_under_api_faults_a_row_is_checked_with_the_runs_vocabulary():
    # The faults check runs every row again through a fault-injecting partial of the run's harness
    # factory: a row under a concept only the run's vocabulary spells is checked there too, not
    # skipped as not verifiable.
    from qa_checklist import checks
    from sync.testing import HarnessFactory

    m = mapping("Custom CRM Contact", "MemberCare Persons", bidirectional=True, id="when/faults", properties=[
        prop("phone_numbers.number", "mobile", when=when("source", "phone_numbers.name", MOBILE)),
        prop("email", "email")])
    checks.faults(HarnessFactory(0.0, VOCABULARY), m)


def test_a_condition_inside_an_object_the_api_holds_creates_that_object_not_a_list():
    # HubSpot keeps every property in one object, `properties`: a created contact whose only row there is
    # conditioned gets the object with the condition's value, not a list HubSpot refuses ("not of type 'object'").
    m = mapping("Custom CRM Contact", "HubSpot Contact", properties=[
        prop("phone", "properties.phone", when=when("target", "properties.country", "NO"))])
    with harness(m) as h:
        h.source.create({"phone": "+47 22 00 00 00"})
        report = h.run_pass()
        assert report.created == 1 and not report.errors, report.errors
        [created] = h.target.records()
        assert created["properties"]["phone"] == "+47 22 00 00 00"
        assert created["properties"]["country"] == "NO"


def test_a_condition_under_a_path_nothing_describes_still_starts_a_list():
    record: dict = {}
    set_where(record, Where("phones.number", "phones.kind", "mobile"), "222", create=True)
    assert record == {"phones": [{"kind": "mobile", "number": "222"}]}
    shaped: dict = {}
    set_where(shaped, Where("phones.number", "phones.kind", "mobile"), "222", create=True,
              shape=lambda path: "object" if path == "phones" else None)
    assert shaped == {"phones": {"kind": "mobile", "number": "222"}}


def test_an_update_under_a_condition_into_a_missing_object_writes_nothing():
    # An update writes only where the condition holds: into a linked HubSpot company whose `properties` is
    # missing, nothing (it was a list item made up with the condition's value, which HubSpot refuses).
    m = mapping("Custom CRM Company", "HubSpot Company", properties=[
        prop("phone", "properties.phone", when=when("target", "properties.country", "NO"))])
    with harness(m) as h:
        sid = h.source.create({"phone": "1"})
        h.run_pass()
        [tid] = [t for s, t in h.links() if s == sid]
        from sync.reconcile import patch_for
        from sync.paths import Where
        shape = lambda path: h.target_connector.container_type("company", path)  # noqa: E731
        _, patch = patch_for({"id": tid}, {Where("properties.phone", "properties.country", "NO"): "2"}, shape)
        assert patch == {}
