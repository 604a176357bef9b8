"""`vendor-extract`: a vendor's OpenAPI description cut down to the operations the product uses, facts only.

The product never reads the vendors' own files at run time; it ships what this script makes of them
(`apis/<vendor>/openapi.json`, from the `recipe.toml` beside it): a valid OpenAPI 3 document
holding the chosen operations, the component schemas they reach and the security schemes, with
every description, summary, example, tag and `x-` extension gone, and the source (repository, path,
commit, git blob) recorded under `x-extract`. Same input, same bytes: keys sorted, no timestamps.
A Swagger 2.0 source is read as the OpenAPI 3.0 document it stands for (`from_swagger2`), and a folder of
Microsoft Learn REST reference pages (`format = "ms-learn-rest"`) as the one its tables describe (`docs_openapi`).

    python -m apis.extract apis/hubspot/recipe.toml [--vendor-apis DIR] [--git-dir OWNER/NAME=DIR]
    python -m apis.extract --vendor V --source FILE REPO PATH COMMIT ... --operation 'GET /x' ... --out PATH
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import posixpath
import re
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MADE_BY = "apis.extract"
DEFAULT_VENDOR_APIS = Path("../shared/vendor-apis")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Schema keywords that state a fact about a value; everything else (prose, examples, xml, x-*) is dropped.
SCHEMA_FACTS = frozenset({
    "type", "format", "enum", "const", "required", "readOnly", "writeOnly", "nullable", "deprecated", "default",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
    "pattern", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
})
PARAMETER_FACTS = ("required", "deprecated", "style", "explode", "allowEmptyValue", "allowReserved")
SCHEME_FACTS = ("type", "scheme", "bearerFormat", "name", "in", "openIdConnectUrl")
FLOW_URLS = ("authorizationUrl", "tokenUrl", "refreshUrl")
NUMBER_TEXT = {"integer": re.compile(r"-?[0-9]+"), "number": re.compile(r"-?[0-9]+(\.[0-9]+)?")}
SCHEMA_REF = "#/components/schemas/"
# Swagger 2.0: a parameter's schema facts sit beside its name; OpenAPI 3 puts them under `schema`.
SWAGGER_PARAMETER_SCHEMA = ("type", "format", "items", "enum", "default", "maximum", "exclusiveMaximum", "minimum",
                            "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
                            "uniqueItems", "multipleOf")
SWAGGER_COLLECTIONS = {"csv": {"explode": False}, "multi": {"explode": True},
                       "ssv": {"style": "spaceDelimited", "explode": False},
                       "pipes": {"style": "pipeDelimited", "explode": False}}
SWAGGER_FLOWS = {"implicit": "implicit", "password": "password", "application": "clientCredentials",
                 "accessCode": "authorizationCode"}
SWAGGER_REFS = (("#/definitions/", SCHEMA_REF), ("#/parameters/", "#/components/parameters/"),
                ("#/responses/", "#/components/responses/"))
OPENAPI_OF_SWAGGER2 = "3.0.3"
RECIPE_KEYS = {"vendor", "title", "version", "operations", "source"}
SOURCE_KEYS = {"file", "repo", "path", "commit", "format", "enum_types", "odata_reads"}
# Microsoft Learn's REST reference in markdown (`docs_openapi`): no OpenAPI file, only its pages' tables.
DOCS_FORMAT = "ms-learn-rest"
DOCS_TYPES = {  # the property types the pages write (case aside), as OpenAPI writes them
    "string": {"type": "string"}, "guid": {"type": "string", "format": "uuid"}, "boolean": {"type": "boolean"},
    "integer": {"type": "integer"}, "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"}, "decimal": {"type": "number", "format": "decimal"},
    "double": {"type": "number", "format": "double"}, "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"}, "stream": {"type": "string", "format": "binary"},
}
DOCS_READ_ONLY = re.compile(r"\bread-only\b|\bnon-editable\b", re.IGNORECASE)
DOCS_REQUEST = re.compile(r"^[ \t]*(GET|POST|PATCH|PUT|DELETE)[ \t]+((?:[^\s(]|\([^)\n]*\))+)", re.MULTILINE)
DOCS_SEGMENT = re.compile(r"([^/()]+)(?:\(([^()]*)\))?")
DOCS_MENDED = "x-extract-mended"  # on an operation of the tree `docs_openapi` makes: what it made of the pages
DOCS_CREATE_AT_KEY = "a create documented at an entity's key, read as at its collection (OData creates in a collection)"
DOCS_ODATA_READ = ("a read the pages do not document per entity: GET on an entity set lists it, on its key reads "
                   "one (OData)")


class ExtractError(Exception):
    """Input no extract can be made from; the message names the file, the key or the operation."""


@dataclass(frozen=True, slots=True)
class Source:
    """One OpenAPI file: `path` in `repo` at `commit`, read from `file` or else from a clone at `git_dir`.

    Or, with `format` DOCS_FORMAT, a folder of reference pages read from the clone (`docs_openapi`).
    """

    repo: str
    path: str
    commit: str
    file: Path | None = None
    git_dir: Path | None = None
    format: str = "openapi"
    enum_types: tuple[str, ...] = ()
    odata_reads: bool = False

    @property
    def label(self) -> str:
        return str(self.file) if self.file else f"{self.repo}@{self.commit[:12]}:{self.path}"


@dataclass(frozen=True, slots=True)
class Document:
    """A source read and parsed: the OpenAPI tree and the git blob id of its bytes."""

    source: Source
    tree: dict
    blob: str
    converted_from: str | None = None  # "swagger 2.0" when `tree` is the OpenAPI 3 reading of a Swagger file


@dataclass(slots=True)
class _Found:
    """What pruning meets on its way: the schemas referred to, and the vendor's slips it mends."""

    refs: list[tuple[Document, str]] = field(default_factory=list)
    mended: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class Recipe:
    """What to extract for one vendor and where the extract goes."""

    vendor: str
    sources: tuple[Source, ...]
    operations: tuple[str, ...]
    out: Path
    title: str | None = None
    version: str | None = None


