"""What every reader produces: a `Sheet` of rows as wide as its header."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

import attrs

from .._errors import ImportFileError, LimitExceededError
from .._limits import Limits
from .._problems import Problem, quote
from ._cells import TRIMMED_CHARACTERS, column_letter

T = TypeVar("T")


@attrs.frozen
class RowIssue:
    """Trouble a reader found in one row that it could not read as cells.

    `column` is the 0-based place of the cell the trouble is in, when the
    reader can tell (a ``too-many-cells`` row: the first cell past the
    header), else ``None``.
    """

    code: str
    details: dict[str, object] = attrs.field(factory=dict)
    column: int | None = None


#: A row's cell texts as a reader gives them: raw, not yet trimmed, ``""``
#: for blank, as many as the row has.
RawRow = list[str]

#: What a reader yields per row.
RowItem = RawRow | RowIssue


class WideRow(list[str]):
    """A row's cell texts, with the places of the cells it was given.

    A workbook row reaches column 16,384 with one cell: the few places in
    `filled` (ascending) spare a search through the blanks on the way.
    Private to the readers: `Sheet.rows` never holds one.
    """

    __slots__ = ("filled",)

    def __init__(self, texts: list[str], filled: list[int]) -> None:
        super().__init__(texts)
        #: the places of the cells the row was given, ascending (the others
        #: are blank)
        self.filled = filled


@attrs.define
class Sheet:
    """One table read from a file, streaming.

    `rows` yields one item per spreadsheet row after the header, blank rows
    included and in order, so the n-th item is row ``header_row + n``; it is
    only valid while the reader's context is open. Each item is either a
    list of exactly ``len(header)`` cell texts (raw, not trimmed; a shorter
    row padded with ``""``, cells past the header that are blank once
    trimmed dropped), or a `RowIssue`: a row with a cell past the header
    that is not blank is a ``too-many-cells`` issue at that cell.
    """

    format: str
    name: str | None
    header: tuple[str, ...]
    header_row: int
    rows: Iterator[list[str] | RowIssue]
    notices: list[Problem] = attrs.field(factory=list)
    #: The issue of the header row when the reader could not read it as
    #: cells (a quote in it that never closes): then `header` is empty and
    #: `rows` yields nothing, since no row can be read without a header.
    header_issue: RowIssue | None = None


def split_header(
    rows: Iterator[RowItem],
) -> tuple[int, tuple[str, ...] | RowIssue] | None:
    """Consume rows up to the header (the first non-blank row) and return it.

    Returns ``(row number, header cells without trailing blanks)``, or
    ``(row number, issue)`` when the reader could not read that row as
    cells, or ``None`` when the file has no non-blank row. A header that
    cannot be read is not passed over for the next row: that row would be
    taken for the header, and every row after it misread.
    """
    for number, cells in enumerate(rows, start=1):
        if isinstance(cells, RowIssue):
            return number, cells
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
    if isinstance(header, RowIssue):
        return Sheet(
            format=format,
            name=name,
            header=(),
            header_row=header_row,
            rows=iter(()),
            notices=list(notices),
            header_issue=header,
        )
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


def _fitted(rows: Iterator[RowItem], width: int) -> Iterator[list[str] | RowIssue]:
    """*rows* as `Sheet.rows` holds them: each *width* cells long, or an issue."""
    blanks = [""] * width
    for cells in rows:
        if isinstance(cells, RowIssue):
            if cells.code == "too-many-cells" and "width" not in cells.details:
                # Found before the header was known (a line too long to hold).
                yield attrs.evolve(cells, details={**cells.details, "width": width})
                continue
            yield cells
            continue
        count = len(cells)
        if count == width and type(cells) is list:
            yield cells
        elif count <= width:
            yield [*cells, *blanks[count:]]
        else:
            yield _past_header(cells, width)


def _past_header(cells: RawRow, width: int) -> list[str] | RowIssue:
    """A row longer than the header: cut to it when every cell past it is
    blank once trimmed; otherwise a ``too-many-cells`` issue at the first
    cell that is not.

    Only the cells with text are trimmed: a `WideRow` says where they are,
    and in other rows the empty cells are passed over in C (`compress`
    yields the places of the cells with text).
    """
    places: Iterable[int]
    backwards: Iterable[int]
    if isinstance(cells, WideRow):
        places = (place for place in cells.filled if place >= width)
        backwards = reversed(cells.filled)
    else:
        places = itertools.compress(
            range(width, len(cells)), itertools.islice(cells, width, None)
        )
        backwards = itertools.compress(range(len(cells) - 1, -1, -1), reversed(cells))
    first = next((place for place in places if _trimmed(cells[place])), None)
    if first is None:
        return cells[:width]
    # There is one at least: the first.
    last = next(place for place in backwards if _trimmed(cells[place]))
    return RowIssue(
        "too-many-cells",
        {
            "count": last + 1,
            "width": width,
            "value": quote(_trimmed(cells[first])),
            "letter": column_letter(first),
        },
        column=first,
    )


def _trimmed(text: str) -> str:
    """*text* without `TRIMMED_CHARACTERS` at either end (a NUL stays: it is
    refused wherever it is)."""
    return text.strip(TRIMMED_CHARACTERS)
