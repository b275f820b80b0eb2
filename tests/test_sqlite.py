"""The SQLite adapter: the conformance kit, schema, faults and concurrency."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.queues
import multiprocessing.synchronize
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from handshake_import import (
    Address,
    CreateCustomer,
    Customer,
    CustomerGroup,
    CustomerStore,
    Option,
    PlanHasErrorsError,
    StalePlanError,
    StoreError,
    reconcile,
)
from handshake_import.adapters.sqlite import SCHEMA_VERSION, SQLiteStore
from handshake_import.testing import StoreConformance

from .filling import fill
from .tables import csv_bytes

_counter = iter(range(1_000_000))


def new_store(
    directory: Path, customers: Iterable[Customer] = (), **data: Any
) -> SQLiteStore:
    return fill(
        SQLiteStore(directory / f"store-{next(_counter)}.db"), customers, **data
    )


class TestSQLiteStore(StoreConformance):
    """SQLiteStore passes the conformance kit unchanged (the kit's default
    close_store closes each store, and with it its connection)."""

    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path: Path) -> None:
        self.directory = tmp_path

    def make_store(
        self,
        customers: Iterable[Customer] = (),
        *,
        customer_groups: Iterable[str | CustomerGroup] = (),
        user_groups: Iterable[str] = (),
        manufacturers: Iterable[str] = (),
        options: Mapping[str, Sequence[str | Option]] | None = None,
    ) -> CustomerStore:
        return new_store(
            self.directory,
            customers,
            customer_groups=customer_groups,
            user_groups=user_groups,
            manufacturers=manufacturers,
            options=options,
        )

    def open_second_handle(self, store: CustomerStore) -> CustomerStore:
        assert isinstance(store, SQLiteStore)
        assert store.path is not None
        return SQLiteStore(store.path)


class DeferredSQLiteStore(SQLiteStore):
    """SQLiteStore with apply in a deferred transaction (plain BEGIN): it
    reads the old values before it holds the write lock."""

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection
        connection.execute("BEGIN")
        try:
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise


class DeferredKit(TestSQLiteStore):
    __test__ = False

    def make_store(
        self, customers: Iterable[Customer] = (), **data: Any
    ) -> CustomerStore:
        store = super().make_store(customers, **data)
        assert isinstance(store, SQLiteStore)
        assert store.path is not None
        store.close()
        return DeferredSQLiteStore(store.path)

    def open_second_handle(self, store: CustomerStore) -> CustomerStore:
        assert isinstance(store, SQLiteStore)
        assert store.path is not None
        return DeferredSQLiteStore(store.path)


def test_the_kit_fails_an_apply_that_checks_before_it_locks(tmp_path: Path) -> None:
    """An adapter that reads the old values before it holds the write lock
    fails the kit's test of two plans applied at once (here SQLite refuses
    the later writer: 'database is locked')."""
    kit = DeferredKit()
    kit.directory = tmp_path

    with pytest.raises(AssertionError, match="two plans applied at once"):
        kit.test_two_handles_applying_at_once()


FILE = csv_bytes(
    [
        ["id", "name", "email", "bill_city", "userGroup"],
        ["C1", "Acme", "a@acme.example", "Oslo", "Reps"],
        ["C2", "Beta", "b@beta.example", "Lyon", ""],
        ["", "Gamma", "", "", "Reps"],
    ]
)


def connect(path: Path) -> contextlib.closing[sqlite3.Connection]:
    """A connection to *path*, closed at the end of the ``with`` block
    (sqlite3's own ``with`` only ends the transaction)."""
    return contextlib.closing(sqlite3.connect(path))


def snapshot(path: Path) -> list[tuple[object, ...]]:
    with connect(path) as connection:
        return [
            row
            for table in ("customers", "customer_manufacturer_ids", "user_groups")
            for row in connection.execute(f"SELECT * FROM {table} ORDER BY 1")
        ]


def test_blank_address_parts_read_back_as_none(tmp_path: Path) -> None:
    """An address part stored blank reads back as None, and a block of blank
    parts as no address: blank is None, as the docs ask of an adapter."""
    customer = Customer(
        name="Acme",
        id="C1",
        bill_to=Address(street="1 Main St", city=""),
        ship_to=Address(city="", phone=""),
    )

    with new_store(tmp_path, [customer]) as store:
        stored = store.customers_by_id(["C1"])["C1"]

    assert stored.bill_to == Address(street="1 Main St")
    assert stored.ship_to is None


def test_schema_version_is_recorded(tmp_path: Path) -> None:
    """A new database gets the schema and PRAGMA user_version."""
    SQLiteStore(tmp_path / "x.db").close()

    with connect(tmp_path / "x.db") as connection:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
    assert SCHEMA_VERSION == version


def test_a_database_of_schema_1_is_migrated(tmp_path: Path) -> None:
    """tests/data/sqlite-schema-1.db was made by the release before the
    customer groups' order (schema 1): groups wholesale and retail, options
    Net 30 and COD, user group Reps, manufacturer Acme, customer C1. Opened
    now, it is migrated to this schema, with everything in it, and the
    groups in the order they were added in."""
    path = tmp_path / "old.db"
    path.write_bytes(
        (Path(__file__).parent / "data" / "sqlite-schema-1.db").read_bytes()
    )

    with SQLiteStore(path) as store:
        assert ["wholesale", "retail"] == [g.id for g in store.customer_groups()]
        assert ["Net 30", "COD"] == [o.value for o in store.options()]
        assert ["Reps"] == list(store.user_groups())
        assert ["Acme"] == list(store.manufacturers())
        customer = store.customers_by_id(["C1"])["C1"]
        assert ("retail", "COD", {"Acme": "A-1"}) == (
            customer.customer_group,
            customer.payment_terms,
            dict(customer.manufacturer_ids),
        )
        plan = reconcile(
            b"id,isDefault,name\r\nretail,1,Retail\r\nwholesale,0,Trade\r\n", store
        )
        store.apply(plan)
        assert [
            CustomerGroup(id="retail", name="Retail", is_default=True),
            CustomerGroup(id="wholesale", name="Trade"),
        ] == list(store.customer_groups())
    with connect(path) as connection:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
    assert SCHEMA_VERSION == version


def test_takes_an_open_connection_and_leaves_it_open(tmp_path: Path) -> None:
    """A connection passed in is used, and not closed by close()."""
    with contextlib.closing(
        sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    ) as connection:
        store = SQLiteStore(connection)
        store.apply(reconcile(FILE, store))
        store.close()

        assert 3 == connection.execute("SELECT count(*) FROM customers").fetchone()[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,email\nnot a database\n" * 100, "is not an SQLite database"),
    ],
)
def test_a_file_that_is_not_sqlite(
    tmp_path: Path, content: bytes, message: str
) -> None:
    """A non-database file gives a StoreError that says so."""
    path = tmp_path / "customers.csv"
    path.write_bytes(content)

    with pytest.raises(StoreError, match=message):
        SQLiteStore(path)


