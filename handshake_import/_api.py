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

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import attrs

from ._actions import Mode, Settings
from ._asking import ask
from ._limits import Limits
from ._lookups import keys_of
from ._names import NameForms
from ._parse import ParsedRow, ParsedRows, header_problem, parse_rows
from ._plan import Plan
from ._problems import Problem, make_problem
from ._readers import Source, open_sheet
from ._reconcile import plan_rows
from ._records import CustomerRow
from ._result import Column, ReadResult, Rows, customer_row
from ._schema import ColumnMap, Schema, map_header
from ._store import CustomerStore
from ._template import CUSTOMER_FIELDS, TEMPLATE_COLUMNS, Extra, Extras, values_of

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Progress",
    "iter_customers",
    "read_customers",
    "reconcile",
]

#: What `reconcile` calls with (rows read so far, total rows if known).
Progress = Callable[[int, int | None], None]

_PROGRESS_EVERY = 1_000
#: Keys per store call, unless the caller says otherwise.
DEFAULT_BATCH_SIZE = 1_000


@attrs.frozen
class _ReadOptions:
    """How to read a file: the options of `read_customers`, checked."""

    sheet: str | None
    columns: Mapping[str, str] | None
    schema: Schema
    limits: Limits


def _read_options(
    source: object,
    *,
    sheet: str | None,
    columns: Mapping[str, str] | None,
    schema: Schema | None,
    limits: Limits | None,
) -> _ReadOptions:
    """The options checked (`TypeError` for a wrong type), with defaults."""
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)) and (
        not hasattr(source, "read") and not isinstance(source, Iterable)
    ):
        raise TypeError(
            "source must be a path, bytes, a binary file object or an iterable "
            f"of {{header: value}} mappings, not {type(source).__name__}"
        )
    if columns is not None and not isinstance(columns, Mapping):
        raise TypeError(
            "columns must be a mapping of header text to template column, "
            f"like {{'Customer Name': 'name'}}, not {type(columns).__name__}"
        )
    if schema is not None and not isinstance(schema, Schema):
        raise TypeError(f"schema must be a Schema, not {type(schema).__name__}")
    if limits is not None and not isinstance(limits, Limits):
        raise TypeError(f"limits must be a Limits, not {type(limits).__name__}")
    if sheet is not None and not isinstance(sheet, str):
        raise TypeError(f"sheet must be a sheet name (str), not {type(sheet).__name__}")
    return _ReadOptions(sheet, columns, schema or Schema(), limits or Limits())


