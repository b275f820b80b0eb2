"""describe_plan: a plan as JSON-ready rows for a preview screen."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from handshake_import import (
    CustomColumn,
    Customer,
    InMemoryStore,
    Plan,
    Schema,
    UpdateCustomer,
    describe_plan,
    reconcile,
)
from handshake_import._describe import display_value

from .tables import csv_bytes


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        ("Oslo", "Oslo"),
        (("a@x.example", "b@x.example"), "a@x.example, b@x.example"),
        (True, "yes"),
        (False, "no"),
        (12, "12"),
        (Decimal("1250.50"), "1250.50"),
        (dt.date(2024, 1, 31), "2024-01-31"),
    ],
)
def test_display_value(value: object, shown: str) -> None:
    """Every kind of value as a screen shows it."""
    assert shown == display_value(value)  # type: ignore[arg-type]


class CountingStore(InMemoryStore):
    """An InMemoryStore that notes the batches of internal ids asked."""

    asked: list[Sequence[str]]

    def customers_by_internal_id(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Customer]:
        self.asked.append(list(internal_ids))
        return super().customers_by_internal_id(internal_ids)


def test_rows_name_their_customers_from_the_store() -> None:
    """Updates and unchanged rows are labelled by the stored customer's name
    and id (its internal id without one); the store is asked in batches."""
    store = CountingStore(
        [
            Customer(id="C1", name="Acme Tools", contact="Bob"),
            Customer(name="No Id Ltd", contact="Ann"),
            Customer(id="C3", name="Gamma"),
        ],
        user_groups=[],
    )
    store.asked = []
    data = csv_bytes(
        [
            ["internal_id", "id", "name", "contact", "userGroup", "credit"],
            ["", "C1", "Acme Tools", "Carol", "", ""],
            ["2", "", "No Id Ltd", "Ann", "", ""],
            ["", "C3", "Gamma", "", "Reps", "12.5"],
        ]
    )
    plan = reconcile(
        data, store, schema=Schema([CustomColumn(name="credit", type="decimal")])
    )
    store.asked = []

    preview = describe_plan(plan, store, batch_size=2)

    assert [["1", "2"], ["3"]] == store.asked
    assert [
        ("create-user-group", "Reps"),
        ("update", "Acme Tools (C1)"),
        ("unchanged", "No Id Ltd (internal id 2)"),
        ("update", "Gamma (C3)"),
    ] == [(a["kind"], a["label"]) for a in preview["actions"]]
    assert [
        {"field": "userGroup", "old": "", "new": "Reps"},
        {"field": "credit", "old": "", "new": "12.5"},
    ] == preview["actions"][3]["changes"]
    assert json.loads(json.dumps(preview)) == preview


def test_a_customer_the_store_no_longer_has_and_no_unchanged_rows() -> None:
    """An update of a customer gone from the store is labelled by its
    internal id; unchanged=False leaves the unchanged rows out."""
    plan = Plan(
        actions=(
            UpdateCustomer(
                row=2,
                sheet="Sheet1",
                internal_id="7",
                matched_by="internal_id",
                changes={"contact": ("Ann", None)},
            ),
        )
    )
    store = InMemoryStore([Customer(id="C1", name="Acme")])
    same = reconcile(csv_bytes([["id", "name"], ["C1", "Acme"]]), store)

    preview = describe_plan(plan, store)

    assert {
        "kind": "update",
        "row": 2,
        "sheet": "Sheet1",
        "label": "the customer with internal id 7",
        "name": None,
        "id": None,
        "internal_id": "7",
        "matched_by": "internal_id",
        "changes": [{"field": "contact", "old": "Ann", "new": ""}],
    } == preview["actions"][0]
    assert [] == describe_plan(same, store, unchanged=False)["actions"]
    assert (
        1
        == describe_plan(same, store, unchanged=False)["summary"]["actions"][
            "unchanged"
        ]
    )
