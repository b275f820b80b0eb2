"""The additional ship-to addresses template: every rule, on a CSV file, an
XLSX workbook and rows of mappings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from handshake_import import (
    Address,
    CreateShipTo,
    Customer,
    ImportFileError,
    InMemoryStore,
    Plan,
    StalePlanError,
    UnchangedShipTo,
    UpdateShipTo,
    reconcile,
)
from handshake_import.adapters.sqlite import SQLiteStore

from .tables import Source, csv_bytes, source_of

_SOURCE = {"kind": "csv"}


@pytest.fixture(autouse=True, params=["csv", "xlsx", "dicts"])
def source_kind(request: pytest.FixtureRequest) -> None:
    """Every test here runs on a CSV file, an XLSX workbook and mappings."""
    _SOURCE["kind"] = request.param


def table(header: Sequence[str], *rows: Sequence[object]) -> Source:
    """The rows under *header*, as the source the test runs on."""
    return source_of(_SOURCE["kind"], header, rows, title="Ship-to")


HEADER = ["cust_id", "cust_name", "ship_id", "ship_name", "ship_street", "ship_city"]


def ship_to(*rows: Sequence[object]) -> Source:
    return table(HEADER, *rows)


ACME = Customer(id="C1", name="Acme Tools")
BETA = Customer(id="C2", name="Beta Supply")
DOCK = Address(id="DOCK", name="Dock 4", street="1 Quay St", city="Hull")


def store(
    *customers: Customer, addresses: Mapping[str, Sequence[Address]] | None = None
) -> InMemoryStore:
    return InMemoryStore(customers or (ACME, BETA), ship_to=addresses)


def codes(plan: Plan) -> list[tuple[str, int | None]]:
    return [(problem.code, problem.row) for problem in plan.problems]


def kinds(plan: Plan) -> list[str]:
    return [type(action).__name__ for action in plan.actions]


# -- whose address --------------------------------------------------------------------


def test_cust_id_names_the_customer() -> None:
    plan = reconcile(ship_to(["C2", "", "", "Depot", "2 Mill Rd", "Leeds"]), store())

    assert ("ship-to",) == plan.templates
    (action,) = plan.actions
    assert isinstance(action, CreateShipTo)
    assert ("2", "C2") == (action.internal_id, action.customer_id)
    assert Address(name="Depot", street="2 Mill Rd", city="Leeds") == action.address


def test_cust_name_names_the_one_customer_with_that_name() -> None:
    """Compared as customers' names are: ignoring case and spaces."""
    plan = reconcile(ship_to(["", "  beta   SUPPLY ", "", "Depot", "", ""]), store())

    assert ["2"] == [a.internal_id for a in plan.actions]  # type: ignore[union-attr]


def test_a_cust_name_two_customers_have_is_an_error_naming_their_ids() -> None:
    twins = store(
        Customer(id="C1", name="Corner Store"), Customer(id="C2", name="Corner Store")
    )

    plan = reconcile(ship_to(["", "Corner Store", "", "Depot", "", ""]), twins)

    (problem,) = plan.problems
    assert ("ambiguous-customer", 2, "cust_name") == (
        problem.code,
        problem.row,
        problem.column,
    )
    assert "'Corner Store' (id 'C1'), 'Corner Store' (id 'C2')" in problem.message
    assert () == plan.actions


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["C9", "", "", "X", "", ""], "cust_id"),
        (["", "Nobody", "", "X", "", ""], "cust_name"),
    ],
)
def test_a_customer_that_does_not_exist_is_an_error(
    row: list[object], column: str
) -> None:
    plan = reconcile(ship_to(row), store())

    (problem,) = plan.problems
    assert ("unknown-customer", 2, column) == (
        problem.code,
        problem.row,
        problem.column,
    )


def test_a_row_naming_no_customer_is_an_error() -> None:
    plan = reconcile(ship_to(["", "", "S1", "X", "", ""]), store())

    assert [("missing-customer", 2)] == codes(plan)


def test_cust_id_wins_over_cust_name() -> None:
    plan = reconcile(ship_to(["C1", "Beta Supply", "", "X", "", ""]), store())

    assert ["1"] == [a.internal_id for a in plan.actions]  # type: ignore[union-attr]


