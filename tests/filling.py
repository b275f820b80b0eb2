"""Filling a store that has SQLiteStore's methods for reference data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from handshake_import import CreateCustomer, Customer, CustomerGroup, Option, Plan

S = TypeVar("S")


def fill(
    store: S,
    customers: Iterable[Customer] = (),
    *,
    customer_groups: Iterable[str | CustomerGroup] = (),
    user_groups: Iterable[str] = (),
    manufacturers: Iterable[str] = (),
    options: Mapping[str, Sequence[str | Option]] | None = None,
) -> S:
    """*store* holding this data too (the arguments of `InMemoryStore`): the
    reference data added with its ``add_*`` methods, the customers created
    by applying a plan."""
    writable: Any = store
    writable.add_manufacturers(manufacturers)
    writable.add_customer_groups(customer_groups)
    writable.add_user_groups(user_groups)
    for key, values in (options or {}).items():
        writable.add_options(key, values)
    creates = tuple(
        CreateCustomer(row=number, sheet=None, customer=customer)
        for number, customer in enumerate(customers, start=2)
    )
    writable.apply(Plan(actions=creates))
    return store
