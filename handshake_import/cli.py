"""The ``handshake-import`` command line (also ``python -m handshake_import``).

Commands: ``check FILE`` (read only), ``plan FILE`` (reconcile against the
database), ``apply FILE`` (plan, confirm, apply) and ``register`` (add
manufacturers, customer groups, user groups and options to the database).

Exit status: 0 done / nothing wrong; 1 the file or plan has errors (nothing
applied unless ``--partial``); 2 usage error, or a file or database that
cannot be used; 3 done, but the output could not all be written (a closed
pipe). A user's mistake never ends in a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import gc
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

import cattrs

from ._api import DEFAULT_BATCH_SIZE, read_customers, reconcile
from ._asking import batches
from ._errors import ApplyError, ImportFileError, StoreError
from ._plan import (
    Action,
    CreateCustomer,
    CreateCustomerGroup,
    CreateOption,
    CreateUserGroup,
    Plan,
    Unchanged,
    UnchangedCustomerGroup,
    UnchangedOption,
    UpdateCustomer,
    UpdateCustomerGroup,
    UpdateOption,
    unreachable,
)
from ._problems import Problem, customer_key, quote, show_value
from ._records import Customer
from ._result import ReadResult
from ._serialize import unstructure_plan
from ._store import OPTION_KEYS

__all__ = ["console", "main"]

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_UNUSABLE = 2
#: The command did its work, but its output could not all be written (a
#: closed pipe); a status the command had for another reason wins.
EXIT_OUTPUT_LOST = 3

DEFAULT_DB = "handshake.db"
DB_VARIABLE = "HANDSHAKE_IMPORT_DB"
#: Past this many problems of one code, the text report shows a few and a count.
GROUP_AFTER = 10
SHOWN_PER_GROUP = 5


class _UsageError(Exception):
    """A mistake in how the command was called; exit status 2."""


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
        description="Read, check and import customer spreadsheets in the Handshake "
        "template.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument("file", metavar="FILE", help="the customer file")
    reading.add_argument("--sheet", help="worksheet name (default: first visible)")
    reading.add_argument(
        "--column",
        action="append",
        type=_alias,
        default=[],
        metavar="HEADER=COLUMN",
        help="read the file's HEADER column as template COLUMN (repeatable)",
    )
    reading.add_argument("--json", action="store_true", help="print JSON")
    reading.add_argument(
        "--quiet", action="store_true", help="print only the summary line(s)"
    )

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--db",
        default=os.environ.get(DB_VARIABLE, DEFAULT_DB),
        help=f"the SQLite database (default: ${DB_VARIABLE} or {DEFAULT_DB})",
    )

    planning = argparse.ArgumentParser(add_help=False)
    planning.add_argument(
        "--mode",
        choices=("upsert", "create-only", "update-only"),
        default="upsert",
        help="create and update (default), only create, or only update",
    )
    planning.add_argument(
        "--partial",
        action="store_true",
        help="apply the rows without errors even if others have errors",
    )

    commands.add_parser(
        "check",
        parents=[reading],
        help="read a file and report every problem",
        description="Read a customer file (CSV, TSV, XLSX, XLS) and report every "
        "problem with its cell.",
    )
    commands.add_parser(
        "plan",
        parents=[reading, database, planning],
        help="show what importing a file would do",
        description="Reconcile a customer file against the database and print the "
        "plan: creates, updates with their changes, unchanged rows, problems.",
    )
    apply = commands.add_parser(
        "apply",
        parents=[reading, database, planning],
        help="import a file into the database",
        description="Plan, show the summary, ask for confirmation, then apply the "
        "plan in one transaction.",
    )
    apply.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    register = commands.add_parser(
        "register",
        parents=[database],
        help="add reference data to the database",
        description="Add manufacturers, customer groups, user groups or option "
        "values, so that files using them are valid.",
    )
    register.add_argument(
        "kind",
        choices=("manufacturer", "customer-group", "user-group", *OPTION_KEYS),
        help="what to add",
    )
    register.add_argument("values", nargs="+", metavar="VALUE")
    return parser


# -- output -------------------------------------------------------------------


class _Output:
    """Standard output that never stops or fails a command for its own sake.

    A closed pipe (``... | head -1``) is noted (`lost`) and the rest of the
    output dropped: the command still finishes its work, and its exit status
    says the output was lost. A character the stream's encoding lacks (a
    terminal with ``LANG=C``) is replaced rather than raising.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.lost = False
        self.encoding = getattr(stream, "encoding", None) or "utf-8"
        #: whether the stream takes any character (JSON is then written as
        #: it is, else with its non-ASCII characters escaped)
        self.unicode = codecs.lookup(self.encoding).name.startswith("utf")
        #: the arrow of an update's changes
        self.arrow = "→" if self.unicode or _encodes("→", self.encoding) else "->"

    def write(self, text: str) -> None:
        if self.lost:
            return
        try:
            try:
                self._stream.write(text)
            except UnicodeEncodeError:
                self._stream.write(
                    text.encode(self.encoding, "replace").decode(self.encoding)
                )
        except BrokenPipeError:
            self._lose()

    def flush(self) -> None:
        if self.lost:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._lose()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def _lose(self) -> None:
        self.lost = True
        # What is still buffered would raise again when the interpreter
        # flushes at exit: it goes nowhere instead.
        try:
            fileno = self._stream.fileno()
        except (OSError, ValueError, AttributeError):
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno)
        os.close(devnull)


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


