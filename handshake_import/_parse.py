"""Cells -> a row's values, one `Problem` per bad cell.

Theory of operation. The reader hands over each row's raw cell texts, as
many as the header has; `map_header` has already said which file column
feeds which field, and where its value goes in a row's values (the layout
of `_template`). For each row this module cleans the cells of the mapped
columns (trim, NFC), skips the row when they are all blank, and runs the
cell parsers of `_values` on the columns that have rules: ``id`` and
``internal_id`` and ``id:<Manufacturer>`` (an id Excel rounded is
refused), ``email`` (several addresses, each checked), the custom columns;
``name`` must not be blank. Template rules implemented here: blank ship-to
(or bill-to) cells = no such address (when the record is built); several
emails in a cell; a cell may be at most ``Limits.max_cell_chars`` long; a
cell holding a NUL (a zero byte, never typed by a person) is refused rather
than read without it.

A row with any error yields its problems and no values, so nothing
half-read reaches reconciliation. The loop that knows the position (this
one) attaches row, column, cell and sheet to every problem.

The loop runs once per row of files of a million rows, so it does the
checks of the whole row at once where it can (one join of the cells tells
whether the row is blank, could hold a cell too long, a NUL, a spreadsheet
error or text that needs more than trimming), and the rest with C-level
maps rather than Python loops.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ._build import compiled
from ._errors import LimitExceededError
from ._limits import Limits
from ._problems import Problem, make_problem, quote
from ._readers import RowIssue, Sheet, column_letter
from ._records import CustomValue
from ._schema import ColumnMap, CustomColumn, MappedColumn
from ._template import Values
from ._values import (
    EXCEL_ERRORS,
    NUMBER_START,
    CellError,
    clean,
    clean_keeps,
    parse_boolean,
    parse_choice,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_emails,
    parse_id,
    parse_integer,
    parse_option_key,
    plain_addresses,
)

__all__ = ["ParsedRow", "ParsedRows", "header_problem", "parse_rows"]

#: A row read without errors: its spreadsheet row number and its values.
ParsedRow = tuple[int, Values]


class ParsedRows:
    """The rows of a file read without errors: their numbers and their
    values, in two lists.

    Iterating gives (row number, values) pairs, as many times as asked.
    Kept apart, a row's number and its values are two objects the
    collector never walks (an int, and a tuple of texts it stops tracking
    after its first look); a pair of them would be walked once more.
    """

    __slots__ = ("numbers", "values")

    def __init__(self, rows: Iterable[ParsedRow] = ()) -> None:
        #: the spreadsheet row number of each row
        self.numbers: list[int] = []
        #: the values of each row
        self.values: list[Values] = []
        for number, values in rows:
            self.append(number, values)

    def append(self, number: int, values: Values) -> None:
        """Add a row at the end."""
        self.numbers.append(number)
        self.values.append(values)

    def __iter__(self) -> Iterator[ParsedRow]:
        return zip(self.numbers, self.values, strict=True)

    def __len__(self) -> int:
        return len(self.numbers)


def _email_text(text: str) -> str:
    """An ``email`` cell's addresses, checked, as a row's value holds them:
    joined by line breaks."""
    # The plain cell (nearly all of them) without the call `parse_emails`
    # makes to check it first.
    return "\n".join(plain_addresses(text) or parse_emails(text))


#: The parser of each kind of column whose cells are more than text (an
#: ``id`` is checked apart: nearly every one needs no call).
_KIND_PARSERS: dict[str, Callable[[str], object]] = {
    "emails": _email_text,
    "flag": parse_boolean,
    "currency": parse_currency,
    "option-key": parse_option_key,
}
#: The kinds whose value is its text (``None`` when blank); the others' value
#: may be false (0, False), and only a blank cell is blank.
_TEXT_KINDS = frozenset({"text", "id", "emails", "manufacturer-id"})


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


def _picker(positions: Sequence[int]) -> Callable[[Sequence[str]], Sequence[str]]:
    """A C-level picker of *positions* that always returns a sequence."""
    if len(positions) == 1:
        (position,) = positions
        return lambda cells: (cells[position],)
    first = positions[0]
    if list(positions) == list(range(first, first + len(positions))):
        # Side by side, as in the template: one slice is cheaper than
        # picking them one by one.
        return operator.itemgetter(slice(first, first + len(positions)))
    return operator.itemgetter(*positions)


def _values_maker(columns: ColumnMap) -> Callable[[list[Any]], Values]:
    """The function that makes a row's values out of its texts: one item per
    place of the values, the text of the column that feeds it, ``None`` for
    a blank text or a field the file lacks.

    Generated for the file's columns (see `_build.compiled`): one tuple
    display, where a loop over the places with a test each costs twice as
    much, once per row of the file.
    """
    slot_of = {column.place: slot for slot, column in enumerate(columns.columns)}
    kinds = {column.place: column.kind for column in columns.columns}
    items = []
    for place in range(len(columns.template.fields) + len(columns.extras.columns)):
        slot = slot_of.get(place)
        if slot is None:
            items.append("None")
        elif kinds[place] in _TEXT_KINDS:
            items.append(f"(texts[{slot}] or None)")
        else:
            items.append(f"(None if texts[{slot}] == '' else texts[{slot}])")
    source = f"def row_values(texts):\n    return ({', '.join(items)},)\n"
    return compiled(source, "row_values", {}, "row_values")


def parse_rows(  # noqa: PLR0915 - the per-row hot loop stays in one frame
    sheet: Sheet, columns: ColumnMap, *, limits: Limits
) -> Iterator[ParsedRow | Problem]:
    """Yield the values of each row without errors and every problem, in
    file order.

    Raises `LimitExceededError` once more than ``limits.max_rows`` non-blank
    rows have been read.
    """
    sheet_name = sheet.name
    max_chars = limits.max_cell_chars
    max_rows = limits.max_rows
    mapped = columns.columns
    # A row's mapped cells, trimmed, are its `texts` (in file order), which
    # the checks below read and may replace by what they parsed; then
    # `row_values` picks the row's values, in their layout, out of them.
    row_values = _values_maker(columns)
    pick_cells = _picker([column.index for column in mapped])
    # A file laid out like the template maps every column, in order: a row's
    # cells are then its texts, with nothing to pick.
    in_order = [column.index for column in mapped] == list(range(columns.width))
    noun = columns.template.noun
    required = [
        (slot, column)
        for slot, column in enumerate(mapped)
        if column.field in columns.template.required
        or (column.custom is not None and column.custom.required)
    ]
    id_slots = [
        slot
        for slot, column in enumerate(mapped)
        if column.kind in ("id", "manufacturer-id")
    ]
    parsers = [
        (slot, column, _custom_parser(column.custom))
        if column.custom is not None
        else (slot, column, _KIND_PARSERS[column.kind])
        for slot, column in enumerate(mapped)
        if column.custom is not None or column.kind in _KIND_PARSERS
    ]
    letters = [column_letter(index) for index in range(columns.width)]
    by_index = {column.index: column for column in mapped}
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
            yield _issue_problem(
                cells,
                row=row,
                sheet=sheet_name,
                by_index=by_index,
                letters=letters,
                max_chars=max_chars,
            )
            continue
        texts: list[Any] = [*map(str.strip, cells if in_order else pick_cells(cells))]
        # One join answers several questions for the whole row: is it blank,
        # could a cell be too long, or hold a NUL or a spreadsheet error, and
        # does any need the full `clean` (only non-ASCII text can, and most
        # of it is clean already).
        joined = "".join(texts)
        if not joined:
            continue
        if not joined.isascii() and not clean_keeps(joined):
            texts = [text if text.isascii() else clean(text) for text in texts]
            if not any(texts):
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

        if "\x00" in joined:
            for slot, column in enumerate(mapped):
                if "\x00" in texts[slot]:
                    problems.append(
                        problem_at("nul-in-cell", column, row, value=quote(texts[slot]))
                    )
                    texts[slot] = ""
        if "#" in joined:
            for slot, column in enumerate(mapped):
                if texts[slot] in EXCEL_ERRORS:
                    problems.append(
                        problem_at("excel-error", column, row, value=texts[slot])
                    )
                    texts[slot] = ""
        if len(joined) > max_chars and max(map(len, texts)) > max_chars:
            for slot, column in enumerate(mapped):
                if len(texts[slot]) > max_chars:
                    problems.append(
                        problem_at(
                            "cell-too-long",
                            column,
                            row,
                            length=f"{len(texts[slot]):,}",
                            limit=f"{max_chars:,}",
                        )
                    )
                    texts[slot] = ""
        for slot, column in required:
            if not texts[slot] and not _has_problem_in(problems, column):
                problems.append(
                    problem_at(
                        "missing-value", column, row, field=column.field, noun=noun
                    )
                )
        for slot in id_slots:
            text = texts[slot]
            # What `parse_id` accepts at once, without calling it (a blank
            # too: its empty slice is no number's start).
            if text[:1] in NUMBER_START and not text.isdigit():
                try:
                    parse_id(text)
                except CellError as error:
                    problems.append(
                        problem_at(error.code, mapped[slot], row, **error.details)
                    )
        for slot, column, parser in parsers:
            text = texts[slot]
            if text:
                try:
                    texts[slot] = parser(text)
                except CellError as error:
                    problems.append(
                        problem_at(error.code, column, row, **error.details)
                    )

        if problems:
            yield from problems
            problems.clear()
            continue
        yield row, row_values(texts)


def _issue_problem(
    issue: RowIssue,
    *,
    row: int,
    sheet: str | None,
    by_index: dict[int, MappedColumn],
    letters: Sequence[str],
    max_chars: int,
) -> Problem:
    """The problem of a row the reader could not read as cells, placed at
    its cell when it names one."""
    column = by_index.get(issue.column) if issue.column is not None else None
    letter = None
    if issue.column is not None:
        letter = letters[issue.column] if issue.column < len(letters) else None
        letter = letter or column_letter(issue.column)
    return make_problem(
        issue.code,
        row=row,
        column=column.header if column else None,
        cell=f"{letter}{row}" if letter else None,
        sheet=sheet,
        details={"limit": f"{max_chars:,}", **issue.details},
    )


def header_problem(sheet: Sheet, issue: RowIssue, *, limits: Limits) -> Problem:
    """The problem of a header row the reader could not read as cells
    (`Sheet.header_issue`), at its cell when it names one."""
    return _issue_problem(
        issue,
        row=sheet.header_row,
        sheet=sheet.name,
        by_index={},
        letters=(),
        max_chars=limits.max_cell_chars,
    )


def _has_problem_in(problems: list[Problem], column: MappedColumn) -> bool:
    return any(problem.column == column.header for problem in problems)
