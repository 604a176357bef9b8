"""Names that slug alike never share an id or a module: each gets a suffix and a finding, and
every section's tests run."""
import json
import subprocess
import sys

import pytest

from generator.cli import main

from .documents import document, section


def build(tmp_path, files: dict[str, str]):
    specs = tmp_path / "specs"
    for name, text in files.items():
        (specs / name).parent.mkdir(parents=True, exist_ok=True)
        (specs / name).write_text(text)
    out = tmp_path / "out"
    assert main(["--specs", str(specs), "--out", str(out), "--no-cache"]) == 0
    manifest = json.loads((out / "checklist.json").read_text())
    return out, manifest


def sections_of(manifest):
    return [m for d in manifest["documents"] for m in d["mappings"]]


def findings(manifest, code):
    return [f for d in manifest["documents"] for f in d["findings"] if f["code"] == code]


@pytest.mark.slow  # the suite runs in a subprocess
def test_a_repeated_section_and_one_titled_2_keep_three_ids_and_three_modules(tmp_path):
    out, manifest = build(tmp_path, {"acme-beta.rst": document(
        section("Users"), section("Users"), section("Users 2", rows=(("email", "mail"),)))})
    mappings = sections_of(manifest)
    assert [m["id"] for m in mappings] == ["acme-beta/users-to-customer", "acme-beta/users-to-customer-2",
                                           "acme-beta/users-2-to-customer"]
    assert len({m["module"] for m in mappings}) == 3 and all((out / m["module"]).is_file() for m in mappings)
    # "users-2-to-customer" is its own slug here; the clash is for a section titled "... Customer 2":
    out, manifest = build(tmp_path / "b", {"acme-beta.rst": document(
        section("Users", "Customer"), section("Users", "Customer"),
        section("Users", "Customer 2", rows=(("email", "mail"),)))})
    mappings = sections_of(manifest)
    assert [m["id"] for m in mappings] == ["acme-beta/users-to-customer", "acme-beta/users-to-customer-2",
                                           "acme-beta/users-to-customer-2-2"]
    assert len({m["module"] for m in mappings}) == 3
    [clash] = findings(manifest, "id-collision")
    assert clash["severity"] == "warning" and "'acme-beta/users-to-customer-2-2'" in clash["message"]
    assert run_suite(out, manifest) == sum(len(m["items"]) for m in mappings) > 0


@pytest.mark.slow  # the suite runs in a subprocess
def test_documents_and_folders_that_slug_alike_keep_apart(tmp_path):
    files = {name: document(section(f"P{number}")) for number, name in enumerate(
        ["a-b.rst", "a_b.rst", "x-y/a.rst", "x_y/a.rst", "class.rst", "class_.rst", "1a.rst", "x-1a.rst"])}
    out, manifest = build(tmp_path, files)
    ids = {d["file"]: d["mappings"][0]["id"].rsplit("/", 1)[0] for d in manifest["documents"]}
    assert ids == {"a-b.rst": "a-b", "a_b.rst": "a-b-2", "class.rst": "class", "class_.rst": "class-2",
                   "x-y/a.rst": "x-y/a", "x_y/a.rst": "x-y/a-2",
                   "1a.rst": "1a", "x-1a.rst": "x-1a-2"}  # different ids, but both folders would be x_1a
    modules = [m["module"] for m in sections_of(manifest)]
    assert len(set(modules)) == 8 and all((out / m).is_file() for m in modules)
    assert sorted(f["file"] for f in findings(manifest, "document-id-collision")) == ["a_b.rst", "class_.rst", "x-1a.rst",
                                                                                     "x_y/a.rst"]
    assert run_suite(out, manifest) == sum(len(m["items"]) for m in sections_of(manifest))


def test_the_same_ids_from_run_to_run_and_in_the_model_dump(tmp_path, capsys):
    files = {"a-b.rst": document(section("P")), "a_b.rst": document(section("P"))}
    out, first = build(tmp_path, files)
    out, second = build(tmp_path, files)
    assert first == second
    capsys.readouterr()
    assert main(["--specs", str(tmp_path / "specs"), "--dump-model", "-"]) == 0
    dumped = json.loads(capsys.readouterr().out)
    assert [d["mappings"][0]["id"] for d in dumped["dataflows"]] == ["a-b/p-to-customer", "a-b-2/p-to-customer"]


def run_suite(out, manifest) -> int:
    """How many checklist items passed, counted from the report; every module must have run."""
    report = out.parent / "report.html"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(out),
                          f"--qa-report={report}"], cwd=out.parent, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    data = json.loads(report.with_suffix(".json").read_text())
    items = [i for d in data["dataflows"] for m in d["mappings"] for i in m["items"]]
    assert all(i["status"] in ("passed", "skipped") for i in items), [i for i in items if i["status"] not in ("passed", "skipped")]
    modules_run = {test.split("::")[0] for item in items for test in item["tests"]}
    assert len(modules_run) == len(sections_of(manifest))
    return len(items)
