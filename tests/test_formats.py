"""Number formats that show a number with leading zeros: applied to the
text of the cell in both workbook readers, or the cell reported; never
another id."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence

import openpyxl
import pytest
import xlwt
from hypothesis import given
from hypothesis import strategies as st

from handshake_import import (
    Customer,
    InMemoryStore,
    UpdateCustomer,
    read_customers,
    reconcile,
)
from handshake_import._readers._formats import UNREADABLE, shown_by

from .tables import rewrite_part

Formats = Mapping[tuple[int, int], str]


@pytest.mark.parametrize(
    ("code", "value", "text"),
    [
        ("00000", 42, "00042"),
        ("00000", 42.0, "00042"),
        ("00000", 0, "00000"),
        ("00000", 1234567, "1234567"),
        ("000-000", 42, "000-042"),
        ("000-000", 1234567, "1234-567"),
        ("000-00-0000", 12345678, "012-34-5678"),
        ("000\\-00\\-0000", 12345678, "012-34-5678"),
        ('"C"00000', 42, "C00042"),
        ("#0000", 5, "0005"),
        ("0#0", 5, "05"),
        ("[Red]00000", 42, "00042"),
        ("[$-409]00000", 7, "00007"),
        ("00000_)", 42, "00042 "),
        ("00000", -42, "-00042"),
        ("00000;(00000)", -42, "(00042)"),
        ("0000;@", 12, "0012"),
        ("00000", 42.5, UNREADABLE),
        ("00000", 2.0**53, UNREADABLE),
        ("00000", float("inf"), UNREADABLE),
        ("00000.00", 42, UNREADABLE),
        ("#,#00000", 42, UNREADABLE),
        ("[<=99999]00000;00000-0000", 42, UNREADABLE),
        ("00000;#,##0.00", -1.5, "-1.5"),
        ('00000;-00000;"none"', 0, "0"),
        ("[h]00", 5, UNREADABLE),
    ],
)
def test_zero_padding_formats(code: str, value: float, text: str) -> None:
    """A format of zeros, # and literal text pads a whole number as Excel
    does; one that pads in a way not applied here is UNREADABLE."""
    shown = shown_by(code)

    assert shown is not None
    assert text == shown(value)


@pytest.mark.parametrize(
    "code",
    ["General", "0", "@", "0.00", "#,##0", "#,##0.00", "0%", '"C"0', "mm/dd/yyyy"],
)
def test_other_formats_are_left_alone(code: str) -> None:
    """Formats that show no leading zeros: the cell reads as its number."""
    assert shown_by(code) is None


# -- both readers ----------------------------------------------------------------


def xlsx_formatted(table: Sequence[Sequence[object]], formats: Formats) -> bytes:
    """The table as an XLSX, cell (row, column) (1-based) in its format."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Customers"
    for row in table:
        sheet.append(list(row))
    for (row, column), code in formats.items():
        sheet.cell(row, column).number_format = code
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xls_formatted(table: Sequence[Sequence[object]], formats: Formats) -> bytes:
    """The table as an XLS, cell (row, column) (1-based) in its format."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Customers")
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            code = formats.get((r + 1, c + 1))
            if code is None:
                sheet.write(r, c, value)
            else:
                sheet.write(r, c, value, xlwt.easyxf(num_format_str=code))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WRITERS: dict[str, Callable[[Sequence[Sequence[object]], Formats], bytes]] = {
    "xlsx": xlsx_formatted,
    "xls": xls_formatted,
}

TABLE = [
    ["id", "name", "bill_postcode"],
    [42, "Acme", 2134],
    [7, "Beta", 501],
    [1234567, "Gamma", 9],
    [42, "Delta", 42],
    [99, "Epsilon", 3],
]
FORMATS = {
    (2, 1): "00000",
    (2, 3): "00000",
    (3, 1): '"C"00000',
    (3, 3): "000-000",
    (4, 1): "000-000",
    (4, 3): "@",
    (5, 1): "General",
    (6, 1): "0.00",
}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_ids_and_postcodes_read_as_their_format_shows_them(kind: str) -> None:
    """A number under a zero-padding format reads as Excel shows it (the
    usual way zero-padded customer numbers and postcodes are kept); under
    any other format, as its number."""
    result = read_customers(WRITERS[kind](TABLE, FORMATS))

    assert () == result.problems
    assert [
        ("00042", "02134"),
        ("C00007", "000-501"),
        ("1234-567", "9"),
        ("42", "42"),
        ("99", "3"),
    ] == [
        (row.customer.id, row.customer.bill_to and row.customer.bill_to.postcode)
        for row in result.rows
    ]


@pytest.mark.parametrize("kind", sorted(WRITERS))
@pytest.mark.parametrize(
    ("value", "code"),
    [
        (1234, "[<=99999]00000;00000-0000"),
        (42.5, "00000"),
        (42, "00000.00"),
    ],
)
def test_a_format_that_cannot_be_applied_is_reported(
    kind: str, value: float, code: str
) -> None:
    """The cell is an error at its cell, and its row not read: never the
    bare number, which could be another customer's id."""
    table = [["id", "name"], [value, "Acme"], [1, "Beta"]]

    result = read_customers(WRITERS[kind](table, {(2, 1): code}))

    (problem,) = result.problems
    assert ("unreadable-number-format", 2, "A2", "id") == (
        problem.code,
        problem.row,
        problem.cell,
        problem.column,
    )
    shown = f"{value:g}"
    assert problem.message == (
        f"This cell holds the number {shown}, which its number format '{code}' "
        "shows with leading zeros in a way that cannot be read exactly. Format the "
        "column as Text and type the values as they should read."
    )
    assert ["Beta"] == [row.customer.name for row in result.rows]


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_a_zero_padded_id_matches_its_customer(kind: str) -> None:
    """The id 42 shown as 00042 is customer 00042: an update, not a second
    customer."""
    store = InMemoryStore([Customer(name="Acme", id="00042", contact="Ann")])
    table = [["id", "name", "contact"], [42, "Acme", "Bob"]]

    plan = reconcile(WRITERS[kind](table, {(2, 1): "00000"}), store)

    assert plan.ok
    (action,) = plan.actions
    assert isinstance(action, UpdateCustomer)
    assert ("1", "id") == (action.internal_id, action.matched_by)
    assert {"contact": ("Ann", "Bob")} == dict(action.changes)


