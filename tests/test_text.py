"""The text reader: encodings, delimiters, quoting, line endings, row numbers."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handshake_import import ImportFileError, Problem, read_customers
from handshake_import._readers import RowIssue
from handshake_import._readers._text import _records


def names(data: bytes) -> list[str]:
    return [row.customer.name for row in read_customers(data).rows]


def only(problems: tuple[Problem, ...]) -> Problem:
    (problem,) = problems
    return problem


def test_utf8_bom_does_not_leak_into_the_header() -> None:
    """A UTF-8 BOM is not part of the first header."""
    result = read_customers(b"\xef\xbb\xbfname,email\r\nCaf\xc3\xa9,\r\n")

    assert (result.problems, [r.customer.name for r in result.rows]) == ((), ["Café"])
    assert "name" in result.rows[0].present


def test_utf16_unicode_text_from_excel() -> None:
    """Excel's 'Unicode text': UTF-16 LE with BOM, tab-separated."""
    data = "name\tcontact\r\nMüller GmbH\tJörg\r\n".encode("utf-16")
    (row,) = read_customers(data).rows

    assert (row.customer.name, row.customer.contact) == ("Müller GmbH", "Jörg")


def test_utf16_big_endian() -> None:
    """UTF-16 BE with its BOM reads too."""
    data = b"\xfe\xff" + "name\nÅsa\n".encode("utf-16-be")

    assert names(data) == ["Åsa"]


def test_windows_1252_fallback_warns() -> None:
    """Bytes that are not UTF-8 are read as Windows-1252, with a warning."""
    result = read_customers("name\r\nCafé “Noir”\r\n".encode("cp1252"))

    assert [row.customer.name for row in result.rows] == ["Café “Noir”"]
    problem = only(result.problems)
    assert (problem.severity, problem.code) == ("warning", "encoding-assumed")
    assert "read as Windows-1252" in problem.message
    assert problem.row is None


def test_undecodable_bytes_later_in_the_file() -> None:
    """A file that starts as UTF-8 and later is not cannot be read safely."""
    # The encoding is decided from the first MiB: the bad bytes come after
    # it, at the end of long lines, so that few rows are read to get there.
    start = b"name\n" + "Café\n".encode() + (b"x" * 8191 + b"\n") * 130
    assert len(start) > 1024 * 1024
    data = start + b"\xff\xfe\xfa\n"

    with pytest.raises(ImportFileError, match="not in the same text encoding"):
        read_customers(data)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_detected(delimiter: str) -> None:
    """The delimiter is detected among , ; tab and |."""
    data = f"name{delimiter}contact\nA, B and C{delimiter}Jo\n".encode()
    if delimiter == ",":
        data = b'name,contact\n"A, B and C",Jo\n'
    (row,) = read_customers(data).rows

    assert (row.customer.name, row.customer.contact) == ("A, B and C", "Jo")


def test_sep_hint_line_is_honoured_and_not_counted() -> None:
    """Excel's 'sep=;' first line sets the delimiter; the header is still row 1."""
    result = read_customers(b"sep=;\r\nname;contact;email\r\nA,B;Jo;bad\r\n")

    assert [(p.code, p.row, p.cell) for p in result.problems] == [
        ("invalid-email", 2, "C2")
    ]
    result = read_customers(b"sep=;\r\nname;contact\r\nA,B;Jo\r\n")
    assert [(r.customer.name, r.customer.contact) for r in result.rows] == [
        ("A,B", "Jo")
    ]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_line_endings(newline: bytes) -> None:
    """LF, CRLF and lone CR line endings all split rows."""
    data = newline.join([b"name,contact", b"A,1", b"B,2", b""])

    assert names(data) == ["A", "B"]


def test_quoted_fields_with_commas_and_newlines() -> None:
    """Quoted cells keep commas, quotes and newlines; a record is one row."""
    data = b'name,bill_street,email\r\n"Smith, Jones","1 Main St\r\nUnit ""B""",bad\r\n'
    result = read_customers(data)
    data_ok = (
        b'name,bill_street\r\n"Smith, Jones","1 Main St\nUnit ""B"""\r\nNext,x\r\n'
    )
    rows = read_customers(data_ok).rows

    assert [(p.row, p.cell) for p in result.problems] == [(2, "C2")]
    assert rows[0].customer.name == "Smith, Jones"
    assert rows[0].customer.bill_to is not None
    assert rows[0].customer.bill_to.street == '1 Main St\nUnit "B"'
    assert [row.row for row in rows] == [2, 3]


def test_unclosed_quote_names_the_row_where_it_opened() -> None:
    """A quote that never closes is an error on the row where it opened."""
    data = b'name,contact\nA,x\nB,"never closed\nC,y\nD,z\n'
    result = read_customers(data)

    assert [row.customer.name for row in result.rows] == ["A"]
    problem = only(result.problems)
    assert (problem.code, problem.row) == ("unclosed-quote", 3)
    assert problem.message.startswith("A quote opened in this row never closes")


