"""Plans as JSON and back: only what `unstructure_plan` makes is a plan."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from handshake_import import (
    CreateCustomer,
    Customer,
    InMemoryStore,
    Plan,
    UpdateCustomer,
    reconcile,
    structure_plan,
    unstructure_plan,
)

from .tables import csv_bytes

STORED = Customer(id="C1", name="Acme", internal_id="1", emails=("a@acme.example",))


def _plan_data() -> dict[str, Any]:
    plan = reconcile(
        csv_bytes(
            [
                ["id", "name", "email", "userGroup"],
                ["C1", "Acme Tools", "b@acme.example", "East"],
                ["N1", "New", "n@new.example", ""],
            ]
        ),
        InMemoryStore([STORED]),
    )
    data: dict[str, Any] = json.loads(json.dumps(unstructure_plan(plan)))
    assert plan == structure_plan(data)
    return data


def _update(data: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in data["actions"] if a["kind"] == "update")


def _create(data: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in data["actions"] if a["kind"] == "create")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: _create(d)["customer"].update(name=None), "name"),
        (lambda d: _create(d)["customer"].update(emails="n@new.example"), "emails"),
        (lambda d: d.update(stopped_early="false"), "stopped_early"),
        (lambda d: _update(d)["changes"].update(name=["Acme", None]), "name"),
        (lambda d: _update(d).update(row="2"), "row"),
        (lambda d: _update(d).update(row=True), "row"),
        (lambda d: _update(d).update(matched_by="guess"), "matched_by"),
        (lambda d: _create(d).update(surprise=1), "surprise"),
        (lambda d: d["actions"].append({"kind": "delete", "row": 9}), "actions[3]"),
        (lambda d: _create(d)["customer"].update(emails=["not an address"]), "email: 'not'"),
        (lambda d: _update(d)["changes"].update(email=[None, ["x@@y"]]), "email"),
        (lambda d: _update(d)["changes"].update(id=["C1", None]), "id"),
        (lambda d: _update(d)["changes"].update(internal_id=["1", "2"]), "internal_id"),
        (lambda d: _create(d)["customer"].update(internal_id="7"), "internal_id"),
        (lambda d: _create(d)["customer"].update(id="1.23457E+11"), "id"),
        (lambda d: _create(d)["customer"].update(contact="a\x00b"), "contact"),
        (lambda d: _create(d)["customer"]["custom"].update(limit={"decimal": 5}), "limit"),
        (lambda d: d["problems"].append({"severity": "fatal", "code": "x", "message": "m"}), "severity"),
    ],
)  # fmt: skip
def test_anything_unstructure_plan_would_not_make_is_refused(
    change: Callable[[dict[str, Any]], None], where: str
) -> None:
    """A value of another type, a key too many, a value no file could give:
    ValueError, naming where, never a plan that writes it."""
    data = copy.deepcopy(_plan_data())
    change(data)

    with pytest.raises(
        ValueError, match="not a plan made by unstructure_plan"
    ) as raised:
        structure_plan(data)
    assert where in str(raised.value)


def test_data_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValueError, match="expected an object"):
        structure_plan([])


def test_apply_refuses_values_no_file_could_give() -> None:
    """A plan built by hand with a blank name or an invalid address is
    refused by apply, which writes nothing."""
    store = InMemoryStore([STORED])
    bad = Plan(
        actions=(
            CreateCustomer(row=2, sheet=None, customer=Customer(name="Fine")),
            CreateCustomer(row=3, sheet=None, customer=Customer(name=" ")),
            UpdateCustomer(
                row=4,
                sheet=None,
                internal_id="1",
                matched_by="id",
                changes={"email": (("a@acme.example",), ("nope",))},
            ),
        )
    )

    with pytest.raises(ValueError, match="row 3: the name is blank") as raised:
        store.apply(bad)
    assert "row 4: email: 'nope' is not a valid address" in str(raised.value)
    assert (STORED,) == store.customers


def _bytes_per_row(plan: Plan, **options: bool) -> float:
    data = unstructure_plan(plan, **options)
    return len(json.dumps(data, separators=(",", ":"))) / len(plan.actions)


def test_the_compact_form_leaves_defaults_out_and_structures_back() -> None:
    """compact=True leaves out blank fields, no address, empty mappings and
    a false generated_id; structure_plan reads it into an equal plan."""
    plan = reconcile(
        csv_bytes([["id", "name", "bill_city"], ["N1", "New", "Oslo"]]),
        InMemoryStore(),
    )

    data = unstructure_plan(plan, compact=True)

    assert [
        {
            "row": 2,
            "sheet": None,
            "customer": {"name": "New", "id": "N1", "bill_to": {"city": "Oslo"}},
            "kind": "create",
        }
    ] == data["actions"]
    assert plan == structure_plan(json.loads(json.dumps(data)))


def test_a_compact_plan_of_many_rows() -> None:
    """Kept compact, an unchanged row takes under 150 bytes (its keys), and
    a created customer with six fields under 200, a third of the full form's
    (20,000 rows; with 100,000, a row number has one digit more)."""
    count = 20_000
    stored = [
        Customer(
            id=f"C{n}", name=f"Customer {n}", contact="Ann", emails=("a@x.example",)
        )
        for n in range(count)
    ]
    same = [
        {
            "id": f"C{n}",
            "name": f"Customer {n}",
            "contact": "Ann",
            "email": "a@x.example",
        }
        for n in range(count)
    ]
    new = [
        {
            "id": f"N{n}",
            "name": f"New {n}",
            "contact": "Bo",
            "email": "b@x.example",
            "bill_street": "2 Main St",
            "bill_city": "Oslo",
        }
        for n in range(count)
    ]
    unchanged = reconcile(same, InMemoryStore(stored))
    creates = reconcile(new, InMemoryStore())

    assert count == len(unchanged.unchanged)
    assert _bytes_per_row(unchanged, compact=True) < 90
    assert _bytes_per_row(creates, compact=True) < 200
    assert _bytes_per_row(creates) > 2.5 * _bytes_per_row(creates, compact=True)
    assert creates == structure_plan(unstructure_plan(creates, compact=True))