@pytest.mark.parametrize(
    ("style", "text"), [("-1", "42"), ("99", "42"), ("1", "00042")]
)
def test_a_style_outside_the_style_table_is_general(style: str, text: str) -> None:
    """A cell naming a style the workbook does not have reads as its
    number (a negative style does not name the last one)."""
    data = xlsx_formatted(
        [["id", "name"], [42, "Acme"], [7, "Beta"]], {(3, 1): "00000"}
    )
    data = rewrite_part(
        data,
        "xl/worksheets/sheet1.xml",
        {'<c r="A2" t="n">': f'<c r="A2" s="{style}" t="n">'},
    )

    result = read_customers(data)

    assert [text, "00007"] == [row.customer.id for row in result.rows]


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=3),
    st.sampled_from(["-", " ", "/", ""]),
    st.sampled_from(sorted(WRITERS)),
)
def test_any_zero_padded_number_reads_as_excel_shows_it(
    number: int, groups: list[int], separator: str, kind: str
) -> None:
    """Whatever the number and the groups of zeros, in either reader: the
    digits padded to the zeros, the separators where the format has them,
    and digits left over in front."""
    code = separator.join("0" * size for size in groups)
    if "00" not in code:
        code = "0" + code
    digits = str(number).rjust(code.count("0"), "0")
    expected, rest = "", digits
    for char in reversed(code):
        if char == "0":
            expected, rest = rest[-1] + expected, rest[:-1]
        else:
            expected = char + expected
    expected = rest + expected

    result = read_customers(
        WRITERS[kind]([["id", "name"], [number, "Acme"]], {(2, 1): code})
    )

    assert () == result.problems
    assert [expected] == [row.customer.id for row in result.rows]
