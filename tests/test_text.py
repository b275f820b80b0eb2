"""The text reader: encodings, delimiters, quoting, line endings, row numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handshake_import import (
    ImportFileError,
    InMemoryStore,
    Limits,
    Problem,
    ReadResult,
    read_customers,
    reconcile,
)
from handshake_import._readers import RowIssue, _text
from handshake_import._readers._text import _records

from .tables import measured


def names(data: bytes) -> list[str]:
    return [row.customer.name for row in read_customers(data).rows]


def only(problems: tuple[Problem, ...]) -> Problem:
    (problem,) = problems
    return problem


def place(problem: Problem) -> tuple[str, int | None, str | None, str | None]:
    """A problem's code, row, cell and column."""
    return (problem.code, problem.row, problem.cell, problem.column)


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
    """A quote that never closes is an error on the row and cell where it
    opened; the lines after that row are read as rows, numbered as lines."""
    data = b'name,contact\nA,x\nB,"never closed\nC,y\nD,z\n'
    result = read_customers(data)

    assert [(2, "A"), (4, "C"), (5, "D")] == [
        (row.row, row.customer.name) for row in result.rows
    ]
    problem = only(result.problems)
    assert ("unclosed-quote", 3, "B3", "contact") == place(problem)
    assert (
        "A quote opens in this row and does not close before the end of the "
        "file, so the row could not be read. Close the quote or remove it."
    ) == problem.message


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
        items = list(_records(iter(lines), delimiter, span=10**6, limits=Limits()))
    finally:
        csv.field_size_limit(old_limit)

    if over is None:
        assert [cells] == items
    else:
        assert RowIssue("cell-too-long", items[0].details, column=over) == items[0]  # type: ignore[union-attr]


# -- a quote that never closes -----------------------------------------------------


def stray_quote_file(rows: int, *, stray_at: int, bad_email_at: int) -> bytes:
    """A header and *rows* customers, one line each; the line of row
    *stray_at* has a quote that never closes, row *bad_email_at* a bad email."""
    lines = ["id,name,email\r\n"]
    for row in range(2, rows + 2):
        email = "not-an-email" if row == bad_email_at else f"c{row}@x.example"
        name = f'"Acme {row}' if row == stray_at else f"Acme {row}"
        lines.append(f"C{row},{name},{email}\r\n")
    return "".join(lines).encode()


def test_a_stray_quote_costs_its_row_and_nothing_else() -> None:
    """A quote that never closes, 5,000 lines before the end: its row is an
    unclosed-quote error; every other row is read, under its own number, and
    a bad email further down is reported where it is (the csv module used to
    take 4,072 lines into one cell and go on mid-file, the numbers shifted)."""
    data = stray_quote_file(5_000, stray_at=2, bad_email_at=4_990)

    result = read_customers(data)

    assert [
        ("unclosed-quote", 2, "B2", "within 32,767 characters"),
        ("invalid-email", 4_990, "C4990", None),
    ] == [
        (
            problem.code,
            problem.row,
            problem.cell,
            "within 32,767 characters" if "32,767" in problem.message else None,
        )
        for problem in result.problems
    ]
    numbers = [row.row for row in result.rows]
    assert [*range(3, 4_990), *range(4_991, 5_002)] == numbers
    assert all(
        row.customer.id == f"C{row.row}" and row.customer.name == f"Acme {row.row}"
        for row in result.rows
    )


def test_a_stray_quote_does_not_cost_the_other_customers_of_an_import() -> None:
    """Applied with partial=True, the plan creates every customer but the
    two rows with errors."""
    store = InMemoryStore()
    plan = reconcile(stray_quote_file(5_000, stray_at=2, bad_email_at=4_990), store)

    store.apply(plan, partial=True)

    assert 4_998 == len(store.customers)


def test_a_stray_quote_in_the_header_makes_the_header_unreadable() -> None:
    """With the quote in the header, no data line is taken for the header:
    the header row is an unclosed-quote error, and no row is read."""
    data = stray_quote_file(5_000, stray_at=0, bad_email_at=0).replace(
        b"id,name", b'id,"name', 1
    )

    result = read_customers(data)

    problem = only(result.problems)
    assert ("unclosed-quote", 1, "B1") == (problem.code, problem.row, problem.cell)
    assert () == result.rows
    assert 1 == result.header_row


