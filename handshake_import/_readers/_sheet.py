"""What every reader produces: a `Sheet` of raw text rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

import attrs

from .._errors import ImportFileError, LimitExceededError
from .._limits import Limits
from .._problems import Problem

T = TypeVar("T")


@attrs.frozen
class RowIssue:
    """Trouble a reader found in one row that it could not read as cells."""

    code: str
    details: dict[str, object] = attrs.field(factory=dict)


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
    included and in order, so the n-th item is row ``header_row + n``; it is
    only valid while the reader's context is open.
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
        rows=rows,
        notices=list(notices),
    )
