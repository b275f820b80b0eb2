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

The loop runs once per row of files of a million rows, so it takes the cheap
road where one exists and says why: whole-row checks on the joined cells
rather than a check per cell, slices and C-level maps rather than Python
loops, and the positional record builders of `_records`, which make what
the public constructors make.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType

from ._errors import LimitExceededError
from ._limits import Limits
from ._problems import Problem, make_problem
from ._readers import RowIssue, Sheet
from ._records import (
    NO_MAPPING,
    CustomerRow,
    CustomValue,
    build_address,
    build_customer,
    build_customer_row,
)
from ._schema import ADDRESS_PARTS, ColumnMap, CustomColumn, MappedColumn, column_letter
from ._values import (
    EXCEL_ERRORS,
    NUMBER_START,
    CellError,
    clean,
    clean_keeps,
    parse_boolean,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_emails,
    parse_id,
    parse_integer,
    plain_addresses,
)

__all__ = ["parse_rows"]

_BILL = tuple(f"bill_{part}" for part in ADDRESS_PARTS)
_SHIP = tuple(f"ship_{part}" for part in ADDRESS_PARTS)
_SINGLE_FIELDS = (
    "id",
    "internal_id",
    "name",
    "contact",
    "email",
    "paymentTerms",
    "shippingMethod",
    "taxID",
    "customerGroup",
    "userGroup",
)


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


