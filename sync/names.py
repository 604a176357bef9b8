"""Names as the wire wants them: slugs for URLs, snake_case keys, plurals, association keys.

Documents spell systems freely (`Custom CRM`, `Customcrm`, `PowerOffice GO`, even a blank
name), so every lookup goes through `system_key`, which ignores case, spaces and punctuation.
"""
from __future__ import annotations

from apis.names import ascii_fold, plural, slug, snake, system_key  # noqa: F401  (the wire names live with the API descriptions)


def entity_name(name: str, system: str) -> str:
    """An entity name without its system prefix: (`HubSpot Deal`, `HubSpot`) -> `Deal`."""
    name = " ".join(name.split())
    prefix = " ".join(system.split())
    if prefix and name.lower().startswith(prefix.lower() + " "):
        return name[len(prefix) + 1:]
    return name


def association_key(via: str, system: str) -> str:
    """The key a record's `associations` uses for a via entity, HubSpot v3 style: `deals`."""
    return plural(snake(entity_name(via, system)))
