"""One system's API as data: the `api.toml` beside its extract, loaded into frozen values.

The vocabulary is that of declarative connectors (Airbyte's low-code manifests, the Singer
SDK's stream attributes): a requester (`base_url`, `auth`), a record selector (`records`),
a paginator (`paging`), an incremental cursor (`incremental`), plus the writes those source
manifests lack (`writes`: verbs, body style, conditional writes, idempotency) and what each
entity really offers (`entities`). A system no folder describes gets `generic`, which assumes
only list, get, create and update.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urljoin

from .names import plural, slug, snake, system_key

HERE = Path(__file__).parent
KINDS = ("described", "declared", "generic")
PAGE_STYLES = ("cursor", "offset", "from", "page", "next_link", "none")
BODY_STYLES = ("json", "form", "properties")  # properties: HubSpot's {"properties": {...}} of strings
UPDATE_STYLES = ("merge", "json_patch")
CONDITIONALS = (None, "if-match", "version-field", "if-unmodified-since")
OPERATIONS = ("list", "retrieve", "create", "update")


class DescriptionError(ValueError):
    """An `api.toml` that does not say what it must; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Auth:
    """How credentials travel: a token in a header (`header`, with `prefix`), basic auth, or none."""

    style: str = "bearer"  # bearer (a token in `header`) | basic | none
    header: str = "Authorization"
    prefix: str = "Bearer "
    user: str = ""  # basic: a fixed user name, the secret being the password (Tripletex: "0" and a session token)
    # Further secrets, each in a header of its own on every request: header -> credential name
    # (PowerOffice Go's `Ocp-Apim-Subscription-Key` beside the bearer token).
    headers: tuple[tuple[str, str], ...] = ()  # pairs, not a dict: a description is hashable (cache keys)
    # The password or token made by a request from named secrets, where the config gives none (Tripletex's
    # session token: `PUT /token/session/:create?consumerToken&employeeToken&expirationDate`, `value.token`;
    # PowerOffice Go's OAuth access token: `POST ../oauth/Token`, basic auth and `grant_type=client_credentials`).
    session: "Session | None" = None

    @property
    def header_names(self) -> tuple[str, ...]:
        """The named secrets sent in headers of their own (a subscription key): needed on every request."""
        return tuple(dict.fromkeys(name for _header, name in self.headers))

    @property
    def session_names(self) -> tuple[str, ...]:
        """The named secrets only the session request takes: not needed where a password is given."""
        return tuple(n for n in (self.session.secret_names() if self.session else ()) if n not in self.header_names)

    @property
    def credential_names(self) -> tuple[str, ...]:
        """The named secrets this API's auth takes beside the token or user and password."""
        return self.header_names + self.session_names


@dataclass(frozen=True, slots=True)
class Session:
    """A request that turns named secrets into the password or token: its query `params`, its `form` body and
    its `basic` auth (user, password) are values or `{credential name}` (`{tomorrow}`: the date a day on, as
    ISO-8601); the token is at the dotted `token` of the answer. A `path` starting `../` leaves the base URL
    (PowerOffice Go's token endpoint is `/oauth/Token` beside its `/v2`)."""

    method: str = "PUT"
    path: str = ""
    params: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] = ()
    basic: tuple[str, ...] = ()
    token: str = "value.token"

    def url(self, base: str) -> str:
        """Where the request goes, beside or under `base` (a URL, or only its path)."""
        return resolved(base, self.path)

    def secret_names(self) -> tuple[str, ...]:
        values = [v for _param, v in (*self.params, *self.form)] + list(self.basic)
        return tuple(dict.fromkeys(v[1:-1] for v in values if v.startswith("{") and v != TOMORROW))

    def filled(self, secret: Callable[[str], str], tomorrow: str) -> dict[str, str]:
        """The request's parameters: each `{name}` by `secret(name)`, `{tomorrow}` by `tomorrow`, text as it is."""
        return {param: _filled(value, secret, tomorrow) for param, value in self.params}

    def filled_form(self, secret: Callable[[str], str]) -> dict[str, str]:
        """The request's form body, filled in as `filled` fills the parameters."""
        return {name: _filled(value, secret, "") for name, value in self.form}

    def filled_basic(self, secret: Callable[[str], str]) -> tuple[str, str] | None:
        """The request's basic-auth user and password, filled in, or None where it sends none."""
        return (_filled(self.basic[0], secret, ""), _filled(self.basic[1], secret, "")) if self.basic else None


def resolved(base: str, path: str) -> str:
    """`base` + `path`, where a `path` starting `../` leaves `base` (PowerOffice Go's `/oauth/Token` beside `/v2`)."""
    return urljoin(base + "/", path) if path.startswith("../") else base + path


