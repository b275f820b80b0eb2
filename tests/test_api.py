"""The driver: options, sources, the store's answers checked, and a host
process left as it was."""

from __future__ import annotations

import gc
import io
import threading
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import pytest

from handshake_import import (
    Customer,
    ImportFileError,
    InMemoryStore,
    LimitExceededError,
    Limits,
    ReadResult,
    Schema,
    StoreError,
    read_customers,
    reconcile,
)

from .tables import csv_bytes, xlsx_bytes

STORED = [Customer(id="C1", internal_id="1", name="Acme")]
CLEAN = csv_bytes([["id", "name"], ["C1", "Acme"], ["C2", "Beta"]])


def _many_rows(count: int) -> list[list[str]]:
    return [
        ["id", "name", "email"],
        *([f"C{n}", f"Customer {n}", f"c{n}@x.example"] for n in range(count)),
    ]


# -- a guest in the host's process -------------------------------------------------


def _host_state() -> tuple[object, ...]:
    return (gc.isenabled(), gc.get_freeze_count(), list(warnings.filters))


@pytest.mark.parametrize(
    "data",
    [csv_bytes(_many_rows(10_000)), xlsx_bytes(_many_rows(500))],
    ids=["csv", "xlsx"],
)
def test_reconciling_leaves_the_collector_and_warning_filters_alone(
    data: bytes,
) -> None:
    """The collector's state and the warning filters are exactly as they
    were after a reconcile, and another thread watching the collector
    throughout never sees it off."""
    before = _host_state()
    seen_off = threading.Event()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if not gc.isenabled():
                seen_off.set()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        plan = reconcile(data, InMemoryStore(STORED))
    finally:
        done.set()
        watcher.join()

    assert plan.ok
    assert before == _host_state()
    assert not seen_off.is_set()


# -- options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [
        {"sheet": "Customers"},
        {"columns": {"Customer": "name"}},
        {"schema": Schema()},
        {"limits": Limits()},
    ],
)
def test_reading_options_are_refused_with_a_read_result(
    option: dict[str, object],
) -> None:
    """A ReadResult was read already: options of reading cannot apply to it."""
    result = read_customers(CLEAN)

    with pytest.raises(TypeError, match="pass them to read_customers"):
        reconcile(result, InMemoryStore(STORED), **option)  # type: ignore[arg-type]


# -- the rows of a ReadResult ---------------------------------------------------------


def test_rows_are_built_as_they_are_taken() -> None:
    """`ReadResult.rows` is a sequence of records, equal to the records each
    time, and comparable with a tuple of them."""
    rows = read_customers(CLEAN).rows

    assert 2 == len(rows)
    assert rows[0] == rows[0]
    assert rows[0] is not rows[0]
    assert ["Acme", "Beta"] == [row.customer.name for row in rows]
    assert ["Beta"] == [row.customer.name for row in rows[1:]]
    assert tuple(rows) == rows
    assert rows == read_customers(CLEAN).rows
    assert rows != read_customers(csv_bytes([["id", "name"], ["C1", "Acme"]])).rows


def test_a_read_result_made_of_records_plans_as_the_file() -> None:
    """A ReadResult an app builds of records plans as the file it came from."""
    result = read_customers(CLEAN)
    by_hand = attrs.evolve(result, rows=tuple(result.rows))

    assert isinstance(by_hand, ReadResult)
    assert reconcile(result, InMemoryStore(STORED)) == reconcile(
        by_hand, InMemoryStore(STORED)
    )


# -- sources that cannot be read ------------------------------------------------------


def test_a_path_that_is_not_a_readable_file_raises_as_reading_it_does(
    tmp_path: Path,
) -> None:
    """A missing file, or a directory: reconcile says what reading says."""
    for path in (tmp_path / "missing.csv", tmp_path):
        with pytest.raises(ImportFileError) as planning:
            reconcile(path, InMemoryStore(STORED))
        with pytest.raises(ImportFileError) as reading:
            read_customers(path)
        assert str(planning.value) == str(reading.value)


def test_a_closed_stream_raises_as_reading_it_does() -> None:
    closed = io.BytesIO(CLEAN)
    closed.close()

    with pytest.raises(ValueError, match="closed file"):
        reconcile(closed, InMemoryStore(STORED))


class _Failing(InMemoryStore):
    def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        raise StoreError("the database went away")


def test_the_file_is_read_before_the_store_is_asked() -> None:
    """A file over a limit raises that, whatever the store would do."""
    data = csv_bytes(_many_rows(7))

    with pytest.raises(LimitExceededError):
        reconcile(data, _Failing(STORED), limits=Limits(max_rows=5))
    with pytest.raises(StoreError, match="went away"):
        reconcile(data, _Failing(STORED))


# -- the store's answers are checked ---------------------------------------------------


class _Listing(InMemoryStore):
    def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        return list(super().customers_by_id(ids).values())  # type: ignore[return-value]


class _Mixing(InMemoryStore):
    def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        return dict.fromkeys(ids, STORED[0])


class _Counting(InMemoryStore):
    def customer_count(self) -> int:
        return -1


@pytest.mark.parametrize(
    ("store", "message"),
    [
        (_Listing(STORED), "customers_by_id returned list"),
        (_Mixing(STORED), "returned customer 'Acme' for id 'C2', but its id is 'C1'"),
        (_Counting(STORED), r"customer_count\(\) returned -1"),
    ],
)
def test_a_store_answering_what_no_store_answers_is_named(
    store: InMemoryStore, message: str
) -> None:
    """The store's mistakes are a StoreError naming the method, not a wrong
    plan or a traceback from the planner."""
    with pytest.raises(StoreError, match=message):
        reconcile(CLEAN, store)
