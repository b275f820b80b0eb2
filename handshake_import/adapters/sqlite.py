"""`SQLiteStore`: a `CustomerStore` in an SQLite database, with `apply`.

The embedded default, and the model for writing an adapter: bulk look-ups as
chunked ``IN (...)`` queries on indexed columns, and `apply` in one
``BEGIN IMMEDIATE`` transaction that re-checks every update's old values, so
that two processes applying plans to one database never lose an update or
create a customer twice.

The schema carries a version (``PRAGMA user_version``) so that later releases
can migrate a database made by this one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import (
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import contextmanager
from types import MappingProxyType, TracebackType
from typing import Any, TypeVar

import attrs

from .._apply import (
    ApplyProgress,
    ApplyResult,
    apply_customer_groups,
    apply_options,
    apply_update,
    check_names_free,
    check_plan,
    id_created_since,
    id_taken_since,
    listed_customer_groups,
    listed_options,
)
from .._apply_ship_to import apply_ship_to, listed_ship_to, ship_to_customers
from .._errors import StoreError
from .._names import name_key
from .._plan import (
    Action,
    CreateCustomer,
    CreateCustomerGroup,
    CreateOption,
    CreateShipTo,
    CreateUserGroup,
    Plan,
    Unchanged,
    UnchangedCustomerGroup,
    UnchangedOption,
    UnchangedShipTo,
    UpdateCustomer,
    UpdateCustomerGroup,
    UpdateOption,
    UpdateShipTo,
    unreachable,
)
from .._records import NO_MAPPING, Address, Customer, CustomerGroup, Option
from .._serialize import dump_custom_values, load_custom_values
from .._store import OPTION_KEYS, generated_number, integer_internal_id
from .._template import (
    ADDRESS_PARTS,
    CUSTOMER_FIELDS,
    Field,
    customer_from_values,
    values_of,
)

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

#: The schema version this release writes (``PRAGMA user_version``).
SCHEMA_VERSION = 2

#: The columns of a ship-to address, in `Address` field order.
_SHIP_TO_PARTS = ", ".join(ADDRESS_PARTS)
_SHIP_TO_TABLE = f"""CREATE TABLE ship_to_addresses (
    internal_id INTEGER NOT NULL REFERENCES customers ON DELETE CASCADE,
    position INTEGER NOT NULL,
    {", ".join(f"{part} TEXT" for part in _SHIP_TO_PARTS.split(", "))},
    PRIMARY KEY (internal_id, position)
)"""

#: What each version adds to the one before it (version 1 is `_SCHEMA`'s
#: first form: the customer groups had no order then, and customers no
#: additional ship-to addresses).
_MIGRATIONS = {
    2: (
        "ALTER TABLE customer_groups ADD COLUMN position INTEGER NOT NULL DEFAULT 0",
        "UPDATE customer_groups SET position = rowid",
        _SHIP_TO_TABLE,
    ),
}

# Far below SQLite's limit on bound variables (999 before 3.32).
_CHUNK = 500


def _sql_column(field: Field) -> str:
    """The customers-table column of a template field: the address columns
    as the template names them (``bill_city``), the others as the record
    attribute (``payment_terms``, ``emails``)."""
    return field.column if field.part else field.attribute


#: The customers-table columns of the template's fields, in template order.
_FIELD_COLUMNS = tuple(_sql_column(field) for field in CUSTOMER_FIELDS)
_INTERNAL_ID_AT = _FIELD_COLUMNS.index("internal_id")
_EMAILS_AT = _FIELD_COLUMNS.index("emails")
# The text columns of the customers table: every field but the identity and
# the emails, which have columns of their own kind.
_TEXT_COLUMNS = tuple(
    column
    for column in _FIELD_COLUMNS
    if column not in ("id", "internal_id", "name", "emails")
)
# The columns `_row_values` gives, in its order, and the statements using them.
_ROW_COLUMNS = (
    *(column for column in _FIELD_COLUMNS if column != "internal_id"),
    "name_key",
    "generated_number",
    "custom",
)
_INSERT = (
    f"INSERT INTO customers ({', '.join(_ROW_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_ROW_COLUMNS))})"
)
_UPDATE = (
    f"UPDATE customers SET {', '.join(f'{c} = ?' for c in _ROW_COLUMNS)} "
    "WHERE internal_id = ?"
)
_SELECT = f"SELECT {', '.join(_FIELD_COLUMNS)}, custom"

_SCHEMA = f"""
CREATE TABLE customers (
    internal_id INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    generated_number INTEGER,
    emails TEXT NOT NULL DEFAULT '',
    {", ".join(f"{column} TEXT" for column in _TEXT_COLUMNS)},
    custom TEXT NOT NULL DEFAULT '{{}}'
);
CREATE INDEX customers_name_key ON customers (name_key);
CREATE INDEX customers_generated_number ON customers (generated_number);
CREATE TABLE manufacturers (name TEXT PRIMARY KEY);
CREATE TABLE customer_manufacturer_ids (
    internal_id INTEGER NOT NULL REFERENCES customers ON DELETE CASCADE,
    manufacturer TEXT NOT NULL REFERENCES manufacturers (name),
    value TEXT NOT NULL,
    PRIMARY KEY (internal_id, manufacturer)
);
CREATE TABLE customer_groups (
    id TEXT PRIMARY KEY,
    name TEXT,
    currency TEXT,
    is_default INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE user_groups (name TEXT PRIMARY KEY COLLATE NOCASE);
CREATE TABLE options (
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    position INTEGER NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key, value)
);
{_SHIP_TO_TABLE};
"""


T = TypeVar("T")


def _chunks(keys: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]


class SQLiteStore:
    """Customers, addresses, emails, manufacturer ids, groups and options in
    an SQLite database.

    Args:
        database: a path (created if missing) or an open `sqlite3.Connection`
            (left open by `close`).
        timeout: seconds to wait for another process's write to finish
            before giving up with `StoreError`.

    Raises:
        StoreError: the file is not an SQLite database, was made by a newer
            release, or stays locked past *timeout*.
    """

    def __init__(
        self,
        database: str | os.PathLike[str] | sqlite3.Connection,
        *,
        timeout: float = 5.0,
    ) -> None:
        self._timeout = timeout
        if isinstance(database, sqlite3.Connection):
            self._connection = database
            self._owned = False
            self.path: str | None = None
        else:
            self.path = os.fspath(database)
            try:
                self._connection = sqlite3.connect(
                    self.path, timeout=timeout, isolation_level=None
                )
            except sqlite3.Error as error:
                raise StoreError(
                    f"Cannot open the database {self.path!r}: {error}."
                ) from error
            self._owned = True
        try:
            with self._errors():
                self._connection.execute("PRAGMA foreign_keys = ON")
                self._connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                self._migrate()
        except StoreError:
            self.close()
            raise

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        """Close the connection, if this store opened it."""
        if self._owned:
            self._connection.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn sqlite3's failures into a `StoreError` a user can act on."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            text = str(error)
            where = f" {self.path!r}" if self.path else ""
            if "not a database" in text or "malformed" in text:
                message = (
                    f"The file{where} is not an SQLite database (or is damaged); give "
                    "the path of a database made by handshake-import, or a new one."
                )
            elif "disk is full" in text or "database is full" in text:
                message = (
                    f"The disk holding the database{where} is full (or the database "
                    "reached its size limit); nothing was written. Free some space "
                    "and try again."
                )
            elif "locked" in text or "busy" in text:
                message = (
                    f"The database{where} is locked by another process for more than "
                    f"{self._timeout:g} s; try again when it has finished."
                )
            else:
                message = f"The database{where} failed: {text}."
            raise StoreError(message) from error

    def _migrate(self) -> None:
        if self._schema_version() == SCHEMA_VERSION:
            return
        # Under the write lock, and asked again: several processes may make
        # their first use of a new database at once, and only the first to
        # take the lock makes the schema.
        with self._transaction():
            version = self._schema_version()
            if version == SCHEMA_VERSION:
                return
            if version > 0:
                # A database an earlier release made: brought up to date.
                for later in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in _MIGRATIONS[later]:
                        self._connection.execute(statement)
                self._connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            tables = self._connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
            if tables:
                raise StoreError(
                    "The database already holds other tables; give handshake-import "
                    "a database of its own."
                )
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._connection.execute(statement)
            self._connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _schema_version(self) -> int:
        """The database's schema version; a newer one than this release's is
        refused."""
        (version,) = self._connection.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The database was made by a newer release of handshake-import "
                f"(schema {version}, this release knows {SCHEMA_VERSION}); upgrade."
            )
        return int(version)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection
        if connection.in_transaction:
            raise StoreError(
                "The connection is inside a transaction; commit or roll it back "
                "before using the store."
            )
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled the transaction back itself (a full
            # disk does): a second rollback would fail, and its error hide
            # the one that matters.
            if connection.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
            raise

    # -- the CustomerStore protocol -------------------------------------------

    def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        """See `CustomerStore.customers_by_id`."""
        found = self._customers_where("id", ids)
        return dict(found)

    def customers_by_internal_id(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Customer]:
        """See `CustomerStore.customers_by_internal_id`."""
        # Only keys written as the database writes its integer keys: "01"
        # or " 1" is no customer's, though SQLite would compare it as 1.
        numbers = [key for key in internal_ids if integer_internal_id(key) is not None]
        found = self._customers_where("internal_id", numbers)
        return {customer.internal_id: customer for _, customer in found}  # type: ignore[misc]

    def customers_by_name_key(
        self, keys: Sequence[str]
    ) -> Mapping[str, Sequence[Customer]]:
        """See `CustomerStore.customers_by_name_key`."""
        grouped: dict[str, list[Customer]] = {}
        # The stored name_key column is name_key(customer.name).
        for key, customer in self._customers_where("name_key", keys):
            grouped.setdefault(key, []).append(customer)
        return grouped

    def highest_generated_id(self) -> int:
        """See `CustomerStore.highest_generated_id`."""
        with self._errors():
            row = self._connection.execute(
                "SELECT max(generated_number) FROM customers"
            ).fetchone()
        return int(row[0] or 0)

    def customer_count(self) -> int:
        """See `CustomerStore.customer_count`."""
        with self._errors():
            return int(
                self._connection.execute("SELECT count(*) FROM customers").fetchone()[0]
            )

    def customer_groups(self) -> Sequence[CustomerGroup]:
        """See `CustomerStore.customer_groups`."""
        return _read_groups(self._connection, self._errors)

    def user_groups(self) -> Collection[str]:
        """See `CustomerStore.user_groups`."""
        return self._column("SELECT name FROM user_groups ORDER BY name")

    def manufacturers(self) -> Collection[str]:
        """See `CustomerStore.manufacturers`."""
        return self._column("SELECT name FROM manufacturers ORDER BY name")

    def options(self) -> Sequence[Option]:
        """See `CustomerStore.options`."""
        return _read_options(self._connection, self._errors)

    def ship_to_addresses(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Address]]:
        """See `CustomerStore.ship_to_addresses`."""
        with self._errors():
            found = _read_ship_to(self._connection, internal_ids)
        return {i: tuple(found[i]) for i in internal_ids if i in found}

    # -- reference data -----------------------------------------------------------

    def add_manufacturers(self, names: Iterable[str]) -> list[str]:
        """Register manufacturers (existing ones are kept); returns those
        that were not there yet."""
        return self._add("INSERT OR IGNORE INTO manufacturers (name) VALUES (?)", names)

    def add_customer_groups(self, groups: Iterable[str | CustomerGroup]) -> list[str]:
        """Register customer groups, by id or as records, after the others
        (existing ones are kept); returns the ids of those that were not
        there yet."""
        added = []
        with self._errors(), self._transaction() as connection:
            (position,) = connection.execute(
                "SELECT coalesce(max(position), 0) FROM customer_groups"
            ).fetchone()
            for given in groups:
                group = (
                    given
                    if isinstance(given, CustomerGroup)
                    else CustomerGroup(id=given)
                )
                cursor = connection.execute(
                    "INSERT OR IGNORE INTO customer_groups "
                    "(id, name, currency, is_default, position) VALUES (?, ?, ?, ?, ?)",
                    (
                        group.id,
                        group.name,
                        group.currency,
                        group.is_default,
                        position + 1,
                    ),
                )
                if cursor.rowcount:
                    position += 1
                    added.append(group.id)
        return added

    def add_user_groups(self, names: Iterable[str]) -> list[str]:
        """Register user groups (names compared ignoring case); returns those
        that were not there yet."""
        return self._add("INSERT OR IGNORE INTO user_groups (name) VALUES (?)", names)

    def add_options(self, key: str, values: Iterable[str | Option]) -> list[str]:
        """Append values, as texts or records, to option list *key* (one of
        `OPTION_KEYS`); returns those that were not there yet."""
        if key not in OPTION_KEYS:
            raise ValueError(f"option key must be one of {OPTION_KEYS}, not {key!r}")
        added = []
        with self._errors(), self._transaction() as connection:
            (position,) = connection.execute(
                "SELECT coalesce(max(position), 0) FROM options WHERE key = ?", (key,)
            ).fetchone()
            for value in values:
                option = (
                    value if isinstance(value, Option) else Option(key=key, value=value)
                )
                cursor = connection.execute(
                    "INSERT OR IGNORE INTO options (key, value, position, is_default) "
                    "VALUES (?, ?, ?, ?)",
                    (key, option.value, position + 1, option.is_default),
                )
                if cursor.rowcount:
                    position += 1
                    added.append(option.value)
        return added

    def _add(self, insert: str, values: Iterable[str]) -> list[str]:
        """Run *insert* for each value, in one transaction; the values it
        inserted."""
        added = []
        with self._errors(), self._transaction() as connection:
            for value in values:
                if connection.execute(insert, (value,)).rowcount:
                    added.append(value)
        return added

    # -- apply ----------------------------------------------------------------------

    def apply(
        self,
        plan: Plan,
        *,
        partial: bool = False,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> ApplyResult:
        """Carry out *plan* in one transaction: all of it, or nothing.

        *progress*, if given, is called with ``(actions done, actions in the
        plan)``: ``(0, total)`` first, then every thousand actions, and
        ``(total, total)`` once committed.

        Every update's old values are checked against the database inside
        the transaction; ``internal_id`` values are assigned by the database.

        Raises:
            PlanHasErrorsError: the plan has errors and *partial* is false.
            StalePlanError: the data changed since the plan was made.
            StoreError: the database is locked past the timeout or failed.
        """
        check_plan(plan, partial=partial)
        told = ApplyProgress(progress, plan)
        written = _Written()
        with self._errors(), self._transaction() as connection:
            # Options and groups first: customers name them; ship-to
            # addresses last: they belong to customers.
            _write_lists(connection, plan)
            for action in plan.actions:
                self._write(connection, action, written)
                told.add()
            check_names_free(
                written.generated,
                lambda keys: _customers_named(connection, keys),
                batch_size=_CHUNK,
            )
            _write_ship_to(connection, plan, written.created_ids)
        told.finish()
        return ApplyResult(
            created=tuple(written.created),
            updated=tuple(written.updated),
            user_groups=tuple(written.groups),
            unchanged=tuple(written.unchanged),
            options=listed_options(plan),
            customer_groups=listed_customer_groups(plan),
            ship_to=listed_ship_to(plan, written.created_ids),
        )

    def _write(
        self, connection: sqlite3.Connection, action: Action, written: _Written
    ) -> None:
        if isinstance(action, CreateUserGroup):
            cursor = connection.execute(
                "INSERT OR IGNORE INTO user_groups (name) VALUES (?)", (action.name,)
            )
            if cursor.rowcount:
                written.groups.append(action.name)
        elif isinstance(action, CreateCustomer):
            internal_id = self._insert(connection, action)
            written.created.append((action.row, internal_id))
            if action.customer.id is not None:
                written.created_ids[action.customer.id] = internal_id
            if action.generated_id:
                written.generated.append(
                    (action.row, internal_id, action.customer.name)
                )
        elif isinstance(action, UpdateCustomer):
            self._update(connection, action)
            written.updated.append(action.internal_id)
        elif isinstance(action, Unchanged):
            written.unchanged.append(action.internal_id)
        elif isinstance(
            action,
            (
                CreateOption,
                UpdateOption,
                UnchangedOption,
                CreateCustomerGroup,
                UpdateCustomerGroup,
                UnchangedCustomerGroup,
                CreateShipTo,
                UpdateShipTo,
                UnchangedShipTo,
            ),
        ):
            pass  # written by `_write_lists` and `_write_ship_to`
        else:
            unreachable(action)

    def _insert(self, connection: sqlite3.Connection, action: CreateCustomer) -> str:
        try:
            cursor = connection.execute(_INSERT, _row_values(action.customer))
        except sqlite3.IntegrityError as error:
            raise id_created_since(action.row, action.customer.id) from error
        internal_id = str(cursor.lastrowid)
        self._write_manufacturer_ids(connection, internal_id, action.customer)
        return internal_id

    def _update(self, connection: sqlite3.Connection, action: UpdateCustomer) -> None:
        found = self._load(connection, "internal_id", [action.internal_id])
        # Read under the write lock: what is checked is what will be replaced.
        customer = apply_update(found[0][1] if found else None, action)
        try:
            connection.execute(
                _UPDATE, (*_row_values(customer), int(action.internal_id))
            )
        except sqlite3.IntegrityError as error:
            raise id_taken_since(action.row, customer.id) from error
        connection.execute(
            "DELETE FROM customer_manufacturer_ids WHERE internal_id = ?",
            (int(action.internal_id),),
        )
        self._write_manufacturer_ids(connection, action.internal_id, customer)

    def _write_manufacturer_ids(
        self, connection: sqlite3.Connection, internal_id: str, customer: Customer
    ) -> None:
        if customer.manufacturer_ids:
            connection.executemany(
                "INSERT INTO customer_manufacturer_ids "
                "(internal_id, manufacturer, value) VALUES (?, ?, ?)",
                [
                    (int(internal_id), manufacturer, value)
                    for manufacturer, value in customer.manufacturer_ids.items()
                ],
            )

    # -- reading ----------------------------------------------------------------------

    def _column(
        self, query: str, parameters: tuple[object, ...] = ()
    ) -> tuple[str, ...]:
        with self._errors():
            return tuple(row[0] for row in self._connection.execute(query, parameters))

    def _customers_where(
        self, column: str, keys: Sequence[str]
    ) -> list[tuple[Any, Customer]]:
        unique = list(dict.fromkeys(keys))
        found: list[tuple[Any, Customer]] = []
        with self._errors():
            for chunk in _chunks(unique):
                found.extend(self._load(self._connection, column, chunk))
        return found

    def _load(
        self, connection: sqlite3.Connection, column: str, keys: Sequence[str]
    ) -> list[tuple[Any, Customer]]:
        """The customers whose *column* is one of *keys*, each with that value."""
        if not keys:
            return []
        # Both queries select by the keys through the same subquery: the rows
        # are then read in internal_id order, with no sort, and a chunk of
        # names can match more customers than SQLite takes bound variables.
        # Internal ids need no subquery: they are the rows' own keys.
        keys_list = f"({', '.join('?' * len(keys))})"
        matching = (
            f"internal_id IN {keys_list}"
            if column == "internal_id"
            else f"internal_id IN (SELECT internal_id FROM customers "
            f"WHERE {column} IN {keys_list})"
        )
        parameters = tuple(keys)
        rows = connection.execute(
            f"{_SELECT}, {column} FROM customers WHERE {matching} ORDER BY internal_id",
            parameters,
        ).fetchall()
        if not rows:
            return []
        manufacturer_ids: dict[int, dict[str, str]] = {}
        for internal_id, manufacturer, value in connection.execute(
            "SELECT internal_id, manufacturer, value FROM customer_manufacturer_ids "
            f"WHERE {matching} ORDER BY internal_id, manufacturer",
            parameters,
        ):
            manufacturer_ids.setdefault(internal_id, {})[manufacturer] = value
        no_ids: dict[str, str] = {}
        return [
            (
                row[-1],
                _customer(row, manufacturer_ids.get(row[_INTERNAL_ID_AT], no_ids)),
            )
            for row in rows
        ]


@attrs.define
class _Written:
    """What an apply has written so far."""

    created: list[tuple[int, str]] = attrs.field(factory=list)
    updated: list[str] = attrs.field(factory=list)
    groups: list[str] = attrs.field(factory=list)
    unchanged: list[str] = attrs.field(factory=list)
    #: (row, internal id, name) of the customers made with a generated id
    generated: list[tuple[int, str, str]] = attrs.field(factory=list)
    #: customer id -> internal id, of the customers created
    created_ids: dict[str, str] = attrs.field(factory=dict)


def _read_ship_to(
    connection: sqlite3.Connection, internal_ids: Sequence[str]
) -> dict[str, list[Address]]:
    """The ship-to addresses of the customers *internal_ids* names (as the
    database writes internal ids), in their order."""
    numbers = [n for i in internal_ids if (n := integer_internal_id(i)) is not None]
    found: dict[str, list[Address]] = {}
    for chunk in _chunks(numbers):
        for internal_id, *values in connection.execute(
            f"SELECT internal_id, {_SHIP_TO_PARTS} FROM ship_to_addresses "
            f"WHERE internal_id IN ({', '.join('?' * len(chunk))}) "
            "ORDER BY internal_id, position",
            tuple(chunk),
        ):
            found.setdefault(str(internal_id), []).append(
                Address(**dict(zip(ADDRESS_PARTS, values, strict=True)))
            )
    return found


def _write_ship_to(
    connection: sqlite3.Connection, plan: Plan, created: Mapping[str, str]
) -> None:
    """Apply the plan's ship-to actions: each customer's addresses, read
    under the write lock, computed as every store computes them
    (`apply_ship_to`), and written back whole."""
    touched = ship_to_customers(plan)
    if not touched and not any(isinstance(a, CreateShipTo) for a in plan.actions):
        return
    addresses = apply_ship_to(_read_ship_to(connection, touched), plan, created)
    for internal_id, listed in addresses.items():
        connection.execute(
            "DELETE FROM ship_to_addresses WHERE internal_id = ?", (int(internal_id),)
        )
        connection.executemany(
            f"INSERT INTO ship_to_addresses (internal_id, position, {_SHIP_TO_PARTS}) "
            f"VALUES ({', '.join('?' * (len(ADDRESS_PARTS) + 2))})",
            [
                (int(internal_id), position, *attrs.astuple(address))
                for position, address in enumerate(listed, start=1)
            ],
        )


def _read_groups(
    connection: sqlite3.Connection, errors: Callable[[], Any]
) -> tuple[CustomerGroup, ...]:
    with errors():
        return tuple(
            CustomerGroup(
                id=id_, name=name, currency=currency, is_default=bool(is_default)
            )
            for id_, name, currency, is_default in connection.execute(
                "SELECT id, name, currency, is_default FROM customer_groups "
                "ORDER BY position, rowid"
            )
        )


def _read_options(
    connection: sqlite3.Connection, errors: Callable[[], Any]
) -> tuple[Option, ...]:
    with errors():
        return tuple(
            Option(key=key, value=value, is_default=bool(is_default))
            for key, value, is_default in connection.execute(
                "SELECT key, value, is_default FROM options ORDER BY key, position"
            )
        )


def _write_lists(connection: sqlite3.Connection, plan: Plan) -> None:
    """Apply the plan's option and group actions: the lists, read under the
    write lock, computed as every store computes them (`apply_options`), and
    written back whole (they are short)."""
    if any(isinstance(a, (CreateOption, UpdateOption)) for a in plan.actions):
        options = apply_options(_read_options(connection, contextlib.nullcontext), plan)
        connection.execute("DELETE FROM options")
        positions: dict[str, int] = {}
        for option in options:
            positions[option.key] = positions.get(option.key, 0) + 1
            connection.execute(
                "INSERT INTO options (key, value, position, is_default) "
                "VALUES (?, ?, ?, ?)",
                (option.key, option.value, positions[option.key], option.is_default),
            )
    if any(
        isinstance(a, (CreateCustomerGroup, UpdateCustomerGroup)) for a in plan.actions
    ):
        groups = apply_customer_groups(
            _read_groups(connection, contextlib.nullcontext), plan
        )
        connection.execute("DELETE FROM customer_groups")
        connection.executemany(
            "INSERT INTO customer_groups (id, name, currency, is_default, position) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (g.id, g.name, g.currency, g.is_default, position)
                for position, g in enumerate(groups, start=1)
            ],
        )


def _customers_named(
    connection: sqlite3.Connection, keys: Sequence[str]
) -> list[tuple[str, str]]:
    """The internal id and name of every customer whose name key is one of
    *keys*."""
    return [
        (str(internal_id), name)
        for internal_id, name in connection.execute(
            "SELECT internal_id, name FROM customers "
            f"WHERE name_key IN ({', '.join('?' * len(keys))})",
            tuple(keys),
        )
    ]


def _row_values(customer: Customer) -> tuple[Any, ...]:
    """The customers-table columns of *customer*, in `_ROW_COLUMNS` order."""
    values = list(values_of(customer))
    # The emails' value is the addresses joined by line breaks, as the
    # column holds them ("" for none: the column is NOT NULL).
    values[_EMAILS_AT] = values[_EMAILS_AT] or ""
    del values[_INTERNAL_ID_AT]
    custom = customer.custom
    return (
        *values,
        name_key(customer.name),
        generated_number(customer.id),
        dump_custom_values(custom),
    )


def _customer(row: Sequence[Any], manufacturer_ids: Mapping[str, str]) -> Customer:
    """The customer of a row of ``_SELECT``: its fields in template order,
    then its custom values."""
    values = list(row[: len(_FIELD_COLUMNS)])
    values[_INTERNAL_ID_AT] = str(values[_INTERNAL_ID_AT])
    custom = row[len(_FIELD_COLUMNS)]
    return customer_from_values(
        # A blank value, NULL or "", is None, as the reader makes it (the
        # emails are the addresses joined by line breaks, as in a row's
        # values).
        tuple(value if value != "" else None for value in values),
        # Both mappings are this customer's own, made for it: wrapped, not copied.
        MappingProxyType(manufacturer_ids) if manufacturer_ids else NO_MAPPING,
        MappingProxyType(load_custom_values(custom)) if custom != "{}" else NO_MAPPING,
    )
