"""EntityMapping values built directly with the model's constructor, as the tests need them."""
from __future__ import annotations

from generator.model import Condition, CreationRule, EntityMapping, MergeKey, PropertyMapping

FILE = "tests/sync/builders.py"


def prop(source: str, target: str, type: str | None = "string", when: Condition | None = None) -> PropertyMapping:
    return PropertyMapping(source, target, type, FILE, 1, when)  # type: ignore[arg-type]


def when(side: str, path: str, has: str) -> Condition:
    return Condition(side, path, has)  # type: ignore[arg-type]


def key(source: str, target: str) -> MergeKey:
    return MergeKey(source, target, FILE, 1)


def mapping(source: str | tuple[str, str] = "Custom CRM Contact", target: str | tuple[str, str] = "Chargebee Customer", *,
            sync: str = "every", properties=(), merge_keys=(), bidirectional: bool = False,
            merge_or_create: bool = False, condition: str | None = None,
            via: tuple[str, ...] | None = None, into: str | None = None, id: str = "m1") -> EntityMapping:
    """A mapping between "<System> <Entity>" (the last word is the entity) or (system, entity) pairs."""
    source_system, source_entity = source if isinstance(source, tuple) else source.rpartition(" ")[::2]
    target_system, target_entity = target if isinstance(target, tuple) else target.rpartition(" ")[::2]
    rule = CreationRule(tuple(via), into or target_system, FILE, 1) if via else None
    return EntityMapping(
        id=id, title=f"{source} to {target}", file=FILE, line=1,
        source_system=source_system, source_entity=source_entity,
        target_system=target_system, target_entity=target_entity,
        sync=sync, condition=condition, create_when_connected=rule,  # type: ignore[arg-type]
        merge_or_create=merge_or_create, merge_keys=tuple(merge_keys), bidirectional=bidirectional,
        properties=tuple(properties),
    )