def _filled(value: str, secret: Callable[[str], str], tomorrow: str) -> str:
    return tomorrow if value == TOMORROW else secret(value[1:-1]) if value.startswith("{") else value


TOMORROW = "{tomorrow}"


@dataclass(frozen=True, slots=True)
class Selection:
    """A read parameter choosing the fields answered (Tripletex's `fields`: `id,name,country(id)`, `apis/selection.py`),
    what an object not asked into is answered as (`reference`: its `id` and `url`), and the fields `*` leaves out
    (`named_only`: Tripletex's `changes`)."""

    param: str = "fields"
    reference: tuple[str, ...] = ("id", "url")
    named_only: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Paging:
    """How a list continues: a token or link in the body (dotted `token`) sent back as `param`, or page numbers."""

    style: str = "cursor"
    token: str = "next_cursor"
    param: str = "cursor"
    size_param: str = "limit"
    max_size: int = 100
    total: str = ""  # "page": the field holding the number of pages; "from": the number of records (none: a short page ends)


@dataclass(frozen=True, slots=True)
class Incremental:
    """How changes are found: the updated-at field and its format, and the filter asking for changes since."""

    field: str | None = "updated_at"
    format: str = "unix"  # unix | unix_ms | iso8601
    param: str | None = None  # a list parameter; None: the list has no changed-since filter
    param_value: str = "{since}"  # what it carries (`lastModifiedDateTime gt {since}` for an OData $filter)
    overlap: float = 0  # seconds re-read at the cursor's edge, for coarse clocks
    search: str = ""  # a search endpoint that filters on `search_property` (HubSpot), in place of `param`
    search_property: str = ""


@dataclass(frozen=True, slots=True)
class Writes:
    """Create and update: verbs, body style, conditional writes, idempotency."""

    body: str = "json"
    create_method: str = "POST"
    update_method: str = "PATCH"
    update_style: str = "merge"
    idempotency_header: str | None = None
    conditional: str | None = None
    version_field: str = ""  # the field holding a record's version or ETag (`version`, `@odata.etag`)
    conditional_required: bool = False  # an update without its condition is refused (Business Central's If-Match)
    client_ids: bool = False  # a create may choose the new record's id


@dataclass(frozen=True, slots=True)
class Errors:
    """Where an error body holds its message and code (dotted paths), and which statuses mean a stale write."""

    message: str = "error.message"
    code: str = "error.code"
    status: str = ""  # where the body repeats the HTTP status, if it does
    stale: tuple[int, ...] = ()
    invalid: int = 400  # the status of a write the API's validation refuses (Tripletex: 422)


@dataclass(frozen=True, slots=True)
class EntityApi:
    """One entity of an API: its collection path, its operations, and what differs from the API's defaults."""

    key: str  # snake_case of the name documents use: `contact`, `line_item`
    path: str
    operations: frozenset[str] = frozenset(OPERATIONS)
    list_path: str = ""
    list_params: Mapping[str, str] = field(default_factory=dict)  # what every list of it must carry
    object_key: str = ""  # an enveloped API's key for one record (`{"customer": {...}}`)
    id_field: str = ""
    incremental: Incremental | None = None
    schema: str = ""  # the extract's component schema of a record read back
    input_schema: str = ""  # the extract's component schema of a write body
    read_only: tuple[str, ...] = ()  # fields of this entity no write may hold, beside the API-wide ones
    conditional: str = ""  # this entity's own rule against stale writes, where it differs ("none": it has none)
    declared: bool = False  # no public source shows this entity: it is our declaration
    lacks: str = ""  # what the API does not offer, in a report's words
    extract_path: str = ""  # where the extract has this collection, when the vendor's description spells it otherwise
    unmodelled: str = ""  # what the API offers that this product does not model yet (no operations until it does)

    @property
    def listing(self) -> str:
        return self.list_path or self.path