def _column_map(
    table_header: Sequence[str],
    header_row: int,
    sheet: str | None,
    options: _ReadOptions,
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
    options = _read_options(
        source, sheet=sheet, columns=columns, schema=schema, limits=limits
    )
    return _iterate(source, options)


def _iterate(source: Source, options: _ReadOptions) -> Iterator[CustomerRow | Problem]:
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
    options = _read_options(
        source, sheet=sheet, columns=columns, schema=schema, limits=limits
    )
    return _read(source, options, progress=None)


def _read(
    source: Source, options: _ReadOptions, progress: Progress | None
) -> ReadResult:
    with open_sheet(source, sheet=options.sheet, limits=options.limits) as table:
        if table is None:
            return ReadResult(
                rows=Rows(ParsedRows()), problems=(make_problem("no-header"),)
            )
        if table.header_issue is not None:
            problem = header_problem(table, table.header_issue, limits=options.limits)
            return ReadResult(
                rows=Rows(ParsedRows(), sheet=table.name),
                problems=(*table.notices, problem),
                header_row=table.header_row,
                sheet=table.name,
            )
        column_map = _column_map(table.header, table.header_row, table.name, options)
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
                _read_telling(items, rows, problems, table.header_row, progress)
        return ReadResult(
            rows=Rows(
                rows,
                sheet=table.name,
                present=column_map.present,
                extras=column_map.extras,
            ),
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
    progress: Progress,
) -> None:
    """Read *items* into *rows* and *problems*, telling *progress* every
    thousand rows read, with or without errors."""
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
            progress(told, None)


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
) -> Plan:
    """Read a customer file and plan what importing it into *store* would do.

    Args:
        source: a path, the file's bytes, a binary file object, a
            `ReadResult` already read, or an iterable of ``{header: value}``
            mappings.
        store: the host app's storage, through the `CustomerStore` protocol;
            it is only read, in bulk calls of at most *batch_size* keys.
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
        progress: called with (rows read, total or None) at least every
            1,000 rows, and once at the end.

    Returns:
        The `Plan`: actions in file order and every problem. Nothing is
        written; apply the plan with the store's ``apply``.

    Raises:
        ImportFileError: the file cannot be read at all.
        StoreError: the store failed, or answered what a `CustomerStore`
            never answers.
    """
    settings = _settings(
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
        result = source
    else:
        options = _read_options(
            source, sheet=sheet, columns=columns, schema=schema, limits=limits
        )
        result = _read(source, options, progress)
    rows, present, extras = _values_of(result)
    names = NameForms()
    keys = keys_of(rows)
    answers = ask(store, keys, rows, names, batch_size)
    plan = plan_rows(
        rows,
        present=present,
        extras=extras,
        columns=result.columns,
        header_row=result.header_row,
        sheet=result.sheet,
        read_problems=result.problems,
        keys=keys,
        answers=answers,
        names=names,
        settings=settings,
    )
    if progress is not None:
        read = _rows_read(result)
        progress(read, read)
    return plan


def _settings(
    mode: object,
    batch_size: object,
    max_errors: object,
    mass_change_share: object,
    mass_change_minimum: object,
) -> Settings:
    """The planning options checked (`ValueError` for a wrong one)."""
    if mode not in ("upsert", "create-only", "update-only"):
        raise ValueError(
            f"mode must be 'upsert', 'create-only' or 'update-only', not {mode!r}"
        )
    _check_positive_int("batch_size", batch_size)
    _check_positive_int("mass_change_minimum", mass_change_minimum)
    if max_errors is not None and (
        isinstance(max_errors, bool)
        or not isinstance(max_errors, int)
        or max_errors < 0
    ):
        raise ValueError(f"max_errors must be None or an int >= 0, not {max_errors!r}")
    if (
        isinstance(mass_change_share, bool)
        or not isinstance(mass_change_share, (int, float))
        or not 0 <= mass_change_share <= 1
    ):
        raise ValueError(
            f"mass_change_share must be between 0 and 1, not {mass_change_share!r}"
        )
    return Settings(
        mode=mode,
        max_errors=max_errors,
        mass_change_share=mass_change_share,
        mass_change_minimum=mass_change_minimum,  # type: ignore[arg-type]
    )


def _check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, not {value!r}")


def _values_of(
    result: ReadResult,
) -> tuple[ParsedRows, frozenset[str], Extras]:
    """The rows of *result* as values, the fields the file has, and where
    its extra columns are."""
    rows = result.rows
    if isinstance(rows, Rows):
        return rows.parsed, rows.present, rows.extras
    # A ReadResult made by hand, of records.
    present = frozenset(column.field for column in result.columns).union(
        *(row.present for row in rows)
    )
    in_order = [column.field for column in result.columns]
    in_order += sorted(present.difference(in_order))
    extra_fields = [field for field in in_order if field not in TEMPLATE_COLUMNS]
    extras = Extras(
        tuple(
            Extra(
                place=len(CUSTOMER_FIELDS) + index,
                column=field,
                key=field[3:] if field.startswith("id:") else field,
                manufacturer=field.startswith("id:"),
            )
            for index, field in enumerate(extra_fields)
        )
    )
    parsed = ParsedRows(
        (row.row, values_of(row.customer) + extras.stored(row.customer)) for row in rows
    )
    return parsed, present, extras


def _rows_read(result: ReadResult) -> int:
    """How many rows the file has after its header, with or without errors."""
    rows = result.rows
    numbers = (
        rows.parsed.numbers if isinstance(rows, Rows) else [row.row for row in rows]
    )
    last = max(
        numbers + [p.row for p in result.problems if p.row is not None],
        default=result.header_row or 0,
    )
    return last - (result.header_row or 1)
