"""What every reader produces: a `Sheet` of raw text rows."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

import attrs

from .._errors import ImportFileError, LimitExceededError
from .._limits import Limits
from .._problems import Problem, quote
from .._values import clean
from ._cells import column_letter

T = TypeVar("T")


@attrs.frozen
class RowIssue:
    """Trouble a reader found in one row that it could not read as cells.

    Attributes:
        code: the problem's code.
        details: the fields of its message.
        column: the 0-based place of the cell at fault, if one is.
    """

    code: str
    details: dict[str, object] = attrs.field(factory=dict)
    column: int | None = None


#: A row's cell texts: raw, not yet trimmed, ``""`` for blank.
RawRow = Sequence[str]


class WideRow(list[str]):
    """A row's cell texts, with the places of the cells it was given.

    A workbook row reaches column 16,384 with one cell: the few places in
    `filled` (ascending) spare a search through the blanks on the way.
    """

    __slots__ = ("filled",)

    def __init__(self, texts: list[str], filled: list[int]) -> None:
        super().__init__(texts)
        #: the places of the cells the row was given, ascending (the others
        #: are blank)
        self.filled = filled


RowItem = RawRow | RowIssue


@attrs.define
class Sheet:
    """One table read from a file, streaming.

    `rows` yields one item per spreadsheet row after the header, blank rows
    included and in order, so the n-th item is row ``header_row + n``: the
    row's cell texts, exactly as many as the header has (padded with
    blanks), or a `RowIssue` (among them a row with text in a cell past the
    header). It is only valid while the reader's context is open.
    """

    format: str
    name: str | None
    header: tuple[str, ...]
    header_row: int
    rows: Iterator[RowItem]
    notices: list[Problem] = attrs.field(factory=list)


def split_header(
    rows: Iterator[RowItem],
) -> tuple[int, tuple[str, ...]] | None:
    """Consume rows up to the header (the first non-blank row) and return it.

    Returns ``(row number, header cells without trailing blanks)``, or
    ``None`` when the file has no non-blank row. Reader trouble before the
    header (a broken quote in row 1) is skipped: the header is what the user
    sees as their first row of text.
    """
    number = 0
    for cells in rows:
        number += 1
        if isinstance(cells, RowIssue):
            continue
        header = [cell.strip() for cell in cells]
        while header and not header[-1]:
            header.pop()
        if header:
            return number, tuple(cells[: len(header)])
    return None


def pick_by_name(candidates: list[tuple[str, T]], name: str, detected: str) -> T:
    """The sheet called *name*: exact match first, then ignoring case and spaces.

    Hidden sheets can be read this way: naming one is a deliberate choice.
    """
    for title, item in candidates:
        if title == name:
            return item
    folded = name.strip().casefold()
    for title, item in candidates:
        if title.strip().casefold() == folded:
            return item
    listed = ", ".join(repr(title) for title, _ in candidates) or "none"
    raise ImportFileError(
        f"The workbook has no sheet named {name!r}. Its sheets are: {listed}.",
        detected=detected,
    )


def sheet_from_rows(
    rows: Iterator[RowItem],
    *,
    format: str,
    name: str | None,
    limits: Limits,
    notices: Sequence[Problem] = (),
) -> Sheet | None:
    """Find the header in *rows* and wrap the rest as a `Sheet`.

    Returns ``None`` when there is no header (no text at all). Raises
    `LimitExceededError` when the header is wider than ``limits.max_columns``.
    """
    found = split_header(rows)
    if found is None:
        return None
    header_row, header = found
    if len(header) > limits.max_columns:
        raise LimitExceededError(
            f"The header row has {len(header):,} columns, over the limit of "
            f"{limits.max_columns:,}. Delete the columns the template does not use, "
            "or raise Limits.max_columns.",
            limit="max_columns",
            value=limits.max_columns,
            detected=format,
        )
    return Sheet(
        format=format,
        name=name,
        header=header,
        header_row=header_row,
        rows=_fitted(rows, len(header)),
        notices=list(notices),
    )


def _fitted(rows: Iterator[RowItem], width: int) -> Iterator[RowItem]:
    """*rows* as wide as the header: padded, or cut where the cells past it
    are blank; a row with text past the header is a ``too-many-cells``
    issue at its first such cell."""
    for cells in rows:
        if isinstance(cells, RowIssue):
            yield cells
            continue
        count = len(cells)
        if count == width:
            yield cells
        elif count < width:
            yield [*cells, *[""] * (width - count)]
        else:
            extra = _first_filled(cells, width)
            if extra is None:
                yield cells[:width]
                continue
            last = _last_filled(cells)
            yield RowIssue(
                "too-many-cells",
                {
                    "count": last + 1,
                    "width": width,
                    "value": quote(clean(cells[extra])),
                    "letter": column_letter(extra),
                },
                column=extra,
            )


# A workbook row can reach column 16,384 with one cell: a `WideRow` says
# where its cells are, and in other rows the blank cells on the way are
# passed over in C (`compress` yields the places of the cells with text).
# Only the cells with text are cleaned.


def _first_filled(cells: Sequence[str], width: int) -> int | None:
    """The place of the first cell past *width* with text once cleaned."""
    places: Iterable[int]
    if isinstance(cells, WideRow):
        places = (index for index in cells.filled if index >= width)
    else:
        places = itertools.compress(
            range(width, len(cells)), itertools.islice(cells, width, None)
        )
    return next((index for index in places if clean(cells[index])), None)


def _last_filled(cells: Sequence[str]) -> int:
    """The place of the last cell with text once cleaned (-1: none)."""
    places: Iterable[int]
    if isinstance(cells, WideRow):
        places = reversed(cells.filled)
    else:
        places = itertools.compress(range(len(cells) - 1, -1, -1), reversed(cells))
    return next((index for index in places if clean(cells[index])), -1)
