"""Spreadsheet specifics: formulas, macro-enabled workbooks, XLS cell types."""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwt
from openpyxl.reader.excel import ExcelReader

from handshake_import import (
    CustomerRow,
    ImportFileError,
    Problem,
    iter_customers,
    read_customers,
)

from .tables import rewrite_part, xlsx_bytes


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


# -- openpyxl's warnings ------------------------------------------------------------
#
# openpyxl warns about what it drops, also while rows are read. The library
# leaves its warnings to the program's filters: it never changes
# `warnings.filters` (which belong to the whole process). The suite turns
# warnings into errors, so a test reading such a workbook says what it expects.

_VALIDATION_EXTENSION = (
    '<extLst><ext uri="{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="0"/></ext></extLst></worksheet>'
)
_DROPPED = "Data Validation extension is not supported and will be removed"


def _with_validation_extension(table: list[list[object]]) -> bytes:
    """An XLSX whose sheet ends with a data-validation extension, as Excel
    writes for a drop-down list fed from another sheet."""
    return rewrite_part(
        xlsx_bytes(table),
        "xl/worksheets/sheet1.xml",
        {"</worksheet>": _VALIDATION_EXTENSION},
    )


def test_what_openpyxl_drops_while_reading_rows_is_a_warning_to_the_caller() -> None:
    """openpyxl reaches the extension after the last row and warns that it
    drops it: the caller gets that warning, from openpyxl, and every row."""
    data = _with_validation_extension([["name"], ["Acme"], ["Beta"]])

    with pytest.warns(UserWarning, match=_DROPPED) as caught:
        result = read_customers(data)

    (warning,) = caught
    assert Path(warning.filename).match("openpyxl/worksheet/_reader.py")
    assert ["Acme", "Beta"] == [row.customer.name for row in result.rows]


def test_reading_leaves_the_warning_filters_as_they_were(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While a workbook is opened, between its rows and after the last,
    `warnings.filters` is the very list it was, as it was: nothing silences
    openpyxl (or another thread) for a moment, nothing stays behind; and
    openpyxl's warning reaches the caller."""
    data = _with_validation_extension([["name"], *([f"C{n}"] for n in range(300))])
    read = ExcelReader.read
    seen: list[tuple[bool, list[object]]] = []

    def watch() -> None:
        seen.append((warnings.filters is filters, list(warnings.filters)))

    def watched_read(*args: Any, **kwargs: Any) -> object:
        watch()
        return read(*args, **kwargs)

    monkeypatch.setattr(ExcelReader, "read", watched_read)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        filters = warnings.filters
        before = list(filters)
        for _ in iter_customers(data):
            watch()
        watch()

    assert [(True, before)] * 302 == seen
    assert [_DROPPED] == [str(warning.message) for warning in caught]


def test_a_program_that_makes_warnings_errors_gets_openpyxls_warning() -> None:
    """Under the "error" action openpyxl's warning is raised as itself, not
    taken for a damaged file."""
    data = _with_validation_extension([["name"], ["Acme"]])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match=_DROPPED) as caught:
            read_customers(data)

    assert not isinstance(caught.value, ImportFileError)


def test_openpyxls_warnings_can_be_ignored_with_one_filter() -> None:
    """The filter docs/formats.md gives silences openpyxl's warnings, and
    only them."""
    data = _with_validation_extension([["name"], ["Acme"]])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", module="openpyxl")
        result = read_customers(data)
        warnings.warn("the program's own", UserWarning, stacklevel=1)

    assert ["the program's own"] == [str(warning.message) for warning in caught]
    assert ["Acme"] == [row.customer.name for row in result.rows]


def test_a_date_cell_outside_the_calendar_is_an_excel_error() -> None:
    """openpyxl reads a date serial past the calendar as #VALUE!, and warns:
    the caller gets the warning and the excel-error problem."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "contact"])
    sheet.append(["Acme", 1e10])
    sheet["B2"].number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    workbook.save(out)

    with pytest.warns(UserWarning, match="is marked as a date but the serial value"):
        (problem,) = read_customers(out.getvalue()).problems

    assert ("excel-error", "B2") == (problem.code, problem.cell)


def test_the_callers_warnings_between_rows_are_left_alone() -> None:
    """A warning the caller raises while iterating is seen, every time."""
    data = _with_validation_extension(
        [["name"], *([f"Customer {n}"] for n in range(600))]
    )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        count = 0
        for item in iter_customers(data):
            if isinstance(item, CustomerRow):
                count += 1
                warnings.warn(f"caller {count}", UserWarning, stacklevel=1)

    assert 600 == count
    assert [*(f"caller {n}" for n in range(1, 601)), _DROPPED] == [
        str(warning.message) for warning in caught
    ]


def test_a_callers_warning_shown_once_stays_shown_once() -> None:
    """Under the default action a warning shows once per place. Reading rows
    must not reset that record (as changing the filters does), or the
    caller's warning would show again and again."""
    data = xlsx_bytes([["name"], *([f"C{n}"] for n in range(1000))])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for item in iter_customers(data):
            if isinstance(item, CustomerRow):
                warnings.warn("the caller's warning", UserWarning, stacklevel=1)

    assert ["the caller's warning"] == [str(warning.message) for warning in caught]
