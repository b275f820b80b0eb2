"""Header matching: the template, aliases, manufacturers, custom columns."""

from __future__ import annotations

import pytest

from handshake_import import CustomColumn, Schema, read_customers
from handshake_import._schema import column_letter, fold, map_header


def mapped(header: list[str], **options: object) -> dict[str, str]:
    columns = map_header(header, header_row=1, sheet=None, schema=Schema(), **options)  # type: ignore[arg-type]
    return {column.header: column.field for column in columns.columns}


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("name", "name"),
        ("NAME", "name"),
        ("Payment Terms", "paymentTerms"),
        ("payment_terms", "paymentTerms"),
        ("BILL STREET 2", "bill_street2"),
        ("Bill-Street-2", "bill_street2"),
        ("bill.street (2)", "bill_street2"),
        ("Tax ID", "taxID"),
        ("  email  ", "email"),
        ("Internal ID", "internal_id"),
        ("ＮＡＭＥ", "name"),
    ],
)
def test_header_matching_ignores_case_spaces_and_punctuation(
    header: str, field: str
) -> None:
    """Headers match template columns ignoring case, spaces and punctuation."""
    assert {header.strip(): field} == mapped([header])


@pytest.mark.parametrize(
    ("header", "manufacturer"),
    [
        ("id:Acme Tools", "Acme Tools"),
        ("ID: Bosch GmbH ", "Bosch GmbH"),
        ("id :3M", "3M"),
    ],
)
def test_manufacturer_columns_keep_the_name_as_typed(
    header: str, manufacturer: str
) -> None:
    """`id:<Manufacturer>` columns keep the manufacturer's name as typed."""
    (column,) = map_header([header], header_row=1, sheet=None, schema=Schema()).columns

    assert (manufacturer, f"id:{manufacturer}") == (column.manufacturer, column.field)


def test_aliases() -> None:
    """Callers map a CRM's headers onto template columns."""
    aliases = {"Customer Name": "name", "E-mail": "email", "Acme #": "id:Acme"}
    header = ["customer name", "E-MAIL", "Acme #"]

    assert mapped(header, aliases=aliases) == {
        "customer name": "name",
        "E-MAIL": "email",
        "Acme #": "id:Acme",
    }


def test_alias_to_unknown_column_is_api_misuse() -> None:
    """An alias naming no template column raises ValueError."""
    with pytest.raises(ValueError, match="'nom' is not a template column"):
        read_customers(b"Nom\nA\n", columns={"Nom": "nom"})


def test_missing_name_column_is_an_error_and_no_rows() -> None:
    """Without a name column, the header error is reported and no row is read."""
    result = read_customers(b"id,email\n1,a@x.example\n")

    (problem,) = result.problems
    assert (
        problem.severity,
        problem.code,
        problem.row,
    ) == ("error", "missing-required-column", 1)
    assert (
        problem.message
        == "The file has no 'name' column, which is required. The header row (row 1) "
        "reads: 'id', 'email'."
    )
    assert result.rows == ()


def test_a_field_given_by_two_columns_is_an_error() -> None:
    """Two columns for one field: an error naming both; no rows are read."""
    result = read_customers(
        b"Name,email,Customer Name\nA,,B\n", columns={"Customer Name": "name"}
    )

    (problem,) = result.problems
    assert (problem.code, problem.cell) == ("duplicate-column", "C1")
    assert (
        problem.message
        == "Columns A ('Name') and C ('Customer Name') both give the 'name' field; keep "
        "only one of them."
    )
    assert result.rows == ()


@pytest.mark.parametrize(
    "header",
    [
        b"name,id:Acme,ID:acme",
        b"name,id:Acme Tools,ID: acme-tools",
        b"name,id:Acme.Tools,id:ACME TOOLS",
    ],
)
def test_duplicate_manufacturer_columns_ignore_case_spaces_and_punctuation(
    header: bytes,
) -> None:
    """Manufacturer names that differ only in case, spaces or punctuation
    are one manufacturer's column twice."""
    result = read_customers(header + b"\nA,1,2\n")

    assert [p.code for p in result.problems] == ["duplicate-column"]
    assert "C1" == result.problems[0].cell


