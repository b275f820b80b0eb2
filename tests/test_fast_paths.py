"""Each shortcut of the reading hot path gives what the plain way gives."""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from collections.abc import Iterator

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from handshake_import import Address, Customer, Limits, read_customers
from handshake_import._changes import Diff
from handshake_import._readers import RowIssue, RowItem
from handshake_import._readers._text import _issue, _records
from handshake_import._template import (
    CUSTOMER_FIELDS,
    NO_EXTRAS,
    TEMPLATE_COLUMNS,
    at,
    customer_from_values,
    emails_of,
    emails_value,
    values_of,
)
from handshake_import._values import (
    _EMAIL_SEPARATORS,
    CellError,
    _email_fault,
    _plain_cell_pattern,
    clean,
    clean_keeps,
    parse_emails,
    plain_addresses,
)

from .tables import csv_bytes
from .test_build import customers

# -- the text reader: lines without quotes are split, not parsed -----------------


def csv_records(
    lines: list[str], delimiter: str, span: int = 10**6
) -> Iterator[RowItem]:
    """The plain way: the csv module reads every record; at a quote that
    never closes, or whose cell runs on over more than *span* characters
    of lines, it starts again with the line after the record's first."""
    start = 0
    while start < len(lines):
        fed: list[str] = []

        def feed(start: int = start, fed: list[str] = fed) -> Iterator[str]:
            for line in lines[start:]:
                fed.append(line)
                yield line

        reader = csv.reader(feed(), delimiter=delimiter, strict=True)
        try:
            item: RowItem = next(reader)
        except csv.Error as error:
            item = _issue(str(error))
        except StopIteration:
            return
        unclosed = isinstance(item, RowIssue) and item.code == "unclosed-quote"
        if len(fed) > 1 or unclosed:
            # The quoted cell the record's first line left open, as written
            # (its quote, its text with each quote doubled), and the lines it
            # went on into (all of them at the end of the file).
            cells = next(csv.reader([fed[0] + '"\n'], delimiter=delimiter, strict=True))
            went_on = fed[1:] if unclosed else fed[1:-1]
            run = 1 + len(cells[-1]) + cells[-1].count('"') + sum(map(len, went_on))
            if run > span or unclosed:
                where = (
                    f"within {span:,} characters"
                    if run > span
                    else "before the end of the file"
                )
                yield RowIssue(
                    "unclosed-quote", {"where": where}, column=len(cells) - 1
                )
                start += 1
                continue
        yield item
        start += len(fed)


def lines_of(text: str) -> list[str]:
    # How the text reader gets its lines: universal line breaks, kept.
    return list(io.StringIO(text, newline=""))


csv_text = st.text(alphabet='ab ,;"|\t\r\né\x1f', max_size=60)


@given(csv_text, st.sampled_from([",", ";", "\t", "|", " "]))
@example('a,"b\r\nc",d\r\n"e" f,g\n"h"\rx,"",""""\n', ",")
@example('"never closed\nnext,line\n', ",")
@example("\r\n\r\n,\n ,a \n", ",")
@example('a,"b\n"c\nd",e\n', ",")
def test_text_records_are_what_the_csv_module_reads(text: str, delimiter: str) -> None:
    """Records, cells and reading errors are the csv module's, line for
    line; after a quote that never closes, the lines after its row's first
    are records again."""
    expected = list(csv_records(lines_of(text), delimiter))

    assert expected == list(
        _records(iter(lines_of(text)), delimiter, span=10**6, limits=Limits())
    )


@given(csv_text, st.sampled_from([",", ";", "\t"]), st.integers(1, 30))
@example('a,"b\nc\nd\ne"\nf\n', ",", 4)
@example('a,"b\n"c,"d\ne\n', ",", 3)
def test_a_quoted_cell_runs_on_for_at_most_the_span(
    text: str, delimiter: str, span: int
) -> None:
    """A quoted cell that has not closed after *span* characters of its
    lines is an unclosed quote, as if the file ended there: each line is
    still read inside a quoted cell at most once (the lines read again are
    known to leave one open), and what comes out is the same."""
    expected = list(csv_records(lines_of(text), delimiter, span))

    assert expected == list(
        _records(iter(lines_of(text)), delimiter, span=span, limits=Limits())
    )


