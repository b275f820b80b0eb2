"""XLSX/XLSM through openpyxl's read-only, streaming mode, behind a zip guard.

openpyxl loads the shared-strings table when the workbook opens, even in
read-only mode, so the archive is checked *before* openpyxl sees it: every
part is inflated once, counting the bytes actually inflated (never trusting
the sizes the zip headers claim), and any DTD or entity declaration is
refused. openpyxl then parses through defusedxml as a second line.

openpyxl's warnings (about parts it drops) are left to the program's warning
filters: they belong to the whole process, so nothing here changes them.
"""

from __future__ import annotations

import io
import itertools
import operator
import struct
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from openpyxl.utils import get_column_letter

from .._compat import load_workbook, number_formats, parsed_rows
from .._errors import ImportFileError, LimitExceededError
from .._limits import Limits
from .._problems import quote
from ._cells import cell_text
from ._damage import parsing
from ._formats import UNREADABLE, Shown, shown_by
from ._sheet import RowIssue, RowItem, Sheet, WideRow, pick_by_name, sheet_from_rows
from ._sniff import MAX_ZIP_DIRECTORY, zip_end
from ._strings import (
    STRING_COST,
    SharedStrings,
    StringOutsideTable,
    TextBudget,
    read_shared_strings,
    unescape,
)

if TYPE_CHECKING:
    from openpyxl import Workbook

    from .._compat import ReadOnlyWorksheet

__all__ = ["check_archive", "read_xlsx"]

_CHUNK = 64 * 1024
_MAX_PARTS = 10_000
_RATIO_CHECKED_FROM = 16 * 1024 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")
# Images and embedded objects are not the workbook's XML (an SVG logo may
# carry a DTD of its own) and openpyxl does not parse them. Every other part
# is scanned whatever its name: the relationships can give a worksheet any.
_FOREIGN_FOLDERS = ("xl/media/", "xl/embeddings/")
_FOREIGN_SUFFIXES = (
    ".bin",
    ".bmp",
    ".emf",
    ".gif",
    ".jpeg",
    ".jpg",
    ".png",
    ".svg",
    ".tif",
    ".tiff",
    ".wdp",
    ".wmf",
)
_DTD_MARKERS = (b"<!doctype", b"<!entity")
_OVERLAP = 16
#: The namespace of the parts of a workbook saved as "Strict Open XML
#: Spreadsheet" (ISO/IEC 29500 Strict), in place of the usual one.
_STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def _damaged(detail: str) -> ImportFileError:
    return ImportFileError(
        "This looks like an Excel workbook (.xlsx) but it is damaged or incomplete "
        f"({detail}); the upload may have been cut off. Open it in Excel and save "
        "it again, or upload it again.",
        detected="xlsx",
    )


def _refuse_xml(name: str) -> ImportFileError:
    return ImportFileError(
        f"This workbook contains an XML document type declaration in {name!r}. "
        "Spreadsheet programs never write one; it is refused because it can be "
        "used to attack the server. Open the file in Excel and save it again.",
        detected="xlsx",
    )


def check_archive(
    stream: IO[bytes], limits: Limits, budget: TextBudget | None = None
) -> None:
    """Inflate every part once within limits; refuse DTDs, and a table of
    more shared strings than *budget* allows (each costs `STRING_COST` at
    least). Rewinds *stream*."""
    if budget is None:
        budget = TextBudget(stream.seek(0, io.SEEK_END), limits)
    end = zip_end(stream)
    if end is not None and end.size > MAX_ZIP_DIRECTORY:
        raise _damaged(f"a {end.size:,}-byte list of parts")
    try:
        with parsing(_archive_damage), zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_PARTS:
                raise _damaged(f"{len(infos):,} parts in the archive")
            # (zipfile found the directory where zip_end finds it.)
            directory = end.start if end else stream.seek(0, io.SEEK_END)
            _check_claims(stream, infos, directory)
            total = 0
            # The strings of the shared-strings table may not cost more than
            # the budget: refused here, before a string is read.
            strings = budget.total // STRING_COST
            for info in infos:
                if info.is_dir():
                    continue
                if info.flag_bits & 0x1:
                    raise ImportFileError(
                        "This workbook is encrypted with a password. Remove the "
                        "password in Excel (File > Info > Protect Workbook) and "
                        "upload it again.",
                        detected="encrypted",
                    )
                total, strings = _check_part(archive, info, total, strings, limits)
                if strings < 0:
                    raise budget.exceeded()
    finally:
        stream.seek(0)


