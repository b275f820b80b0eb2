"""`InMemoryStore`: the reference `CustomerStore`, writable, held in memory."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

import attrs

from ._apply import (
    ApplyProgress,
    ApplyResult,
    apply_customer_groups,
    apply_options,
    apply_update,
    check_plan,
    id_created_since,
    id_taken_since,
    listed_customer_groups,
    listed_options,
    name_taken_since,
)
from ._apply_ship_to import apply_ship_to, listed_ship_to
from ._names import fold_name, name_key
from ._plan import (
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
from ._records import OPTION_KEYS, Address, Customer, CustomerGroup, Option
from ._store import generated_number

__all__ = ["ApplyResult", "InMemoryStore"]


class InMemoryStore:
    """A `CustomerStore` held in memory, and writable with `apply`.

    The reference for adapter authors, and the store for tests and small
    tools. Customers given without an internal id get one (``"1"``, ``"2"``,
    ...), as `apply` does for the customers it creates.

    `apply` may be called from several threads at once: one plan is applied
    at a time, each checked against what the one before wrote.

    *ship_to* gives customers additional ship-to addresses, by the
    customer's ``id``.
    """

    def __init__(
        self,
        customers: Iterable[Customer] = (),
        *,
        customer_groups: Iterable[str | CustomerGroup] = (),
        user_groups: Iterable[str] = (),
        manufacturers: Iterable[str] = (),
        options: Mapping[str, Sequence[str | Option]] | None = None,
        ship_to: Mapping[str, Sequence[Address]] | None = None,
    ) -> None:
        self._customers: dict[str, Customer] = {}
        self._next_number = 1
        self._applying = threading.Lock()
        self._customer_groups = [
            group if isinstance(group, CustomerGroup) else CustomerGroup(id=group)
            for group in customer_groups
        ]
        self._user_groups = list(user_groups)
        self._manufacturers = list(manufacturers)
        unknown = set(options or {}) - set(OPTION_KEYS)
        if unknown:
            raise ValueError(
                f"unknown option keys {sorted(unknown)}; use {OPTION_KEYS}"
            )
        self._options = [
            value if isinstance(value, Option) else Option(key=key, value=value)
            for key, values in (options or {}).items()
            for value in values
        ]
        given = list(customers)
        ids = [customer.id for customer in given if customer.id is not None]
        if len(set(ids)) < len(ids):
            raise ValueError("two customers with the same id; ids identify customers")
        # Customers that bring an internal id keep it; the others get free ones.
        taken: set[str] = set()
        for customer in given:
            if customer.internal_id is not None:
                if customer.internal_id in taken:
                    raise ValueError(
                        f"two customers with internal id {customer.internal_id!r}"
                    )
                taken.add(customer.internal_id)
        for customer in given:
            internal_id = customer.internal_id
            if internal_id is None:
                internal_id, self._next_number = _free_id(taken, self._next_number)
            self._customers[internal_id] = attrs.evolve(
                customer, internal_id=internal_id
            )
        self._reindex()
        unknown_customers = set(ship_to or {}) - set(self._by_id)
        if unknown_customers:
            raise ValueError(
                "ship_to names customers that are not given: "
                f"{sorted(unknown_customers)}"
            )
        #: internal id -> the customer's additional ship-to addresses
        self._ship_to: dict[str, list[Address]] = {
            self._by_id[customer_id]: list(addresses)
            for customer_id, addresses in (ship_to or {}).items()
        }

    # -- the CustomerStore protocol ----------------------------------------------

    def customers_by_id(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        """See `CustomerStore.customers_by_id`."""
        customers, by_id = self._customers, self._by_id
        return {
            i: customers[internal_id]
            for i in ids
            if (internal_id := by_id.get(i)) is not None
        }

    def customers_by_internal_id(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Customer]:
        """See `CustomerStore.customers_by_internal_id`."""
        customers = self._customers
        return {
            i: customer
            for i in internal_ids
            if (customer := customers.get(i)) is not None
        }

    def customers_by_name_key(
        self, keys: Sequence[str]
    ) -> Mapping[str, Sequence[Customer]]:
        """See `CustomerStore.customers_by_name_key`."""
        # The index's groups are tuples: shared with the caller, not copied.
        by_name_key = self._by_name_key
        return {key: by_name_key[key] for key in keys if key in by_name_key}

    def highest_generated_id(self) -> int:
        """See `CustomerStore.highest_generated_id`."""
        return self._highest_generated

    def customer_count(self) -> int:
        """See `CustomerStore.customer_count`."""
        return len(self._customers)

    def customer_groups(self) -> Sequence[CustomerGroup]:
        """See `CustomerStore.customer_groups`."""
        return tuple(self._customer_groups)

    def user_groups(self) -> Collection[str]:
        """See `CustomerStore.user_groups`."""
        return tuple(self._user_groups)

    def manufacturers(self) -> Collection[str]:
        """See `CustomerStore.manufacturers`."""
        return tuple(self._manufacturers)

    def options(self) -> Sequence[Option]:
        """See `CustomerStore.options`."""
        return tuple(self._options)

    def ship_to_addresses(
        self, internal_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Address]]:
        """See `CustomerStore.ship_to_addresses`."""
        return {
            internal_id: tuple(addresses)
            for internal_id in internal_ids
            if (addresses := self._ship_to.get(internal_id))
        }

    # -- beyond the protocol -----------------------------------------------------

    @property
    def customers(self) -> tuple[Customer, ...]:
        """Every stored customer, in the order they were added."""
        return tuple(self._customers.values())

    def apply(
        self,
        plan: Plan,
        *,
        partial: bool = False,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> ApplyResult:
        """Carry out *plan*: all of it, or nothing.

        Args:
            plan: a plan made by `reconcile` against this store.
            partial: apply a plan that has errors, doing the actions of the
                rows without errors (rows with errors have no action).
            progress: called with ``(actions done, actions in the plan)``:
                ``(0, total)`` first, then every thousand actions, and
                ``(total, total)`` once the plan is applied.

        Raises:
            PlanHasErrorsError: the plan has errors and *partial* is false.
            StalePlanError: a customer changed since the plan was made (an
                update's old values no longer match, an id is now taken, a
                row without an id would now match a customer by its name).
        """
        check_plan(plan, partial=partial)
        # The draft is made and checked from the data as it is under the
        # lock: a plan applied meanwhile by another thread is seen.
        told = ApplyProgress(progress, plan)
        with self._applying:
            result = self._apply(plan, told)
        told.finish()
        return result

    def _apply(self, plan: Plan, told: ApplyProgress | None = None) -> ApplyResult:
        draft = _Draft(
            customers=dict(self._customers),
            by_id=dict(self._by_id),
            user_groups=list(self._user_groups),
            next_number=self._next_number,
        )
        for action in plan.actions:
            draft.add(action)
            if told is not None:
                told.add()
        # Options and groups first: customers name them.
        options = apply_options(self._options, plan)
        groups = apply_customer_groups(self._customer_groups, plan)
        self._check_names_free(draft.customers, draft.generated, draft.named)
        created = {
            customer_id: internal_id
            for _, internal_id in draft.created
            if (customer_id := draft.customers[internal_id].id) is not None
        }
        ship_to = apply_ship_to(self._ship_to, plan, created)
        # Nothing above has touched the store: commit all at once.
        self._ship_to.update(ship_to)
        self._options = options
        self._customer_groups = groups
        self._customers = draft.customers
        self._user_groups = draft.user_groups
        self._next_number = draft.next_number
        self._reindex()
        return ApplyResult(
            created=tuple(draft.created),
            updated=tuple(draft.updated),
            user_groups=tuple(draft.groups),
            unchanged=tuple(draft.unchanged),
            options=listed_options(plan),
            customer_groups=listed_customer_groups(plan),
            ship_to=listed_ship_to(plan, created),
        )

    # -- internals ---------------------------------------------------------------

    def _check_names_free(
        self,
        customers: Mapping[str, Customer],
        generated: Mapping[str, int],
        named: Sequence[str],
    ) -> None:
        """Refuse the plan (`name_taken_since`) when a customer created with
        a generated id is not the only one with its name once the plan is
        applied to *customers*; *named* are the customers the plan created
        or renamed, the others are found in the index of names."""
        if not generated:
            return
        keys = {name_key(customers[i].name) for i in generated}
        by_key: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            by_key[key].update(
                c.internal_id or "" for c in self._by_name_key.get(key, ())
            )
        for internal_id in named:
            key = name_key(customers[internal_id].name)
            if key in keys:
                by_key[key].add(internal_id)
        for internal_id, row in generated.items():
            name = customers[internal_id].name
            folded = fold_name(name)
            for other in by_key[name_key(name)]:
                customer = customers.get(other)
                if (
                    other != internal_id
                    and customer is not None
                    and fold_name(customer.name) == folded
                ):
                    raise name_taken_since(row, name)

    def _reindex(self) -> None:
        self._by_id: dict[str, str] = {}
        by_name_key: dict[str, list[Customer]] = defaultdict(list)
        self._highest_generated = 0
        for internal_id, customer in self._customers.items():
            if customer.id is not None:
                self._by_id[customer.id] = internal_id
                number = generated_number(customer.id)
                if number is not None:
                    self._highest_generated = max(self._highest_generated, number)
            by_name_key[name_key(customer.name)].append(customer)
        #: name key -> its customers, in the order they were added
        self._by_name_key = {key: tuple(group) for key, group in by_name_key.items()}


@attrs.define(kw_only=True)
class _Draft:
    """A copy of the store's data, with a plan's actions applied to it one
    by one, and what they did."""

    customers: dict[str, Customer]
    by_id: dict[str, str]
    user_groups: list[str]
    next_number: int
    created: list[tuple[int, str]] = attrs.field(factory=list)
    updated: list[str] = attrs.field(factory=list)
    groups: list[str] = attrs.field(factory=list)
    unchanged: list[str] = attrs.field(factory=list)
    #: internal id -> row, of the customers created with a generated id
    generated: dict[str, int] = attrs.field(factory=dict)
    #: the internal ids of the customers the plan names anew
    named: list[str] = attrs.field(factory=list)

    def add(self, action: Action) -> None:
        """Apply *action* (option and group actions: see `apply_options`)."""
        if isinstance(action, CreateUserGroup):
            self.create_user_group(action)
        elif isinstance(action, CreateCustomer):
            self.create(action)
        elif isinstance(action, UpdateCustomer):
            self.update(action)
        elif isinstance(action, Unchanged):
            self.unchanged.append(action.internal_id)
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
            pass  # applied at once: see `apply_options`, `apply_ship_to`
        else:
            unreachable(action)

    def create_user_group(self, action: CreateUserGroup) -> None:
        if action.name.casefold() not in {g.casefold() for g in self.user_groups}:
            self.user_groups.append(action.name)
            self.groups.append(action.name)

    def create(self, action: CreateCustomer) -> None:
        new_id = action.customer.id
        if new_id is not None and new_id in self.by_id:
            raise id_created_since(action.row, new_id)
        internal_id, self.next_number = _free_id(self.customers, self.next_number)
        self.customers[internal_id] = attrs.evolve(
            action.customer, internal_id=internal_id
        )
        if new_id is not None:
            self.by_id[new_id] = internal_id
        self.created.append((action.row, internal_id))
        self.named.append(internal_id)
        if action.generated_id:
            self.generated[internal_id] = action.row

    def update(self, action: UpdateCustomer) -> None:
        customer = self.customers.get(action.internal_id)
        updated_customer = apply_update(customer, action)
        assert customer is not None  # apply_update refuses a missing one
        if updated_customer.id != customer.id:
            if updated_customer.id in self.by_id:
                raise id_taken_since(action.row, updated_customer.id)
            self.by_id.pop(customer.id or "", None)
            if updated_customer.id is not None:
                self.by_id[updated_customer.id] = action.internal_id
        self.customers[action.internal_id] = updated_customer
        self.updated.append(action.internal_id)
        if "name" in action.changes:
            self.named.append(action.internal_id)


def _free_id(taken: Collection[str], number: int) -> tuple[str, int]:
    """The first internal id not in *taken* from *number* on, and the number
    after it."""
    while str(number) in taken:
        number += 1
    return str(number), number + 1