@dataclass(frozen=True, slots=True)
class ApiDescription:
    """A system's API as its `api.toml` describes it."""

    key: str
    name: str
    kind: str
    source: str
    base_url: str
    auth: Auth = Auth()
    records: str = "items"  # where a list's records sit (dotted; "" for a bare array)
    record: str = ""  # where one record sits in a get, create or update answer ("" for the body itself)
    item_path: str = "{path}/{id}"  # one record's path (`{path}({id})` in OData)
    id_field: str = "id"
    id_type: str = "string"  # how records hold the id the API assigns: string | integer
    incremental: Incremental = Incremental()
    paging: Paging = Paging()
    writes: Writes = Writes()
    errors: Errors = Errors()
    entities: Mapping[str, EntityApi] = field(default_factory=dict)
    unknown_entities: str = "slug"  # how an entity no table names is reached: slug | plural | none
    quirks: str = ""  # the name of the small component for what data cannot say (sync/connectors/quirks)
    extract: str = ""  # the OpenAPI extract beside api.toml
    extract_prefix: str = ""  # what the extract's paths hold before this description's (a company scope)
    fields: Mapping[str, str] = field(default_factory=dict)  # dotted path (`properties.*`) -> type, all entities
    read_only: tuple[str, ...] = ()  # dotted paths no write may hold, all entities
    families: Mapping[str, EntityApi] = field(default_factory=dict)  # by name suffix: `association`
    selection: Selection | None = None  # a read parameter choosing the fields answered (Tripletex's `fields`)

    def url(self, system: str) -> str:
        return self.base_url.format(system=slug(system, fallback="system"), site="site", account="account")

    def entity(self, name: str) -> EntityApi:
        """The entity documents call `name`: a described one, else one reached by the API's conventions."""
        key = snake(name, fallback="record")
        known = self.entities.get(key)
        if known is not None:
            return known
        for suffix in sorted(self.families, key=len, reverse=True):
            if key.endswith(suffix) and key != suffix:
                family = self.families[suffix]
                return replace(family, key=key, path=family.path or "/" + slug(name, fallback="records"),
                               operations=family.operations if family.path else frozenset())
        if self.unknown_entities == "none":
            return EntityApi(key, "/" + slug(name, fallback="records"), frozenset(),
                             lacks=f"{name} collection that this description knows of")
        path = "/" + (plural(key) if self.unknown_entities == "plural" else slug(name, fallback="records"))
        return EntityApi(key, path, object_key=key if self.unknown_entities == "plural" else "")

    def incremental_of(self, entity: EntityApi) -> Incremental:
        return entity.incremental or self.incremental

    def conditional_of(self, entity: EntityApi) -> str | None:
        """How a write to `entity` is made conditional (`writes.conditional`, unless the entity says otherwise)."""
        if entity.conditional:
            return None if entity.conditional == "none" else entity.conditional
        return self.writes.conditional

    def id_of(self, entity: EntityApi) -> str:
        return entity.id_field or self.id_field

    def offers(self) -> tuple[str, ...]:
        """What the API offers beyond list, get, create and update, in a report's words."""
        inc, writes = self.incremental, self.writes
        return tuple(text for present, text in (
            (writes.idempotency_header, f"idempotency keys ({writes.idempotency_header})"),
            (writes.conditional, f"conditional updates ({writes.conditional})"),
            (inc.param or inc.search, f"a changed-since filter ({inc.param or inc.search_property})"),
        ) if present)

    def with_overrides(self, **overrides: Any) -> "ApiDescription":
        """This description with a sync-run config's overrides (`since_param`, `conditional_writes`, ...)."""
        changes: dict[str, Any] = {}
        inc, writes = self.incremental, self.writes
        if "since_param" in overrides:
            inc = replace(inc, param=overrides["since_param"])
        if "updated_at_field" in overrides:
            inc = replace(inc, field=overrides["updated_at_field"])
        if "idempotency_header" in overrides:
            writes = replace(writes, idempotency_header=overrides["idempotency_header"])
        if "conditional_writes" in overrides:
            writes = replace(writes, conditional="if-match" if overrides["conditional_writes"] else None)
        if "auth" in overrides:
            changes["auth"] = Auth(style=overrides["auth"])
        if "records_location" in overrides:
            changes["records"] = overrides["records_location"]
        if "id_field" in overrides:
            changes["id_field"] = overrides["id_field"]
        if "page_style" in overrides:
            style = overrides["page_style"]
            changes["paging"] = (Paging("page", "", "page", "per_page", 100, "total_pages") if style == "page"
                                 else replace(self.paging, style=style))
        return replace(self, incremental=inc, writes=writes, **changes)


def _auth(data: Mapping[str, Any], where: str) -> Auth:
    raw = data.get("auth", {})
    if not isinstance(raw, dict):
        raise DescriptionError(f"{where}: [auth] must be a table")
    session = _table(raw, "session", Session, f"{where}: [auth]") if "session" in raw else None
    if session is not None:
        if session.basic and (len(session.basic) != 2 or not all(isinstance(v, str) for v in session.basic)):
            raise DescriptionError(f"{where}: [auth] session.basic must be [user, password]")
        session = replace(session, params=tuple(dict(session.params).items()), form=tuple(dict(session.form).items()),
                          basic=tuple(session.basic))
    headers = raw.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) and v for v in headers.values()):
        raise DescriptionError(f"{where}: [auth.headers] must be a table of header = \"credential name\"")
    rest = {k: v for k, v in raw.items() if k not in ("session", "headers")}
    return replace(_table({"auth": rest}, "auth", Auth, where), headers=tuple(headers.items()), session=session)


