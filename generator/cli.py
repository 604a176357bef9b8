"""`regenerate-tests`: read the specs, then write, check or dump the generated QA suite."""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path, PurePosixPath

from .model import Finding
from .model_json import result_json
from .parser import parse_specs
from .render import MANIFEST, RenderedDocument, assemble_suite
from .suite import DEFAULT_CACHE, SuiteBuild, build_suite
from .writer import OutputBusy, OutputNotGenerated, TreeDiff, diff_tree, output_lock, write_tree


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
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"folder of parsed documents, by content hash (default: {DEFAULT_CACHE})")
    parser.add_argument("--no-cache", action="store_true", help="parse every document again")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="list every warning about the documents with its file:line (default: counts by code)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if not args.specs.is_dir():
        print(f"regenerate-tests: {args.specs}: no such folder", file=sys.stderr)
        return 2
    if args.dump_model:
        return _dump_model(args.specs, args.dump_model, args.verbose)

    build = regenerate(args.specs, None if args.no_cache else args.cache, args.jobs, verbose=args.verbose)
    if args.check:
        return _check(args.out, build)
    try:
        # Nothing to write (not even a lock file) when no document could be read and none has modules to keep.
        nothing = build.errors and not build.rendered and not (args.out / MANIFEST).is_file()
        with output_lock(args.out) if not nothing else nullcontext():
            files = {} if nothing else _keep_modules_of_broken(args.out, build, spec_prefix(args.specs))
            if build.errors and not _has_modules(files):
                print(f"regenerate-tests: {len(build.errors)} document(s) could not be read; nothing written",
                      file=sys.stderr)
                return 2
            diff = write_tree(args.out, files)
    except (OutputNotGenerated, OutputBusy) as error:
        print(f"regenerate-tests: {error}", file=sys.stderr)
        return 2
    print_diff(diff, args.out)
    if build.errors:
        print(f"regenerate-tests: {len(build.errors)} document(s) could not be read; the others were generated",
              file=sys.stderr)
        return 2
    return 0


def regenerate(specs: Path, cache: Path | None, jobs: int | None = None, quiet: bool = False,
               verbose: bool = False) -> SuiteBuild:
    """The suite of `specs`, with its findings (each, or counted by code) and errors printed to stderr once."""
    build = build_suite(specs, spec_prefix(specs), cache, jobs, progress=sys.stderr.isatty())
    if not quiet:
        print_findings(specs, build.findings, verbose)
    for error in build.errors:
        print(f"{specs / error.path}:{error.line}: error: {error.message}", file=sys.stderr)
    return build


def spec_prefix(specs: Path) -> str:
    """How generated files name the specs folder: by its own name, so that the suite is the same
    whatever the working directory (`--specs specs`, `--specs p/specs`, an absolute path)."""
    return f"{specs.resolve().name}/"


def print_findings(specs: Path, findings: Sequence[Finding], verbose: bool) -> None:
    """Each finding with its file:line, or one line counting them by code: a run over the publisher's
    documents finds hundreds, and the errors that stop it must not scroll away behind them."""
    if verbose:
        for f in findings:
            print(f"{specs / f.file}:{f.line}: {f.severity}: {f.message} [{f.code}]", file=sys.stderr)
    elif findings:
        counts = Counter(f.code for f in findings)
        listed = ", ".join(f"{code} {n}" for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        print(f"regenerate-tests: {len(findings)} warning(s) about the documents ({listed}); "
              "--verbose lists each with its file:line", file=sys.stderr)


def _dump_model(specs: Path, target: str, verbose: bool = True) -> int:
    parsed = parse_specs(specs)
    print_findings(specs, parsed.result.findings, verbose)
    for error in parsed.errors:
        print(f"{specs / error.path}:{error.line}: error: {error.message}", file=sys.stderr)
    if parsed.errors:
        print(f"regenerate-tests: {len(parsed.errors)} document(s) could not be read; nothing written",
              file=sys.stderr)
        return 2
    try:
        _write_text(target, json.dumps(result_json(parsed.result), indent=2, ensure_ascii=False) + "\n")
    except OSError as error:
        print(f"regenerate-tests: {target}: cannot write the model: {error.strerror}", file=sys.stderr)
        return 2
    return 0


def _check(out: Path, build: SuiteBuild) -> int:
    diff = diff_tree(out, build.files)
    for label, paths in (("stale", diff.changed), ("missing", diff.added), ("orphaned", diff.removed)):
        for path in paths:
            print(f"{label}: {out / path}")
    if not diff.clean:
        print(f"regenerate-tests --check: {out} is out of date; run regenerate-tests", file=sys.stderr)
        return 1
    if build.errors:
        return 2
    print(f"regenerate-tests --check: {out} is up to date ({len(build.files)} files)")
    return 0


def _has_modules(files: dict[str, str]) -> bool:
    return any(Path(path).name.startswith("test_") for path in files)


def _inside(relative: str) -> bool:
    # A manifest is read back from disk: a module path in it must stay inside the output folder.
    path = PurePosixPath(relative)
    return not path.is_absolute() and ".." not in path.parts and path.suffix == ".py"


def _keep_modules_of_broken(out: Path, build: SuiteBuild, prefix: str) -> dict[str, str]:
    """The suite's files, keeping the previous modules and manifest entry of each document that
    could not be read this time, so that a typo in one document loses none of its tests."""
    manifest = out / MANIFEST
    if not build.errors or not manifest.is_file():
        return build.files
    broken = {e.path for e in build.errors}
    kept = []
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("documents", [])
    except (OSError, ValueError, AttributeError):
        return build.files  # a damaged manifest keeps nothing; the folder is then refused as not ours
    for entry in entries:
        modules = {m["module"]: out / m["module"] for m in entry["mappings"]}
        # Not where this run's documents now put theirs: a kept module never overwrites a new one.
        if (entry["file"] in broken and all(_inside(name) and path.is_file() for name, path in modules.items())
                and not build.files.keys() & modules.keys()):
            texts = {name: path.read_text(encoding="utf-8") for name, path in modules.items()}
            kept.append(RenderedDocument(entry["file"], texts, json.dumps(entry, ensure_ascii=False)))
    return assemble_suite([*build.rendered, *kept], prefix)


def print_diff(diff: TreeDiff, out: Path) -> None:
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
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main())
