"""`regenerate-tests --check` says so when the suite is up to date (issue 28, item 4)."""
from generator.cli import main


def test_check_prints_up_to_date_with_the_number_of_files(specs_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["--specs", str(specs_dir), "--out", str(out)]) == 0
    files = sum(1 for p in out.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    capsys.readouterr()
    assert main(["--specs", str(specs_dir), "--out", str(out), "--check"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"regenerate-tests --check: {out} is up to date ({files} files)"
