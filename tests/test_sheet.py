"""The sheet every reader hands on: each row as wide as the header, or a
RowIssue; a cell past the header that is not blank is a too-many-cells issue
at that cell."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest

from handshake_import import Limits, read_customers
from handshake_import._readers import RowIssue, Sheet, Source, open_sheet

from .tables import Table, Writer

NBSP, ZERO_WIDTH, BOM = "\u00a0", "\u200b", "\ufeff"


def rows_of(source: Source) -> tuple[tuple[str, ...], list[list[str] | RowIssue]]:
    """The header and the rows of *source*'s sheet."""
    with open_sheet(source, sheet=None, limits=Limits()) as sheet:
        assert isinstance(sheet, Sheet)
        return sheet.header, list(sheet.rows)


def too_many(column: int, count: int, value: str, letter: str) -> RowIssue:
    return RowIssue(
        "too-many-cells",
        {"count": count, "width": 2, "value": value, "letter": letter},
        column=column,
    )


TABLE: Table = [
    ["name", "email"],
    ["short"],
    [" raw ", " a@example.com "],
    ["blank past", "b@example.com", " ", NBSP, f"{ZERO_WIDTH}{BOM}"],
    ["one past", "c@example.com", "", " extra ", "", "last", " "],
    [],
    ["far past", "", *[""] * 20, "x"],
]
EXPECTED: list[list[str] | RowIssue] = [
    ["short", ""],
    [" raw ", " a@example.com "],
    ["blank past", "b@example.com"],
    too_many(3, 6, "'extra'", "D"),
    ["", ""],
    too_many(22, 23, "'x'", "W"),
]


def test_every_row_is_as_wide_as_the_header(write_table: Writer) -> None:
    """Short rows are padded, blank cells past the header dropped, cells kept
    raw; a cell past the header with text is an issue at that cell, whatever
    the format."""
    header, rows = rows_of(write_table(TABLE))

    assert ("name", "email") == header
    assert EXPECTED == rows
    assert all(type(row) in (list, RowIssue) for row in rows)


def test_rows_given_as_mappings_follow_the_same_contract() -> None:
    """A key the first mapping lacks is a cell past the header: blank once
    trimmed it is dropped, else it is the issue (a NUL is not blank: it is
    refused wherever it is)."""
    records: Iterable[Mapping[str, object]] = [
        {"name": "A", "email": "a@example.com"},
        {"email": "b@example.com", "notes": f" {NBSP}\u200b"},
        {"name": "C", "notes": " left in "},
        {"name": "D", "notes": "\x00"},
    ]

    header, rows = rows_of(records)

    assert ("name", "email") == header
    assert [
        ["A", "a@example.com"],
        ["", "b@example.com"],
        RowIssue(
            "too-many-cells",
            {"count": 3, "width": 2, "value": "'left in'", "letter": "C"},
            column=2,
        ),
        RowIssue(
            "too-many-cells",
            {"count": 3, "width": 2, "value": "'\\x00'", "letter": "C"},
            column=2,
        ),
    ] == rows


@pytest.mark.parametrize(
    ("cells", "cell", "start"),
    [
        (["A", "a@example.com", "x"], "C2", "This row has 3 cells"),
        (["A", "a@example.com", "", "", "y", ""], "E2", "This row has 5 cells"),
    ],
)
def test_the_parser_puts_the_issue_at_its_cell(
    write_table: Writer, cells: list[str], cell: str, start: str
) -> None:
    """The problem names the first cell past the header, and no column."""
    (problem,) = read_customers(write_table([["name", "email"], cells])).problems

    assert ("too-many-cells", cell, None, 2) == (
        problem.code,
        problem.cell,
        problem.column,
        problem.row,
    )
    assert problem.message.startswith(f"{start} but the header has 2 columns")
