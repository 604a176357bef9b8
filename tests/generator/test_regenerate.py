"""`regenerate-tests`: golden output, determinism, --check, atomic writes, removed sections."""
import os
import shutil
from pathlib import Path

import pytest

from generator.cli import main

GOLDEN = Path(__file__).parents[1] / "data" / "golden"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def regenerate(specs: Path, out: Path, *extra: str) -> int:
    return main(["--specs", str(specs), "--out", str(out), *extra])


def test_golden_files(tmp_path, monkeypatch):
    # Relative --specs, as a user runs it, so the headers name "specs/...".
    monkeypatch.chdir(GOLDEN)
    out = tmp_path / "out"
    assert regenerate(Path("specs"), out) == 0
    expected = GOLDEN / "expected"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(out, expected, ignore=shutil.ignore_patterns("__pycache__"))
    assert sorted(tree(out)) == sorted(tree(expected))
    for name, content in tree(expected).items():
        assert tree(out)[name] == content, f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept)"


def test_output_is_byte_identical_from_run_to_run(specs_dir, tmp_path):
    assert regenerate(specs_dir, tmp_path / "a") == 0
    assert regenerate(specs_dir, tmp_path / "b") == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert regenerate(specs_dir, tmp_path / "a") == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_prints_what_it_added_changed_and_removed(tmp_path, capsys):
    specs = tmp_path / "specs"
    shutil.copytree(GOLDEN / "specs", specs)
    out = tmp_path / "out"
    regenerate(specs, out)
    assert "acme_chargebee/test_person_to_customer.py" in capsys.readouterr().out
    document = specs / "acme-chargebee.rst"
    text = document.read_text()
    document.write_text(text[: text.index("Acme Lead to Chargebee Customer")].replace('"integer"', '"float"'))
    assert regenerate(specs, out) == 0
    printed = capsys.readouterr().out
    assert f"changed: {out / 'acme_chargebee/test_person_to_customer.py'}" in printed
    assert f"removed: {out / 'acme_chargebee/test_lead_to_customer.py'}" in printed
    assert not (out / "acme_chargebee/test_lead_to_customer.py").exists()
    assert regenerate(specs, out) == 0
    assert "0 added, 0 changed, 0 removed" in capsys.readouterr().out


def test_check_lists_stale_missing_and_orphaned_files_and_writes_nothing(specs_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert regenerate(specs_dir, out) == 0
    assert regenerate(specs_dir, out, "--check") == 0
    module = next(out.rglob("test_contact_to_customer.py"))
    module.write_text(module.read_text() + "# edited by hand\n")
    (out / "examples" / "test_orphan.py").write_text("")
    missing = next(out.rglob("test_product_to_item.py"))
    missing.unlink()
    before = tree(out)
    capsys.readouterr()
    assert regenerate(specs_dir, out, "--check") == 1
    printed = capsys.readouterr().out
    assert f"stale: {module}" in printed
    assert f"orphaned: {out / 'examples' / 'test_orphan.py'}" in printed
    assert f"missing: {missing}" in printed
    assert tree(out) == before


def test_a_failed_write_leaves_the_previous_tree_whole(specs_dir, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert regenerate(specs_dir, out) == 0
    before = tree(out)
    specs = tmp_path / "specs"
    specs.mkdir()
    for p in specs_dir.rglob("*.rst"):
        target = specs / p.relative_to(specs_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(p.read_text().replace("Generated:", "Generated: 1"))
    calls = {"n": 0}
    real = Path.write_text

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    with pytest.raises(OSError):
        regenerate(specs, out, "--no-cache")
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []  # no staging, no lock left


def test_refuses_to_replace_a_folder_it_did_not_write(specs_dir, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.py").write_text("precious = True\n")
    assert regenerate(specs_dir, out) == 2
    assert (out / "notes.py").read_text() == "precious = True\n"
    assert "refusing" in capsys.readouterr().err


def test_one_broken_document_among_many(specs_dir, tmp_path, capsys):
    specs = tmp_path / "specs"
    shutil.copytree(specs_dir, specs)
    (specs / "broken.rst").write_text("no title here\n")
    out = tmp_path / "out"
    assert regenerate(specs, out) == 2
    assert next(out.rglob("test_contact_to_customer.py")).is_file()
    assert f"{specs / 'broken.rst'}:1: error:" in capsys.readouterr().err


def test_a_document_broken_later_keeps_its_previous_modules_and_they_still_run(specs_dir, tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(specs_dir, specs)
    out = tmp_path / "out"
    assert regenerate(specs, out, "--no-cache") == 0
    before = tree(out)
    document = specs / "examples" / "customcrm-chargebee-example.rst"
    document.write_text(document.read_text().replace('"integer"', '"int32"'))
    assert regenerate(specs, out, "--no-cache") == 2
    assert tree(out) == before


def test_headers_do_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    project = tmp_path / "p"
    shutil.copytree(GOLDEN / "specs", project / "specs")
    monkeypatch.chdir(tmp_path)
    assert regenerate(Path("p/specs"), Path("p/generated_tests")) == 0
    monkeypatch.chdir(project)
    assert regenerate(Path("specs"), Path("generated_tests"), "--check") == 0
    assert regenerate(project / "specs", project / "generated_tests", "--check") == 0
    header = (project / "generated_tests" / "acme_chargebee" / "test_person_to_customer.py").read_text()
    assert header.startswith("# Generated by regenerate-tests from specs/acme-chargebee.rst:")


def test_a_suite_is_only_rewritten_from_its_own_specs(specs_dir, tmp_path, capsys):
    out = tmp_path / "generated_tests"
    assert regenerate(specs_dir, out) == 0
    before = tree(out)
    (tmp_path / "empty").mkdir()
    for other in (specs_dir / "examples", tmp_path / "empty"):
        assert regenerate(other, out) == 2
        assert "holds the suite of a specs folder named 'specs'" in capsys.readouterr().err
        assert tree(out) == before
