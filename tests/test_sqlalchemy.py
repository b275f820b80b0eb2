"""The SQLAlchemy adapter: the conformance kit on SQLite and on a PostgreSQL
server the tests start, the mapping onto an app's own tables, and what it
refuses."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import pytest

sa = pytest.importorskip("sqlalchemy")

from handshake_import import (  # noqa: E402 - after the extra's check
    Address,
    Customer,
    CustomerGroup,
    CustomerStore,
    Option,
    StalePlanError,
    StoreError,
    reconcile,
)
from handshake_import.adapters.sqlalchemy import (  # noqa: E402
    CustomerColumns,
    CustomerGroupColumns,
    ManufacturerIdColumns,
    OptionColumns,
    ShipToColumns,
    SQLAlchemyStore,
    StoreTables,
    create_tables,
    default_tables,
)
from handshake_import.testing import StoreConformance  # noqa: E402

from .filling import fill  # noqa: E402
from .postgres import PostgresServer  # noqa: E402
from .tables import csv_bytes  # noqa: E402


def sqlite_store(path: Path, tables: StoreTables | None = None) -> SQLAlchemyStore:
    """A store over a new SQLite file, with the default tables made."""
    engine = sa.create_engine(f"sqlite:///{path}")
    tables = tables or default_tables()
    create_tables(engine, tables)
    return SQLAlchemyStore(engine, tables)


class TestOnSQLite(StoreConformance):
    """On SQLite: a database file per store, its own engine."""

    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> None:
        self.folder = tmp_path

    def make_store(
        self, customers: Iterable[Customer] = (), **data: Any
    ) -> CustomerStore:
        return fill(
            sqlite_store(self.folder / f"{uuid.uuid4().hex}.db"), customers, **data
        )

    def open_second_handle(self, store: CustomerStore) -> CustomerStore:
        assert isinstance(store, SQLAlchemyStore)
        return SQLAlchemyStore(sa.create_engine(store.engine.url), store.tables)

    def close_store(self, store: CustomerStore) -> None:
        assert isinstance(store, SQLAlchemyStore)
        store.engine.dispose()

    close_second_handle = close_store


class TestOnPostgreSQL(StoreConformance):
    """On PostgreSQL 15, started by the tests: a schema per store, dropped
    when the test ends."""

    @pytest.fixture(autouse=True)
    def _server(self, postgres: PostgresServer) -> None:
        self.server = postgres

    def make_store(
        self, customers: Iterable[Customer] = (), **data: Any
    ) -> CustomerStore:
        schema = f"kit_{uuid.uuid4().hex}"
        engine = sa.create_engine(self.server.url, pool_size=2)
        with engine.begin() as connection:
            connection.execute(sa.schema.CreateSchema(schema))
        tables = default_tables(sa.MetaData(schema=schema))
        create_tables(engine, tables)
        return fill(SQLAlchemyStore(engine, tables), customers, **data)

    def open_second_handle(self, store: CustomerStore) -> CustomerStore:
        assert isinstance(store, SQLAlchemyStore)
        return SQLAlchemyStore(sa.create_engine(self.server.url), store.tables)

    def close_second_handle(self, handle: CustomerStore) -> None:
        assert isinstance(handle, SQLAlchemyStore)
        handle.engine.dispose()

    def close_store(self, store: CustomerStore) -> None:
        assert isinstance(store, SQLAlchemyStore)
        schema = store.tables.customers.table.schema
        assert schema is not None
        with store.engine.begin() as connection:
            connection.execute(sa.schema.DropSchema(schema, cascade=True))
        store.engine.dispose()


# -- the app's own tables ------------------------------------------------------------


def app_tables() -> tuple[sa.MetaData, StoreTables]:
    """An app's schema, not ours: other names, fewer fields, no custom
    column, manufacturer ids keyed by a UUID-less integer key."""
    metadata = sa.MetaData()
    clients = sa.Table(
        "clients",
        metadata,
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("crm_code", sa.String(40), unique=True),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("company_key", sa.String(200), nullable=False, index=True),
        sa.Column("mail", sa.Text),
        sa.Column("invoice_city", sa.String(80)),
        sa.Column("terms", sa.String(40)),
        sa.Column("notes", sa.Text),  # the app's own column, not the template's
    )
    codes = sa.Table(
        "client_codes",
        metadata,
        sa.Column("client_pk", sa.ForeignKey("clients.pk"), primary_key=True),
        sa.Column("brand", sa.String(80), primary_key=True),
        sa.Column("code", sa.String(80), nullable=False),
    )
    brands = sa.Table("brands", metadata, sa.Column("label", sa.String(80)))
    tables = StoreTables(
        customers=CustomerColumns(
            internal_id=clients.c.pk,
            fields={
                "id": clients.c.crm_code,
                "name": clients.c.company,
                "email": clients.c.mail,
                "bill_city": clients.c.invoice_city,
                "paymentTerms": clients.c.terms,
            },
            name_key=clients.c.company_key,
        ),
        manufacturer_ids=ManufacturerIdColumns(
            customer=codes.c.client_pk, manufacturer=codes.c.brand, value=codes.c.code
        ),
        manufacturers=brands.c.label,
    )
    return metadata, tables


def test_the_app_s_own_tables(tmp_path: Path) -> None:
    """A store over the app's tables reads and writes the columns the
    mapping names, leaves the app's other columns alone, and plans nothing
    on a second upload."""
    _, tables = app_tables()
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    create_tables(engine, tables)
    store = SQLAlchemyStore(engine, tables)
    store.add_manufacturers(["Acme"])
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO clients (pk, crm_code, company, company_key, notes) "
                "VALUES (7, 'C7', 'Old Name', 'old name', 'keep me')"
            )
        )
    data = csv_bytes(
        [
            ["id", "name", "email", "bill_city", "paymentTerms", "id:Acme"],
            ["C7", "New Name", "a@x.example; b@x.example", "Oslo", "Net 30", "A-7"],
            ["", "Fresh Co", "", "", "", ""],
        ]
    )

    plan = reconcile(data, store)
    result = store.apply(plan)
    again = reconcile(data, store)

    assert plan.ok
    assert ("7",) == result.updated
    assert [(3, "8")] == list(result.created)
    assert (
        Customer(
            internal_id="7",
            id="C7",
            name="New Name",
            emails=("a@x.example", "b@x.example"),
            bill_to=Address(city="Oslo"),
            payment_terms="Net 30",
            manufacturer_ids={"Acme": "A-7"},
        )
        == store.customers_by_id(["C7"])["C7"]
    )
    with engine.connect() as connection:
        assert [("keep me", "a@x.example, b@x.example", "new name")] == list(
            connection.execute(
                sa.text("SELECT notes, mail, company_key FROM clients WHERE pk = 7")
            )
        )
    assert [] == [a for a in again.actions if type(a).__name__ != "Unchanged"]
    assert () == store.customer_groups()
    assert () == store.options()
    engine.dispose()


def test_a_value_the_tables_have_no_place_for_is_refused(tmp_path: Path) -> None:
    """A plan with custom values, or a user group, for tables without a
    place for them: StoreError naming what, and nothing written."""
    from handshake_import import CustomColumn, Schema  # noqa: PLC0415

    _, tables = app_tables()
    store = sqlite_store(tmp_path / "app.db", tables)
    custom = reconcile(
        csv_bytes([["id", "name", "note"], ["C1", "One", "hello"]]),
        store,
        schema=Schema([CustomColumn(name="note")]),
    )
    group = reconcile(
        csv_bytes([["id", "name", "userGroup"], ["C1", "One", "Reps"]]), store
    )

    with pytest.raises(
        StoreError, match=r"Row 2: .* no place for custom columns \(note\)"
    ):
        store.apply(custom)
    with pytest.raises(StoreError, match="no place for user groups"):
        store.apply(group)
    assert 0 == store.customer_count()
    store.engine.dispose()


def test_the_app_s_own_group_and_option_tables(tmp_path: Path) -> None:
    """Groups and options on the app's tables: what the mapping names is
    read and written, a second upload plans nothing, and a group column of
    ids alone reads the groups and refuses a plan that sets their order."""
    metadata, tables = app_tables()
    groups = sa.Table(
        "tiers",
        metadata,
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("sort", sa.Integer),
        sa.Column("main", sa.Boolean, default=False),
    )
    options = sa.Table(
        "picklists",
        metadata,
        sa.Column("list", sa.String(20), primary_key=True),
        sa.Column("value", sa.String(80), primary_key=True),
        sa.Column("sort", sa.Integer),
    )
    full = attrs.evolve(
        tables,
        customer_groups=CustomerGroupColumns(
            id=groups.c.code,
            name=groups.c.title,
            is_default=groups.c.main,
            position=groups.c.sort,
        ),
        options=OptionColumns(
            key=options.c.list, value=options.c.value, position=options.c.sort
        ),
    )
    store = sqlite_store(tmp_path / "app.db", full)
    store.add_customer_groups(["B"])
    store.add_options("paymentTerms", ["Net 30"])
    data = csv_bytes([["id", "isDefault", "name"], ["A", 1, "Retail"], ["B", 0, "Pro"]])

    plan = reconcile(data, store)
    store.apply(plan)
    again = reconcile(data, store)
    only_ids = SQLAlchemyStore(
        store.engine, attrs.evolve(tables, customer_groups=groups.c.code)
    )

    assert plan.ok
    assert [
        CustomerGroup(id="A", name="Retail", is_default=True),
        CustomerGroup(id="B", name="Pro"),
    ] == list(store.customer_groups())
    assert [Option(key="paymentTerms", value="Net 30")] == list(store.options())
    assert {"unchanged-customer-group": 2} == {
        kind: count for kind, count in again.summary()["actions"].items() if count
    }
    assert ["A", "B"] == [group.id for group in only_ids.customer_groups()]
    with pytest.raises(StoreError, match="no place for the customer groups' order"):
        only_ids.apply(reconcile(csv_bytes([["id"], ["C"]]), only_ids))
    with pytest.raises(StoreError, match="no place for the options' isDefault"):
        store.apply(
            reconcile(
                csv_bytes([["key", "value", "isDefault"], ["ccType", "Visa", 1]]),
                store,
            )
        )
    assert [] == [o for o in store.options() if o.key == "ccType"]
    store.engine.dispose()


def test_ship_to_addresses_on_the_app_s_table(tmp_path: Path) -> None:
    """A ship-to table of the app's, with some parts: addresses read and
    written in them; a part it has no column for is refused, and so is a
    ship-to plan for tables without one."""
    metadata, tables = app_tables()
    depots = sa.Table(
        "depots",
        metadata,
        sa.Column("client_pk", sa.ForeignKey("clients.pk"), primary_key=True),
        sa.Column("sort", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20)),
        sa.Column("city", sa.String(80)),
    )
    with_depots = attrs.evolve(
        tables,
        ship_to=ShipToColumns(
            customer=depots.c.client_pk,
            position=depots.c.sort,
            fields={"ship_id": depots.c.code, "ship_city": depots.c.city},
        ),
    )
    store = sqlite_store(tmp_path / "app.db", with_depots)
    store.apply(reconcile(csv_bytes([["id", "name"], ["C1", "One"]]), store))
    internal_id = store.customers_by_id(["C1"])["C1"].internal_id
    assert internal_id is not None
    data = csv_bytes([["cust_id", "ship_id", "ship_city"], ["C1", "D1", "Hull"]])

    store.apply(reconcile(data, store))
    again = reconcile(data, store)
    street = reconcile(csv_bytes([["cust_id", "ship_street"], ["C1", "1 Quay"]]), store)
    without = SQLAlchemyStore(store.engine, tables)

    assert {internal_id: (Address(id="D1", city="Hull"),)} == {
        key: tuple(value)
        for key, value in store.ship_to_addresses([internal_id]).items()
    }
    assert ["UnchangedShipTo"] == [type(a).__name__ for a in again.actions]
    with pytest.raises(
        StoreError, match="no place for the ship-to addresses' ship_street"
    ):
        store.apply(street)
    assert {} == dict(without.ship_to_addresses([internal_id]))
    with pytest.raises(StoreError, match="no place for additional ship-to addresses"):
        without.apply(street)
    with pytest.raises(ValueError, match=r"\['city'\] are not ship-to address columns"):
        ShipToColumns(
            customer=depots.c.client_pk,
            position=depots.c.sort,
            fields={"city": depots.c.city},
        )
    store.engine.dispose()


def test_highest_generated_id_without_its_column(tmp_path: Path) -> None:
    """Without a generated_number column, the HS- ids are read and counted
    by the same rules."""
    _, tables = app_tables()
    store = fill(
        sqlite_store(tmp_path / "app.db", tables),
        [
            Customer(name=f"N{i}", id=i)
            for i in ("HS-7", "HS-12", "hs-99", "HS-" + "9" * 19)
        ],
    )

    assert 12 == store.highest_generated_id()
    store.engine.dispose()


def test_mapping_mistakes_are_value_errors() -> None:
    """A field that is no template column, a missing id or name, or columns
    of two tables: ValueError at construction."""
    metadata, tables = app_tables()
    clients = metadata.tables["clients"]
    other = sa.Table("other", metadata, sa.Column("x", sa.Text))
    good = dict(tables.customers.fields)

    with pytest.raises(ValueError, match=r"\['city'\] are not template columns"):
        CustomerColumns(
            internal_id=clients.c.pk,
            fields={**good, "city": clients.c.invoice_city},
            name_key=clients.c.company_key,
        )
    with pytest.raises(ValueError, match=r"must name a column for \['name'\]"):
        CustomerColumns(
            internal_id=clients.c.pk,
            fields={"id": clients.c.crm_code},
            name_key=clients.c.company_key,
        )
    with pytest.raises(ValueError, match="of one table"):
        CustomerColumns(
            internal_id=clients.c.pk,
            fields={**good, "contact": other.c.x},
            name_key=clients.c.company_key,
        )


def test_a_stale_update_on_postgresql_changes_nothing(postgres: PostgresServer) -> None:
    """On PostgreSQL, an update whose customer changed since the plan (by
    the app, not through the store) is refused under the row lock."""
    engine = sa.create_engine(postgres.url)
    schema = f"stale_{uuid.uuid4().hex}"
    with engine.begin() as connection:
        connection.execute(sa.schema.CreateSchema(schema))
    try:
        tables = default_tables(sa.MetaData(schema=schema))
        create_tables(engine, tables)
        store = fill(SQLAlchemyStore(engine, tables), [Customer(name="Acme", id="A1")])
        plan = reconcile(
            csv_bytes(
                [["id", "name", "contact"], ["A1", "Acme", "Carol"], ["N1", "New", ""]]
            ),
            store,
        )
        with engine.begin() as connection:
            connection.execute(sa.update(tables.customers.table).values(contact="Dave"))

        with pytest.raises(StalePlanError, match="Row 2: the data changed"):
            store.apply(plan)

        assert 1 == store.customer_count()
        assert "Dave" == store.customers_by_id(["A1"])["A1"].contact
    finally:
        with engine.begin() as connection:
            connection.execute(sa.schema.DropSchema(schema, cascade=True))
        engine.dispose()


class UnlockedStore(SQLAlchemyStore):
    """SQLAlchemyStore without its locks: no advisory lock, no FOR UPDATE."""

    def _lock(self, connection: Any) -> None:
        pass

    def _load(
        self, connection: Any, column: Any, keys: Any, *, lock: bool = False
    ) -> Any:
        return super()._load(connection, column, keys)


class UnlockedOnPostgreSQL(TestOnPostgreSQL):
    __test__ = False

    def make_store(
        self, customers: Iterable[Customer] = (), **data: Any
    ) -> CustomerStore:
        store = super().make_store(customers, **data)
        assert isinstance(store, SQLAlchemyStore)
        return UnlockedStore(store.engine, store.tables)

    def open_second_handle(self, store: CustomerStore) -> CustomerStore:
        assert isinstance(store, SQLAlchemyStore)
        return UnlockedStore(sa.create_engine(self.server.url), store.tables)


def test_the_kit_fails_an_apply_without_locks_on_postgresql(
    postgres: PostgresServer,
) -> None:
    """Without its locks, of two plans applied at once on PostgreSQL both go
    through, the later overwriting the earlier: the kit fails the store."""
    kit = UnlockedOnPostgreSQL()
    kit.server = postgres

    with pytest.raises(AssertionError, match="how many of two plans"):
        kit.test_two_handles_applying_at_once()


def test_apply_reports_progress_in_actions(tmp_path: Path) -> None:
    """apply(progress=...) gets (0, actions) first, after each batch written,
    and (actions, actions) once committed."""
    store = fill(sqlite_store(tmp_path / "p.db"), [Customer(name="Old", id="C0")])
    rows = [
        ["id", "name"],
        ["C0", "Renamed"],
        *([f"C{n}", f"N{n}"] for n in range(1, 2500)),
    ]
    plan = reconcile(csv_bytes(rows), store)
    calls: list[tuple[int, int | None]] = []

    store.apply(plan, progress=lambda done, total: calls.append((done, total)))

    assert [(0, 2500), (1001, 2500), (2001, 2500), (2500, 2500)] == calls
    store.engine.dispose()