def load_recipe(path: Path, vendor_apis: Path, git_dirs: dict[str, Path]) -> Recipe:
    """The recipe at `path`; its sources' `file`s are relative to `vendor_apis`, the others read from `git_dirs`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExtractError(f"{path}: no such recipe") from None
    except tomllib.TOMLDecodeError as error:
        raise ExtractError(f"{path}: not TOML: {error}") from None
    _no_other_keys(data, RECIPE_KEYS, str(path))
    for key, kind in (("vendor", str), ("operations", list), ("source", list)):
        if not isinstance(data.get(key), kind):
            raise ExtractError(f"{path}: `{key}` is missing" if key not in data else
                               f"{path}: `{key}` must be {'a string' if kind is str else 'an array'}")
    sources = []
    for number, entry in enumerate(data["source"], 1):
        where = f"{path}: source {number}"
        if not isinstance(entry, dict):
            raise ExtractError(f"{where}: not a table; write each source as [[source]]")
        _no_other_keys(entry, SOURCE_KEYS, where)
        for key in ("repo", "path", "commit"):
            if not isinstance(entry.get(key), str):
                raise ExtractError(f"{where}: `{key}` is missing")
        options = {"format": entry.get("format", "openapi"), "enum_types": entry.get("enum_types", []),
                   "odata_reads": entry.get("odata_reads", False)}
        if options["format"] not in ("openapi", DOCS_FORMAT):
            raise ExtractError(f"{where}: `format` must be \"openapi\" or \"{DOCS_FORMAT}\"")
        if options["format"] == "openapi" and {"enum_types", "odata_reads"} & set(entry):
            raise ExtractError(f"{where}: `enum_types` and `odata_reads` are for `format = \"{DOCS_FORMAT}\"`")
        if not (isinstance(options["enum_types"], list) and all(isinstance(t, str) for t in options["enum_types"])
                and isinstance(options["odata_reads"], bool)):
            raise ExtractError(f"{where}: `enum_types` must be an array of strings and `odata_reads` true or false")
        options["enum_types"] = tuple(options["enum_types"])
        if "file" in entry:
            sources.append(Source(entry["repo"], entry["path"], entry["commit"], file=vendor_apis / entry["file"],
                                  **options))
        elif entry["repo"] in git_dirs:
            sources.append(Source(entry["repo"], entry["path"], entry["commit"], git_dir=git_dirs[entry["repo"]],
                                  **options))
        else:
            raise ExtractError(f"{where}: {entry['path']} has no `file`: give --git-dir {entry['repo']}=DIR, "
                               f"a clone holding commit {entry['commit']}")
    return Recipe(data["vendor"], tuple(sources), tuple(data["operations"]), path.parent / "openapi.json",
                  data.get("title"), data.get("version"))


def _no_other_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ExtractError(f"{where}: unknown key `{unknown[0]}` (known: {', '.join(sorted(allowed))})")


def read_document(source: Source) -> Document:
    """The source parsed as OpenAPI 3 (JSON, or YAML read as YAML 1.2 would: dates stay strings)."""
    if source.format == DOCS_FORMAT:
        return _read_docs(source)
    if source.file is not None:
        try:
            data = source.file.read_bytes()
        except FileNotFoundError:
            raise ExtractError(f"{source.label}: no such file") from None
        except OSError as error:
            raise ExtractError(f"{source.label}: cannot be read: {error.strerror}") from None
    else:
        try:
            shown = subprocess.run(["git", "-C", str(source.git_dir), "show", f"{source.commit}:{source.path}"],
                                   capture_output=True)
        except OSError as error:
            raise ExtractError(f"{source.label}: git cannot be run: {error.strerror}") from None
        if shown.returncode != 0:
            message = shown.stderr.decode(errors="replace").strip().splitlines()
            raise ExtractError(f"{source.label}: not in {source.git_dir}: {message[-1] if message else 'git failed'}")
        data = shown.stdout
    try:
        if source.path.endswith((".yaml", ".yml")) or (source.file and source.file.suffix in (".yaml", ".yml")):
            tree = _string_keys(_load_yaml(data))
        else:
            tree = json.loads(data)
    except ValueError as error:
        raise ExtractError(f"{source.label}: cannot be read: {str(error).splitlines()[0]}") from None
    converted_from = None
    if isinstance(tree, dict) and tree.get("swagger") == "2.0" and isinstance(tree.get("paths"), dict):
        tree, converted_from = from_swagger2(tree), "swagger 2.0"
    version = tree.get("openapi") if isinstance(tree, dict) else None
    if not (isinstance(version, str) and version.startswith("3.")) or not isinstance(tree.get("paths"), dict):
        key = "swagger" if isinstance(tree, dict) and "swagger" in tree and "openapi" not in tree else "openapi"
        found = tree.get(key) if isinstance(tree, dict) else None
        raise ExtractError(f"{source.label}: not an OpenAPI 3 or Swagger 2.0 document ({key}: {found!r})")
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    return Document(source, tree, blob, converted_from)


def from_swagger2(tree: dict) -> dict:
    """The OpenAPI 3.0 document a Swagger 2.0 one stands for, as far as an extract reads it.

    Body and form parameters become a request body, and a response's schema its content, once for each
    media type the operation (or else the document) consumes or produces; other parameters carry their
    facts under `schema`; `definitions` become component schemas and `securityDefinitions` security
    schemes; every `$ref` follows. Servers (host, basePath, schemes) and response headers are left out:
    no extract keeps them.
    """
    consumes, produces = tree.get("consumes") or ["application/json"], tree.get("produces") or ["application/json"]
    shared = tree.get("parameters") or {}

    def shared_one(parameter: dict) -> dict:
        ref = parameter.get("$ref", "")
        return shared.get(ref[len("#/parameters/"):], {}) if ref.startswith("#/parameters/") else parameter

    def parameters(raw: list, operation: dict) -> tuple[list, dict | None]:
        kept, form, body = [], [], None
        for parameter in raw:
            target = shared_one(parameter)
            if target is not parameter and target.get("in") not in ("body", "formData"):
                kept.append(parameter)
            elif target.get("in") == "body":
                media = operation.get("consumes") or consumes
                body = {"content": {kind: {"schema": target.get("schema", {})} for kind in media},
                        **{k: target[k] for k in ("required",) if k in target}}
            elif target.get("in") == "formData":
                form.append(target)
            else:
                kept.append(_swagger2_parameter(target))
        if form:
            media = [kind for kind in operation.get("consumes") or consumes
                     if kind in ("application/x-www-form-urlencoded", "multipart/form-data")]
            schema = {"type": "object", "properties": {p["name"]: _swagger2_parameter(p).get("schema", {})
                                                       for p in form}}
            required = [p["name"] for p in form if p.get("required")]
            if required:
                schema["required"] = required
            body = {"content": {kind: {"schema": schema} for kind in media or ["application/x-www-form-urlencoded"]}}
        return kept, body

    def responses(raw: dict, operation: dict) -> dict:
        kept = {}
        for status, response in raw.items():
            if "$ref" in response:
                kept[status] = response
                continue
            kept[status] = {"description": response.get("description", "")}
            if "schema" in response:
                kept[status]["content"] = {kind: {"schema": response["schema"]}
                                           for kind in operation.get("produces") or produces}
        return kept

    paths = {}
    for path, item in tree["paths"].items():
        paths[path] = {}
        for key, value in item.items():
            if key in METHODS:
                operation = {k: v for k, v in value.items()
                             if k not in ("parameters", "responses", "consumes", "produces", "schemes")}
                # A path's parameters apply to each operation below it that does not redefine them (a body too).
                merged = {(shared_one(p).get("name"), shared_one(p).get("in")): p
                          for p in [*item.get("parameters", []), *value.get("parameters", [])]}
                kept, body = parameters(list(merged.values()), value)
                if kept:
                    operation["parameters"] = kept
                if body:
                    operation["requestBody"] = body
                operation["responses"] = responses(value.get("responses", {}), value)
                paths[path][key] = operation
    components = {"schemas": tree.get("definitions") or {},
                  "parameters": {name: _swagger2_parameter(p) for name, p in shared.items()
                                 if p.get("in") not in ("body", "formData")},
                  "responses": responses(tree.get("responses") or {}, {}),
                  "securitySchemes": {name: _swagger2_scheme(s) for name, s in (tree.get("securityDefinitions")
                                                                                 or {}).items()}}
    converted = {"openapi": OPENAPI_OF_SWAGGER2, "info": tree.get("info", {}), "paths": paths,
                 "components": {key: value for key, value in components.items() if value}}
    if "security" in tree:
        converted["security"] = tree["security"]
    return _swagger2_refs(converted)


def _swagger2_parameter(parameter: dict) -> dict:
    kept = {k: v for k, v in parameter.items() if k not in SWAGGER_PARAMETER_SCHEMA and k != "collectionFormat"}
    schema = {k: parameter[k] for k in SWAGGER_PARAMETER_SCHEMA if k in parameter}
    if schema.get("type") == "file":
        schema.update(type="string", format="binary")
    if schema:
        kept["schema"] = schema
    if schema.get("type") == "array" and parameter.get("in") == "query":  # Swagger's default is csv
        kept.update(SWAGGER_COLLECTIONS.get(parameter.get("collectionFormat", "csv"), {}))
    return kept


def _swagger2_scheme(scheme: dict) -> dict:
    kept = {k: v for k, v in scheme.items() if k not in ("flow", "authorizationUrl", "tokenUrl", "scopes")}
    if scheme.get("type") == "basic":
        kept.update(type="http", scheme="basic")
    elif scheme.get("type") == "oauth2":
        flow = {k: scheme[k] for k in ("authorizationUrl", "tokenUrl") if k in scheme}
        kept["flows"] = {SWAGGER_FLOWS.get(scheme.get("flow"), scheme.get("flow")): {**flow,
                                                                                     "scopes": scheme.get("scopes", {})}}
    return kept


def _swagger2_refs(node: Any) -> Any:
    """Every `$ref` pointed at its OpenAPI 3 home; a schema's discriminator (a property name) as an object."""
    if isinstance(node, list):
        return [_swagger2_refs(value) for value in node]
    if not isinstance(node, dict):
        return node
    kept = {key: _swagger2_refs(value) for key, value in node.items()}
    if isinstance(kept.get("$ref"), str):
        for old, new in SWAGGER_REFS:
            if kept["$ref"].startswith(old):
                kept["$ref"] = new + kept["$ref"][len(old):]
    if isinstance(kept.get("discriminator"), str):
        kept["discriminator"] = {"propertyName": kept["discriminator"]}
    if kept.get("type") == "file":
        kept.update(type="string", format="binary")
    return kept


