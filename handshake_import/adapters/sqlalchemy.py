"""`SQLAlchemyStore`: a `CustomerStore` over SQLAlchemy 2 Core, on the app's
own tables, with `apply`.

The app says where each template field lives (`StoreTables`: its customers
table and a column per field, the table of manufacturer ids, the reference
data); `default_tables` and `create_tables` give a schema for apps that take
ours. Look-ups are ``IN (...)`` queries in batches on indexed columns;
`SQLAlchemyStore.apply` is one transaction that holds the dialect's write
lock before it reads anything it checks: ``BEGIN IMMEDIATE``'s lock on
SQLite (taken by a first write), a transaction-level advisory lock on
PostgreSQL with ``SELECT ... FOR UPDATE`` on the customers it updates, row
locks elsewhere. Creates are one bulk ``INSERT ... RETURNING`` where the
dialect can.

Needs the ``sqlalchemy`` extra (``pip install 'handshake-import[sqlalchemy]'``;
``[postgresql]`` adds psycopg 3). Tested on SQLite and PostgreSQL 15.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import (
    Callable,
    Collection,
    Hashable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

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
from .._errors import StalePlanError, StoreError
from .._names import name_key
from .._plan import (
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
    customer_from_values,
    values_of,
)

__all__ = [
    "CustomerColumns",
    "CustomerGroupColumns",
    "ManufacturerIdColumns",
    "OptionColumns",
    "SQLAlchemyStore",
    "ShipToColumns",
    "StoreTables",
    "create_tables",
    "default_tables",
]

#: The template's columns a customers table can hold (``internal_id`` is the
#: primary key, named on its own).
FIELD_COLUMNS: tuple[str, ...] = tuple(
    field.column for field in CUSTOMER_FIELDS if field.column != "internal_id"
)
_EMAIL_SEPARATORS = re.compile(r"[,;\s]+")
#: A ship-to template column -> its `Address` part.
_SHIP_TO_PART: Mapping[str, str] = {f"ship_{part}": part for part in ADDRESS_PARTS}


def _same_table(columns: Iterable[sa.Column[Any] | None], what: str) -> None:
    tables = {column.table for column in columns if column is not None}
    if len(tables) > 1:
        raise ValueError(f"the columns of {what} must be of one table")


def _check_fields(
    instance: object, attribute: attrs.Attribute[Any], fields: Mapping[str, Any]
) -> None:
    unknown = sorted(set(fields) - set(FIELD_COLUMNS))
    if unknown:
        raise ValueError(
            f"CustomerColumns.fields: {unknown} are not template columns; "
            f"use {list(FIELD_COLUMNS)}"
        )
    missing = [column for column in ("id", "name") if column not in fields]
    if missing:
        raise ValueError(f"CustomerColumns.fields must name a column for {missing}")


def _read_only(fields: Mapping[str, sa.Column[Any]]) -> Mapping[str, sa.Column[Any]]:
    return MappingProxyType(dict(fields))


@attrs.frozen(kw_only=True)
class CustomerColumns:
    """The customers table: a row per customer, a column per template field.

    Attributes:
        internal_id: the integer primary key, assigned by the database; a
            customer's `Customer.internal_id` is its text.
        fields: template column (``"id"``, ``"name"``, ``"contact"``,
            ``"email"``, ``"bill_city"``, ``"paymentTerms"``, ...) -> the text
            column holding it. ``"id"`` and ``"name"`` are required (put a
            unique index on the id's column); a template column left out is
            not stored, and reads as blank. The ``"email"`` column holds the
            addresses separated by ``", "``.
        name_key: a text column holding `name_key` of the name, indexed.
        generated_number: an integer column holding `generated_number` of
            the id, indexed; without one, ``highest_generated_id`` reads
            every ``HS-`` id.
        custom: a text column holding the custom columns' values
            (`dump_custom_values`); without one, a plan with custom values
            is refused.
    """

    internal_id: sa.Column[Any]
    fields: Mapping[str, sa.Column[Any]] = attrs.field(
        converter=_read_only, validator=_check_fields
    )
    name_key: sa.Column[Any]
    generated_number: sa.Column[Any] | None = None
    custom: sa.Column[Any] | None = None

    def __attrs_post_init__(self) -> None:
        _same_table(
            [
                self.internal_id,
                self.name_key,
                self.generated_number,
                self.custom,
                *self.fields.values(),
            ],
            "CustomerColumns",
        )

    @property
    def table(self) -> sa.Table:
        """The customers table."""
        table = self.internal_id.table
        assert isinstance(table, sa.Table)
        return table


@attrs.frozen(kw_only=True)
class ManufacturerIdColumns:
    """The table of the customers' ids at their manufacturers: a row per
    customer and manufacturer.

    Attributes:
        customer: the customer's internal id.
        manufacturer: the manufacturer's name.
        value: the customer's id at that manufacturer.
    """

    customer: sa.Column[Any]
    manufacturer: sa.Column[Any]
    value: sa.Column[Any]

    def __attrs_post_init__(self) -> None:
        _same_table([self.customer, self.manufacturer, self.value], "the ids")


@attrs.frozen(kw_only=True)
class OptionColumns:
    """The table of option values: a row per value of a list.

    Attributes:
        key: the list (``"paymentTerms"``, ``"shippingMethod"``, ``"ccType"``).
        value: the value.
        position: an integer giving the values' order within their list.
        is_default: whether the value is its list's default (a boolean);
            without it, no value is, and a plan making one the default is
            refused.
    """

    key: sa.Column[Any]
    value: sa.Column[Any]
    position: sa.Column[Any]
    is_default: sa.Column[Any] | None = None

    def __attrs_post_init__(self) -> None:
        _same_table(
            [self.key, self.value, self.position, self.is_default], "the options"
        )


@attrs.frozen(kw_only=True)
class ShipToColumns:
    """The table of the customers' additional ship-to addresses: a row per
    address.

    Attributes:
        customer: the column holding the customer's primary key.
        position: an integer giving a customer's addresses their order.
        fields: template column (``ship_id``, ``ship_name`` ...
            ``ship_fax``) -> its column. A part left out reads as blank,
            and a plan that sets it is refused.
    """

    customer: sa.Column[Any]
    position: sa.Column[Any]
    fields: Mapping[str, sa.Column[Any]] = attrs.field(converter=_read_only)

    def __attrs_post_init__(self) -> None:
        unknown = sorted(set(self.fields) - set(_SHIP_TO_PART))
        if unknown:
            raise ValueError(
                f"ShipToColumns: {unknown} are not ship-to address columns; use "
                f"{', '.join(_SHIP_TO_PART)}"
            )
        _same_table(
            [self.customer, self.position, *self.fields.values()],
            "the ship-to addresses",
        )


@attrs.frozen(kw_only=True)
class CustomerGroupColumns:
    """The table of customer groups: a row per group.

    Attributes:
        id: the group's id, what the customers' ``customerGroup`` names.
        name: its name (text).
        currency: its currency code (text).
        is_default: whether it is the default group (a boolean).
        position: an integer giving the groups' order.

    All but *id* are optional: a store without one reads it as blank (and
    the groups in the order of their ids), and refuses a plan that sets it.
    The customer groups template needs *position* (order is data).
    """

    id: sa.Column[Any]
    name: sa.Column[Any] | None = None
    currency: sa.Column[Any] | None = None
    is_default: sa.Column[Any] | None = None
    position: sa.Column[Any] | None = None

    def __attrs_post_init__(self) -> None:
        _same_table(
            [self.id, self.name, self.currency, self.is_default, self.position],
            "the customer groups",
        )


def _group_columns(
    given: CustomerGroupColumns | sa.Column[Any] | None,
) -> CustomerGroupColumns | None:
    if given is None or isinstance(given, CustomerGroupColumns):
        return given
    return CustomerGroupColumns(id=given)


@attrs.frozen(kw_only=True)
class StoreTables:
    """Where the app keeps what the store reads and writes.

    Attributes:
        customers: the customers table.
        manufacturer_ids: the customers' manufacturer ids; without it, a
            plan with manufacturer ids is refused.
        customer_groups: the customer groups (`CustomerGroupColumns`; a
            column alone is the column of their ids).
        user_groups: the column of the user groups' names (`apply` inserts
            the new ones); without it, a plan creating one is refused.
        manufacturers: the column of the manufacturers' names.
        options: the option lists.
        ship_to: the customers' additional ship-to addresses.

    A piece left out (``None``) has nothing in it: no customer group, no
    manufacturer, no option, no additional ship-to address.
    """

    customers: CustomerColumns
    manufacturer_ids: ManufacturerIdColumns | None = None
    customer_groups: CustomerGroupColumns | None = attrs.field(
        default=None, converter=_group_columns
    )
    user_groups: sa.Column[Any] | None = None
    manufacturers: sa.Column[Any] | None = None
    options: OptionColumns | None = None
    ship_to: ShipToColumns | None = None

    @property
    def tables(self) -> list[sa.Table]:
        """Every table named, the customers table first."""
        columns = [
            self.customers.internal_id,
            self.manufacturer_ids.customer if self.manufacturer_ids else None,
            self.customer_groups.id if self.customer_groups else None,
            self.user_groups,
            self.manufacturers,
            self.options.key if self.options else None,
            self.ship_to.customer if self.ship_to else None,
        ]
        found: list[sa.Table] = []
        for column in columns:
            if column is not None and column.table not in found:
                assert isinstance(column.table, sa.Table)
                found.append(column.table)
        return found


def _default_column(column: str) -> str:
    """The default table's column for a template column: the address
    columns as the template names them (``bill_city``), the others as the
    record attribute (``payment_terms``, ``emails``)."""
    (field,) = (f for f in CUSTOMER_FIELDS if f.column == column)
    return field.column if field.part else field.attribute


def default_tables(
    metadata: sa.MetaData | None = None, *, prefix: str = "handshake_"
) -> StoreTables:
    """Our schema, for an app that takes it: tables named ``<prefix>customers``,
    ``<prefix>customer_manufacturer_ids``, ``<prefix>manufacturers``,
    ``<prefix>customer_groups``, ``<prefix>user_groups``, ``<prefix>options``
    and ``<prefix>ship_to_addresses``, defined in *metadata* (a new one by default; give
    ``MetaData(schema=...)`` for another schema). `create_tables` makes them.
    """
    metadata = sa.MetaData() if metadata is None else metadata
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    customers = sa.Table(
        f"{prefix}customers",
        metadata,
        sa.Column("internal_id", big, primary_key=True, autoincrement=True),
        sa.Column("id", sa.Text, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.Text, nullable=False, index=True),
        sa.Column("generated_number", sa.BigInteger, index=True),
        *(
            sa.Column(_default_column(column), sa.Text)
            for column in FIELD_COLUMNS
            if column not in ("id", "name")
        ),
        sa.Column("custom", sa.Text),
    )
    manufacturers = sa.Table(
        f"{prefix}manufacturers", metadata, sa.Column("name", sa.Text, primary_key=True)
    )
    manufacturer_ids = sa.Table(
        f"{prefix}customer_manufacturer_ids",
        metadata,
        sa.Column(
            "internal_id",
            big,
            sa.ForeignKey(customers.c.internal_id, ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "manufacturer",
            sa.Text,
            sa.ForeignKey(manufacturers.c.name),
            primary_key=True,
        ),
        sa.Column("value", sa.Text, nullable=False),
    )
    customer_groups = sa.Table(
        f"{prefix}customer_groups",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text),
        sa.Column("currency", sa.Text),
        sa.Column("is_default", sa.Boolean, nullable=False, default=False),
        sa.Column("position", sa.Integer, nullable=False, default=0),
    )
    user_groups = sa.Table(
        f"{prefix}user_groups", metadata, sa.Column("name", sa.Text, primary_key=True)
    )
    options = sa.Table(
        f"{prefix}options",
        metadata,
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False, default=False),
    )
    ship_to = sa.Table(
        f"{prefix}ship_to_addresses",
        metadata,
        sa.Column(
            "internal_id",
            big,
            sa.ForeignKey(customers.c.internal_id, ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        *(sa.Column(column, sa.Text) for column in _SHIP_TO_PART),
    )
    return StoreTables(
        customers=CustomerColumns(
            internal_id=customers.c.internal_id,
            fields={
                column: customers.c[_default_column(column)] for column in FIELD_COLUMNS
            },
            name_key=customers.c.name_key,
            generated_number=customers.c.generated_number,
            custom=customers.c.custom,
        ),
        manufacturer_ids=ManufacturerIdColumns(
            customer=manufacturer_ids.c.internal_id,
            manufacturer=manufacturer_ids.c.manufacturer,
            value=manufacturer_ids.c.value,
        ),
        customer_groups=CustomerGroupColumns(
            id=customer_groups.c.id,
            name=customer_groups.c.name,
            currency=customer_groups.c.currency,
            is_default=customer_groups.c.is_default,
            position=customer_groups.c.position,
        ),
        user_groups=user_groups.c.name,
        manufacturers=manufacturers.c.name,
        options=OptionColumns(
            key=options.c.key,
            value=options.c.value,
            position=options.c.position,
            is_default=options.c.is_default,
        ),
        ship_to=ShipToColumns(
            customer=ship_to.c.internal_id,
            position=ship_to.c.position,
            fields={column: ship_to.c[column] for column in _SHIP_TO_PART},
        ),
    )


def create_tables(bind: sa.Engine | sa.Connection, tables: StoreTables) -> None:
    """Create the tables of *tables* that do not exist yet (with their
    indexes), in one transaction."""
    if isinstance(bind, sa.Engine):
        with bind.begin() as connection:
            create_tables(connection, tables)
        return
    # Referenced tables first.
    for table in sa.schema.sort_tables(tables.tables):
        table.create(bind, checkfirst=True)


# -- the store ------------------------------------------------------------------


class SQLAlchemyStore:
    """A `CustomerStore` over the tables *tables* describes, with `apply`.

    Args:
        engine: the app's engine. Each call takes a connection from its pool
            and gives it back; `apply` sets the isolation level its lock
            needs on its own connection only (read committed on PostgreSQL,
            serializable on SQLite).
        tables: where things are; `default_tables()` by default.
        batch_size: the most keys in one ``IN (...)``: by default 500 on
            SQLite (before 3.32 it takes 999 bound values at most), 5,000
            elsewhere.

    The engine is the app's: the store neither creates tables (see
    `create_tables`) nor disposes of the engine.
    """

    def __init__(
        self,
        engine: sa.Engine,
        tables: StoreTables | None = None,
        *,
        batch_size: int | None = None,
    ) -> None:
        if batch_size is None:
            batch_size = 500 if engine.dialect.name == "sqlite" else 5000
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size!r}")
        self.engine = engine
        self.tables = default_tables() if tables is None else tables
        self._batch = batch_size
        self._customers = self.tables.customers
        columns = self._customers
        #: (template column, table column) of the fields stored, in template order
        self._fields = [
            (column, columns.fields[column])
            for column in FIELD_COLUMNS
            if column in columns.fields
        ]
        self._selected = [
            columns.internal_id,
            *(column for _, column in self._fields),
            *([columns.custom] if columns.custom is not None else []),
        ]
        self._integer_keys = isinstance(columns.internal_id.type, sa.Integer)
        self._postgresql = engine.dialect.name == "postgresql"
        #: (place in a customer's values, column key) of the fields stored
        #: as they are, and the key of the emails' column
        self._places = [
            (_TEMPLATE_COLUMNS.index(field), column.key)
            for field, column in self._fields
            if field != "email"
        ]
        email = columns.fields.get("email")
        self._email_key = email.key if email is not None else None

    # -- the CustomerStore protocol -------------------------------------------

    def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        """See `CustomerStore.customers_by_id`."""
        with self._reading() as connection:
            return {
                customer.id: customer
                for _, customer in self._load(
                    connection, self._customers.fields["id"], ids
                )
                if customer.id is not None
            }

    def customers_by_internal_id(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Customer]:
        """See `CustomerStore.customers_by_internal_id`."""
        keys: list[Any] = list(internal_ids)
        if self._integer_keys:
            # A key that no integer key is written as is absent: never a
            # database error on a number past 64 bits.
            keys = [n for key in keys if (n := integer_internal_id(key)) is not None]
        with self._reading() as connection:
            found = self._load(connection, self._customers.internal_id, keys)
        asked = set(internal_ids)
        return {
            customer.internal_id: customer
            for _, customer in found
            if customer.internal_id in asked
        }

    def customers_by_name_key(
        self, keys: Sequence[str]
    ) -> Mapping[str, Sequence[Customer]]:
        """See `CustomerStore.customers_by_name_key`."""
        grouped: dict[str, list[Customer]] = {}
        with self._reading() as connection:
            for key, customer in self._load(connection, self._customers.name_key, keys):
                grouped.setdefault(key, []).append(customer)
        return grouped

    def highest_generated_id(self) -> int:
        """See `CustomerStore.highest_generated_id`."""
        columns = self._customers
        with self._reading() as connection:
            if columns.generated_number is not None:
                highest = connection.scalar(
                    sa.select(sa.func.max(columns.generated_number))
                )
                return int(highest or 0)
            ids = connection.scalars(
                sa.select(columns.fields["id"]).where(columns.fields["id"].like("HS-%"))
            )
            return max(
                (n for i in ids if (n := generated_number(i)) is not None), default=0
            )

    def customer_count(self) -> int:
        """See `CustomerStore.customer_count`."""
        with self._reading() as connection:
            count = connection.scalar(
                sa.select(sa.func.count()).select_from(self._customers.table)
            )
        return int(count or 0)

    def customer_groups(self) -> Sequence[CustomerGroup]:
        """See `CustomerStore.customer_groups`."""
        columns = self.tables.customer_groups
        if columns is None:
            return ()
        with self._reading() as connection:
            return tuple(group for group, _ in _read_groups(connection, columns))

    def user_groups(self) -> Collection[str]:
        """See `CustomerStore.user_groups`."""
        return self._values(self.tables.user_groups)

    def manufacturers(self) -> Collection[str]:
        """See `CustomerStore.manufacturers`."""
        return self._values(self.tables.manufacturers)

    def ship_to_addresses(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Address]]:
        """See `CustomerStore.ship_to_addresses`."""
        columns = self.tables.ship_to
        if columns is None:
            return {}
        keys = [k for i in internal_ids if (k := self._key(i)) is not None]
        with self._reading() as connection:
            found = _read_ship_to(connection, columns, keys, self._among, self._batch)
        return {i: tuple(found[i]) for i in internal_ids if i in found}

    def _key(self, internal_id: str) -> Any:
        """The primary key value of an internal id (``None``: no customer
        can have it)."""
        if self._integer_keys:
            return integer_internal_id(internal_id)
        return internal_id

    def options(self) -> Sequence[Option]:
        """See `CustomerStore.options`."""
        columns = self.tables.options
        if columns is None:
            return ()
        with self._reading() as connection:
            return tuple(option for option, _ in _read_options(connection, columns))

    # -- reference data -------------------------------------------------------

    def add_manufacturers(self, names: Iterable[str]) -> list[str]:
        """Add manufacturers; returns those that were not there yet."""
        return self._add(self.tables.manufacturers, names, "manufacturers")

    def add_customer_groups(self, groups: Iterable[str | CustomerGroup]) -> list[str]:
        """Add customer groups, by id or as records, after the others;
        returns the ids of those that were not there yet."""
        given = [
            g if isinstance(g, CustomerGroup) else CustomerGroup(id=g) for g in groups
        ]
        columns = self.tables.customer_groups
        if columns is None:
            if not given:
                return []
            raise StoreError("The store's tables have no place for customer groups.")
        with self._writing() as connection:
            stored = _read_groups(connection, columns)
            have = {group.id for group, _ in stored}
            position = max((at for _, at in stored), default=0)
            added = []
            for group in given:
                if group.id not in have:
                    have.add(group.id)
                    added.append(group)
            if added:
                connection.execute(
                    sa.insert(columns.id.table),
                    [
                        _group_row(columns, group, at)
                        for at, group in enumerate(added, start=position + 1)
                    ],
                )
        return [group.id for group in added]

    def add_user_groups(self, names: Iterable[str]) -> list[str]:
        """Add user groups (names compared ignoring case); returns those that
        were not there yet."""
        return self._add(self.tables.user_groups, names, "user_groups", fold=True)

    def add_options(self, key: str, values: Iterable[str | Option]) -> list[str]:
        """Append values, as texts or records, to option list *key* (one of
        `OPTION_KEYS`); returns those that were not there yet."""
        if key not in OPTION_KEYS:
            raise ValueError(f"option key must be one of {OPTION_KEYS}, not {key!r}")
        given = [
            v if isinstance(v, Option) else Option(key=key, value=v) for v in values
        ]
        columns = self.tables.options
        if columns is None:
            if not given:
                return []
            raise StoreError("The store's tables have no place for options.")
        with self._writing() as connection:
            stored = [
                (option, at)
                for option, at in _read_options(connection, columns)
                if option.key == key
            ]
            have = {option.value for option, _ in stored}
            position = max((at for _, at in stored), default=0)
            added = []
            for option in given:
                if option.value not in have:
                    have.add(option.value)
                    added.append(attrs.evolve(option, key=key))
            if added:
                connection.execute(
                    sa.insert(columns.key.table),
                    [
                        _option_row(columns, option, at)
                        for at, option in enumerate(added, start=position + 1)
                    ],
                )
        return [option.value for option in added]

    def _add(
        self,
        column: sa.Column[Any] | None,
        values: Iterable[str],
        what: str,
        *,
        fold: bool = False,
    ) -> list[str]:
        values = list(values)
        if column is None:
            if not values:
                return []
            raise StoreError(f"The store's tables have no place for {what}.")
        same = str.casefold if fold else str
        with self._writing() as connection:
            have = {same(v) for v in connection.scalars(sa.select(column))}
            added = []
            for value in values:
                if same(value) not in have:
                    have.add(same(value))
                    added.append(value)
            if added:
                connection.execute(
                    sa.insert(column.table), [{column.key: value} for value in added]
                )
        return added

    # -- apply --------------------------------------------------------------------

    def apply(
        self,
        plan: Plan,
        *,
        partial: bool = False,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> ApplyResult:
        """Carry out *plan* in one transaction: all of it, or nothing.

        *progress*, if given, is called with ``(actions done, actions in the
        plan)``: ``(0, total)`` first, then after each batch written, and
        ``(total, total)`` once committed.

        The write lock is held before anything is read: every update's old
        values are checked against the customer as it is then, and the ids
        the plan writes against the ids in use.

        Raises:
            PlanHasErrorsError: the plan has errors and *partial* is false.
            StalePlanError: the data changed since the plan was made.
            StoreError: the tables have no place for some of the plan's
                values, or the database failed.
        """
        check_plan(plan, partial=partial)
        self._check_storable(plan)
        told = ApplyProgress(progress, plan)
        with self._writing() as connection:
            result = _Apply(self, connection, told).run(plan)
        told.finish()
        return result

    def _check_storable(self, plan: Plan) -> None:
        tables = self.tables
        for action in plan.actions:
            if isinstance(action, CreateUserGroup) and tables.user_groups is None:
                raise StoreError("The store's tables have no place for user groups.")
            if (
                isinstance(action, (CreateShipTo, UpdateShipTo))
                and tables.ship_to is None
            ):
                raise StoreError(
                    "The store's tables have no place for additional ship-to "
                    "addresses (StoreTables.ship_to)."
                )
            if (
                isinstance(action, (CreateOption, UpdateOption))
                and tables.options is None
            ):
                raise StoreError("The store's tables have no place for options.")
            if isinstance(action, (CreateCustomerGroup, UpdateCustomerGroup)) and (
                tables.customer_groups is None
                or tables.customer_groups.position is None
            ):
                raise StoreError(
                    "The store's tables have no place for the customer groups' "
                    "order (CustomerGroupColumns.position), which the customer "
                    "groups template sets."
                )
            if isinstance(action, CreateCustomer):
                custom = list(action.customer.custom)
                manufacturers = list(action.customer.manufacturer_ids)
            elif isinstance(action, UpdateCustomer):
                manufacturers = [c for c in action.changes if c.startswith("id:")]
                custom = [
                    c
                    for c in action.changes
                    if c not in _TEMPLATE and not c.startswith("id:")
                ]
            else:
                continue
            if custom and self._customers.custom is None:
                raise StoreError(
                    f"Row {action.row}: the store's tables have no place for custom "
                    f"columns ({', '.join(sorted(custom))})."
                )
            if manufacturers and tables.manufacturer_ids is None:
                raise StoreError(
                    f"Row {action.row}: the store's tables have no place for "
                    "manufacturer ids."
                )

    # -- reading ------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with _errors(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A connection in a transaction holding the write lock; committed
        at the end of the block, rolled back on any exception."""
        dialect = self.engine.dialect.name
        level = {"sqlite": "SERIALIZABLE", "postgresql": "READ COMMITTED"}.get(dialect)
        with _errors(), self.engine.connect() as opened:
            connection = (
                opened.execution_options(isolation_level=level) if level else opened
            )
            with connection.begin():
                self._lock(connection)
                yield connection

    def _lock(self, connection: sa.Connection) -> None:
        """Take the write lock of this store's tables for the transaction."""
        dialect = connection.dialect.name
        columns = self._customers
        if dialect == "sqlite":
            # A write that changes nothing takes SQLite's write lock (as
            # BEGIN IMMEDIATE does), waiting for another writer to finish;
            # whatever the driver's transaction mode.
            connection.execute(
                sa.update(columns.table)
                .where(sa.false())
                .values({columns.internal_id.key: columns.internal_id})
            )
        elif dialect == "postgresql":
            # One import at a time on these tables; the rows an update reads
            # are locked too (FOR UPDATE), against the app's own writes.
            connection.execute(
                sa.select(sa.func.pg_advisory_xact_lock(_lock_key(columns.table)))
            )

    def _values(self, column: sa.Column[Any] | None) -> tuple[str, ...]:
        if column is None:
            return ()
        with self._reading() as connection:
            return tuple(connection.scalars(sa.select(column).order_by(column)))

    def _among(
        self, column: sa.Column[Any], keys: Sequence[Any]
    ) -> sa.ColumnElement[bool]:
        """*column* is one of *keys*: ``IN (...)``, or on PostgreSQL
        ``= ANY(array)``, one bound array rather than a value each."""
        if self._postgresql:
            array = sa.literal(list(keys), postgresql.ARRAY(column.type))
            return column == sa.any_(array)
        return column.in_(keys)

    def _chunks(self, keys: Sequence[Any]) -> Iterator[Sequence[Any]]:
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), self._batch):
            yield unique[start : start + self._batch]

    def _load(
        self,
        connection: sa.Connection,
        column: sa.Column[Any],
        keys: Sequence[Any],
        *,
        lock: bool = False,
    ) -> list[tuple[Any, Customer]]:
        """The customers whose *column* is one of *keys*, each with that
        value; locked for update if *lock*."""
        found: list[tuple[Any, Customer]] = []
        for chunk in self._chunks(keys):
            query = sa.select(*self._selected, column).where(self._among(column, chunk))
            if lock:
                query = query.with_for_update()
            rows = connection.execute(query).all()
            ids = self._manufacturer_ids(connection, [row[0] for row in rows])
            found.extend((row[-1], self._customer(row, ids)) for row in rows)
        return found

    def _manufacturer_ids(
        self, connection: sa.Connection, internal_ids: Sequence[Any]
    ) -> dict[Any, dict[str, str]]:
        table = self.tables.manufacturer_ids
        found: dict[Any, dict[str, str]] = {}
        if table is None or not internal_ids:
            return found
        rows = connection.execute(
            sa.select(table.customer, table.manufacturer, table.value)
            .where(self._among(table.customer, internal_ids))
            .order_by(table.customer, table.manufacturer)
        )
        for internal_id, manufacturer, value in rows:
            found.setdefault(internal_id, {})[manufacturer] = value
        return found

    def _customer(
        self, row: Sequence[Any], manufacturer_ids: Mapping[Any, dict[str, str]]
    ) -> Customer:
        """The customer of a row of `_selected`."""
        stored = dict(zip((c for c, _ in self._fields), row[1:], strict=False))
        values: list[str | None] = []
        for field in CUSTOMER_FIELDS:
            if field.column == "internal_id":
                values.append(str(row[0]))
                continue
            value = stored.get(field.column)
            if field.column == "email" and value:
                value = "\n".join(a for a in _EMAIL_SEPARATORS.split(value) if a)
            # Blank, NULL or "", is None, as the reader makes it.
            values.append(value if value != "" else None)
        if values[_NAME_AT] is None:
            values[_NAME_AT] = ""
        custom = (
            row[len(self._fields) + 1] if self._customers.custom is not None else None
        )
        ids = manufacturer_ids.get(row[0])
        return customer_from_values(
            tuple(values),
            MappingProxyType(ids) if ids else NO_MAPPING,
            MappingProxyType(dict(load_custom_values(custom)))
            if custom
            else NO_MAPPING,
        )

    def _row(self, customer: Customer) -> dict[str, Any]:
        """The customers table's columns of *customer*, by column key."""
        values = values_of(customer)
        row = {key: values[place] for place, key in self._places}
        if self._email_key is not None:
            row[self._email_key] = ", ".join(customer.emails) or None
        columns = self._customers
        row[columns.name_key.key] = name_key(customer.name)
        if columns.generated_number is not None:
            row[columns.generated_number.key] = generated_number(customer.id)
        if columns.custom is not None:
            row[columns.custom.key] = dump_custom_values(customer.custom)
        return row