def _strict() -> ImportFileError:
    return ImportFileError(
        "This is an Excel workbook saved as 'Strict Open XML Spreadsheet', which "
        "is not supported. Open it in Excel and save it as an ordinary Excel "
        "Workbook (.xlsx) with File > Save As, then upload that.",
        detected="xlsx-strict",
    )


def _archive_damage(parser: str, error: Exception) -> ImportFileError:
    if isinstance(error, NotImplementedError):
        return _damaged(f"unsupported compression: {error}")
    return _damaged(f"{parser}: {str(error) or type(error).__name__}")


_LOCAL_HEADER = struct.Struct("<4s22x2H")


def _check_claims(
    stream: IO[bytes], infos: list[zipfile.ZipInfo], directory: int
) -> None:
    """Refuse a part whose headers claim more compressed bytes than the
    archive has between the part's start and the next part (or the central
    directory at *directory*), as a zip bomb's may: such a claim would
    loosen the compression-ratio check.

    zipfile refuses such a part itself when it opens it, from Python 3.13
    on ("Overlapped entries"); earlier versions read on. Checked here for
    every part before any is inflated, the answer is the same on every
    version. A part whose local header cannot be read is left to zipfile,
    which refuses it when it opens the part.
    """
    following = directory
    # Each part ends where the next one starts, as zipfile takes it.
    for info in sorted(infos, key=operator.attrgetter("header_offset"), reverse=True):
        end, following = following, info.header_offset
        stream.seek(info.header_offset)
        header = stream.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size:
            continue
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        if signature != b"PK\x03\x04":
            continue
        start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        if start + info.compress_size > end:
            raise _damaged(
                f"part {info.filename!r} claims {info.compress_size:,} compressed "
                f"bytes where the archive has room for {max(end - start, 0):,}, as "
                "a zip bomb may"
            )


#: How a string of the shared-strings table starts (`_check_part` counts
#: them): ``<si>``, ``<si/>``, or with attributes.
_STRING_STARTS = (b"<si>", b"<si/", b"<si ")


def _check_part(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    total: int,
    strings: int,
    limits: Limits,
) -> tuple[int, int]:
    """Inflate the part *info*, adding to the *total* bytes inflated; scan
    it for DTDs and count the shared strings it starts, taking them from
    the *strings* allowed. Returns both totals."""
    name = info.filename.lower()
    scan = name.endswith(_XML_SUFFIXES) or not (
        name.startswith(_FOREIGN_FOLDERS) or name.endswith(_FOREIGN_SUFFIXES)
    )
    # The claim was checked against the archive (`_check_claims`).
    compressed = max(info.compress_size, 1)
    inflated = 0
    tail = b""
    # The last bytes of the previous chunk, one fewer than a string's start.
    last = b""
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            inflated += len(chunk)
            total += len(chunk)
            if total > limits.max_decompressed_bytes:
                raise LimitExceededError(
                    "This workbook inflates to more than "
                    f"{limits.max_decompressed_bytes:,} bytes when unzipped, over "
                    "the limit. Split it into smaller files.",
                    limit="max_decompressed_bytes",
                    value=limits.max_decompressed_bytes,
                    detected="xlsx",
                )
            if (
                inflated > _RATIO_CHECKED_FROM
                and inflated > limits.max_compression_ratio * compressed
            ):
                raise LimitExceededError(
                    f"Part {info.filename!r} of this workbook inflates more than "
                    f"{limits.max_compression_ratio} times its compressed size, as a "
                    "zip bomb does. It is refused. If the file is genuine, raise "
                    "Limits.max_compression_ratio.",
                    limit="max_compression_ratio",
                    value=limits.max_compression_ratio,
                    detected="xlsx",
                )
            if scan:
                if inflated == len(chunk) and _STRICT in chunk:
                    # A part of a Strict workbook says so from its start.
                    raise _strict()
                # NULs are dropped so that a UTF-16 part cannot hide a DTD.
                window = (tail + chunk).replace(b"\x00", b"").lower()
                if any(marker in window for marker in _DTD_MARKERS):
                    raise _refuse_xml(info.filename)
                tail = window[-_OVERLAP:]
                if b"<si" in chunk or last:
                    counted = last + chunk
                    strings -= sum(map(counted.count, _STRING_STARTS))
                    if strings < 0:
                        break
                last = chunk[-3:]
    return total, strings


