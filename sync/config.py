"""`sync-run`'s config, checked whole before the first request: `load(path)` or `ConfigurationError`.

A config that is wrong must fail at load, naming the file and the key, never halfway through a pass
(a `file://` base URL) or, worse, not at all (an `auth` it does not know sent no credentials and the
run "succeeded"; a token given as a list went out as `Bearer ['...']`). The schema is in
docs/sync-run.md; `check` is its executable form.
"""
from __future__ import annotations

import json
import math
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit, urlunsplit

from apis.description import PAGE_STYLES, describe
from generator.vocabulary import OPERATORS, is_concept

from .errors import ConfigurationError
from .names import system_key

AUTH_KINDS = ("basic", "bearer", "none")
SCHEMES = ("http", "https")
TEXT_KEYS = ("id_field", "updated_at_field", "records_location", "since_param", "idempotency_header")
CREDENTIAL_KEYS = ("api_key", "token", "user", "password")
SYSTEM_KEYS = ("base_url", "site", "auth", "paths", "conditional_writes", "page_style", *TEXT_KEYS, *CREDENTIAL_KEYS)
# Bounds of a pass (docs/sync-run.md): a request with its retries and body, a whole pass, an answer's size.
# A pass of a large system may take hours; none may take forever (an API paging slowly without end).
LIMITS = {"request_seconds": (float, 300.0), "pass_seconds": (float, 21_600.0), "max_response_bytes": (int, 64 << 20)}
TOP_KEYS = ("state", "systems", "concepts", "concept_fields", "conditions", "test_mode", *LIMITS)
_SITE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@dataclass(frozen=True)
class Limits:
    request_seconds: float = 300.0
    pass_seconds: float | None = 21_600.0
    max_response_bytes: int = 64 << 20
    # Test-mode knobs (`[test_mode]`, what the checks give a system under test against their fakes): each
    # read of an answer gives up after this long, and backoff and Retry-After are not slept.
    read_timeout_seconds: float | None = None
    sleep: bool = True