def test_newer_schema_and_foreign_databases_are_refused(tmp_path: Path) -> None:
    """A database from a newer release, or with other tables, is refused."""
    newer = tmp_path / "newer.db"
    with connect(newer) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    foreign = tmp_path / "foreign.db"
    with connect(foreign) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")

    with pytest.raises(StoreError, match="newer release"):
        SQLiteStore(newer)
    with pytest.raises(StoreError, match="other tables"):
        SQLiteStore(foreign)


def test_locked_past_the_timeout(tmp_path: Path) -> None:
    """A database locked by another writer past the timeout: a clear StoreError."""
    path = tmp_path / "locked.db"
    with SQLiteStore(path, timeout=0.2) as store:
        plan = reconcile(FILE, store)
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as blocker:
            blocker.execute("BEGIN IMMEDIATE")
            try:
                with pytest.raises(StoreError, match="locked by another process"):
                    store.apply(plan)
            finally:
                blocker.execute("ROLLBACK")
        assert 3 == len(store.apply(plan).created)


def test_error_in_the_middle_of_apply_leaves_the_database_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after some rows were written rolls everything back."""
    path = tmp_path / "fault.db"
    with SQLiteStore(path) as store:
        store.apply(reconcile(csv_bytes([["id", "name"], ["C0", "Zero"]]), store))
        before = snapshot(path)
        plan = reconcile(FILE, store)
        real_insert = SQLiteStore._insert
        calls = []

        def failing_insert(
            self: SQLiteStore, connection: sqlite3.Connection, action: CreateCustomer
        ) -> str:
            calls.append(action.row)
            if len(calls) == 2:
                raise OSError("disk unplugged")
            return real_insert(self, connection, action)

        monkeypatch.setattr(SQLiteStore, "_insert", failing_insert)
        with pytest.raises(OSError, match="disk unplugged"):
            store.apply(plan)

        assert [2, 3] == calls
        assert before == snapshot(path)


def test_plan_with_errors_is_refused_unless_partial(tmp_path: Path) -> None:
    """The partial rule is the same as InMemoryStore's."""
    with SQLiteStore(tmp_path / "p.db") as store:
        plan = reconcile(
            csv_bytes([["id", "name", "email"], ["C1", "A", "bad"], ["C2", "B", ""]]),
            store,
        )

        with pytest.raises(PlanHasErrorsError):
            store.apply(plan)
        assert 0 == store.customer_count()
        assert 1 == len(store.apply(plan, partial=True).created)


