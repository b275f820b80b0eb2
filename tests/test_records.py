"""The records: what their constructors make of what they are given."""

from __future__ import annotations

from types import MappingProxyType

from handshake_import import Customer
from handshake_import._records import NO_MAPPING, frozen_mapping


def test_empty_mappings_are_the_shared_one() -> None:
    """The converters give every blank mapping the one shared empty mapping."""
    assert NO_MAPPING is frozen_mapping({})
    assert NO_MAPPING is Customer(name="A").manufacturer_ids
    assert MappingProxyType is type(NO_MAPPING)
