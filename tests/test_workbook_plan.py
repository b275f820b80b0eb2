"""A workbook of several templates' sheets: one plan, in the order that
makes references hold, every problem naming its sheet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handshake_import import (
    Address,
    CreateCustomer,
    CreateCustomerGroup,
    CreateOption,
    CreateShipTo,
    Customer,
    CustomerGroup,
    ImportFileError,
    InMemoryStore,
    Plan,
    reconcile,
)
from handshake_import.adapters.sqlite import SQLiteStore

from .tables import Table, workbook_bytes

GROUPS: Table = [
    ["id", "isDefault", "name", "currency"],
    ["trade", 1, "Trade", "EUR"],
]
OPTIONS: Table = [
    ["key", "value", "isDefault"],
    ["paymentTerms", "Net 45", 1],
]
CUSTOMERS: Table = [
    ["id", "name", "customerGroup", "paymentTerms"],
    ["C1", "Acme Tools", "trade", "Net 45"],
    ["C2", "Beta Supply", "retail", ""],
]
SHIP_TO: Table = [
    ["cust_id", "cust_name", "ship_id", "ship_city"],
    ["C1", "", "DOCK", "Hull"],
    ["", "beta supply", "", "Leeds"],
]
SHEETS = {
    "Customers": CUSTOMERS,
    "Ship-to": SHIP_TO,
    "Options": OPTIONS,
    "Groups": GROUPS,
}


def kinds(plan: Plan) -> list[str]:
    return [type(action).__name__ for action in plan.actions]


@pytest.fixture(params=["xlsx", "xls"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_workbook_is_one_plan_in_reference_order(kind: str) -> None:
    """Groups and options, then customers, then ship-to addresses, whatever
    the order of the sheets; the customers name a group and an option the
    workbook creates, the ship-to rows customers it creates."""
    store = InMemoryStore(customer_groups=["retail"])

    plan = reconcile(workbook_bytes(SHEETS, kind=kind), store)

    assert ("customer-groups", "options", "customers", "ship-to") == plan.templates
    assert [
        "CreateCustomerGroup",
        "UpdateCustomerGroup",  # 'retail', kept after the file's groups
        "CreateOption",
        "CreateCustomer",
        "CreateCustomer",
        "CreateShipTo",
        "CreateShipTo",
    ] == kinds(plan)
    assert [("kept-not-in-file", "Groups")] == [
        (p.code, p.sheet) for p in plan.problems
    ]
    ship_to = [a for a in plan.actions if isinstance(a, CreateShipTo)]
    assert [(None, "C1", "Ship-to"), (None, "C2", "Ship-to")] == [
        (a.internal_id, a.customer_id, a.sheet) for a in ship_to
    ]
    assert ["Groups", "Options", "Customers", "Customers"] == [
        a.sheet
        for a in plan.actions
        if isinstance(a, (CreateCustomerGroup, CreateOption, CreateCustomer))
    ]


def test_applied_then_read_again_is_unchanged(kind: str, tmp_path: Path) -> None:
    data = workbook_bytes(SHEETS, kind=kind)
    sqlite = SQLiteStore(tmp_path / "shop.db")
    sqlite.add_customer_groups(["retail"])
    for store in (InMemoryStore(customer_groups=["retail"]), sqlite):
        store.apply(reconcile(data, store))
        again = reconcile(data, store)

        assert {"UnchangedCustomerGroup", "UnchangedOption", "Unchanged",
                "UnchangedShipTo"} == set(kinds(again))  # fmt: skip
        acme = store.customers_by_id(["C1"])["C1"]
        assert ("trade", "Net 45") == (acme.customer_group, acme.payment_terms)
        assert [Address(id="DOCK", city="Hull")] == list(
            store.ship_to_addresses([acme.internal_id or ""])[acme.internal_id or ""]
        )
        assert [
            CustomerGroup(id="trade", name="Trade", currency="EUR", is_default=True),
            CustomerGroup(id="retail"),
        ] == list(store.customer_groups())
    sqlite.close()


def test_strict_options_accept_an_option_the_workbook_creates(kind: str) -> None:
    plan = reconcile(
        workbook_bytes(SHEETS, kind=kind),
        InMemoryStore(customer_groups=["retail"]),
        strict_options=True,
    )

    assert ["kept-not-in-file"] == [p.code for p in plan.problems]


def test_an_unknown_reference_is_still_an_error(kind: str) -> None:
    sheets = {
        "Customers": [["id", "name", "customerGroup"], ["C1", "Acme", "nobody"]],
        "Ship-to": [["cust_id", "ship_city"], ["C9", "Hull"]],
    }

    plan = reconcile(workbook_bytes(sheets, kind=kind), InMemoryStore())

    assert [
        ("unknown-customer-group", 2, "Customers"),
        ("unknown-customer", 2, "Ship-to"),
    ] == [(p.code, p.row, p.sheet) for p in plan.problems]


def test_a_sheet_that_fits_no_template_is_reported_and_an_empty_one_skipped(
    kind: str,
) -> None:
    sheets = {
        "Read me": [["Fill in the customers sheet"]],
        "Customers": [["id", "name"], ["C1", "Acme"]],
        "Empty": [],
    }

    plan = reconcile(workbook_bytes(sheets, kind=kind), InMemoryStore())

    assert ["CreateCustomer"] == kinds(plan)
    (note,) = plan.problems
    assert ("sheet-not-imported", "Read me", "warning") == (
        note.code,
        note.sheet,
        note.severity,
    )
    assert plan.ok


def test_two_sheets_of_one_template_are_refused(kind: str) -> None:
    sheets = {
        "East": [["id", "name"], ["C1", "A"]],
        "West": [["id", "name"], ["C2", "B"]],
    }

    with pytest.raises(
        ImportFileError, match="'East' and 'West' are both of the customers"
    ):
        reconcile(workbook_bytes(sheets, kind=kind), InMemoryStore())


def test_no_sheet_that_fits_a_template_is_refused(kind: str) -> None:
    sheets = {"A": [["x"], ["1"]], "B": [["y"], ["2"]]}

    with pytest.raises(
        ImportFileError, match="No worksheet's header row fits a template"
    ):
        reconcile(workbook_bytes(sheets, kind=kind), InMemoryStore())


def test_a_sheet_named_is_the_only_one_read(kind: str) -> None:
    plan = reconcile(
        workbook_bytes(SHEETS, kind=kind), InMemoryStore(), sheet="Options"
    )

    assert ("options",) == plan.templates
    assert ["CreateOption"] == kinds(plan)


@settings(max_examples=20, deadline=None)
@given(order=st.permutations(list(SHEETS)), batch_size=st.integers(1, 4))
def test_the_plan_does_not_depend_on_sheet_order_or_batch_size(
    order: list[str], batch_size: int
) -> None:
    store = InMemoryStore(
        [Customer(id="C2", name="Beta Supply")],
        customer_groups=["retail"],
        ship_to={"C2": [Address(city="Leeds")]},
    )
    expected = reconcile(workbook_bytes(SHEETS), store)

    plan = reconcile(
        workbook_bytes({name: SHEETS[name] for name in order}),
        store,
        batch_size=batch_size,
    )

    assert expected == plan


_ids = st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True)
_cities = st.sampled_from(["Hull", "York", "Leeds", ""])


@st.composite
def workbooks(draw: st.DrawFn) -> tuple[dict[str, Table], InMemoryStore]:
    """A workbook of the four templates whose references hold (to what the
    workbook or the store has), and a store."""
    stored_groups = draw(_ids)
    stored = [
        Customer(id=f"S{n}", name=f"Stored {n}") for n in range(draw(st.integers(0, 3)))
    ]
    groups = draw(_ids.filter(bool))
    default = draw(st.sampled_from(groups))
    terms = draw(st.lists(st.sampled_from(["Net 30", "COD", "Net 60"]), unique=True))
    customers = [f"N{n}" for n in range(draw(st.integers(0, 3)))]
    known = [*stored_groups, *groups]
    sheets: dict[str, Table] = {
        "Groups": [
            ["id", "isDefault", "name"],
            *([g, int(g == default), g.upper()] for g in groups),
        ],
        "Customers": [
            ["id", "name", "customerGroup", "paymentTerms"],
            *(
                [
                    c,
                    f"Name {c}",
                    draw(st.sampled_from(known)),
                    draw(st.sampled_from(["", *terms])),
                ]
                for c in customers
            ),
        ],
    }
    if terms:
        sheets["Options"] = [
            ["key", "value", "isDefault"],
            *(["paymentTerms", t, int(i == 0)] for i, t in enumerate(terms)),
        ]
    owners = [*customers, *(c.id for c in stored if c.id)]
    if owners:
        sheets["Ship-to"] = [
            ["cust_id", "ship_id", "ship_city"],
            *(
                [owner, f"D{n}", draw(_cities)]
                for n, owner in enumerate(
                    draw(st.lists(st.sampled_from(owners), max_size=4))
                )
            ),
        ]
    order = draw(st.permutations(list(sheets)))
    store = InMemoryStore(stored, customer_groups=stored_groups)
    return {name: sheets[name] for name in order}, store


@settings(max_examples=40, deadline=None)
@given(workbooks(), st.integers(1, 3))
def test_an_applied_workbook_read_again_is_unchanged(
    workbook: tuple[dict[str, Table], InMemoryStore], batch_size: int
) -> None:
    sheets, store = workbook
    data = workbook_bytes(sheets)

    first = reconcile(data, store, batch_size=batch_size)
    store.apply(first)
    again = reconcile(data, store)

    assert () == first.errors
    assert [] == [kind for kind in kinds(again) if not kind.startswith("Unchanged")]


def test_progress_of_a_workbook_is_bytes_of_its_size() -> None:
    """An XLSX workbook, one sheet or several: bytes of its archive read, of
    its size, from the first call on, never backwards, the size at the end."""
    sheets = {
        "Customers": [["id", "name"], *([f"C{n}", f"Name {n}"] for n in range(6_000))],
        "Ship-to": [
            ["cust_id", "ship_city"],
            *([f"C{n}", "Hull"] for n in range(3_000)),
        ],
    }
    data = workbook_bytes(sheets)
    for sheet in (None, "Customers"):
        calls: list[tuple[int, int | None]] = []

        reconcile(data, InMemoryStore(), sheet=sheet, progress=_appending(calls))

        assert (0, len(data)) == calls[0]
        assert (len(data), len(data)) == calls[-1]
        assert {len(data)} == {total for _, total in calls}
        done = [d for d, _ in calls]
        assert done == sorted(done)
        assert len(calls) >= 5


def _appending(
    calls: list[tuple[int, int | None]],
) -> Callable[[int, int | None], None]:
    return lambda done, total: calls.append((done, total))