def test_a_quoted_cell_running_past_the_span_is_an_unclosed_quote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A quoted cell that runs on over more characters than a cell can hold
    (here 12) is taken for a quote that never closes, even when a quote
    further down would close it: the lines after its row are read as rows."""
    monkeypatch.setattr(_text, "EXCEL_CELL_CHARS", 12)
    data = b'name,contact\nA,"one\ntwo\nthree\nfour\nfive"\nB,y\n'

    result = read_customers(data, limits=Limits(max_cell_chars=10))

    assert [(3, "two"), (4, "three"), (5, "four"), (6, 'five"'), (7, "B")] == [
        (row.row, row.customer.name) for row in result.rows
    ]
    problem = only(result.problems)
    assert ("unclosed-quote", 2, "B2") == (problem.code, problem.row, problem.cell)
    assert "does not close within 12 characters" in problem.message


def test_a_quoted_cell_within_the_span_is_one_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Up to the span, the lines go on in the quoted cell: one row."""
    monkeypatch.setattr(_text, "EXCEL_CELL_CHARS", 40)
    data = b'name,contact\nA,"one\ntwo\nthree\nfour\nfive"\nB,y\n'

    result = read_customers(data)

    assert [(2, "A"), (3, "B")] == [(row.row, row.customer.name) for row in result.rows]
    assert "one\ntwo\nthree\nfour\nfive" == result.rows[0].customer.contact
    assert () == result.problems


ordinary_cell = st.text(alphabet="ab1 ", min_size=1, max_size=8).map(
    lambda text: text.strip() or "a"
)


@given(
    st.lists(st.lists(ordinary_cell, min_size=2, max_size=2), min_size=1, max_size=30),
    st.integers(min_value=0, max_value=29),
    st.integers(min_value=0, max_value=1),
    st.integers(min_value=5, max_value=120),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_a_stray_quote_anywhere_costs_only_its_row(
    rows: list[list[str]], stray: int, column: int, span: int, newline: str
) -> None:
    """Whatever the file, the span and the line breaks: a quote opened in
    one cell and never closed is one unclosed-quote error at that cell, and
    every other line is read as its own row, under its own number."""
    stray %= len(rows)
    lines = ["name,contact"]
    for number, (name, contact) in enumerate(rows, start=2):
        cells = [name, contact]
        if number - 2 == stray:
            cells[column] = '"' + cells[column]
        lines.append(",".join(cells))
    data = (newline.join(lines) + newline).encode()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_text, "EXCEL_CELL_CHARS", span)
        result = read_customers(data, limits=Limits(max_cell_chars=5))

    problem = only([p for p in result.problems if p.code != "cell-too-long"])  # type: ignore[arg-type]
    letter = "AB"[column]
    assert ("unclosed-quote", stray + 2, f"{letter}{stray + 2}") == (
        problem.code,
        problem.row,
        problem.cell,
    )
    read = {row.row for row in result.rows} | {p.row for p in result.problems}
    assert set(range(2, len(rows) + 2)) == read


def test_lines_that_each_keep_a_quote_open_are_read_in_linear_time() -> None:
    """Lines that leave a quoted cell open whether read inside one or not
    (a","b): each is an unclosed quote, and each line is read a bounded
    number of times, not once per row before it within the span: the
    scans of a line inside and outside a quoted cell are counted."""
    data = b"name,contact\n" + b'a","b\n' * 20_000
    scans = 0
    scan = _text._scan

    def counted(*args: Any, **kwargs: Any) -> tuple[int, int, int]:
        nonlocal scans
        scans += 1
        return scan(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_text, "_scan", counted)
        result = read_customers(data)

    assert 20_000 == len(result.problems)
    assert {"unclosed-quote"} == {problem.code for problem in result.problems}
    assert [*range(2, 20_002)] == [problem.row for problem in result.problems]
    assert scans <= 2 * 20_000


# -- the DOS end-of-file mark ------------------------------------------------------