def test_a_file_with_neither_customer_column_is_refused() -> None:
    """Read as the ship-to template, a header without cust_id or cust_name
    is a missing-column problem; found from the header, it fits no
    template."""
    data = table(["ship_id", "ship_city"], ["S1", "Hull"])

    plan = reconcile(data, store(), template="ship-to")
    with pytest.raises(ImportFileError, match="ship-to: cust_id or cust_name"):
        reconcile(data, store())

    (problem,) = plan.problems
    assert "missing-required-column" == problem.code
    assert "'cust_id' or 'cust_name'" in problem.message


# -- which address ----------------------------------------------------------------------


def test_a_ship_id_matches_the_customer_s_address_and_updates_it_field_by_field() -> (
    None
):
    plan = reconcile(
        ship_to(["C1", "", "DOCK", "Dock 4", "1 Quay Street", "Hull"]),
        store(addresses={"C1": [DOCK]}),
    )

    assert [
        UpdateShipTo(
            row=2,
            sheet=plan.actions[0].sheet,  # type: ignore[union-attr]
            internal_id="1",
            ship_id="DOCK",
            changes={"ship_street": ("1 Quay St", "1 Quay Street")},
        )
    ] == list(plan.actions)


def test_an_address_as_stored_is_unchanged() -> None:
    plan = reconcile(
        ship_to(["C1", "", "DOCK", "Dock 4", "1 Quay St", "Hull"]),
        store(addresses={"C1": [DOCK]}),
    )

    assert ["UnchangedShipTo"] == kinds(plan)


def test_a_ship_id_may_repeat_for_different_customers() -> None:
    plan = reconcile(
        ship_to(["C1", "", "MAIN", "A", "", ""], ["C2", "", "MAIN", "B", "", ""]),
        store(),
    )

    assert [] == codes(plan)
    assert ["CreateShipTo", "CreateShipTo"] == kinds(plan)


def test_a_ship_id_twice_for_one_customer_is_an_error_on_both_rows() -> None:
    plan = reconcile(
        ship_to(
            ["C1", "", "MAIN", "A", "", ""],
            ["", "acme tools", "MAIN", "B", "", ""],
        ),
        store(),
    )

    assert [("duplicate-in-file", 2), ("duplicate-in-file", 3)] == codes(plan)
    assert "rows 2 and 3" in plan.problems[0].message


def test_without_a_ship_id_an_equal_address_is_the_same_one() -> None:
    stored = Address(name="Yard", street="9 Lane", city="York")

    plan = reconcile(
        ship_to(["C1", "", "", "Yard", "9 Lane", "York"]),
        store(addresses={"C1": [stored]}),
    )

    assert [UnchangedShipTo(row=2, sheet=plan.actions[0].sheet, internal_id="1",  # type: ignore[union-attr]
            ship_id=None)] == list(plan.actions)  # fmt: skip


def test_without_a_ship_id_a_changed_address_is_a_new_one_with_a_warning() -> None:
    """The documented behaviour: a warning says it resembles the stored one."""
    plan = reconcile(
        ship_to(["C1", "", "", "Dock 4", "1 Quay St", "Hull Docks"]),
        store(addresses={"C1": [DOCK]}),
    )

    assert ["CreateShipTo"] == kinds(plan)
    (warning,) = plan.problems
    assert ("similar-address", 2) == (warning.code, warning.row)
    assert "'Dock 4, 1 Quay St, Hull' (ship_id 'DOCK')" in warning.message


def test_an_address_given_twice_without_a_ship_id_is_an_error() -> None:
    plan = reconcile(
        ship_to(
            ["C1", "", "", "Yard", "9 Lane", "York"],
            ["C1", "", "", "YARD", "9 lane", "York"],
        ),
        store(),
    )

    assert [("duplicate-in-file", 2), ("duplicate-in-file", 3)] == codes(plan)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("create-only", [("already-exists", 2)]), ("update-only", [("not-found", 3)])],
)
def test_modes_apply_to_ship_to(mode: str, expected: list[tuple[str, int]]) -> None:
    plan = reconcile(
        ship_to(["C1", "", "DOCK", "Dock 4", "", ""], ["C1", "", "NEW", "New", "", ""]),
        store(addresses={"C1": [DOCK]}),
        mode=mode,  # type: ignore[arg-type]
    )

    assert expected == codes(plan)