def test_malformed_quotes_are_an_error_and_reading_goes_on() -> None:
    """Text after a closing quote is an error on that row; later rows are read."""
    data = b'name,contact\n"Acme" Inc,x\nBeta,y\n'
    result = read_customers(data)

    assert [(row.row, row.customer.name) for row in result.rows] == [(3, "Beta")]
    problem = only(result.problems)
    assert (problem.code, problem.row) == ("malformed-quotes", 2)


def test_stray_quote_inside_an_unquoted_cell_is_kept() -> None:
    """A quote in the middle of an unquoted cell is just a character."""
    assert names(b'name\n5" Nails\n') == ['5" Nails']


def test_streams_are_read_and_left_open() -> None:
    """A binary file object is read from its start and not closed."""
    stream = io.BytesIO(b"name\nAcme\n")
    assert names(stream.getvalue()) == ["Acme"]
    read_customers(stream)
    assert not stream.closed


def test_text_stream_is_refused() -> None:
    """A text stream is API misuse: TypeError saying to open in binary mode."""
    with pytest.raises(TypeError, match="binary mode"):
        read_customers(io.StringIO("name\nA\n"))  # type: ignore[arg-type]


def test_whitespace_only_file_has_no_header() -> None:
    """A file of blank lines has no header row: one error, no rows."""
    result = read_customers(b"\r\n \r\n\r\n")

    problem = only(result.problems)
    assert ("no-header", None) == (problem.code, problem.row)
    assert () == result.rows


def test_sep_hint_needs_a_character() -> None:
    """A bare 'sep=' line is not a hint (it would make the line break the separator)."""
    result = read_customers(b"sep=\nname;email\nA;\n")

    assert "unknown-column" in [p.code for p in result.problems]


def test_utf16_without_bom_is_named() -> None:
    """UTF-16 text without a byte-order mark is called what it is."""
    with pytest.raises(ImportFileError, match="UTF-16 text without a byte-order mark"):
        read_customers("name\tcontact\r\nAcme\tJo\r\n".encode("utf-16-le"))


def test_invalid_bytes_message_is_plain() -> None:
    """Undecodable bytes are named as hex with their position, not a Python repr."""
    with pytest.raises(ImportFileError, match=r"byte 0x81 at position 7"):
        read_customers(b"name\r\nA\x81\x8d\x8f\x90\x9d\r\n")


# -- cells over the csv module's field size limit ---------------------------------


def test_a_cell_over_the_csv_modules_limit_is_a_problem_at_its_cell() -> None:
    """A quoted cell longer than the csv module's field size limit (131,072),
    in the 3rd column, going over its limit on its second line, after a
    quoted cell holding the delimiter and quotes: cell-too-long at that
    cell, the row not read."""
    limit = csv.field_size_limit()
    data = (
        "name,email,contact\r\n"
        '"Acme, ""Big"" Box",a@example.com,"a ""long"", long\r\n'
        f'note: {"x" * limit}"\r\n'
        "Beta,b@example.com,Bob\r\n"
    ).encode()

    result = read_customers(data)

    problem = only(result.problems)
    assert ("cell-too-long", 2, "C2", "contact") == (
        problem.code,
        problem.row,
        problem.cell,
        problem.column,
    )
    assert f"This cell holds over {limit:,} characters" in problem.message
    assert ["Beta"] == [row.customer.name for row in result.rows]


def test_a_cell_over_the_limit_in_a_column_not_read_names_its_cell() -> None:
    """In a column the template does not have: its cell, without a column."""
    data = f"name,notes\r\nAcme,{'n' * (csv.field_size_limit() + 1)}\r\n".encode()

    unknown, problem = read_customers(data).problems

    assert "unknown-column" == unknown.code
    assert ("cell-too-long", "B2", None) == (problem.code, problem.cell, problem.column)


def csv_line(cells: list[str], delimiter: str) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


@given(
    st.lists(st.text(alphabet='ab,;"\r\n ', max_size=12), min_size=1, max_size=5),
    st.sampled_from([",", ";"]),
)
def test_the_cell_over_the_limit_is_the_one_the_csv_module_refused(
    cells: list[str], delimiter: str
) -> None:
    """With the limit at 8 characters: the first cell over it is the one the
    record's issue names, however the cells are quoted; with none over it,
    the record is read."""
    over = next((place for place, cell in enumerate(cells) if len(cell) > 8), None)
    lines = list(io.StringIO(csv_line(cells, delimiter), newline=""))
    old_limit = csv.field_size_limit(8)
    try:
        items = list(_records(iter(lines), delimiter))
    finally:
        csv.field_size_limit(old_limit)

    if over is None:
        assert [cells] == items
    else:
        assert RowIssue("cell-too-long", items[0].details, column=over) == items[0]  # type: ignore[union-attr]