def test_lines_over_the_field_size_limit_are_left_to_the_csv_module() -> None:
    """A line longer than the csv module's limit gets that module's error."""
    lines = ["a,bbbbbbbbbbbb\n", "a,bbbbbbb\n", "a,b\n", "a,b,c,d,e,f,g\n"]
    old_limit = csv.field_size_limit(8)
    try:
        expected = list(csv_records(lines, ","))
        got = list(_records(iter(lines), ",", span=10**6, limits=Limits()))
    finally:
        csv.field_size_limit(old_limit)

    # The text reader also says which cell is too long: the csv module does not.
    assert RowIssue("cell-too-long", got[0].details, column=1) == got[0]  # type: ignore[union-attr]
    assert expected == [attrs.evolve(got[0], column=None), *got[1:]]


# -- the parser: one check for a whole row of cells ------------------------------

cell_text = st.text(
    alphabet="ae \u0301\u0308\u00e9\u00a0\u200b\ufeff\x00\u212b\u1100\u1161\u0f73",
    max_size=6,
)


@given(st.lists(cell_text, max_size=5))
def test_clean_keeps_a_row_only_when_it_keeps_every_cell(cells: list[str]) -> None:
    """When `clean` would leave the joined row as it is, it leaves each cell."""
    stripped = [cell.strip() for cell in cells]
    if clean_keeps("".join(stripped)):
        assert stripped == [clean(cell) for cell in stripped]


def test_latin_text_is_kept() -> None:
    """Common accented text needs no cleaning; decomposed text does."""
    assert clean_keeps("Montréal")
    assert not clean_keeps(unicodedata.normalize("NFD", "Montréal"))
    assert not clean_keeps("Acme\u200b")


# -- email addresses -------------------------------------------------------------

email_text = st.text(alphabet="ab1-._@,; +!Z\u00a0É", max_size=40) | st.lists(
    st.sampled_from(
        ["a", "b.c", "x-y", "@", ".", "-", "com", "1", ",", " ", ";", "9", "e", "a@b.c"]
    ),
    max_size=14,
).map("".join)


def careful_addresses(text: str) -> tuple[str, ...] | None:
    """The careful check alone: every address checked, duplicates dropped."""
    addresses: list[str] = []
    for address in _EMAIL_SEPARATORS.split(text):
        if address and _email_fault(address) is not None:
            return None
        if address and address.casefold() not in map(str.casefold, addresses):
            addresses.append(address)
    return tuple(addresses)


@given(email_text)
@example("a@x.example, b@y.example;c@z.example")
@example("a@b.c1")
@example("a@b.c-")
@example("A@x.example a@X.EXAMPLE")
def test_fast_path_returns_what_the_careful_check_returns(text: str) -> None:
    """Whatever the fast path accepts, it reads as the careful check does."""
    plain = plain_addresses(text)
    if plain is not None:
        assert careful_addresses(text) == plain


def _address_of_length(length: int) -> str:
    """A valid-looking address of *length* characters, labels of 63 at most."""
    domain_length = length - len("a" * 64 + "@") - len(".example")
    labels = []
    while domain_length > 0:
        label = min(domain_length, 63)
        labels.append("d" * label)
        domain_length -= label + 1
    return "a" * 64 + "@" + ".".join(labels) + ".example"


_LONG_ADDRESSES = [
    "a" * 64 + "@x.example",  # the longest local part
    "a" * 65 + "@x.example",
    "a@" + "d" * 63 + ".example",  # the longest label
    "a@" + "d" * 64 + ".example",
    _address_of_length(254),  # the longest address
    _address_of_length(256),
]


@pytest.mark.parametrize("address", _LONG_ADDRESSES)
@pytest.mark.parametrize("cell", ["{}", "x@y.example, {}", "{}; x@y.example"])
def test_long_addresses(cell: str, address: str) -> None:
    """Addresses at and over each length limit, alone and among others: what
    the fast path accepts, it reads as the careful check does, and the cell
    reads as the careful check reads it."""
    text = cell.format(address)
    expected = careful_addresses(text)
    plain = plain_addresses(text)
    if plain is not None:
        assert plain == expected
    if expected is None:
        with pytest.raises(CellError):
            parse_emails(text)
    else:
        assert parse_emails(text) == expected


@pytest.mark.skipif(sys.version_info < (3, 11), reason="possessive quantifiers")
@given(email_text)
def test_possessive_pattern_matches_what_the_plain_one_matches(text: str) -> None:
    """Giving characters back never lets the email pattern match otherwise."""
    plain = re.compile(_plain_cell_pattern("")).fullmatch(text)
    possessive = re.compile(_plain_cell_pattern("+")).fullmatch(text)

    assert (plain is None) == (possessive is None)
    if plain is not None and possessive is not None:
        assert plain.lastindex == possessive.lastindex


# -- records: the manufacturer ids ------------------------------------------------