def test_unknown_column_warns_with_a_suggestion() -> None:
    """An unknown column is a warning, with 'did you mean' when one is close."""
    result = read_customers(b"name,Emial,Favourite colour\nA,x,blue\n")

    assert [(p.cell, p.message) for p in result.problems] == [
        ("B1", "Column 'Emial' is not part of the template and is ignored. Did you mean 'email'?"),
        ("C1", "Column 'Favourite colour' is not part of the template and is ignored."),
    ]  # fmt: skip
    assert {"warning"} == {p.severity for p in result.problems}
    assert [row.customer.name for row in result.rows] == ["A"]


def test_blank_header_in_the_middle_warns() -> None:
    """A blank header cell between named columns is a warning; its cells are ignored."""
    result = read_customers(b"name,,contact\nA,ignored,Jo\n")

    (problem,) = result.problems
    assert (
        problem.code,
        problem.cell,
        problem.message,
    ) == ("blank-header", "B1", "Column B has no header; its cells are ignored.")
    assert result.rows[0].customer.contact == "Jo"


def test_trailing_blank_header_columns_are_dropped() -> None:
    """Blank header cells after the last named column are no columns at all."""
    result = read_customers(b"name,contact,,,\nA,Jo,,,\n")

    assert (result.problems, len(result.rows)) == ((), 1)


def test_present_lists_the_columns_in_the_file() -> None:
    """`present` holds exactly the template columns the file has."""
    (row,) = read_customers(
        b"Name,E-mail,id:Acme\nA,,\n", columns={"E-mail": "email"}
    ).rows

    assert frozenset({"name", "email", "id:Acme"}) == row.present


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ([CustomColumn(name="Email")], "clashes with column 'email'"),
        ([CustomColumn(name="x"), CustomColumn(name="X")], "clashes with column 'x'"),
        ([CustomColumn(name="id:Foo")], "clashes with the manufacturer id columns"),
    ],
)
def test_custom_columns_cannot_clash(columns: list[CustomColumn], message: str) -> None:
    """A custom column cannot take the name of another column."""
    with pytest.raises(ValueError, match=message):
        Schema(columns)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "d", "type": "date"}, "explicit dayfirst"),
        ({"name": "c", "type": "choice"}, "needs choices"),
        ({"name": "x", "type": "money"}, "must be one of"),
        ({"name": "--"}, "no letters or digits"),
    ],
)
def test_custom_column_validation(kwargs: dict[str, object], message: str) -> None:
    """CustomColumn refuses incomplete definitions."""
    with pytest.raises(ValueError, match=message):
        CustomColumn(**kwargs)  # type: ignore[arg-type]


def test_bare_id_colon_is_not_the_id_column() -> None:
    """A header 'id:' without a manufacturer name is unknown, not the id column."""
    result = read_customers(b"name,id:\nA,1\n")

    assert ["unknown-column"] == [p.code for p in result.problems]
    assert result.rows[0].customer.id is None


def test_manufacturer_and_custom_names_do_not_collide() -> None:
    """A custom column 'idacme' and a manufacturer column 'id:Acme' are distinct."""
    schema = Schema([CustomColumn(name="idacme")])
    (row,) = read_customers(b"name,idacme,id:Acme\nA,x,y\n", schema=schema).rows

    assert ({"Acme": "y"}, {"idacme": "x"}) == (
        dict(row.customer.manufacturer_ids),
        dict(row.customer.custom),
    )


def test_choices_must_not_be_one_string() -> None:
    """choices='gold' is a mistake for choices=('gold',)."""
    with pytest.raises(TypeError, match="not the string"):
        CustomColumn(name="tier", type="choice", choices="gold")


def test_columns_must_be_a_mapping() -> None:
    """columns= as a list of pairs is refused at call time with TypeError."""
    with pytest.raises(TypeError, match="columns must be a mapping"):
        read_customers(b"name\nA\n", columns=[("Nom", "name")])  # type: ignore[arg-type]


def test_schema_rejects_non_columns() -> None:
    """Schema takes CustomColumn values only."""
    with pytest.raises(TypeError):
        Schema(["credit"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (16383, "XFD")]
)
def test_column_letter(index: int, letter: str) -> None:
    """Column indexes become spreadsheet letters."""
    assert letter == column_letter(index)


def test_fold() -> None:
    """fold keeps letters and digits only, case-folded, compatibility-normalised."""
    assert fold(" Bill_Street-2 ") == "billstreet2"
