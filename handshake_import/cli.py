"""The ``handshake-import`` command line (also ``python -m handshake_import``).

Commands: ``check FILE`` (read only), ``plan FILE`` (reconcile against the
database), ``apply FILE`` (plan, confirm, apply), ``register`` (add
manufacturers, customer groups, user groups and options to the database)
and ``list`` (show them).

Exit status (docs/cli.md): 0 done, nothing wrong; 1 the file or plan has
errors, nothing applied; 2 usage error; 3 done, but the output could not all
be written (a closed pipe); 4 applied in part (``--partial``: the rows
without errors); 5 refused: the database changed since the plan was made;
6 the file cannot be read; 7 the database cannot be used. A user's mistake
never ends in a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import difflib
import gc
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import metadata
from typing import Any, TextIO

import cattrs

from ._api import DEFAULT_BATCH_SIZE, read_customers, reconcile
from ._apply import ApplyResult
from ._asking import batches
from ._errors import ApplyError, ImportFileError, StalePlanError, StoreError
from ._plan import (
    Action,
    CreateCustomer,
    CreateCustomerGroup,
    CreateOption,
    CreateShipTo,
    CreateUserGroup,
    Plan,
    Unchanged,
    UnchangedCustomerGroup,
    UnchangedOption,
    UnchangedShipTo,
    UpdateCustomer,
    UpdateCustomerGroup,
    UpdateOption,
    UpdateShipTo,
    unreachable,
)
from ._problems import Problem, customer_key, quote, show_value
from ._records import Address, Customer
from ._result import ReadResult
from ._schema import fold
from ._serialize import unstructure_plan
from ._store import OPTION_KEYS
from ._template import TEMPLATE_COLUMNS

__all__ = ["console", "main"]

EXIT_OK = 0
#: The file or the plan has errors; nothing was applied.
EXIT_ERRORS = 1
EXIT_USAGE = 2
#: The command did its work, but its output could not all be written (a
#: closed pipe); a status the command had for another reason wins.
EXIT_OUTPUT_LOST = 3
#: ``apply --partial`` applied the rows without errors; the others have errors.
EXIT_PARTIAL = 4
#: ``apply`` was refused: the database changed since the plan was made.
EXIT_STALE = 5
#: The file cannot be read at all (an `ImportFileError`).
EXIT_UNREADABLE = 6
#: The database cannot be used (a `StoreError`).
EXIT_DATABASE = 7

DEFAULT_DB = "handshake.db"
DB_VARIABLE = "HANDSHAKE_IMPORT_DB"
#: Past this many problems of one code, the text report shows a few and a count.
GROUP_AFTER = 10
SHOWN_PER_GROUP = 5
#: What ``register`` and ``list`` take.
KINDS = ("manufacturer", "customer-group", "user-group", *OPTION_KEYS)


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
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
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
        help=f"the SQLite database (default: ${DB_VARIABLE} or {DEFAULT_DB}); it "
        "must exist, unless --create is given",
    )
    database.add_argument(
        "--create",
        action="store_true",
        help="create the database if it does not exist",
    )

    planning = argparse.ArgumentParser(add_help=False)
    planning.add_argument(
        "--mode",
        choices=("upsert", "create-only", "update-only"),
        default="upsert",
        help="create and update (default), only create, or only update",
    )
    planning.add_argument(
        "--strict-options",
        action="store_true",
        help="an unknown paymentTerms or shippingMethod is an error, not a warning",
    )
    planning.add_argument(
        "--no-new-user-groups",
        action="store_true",
        help="an unknown userGroup is an error instead of being created",
    )
    planning.add_argument(
        "--partial",
        action="store_true",
        help="(apply) apply the rows without errors even if others have errors",
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
    register.add_argument("kind", choices=KINDS, help="what to add")
    register.add_argument("values", nargs="+", metavar="VALUE")

    listing = commands.add_parser(
        "list",
        parents=[database],
        help="show the reference data in the database",
        description="Show the manufacturers, customer groups, user groups and "
        "option values in the database (files may refer to these).",
    )
    # Checked by _list: argparse refuses no KIND at all when nargs="*" has
    # choices (Python 3.10 and 3.11).
    listing.add_argument(
        "kinds",
        nargs="*",
        metavar="KIND",
        help=f"what to show: {', '.join(KINDS)} (default: all)",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _version() -> str:
    try:
        return metadata.version("handshake-import")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        return "(not installed)"


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
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {noun}es" if noun.endswith("s") else f"{number} {noun}s"


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
    counts = "; ".join(_counts(template, actions) for template in plan.templates)
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
    suffix, noun = {
        "options": ("option", "option"),
        "customer-groups": ("customer-group", "customer group"),
        "ship-to": ("ship-to", "ship-to address"),
    }[template]
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
    elif isinstance(action, CreateShipTo):
        owner = action.internal_id or action.customer_id or ""
        out.write(
            f"{style('+', '32')}{row} add ship-to address "
            f"{_address_label(action.address)} to customer {quote(owner)}\n"
        )
    elif isinstance(action, UpdateShipTo):
        out.write(
            f"{style('~', '36')}{row} update ship-to address "
            f"{quote(action.ship_id)} of customer {quote(action.internal_id)}\n"
        )
        _print_changes(action.changes, out)
    elif isinstance(action, _UNCHANGED):
        pass
    else:
        unreachable(action)


def _address_label(address: Address) -> str:
    text = ", ".join(p for p in (address.name, address.street, address.city) if p)
    label = quote(text or "(blank)")
    return f"{quote(address.id)} ({label})" if address.id else label


def _write_json(document: Any, out: _Output) -> None:
    # Escaped to ASCII when the stream cannot take every character: replaced
    # characters would change the data, escapes keep it exact.
    out.write(json.dumps(document, ensure_ascii=not out.unicode, indent=2) + "\n")


# -- progress -------------------------------------------------------------------


class _ProgressBar:
    """How far reading (or applying) has got, on stderr, only when stderr is
    a terminal: a percentage where the total is known, else a count of
    rows."""

    def __init__(self, doing: str = "read") -> None:
        self.enabled = sys.stderr.isatty()
        self.shown = False
        self.doing = doing

    def __call__(self, done: int, total: int | None) -> None:
        if self.enabled:
            if total:
                sys.stderr.write(f"\r{100 * done // total}% {self.doing}")
            else:
                sys.stderr.write(f"\r{done:,} rows {self.doing}")
            sys.stderr.flush()
            self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


# -- commands ---------------------------------------------------------------------


@contextmanager
def _store(args: argparse.Namespace) -> Iterator[Any]:
    from .adapters.sqlite import SQLiteStore  # noqa: PLC0415 - only for these commands

    path = args.db
    if not args.create and not os.path.exists(path):
        raise _UsageError(
            f"The database {path!r} does not exist; pass --create to make a new "
            f"one (or check --db and ${DB_VARIABLE})."
        )
    store = SQLiteStore(path)
    try:
        yield store
    finally:
        store.close()


_FOLDED_COLUMNS = {fold(column): column for column in TEMPLATE_COLUMNS}


def _columns(args: argparse.Namespace) -> dict[str, str]:
    """The ``--column`` aliases, each checked: a target that is not a
    template column is a usage error with a suggestion."""
    for header, column in args.column:
        if fold(column) in _FOLDED_COLUMNS or column.casefold().startswith("id:"):
            continue
        close = difflib.get_close_matches(
            fold(column), list(_FOLDED_COLUMNS), n=1, cutoff=0.6
        )
        hint = (
            f"; did you mean {quote(_FOLDED_COLUMNS[close[0]])}?"
            if close
            else ". The template's columns are "
            + ", ".join(TEMPLATE_COLUMNS)
            + ", and id:<Manufacturer>."
        )
        raise _UsageError(
            f"--column {quote(f'{header}={column}')}: {quote(column)} is not a "
            f"template column{hint}"
        )
    return dict(args.column)


def _check(args: argparse.Namespace, out: _Output) -> int:
    result = read_customers(args.file, sheet=args.sheet, columns=_columns(args))
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
            columns=_columns(args),
            mode=args.mode,
            progress=bar,
            strict_options=args.strict_options,
            create_user_groups=not args.no_new_user_groups,
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
    if args.partial:
        raise _UsageError(
            "plan writes nothing, and shows every row either way: --partial is "
            "for apply (which then applies the rows without errors)."
        )
    with _store(args) as store:
        plan = _make_plan(args, store)
        _show_plan(args, plan, store, out)
    return EXIT_OK if plan.ok else EXIT_ERRORS


def _apply(args: argparse.Namespace, out: _Output) -> int:
    if not args.yes and not sys.stdin.isatty():
        raise _UsageError(
            "apply asks for confirmation, but standard input is not a terminal; "
            "pass --yes to apply without asking."
        )
    # With --json, standard output is the one JSON document; the sentences
    # for a person go to standard error.
    say = _Output(sys.stderr) if args.json else out
    with _store(args) as store:
        plan = _make_plan(args, store)
        if not args.json:
            _show_plan(args, plan, store, out)
        status, outcome, message, done = _carry_out(args, plan, store, out)
    say.write(message + "\n")
    if args.json:
        _write_json(
            {
                "file": args.file,
                "outcome": outcome,
                "message": message,
                "plan": unstructure_plan(plan),
                "result": None if done is None else _result_json(done),
            },
            out,
        )
    return status


def _carry_out(
    args: argparse.Namespace, plan: Plan, store: Any, out: _Output
) -> tuple[int, str, str, ApplyResult | None]:
    """Apply *plan* unless it is refused or declined: the exit status, the
    outcome's name, a sentence for the user, and what apply did."""
    if not plan.ok and not args.partial:
        return (
            EXIT_ERRORS,
            "refused",
            "Nothing applied: the plan has errors (see --partial).",
            None,
        )
    in_part = EXIT_OK if plan.ok else EXIT_PARTIAL
    if all(isinstance(a, _UNCHANGED) for a in plan.actions):
        return in_part, "nothing-to-do", "Nothing to do.", None
    if not args.yes:
        out.flush()
        sys.stderr.write("Apply this plan? [y/N] ")
        sys.stderr.flush()
        answer = sys.stdin.readline()
        if not answer:
            raise EOFError
        if answer.strip().casefold() not in ("y", "yes"):
            return EXIT_OK, "declined", "Nothing applied.", None
    bar = _ProgressBar("applied")
    try:
        done = store.apply(plan, partial=args.partial, progress=bar)
    except StalePlanError as error:
        return EXIT_STALE, "stale", f"Nothing applied: {error}", None
    finally:
        bar.finish()
    message = _applied(plan, done)
    if in_part == EXIT_PARTIAL:
        message += " The rows with errors were left out."
    return in_part, "applied-in-part" if in_part else "applied", message, done


