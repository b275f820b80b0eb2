"""Rows -> CustomerRow / Problem, run through every reader (CSV, TSV, XLSX, XLS)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from handshake_import import (
    Address,
    CustomColumn,
    Customer,
    Limits,
    Problem,
    Schema,
    read_customers,
)
from handshake_import._problems import quote

from .tables import Writer, csv_bytes, xls_bytes, xlsx_bytes

TEMPLATE = [
    "id",
    "internal_id",
    "name",
    "contact",
    "email",
    "bill_id",
    "bill_name",
    "bill_street",
    "bill_street2",
    "bill_city",
    "bill_state",
    "bill_postcode",
    "bill_country",
    "bill_phone",
    "bill_fax",
    "ship_id",
    "ship_name",
    "ship_street",
    "ship_street2",
    "ship_city",
    "ship_state",
    "ship_postcode",
    "ship_country",
    "ship_phone",
    "ship_fax",
    "paymentTerms",
    "shippingMethod",
    "taxID",
    "customerGroup",
    "userGroup",
    "id:Acme Tools",
]


def codes(problems: tuple[Problem, ...]) -> list[str]:
    return [problem.code for problem in problems]


def test_full_template_row(write_table: Writer) -> None:
    """Every template column lands on its field of the record."""
    row = [
        "C00042", "", "Harbor Hardware", "Dana", "a@shop.example; b@shop.example",
        "B1", "Harbor HQ", "1 Main St", "Suite 2", "Boston", "MA", "02110",
        "United States", "555-0100", "555-0101",
        "S1", "Harbor Dock", "9 Pier Rd", "", "Boston", "MA", "02111",
        "United States", "555-0102", "",
        "Net 30", "UPS Ground", "04-123", "wholesale", "East Coast Reps", "AC-1",
    ]  # fmt: skip
    result = read_customers(write_table([TEMPLATE, row]))

    assert list(result.problems) == []
    (parsed,) = result.rows
    assert parsed.row == 2
    assert set(TEMPLATE) == parsed.present
    assert (
        Customer(
            id="C00042",
            name="Harbor Hardware",
            contact="Dana",
            emails=("a@shop.example", "b@shop.example"),
            bill_to=Address(
                id="B1",
                name="Harbor HQ",
                street="1 Main St",
                street2="Suite 2",
                city="Boston",
                state="MA",
                postcode="02110",
                country="United States",
                phone="555-0100",
                fax="555-0101",
            ),
            ship_to=Address(
                id="S1",
                name="Harbor Dock",
                street="9 Pier Rd",
                city="Boston",
                state="MA",
                postcode="02111",
                country="United States",
                phone="555-0102",
            ),
            payment_terms="Net 30",
            shipping_method="UPS Ground",
            tax_id="04-123",
            customer_group="wholesale",
            user_group="East Coast Reps",
            manufacturer_ids={"Acme Tools": "AC-1"},
        )
        == parsed.customer
    )


def test_blank_ship_to_is_no_address(write_table: Writer) -> None:
    """All ship_* cells blank = no separate shipping address."""
    header = ["name", "ship_street", "ship_city", "bill_city"]
    result = read_customers(write_table([header, ["Acme", "", "", "Paris"]]))

    (row,) = result.rows
    assert row.customer.ship_to is None
    assert Address(city="Paris") == row.customer.bill_to


def test_blank_name_is_an_error_on_its_cell(write_table: Writer) -> None:
    """A blank name is an error positioned on the name cell."""
    result = read_customers(write_table([["id", "name"], ["7", "Acme"], ["8", ""]]))

    assert [row.customer.id for row in result.rows] == ["7"]
    (problem,) = result.problems
    assert (problem.severity, problem.code) == ("error", "missing-value")
    assert (problem.row, problem.column, problem.cell) == (3, "name", "B3")
    assert problem.message == "The name is blank; every customer needs one."


def test_sheet_name_on_problems() -> None:
    """Problems from a workbook carry the sheet name; CSV problems carry None."""
    table = [["name", "email"], ["Acme", "bad"]]
    (from_xlsx,) = read_customers(xlsx_bytes(table, title="Clients")).problems
    (from_csv,) = read_customers(csv_bytes(table)).problems

    assert from_xlsx.sheet == "Clients"
    assert from_csv.sheet is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("a@x.example", ("a@x.example",)),
        ("a@x.example, b@x.example", ("a@x.example", "b@x.example")),
        ("a@x.example;b@x.example", ("a@x.example", "b@x.example")),
        ("a@x.example b@x.example\nc@x.example", ("a@x.example", "b@x.example", "c@x.example")),
        ("A@X.example; a@x.example, b@x.example", ("A@X.example", "b@x.example")),
        (" ;a@x.example;; ", ("a@x.example",)),
        ("jörg@müller.example", ("jörg@müller.example",)),
        # Only case makes two addresses one: casefold() would merge these.
        ("straße@x.example STRASSE@x.example", ("straße@x.example", "STRASSE@x.example")),
        ("STRASSE@x.example strasse@X.example", ("STRASSE@x.example",)),
    ],
)  # fmt: skip
def test_email_lists(write_table: Writer, cell: str, expected: tuple[str, ...]) -> None:
    """Several addresses per cell; duplicates dropped ignoring case, first kept."""
    (row,) = read_customers(write_table([["name", "email"], ["Acme", cell]])).rows

    assert expected == row.customer.emails


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("orders@@example.com", "'orders@@example.com' is not a valid email address (it must contain exactly one @)."),
        ("a@x.example; nope", "'nope' is not a valid email address (it must contain exactly one @)."),
        ("@x.example", "'@x.example' is not a valid email address (there is nothing before the @)."),
        ("a@", "'a@' is not a valid email address (there is nothing after the @)."),
        ("a@localhost", "'a@localhost' is not a valid email address (the domain after the @ needs a dot, like example.com)."),
        ("a..b@x.example", "'a..b@x.example' is not a valid email address (dots cannot start, end or double up before the @)."),
        ("a@x..example", "'a@x..example' is not a valid email address (the domain has an empty part)."),
        ("a@-x.example", "'a@-x.example' is not a valid email address (the domain part '-x' is not valid)."),
        ("a(b)@x.example", "'a(b)@x.example' is not a valid email address ('(' cannot appear in an address)."),
        ("a@x_y.example", "'a@x_y.example' is not a valid email address ('_' cannot appear in a domain)."),
        ("a@x.123", "'a@x.123' is not a valid email address (the domain cannot end in a number)."),
        ("a" * 65 + "@x.example", "'" + "a" * 65 + "@x.example' is not a valid email address (it is too long)."),
    ],
)  # fmt: skip
def test_invalid_emails(write_table: Writer, cell: str, message: str) -> None:
    """Each address is checked; the message names the bad one and why."""
    result = read_customers(write_table([["name", "email"], ["Acme", cell]]))

    assert result.rows == ()
    (problem,) = result.problems
    assert ("invalid-email", "B2", message) == (
        problem.code,
        problem.cell,
        problem.message,
    )


def test_email_check_is_linear_on_crafted_addresses() -> None:
    """Addresses crafted to make backtracking regexes explode are checked fast."""
    crafted = [
        "a" * 60 + "@" + "a." * 30 + "!",
        "a@" + "a-" * 30 + "!",
        "." * 60 + "@x",
    ]
    table = [["name", "email"]] + [["Acme", address * 200] for address in crafted]
    start = time.perf_counter()
    result = read_customers(csv_bytes(table))
    elapsed = time.perf_counter() - start

    assert codes(result.problems) == ["invalid-email"] * 3
    assert elapsed < 5.0  # a backtracking check would run for hours


@pytest.mark.parametrize(
    "mangled",
    ["1.23457E+11", "1.2E+15", "-4.5e-03", "12,5E+10", "inf", "NaN", "-Infinity"],
)
def test_mangled_ids(write_table: Writer, mangled: str) -> None:
    """An id Excel rounded or wrote in scientific notation is an error, not an id."""
    result = read_customers(
        write_table(
            [["id", "name", "id:Acme"], [mangled, "A", ""], ["1", "B", mangled]]
        )
    )

    assert result.rows == ()
    assert [(p.cell, p.column) for p in result.problems] == [
        ("A2", "id"),
        ("C3", "id:Acme"),
    ]
    assert {"mangled-id"} == set(codes(result.problems))


def test_big_float_id_from_a_workbook_is_mangled() -> None:
    """A number cell beyond 2**53 has lost digits: reported, never a wrong id."""
    result = read_customers(xlsx_bytes([["id", "name"], [123456789012345678.0, "A"]]))

    (problem,) = result.problems
    assert problem.code == "mangled-id"
    assert "'1.23456789012346E+17'" in problem.message


def test_numeric_ids_and_leading_zeros(write_table: Writer) -> None:
    """Numbers read as a person reads them; text ids keep leading zeros."""
    table = [
        ["id", "name", "bill_postcode"],
        [10045, "A", "02110"],
        ["00042", "B", 2110.0],
    ]
    rows = read_customers(write_table(table)).rows

    assert [
        (row.customer.id, row.customer.bill_to and row.customer.bill_to.postcode)
        for row in rows
    ] == [("10045", "02110"), ("00042", "2110")]


def test_blank_rows_are_skipped_and_rows_keep_real_numbers(write_table: Writer) -> None:
    """Blank rows (also before the header) are skipped; row numbers stay real."""
    table = [
        [],
        ["", ""],
        ["name", "id"],
        ["A", "1"],
        ["", ""],
        [" ", None],
        ["B", "2"],
    ]
    result = read_customers(write_table(table))

    assert [(row.row, row.customer.name) for row in result.rows] == [(4, "A"), (7, "B")]
    assert result.problems == ()


def test_header_only_file_has_zero_rows(write_table: Writer) -> None:
    """A header with no data rows is not an error: zero rows, no problems."""
    result = read_customers(write_table([["id", "name", "email"]]))

    assert (result.rows, result.problems) == ((), ())


def test_values_are_trimmed_and_normalised(write_table: Writer) -> None:
    """Spaces, non-breaking and zero-width spaces are trimmed; text is NFC."""
    name = "\u00a0\u200b Cafe\u0301 Lumière \u200b\ufeff"
    (row,) = read_customers(write_table([["name", "contact"], [name, "  Jo  "]])).rows

    assert (row.customer.name, row.customer.contact) == ("Café Lumière", "Jo")


@pytest.mark.parametrize(
    "source",
    [
        b"id,name,contact\r\nC-10\x0003,Acme,Jo\r\nC2,Beta,Bo\r\n",
        b'id,name,contact\r\n"C-10\x0003","Acme, Inc.",Jo\r\nC2,Beta,Bo\r\n',
        xls_bytes([["id", "name", "contact"], ["C-10\x0003", "Acme", "Jo"], ["C2", "Beta", "Bo"]]),
        [{"id": "C-10\x0003", "name": "Acme", "contact": "Jo"},
         {"id": "C2", "name": "Beta", "contact": "Bo"}],
    ],
    ids=["csv", "quoted-csv", "xls", "mappings"],
)  # fmt: skip
def test_a_nul_in_a_cell_is_an_error_on_that_cell(source: object) -> None:
    """A value with a NUL is refused, never read without it: `C-10<NUL>03`
    must not become `C-1003`, another customer's id."""
    result = read_customers(source)  # type: ignore[arg-type]

    assert ["C2"] == [row.customer.id for row in result.rows]
    (problem,) = result.problems
    assert ("nul-in-cell", 2, "id") == (problem.code, problem.row, problem.column)
    assert "A2" == problem.cell
    assert "'C-10\\x0003'" in problem.message