class _Style:
    """ANSI colours, only when writing to a terminal (and NO_COLOR is unset)."""

    def __init__(self, stream: _Output) -> None:
        self.enabled = stream.isatty() and "NO_COLOR" not in os.environ

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


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


def _print_problems(problems: Sequence[Problem], out: _Output, style: _Style) -> None:
    per_code = Counter(problem.code for problem in problems)
    shown: Counter[str] = Counter()
    for problem in problems:
        crowded = per_code[problem.code] > GROUP_AFTER
        shown[problem.code] += 1
        if crowded and shown[problem.code] > SHOWN_PER_GROUP:
            if shown[problem.code] == SHOWN_PER_GROUP + 1:
                rest = per_code[problem.code] - SHOWN_PER_GROUP
                out.write(f"  ... and {rest} more [{problem.code}]\n")
            continue
        severity = style(problem.severity, "31" if problem.is_error else "33")
        out.write(
            f"{_position(problem)}: {severity} [{problem.code}] {problem.message}\n"
        )


def _print_read(path: str, result: ReadResult, out: _Output, quiet: bool) -> None:
    out.write(
        f"{path}: {_count(len(result.rows), 'customer')} read; "
        f"{_count(len(result.errors), 'error')}, "
        f"{_count(len(result.warnings), 'warning')}\n"
    )
    if not quiet:
        _print_problems(result.problems, out, _Style(out))


def _print_plan(
    path: str,
    plan: Plan,
    out: _Output,
    quiet: bool,
    updated: Mapping[str, Customer],
) -> None:
    style = _Style(out)
    actions = plan.summary()["actions"]
    counts = "; ".join(
        _counts(template, actions)
        for template in ("options", "customer-groups", "customers")
        if template in plan.templates
    )
    out.write(
        f"{path}: {counts}; "
        f"{_count(len([p for p in plan.problems if p.is_error]), 'error')}, "
        f"{_count(len([p for p in plan.problems if not p.is_error]), 'warning')}\n"
    )
    if quiet:
        return
    for action in plan.actions:
        _print_action(action, out, style, updated)
    _print_problems(plan.problems, out, style)
    if plan.stopped_early:
        out.write("(stopped early: --max-errors reached)\n")


def _counts(template: str, actions: Mapping[str, int]) -> str:
    """What a plan does with the rows of one template, counted."""
    if template == "customers":
        return (
            f"{actions['create']} to create, {actions['update']} to update, "
            f"{actions['unchanged']} unchanged, "
            f"{_count(actions['create-user-group'], 'user group')} to create"
        )
    suffix = "option" if template == "options" else "customer-group"
    noun = "option" if template == "options" else "customer group"
    return (
        f"{_count(actions[f'create-{suffix}'], noun)} to create, "
        f"{actions[f'update-{suffix}']} to update, "
        f"{actions[f'unchanged-{suffix}']} unchanged"
    )


