"""InMemoryStore: the conformance kit, and what is particular to the reference store."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import pytest

from handshake_import import (
    ApplyResult,
    Customer,
    CustomerGroup,
    CustomerStore,
    InMemoryStore,
    Option,
    Plan,
    StalePlanError,
    reconcile,
)
from handshake_import.testing import StoreConformance

from .tables import csv_bytes


class TestInMemoryStore(StoreConformance):
    """The reference store keeps the store contract."""

    def make_store(
        self,
        customers: Iterable[Customer] = (),
        *,
        customer_groups: Iterable[str | CustomerGroup] = (),
        user_groups: Iterable[str] = (),
        manufacturers: Iterable[str] = (),
        options: Mapping[str, Sequence[str | Option]] | None = None,
    ) -> CustomerStore:
        return InMemoryStore(
            customers,
            customer_groups=customer_groups,
            user_groups=user_groups,
            manufacturers=manufacturers,
            options=options,
        )

    def open_second_handle(self, store: CustomerStore) -> CustomerStore:
        # Held in memory: the second handle is the store itself.
        return store

    def close_second_handle(self, handle: CustomerStore) -> None:
        pass


ACME = Customer(name="Acme Tools", id="A1", contact="Bob")
BETA = Customer(name="Beta Ltd", id="B1", contact="Ann")


class UnlockedStore(InMemoryStore):
    """InMemoryStore whose apply takes no lock, and takes its time between
    making its draft and committing it, as a round trip to a database would."""

    def apply(self, plan: Plan, *, partial: bool = False) -> ApplyResult:
        return self._apply(plan)

    def _check_names_free(self, *args: Any) -> None:
        time.sleep(0.02)
        super()._check_names_free(*args)


class UnlockedKit(TestInMemoryStore):
    __test__ = False

    def make_store(
        self, customers: Iterable[Customer] = (), **data: Any
    ) -> CustomerStore:
        return UnlockedStore(customers, **data)


def test_the_kit_fails_an_apply_that_lets_two_plans_through() -> None:
    """Two plans made from the same state, applied at once by a store that
    does not apply one at a time: both apply, the later overwriting the
    earlier, and the kit says so."""
    with pytest.raises(AssertionError, match="how many of two plans"):
        UnlockedKit().test_two_handles_applying_at_once()


def test_plans_applied_from_several_threads_apply_one_at_a_time() -> None:
    """InMemoryStore.apply holds a lock: of two plans made from the same
    state and applied from two threads, one applies, the other is stale."""

    class SlowStore(InMemoryStore):
        def _check_names_free(self, *args: Any) -> None:
            time.sleep(0.02)
            super()._check_names_free(*args)

    store = SlowStore([ACME])
    plans = [
        reconcile(
            csv_bytes([["id", "name", "contact"], ["A1", "Acme Tools", who]]), store
        )
        for who in ("Carol", "Dave")
    ]
    outcomes: list[str] = []

    def apply(plan: Plan) -> None:
        try:
            store.apply(plan)
        except StalePlanError:
            outcomes.append("stale")
        else:
            outcomes.append("applied")

    threads = [threading.Thread(target=apply, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert ["applied", "stale"] == sorted(outcomes)


def internal_ids(store: InMemoryStore) -> list[str | None]:
    return [customer.internal_id for customer in store.customers]


# -- construction ----------------------------------------------------------------


def test_internal_ids_are_assigned_in_order() -> None:
    """Customers given without internal ids get "1", "2", ... in the given order."""
    store = InMemoryStore([ACME, BETA, Customer(name="Gamma")])

    assert ["1", "2", "3"] == internal_ids(store)
    assert ["Acme Tools", "Beta Ltd", "Gamma"] == [c.name for c in store.customers]


def test_explicit_internal_ids_are_kept_and_skipped() -> None:
    """A given internal id is kept; the assigned ones go around it."""
    store = InMemoryStore(
        [
            ACME,
            Customer(name="Beta Ltd", id="B1", internal_id="2"),
            Customer(name="Crm", id="C1", internal_id="crm-7"),
            Customer(name="Gamma"),
        ]
    )

    assert ["1", "2", "crm-7", "3"] == internal_ids(store)
    assert "Crm" == store.customers_by_internal_id(["crm-7"])["crm-7"].name


def test_customers_keep_the_given_order_with_explicit_internal_ids() -> None:
    """`customers` is in the order given, also when some bring internal ids."""
    store = InMemoryStore([ACME, Customer(name="Beta Ltd", id="B1", internal_id="9")])

    assert ["A1", "B1"] == [customer.id for customer in store.customers]


def test_internal_ids_are_never_reused() -> None:
    """Assigned internal ids count on from the last one assigned, skipping ids in use."""
    store = InMemoryStore([ACME, Customer(name="Beta Ltd", id="B1", internal_id="3")])
    store.apply(
        reconcile(csv_bytes([["id", "name"], ["N1", "One"], ["N2", "Two"]]), store)
    )
    store.apply(reconcile(csv_bytes([["id", "name"], ["N3", "Three"]]), store))

    assert ["1", "3", "2", "4", "5"] == internal_ids(store)


def test_a_failed_apply_uses_no_internal_ids() -> None:
    """A refused plan leaves the next internal id where it was."""
    store = InMemoryStore([ACME])
    stale = reconcile(csv_bytes([["id", "name"], ["N1", "One"], ["N2", "Two"]]), store)
    store.apply(reconcile(csv_bytes([["id", "name"], ["N2", "Other"]]), store))

    with pytest.raises(StalePlanError):
        store.apply(stale)
    store.apply(reconcile(csv_bytes([["id", "name"], ["N3", "Three"]]), store))

    assert ["1", "2", "3"] == internal_ids(store)


def test_duplicate_internal_ids_are_rejected() -> None:
    """Two customers given the same internal id: ValueError."""
    with pytest.raises(ValueError, match="two customers with internal id '7'"):
        InMemoryStore(
            [
                Customer(name="One", internal_id="7"),
                Customer(name="Two", internal_id="7"),
            ]
        )


def test_unknown_option_key_is_rejected() -> None:
    """An option list that is not one of OPTION_KEYS: ValueError."""
    with pytest.raises(ValueError, match=r"unknown option keys \['terms'\]"):
        InMemoryStore(options={"paymentTerms": ["Net 30"], "terms": ["Net 30"]})


# -- apply -----------------------------------------------------------------------


def test_apply_result() -> None:
    """ApplyResult lists the created rows and internal ids, the updated
    customers, the user groups created and the customers left unchanged."""
    store = InMemoryStore([ACME, BETA])
    plan = reconcile(
        csv_bytes(
            [
                ["id", "name", "contact", "userGroup"],
                ["A1", "Acme Tools", "Carol", ""],
                ["B1", "Beta Ltd", "Ann", ""],
                ["N1", "One", "", "Buyers"],
                ["", "Gamma", "", "buyers"],
            ]
        ),
        store,
    )

    result = store.apply(plan)

    assert (
        ApplyResult(
            created=((4, "3"), (5, "4")),
            updated=("1",),
            user_groups=("Buyers",),
            unchanged=("2",),
        )
        == result
    )


def test_apply_result_of_a_partial_apply() -> None:
    """With partial=True the result lists only what the valid rows did."""
    store = InMemoryStore([ACME], customer_groups=["retail"])
    plan = reconcile(
        csv_bytes(
            [
                ["id", "name", "customerGroup"],
                ["N1", "One", "retail"],
                ["N2", "Two", "wholesale"],
                ["A1", "Acme Tools", "retail"],
            ]
        ),
        store,
    )

    result = store.apply(plan, partial=True)

    assert ApplyResult(created=((2, "2"),), updated=("1",)) == result
    assert 2 == store.customer_count()


def test_an_empty_plan_changes_nothing() -> None:
    """Applying a plan of unchanged rows gives an empty result."""
    store = InMemoryStore([ACME])
    plan = reconcile(csv_bytes([["id", "name"], ["A1", "Acme Tools"]]), store)

    assert ApplyResult(unchanged=("1",)) == store.apply(plan)
    assert (attrs.evolve(ACME, internal_id="1"),) == store.customers


def test_an_id_change_moves_the_id_in_the_index() -> None:
    """An id changed through internal_id matching: the old id is gone and free."""
    store = InMemoryStore([ACME, BETA])
    store.apply(
        reconcile(
            csv_bytes([["internal_id", "id", "name"], ["1", "A9", "Acme Tools"]]), store
        )
    )

    assert ["A9"] == sorted(store.customers_by_id(["A1", "A9"]))
    assert "1" == store.customers_by_id(["A9"])["A9"].internal_id

    store.apply(reconcile(csv_bytes([["id", "name"], ["A1", "Another"]]), store))

    assert {"A1": "3", "A9": "1"} == {
        i: c.internal_id for i, c in store.customers_by_id(["A1", "A9"]).items()
    }


def test_an_id_taken_since_the_plan_is_stale() -> None:
    """An id change to an id another customer got since: StalePlanError, with its row."""
    store = InMemoryStore([ACME])
    rename = reconcile(
        csv_bytes([["internal_id", "id", "name"], ["1", "A9", "Acme Tools"]]), store
    )
    store.apply(reconcile(csv_bytes([["id", "name"], ["A9", "Other"]]), store))

    with pytest.raises(StalePlanError, match="id 'A9' was taken") as caught:
        store.apply(rename)

    assert 2 == caught.value.row
    assert ["A1", "A9"] == sorted(store.customers_by_id(["A1", "A9"]))


def test_an_update_of_a_customer_the_store_lacks_is_stale() -> None:
    """A plan made against another store updates a customer this one lacks."""
    other = InMemoryStore([BETA, ACME])
    plan = reconcile(
        csv_bytes([["id", "name", "contact"], ["A1", "Acme Tools", "Carol"]]), other
    )
    store = InMemoryStore([ACME])

    with pytest.raises(StalePlanError, match="deleted since") as caught:
        store.apply(plan)

    assert 2 == caught.value.row
    assert "Bob" == store.customers[0].contact


def test_a_stale_update_names_its_row_and_field() -> None:
    """StalePlanError says which row and which field changed."""
    store = InMemoryStore([ACME])
    stale = reconcile(
        csv_bytes(
            [
                ["id", "name", "contact"],
                ["N1", "One", ""],
                ["A1", "Acme Tools", "Carol"],
            ]
        ),
        store,
    )
    store.apply(
        reconcile(
            csv_bytes([["id", "name", "contact"], ["A1", "Acme Tools", "Dave"]]), store
        )
    )

    with pytest.raises(StalePlanError, match="contact is now 'Dave'") as caught:
        store.apply(stale)

    assert 3 == caught.value.row


# -- the kit itself --------------------------------------------------------------


def test_the_kit_needs_make_store() -> None:
    """A conformance class that does not implement make_store says so."""
    with pytest.raises(NotImplementedError, match="must implement make_store"):
        StoreConformance().make_store()


def test_the_kit_needs_a_way_to_apply() -> None:
    """A store without apply() asks for StoreConformance.apply to be overridden."""
    plan = reconcile(csv_bytes([["name"], ["One"]]), InMemoryStore())

    with pytest.raises(TypeError, match=r"override StoreConformance\.apply"):
        StoreConformance().apply(object(), plan)  # type: ignore[arg-type]


class ClosableStore(InMemoryStore):
    """An InMemoryStore with a close() that says it was called, or fails."""

    def __init__(
        self, customers: Iterable[Customer] = (), *, fails: bool = False, **data: Any
    ) -> None:
        super().__init__(customers, **data)
        self.fails = fails
        self.closed = 0

    def close(self) -> None:
        self.closed += 1
        if self.fails:
            raise OSError("the store would not close")


class RecordingKit(StoreConformance):
    """The kit over ClosableStores, recording the stores made and the order
    they are closed in. The stores numbered in *failing* (from 0) fail to
    close; *forgetful* stores leave out the customers they are given."""

    def __init__(self, *, forgetful: bool = False, failing: Sequence[int] = ()) -> None:
        self.forgetful = forgetful
        self.failing = failing
        self.made: list[ClosableStore] = []
        self.closing: list[ClosableStore] = []

    def make_store(
        self, customers: Iterable[Customer] = (), **data: Any
    ) -> CustomerStore:
        failing = len(self.made) in self.failing
        store = ClosableStore(
            () if self.forgetful else customers, fails=failing, **data
        )
        self.made.append(store)
        return store

    def close_store(self, store: CustomerStore) -> None:
        assert isinstance(store, ClosableStore)
        self.closing.append(store)
        super().close_store(store)


def test_the_kit_closes_every_store_a_test_made() -> None:
    """close_store is called once for each store, the last made first; the
    default calls the store's close()."""
    kit = RecordingKit()

    kit.test_highest_generated_id()

    assert 3 == len(kit.made)
    assert kit.made[::-1] == kit.closing
    assert [1, 1, 1] == [store.closed for store in kit.made]