@pytest.mark.parametrize(
    "ending",
    [b"\x1a", b"\r\n\x1a", b"\r\n\x1a\r\n", b"\x1a\x1a\x1a", b"\r\n \x1a\n\n\x1a  "],
)
def test_the_dos_end_of_file_mark_ends_the_file(ending: bytes) -> None:
    """Ctrl-Z (0x1A) ends a CSV: it is no row of its own (with a
    missing-value error) and no part of the last name."""
    result = read_customers(b"name,contact\r\nAcme,Ann\r\nBeta,Bob" + ending)

    assert () == result.problems
    assert [("Acme", "Ann"), ("Beta", "Bob")] == [
        (row.customer.name, row.customer.contact) for row in result.rows
    ]


def test_the_end_of_file_mark_in_a_utf16_file() -> None:
    """The mark is a character: it ends a UTF-16 file the same way."""
    data = "name\tcontact\r\nAcme\tAnn\r\n\x1a".encode("utf-16")

    result = read_customers(data)

    assert ((), ["Acme"]) == (result.problems, [r.customer.name for r in result.rows])


def test_text_after_the_end_of_file_mark_refuses_the_file() -> None:
    """Rows after the mark are not dropped without a word: the file is
    refused, saying where the mark is."""
    data = b"name,contact\r\nAcme,Ann\r\n\x1aBeta,Bob\r\n"

    with pytest.raises(ImportFileError) as caught:
        read_customers(data)

    assert "csv" == caught.value.detected
    assert str(caught.value).startswith(
        "The file has a DOS end-of-file mark (Ctrl-Z) on line 3, and more text after it"
    )


@given(
    st.lists(st.lists(ordinary_cell, min_size=2, max_size=2), max_size=10),
    st.text(alphabet=" \t\r\n\x1a", max_size=8),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32", "cp1252"]),
)
def test_any_table_ended_by_the_mark_reads_as_without_it(
    rows: list[list[str]], tail: str, encoding: str
) -> None:
    """A table, then the mark and any blank text or more marks: read as the
    table alone."""
    text = "".join(
        f"{name},{contact}\r\n" for name, contact in [["name", "contact"], *rows]
    )
    if encoding == "utf-16-be":
        # With its BOM, as the reader needs one.
        text = "\ufeff" + text
    plain = read_customers(text.encode(encoding))

    marked = read_customers((text + "\x1a" + tail).encode(encoding))

    assert plain.problems == marked.problems
    assert list(plain.rows) == list(marked.rows)


# -- a line too long to hold ---------------------------------------------------------

#: Lines past 2 * (2 * 100 + 3) = 406 characters cannot be a row of 2 cells
#: of at most 100 characters.
SMALL = Limits(max_columns=2, max_cell_chars=100)


def test_a_line_too_long_to_be_a_row_is_not_held() -> None:
    """A 30 MB line (one cell): refused as cell-too-long at its cell without
    holding it; the rows after it are read under their numbers."""
    data = b"name,contact\nAcme,Ann\n" + b"x" * 30_000_000 + b"\nBeta,Bob\n"

    result, _, peak = measured(lambda: read_customers(data, limits=SMALL))

    assert isinstance(result, ReadResult)
    assert peak < 12 * 1024 * 1024
    problem = only(result.problems)
    assert ("cell-too-long", 3, "A3", "name") == place(problem)
    assert "This cell holds over 408 characters; at most 100 are allowed." == (
        problem.message
    )
    assert [(2, "Acme"), (4, "Beta")] == [
        (row.row, row.customer.name) for row in result.rows
    ]