def _print_changes(changes: Mapping[str, tuple[Any, Any]], out: _Output) -> None:
    for field, (old, new) in changes.items():
        before, after = show_value(old, "(blank)"), show_value(new, "(blank)")
        out.write(f"    {field}: {before} {out.arrow} {after}\n")


def _print_action(
    action: Action, out: _Output, style: _Style, updated: Mapping[str, Customer]
) -> None:
    row = "" if getattr(action, "row", None) is None else f" row {action.row}:"  # type: ignore[union-attr]
    if isinstance(action, CreateOption):
        option = action.option
        default = " (the default)" if option.is_default else ""
        out.write(
            f"{style('+', '32')}{row} add {quote(option.value)} to the {option.key} "
            f"list, at place {action.position}{default}\n"
        )
    elif isinstance(action, UpdateOption):
        out.write(
            f"{style('~', '36')}{row} update {quote(action.value)} of the "
            f"{action.key} list\n"
        )
        _print_changes(action.changes, out)
    elif isinstance(action, CreateCustomerGroup):
        out.write(
            f"{style('+', '32')}{row} create customer group {quote(action.group.id)}\n"
        )
    elif isinstance(action, UpdateCustomerGroup):
        out.write(f"{style('~', '36')}{row} update customer group {quote(action.id)}\n")
        _print_changes(action.changes, out)
    elif isinstance(action, CreateUserGroup):
        out.write(f"{style('+', '32')} user group {quote(action.name)}\n")
    elif isinstance(action, CreateCustomer):
        customer = action.customer
        note = " (generated id)" if action.generated_id else ""
        out.write(
            f"{style('+', '32')} row {action.row}: create {quote(customer.name)} "
            f"id {quote(customer.id or '')}{note}\n"
        )
    elif isinstance(action, UpdateCustomer):
        stored = updated.get(action.internal_id)
        who = (
            f"the customer with internal id {quote(action.internal_id)}"
            if stored is None
            else f"{quote(stored.name)} {customer_key(stored)}"
        )
        out.write(
            f"{style('~', '36')} row {action.row}: update {who} "
            f"(matched by {action.matched_by})\n"
        )
        _print_changes(action.changes, out)
    elif isinstance(action, (Unchanged, UnchangedOption, UnchangedCustomerGroup)):
        pass
    else:
        unreachable(action)


def _write_json(document: Any, out: _Output) -> None:
    # Escaped to ASCII when the stream cannot take every character: replaced
    # characters would change the data, escapes keep it exact.
    out.write(json.dumps(document, ensure_ascii=not out.unicode, indent=2) + "\n")


# -- progress -------------------------------------------------------------------