_UNCHANGED = (Unchanged, UnchangedOption, UnchangedCustomerGroup, UnchangedShipTo)


def _applied(plan: Plan, done: ApplyResult) -> str:
    """What *done* did, as a sentence for the templates of *plan*."""
    parts = {
        "customers": f"{len(done.created)} created, {len(done.updated)} updated, "
        f"{_count(len(done.user_groups), 'user group')} created",
        "options": f"{_count(len(done.options), 'option')} added or changed",
        "customer-groups": f"{_count(len(done.customer_groups), 'customer group')} "
        "added or changed",
        "ship-to": f"{_count(len(done.ship_to), 'ship-to address')} added or changed",
    }
    return f"Applied: {'; '.join(parts[name] for name in plan.templates)}."


def _result_json(done: ApplyResult) -> dict[str, Any]:
    return {
        "created": [
            {"row": row, "internal_id": internal_id}
            for row, internal_id in done.created
        ],
        "updated": list(done.updated),
        "user_groups": list(done.user_groups),
        "unchanged": list(done.unchanged),
        "options": [{"key": key, "value": value} for key, value in done.options],
        "customer_groups": list(done.customer_groups),
        "ship_to": [
            {"row": row, "internal_id": internal_id}
            for row, internal_id in done.ship_to
        ],
    }