_TEMPLATE_COLUMNS = tuple(field.column for field in CUSTOMER_FIELDS)
_NAME_AT = _TEMPLATE_COLUMNS.index("name")
_TEMPLATE = frozenset(_TEMPLATE_COLUMNS)
_SHIP_TO_ACTIONS = (CreateShipTo, UpdateShipTo, UnchangedShipTo)
_LIST_ACTIONS = (
    CreateOption,
    UpdateOption,
    UnchangedOption,
    CreateCustomerGroup,
    UpdateCustomerGroup,
    UnchangedCustomerGroup,
)


def _read_groups(
    connection: sa.Connection, columns: CustomerGroupColumns
) -> list[tuple[CustomerGroup, int]]:
    """The stored groups in their order, each with its position (its place
    in that order where the table has no position column)."""
    query = sa.select(
        columns.id,
        _or_null(columns.name),
        _or_null(columns.currency),
        _or_null(columns.is_default),
        _or_null(columns.position),
    )
    if columns.position is not None:
        query = query.order_by(columns.position)
    groups = []
    rows = connection.execute(query.order_by(columns.id)).all()
    for place, (id_, name, currency, is_default, position) in enumerate(rows, 1):
        group = CustomerGroup(
            id=str(id_),
            name=name or None,
            currency=currency or None,
            is_default=bool(is_default),
        )
        groups.append((group, place if position is None else int(position)))
    return groups


