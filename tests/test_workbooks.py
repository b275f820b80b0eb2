"""Spreadsheet specifics: formulas, macro-enabled workbooks, XLS cell types."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import xlwt

from handshake_import import (
    CustomerRow,
    ImportFileError,
    Problem,
    iter_customers,
    read_customers,
)

from .tables import xlsx_bytes


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


def test_formulas_give_their_cached_values() -> None:
    """A formula cell reads as the value Excel last computed for it."""
    data = xlsx_bytes([["name", "contact"], ["Acme", "PLACEHOLDER"]])
    data = rewrite_part(
        data,
        "xl/worksheets/sheet1.xml",
        {
            '<c r="B2" t="inlineStr"><is><t>PLACEHOLDER</t></is></c>': (
                '<c r="B2" t="str"><f>UPPER("jo")</f><v>JO</v></c>'
            )
        }
        if b"inlineStr"
        in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
        else {
            '<c r="B2" t="s"><v>2</v></c>': '<c r="B2" t="str"><f>UPPER("jo")</f><v>JO</v></c>'
        },
    )
    (row,) = read_customers(data).rows

    assert "JO" == row.customer.contact


def test_macro_enabled_workbook() -> None:
    """An XLSM (macro-enabled content type) reads like an XLSX."""
    data = rewrite_part(
        xlsx_bytes([["name"], ["Acme"]]),
        "[Content_Types].xml",
        {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
                "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
            )
        },
    )

    assert ["Acme"] == [row.customer.name for row in read_customers(data).rows]


def test_xls_cell_types() -> None:
    """XLS numbers, dates and booleans become text as in XLSX."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Customers")
    for column, header in enumerate(["name", "id", "contact", "taxID"]):
        sheet.write(0, column, header)
    sheet.write(1, 0, "Acme")
    sheet.write(1, 1, 10045.0)
    sheet.write(
        1,
        2,
        dt.datetime(2024, 5, 1, 9, 30),
        xlwt.easyxf(num_format_str="YYYY-MM-DD hh:mm"),
    )
    sheet.write(1, 3, True)
    out = io.BytesIO()
    book.save(out)

    (row,) = read_customers(out.getvalue()).rows

    assert ("10045", "2024-05-01T09:30:00", "TRUE") == (
        row.customer.id,
        row.customer.contact,
        row.customer.tax_id,
    )


def test_control_characters_are_escaped_in_messages() -> None:
    """A value quoted in a message never carries raw control characters."""
    # XML cannot hold most C0 controls, so the workbook carries a bidi override.
    data = xlsx_bytes([["name", "email"], ["Acme", "x\u202e@evil"]])
    (from_xlsx,) = read_customers(data).problems
    (from_csv,) = read_customers(b"name,email\nAcme,x\x1b[2J@evil\n").problems

    assert "'x\\u202e@evil'" in from_xlsx.message
    assert "'x\\x1b[2J@evil'" in from_csv.message
    assert from_xlsx.message.isprintable()
    assert from_csv.message.isprintable()


def test_iter_customers_streams_and_raises_on_iteration() -> None:
    """iter_customers yields as it reads; an unreadable file raises on next()."""
    items = iter_customers(b"name\nA\nB\n")
    first = next(items)
    assert isinstance(first, CustomerRow)
    assert ["B"] == [
        item.customer.name for item in items if isinstance(item, CustomerRow)
    ]

    broken = iter_customers(b"")
    with pytest.raises(ImportFileError, match="empty"):
        next(broken)


def test_iter_customers_yields_problems_in_file_order() -> None:
    """Problems and rows come interleaved in file order."""
    kinds = [
        type(item).__name__
        for item in iter_customers(b"name,email\nA,\nB,bad\nC,\n")
        if isinstance(item, (CustomerRow, Problem))
    ]

    assert ["CustomerRow", "Problem", "CustomerRow"] == kinds


def test_xls_time_of_day_cells_read_as_times() -> None:
    """An XLS time-of-day cell reads as the time, as it does from XLSX."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Customers")
    sheet.write(0, 0, "name")
    sheet.write(0, 1, "contact")
    sheet.write(1, 0, "Acme")
    sheet.write(1, 1, dt.time(10, 30), xlwt.easyxf(num_format_str="hh:mm"))
    out = io.BytesIO()
    book.save(out)

    (row,) = read_customers(out.getvalue()).rows

    assert "10:30:00" == row.customer.contact
