"""A conformance kit for `CustomerStore` adapters.

An adapter author checks their store against the contract that
reconciliation relies on by subclassing `StoreConformance` in their test
suite and implementing one method, `StoreConformance.make_store`::

    from handshake_import.testing import StoreConformance

    class TestSqlStore(StoreConformance):
        def make_store(
            self,
            customers=(),
            *,
            customer_groups=(),
            user_groups=(),
            manufacturers=(),
            options=None,
        ):
            database = fresh_test_database()
            database.insert_customers(customers)
            database.insert_customer_groups(customer_groups)
            database.insert_user_groups(user_groups)
            database.insert_manufacturers(manufacturers)
            database.insert_options(options or {})
            return SqlStore(database)

        # Another store on the same database (its own connection), for
        # the test of two plans applied at once:
        def open_second_handle(self, store):
            return SqlStore(store.database.reopen())

        # Only if the store writes plans some other way than
        # store.apply(plan, partial=partial):
        def apply(self, store, plan, *, partial=False):
            return store.import_plan(plan, partial=partial)

        # Only if closing a store takes more than store.close():
        def close_store(self, store):
            store.close()
            drop_test_database(store.database)

pytest runs the inherited ``test_*`` methods against the store (the base
class itself is not collected: its name does not start with ``Test``). The
tests take no fixtures, so the class also works mixed into a
`unittest.TestCase`.

What `make_store` must isolate: each test builds the stores it needs with
`make_store`, and some build several and use them side by side (one with
``HS-<n>`` ids beside one without, say). So every call returns a store of
its own: its own database, file or schema, holding exactly the data given,
which no other store sees or changes, and which leaves nothing behind for
a later test. Do not hand out one shared connection, or empty a shared
table, in `make_store`: a store the test made before would change under
it. Tests are independent of each other and may run in any order, or in
several processes at once (pytest-xdist): name a test database so that
two processes never pick the same name.

`open_second_handle` (there is no default) opens the same data again, as
a second process would: the kit applies two plans made from the same state
at once, one through each store, from two threads, and checks that exactly
one applies and the other raises `StalePlanError`. The handle is opened,
used and closed (`close_second_handle`) in a thread of its own.

When a test ends, whether it passed, failed or was skipped, the kit calls
`close_store` for every store the test made, the last made first. The
default calls ``store.close()`` if the store has a ``close`` method;
override it to do more, such as dropping the test database. Stores your
own tests make by calling `make_store` are yours to close.

What is checked: every method of the `CustomerStore` protocol (exact id
look-up, absent keys left out, keys no store can hold left out too,
internal ids, customers grouped by
`name_key`, `highest_generated_id`, `customer_count`, groups, manufacturers,
option values in order), and writing plans made by `reconcile`: created
customers get internal ids and can be found, updates change exactly the
planned fields, a blank cell clears a field, user groups are created once,
a plan with errors is refused unless ``partial=True``, a plan made stale by
a change since it was made raises `StalePlanError` and changes nothing at
all, two plans applied at once through two handles are applied one after
the other (the later is stale), and reconciling the same file again after
applying it plans nothing.

To leave out a test that a store cannot pass by design (say it keeps no
custom column values), override that method in the subclass with one that
calls ``pytest.skip("...")``.

The kit does not import pytest (nor anything this library does not
depend on); its failures are `AssertionError` with a message saying what
the store did.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from ._api import reconcile
from ._errors import PlanHasErrorsError, StalePlanError
from ._names import name_key
from ._plan import Plan, Unchanged
from ._records import Address, Customer, CustomerGroup, Option
from ._store import OPTION_KEYS, CustomerStore

__all__ = ["StoreConformance"]

_E = TypeVar("_E", bound=BaseException)
_Kit = TypeVar("_Kit", bound="StoreConformance")

_ACME = Customer(
    name="Acme Tools",
    id="A1",
    contact="Bob",
    emails=("bob@acme.example",),
    tax_id="T-1",
)
_BETA = Customer(name="Beta Ltd", id="B1", contact="Ann")
_NO_ID = Customer(name="Delta Stores", contact="Dee")

_FULL = Customer(
    name="Café Müller GmbH",
    id="CM-0042",
    contact="Jörg Müller",
    emails=("joerg@cafe.example", "orders@cafe.example"),
    bill_to=Address(
        id="B-1",
        name="Café Müller",
        street="Hauptstraße 1",
        street2="Hinterhof",
        city="Köln",
        state="NRW",
        postcode="50667",
        country="DE",
        phone="+49 221 0000",
        fax="+49 221 0001",
    ),
    ship_to=Address(street="Lagerweg 2", city="Bonn"),
    payment_terms="Net 30",
    shipping_method="DHL",
    tax_id="DE123456789",
    customer_group="retail",
    user_group="Sales",
    manufacturer_ids={"Acme Tools": "AT-77", "Bolt & Co": "0099"},
)


#: Keys no store can have given as internal ids, or that no database holds
#: as they are: numbers past a 64-bit integer, signs, other digits than
#: ASCII ones, and texts of 10,000 characters. Each is simply absent.
_IMPOSSIBLE_KEYS = (
    "9" * 20,
    str(2**63),
    str(2**64),
    "-" + "9" * 19,
    "-1",
    "0",
    "+1",
    "00",
    "1.0",
    "1e3",
    "0x1F",
    "\u0661",  # ARABIC-INDIC DIGIT ONE: str.isdigit() says it is a digit
    "\u00b2",  # SUPERSCRIPT TWO: so does it, and int() refuses it
    "x" * 10_000,
    "9" * 10_000,
)

#: How many customers the two plans of the concurrency test both update.
_RACING = 100


def _csv(*rows: Sequence[str]) -> bytes:
    """A small CSV file: the header row, then the customer rows."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _csv_records(*records: Mapping[str, str]) -> bytes:
    """A small CSV file of *records*: every column any of them has, blank
    where one has no value."""
    header = list(dict.fromkeys(column for record in records for column in record))
    return _csv(header, *([record.get(c, "") for c in header] for record in records))


def _options(key: str, *values: str) -> list[Option]:
    """The options of list *key*: each value, the one starting with ``*``
    its default."""
    return [
        Option(key=key, value=value.lstrip("*"), is_default=value.startswith("*"))
        for value in values
    ]


def _check(expected: object, actual: object, what: str) -> None:
    """Fail with a message naming *what* unless *actual* is *expected*."""
    if expected != actual:
        raise AssertionError(f"{what}:\n  expected {expected!r}\n  got      {actual!r}")


