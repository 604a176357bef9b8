"""Which connector serves a system: the one its API description names, configured by that description."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from apis.description import ApiDescription, describe

from ..credentials import Credentials, credentials_for
from ..errors import ConfigurationError
from ..names import system_key
from .base import RestConnector

OVERRIDABLE = ("auth", "id_field", "updated_at_field", "records_location", "page_style", "since_param",
               "idempotency_header", "conditional_writes")


def is_chargebee(system: str) -> bool:
    return system_key(system) == "chargebee"


@dataclass(frozen=True, slots=True)
class ApiModel:
    """What the checks of a system ran against: `kind` is `described` (from the vendor's own description),
    `declared` (no public description covers it; ours is the one) or `generic` (the vendor's is not modelled)."""

    system: str
    kind: str
    summary: str


def api_model(system: str) -> ApiModel:
    """How faithfully this product models `system`'s API, in a report's words."""
    api = describe(system)
    if api.kind == "generic":
        return ApiModel(system, "generic", f"{system}'s own API is not modelled: checked against a generic JSON "
                                           "REST API offering only list, get, create and update, with the fields "
                                           "the document maps")
    if api.kind == "declared":
        offers = ", ".join(api.offers()) or "nothing more"
        return ApiModel(system, "declared", f"{api.source} (list, get, create, update; {offers})")
    return ApiModel(system, "described", api.source)


def connector_for(system: str, *, entity: str | None = None, base_url: str | None = None,
                  credentials: Credentials | None = None, config: dict[str, Any] | None = None,
                  **kwargs: Any) -> RestConnector:
    """A connector for `system` (serving `entity`), as its description says, with a sync-run config's overrides."""
    config = dict(config or {})
    paths = config.get("paths") or kwargs.pop("paths", None)
    api = describe(system)
    overrides = {k: config[k] for k in OVERRIDABLE if k in config}
    if not isinstance(overrides.get("conditional_writes", False), bool):
        raise ConfigurationError(f"{system}: conditional_writes must be true or false")
    if overrides:
        api = api.with_overrides(**overrides)
    if base_url is None and config.get("base_url"):
        base_url = config["base_url"]
    if base_url is None and "{site}" in api.base_url:
        base_url = api.base_url.format(site=config.get("site", "site"))
    creds = credentials or credentials_for(system, auth_style(api), config, names=api.auth.credential_names)
    return quirks_connector(api.quirks)(system, api, creds, entity=entity, base_url=base_url, paths=paths, **kwargs)


@cache
def quirks_connector(quirks: str) -> type[RestConnector]:
    """The connector class for what a description cannot say as data: `CONNECTOR` of the module
    `sync.connectors.<quirks>` (a vendor's quirks are a module of their own, found by name)."""
    try:
        module = importlib.import_module(f"{__package__}.{quirks}") if quirks else None
    except ModuleNotFoundError as missing:
        if missing.name != f"{__package__}.{quirks}":
            raise
        module = None  # the vendor's quirks are all on the fake's side
    return getattr(module, "CONNECTOR", RestConnector)


def auth_style(api: ApiDescription) -> str:
    """The kind of credentials a description's auth needs: `basic`, `bearer` (a token) or `none`."""
    return api.auth.style