def _table(data: Mapping[str, Any], key: str, cls: type, where: str, **defaults: Any) -> Any:
    raw = data.get(key, {})
    if not isinstance(raw, dict):
        raise DescriptionError(f"{where}: [{key}] must be a table")
    names = set(cls.__dataclass_fields__)
    unknown = sorted(set(raw) - names)
    if unknown:
        raise DescriptionError(f"{where}: [{key}] has no key {unknown[0]!r} (it takes {', '.join(sorted(names))})")
    values = {**defaults, **raw}
    if "stale" in values:
        values["stale"] = tuple(values["stale"])
    return cls(**values)


def _incremental(incremental: Incremental) -> Incremental:
    return incremental if incremental.field else replace(incremental, field=None)


def _entity(key: str, raw: Mapping[str, Any], where: str) -> EntityApi:
    raw = dict(raw)
    operations = frozenset(raw.pop("operations", OPERATIONS))
    unknown = sorted(operations - set(OPERATIONS))
    if unknown:
        raise DescriptionError(f"{where}: entity {key!r} has no operation {unknown[0]!r} ({', '.join(OPERATIONS)})")
    incremental = _table(raw, "incremental", Incremental, f"{where}: entity {key!r}") if "incremental" in raw else None
    incremental = _incremental(incremental) if incremental is not None else None
    raw.pop("incremental", None)
    names = set(EntityApi.__dataclass_fields__) - {"key", "operations", "incremental"}
    extra = sorted(set(raw) - names)
    if extra:
        raise DescriptionError(f"{where}: entity {key!r} has no key {extra[0]!r}")
    raw.setdefault("path", "")
    raw["read_only"] = tuple(raw.get("read_only", ()))
    return EntityApi(key, operations=operations, incremental=incremental, **raw)


def load(path: Path) -> ApiDescription:
    """The description in `path` (an api.toml), checked for the keys and values this loader knows."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DescriptionError(f"{where}: {exc}") from None
    api = data.pop("api", {})
    for required in ("name", "kind", "source", "base_url"):
        if not isinstance(api.get(required), str):
            raise DescriptionError(f"{where}: [api] needs {required} (text)")
    if api["kind"] not in KINDS:
        raise DescriptionError(f"{where}: [api] kind must be one of {', '.join(KINDS)}")
    paging = _table(data, "paging", Paging, where)
    writes = _table(data, "writes", Writes, where)
    checks = ((paging.style, PAGE_STYLES, "paging.style"), (writes.body, BODY_STYLES, "writes.body"),
              (writes.update_style, UPDATE_STYLES, "writes.update_style"),
              (writes.conditional, CONDITIONALS, "writes.conditional"))
    for value, allowed, name in checks:
        if value not in allowed:
            raise DescriptionError(f"{where}: {name} = {value!r} is not one of {allowed}")
    entities = {key: _entity(key, raw, where) for key, raw in sorted(data.pop("entities", {}).items())}
    fields = data.pop("fields", {})
    families = {suffix: _entity(suffix, raw, where) for suffix, raw in sorted(data.pop("families", {}).items())}
    read_only = data.pop("read_only", {}).get("paths", ())
    selection = _table(data, "selection", Selection, where) if "selection" in data else None
    if selection is not None:
        selection = replace(selection, reference=tuple(selection.reference), named_only=tuple(selection.named_only))
    return ApiDescription(
        key=path.parent.name, name=api["name"], kind=api["kind"], source=" ".join(api["source"].split()),
        base_url=api["base_url"], auth=_auth(data, where),
        records=api.get("records", "items"), record=api.get("record", ""),
        item_path=api.get("item_path", "{path}/{id}"), id_field=api.get("id_field", "id"),
        id_type=api.get("id_type", "string"),
        incremental=_incremental(_table(data, "incremental", Incremental, where)), paging=paging, writes=writes,
        errors=_table(data, "errors", Errors, where), entities=entities,
        unknown_entities=api.get("unknown_entities", "slug"), quirks=api.get("quirks", ""),
        extract=api.get("extract", ""), extract_prefix=api.get("extract_prefix", ""), fields=dict(fields), read_only=tuple(read_only), families=families,
        selection=selection)


@cache
def described_systems() -> dict[str, ApiDescription]:
    """Every description this package holds, by system key (`hubspot`, `customcrm`)."""
    found = {}
    for path in sorted(HERE.glob("*/api.toml")):
        description = load(path)
        found[system_key(description.key)] = description
    return found


def describe(system: str) -> ApiDescription:
    """The description of `system` (any spelling), or the generic one for a system nobody has described."""
    descriptions = described_systems()
    return descriptions.get(system_key(system)) or replace(descriptions["generic"], name=system)