def _expect_error(kind: type[_E], call: Callable[[], object], what: str) -> _E:
    """The *kind* of exception *call* raises; fail if it raises none."""
    try:
        call()
    except kind as error:
        return error
    raise AssertionError(f"{what}: expected {kind.__name__}, nothing was raised")


def _stored(store: CustomerStore, customer_id: str) -> Customer:
    """The stored customer with id *customer_id*; fail if there is none."""
    found = store.customers_by_id([customer_id])
    if customer_id not in found:
        raise AssertionError(
            f"customers_by_id([{customer_id!r}]) did not find the customer: "
            f"{dict(found)!r}"
        )
    return found[customer_id]


def _internal_id(store: CustomerStore, customer_id: str) -> str:
    """The internal id of the stored customer with id *customer_id*."""
    internal_id = _stored(store, customer_id).internal_id
    if internal_id is None:
        raise AssertionError(
            f"the customer with id {customer_id!r} came back without an internal id"
        )
    return internal_id


def _as_given(customer: Customer) -> Customer:
    """*customer* without its internal id, to compare with what was stored."""
    return attrs.evolve(customer, internal_id=None)


def _order(customer: Customer) -> tuple[str, str, str]:
    return (customer.internal_id or "", customer.id or "", customer.name)


def _snapshot(
    store: CustomerStore, ids: Sequence[str], names: Sequence[str]
) -> dict[str, object]:
    """What the store says about *ids* and *names*, to tell whether it changed."""
    keys = list(dict.fromkeys(name_key(name) for name in names))
    return {
        "customer_count": store.customer_count(),
        "customers_by_id": dict(store.customers_by_id(list(dict.fromkeys(ids)))),
        "customers_by_name_key": {
            key: sorted(group, key=_order)
            for key, group in store.customers_by_name_key(keys).items()
        },
        "user_groups": sorted(store.user_groups()),
        "highest_generated_id": store.highest_generated_id(),
    }


def _closes_stores(test: Callable[[_Kit], None]) -> Callable[[_Kit], None]:
    """*test*, closing every store it made once it ends, whether it passed,
    failed or was skipped."""

    @functools.wraps(test)
    def run(self: _Kit) -> None:
        # ExitStack calls every close, the last store made first, even when
        # the test or another close raised.
        with contextlib.ExitStack() as self._stores_to_close:
            test(self)

    return run