def test_too_long_cell_is_a_problem_on_that_cell(write_table: Writer) -> None:
    """A cell over Limits.max_cell_chars is an error on that cell, not an exception."""
    table = [["name", "contact"], ["Acme", "x" * 30], ["Beta", "ok"]]
    result = read_customers(write_table(table), limits=Limits(max_cell_chars=20))

    assert [row.customer.name for row in result.rows] == ["Beta"]
    (problem,) = result.problems
    assert (problem.code, problem.cell) == ("cell-too-long", "B2")
    assert problem.message == "This cell holds 30 characters; at most 20 are allowed."


def test_more_cells_than_header_is_an_error(write_table: Writer) -> None:
    """A row with more filled cells than the header is an error, never cut."""
    table = [["name", "email"], ["Smith", "John", "s@x.example"], ["Ok", "", "", ""]]
    result = read_customers(write_table(table))

    assert [row.customer.name for row in result.rows] == ["Ok"]
    (problem,) = result.problems
    assert (problem.code, problem.row, problem.cell) == ("too-many-cells", 2, "C2")
    assert "'s@x.example' in column C has no header" in problem.message


def test_fewer_cells_than_header_are_blanks() -> None:
    """A short row is read with the missing cells blank."""
    (row,) = read_customers(b"name,contact,email\nAcme\n").rows

    assert (
        row.customer.name,
        row.customer.contact,
        row.customer.emails,
    ) == ("Acme", None, ())


