"""`CustomerStore`: what reconciliation reads from the host app's storage.

Every look-up is bulk: it takes a batch of keys and returns what it found,
so that reconciling a file costs a handful of queries, never one per row.
docs/stores.md explains each method for adapter authors;
`handshake_import.testing` checks an adapter against this contract.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ._records import OPTION_KEYS, Address, Customer, CustomerGroup, Option

if TYPE_CHECKING:
    from ._apply import ApplyResult
    from ._plan import Plan

__all__ = [
    "GENERATED_LIMIT",
    "OPTION_KEYS",
    "CustomerStore",
    "WritableCustomerStore",
    "generated_number",
    "integer_internal_id",
]

#: Generated ids are ``HS-<n>`` with *n* below this (18 digits at most), so
#: that any store can keep *n* in a 64-bit integer column.
GENERATED_LIMIT = 10**18
_GENERATED = re.compile(r"HS-([0-9]+)")
_GENERATED_DIGITS = len(str(GENERATED_LIMIT - 1))


def generated_number(customer_id: str | None) -> int | None:
    """The *n* of an id of the form ``HS-<n>``, or ``None``.

    An id has one when it is exactly ``HS-`` followed by ASCII digits
    (``HS-007`` is 7) whose number is below `GENERATED_LIMIT`: no id
    generated here can reach a longer one, so it is an ordinary id.
    """
    match = _GENERATED.fullmatch(customer_id or "")
    if match is None:
        return None
    # Leading zeros do not count; the length test keeps int() from a
    # thousand-digit text (which Python refuses anyway).
    digits = match.group(1).lstrip("0")
    return int(digits or "0") if len(digits) <= _GENERATED_DIGITS else None


#: The largest value of a signed 64-bit integer column.
_BIGINT_MAX = 2**63 - 1


def integer_internal_id(key: str) -> int | None:
    """The number of *key* when it is how an integer internal id is written,
    else ``None``: ASCII digits, no sign, no leading zero, no space, and a
    positive number that a signed 64-bit integer column can hold.

    For an adapter whose internal ids are an integer primary key: the keys
    of `CustomerStore.customers_by_internal_id` come from a file, and one
    for which this is ``None`` is no customer's (never one to pass to the
    database, which would refuse a number past 64 bits).
    """
    if not (0 < len(key) <= 19 and key.isascii() and key.isdigit()) or key[0] == "0":
        return None
    number = int(key)
    return number if number <= _BIGINT_MAX else None


@runtime_checkable
class CustomerStore(Protocol):
    """The read side of the host app's customer storage.

    Stored customers are `Customer` records whose `Customer.internal_id` is
    set. Methods taking keys receive at most the reconcile ``batch_size``
    keys per call, without duplicates; keys not found are simply absent
    from the answer.
    """

    def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        """The customers whose ``id`` is one of *ids* (exact match), by id."""
        ...

    def customers_by_internal_id(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Customer]:
        """The customers whose ``internal_id`` is one of *internal_ids*."""
        ...

    def customers_by_name_key(
        self, keys: Sequence[str]
    ) -> Mapping[str, Sequence[Customer]]:
        """The customers whose `name_key` of their name is one of *keys*,
        grouped by key (several customers can share a key)."""
        ...

    def highest_generated_id(self) -> int:
        """The highest *n* of the ids of the form ``HS-<n>`` in use; 0 if none."""
        ...

    def customer_count(self) -> int:
        """How many customers the store holds."""
        ...

    def customer_groups(self) -> Sequence[CustomerGroup]:
        """The customer groups, in their order (at most one the default)."""
        ...

    def user_groups(self) -> Collection[str]:
        """The names of the existing user groups."""
        ...

    def manufacturers(self) -> Collection[str]:
        """The names of the manufacturers customers can have ids for."""
        ...

    def options(self) -> Sequence[Option]:
        """The options of every list (`OPTION_KEYS`), each list's in its
        order (at most one of a list the default)."""
        ...

    def ship_to_addresses(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Address]]:
        """The additional ship-to addresses of the customers whose
        ``internal_id`` is one of *internal_ids*, each customer's in their
        order, by internal id (a customer without any may be absent). Each
        `Address`'s ``id`` is its ``ship_id``."""
        ...


@runtime_checkable
class WritableCustomerStore(CustomerStore, Protocol):
    """A `CustomerStore` that also writes plans, as `InMemoryStore` and the
    adapters of `handshake_import.adapters` do: code typed against it can
    reconcile and apply."""

    def apply(self, plan: Plan, *, partial: bool = False) -> ApplyResult:
        """Carry out *plan* in one transaction, all of it or nothing (see
        docs/stores.md, "What apply must guarantee")."""
        ...