def test_the_customer_s_own_ship_to_columns_stay_its_primary_address() -> None:
    """The customer's ship_* fields are not the additional addresses."""
    primary = Address(street="1 Main St", city="Hull")
    memory = InMemoryStore([Customer(id="C1", name="Acme Tools", ship_to=primary)])

    memory.apply(
        reconcile(ship_to(["C1", "", "S2", "Depot", "2 Mill Rd", "Leeds"]), memory)
    )

    (customer,) = memory.customers
    assert primary == customer.ship_to
    assert {
        "1": (Address(id="S2", name="Depot", street="2 Mill Rd", city="Leeds"),)
    } == dict(memory.ship_to_addresses(["1"]))


# -- applying --------------------------------------------------------------------------


def test_applied_then_read_again_is_unchanged(tmp_path: Path) -> None:
    data = ship_to(
        ["C1", "", "DOCK", "Dock 4", "1 Quay Street", "Hull"],
        ["", "Beta Supply", "", "Depot", "2 Mill Rd", "Leeds"],
    )
    sqlite = SQLiteStore(tmp_path / "shipto.db")
    sqlite.apply(
        reconcile(
            csv_bytes([["id", "name"], ["C1", "Acme Tools"], ["C2", "Beta Supply"]]),
            sqlite,
        )
    )
    sqlite.apply(reconcile(csv_bytes([HEADER, ["C1", "", *attrs_row(DOCK)]]), sqlite))
    for memory in (store(addresses={"C1": [DOCK]}), sqlite):
        result = memory.apply(reconcile(data, memory))
        again = reconcile(data, memory)

        assert [(2, "1"), (3, "2")] == list(result.ship_to)
        assert {UnchangedShipTo} == {type(a) for a in again.actions}
        assert [
            Address(id="DOCK", name="Dock 4", street="1 Quay Street", city="Hull")
        ] == list(memory.ship_to_addresses(["1"])["1"])
    sqlite.close()


def attrs_row(address: Address) -> list[object]:
    return [address.id, address.name, address.street, address.city]


def test_an_address_changed_since_the_plan_makes_it_stale() -> None:
    memory = store(addresses={"C1": [DOCK]})
    plan = reconcile(ship_to(["C1", "", "DOCK", "Dock 4", "1 Quay St", "York"]), memory)
    memory.apply(
        reconcile(ship_to(["C1", "", "DOCK", "Dock 4", "1 Quay St", "Leeds"]), memory)
    )

    with pytest.raises(StalePlanError, match="ship_city is now 'Leeds'"):
        memory.apply(plan)


def test_the_store_is_asked_in_batches() -> None:
    """customers_by_id, customers_by_name_key and ship_to_addresses: each at
    most ceil(keys / batch_size) times."""
    customers = [Customer(id=f"C{n}", name=f"Name {n}") for n in range(30)]
    calls: list[str] = []

    class Counting(InMemoryStore):
        def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
            calls.append("customers_by_id")
            return super().customers_by_id(ids)

        def customers_by_name_key(
            self, keys: Sequence[str]
        ) -> Mapping[str, Sequence[Customer]]:
            calls.append("customers_by_name_key")
            return super().customers_by_name_key(keys)

        def ship_to_addresses(
            self, internal_ids: Sequence[str]
        ) -> Mapping[str, Sequence[Address]]:
            calls.append("ship_to_addresses")
            return super().ship_to_addresses(internal_ids)

    rows = [[f"C{n}", "", "S", "", "", ""] for n in range(20)]
    rows += [["", f"Name {n}", "S", "", "", ""] for n in range(20, 30)]

    reconcile(ship_to(*rows), Counting(customers), batch_size=7)

    assert {
        "customers_by_id": 3,
        "customers_by_name_key": 2,
        "ship_to_addresses": 5,
    } == {name: calls.count(name) for name in dict.fromkeys(calls)}