def test_errors_collected_for_every_bad_cell_of_a_row(write_table: Writer) -> None:
    """One problem per bad cell; the whole row is reported, then reading goes on."""
    table = [["id", "name", "email"], ["1E+5", "", "bad"], ["2", "Fine", ""]]
    result = read_customers(write_table(table))

    assert [row.customer.name for row in result.rows] == ["Fine"]
    assert [(p.code, p.cell) for p in result.problems] == [
        ("missing-value", "B2"),
        ("mangled-id", "A2"),
        ("invalid-email", "C2"),
    ]


def test_custom_columns(write_table: Writer) -> None:
    """Custom typed columns land on Customer.custom with their types."""
    schema = Schema(
        [
            CustomColumn(name="creditLimit", type="decimal"),
            CustomColumn(name="visits", type="integer"),
            CustomColumn(name="vip", type="boolean"),
            CustomColumn(name="since", type="date", dayfirst=True),
            CustomColumn(name="tier", type="choice", choices=("Gold", "Silver")),
            CustomColumn(name="notify", type="email-list"),
            CustomColumn(name="note"),
        ]
    )
    header = [
        "name",
        "Credit Limit",
        "visits",
        "VIP",
        "since",
        "tier",
        "notify",
        "note",
    ]
    table = [
        header,
        ["A", "1,234.50", "1,000", "yes", "03/02/2024", "gold", "x@y.example", "hi"],
        ["B", 12.5, 7, True, dt.datetime(2024, 2, 3), "Silver", "", ""],
    ]
    rows = read_customers(write_table(table), schema=schema).rows

    assert [
        {
            "creditLimit": Decimal("1234.50"),
            "visits": 1000,
            "vip": True,
            "since": dt.date(2024, 2, 3),
            "tier": "Gold",
            "notify": ("x@y.example",),
            "note": "hi",
        },
        {
            "creditLimit": Decimal("12.5"),
            "visits": 7,
            "vip": True,
            "since": dt.date(2024, 2, 3),
            "tier": "Silver",
        },
    ] == [dict(row.customer.custom) for row in rows]


