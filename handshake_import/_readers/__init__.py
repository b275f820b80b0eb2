"""Readers: the only code that touches the bytes of a file.

`open_sheet` detects what the bytes really are (never trusting a file name),
and hands back a `Sheet` whose rows stream as raw text cells.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO, cast

from .._errors import ImportFileError
from .._limits import Limits
from ._cells import column_letter
from ._sheet import RawRow, RowIssue, RowItem, Sheet
from ._sniff import describe, sniff
from ._source import FileSource, open_source

__all__ = [
    "FileSource",
    "RawRow",
    "RowIssue",
    "RowItem",
    "Sheet",
    "Source",
    "column_letter",
    "open_sheet",
    "open_sheets",
]

#: Everything a table can be read from: a file, or rows of {header: value}.
Source = FileSource | Iterable[Mapping[str, object]]

_ADVICE = {
    "empty": "The file is empty (0 bytes). Export the customers again and upload "
    "the new file.",
    "ods": "This is an OpenDocument spreadsheet (.ods), which is not supported. "
    "Save it as .xlsx or CSV (File > Save As in LibreOffice) and upload that.",
    "xlsb": "This is an Excel binary workbook (.xlsb), which is not supported. "
    "Save it as .xlsx (Excel Workbook) or CSV and upload that.",
    "encrypted": "This workbook is protected with a password. Remove the password "
    "in Excel (File > Info > Protect Workbook) and upload it again.",
    "html": "This is a web page (HTML), not a spreadsheet, even if its name ends "
    "in .xls; some systems export reports that way. Open it in Excel and save it "
    "as .xlsx or CSV, then upload that.",
    "spreadsheetml": "This is an Excel 2003 XML spreadsheet, which is not "
    "supported. Open it in Excel and save it as .xlsx or CSV.",
}


@contextmanager
def open_sheet(
    source: Source,
    *,
    sheet: str | None,
    limits: Limits,
    watch: Callable[[IO[bytes]], None] | None = None,
) -> Iterator[Sheet | None]:
    """Open *source* and yield its table, or ``None`` if it has no header row.

    *watch*, if given, is called with the binary stream of a file source
    once it is open, before anything is read (for progress by bytes read).

    Raises `ImportFileError` when the file cannot be read as a table at all.
    """
    if _is_mappings(source):
        from ._mappings import read_mappings  # noqa: PLC0415

        yield read_mappings(source, limits)  # type: ignore[arg-type]
        return
    assert (
        not isinstance(source, Iterable)
        or isinstance(source, (str, bytes, bytearray, memoryview))
        or hasattr(source, "read")
    )
    # Each reader is imported when its format is detected, so that importing
    # the package does not import openpyxl or xlrd.
    with open_source(cast(FileSource, source), limits) as stream:
        if watch is not None:
            watch(stream)
        detected = sniff(stream)
        if detected == "text":
            from ._text import read_text  # noqa: PLC0415

            with read_text(stream, limits) as found:
                yield found
        elif detected == "xlsx":
            from ._xlsx import read_xlsx  # noqa: PLC0415

            with read_xlsx(stream, limits, sheet) as found:
                yield found
        elif detected == "xls":
            from ._xls import read_xls  # noqa: PLC0415

            with read_xls(stream, limits, sheet) as found:
                yield found
        else:
            raise ImportFileError(_advice(detected), detected=detected)


@contextmanager
def open_sheets(
    source: Source,
    *,
    limits: Limits,
    watch: Callable[[IO[bytes]], None] | None = None,
) -> Iterator[Iterator[tuple[str | None, Sheet | None]]]:
    """Open *source* and yield its tables, one after another: each visible
    worksheet of a workbook, by name, or the one table of a text file or of
    mappings (named ``None``). A table is ``None`` when it has no header.
    Each must be read before the next is taken.

    Raises `ImportFileError` when the file cannot be read as tables at all.
    """
    if _is_mappings(source):
        with open_sheet(source, sheet=None, limits=limits) as found:
            yield iter([(None, found)])
        return
    with open_source(cast(FileSource, source), limits) as stream:
        if watch is not None:
            watch(stream)
        detected = sniff(stream)
        if detected == "xlsx":
            from ._xlsx import read_xlsx_sheets  # noqa: PLC0415

            with read_xlsx_sheets(stream, limits) as sheets:
                yield sheets
        elif detected == "xls":
            from ._xls import read_xls_sheets  # noqa: PLC0415

            with read_xls_sheets(stream, limits) as sheets:
                yield sheets
        elif detected == "text":
            from ._text import read_text  # noqa: PLC0415

            with read_text(stream, limits) as found:
                yield iter([(None, found)])
        else:
            raise ImportFileError(_advice(detected), detected=detected)


def _is_mappings(source: object) -> bool:
    return (
        not isinstance(source, (str, bytes, bytearray, memoryview, os.PathLike))
        and not hasattr(source, "read")
        and isinstance(source, Iterable)
    )


def _advice(detected: str) -> str:
    if detected in _ADVICE:
        return _ADVICE[detected]
    return (
        f"This file is {describe(detected)}, not a customer spreadsheet. Upload "
        "the customers as an Excel workbook (.xlsx, .xls) or a CSV/TSV text file."
    )
