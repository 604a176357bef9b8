"""Hostile or careless input gets `path:line: error` and exit 2 in bounded time, with nothing written."""
import os
import subprocess
import sys
import time

import pytest

from generator.cli import main
from generator.layout import MAX_NAME_CHARS
from generator.limits import MAX_DOCUMENT_BYTES, MAX_SECTIONS

from .documents import document, section


def run_cli(specs, out, timeout=120):
    return subprocess.run([sys.executable, "-m", "generator.cli", "--specs", str(specs), "--out", str(out),
                           "--no-cache"], capture_output=True, text=True, timeout=timeout)


def assert_refused(run, location, phrase, out):
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    first = run.stderr.splitlines()[0]
    assert first.startswith(f"{location}: error: ") and phrase in first, run.stderr
    assert not out.exists() and not out.parent.joinpath(f".{out.name}.lock").exists()  # nothing written


@pytest.mark.parametrize("kind", ["fifo", "folder", "dangling-link"])
def test_anything_but_a_regular_file_is_refused_without_opening_it(tmp_path, kind):
    specs = tmp_path / "specs"
    specs.mkdir()
    path = specs / "x.rst"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would block forever
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to(tmp_path / "nowhere.rst")
    phrase = {"fifo": "a named pipe", "folder": "a folder", "dangling-link": "a symbolic link to nothing"}[kind]
    assert_refused(run_cli(specs, tmp_path / "out", timeout=60), f"{path}:1", phrase, tmp_path / "out")


