"""Spreadsheet cell values become text the way a person reads them."""

from __future__ import annotations

import datetime as dt
import enum
import math
import numbers
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handshake_import import (
    Customer,
    ImportFileError,
    InMemoryStore,
    UpdateCustomer,
    read_customers,
    reconcile,
)
from handshake_import._readers import _cells
from handshake_import._readers._cells import cell_text, float_text
from handshake_import._values import EXCEL_ERRORS

from .tables import csv_bytes, xlsx_bytes


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("abc", "abc"),
        (123, "123"),
        (123.0, "123"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.3"),
        (1.1 + 2.2, "3.3"),
        (12.5, "12.5"),
        (1e-7, "1E-07"),
        (2.0**53, "9.00719925474099E+15"),
        (123456789012345678.0, "1.23456789012346E+17"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (math.nan, "nan"),
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.datetime(2024, 1, 31), "2024-01-31"),
        (dt.datetime(2024, 1, 31, 9, 30), "2024-01-31T09:30:00"),
        (dt.date(2024, 1, 31), "2024-01-31"),
        (dt.time(9, 30), "09:30:00"),
        (dt.timedelta(hours=26, minutes=5), "26:05:00"),
        (Decimal("2.50"), "2.5"),
        (Decimal("NaN"), "nan"),
        (Decimal("sNaN"), "nan"),
        (Decimal("Infinity"), "inf"),
        (Decimal("-Infinity"), "-inf"),
        # Past Python's limit on int-to-text digits (4,300):
        pytest.param(10**5000, "1" + "0" * 5000, id="int of 5,001 digits"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    """Each kind of value has one textual form."""
    assert text == cell_text(value)


class _Colour(str, enum.Enum):
    RED = "red"


class _Size(int, enum.Enum):
    LARGE = 3


class _Float(float):
    """Like `numpy.float64`, a subclass of float."""


class _Moment(dt.datetime):
    """Like `pandas.Timestamp`, a subclass of datetime."""


class _Int64:
    """Like `numpy.int64`: an integer that is not an `int`."""

    def __int__(self) -> int:
        return 1234

    def __str__(self) -> str:
        return "Int64(1234)"


class _Float32:
    """Like `numpy.float32`: a real number that is not a `float`."""

    def __float__(self) -> float:
        return 2110.0

    def __str__(self) -> str:
        return "Float32(2110.0)"


numbers.Integral.register(_Int64)
numbers.Real.register(_Float32)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (_Colour.RED, "red"),
        (_Size.LARGE, "3"),
        (_Float(1234.0), "1234"),
        (_Moment(2024, 1, 31), "2024-01-31"),
        (_Int64(), "1234"),
        (_Float32(), "2110"),
    ],
)
def test_cell_text_of_subclasses_is_that_of_their_base_type(
    value: object, text: str
) -> None:
    """A value of a subclass of a known type is written as its base type,
    not through its own `str()` (``1234.0``, ``_Colour.RED``)."""
    assert str(value) != text
    assert cell_text(value) == text


def test_float_text_keeps_integers_below_2_53_exact() -> None:
    """Integral floats below 2**53 print as the integer they are."""
    assert float_text(2.0**53 - 1) == "9007199254740991"


def test_workbook_cells_of_every_type() -> None:
    """An XLSX's typed cells reach the record as text."""
    table = [
        ["name", "contact", "bill_postcode", "taxID", "bill_phone"],
        ["Acme", dt.datetime(2024, 5, 1), 2110, True, 5550100.0],
    ]
    (row,) = read_customers(xlsx_bytes(table)).rows

    assert row.customer.bill_to is not None
    assert (
        row.customer.contact,
        row.customer.bill_to.postcode,
        row.customer.tax_id,
        row.customer.bill_to.phone,
    ) == ("2024-05-01", "2110", "TRUE", "5550100")


