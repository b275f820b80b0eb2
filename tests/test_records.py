"""The reader's positional builders make the records the public constructors make."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import MappingProxyType

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from handshake_import import Address, Customer, CustomerRow
from handshake_import._records import (
    NO_MAPPING,
    build_address,
    build_customer,
    build_customer_row,
    frozen_mapping,
)

ADDRESS_FIELDS = [field.name for field in attrs.fields(Address)]
CUSTOMER_FIELDS = [field.name for field in attrs.fields(Customer)]
ROW_FIELDS = [field.name for field in attrs.fields(CustomerRow)]

texts = st.text(alphabet="ab é0-", max_size=4)
optional_texts = st.none() | st.text(alphabet="ab é0-", min_size=1, max_size=4)
mappings = st.dictionaries(texts, texts, max_size=2)


def parameters(builder: Callable[..., object]) -> list[str]:
    return list(inspect.signature(builder).parameters)


def test_builders_take_every_field_in_order() -> None:
    """A field added to a record must be added to its builder too."""
    assert CUSTOMER_FIELDS == parameters(build_customer)
    assert ROW_FIELDS == parameters(build_customer_row)
    assert 10 == len(ADDRESS_FIELDS)  # build_address unpacks exactly ten texts


@given(st.lists(texts, min_size=10, max_size=10))
def test_build_address_is_the_constructor(cells: list[str]) -> None:
    """Ten cell texts in field order; a blank one is None."""
    built = build_address(cells)
    expected = Address(
        **{name: text or None for name, text in zip(ADDRESS_FIELDS, cells, strict=True)}
    )

    assert Address is type(built)
    assert expected == built
    assert hash(expected) == hash(built)
    assert repr(expected) == repr(built)


@given(
    st.tuples(
        texts.filter(bool),
        *[optional_texts] * 3,
        st.lists(texts, max_size=2).map(tuple),
        *[st.none() | st.lists(texts, min_size=10, max_size=10).map(build_address)] * 2,
        *[optional_texts] * 5,
        mappings,
        mappings,
    ),
    st.integers(min_value=2),
    st.none() | texts,
    st.frozensets(texts, max_size=3),
)
def test_build_customer_row_is_the_constructors(
    fields: tuple[object, ...], row: int, sheet: str | None, present: frozenset[str]
) -> None:
    """Given what the converters make of the mappings, the builders build the
    records the keyword constructors build, frozen as theirs are."""
    values = dict(zip(CUSTOMER_FIELDS, fields, strict=True))
    customer = Customer(**values)  # type: ignore[arg-type]
    converted = {
        **values,
        "manufacturer_ids": frozen_mapping(values["manufacturer_ids"]),  # type: ignore[arg-type]
        "custom": frozen_mapping(values["custom"]),  # type: ignore[arg-type]
    }
    built_customer = build_customer(*converted.values())  # type: ignore[arg-type]
    built = build_customer_row(row, sheet, built_customer, present)
    expected = CustomerRow(row=row, sheet=sheet, customer=customer, present=present)

    assert (CustomerRow, Customer) == (type(built), type(built.customer))
    assert expected == built
    assert repr(expected) == repr(built)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.customer.name = "changed"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.row = 1  # type: ignore[misc]


def test_empty_mappings_are_the_shared_one() -> None:
    """The converters give every blank mapping the one shared empty mapping."""
    assert NO_MAPPING is frozen_mapping({})
    assert NO_MAPPING is Customer(name="A").manufacturer_ids
    assert MappingProxyType is type(NO_MAPPING)