def _load_yaml(data: bytes) -> Any:
    try:
        import yaml
    except ImportError:
        raise ValueError("reading YAML needs PyYAML (pip install pyyaml)") from None
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    # YAML 1.1 would turn `2023-10-19` into a date and `No` or `on` into booleans, changing enum values.
    resolvers = {first: [(tag, rx) for tag, rx in pairs if not tag.endswith((":timestamp", ":bool"))]
                 for first, pairs in base.yaml_implicit_resolvers.items()}
    loader = type("Yaml12Loader", (base,), {"yaml_implicit_resolvers": resolvers})
    loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))
    try:
        return yaml.load(data, Loader=loader)
    except yaml.YAMLError as error:
        raise ValueError(str(error).replace("\n", " ")) from None


def _string_keys(node: Any) -> Any:
    """YAML mapping keys as JSON has them (an unquoted `200:` is an int in YAML)."""
    if isinstance(node, dict):
        return {str(key).lower() if isinstance(key, bool) else str(key): _string_keys(value)
                for key, value in node.items()}
    if isinstance(node, list):
        return [_string_keys(value) for value in node]
    return node


def _read_docs(source: Source) -> Document:
    """The folder `source.path` of a clone at `source.commit`, read by `docs_openapi`; its blob is the folder's tree."""
    if source.git_dir is None:
        raise ExtractError(f"{source.label}: a {DOCS_FORMAT} folder is read from git: give --git-dir {source.repo}=DIR "
                           "in place of `file`")

    def git(*args: str, stdin: bytes | None = None) -> bytes:
        try:
            done = subprocess.run(["git", "-C", str(source.git_dir), *args], input=stdin, capture_output=True)
        except OSError as error:
            raise ExtractError(f"{source.label}: git cannot be run: {error.strerror}") from None
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise ExtractError(f"{source.label}: not in {source.git_dir}: {message[-1] if message else 'git failed'}")
        return done.stdout

    tree = git("rev-parse", "--verify", f"{source.commit}:{source.path.strip('/')}").decode().strip()
    blobs = [(meta.split()[2], name) for meta, _, name in (entry.partition("\t") for entry in
             git("ls-tree", "-r", "-z", tree).decode().split("\0") if entry)
             if meta.split()[1] == "blob" and name.endswith(".md")]
    out, pages, at = git("cat-file", "--batch", stdin="".join(f"{blob}\n" for blob, _ in blobs).encode()), {}, 0
    for _, name in blobs:  # each: "<blob> blob <size>\n<content>\n"
        start = out.index(b"\n", at) + 1
        size = int(out[at:start].split()[2])
        pages[name], at = out[start:start + size].decode("utf-8"), start + size + 1
    return Document(source, docs_openapi(pages, source.enum_types, source.odata_reads), tree, "ms-learn-rest markdown")


