"""Asking the store: the only code that reads from a `CustomerStore`.

`ask` makes the bulk calls, at most *batch_size* keys each, in the order
`_lookups` describes, and checks what comes back before anything relies on
it: a store is the caller's code, and its mistakes must be named as its
own (`StoreError`), not surface later as a wrong plan or a traceback deep
in the planner.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TypeVar

from ._errors import StoreError
from ._lookups import Keys, StoreAnswers, ids_to_ask, name_keys_to_ask
from ._names import NameForms
from ._parse import ParsedRow
from ._records import Address, Customer, CustomerGroup, Option
from ._shipto import ShipToAnswers, customer_keys
from ._store import OPTION_KEYS, CustomerStore

__all__ = [
    "ask",
    "ask_ship_to",
    "batches",
    "stored_customer_groups",
    "stored_options",
]

T = TypeVar("T")


def batches(keys: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """*keys* in slices of at most *size*."""
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def ask(
    store: CustomerStore,
    keys: Keys,
    rows: Iterable[ParsedRow],
    names: NameForms,
    batch_size: int,
) -> StoreAnswers:
    """The store's answers about the keys of *rows*, and its reference data."""
    by_internal_id = _ask(
        "customers_by_internal_id",
        store.customers_by_internal_id,
        keys.internal_ids,
        batch_size,
        _customer_with("internal_id"),
    )
    by_id = {c.id: c for c in by_internal_id.values() if c.id is not None}
    by_id.update(
        _ask(
            "customers_by_id",
            store.customers_by_id,
            ids_to_ask(keys, by_internal_id),
            batch_size,
            _customer_with("id"),
        )
    )
    by_name_key = _ask(
        "customers_by_name_key",
        store.customers_by_name_key,
        name_keys_to_ask(rows, by_id, names),
        batch_size,
        _customers,
    )
    store_options = stored_options(store)
    return StoreAnswers(
        by_id=MappingProxyType(by_id),
        by_internal_id=MappingProxyType(by_internal_id),
        by_name_key=MappingProxyType(by_name_key),
        highest_generated_id=_count(
            "highest_generated_id", store.highest_generated_id()
        ),
        customer_count=_count("customer_count", store.customer_count()),
        customer_groups=frozenset(group.id for group in stored_customer_groups(store)),
        user_groups=_texts("user_groups", store.user_groups()),
        manufacturers=_texts("manufacturers", store.manufacturers()),
        options=MappingProxyType(
            {
                key: tuple(o.value for o in store_options if o.key == key)
                for key in OPTION_KEYS
            }
        ),
    )


def ask_ship_to(
    store: CustomerStore,
    rows: Sequence[ParsedRow],
    names: NameForms,
    batch_size: int,
) -> ShipToAnswers:
    """The store's answers about a ship-to file: the customers its rows
    name, by id and by name key, and their stored addresses."""
    ids, keys = customer_keys(rows, names)
    by_id = _ask(
        "customers_by_id", store.customers_by_id, ids, batch_size, _customer_with("id")
    )
    by_name_key = _ask(
        "customers_by_name_key",
        store.customers_by_name_key,
        keys,
        batch_size,
        _customers,
    )
    found = [c.internal_id or "" for c in by_id.values()]
    found += [c.internal_id or "" for group in by_name_key.values() for c in group]
    addresses = _ask(
        "ship_to_addresses",
        store.ship_to_addresses,
        list(dict.fromkeys(found)),
        batch_size,
        _addresses,
    )
    return ShipToAnswers(
        by_id=MappingProxyType(by_id),
        by_name_key=MappingProxyType(by_name_key),
        addresses=MappingProxyType(addresses),
    )


def _addresses(method: str, key: str, value: object) -> tuple[Address, ...]:
    if not isinstance(value, Collection) or isinstance(value, (str, Address)):
        raise StoreError(
            f"The store's {method} returned {type(value).__name__} for {key!r}; "
            "a CustomerStore returns a sequence of addresses for each customer."
        )
    addresses = tuple(value)
    for address in addresses:
        if not isinstance(address, Address):
            raise StoreError(
                f"The store's {method} returned {type(address).__name__}, not an "
                "Address."
            )
    return addresses


def stored_customer_groups(store: CustomerStore) -> tuple[CustomerGroup, ...]:
    """The store's customer groups, checked."""
    return _records("customer_groups", store.customer_groups(), CustomerGroup)


def stored_options(store: CustomerStore) -> tuple[Option, ...]:
    """The store's options, checked."""
    return _records("options", store.options(), Option)


def _records(method: str, values: object, kind: type[T]) -> tuple[T, ...]:
    if not isinstance(values, Collection) or isinstance(values, str):
        raise StoreError(
            f"The store's {method}() returned {type(values).__name__}; it must be "
            f"a sequence of {kind.__name__} records."
        )
    records = tuple(values)
    for record in records:
        if not isinstance(record, kind):
            raise StoreError(
                f"The store's {method}() returned {type(record).__name__}, not a "
                f"{kind.__name__}."
            )
    return records


def _ask(
    method: str,
    call: Callable[[Sequence[str]], Mapping[str, T]],
    keys: Sequence[str],
    size: int,
    check: Callable[[str, str, object], T],
) -> dict[str, T]:
    """What *call* answers for *keys*, a batch at a time: each key found
    checked with *check*; keys not asked are ignored."""
    found: dict[str, T] = {}
    for batch in batches(keys, size):
        answer = call(batch)
        if not isinstance(answer, Mapping):
            raise StoreError(
                f"The store's {method} returned {type(answer).__name__}; a "
                "CustomerStore returns a mapping of the keys it found."
            )
        for key in batch:
            value = answer.get(key)
            if value is not None:
                found[key] = check(method, key, value)
    return found


def _customer_with(attribute: str) -> Callable[[str, str, object], Customer]:
    """A check that a found customer is one, stored, under its own key."""

    def check(method: str, key: str, value: object) -> Customer:
        customer = _stored(method, value)
        if getattr(customer, attribute) != key:
            raise StoreError(
                f"The store's {method} returned customer {customer.name!r} for "
                f"{attribute} {key!r}, but its {attribute} is "
                f"{getattr(customer, attribute)!r}."
            )
        return customer

    return check


def _customers(method: str, key: str, value: object) -> tuple[Customer, ...]:
    if not isinstance(value, Collection) or isinstance(value, (str, Customer)):
        raise StoreError(
            f"The store's {method} returned {type(value).__name__} for {key!r}; "
            "a CustomerStore returns a sequence of customers for each key."
        )
    return tuple(_stored(method, customer) for customer in value)


def _stored(method: str, value: object) -> Customer:
    if not isinstance(value, Customer):
        raise StoreError(
            f"The store's {method} returned {type(value).__name__}, not a Customer."
        )
    if not value.internal_id:
        raise StoreError(
            f"The store returned customer {value.name!r} without an internal_id; "
            "a CustomerStore returns stored customers with theirs."
        )
    return value


def _count(method: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise StoreError(
            f"The store's {method}() returned {value!r}; it must be an int >= 0."
        )
    return value


def _texts(method: str, values: object) -> tuple[str, ...]:
    if not isinstance(values, Collection) or isinstance(values, str):
        raise StoreError(
            f"The store's {method} returned {type(values).__name__}; it must "
            "be a collection of strings."
        )
    texts = tuple(values)
    if not all(isinstance(text, str) for text in texts):
        raise StoreError(f"The store's {method} returned a value that is not text.")
    return texts
