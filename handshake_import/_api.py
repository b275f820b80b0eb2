"""The public entry points: the thin driver over readers, schema and parser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from ._collector import collector_paused
from ._limits import Limits
from ._lookups import (
    Lookups,
    NameForms,
    StoreAnswers,
    ids_to_ask,
    lookups,
    name_keys_needed,
)
from ._parse import parse_rows
from ._plan import Plan
from ._problems import Problem, make_problem
from ._readers import Sheet, Source, open_sheet
from ._reconcile import Mode, Settings, build_plan
from ._records import Customer, CustomerRow
from ._result import Column, ReadResult
from ._schema import ColumnMap, Schema, map_header
from ._store import OPTION_KEYS, CustomerStore

__all__ = ["Progress", "iter_customers", "read_customers", "reconcile"]

#: What `reconcile` calls with (rows read so far, total rows if known).
Progress = Callable[[int, int | None], None]

_PROGRESS_EVERY = 1_000
#: Keys per store call, unless the caller says otherwise.
DEFAULT_BATCH_SIZE = 1_000


def _check_options(
    source: object,
    columns: object,
    schema: Schema | None,
    limits: Limits | None,
    sheet: str | None,
) -> tuple[Schema, Limits]:
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
    return schema or Schema(), limits or Limits()


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
    schema, limits = _check_options(source, columns, schema, limits, sheet)
    return _iterate(source, sheet=sheet, columns=columns, schema=schema, limits=limits)


def _iterate(
    source: Source,
    *,
    sheet: str | None,
    columns: Mapping[str, str] | None,
    schema: Schema,
    limits: Limits,
    on_header: Callable[[Sheet, ColumnMap], None] | None = None,
) -> Iterator[CustomerRow | Problem]:
    with open_sheet(source, sheet=sheet, limits=limits) as table:
        if table is None:
            yield make_problem("no-header")
            return
        yield from table.notices
        column_map = map_header(
            table.header,
            header_row=table.header_row,
            sheet=table.name,
            schema=schema,
            aliases=columns,
        )
        if on_header is not None:
            on_header(table, column_map)
        yield from column_map.problems
        if column_map.ok:
            yield from parse_rows(table, column_map, limits=limits)


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
    return _read(
        source,
        sheet=sheet,
        columns=columns,
        schema=schema,
        limits=limits,
        progress=None,
    )


def _read(
    source: Source,
    *,
    sheet: str | None,
    columns: Mapping[str, str] | None,
    schema: Schema | None,
    limits: Limits | None,
    progress: Progress | None,
) -> ReadResult:
    schema, limits = _check_options(source, columns, schema, limits, sheet)
    rows: list[CustomerRow] = []
    problems: list[Problem] = []
    header: dict[str, object] = {}
    formats: list[str] = []

    def on_header(table: Sheet, column_map: ColumnMap) -> None:
        formats.append(table.format)
        header["header_row"] = table.header_row
        header["sheet"] = table.name
        header["columns"] = tuple(
            Column(field=c.field, header=c.header, letter=c.letter)
            for c in column_map.columns
        )

    items = _iterate(
        source,
        sheet=sheet,
        columns=columns,
        schema=schema,
        limits=limits,
        on_header=on_header,
    )
    reported = 0
    with collector_paused() as pause:
        for item in items:
            if type(item) is CustomerRow:
                rows.append(item)
            else:
                problems.append(item)  # type: ignore[arg-type]
            if progress is not None and item.row is not None:
                # Rows read so far, with or without errors (header excluded).
                done = item.row - header.get("header_row", 1)  # type: ignore[operator]
                if done >= reported + _PROGRESS_EVERY:
                    reported = done - done % _PROGRESS_EVERY
                    progress(reported, None)
        result = ReadResult(rows=tuple(rows), problems=tuple(problems), **header)  # type: ignore[arg-type]
        # The text reader is the library's own code, and so is everything
        # the loop ran (no progress callback); workbook readers and the
        # caller's rows or callback are other code.
        pause.only_our_objects = progress is None and formats in (["csv"], ["tsv"])
    return result


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
        sheet, columns, schema, limits: as for `read_customers`.
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
    """
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
    if isinstance(source, ReadResult):
        result = source
    else:
        result = _read(
            source,
            sheet=sheet,
            columns=columns,
            schema=schema,
            limits=limits,
            progress=progress,
        )
    rows = result.rows
    with collector_paused() as pause:
        keys = lookups(rows)
        names = NameForms()
        pause.only_our_objects = True
    with collector_paused():
        # The store's code: what it makes is walked once, at the end.
        answers = _ask_store(store, keys, names, batch_size)
    with collector_paused() as pause:
        plan = build_plan(
            rows,
            keys=keys,
            names=names,
            read_problems=result.problems,
            columns=result.columns,
            header_row=result.header_row,
            answers=answers,
            settings=Settings(
                mode=mode,
                max_errors=max_errors,
                mass_change_share=mass_change_share,
                mass_change_minimum=mass_change_minimum,
            ),
        )
        pause.only_our_objects = True
    if progress is not None:
        read = _rows_read(result)
        progress(read, read)
    return plan


def _check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, not {value!r}")


def _rows_read(result: ReadResult) -> int:
    last = max(
        [row.row for row in result.rows]
        + [problem.row for problem in result.problems if problem.row is not None],
        default=result.header_row or 0,
    )
    return last - (result.header_row or 1)


def batches(keys: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def _ask_store(
    store: CustomerStore, keys: Lookups, names: NameForms, batch_size: int
) -> StoreAnswers:
    """Every store call reconciliation makes: one per batch of keys, plus a
    constant number for the reference data."""
    by_internal_id: dict[str, Customer] = {}
    for batch in batches(keys.internal_ids, batch_size):
        by_internal_id.update(store.customers_by_internal_id(batch))
    by_id, unknown_ids = ids_to_ask(keys, by_internal_id)
    for batch in batches(unknown_ids, batch_size):
        by_id.update(store.customers_by_id(batch))
    by_name_key: dict[str, Sequence[Customer]] = {}
    for batch in batches(name_keys_needed(keys, by_id, names), batch_size):
        by_name_key.update(store.customers_by_name_key(batch))
    return StoreAnswers(
        by_id=by_id,
        by_internal_id=by_internal_id,
        by_name_key=by_name_key,
        highest_generated_id=store.highest_generated_id(),
        customer_count=store.customer_count(),
        customer_groups=frozenset(store.customer_groups()),
        user_groups=tuple(store.user_groups()),
        manufacturers=tuple(store.manufacturers()),
        options={key: tuple(store.option_values(key)) for key in OPTION_KEYS},
    )
