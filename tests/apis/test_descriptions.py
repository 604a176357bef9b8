"""Each API description holds what its loader knows, and says of its vendor only what the vendor's own extract shows."""
import json
import re

import pytest

from apis.description import HERE, DescriptionError, described_systems, describe, load
from apis.fields import fields_of

VERBS = {"list": ("get", False), "create": ("post", False), "retrieve": ("get", True)}


def _any_id(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{id}", path)


def _operations(extract: dict) -> set[tuple[str, str]]:
    """(method, path with every {parameter} written {id}) of each operation the extract keeps."""
    return {(method, _any_id(path)) for path, ops in extract["paths"].items() for method in ops}


@pytest.mark.parametrize("key", sorted(k for k, d in described_systems().items() if d.extract))
def test_every_operation_a_description_claims_is_in_the_vendors_own_extract(key):
    api = described_systems()[key]
    extract = json.loads((HERE / api.key / api.extract).read_text(encoding="utf-8"))
    kept = _operations(extract)
    for entity in api.entities.values():
        base = api.extract_prefix + (entity.extract_path or entity.path)
        for operation in entity.operations:
            method, keyed = VERBS.get(operation, (api.writes.update_method.lower(), True))
            path = _any_id(api.item_path.format(path=base, id="{id}") if keyed else base)
            assert (method, path) in kept, f"{api.name} {entity.key}: {method.upper()} {path}"
        search = api.incremental_of(entity).search
        if "list" in entity.operations and search:
            assert ("post", _any_id(base + search)) in kept


def test_hubspot_fields_come_from_its_openapi():
    api = describe("HubSpot")
    contact = fields_of(api, api.entity("Contact"))
    assert contact.find("properties.email").type == "string" and contact.find("properties.email").writable
    assert not contact.find("id").writable and not contact.find("properties.hs_object_id").writable
    assert contact.find("email") is None and contact.find("properties.address.city") is None
    owner = fields_of(api, api.entity("Owner"))
    assert owner.find("email").type == "string" and owner.find("properties.email") is None


def test_every_system_is_described_generic_or_declared_and_unknown_ones_are_generic():
    kinds = {key: d.kind for key, d in described_systems().items()}
    assert kinds["hubspot"] == kinds["chargebee"] == "described" and kinds["membercare"] == "declared"
    assert describe("Salesforce").kind == "generic" and describe("Salesforce").name == "Salesforce"


def test_a_description_with_an_unknown_key_is_refused_with_its_file_and_key(tmp_path):
    path = tmp_path / "odd" / "api.toml"
    path.parent.mkdir()
    path.write_text('[api]\nname = "Odd"\nkind = "described"\nsource = "x"\nbase_url = "https://x"\n'
                    '[paging]\nstyle = "cursor"\nnext = "token"\n')
    with pytest.raises(DescriptionError, match=r"odd/api.toml: \[paging\] has no key 'next'"):
        load(path)
    path.write_text('[api]\nname = "Odd"\nkind = "made up"\nsource = "x"\nbase_url = "https://x"\n')
    with pytest.raises(DescriptionError, match="kind must be one of"):
        load(path)