@contextmanager
def read_xlsx(
    stream: IO[bytes], limits: Limits, sheet: str | None
) -> Iterator[Sheet | None]:
    """Read one worksheet of an XLSX; yields ``None`` when it has no header."""
    with _opened(stream, limits) as (workbook, strings, padding):
        worksheet = _choose_sheet(workbook, sheet)
        rows = _rows(worksheet, strings, padding)
        yield sheet_from_rows(rows, format="xlsx", name=worksheet.title, limits=limits)


@contextmanager
def read_xlsx_sheets(
    stream: IO[bytes], limits: Limits
) -> Iterator[Iterator[tuple[str, Sheet | None]]]:
    """Read every visible worksheet of an XLSX, one after another: yields
    an iterator of (sheet name, its table or ``None`` when it has no
    header). The archive is checked, and the workbook and its shared
    strings read, once for all of them; each table must be read before the
    next is taken."""
    with _opened(stream, limits) as (workbook, strings, padding):
        visible = [
            worksheet
            for worksheet in workbook.worksheets
            if hasattr(worksheet, "reset_dimensions")
            and getattr(worksheet, "sheet_state", "visible") == "visible"
        ]
        yield (
            (
                worksheet.title,
                sheet_from_rows(
                    _rows(worksheet, strings, padding),
                    format="xlsx",
                    name=worksheet.title,
                    limits=limits,
                ),
            )
            for worksheet in visible
        )


@contextmanager
def _opened(
    stream: IO[bytes], limits: Limits
) -> Iterator[tuple[Workbook, SharedStrings, Padding]]:
    """The workbook of a checked archive, its shared strings and the styles
    that pad numbers; closed at the end."""
    budget = TextBudget(stream.seek(0, io.SEEK_END), limits)
    check_archive(stream, limits, budget)
    with parsing(_opening_damage):
        workbook, strings = load_workbook(
            stream, lambda part: read_shared_strings(part, budget)
        )
    try:
        table = SharedStrings([], budget, budget.total) if strings is None else strings
        yield workbook, table, _padding(workbook)
    finally:
        workbook.close()


def _opening_damage(parser: str, error: Exception) -> ImportFileError:
    return _damaged(f"{parser}: {type(error).__name__}: {error}")


#: The last row number a worksheet can have (Excel 2007 and later).
LAST_ROW = 1_048_576


#: The number formats that show a number otherwise than as its text, by
#: cell style id: the format and how it shows a number.
Padding = dict[int, tuple[str, Shown]]


def _padding(workbook: Workbook) -> Padding:
    """The styles of *workbook* whose number formats pad numbers with zeros."""
    padding = {}
    for style, code in enumerate(number_formats(workbook)):
        shown = shown_by(code)
        if shown is not None:
            padding[style] = (code, shown)
    return padding


