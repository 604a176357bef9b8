"""`vendor-extract`: a vendor's OpenAPI file cut down to the operations asked for, facts only, provenance recorded."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from apis.extract import main

ROOT = Path(__file__).parents[2]
VENDOR_APIS = ROOT.parent / "shared" / "vendor-apis"
VENDORS = ("hubspot", "tripletex", "powerofficego", "superoffice", "businesscentral")
HUBSPOT_REPO = "HubSpot/HubSpot-public-api-spec-collection"
# The HubSpot recipe reads one file (User Provisioning) from a clone of HUBSPOT_REPO rather than from
# ../shared/vendor-apis; point this variable at one to check the HubSpot extract too.
HUBSPOT_CLONE = os.environ.get("HUBSPOT_SPEC_COLLECTION")
# The SuperOffice recipe reads all its files (Swagger 2.0) from a clone of SUPEROFFICE_REPO.
SUPEROFFICE_REPO = "SuperOfficeDocs/docs"
SUPEROFFICE_CLONE = os.environ.get("SUPEROFFICE_DOCS")
# The Business Central recipe reads the v2.0 reference pages (markdown, no OpenAPI) from a clone of
# BUSINESSCENTRAL_REPO.
BUSINESSCENTRAL_REPO = "MicrosoftDocs/dynamics365smb-devitpro-pb"
BUSINESSCENTRAL_CLONE = os.environ.get("BUSINESSCENTRAL_DOCS")
# vendor: (repo, clone, environment variable, how many of its sources are read from git)
FROM_GIT = {"hubspot": (HUBSPOT_REPO, HUBSPOT_CLONE, "HUBSPOT_SPEC_COLLECTION", 1),
            "superoffice": (SUPEROFFICE_REPO, SUPEROFFICE_CLONE, "SUPEROFFICE_DOCS", 14),
            "businesscentral": (BUSINESSCENTRAL_REPO, BUSINESSCENTRAL_CLONE, "BUSINESSCENTRAL_DOCS", 1)}

WIDGETS = {
    "openapi": "3.0.3",
    "info": {"title": "Widgets", "version": "1.2", "description": "All about widgets.", "x-logo": "w.png"},
    "servers": [{"url": "https://api.example.com", "description": "production"}],
    "tags": [{"name": "widgets", "description": "Widget operations"}],
    "x-vendor-note": "internal",
    "paths": {
        "/widgets": {
            "get": {
                "summary": "List widgets", "description": "Lists them.", "tags": ["widgets"],
                "operationId": "listWidgets", "x-rate-limit": 10,
                "externalDocs": {"url": "https://docs.example.com"},
                "parameters": [{"$ref": "#/components/parameters/Limit"}],
                "responses": {
                    "200": {"description": "the widgets", "content": {"application/json": {
                        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Widget"}},
                        "examples": {"one": {"value": [{"id": 1}]}}}}},
                    "default": {"$ref": "#/components/responses/Error"},
                },
                "security": [{"oauth2": ["widgets.read"]}],
            },
            "post": {
                "operationId": "createWidget", "deprecated": True,
                "requestBody": {"description": "a widget", "required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Widget"}, "example": {"name": "w"}}}},
                "responses": {"201": {"description": "made", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Widget"}}}}},
            },
        },
        "/widgets/{id}": {
            "delete": {"operationId": "deleteWidget", "responses": {"204": {"description": "gone"}}},
        },
        "/gadgets": {
            "get": {"operationId": "listGadgets", "responses": {"200": {"description": "", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Gadget"}}}}}},
        },
    },
    "components": {
        "parameters": {"Limit": {"name": "limit", "in": "query", "description": "how many", "required": False,
                                 "style": "form", "schema": {"type": "integer", "maximum": 100, "default": 10,
                                                             "example": 5}}},
        "responses": {"Error": {"description": "an error", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}},
        "schemas": {
            "Widget": {
                "type": "object", "title": "A widget", "description": "Something made.", "example": {"id": 1},
                "x-internal": True, "required": ["name"],
                "properties": {
                    "id": {"type": "integer", "format": "int64", "readOnly": True, "description": "its id"},
                    "name": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[a-z]+$"},
                    # property names that look like prose keywords are data, not prose
                    "description": {"type": "string", "nullable": True, "example": "blue"},
                    "example": {"type": "string", "enum": ["a", "b"], "x-enum-names": ["A", "B"]},
                    "parts": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}},
                    "extra": {"type": "object", "additionalProperties": {"type": "string"}},
                    "kind": {"oneOf": [{"$ref": "#/components/schemas/Part"}, {"type": "string"}]},
                    "old": {"type": "boolean", "deprecated": True},
                },
            },
            "Part": {"type": "object", "properties": {"size": {"type": "number", "minimum": 0},
                                                      "of": {"$ref": "#/components/schemas/Widget"}}},
            "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
            "Gadget": {"type": "object", "properties": {"part": {"$ref": "#/components/schemas/Part"}}},
            "Orphan": {"type": "string"},
        },
        "securitySchemes": {
            "oauth2": {"type": "oauth2", "description": "OAuth", "flows": {"authorizationCode": {
                "authorizationUrl": "https://example.com/auth", "tokenUrl": "https://example.com/token",
                "scopes": {"widgets.read": "Read widgets", "gadgets.read": "Read gadgets"}}}},
            "key": {"type": "apiKey", "in": "header", "name": "X-Key", "description": "an API key"},
        },
    },
}
SOURCE = ("example/widgets-api", "spec/widgets.json", "0123456789abcdef0123456789abcdef01234567")


def write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def run(tmp_path, *operations, files=None, out=None, extra=()):
    """Exit status of `vendor-extract` on the given files (default: the widgets document), and the extract made."""
    files = files or [write(tmp_path / "widgets.json", WIDGETS)]
    out = out or tmp_path / "out" / "openapi.json"
    argv = ["--vendor", "example", "--out", str(out), *extra]
    for file in files:
        argv += ["--source", str(file), SOURCE[0], f"spec/{file.name}", SOURCE[2]]
    for operation in operations:
        argv += ["--operation", operation]
    status = main(argv)
    return status, (json.loads(out.read_text(encoding="utf-8")) if status == 0 else None)


def test_keeps_only_the_operations_asked_for_and_the_schemas_they_reach(tmp_path):
    status, extract = run(tmp_path, "GET /widgets", "POST /widgets")
    assert status == 0
    assert {path: sorted(item) for path, item in extract["paths"].items()} == {"/widgets": ["get", "post"]}
    # Widget -> Part -> Widget (a cycle), Error through the shared response; Gadget and Orphan are unreached.
    assert sorted(extract["components"]["schemas"]) == ["Error", "Part", "Widget"]
    assert extract["paths"]["/widgets"]["get"]["responses"]["default"] == {
        "description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def test_strips_prose_and_vendor_extensions_and_keeps_every_fact(tmp_path):
    _, extract = run(tmp_path, "GET /widgets", "POST /widgets")
    assert set(extract) == {"openapi", "info", "paths", "components", "x-extract"}
    assert extract["info"] == {"title": "Widgets", "version": "1.2"}
    listing, create = extract["paths"]["/widgets"]["get"], extract["paths"]["/widgets"]["post"]
    assert listing == {
        "operationId": "listWidgets",
        "parameters": [{"name": "limit", "in": "query", "required": False, "style": "form",
                        "schema": {"type": "integer", "maximum": 100, "default": 10}}],
        "responses": {
            "200": {"description": "", "content": {"application/json": {"schema": {
                "type": "array", "items": {"$ref": "#/components/schemas/Widget"}}}}},
            "default": listing["responses"]["default"],
        },
        "security": [{"oauth2": ["widgets.read"]}],
    }
    assert create["deprecated"] is True
    assert create["requestBody"] == {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Widget"}}}}
    assert extract["components"]["schemas"]["Widget"] == {
        "type": "object", "required": ["name"],
        "properties": {
            "id": {"type": "integer", "format": "int64", "readOnly": True},
            "name": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[a-z]+$"},
            "description": {"type": "string", "nullable": True},
            "example": {"type": "string", "enum": ["a", "b"]},
            "parts": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}},
            "extra": {"type": "object", "additionalProperties": {"type": "string"}},
            "kind": {"oneOf": [{"$ref": "#/components/schemas/Part"}, {"type": "string"}]},
            "old": {"type": "boolean", "deprecated": True},
        },
    }
    # Scope texts are prose, and only the scopes the kept operations ask for remain.
    assert extract["components"]["securitySchemes"] == {
        "oauth2": {"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": "https://example.com/auth", "tokenUrl": "https://example.com/token",
            "scopes": {"widgets.read": ""}}}},
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
    }


def test_records_where_the_description_came_from(tmp_path):
    source = write(tmp_path / "widgets.json", WIDGETS)
    _, extract = run(tmp_path, "GET /widgets", files=[source])
    blob = subprocess.run(["git", "hash-object", str(source)], capture_output=True, text=True, check=True).stdout
    assert extract["x-extract"] == {
        "vendor": "example", "title": "Widgets", "version": "1.2", "operations": 1, "made_by": "apis.extract",
        "source": [{"repo": "example/widgets-api", "path": "spec/widgets.json", "commit": SOURCE[2],
                    "git_blob": blob.strip(), "title": "Widgets", "version": "1.2"}],
    }


def test_same_input_gives_the_same_bytes_with_sorted_keys_and_no_timestamp(tmp_path):
    source = write(tmp_path / "widgets.json", WIDGETS)
    run(tmp_path, "POST /widgets", "GET /widgets", files=[source], out=tmp_path / "a.json")
    run(tmp_path, "POST /widgets", "GET /widgets", files=[source], out=tmp_path / "b.json")
    first = (tmp_path / "a.json").read_bytes()
    assert first == (tmp_path / "b.json").read_bytes()
    assert first.endswith(b"}\n")
    assert first.decode() == json.dumps(json.loads(first), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_merges_files_and_refuses_one_schema_name_the_kept_operations_use_in_two_forms(tmp_path, capsys):
    gadgets = {**WIDGETS, "info": {"title": "Gadgets", "version": "1.2"},
               "paths": {"/gadgets": WIDGETS["paths"]["/gadgets"]}}
    widgets = {**WIDGETS, "paths": {"/widgets": WIDGETS["paths"]["/widgets"]}}
    files = [write(tmp_path / "widgets.json", widgets), write(tmp_path / "gadgets.json", gadgets)]
    status, extract = run(tmp_path, "GET /widgets", "GET /gadgets", files=files, extra=["--title", "Both"])
    assert status == 0
    assert sorted(extract["paths"]) == ["/gadgets", "/widgets"]
    assert sorted(extract["components"]["schemas"]) == ["Error", "Gadget", "Part", "Widget"]
    assert [s["path"] for s in extract["x-extract"]["source"]] == ["spec/widgets.json", "spec/gadgets.json"]

    # Another Part in gadgets.json: fine while only GET /widgets is kept, refused once GET /gadgets reaches it too.
    other = json.loads(json.dumps(gadgets))
    other["components"]["schemas"]["Part"]["properties"]["size"]["minimum"] = 1
    write(tmp_path / "gadgets.json", other)
    assert run(tmp_path, "GET /widgets", files=files, out=tmp_path / "one.json", extra=["--title", "Both"])[0] == 0
    out = tmp_path / "both.json"
    status, extract = run(tmp_path, "GET /widgets", "GET /gadgets", files=files, out=out, extra=["--title", "Both"])
    assert status == 2 and not out.exists()
    message = capsys.readouterr().err.strip()
    assert "'Part' differs between" in message and "gadgets.json" in message and "\n" not in message


def test_a_missing_operation_is_an_error_naming_it_and_nothing_is_written(tmp_path, capsys):
    out = tmp_path / "out" / "openapi.json"
    out.parent.mkdir()
    out.write_text("the extract from before\n")
    status, _ = run(tmp_path, "GET /widgets", "PUT /widgets/{id}", out=out)
    assert status == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"vendor-extract: error: PUT /widgets/{{id}}: no such operation in {tmp_path / 'widgets.json'}"]
    assert out.read_text() == "the extract from before\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["openapi.json"]  # no temporary file left


@pytest.mark.parametrize("content, complaint", [
    (None, "widgets.json: no such file"),
    (json.dumps({"swagger": "1.2", "info": {}, "paths": {}}),
     "widgets.json: not an OpenAPI 3 or Swagger 2.0 document (swagger: '1.2')"),
    (json.dumps({"openapi": "2.5", "info": {}, "paths": {}}),
     "widgets.json: not an OpenAPI 3 or Swagger 2.0 document (openapi: '2.5')"),
    ("{not json", "widgets.json: cannot be read"),
])
def test_an_unreadable_source_is_an_error_naming_the_file_and_nothing_is_written(tmp_path, capsys, content, complaint):
    source = tmp_path / "widgets.json"
    if content is not None:
        source.write_text(content)
    status, extract = run(tmp_path, "GET /widgets", files=[source])
    assert (status, extract) == (2, None)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and complaint in err
    assert not (tmp_path / "out").exists()


def test_an_operation_must_be_written_as_method_and_path(tmp_path, capsys):
    assert run(tmp_path, "/widgets")[0] == 2
    assert "'/widgets': not an operation" in capsys.readouterr().err


def test_yaml_dates_and_yes_no_words_stay_strings(tmp_path):
    source = tmp_path / "api.yaml"
    source.write_text(
        "openapi: 3.0.1\n"
        "info: {title: Y, version: '1'}\n"
        "paths:\n"
        "  /things:\n"
        "    get:\n"
        "      responses:\n"
        "        200:\n"  # an int key in YAML
        "          description: ok\n"
        "          content:\n"
        "            application/json:\n"
        "              schema: {type: string, enum: [No, Yes, 'on'], default: 2024-01-31}\n")
    status, extract = run(tmp_path, "GET /things", files=[source])
    assert status == 0
    assert extract["paths"]["/things"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "string", "enum": ["No", "Yes", "on"], "default": "2024-01-31"}


def test_integer_defaults_written_as_strings_are_read_as_numbers_and_counted(tmp_path):
    document = json.loads(json.dumps(WIDGETS))
    document["components"]["parameters"]["Limit"]["schema"]["default"] = "1000"
    status, extract = run(tmp_path, "GET /widgets", files=[write(tmp_path / "widgets.json", document)])
    assert status == 0
    assert extract["paths"]["/widgets"]["get"]["parameters"][0]["schema"]["default"] == 1000
    assert extract["x-extract"]["mended"] == {"integer defaults written as strings, read as numbers": 1}


SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Gizmos", "version": "2", "description": "All about gizmos."},
    "host": "api.example.com", "basePath": "/", "schemes": ["https"],
    "consumes": ["application/json"], "produces": ["application/json"],
    "paths": {
        "/gizmos/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "type": "integer", "format": "int32"}],
            "get": {
                "operationId": "getGizmo",
                "parameters": [{"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}},
                               {"$ref": "#/parameters/Language"}],
                "produces": ["application/json", "text/xml"],
                "responses": {"200": {"description": "a gizmo", "schema": {"$ref": "#/definitions/Gizmo"}},
                              "304": {"description": "not modified"}},
                "security": [{"basic": []}],
            },
            "put": {
                "operationId": "putGizmo", "consumes": ["application/json", "application/merge-patch+json"],
                "parameters": [{"name": "gizmo", "in": "body", "required": True,
                                "schema": {"$ref": "#/definitions/Gizmo"}}],
                "responses": {"200": {"description": "saved", "schema": {"$ref": "#/definitions/Gizmo"}},
                              "412": {"description": "changed since"}},
                "security": [{"oauth": ["write"]}],
            },
        },
        "/gizmos/{id}/image": {
            "post": {
                "operationId": "postImage", "consumes": ["multipart/form-data"],
                "parameters": [{"name": "id", "in": "path", "required": True, "type": "integer"},
                               {"name": "file", "in": "formData", "required": True, "type": "file"},
                               {"name": "caption", "in": "formData", "type": "string", "maxLength": 80}],
                "responses": {"204": {"description": "stored"}},
            },
        },
    },
    "parameters": {"Language": {"name": "Accept-Language", "in": "header", "type": "string",
                                "description": "a language"}},
    "definitions": {
        "Gizmo": {"type": "object", "discriminator": "Kind", "required": ["Kind"], "x-nullable": True,
                  "properties": {"GizmoId": {"type": "integer", "format": "int32", "readOnly": True},
                                 "Kind": {"type": "string", "enum": ["a", "b"]},
                                 "Parts": {"type": "array", "items": {"$ref": "#/definitions/Part"}}}},
        "Part": {"type": "object", "properties": {"Value": {"type": "string"}}},
    },
    "securityDefinitions": {
        "basic": {"type": "basic", "description": "user:password"},
        "oauth": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://example.com/auth",
                  "tokenUrl": "https://example.com/token", "scopes": {"write": "Write gizmos", "read": "Read"}},
    },
}


def test_a_swagger_2_source_is_read_as_the_openapi_3_document_it_stands_for(tmp_path):
    source = write(tmp_path / "gizmos.json", SWAGGER)
    status, extract = run(tmp_path, "GET /gizmos/{id}", "PUT /gizmos/{id}", "POST /gizmos/{id}/image",
                          files=[source])
    assert status == 0
    assert extract["openapi"] == "3.0.3" and extract["info"] == {"title": "Gizmos", "version": "2"}
    gizmo = {"schema": {"$ref": "#/components/schemas/Gizmo"}}
    id_parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "format": "int32"}}
    assert extract["paths"]["/gizmos/{id}"]["get"] == {
        "operationId": "getGizmo",
        # the path's parameter applies; a csv array in the query is form-style, not exploded
        "parameters": [id_parameter,
                       {"name": "tags", "in": "query", "explode": False,
                        "schema": {"type": "array", "items": {"type": "string"}}},
                       {"name": "Accept-Language", "in": "header", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "", "content": {"application/json": gizmo, "text/xml": gizmo}},
                      "304": {"description": ""}},
        "security": [{"basic": []}],
    }
    put = extract["paths"]["/gizmos/{id}"]["put"]
    assert put["parameters"] == [id_parameter]
    assert put["requestBody"] == {"required": True,
                                  "content": {"application/json": gizmo, "application/merge-patch+json": gizmo}}
    assert put["responses"] == {"200": {"description": "", "content": {"application/json": gizmo}},
                                "412": {"description": ""}}
    image = extract["paths"]["/gizmos/{id}/image"]["post"]
    assert image["requestBody"] == {"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}, "caption": {"type": "string", "maxLength": 80}},
    }}}}
    assert extract["components"]["schemas"] == {
        "Gizmo": {"type": "object", "discriminator": {"propertyName": "Kind"}, "required": ["Kind"],
                  "properties": {"GizmoId": {"type": "integer", "format": "int32", "readOnly": True},
                                 "Kind": {"type": "string", "enum": ["a", "b"]},
                                 "Parts": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}}}},
        "Part": {"type": "object", "properties": {"Value": {"type": "string"}}},
    }
    assert extract["components"]["securitySchemes"] == {
        "basic": {"type": "http", "scheme": "basic"},
        "oauth": {"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": "https://example.com/auth", "tokenUrl": "https://example.com/token",
            "scopes": {"write": ""}}}},
    }
    blob = subprocess.run(["git", "hash-object", str(source)], capture_output=True, text=True, check=True).stdout
    assert extract["x-extract"]["source"] == [{
        "repo": SOURCE[0], "path": "spec/gizmos.json", "commit": SOURCE[2], "git_blob": blob.strip(),
        "title": "Gizmos", "version": "2", "converted_from": "swagger 2.0"}]
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(extract)


def test_a_recipe_names_files_under_the_vendor_apis_folder_and_puts_the_extract_beside_it(tmp_path, capsys):
    apis = tmp_path / "vendor-apis"
    (apis / "example").mkdir(parents=True)
    write(apis / "example" / "widgets.json", WIDGETS)
    recipe = tmp_path / "sync" / "apis" / "example" / "recipe.toml"
    recipe.parent.mkdir(parents=True)
    recipe.write_text('vendor = "example"\noperations = ["GET /widgets"]\n\n'
                      f'[[source]]\nfile = "example/widgets.json"\nrepo = "{SOURCE[0]}"\npath = "{SOURCE[1]}"\n'
                      f'commit = "{SOURCE[2]}"\n')
    assert main([str(recipe), "--vendor-apis", str(apis)]) == 0
    extract = json.loads((recipe.parent / "openapi.json").read_text())
    assert list(extract["paths"]) == ["/widgets"]
    assert extract["x-extract"]["source"][0]["path"] == SOURCE[1]
    assert main([str(recipe), "--vendor-apis", str(apis), "--check"]) == 0
    write(apis / "example" / "widgets.json", {**WIDGETS, "info": {"title": "Widgets", "version": "1.3"}})
    assert main([str(recipe), "--vendor-apis", str(apis), "--check"]) == 1
    assert "openapi.json is stale" in capsys.readouterr().err

    recipe.write_text(recipe.read_text().replace('file = "example/widgets.json"\n', ""))
    assert main([str(recipe), "--vendor-apis", str(apis)]) == 2
    assert f"give --git-dir {SOURCE[0]}=DIR" in capsys.readouterr().err


# Reference pages in place of an OpenAPI file (Business Central's v2.0 docs): a folder read from git.
DOCS_PAGES = {
    "resources/dynamics_company.md": (
        "# company resource type\n\n## Methods\n\n| Method | Return Type|Description |\n|:--|:--|:--|\n"
        "|[GET company](../api/dynamics_company_get.md)|company|Gets a company object.|\n\n"
        "## Properties\n\n| Property | Type |Description |\n|:--|:--|:--|\n"
        "|id|GUID|The unique ID of the company. Non-editable.|\n|name|string|The company's name.|\n"),
    "resources/dynamics_widget.md": (
        "# widget resource type\n\n## Methods\n\n|Method|Return Type|Description|\n|---|---|---|\n"
        "|[GET widget](../api/dynamics_widget_Get.md)|widget|Gets a widget.|\n"  # links ignore case, as the web does
        "|[POST widget](../api/dynamics_widget_create.md)|widget|Creates a widget.|\n"
        "|[PATCH widget](../api/dynamics_widget_update.md)|widget|Updates a widget.|\n"
        "|[GET widget](../api/dynamics_widget_get.md)|widget|Gets a widget.|\n\n"
        "## Properties\n\n|Property|Type|Description|\n|---|---|---|\n"
        "|id|GUID|The unique ID of the widget. Non-editable.|\n|number|string|Its number.|\n|price|decimal||\n"
        '|kind|NAV.widgetKind|It can be "Big" or "Small".|\n'
        "|lastModifiedDateTime|datetime|The last datetime the widget was modified. Read-Only.|\n\n"
        '## JSON representation\n\n```json\n{"id": "GUID"}\n```\n'),
    "api/dynamics_company_get.md": (
        "# Get companies\n\n## HTTP request\n\n```\nGET businesscentralPrefix/companies\n```\n\n"
        "## Request headers\n\n|Header|Value|\n|------|-----|\n|Authorization  |Bearer {token}. Required. |\n\n"
        "## Response\nIf successful, this method returns a ```200 OK``` response code and a **companies** object.\n"),
    "api/dynamics_widget_get.md": (
        "# Get widgets\n\n## HTTP request\n\n```\nGET businesscentralPrefix/companies({id})/widgets({id})\n"
        "GET businesscentralPrefix/companies({id})/widgets({id})?$expand=parts\n```\n\n"
        "## Response\nIf successful, this method returns a ```200 OK``` response code.\n\n"
        "## Example\n\n```json\nGET https://{businesscentralPrefix}/api/v2.0/companies({id})/widgets({id})\n```\n"),
    "api/dynamics_widget_create.md": (
        "# Create widgets\n\n## HTTP request\n\n```\nPOST businesscentralPrefix/companies({id})/widgets({id})\n```\n\n"
        "## Response\nIf successful, this method returns ```201 Created``` response code.\n"),
    "api/dynamics_widget_update.md": (
        "# Update widgets\n\n## HTTP request\n\n```\nPATCH businesscentralPrefix/companies({id})/widgets({id})\n```\n\n"
        "## Request headers\n\n|Header|Value|\n|---|---|\n|Authorization|Bearer {token}. Required.|\n"
        "|Content-Type|application/json|\n|If-Match|Required. When the eTag provided doesn't match, ...|\n\n"
        "## Response\nIf successful, this method returns a `200 OK` response code.\n"),
}
DOCS_OPERATIONS = ["GET /companies", "GET /companies({company_id})", "GET /companies({company_id})/widgets",
                   "POST /companies({company_id})/widgets", "GET /companies({company_id})/widgets({widget_id})",
                   "PATCH /companies({company_id})/widgets({widget_id})"]


def docs_clone(folder: Path, pages: dict) -> str:
    """A git repository at `folder` whose one commit holds `pages` under ref/v2.0; that commit."""
    for name, text in pages.items():
        (folder / "ref" / "v2.0" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "ref" / "v2.0" / name).write_text(text)
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "pages"]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    return subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()


def docs_recipe(tmp_path: Path, commit: str) -> Path:
    recipe = tmp_path / "apis" / "example" / "recipe.toml"
    recipe.parent.mkdir(parents=True, exist_ok=True)
    recipe.write_text(f'vendor = "example"\ntitle = "Widgets"\nversion = "v2.0"\n'
                      f'operations = {json.dumps(DOCS_OPERATIONS)}\n'
                      f'\n[[source]]\nrepo = "example/docs"\npath = "ref/v2.0"\ncommit = "{commit}"\n'
                      'format = "ms-learn-rest"\nenum_types = ["NAV."]\nodata_reads = true\n')
    return recipe


def test_reference_pages_are_read_as_the_openapi_their_tables_describe(tmp_path):
    commit = docs_clone(tmp_path / "docs", DOCS_PAGES)
    recipe = docs_recipe(tmp_path, commit)
    assert main([str(recipe), "--git-dir", f"example/docs={tmp_path / 'docs'}"]) == 0
    extract = json.loads((recipe.parent / "openapi.json").read_text())
    assert extract["components"]["schemas"]["widget"] == {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid", "readOnly": True}, "number": {"type": "string"},
        "price": {"type": "number", "format": "decimal"}, "kind": {"type": "string"},
        "lastModifiedDateTime": {"type": "string", "format": "date-time", "readOnly": True}}}
    paths, widget = extract["paths"], {"$ref": "#/components/schemas/widget"}
    assert sorted((path, method) for path, item in paths.items() for method in item) == sorted(
        (operation.split()[1], operation.split()[0].lower()) for operation in DOCS_OPERATIONS)
    listed = {"type": "object", "properties": {"value": {"type": "array", "items": widget}}}
    assert paths["/companies({company_id})/widgets"]["get"]["responses"]["200"]["content"]["application/json"] == {
        "schema": listed}
    assert paths["/companies"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"][
        "value"]["items"] == {"$ref": "#/components/schemas/company"}
    update = paths["/companies({company_id})/widgets({widget_id})"]["patch"]
    assert update["parameters"] == [
        {"name": "company_id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "widget_id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}}]
    assert update["requestBody"] == {"content": {"application/json": {"schema": widget}}}
    assert update["security"] == [{"bearer": []}]
    assert "security" not in paths["/companies({company_id})/widgets"]["post"]  # its page names no Authorization
    assert extract["components"]["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"}}
    # What the pages do not say per operation is counted: the create written at a key, the two reads OData gives.
    assert sorted(extract["x-extract"]["mended"].values()) == [1, 2]
    tree = subprocess.run(["git", "-C", str(tmp_path / "docs"), "rev-parse", f"{commit}:ref/v2.0"],
                          check=True, capture_output=True, text=True).stdout.strip()
    assert extract["x-extract"]["source"][0]["git_tree"] == tree and "git_blob" not in extract["x-extract"]["source"][0]


def test_reference_pages_are_read_from_git_and_every_property_type_must_be_known(tmp_path, capsys):
    pages = {**DOCS_PAGES, "resources/dynamics_widget.md": DOCS_PAGES["resources/dynamics_widget.md"].replace(
        "|price|decimal|", "|price|money|")}
    recipe = docs_recipe(tmp_path, docs_clone(tmp_path / "docs", pages))
    assert main([str(recipe), "--git-dir", f"example/docs={tmp_path / 'docs'}"]) == 2
    assert "resources/dynamics_widget.md: property price has type 'money'" in capsys.readouterr().err
    recipe.write_text(recipe.read_text().replace('path = "ref/v2.0"', 'file = "x"\npath = "ref/v2.0"'))
    assert main([str(recipe), "--vendor-apis", str(tmp_path)]) == 2
    assert "is read from git: give --git-dir example/docs=DIR" in capsys.readouterr().err
    assert not (recipe.parent / "openapi.json").exists()


# The committed extracts, against the vendors' files in ../shared/vendor-apis.

def committed(vendor: str) -> dict:
    return json.loads((ROOT / "apis" / vendor / "openapi.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vendor_apis() -> Path:
    if not VENDOR_APIS.is_dir():
        pytest.skip(f"{VENDOR_APIS} is absent: the vendors' API descriptions are not on this machine")
    return VENDOR_APIS


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_committed_extract_is_what_its_recipe_makes(vendor_apis, vendor, tmp_path):
    argv = [str(ROOT / "apis" / vendor / "recipe.toml"), "--vendor-apis", str(vendor_apis),
            "--out", str(tmp_path / "openapi.json")]
    if vendor in FROM_GIT:
        repo, clone, variable, _ = FROM_GIT[vendor]
        if not clone:
            pytest.skip(f"set {variable} to a clone of {repo} to remake the {vendor} extract")
        argv += ["--git-dir", f"{repo}={clone}"]
    assert main(argv) == 0
    assert (tmp_path / "openapi.json").read_bytes() == (ROOT / "apis" / vendor / "openapi.json").read_bytes()


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_committed_extract_names_the_blobs_of_the_shared_files(vendor_apis, vendor):
    shared = {}
    for file in vendor_apis.glob(f"{vendor}/*"):
        blob = subprocess.run(["git", "hash-object", str(file)], capture_output=True, text=True, check=True)
        shared[blob.stdout.strip()] = file.name
    sources = committed(vendor)["x-extract"]["source"]
    from_shared = [s for s in sources if s.get("git_blob") in shared]
    # Every source is a file of the shared folder but those read from git: HubSpot's User Provisioning file,
    # all of SuperOffice's and Business Central's folder of pages (a git tree).
    assert len(from_shared) == len(sources) - FROM_GIT.get(vendor, (None, None, None, 0))[3]


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_committed_extract_is_a_valid_openapi_document_without_prose(vendor):
    validator = pytest.importorskip("openapi_spec_validator")
    extract = committed(vendor)
    validator.validate(extract)
    assert set(extract) == {"openapi", "info", "paths", "components", "x-extract"}
    keywords = set()
    for schema in _schemas(extract):
        keywords.update(key for node in _schema_nodes(schema) for key in node)
    for item in extract["paths"].values():
        for operation in item.values():
            assert set(operation) <= {"operationId", "deprecated", "parameters", "requestBody", "responses", "security"}
            for parameter in operation.get("parameters", []):
                assert set(parameter) <= {"name", "in", "required", "deprecated", "style", "explode", "schema"}
            assert set(operation.get("requestBody", {})) <= {"content", "required"}
            for response in operation["responses"].values():
                assert set(response) <= {"description", "content"} and response["description"] == ""
    assert not keywords & {"description", "summary", "example", "examples", "title", "externalDocs", "xml"}
    assert not [key for key in keywords if key.startswith("x-")]


def test_every_kept_hubspot_schema_compiles_and_every_reference_resolves():
    oas30 = pytest.importorskip("openapi_schema_validator")
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    extract = committed("hubspot")
    resolver = Registry().with_resource("urn:extract", Resource(extract, DRAFT4)).resolver("urn:extract")
    refs = set()
    for schema in _schemas(extract):
        oas30.OAS30Validator.check_schema(schema)
        refs.update(node["$ref"] for node in _schema_nodes(schema) if "$ref" in node)
    for ref in refs:
        assert resolver.lookup(ref).contents == extract["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {ref.rsplit("/", 1)[1] for ref in refs} == set(extract["components"]["schemas"])


def test_hubspot_describes_object_property_values_as_strings_and_never_null():
    oas30 = pytest.importorskip("openapi_schema_validator")
    extract = committed("hubspot")
    response = extract["paths"]["/crm/v3/objects/contacts/{contactId}"]["get"]["responses"]["200"]
    schema = {**response["content"]["application/json"]["schema"], "components": extract["components"]}
    contact = {"id": "1", "archived": False, "createdAt": "2024-01-31T10:00:00Z", "updatedAt": "2024-01-31T10:00:00Z",
               "properties": {"email": "ada@example.com", "hs_object_id": "1"}}
    validator = oas30.OAS30Validator(schema)
    assert validator.is_valid(contact)
    # Only strings: users of HubSpot's own clients have met null there (HubSpot/hubspot-api-nodejs#323), but a fake
    # judged by this description must send "" or leave the property out.
    assert not validator.is_valid({**contact, "properties": {"email": None}})


def _schemas(extract):
    """Every schema of the extract: the operations' own (parameters, bodies, responses) and the components'."""
    for item in extract["paths"].values():
        for operation in item.values():
            carriers = [*operation.get("parameters", []), operation.get("requestBody", {}),
                        *operation["responses"].values()]
            for carrier in carriers:
                for media in [carrier, *carrier.get("content", {}).values()]:
                    if "schema" in media:
                        yield media["schema"]
    yield from extract["components"].get("schemas", {}).values()


def _schema_nodes(schema):
    """The schema and every schema inside it (property names are data, not keywords)."""
    if not isinstance(schema, dict):
        return
    yield schema
    for key in ("items", "additionalProperties", "not"):
        yield from _schema_nodes(schema.get(key))
    for value in schema.get("properties", {}).values():
        yield from _schema_nodes(value)
    for key in ("allOf", "oneOf", "anyOf"):
        for value in schema.get(key, []):
            yield from _schema_nodes(value)