def docs_openapi(pages: dict[str, str], enum_types: tuple[str, ...] = (), odata_reads: bool = False) -> dict:
    """The OpenAPI 3 document a Microsoft Learn REST reference stands for; `pages`: its markdown, by path in its folder.

    Each `resources/*.md` page titled "<name> resource type" is schema <name>: its Properties table, each row typed
    by DOCS_TYPES (a type named with a prefix in `enum_types` is an enum, whose values are strings) and `readOnly`
    where its description says "Read-Only" or "Non-editable". Its Methods table links the pages of its operations:
    each request line of a page's "HTTP request" block is one (not those with a query or a whole URL: examples),
    answering with the status its Response section names (a page naming none gives no operation). The resource is
    the JSON body sent (POST, PATCH, PUT) and answered (not by a 204 or a DELETE; a GET on a set that other paths
    address by key answers a list, `{"value": [...]}`); the Request headers table gives header parameters, and
    bearer security for `Authorization: Bearer`. A key, `set({id})`, is named after the resource its set holds:
    `set({<resource>_id})`. With `odata_reads`, a set a documented GET reads by key is also listed by GET, and a
    set a documented GET lists is also read by key. What this reading adds is noted under DOCS_MENDED.
    """
    lower = {name.lower(): name for name in pages}
    schemas: dict[str, dict] = {}
    found: list[tuple[str, str, str, str]] = []  # (resource, method, path, page)
    for name in sorted(pages):
        title = re.search(r"^# *(\S+) resource type *$", pages[name], re.MULTILINE)
        if not (name.startswith("resources/") and title):
            continue
        if title[1] in schemas:
            raise ExtractError(f"{name}: a second page of resource {title[1]!r}")
        schemas[title[1]] = _docs_schema(name, pages[name], enum_types)
        for link in dict.fromkeys(re.findall(r"\]\(([^)\s#]+\.md)\)", _docs_section(pages[name], "Methods"))):
            page = lower.get(posixpath.normpath(posixpath.join(posixpath.dirname(name), link)).lower())
            if page is None:
                raise ExtractError(f"{name}: its Methods table links {link}, which is not in the folder")
            for method, url in DOCS_REQUEST.findall(_docs_section(pages[page], "HTTP request")):
                if "?" not in url and "://" not in url:
                    url = re.sub(r"\s+", "", url).partition("/")[2].strip("/")  # after the host or its placeholder
                    found.append((title[1], method.lower(), "/" + url, page))
    segments = {path: [DOCS_SEGMENT.fullmatch(part) for part in path[1:].split("/")] for _, _, path, _ in found}
    for resource, method, path, page in found:
        if not all(segments[path]):
            raise ExtractError(f"{page}: cannot read the path of {method.upper()} {path}")
    holds: dict[str, set[str]] = {}  # set name -> the resources whose operations' paths end in it
    for resource, _, path, _ in found:
        holds.setdefault(segments[path][-1][1], set()).add(resource)
    keyed = {part[1] for parts in segments.values() for part in parts if part[2] is not None}

    def template(parts: list) -> tuple[str, list[str]]:
        written, names = [], []
        for part in parts:
            if part[2] is None:
                written.append(part[1])
                continue
            owner = min(holds[part[1]]) if len(holds.get(part[1], ())) == 1 else part[1]
            keys = [key.strip().strip("{}'") for key in part[2].split(",")]
            named = [f"{owner}_id"] if len(keys) == 1 else [f"{owner}_{key}" for key in keys]
            written.append(f"{part[1]}({','.join('{' + key + '}' for key in named)})")
            names += named
        return "/" + "/".join(written), names

    paths: dict[str, dict] = {}
    origin: dict[tuple[str, str], str] = {}
    for resource, method, path, page in found:
        parts, notes = segments[path], []
        status = re.search(r"`+ *([1-5][0-9][0-9])\b", _docs_section(pages[page], "Response"))
        if status is None:
            continue
        if method == "post" and parts[-1][2] is not None and status[1] == "201":
            parts, notes = [*parts[:-1], DOCS_SEGMENT.fullmatch(parts[-1][1])], [DOCS_CREATE_AT_KEY]
        written, names = template(parts)
        ref: dict[str, Any] = {"$ref": SCHEMA_REF + resource}
        operation: dict[str, Any] = {"responses": {status[1]: {"description": ""}}}
        if method != "delete" and status[1] != "204":
            listed = method == "get" and parts[-1][2] is None and parts[-1][1] in keyed
            operation["responses"][status[1]]["content"] = {"application/json": {
                "schema": _docs_list(ref) if listed else ref}}
        if method in ("post", "patch", "put"):
            operation["requestBody"] = {"content": {"application/json": {"schema": ref}}}
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in names]
        for header, value, *_ in _docs_table(_docs_section(pages[page], "Request headers")):
            if header.lower() == "authorization" and value.lower().startswith("bearer"):
                operation["security"] = [{"bearer": []}]
            elif header.lower() not in ("authorization", "content-type", "accept"):
                parameters.append({"name": header, "in": "header", "required": value.lower().startswith("required"),
                                   "schema": {"type": "string"}})
        if parameters:
            operation["parameters"] = parameters
        if notes:
            operation[DOCS_MENDED] = notes
        if paths.get(written, {}).get(method, operation) != operation:
            raise ExtractError(f"{page}: {method.upper()} {written} differs from {origin[written, method]}'s")
        paths.setdefault(written, {})[method] = operation
        origin[written, method] = page
    for written, item in list(paths.items()) if odata_reads else ():
        schema = item.get("get", {}).get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
        schema = schema.get("schema", {})
        if written.endswith(")") and "$ref" in schema:  # read by key: its set is listed
            other, answer = written[:written.rindex("(")], _docs_list(schema)
        elif "$ref" in schema.get("properties", {}).get("value", {}).get("items", {}):  # listed: read by key
            other = next((p[:p.index(")", len(written)) + 1] for p in sorted(paths) if p.startswith(written + "(")), "")
            answer = schema["properties"]["value"]["items"]
        else:
            continue
        if other and "get" not in paths.get(other, {}):
            names = re.findall(r"\{([^}]+)\}", other)
            paths.setdefault(other, {})["get"] = {
                **({"parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                                   for name in names]} if names else {}),
                "responses": {"200": {"description": "", "content": {"application/json": {"schema": answer}}}},
                **{key: item["get"][key] for key in ("security",) if key in item["get"]},
                DOCS_MENDED: [DOCS_ODATA_READ]}
    components: dict[str, Any] = {"schemas": schemas}
    if any("security" in operation for item in paths.values() for operation in item.values()):
        components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    return {"openapi": "3.0.3", "info": {}, "paths": paths, "components": components}


def _docs_list(schema: dict) -> dict:
    return {"type": "object", "properties": {"value": {"type": "array", "items": schema}}}


def _docs_schema(page: str, text: str, enum_types: tuple[str, ...]) -> dict:
    properties = {}
    for name, kind, *rest in _docs_table(_docs_section(text, "Properties")):
        name = name.strip("*` ")
        if enum_types and kind.startswith(enum_types):
            schema = {"type": "string"}
        elif kind.lower() in DOCS_TYPES:
            schema = dict(DOCS_TYPES[kind.lower()])
        else:
            raise ExtractError(f"{page}: property {name} has type {kind!r}, neither in DOCS_TYPES nor an enum type")
        if rest and DOCS_READ_ONLY.search(rest[0]):
            schema["readOnly"] = True
        properties[name] = schema
    return {"type": "object", "properties": properties}


def _docs_section(text: str, title: str) -> str:
    """The lines under the `## <title>` heading, up to the next heading of that level or above."""
    found = re.search(rf"^## *{re.escape(title)} *$(.*?)(?=^#{{1,2}} |\Z)", text, re.MULTILINE | re.DOTALL | re.I)
    return found[1] if found else ""


def _docs_table(section: str) -> list[list[str]]:
    """The rows of the first table in `section`, each a list of its cells' text, without its header and rule."""
    rows: list[list[str]] = []
    for line in section.splitlines():
        if line.strip().startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return [row for row in rows[1:] if len(row) > 1 and not all(re.fullmatch(r":?-*:?", cell) for cell in row)]


def extract(documents: list[Document], operations: tuple[str, ...], vendor: str,
            title: str | None = None, version: str | None = None) -> dict:
    """The extract: `operations` ("METHOD /path") from the merged `documents`, the schemas they reach, provenance."""
    found = _Found()
    paths: dict[str, dict] = {}
    for wanted in operations:
        method, path = _operation_key(wanted)
        if method in paths.get(path, {}):
            raise ExtractError(f"{wanted}: listed twice")
        holders = [d for d in documents if method in (d.tree["paths"].get(path) or {})]
        if not holders:
            raise ExtractError(f"{wanted}: no such operation in {', '.join(d.source.label for d in documents)}")
        if len(holders) > 1:
            raise ExtractError(f"{wanted}: defined in both {holders[0].source.label} and {holders[1].source.label}")
        paths.setdefault(path, {})[method] = _operation(holders[0], path, method, found)
    components: dict[str, dict] = {}
    schemas = _reachable_schemas(found)
    if schemas:
        components["schemas"] = schemas
    schemes = _security_schemes(documents, paths)
    if schemes:
        components["securitySchemes"] = schemes
    title = title or _common(documents, "title")
    version = version or _common(documents, "version")
    extract = {
        "openapi": _openapi_version(documents),
        "info": {"title": title, "version": version},
        "paths": paths,
        "x-extract": {
            "vendor": vendor, "title": title, "version": version, "operations": len(operations), "made_by": MADE_BY,
            "source": [{"repo": d.source.repo, "path": d.source.path, "commit": d.source.commit,
                        ("git_tree" if d.source.format == DOCS_FORMAT else "git_blob"): d.blob,
                        "title": d.tree.get("info", {}).get("title"),
                        "version": d.tree.get("info", {}).get("version"),
                        **({"converted_from": d.converted_from} if d.converted_from else {})} for d in documents],
        },
    }
    if components:
        extract["components"] = components
    if found.mended:
        extract["x-extract"]["mended"] = dict(found.mended)
    return extract


def _operation_key(wanted: str) -> tuple[str, str]:
    match = re.fullmatch(r"([A-Za-z]+) (/\S*)", wanted.strip())
    if not match or match[1].lower() not in METHODS:
        raise ExtractError(f"{wanted!r}: not an operation; write it as \"METHOD /path\", e.g. \"GET /customer/{{id}}\"")
    return match[1].lower(), match[2]


def _operation(document: Document, path: str, method: str, found: _Found) -> dict:
    item, raw = document.tree["paths"][path], document.tree["paths"][path][method]
    where = f"{document.source.label}: {method.upper()} {path}"
    kept: dict[str, Any] = {}
    for key in ("operationId", "deprecated"):
        if key in raw:
            kept[key] = raw[key]
    # Path-level parameters apply to every operation below them unless the operation redefines them.
    parameters = {}
    for entry in [*item.get("parameters", []), *raw.get("parameters", [])]:
        parameter = _resolve(document, entry, where)
        parameters[(parameter.get("name"), parameter.get("in"))] = _parameter(document, parameter, where, found)
    if parameters:
        kept["parameters"] = list(parameters.values())
    if "requestBody" in raw:
        body = _resolve(document, raw["requestBody"], where)
        kept["requestBody"] = {"content": _content(document, body.get("content", {}), where, found)}
        if "required" in body:
            kept["requestBody"]["required"] = body["required"]
    kept["responses"] = {}
    for status, entry in raw.get("responses", {}).items():
        response = _resolve(document, entry, where)
        kept["responses"][status] = {"description": ""}  # required by OpenAPI 3.0; the vendor's prose is not kept
        if "content" in response:
            kept["responses"][status]["content"] = _content(document, response["content"], where, found)
    security = raw.get("security", document.tree.get("security"))  # the document's default applies when absent
    if security is not None:
        kept["security"] = security
    found.mended.update(raw.get(DOCS_MENDED, ()))  # what reading reference pages made of them (docs_openapi)
    return kept


def _parameter(document: Document, parameter: dict, where: str, found: _Found) -> dict:
    kept = {"name": parameter.get("name"), "in": parameter.get("in")}
    kept.update((key, parameter[key]) for key in PARAMETER_FACTS if key in parameter)
    if "schema" in parameter:
        kept["schema"] = _schema(document, parameter["schema"], where, found)
    if "content" in parameter:
        kept["content"] = _content(document, parameter["content"], where, found)
    return kept


def _content(document: Document, content: dict, where: str, found: _Found) -> dict:
    return {media: ({"schema": _schema(document, entry["schema"], where, found)} if "schema" in entry else {})
            for media, entry in content.items()}


def _schema(document: Document, schema: Any, where: str, found: _Found) -> Any:
    """The schema's facts; each `$ref` met is added to `found.refs` as (document, schema name)."""
    if not isinstance(schema, dict):
        return schema  # `additionalProperties: false` and the like
    if "$ref" in schema:  # OpenAPI 3.0 ignores a $ref's siblings
        found.refs.append((document, _schema_name(schema["$ref"], where)))
        return {"$ref": schema["$ref"]}
    kept = {key: value for key, value in schema.items() if key in SCHEMA_FACTS}
    default, number = kept.get("default"), NUMBER_TEXT.get(kept.get("type"))
    if isinstance(default, str) and number and number.fullmatch(default):
        # Tripletex writes paging defaults as text ("0", "1000") on integer parameters; no validator accepts that.
        kept["default"] = json.loads(default)
        found.mended[f"{kept['type']} defaults written as strings, read as numbers"] += 1
    for key in ("items", "additionalProperties", "not"):
        if key in schema:
            kept[key] = _schema(document, schema[key], where, found)
    if "properties" in schema:
        kept["properties"] = {name: _schema(document, value, where, found)
                              for name, value in schema["properties"].items()}
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            kept[key] = [_schema(document, value, where, found) for value in schema[key]]
    if "discriminator" in schema:
        discriminator = schema["discriminator"]
        kept["discriminator"] = {key: discriminator[key] for key in ("propertyName", "mapping") if key in discriminator}
        for target in discriminator.get("mapping", {}).values():
            if target.startswith("#"):
                found.refs.append((document, _schema_name(target, where)))
    return kept


def _schema_name(ref: str, where: str) -> str:
    if not ref.startswith(SCHEMA_REF):
        raise ExtractError(f"{where}: $ref {ref!r} is not a schema of this document (#/components/schemas/...)")
    return ref[len(SCHEMA_REF):].replace("~1", "/").replace("~0", "~")


def _resolve(document: Document, node: Any, where: str) -> dict:
    """A parameter, request body or response with its `$ref` (to another part of the document) followed."""
    seen = []
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise ExtractError(f"{where}: $ref {ref!r} cannot be followed")
        seen.append(ref)
        node = document.tree
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise ExtractError(f"{where}: $ref {ref!r} points at nothing")
            node = node[part]
    if not isinstance(node, dict):
        raise ExtractError(f"{where}: expected an object, found {node!r}")
    return node


def _reachable_schemas(found: _Found) -> dict:
    """Every schema the operations reach, transitively, each `$ref` read in the file it is written in.

    Files may define one name differently as long as the operations reach only one of them: the
    merged extract has room for one schema of each name.
    """
    kept: dict[str, tuple[Document, Any]] = {}
    visited: set[tuple[int, str]] = set()
    while found.refs:
        document, name = found.refs.pop()
        if (id(document), name) in visited:
            continue
        visited.add((id(document), name))
        schemas = document.tree.get("components", {}).get("schemas", {})
        if name not in schemas:
            raise ExtractError(f"{document.source.label}: #/components/schemas/{name} is used but not defined")
        inner = _Found()
        facts = _schema(document, schemas[name], f"{document.source.label}: #/components/schemas/{name}", inner)
        first = kept.setdefault(name, (document, facts))
        if first[1] != facts:
            raise ExtractError(f"schema {name!r} differs between {first[0].source.label} and {document.source.label}, "
                               "and the operations kept use both")
        if first[0] is document:
            found.mended.update(inner.mended)
        found.refs.extend(inner.refs)
    return {name: facts for name, (_, facts) in kept.items()}


def _security_schemes(documents: list[Document], paths: dict) -> dict:
    """The documents' security schemes, facts only; OAuth scopes cut down to those the kept operations ask for."""
    scopes: dict[str, set[str]] = {}
    for operations in paths.values():
        for operation in operations.values():
            for requirement in operation.get("security", []):
                for scheme, names in requirement.items():
                    scopes.setdefault(scheme, set()).update(names)
    kept: dict[str, dict] = {}
    for document in documents:
        for name, raw in document.tree.get("components", {}).get("securitySchemes", {}).items():
            raw = _resolve(document, raw, f"{document.source.label}: securitySchemes.{name}")
            scheme = {key: raw[key] for key in SCHEME_FACTS if key in raw}
            asked = scopes.get(name, set())
            if "flows" in raw:  # a scope's text is prose: kept are the names, each with ""
                scheme["flows"] = {flow: {**{key: spec[key] for key in FLOW_URLS if key in spec},
                                          "scopes": {scope: "" for scope in spec.get("scopes", {}) if scope in asked}}
                                   for flow, spec in raw["flows"].items()}
            if name in kept and kept[name] != scheme:
                # Files of one vendor list different scopes for one flow; the scopes kept are the operations' own.
                if _without_scopes(kept[name]) != _without_scopes(scheme):
                    raise ExtractError(f"security scheme {name!r} differs in {document.source.label}")
                for flow, spec in scheme.get("flows", {}).items():
                    kept[name]["flows"][flow]["scopes"].update(spec["scopes"])
            else:
                kept.setdefault(name, scheme)
    return kept


def _without_scopes(scheme: dict) -> dict:
    return {**scheme, "flows": {flow: {k: v for k, v in spec.items() if k != "scopes"}
                                for flow, spec in scheme.get("flows", {}).items()}}


def _common(documents: list[Document], key: str) -> str:
    values = {str(d.tree.get("info", {}).get(key)) for d in documents}
    if len(values) != 1:
        raise ExtractError(f"the sources' info.{key} differ ({', '.join(sorted(values))}): give one for the extract")
    return values.pop()


def _openapi_version(documents: list[Document]) -> str:
    versions = sorted({d.tree["openapi"] for d in documents})
    if len({tuple(v.split(".")[:2]) for v in versions}) > 1:  # 3.0 and 3.1 schemas are different dialects
        raise ExtractError(f"the sources mix OpenAPI versions {', '.join(versions)}")
    return versions[-1]


def render(extract: dict) -> str:
    """The extract as committed: JSON, keys sorted, one-space indentation, a final newline."""
    return json.dumps(extract, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """`text` at `path`, whole or not at all: written beside it, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes the file private; an extract is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="vendor-extract",
        description="Cut a vendor's OpenAPI description down to the operations the product uses, facts only.")
    parser.add_argument("recipe", nargs="?", type=Path, help="a recipe.toml; the extract goes beside it")
    parser.add_argument("--vendor-apis", type=Path, default=DEFAULT_VENDOR_APIS,
                        help=f"the folder a recipe's source files are relative to (default: {DEFAULT_VENDOR_APIS})")
    parser.add_argument("--git-dir", action="append", default=[], metavar="OWNER/NAME=DIR",
                        help="a clone of OWNER/NAME to read the recipe's sources without `file` from")
    parser.add_argument("--out", type=Path, help="where the extract goes (a recipe's default: openapi.json beside it)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the extract at --out is stale")
    parser.add_argument("--vendor", help="without a recipe: the vendor's folder name")
    parser.add_argument("--source", nargs=4, action="append", default=[], metavar=("FILE", "REPO", "PATH", "COMMIT"),
                        help="without a recipe: an OpenAPI file and where it comes from (repeat to merge files)")
    parser.add_argument("--operation", action="append", default=[], metavar="'METHOD /path'",
                        help="without a recipe: an operation to keep (repeat)")
    parser.add_argument("--title", help="the extract's title (default: the sources' info.title)")
    parser.add_argument("--version", help="the extract's version (default: the sources' info.version)")
    return parser.parse_args(argv)


def _recipe(args: argparse.Namespace) -> Recipe:
    if args.recipe is not None:
        if args.source or args.operation or args.vendor:
            raise ExtractError("give either a recipe or --vendor, --source and --operation, not both")
        git_dirs = {}
        for entry in args.git_dir:
            repo, _, folder = entry.partition("=")
            if not folder:
                raise ExtractError(f"--git-dir {entry}: write it as OWNER/NAME=DIR")
            git_dirs[repo] = Path(folder)
        recipe = load_recipe(args.recipe, args.vendor_apis, git_dirs)
        return Recipe(recipe.vendor, recipe.sources, recipe.operations, args.out or recipe.out,
                      args.title or recipe.title, args.version or recipe.version)
    if not (args.vendor and args.source and args.operation and args.out):
        raise ExtractError("without a recipe, give --vendor, --source, --operation and --out")
    sources = tuple(Source(repo, path, commit, file=Path(file)) for file, repo, path, commit in args.source)
    return Recipe(args.vendor, sources, tuple(args.operation), args.out, args.title, args.version)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        recipe = _recipe(args)
        documents = [read_document(source) for source in recipe.sources]
        text = render(extract(documents, recipe.operations, recipe.vendor, recipe.title, recipe.version))
    except ExtractError as error:
        print(f"vendor-extract: error: {error}", file=sys.stderr)
        return 2
    if args.check:
        current = recipe.out.read_text(encoding="utf-8") if recipe.out.is_file() else None
        if current != text:
            print(f"vendor-extract: {recipe.out} is {'missing' if current is None else 'stale'}", file=sys.stderr)
            return 1
        return 0
    try:
        write_atomically(recipe.out, text)
    except OSError as error:
        print(f"vendor-extract: error: {recipe.out}: cannot be written: {error.strerror}", file=sys.stderr)
        return 2
    print(f"{recipe.out}: {len(recipe.operations)} operations, {len(text.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
