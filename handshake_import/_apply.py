"""What every store's ``apply`` shares: the refusal of plans with errors, the
optimistic-concurrency check of an update, and the result it returns.

`InMemoryStore.apply` and the SQLite adapter both build on these, and so can
an adapter author's store (they are re-exported by
`handshake_import.adapters`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from ._changes import same_value
from ._errors import PlanHasErrorsError, StalePlanError
from ._names import fold_name, name_key
from ._plan import (
    CreateCustomer,
    CreateCustomerGroup,
    CreateOption,
    CreateUserGroup,
    Plan,
    UpdateCustomer,
    UpdateCustomerGroup,
    UpdateOption,
)
from ._problems import quote, show_value
from ._records import Customer, CustomerGroup, Option
from ._template import (
    TEMPLATE_COLUMNS,
    FieldValue,
    customer_from_fields,
    fields_of,
    values_of,
)
from ._values import CellError, parse_emails, parse_id

__all__ = [
    "ApplyProgress",
    "ApplyResult",
    "apply_customer_groups",
    "apply_options",
    "apply_update",
    "check_names_free",
    "check_plan",
    "id_created_since",
    "id_taken_since",
    "listed_customer_groups",
    "listed_options",
    "name_taken_since",
    "value_faults",
]


@attrs.frozen(kw_only=True)
class ApplyResult:
    """What applying a plan did.

    Attributes:
        created: ``(row, internal_id)`` of every customer created, in order.
        updated: the internal ids of the customers updated.
        user_groups: the names of the user groups created.
        unchanged: the internal ids of the customers whose rows needed
            nothing.
        options: (key, value) of each option created or changed.
        customer_groups: the ids of the customer groups created or changed.
        ship_to: ``(row, internal_id)`` of each ship-to address added or
            changed, the customer's internal id.
    """

    created: tuple[tuple[int, str], ...] = ()
    updated: tuple[str, ...] = ()
    user_groups: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    customer_groups: tuple[str, ...] = ()
    ship_to: tuple[tuple[int, str], ...] = ()


def listed_options(plan: Plan) -> tuple[tuple[str, str], ...]:
    """(key, value) of each option *plan* creates or changes, in plan order."""
    return tuple(
        (a.option.key, a.option.value)
        if isinstance(a, CreateOption)
        else (a.key, a.value)
        for a in plan.actions
        if isinstance(a, (CreateOption, UpdateOption))
    )


def listed_customer_groups(plan: Plan) -> tuple[str, ...]:
    """The ids of the customer groups *plan* creates or changes."""
    return tuple(
        a.group.id if isinstance(a, CreateCustomerGroup) else a.id
        for a in plan.actions
        if isinstance(a, (CreateCustomerGroup, UpdateCustomerGroup))
    )


def check_plan(plan: Plan, *, partial: bool) -> None:
    """Refuse a plan with errors unless *partial* (`PlanHasErrorsError`),
    and a plan holding a value no file could have given (`ValueError`: a
    blank name, an invalid email address, ...; see `value_faults`)."""
    if not plan.ok and not partial:
        raise PlanHasErrorsError(
            "The plan has errors; fix the file and reconcile again, or apply with "
            "partial=True to import only the rows without errors."
        )
    faults = value_faults(plan)
    if faults:
        more = f" (and {len(faults) - 5} more)" if len(faults) > 5 else ""
        raise ValueError(
            "The plan holds values no file could have given, so it was not made "
            f"by reconcile, or was changed since: {'; '.join(faults[:5])}{more}."
        )


def value_faults(plan: Plan) -> list[str]:
    """What is wrong with the values of *plan*'s actions, by the rules the
    parser applies to a file's cells: a blank name, an id Excel mangled, an
    invalid email address, a NUL, an internal id on a customer to create,
    a change of ``internal_id`` or to a blank ``id``."""
    faults: list[str] = []
    for action in plan.actions:
        if isinstance(action, CreateUserGroup):
            if not _is_text(action.name):
                faults.append(f"user group {action.name!r:.40}: not a name")
        elif isinstance(action, CreateCustomer):
            customer = action.customer
            if customer.internal_id is not None:
                faults.append(
                    f"row {action.row}: a customer to create has an internal_id"
                )
            faults += [
                f"row {action.row}: {fault}" for fault in _customer_faults(customer)
            ]
        elif isinstance(action, UpdateCustomer):
            for column, (_, new) in action.changes.items():
                fault = (
                    "internal_id never changes"
                    if column == "internal_id"
                    else "a blank id never clears an id"
                    if column == "id" and new is None
                    else _value_fault(column, new)
                )
                if fault is not None:
                    faults.append(f"row {action.row}: {fault}")
    return faults


#: The template's one-text columns whose only fault can be a NUL (the name
#: must also not be blank; ids, emails and internal ids have rules of
#: their own).
_PLAIN_TEXT = frozenset(
    column
    for column, kind in TEMPLATE_COLUMNS.items()
    if kind == "text" and column != "name"
)


def _customer_faults(customer: Customer) -> list[str]:
    """What is wrong with the values of a customer to create."""
    faults = []
    for column, value in zip(TEMPLATE_COLUMNS, values_of(customer), strict=True):
        # Most fields are blank or plain text: checked here, in a line.
        if column == "internal_id" or (
            (value is None and column != "name")
            or (column in _PLAIN_TEXT and type(value) is str and "\x00" not in value)
        ):
            continue
        fault = _value_fault(column, customer.emails if column == "email" else value)
        if fault is not None:
            faults.append(fault)
    for name, value in customer.manufacturer_ids.items():
        fault = _value_fault(f"id:{name}", value)
        if fault is not None:
            faults.append(fault)
    return faults


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _value_fault(column: str, value: FieldValue) -> str | None:
    """What is wrong with *value* as a value of *column* (``None``: nothing)."""
    kind = TEMPLATE_COLUMNS.get(column)
    if kind == "emails":
        if value is None or value == ():
            return None
        if not isinstance(value, tuple) or not all(isinstance(a, str) for a in value):
            return f"{column} is not a list of addresses"
        try:
            if parse_emails("\n".join(value)) != value:
                return f"{column} holds the same address twice"
        except CellError as error:
            return f"{column}: {error.details.get('value')} is not a valid address"
        return None
    if kind is None and not column.startswith("id:"):
        return None  # a custom column: typed by its schema, unknown here
    if column == "name" and not _is_text(value):
        return "the name is blank, and it is required"
    if value is None:
        return None
    if not isinstance(value, str):
        return f"{column} is {value!r:.40}, not a text"
    if "\x00" in value:
        return f"{column} holds a NUL character"
    if kind == "id" or column.startswith("id:"):
        try:
            parse_id(value)
        except CellError:
            return f"{column} {value!r:.40} is a number Excel rounded"
    return None


def apply_update(current: Customer | None, action: UpdateCustomer) -> Customer:
    """The customer *current* with *action*'s changes, after checking that it
    still holds every old value the plan was made against.

    Raises:
        StalePlanError: *current* is ``None`` (deleted since) or a field
            changed since the plan was made.
    """
    if current is None:
        raise StalePlanError(
            f"Row {action.row}: the customer was deleted since this plan was made; "
            "reconcile the file again.",
            row=action.row,
        )
    fields: dict[str, FieldValue] = fields_of(current)
    for field, (old, new) in action.changes.items():
        if not same_value(field, fields.get(field), old):
            raise StalePlanError(
                f"Row {action.row}: the data changed since this plan was made "
                f"({field} is now {show_value(fields.get(field), 'blank')}, the plan "
                f"expected {show_value(old, 'blank')}); reconcile the file again.",
                row=action.row,
            )
        if new is None:
            fields.pop(field, None)
        else:
            fields[field] = new
    return customer_from_fields(fields, internal_id=current.internal_id)


def id_created_since(row: int, customer_id: str | None) -> StalePlanError:
    """The error for a create whose id another customer got meanwhile."""
    return StalePlanError(
        f"Row {row}: a customer with id {quote(customer_id or '')} was created since "
        "this plan was made; reconcile the file again.",
        row=row,
    )


def name_taken_since(row: int, name: str) -> StalePlanError:
    """The error for a create of a blank-id row whose name another customer
    got meanwhile: the row would have matched that customer by name.

    A store checks it once the plan is applied, before it commits: each
    customer created with a generated id (`CreateCustomer.generated_id`)
    must be the only one with its name (`fold_name`). Within a plan that
    holds (a blank-id name shared with another row is an error, and a
    customer the plan renames no longer answers to its old name), so
    another customer with that name was created or renamed since the plan
    was made.
    """
    return StalePlanError(
        f"Row {row}: a customer named {quote(name)} was created or renamed since "
        "this plan was made; the row, which has no id, would now be that "
        "customer. Reconcile the file again.",
        row=row,
    )


def id_taken_since(row: int, customer_id: str | None) -> StalePlanError:
    """The error for an update to an id another customer got meanwhile."""
    return StalePlanError(
        f"Row {row}: id {quote(customer_id or '')} was taken since this plan was "
        "made; reconcile the file again.",
        row=row,
    )


def check_names_free(
    created: Iterable[tuple[int, str, str]],
    customers_named: Callable[[Sequence[str]], Iterable[tuple[str, str]]],
    *,
    batch_size: int = 500,
) -> None:
    """Refuse a plan, once its actions are written and before it commits,
    when a customer it created with a generated id is not the only one
    with its name (see `name_taken_since`).

    Args:
        created: ``(row, internal_id, name)`` of each customer the plan
            created with a generated id (`CreateCustomer.generated_id`),
            in plan order.
        customers_named: given a batch of `name_key` values (at most
            *batch_size*), the ``(internal_id, name)`` of every stored
            customer whose name has one of them as its key, read inside the
            transaction (the plan's own writes included).

    Raises:
        StalePlanError: `name_taken_since` of the first such row.
    """
    wanted: dict[str, list[tuple[int, str, str]]] = {}
    for row, internal_id, name in created:
        wanted.setdefault(name_key(name), []).append((row, internal_id, name))
    if not wanted:
        return
    keys = list(wanted)
    #: (name key, folded name) -> the internal ids of the customers with it
    holders: dict[tuple[str, str], set[str]] = {}
    for start in range(0, len(keys), batch_size):
        for internal_id, name in customers_named(keys[start : start + batch_size]):
            folded = (name_key(name), fold_name(name))
            holders.setdefault(folded, set()).add(str(internal_id))
    taken = [
        (row, name)
        for key, customers in wanted.items()
        for row, internal_id, name in customers
        if holders.get((key, fold_name(name)), set()) - {internal_id}
    ]
    if taken:
        row, name = min(taken)
        raise name_taken_since(row, name)


class ApplyProgress:
    """Telling an ``apply(..., progress=...)`` caller how far it has got:
    ``progress(done, total)`` in actions of the plan, first ``(0, total)``,
    then about every thousand actions, and ``(total, total)`` once the plan
    is committed."""

    EVERY = 1_000

    def __init__(
        self, progress: Callable[[int, int | None], None] | None, plan: Plan
    ) -> None:
        self._progress = progress
        self.total = len(plan.actions)
        self._done = self._told = 0
        if progress is not None:
            progress(0, self.total)

    def add(self, count: int = 1) -> None:
        """*count* more actions carried out (not committed yet)."""
        self._done += count
        if self._progress is not None and self._done - self._told >= self.EVERY:
            self._told = self._done
            self._progress(self._done, self.total)

    def finish(self) -> None:
        """The plan is committed."""
        if self._progress is not None:
            self._progress(self.total, self.total)


# -- the list templates: options and customer groups ------------------------------


def apply_options(stored: Sequence[Option], plan: Plan) -> list[Option]:
    """The options once *plan*'s option actions are applied to *stored*
    (every list, each in its order), after checking that each action still
    fits what is stored.

    Raises:
        StalePlanError: an option the plan creates exists by now, one it
            updates is gone or holds another old value, or a list would
            have two defaults.
    """
    creates = [
        (a.row, a.option, a.position)
        for a in plan.actions
        if isinstance(a, CreateOption)
    ]
    updates = [
        (a.row, (a.key, a.value.casefold()), a.changes)
        for a in plan.actions
        if isinstance(a, UpdateOption)
    ]
    return _apply_list(
        stored,
        creates,
        updates,
        identity=lambda option: (option.key, option.value.casefold()),
        list_of=lambda option: option.key,
        attributes={"value": "value", "isDefault": "is_default"},
        noun="option",
    )


def apply_customer_groups(
    stored: Sequence[CustomerGroup], plan: Plan
) -> list[CustomerGroup]:
    """The customer groups once *plan*'s group actions are applied to
    *stored*, in their order, after checking that each action still fits
    what is stored (see `apply_options`)."""
    creates = [
        (a.row, a.group, a.position)
        for a in plan.actions
        if isinstance(a, CreateCustomerGroup)
    ]
    updates = [
        (a.row, a.id, a.changes)
        for a in plan.actions
        if isinstance(a, UpdateCustomerGroup)
    ]
    return _apply_list(
        stored,
        creates,
        updates,
        identity=lambda group: group.id,
        list_of=lambda group: "",
        attributes={"name": "name", "currency": "currency", "isDefault": "is_default"},
        noun="customer group",
    )


R = TypeVar("R", Option, CustomerGroup)


def _apply_list(
    stored: Sequence[R],
    creates: Sequence[tuple[int, R, int]],
    updates: Sequence[tuple[int | None, Hashable, Mapping[str, tuple[Any, Any]]]],
    *,
    identity: Callable[[R], Hashable],
    list_of: Callable[[R], str],
    attributes: Mapping[str, str],
    noun: str,
) -> list[R]:
    if not creates and not updates:
        return list(stored)
    current = {identity(record): record for record in stored}
    order: dict[Hashable, int] = {}
    counts: dict[str, int] = {}
    for kept in stored:
        counts[list_of(kept)] = counts.get(list_of(kept), 0) + 1
        order[identity(kept)] = counts[list_of(kept)]
    position = dict(order)
    for row, key, changes in updates:
        found = current.get(key)
        where = f"Row {row}: the" if row is not None else "The"
        if found is None:
            raise StalePlanError(
                f"{where} {noun} was removed since this plan was made; reconcile "
                "the file again.",
                row=row,
            )
        new_values: dict[str, Any] = {}
        for column, (old, new) in changes.items():
            now = (
                order[key]
                if column == "position"
                else getattr(found, attributes[column])
            )
            if now != old:
                raise StalePlanError(
                    f"{where} {noun} changed since this plan was made ({column} is "
                    f"now {show_value(now, 'blank')}, the plan expected "
                    f"{show_value(old, 'blank')}); reconcile the file again.",
                    row=row,
                )
            if column == "position":
                position[key] = new
            else:
                new_values[attributes[column]] = new
        current[key] = attrs.evolve(found, **new_values)
    for row, record, at in creates:
        key = identity(record)
        if key in current:
            raise StalePlanError(
                f"Row {row}: the {noun} was created since this plan was made; "
                "reconcile the file again.",
                row=row,
            )
        current[key] = record
        position[key] = at
    arrival = {key: index for index, key in enumerate(current)}
    records = sorted(
        current.values(),
        key=lambda r: (list_of(r), position[identity(r)], arrival[identity(r)]),
    )
    defaults = Counter(list_of(r) for r in records if r.is_default)
    if any(count > 1 for count in defaults.values()):
        raise StalePlanError(
            f"Another {noun} was made the default since this plan was made; "
            "reconcile the file again.",
            row=None,
        )
    return records