@pytest.mark.parametrize(
    ("column", "cell", "code", "message"),
    [
        (CustomColumn(name="n", type="integer"), "12.5", "invalid-integer", "'12.5' is not a whole number."),
        (CustomColumn(name="n", type="integer"), "9,223,372,036,854,775,808", "invalid-integer", "'9,223,372,036,854,775,808' is not a whole number that fits in 64 bits (-9,223,372,036,854,775,808 to 9,223,372,036,854,775,807)."),
        (CustomColumn(name="n", type="integer"), "9" * 5000, "invalid-integer", f"{quote('9' * 5000)} is not a whole number that fits in 64 bits (-9,223,372,036,854,775,808 to 9,223,372,036,854,775,807)."),
        (CustomColumn(name="n", type="decimal"), "12,5,0", "invalid-decimal", "'12,5,0' is not a number."),
        (CustomColumn(name="n", type="decimal"), "NaN", "invalid-decimal", "'NaN' is not a number."),
        (CustomColumn(name="n", type="boolean"), "maybe", "invalid-boolean", "'maybe' is not a yes/no value (use TRUE/FALSE, yes/no, y/n or 1/0)."),
        (CustomColumn(name="n", type="date", dayfirst=False), "31/02/2024", "invalid-date", "'31/02/2024' is not a date."),
        (CustomColumn(name="n", type="date", dayfirst=False), "March", "invalid-date", "'March' is not a date (it needs a day, month and year)."),
        (CustomColumn(name="n", type="choice", choices=("a", "b")), "c", "invalid-choice", "'c' is not one of the allowed values: 'a', 'b'."),
        (CustomColumn(name="n", type="email-list"), "x@", "invalid-email", "'x@' is not a valid email address (there is nothing after the @)."),
    ],
)  # fmt: skip
def test_custom_column_errors(
    column: CustomColumn, cell: str, code: str, message: str
) -> None:
    """Each custom type refuses what it cannot read, with a plain message."""
    result = read_customers(
        csv_bytes([["name", "n"], ["A", cell]]), schema=Schema([column])
    )

    (problem,) = result.problems
    assert (code, "B2", message) == (problem.code, problem.cell, problem.message)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("9,223,372,036,854,775,807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
        ("0" * 40 + "42", 42),
    ],
)
def test_integer_column_holds_64_bits(cell: str, value: int) -> None:
    """The ends of the 64-bit range are accepted, leading zeros too."""
    result = read_customers(
        csv_bytes([["name", "n"], ["A", cell]]),
        schema=Schema([CustomColumn(name="n", type="integer")]),
    )

    assert [{"n": value}] == [dict(row.customer.custom) for row in result.rows]


