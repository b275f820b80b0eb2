"""The public entry points: the thin driver over readers, parser, store and
planner.

`read_customers` and `iter_customers` read: the reader (`_readers`) hands
over the header first, `map_header` (`_schema`) says which column is which
field, and `parse_rows` (`_parse`) turns each row into its values or its
problems. `reconcile` reads the same way (`_reading`: one sheet, or
every sheet of a workbook, each for the template its header is written
for), then plans each table (`_planning`: the store asked by `_asking`,
its only caller; the template's pure planner: `_reconcile` for customers,
`_shipto`, `_lists`), a workbook's tables as one plan. Nothing here holds
a rule of a template.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from ._actions import Mode
from ._limits import Limits
from ._options import ReadOptions, planning_settings, read_options
from ._parse import header_problem, parse_rows
from ._plan import Plan
from ._planning import plan_table, plan_tables
from ._problems import Problem, make_problem
from ._readers import Source, open_sheet
from ._reading import Meter, Progress, read_table, read_tables
from ._records import CustomerRow
from ._result import ReadResult, customer_row, rows_read, table_of
from ._schema import ColumnMap, Schema, map_header
from ._store import CustomerStore
from ._template import CUSTOMERS, TEMPLATES, Template, TemplateName

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Progress",
    "iter_customers",
    "read_customers",
    "reconcile",
]

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
    return read_table(source, options, None, CUSTOMERS).read_result()


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
    strict_options: bool = False,
    create_user_groups: bool = True,
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
        strict_options: an unknown ``paymentTerms`` or ``shippingMethod``
            value is an error on its row (``option-not-found``); by default
            it is kept, with an ``unknown-option`` warning.
        create_user_groups: an unknown ``userGroup`` is created (the
            default); ``False`` makes it an error on its row
            (``unknown-user-group``).
        progress: called with ``(done, total)`` while the file is read:
            first with ``done=0`` where the total is known, then every
            1,000 rows, and once at the end with ``done == total``. For a
            CSV, TSV or XLSX file they are bytes read of the file's size; for
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
        mode,
        batch_size,
        max_errors,
        mass_change_share,
        mass_change_minimum,
        strict_options=strict_options,
        create_user_groups=create_user_groups,
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
        tables, meter = [table_of(source)], None
        notes: list[Problem] = []
    else:
        options = read_options(
            source, sheet=sheet, columns=columns, schema=schema, limits=limits
        )
        meter = Meter()
        if sheet is None and template is None:
            tables, notes = read_tables(source, options, progress, meter)
        else:
            tables = [read_table(source, options, progress, _template(template), meter)]
            notes = []
    if len(tables) == 1 and not notes:
        plan = plan_table(tables[0], store, settings, batch_size)
    else:
        plan = plan_tables(tables, notes, store, settings, batch_size)
    if progress is not None:
        if meter is not None and meter.position is not None and meter.total:
            progress(meter.total, meter.total)
        else:
            read = sum(map(rows_read, tables))
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