class _ProgressBar:
    """Rows read so far, on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int | None) -> None:
        if self.enabled:
            of = f" of {total:,}" if total else ""
            sys.stderr.write(f"\r{done:,}{of} rows read")
            sys.stderr.flush()
            self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


# -- commands ---------------------------------------------------------------------


@contextmanager
def _store(path: str) -> Iterator[Any]:
    from .adapters.sqlite import SQLiteStore  # noqa: PLC0415 - only for these commands

    store = SQLiteStore(path)
    try:
        yield store
    finally:
        store.close()


def _check(args: argparse.Namespace, out: _Output) -> int:
    result = read_customers(args.file, sheet=args.sheet, columns=dict(args.column))
    if args.json:
        _write_json(
            {
                "file": args.file,
                "ok": result.ok,
                "rows": len(result.rows),
                "errors": len(result.errors),
                "warnings": len(result.warnings),
                "problems": cattrs.unstructure(list(result.problems)),
            },
            out,
        )
    else:
        _print_read(args.file, result, out, args.quiet)
    return EXIT_OK if result.ok else EXIT_ERRORS


def _make_plan(args: argparse.Namespace, store: Any) -> Plan:
    bar = _ProgressBar() if not args.json else None
    try:
        return reconcile(
            args.file,
            store,
            sheet=args.sheet,
            columns=dict(args.column),
            mode=args.mode,
            progress=bar,
        )
    finally:
        if bar is not None:
            bar.finish()


def _updated_customers(store: Any, plan: Plan) -> dict[str, Customer]:
    """The stored customers the plan updates, as they are now (for their
    names), asked in bulk like `reconcile` asks."""
    internal_ids = [
        action.internal_id
        for action in plan.actions
        if isinstance(action, UpdateCustomer)
    ]
    found: dict[str, Customer] = {}
    for batch in batches(internal_ids, DEFAULT_BATCH_SIZE):
        found.update(store.customers_by_internal_id(batch))
    return found


def _show_plan(args: argparse.Namespace, plan: Plan, store: Any, out: _Output) -> None:
    if args.json:
        _write_json(unstructure_plan(plan), out)
    else:
        updated = {} if args.quiet else _updated_customers(store, plan)
        _print_plan(args.file, plan, out, args.quiet, updated)


def _plan(args: argparse.Namespace, out: _Output) -> int:
    with _store(args.db) as store:
        plan = _make_plan(args, store)
        _show_plan(args, plan, store, out)
    return EXIT_OK if plan.ok else EXIT_ERRORS


def _apply(args: argparse.Namespace, out: _Output) -> int:
    if not args.yes and not sys.stdin.isatty():
        raise _UsageError(
            "apply asks for confirmation, but standard input is not a terminal; "
            "pass --yes to apply without asking."
        )
    with _store(args.db) as store:
        plan = _make_plan(args, store)
        _show_plan(args, plan, store, out)
        if not plan.ok and not args.partial:
            out.write("Nothing applied: the plan has errors (see --partial).\n")
            return EXIT_ERRORS
        if not any(not isinstance(a, Unchanged) for a in plan.actions):
            out.write("Nothing to do.\n")
            return EXIT_OK if plan.ok else EXIT_ERRORS
        if not args.yes:
            out.flush()
            answer = input("Apply this plan? [y/N] ").strip().casefold()
            if answer not in ("y", "yes"):
                out.write("Nothing applied.\n")
                return EXIT_OK
        done = store.apply(plan, partial=args.partial)
    out.write(
        f"Applied: {len(done.created)} created, {len(done.updated)} updated, "
        f"{_count(len(done.user_groups), 'user group')} created.\n"
    )
    return EXIT_OK if plan.ok else EXIT_ERRORS


def _register(args: argparse.Namespace, out: _Output) -> int:
    with _store(args.db) as store:
        if args.kind == "manufacturer":
            store.add_manufacturers(args.values)
        elif args.kind == "customer-group":
            store.add_customer_groups(args.values)
        elif args.kind == "user-group":
            store.add_user_groups(args.values)
        else:
            store.add_options(args.kind, args.values)
    out.write(
        f"Registered {_count(len(args.values), 'value')} ({args.kind}) in {args.db}.\n"
    )
    return EXIT_OK


_COMMANDS = {"check": _check, "plan": _plan, "apply": _apply, "register": _register}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    out = _Output(sys.stdout)
    status = _run(args, out)
    out.flush()
    if out.lost and status == EXIT_OK:
        # The work is done, but whoever reads the output did not get all of
        # it: that is not a success to report.
        return EXIT_OUTPUT_LOST
    return status


def _run(args: argparse.Namespace, out: _Output) -> int:
    """The command's exit status; a user's mistake is one line on stderr."""
    try:
        return _COMMANDS[args.command](args, out)
    except ImportFileError as error:
        sys.stderr.write(f"handshake-import: {args.file}: {error}\n")
    except (StoreError, ApplyError) as error:
        sys.stderr.write(f"handshake-import: {error}\n")
        return EXIT_ERRORS if isinstance(error, ApplyError) else EXIT_UNUSABLE
    except (_UsageError, ValueError) as error:  # ValueError: a bad --column target
        sys.stderr.write(f"handshake-import: {error}\n")
    except (KeyboardInterrupt, EOFError):
        sys.stderr.write("\nhandshake-import: interrupted; nothing applied.\n")
    return EXIT_UNUSABLE


def console() -> None:
    """The ``handshake-import`` program: `main`, in a process of its own.

    The program owns its process, so it tunes the process for one short run,
    once, here: the cyclic garbage collector is off. A command makes its
    plan's hundreds of thousands of records at once and exits; the library
    makes no reference cycles, and reference counting frees everything
    else, so the collector would only walk those records again and again.
    (`main`, which the tests and other programs call, leaves the collector
    as it finds it, like every other call of the library.)
    """
    gc.disable()
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    console()
