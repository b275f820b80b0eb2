"""Planning a file a chunk of rows at a time as it is read.

A file that can be read again (a path, bytes, a seekable stream read from
its start) is planned in chunks while it is read; when a rule of the whole
file applies to a chunk (a key on two rows, two rows reaching one customer,
a name another row may change), the file is read again and planned whole.
Either way the plan is the one the whole file gives. tests/test_reconcile.py
runs every rule with chunks of two rows too; these tests check the switch.
"""

from __future__ import annotations

import gc
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handshake_import import (
    Customer,
    CustomerRow,
    ImportFileError,
    InMemoryStore,
    LimitExceededError,
    Limits,
    Plan,
    StoreError,
    _api,
    read_customers,
    reconcile,
)

from .tables import csv_bytes

CHUNK = 2


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of two rows, whatever the batch size."""
    monkeypatch.setattr(_api, "_rows_per_chunk", lambda batch_size: CHUNK)


class AskingStore(InMemoryStore):
    """Records every key it is asked about, per look-up kind, and each
    chunk's planning (a call of `customers_by_internal_id`)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.asked: dict[str, list[str]] = {"id": [], "internal_id": [], "name": []}

    def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        self.asked["id"] += ids
        return super().customers_by_id(ids)

    def customers_by_internal_id(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Customer]:
        self.asked["internal_id"] += internal_ids
        return super().customers_by_internal_id(internal_ids)

    def customers_by_name_key(
        self, keys: Sequence[str]
    ) -> Mapping[str, Sequence[Customer]]:
        self.asked["name"] += keys
        return super().customers_by_name_key(keys)


STORED = [
    Customer(id="C1", name="Acme", internal_id="1"),
    Customer(id="C2", name="Beta", internal_id="2"),
    Customer(id="C3", name="Gamma", internal_id="3"),
    Customer(id="T1", name="Twin", internal_id="4"),
    Customer(id="T2", name="twin", internal_id="5"),
]

HEADER = ["id", "internal_id", "name", "contact"]


def _file(*rows: Sequence[str]) -> bytes:
    return csv_bytes([HEADER, *rows])


def _whole(data: bytes, store: InMemoryStore, **options: object) -> Plan:
    """The plan of the file read whole first (no chunks)."""
    return reconcile(read_customers(data), store, **options)  # type: ignore[arg-type]