def _rows(
    worksheet: ReadOnlyWorksheet, strings: SharedStrings, padding: Padding
) -> Iterator[RowItem]:
    """The values of each row, an empty row for each row number the sheet
    skips, so that rows stay in step with row numbers.

    The rows come from openpyxl's sheet parser rather than `iter_rows`,
    which drops without a word a row numbered like an earlier one or
    before it, a cell given after a cell to its right, and the first of two
    cells given for one place: the parser says where each row and cell is,
    so rows out of order and a cell given twice are refused as damage, and
    cells out of order are put in their columns. A row numbered past the
    last one a worksheet can have is damage too (or a trap: an empty row
    for each row number on the way would take minutes).
    """
    title = worksheet.title
    number = 0

    def damage(parser: str, error: Exception) -> ImportFileError:
        return _damaged(
            f"row {number + 1} of sheet {title!r}: {parser}: {type(error).__name__}"
        )

    try:
        with parsing(damage), parsed_rows(worksheet, strings) as parsed:
            for index, cells in parsed:
                if index > LAST_ROW:
                    raise _damaged(
                        f"sheet {title!r} has a row numbered past {LAST_ROW:,}, the "
                        "last row a worksheet can have"
                    )
                if index <= number:
                    raise _damaged(
                        f"sheet {title!r} gives row {index:,} after row {number:,}"
                    )
                for _ in range(number + 1, index):
                    yield []
                number = index
                yield _values(cells, title, index, padding)
    except StringOutsideTable as error:
        raise _damaged(
            f"row {number + 1} of sheet {title!r} refers to shared string "
            f"{error.index:,}, and the table has {error.size:,}"
        ) from None


def _values(
    cells: list[dict[str, Any]], title: str, row: int, padding: Padding
) -> list[str] | RowIssue:
    """The texts of a row's cells, each in its column (blank between); a
    number as its style's format pads it with zeros, or the row's issue when
    the format cannot be applied exactly (`handshake_import._readers._formats`)."""
    if not cells:
        return []
    columns = [cell["column"] for cell in cells]
    if not all(map(operator.lt, columns, itertools.islice(columns, 1, None))):
        # Out of order: put in their columns, unless a cell is given twice.
        twice = next(
            (column for column, count in Counter(columns).items() if count > 1), None
        )
        if twice is not None:
            raise _damaged(
                f"sheet {title!r} gives cell {get_column_letter(twice)}{row} twice"
            )
    # Blank cells as one shared blank: a row may reach its last column
    # with a single cell.
    width = max(columns)
    values = [""] * width
    for cell in cells:
        value = cell["value"]
        if type(value) is str:
            if "_x" in value:
                value = unescape(value)
        elif padding and type(value) in (int, float) and cell["style_id"] in padding:
            code, shown = padding[cell["style_id"]]
            text = shown(value)
            if text is UNREADABLE:
                return RowIssue(
                    "unreadable-number-format",
                    {"value": cell_text(value), "format": quote(code)},
                    column=cell["column"] - 1,
                )
            value = text
        else:
            value = cell_text(value)
        values[cell["column"] - 1] = value
    if width > _WIDE_ROW and width > 2 * len(cells):
        return WideRow(values, sorted(column - 1 for column in columns))
    return values


#: Rows wider than this, and mostly blank, say where their cells are.
_WIDE_ROW = 256


def _choose_sheet(workbook: Workbook, name: str | None) -> ReadOnlyWorksheet:
    worksheets = [ws for ws in workbook.worksheets if hasattr(ws, "reset_dimensions")]
    if name is None:
        for worksheet in worksheets:
            if getattr(worksheet, "sheet_state", "visible") == "visible":
                return worksheet
        raise ImportFileError(
            "This workbook has no visible worksheet. Unhide the sheet with the "
            "customers, or name it explicitly.",
            detected="xlsx",
        )
    return pick_by_name(
        [(worksheet.title, worksheet) for worksheet in worksheets], name, "xlsx"
    )
