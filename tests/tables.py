"""Writers that put one table into every supported file format, for tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence

import openpyxl
import xlwt

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


WRITERS: dict[str, Writer] = {
    "csv": csv_bytes,
    "tsv": lambda table: csv_bytes(table, delimiter="\t"),
    "xlsx": xlsx_bytes,
    "xls": xls_bytes,
}


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