def read(path: str | None) -> dict[str, Any]:
    """The config file's content (TOML, or JSON by its name), a table; ConfigurationError naming the file."""
    if not path:
        return {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        data = json.loads(text, parse_constant=_no_constant) if path.endswith(".json") else tomllib.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ConfigurationError(f"{path}: not valid {'JSON' if path.endswith('.json') else 'TOML'} ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: must be a table (an object) of settings, not {type(data).__name__}")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def load(path: str | None, environ: Mapping[str, str] | None = None) -> tuple[dict[str, Any], Limits, list[str]]:
    """The config at `path` checked whole (with the `SYNC_*` variables of `environ` for credentials), its limits,
    and warnings (keys it does not know). Credentials in a `base_url` become the system's `user`/`password`."""
    config = read(path)
    environ = dict(os.environ if environ is None else environ)
    return check(config, path or "config", environ)


def check(config: dict[str, Any], where: str, environ: Mapping[str, str]) -> tuple[dict[str, Any], Limits, list[str]]:
    def fail(key: str, problem: str) -> ConfigurationError:
        return ConfigurationError(f"{where}: {key}: {problem}")

    warnings = [f"{where}: {key}: not a setting sync-run knows; ignored" for key in config if key not in TOP_KEYS]
    if "state" in config and not (isinstance(config["state"], str) and config["state"]):
        raise fail("state", "must be the path of a file (text)")
    limits = {}
    for key, (kind, default) in LIMITS.items():
        value = config.get(key, default)
        if key in config:
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not number or not math.isfinite(value) or value <= 0 or (kind is int and not isinstance(value, int)):
                raise fail(key, f"must be a positive {'whole number' if kind is int else 'number'}")
        limits[key] = value
    limits.update(_test_mode(config.get("test_mode", {}), fail))
    systems = config.get("systems", {})
    if not isinstance(systems, dict):
        raise fail("systems", "must be a table of systems ([systems.\"<name>\"])")
    checked = {**config, "systems": {}}
    spelled: dict[str, str] = {}
    for name, table in systems.items():
        key = f'systems."{name}"'
        if system_key(str(name)) in spelled:  # one would silently win over the other
            raise fail(key, f'names the same system as systems."{spelled[system_key(str(name))]}"; keep one table')
        spelled[system_key(str(name))] = str(name)
        if not isinstance(table, dict):
            raise fail(key, "must be a table of the system's settings")
        table, more = _system(str(name), table, key, fail, environ)
        checked["systems"][name] = table
        warnings += [f"{where}: {w}" for w in more]
    _vocabulary(config, fail)
    return checked, Limits(**limits), warnings


def _system(name: str, table: dict[str, Any], key: str, fail: Any, environ: Mapping[str, str]) -> tuple[dict, list[str]]:
    table = dict(table)
    api = describe(name)
    named = api.auth.credential_names  # the further secrets its API's auth takes (subscription_key, ...)
    warnings = [f"{key}.{k}: not a setting sync-run knows; ignored" for k in table if k not in (*SYSTEM_KEYS, *named)]
    for k in TEXT_KEYS:
        if k in table and not (isinstance(table[k], str) and table[k]):
            raise fail(f"{key}.{k}", "must be text")
    for k in (*CREDENTIAL_KEYS, *named):
        value = table.get(k)
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            table[k] = str(value)  # digits written without quotes: the credential is the text
        elif not isinstance(value, str):
            raise fail(f"{key}.{k}", f"must be text, not {_kind(value)}")  # never the value: it is a secret
    if "auth" in table and table["auth"] not in AUTH_KINDS:
        shown = json.dumps(table["auth"]) if isinstance(table["auth"], (str, int, float)) else _kind(table["auth"])
        raise fail(f"{key}.auth", f"{shown} is not a kind of authentication sync-run knows "
                                  f"({', '.join(AUTH_KINDS)})")
    if "conditional_writes" in table and not isinstance(table["conditional_writes"], bool):
        raise fail(f"{key}.conditional_writes", "must be true or false")
    if "page_style" in table and table["page_style"] not in PAGE_STYLES:
        raise fail(f"{key}.page_style", f"must be one of {', '.join(PAGE_STYLES)}")
    paths = table.get("paths", {})
    if not isinstance(paths, dict) or not all(isinstance(v, str) and v.startswith("/") for v in paths.values()):
        raise fail(f"{key}.paths", "must be a table of entity = \"/path\" (text starting with /)")
    if "site" in table and not (isinstance(table["site"], str) and _SITE.fullmatch(table["site"])):
        raise fail(f"{key}.site", "must be a site name (letters, digits and hyphens)")
    style = table.get("auth") or api.auth.style
    if "base_url" in table:
        table["base_url"] = _base_url(table, f"{key}.base_url", style, fail)
    prefix = f"SYNC_{system_key(name).upper()}_"

    def given(*names: str) -> bool:
        return any(table.get(n) or environ.get(prefix + n.upper()) for n in names)
    session = api.auth.session if style == api.auth.style else None
    if style == "bearer" and not given("token", "api_key") and not session:
        raise fail(key, f"auth is bearer, but no token is given (token, api_key, or {prefix}TOKEN)")
    if style == "basic" and not given("user", "api_key", "password") and not (session and api.auth.user):
        raise fail(key, f"auth is basic, but no user is given (user and password, api_key, or {prefix}USER)")
    if style == api.auth.style:
        # A session's secrets are needed only where no password (a session token) or token is given.
        made = given("password") if style == "basic" else given("token", "api_key")
        needed = api.auth.header_names + (() if made else api.auth.session_names)
        missing = [n for n in needed if not given(n)]
        if missing:
            raise fail(key, f"{api.name}'s API also takes {', '.join(missing)} (or {prefix}{missing[0].upper()})")
    return table, warnings


def _test_mode(table: Any, fail: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise fail("test_mode", "must be a table (read_timeout_seconds, sleep)")
    knobs: dict[str, Any] = {}
    if "read_timeout_seconds" in table:
        value = table["read_timeout_seconds"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise fail("test_mode.read_timeout_seconds", "must be a positive number")
        knobs["read_timeout_seconds"] = float(value)
    if "sleep" in table:
        if not isinstance(table["sleep"], bool):
            raise fail("test_mode.sleep", "must be true or false")
        knobs["sleep"] = table["sleep"]
    return knobs


def _base_url(table: dict[str, Any], key: str, style: str, fail: Any) -> str:
    """The base URL, http or https with a host; credentials in it taken as the basic-auth user and password
    when the config gives none (an empty Basic header must never stand in for them), refused otherwise."""
    url = table["base_url"]
    if not isinstance(url, str):
        raise fail(key, f"must be an http:// or https:// URL (text), not {_kind(url)}")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # a bad port raises here, not mid-pass
    except ValueError:
        raise fail(key, "is not a URL") from None
    if parts.scheme.lower() not in SCHEMES:
        scheme = f"{parts.scheme}://" if parts.scheme else "no scheme"
        raise fail(key, f"must be an http:// or https:// URL, not {scheme}")
    if not host:
        raise fail(key, "has no host")
    if parts.query or parts.fragment or url.endswith(("?", "#")):  # a path appended after them would be lost
        raise fail(key, "must not hold a query (?) or a fragment (#): paths are appended to it")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise fail(key, "holds white space or a control character")
    if parts.username is None and parts.password is None:
        return url
    if style != "basic" or any(table.get(k) for k in ("user", "api_key", "password")):
        raise fail(key, "holds credentials (user:password@), but the system's auth is not basic or the config "
                        "gives them too; give them only as user and password")
    table["user"], table["password"] = unquote(parts.username or ""), unquote(parts.password or "")
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _vocabulary(config: dict[str, Any], fail: Any) -> None:
    """The vocabulary sections hold only what a vocabulary can: spellings as text, predicates whose values
    their operators can compare (a table as an `at_least` bound failed mid-pass)."""
    concepts = config.get("concepts", {})
    if not isinstance(concepts, dict):
        raise fail("concepts", 'must be a table of [concepts."wd:Q..."]')
    for concept, spellings in concepts.items():
        key = f'concepts."{concept}"'
        if not is_concept(str(concept)):
            raise fail(key, "is not a concept id (wd:Q<digits>)")
        if not isinstance(spellings, dict):
            raise fail(key, 'must be a table of "<system>" = "<value>"')
        for system, value in spellings.items():
            if not _scalar(value):
                raise fail(f'{key}."{system}"', f"must be text or a number, not {_kind(value)}")
    fields = config.get("concept_fields", {})
    if not isinstance(fields, dict) or not all(isinstance(p, str) for p in _list(fields.get("patterns", []))) \
            or not isinstance(fields.get("patterns", []), list):
        raise fail("concept_fields", "must be a table with patterns = [\"<field pattern>\", ...]")
    conditions = config.get("conditions", [])
    if not isinstance(conditions, list):
        raise fail("conditions", "must be an array of tables ([[conditions]])")
    for number, entry in enumerate(conditions, 1):
        key = f"conditions[{number}]"
        if not isinstance(entry, dict):
            raise fail(key, "must be a table")
        if not isinstance(entry.get("phrasing"), str) or not entry["phrasing"].strip():
            raise fail(f"{key}.phrasing", "must be text")
        predicates = entry.get("predicates", {})
        if not isinstance(predicates, dict):
            raise fail(f"{key}.predicates", 'must be a table of [conditions.predicates."<system>"]')
        for system, spec in predicates.items():
            _predicate(spec, f'{key}.predicates."{system}"', fail)


def _predicate(spec: Any, key: str, fail: Any) -> None:
    if not isinstance(spec, dict):
        raise fail(key, "must be a table with field, operator and value")
    operator = spec.get("operator", "equals")
    if operator not in OPERATORS:
        raise fail(f"{key}.operator", f"must be one of {', '.join(OPERATORS)}")
    if not isinstance(spec.get("field"), str) or not spec["field"]:
        raise fail(f"{key}.field", "must be the path of a field (text)")
    if operator in ("empty", "not_empty"):
        return
    if "value" not in spec:
        raise fail(f"{key}.value", f"operator {operator!r} needs a value")
    value = spec["value"]
    if operator in ("at_least", "at_most"):
        if not _number(value):
            raise fail(f"{key}.value", f"operator {operator!r} compares numbers: the value must be a finite number "
                                       "or its text")
    elif operator == "one_of":
        if not isinstance(value, list) or not value or not all(_scalar(v) for v in value):
            raise fail(f"{key}.value", "operator 'one_of' needs a list of texts or numbers")
    elif not _scalar(value):
        raise fail(f"{key}.value", f"must be text, a number or true/false, not {_kind(value)}")


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, bool, int)) or (isinstance(value, float) and math.isfinite(value))


def _number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError, OverflowError):
        return False


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "text"}.get(type(value), f"a {type(value).__name__}")
