"""The building blocks of `handshake_import.adapters`, one by one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

import pytest

from handshake_import import (
    InMemoryStore,
    StalePlanError,
    WritableCustomerStore,
    name_key,
)
from handshake_import.adapters import (
    check_names_free,
    dump_custom_values,
    integer_internal_id,
    load_custom_values,
)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("1", 1),
        ("4711", 4711),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("9" * 20, None),
        ("0", None),
        ("01", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1 ", None),
        ("1.0", None),
        ("1e3", None),
        ("", None),
        ("\u0661", None),  # ARABIC-INDIC DIGIT ONE
        ("\u00b2", None),  # SUPERSCRIPT TWO
        ("9" * 10_000, None),
    ],
)
def test_integer_internal_id(key: str, expected: int | None) -> None:
    """A key is an integer internal id only as a database writes one, and
    within a signed 64-bit integer."""
    assert expected == integer_internal_id(key)


def test_custom_values_round_trip_as_text() -> None:
    """dump_custom_values writes tagged JSON text; load_custom_values reads
    it back with the types."""
    custom = {
        "note": "Grüße",
        "visits": 12,
        "credit": Decimal("1250.50"),
        "vip": True,
        "since": dt.date(2020, 2, 29),
        "tags": ("gold", "north"),
    }

    text = dump_custom_values(custom)

    assert (
        '{"credit": {"decimal": "1250.50"}, "note": "Grüße", '
        '"since": {"date": "2020-02-29"}, "tags": ["gold", "north"], '
        '"vip": {"bool": true}, "visits": {"int": 12}}'
    ) == text
    assert custom == load_custom_values(text)
    assert "{}" == dump_custom_values({})
    assert {} == load_custom_values("{}")
    assert {} == load_custom_values(None)
    assert {} == load_custom_values("")


@pytest.mark.parametrize("text", ["[1]", '{"x": {"decimal": "abc"}}', '{"x": 1}'])
def test_load_custom_values_refuses_what_it_did_not_write(text: str) -> None:
    """Text that dump_custom_values cannot have written is a ValueError."""
    with pytest.raises(ValueError, match="not"):
        load_custom_values(text)


def _named(
    stored: Sequence[tuple[str, str]], asked: list[list[str]]
) -> Callable[[Sequence[str]], list[tuple[str, str]]]:
    """customers_named over *stored*, noting each batch of keys in *asked*."""

    def customers_named(keys: Sequence[str]) -> list[tuple[str, str]]:
        asked.append(list(keys))
        return [(i, name) for i, name in stored if name_key(name) in keys]

    return customers_named


def test_check_names_free_passes_customers_alone_with_their_names() -> None:
    """Each created customer being the only one with its name (folded),
    nothing is raised; the keys are asked in batches."""
    stored = [("1", "Acme Tools"), ("2", "Beta Ltd"), ("3", "Beta Limited")]
    asked: list[list[str]] = []

    check_names_free(
        [(2, "1", "Acme Tools"), (3, "2", "Beta Ltd")],
        _named(stored, asked),
        batch_size=1,
    )

    assert [["acme tools"], ["beta"]] == asked


def test_check_names_free_refuses_the_first_row_whose_name_is_taken() -> None:
    """Another customer with the same folded name: name_taken_since of the
    earliest such row."""
    stored = [
        ("1", "Acme Tools"),
        ("2", "Beta Ltd"),
        ("7", "BETA  LTD"),
        ("8", "acme tools"),
    ]

    with pytest.raises(
        StalePlanError, match="Row 3: a customer named 'Beta Ltd'"
    ) as raised:
        check_names_free(
            [(5, "1", "Acme Tools"), (3, "2", "Beta Ltd")],
            _named(stored, []),
        )

    assert 3 == raised.value.row


def test_check_names_free_asks_nothing_without_created_customers() -> None:
    """No customer created with a generated id: no question."""
    asked: list[list[str]] = []

    check_names_free([], _named([], asked))

    assert [] == asked


def test_the_writable_protocol() -> None:
    """InMemoryStore is a WritableCustomerStore; a read-only store is not."""

    class ReadOnly:
        def customers_by_id(self, ids: Sequence[str]) -> dict[str, object]:
            return {}

    assert isinstance(InMemoryStore(), WritableCustomerStore)
    assert not isinstance(ReadOnly(), WritableCustomerStore)