def _read_options(
    connection: sa.Connection, columns: OptionColumns
) -> list[tuple[Option, int]]:
    """The stored options, list by list, each in its order, with its
    position."""
    rows = connection.execute(
        sa.select(
            columns.key, columns.value, _or_null(columns.is_default), columns.position
        ).order_by(columns.key, columns.position)
    ).all()
    return [
        (Option(key=key, value=value, is_default=bool(is_default)), int(position))
        for key, value, is_default, position in rows
    ]


R = TypeVar("R", Option, CustomerGroup)


def _positions(
    records: Sequence[R], list_of: Callable[[R], str]
) -> list[tuple[R, int]]:
    """Each record with its place in its list (1 is the first)."""
    counts: dict[str, int] = {}
    placed = []
    for record in records:
        name = list_of(record)
        counts[name] = counts.get(name, 0) + 1
        placed.append((record, counts[name]))
    return placed


def _table(column: sa.Column[Any]) -> sa.Table:
    table = column.table
    assert isinstance(table, sa.Table)
    return table


def _read_ship_to(
    connection: sa.Connection,
    columns: ShipToColumns,
    keys: Sequence[Any],
    among: Callable[[sa.Column[Any], Sequence[Any]], sa.ColumnElement[bool]],
    batch: int,
) -> dict[str, list[Address]]:
    """The ship-to addresses of the customers with primary keys *keys*, by
    internal id, each customer's in order."""
    parts = [
        (part, columns.fields.get(column)) for column, part in _SHIP_TO_PART.items()
    ]
    selected = [columns.customer, *(c for _, c in parts if c is not None)]
    found: dict[str, list[Address]] = {}
    for chunk in _slices(list(dict.fromkeys(keys)), batch):
        rows = connection.execute(
            sa.select(*selected)
            .where(among(columns.customer, chunk))
            .order_by(columns.customer, columns.position)
        )
        for key, *values in rows:
            given = iter(values)
            address = Address(
                **{part: next(given) if c is not None else None for part, c in parts}
            )
            found.setdefault(str(key), []).append(address)
    return found


