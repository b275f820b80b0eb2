"""Legacy XLS (BIFF, Excel 97-2003) through xlrd.

xlrd cannot stream: it needs the whole file in memory, which the
``max_file_bytes`` limit bounds. Sheets are loaded on demand, one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Literal

import xlrd
from xlrd.biffh import XLRDError

from .._errors import ImportFileError
from .._limits import Limits
from .._problems import quote
from ._cells import cell_text
from ._damage import parsing
from ._formats import UNREADABLE, Shown, shown_by
from ._sheet import RowIssue, RowItem, Sheet, pick_by_name, sheet_from_rows

__all__ = ["read_xls"]

_VISIBLE = 0


def _damaged(detail: str) -> ImportFileError:
    return ImportFileError(
        "This looks like an Excel 97-2003 workbook (.xls) but it cannot be read "
        f"({detail}). Open it in Excel or LibreOffice and save it as .xlsx.",
        detected="xls",
    )


@contextmanager
def read_xls(
    stream: IO[bytes], limits: Limits, sheet: str | None
) -> Iterator[Sheet | None]:
    """Read one worksheet of an XLS; yields ``None`` when it has no header."""
    with _opened(stream) as (book, padding):
        worksheet = _choose_sheet(book, sheet)
        rows = _rows(book, worksheet, padding)
        yield sheet_from_rows(rows, format="xls", name=worksheet.name, limits=limits)


@contextmanager
def read_xls_sheets(
    stream: IO[bytes], limits: Limits
) -> Iterator[Iterator[tuple[str, Sheet | None]]]:
    """Read every visible worksheet of an XLS, one after another (see
    `read_xlsx_sheets`)."""
    with _opened(stream) as (book, padding):
        yield (
            (
                worksheet.name,
                sheet_from_rows(
                    _rows(book, worksheet, padding),
                    format="xls",
                    name=worksheet.name,
                    limits=limits,
                ),
            )
            for worksheet in _visible(book)
        )


@contextmanager
def _opened(stream: IO[bytes]) -> Iterator[tuple[xlrd.book.Book, Padding]]:
    """The workbook and the cell formats that pad numbers; released at the
    end."""
    data = stream.read()
    # xlrd reads untrusted binary records and, on a damaged file, can fail in
    # many ways of its own (struct.error, IndexError, AssertionError, ...):
    # raised inside xlrd, they mean "this file cannot be read".
    with parsing(_failure):
        book = _open(data, formatting=False)
        padding = _padding(book)
        if padding:
            # The format of each cell is kept only when asked for, at a cost.
            book.release_resources()
            book = _open(data, formatting=True)
    try:
        yield book, padding
    finally:
        book.release_resources()


def _visible(book: xlrd.book.Book) -> Iterator[xlrd.sheet.Sheet]:
    for index in range(book.nsheets):
        with parsing(_failure):
            worksheet = book.sheet_by_index(index)
        if worksheet.visibility == _VISIBLE:
            yield worksheet


def _open(data: bytes, *, formatting: bool) -> xlrd.book.Book:
    return xlrd.open_workbook(
        file_contents=data,
        on_demand=True,
        logfile=_Discard(),
        ragged_rows=True,
        formatting_info=formatting,
    )


#: The number formats that show a number otherwise than as its text, by XF
#: (cell format) index: the format and how it shows a number.
Padding = dict[int, tuple[str, Shown]]


def _padding(book: xlrd.book.Book) -> Padding:
    """The cell formats of *book* whose number formats pad numbers with zeros
    (xlrd reads the formats whatever it is asked)."""
    padding = {}
    for index, xf in enumerate(book.xf_list):
        number_format = book.format_map.get(xf.format_key)
        if number_format is None:
            continue
        shown = shown_by(number_format.format_str)
        if shown is not None:
            padding[index] = (number_format.format_str, shown)
    return padding


def _failure(parser: str, error: Exception) -> ImportFileError:
    if isinstance(error, XLRDError):
        if "encrypted" in str(error).lower():
            return ImportFileError(
                "This workbook is protected with a password. Remove the password "
                "in Excel and upload it again.",
                detected="encrypted",
            )
        return _damaged(f"{parser}: {error}")
    return _damaged(f"{parser}: {type(error).__name__}: {error}")


def _choose_sheet(book: xlrd.book.Book, name: str | None) -> xlrd.sheet.Sheet:
    # A sheet is read from the file when it is first asked for (on_demand).
    if name is None:
        for worksheet in _visible(book):
            return worksheet
        raise ImportFileError(
            "This workbook has no visible worksheet. Unhide the sheet with the "
            "customers, or name it explicitly.",
            detected="xls",
        )
    with parsing(_failure):
        index = pick_by_name(
            [(title, i) for i, title in enumerate(book.sheet_names())], name, "xls"
        )
        return book.sheet_by_index(index)


def _rows(
    book: xlrd.book.Book, worksheet: xlrd.sheet.Sheet, padding: Padding
) -> Iterator[RowItem]:
    date_mode = book.datemode
    for index in range(worksheet.nrows):
        types = worksheet.row_types(index)
        values = worksheet.row_values(index)
        cells: list[str] = []
        for kind, value in zip(types, values, strict=True):
            if kind == xlrd.XL_CELL_DATE:
                cells.append(_date_text(float(value), date_mode))
            elif kind == xlrd.XL_CELL_BOOLEAN:
                cells.append("TRUE" if value else "FALSE")
            elif kind == xlrd.XL_CELL_ERROR:
                cells.append(xlrd.error_text_from_code.get(int(value), "#ERROR"))
            elif kind == xlrd.XL_CELL_TEXT:
                cells.append(value)
            elif kind == xlrd.XL_CELL_NUMBER and padding:
                xf = worksheet.cell_xf_index(index, len(cells))
                if xf not in padding:
                    cells.append(cell_text(value))
                    continue
                code, shown = padding[xf]
                text = shown(float(value))
                if text is UNREADABLE:
                    issue = RowIssue(
                        "unreadable-number-format",
                        {"value": cell_text(value), "format": quote(code)},
                        column=len(cells),
                    )
                    break
                cells.append(text)
            else:
                cells.append(cell_text(value))
        else:
            yield cells
            continue
        yield issue


def _date_text(value: float, date_mode: Literal[0, 1]) -> str:
    try:
        moment = xlrd.xldate.xldate_as_datetime(value, date_mode)
    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
        return cell_text(value)
    if 0 <= value < 1:
        # A time of day: day 0 is no date, so show the time alone, as XLSX does.
        return cell_text(moment.time())
    return cell_text(moment)


class _Discard:
    """A log file for xlrd's warnings: they are not the user's business."""

    def write(self, text: str) -> int:
        return len(text)
