"""The output folder: nothing written on error, foreign files never dropped, its mode kept,
stale staging removed, and one run at a time."""
import fcntl
import os
import shutil
import stat
import subprocess
import sys
import threading
import time

from generator import writer
from generator.cli import main

from .documents import document


def specs_with(tmp_path, text=None):
    specs = tmp_path / "specs"
    specs.mkdir(exist_ok=True)
    (specs / "acme-beta.rst").write_text(text or document())
    return specs


def regenerate(specs, out):
    return main(["--specs", str(specs), "--out", str(out), "--no-cache"])


def test_an_unreadable_document_and_no_previous_output_write_nothing_not_even_the_skeleton(tmp_path):
    specs = specs_with(tmp_path, "no title here\n")
    assert regenerate(specs, tmp_path / "out") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["specs"]


def test_a_file_the_generator_did_not_write_makes_it_refuse_naming_the_file(tmp_path, capsys):
    specs = specs_with(tmp_path)
    out = tmp_path / "out"
    assert regenerate(specs, out) == 0
    (out / "conftest.py").write_text("mine = True\n")
    (out / "acme_beta" / "notes.txt").write_text("keep me\n")
    (specs / "acme-beta.rst").write_text(document().replace("full_name", "fullname"))
    capsys.readouterr()
    assert regenerate(specs, out) == 2
    err = capsys.readouterr().err
    assert "did not write" in err and "conftest.py" in err and "acme_beta/notes.txt" in err
    assert (out / "conftest.py").read_text() == "mine = True\n" and (out / "acme_beta" / "notes.txt").is_file()
    assert "fullname" not in next(out.rglob("test_*.py")).read_text()  # the suite was not replaced either


def test_the_folder_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    specs = specs_with(tmp_path)
    out = tmp_path / "out"
    assert regenerate(specs, out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~writer._umask()
    out.chmod(0o750)
    (specs / "acme-beta.rst").write_text(document().replace("full_name", "fullname"))
    assert regenerate(specs, out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o750


def test_staging_folders_left_by_a_killed_run_are_removed(tmp_path):
    specs = specs_with(tmp_path)
    out = tmp_path / "out"
    assert regenerate(specs, out) == 0
    for stale in (tmp_path / ".out.new-abc123", tmp_path / ".out.old"):
        (stale / "x").mkdir(parents=True)
    (specs / "acme-beta.rst").write_text(document().replace("full_name", "fullname"))
    assert regenerate(specs, out) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "specs"]  # no lock file left beside it either


def test_a_second_run_waits_for_the_first_then_finds_nothing_to_do(tmp_path, capsys):
    specs = specs_with(tmp_path)
    out = tmp_path / "out"
    with open(writer.lock_path(out), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a first run holds it while it writes
        threading.Timer(0.5, lambda: fcntl.flock(held, fcntl.LOCK_UN)).start()
        started = time.monotonic()
        assert regenerate(specs, out) == 0
        assert time.monotonic() - started >= 0.4
    assert "waiting for another regenerate-tests" in capsys.readouterr().err
    assert next(out.rglob("test_*.py")).is_file()


def test_a_run_that_cannot_get_the_lock_in_time_fails_clearly(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(writer, "LOCK_WAIT_SECONDS", 0.3)
    specs = specs_with(tmp_path)
    out = tmp_path / "out"
    with open(writer.lock_path(out), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert regenerate(specs, out) == 2
    assert "another regenerate-tests is writing" in capsys.readouterr().err
    assert not out.exists()


def test_two_concurrent_runs_into_one_folder_both_succeed(tmp_path):
    specs = specs_with(tmp_path)
    shutil.copy(specs / "acme-beta.rst", specs / "acme-gamma.rst")
    out = tmp_path / "out"
    runs = [subprocess.Popen([sys.executable, "-m", "generator.cli", "--specs", str(specs), "--out", str(out),
                              "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]
    assert all(code == 0 and "Traceback" not in err for code, err in results), results
    assert len(list(out.rglob("test_*.py"))) == 2


def test_a_manifest_naming_a_module_outside_the_folder_never_writes_there(tmp_path):
    import json
    specs = specs_with(tmp_path)
    out = tmp_path / "out"
    assert regenerate(specs, out) == 0
    outside = tmp_path / "elsewhere" / "test_x.py"
    outside.parent.mkdir()
    outside.write_text("outside = True\n")
    os.utime(outside, ns=(0, 0))  # a write there, even of the same text, would change this
    manifest = json.loads((out / "checklist.json").read_text())
    mapping = manifest["documents"][0]["mappings"][0]
    manifest["documents"][0]["mappings"].append({**mapping, "module": "../elsewhere/test_x.py"})
    (out / "checklist.json").write_text(json.dumps(manifest))
    (specs / "acme-beta.rst").write_text("no title here\n")  # broken: its modules would be kept
    assert regenerate(specs, out) == 2
    assert outside.read_text() == "outside = True\n" and outside.stat().st_mtime_ns == 0
    assert next(out.rglob("test_*.py")).is_file()