def _ship_to_row(
    columns: ShipToColumns, key: Any, position: int, address: Address
) -> dict[str, Any]:
    """The table row of *address*, the customer's *position*th; a part the
    table has no column for is a `StoreError`."""
    row = {columns.customer.key: key, columns.position.key: position}
    for column, part in _SHIP_TO_PART.items():
        value = getattr(address, part)
        target = columns.fields.get(column)
        if target is not None:
            row[target.key] = value
        elif value is not None:
            raise StoreError(
                f"The store's tables have no place for the ship-to addresses' {column}."
            )
    return row


def _or_null(column: sa.Column[Any] | None) -> sa.ColumnElement[Any]:
    return sa.null() if column is None else column


def _group_row(
    columns: CustomerGroupColumns, group: CustomerGroup, position: int
) -> dict[str, Any]:
    """The table row of *group* at *position*; a value the table has no
    column for is a `StoreError`."""
    return _row_of(
        {
            "id": (columns.id, group.id),
            "name": (columns.name, group.name),
            "currency": (columns.currency, group.currency),
            "isDefault": (columns.is_default, group.is_default),
            "position": (columns.position, position),
        },
        "customer groups",
    )


def _option_row(
    columns: OptionColumns, option: Option, position: int
) -> dict[str, Any]:
    """The table row of *option* at *position* (see `_group_row`)."""
    return _row_of(
        {
            "key": (columns.key, option.key),
            "value": (columns.value, option.value),
            "position": (columns.position, position),
            "isDefault": (columns.is_default, option.is_default),
        },
        "options",
    )


