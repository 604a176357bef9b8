"""`regenerate-tests`: read the specs, then dump the model or write the generated suite."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .model_json import result_json
from .parser import parse_specs


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="regenerate-tests",
        description="Read Sesam Talk dataflow documents and regenerate the QA test suite.",
    )
    parser.add_argument("--specs", type=Path, default=Path("specs"), help="folder of *.rst documents (default: specs)")
    parser.add_argument("--dump-model", metavar="PATH",
                        help="write the model of every document as JSON to PATH ('-' for stdout) and nothing else")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if not args.specs.is_dir():
        print(f"regenerate-tests: {args.specs}: no such folder", file=sys.stderr)
        return 2
    parsed = parse_specs(args.specs)
    for finding in parsed.result.findings:
        print(finding, file=sys.stderr)
    for error in parsed.errors:
        print(f"{args.specs / error.path}:{error.line}: error: {error.message}", file=sys.stderr)
    if parsed.errors:
        print(f"regenerate-tests: {len(parsed.errors)} document(s) could not be read; nothing written",
              file=sys.stderr)
        return 2
    if args.dump_model:
        text = json.dumps(result_json(parsed.result), indent=2, ensure_ascii=False) + "\n"
        _write(args.dump_model, text)
    return 0


def _write(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text)
        return
    path = Path(target)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


if __name__ == "__main__":
    raise SystemExit(main())
