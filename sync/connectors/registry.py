"""Which connector and which declared API serve a system, by its spelling-independent key."""
from __future__ import annotations

from typing import Any

from ..credentials import Credentials, credentials_for
from ..names import system_key
from .base import RestConnector
from .chargebee import ChargebeeConnector
from .jsonrest import CUSTOM_CRM, CUSTOM_PMS, DEFAULT, MEMBERCARE, JsonRestApi, JsonRestConnector

JSON_APIS: dict[str, JsonRestApi] = {
    "membercare": MEMBERCARE,
    "customcrm": CUSTOM_CRM,
    "custompms": CUSTOM_PMS,
}


def is_chargebee(system: str) -> bool:
    return system_key(system) == "chargebee"


def json_api_for(system: str) -> JsonRestApi:
    """The declared JSON API of a system: its own if it has one, else the default."""
    return JSON_APIS.get(system_key(system), DEFAULT)


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
                                        "page_style", "since_param") if k in config}
    if overrides:
        from dataclasses import replace
        api = replace(api, **overrides)
    creds = credentials or credentials_for(system, api.auth, config)
    return JsonRestConnector(system, api, creds, base_url=base_url or config.get("base_url"), paths=paths, **kwargs)
