"""The public entry points: the thin driver over readers, parser, store and
planner.

`read_customers` and `iter_customers` read: the reader (`_readers`) hands
over the header first, `map_header` (`_schema`) says which column is which
field, and `parse_rows` (`_parse`) turns each row into its values or its
problems. `reconcile` reads the same way, then finds the rows' keys
(`_lookups`), asks the store about them (`_asking`, the only caller of the
store) and plans (`_reconcile`, pure stages). Nothing here holds a rule of
the template.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized
from typing import IO

import attrs

from ._actions import Mode, Settings
from ._asking import ask, ask_ship_to, stored_customer_groups, stored_options
from ._finish import finish_list
from ._limits import Limits
from ._lists import LISTS, plan_list
from ._lookups import keys_of
from ._names import NameForms
from ._options import ReadOptions, planning_settings, read_options
from ._parse import ParsedRow, ParsedRows, header_problem, parse_rows
from ._placement import Placement
from ._plan import Plan
from ._problems import Problem, make_problem
from ._readers import Source, open_sheet
from ._reconcile import plan_rows
from ._records import CustomerRow
from ._result import (
    Column,
    ReadResult,
    Table,
    customer_row,
    rows_read,
    table_of,
)
from ._schema import ColumnMap, Schema, detect_template, map_header
from ._shipto import plan_ship_to
from ._store import CustomerStore
from ._template import (
    CUSTOMERS,
    NO_EXTRAS,
    OPTIONS,
    SHIP_TO,
    TEMPLATES,
    Template,
    TemplateName,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Progress",
    "iter_customers",
    "read_customers",
    "reconcile",
]

#: What `reconcile` calls with (done, total): bytes read of the file's size
#: for a CSV or TSV file, rows read of the number of rows for mappings given
#: as a sequence, rows read and ``None`` otherwise (docs/reconcile.md).
Progress = Callable[[int, int | None], None]

_PROGRESS_EVERY = 1_000
#: Keys per store call, unless the caller says otherwise.
DEFAULT_BATCH_SIZE = 1_000


def _column_map(
    table_header: Sequence[str],
    header_row: int,
    sheet: str | None,
    options: ReadOptions,
) -> ColumnMap:
    return map_header(
        table_header,
        header_row=header_row,
        sheet=sheet,
        schema=options.schema,
        aliases=options.columns,
    )


def iter_customers(
    source: Source,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    schema: Schema | None = None,
    limits: Limits | None = None,
) -> Iterator[CustomerRow | Problem]:
    """Stream a customer file: yield each `CustomerRow` and `Problem` as read.

    Holds one row at a time, for files too big to keep in memory. Arguments
    are those of `read_customers`. The file is opened on the first ``next()``
    and closed when the iteration ends (or the iterator is closed), so
    `ImportFileError` is raised from the iteration, not from this call.
    """
    options = read_options(
        source, sheet=sheet, columns=columns, schema=schema, limits=limits
    )
    return _iterate(source, options)


def _iterate(source: Source, options: ReadOptions) -> Iterator[CustomerRow | Problem]:
    with open_sheet(source, sheet=options.sheet, limits=options.limits) as table:
        if table is None:
            yield make_problem("no-header")
            return
        yield from table.notices
        if table.header_issue is not None:
            yield header_problem(table, table.header_issue, limits=options.limits)
            return
        column_map = _column_map(table.header, table.header_row, table.name, options)
        yield from column_map.problems
        if not column_map.ok:
            return
        name, present, extras = table.name, column_map.present, column_map.extras
        for item in parse_rows(table, column_map, limits=options.limits):
            if type(item) is tuple:
                yield customer_row(item[0], item[1], name, present, extras)
            else:
                yield item  # type: ignore[misc]


def read_customers(
    source: Source,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    schema: Schema | None = None,
    limits: Limits | None = None,
) -> ReadResult:
    """Read and validate a customer file (CSV, TSV, XLSX, XLSM or XLS).

    Args:
        source: a path, the file's bytes, or a binary file object. The format
            is detected from the bytes, not from the name.
        sheet: the worksheet to read; default: the first visible one.
        columns: aliases for headers a CRM writes differently,
            ``{"Customer Name": "name", "E-mail": "email"}``.
        schema: the template extended with custom typed columns.
        limits: caps on rows, columns, cell length and bytes.

    Returns:
        The valid rows and every problem. Trouble in a row or cell is a
        `Problem` in the result, never an exception.

    Raises:
        ImportFileError: the file cannot be read at all (not a spreadsheet,
            damaged, password-protected, over a limit); its message says what
            the file is and what to do.
    """
    options = read_options(
        source, sheet=sheet, columns=columns, schema=schema, limits=limits
    )
    return _read(source, options, None, CUSTOMERS).read_result()


@attrs.define
class _Meter:
    """How far reading has got, in the unit the file allows: bytes of a
    text file (`position` is its stream's), else rows."""

    total: int | None = None
    position: Callable[[], int] | None = None

    def watch(self, stream: IO[bytes]) -> None:
        """Measure by *stream*, the file being read (its size is known)."""
        here = stream.tell()
        self.total = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        self.position = stream.tell

    def done(self, rows: int) -> int:
        """How far reading has got, *rows* rows read."""
        if self.position is None:
            return rows
        return min(self.position(), self.total or 0)


def _read(
    source: Source,
    options: ReadOptions,
    progress: Progress | None,
    template: Template | None,
    meter: _Meter | None = None,
) -> Table:
    """Read *source* for *template*, or for the template its header is
    written for."""
    watch = meter.watch if meter is not None else None
    with open_sheet(
        source, sheet=options.sheet, limits=options.limits, watch=watch
    ) as table:
        if table is None:
            return Table(
                template=template or CUSTOMERS,
                parsed=ParsedRows(),
                present=frozenset(),
                extras=NO_EXTRAS,
                problems=(make_problem("no-header"),),
            )
        if table.header_issue is not None:
            problem = header_problem(table, table.header_issue, limits=options.limits)
            return Table(
                template=template or CUSTOMERS,
                parsed=ParsedRows(),
                present=frozenset(),
                extras=NO_EXTRAS,
                problems=(*table.notices, problem),
                header_row=table.header_row,
                sheet=table.name,
            )
        if template is None:
            template = detect_template(table.header, options.columns)
        column_map = map_header(
            table.header,
            header_row=table.header_row,
            sheet=table.name,
            schema=options.schema,
            aliases=options.columns,
            template=template,
        )
        problems: list[Problem] = [*table.notices, *column_map.problems]
        rows = ParsedRows()
        if column_map.ok:
            items = parse_rows(table, column_map, limits=options.limits)
            if progress is None:
                add_number, add_values = rows.numbers.append, rows.values.append
                for item in items:
                    if type(item) is tuple:
                        add_number(item[0])
                        add_values(item[1])
                    else:
                        problems.append(item)  # type: ignore[arg-type]
            else:
                assert meter is not None
                if table.format not in ("csv", "tsv"):  # else by bytes, as watched
                    meter.position = None
                    # Mappings given as a sequence: a row each.
                    sized = table.format == "records" and isinstance(source, Sized)
                    meter.total = len(source) if sized else None  # type: ignore[arg-type]
                if meter.total is not None:
                    progress(0, meter.total)
                _read_telling(
                    items,
                    rows,
                    problems,
                    table.header_row,
                    progress=progress,
                    meter=meter,
                )
        return Table(
            template=template,
            parsed=rows,
            present=column_map.present,
            extras=column_map.extras,
            problems=tuple(problems),
            columns=tuple(
                Column(field=c.field, header=c.header, letter=c.letter)
                for c in column_map.columns
            ),
            header_row=table.header_row,
            sheet=table.name,
        )


def _read_telling(
    items: Iterator[ParsedRow | Problem],
    rows: ParsedRows,
    problems: list[Problem],
    header_row: int,
    *,
    progress: Progress,
    meter: _Meter,
) -> None:
    """Read *items* into *rows* and *problems*, telling *progress* how far
    reading has got (see `_Meter`) every thousand rows read, with or
    without errors."""
    told = 0
    for item in items:
        if type(item) is tuple:
            number = item[0]
            rows.append(number, item[1])
        else:
            problems.append(item)  # type: ignore[arg-type]
            if item.row is None:  # type: ignore[union-attr]
                continue
            number = item.row  # type: ignore[union-attr]
        done = number - header_row
        if done >= told + _PROGRESS_EVERY:
            told = done - done % _PROGRESS_EVERY
            progress(meter.done(told), meter.total)


def reconcile(
    source: Source | ReadResult,
    store: CustomerStore,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    schema: Schema | None = None,
    limits: Limits | None = None,
    mode: Mode = "upsert",
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_errors: int | None = None,
    mass_change_share: float = 0.5,
    mass_change_minimum: int = 20,
    progress: Progress | None = None,
    template: TemplateName | None = None,
) -> Plan:
    """Read a file of one of the bulk-import templates and plan what
    importing it into *store* would do.

    Args:
        source: a path, the file's bytes, a binary file object, a
            `ReadResult` already read, or an iterable of ``{header: value}``
            mappings.
        store: the host app's storage, through the `CustomerStore` protocol;
            it is only read, in bulk calls of at most *batch_size* keys.
        template: ``"customers"``, ``"ship-to"``, ``"options"`` or
            ``"customer-groups"``;
            default: the one the file's header is written for (see
            docs/reconcile.md).
        sheet, columns, schema, limits: as for `read_customers`; they apply
            to reading, so they cannot be given with a `ReadResult`.
        mode: ``"upsert"`` (default), ``"create-only"`` (a row matching an
            existing customer is an error) or ``"update-only"`` (a row
            matching none is an error).
        batch_size: keys per store call.
        max_errors: stop collecting after this many errors (the plan says
            so); default: no limit.
        mass_change_share, mass_change_minimum: warn when an import changes
            one field for more than this share of the store's customers and
            for at least this many of them (default: half, and 20).
        progress: called with ``(done, total)`` while the file is read:
            first with ``done=0`` where the total is known, then every
            1,000 rows, and once at the end with ``done == total``. For a
            CSV or TSV file they are bytes read of the file's size; for
            mappings given as a sequence, rows of its length; otherwise
            rows read and ``None`` until the end.

    Returns:
        The `Plan`: actions in file order and every problem. Nothing is
        written; apply the plan with the store's ``apply``.

    Raises:
        ImportFileError: the file cannot be read at all.
        StoreError: the store failed, or answered what a `CustomerStore`
            never answers.
    """
    settings = planning_settings(
        mode, batch_size, max_errors, mass_change_share, mass_change_minimum
    )
    if isinstance(source, ReadResult):
        given = [
            name
            for name, value in (
                ("sheet", sheet),
                ("columns", columns),
                ("schema", schema),
                ("limits", limits),
            )
            if value is not None
        ]
        if given:
            raise TypeError(
                f"{', '.join(given)} cannot be given with a ReadResult: they "
                "apply to reading a file, which was read already; pass them "
                "to read_customers"
            )
        if template not in (None, CUSTOMERS.name):
            raise TypeError(
                "a ReadResult is a customer file read; template must be "
                f"'customers' or None with it, not {template!r}"
            )
        table = table_of(source)
        meter = None
    else:
        options = read_options(
            source, sheet=sheet, columns=columns, schema=schema, limits=limits
        )
        meter = _Meter()
        table = _read(source, options, progress, _template(template), meter)
    if table.template is CUSTOMERS:
        plan = _plan_customers(table, store, settings, batch_size)
    elif table.template is SHIP_TO:
        plan = _plan_ship_to(table, store, settings, batch_size)
    else:
        plan = _plan_list(table, store, settings)
    if progress is not None:
        if meter is not None and meter.position is not None and meter.total:
            progress(meter.total, meter.total)
        else:
            read = rows_read(table)
            progress(read, read)
    return plan


def _template(name: object) -> Template | None:
    if name is None:
        return None
    if not isinstance(name, str) or name not in TEMPLATES:
        raise ValueError(
            f"template must be one of {', '.join(map(repr, TEMPLATES))} or None "
            f"(found from the header), not {name!r}"
        )
    return TEMPLATES[name]


def _plan_customers(
    table: Table, store: CustomerStore, settings: Settings, batch_size: int
) -> Plan:
    rows = table.parsed
    names = NameForms()
    keys = keys_of(rows)
    answers = ask(store, keys, rows, names, batch_size)
    return plan_rows(
        rows,
        present=table.present,
        extras=table.extras,
        columns=table.columns,
        header_row=table.header_row,
        sheet=table.sheet,
        read_problems=table.problems,
        keys=keys,
        answers=answers,
        names=names,
        settings=settings,
    )


def _plan_ship_to(
    table: Table, store: CustomerStore, settings: Settings, batch_size: int
) -> Plan:
    rows = list(table.parsed)
    names = NameForms()
    actions, problems = plan_ship_to(
        rows,
        present=table.present,
        answers=ask_ship_to(store, rows, names, batch_size),
        names=names,
        settings=settings,
        placement=Placement.of(table.columns, table.sheet),
    )
    return finish_list(table.template.name, actions, table.problems, problems, settings)


def _plan_list(table: Table, store: CustomerStore, settings: Settings) -> Plan:
    rules = LISTS[table.template.name]
    stored = (
        stored_options(store)
        if table.template is OPTIONS
        else stored_customer_groups(store)
    )
    placement = Placement.of(table.columns, table.sheet)
    actions, problems = plan_list(
        rules,
        table.parsed,
        present=table.present,
        stored=stored,
        settings=settings,
        placement=placement,
    )
    return finish_list(table.template.name, actions, table.problems, problems, settings)