def test_one_and_several_manufacturer_columns() -> None:
    """Blank ids are left out, with one manufacturer column or several."""
    one = read_customers(csv_bytes([["name", "id:Acme"], ["A", "7"], ["B", ""]]))
    several = read_customers(
        csv_bytes(
            [
                ["name", "id:Acme", "id:Bolt"],
                ["A", "7", ""],
                ["B", "", ""],
                ["C", "8", "9"],
            ]
        )
    )

    assert [{"Acme": "7"}, {}] == [dict(r.customer.manufacturer_ids) for r in one.rows]
    assert [{"Acme": "7"}, {}, {"Acme": "8", "Bolt": "9"}] == [
        dict(r.customer.manufacturer_ids) for r in several.rows
    ]


# -- values and records: the code generated from the field table ------------------


def _plain_values_of(customer: Customer) -> tuple[object, ...]:
    """A customer's values, field by field, as the table says."""
    values: list[object] = []
    for field in CUSTOMER_FIELDS:
        if field.part is None:
            value = getattr(customer, field.attribute)
        else:
            block = getattr(customer, field.attribute)
            value = None if block is None else getattr(block, field.part)
        values.append(emails_value(value) if field.kind == "emails" else value)
    return tuple(values)


@given(customers)
def test_values_of_is_the_table_read_field_by_field(customer: Customer) -> None:
    """The generated `values_of` gives what reading each field gives, and
    the generated `customer_from_values` builds what the constructors build."""
    values = values_of(customer)
    assert _plain_values_of(customer) == values

    def address(prefix: str) -> Address | None:
        parts = {
            f.part: values[at(f.column)]
            for f in CUSTOMER_FIELDS
            if f.column.startswith(prefix)
        }
        return Address(**parts) if any(parts.values()) else None  # type: ignore[arg-type]

    built = customer_from_values(values, customer.manufacturer_ids, customer.custom)
    assert (
        Customer(
            name=customer.name,
            id=customer.id,
            internal_id=customer.internal_id,
            contact=customer.contact,
            emails=emails_of(values[at("email")]),
            bill_to=address("bill_"),
            ship_to=address("ship_"),
            payment_terms=customer.payment_terms,
            shipping_method=customer.shipping_method,
            tax_id=customer.tax_id,
            customer_group=customer.customer_group,
            user_group=customer.user_group,
            manufacturer_ids=customer.manufacturer_ids,
            custom=customer.custom,
        )
        == built
    )


@given(
    st.lists(st.sampled_from(["id", "name", "contact", "email", "bill_city", "ship_fax", "taxID"]), unique=True, min_size=1),
    st.lists(st.sampled_from(["", "x", "  y  ", "a@x.example"]), min_size=7, max_size=7),
)  # fmt: skip
def test_a_rows_values_are_its_cells_picked_one_by_one(
    header: list[str], cells: list[str]
) -> None:
    """The generated maker of a row's values gives, for any header, what
    picking each field's cell (blank: None) gives."""
    if "name" not in header:
        header = ["name", *header]
    cells = cells[: len(header)]
    cells[header.index("name")] = cells[header.index("name")] or "N"
    if "email" in header:
        cells[header.index("email")] = (
            "a@x.example" if cells[header.index("email")].strip() else ""
        )
    (values,) = read_customers(csv_bytes([header, cells])).rows.parsed.values  # type: ignore[attr-defined]

    by_column = {
        column: cell.strip() or None for column, cell in zip(header, cells, strict=True)
    }
    assert tuple(by_column.get(field.column) for field in CUSTOMER_FIELDS) == values


@given(customers, customers)
def test_a_diff_is_the_fields_compared_one_by_one(old: Customer, new: Customer) -> None:
    """`Diff`, with its one comparison for an unchanged customer, gives the
    changes a field-by-field comparison gives."""
    present = frozenset(TEMPLATE_COLUMNS)
    old_values, new_values = values_of(old), values_of(new)
    expected = {}
    for field, before, after in zip(
        CUSTOMER_FIELDS, old_values, new_values, strict=True
    ):
        column = field.column
        if (
            column == "internal_id"
            or before == after
            or (column == "id" and after is None)
        ):
            continue
        if column == "email":
            olds, news = emails_of(before), emails_of(after)
            if {e.lower() for e in olds} != {e.lower() for e in news}:
                expected[column] = (olds or None, news or None)
            continue
        expected[column] = (before, after)

    assert expected == Diff(present, NO_EXTRAS)(old, new_values)
    assert {} == Diff(present, NO_EXTRAS)(old, old_values)
