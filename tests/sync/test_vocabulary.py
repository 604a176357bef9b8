"""The vocabularies as data: concept spellings per system, fields holding concept ids, user extensions."""
import pytest

from generator.vocabulary import SHIPPED, Vocabulary, is_concept


def test_a_literal_stands_for_itself_and_a_concept_is_spelled_per_system():
    vocabulary = Vocabulary.shipped().extended({"concepts": {"wd:Q17517": {"Custom CRM": "mobile"}}})
    assert vocabulary.value_for("NO", "Tripletex", "country") == "NO"
    assert vocabulary.value_for("wd:Q17517", "customcrm", "phones.name") == "mobile"  # any spelling of the system
    assert vocabulary.value_for("wd:Q17517", "HubSpot", "phones.name") is None  # never guessed
    assert Vocabulary.shipped().value_for("wd:Q17517", "Custom CRM", "phones.name") is None


def test_sesam_fields_hold_the_concept_id_itself_unless_the_system_spells_it():
    shipped = Vocabulary.shipped()
    assert shipped.value_for("wd:Q16869121", "HubSpot", "sesam_simpleAssociationTypes") == "wd:Q16869121"
    assert shipped.value_for("wd:Q852835", "PowerOffice GO", "MailAddress.CountryCode") is None
    spelled = shipped.extended({"concepts": {"wd:Q16869121": {"HubSpot": "deal_to_owner"}}})
    assert spelled.value_for("wd:Q16869121", "HubSpot", "sesam_simpleAssociationTypes") == "deal_to_owner"


def test_the_shipped_file_names_the_sample_documents_concepts_and_phrasings():
    text = SHIPPED.read_text(encoding="utf-8")
    for concept in ("wd:Q17517", "wd:Q852835", "wd:Q16869121", "wd:Q2366457", "wd:Q29415492"):
        assert f'[concepts."{concept}"]' in text
    assert len(Vocabulary.shipped().phrasings) == 4
    assert is_concept("wd:Q17517") and not is_concept("NO") and not is_concept("wd:Q")


def test_a_user_file_extends_and_a_bad_one_is_refused(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[concepts."wd:Q17517"]\nZendesk = "mobile"\n')
    assert Vocabulary.shipped().extended_by_files([path]).value_for("wd:Q17517", "Zendesk", "x") == "mobile"
    with pytest.raises(ValueError, match="not a concept id"):
        Vocabulary.shipped().extended({"concepts": {"mobile": {"Zendesk": "m"}}})
    with pytest.raises(ValueError, match="without a `phrasing`"):
        Vocabulary.shipped().extended({"conditions": [{"predicates": {}}]})