# Text a user can type into a cell: printable, no surrounding spaces (trimmed
# by design), NFC (normalised by design), within Excel's cell limit.
cell_texts = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Cf", "Co", "Cn"),
        ),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    # Error literals such as '#N/A' are refused by design (excel-error).
    .filter(lambda text: text and text.isprintable() and text not in EXCEL_ERRORS)
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@given(st.lists(cell_texts, min_size=1, max_size=5))
def test_any_text_reads_back_unchanged_from_csv(values: list[str]) -> None:
    """Any cell text written to CSV reads back unchanged (as the name)."""
    values = [_nfc(value).strip() for value in values]
    values = [value for value in values if value and value not in EXCEL_ERRORS]
    table = [["name"], *([value] for value in values)]
    rows = read_customers(csv_bytes(table)).rows

    assert values == [row.customer.name for row in rows]


@given(st.lists(cell_texts, min_size=1, max_size=5))
def test_any_text_reads_back_unchanged_from_xlsx(values: list[str]) -> None:
    """Any cell text written to XLSX reads back unchanged (as the contact)."""
    values = [_nfc(value).strip() for value in values]
    values = [value for value in values if value and value not in EXCEL_ERRORS]
    table = [["name", "contact"], *(["n", value] for value in values)]
    rows = read_customers(xlsx_bytes(table)).rows

    assert values == [row.customer.contact for row in rows]


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ([{"id": "\udc80", "name": "Acme"}], "The value in row 2, column 'id',"),
        ([{"name": "A"}, {"name": "B\ud800"}], "The value in row 3, column 'name',"),
        (
            [{"name": "A"}, {"name": "B", "x": "\ud800"}],
            "A value without a header in row 3",
        ),
        ([{"name\udc80": "A"}], "A header"),
    ],
)
def test_rows_given_as_mappings_must_hold_unicode_text(
    rows: list[dict[str, str]], where: str
) -> None:
    """A Python string can hold half a character (an unpaired surrogate),
    which no file can and no database stores: refused, with its place."""
    with pytest.raises(ImportFileError) as raised:
        read_customers(rows)

    assert str(raised.value).startswith(f"{where} is not valid text")
    assert "unpaired surrogate" in str(raised.value)


def _fake_pandas_marker(name: str, module: str) -> object:
    """An object of a class named like pandas' missing-value markers."""
    return type(name, (), {"__module__": module, "__str__": lambda self: "<NA>"})()


@pytest.mark.parametrize(
    "missing",
    [
        None,
        math.nan,
        _Float("nan"),
        Decimal("NaN"),
        _fake_pandas_marker("NAType", "pandas._libs.missing"),
        _fake_pandas_marker("NaTType", "pandas._libs.tslibs.nattype"),
    ],
)
def test_missing_values_of_rows_given_as_mappings_are_blank_cells(
    missing: object,
) -> None:
    """Rows from a data frame hold NaN (or pandas' NA, NaT) where the sheet
    had a blank cell: blank, never the text 'nan'."""
    result = read_customers([{"name": "Acme", "contact": missing, "taxID": "T1"}])

    (row,) = result.rows
    assert (row.customer.contact, row.customer.tax_id) == (None, "T1")
    assert "contact" in row.present
    assert result.problems == ()


def test_an_object_named_like_a_pandas_marker_elsewhere_is_text() -> None:
    """Only pandas' own markers are missing values."""
    marker = _fake_pandas_marker("NAType", "mylib.missing")

    (row,) = read_customers([{"name": "Acme", "contact": marker}]).rows

    assert row.customer.contact == "<NA>"


def test_nan_in_a_row_given_as_a_mapping_clears_the_field() -> None:
    """A NaN is a blank cell of a present column: the update clears the
    field, and a NaN customer group is no unknown group."""
    store = InMemoryStore(
        [Customer(id="C1", name="Acme", internal_id="1", contact="Zed")],
        customer_groups=["Retail"],
    )
    rows = [
        {"id": "C1", "name": "Acme", "contact": math.nan, "customerGroup": math.nan}
    ]

    plan = reconcile(rows, store)

    assert plan.problems == ()
    (action,) = plan.actions
    assert isinstance(action, UpdateCustomer)
    assert dict(action.changes) == {"contact": ("Zed", None)}


def test_conversions_found_per_type_are_bounded() -> None:
    """Types made on the fly are converted right, and the record of the
    conversions found stays bounded."""
    kinds = [type(f"Float{n}", (float,), {}) for n in range(300)]

    assert {cell_text(kind(2.0)) for kind in kinds} == {"2"}
    assert len(_cells._FOUND) <= _cells._FOUND_LIMIT