def _register(args: argparse.Namespace, out: _Output) -> int:
    values = [value.strip() for value in args.values]
    if not all(values):
        raise _UsageError(
            "register: a value is blank; give each value as text, such as 'Net 30'."
        )
    with _store(args) as store:
        have = {value.casefold(): value for value in _values(store, args.kind)}
        new: list[str] = []
        already: list[tuple[str, str]] = []
        for value in values:
            known = have.get(value.casefold())
            if known is None:
                have[value.casefold()] = value
                new.append(value)
            else:
                already.append((value, known))
        adding = {
            "manufacturer": store.add_manufacturers,
            "customer-group": store.add_customer_groups,
            "user-group": store.add_user_groups,
        }.get(args.kind)
        added = adding(new) if adding is not None else store.add_options(args.kind, new)
    if added:
        shown = ", ".join(quote(value) for value in added[:5])
        more = f" and {len(added) - 5} more" if len(added) > 5 else ""
        out.write(
            f"Added {_count(len(added), 'value')} to {args.kind} in {args.db}: "
            f"{shown}{more}.\n"
        )
    else:
        out.write(f"Nothing added to {args.kind} in {args.db}.\n")
    for value, known in already:
        same = "" if value == known else f" (as {quote(known)})"
        out.write(f"Already there: {quote(value)}{same}.\n")
    return EXIT_OK