@pytest.mark.parametrize(
    ("line", "code", "cell", "message"),
    [
        (
            'a,"' + "y" * 150 + '",' + "z" * 900,
            "cell-too-long",
            "B3",
            "holds 150 characters",
        ),
        (
            "a,b," + "c," * 400,
            "too-many-cells",
            "C3",
            "has more than 2 cells but the header has 2 columns; the extra value 'c' in column C",
        ),
        (
            "a,b,," + " ," * 400 + "d",
            "too-many-cells",
            "C3",
            "the extra value '' in column C",
        ),
        ("x" * 50 + "\r", "", "", ""),
    ],
    ids=["quoted-cell", "cells-past-the-last-column", "blank-cells-past-it", "short"],
)
def test_what_a_line_too_long_is_refused_for(
    line: str, code: str, cell: str, message: str
) -> None:
    """The first cell over the cell limit, or the first text past the last
    column a header can have: whichever comes first."""
    data = f"name,contact\nAcme,Ann\n{line}\nBeta,Bob\n".encode()

    result = read_customers(data, limits=SMALL)

    if not code:
        assert [(2, "Acme"), (3, "x" * 50), (4, "Beta")] == [
            (row.row, row.customer.name) for row in result.rows
        ]
        return
    problem = only(result.problems)
    assert (code, 3, cell) == (problem.code, problem.row, problem.cell)
    assert message in problem.message
    assert [(2, "Acme"), (4, "Beta")] == [
        (row.row, row.customer.name) for row in result.rows
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("length", [405, 406, 407, 408, 2_000, 4_095, 4_096, 4_097])
def test_a_line_too_long_ends_at_its_line_break(
    monkeypatch: pytest.MonkeyPatch, newline: str, length: int
) -> None:
    """Read in chunks (here of 2 KiB), the line ends where its line break
    is, a \\r\\n cut between two chunks too."""
    monkeypatch.setattr(_text, "_CHUNK", 2_048)
    data = f"name{newline}Acme{newline}{'x' * length}{newline}Beta{newline}".encode()

    result = read_customers(data, limits=SMALL)

    assert [(2, "Acme"), (4, "Beta")] == [
        (row.row, row.customer.name) for row in result.rows
    ]
    problem = only(result.problems)
    assert ("cell-too-long", 3) == (problem.code, problem.row)
    # Within the longest line, the parser finds the cell too long; past it,
    # the reader, without reading the whole line.
    held = "" if length <= 406 else "over " if length > 408 else ""
    assert problem.message.startswith(f"This cell holds {held}")


@given(
    st.lists(st.lists(ordinary_cell, min_size=2, max_size=2), min_size=1, max_size=12),
    st.integers(min_value=0, max_value=11),
    st.integers(min_value=0, max_value=1),
    st.integers(min_value=407, max_value=5_000),
)
def test_any_line_too_long_costs_only_its_row(
    rows: list[list[str]], long: int, column: int, length: int
) -> None:
    """Whichever line is too long, and by how much: it is one problem at its
    row, every other line is read under its own number."""
    long %= len(rows)
    lines = ["name,contact"]
    for number, cells in enumerate(rows):
        written = [*cells]
        if number == long:
            written[column] = "w" * length
        lines.append(",".join(written))
    data = ("\n".join(lines) + "\n").encode()

    result = read_customers(data, limits=SMALL)

    assert [("cell-too-long", long + 2, f"{'AB'[column]}{long + 2}")] == [
        (p.code, p.row, p.cell) for p in result.problems
    ]
    assert [n for n in range(2, len(rows) + 2) if n != long + 2] == [
        row.row for row in result.rows
    ]


@pytest.mark.parametrize(
    ("after", "refused"),
    [("\r\n\x1a\r\n", False), ("\x1a  \r\n", False), ("\x1aBeta,Bob\r\n", True)],
)
def test_the_end_of_file_mark_in_a_line_too_long(
    monkeypatch: pytest.MonkeyPatch, after: str, refused: bool
) -> None:
    """The mark ends the file within a line read past in chunks (here of 2
    KiB) too; text after it, in the same chunk, still refuses the file."""
    monkeypatch.setattr(_text, "_CHUNK", 2_048)
    data = f"name\r\nAcme\r\n{'x' * 3_000}{after}".encode()

    if refused:
        with pytest.raises(ImportFileError, match="end-of-file mark"):
            read_customers(data, limits=SMALL)
        return
    result = read_customers(data, limits=SMALL)
    assert [(2, "Acme")] == [(row.row, row.customer.name) for row in result.rows]
    assert [("cell-too-long", 3)] == [(p.code, p.row) for p in result.problems]