def test_hs_ids_past_a_64_bit_integer_are_stored(tmp_path: Path) -> None:
    """An ``HS-`` id too long to be a generated one is stored as an ordinary
    id; generated numbers go on after the highest that fits."""
    with SQLiteStore(tmp_path / "h.db") as store:
        long_ids = ["HS-9223372036854775808", "HS-" + "9" * 40]
        first = reconcile(
            csv_bytes(
                [["id", "name"], [long_ids[0], "A"], [long_ids[1], "B"], ["HS-7", "C"]]
            ),
            store,
        )
        store.apply(first)
        second = reconcile(csv_bytes([["id", "name"], ["", "D"]]), store)
        store.apply(second)

        assert "HS-8" == second.creates[0].customer.id
        assert 8 == store.highest_generated_id()
        everyone = [*long_ids, "HS-7", "HS-8"]
        assert set(everyone) == set(store.customers_by_id(everyone))


def test_stale_update_is_refused_inside_the_transaction(tmp_path: Path) -> None:
    """An update whose old values changed meanwhile: StalePlanError, nothing applied."""
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        store.apply(reconcile(FILE, store))
        change_city = reconcile(
            csv_bytes(
                [
                    ["id", "name", "bill_city"],
                    ["C1", "Acme", "Bergen"],
                    ["N9", "New", ""],
                ]
            ),
            store,
        )
        change_again = reconcile(
            csv_bytes([["id", "name", "bill_city"], ["C1", "Acme", "Tromsø"]]), store
        )
        store.apply(change_again)
        before = snapshot(path)

        with pytest.raises(
            StalePlanError, match="the data changed since this plan was made"
        ):
            store.apply(change_city)
        assert before == snapshot(path)


def _apply_in_process(
    path: str,
    data: bytes,
    barrier: multiprocessing.synchronize.Barrier,
    results: multiprocessing.queues.Queue[str],
) -> None:
    store = SQLiteStore(path, timeout=10)
    plan = reconcile(data, store)
    barrier.wait()  # both plans are made from the same state before either applies
    try:
        store.apply(plan)
    except StalePlanError:
        results.put("stale")
    else:
        results.put("applied")
    finally:
        store.close()