def test_the_kit_closes_the_stores_of_a_failing_test() -> None:
    """A test that fails still closes the stores it made."""
    kit = RecordingKit(forgetful=True)  # its stores lose the customers given

    with pytest.raises(AssertionError, match=r"customers_by_id\(\['A1', 'B1'\]\)"):
        kit.test_customers_by_id_finds_exact_ids()

    assert kit.made
    assert [1] * len(kit.made) == [store.closed for store in kit.made]


def test_a_store_that_fails_to_close_fails_the_test() -> None:
    """The error of close_store is the test's; the other stores close anyway."""
    kit = RecordingKit(failing=[1])

    with pytest.raises(OSError, match="would not close"):
        kit.test_highest_generated_id()

    assert [1, 1, 1] == [store.closed for store in kit.made]


def test_a_store_without_close_needs_no_closing() -> None:
    """The default close_store does nothing to a store without close()."""
    StoreConformance().close_store(InMemoryStore())


def test_importing_the_kit_imports_no_test_runner() -> None:
    """`handshake_import.testing` works without pytest, and the package does not import it."""
    code = (
        "import sys, handshake_import; before = 'handshake_import.testing' in sys.modules; "
        "import handshake_import.testing; print(before, 'pytest' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )

    assert "False False" == result.stdout.strip()


def test_two_customers_with_one_id_are_refused() -> None:
    """Ids identify customers: InMemoryStore refuses two with the same id."""
    with pytest.raises(ValueError, match="same id"):
        InMemoryStore([Customer(id="C1", name="A"), Customer(id="C1", name="B")])


def test_apply_reports_progress_in_actions() -> None:
    """apply(progress=...) gets (0, actions) first, every thousand actions,
    and (actions, actions) once applied."""
    store = InMemoryStore()
    plan = reconcile(
        csv_bytes([["id", "name"], *([f"C{n}", f"N{n}"] for n in range(2500))]), store
    )
    calls: list[tuple[int, int | None]] = []

    store.apply(plan, progress=lambda done, total: calls.append((done, total)))

    assert [(0, 2500), (1000, 2500), (2000, 2500), (2500, 2500)] == calls