def _row_of(
    values: Mapping[str, tuple[sa.Column[Any] | None, Any]], what: str
) -> dict[str, Any]:
    row = {}
    for name, (column, value) in values.items():
        if column is not None:
            row[column.key] = value
        elif value not in (None, False) and name != "position":
            raise StoreError(
                f"The store's tables have no place for the {what}' {name}."
            )
    return row


def _lock_key(table: sa.Table) -> int:
    """The advisory lock of a customers table: a signed 64-bit number of its
    full name."""
    digest = hashlib.blake2b(
        f"handshake_import:{table.fullname}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn a failing database into a `StoreError` (a constraint broken by
    a plan is handled where it is written)."""
    try:
        yield
    except sa.exc.DBAPIError as error:
        raise StoreError(f"The database failed: {error.orig}") from error


class _Apply:
    """One plan applied on a connection holding the write lock."""

    def __init__(
        self, store: SQLAlchemyStore, connection: sa.Connection, told: ApplyProgress
    ) -> None:
        self.store = store
        self.connection = connection
        self.told = told
        self.columns = store.tables.customers

    def run(self, plan: Plan) -> ApplyResult:
        groups: list[str] = []
        creates: list[CreateCustomer] = []
        updates: list[UpdateCustomer] = []
        unchanged: list[str] = []
        lists = 0
        for action in plan.actions:
            if isinstance(action, CreateUserGroup):
                groups.append(action.name)
            elif isinstance(action, CreateCustomer):
                creates.append(action)
            elif isinstance(action, UpdateCustomer):
                updates.append(action)
            elif isinstance(action, Unchanged):
                unchanged.append(action.internal_id)
            elif isinstance(action, (*_LIST_ACTIONS, *_SHIP_TO_ACTIONS)):
                lists += 1
            else:
                unreachable(action)
        # Options and groups first: customers name them.
        self.write_lists(plan)
        self.told.add(lists + len(unchanged))
        created_groups = self.create_user_groups(groups)
        self.told.add(len(groups))
        self.update(updates)
        created = self.create(creates)
        generated = [
            (action.row, internal_id, action.customer.name)
            for action, (_, internal_id) in zip(creates, created, strict=True)
            if action.generated_id
        ]
        check_names_free(generated, self.customers_named, batch_size=self.store._batch)
        # Ship-to addresses last: they belong to customers.
        created_ids = {
            action.customer.id: internal_id
            for action, (_, internal_id) in zip(creates, created, strict=True)
            if action.customer.id is not None
        }
        self.write_ship_to(plan, created_ids)
        return ApplyResult(
            created=tuple(created),
            updated=tuple(action.internal_id for action in updates),
            user_groups=tuple(created_groups),
            unchanged=tuple(unchanged),
            options=listed_options(plan),
            customer_groups=listed_customer_groups(plan),
            ship_to=listed_ship_to(plan, created_ids),
        )

    def write_lists(self, plan: Plan) -> None:
        """Apply the plan's option and group actions: the lists read under
        the write lock, computed as every store computes them
        (`apply_options`), and the rows that differ written."""
        tables = self.store.tables
        if tables.options is not None and any(
            isinstance(a, (CreateOption, UpdateOption)) for a in plan.actions
        ):
            options = tables.options
            stored = _read_options(self.connection, options)
            self.write_list(
                _table(options.key),
                {(o.key, o.value.casefold()): (o, at) for o, at in stored},
                [
                    ((option.key, option.value.casefold()), option, at)
                    for option, at in _positions(
                        apply_options([o for o, _ in stored], plan),
                        lambda option: option.key,
                    )
                ],
                row_of=lambda option, at: _option_row(options, option, at),
                where=lambda option: sa.and_(
                    options.key == option.key, options.value == option.value
                ),
            )
        if tables.customer_groups is not None and any(
            isinstance(a, (CreateCustomerGroup, UpdateCustomerGroup))
            for a in plan.actions
        ):
            groups = tables.customer_groups
            stored_groups = _read_groups(self.connection, groups)
            self.write_list(
                _table(groups.id),
                {g.id: (g, at) for g, at in stored_groups},
                [
                    (group.id, group, at)
                    for group, at in _positions(
                        apply_customer_groups([g for g, _ in stored_groups], plan),
                        lambda group: "",
                    )
                ],
                row_of=lambda group, at: _group_row(groups, group, at),
                where=lambda group: groups.id == group.id,
            )

    def write_list(
        self,
        table: sa.Table,
        stored: Mapping[Hashable, tuple[R, int]],
        wanted: Sequence[tuple[Hashable, R, int]],
        *,
        row_of: Callable[[R, int], dict[str, Any]],
        where: Callable[[R], sa.ColumnElement[bool]],
    ) -> None:
        """Insert the records of *wanted* that are not *stored*, and update
        those that differ (in a value or their position)."""
        inserts = []
        for identity, record, at in wanted:
            row = row_of(record, at)
            old = stored.get(identity)
            if old is None:
                inserts.append(row)
            elif old != (record, at):
                self.connection.execute(
                    sa.update(table).where(where(old[0])).values(row)
                )
        if inserts:
            self.connection.execute(sa.insert(table), inserts)

    def create_user_groups(self, names: Sequence[str]) -> list[str]:
        column = self.store.tables.user_groups
        if not names or column is None:
            return []
        have = {g.casefold() for g in self.connection.scalars(sa.select(column))}
        added = []
        for name in names:
            if name.casefold() not in have:
                have.add(name.casefold())
                added.append(name)
        if added:
            self.connection.execute(
                sa.insert(column.table), [{column.key: name} for name in added]
            )
        return added

    def update(self, updates: Sequence[UpdateCustomer]) -> None:
        if not updates:
            return
        columns = self.columns
        keys = [self.key(action.internal_id) for action in updates]
        current = {
            str(key): customer
            for key, customer in self.store._load(
                self.connection,
                columns.internal_id,
                [key for key in keys if key is not None],
                lock=True,
            )
        }
        # Read under the write lock: what is checked is what will be replaced.
        customers = [
            apply_update(current.get(action.internal_id), action) for action in updates
        ]
        self.check_new_ids(updates, customers)
        # Bound as "new_<column>": a bound name may not be a column's own.
        rows = [
            {f"new_{name}": value for name, value in self.store._row(customer).items()}
            | {"internal_id_": key}
            for customer, key in zip(customers, keys, strict=True)
        ]
        statement = (
            sa.update(columns.table)
            .where(columns.internal_id == sa.bindparam("internal_id_"))
            .values(
                {
                    name: sa.bindparam(f"new_{name}")
                    for name in self.store._row(customers[0])
                }
            )
        )
        try:
            for chunk in _slices(rows, 1000):
                self.connection.execute(statement, list(chunk))
                self.told.add(len(chunk))
        except sa.exc.IntegrityError as error:
            raise StalePlanError(
                f"Row {updates[0].row}: an id the plan gives a customer was taken "
                "since this plan was made; reconcile the file again.",
                row=updates[0].row,
            ) from error
        changed = [
            (key, customer)
            for action, key, customer in zip(updates, keys, customers, strict=True)
            if any(column.startswith("id:") for column in action.changes)
        ]
        self.write_manufacturer_ids(changed, replace=True)

    def check_new_ids(
        self, updates: Sequence[UpdateCustomer], customers: Sequence[Customer]
    ) -> None:
        """Refuse an update that gives a customer an id another one holds."""
        new_ids = {
            customer.id: action
            for action, customer in zip(updates, customers, strict=True)
            if "id" in action.changes and customer.id is not None
        }
        if not new_ids:
            return
        leaving = {
            str(action.internal_id) for action in updates if "id" in action.changes
        }
        for internal_id, taken in self.holders(list(new_ids)):
            action = new_ids[taken]
            if internal_id != action.internal_id and internal_id not in leaving:
                raise id_taken_since(action.row, taken)

    def holders(self, ids: Sequence[str]) -> list[tuple[str, str]]:
        """(internal id, id) of the customers holding one of *ids*."""
        pk, id_column = self.columns.internal_id, self.columns.fields["id"]
        found: list[tuple[str, str]] = []
        for chunk in self.store._chunks(ids):
            found.extend(
                (str(internal_id), customer_id)
                for internal_id, customer_id in self.connection.execute(
                    sa.select(pk, id_column).where(self.store._among(id_column, chunk))
                )
            )
        return found

    def create(self, creates: Sequence[CreateCustomer]) -> list[tuple[int, str]]:
        if not creates:
            return []
        by_id = {a.customer.id: a for a in creates if a.customer.id is not None}
        taken = {customer_id for _, customer_id in self.holders(list(by_id))}
        for action in creates:
            if action.customer.id in taken:
                raise id_created_since(action.row, action.customer.id)
        rows = [self.store._row(action.customer) for action in creates]
        try:
            keys = self.insert(rows)
        except sa.exc.IntegrityError as error:
            raise id_created_since(creates[0].row, creates[0].customer.id) from error
        self.write_manufacturer_ids(
            [
                (key, action.customer)
                for key, action in zip(keys, creates, strict=True)
                if action.customer.manufacturer_ids
            ],
            replace=False,
        )
        return [(a.row, str(key)) for a, key in zip(creates, keys, strict=True)]

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Insert *rows* into the customers table; their internal ids, in
        order: one ``INSERT ... RETURNING`` per thousand rows where the
        dialect returns rows in order, else one insert per row."""
        table, pk = self.columns.table, self.columns.internal_id
        connection = self.connection
        keys: list[Any] = []
        sequence = self.sequence()
        if sequence is not None:
            # The keys drawn from the key's sequence first, then a plain
            # executemany: RETURNING makes psycopg parse one statement of a
            # thousand rows' values per page, six times slower.
            keys.extend(
                connection.scalars(
                    sa.select(sa.func.nextval(sequence)).select_from(
                        sa.func.generate_series(1, len(rows))
                    )
                )
            )
            with_keys = [
                {**row, pk.key: key} for row, key in zip(rows, keys, strict=True)
            ]
            for chunk in _slices(with_keys, 5000):
                self.insert_many(table, chunk)
                self.told.add(len(chunk))
            return keys
        if connection.dialect.insert_executemany_returning_sort_by_parameter_order:
            statement = sa.insert(table).returning(pk, sort_by_parameter_order=True)
            for chunk in _slices(rows, 1000):
                keys.extend(connection.scalars(statement, list(chunk)))
                self.told.add(len(chunk))
            return keys
        for row in rows:  # pragma: no cover - SQLite and PostgreSQL return in order
            inserted = connection.execute(sa.insert(table), row).inserted_primary_key
            assert inserted is not None
            keys.append(inserted[0])
            self.told.add()
        return keys

    def sequence(self) -> str | None:
        """On PostgreSQL, the sequence that gives the customers table's keys
        (serial or identity), if it has one."""
        connection = self.connection
        if connection.dialect.name != "postgresql":
            return None
        table = connection.dialect.identifier_preparer.format_table(self.columns.table)
        found = connection.scalar(
            sa.select(
                sa.func.pg_get_serial_sequence(table, self.columns.internal_id.name)
            )
        )
        return str(found) if found else None

    def write_manufacturer_ids(
        self, customers: Sequence[tuple[Any, Customer]], *, replace: bool
    ) -> None:
        table = self.store.tables.manufacturer_ids
        if table is None or not customers:
            return
        if replace:
            for chunk in _slices([key for key, _ in customers], self.store._batch):
                self.connection.execute(
                    sa.delete(table.customer.table).where(
                        self.store._among(table.customer, chunk)
                    )
                )
        rows = [
            {
                table.customer.key: key,
                table.manufacturer.key: name,
                table.value.key: value,
            }
            for key, customer in customers
            for name, value in customer.manufacturer_ids.items()
        ]
        for chunk in _slices(rows, 5000):
            self.insert_many(table.customer.table, chunk)

    def insert_many(self, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert *rows* (each with the same keys) into *table*: with ``COPY``
        on PostgreSQL through psycopg 3, a few times faster than an
        ``executemany``; else with one."""
        connection = self.connection
        if not rows:
            return
        if connection.dialect.name != "postgresql" or connection.dialect.driver != (
            "psycopg"
        ):
            connection.execute(sa.insert(table), list(rows))
            return
        names = list(rows[0])
        quote = connection.dialect.identifier_preparer
        columns = ", ".join(quote.quote(table.c[name].name) for name in names)
        statement = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])

    def customers_named(self, keys: Sequence[str]) -> list[tuple[str, str]]:
        pk, name = self.columns.internal_id, self.columns.fields["name"]
        return [
            (str(internal_id), customer_name)
            for internal_id, customer_name in self.connection.execute(
                sa.select(pk, name).where(
                    self.store._among(self.columns.name_key, keys)
                )
            )
        ]

    def key(self, internal_id: str) -> Any:
        """The primary key value of an internal id (``None``: no customer
        can have it)."""
        return self.store._key(internal_id)

    def write_ship_to(self, plan: Plan, created: Mapping[str, str]) -> None:
        """Apply the plan's ship-to actions: each customer's addresses, read
        under the write lock, computed as every store computes them
        (`apply_ship_to`), and written back whole."""
        columns = self.store.tables.ship_to
        if columns is None:
            return
        keys = [self.key(i) for i in ship_to_customers(plan)]
        stored = _read_ship_to(
            self.connection,
            columns,
            [k for k in keys if k is not None],
            self.store._among,
            self.store._batch,
        )
        table = _table(columns.customer)
        for internal_id, addresses in apply_ship_to(stored, plan, created).items():
            key = self.key(internal_id)
            self.connection.execute(sa.delete(table).where(columns.customer == key))
            rows = [
                _ship_to_row(columns, key, position, address)
                for position, address in enumerate(addresses, start=1)
            ]
            if rows:
                self.connection.execute(sa.insert(table), rows)


def _slices(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