def _open_in_process(
    path: str,
    barrier: multiprocessing.synchronize.Barrier,
    results: multiprocessing.queues.Queue[str],
) -> None:
    barrier.wait()  # every process opens the new database at the same moment
    try:
        store = SQLiteStore(path, timeout=10)
    except Exception as error:
        results.put(f"{type(error).__name__}: {error}")
    else:
        results.put("opened")
        store.close()


def test_a_full_disk_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    """A disk that fills up during apply: a StoreError that says so (not
    "cannot rollback"), and the database as it was."""
    path = tmp_path / "full.db"
    SQLiteStore(path).close()
    connection = sqlite3.connect(path, isolation_level=None)
    (pages,) = connection.execute("PRAGMA page_count").fetchone()
    # The database may grow by two pages: as a disk that is nearly full.
    connection.execute(f"PRAGMA max_page_count = {pages + 2}")
    store = SQLiteStore(connection)
    rows = [
        ["id", "name", "contact"],
        *([f"C{n}", f"Customer {n}", "x" * 50] for n in range(500)),
    ]
    plan = reconcile(csv_bytes(rows), store)

    with pytest.raises(StoreError, match="is full") as raised:
        store.apply(plan)

    assert "rollback" not in str(raised.value)
    assert 0 == store.customer_count()
    store.close()
    connection.close()


@pytest.mark.slow
def test_processes_making_a_new_database_at_once(tmp_path: Path) -> None:
    """The first use of a new database by several processes at once: each
    opens it, and the schema is made once."""
    path = tmp_path / "new.db"
    context = multiprocessing.get_context("spawn")
    count = 6
    barrier = context.Barrier(count)
    results: multiprocessing.queues.Queue[str] = context.Queue()
    processes = [
        context.Process(target=_open_in_process, args=(str(path), barrier, results))
        for _ in range(count)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)

    assert ["opened"] * count == [results.get(timeout=5) for _ in processes]
    with SQLiteStore(path) as store:
        assert 0 == store.customer_count()


@pytest.mark.slow
def test_two_processes_applying_at_once(tmp_path: Path) -> None:
    """Two processes apply plans made from the same state: no lost update, no double create."""
    path = tmp_path / "race.db"
    with SQLiteStore(path) as store:
        store.apply(reconcile(FILE, store))
    first = csv_bytes(
        [["id", "name", "bill_city"], ["C1", "Acme", "Bergen"], ["N1", "New", ""]]
    )
    second = csv_bytes(
        [["id", "name", "bill_city"], ["C1", "Acme", "Tromsø"], ["N1", "New", ""]]
    )
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results: multiprocessing.queues.Queue[str] = context.Queue()
    processes = [
        context.Process(
            target=_apply_in_process, args=(str(path), data, barrier, results)
        )
        for data in (first, second)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)

    assert [0, 0] == [process.exitcode for process in processes]
    assert ["applied", "stale"] == sorted(results.get(timeout=5) for _ in processes)
    with SQLiteStore(path) as after:
        assert 4 == after.customer_count()
        (acme,) = after.customers_by_id(["C1"]).values()
        assert acme.bill_to is not None
        assert acme.bill_to.city in {"Bergen", "Tromsø"}


def test_apply_reports_progress_in_actions(tmp_path: Path) -> None:
    """apply(progress=...) gets (0, actions) first, then every thousand
    actions, and (actions, actions) once committed."""
    with new_store(tmp_path) as store:
        plan = reconcile(
            csv_bytes([["id", "name"], *([f"C{n}", f"N{n}"] for n in range(1500))]),
            store,
        )
        calls: list[tuple[int, int | None]] = []

        store.apply(plan, progress=lambda done, total: calls.append((done, total)))

    assert [(0, 1500), (1000, 1500), (1500, 1500)] == calls