def _values(store: Any, kind: str) -> list[str]:
    """The values of *kind* (one of `KINDS`) in *store*."""
    if kind == "manufacturer":
        return list(store.manufacturers())
    if kind == "customer-group":
        return [group.id for group in store.customer_groups()]
    if kind == "user-group":
        return list(store.user_groups())
    return [option.value for option in store.options() if option.key == kind]


def _list(args: argparse.Namespace, out: _Output) -> int:
    unknown = [kind for kind in args.kinds if kind not in KINDS]
    if unknown:
        raise _UsageError(
            f"list: {quote(unknown[0])} is not a kind of reference data; use "
            f"{', '.join(KINDS)}."
        )
    kinds = list(dict.fromkeys(args.kinds)) or list(KINDS)
    with _store(args) as store:
        found = {kind: _values(store, kind) for kind in kinds}
    if args.json:
        _write_json(found, out)
        return EXIT_OK
    for kind, values in found.items():
        out.write(f"{kind} ({len(values)})\n")
        for value in values:
            out.write(f"  {_printable(value)}\n")
    return EXIT_OK


def _printable(text: str) -> str:
    """*text* with its control characters escaped (no terminal escapes)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


_COMMANDS = {
    "check": _check,
    "plan": _plan,
    "apply": _apply,
    "register": _register,
    "list": _list,
}


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
        return EXIT_UNREADABLE
    except StoreError as error:
        sys.stderr.write(f"handshake-import: {error}\n")
        return EXIT_DATABASE
    except ApplyError as error:  # a plan with errors, refused by the store
        sys.stderr.write(f"handshake-import: {error}\n")
        return EXIT_ERRORS
    except (_UsageError, ValueError) as error:  # ValueError: a bad --column target
        sys.stderr.write(f"handshake-import: {error}\n")
    except (KeyboardInterrupt, EOFError):
        sys.stderr.write("\nhandshake-import: interrupted; nothing applied.\n")
    return EXIT_USAGE


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
