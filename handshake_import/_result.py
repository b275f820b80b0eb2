"""`ReadResult`: what reading a file produced, and where its columns are."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import attrs

from ._build import positional
from ._parse import ParsedRows
from ._problems import Problem
from ._records import CustomerRow
from ._template import (
    CUSTOMER_FIELDS,
    CUSTOMERS,
    NO_EXTRAS,
    TEMPLATE_COLUMNS,
    Extra,
    Extras,
    Template,
    Values,
    customer_of_row,
    values_of,
)

__all__ = [
    "Column",
    "ReadResult",
    "Rows",
    "Table",
    "customer_row",
    "rows_read",
    "table_of",
]

_build_row = positional(CustomerRow)


@attrs.frozen(kw_only=True)
class Column:
    """A column of the file that feeds a template field.

    Attributes:
        field: the template column (``"bill_city"``), ``"id:<Manufacturer>"``
            or a custom column's name.
        header: the header text as written in the file.
        letter: the spreadsheet column letter (``"C"``).
    """

    field: str
    header: str
    letter: str


class Rows(Sequence[CustomerRow]):
    """The rows of a file, read: a read-only sequence of `CustomerRow`.

    It holds each row's values, not its records: a `CustomerRow` is built
    each time one is taken from it (so ``rows[0] == rows[0]``, but they are
    two objects). A file's rows then cost a fraction of the memory of their
    records, and a caller that goes through them once never holds more
    than the row at hand.
    """

    __slots__ = ("_extras", "_parsed", "_present", "_sheet")

    def __init__(
        self,
        parsed: ParsedRows,
        *,
        sheet: str | None = None,
        present: frozenset[str] = frozenset(),
        extras: Extras = NO_EXTRAS,
    ) -> None:
        self._parsed = parsed
        self._sheet = sheet
        self._present = present
        self._extras = extras

    @property
    def parsed(self) -> ParsedRows:
        """The rows' numbers and values (see `_template`)."""
        return self._parsed

    @property
    def extras(self) -> Extras:
        """Where the file's extra columns are in the values."""
        return self._extras

    @property
    def present(self) -> frozenset[str]:
        """The fields the file has."""
        return self._present

    def _row(self, number: int, values: Values) -> CustomerRow:
        return customer_row(number, values, self._sheet, self._present, self._extras)

    def __len__(self) -> int:
        return len(self._parsed)

    @overload
    def __getitem__(self, index: int) -> CustomerRow: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[CustomerRow]: ...

    def __getitem__(self, index: int | slice) -> CustomerRow | Sequence[CustomerRow]:
        numbers, values = self._parsed.numbers, self._parsed.values
        if isinstance(index, slice):
            return Rows(
                ParsedRows(zip(numbers[index], values[index], strict=True)),
                sheet=self._sheet,
                present=self._present,
                extras=self._extras,
            )
        return self._row(numbers[index], values[index])

    def __iter__(self) -> Iterator[CustomerRow]:
        return map(self._row, self._parsed.numbers, self._parsed.values)

    def _key(self) -> tuple[object, ...]:
        parsed = self._parsed
        return (
            tuple(parsed.numbers),
            tuple(parsed.values),
            self._sheet,
            self._present,
            self._extras,
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Rows):
            return self._key() == other._key()
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes)):
            return len(self) == len(other) and all(map(_equal, self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"<Rows: {len(self)} rows>"


def customer_row(
    number: int,
    values: Values,
    sheet: str | None,
    present: frozenset[str],
    extras: Extras,
) -> CustomerRow:
    """The `CustomerRow` of a row read: its number and values."""
    return _build_row(number, sheet, customer_of_row(values, extras), present)


def _equal(left: object, right: object) -> bool:
    return left == right


def _rows(value: Sequence[CustomerRow]) -> Sequence[CustomerRow]:
    return value if isinstance(value, Rows) else tuple(value)


@attrs.frozen(kw_only=True)
class ReadResult:
    """What `read_customers` read: the valid rows and every problem.

    Attributes:
        rows: one `CustomerRow` per row without errors, in file order (a
            `Rows` sequence: each record is built as it is taken).
        problems: header, row and cell problems, in file order.
        columns: the file's columns that feed template fields.
        header_row: the row number of the header (``None`` without one).
        sheet: the worksheet read (``None`` for CSV/TSV).
    """

    rows: Sequence[CustomerRow] = attrs.field(converter=_rows)
    problems: tuple[Problem, ...]
    columns: tuple[Column, ...] = ()
    header_row: int | None = None
    sheet: str | None = None

    @property
    def ok(self) -> bool:
        """True when no problem is an error (warnings allowed)."""
        return not any(problem.is_error for problem in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of severity ``"error"``."""
        return tuple(problem for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems of severity ``"warning"``."""
        return tuple(problem for problem in self.problems if not problem.is_error)


@attrs.frozen(kw_only=True)
class Table:
    """A file read for a template: its rows' values and every problem, and
    where its columns are (the internal form of a `ReadResult`, for any
    template)."""

    template: Template
    parsed: ParsedRows
    present: frozenset[str]
    extras: Extras
    problems: tuple[Problem, ...]
    columns: tuple[Column, ...] = ()
    header_row: int | None = None
    sheet: str | None = None

    def read_result(self) -> ReadResult:
        """The `ReadResult` of a customer file."""
        return ReadResult(
            rows=Rows(
                self.parsed, sheet=self.sheet, present=self.present, extras=self.extras
            ),
            problems=self.problems,
            columns=self.columns,
            header_row=self.header_row,
            sheet=self.sheet,
        )


def table_of(result: ReadResult) -> Table:
    """The `Table` of a customer file read (a `ReadResult`, possibly made by
    hand of records)."""
    parsed, present, extras = _parsed_rows_of(result)
    return Table(
        template=CUSTOMERS,
        parsed=parsed,
        present=present,
        extras=extras,
        problems=result.problems,
        columns=result.columns,
        header_row=result.header_row,
        sheet=result.sheet,
    )


def _parsed_rows_of(
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


def rows_read(table: Table) -> int:
    """How many rows the file has after its header, with or without errors."""
    last = max(
        [*table.parsed.numbers, *(p.row for p in table.problems if p.row is not None)],
        default=table.header_row or 0,
    )
    return last - (table.header_row or 1)