class StoreConformance:
    """Tests that a `CustomerStore` adapter keeps the store contract.

    Subclass it as ``class TestMyStore(StoreConformance)`` and implement
    `make_store` and `open_second_handle` (and `apply`, if the store is not
    written with
    ``store.apply(plan, partial=...)``, and `close_store`, if closing a
    store takes more than ``store.close()``); see the module's
    documentation.
    """

    _stores_to_close: contextlib.ExitStack

    def make_store(
        self,
        customers: Iterable[Customer] = (),
        *,
        customer_groups: Iterable[CustomerGroup] = (),
        user_groups: Iterable[str] = (),
        manufacturers: Iterable[str] = (),
        options: Mapping[str, Sequence[Option]] | None = None,
    ) -> CustomerStore:
        """A new store holding exactly this data, and nothing else.

        The arguments are those of `InMemoryStore`. The kit's customers come
        without internal ids: the store assigns them. *customer_groups* are
        `CustomerGroup` records, in order; *options* maps keys of
        `OPTION_KEYS` to their `Option` records, in order; a key left out
        has none.

        A test may make several stores and use them side by side: each call
        returns a store of its own (its own database, file or schema), which
        no other store sees or changes, and which leaves nothing behind for
        a later test. Every store stays open until the test ends; then
        `close_store` is called for it.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement make_store() to return a fresh "
            "store holding the given customers, groups, manufacturers and options"
        )

    def apply(
        self, store: CustomerStore, plan: Plan, *, partial: bool = False
    ) -> object:
        """Write *plan* to *store*, all of it or nothing.

        The default calls ``store.apply(plan, partial=partial)``. It must
        raise `PlanHasErrorsError` for a plan with errors unless *partial*,
        and `StalePlanError` when the store changed since the plan was made;
        in both cases nothing is written. What it returns is not checked.
        """
        write = getattr(store, "apply", None)
        if not callable(write):
            raise TypeError(
                f"{type(store).__name__} has no apply(plan, partial=...) method; "
                "override StoreConformance.apply to write a plan to the store"
            )
        return write(plan, partial=partial)

    def close_store(self, store: CustomerStore) -> None:
        """Close *store*, made by `make_store` for a test that has ended.

        Called once for every store a test of the kit made, the last made
        first, whether the test passed, failed or was skipped. The default
        calls ``store.close()`` if the store has a ``close`` method, and
        does nothing otherwise; override it to do more, such as dropping a
        test database. An exception it raises fails the test; the other
        stores are closed all the same.
        """
        close = getattr(store, "close", None)
        if callable(close):
            close()

    def open_second_handle(self, store: CustomerStore) -> CustomerStore:
        """Another store on the same data as *store*, as a second process
        would open it: its own connection (or session) to the same database.

        The concurrency test applies one plan through *store* and another
        through this handle at the same time, from two threads: the handle
        is opened, used and closed (`close_second_handle`) in a thread of
        its own. A store kept in memory, whose ``apply`` is safe to call
        from two threads, may return *store* itself (and then override
        `close_second_handle` to leave it open).

        There is no default: implement it, or skip
        ``test_two_handles_applying_at_once`` if your store can never be
        shared (say so in its docs).
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement open_second_handle(store) to "
            "return another store on the same database as store (its own "
            "connection), for the test of two plans applied at the same time"
        )

    def close_second_handle(self, handle: CustomerStore) -> None:
        """Close a store that `open_second_handle` opened, in the thread that
        opened it. The default calls ``handle.close()`` if the handle has a
        ``close`` method; `close_store` is not called for it (it would drop
        a test database the first store still uses)."""
        close = getattr(handle, "close", None)
        if callable(close):
            close()

    def _new_store(self, *args: Any, **kwargs: Any) -> CustomerStore:
        """``make_store(*args, **kwargs)``, closed with `close_store` when
        the test ends."""
        store = self.make_store(*args, **kwargs)
        self._stores_to_close.callback(self.close_store, store)
        return store

    def _full_store(self, *others: Customer) -> CustomerStore:
        """A store holding `_FULL` (and *others*) and the data it refers to."""
        return self._new_store(
            [_FULL, *others],
            customer_groups=[CustomerGroup(id="retail")],
            user_groups=["Sales"],
            manufacturers=["Acme Tools", "Bolt & Co"],
            options={
                "paymentTerms": _options("paymentTerms", "Net 30"),
                "shippingMethod": _options("shippingMethod", "DHL"),
            },
        )

    # -- customers_by_id -------------------------------------------------------

    @_closes_stores
    def test_customers_by_id_finds_exact_ids(self) -> None:
        """customers_by_id finds the customers whose id is exactly a key."""
        store = self._new_store([_ACME, _BETA, _NO_ID])

        found = store.customers_by_id(["A1", "B1"])

        _check(["A1", "B1"], sorted(found), "customers_by_id(['A1', 'B1']) keys")
        _check(_ACME, _as_given(found["A1"]), "customers_by_id: customer A1")
        _check(_BETA, _as_given(found["B1"]), "customers_by_id: customer B1")

    @_closes_stores
    def test_customers_by_id_leaves_absent_keys_out(self) -> None:
        """Ids no customer has are absent; ids match exactly (case, spaces)."""
        store = self._new_store([_ACME, _BETA])
        absent = ["a1", " A1", "A1 ", "A", "C1", "", "A1' OR '1'='1", "%", "A_"]

        found = store.customers_by_id(["A1", *absent])

        _check(["A1"], sorted(found), f"customers_by_id(['A1', *{absent!r}]) keys")
        _check({}, dict(store.customers_by_id(absent)), "customers_by_id(absent)")
        _check({}, dict(store.customers_by_id([])), "customers_by_id([])")

    @_closes_stores
    def test_customers_round_trip(self) -> None:
        """A stored customer comes back with every field as it was given."""
        store = self._full_store()

        _check(_FULL, _as_given(_stored(store, "CM-0042")), "stored customer")

    @_closes_stores
    def test_custom_values_round_trip(self) -> None:
        """Custom column values come back with their types."""
        customer = Customer(
            name="Custom Co",
            id="CC-1",
            custom={
                "note": "text",
                "visits": 12,
                "credit": Decimal("1250.50"),
                "vip": True,
                "since": dt.date(2020, 2, 29),
                "tags": ("gold", "north"),
            },
        )
        store = self._new_store([customer])

        _check(customer, _as_given(_stored(store, "CC-1")), "stored customer")

    # -- internal ids ----------------------------------------------------------

    @_closes_stores
    def test_customers_get_distinct_internal_ids(self) -> None:
        """Every stored customer has an internal id of its own."""
        store = self._new_store([_ACME, _BETA, _NO_ID])
        by_name = store.customers_by_name_key([name_key(_NO_ID.name)])
        internal_ids = [
            _internal_id(store, "A1"),
            _internal_id(store, "B1"),
            *(
                customer.internal_id
                for customer in by_name.get(name_key(_NO_ID.name), ())
            ),
        ]

        _check(3, len(set(internal_ids)), f"distinct internal ids in {internal_ids!r}")
        _check(False, "" in internal_ids, "an internal id is empty")

    @_closes_stores
    def test_customers_by_internal_id(self) -> None:
        """customers_by_internal_id finds customers by the ids the store gave."""
        store = self._new_store([_ACME, _BETA])
        acme, beta = _internal_id(store, "A1"), _internal_id(store, "B1")

        found = store.customers_by_internal_id([beta, acme])

        _check(sorted([acme, beta]), sorted(found), "customers_by_internal_id keys")
        _check(_ACME, _as_given(found[acme]), "customers_by_internal_id: A1")
        _check(acme, found[acme].internal_id, "internal_id of the customer found")
        _check(_BETA, _as_given(found[beta]), "customers_by_internal_id: B1")

    @_closes_stores
    def test_customers_by_internal_id_leaves_absent_keys_out(self) -> None:
        """Internal ids the store never gave, of any shape, are absent."""
        store = self._new_store([_ACME])
        acme = _internal_id(store, "A1")
        shapes = ["no-such-id", "999999999", "-1", "", "A1", f"{acme} ", f"0{acme}"]
        absent = [key for key in [*shapes, "1' OR '1'='1"] if key != acme]

        found = store.customers_by_internal_id([acme, *absent])

        _check([acme], sorted(found), f"customers_by_internal_id([{acme!r}, ...]) keys")
        _check(
            {},
            dict(store.customers_by_internal_id(absent)),
            f"customers_by_internal_id({absent!r})",
        )
        _check(
            {}, dict(store.customers_by_internal_id([])), "customers_by_internal_id([])"
        )

    @_closes_stores
    def test_keys_that_cannot_exist_are_absent(self) -> None:
        """Keys no store can hold (numbers past 64 bits, signs, non-ASCII
        digits, 10,000 characters) are absent from every look-up: never an
        OverflowError, nor a database error."""
        store = self._new_store([_ACME])
        acme = _internal_id(store, "A1")
        keys = [key for key in _IMPOSSIBLE_KEYS if key != acme]

        by_internal_id = store.customers_by_internal_id([acme, *keys])
        by_id = store.customers_by_id(["A1", *keys])
        by_name_key = store.customers_by_name_key(["acme tools", *keys])

        _check([acme], sorted(by_internal_id), "customers_by_internal_id keys")
        _check(["A1"], sorted(by_id), "customers_by_id keys")
        _check(["acme tools"], sorted(by_name_key), "customers_by_name_key keys")

    @_closes_stores
    def test_a_file_with_internal_ids_that_cannot_exist(self) -> None:
        """reconcile of a file whose internal_id cells hold keys that cannot
        exist: a plan with an error on each of those rows, nothing else."""
        store = self._new_store([_ACME])
        rows = [
            [key, f"N{number}", f"Name {number}"]
            for number, key in enumerate(_IMPOSSIBLE_KEYS)
        ]

        plan = reconcile(_csv(["internal_id", "id", "name"], *rows), store)

        _check([], list(plan.actions), "the plan's actions")
        _check(
            list(range(2, len(rows) + 2)),
            sorted({problem.row or 0 for problem in plan.errors}),
            "the rows with an error",
        )

    # -- name keys -------------------------------------------------------------

    @_closes_stores
    def test_customers_by_name_key_groups_customers_under_their_key(self) -> None:
        """Customers whose names share a `name_key` come back together."""
        acmes = [
            Customer(name="Acme Inc", id="A1"),
            Customer(name="ACME, Ltd.", id="A2"),
            Customer(name="The Acme Company", id="A3"),
            Customer(name="  acme  "),
        ]
        cafe = Customer(name="Café Müller GmbH", id="C1")
        store = self._new_store([*acmes, cafe, _BETA])

        found = store.customers_by_name_key(["acme", "café müller", "zeta"])

        _check(["acme", "café müller"], sorted(found), "customers_by_name_key keys")
        _check(
            sorted(acmes, key=lambda c: c.name),
            sorted(map(_as_given, found["acme"]), key=lambda c: c.name),
            "customers_by_name_key: the customers under 'acme'",
        )
        _check(
            [cafe], list(map(_as_given, found["café müller"])), "under 'café müller'"
        )
        _check(
            True,
            all(c.internal_id for group in found.values() for c in group),
            "every customer found by name key has its internal id",
        )

    @_closes_stores
    def test_customers_by_name_key_takes_keys_not_names(self) -> None:
        """Keys are `name_key` forms: a name that is not its own key finds nothing."""
        store = self._new_store([Customer(name="Acme Inc", id="A1")])

        found = store.customers_by_name_key(["acme inc", "Acme Inc"])

        _check({}, dict(found), "customers_by_name_key(['acme inc', 'Acme Inc'])")
        _check({}, dict(store.customers_by_name_key([])), "customers_by_name_key([])")

    # -- counts and reference data ---------------------------------------------

    @_closes_stores
    def test_highest_generated_id(self) -> None:
        """The highest n of the ``HS-<n>`` ids, compared as numbers; others
        ignored, and so are numbers of more than 18 digits (leading zeros
        aside): see `handshake_import.adapters.generated_number`."""
        names = iter(f"Customer {n}" for n in range(100))
        ids = ["HS-7", "HS-12", "HS-3", "hs-99", "HS-50a", "XHS-70", "HS-", "A-1000"]
        ids += ["HS-" + "0" * 20 + "13", "HS-" + "9" * 19]
        store = self._new_store([Customer(name=next(names), id=i) for i in ids])
        others = self._new_store(
            [Customer(name=next(names), id=i) for i in ["hs-5", "HS 8", "HS-x", "9"]]
        )

        _check(13, store.highest_generated_id(), "highest_generated_id()")
        _check(0, others.highest_generated_id(), "highest_generated_id(), no HS-<n>")
        _check(0, self._new_store().highest_generated_id(), "empty store")

    @_closes_stores
    def test_customer_count(self) -> None:
        """customer_count counts every customer, with or without an id."""
        _check(0, self._new_store().customer_count(), "customer_count(), empty store")
        store = self._new_store([_ACME, _BETA, _NO_ID])
        _check(3, store.customer_count(), "customer_count()")

    @_closes_stores
    def test_groups_and_manufacturers(self) -> None:
        """customer_groups gives the groups in their order, with their name,
        currency and default; user_groups and manufacturers are what was
        given."""
        groups = [
            CustomerGroup(id="wholesale", name="Wholesale", currency="EUR"),
            CustomerGroup(id="retail", name="Retail", currency="USD", is_default=True),
            CustomerGroup(id="staff"),
        ]
        store = self._new_store(
            customer_groups=groups,
            user_groups=["Sales", "Buyers"],
            manufacturers=["Acme Tools", "Bolt & Co"],
        )

        _check(groups, list(store.customer_groups()), "customer_groups()")
        _check(["Buyers", "Sales"], sorted(store.user_groups()), "user_groups()")
        _check(
            ["Acme Tools", "Bolt & Co"],
            sorted(store.manufacturers()),
            "manufacturers()",
        )

    @_closes_stores
    def test_empty_reference_data(self) -> None:
        """A store without groups, manufacturers or options has none."""
        store = self._new_store([_ACME])

        _check([], list(store.customer_groups()), "customer_groups()")
        _check([], list(store.user_groups()), "user_groups()")
        _check([], list(store.manufacturers()), "manufacturers()")
        _check([], list(store.options()), "options()")

    @_closes_stores
    def test_options_in_order(self) -> None:
        """options gives each list's values in their order, not sorted, with
        the list's default."""
        options = {
            "paymentTerms": _options("paymentTerms", "Net 60", "*Net 30", "Cash"),
            "shippingMethod": _options("shippingMethod", "UPS", "DHL"),
            "ccType": _options("ccType", "Visa", "Amex", "*Mastercard"),
        }
        store = self._new_store(options=options)

        for key in OPTION_KEYS:
            _check(
                options[key],
                [option for option in store.options() if option.key == key],
                f"options() of {key!r}",
            )

    # -- applying plans: options and customer groups -----------------------------

    @_closes_stores
    def test_an_options_plan_is_applied_in_order(self) -> None:
        """An options file adds values at their place, moves the others after
        them, and moves the default; the same file again changes nothing."""
        store = self._new_store(
            options={"paymentTerms": _options("paymentTerms", "*Net 30", "Net 60")}
        )
        data = _csv(
            ["key", "value", "isDefault"],
            ["paymentTerms", "Net 60", "1"],
            ["paymentTerms", "Due on receipt", "0"],
            ["shippingMethod", "UPS", "1"],
        )

        self.apply(store, reconcile(data, store))

        _check(
            [
                *_options("paymentTerms", "*Net 60", "Due on receipt", "Net 30"),
                *_options("shippingMethod", "*UPS"),
            ],
            sorted(store.options(), key=lambda option: OPTION_KEYS.index(option.key)),
            "options() after the plan",
        )
        again = reconcile(data, store)
        _check(
            ["UnchangedOption"] * 3,
            [type(action).__name__ for action in again.actions],
            "the actions of the same file again",
        )

    @_closes_stores
    def test_a_customer_groups_plan_is_applied(self) -> None:
        """A customer groups file creates and renames groups, in its order,
        and the default moves to the file's; the same file again changes
        nothing."""
        store = self._new_store(
            customer_groups=[
                CustomerGroup(id="retail", name="Retail", is_default=True),
                CustomerGroup(id="staff", name="Staff"),
            ]
        )
        data = _csv(
            ["id", "isDefault", "name", "currency"],
            ["wholesale", "1", "Wholesale", "eur"],
            ["retail", "0", "Retail shops", "USD"],
        )

        self.apply(store, reconcile(data, store))

        _check(
            [
                CustomerGroup(
                    id="wholesale", name="Wholesale", currency="EUR", is_default=True
                ),
                CustomerGroup(id="retail", name="Retail shops", currency="USD"),
                CustomerGroup(id="staff", name="Staff"),
            ],
            list(store.customer_groups()),
            "customer_groups() after the plan",
        )
        again = reconcile(data, store)
        _check(
            ["UnchangedCustomerGroup"] * 2,
            [type(action).__name__ for action in again.actions],
            "the actions of the same file again",
        )

    @_closes_stores
    def test_a_stale_list_plan_changes_nothing(self) -> None:
        """An options plan whose list changed since: StalePlanError, and the
        lists stay as they are."""
        store = self._new_store(
            options={"paymentTerms": _options("paymentTerms", "*Net 30", "Net 60")}
        )
        stale = reconcile(
            _csv(
                ["key", "value", "isDefault"],
                ["paymentTerms", "Net 60", "1"],
                ["paymentTerms", "Net 30", "0"],
            ),
            store,
        )
        self.apply(
            store,
            reconcile(
                _csv(
                    ["key", "value", "isDefault"],
                    ["paymentTerms", "Net 30", "1"],
                    ["paymentTerms", "Cash", "0"],
                    ["paymentTerms", "Net 60", "0"],
                ),
                store,
            ),
        )
        before = list(store.options())

        _expect_error(
            StalePlanError, lambda: self.apply(store, stale), "apply(stale plan)"
        )

        _check(before, list(store.options()), "options() after a stale plan")

    # -- applying plans: additional ship-to addresses ---------------------------

    @_closes_stores
    def test_a_ship_to_plan_is_applied(self) -> None:
        """A ship-to file adds addresses to customers, by id and by name,
        and updates one by its ship_id; ship_to_addresses gives each
        customer's in order, by internal id, in one call for several; the
        same file again changes nothing."""
        store = self._new_store([_ACME, _BETA, _NO_ID])
        acme, beta = _internal_id(store, "A1"), _internal_id(store, "B1")
        first = _csv(
            ["cust_id", "cust_name", "ship_id", "ship_name", "ship_city"],
            ["A1", "", "DOCK", "Dock 4", "Hull"],
            ["", "beta ltd", "", "Beta Depot", "Leeds"],
        )
        self.apply(store, reconcile(first, store))
        second = _csv(
            ["cust_id", "ship_id", "ship_name", "ship_city", "ship_postcode"],
            ["A1", "DOCK", "Dock 4", "Grimsby", "DN31"],
            ["A1", "YARD", "Yard", "York", ""],
        )

        self.apply(store, reconcile(second, store))

        _check(
            {
                acme: (
                    Address(id="DOCK", name="Dock 4", city="Grimsby", postcode="DN31"),
                    Address(id="YARD", name="Yard", city="York"),
                ),
                beta: (Address(name="Beta Depot", city="Leeds"),),
            },
            {
                internal_id: tuple(addresses)
                for internal_id, addresses in store.ship_to_addresses(
                    [acme, beta, "no-such-customer"]
                ).items()
                if addresses
            },
            "ship_to_addresses() after the plans",
        )
        _check(
            ["UnchangedShipTo"] * 2,
            [type(action).__name__ for action in reconcile(second, store).actions],
            "the actions of the same file again",
        )

    @_closes_stores
    def test_a_stale_ship_to_plan_changes_nothing(self) -> None:
        """A ship-to plan whose address changed since: StalePlanError, and
        the addresses stay as they are."""
        store = self._new_store([_ACME])
        acme = _internal_id(store, "A1")
        header = ["cust_id", "ship_id", "ship_city"]
        self.apply(store, reconcile(_csv(header, ["A1", "DOCK", "Hull"]), store))
        stale = reconcile(_csv(header, ["A1", "DOCK", "York"]), store)
        self.apply(store, reconcile(_csv(header, ["A1", "DOCK", "Leeds"]), store))
        before = store.ship_to_addresses([acme])

        _expect_error(
            StalePlanError, lambda: self.apply(store, stale), "apply(stale plan)"
        )

        _check(
            before,
            store.ship_to_addresses([acme]),
            "ship_to_addresses() after a stale plan",
        )

    @_closes_stores
    def test_a_plan_of_several_templates_is_all_or_nothing(self) -> None:
        """A plan with customer groups, options, customers and ship-to
        addresses (as a workbook's) whose last part is stale: StalePlanError,
        and none of it is written."""
        store = self._new_store([_ACME])
        acme = _internal_id(store, "A1")
        ship_to = ["cust_id", "ship_id", "ship_city"]
        self.apply(store, reconcile(_csv(ship_to, ["A1", "DOCK", "Hull"]), store))
        parts = [
            reconcile(_csv(["id", "isDefault"], ["trade", "1"]), store),
            reconcile(
                _csv(["key", "value", "isDefault"], ["ccType", "Visa", "1"]), store
            ),
            reconcile(_csv(["id", "name"], ["N1", "New One"]), store),
            reconcile(_csv(ship_to, ["A1", "DOCK", "York"]), store),
        ]
        plan = Plan(
            actions=tuple(action for part in parts for action in part.actions),
            templates=("customer-groups", "options", "customers", "ship-to"),
        )
        self.apply(store, reconcile(_csv(ship_to, ["A1", "DOCK", "Leeds"]), store))
        addresses = store.ship_to_addresses([acme])

        _expect_error(StalePlanError, lambda: self.apply(store, plan), "apply(plan)")

        _check([], list(store.customer_groups()), "customer_groups()")
        _check([], list(store.options()), "options()")
        _check({}, dict(store.customers_by_id(["N1"])), "customers_by_id(['N1'])")
        _check(addresses, store.ship_to_addresses([acme]), "ship_to_addresses()")

    # -- applying plans: creating ----------------------------------------------

    @_closes_stores
    def test_created_customers_get_internal_ids_and_can_be_found(self) -> None:
        """Created customers are stored as planned, with new internal ids."""
        store = self._new_store([_ACME])
        acme = _internal_id(store, "A1")
        plan = reconcile(
            _csv(
                ["id", "name", "contact"],
                ["N1", "New One", "Carol"],
                ["", "New Two", ""],
            ),
            store,
        )
        _check(2, len(plan.creates), "creates planned")

        self.apply(store, plan)

        _check(3, store.customer_count(), "customer_count() after creating 2")
        one, two = _stored(store, "N1"), _stored(store, "HS-1")
        _check(plan.creates[0].customer, _as_given(one), "created customer N1")
        _check(plan.creates[1].customer, _as_given(two), "created customer HS-1")
        one_id, two_id = _internal_id(store, "N1"), _internal_id(store, "HS-1")
        internal_ids = [acme, one_id, two_id]
        _check(3, len(set(internal_ids)), f"distinct internal ids {internal_ids!r}")
        _check(
            {one_id: one, two_id: two},
            dict(store.customers_by_internal_id([one_id, two_id])),
            "customers_by_internal_id() of the created customers",
        )
        _check(
            {"new one": [one], "new two": [two]},
            {
                k: list(v)
                for k, v in store.customers_by_name_key(["new one", "new two"]).items()
            },
            "customers_by_name_key() of the created customers",
        )
        _check(1, store.highest_generated_id(), "highest_generated_id() after HS-1")

    @_closes_stores
    def test_generated_ids_continue_after_the_highest(self) -> None:
        """A blank id becomes the HS-<n> after the store's highest."""
        store = self._new_store([Customer(name="Old", id="HS-41")])
        plan = reconcile(_csv(["name"], ["Newer"]), store)

        self.apply(store, plan)

        _check("Newer", _stored(store, "HS-42").name, "the customer created as HS-42")
        _check(42, store.highest_generated_id(), "highest_generated_id()")

    # -- applying plans: updating ----------------------------------------------

    @_closes_stores
    def test_updates_change_exactly_the_planned_fields(self) -> None:
        """An update changes the file's columns and leaves every other field alone."""
        store = self._full_store(_ACME, _BETA)
        full = _internal_id(store, "CM-0042")
        plan = reconcile(
            _csv(
                ["id", "name", "contact", "email", "bill_city", "id:Acme Tools"],
                [
                    "CM-0042",
                    "Café Müller GmbH",
                    "Jana",
                    "jana@cafe.example",
                    "Düren",
                    "AT-78",
                ],
            ),
            store,
        )
        _check((), plan.problems, "the plan's problems")
        _check(1, len(plan.updates), "updates planned")

        self.apply(store, plan)

        assert _FULL.bill_to is not None
        expected = attrs.evolve(
            _FULL,
            internal_id=full,
            contact="Jana",
            emails=("jana@cafe.example",),
            bill_to=attrs.evolve(_FULL.bill_to, city="Düren"),
            manufacturer_ids={"Acme Tools": "AT-78", "Bolt & Co": "0099"},
        )
        _check(expected, _stored(store, "CM-0042"), "the updated customer")
        _check(_ACME, _as_given(_stored(store, "A1")), "a customer not in the file")
        _check(_BETA, _as_given(_stored(store, "B1")), "a customer not in the file")
        _check(3, store.customer_count(), "customer_count() after an update")

    @_closes_stores
    def test_update_keeps_changes_made_since_to_other_fields(self) -> None:
        """An update writes its own fields only, not a copy of the whole customer."""
        store = self._new_store([_ACME])
        contact = reconcile(
            _csv(["id", "name", "contact"], ["A1", "Acme Tools", "Carol"]), store
        )
        tax = reconcile(
            _csv(["id", "name", "taxID"], ["A1", "Acme Tools", "T-2"]), store
        )

        self.apply(store, tax)
        self.apply(store, contact)

        expected = attrs.evolve(_ACME, contact="Carol", tax_id="T-2")
        _check(expected, _as_given(_stored(store, "A1")), "customer after both plans")

    @_closes_stores
    def test_a_blank_cell_clears_the_field(self) -> None:
        """A blank cell in a present column clears the field; an empty address goes."""
        customer = attrs.evolve(_ACME, bill_to=Address(city="Springfield"))
        store = self._new_store([customer])
        plan = reconcile(
            _csv(
                ["id", "name", "contact", "email", "bill_city"],
                ["A1", "Acme Tools", "", "", ""],
            ),
            store,
        )

        self.apply(store, plan)

        expected = attrs.evolve(customer, contact=None, emails=(), bill_to=None)
        _check(expected, _as_given(_stored(store, "A1")), "the customer after clearing")

    @_closes_stores
    def test_changing_an_id_through_the_internal_id(self) -> None:
        """A row matched by internal id can change the id: the old one is gone."""
        store = self._new_store([_ACME, _BETA])
        acme = _internal_id(store, "A1")
        plan = reconcile(
            _csv(["internal_id", "id", "name"], [acme, "A9", "Acme Tools"]), store
        )

        self.apply(store, plan)

        found = store.customers_by_id(["A1", "A9"])
        _check(
            ["A9"], sorted(found), "customers_by_id(['A1', 'A9']) keys after the change"
        )
        _check(acme, found["A9"].internal_id, "the internal id after the id changed")
        _check(
            attrs.evolve(_ACME, id="A9"), _as_given(found["A9"]), "the renamed customer"
        )

    @_closes_stores
    def test_user_groups_are_created_once(self) -> None:
        """A new user group used by several rows (any case) is created once."""
        store = self._new_store(user_groups=["Sales"])
        plan = reconcile(
            _csv(
                ["id", "name", "userGroup"],
                ["N1", "One", "Buyers"],
                ["N2", "Two", "BUYERS"],
                ["N3", "Three", "sales"],
            ),
            store,
        )

        self.apply(store, plan)

        _check(["Buyers", "Sales"], sorted(store.user_groups()), "user_groups()")
        groups = [_stored(store, i).user_group for i in ("N1", "N2", "N3")]
        _check(["Buyers", "Buyers", "Sales"], groups, "the customers' user groups")

    @_closes_stores
    def test_a_user_group_created_since_is_not_created_again(self) -> None:
        """Two plans creating one user group: the group exists once afterwards
        (the later plan may instead be refused as stale, changing nothing)."""
        store = self._new_store()
        later = reconcile(
            _csv(["id", "name", "userGroup"], ["N1", "One", "Buyers"]), store
        )
        self.apply(
            store,
            reconcile(
                _csv(["id", "name", "userGroup"], ["N2", "Two", "buyers"]), store
            ),
        )

        try:
            self.apply(store, later)
        except StalePlanError:
            _check(1, store.customer_count(), "customer_count() after a stale plan")
        else:
            _check(2, store.customer_count(), "customer_count()")

        groups = [group.casefold() for group in store.user_groups()]
        _check(["buyers"], groups, "user_groups(), case-folded")

    # -- applying plans: refusing --------------------------------------------

    def _plan_with_an_error(self, store: CustomerStore) -> Plan:
        plan = reconcile(
            _csv(
                ["id", "name", "customerGroup", "contact", "userGroup"],
                ["N1", "One", "retail", "", ""],
                ["N2", "Two", "no-such-group", "", "Buyers"],
                ["A1", "Acme Tools", "", "Carol", ""],
            ),
            store,
        )
        _check(False, plan.ok, "the plan has an error")
        return plan

    @_closes_stores
    def test_a_plan_with_errors_is_refused(self) -> None:
        """Applying a plan with errors raises PlanHasErrorsError and writes nothing."""
        store = self._new_store([_ACME], customer_groups=[CustomerGroup(id="retail")])
        plan = self._plan_with_an_error(store)
        before = _snapshot(store, ["A1", "N1", "N2"], ["One", "Two", "Acme Tools"])

        _expect_error(PlanHasErrorsError, lambda: self.apply(store, plan), "apply()")

        after = _snapshot(store, ["A1", "N1", "N2"], ["One", "Two", "Acme Tools"])
        _check(before, after, "the store after a refused plan")

    @_closes_stores
    def test_partial_applies_only_the_rows_without_errors(self) -> None:
        """partial=True writes the valid rows and skips the rows with errors."""
        store = self._new_store([_ACME], customer_groups=[CustomerGroup(id="retail")])
        plan = self._plan_with_an_error(store)

        self.apply(store, plan, partial=True)

        found = store.customers_by_id(["A1", "N1", "N2"])
        _check(["A1", "N1"], sorted(found), "customers_by_id(['A1', 'N1', 'N2']) keys")
        _check("retail", found["N1"].customer_group, "N1's customer group")
        _check("Carol", found["A1"].contact, "A1's contact")
        _check(2, store.customer_count(), "customer_count()")
        _check(
            [], list(store.user_groups()), "user_groups() (only the bad row used one)"
        )

    @_closes_stores
    def test_a_stale_update_raises_and_changes_nothing(self) -> None:
        """An update whose old values changed since: StalePlanError, and not one
        of the plan's other actions (creates before it included) is written."""
        store = self._new_store([_ACME, _BETA])
        stale = reconcile(
            _csv(
                ["id", "name", "contact", "userGroup"],
                ["N1", "One", "", "Buyers"],
                ["N2", "Two", "", ""],
                ["B1", "Beta Ltd", "Bea", ""],
                ["A1", "Acme Tools", "Carol", ""],
                ["N3", "Three", "", ""],
                ["", "Four", "", ""],
            ),
            store,
        )
        self.apply(
            store,
            reconcile(
                _csv(["id", "name", "contact"], ["A1", "Acme Tools", "Dave"]), store
            ),
        )
        ids = ["A1", "B1", "N1", "N2", "N3", "HS-1"]
        names = ["Acme Tools", "Beta Ltd", "One", "Two", "Three", "Four"]
        before = _snapshot(store, ids, names)

        _expect_error(
            StalePlanError, lambda: self.apply(store, stale), "apply(stale plan)"
        )

        _check(2, store.customer_count(), "customer_count() after a stale plan")
        _check(
            ["A1", "B1"], sorted(store.customers_by_id(ids)), "customers_by_id() keys"
        )
        _check("Dave", _stored(store, "A1").contact, "A1's contact")
        _check("Ann", _stored(store, "B1").contact, "B1's contact (updated before A1)")
        _check([], list(store.user_groups()), "user_groups()")
        _check(before, _snapshot(store, ids, names), "the store after a stale plan")

    @_closes_stores
    def test_a_create_whose_id_was_taken_since_is_stale(self) -> None:
        """Creating a customer whose id another import created since: StalePlanError."""
        store = self._new_store([_ACME])
        stale = reconcile(_csv(["id", "name"], ["N1", "One"], ["N2", "Two"]), store)
        self.apply(store, reconcile(_csv(["id", "name"], ["N2", "Other Two"]), store))
        before = _snapshot(store, ["A1", "N1", "N2"], ["One", "Two", "Other Two"])

        _expect_error(
            StalePlanError, lambda: self.apply(store, stale), "apply(stale plan)"
        )

        _check(2, store.customer_count(), "customer_count() after a stale plan")
        _check("Other Two", _stored(store, "N2").name, "the customer with id N2")
        _check(
            before,
            _snapshot(store, ["A1", "N1", "N2"], ["One", "Two", "Other Two"]),
            "store",
        )

    @_closes_stores
    def test_a_create_by_name_is_stale_once_the_name_is_taken(self) -> None:
        """A row without an id creates a customer because none has its name;
        when another import creates one with that name first, the plan is
        stale (two 'Beta Ltd' would make the next upload ambiguous)."""
        store = self._new_store([_ACME])
        by_name = reconcile(_csv(["id", "name"], ["", "Beta Ltd"]), store)
        self.apply(store, reconcile(_csv(["id", "name"], ["C100", "BETA  LTD"]), store))
        before = _snapshot(store, ["A1", "C100", "HS-1"], ["Acme Tools", "Beta Ltd"])

        _expect_error(
            StalePlanError, lambda: self.apply(store, by_name), "apply(stale plan)"
        )

        _check(
            before,
            _snapshot(store, ["A1", "C100", "HS-1"], ["Acme Tools", "Beta Ltd"]),
            "the store after a stale plan",
        )

    @_closes_stores
    def test_a_create_by_name_of_a_customer_the_plan_renames_applies(self) -> None:
        """A plan that renames a customer and creates one, without an id,
        with its old name (matched by name, the old name answers no more)
        applies, whichever comes first in the file."""
        store = self._new_store([_ACME, _BETA])
        plan = reconcile(
            _csv(["id", "name"], ["", "Beta Ltd"], ["B1", "Beta Group"]), store
        )
        _check(
            ["CreateCustomer", "UpdateCustomer"],
            [type(action).__name__ for action in plan.actions],
            "the plan's actions",
        )

        self.apply(store, plan)

        _check("Beta Group", _stored(store, "B1").name, "the renamed customer")
        _check("Beta Ltd", _stored(store, "HS-1").name, "the new customer")

    @_closes_stores
    def test_a_generated_id_taken_since_is_stale(self) -> None:
        """Two imports generating the same HS-<n>: the later one is stale."""
        store = self._new_store()
        stale = reconcile(_csv(["name"], ["One"]), store)
        self.apply(store, reconcile(_csv(["name"], ["Two"]), store))

        _expect_error(
            StalePlanError, lambda: self.apply(store, stale), "apply(stale plan)"
        )

        _check(1, store.customer_count(), "customer_count() after a stale plan")
        _check("Two", _stored(store, "HS-1").name, "the customer with id HS-1")

    @_closes_stores
    def test_applying_a_plan_twice_is_refused(self) -> None:
        """A plan applied a second time is stale: its changes are already there."""
        store = self._new_store([_ACME])
        plan = reconcile(
            _csv(
                ["id", "name", "contact"],
                ["A1", "Acme Tools", "Carol"],
                ["N1", "One", "Ed"],
            ),
            store,
        )
        self.apply(store, plan)
        before = _snapshot(store, ["A1", "N1"], ["Acme Tools", "One"])

        _expect_error(StalePlanError, lambda: self.apply(store, plan), "second apply()")

        _check(before, _snapshot(store, ["A1", "N1"], ["Acme Tools", "One"]), "store")

    # -- applying plans: round trip --------------------------------------------

    @_closes_stores
    def test_reconciling_the_applied_file_again_changes_nothing(self) -> None:
        """After applying a file, reconciling it again plans only Unchanged rows."""
        store = self._new_store(
            [_ACME],
            customer_groups=[CustomerGroup(id="retail")],
            user_groups=["Sales"],
            manufacturers=["Acme Tools"],
            options={
                "paymentTerms": _options("paymentTerms", "Net 30", "Net 60"),
                "shippingMethod": _options("shippingMethod", "DHL"),
            },
        )
        data = _csv_records(
            {
                "id": "A1",
                "name": "Acme Tools",
                "contact": "Carol",
                "email": "c@acme.example",
                "bill_city": "Paris",
                "paymentTerms": "net 60",
                "customerGroup": "retail",
                "userGroup": "sales",
                "id:acme tools": "AT-1",
            },
            {
                "id": "N1",
                "name": "New One",
                "email": "a@one.example; b@one.example",
                "bill_street": "1 Main St",
                "bill_city": "Lyon",
                "ship_city": "Nice",
                "paymentTerms": "Net 45",
                "shippingMethod": "dhl",
                "taxID": "FR1",
                "userGroup": "buyers",
            },
            {"name": "Gamma GmbH", "contact": "Gil", "userGroup": "Buyers"},
            {"name": "Zeta", "id:acme tools": "Z-7"},
        )
        plan = reconcile(data, store)
        _check(True, plan.ok, f"the first plan has no errors: {plan.problems!r}")

        self.apply(store, plan)
        again = reconcile(data, store)

        _check(True, again.ok, f"the second plan has no errors: {again.problems!r}")
        _check(
            [],
            [action for action in again.actions if not isinstance(action, Unchanged)],
            "the second plan's actions other than Unchanged",
        )
        _check(4, len(again.unchanged), "the second plan's Unchanged rows")

    # -- applying plans: two at once ---------------------------------------------

    @_closes_stores
    def test_two_handles_applying_at_once(self) -> None:
        """Two stores opened on the same database (`open_second_handle`)
        apply two plans made from the same state at the same time: exactly
        one applies, the other raises StalePlanError, and nothing is lost or
        overwritten. An apply that checks the old values before it holds the
        write lock lets both through (the later overwrites the earlier) or
        fails with a database error."""
        customers = [
            Customer(name=f"Racer {n:03}", id=f"R{n:03}", contact="start")
            for n in range(_RACING)
        ]
        store = self._new_store(customers)
        # Until the two applies have overlapped in time twice (they
        # usually do every time).
        overlapped = 0
        for attempt in range(6):
            overlapped += self._race(store, customers, attempt)
            if overlapped == 2:
                break

    def _race(
        self, store: CustomerStore, customers: Sequence[Customer], attempt: int
    ) -> bool:
        """One race of two plans (see `test_two_handles_applying_at_once`);
        whether the two applies overlapped in time."""
        header = ["id", "name", "contact"]
        plans = [
            reconcile(
                _csv(
                    header,
                    *([c.id or "", c.name, f"{side}{attempt}"] for c in customers),
                    [f"{side}-NEW-{attempt}", f"New {side}{attempt}", side],
                ),
                store,
            )
            for side in ("first", "second")
        ]
        count = store.customer_count()
        results = self._apply_at_once(store, plans)

        outcomes = {side: results[side][0] for side in ("first", "second")}
        for side, error in outcomes.items():
            if error is not None and not isinstance(error, StalePlanError):
                raise AssertionError(
                    f"two plans applied at once: the {side} apply() raised "
                    f"{type(error).__name__}: {error}; expected it to apply, or "
                    "to raise StalePlanError"
                ) from error
        applied = [side for side, error in outcomes.items() if error is None]
        _check(
            1,
            len(applied),
            "how many of two plans made from the same state applied "
            f"(the others raised StalePlanError) in {outcomes!r}",
        )
        (winner,) = applied
        loser = "second" if winner == "first" else "first"
        ids = [c.id or "" for c in customers]
        found = store.customers_by_id(
            [*ids, f"{winner}-NEW-{attempt}", f"{loser}-NEW-{attempt}"]
        )
        _check(
            [f"{winner}{attempt}"] * len(ids),
            [found[i].contact if i in found else None for i in ids],
            f"the contacts after the {winner} plan applied and the {loser} was refused",
        )
        _check(
            [f"{winner}-NEW-{attempt}"],
            sorted(i for i in found if "-NEW-" in i),
            "the customers created by the plan that applied",
        )
        _check(count + 1, store.customer_count(), "customer_count() after the race")
        (_, first_start, first_end), (_, second_start, second_end) = (
            results["first"],
            results["second"],
        )
        return first_start < second_end and second_start < first_end

    def _apply_at_once(
        self, store: CustomerStore, plans: Sequence[Plan]
    ) -> dict[str, tuple[Exception | None, float, float]]:
        """Apply ``plans[0]`` through *store* and ``plans[1]`` through a
        second handle, in two threads, at the same time: for ``"first"`` and
        ``"second"``, what apply raised (``None``: nothing), when it started
        and when it ended."""
        start = threading.Barrier(2, timeout=60)
        results: dict[str, tuple[Exception | None, float, float]] = {}
        opening: list[BaseException] = []

        def run(side: str, handle: CustomerStore, plan: Plan) -> None:
            start.wait()
            began = time.perf_counter()
            try:
                self.apply(handle, plan)
            except Exception as error:  # reported by the caller, whatever it is
                results[side] = (error, began, time.perf_counter())
            else:
                results[side] = (None, began, time.perf_counter())

        def second() -> None:
            try:
                handle = self.open_second_handle(store)
            except BaseException as error:
                opening.append(error)
                start.abort()
                return
            try:
                try:
                    # Used once before the race, so that both handles have
                    # their connection open when it starts.
                    handle.customer_count()
                except BaseException as error:
                    opening.append(error)
                    start.abort()
                    return
                run("second", handle, plans[1])
            finally:
                self.close_second_handle(handle)

        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        with contextlib.suppress(threading.BrokenBarrierError):
            run("first", store, plans[0])
        thread.join(120)
        if thread.is_alive():
            raise AssertionError("apply() through the second handle did not finish")
        if opening:
            raise opening[0]
        if len(results) < 2:
            raise AssertionError("a thread of the race did not get to apply()")
        return results
