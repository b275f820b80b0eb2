"""The ``handshake-import`` command line.

``handshake-import check FILE`` reads a customer file and reports every
problem with its cell reference. Exit status: 0 no errors, 1 errors in the
file, 2 the file cannot be read or the command was misused.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TextIO

import cattrs

from ._api import read_customers
from ._errors import ImportFileError
from ._problems import Problem, quote
from ._result import ReadResult

__all__ = ["main"]

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_UNUSABLE = 2


def _alias(text: str) -> tuple[str, str]:
    header, sep, field = text.partition("=")
    if not sep or not header.strip() or not field.strip():
        raise argparse.ArgumentTypeError(
            f"expected HEADER=COLUMN, like 'Customer Name=name'; got {text!r}"
        )
    return header.strip(), field.strip()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="handshake-import",
        description="Read and check customer spreadsheets in the Handshake template.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="read a file and report every problem",
        description="Read a customer file (CSV, TSV, XLSX, XLS) and report every "
        "problem with its cell. Exit status 0: no errors; 1: errors; 2: the file "
        "cannot be read.",
    )
    check.add_argument("file", metavar="FILE", help="the customer file")
    check.add_argument("--sheet", help="worksheet name (default: first visible)")
    check.add_argument(
        "--column",
        action="append",
        type=_alias,
        default=[],
        metavar="HEADER=COLUMN",
        help="read the file's HEADER column as template COLUMN (repeatable)",
    )
    check.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _position(problem: Problem) -> str:
    # Sheet names and headers come from the file: quoted, so that a hostile
    # header cannot send escape sequences to the terminal.
    parts = []
    if problem.sheet:
        parts.append(f"sheet {quote(problem.sheet)}")
    if problem.row is not None:
        parts.append(f"row {problem.row}")
    if problem.cell:
        parts.append(problem.cell)
    if problem.column:
        parts.append(f"({quote(problem.column)})")
    return " ".join(parts) or "file"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _print_text(path: str, result: ReadResult, out: TextIO) -> None:
    out.write(
        f"{path}: {_count(len(result.rows), 'customer')} read; "
        f"{_count(len(result.errors), 'error')}, "
        f"{_count(len(result.warnings), 'warning')}\n"
    )
    for problem in result.problems:
        out.write(
            f"{_position(problem)}: {problem.severity} [{problem.code}] "
            f"{problem.message}\n"
        )


def _print_json(path: str, result: ReadResult, out: TextIO) -> None:
    document = {
        "file": path,
        "ok": result.ok,
        "rows": len(result.rows),
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "problems": cattrs.unstructure(list(result.problems)),
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        result = read_customers(args.file, sheet=args.sheet, columns=dict(args.column))
    except ImportFileError as error:
        sys.stderr.write(f"handshake-import: {args.file}: {error}\n")
        return EXIT_UNUSABLE
    except ValueError as error:  # a --column naming no template column
        sys.stderr.write(f"handshake-import: {error}\n")
        return EXIT_UNUSABLE
    try:
        if args.json:
            _print_json(args.file, result, sys.stdout)
        else:
            _print_text(args.file, result, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # `check ... | head`: the reader went away; that is not an error of ours.
        _silence_stdout()
    return EXIT_OK if result.ok else EXIT_ERRORS


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