def test_an_undecodable_file_name_is_refused(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    with open(os.path.join(os.fsencode(specs), b"bad\xff.rst"), "w") as file:
        file.write(document())
    run = run_cli(specs, tmp_path / "out")
    assert_refused(run, f"{specs}/bad\\xff.rst:1", "the file name is not UTF-8", tmp_path / "out")


def test_a_document_over_the_size_limit_is_refused_unread(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "big.rst").write_text(document() + "\n" + ("word " * 15 + "\n") * (MAX_DOCUMENT_BYTES // 75 + 1))
    assert_refused(run_cli(specs, tmp_path / "out"), f"{specs / 'big.rst'}:1", "at most 5,000,000", tmp_path / "out")


def test_more_sections_than_the_limit_is_an_error_at_the_first_one_too_many(tmp_path):
    # Docutils is quadratic in sections (8,000 took 28 s): refused before docutils sees them.
    specs = tmp_path / "specs"
    specs.mkdir()
    text = document(*(section(f"P{i}") for i in range(MAX_SECTIONS + 1)))
    (specs / "many.rst").write_text(text)
    line = [n for n, l in enumerate(text.splitlines(), 1) if l.startswith("Acme P1998 to")][0] + 1  # after the title and Introduction
    started = time.perf_counter()
    assert_refused(run_cli(specs, tmp_path / "out"), f"{specs / 'many.rst'}:{line}", "more than 2,000 section",
                   tmp_path / "out")
    assert time.perf_counter() - started < 60


def test_an_error_on_a_long_line_10_is_reported_at_line_10(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    lines = document().splitlines()
    lines.insert(9, "x" * 1_000_000)
    (specs / "long.rst").write_text("\n".join(lines))
    assert_refused(run_cli(specs, tmp_path / "out"), f"{specs / 'long.rst'}:10", "1,000,000 characters",
                   tmp_path / "out")


@pytest.mark.slow  # regenerate-tests in a subprocess, docutils at its recursion limit
@pytest.mark.parametrize("nesting", ["bullet", "block-quote", "enumerated"])
def test_deep_nesting_is_an_error_at_its_line_not_a_recursion_error(tmp_path, nesting):
    specs = tmp_path / "specs"
    specs.mkdir()
    item = {"bullet": lambda i: "  " * i + "* x\n\n", "block-quote": lambda i: " " * i + "x\n\n",
            "enumerated": lambda i: "   " * i + "1. x\n\n"}[nesting]
    nested = "".join(item(i) for i in range(600))
    text = document(section(body=nested))
    (specs / "deep.rst").write_text(text)
    run = run_cli(specs, tmp_path / "out")
    deepest = max(range(len(text.splitlines())), key=lambda i: len(text.splitlines()[i]) - len(text.splitlines()[i].lstrip()))
    assert_refused(run, f"{specs / 'deep.rst'}:{deepest + 1}", "nested too deeply", tmp_path / "out")


@pytest.mark.slow  # benchmark-like: 10,000 sentences through regenerate-tests in a subprocess
def test_a_paragraph_repeating_a_sentence_10000_times_is_read_at_once(tmp_path):
    # Before: ~200 repeats took minutes. One sentence a line (docutils limits line length).
    specs = tmp_path / "specs"
    specs.mkdir()
    repeated = "\n".join(["If a matching Beta Customer already exists, the Acme Person will be merged with the "
                          "existing one. If no matching Beta Customer is found, a new Beta Customer will be created"]
                         * 10_000) + "\n\n"
    (specs / "repeat.rst").write_text(document(section(body=repeated)))
    started = time.perf_counter()
    run = run_cli(specs, tmp_path / "out")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "unrecognized-paragraph" in run.stderr
    assert time.perf_counter() - started < 60  # generous: it takes about a second


def test_a_long_section_title_gives_a_short_hashed_module_that_runs(tmp_path, capsys):
    specs = tmp_path / "specs"
    specs.mkdir()
    long_a, long_b = "Q" * 400 + "a", "Q" * 400 + "b"  # alike in their first hundreds of characters
    (specs / "acme-beta.rst").write_text(document(section(long_a), section(long_b)))
    out = tmp_path / "out"
    assert main(["--specs", str(specs), "--out", str(out), "--no-cache"]) == 0
    modules = sorted(out.rglob("test_*.py"))
    assert len(modules) == 2 and all(len(m.name) <= MAX_NAME_CHARS + 3 for m in modules)
    for module in modules:
        compile(module.read_text(), str(module), "exec")
    assert main(["--specs", str(specs), "--out", str(out), "--no-cache"]) == 0  # deterministic: no change
    assert "0 added, 0 changed, 0 removed" in capsys.readouterr().out


def test_a_document_name_at_the_file_system_limit_gives_a_short_folder(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / ("acme-" + "b" * 240 + ".rst")).write_text(document())
    out = tmp_path / "out"
    assert main(["--specs", str(specs), "--out", str(out), "--no-cache"]) == 0
    [module] = out.rglob("test_*.py")
    assert len(module.parent.name) == MAX_NAME_CHARS


def test_a_title_over_the_limit_is_an_error_at_its_line(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    text = document(section(), section(title="Acme " + "to " * 600 + "Beta"))
    (specs / "t.rst").write_text(text)
    line = [n for n, l in enumerate(text.splitlines(), 1) if l.startswith("Acme to to")][0]
    assert_refused(run_cli(specs, tmp_path / "out"), f"{specs / 't.rst'}:{line}", "characters long", tmp_path / "out")


@pytest.mark.slow  # regenerate-tests in a subprocess per path
@pytest.mark.parametrize("path", [".", "..", "a..b", ".a", "a.", "../../etc/passwd", "/etc/passwd", "a/b"])
def test_a_malformed_property_path_is_an_error_at_its_row(tmp_path, path):
    specs = tmp_path / "specs"
    specs.mkdir()
    text = document(section(rows=(("name", "full_name"), (path, "other"))))
    (specs / "p.rst").write_text(text)
    line = text.splitlines().index(f"   * - {path}") + 1
    assert_refused(run_cli(specs, tmp_path / "out"), f"{specs / 'p.rst'}:{line}", "is not a property path",
                   tmp_path / "out")


def test_an_annotated_property_path_is_read_up_to_its_annotation(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "p.rst").write_text(document(section(rows=(("name (Dependant on having NO in a.b)", "full_name"),))))
    assert main(["--specs", str(specs), "--dump-model", str(tmp_path / "m.json")]) == 0


def test_a_model_dump_into_a_folder_is_a_clear_error_that_leaves_nothing(tmp_path, specs_dir, capsys):
    target = tmp_path / "model.json"
    target.mkdir()
    assert main(["--specs", str(specs_dir), "--dump-model", str(target)]) == 2
    assert "cannot write the model" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]
