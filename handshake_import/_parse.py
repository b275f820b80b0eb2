"""Cells -> typed, frozen `CustomerRow` records, one `Problem` per bad cell.

Theory of operation. The reader hands over raw text rows; `map_header` has
already said which file column feeds which template field. For each row this
module cleans only the cells of mapped columns (trim, NFC, no NULs), skips
the row when they are all blank, and runs the cell parsers of `_values` on
the columns that have rules: ``id``/``internal_id`` and ``id:<Manufacturer>``
(an id Excel rounded is refused), ``email`` (several addresses, each
checked), the custom columns; ``name`` must not be blank. Template rules
implemented here: blank ship-to (or bill-to) cells = no such address; several
emails in a cell; a cell may be at most ``Limits.max_cell_chars`` long.

A row with any error yields its problems and no record, so nothing half-read
reaches reconciliation. The loop that knows the position (this one) attaches
row, column, cell and sheet to every problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ._errors import LimitExceededError
from ._limits import Limits
from ._problems import Problem, make_problem, quote
from ._readers import RowIssue, Sheet
from ._records import Address, Customer, CustomerRow, CustomValue
from ._schema import ADDRESS_PARTS, ColumnMap, CustomColumn, MappedColumn, column_letter
from ._values import (
    CellError,
    clean,
    parse_boolean,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_emails,
    parse_id,
    parse_integer,
)

__all__ = ["parse_rows"]

_BILL = tuple(f"bill_{part}" for part in ADDRESS_PARTS)
_SHIP = tuple(f"ship_{part}" for part in ADDRESS_PARTS)
_ID_FIELDS = ("id", "internal_id")


def _custom_parser(column: CustomColumn) -> Callable[[str], CustomValue]:
    if column.type == "integer":
        return parse_integer
    if column.type == "decimal":
        return parse_decimal
    if column.type == "boolean":
        return parse_boolean
    if column.type == "date":
        dayfirst = bool(column.dayfirst)
        return lambda text: parse_date(text, dayfirst=dayfirst)
    if column.type == "choice":
        choices = column.choices
        return lambda text: parse_choice(text, choices)
    if column.type == "email-list":
        return parse_emails
    return str


def _address(values: dict[str, Any], fields: tuple[str, ...]) -> Address | None:
    get = values.get
    parts = [get(field) for field in fields]
    if not any(parts):
        return None
    return Address(
        id=parts[0],
        name=parts[1],
        street=parts[2],
        street2=parts[3],
        city=parts[4],
        state=parts[5],
        postcode=parts[6],
        country=parts[7],
        phone=parts[8],
        fax=parts[9],
    )


def parse_rows(  # noqa: PLR0915 - the per-row hot loop stays in one frame
    sheet: Sheet, columns: ColumnMap, *, limits: Limits
) -> Iterator[CustomerRow | Problem]:
    """Yield a `CustomerRow` per valid row and every problem, in file order.

    Raises `LimitExceededError` once more than ``limits.max_rows`` non-blank
    rows have been read.
    """
    sheet_name = sheet.name
    width = columns.width
    present = columns.present
    max_chars = limits.max_cell_chars
    max_rows = limits.max_rows
    reads = tuple((column.index, column.field) for column in columns.columns)
    by_field = {column.field: column for column in columns.columns}
    ids = [by_field[field] for field in _ID_FIELDS if field in by_field]
    email = by_field.get("email")
    manufacturers = [column for column in columns.columns if column.manufacturer]
    customs = [
        (column, _custom_parser(column.custom))
        for column in columns.columns
        if column.custom is not None
    ]
    name_column = by_field["name"]
    read_count = 0

    def problem_at(
        code: str, column: MappedColumn, row: int, **details: object
    ) -> Problem:
        return make_problem(
            code,
            row=row,
            column=column.header,
            cell=f"{column.letter}{row}",
            sheet=sheet_name,
            details=details,
        )

    for item in sheet.rows:
        if isinstance(item, RowIssue):
            yield make_problem(
                item.code,
                row=item.row,
                sheet=sheet_name,
                details={"limit": f"{max_chars:,}", **item.details},
            )
            continue
        row, cells = item
        count = len(cells)
        if count > width:
            extra = _first_extra(cells, width)
            if extra is not None:
                yield make_problem(
                    "too-many-cells",
                    row=row,
                    cell=f"{column_letter(extra)}{row}",
                    sheet=sheet_name,
                    count=_last_filled(cells) + 1,
                    width=width,
                    value=quote(clean(cells[extra])),
                    letter=column_letter(extra),
                )
                continue
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for index, field in reads:
            if index < count:
                raw = cells[index]
                if raw:
                    value = clean(raw)
                    if value:
                        if len(value) > max_chars:
                            problems.append(
                                problem_at(
                                    "cell-too-long",
                                    by_field[field],
                                    row,
                                    length=f"{len(value):,}",
                                    limit=f"{max_chars:,}",
                                )
                            )
                        else:
                            values[field] = value
        if not values and not problems:
            continue
        read_count += 1
        if read_count > max_rows:
            raise LimitExceededError(
                f"The file has more than {max_rows:,} rows, over the limit. Split it "
                "into smaller files.",
                limit="max_rows",
                value=max_rows,
            )

        if "name" not in values and not _has_problem_in(problems, name_column):
            problems.append(problem_at("missing-value", name_column, row, field="name"))
        for column in ids:
            text = values.get(column.field)
            if text is not None:
                try:
                    parse_id(text)
                except CellError as error:
                    problems.append(
                        problem_at(error.code, column, row, **error.details)
                    )
        if email is not None and "email" in values:
            try:
                values["email"] = parse_emails(values["email"])
            except CellError as error:
                problems.append(problem_at(error.code, email, row, **error.details))
        manufacturer_ids: dict[str, str] = {}
        for column in manufacturers:
            text = values.get(column.field)
            if text is not None:
                try:
                    manufacturer_ids[column.manufacturer] = parse_id(text)  # type: ignore[index]
                except CellError as error:
                    problems.append(
                        problem_at(error.code, column, row, **error.details)
                    )
        custom: dict[str, CustomValue] = {}
        for column, parser in customs:
            text = values.get(column.field)
            if text is None:
                if column.custom.required:  # type: ignore[union-attr]
                    problems.append(
                        problem_at("missing-value", column, row, field=column.field)
                    )
                continue
            try:
                custom[column.field] = parser(text)
            except CellError as error:
                problems.append(problem_at(error.code, column, row, **error.details))

        if problems:
            yield from problems
            continue
        get = values.get
        yield CustomerRow(
            row=row,
            sheet=sheet_name,
            present=present,
            customer=Customer(
                name=values["name"],
                id=get("id"),
                internal_id=get("internal_id"),
                contact=get("contact"),
                emails=get("email", ()),
                bill_to=_address(values, _BILL),
                ship_to=_address(values, _SHIP),
                payment_terms=get("paymentTerms"),
                shipping_method=get("shippingMethod"),
                tax_id=get("taxID"),
                customer_group=get("customerGroup"),
                user_group=get("userGroup"),
                manufacturer_ids=manufacturer_ids,
                custom=custom,
            ),
        )


def _first_extra(cells: Sequence[str], width: int) -> int | None:
    for index in range(width, len(cells)):
        if cells[index] and clean(cells[index]):
            return index
    return None


def _last_filled(cells: Sequence[str]) -> int:
    for index in range(len(cells) - 1, -1, -1):
        if cells[index] and clean(cells[index]):
            return index
    return -1


def _has_problem_in(problems: list[Problem], column: MappedColumn) -> bool:
    return any(problem.column == column.header for problem in problems)
