"""Writers that put one table into every supported file format, for tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

import openpyxl
import xlwt

from handshake_import import ImportFileError

Cell = object
Table = Sequence[Sequence[Cell]]
Writer = Callable[[Table], bytes]


def _as_exported(cell: Cell) -> object:
    # Spreadsheet programs export 2110.0 as "2110".
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


def csv_bytes(table: Table, *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """The table as delimited text (cells written with str(); None = blank)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in table:
        writer.writerow([_as_exported(cell) for cell in row])
    return out.getvalue().encode(encoding)


def xlsx_bytes(table: Table, *, title: str = "Customers") -> bytes:
    """The table as an XLSX written by openpyxl (values keep their types)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in table:
        sheet.append(list(row))
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xls_bytes(table: Table, *, title: str = "Customers") -> bytes:
    """The table as a legacy XLS written by xlwt (dates get a date format)."""
    book = xlwt.Workbook()
    sheet = book.add_sheet(title)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(table):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, (dt.date, dt.datetime)):
                sheet.write(r, c, cell, date_style)
            else:
                sheet.write(r, c, cell)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_bytes(sheets: dict[str, Table], *, kind: str = "xlsx") -> bytes:
    """A workbook of several sheets, by name, in order: an XLSX written by
    openpyxl or (``kind="xls"``) an XLS written by xlwt."""
    if kind == "xls":
        book = xlwt.Workbook()
        for title, table in sheets.items():
            sheet = book.add_sheet(title)
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    if cell is not None:
                        sheet.write(r, c, cell)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, table in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in table:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


#: A source of rows for `reconcile`: a file's bytes, or rows of mappings.
Source = bytes | list[dict[str, object]]


def source_of(
    kind: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], *, title: str
) -> Source:
    """*rows* under *header* as a CSV file (``"csv"``), an XLSX workbook
    whose sheet is *title* (``"xlsx"``), or mappings (``"dicts"``)."""
    if kind == "dicts":
        return [dict(zip(header, row, strict=True)) for row in rows]
    table = [list(header), *map(list, rows)]
    return xlsx_bytes(table, title=title) if kind == "xlsx" else csv_bytes(table)


WRITERS: dict[str, Writer] = {
    "csv": csv_bytes,
    "tsv": lambda table: csv_bytes(table, delimiter="\t"),
    "xlsx": xlsx_bytes,
    "xls": xls_bytes,
}


def streamed_into(
    data: bytes, name: str, closing: bytes, chunks: Iterable[bytes]
) -> bytes:
    """A copy of the XLSX *data* with *chunks* streamed into part *name*,
    before its *closing* tag (never held together: they may be hundreds of
    MB)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename != name:
                target.writestr(info, body)
                continue
            head, end, tail = body.rpartition(closing)
            with target.open(info.filename, "w") as part:
                part.write(head)
                for chunk in chunks:
                    part.write(chunk)
                part.write(end + tail)
    return out.getvalue()


def rewrite_part(data: bytes, name: str, change: dict[str, str]) -> bytes:
    """A copy of the XLSX *data* with text replaced inside one part."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == name:
                text = content.decode()
                for old, new in change.items():
                    assert old in text
                    text = text.replace(old, new)
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


_INLINE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is>'
    rb'<t(?: xml:space="preserve")?>(.*?)</t></is></c>',
    re.DOTALL,
)
_STRINGS_TYPE = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
_STRINGS_RELATION = (
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)


def with_shared_strings(
    data: bytes, *, written: Mapping[str, str] | None = None
) -> bytes:
    """*data*, an XLSX openpyxl wrote (text in the cells), with its text
    moved into a shared-strings table that the cells refer to, as Excel
    writes it. A text that is a key of *written* goes into the table as its
    value, XML as it is (Excel's ``_x000D_`` escapes, rich text runs)."""
    written = written or {}
    table: dict[bytes, int] = {}

    def refer(match: re.Match[bytes]) -> bytes:
        number = table.setdefault(match[3], len(table))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match[1], match[2], number)

    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            parts[info.filename] = archive.read(info)
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = _INLINE.sub(refer, parts[sheet])
    items = b"".join(
        b"<si>%s</si>"
        % (
            written[text.decode()].encode()
            if text.decode() in written
            else b'<t xml:space="preserve">%s</t>' % text
        )
        for text in table
    )
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="%d" uniqueCount="%d">%s</sst>' % (len(table), len(table), items)
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/></Types>'
        % _STRINGS_TYPE,
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="%s" Target="sharedStrings.xml" Id="rIdStrings"/>'
        b"</Relationships>" % _STRINGS_RELATION,
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


T = TypeVar("T")


def measured(read: Callable[[], T]) -> tuple[T | ImportFileError, float, int]:
    """What *read* returns (or the `ImportFileError` it raises), the seconds
    it took, and the most memory traced while it ran."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        try:
            outcome: T | ImportFileError = read()
        except ImportFileError as error:
            outcome = error
        return (
            outcome,
            time.perf_counter() - started,
            tracemalloc.get_traced_memory()[1],
        )
    finally:
        tracemalloc.stop()


def declared(encoding: str) -> Callable[[bytes], bytes]:
    """A change giving an XML part a declaration naming *encoding* (in place
    of the one it has)."""

    def change(body: bytes) -> bytes:
        _, declaration, rest = body.partition(b"?>")
        rest = rest if declaration else body
        return b'<?xml version="1.0" encoding="%s"?>' % encoding.encode() + rest

    return change
