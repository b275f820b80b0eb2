"""Each record class built positionally (`_build.positional`) comes out as
its public constructor makes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from handshake_import import (
    Address,
    CreateCustomer,
    Customer,
    CustomerRow,
    Problem,
    Unchanged,
    UpdateCustomer,
)
from handshake_import._build import positional
from handshake_import._records import frozen_mapping

texts = st.text(alphabet="ab é0-", max_size=4)
optional_texts = st.none() | texts.filter(bool)
mappings = st.dictionaries(texts, texts, max_size=2).map(frozen_mapping)
addresses = st.builds(
    Address, **{f.name: optional_texts for f in attrs.fields(Address)}
)
customers = st.builds(
    Customer,
    name=texts,
    id=optional_texts,
    internal_id=optional_texts,
    contact=optional_texts,
    emails=st.lists(texts.filter(bool), max_size=2).map(tuple),
    bill_to=st.none() | addresses,
    ship_to=st.none() | addresses,
    payment_terms=optional_texts,
    shipping_method=optional_texts,
    tax_id=optional_texts,
    customer_group=optional_texts,
    user_group=optional_texts,
    manufacturer_ids=mappings,
    custom=mappings,
)
changes = st.dictionaries(texts, st.tuples(optional_texts, optional_texts), max_size=2)

#: Each class, and the fields of an instance, as its builder takes them.
INSTANCES: dict[type, st.SearchStrategy[Any]] = {
    Address: addresses,
    Customer: customers,
    CustomerRow: st.builds(
        CustomerRow,
        row=st.integers(2),
        sheet=optional_texts,
        customer=customers,
        present=st.frozensets(texts, max_size=3),
    ),
    CreateCustomer: st.builds(
        CreateCustomer,
        row=st.integers(2),
        sheet=optional_texts,
        customer=customers,
        generated_id=st.booleans(),
    ),
    UpdateCustomer: st.builds(
        UpdateCustomer,
        row=st.integers(2),
        sheet=optional_texts,
        internal_id=texts,
        matched_by=st.sampled_from(["internal_id", "id", "name"]),
        changes=changes,
    ),
    Unchanged: st.builds(
        Unchanged,
        row=st.integers(2),
        sheet=optional_texts,
        internal_id=texts,
        matched_by=st.sampled_from(["internal_id", "id", "name"]),
    ),
    Problem: st.builds(
        Problem,
        severity=st.sampled_from(["error", "warning"]),
        code=texts,
        message=texts,
        row=st.none() | st.integers(1),
        column=optional_texts,
        cell=optional_texts,
        sheet=optional_texts,
    ),
}


@pytest.mark.parametrize("cls", list(INSTANCES), ids=lambda cls: cls.__name__)
def test_a_built_instance_is_the_constructed_one(cls: type) -> None:
    """Given an instance's fields in order, the builder makes an equal,
    frozen instance of the public class, with every field set."""
    build: Callable[..., Any] = positional(cls)

    @given(INSTANCES[cls])
    def check(constructed: Any) -> None:
        fields = [getattr(constructed, f.name) for f in attrs.fields(cls)]
        built = build(*fields)

        assert cls is type(built)
        assert constructed == built
        assert repr(constructed) == repr(built)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(built, attrs.fields(cls)[0].name, None)

    check()
