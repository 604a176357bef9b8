"""Which connector and which declared API serve a system, by its spelling-independent key."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..credentials import Credentials, credentials_for
from ..errors import ConfigurationError
from ..names import system_key
from .base import RestConnector
from .chargebee import ChargebeeConnector
from .jsonrest import CUSTOM_CRM, CUSTOM_PMS, GENERIC, MEMBERCARE, JsonRestApi, JsonRestConnector

JSON_APIS: dict[str, JsonRestApi] = {
    "membercare": MEMBERCARE,
    "customcrm": CUSTOM_CRM,
    "custompms": CUSTOM_PMS,
}


def is_chargebee(system: str) -> bool:
    return system_key(system) == "chargebee"


def json_api_for(system: str) -> JsonRestApi:
    """The declared JSON API of a system: its own if it has one, else the generic one."""
    return JSON_APIS.get(system_key(system), GENERIC)


@dataclass(frozen=True, slots=True)
class ApiModel:
    """What the checks of a system ran against: `kind` is `described` (from the vendor's own client),
    `declared` (no public description exists; ours is the one) or `generic` (the vendor's is not modelled)."""

    system: str
    kind: str
    summary: str


def api_model(system: str) -> ApiModel:
    """How faithfully this product models `system`'s API, in a report's words."""
    if is_chargebee(system):
        return ApiModel(system, "described", "Chargebee API v2: resources, parameters and errors as its official "
                                             "client defines them (chargebee 3.x), which judges the fake")
    api = json_api_for(system)
    if api is GENERIC:
        return ApiModel(system, "generic", f"{system}'s own API is not modelled: checked against a generic JSON "
                                           "REST API offering only list, get, create and update, with the fields "
                                           "the document maps")
    offers = ", ".join(api.offers()) or "nothing more"
    return ApiModel(system, "declared", f"no public description of the {api.name} API exists: checked against its "
                                        f"declaration in this product (list, get, create, update; {offers})")


def connector_for(system: str, *, base_url: str | None = None, credentials: Credentials | None = None,
                  config: dict[str, Any] | None = None, **kwargs: Any) -> RestConnector:
    """A connector for any system: Chargebee's own, else the JSON REST one with derived paths."""
    config = dict(config or {})
    paths = config.get("paths") or kwargs.pop("paths", None)
    if is_chargebee(system):
        creds = credentials or credentials_for(system, "basic", config)
        url = base_url or config.get("base_url") or ChargebeeConnector.url_base.format(site=config.get("site", "site"))
        return ChargebeeConnector(system, creds, base_url=url, paths=paths, **kwargs)
    api = json_api_for(system)
    overrides = {k: config[k] for k in ("auth", "id_field", "updated_at_field", "records_location",
                                        "page_style", "since_param", "idempotency_header", "conditional_writes")
                 if k in config}
    if not isinstance(overrides.get("conditional_writes", False), bool):
        raise ConfigurationError(f"{system}: conditional_writes must be true or false")
    if overrides:
        api = replace(api, **overrides)
    creds = credentials or credentials_for(system, api.auth, config)
    return JsonRestConnector(system, api, creds, base_url=base_url or config.get("base_url"), paths=paths, **kwargs)
