"""Credentials that stay secret: from the environment or a config file, never in a repr or log."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal, Mapping

from .errors import ConfigurationError
from .names import system_key

AuthStyle = Literal["basic", "bearer", "none"]


class Secret:
    """A secret string whose repr and str never show it; `.reveal()` is the only way in."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class Credentials:
    """How to authenticate to one system: basic (user + password) or a bearer token."""

    style: AuthStyle = "none"
    user: Secret = field(default_factory=lambda: Secret(""))
    password: Secret = field(default_factory=lambda: Secret(""))
    token: Secret = field(default_factory=lambda: Secret(""))
    # The further secrets an API's auth names (`[auth] headers`, `[auth] session`): name -> secret.
    named: tuple[tuple[str, Secret], ...] = ()

    def secret(self, name: str) -> Secret:
        return dict(self.named).get(name, Secret(""))

    def secrets(self) -> list[Secret]:
        """Every secret these credentials hold (for redaction)."""
        return [self.user, self.password, self.token, *(secret for _name, secret in self.named)]

    def check_sendable(self, system: str) -> None:
        """Raises `ConfigurationError` (never showing the value) for a credential HTTP cannot carry:
        header values are Latin-1, and a bearer token goes into one as it is."""
        named = {"basic": (("user", self.user), ("password", self.password)), "bearer": (("token", self.token),)}
        for name, secret in (*named.get(self.style, ()), *self.named):
            value = secret.reveal()
            position = next((i for i, c in enumerate(value) if ord(c) > 0xFF), None)
            if position is not None:
                raise ConfigurationError(f"{system}: the {name} has a character that HTTP cannot send (at position "
                                         f"{position + 1}: only Latin-1 characters can be sent); check the configuration")
            if (self.style == "bearer" or (name, secret) in self.named) and (value != value.strip() or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)):
                raise ConfigurationError(f"{system}: the {name} has white space at an end or a control character, "
                                         "which an HTTP header cannot carry; check the configuration")


def credentials_for(system: str, style: AuthStyle, config: Mapping[str, str] | None = None,
                    environ: Mapping[str, str] | None = None, names: tuple[str, ...] = ()) -> Credentials:
    """Credentials for a system from its config section, else from `SYNC_<SYSTEM>_*` variables; `names` are the
    further secrets its API's auth takes (`subscription_key`, `consumer_token`: `SYNC_<SYSTEM>_<NAME>`).

    Chargebee's API key is the basic-auth user name (`SYNC_CHARGEBEE_API_KEY` or `api_key`).
    """
    environ = os.environ if environ is None else environ
    config = config or {}
    prefix = f"SYNC_{system_key(system).upper()}_"

    def pick(*names: str) -> str:
        for name in names:  # the config first, under any of the names: it is the one given for this run
            if config.get(name):
                return str(config[name])
        for name in names:
            if environ.get(prefix + name.upper()):
                return environ[prefix + name.upper()]
        return ""

    named = tuple((name, Secret(pick(name))) for name in names)
    if style == "basic":
        return Credentials("basic", Secret(pick("user", "api_key")), Secret(pick("password")), named=named)
    if style == "bearer":
        return Credentials("bearer", token=Secret(pick("token", "api_key")), named=named)
    return Credentials(named=named)
