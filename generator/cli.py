"""`regenerate-tests`: read the specs, then write, check or dump the generated QA suite."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .model_json import result_json
from .parser import SpecsResult, parse_specs
from .render import Document, render_suite
from .writer import OutputNotGenerated, diff_tree, write_tree


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="regenerate-tests",
        description="Read Sesam Talk dataflow documents and regenerate the QA test suite from them.",
    )
    parser.add_argument("--specs", type=Path, default=Path("specs"), help="folder of *.rst documents (default: specs)")
    parser.add_argument("--out", type=Path, default=Path("generated_tests"),
                        help="folder of the generated suite (default: generated_tests)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 listing stale, missing and orphaned files")
    parser.add_argument("--dump-model", metavar="PATH",
                        help="write the model of every document as JSON to PATH ('-' for stdout) and nothing else")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if not args.specs.is_dir():
        print(f"regenerate-tests: {args.specs}: no such folder", file=sys.stderr)
        return 2
    parsed = parse_specs(args.specs)
    findings = parsed.result.findings
    for finding in findings:
        print(f"{args.specs / finding.file}:{finding.line}: {finding.severity}: {finding.message} [{finding.code}]",
              file=sys.stderr)
    for error in parsed.errors:
        print(f"{args.specs / error.path}:{error.line}: error: {error.message}", file=sys.stderr)
    if args.dump_model:
        if parsed.errors:
            print(f"regenerate-tests: {len(parsed.errors)} document(s) could not be read; nothing written",
                  file=sys.stderr)
            return 2
        _write_text(args.dump_model, json.dumps(result_json(parsed.result), indent=2, ensure_ascii=False) + "\n")
        return 0

    files = suite_files(parsed, args.specs)
    if args.check:
        return _check(args.out, files, broken=bool(parsed.errors))
    if parsed.errors:
        # The broken documents' modules are kept as they were rather than dropped as orphans.
        files = _keep_modules_of(args.out, files, {e.path for e in parsed.errors})
    try:
        diff = write_tree(args.out, files)
    except OutputNotGenerated as error:
        print(f"regenerate-tests: {error}", file=sys.stderr)
        return 2
    _print_diff(diff, args.out)
    if parsed.errors:
        print(f"regenerate-tests: {len(parsed.errors)} document(s) could not be read; the others were generated",
              file=sys.stderr)
        return 2
    return 0


def suite_files(parsed: SpecsResult, specs: Path) -> dict[str, str]:
    """Every file of the generated suite for the documents that could be read."""
    findings = parsed.result.findings
    documents = [Document(d, sha, tuple(f for f in findings if f.file == d.file))
                 for d, sha in zip(parsed.result.dataflows, parsed.sha256)]
    return render_suite(documents, spec_prefix=_spec_prefix(specs))


def _spec_prefix(specs: Path) -> str:
    # Generated headers must not depend on the machine: never an absolute path.
    return "" if specs.is_absolute() else f"{specs.as_posix().rstrip('/')}/"


def _check(out: Path, files: dict[str, str], broken: bool) -> int:
    diff = diff_tree(out, files)
    for label, paths in (("stale", diff.changed), ("missing", diff.added), ("orphaned", diff.removed)):
        for path in paths:
            print(f"{label}: {out / path}")
    if not diff.clean:
        print(f"regenerate-tests --check: {out} is out of date; run regenerate-tests", file=sys.stderr)
        return 1
    return 2 if broken else 0


def _keep_modules_of(out: Path, files: dict[str, str], broken: set[str]) -> dict[str, str]:
    manifest = out / "checklist.json"
    if not manifest.is_file():
        return files
    kept = dict(files)
    for document in json.loads(manifest.read_text(encoding="utf-8")).get("documents", []):
        if document["file"] in broken:
            for mapping in document["mappings"]:
                path = out / mapping["module"]
                if path.is_file():
                    kept[mapping["module"]] = path.read_text(encoding="utf-8")
    return dict(sorted(kept.items()))


def _print_diff(diff, out: Path) -> None:
    for label, paths in (("added", diff.added), ("changed", diff.changed), ("removed", diff.removed)):
        for path in paths:
            print(f"{label}: {out / path}")
    print(f"regenerate-tests: {len(diff.added)} added, {len(diff.changed)} changed, {len(diff.removed)} removed")


def _write_text(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text)
        return
    path = Path(target)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


if __name__ == "__main__":
    raise SystemExit(main())
