"""The quick paths of planning give what the plain rules give.

Planning takes shortcuts for the common case (values spelled as the store
spells them, a row's values compared with the stored customer's at once,
names worked out once); these tests take each shortcut and the path beside
it, and check the results against the rules written out plainly.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from handshake_import import (
    Address,
    CustomColumn,
    Customer,
    InMemoryStore,
    Schema,
    Unchanged,
    UpdateCustomer,
    fold_name,
    name_key,
    reconcile,
)
from handshake_import._names import _LEGAL_SUFFIXES, NameForms

from .tables import csv_bytes

# -- names ---------------------------------------------------------------------------


def plain_fold(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def plain_key(name: str) -> str:
    words = re.sub(r"[\W_]+", " ", plain_fold(name).replace(".", "")).split()
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


_NAME_PIECES = st.sampled_from(
    ["Acme", "acme", "The", "the ", "Inc", "Inc.", " Ltd", "S.A.", "co", ".", ". ",
     " .", ",", "&", "_", "-", " ", "  ", "\t", "\u00a0", "Café", "Cafe\u0301",
     "ǅ", "ß", "İ", "٣", "²", "日本", "x"]
)  # fmt: skip


@given(st.lists(_NAME_PIECES, max_size=8).map("".join) | st.text(max_size=12))
def test_name_forms_are_the_plain_rules(name: str) -> None:
    """`name_key`'s shortcut for names without punctuation or suffix changes
    nothing: both forms are what the plain rules give."""
    assert plain_fold(name) == fold_name(name)
    assert plain_key(name) == name_key(name)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Tools", "acme tools"),
        ("Acme Tools Inc.", "acme tools"),
        ("The Acme Company", "acme"),
        ("the", "the"),
        ("inc", "inc"),
        (". acme", "acme"),
        ("a . b", "a b"),
        ("Peña Hermanos S.A.", "peña hermanos"),
        ("Smith, Jones & Daughters", "smith jones daughters"),
        ("", ""),
    ],
)
def test_name_keys(name: str, key: str) -> None:
    """Examples on each side of the shortcut: dots, suffixes, a leading "the"."""
    assert key == name_key(name)


@given(st.lists(st.lists(_NAME_PIECES, max_size=5).map("".join), max_size=6))
def test_name_forms_remembered_are_the_plain_rules(names: list[str]) -> None:
    """`NameForms` answers each name, asked once or again, in either order,
    with the forms the plain rules give."""
    forms = NameForms()
    for name in [*names, *reversed(names)]:
        assert forms.key(name) == plain_key(name)
        assert forms.fold(name) == plain_fold(name)


# -- comparing customers -----------------------------------------------------------------


def changes_of(
    header: list[str], cells: list[str], stored: Customer
) -> dict[str, object]:
    """The changes of the one update that a file of one row makes."""
    store = InMemoryStore([stored], manufacturers=["Acme Tools", "Beta Parts"])
    plan = reconcile(csv_bytes([header, cells]), store)
    assert [] == [p for p in plan.problems if p.is_error]
    (action,) = plan.actions
    return dict(action.changes) if isinstance(action, UpdateCustomer) else {}


STORED = Customer(
    id="C1",
    internal_id="10",
    name="Acme",
    contact="Jo",
    tax_id="T1",
    emails=("a@acme.example", "b@acme.example"),
    bill_to=Address(name="Acme", street="1 Main St", city="Oslo", country="NO"),
    manufacturer_ids={"Acme Tools": "AT-1", "Beta Parts": "BP-1"},
)

_BILL = ["bill_id", "bill_name", "bill_street", "bill_street2", "bill_city",
         "bill_state", "bill_postcode", "bill_country", "bill_phone", "bill_fax"]  # fmt: skip
_BILL_CELLS = ["", "Acme", "1 Main St", "", "Oslo", "", "", "NO", "", ""]


@pytest.mark.parametrize(
    ("header", "cells", "expected"),
    [
        # one scalar column, then two, then every one
        (["id", "name"], ["C1", "ACME"], {"name": ("Acme", "ACME")}),
        (["id", "name", "contact"], ["C1", "Acme", "Bo"], {"contact": ("Jo", "Bo")}),
        (["id", "name", "contact", "paymentTerms", "shippingMethod", "taxID",
          "customerGroup", "userGroup"], ["C1", "Acme", "Jo", "", "", "", "", ""],
         {"taxID": ("T1", None)}),
        # the whole bill block: equal, then one part different
        (["id", "name", *_BILL], ["C1", "Acme", *_BILL_CELLS], {}),
        (["id", "name", *_BILL], ["C1", "Acme", *_BILL_CELLS[:4], "Bergen", *_BILL_CELLS[5:]],
         {"bill_city": ("Oslo", "Bergen")}),
        # part of the bill block: a part the file lacks is left alone
        (["id", "name", "bill_city", "bill_phone"], ["C1", "Acme", "Oslo", "555"],
         {"bill_phone": (None, "555")}),
        (["id", "name", "bill_street"], ["C1", "Acme", "1 Main St"], {}),
        # a blank ship block filled, and a filled bill block blanked
        (["id", "name", "ship_city"], ["C1", "Acme", "Bergen"], {"ship_city": (None, "Bergen")}),
        (["id", "name", "bill_city", "bill_country"], ["C1", "Acme", "", ""],
         {"bill_city": ("Oslo", None), "bill_country": ("NO", None)}),
        # emails: the same set in another order and case, then another set
        (["id", "name", "email"], ["C1", "Acme", "B@acme.example; a@acme.example"], {}),
        (["id", "name", "email"], ["C1", "Acme", "a@acme.example"],
         {"email": (("a@acme.example", "b@acme.example"), ("a@acme.example",))}),
        # only case makes two addresses one (casefold() would make ß ss)
        (["id", "name", "email"], ["C1", "Acme", "A@ACME.EXAMPLE, b@Acme.example"], {}),

        # manufacturer ids: the stored ones differ only for a manufacturer the
        # file has no column for, then for the file's own
        (["id", "name", "id:Acme Tools"], ["C1", "Acme", "AT-1"], {}),
        (["id", "name", "id:Acme Tools"], ["C1", "Acme", "AT-2"],
         {"id:Acme Tools": ("AT-1", "AT-2")}),
    ],
)  # fmt: skip
def test_changes_column_by_column(
    header: list[str], cells: list[str], expected: dict[str, object]
) -> None:
    """Each group of columns, whole or in part, equal or not, gives the
    changes of its differing columns and no others."""
    assert expected == changes_of(header, cells, STORED)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # a whole bill block, filled, for a customer without a bill-to address
        (["", "Acme", "1 Main St", "", "Oslo", "", "", "NO", "", ""],
         {"bill_name": (None, "Acme"), "bill_street": (None, "1 Main St"),
          "bill_city": (None, "Oslo"), "bill_country": (None, "NO")}),
        # and left blank: still none, so nothing changes
        ([""] * 10, {}),
    ],
)  # fmt: skip
def test_a_whole_block_against_no_address(
    cells: list[str], expected: dict[str, object]
) -> None:
    """A file with every bill column, for a customer who has no bill-to
    address: the filled parts are changes, a blank block is no change."""
    stored = attrs.evolve(STORED, bill_to=None)
    assert expected == changes_of(
        ["id", "name", *_BILL], ["C1", "Acme", *cells], stored
    )


def test_every_template_column_at_once() -> None:
    """A file with every template column: each scalar, each part of both
    addresses, the emails and a manufacturer id, changed at once, are each a
    change; the same values again are none."""
    header = ["id", "name", "contact", "email", *_BILL, *[f"ship_{c[5:]}" for c in _BILL],
              "paymentTerms", "shippingMethod", "taxID", "customerGroup", "userGroup",
              "id:Acme Tools"]  # fmt: skip
    old_cells = [f"old {column}" for column in header]
    new_cells = [f"new {column}" for column in header]
    for cells in (old_cells, new_cells):
        cells[0] = "C1"
        cells[header.index("email")] = f"{cells[1][:3]}@acme.example"
    store = InMemoryStore(
        manufacturers=["Acme Tools"],
        customer_groups=["old customerGroup", "new customerGroup"],
        user_groups=["old userGroup", "new userGroup"],
    )
    plan = reconcile(csv_bytes([header, old_cells]), store)
    store.apply(plan)

    same = reconcile(csv_bytes([header, old_cells]), store)
    changed = reconcile(csv_bytes([header, new_cells]), store)

    assert [Unchanged] == [type(action) for action in same.actions]
    (update,) = changed.actions
    assert isinstance(update, UpdateCustomer)
    assert set(header[1:]) == set(update.changes)
    assert ("old bill_city", "new bill_city") == update.changes["bill_city"]
    assert ("old ship_fax", "new ship_fax") == update.changes["ship_fax"]
    assert ("old taxID", "new taxID") == update.changes["taxID"]
    assert (("old@acme.example",), ("new@acme.example",)) == update.changes["email"]


def test_addresses_differing_beyond_case_are_a_change() -> None:
    """ "STRASSE" is not "straße" in another case (casefold would say so)."""
    stored = attrs.evolve(STORED, emails=("straße@acme.example",))

    assert {
        "email": (("straße@acme.example",), ("STRASSE@acme.example",))
    } == changes_of(
        ["id", "name", "email"], ["C1", "Acme", "STRASSE@acme.example"], stored
    )
    assert {} == changes_of(
        ["id", "name", "email"], ["C1", "Acme", "STRAßE@ACME.example"], stored
    )


def test_custom_values_are_compared_one_by_one() -> None:
    """Custom columns: a changed value is a change, an equal one is not."""
    schema = Schema(
        [CustomColumn(name="limit", type="decimal"), CustomColumn(name="region")]
    )
    stored = Customer(
        id="C1", internal_id="10", name="Acme", custom={"limit": Decimal("5.0")}
    )
    header = ["id", "name", "limit", "region"]

    def changes(cells: list[str]) -> dict[str, object]:
        plan = reconcile(
            csv_bytes([header, cells]), InMemoryStore([stored]), schema=schema
        )
        (action,) = plan.actions
        return dict(action.changes) if isinstance(action, UpdateCustomer) else {}

    assert {} == changes(["C1", "Acme", "5", ""])
    assert {"limit": (Decimal("5.0"), Decimal("7"))} == changes(["C1", "Acme", "7", ""])
    assert {"region": (None, "North")} == changes(["C1", "Acme", "5", "North"])


# -- reference data ----------------------------------------------------------------------


def test_values_spelled_otherwise_take_the_stores_spelling() -> None:
    """A row with one value spelled as the store does and others spelled
    otherwise: each takes the store's spelling; an unknown option is kept
    with a warning, a new user group is created once in its first spelling."""
    store = InMemoryStore(
        customer_groups=["Retail"],
        user_groups=["East"],
        options={"paymentTerms": ["Net 30"], "shippingMethod": ["UPS Ground"]},
    )
    header = ["id", "name", "customerGroup", "userGroup", "paymentTerms", "shippingMethod"]  # fmt: skip
    plan = reconcile(
        csv_bytes(
            [
                header,
                ["N1", "One", "RETAIL", "East", "Net 30", "ups ground"],
                ["N2", "Two", "Retail", "west", "NET 30", "UPS Ground"],
                ["N3", "Three", "Retail", "WEST", "Net 45", "UPS Ground"],
                ["N4", "Four", "retail", "east", "Net 30", ""],
            ]
        ),
        store,
    )

    assert ["west"] == [group.name for group in plan.user_groups]
    assert [
        ("Retail", "East", "Net 30", "UPS Ground"),
        ("Retail", "west", "Net 30", "UPS Ground"),
        ("Retail", "west", "Net 45", "UPS Ground"),
        ("Retail", "East", "Net 30", None),
    ] == [
        (c.customer_group, c.user_group, c.payment_terms, c.shipping_method)
        for c in (create.customer for create in plan.creates)
    ]
    assert [("unknown-option", 4)] == [(p.code, p.row) for p in plan.problems]


def test_an_id_like_a_generated_one_does_not_move_the_numbering() -> None:
    """Only ``HS-<digits>`` ids count when generated ids continue."""
    plan = reconcile(
        csv_bytes(
            [["id", "name"], ["HS-7x", "A"], ["HS-", "B"], ["HS-2", "C"], ["", "D"]]
        ),
        InMemoryStore(),
    )

    assert ["HS-7x", "HS-", "HS-2", "HS-3"] == [c.customer.id for c in plan.creates]


# -- warnings ----------------------------------------------------------------------------


def test_possible_duplicates_are_worded_once_and_placed_at_each_row() -> None:
    """Rows sharing a name get the same words, each at its own row and cell."""
    stored = Customer(id="C1", internal_id="10", name="Acme, Inc.")
    plan = reconcile(
        csv_bytes([["name", "id"], ["ACME", "N1"], ["Other", "N2"], ["ACME", "N3"]]),
        InMemoryStore([stored]),
    )

    warnings = [(p.code, p.row, p.cell, p.column) for p in plan.problems]
    assert [
        ("possible-duplicate", 2, "A2", "name"),
        ("possible-duplicate", 4, "A4", "name"),
    ] == warnings
    assert plan.problems[0].message == plan.problems[1].message
    assert "'ACME'" in plan.problems[0].message