def _getter(positions: Sequence[int]) -> Callable[[Sequence[str]], Sequence[str]]:
    """A C-speed picker of *positions* that always returns a sequence."""
    if len(positions) == 1:
        (position,) = positions
        return lambda cells: (cells[position],)
    first = positions[0]
    if list(positions) == list(range(first, first + len(positions))):
        # Side by side, as in the template: one slice is cheaper than
        # picking them one by one.
        return operator.itemgetter(slice(first, first + len(positions)))
    return operator.itemgetter(*positions)


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
    mapped = columns.columns
    # The cleaned values of a row are a list aligned with `mapped`, plus one
    # blank at the end that every absent template column points at.
    slot = {column.field: position for position, column in enumerate(mapped)}
    by_index = {column.index: column for column in mapped}
    blank = len(mapped)
    pick_cells = _getter([column.index for column in mapped])
    # A file laid out like the template maps every column, in order: then a
    # row's cells are its values as they are, with nothing to pick.
    in_order = [column.index for column in mapped] == list(range(width))
    pick_bill = _getter([slot.get(field, blank) for field in _BILL])
    pick_ship = _getter([slot.get(field, blank) for field in _SHIP])
    (
        at_id,
        at_internal_id,
        at_name,
        at_contact,
        at_email,
        at_terms,
        at_shipping,
        at_tax,
        at_customer_group,
        at_user_group,
    ) = (slot.get(field, blank) for field in _SINGLE_FIELDS)
    id_checks = [
        slot[column.field]
        for column in mapped
        if column.kind in ("id", "manufacturer-id")
    ]
    manufacturers = [
        (slot[column.field], column.manufacturer)
        for column in mapped
        if column.manufacturer
    ]
    # Most files have one manufacturer column at most: with one, a row's id
    # is read without a loop or a comprehension (a function call).
    only_manufacturer = manufacturers[0] if len(manufacturers) == 1 else None
    customs = [
        (slot[column.field], column, column.custom, _custom_parser(column.custom))
        for column in mapped
        if column.custom is not None
    ]
    email_column = mapped[at_email] if at_email != blank else None
    name_column = mapped[at_name]
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

    # One list for the problems of each row in turn (most rows have none).
    problems: list[Problem] = []
    row = sheet.header_row
    for cells in sheet.rows:
        row += 1
        if isinstance(cells, RowIssue):
            # At its cell when it has one (a mapped column's has a header).
            place = cells.column
            issue_column = None if place is None else by_index.get(place)
            yield make_problem(
                cells.code,
                row=row,
                column=issue_column.header if issue_column else None,
                cell=None if place is None else f"{column_letter(place)}{row}",
                sheet=sheet_name,
                details={"limit": f"{max_chars:,}", **cells.details},
            )
            continue
        values = [*map(str.strip, cells if in_order else pick_cells(cells)), ""]
        # One join answers three questions for the whole row: is it blank,
        # could any cell be too long, and does any need the full `clean`
        # (only non-ASCII text can, and most of it is clean already).
        joined = "".join(values)
        if not joined:
            continue
        if not joined.isascii() and not clean_keeps(joined):
            values = [value if value.isascii() else clean(value) for value in values]
            if not any(values):
                continue
        read_count += 1
        if read_count > max_rows:
            raise LimitExceededError(
                f"The file has more than {max_rows:,} rows, over the limit. Split it "
                "into smaller files.",
                limit="max_rows",
                value=max_rows,
                detected=sheet.format,
            )

        if "#" in joined:
            for position, column in enumerate(mapped):
                if values[position] in EXCEL_ERRORS:
                    problems.append(
                        problem_at("excel-error", column, row, value=values[position])
                    )
                    values[position] = ""
        if len(joined) > max_chars and max(map(len, values)) > max_chars:
            for position, column in enumerate(mapped):
                if len(values[position]) > max_chars:
                    problems.append(
                        problem_at(
                            "cell-too-long",
                            column,
                            row,
                            length=f"{len(values[position]):,}",
                            limit=f"{max_chars:,}",
                        )
                    )
                    values[position] = ""
        if not values[at_name] and not _has_problem_in(problems, name_column):
            problems.append(problem_at("missing-value", name_column, row, field="name"))
        for position in id_checks:
            text = values[position]
            # What `parse_id` accepts at once, without calling it (a blank
            # too: its empty slice is no number's start).
            if text[:1] in NUMBER_START and not text.isdigit():
                try:
                    parse_id(text)
                except CellError as error:
                    problems.append(
                        problem_at(error.code, mapped[position], row, **error.details)
                    )
        emails: tuple[str, ...] = ()
        if values[at_email]:
            try:
                # The plain cell (nearly all of them) without the call
                # `parse_emails` makes to check it first.
                emails = plain_addresses(values[at_email]) or parse_emails(
                    values[at_email]
                )
            except CellError as error:
                assert email_column is not None
                problems.append(
                    problem_at(error.code, email_column, row, **error.details)
                )
        # The mappings are made read-only here, as the record's converter
        # would; an empty one is the shared empty mapping.
        manufacturer_ids: Mapping[str, str] = NO_MAPPING
        if only_manufacturer is not None:
            position, name = only_manufacturer
            if values[position]:
                manufacturer_ids = MappingProxyType({name: values[position]})
        elif manufacturers:
            found = {
                name: values[position]
                for position, name in manufacturers
                if values[position]
            }
            if found:
                manufacturer_ids = MappingProxyType(found)
        custom: Mapping[str, CustomValue] = NO_MAPPING
        if customs:
            typed: dict[str, CustomValue] = {}
            for position, column, definition, parser in customs:
                text = values[position]
                if not text:
                    if definition.required:
                        problems.append(
                            problem_at("missing-value", column, row, field=column.field)
                        )
                    continue
                try:
                    typed[column.field] = parser(text)
                except CellError as error:
                    problems.append(
                        problem_at(error.code, column, row, **error.details)
                    )
            if typed:
                custom = MappingProxyType(typed)

        if problems:
            yield from problems
            problems.clear()
            continue
        # Blank ship-to (or bill-to) cells: no such address.
        bill = pick_bill(values)
        ship = pick_ship(values)
        # The positional builders of `_records`: the records' keyword
        # constructors would cost as much as the rest of the row.
        yield build_customer_row(
            row,
            sheet_name,
            build_customer(
                values[at_name],
                values[at_id] or None,
                values[at_internal_id] or None,
                values[at_contact] or None,
                emails,
                build_address(bill) if any(bill) else None,
                build_address(ship) if any(ship) else None,
                values[at_terms] or None,
                values[at_shipping] or None,
                values[at_tax] or None,
                values[at_customer_group] or None,
                values[at_user_group] or None,
                manufacturer_ids,
                custom,
            ),
            present,
        )


def _has_problem_in(problems: list[Problem], column: MappedColumn) -> bool:
    return any(problem.column == column.header for problem in problems)
