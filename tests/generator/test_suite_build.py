"""The suite build: cached by content, parallel, and the same output whichever way it ran."""
import shutil

from generator.suite import build_suite


def documents(specs) -> int:
    return len(list(specs.rglob("*.rst")))


def test_cache_parses_only_what_changed_and_output_is_unchanged(specs_dir, tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(specs_dir, specs)
    cache = tmp_path / "cache"
    first = build_suite(specs, "specs/", cache, workers=1)
    assert first.parsed == documents(specs) and not first.errors
    again = build_suite(specs, "specs/", cache, workers=1)
    assert again.parsed == 0 and again.files == first.files and again.findings == first.findings
    document = specs / "customcrm-chargebee.rst"
    document.write_text(document.read_text().replace("Every Customcrm Product", "Every  Customcrm Product"))
    changed = build_suite(specs, "specs/", cache, workers=1)
    assert changed.parsed == 1
    assert changed.files == build_suite(specs, "specs/", None, workers=1).files


def test_parallel_build_equals_serial_build(specs_dir, tmp_path):
    specs = tmp_path / "specs"
    for number in range(3):  # enough documents to start worker processes
        shutil.copytree(specs_dir, specs / f"copy{number}")
    serial = build_suite(specs, "specs/", None, workers=1)
    parallel = build_suite(specs, "specs/", None, workers=2)
    assert parallel.files == serial.files and parallel.findings == serial.findings


def test_a_damaged_cache_entry_is_parsed_again(specs_dir, tmp_path):
    cache = tmp_path / "cache"
    build_suite(specs_dir, "specs/", cache, workers=1)
    for entry in cache.iterdir():
        entry.write_text("{not json")
    rebuilt = build_suite(specs_dir, "specs/", cache, workers=1)
    assert rebuilt.parsed == documents(specs_dir) and not rebuilt.errors


def test_a_broken_document_is_an_error_and_the_others_still_build(specs_dir, tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(specs_dir, specs)
    (specs / "broken.rst").write_bytes(b"\xff\xfe not utf-8")
    build = build_suite(specs, "specs/", tmp_path / "cache", workers=1)
    assert [(e.path, e.line) for e in build.errors] == [("broken.rst", 1)]
    assert len(build.documents) == documents(specs) - 1