def _planned_in_chunks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records whether each planning while reading got to the end."""
    outcomes: list[bool] = []
    planning = _api._plan_while_reading

    def recording(*args: object, **kwargs: object) -> Plan | None:
        plan = planning(*args, **kwargs)  # type: ignore[arg-type]
        outcomes.append(plan is not None)
        return plan

    monkeypatch.setattr(_api, "_plan_while_reading", recording)
    return outcomes


CLEAN = _file(
    ["C1", "1", "Acme", "Ann"],
    ["C2", "", "Beta", "Bo"],
    ["C9", "", "Nine", ""],
    ["", "", "Ten", ""],
    ["HS-4", "", "Four", ""],
)


def test_a_clean_file_is_planned_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """No rule of the whole file applies: planned as read, the plan is the
    whole file's, and the generated id waits for the file's HS- ids."""
    outcomes = _planned_in_chunks(monkeypatch)
    store = AskingStore(STORED)

    plan = reconcile(CLEAN, store)

    assert outcomes == [True]
    assert plan == _whole(CLEAN, InMemoryStore(STORED))
    assert [a.customer.id for a in plan.creates] == ["C9", "HS-5", "HS-4"]


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        pytest.param(
            [["C1", "", "Acme", ""], ["C7", "", "x", ""], ["C1", "", "Acme", ""]],
            "duplicate-in-file",
            id="the same id in two chunks",
        ),
        pytest.param(
            [["C8", "", "Ho", ""], ["C7", "", "x", ""], ["C8", "", "Hi", ""]],
            "duplicate-in-file",
            id="the same new id in two chunks",
        ),
        pytest.param(
            [["", "9", "Acme", ""], ["C7", "", "x", ""], ["C5", "9", "Bo", ""]],
            "duplicate-in-file",
            id="the same unknown internal id in two chunks",
        ),
        pytest.param(
            [["", "", "Nova", ""], ["C7", "", "x", ""], ["C8", "", "NOVA", ""]],
            "duplicate-in-file",
            id="a blank-id row's name on a later row",
        ),
        pytest.param(
            [["C8", "", "Nova", ""], ["C7", "", "x", ""], ["", "", "nova", ""]],
            "duplicate-in-file",
            id="a blank-id row's name on an earlier row",
        ),
        pytest.param(
            [["C1", "", "Acme", ""], ["C7", "", "x", ""], ["", "1", "Acme", ""]],
            "same-customer-twice",
            id="one customer reached by id and by internal id",
        ),
        pytest.param(
            [["", "", "Acme", ""], ["C7", "", "x", ""], ["C1", "", "Acme Two", ""]],
            None,
            id="a later row renames the customer a blank-id row's name matches",
        ),
        pytest.param(
            [["C1", "", "Acme One", ""], ["C7", "", "x", ""], ["", "", "Acme", ""]],
            None,
            id="an earlier row renames the customer a blank-id row's name matches",
        ),
        pytest.param(
            [["", "", "Twin", ""], ["C7", "", "x", ""], ["T1", "", "Twin One", ""]],
            None,
            id="a later row renames one of two customers a blank-id name matches",
        ),
        pytest.param(
            [["T1", "", "Twin One", ""], ["C7", "", "x", ""], ["", "", "Twin", ""]],
            None,
            id="an earlier row renames one of two customers a blank-id name matches",
        ),
    ],
)
def test_a_rule_of_the_whole_file_reads_it_again(
    monkeypatch: pytest.MonkeyPatch, rows: list[list[str]], code: str | None
) -> None:
    """A rule of the whole file applies to a later chunk: the file is read
    again and planned whole, with the store asked about no key twice."""
    outcomes = _planned_in_chunks(monkeypatch)
    store = AskingStore(STORED)
    data = _file(*rows)

    plan = reconcile(data, store)

    assert outcomes == [False]
    assert plan == _whole(data, InMemoryStore(STORED))
    if code is not None:
        assert code in {problem.code for problem in plan.problems}
    for kind, keys in store.asked.items():
        assert len(keys) == len(set(keys)), (kind, keys)


def test_a_later_rename_changes_what_a_blank_id_name_matches() -> None:
    """The case the rename rule exists for, planned whole after the chunks:
    of the two customers a blank-id row's name matches, the one a later row
    renames is not a candidate, and the row matches the other."""
    data = _file(["", "", "Twin", ""], ["C7", "", "x", ""], ["T1", "", "Twin One", ""])

    plan = reconcile(data, InMemoryStore(STORED))

    assert [(a.row, a.internal_id, dict(a.changes)) for a in plan.updates] == [
        (2, "5", {"name": ("twin", "Twin")}),
        (4, "4", {"name": ("Twin", "Twin One")}),
    ]
    assert not plan.problems


def test_a_stream_read_from_its_start_is_sought_back_for_the_second_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A seekable stream is read again from its start."""
    outcomes = _planned_in_chunks(monkeypatch)
    data = _file(["C1", "", "Acme", ""], ["C7", "", "x", ""], ["C1", "", "Acme", ""])

    plan = reconcile(io.BytesIO(data), InMemoryStore(STORED))

    assert outcomes == [False]
    assert plan == _whole(data, InMemoryStore(STORED))


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, as a pipe or a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_source_that_cannot_be_read_again_is_planned_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stream that cannot seek, or one not at its start, is read once,
    whole, as are rows given as mappings."""
    outcomes = _planned_in_chunks(monkeypatch)
    store = InMemoryStore(STORED)
    started = io.BytesIO(b"junk" + CLEAN)
    started.read(4)

    plans = [
        reconcile(_Pipe(CLEAN), store),
        reconcile(started, store),
        reconcile(read_customers(CLEAN), store),
    ]

    assert outcomes == []
    assert plans[0] == plans[1] == plans[2] == _whole(CLEAN, store)


def test_progress_does_not_go_back_when_the_file_is_read_again() -> None:
    """The second reading tells the progress callback nothing it was told."""
    rows = [[f"C{i}", "", f"N{i}", ""] for i in range(1, 2501)]
    rows[-1] = ["C1", "", "N1", ""]
    calls: list[tuple[int, int | None]] = []

    reconcile(
        _file(*rows),
        InMemoryStore(),
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls == [(1000, None), (2000, None), (2500, 2500)]


def test_the_collector_is_back_on_when_a_store_fails_in_a_later_chunk() -> None:
    """A store error in the middle of the file leaves the collector as it
    was."""

    class Failing(InMemoryStore):
        calls = 0

        def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
            self.calls += 1
            if self.calls == 2:
                raise StoreError("the database went away")
            return super().customers_by_id(ids)

    assert gc.isenabled()
    with pytest.raises(StoreError):
        reconcile(CLEAN, Failing(STORED))

    assert gc.isenabled()


names = st.sampled_from(["Acme", "acme", "Beta", "Twin", "Twin Two", "Nova", "nova "])
ids = st.sampled_from(["", "", "C1", "C2", "T1", "T2", "C8", "HS-1", "HS-7"])
internal_ids = st.sampled_from(["", "", "", "1", "2", "4", "5", "9"])
rows_strategy = st.lists(
    st.tuples(ids, internal_ids, names, st.sampled_from(["", "Ann"])),
    min_size=1,
    max_size=10,
)


@given(rows_strategy, st.sampled_from([1, 2, 3]))
def test_any_file_planned_in_chunks_is_planned_as_whole(
    rows: list[tuple[str, str, str, str]], chunk: int
) -> None:
    """Whatever the file, planning it as read gives the whole file's plan."""
    data = _file(*rows)
    previous = _api._rows_per_chunk
    _api._rows_per_chunk = lambda batch_size: chunk  # type: ignore[assignment]
    try:
        plan = reconcile(data, InMemoryStore(STORED))
    finally:
        _api._rows_per_chunk = previous  # type: ignore[assignment]

    assert plan == _whole(data, InMemoryStore(STORED))


