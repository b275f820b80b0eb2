"""A user-written store adapter, type-checked by mypy --strict as part of the suite.

`DictStore` never names `CustomerStore`: it satisfies the protocol by its
methods alone, the way an adapter over an app's own models does.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

import attrs

from handshake_import import (
    OPTION_KEYS,
    Address,
    Customer,
    CustomerGroup,
    CustomerStore,
    Option,
    Plan,
    name_key,
    reconcile,
)
from handshake_import.testing import StoreConformance

_GENERATED = re.compile(r"HS-([0-9]+)")


class DictStore:
    """Customers kept in a dict by internal id, with the app's reference data."""

    def __init__(
        self,
        customers: Mapping[str, Customer],
        *,
        customer_groups: Iterable[CustomerGroup] = (),
        user_groups: Iterable[str] = (),
        manufacturers: Iterable[str] = (),
        options: Mapping[str, Sequence[Option]] | None = None,
    ) -> None:
        self._customers = {
            internal_id: attrs.evolve(customer, internal_id=internal_id)
            for internal_id, customer in customers.items()
        }
        self._customer_groups = tuple(customer_groups)
        self._user_groups = list(user_groups)
        self._manufacturers = tuple(manufacturers)
        self._options = [
            option for values in (options or {}).values() for option in values
        ]

    def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        wanted = set(ids)
        return {
            customer.id: customer
            for customer in self._customers.values()
            if customer.id is not None and customer.id in wanted
        }

    def customers_by_internal_id(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Customer]:
        return {i: self._customers[i] for i in internal_ids if i in self._customers}

    def customers_by_name_key(
        self, keys: Sequence[str]
    ) -> Mapping[str, Sequence[Customer]]:
        wanted = set(keys)
        found: dict[str, list[Customer]] = defaultdict(list)
        for customer in self._customers.values():
            key = name_key(customer.name)
            if key in wanted:
                found[key].append(customer)
        return found

    def highest_generated_id(self) -> int:
        numbers = [
            int(match.group(1))
            for customer in self._customers.values()
            if customer.id and (match := _GENERATED.fullmatch(customer.id))
        ]
        return max(numbers, default=0)

    def customer_count(self) -> int:
        return len(self._customers)

    def customer_groups(self) -> Sequence[CustomerGroup]:
        return self._customer_groups

    def user_groups(self) -> Collection[str]:
        return self._user_groups

    def manufacturers(self) -> Collection[str]:
        return self._manufacturers

    def options(self) -> Sequence[Option]:
        return self._options

    def ship_to_addresses(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Address]]:
        return {}


def preview_import(data: bytes, customers: Mapping[str, Customer]) -> Plan:
    store = DictStore(
        customers,
        customer_groups=[CustomerGroup(id="retail"), CustomerGroup(id="wholesale")],
        options={
            key: [Option(key=key, value="Net 30", is_default=True)]
            if key == "paymentTerms"
            else []
            for key in OPTION_KEYS
        },
    )
    return reconcile(data, store, mode="update-only", batch_size=500)


def as_protocol(store: DictStore) -> CustomerStore:
    return store


class DictStoreChecks(StoreConformance):
    """The conformance kit's hooks, overridden with their full signatures.

    (A real suite names the class ``Test...``; `DictStore` is read-only, so
    only the kit's read-side tests would pass.)
    """

    def make_store(
        self,
        customers: Iterable[Customer] = (),
        *,
        customer_groups: Iterable[CustomerGroup] = (),
        user_groups: Iterable[str] = (),
        manufacturers: Iterable[str] = (),
        options: Mapping[str, Sequence[Option]] | None = None,
    ) -> CustomerStore:
        return DictStore(
            {str(n): customer for n, customer in enumerate(customers, start=1)},
            customer_groups=customer_groups,
            user_groups=user_groups,
            manufacturers=manufacturers,
            options=options,
        )

    def apply(
        self, store: CustomerStore, plan: Plan, *, partial: bool = False
    ) -> object:
        raise NotImplementedError("DictStore is read-only")

    def open_second_handle(self, store: CustomerStore) -> CustomerStore:
        assert isinstance(store, DictStore)
        return store

    def close_second_handle(self, handle: CustomerStore) -> None:
        pass

    def close_store(self, store: CustomerStore) -> None:
        # A store over a database would drop its test database here.
        super().close_store(store)