def test_dayfirst_is_explicit() -> None:
    """The same text is 3 February or 2 March depending on dayfirst."""
    table = csv_bytes([["name", "d"], ["A", "03/02/2024"]])
    first = read_customers(
        table, schema=Schema([CustomColumn(name="d", type="date", dayfirst=True)])
    )
    second = read_customers(
        table, schema=Schema([CustomColumn(name="d", type="date", dayfirst=False)])
    )

    assert dt.date(2024, 2, 3) == first.rows[0].customer.custom["d"]
    assert dt.date(2024, 3, 2) == second.rows[0].customer.custom["d"]


def test_required_custom_column() -> None:
    """A required custom column must be in the header and filled in every row."""
    schema = Schema([CustomColumn(name="region", required=True)])
    missing = read_customers(csv_bytes([["name"], ["A"]]), schema=schema)
    blank = read_customers(csv_bytes([["name", "region"], ["A", ""]]), schema=schema)

    assert codes(missing.problems) == ["missing-required-column"]
    assert [(p.code, p.cell) for p in blank.problems] == [("missing-value", "B2")]


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#DIV/0!", "#VALUE!"])
def test_spreadsheet_error_values_are_errors(write_table: Writer, error: str) -> None:
    """A formula's error value (#N/A ...) is never taken as a name or an id."""
    result = read_customers(
        write_table([["id", "name"], [error, "Acme"], ["2", error]])
    )

    assert () == result.rows
    assert [("excel-error", "A2"), ("excel-error", "B3")] == [
        (p.code, p.cell) for p in result.problems
    ]
    assert (
        f"This cell holds the spreadsheet error {error} instead"
        in result.problems[0].message
    )


def test_hash_in_a_value_is_fine(write_table: Writer) -> None:
    """A value that merely contains # is ordinary text."""
    (row,) = read_customers(
        write_table([["name", "bill_street"], ["Acme #1", "#5 Main"]])
    ).rows

    assert "Acme #1" == row.customer.name


def test_rows_that_parse_with_warnings_are_kept() -> None:
    """Warnings (an unknown column) do not drop rows."""
    result = read_customers(csv_bytes([["name", "notes"], ["A", "x"]]))

    assert [row.customer.name for row in result.rows] == ["A"]
    assert codes(result.problems) == ["unknown-column"]
    assert result.ok