def test_a_path_that_is_not_a_readable_file_raises_as_reading_it_does(
    tmp_path: Path,
) -> None:
    """A missing file, or a directory, is not read in chunks: reading it
    says what is wrong, as `read_customers` does."""
    for path in (tmp_path / "missing.csv", tmp_path):
        with pytest.raises(ImportFileError) as planning:
            reconcile(path, InMemoryStore(STORED))
        with pytest.raises(ImportFileError) as reading:
            read_customers(path)
        assert str(planning.value) == str(reading.value)


def test_a_closed_stream_raises_as_reading_it_does() -> None:
    """A stream that cannot say where it is (closed) is not read in chunks."""
    closed = io.BytesIO(CLEAN)
    closed.close()

    with pytest.raises(ValueError, match="closed file") as planning:
        reconcile(closed, InMemoryStore(STORED))
    with pytest.raises(ValueError, match="closed file") as reading:
        read_customers(closed)
    assert str(planning.value) == str(reading.value)


def _rows_alive() -> int:
    return sum(type(item) is CustomerRow for item in gc.get_objects())


class _WatchingStore(InMemoryStore):
    """Counts the rows alive (beyond those alive before) each time it is
    asked about ids."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.alive: list[int] = []
        self.before = _rows_alive()

    def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        self.alive.append(_rows_alive() - self.before)
        return super().customers_by_id(ids)


def test_the_rows_of_a_chunk_are_let_go_once_it_is_planned() -> None:
    """Only the chunk being planned is alive, also when its rows have an
    option value the store lacks (warned about at the end)."""
    rows = [[f"C{i}", "", f"N{i}", "Net 99"] for i in range(1, 11)]
    data = csv_bytes([["id", "internal_id", "name", "paymentTerms"], *rows])
    store = _WatchingStore(STORED)

    plan = reconcile(data, store)

    assert len(store.alive) == 5
    assert max(store.alive) <= CHUNK
    (warning,) = plan.problems
    assert (warning.code, warning.row) == ("unknown-option", 2)
    assert "10 rows" in warning.message


def test_trouble_later_in_the_file_wins_over_a_store_error() -> None:
    """As when the whole file was read before the store was asked: a file
    over a limit further on raises that, not the store's error."""

    class Failing(InMemoryStore):
        def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
            raise StoreError("the database went away")

    data = _file(*([f"C{i}", "", f"N{i}", ""] for i in range(1, 8)))

    with pytest.raises(LimitExceededError) as raised:
        reconcile(data, Failing(STORED), limits=Limits(max_rows=5))
    assert isinstance(raised.value.__context__, StoreError)
    with pytest.raises(StoreError):
        reconcile(data, Failing(STORED))
